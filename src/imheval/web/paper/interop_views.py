"""The pages of the import from another system: upload and tell, then the mapping's preview.

Both go through the paper pages' access rules (:data:`views.organisation_page`, the
enter_responses action), as the file import does; the rules live in interop_forms.py and
interop_import.py. Confirming, cancelling and undoing are the file import's own.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from imheval.errors import DataFormatError, Problem
from imheval.web.organisations.access import FORM, Access
from imheval.web.paper import importing, interop_tasks
from imheval.web.paper import interop_import as interop
from imheval.web.paper.forms import ImportConfirmForm
from imheval.web.paper.interop_forms import InteropImportForm
from imheval.web.paper.models import ImportBatch, ImportStatus
from imheval.web.paper.views import MAX_PROBLEMS_SHOWN, _crumbs, _url, organisation_page
from imheval.web.tasks.jobs import job_url
from imheval.web.workspace.models import Cohort, Collection

#: The session keeps the mapping of this many previews (the newest), for their preview pages.
KEPT_MAPPINGS = 5
_SESSION_KEY = "imheval-interop-mappings"


def _problems(problems: list[Problem]) -> dict[str, Any]:
    return {
        "problems": problems[:MAX_PROBLEMS_SHOWN],
        "hidden": max(0, len(problems) - MAX_PROBLEMS_SHOWN),
        "several_files": len({problem.file for problem in problems}) > 1,
    }


def _keep_mapping(request: HttpRequest, batch: ImportBatch, mapping: dict[str, Any]) -> None:
    kept = dict(request.session.get(_SESSION_KEY, {}))
    kept[str(batch.pk)] = mapping
    request.session[_SESSION_KEY] = dict(list(kept.items())[-KEPT_MAPPINGS:])


def _mapping(request: HttpRequest, batch: ImportBatch) -> dict[str, Any] | None:
    kept = request.session.get(_SESSION_KEY, {})
    mapping = kept.get(str(batch.pk)) if isinstance(kept, dict) else None
    if isinstance(mapping, dict):
        return mapping
    return interop_tasks.mapping_from_job(batch)


def _forget_mapping(request: HttpRequest, batch_pk: int) -> None:
    kept = dict(request.session.get(_SESSION_KEY, {}))
    if kept.pop(str(batch_pk), None) is not None:
        request.session[_SESSION_KEY] = kept


@organisation_page("enter_responses", FORM)
def interop_import(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    """Upload another system's exports and say how their timepoints and codes are told; the
    files are converted and checked, and the mapping is previewed before anything is stored."""
    collections = list(Collection.objects.filter(cohort=cohort))
    timepoints = [str(collection.timepoint) for collection in collections]
    context: dict[str, Any] = {
        "cohort": cohort,
        "programme": cohort.programme,
        "crumbs": [
            *_crumbs(access, cohort),
            ("Import responses", _url("import_file", access, cohort=cohort)),
        ],
        "collections": collections,
        "back": _url("import_file", access, cohort=cohort),
    }
    if request.method == "POST":
        form = InteropImportForm(timepoints, request.POST, request.FILES)
        if form.is_valid():
            system = form.chosen_system
            try:
                prepared = interop.prepare(
                    cohort,
                    system,
                    form.sources(),
                    form.structure_source(),
                    form.options(cohort.name),
                )
                if interop.checked_in_background(prepared):
                    job = interop_tasks.start_check(cohort, prepared, request.user, request.path)
                    return redirect(job_url(job))
                batch = interop.check(cohort, prepared, request.user)
            except DataFormatError as error:
                context.update(_problems(list(error.problems)))
                form.add_error(None, interop.refusal(len(error.problems)))
            else:
                _keep_mapping(request, batch, dict(prepared.mapping))
                return redirect(_url("interop_preview", access, batch=batch))
    else:
        form = InteropImportForm(timepoints)
    context["form"] = form
    return render(request, "paper/interop_import.html", context)


@organisation_page("enter_responses", FORM)
def interop_preview(request: HttpRequest, access: Access, batch: ImportBatch) -> HttpResponse:
    """The mapping and what the files hold, before anything is imported; Confirm imports it
    all (by a worker when it is large), through the file import's own confirm."""
    back = _url("import_file", access, cohort=batch.cohort)
    if batch.status != ImportStatus.PREVIEW:
        return redirect(back)
    if not interop.origins_of(batch):  # a file in imheval's own layout: its own preview
        return redirect(_url("import_preview", access, batch=batch))
    form = ImportConfirmForm([], request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if batch.row_count > importing.BACKGROUND_CONFIRM_ROWS:
            job = interop_tasks.start_confirm(batch, request.user, back)
            return redirect(job_url(job))
        batch_pk = batch.pk
        try:
            done = interop.confirm(batch, request.user)
        except DataFormatError as error:
            batch.delete()
            _forget_mapping(request, batch_pk)
            context = {
                "cohort": batch.cohort,
                "crumbs": _crumbs(access, batch.cohort),
                "file_name": batch.file_name,
                "back": _url("interop_import", access, cohort=batch.cohort),
                **_problems(list(error.problems)),
            }
            return render(request, "paper/interop_failed.html", context)
        _forget_mapping(request, batch_pk)
        counts = ", ".join(f"{n} {label.lower()}" for label, n in done.count_list())
        messages.success(
            request,
            f"Imported {done.row_count} response{'' if done.row_count == 1 else 's'} from "
            f"{done.file_name} ({counts}).",
        )
        return redirect(back)
    context = {
        "batch": batch,
        "cohort": batch.cohort,
        "crumbs": _crumbs(access, batch.cohort),
        "back": back,
        "form": form,
        "mapping": _mapping(request, batch),
        "first_rows": batch.preview_rows(),
    }
    return render(request, "paper/interop_preview.html", context)
