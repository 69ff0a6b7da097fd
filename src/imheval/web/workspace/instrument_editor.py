"""The instrument editor in the browser, and instruments as YAML files to download.

Three ways in, one page (``workspace/instrument_editor.html``): a new instrument from nothing, a
copy of a built-in one (the built-in stays as it is), and a change to one of the organisation's
own. The page holds the whole instrument; each button posts it back (instrument_draft.py), and
Save runs the core's loader on the file the core's writer makes of it, so the editor accepts
exactly what an upload would. Nothing is kept until it is valid.

Versions: a file that no cohort has started answering is changed in place. A file that has
answers is locked (the page says so before anything is typed): saving makes a new file with its
own id whose ``replaces`` points at the locked one, which cohorts already answering keep. The
audit log records each save (InstrumentFile.AUDIT_FIELDS; an in-place save changes
``edited_at``), which also changes the results' data fingerprint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from imheval.errors import InstrumentError, UnknownInstrumentError
from imheval.instruments import Instrument, get_builtin
from imheval.instruments.bank import builtin_ids
from imheval.instruments.writer import instrument_to_yaml
from imheval.web.capture.templatetags.capture_locks import cohorts_answering
from imheval.web.organisations.access import FORM, Access
from imheval.web.organisations.models import Organisation
from imheval.web.workspace.instrument_draft import (
    Draft,
    DraftDomain,
    DraftItem,
    EditorProblem,
    advice,
    apply_action,
    check,
    draft_from,
    draft_of,
)
from imheval.web.workspace.instrument_form import editor_form
from imheval.web.workspace.models import Cohort, InstrumentFile
from imheval.web.workspace.views import organisation_page

_ID_LIMIT = 64


@dataclass(frozen=True)
class Target:
    """Where a save goes: ``file`` changed in place, or a new file (replacing ``replaces``,
    or copied from the built-in ``copied_from``)."""

    heading: str
    file: InstrumentFile | None = None
    replaces: InstrumentFile | None = None
    copied_from: str = ""
    answering: tuple[Cohort, ...] = ()

    @property
    def in_place(self) -> bool:
        return self.file is not None


# --- the three ways in ------------------------------------------------------------------------


@organisation_page("edit_instruments", FORM)
def instrument_new(request: HttpRequest, access: Access) -> HttpResponse:
    """A new instrument from nothing: one domain and one question to start."""
    start = Draft(
        id=_free_id(access.organisation, "my-questionnaire"),
        domains=[DraftDomain(id="knowledge", label="Knowledge")],
        items=[DraftItem(id="Q1", domain="knowledge")],
    )
    return _editor(request, access, Target("New instrument"), start)


@organisation_page("edit_instruments", FORM)
def instrument_copy(request: HttpRequest, access: Access, instrument_id: str) -> HttpResponse:
    """The organisation's own copy of a built-in instrument."""
    builtin = _builtin_or_404(instrument_id)
    start = draft_of(builtin)
    start.id = _free_id(access.organisation, f"{builtin.id}-own")
    start.title = f"{builtin.title} (our version)"
    start.version = "1"
    target = Target(f"Your copy of {builtin.title}", copied_from=f"{builtin.id} {builtin.version}")
    return _editor(request, access, target, start)


@organisation_page("edit_instruments", FORM)
def instrument_edit(
    request: HttpRequest, access: Access, instrument_file: InstrumentFile
) -> HttpResponse:
    """Change an instrument in place, or, once it is locked, make its next version."""
    try:
        start = draft_of(instrument_file.instrument())
    except InstrumentError:
        messages.error(request, "This file no longer reads, so it cannot be edited here.")
        return redirect(_file_url(access, instrument_file))
    start.version = next_version(start.version)
    answering = tuple(cohorts_answering(access.organisation, instrument_file.instrument_id))
    if not answering:
        return _editor(request, access, Target(f"Edit {start.title}", file=instrument_file), start)
    start.id = next_version_id(access.organisation, instrument_file.instrument_id)
    target = Target(f"New version of {start.title}", replaces=instrument_file, answering=answering)
    return _editor(request, access, target, start)


def _builtin_or_404(instrument_id: str) -> Instrument:
    try:
        return get_builtin(instrument_id)
    except UnknownInstrumentError:
        raise Http404("No such instrument") from None


# --- the page ---------------------------------------------------------------------------------


def _editor(request: HttpRequest, access: Access, target: Target, start: Draft) -> HttpResponse:
    if request.method != "POST":
        return _page(request, access, target, start)
    draft = draft_from(request.POST)
    if target.file is not None:
        draft.id = target.file.instrument_id  # in place, the id stays: questionnaires use it
    action = str(request.POST.get("action", ""))
    if action not in ("check", "save"):
        return _page(request, access, target, apply_action(draft, action))
    instrument, problems = check(draft, source=draft.id or "the instrument")
    problems = _id_problems(access.organisation, draft.id, target) + problems
    if instrument is None or problems:
        return _page(request, access, target, draft, problems, checked=True)
    advised = advice(draft, instrument)
    if action == "check":
        return _page(request, access, target, draft, checked=True, advised=advised)
    saved = _save(target, access.organisation, instrument)
    if saved is None:
        taken = [EditorProblem("id", f"Id: '{draft.id}' has just been used; choose another")]
        return _page(request, access, target, draft, taken, checked=True)
    messages.success(
        request, f"Instrument {saved.instrument_id} version {instrument.version} saved."
    )
    if advised:
        # Advice never blocks saving; the editor's Check lists each piece at its question.
        count = "1 piece" if len(advised) == 1 else f"{len(advised)} pieces"
        messages.warning(
            request,
            f"It has {count} of item-writing advice: questions that test-wise people could "
            "answer without knowing. Edit it and choose Check for problems to see each one.",
        )
    return redirect(_file_url(access, saved))


def _page(
    request: HttpRequest,
    access: Access,
    target: Target,
    draft: Draft,
    problems: list[EditorProblem] | None = None,
    *,
    checked: bool = False,
    advised: list[EditorProblem] | None = None,
) -> HttpResponse:
    here = reverse("workspace:instruments", kwargs={"org": access.organisation.slug})
    back = target.file or target.replaces
    context = {
        "target": target,
        "form": editor_form(draft, problems or [], id_fixed=target.in_place),
        "problems": problems or [],
        "checked": checked,
        "advised": advised or [],
        "crumbs": [("Instruments", here)],
        "cancel": _file_url(access, back) if back is not None else here,
    }
    return render(request, "workspace/instrument_editor.html", context)


def _id_problems(
    organisation: Organisation, instrument_id: str, target: Target
) -> list[EditorProblem]:
    if instrument_id in builtin_ids():
        return [
            EditorProblem(
                "id", f"Id: '{instrument_id}' belongs to a built-in instrument; choose your own"
            )
        ]
    others = InstrumentFile.objects.in_organisation(organisation).filter(
        instrument_id=instrument_id
    )
    if target.file is not None:
        others = others.exclude(pk=target.file.pk)
    if others.exists():
        return [
            EditorProblem(
                "id",
                f"Id: {organisation.name} already has an instrument '{instrument_id}'; "
                "choose another",
            )
        ]
    return []


def _save(
    target: Target, organisation: Organisation, instrument: Instrument
) -> InstrumentFile | None:
    """The saved file; None if its id was taken in the meantime."""
    text = instrument_to_yaml(instrument)
    if target.file is not None:
        file = target.file
        file.text, file.title, file.edited_at = text, instrument.title, timezone.now()
        file.save()
        return file
    try:
        with transaction.atomic():
            return InstrumentFile.objects.create(
                organisation=organisation,
                instrument_id=instrument.id,
                title=instrument.title,
                source_name=f"{instrument.id}.yaml",
                text=text,
                replaces=target.replaces,
                copied_from=target.copied_from,
                edited_at=timezone.now(),
            )
    except IntegrityError:
        return None


def _file_url(access: Access, file: InstrumentFile) -> str:
    return reverse(
        "workspace:instrument_file",
        kwargs={"org": access.organisation.slug, "instrument_file": file.pk},
    )


# --- ids and versions -------------------------------------------------------------------------


def next_version(version: str) -> str:
    """The version after ``version``: its last number plus one ("1" -> "2", "1.0.0" ->
    "1.0.1", "2026-a" -> "2027-a"), or "-2" added when it has no number."""
    numbers = list(re.finditer(r"\d+", version))
    if not numbers:
        return f"{version}-2"
    last = numbers[-1]
    return f"{version[: last.start()]}{int(last.group()) + 1}{version[last.end() :]}"


def next_version_id(organisation: Organisation, instrument_id: str) -> str:
    """The first free id of the form ``<id>-v2``, ``-v3``... (a trailing ``-vN`` counts on)."""
    found = re.fullmatch(r"(.+)-v(\d+)", instrument_id)
    base, number = (found.group(1), int(found.group(2)) + 1) if found else (instrument_id, 2)
    taken = _taken_ids(organisation)
    while True:
        candidate = f"{base[: _ID_LIMIT - len(str(number)) - 2]}-v{number}"
        if candidate not in taken:
            return candidate
        number += 1


def _free_id(organisation: Organisation, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``-3``... whichever is free in the organisation."""
    taken = _taken_ids(organisation)
    candidate, number = wanted[:_ID_LIMIT], 2
    while candidate in taken:
        candidate = f"{wanted[: _ID_LIMIT - len(str(number)) - 1]}-{number}"
        number += 1
    return candidate


def _taken_ids(organisation: Organisation) -> set[str]:
    files = InstrumentFile.objects.in_organisation(organisation)
    return set(builtin_ids()) | set(files.values_list("instrument_id", flat=True))


# --- files to download ------------------------------------------------------------------------


@organisation_page()
def instrument_builtin_yaml(
    request: HttpRequest, access: Access, instrument_id: str
) -> HttpResponse:
    """A built-in instrument as a file to edit and upload."""
    builtin = _builtin_or_404(instrument_id)
    return _yaml_file(instrument_to_yaml(builtin), f"{builtin.id}-{builtin.version}.yaml")


@organisation_page()
def instrument_file_yaml(
    request: HttpRequest, access: Access, instrument_file: InstrumentFile
) -> HttpResponse:
    """An organisation's instrument file exactly as kept: as uploaded, or as the editor wrote
    it."""
    return _yaml_file(instrument_file.text, f"{instrument_file.instrument_id}.yaml")


@organisation_page()
def instrument_starter(request: HttpRequest, access: Access) -> HttpResponse:
    """A short valid instrument, with comments, to start a file from."""
    return _yaml_file(
        render_to_string("workspace/instrument_starter.yaml"), "starter-instrument.yaml"
    )


def _yaml_file(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "-", name)
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response
