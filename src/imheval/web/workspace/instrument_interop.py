"""Instruments to and from other systems: REDCap, LimeSurvey and FHIR Questionnaire.

**Import** (Instruments > Import from another system). A member who may change instruments
uploads a structure file: a REDCap data dictionary (CSV) or instrument ZIP, a LimeSurvey survey
structure (.lss), or a FHIR Questionnaire (JSON). The core reads it
(:func:`imheval.interop.read_structure`); the page then shows, before anything is kept, the
questions carried (domain, id, and how each is answered: its key, its scale, or open), what could
not be carried (branching logic, calculations, question types imheval does not score), and the
choice questions the file does not score, each with a select to give its right answer. Confirming
applies those keys (:func:`imheval.interop.apply_keys`) and saves the instrument as the
organisation's instrument file along the YAML upload's own path
(:meth:`InstrumentFile.from_upload`, the id checks of the upload form, and the audit log's
signals), then lands on the instrument's page, where the editor can change it. All or nothing:
any problem and nothing is kept; every problem is listed with its file and row, column, item or
field.

Between the preview and the confirmation **the uploaded file itself travels back signed** (a
hidden field: :mod:`django.core.signing`, bound to the organisation and the person, for
:data:`PREVIEW_SECONDS`): nothing is stored on the server in between, nothing can be changed in
the browser, and the confirmation reads the very same bytes again, so what is saved is what was
previewed. The file is compressed first and is at most :data:`MAX_IMPORT_BYTES`, which keeps the
page's form well under Django's limit on a request's fields (2.5 MB).

**Export**. Any member can download an instrument (built in or the organisation's own) in each
system's format (:data:`EXPORTS`), written by the core's writers, with its scoring: REDCap
calculated fields, LimeSurvey assessment values, FHIR ordinal values. The questions are written
in the words of the organisation's jurisdiction (as its participants read them in imheval); ids,
codes and keys do not change.
"""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from imheval.errors import (
    ImhevalError,
    InstrumentError,
    Problem,
    ProblemsError,
    UnknownInstrumentError,
)
from imheval.instruments import Instrument, KeyedItem, OpenItem, RatingItem, get_builtin
from imheval.instruments.bank import builtin_ids
from imheval.instruments.writer import instrument_to_yaml
from imheval.interop import (
    InstrumentImport,
    Omission,
    SourceFile,
    System,
    apply_keys,
    export_instrument,
    read_structure,
)
from imheval.interop.convert import Exported, export_instrument_zip
from imheval.interop.model import KeysNeededError, PendingImport
from imheval.interop.sniff import Role, sniff_system
from imheval.web.organisations.access import FORM, POST, READ, Access, organisation_views
from imheval.web.organisations.models import Organisation
from imheval.web.workspace.models import InstrumentFile
from imheval.web.workspace.views import PLAIN_KWARGS, SCOPED_OBJECTS

#: The workspace's access rules, with the export's file format as a plain address part.
organisation_page = organisation_views(SCOPED_OBJECTS, PLAIN_KWARGS | {"file_format"})

#: The largest structure file the page takes (the 474-field REDCap dictionary is 160 KB).
MAX_IMPORT_BYTES = 1024 * 1024
#: How long a preview may wait for its confirmation.
PREVIEW_SECONDS = 24 * 60 * 60
#: The most problems the page lists (then "and N more").
MAX_PROBLEMS_SHOWN = 200
#: How the problems of the right answers chosen on the preview name them.
KEYS_CHOSEN = "The right answers chosen"
_SALT = "imheval.workspace.instrument_import"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_ID_LIMIT = 64
_SOURCE_NAME_LIMIT = 200


# --------------------------------------------------------------------------- import: the file


@dataclass(frozen=True)
class Source:
    """A system that has a structure file imheval reads, as the import page offers it."""

    system: System
    label: str
    hint: str
    suffixes: tuple[str, ...]
    what: str  # the file, as the refusal of a wrong suffix names it


SOURCES = {
    source.system.value: source
    for source in (
        Source(
            System.REDCAP,
            "REDCap",
            "The data dictionary (CSV): Project Setup > Design your data collection instruments "
            "> Download the current Data Dictionary. Or one instrument as a ZIP: Designer > "
            "Choose action beside the instrument > Download instrument ZIP.",
            (".csv", ".zip"),
            "a REDCap data dictionary (.csv) or instrument ZIP (.zip)",
        ),
        Source(
            System.LIMESURVEY,
            "LimeSurvey",
            "The survey structure (.lss): open the survey, then Display/Export > Survey "
            "structure (.lss). A question group (.lsg) and the tab-separated structure (.txt) "
            "are read too.",
            (".lss", ".lsg", ".txt"),
            "a LimeSurvey survey structure file (.lss)",
        ),
        Source(
            System.FHIR,
            "FHIR Questionnaire",
            "A Questionnaire resource (FHIR R4 or R5), as JSON or FHIR XML, saved from your "
            "health record system's form designer or a form builder such as the NLM Form "
            "Builder.",
            (".json", ".xml"),
            "a FHIR Questionnaire (.json or .xml)",
        ),
    )
}


class InstrumentImportForm(forms.Form):
    """The system and its structure file (checked for size and kind; the core reads it)."""

    system = forms.ChoiceField(
        label="Which system is the file from?",
        choices=[(key, source.label) for key, source in SOURCES.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the system the file is from",
            "invalid_choice": "Choose REDCap, LimeSurvey or FHIR Questionnaire",
        },
    )
    file = forms.FileField(
        label="Structure file",
        help_text="At most 1 MB. Only the questions are read: no responses are needed.",
        error_messages={
            "required": "Choose the file to import",
            "empty": "The chosen file is empty",
            "invalid": "Choose the file to import",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].item_hints = {key: source.hint for key, source in SOURCES.items()}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; a structure file must be at "
                "most 1 MB. Choose the data dictionary or survey structure, not an export of "
                "responses."
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        source = SOURCES.get(str(cleaned.get("system", "")))
        upload = cleaned.get("file")
        if source is not None and upload is not None:
            suffix = PurePath(str(upload.name or "")).suffix.lower()
            if suffix not in source.suffixes:
                self.add_error(
                    "file",
                    f"For {source.label} choose {source.what}, not "
                    f"{f'a {suffix} file' if suffix else 'a file with no extension'}.",
                )
        return cleaned

    def source_file(self) -> tuple[System, SourceFile]:
        """The chosen system and the uploaded file (after :meth:`is_valid`)."""
        upload = self.cleaned_data["file"]
        name = _file_name(upload.name)
        return SOURCES[self.cleaned_data["system"]].system, SourceFile(name, upload.read())


def _file_name(name: str | None) -> str:
    """The upload's own name without any folder, shortened to what the database keeps."""
    base = PurePath(str(name or "").replace("\\", "/")).name or "upload"
    return base[:_SOURCE_NAME_LIMIT]


#: The command line's words in the readers' messages (the readers are shared with
#: ``imheval convert``), and this page's.
_PAGE_WORDS = (
    (
        re.compile(r"(?:give its key|give it) with --key [^\s=]+=(?:CODE|<code>)"),
        "choose its right answer below, under 'Questions with no right answer'",
    ),
    (
        re.compile(r"Give the answer key of at least one with --key FIELD=CODE, or add"),
        "Add",
    ),
    (re.compile(r"\s*\((?:--from [a-z]+|--structure)\)"), ""),
)


def page_words(text: str) -> str:
    """A reader's message with the command line's options put as this page puts them."""
    if "--" in text:
        for option, words in _PAGE_WORDS:
            text = option.sub(words, text)
    return text


def wrong_file(system: System, source: SourceFile) -> Problem | None:
    """A problem naming ``source`` when it plainly is not ``system``'s structure file (the
    core's sniff, :func:`imheval.interop.sniff.sniff_system`, worded for this page: the
    command line's own words name its options), else None and the reader judges it."""
    seen = sniff_system(source)
    if seen is None:
        return None
    chosen = SOURCES[system.value]
    if seen.system is not system:
        other = SOURCES.get(seen.system.value)
        advice = (
            f"choose {other.label} as the system, or choose the right file"
            if other is not None and seen.role is Role.STRUCTURE
            else f"choose {chosen.what}"
        )
        return Problem(
            file=source.name,
            message=f"this looks like {seen.description}, not {chosen.what}: {advice}",
        )
    if seen.role is Role.OTHER:
        return Problem(file=source.name, message=f"this is {seen.description}; {seen.advice}")
    if seen.role is Role.RESPONSES:
        return Problem(
            file=source.name,
            message=f"this is {seen.description}: the answers, not the questions. This page "
            f"reads the questions: choose {chosen.what}",
        )
    return None


#: What a structure file gives: an instrument, or (when nothing in it is scored yet) the
#: questions awaiting a key.
Structure = InstrumentImport | PendingImport


def read_import(system: System, source: SourceFile) -> Structure:
    """What ``source`` holds (read by the core for ``system``): its instrument, or, when
    nothing in it is scored, the questions to key (:class:`PendingImport`); InstrumentError
    listing every problem when it is from another system or the reader refuses it."""
    problem = wrong_file(system, source)
    if problem is not None:
        raise InstrumentError([problem])
    try:
        return read_structure(system, source)
    except KeysNeededError as needed:
        return needed.pending
    except ProblemsError as error:
        raise InstrumentError(list(error.problems)) from None


def sign_upload(access: Access, system: System, source: SourceFile) -> str:
    """The file, compressed and signed for this organisation and person (see the module)."""
    payload = {
        "organisation": access.organisation.pk,
        "user": access.membership.user_id,
        "system": system.value,
        "name": source.name,
        "data": base64.b64encode(zlib.compress(source.data, 9)).decode("ascii"),
    }
    return signing.dumps(payload, salt=_SALT)


def unsign_upload(access: Access, text: str) -> tuple[System, SourceFile] | None:
    """The system and file of a signed preview of this organisation and person; None when it
    is not one, is older than :data:`PREVIEW_SECONDS`, or names anyone else."""
    try:
        payload = signing.loads(text, salt=_SALT, max_age=PREVIEW_SECONDS)
        if (
            payload.get("organisation") != access.organisation.pk
            or payload.get("user") != access.membership.user_id
        ):
            return None
        data = zlib.decompress(base64.b64decode(payload["data"]))
        return System(payload["system"]), SourceFile(str(payload["name"]), data)
    except (signing.BadSignature, AttributeError, KeyError, TypeError, ValueError, zlib.error):
        return None


# --------------------------------------------------------------------------- import: the preview


@dataclass(frozen=True)
class QuestionRow:
    """One question carried, as the preview lists it."""

    domain: str
    id: str
    text: str
    source: str
    answered: str


def answered_as(question: KeyedItem | RatingItem | OpenItem, instrument: Instrument) -> str:
    """How a question is answered and scored, in words: "Right answer: b (Often)", "Rating
    on the scale agree5 (1 Strongly disagree to 5 Strongly agree), reverse scored", "Open
    answer (free text, not scored)"."""
    if isinstance(question, OpenItem):
        return "Open answer (free text, not scored)"
    if isinstance(question, KeyedItem):
        answers = ", ".join(f"{code} ({question.options[code]})" for code in question.key)
        text = f"Right answer{'s' if len(question.key) > 1 else ''}: {answers}"
        if question.points != 1:
            text += f"; scores {question.points:g} points"
        return f"{text}; {len(question.options)} options"
    scale = instrument.scales[question.scale]

    def end(value: int) -> str:
        label = scale.labels.get(value)
        return f"{value} {label}" if label else str(value)

    text = f"Rating on the scale {question.scale} ({end(scale.min)} to {end(scale.max)})"
    return text + (", reverse scored" if question.reverse else "")


def question_rows(structure: Structure) -> list[QuestionRow]:
    """Every question the import carries, in the instrument's order (none when nothing in
    the file is scored yet)."""
    if isinstance(structure, PendingImport):
        return []
    instrument = structure.instrument
    labels = {domain.id: domain.label for domain in instrument.domains}
    sources = {answer.item: answer.source for answer in structure.answers}
    return [
        QuestionRow(
            domain=labels.get(question.domain or "", question.domain or "(no domain)"),
            id=question.id,
            text=question.text,
            source=sources.get(question.id, question.id),
            answered=answered_as(question, instrument),
        )
        for question in instrument.questions
    ]


def _key_field_name(item: str) -> str:
    return f"key-{item}"


class ImportConfirmForm(forms.Form):
    """The confirmation: the signed file, the instrument's id, and a right answer (or none)
    for each choice question the file does not score."""

    payload = forms.CharField(widget=forms.HiddenInput)
    instrument_id = forms.CharField(
        label="Instrument id",
        max_length=200,
        help_text="How questionnaires and files name it: letters, digits, '-', '_' and '.', "
        "starting with a letter, at most 64 characters. It cannot be changed later.",
        error_messages={"required": "Give the instrument an id"},
    )

    def __init__(
        self,
        *args: Any,
        structure: Structure,
        organisation: Organisation,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.structure = structure
        for question in structure.unkeyed:
            field = forms.ChoiceField(
                label=f"Right answer to {question.item}",
                required=False,
                choices=[("", "No right answer: leave the question out")]
                + [(code, f"{code}: {label}") for code, label in question.options.items()],
                error_messages={
                    "invalid_choice": f"Choose one of the answers to {question.item}, or leave "
                    "the question out"
                },
            )
            field.question = question
            self.fields[_key_field_name(question.item)] = field

    def key_fields(self) -> list[forms.BoundField]:
        return [self[_key_field_name(question.item)] for question in self.structure.unkeyed]

    def clean_instrument_id(self) -> str:
        wanted = str(self.cleaned_data["instrument_id"]).strip()
        if len(wanted) > _ID_LIMIT or not _ID.fullmatch(wanted):
            raise forms.ValidationError(
                "The id must start with a letter and hold only letters, digits, '-', '_' and "
                "'.', at most 64 characters"
            )
        if wanted in builtin_ids():
            raise forms.ValidationError(
                f"The id '{wanted}' belongs to a built-in instrument; give yours its own id"
            )
        if InstrumentFile.objects.in_organisation(self.organisation).filter(instrument_id=wanted):
            raise forms.ValidationError(
                f"{self.organisation.name} already has an instrument '{wanted}'; give this one "
                "its own id"
            )
        return wanted

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unkeyed = self.structure.unkeyed
        if (
            isinstance(self.structure, PendingImport)
            and unkeyed
            and not any(cleaned.get(_key_field_name(q.item)) for q in unkeyed)
        ):
            self.add_error(
                _key_field_name(unkeyed[0].item),
                "Nothing in the file is scored yet: choose the right answer to at least one "
                "question",
            )
        return cleaned

    def keys(self) -> dict[str, list[str]]:
        """Item id → the chosen right answer, for each question given one (after is_valid)."""
        return {
            question.item: [self.cleaned_data[_key_field_name(question.item)]]
            for question in self.structure.unkeyed
            if self.cleaned_data.get(_key_field_name(question.item))
        }


def free_id(organisation: Organisation, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``-3``... whichever is neither built in nor the
    organisation's already."""
    files = InstrumentFile.objects.in_organisation(organisation)
    taken = set(builtin_ids()) | set(files.values_list("instrument_id", flat=True))
    candidate, number = wanted[:_ID_LIMIT], 2
    while candidate in taken:
        candidate = f"{wanted[: _ID_LIMIT - len(str(number)) - 1]}-{number}"
        number += 1
    return candidate


def with_keys(structure: Structure, keys: Mapping[str, Sequence[str]]) -> InstrumentImport:
    """``structure`` with the chosen keys applied (as it is when none is chosen; a file
    nothing in which is scored needs one: KeysNeededError, an InstrumentError, otherwise)."""
    if isinstance(structure, InstrumentImport) and not keys:
        return structure
    return apply_keys(structure, keys, given_as=KEYS_CHOSEN)


def save_import(
    organisation: Organisation, source: SourceFile, system: System, instrument: Instrument
) -> InstrumentFile:
    """The instrument saved as the organisation's file, along the YAML upload's path: written
    as YAML, read back and checked by :meth:`InstrumentFile.from_upload` (InstrumentError if
    anything is wrong), saved in one transaction (the audit log records it). IntegrityError if
    the id was taken in the meantime."""
    name = f"{source.name} (from {SOURCES[system.value].label})"
    instrument_file = InstrumentFile.from_upload(organisation, name, instrument_to_yaml(instrument))
    with transaction.atomic():
        instrument_file.save()
    return instrument_file


# --------------------------------------------------------------------------- import: pages


def _instruments_url(access: Access) -> str:
    return reverse("workspace:instruments", kwargs={"org": access.organisation.slug})


def _crumbs(access: Access) -> list[tuple[str, str]]:
    return [("Instruments", _instruments_url(access))]


@dataclass(frozen=True)
class ProblemRow:
    """One problem as the table lists it: the file, where in it, and what is wrong."""

    file: str
    where: str
    message: str


def problem_rows(problems: Iterable[Problem]) -> list[ProblemRow]:
    """The problems as rows naming the file and the row, column, item or field."""
    rows = []
    for problem in problems:
        where = []
        if problem.row is not None:
            where.append(f"row {problem.row}")
        if problem.column is not None:
            where.append(f"column '{problem.column}'")
        if problem.item is not None:
            where.append(f"item '{problem.item}'")
        if problem.field is not None:
            where.append(f"field '{problem.field}'")
        message = page_words(problem.message)
        message = message[:1].upper() + message[1:]
        rows.append(ProblemRow(problem.file, ", ".join(where) or "the whole file", message))
    return rows


def _problems_context(problems: Sequence[Problem]) -> dict[str, Any]:
    return {
        "problems": problem_rows(problems[:MAX_PROBLEMS_SHOWN]),
        "hidden_problems": max(0, len(problems) - MAX_PROBLEMS_SHOWN),
    }


@organisation_page("edit_instruments", FORM)
def instrument_import(request: HttpRequest, access: Access) -> HttpResponse:
    """Upload a structure file: every problem (nothing kept), or the preview to confirm."""
    if request.method != "POST":
        return _upload_page(request, access, InstrumentImportForm())
    form = InstrumentImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, access, form, status=400)
    system, source = form.source_file()
    try:
        structure = read_import(system, source)
    except InstrumentError as error:
        return _upload_page(request, access, form, error.problems, source.name)
    confirm = ImportConfirmForm(
        structure=structure,
        organisation=access.organisation,
        initial={
            "payload": sign_upload(access, system, source),
            "instrument_id": free_id(access.organisation, _wanted_id(structure)),
        },
    )
    return _preview(request, access, system, source, structure, confirm)


def _wanted_id(structure: Structure) -> str:
    if isinstance(structure, PendingImport):
        return str(structure.fields.get("id", "imported"))
    return structure.instrument.id


def _upload_page(
    request: HttpRequest,
    access: Access,
    form: InstrumentImportForm,
    problems: Sequence[Problem] = (),
    file_name: str = "",
    *,
    status: int | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "file_name": file_name,
        "crumbs": _crumbs(access),
        "cancel": _instruments_url(access),
        **_problems_context(problems),
    }
    return render(
        request,
        "workspace/instrument_import.html",
        context,
        status=status or (400 if problems else 200),
    )


def summary(structure: Structure) -> dict[str, Any]:
    """The title, version and domain labels an import would have, and how many questions of
    each kind it carries."""
    if isinstance(structure, PendingImport):
        fields = structure.fields
        return {
            "title": fields.get("title", ""),
            "version": fields.get("version", ""),
            "domains": [str(domain.get("label", "")) for domain in fields.get("domains", [])],
            "keyed": 0,
            "rating": 0,
            "open": 0,
        }
    instrument = structure.instrument
    return {
        "title": instrument.title,
        "version": instrument.version,
        "domains": [domain.label for domain in instrument.domains],
        "keyed": sum(isinstance(q, KeyedItem) for q in instrument.questions),
        "rating": sum(isinstance(q, RatingItem) for q in instrument.questions),
        "open": len(instrument.open_items),
    }


def _preview(
    request: HttpRequest,
    access: Access,
    system: System,
    source: SourceFile,
    structure: Structure,
    confirm: ImportConfirmForm,
    problems: Sequence[Problem] = (),
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "system": SOURCES[system.value],
        "file_name": source.name,
        "structure": structure,
        "pending": isinstance(structure, PendingImport),
        "summary": summary(structure),
        "questions": question_rows(structure),
        "omissions": [
            Omission(omission.where, page_words(omission.message))
            for omission in structure.omissions
        ],
        "unkeyed": [
            {
                "question": field.field.question,
                "field": field,
                "domain": field.field.question.domain_label or field.field.question.domain,
            }
            for field in confirm.key_fields()
        ],
        "confirm": confirm,
        "crumbs": _crumbs(access),
        "cancel": _instruments_url(access),
        **_problems_context(problems),
    }
    return render(request, "workspace/instrument_import_preview.html", context, status=status)


@organisation_page("edit_instruments", POST)
def instrument_import_confirm(request: HttpRequest, access: Access) -> HttpResponse:
    """Save a previewed import with the keys chosen, or show the preview again with every
    problem (nothing kept)."""
    upload = unsign_upload(access, str(request.POST.get("payload", "")))
    if upload is None:
        messages.error(
            request, "The check of that file has expired or was changed: upload it again."
        )
        return redirect(reverse("workspace:instrument_import", args=[access.organisation.slug]))
    system, source = upload
    try:
        structure = read_import(system, source)
    except InstrumentError as error:  # a reader changed since the preview: say so, keep nothing
        form = InstrumentImportForm(initial={"system": system.value})
        return _upload_page(request, access, form, error.problems, source.name)
    confirm = ImportConfirmForm(request.POST, structure=structure, organisation=access.organisation)
    if not confirm.is_valid():
        return _preview(request, access, system, source, structure, confirm, status=400)
    try:
        keyed = with_keys(structure, confirm.keys())
        instrument = keyed.instrument.model_copy(
            update={"id": confirm.cleaned_data["instrument_id"]}
        )
        saved = save_import(access.organisation, source, system, instrument)
    except InstrumentError as error:
        return _preview(
            request, access, system, source, structure, confirm, error.problems, status=400
        )
    except IntegrityError:
        confirm.add_error("instrument_id", "That id has just been used; choose another")
        return _preview(request, access, system, source, structure, confirm, status=400)
    left_out = len(keyed.unkeyed)
    text = f"Instrument {saved.instrument_id} imported from {source.name}: "
    text += f"{len(instrument.questions)} question{'s' if len(instrument.questions) != 1 else ''}"
    if left_out:
        text += f"; {left_out} question{'s' if left_out != 1 else ''} with no right answer left out"
    messages.success(request, text + ".")
    return redirect(
        reverse(
            "workspace:instrument_file",
            kwargs={"org": access.organisation.slug, "instrument_file": saved.pk},
        )
    )


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class Export:
    """A file an instrument is downloaded as, for another system."""

    label: str
    system: System
    zipped: bool = False

    def written(self, instrument: Instrument) -> Exported:
        """The core writer's file of ``instrument`` (its name, media type and bytes)."""
        if self.zipped:
            return export_instrument_zip(instrument)
        return export_instrument(instrument, self.system)


#: The downloads, by the address part that names them, in the order the page lists them.
EXPORTS = {
    "redcap-dictionary": Export("REDCap data dictionary (CSV)", System.REDCAP),
    "redcap-instrument": Export("REDCap instrument (ZIP)", System.REDCAP, zipped=True),
    "limesurvey": Export("LimeSurvey survey (.lss)", System.LIMESURVEY),
    "fhir": Export("FHIR Questionnaire (JSON)", System.FHIR),
}


def safe_file_name(name: str) -> str:
    """``name`` with anything but letters, digits, '.', '_' and '-' made '-'."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)


def _download(
    request: HttpRequest, access: Access, instrument: Instrument, file_format: str
) -> HttpResponse:
    export = EXPORTS.get(file_format)
    if export is None:
        raise Http404("No such download")
    if instrument.wording:
        instrument = instrument.in_jurisdiction(access.organisation.jurisdiction)
    try:
        written = export.written(instrument)
    except ImhevalError as error:
        return _failed(request, access, instrument.title, export, error)
    text = not written.media_type.startswith("application/zip")
    response = HttpResponse(
        written.data, content_type=written.media_type + ("; charset=utf-8" if text else "")
    )
    # The core names the file after the instrument's id; the version is added after it, as
    # the YAML download of a built-in instrument names it.
    rest = written.filename.removeprefix(instrument.id)
    name = safe_file_name(f"{instrument.id}-{instrument.version}{rest}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _failed(
    request: HttpRequest, access: Access, title: str, export: Export | None, error: ImhevalError
) -> HttpResponse:
    """The page saying why an instrument cannot be written (nothing is downloaded)."""
    problems = error.problems if isinstance(error, ProblemsError) else ()
    context = {
        "title": title,
        "export": export,
        "message": "" if problems else str(error),
        "crumbs": _crumbs(access),
        **_problems_context(problems),
    }
    return render(request, "workspace/instrument_export_failed.html", context, status=409)


@organisation_page("view", READ)
def instrument_builtin_export(
    request: HttpRequest, access: Access, instrument_id: str, file_format: str
) -> HttpResponse:
    """A built-in instrument (its current version) as another system's file."""
    try:
        instrument = get_builtin(instrument_id)
    except UnknownInstrumentError:
        raise Http404("No such instrument") from None
    return _download(request, access, instrument, file_format)


@organisation_page("view", READ)
def instrument_file_export(
    request: HttpRequest, access: Access, instrument_file: InstrumentFile, file_format: str
) -> HttpResponse:
    """One of the organisation's instruments as another system's file."""
    try:
        instrument = instrument_file.instrument()
    except InstrumentError as error:
        return _failed(request, access, instrument_file.title, None, error)
    return _download(request, access, instrument, file_format)
