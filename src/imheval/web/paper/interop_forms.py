"""The form of the import from another system: the system, the files, and what the person
tells about them (timepoints, the code field, incomplete responses).

Files are uploaded in slots: one for files holding every timepoint (a REDCap longitudinal
export, a file with a timepoint question) and one per timepoint of the cohort (a pre-test file,
a post-test file). Several files may go in each slot. Every message names the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from imheval.interop.common import fold, timepoint_word
from imheval.interop.model import ResponseOptions, SourceFile, System
from imheval.web.paper.forms import MAX_IMPORT_BYTES, PaperPageForm
from imheval.web.paper.importing import upload_name
from imheval.web.workspace.models import Timepoint

#: The most files one import takes (a pre and a post file per site is a few; FHIR Bundles more).
MAX_FILES = 20
#: The most lines of events or answers the timepoints box takes.
MAX_EVENT_LINES = 200

#: The file types each system's response exports come as.
EXPORT_SUFFIXES: dict[System, tuple[str, ...]] = {
    System.REDCAP: (".csv",),
    System.MSFORMS: (".xlsx", ".csv"),
    System.LIMESURVEY: (".csv",),
    System.FHIR: (".json",),
}
#: The file types of each system's structure file (Microsoft Forms has none).
STRUCTURE_SUFFIXES: dict[System, tuple[str, ...]] = {
    System.REDCAP: (".csv", ".zip"),
    System.LIMESURVEY: (".lss",),
    System.FHIR: (".json",),
}
#: What each system's export is called, for messages.
EXPORT_WORDS = {
    System.REDCAP: "a REDCap record export",
    System.MSFORMS: "a Microsoft Forms download",
    System.LIMESURVEY: "a LimeSurvey response export",
    System.FHIR: "a FHIR QuestionnaireResponse or Bundle",
}
STRUCTURE_WORDS = {
    System.REDCAP: "a REDCap data dictionary (.csv) or instrument ZIP (.zip)",
    System.LIMESURVEY: "a LimeSurvey survey structure file (.lss)",
    System.FHIR: "a FHIR Questionnaire (.json)",
}
#: The radio buttons' hints: what to upload from each system.
SYSTEM_HINTS = {
    System.REDCAP: "Record exports in CSV (raw data or labels); optionally the data dictionary.",
    System.MSFORMS: "The Excel download of the form's responses (one per timepoint, or one with "
    "a timepoint question).",
    System.LIMESURVEY: "Response exports in CSV with question codes as headings; optionally the "
    "survey structure (.lss).",
    System.FHIR: "QuestionnaireResponse resources or Bundles of them (JSON); optionally the "
    "Questionnaire.",
}

#: The upload slot of files holding every timepoint, and the slot of each timepoint.
EVERY_TIMEPOINT = "files"
SLOTS = {"pre": "files_pre", "post": "files_post", "followup": "files_followup"}
_SLOT_LABELS = {
    EVERY_TIMEPOINT: "Files with every timepoint in them",
    "files_pre": "Pre-test files",
    "files_post": "Post-test files",
    "files_followup": "Follow-up files",
}
_SLOT_HINTS = {
    EVERY_TIMEPOINT: "For example a REDCap export with events, or a download with a question "
    "that asks the timepoint. Say below how their timepoints are told.",
    "files_pre": "Every response in these files is a pre-test response.",
    "files_post": "Every response in these files is a post-test response.",
    "files_followup": "Every response in these files is a follow-up response.",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (none if not required); cleans to a list of uploads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(upload, initial) for upload in data if upload]
        return [single(data, initial)] if data else []


def timepoint_of(text: str) -> str | None:
    """The timepoint a person wrote: pre, post, followup and what :func:`timepoint_word` reads,
    also "pre-test", "post-test", "follow-up"; else None."""
    word = fold(text)
    for ending in ("-test", " test", "test"):
        if word.endswith(ending) and word != ending:
            word = word[: -len(ending)].strip()
            break
    return timepoint_word(word)


def parse_events(text: str, timepoints: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """The lines ``name = timepoint`` of the timepoints box, and one message per wrong line.
    ``timepoints`` are the cohort's: a line naming another timepoint is wrong."""
    events: dict[str, str] = {}
    errors: list[str] = []
    labels = dict(Timepoint.choices)
    lines = text.splitlines()
    if len([line for line in lines if line.strip()]) > MAX_EVENT_LINES:
        return {}, [f"Give at most {MAX_EVENT_LINES} events or answers, one a line"]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        name, equals, value = line.partition("=")
        if not equals or not name.strip() or not value.strip():
            errors.append(
                f"Line {number} ('{line.strip()[:60]}'): write an event or answer, then = and "
                "its timepoint, for example pre_arm_1 = pre"
            )
            continue
        timepoint = timepoint_of(value)
        if timepoint is None:
            errors.append(
                f"Line {number}: '{value.strip()[:40]}' is not a timepoint: write pre, post or "
                "followup"
            )
        elif timepoint not in timepoints:
            errors.append(
                f"Line {number}: this cohort has no {labels[timepoint].lower()} questionnaire; "
                "set it up first, or leave these responses out by removing the line"
            )
        elif fold(name) in {fold(known) for known in events}:
            errors.append(f"Line {number}: '{name.strip()[:60]}' is given twice")
        else:
            events[name.strip()] = timepoint
    return events, errors


class InteropImportForm(PaperPageForm):
    """Which system, which files, and how their timepoints and codes are told."""

    system = forms.ChoiceField(
        label="Which system are the files from?",
        choices=[(system.value, system.label) for system in System],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the system the files come from"},
    )
    files = MultipleFileField(required=False, label=_SLOT_LABELS[EVERY_TIMEPOINT])
    files_pre = MultipleFileField(required=False, label=_SLOT_LABELS["files_pre"])
    files_post = MultipleFileField(required=False, label=_SLOT_LABELS["files_post"])
    files_followup = MultipleFileField(required=False, label=_SLOT_LABELS["files_followup"])
    structure = forms.FileField(
        required=False,
        label="Structure file (optional)",
        help_text="A REDCap data dictionary or instrument ZIP, a LimeSurvey .lss file or a FHIR "
        "Questionnaire. Leave it out when the data was collected with this cohort's "
        "questionnaire as imheval exports it: the cohort's own questions are used. Microsoft "
        "Forms has none.",
    )
    events = forms.CharField(
        required=False,
        label="Events or answers and their timepoints (optional)",
        help_text="One a line, for example pre_arm_1 = pre. For a REDCap export with events, "
        "each unique event name; for a timepoint question, each of its answers (Before, After "
        "and the like are read without this).",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
    )
    timepoint_field = forms.CharField(
        required=False,
        max_length=200,
        label="Question that asks the timepoint (optional)",
        help_text="Its name in the export: a field name, question code, linkId or question title.",
    )
    code_field = forms.CharField(
        required=False,
        max_length=200,
        label="Field that holds the self-generated code (optional)",
        help_text="Only if imheval cannot tell: by default, the one text field whose name "
        "contains 'code'.",
    )
    cohort_field = forms.CharField(
        required=False,
        max_length=200,
        label="Field that holds the cohort (optional)",
        help_text="By default a field named 'cohort'. Every response must name this cohort; "
        "without such a field, every response is imported into it.",
    )
    keep_incomplete = forms.BooleanField(
        required=False,
        label="Import incomplete responses too",
        help_text="By default, responses the system marks incomplete (not submitted) are left "
        "out and listed.",
    )

    def __init__(self, timepoints: Sequence[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timepoints = [t for t in SLOTS if t in timepoints]
        for timepoint, slot in SLOTS.items():
            if timepoint not in self.timepoints:
                del self.fields[slot]
        for slot, hint in _SLOT_HINTS.items():
            if slot in self.fields:
                self.fields[slot].help_text = hint

    def anchor(self, name: str) -> str:
        """The error summary's link: the first radio button of the system question."""
        return "id_system_0" if name == "system" else super().anchor(name)

    def error_list(self) -> list[tuple[str, str]]:
        """As every paper form's, but the only error of the whole form, that the files have
        problems, links to the table of those problems."""
        return [(anchor or "problems", message) for anchor, message in super().error_list()]

    def slots(self) -> list[Any]:
        """The upload slots' bound fields, in the page's order."""
        return [self[name] for name in (EVERY_TIMEPOINT, *SLOTS.values()) if name in self.fields]

    def system_choices(self) -> list[tuple[str, str, str]]:
        """(value, label, hint) of each system, for the radio buttons."""
        return [(system.value, system.label, SYSTEM_HINTS[system]) for system in System]

    def clean_events(self) -> dict[str, str]:
        events, errors = parse_events(self.cleaned_data.get("events") or "", self.timepoints)
        if errors:
            raise forms.ValidationError(errors)
        return events

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        system_value = cleaned.get("system")
        if not system_value:
            return cleaned
        system = System(system_value)
        uploads = [
            (slot, upload) for slot in self._slot_names() for upload in cleaned.get(slot, [])
        ]
        if not uploads and not self._slot_errors():
            self.add_error(EVERY_TIMEPOINT, f"Choose {EXPORT_WORDS[system]} to upload")
            return cleaned
        if len(uploads) > MAX_FILES:
            self.add_error(EVERY_TIMEPOINT, f"Upload at most {MAX_FILES} files at a time")
            return cleaned
        names: dict[str, str] = {}
        total = 0
        for slot, upload in uploads:
            name = upload_name(upload)
            suffix = Path(name).suffix.lower()
            if suffix not in EXPORT_SUFFIXES[system]:
                allowed = " or ".join(EXPORT_SUFFIXES[system])
                self.add_error(
                    slot,
                    f"{name}: {EXPORT_WORDS[system]} is a {allowed} file, not "
                    f"'{suffix or 'a file with no extension'}'. Check the system chosen, or "
                    "export the file again",
                )
            elif upload.size == 0:
                self.add_error(slot, f"{name}: the file is empty")
            elif name.casefold() in names:
                self.add_error(
                    slot,
                    f"Two files are called {name}: rename one (for example {Path(name).stem}-"
                    f"post{suffix}) and upload them again",
                )
            names[name.casefold()] = slot
            total += upload.size or 0
        structure = cleaned.get("structure")
        if structure is not None:
            name = upload_name(structure)
            suffix = Path(name).suffix.lower()
            total += structure.size or 0
            if system is System.MSFORMS:
                self.add_error(
                    "structure",
                    "Microsoft Forms has no structure file: leave it out (the cohort's own "
                    "questions are matched to the download's question titles)",
                )
            elif suffix not in STRUCTURE_SUFFIXES[system]:
                self.add_error(
                    "structure",
                    f"{name}: the structure file of {system.label} is "
                    f"{STRUCTURE_WORDS[system]}, not '{suffix or 'a file with no extension'}'",
                )
            elif structure.size == 0:
                self.add_error("structure", f"{name}: the file is empty")
        if total > MAX_IMPORT_BYTES:
            self.add_error(
                EVERY_TIMEPOINT,
                f"The files come to {total / 1e6:,.1f} MB; import at most "
                f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB at a time (for example the pre-test "
                "files first, then the post-test files)",
            )
        return cleaned

    def _slot_names(self) -> list[str]:
        return [name for name in (EVERY_TIMEPOINT, *SLOTS.values()) if name in self.fields]

    def _slot_errors(self) -> bool:
        return any(name in self.errors for name in self._slot_names())

    # -------------------------------------------------------- what the core is given

    @property
    def chosen_system(self) -> System:
        return System(self.cleaned_data["system"])

    def sources(self) -> list[SourceFile]:
        """The uploaded exports, each under the name messages use, in slot order."""
        return [
            SourceFile(name=upload_name(upload), data=b"".join(upload.chunks()))
            for slot in self._slot_names()
            for upload in self.cleaned_data.get(slot, [])
        ]

    def structure_source(self) -> SourceFile | None:
        upload = self.cleaned_data.get("structure")
        if upload is None:
            return None
        return SourceFile(name=upload_name(upload), data=b"".join(upload.chunks()))

    def file_timepoints(self) -> dict[str, str]:
        """File name → timepoint, for the files uploaded in a timepoint's slot."""
        return {
            upload_name(upload): str(timepoint)
            for timepoint, slot in SLOTS.items()
            if slot in self.fields
            for upload in self.cleaned_data.get(slot, [])
        }

    def options(self, cohort_name: str) -> ResponseOptions:
        """The :class:`ResponseOptions` of what the person told (the cohort's name for rows
        whose source names no cohort)."""
        data: Mapping[str, Any] = self.cleaned_data
        return ResponseOptions(
            timepoints=self.file_timepoints(),
            events=dict(data.get("events") or {}),
            code_field=(data.get("code_field") or "").strip() or None,
            cohort_field=(data.get("cohort_field") or "").strip() or None,
            timepoint_field=(data.get("timepoint_field") or "").strip() or None,
            cohort=cohort_name,
            keep_incomplete=bool(data.get("keep_incomplete")),
        )
