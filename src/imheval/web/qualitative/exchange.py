"""REFI-QDA exchange: a study out as a project (.qdpx) or codebook (.qdc), and a file in.

Export (anyone in the organisation, as anyone may read the study's transcripts and codings in
the app; the text is already pseudonymised and the key is never stored): the core's writer over
:func:`~imheval.web.qualitative.adapter.project_for`, with what REFI-QDA could not carry listed
on the page beforehand. While coding is blind the project holds only the downloader's own
codings (and coder), and the page says so.

Import (analysts, evaluators and admins) goes in three steps, as the standard asks for a
data-loss warning before anything is changed:

1. Upload: the file (at most :data:`MAX_UPLOAD_BYTES`) is read by the core's reader, which
   refuses unsafe archives (zip bombs, paths leaving the archive, external sources, entity
   expansion, text that is not UTF-8) and invalid content, listing every problem by element.
   Nothing is imported then.
2. Preview: what will be lost or changed (the reader's losses and the adapter's own), and
   what the study will gain. A list of names to replace (``Sarah = PX1``) may be typed and
   checked again here (:func:`~imheval.qualitative.refi.names.pseudonymise_project`); it is
   posted with each step and never kept. The upload waits in a private folder under the data
   directory, named by a random token kept in the person's session, never in the study.
3. Confirm: the file is read again, its names replaced, and imported in one transaction, all
   or nothing; the waiting copy is deleted. When the names stop it (a bad line, two speakers
   made one) the preview says why and the copy keeps waiting. Cancelling deletes it too, and
   copies older than a day are swept away.

The import runs in the request, not on the background worker: a person is waiting on the
preview anyway, the file is capped, and a 20,000-word transcript with 1,500 codings by two
coders imports in under a second (docs/qualitative.md, "REFI-QDA").
"""

from __future__ import annotations

import io
import secrets
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from imheval.errors import ProblemsError, RefiError
from imheval.qualitative.model import Project
from imheval.qualitative.pseudonyms import parse_names
from imheval.qualitative.refi import RefiRead, read_qdc, read_qdpx, write_qdc, write_qdpx
from imheval.qualitative.refi.names import pseudonymise_project
from imheval.web.organisations.access import FORM, POST, Access
from imheval.web.qualitative.adapter import ImportPlan, import_project, plan_import, project_for
from imheval.web.qualitative.models import Study
from imheval.web.qualitative.review import study_crumbs, study_url
from imheval.web.qualitative.study_access import CODE, blind_notice, may, organisation_page
from imheval.web.qualitative.study_access import require as require_action

#: The largest file accepted (the reader also limits what the archive unpacks to).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Uploads waiting for confirmation longer than this are deleted.
WAITING_SECONDS = 24 * 60 * 60
SESSION_KEY = "qualitative_uploads"
KINDS = {
    ".qdpx": ("project", "application/zip"),
    ".qdc": ("codebook", "application/xml"),
}


def waiting_folder() -> Path:
    """Where uploads wait between preview and confirmation (private to the server)."""
    folder = Path(settings.DATA_DIR) / "qualitative-uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - WAITING_SECONDS
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def read_refi(data: bytes, file_name: str) -> RefiRead:
    """The core's reading of an uploaded .qdpx or .qdc (RefiError lists what is wrong)."""
    if file_name.lower().endswith(".qdc"):
        return read_qdc(io.BytesIO(data), name=file_name)
    return read_qdpx(io.BytesIO(data), name=file_name)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="A REFI-QDA project (.qdpx) or codebook (.qdc)",
        help_text="For example, focus-group.qdpx exported from NVivo, ATLAS.ti, MAXQDA or "
        "QualCoder. At most 50 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".qdpx,.qdc"}),
        error_messages={"required": "Choose a .qdpx or .qdc file"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = Path(upload.name or "").name
        if Path(name).suffix.lower() not in KINDS:
            raise forms.ValidationError(f"{name} is not a .qdpx or .qdc file")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"{name} is larger than 50 MB")
        return upload


def _page(
    request: HttpRequest,
    access: Access,
    study: Study,
    form: UploadForm | None = None,
    status: int = 200,
    **more: Any,
) -> HttpResponse:
    project = project_for(study, viewer=request.user)
    context = {
        "study": study,
        "form": (form or UploadForm()) if may(access, CODE) else None,
        "blind_notice": blind_notice(study, request.user, "the project download holds"),
        "counts": {
            "sources": len(project.sources),
            "codes": len(project.codes),
            "codings": len(project.codings),
        },
        "crumbs": study_crumbs(access, study),
        **more,
    }
    return render(request, "qualitative/exchange.html", context, status=status)


@organisation_page("view", FORM)
def exchange(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """Export links; the upload form, and on a good upload the preview of the import."""
    if request.method != "POST":
        return _page(request, access, study)
    require_action(access, CODE)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, access, study, form, status=400)
    upload = form.cleaned_data["file"]
    file_name = Path(upload.name).name
    data = b"".join(upload.chunks())
    try:
        read = read_refi(data, file_name)
    except ProblemsError as error:
        return _page(request, access, study, form, status=400, problems=error.problems)
    plan = plan_import(study, read.project, file_name)
    if plan.problems:
        return _page(request, access, study, form, status=400, problems=plan.problems)
    folder = waiting_folder()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_bytes(data)
    waiting = dict(request.session.get(SESSION_KEY, {}))
    waiting[token] = {"study": study.pk, "name": file_name}
    request.session[SESSION_KEY] = waiting
    return _preview(request, access, study, token, file_name, read, NamesForm())


class NamesForm(forms.Form):
    """The names to replace in a project from another tool, typed on the preview; used for
    the preview and the import, and never kept."""

    names = forms.CharField(
        label="Names to replace (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line, the name and its label, for example Sarah = PX1. People, "
        "places and services are replaced in the transcripts, speaker names, codes and memos "
        "before anything is saved, and every coding keeps its words. This list is not kept.",
    )

    def clean_names(self) -> dict[str, str]:
        try:
            return parse_names(self.cleaned_data.get("names") or "")
        except ProblemsError as error:
            raise forms.ValidationError([str(problem) for problem in error.problems]) from None


def _named(
    study: Study, read: RefiRead, names: dict[str, str], file_name: str
) -> tuple[Project, ImportPlan, tuple[str, ...]]:
    """The project with ``names`` replaced, its plan, and what the preview says of the names
    (RefiError when positions could not be kept)."""
    project, replaced = pseudonymise_project(read.project, names, file_name)
    said: tuple[str, ...] = ()
    if names:
        said = (
            (
                f"{replaced} listed name(s) are replaced by their labels in the transcripts, "
                "speaker names, codes and memos; every coding and speaker turn keeps its words",
            )
            if replaced
            else ("none of the listed names appear in the file",)
        )
    return project, plan_import(study, project, file_name), said


def _preview(
    request: HttpRequest,
    access: Access,
    study: Study,
    token: str,
    file_name: str,
    read: RefiRead,
    names_form: NamesForm,
    status: int = 200,
) -> HttpResponse:
    """What importing the waiting upload would do, with the names typed so far replaced."""
    problems: tuple[Any, ...] = ()
    project, changes = read.project, list(read.losses)
    if names_form.is_bound and names_form.is_valid():
        try:
            project, plan, said = _named(study, read, names_form.cleaned_data["names"], file_name)
        except ProblemsError as error:
            problems = error.problems
        else:
            changes += [*said, *plan.changes]
            problems = plan.problems
    else:
        changes += plan_import(study, project, file_name).changes
    if problems or names_form.errors:
        status = 400
    context = {
        "study": study,
        "token": token,
        "file_name": file_name,
        "changes": changes,
        "problems": problems,
        "names_form": names_form,
        "gains": {
            "sources": len(project.sources),
            "speakers": len(project.cases),
            "codes": len(project.codes),
            "coders": len(project.users),
            "codings": len(project.codings),
            "notes": len(project.notes),
        },
        "crumbs": study_crumbs(
            access, study, ("Exchange with other tools", study_url("exchange", access, study))
        ),
    }
    return render(request, "qualitative/exchange_preview.html", context, status=status)


@organisation_page("view", POST)
def exchange_confirm(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """Check the waiting upload again with a list of names (``action=check``), import it (all
    or nothing), or cancel it. The copy is deleted once imported or cancelled; while the names
    or the file stop the import it keeps waiting, and the preview says why."""
    require_action(access, CODE)
    token = request.POST.get("token", "")
    waiting = dict(request.session.get(SESSION_KEY, {}))
    entry = waiting.get(token)
    path = waiting_folder() / f"{token}.upload"
    back = study_url("exchange", access, study)
    if entry is None or entry.get("study") != study.pk or not path.exists():
        messages.error(request, "That upload is no longer waiting: upload the file again.")
        return redirect(back)
    action = request.POST.get("action")

    def done() -> None:
        waiting.pop(token, None)
        request.session[SESSION_KEY] = waiting
        path.unlink(missing_ok=True)

    if action == "cancel":
        done()
        messages.success(request, f"Nothing was imported from {entry['name']}.")
        return redirect(back)
    try:
        read = read_refi(path.read_bytes(), entry["name"])
    except ProblemsError as error:
        done()
        return _page(request, access, study, status=400, problems=error.problems)
    names_form = NamesForm(request.POST)
    if action == "check" or not names_form.is_valid():
        return _preview(request, access, study, token, entry["name"], read, names_form)
    try:
        names = names_form.cleaned_data["names"]
        project, _replaced = pseudonymise_project(read.project, names, entry["name"])
        summary = import_project(study, project, request.user, file=entry["name"])
    except ProblemsError:
        return _preview(request, access, study, token, entry["name"], read, names_form)
    done()
    messages.success(request, f"{entry['name']}: {summary.sentence()}")
    return redirect(back)


@organisation_page("view")
def exchange_export(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """The study as a REFI-QDA project (``?format=qdpx``, the default) or codebook (``qdc``);
    while coding is blind, with only the downloader's own codings.

    A study the standard cannot carry (a source with a NUL character or a leading byte order
    mark) gives the exchange page listing what to put right, and no download."""
    kind = request.GET.get("format", "qdpx")
    suffix = ".qdc" if kind == "qdc" else ".qdpx"
    project = project_for(study, viewer=request.user)
    buffer = io.BytesIO()
    if suffix == ".qdc" and not project.codes:
        messages.error(request, "The study has no codebook yet, so there is nothing to export.")
        return redirect(study_url("exchange", access, study))
    try:
        if suffix == ".qdc":
            write_qdc(project, buffer)
        else:
            write_qdpx(project, buffer)
    except RefiError as error:
        return _page(request, access, study, export_problems=error.problems)
    response = HttpResponse(buffer.getvalue(), content_type=KINDS[suffix][1])
    name = slugify(study.name) or "study"
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}"'
    return response
