"""The paper pages' forms: keying a form, resolving differences, printing, uploading a file.

Each form lists its errors with the id of the box they belong to (``error_list``), so the
templates draw the NHS.UK error summary and inline messages from one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms

from imheval.web.capture.codes import CODE_EXAMPLE, DIRECTORATES, PROFESSIONS
from imheval.web.paper import entry
from imheval.web.paper.answers import (
    AnswerRule,
    parse_code,
    parse_directorate,
    parse_profession,
)
from imheval.web.paper.models import Keying, PaperForm
from imheval.web.workspace.models import Collection

_FORM_NUMBER = re.compile(r"(?:(\d+)\s*[-/ ]\s*)?(\d+)")

#: File types the reader takes, and the biggest upload accepted.
IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
MAX_IMPORT_BYTES = 10 * 1024 * 1024


class PaperPageForm(forms.Form):
    """Errors as (anchor id, message) pairs for the error summary, in field order."""

    def anchor(self, name: str) -> str:
        return f"id_{name}"

    def error_list(self) -> list[tuple[str, str]]:
        found = [("", str(message)) for message in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, []):
                found.append((self.anchor(name), str(message)))
        return found


@dataclass(frozen=True)
class Box:
    """One compact text box of the keying form, as the template draws it."""

    name: str
    id: str
    label: str
    hint: str
    value: str
    error: str
    width: int
    autofocus: bool = False
    numeric: bool = False
    #: An open question's answer: a text area, across the page.
    multiline: bool = False


def item_field(rule: AnswerRule) -> str:
    return f"q_{rule.item_id}"


class KeyingForm(PaperPageForm):
    """One paper form typed in: its number, code, profession, directorate and every answer.

    Every answer may be blank (missing). A typed answer must be one of the item's answers
    (see :meth:`AnswerRule.parse`); the message names the question and what is allowed.
    """

    form_number = forms.CharField(
        max_length=20,
        label="Form number",
        help_text="Top right of each page",
        error_messages={"required": "Enter the form number printed at the top right of the form"},
    )
    code = forms.CharField(
        max_length=40,
        required=False,
        label="Anonymous code",
        help_text=f"For example {CODE_EXAMPLE}",
    )
    profession = forms.CharField(
        max_length=100, required=False, label="Profession", help_text=f"1 to {len(PROFESSIONS)}"
    )
    directorate = forms.CharField(
        max_length=100, required=False, label="Directorate", help_text=f"1 to {len(DIRECTORATES)}"
    )

    def __init__(
        self,
        collection: Collection,
        rules: list[AnswerRule],
        *args: Any,
        paper_form: PaperForm | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.collection = collection
        self.rules = rules
        self.paper_form = paper_form
        for rule in rules:
            self.fields[item_field(rule)] = forms.CharField(
                # an open answer's length is checked by its rule (line breaks counted once)
                max_length=100 if rule.max_length is None else 2 * rule.max_length,
                required=False,
                strip=rule.max_length is None,
                label=f"Question {rule.number}",
                help_text=rule.hint,
            )

    @classmethod
    def initial_for(cls, paper_form: PaperForm, keying: Keying) -> dict[str, str]:
        """The boxes filled with a saved keying, for a change."""
        initial = {
            "form_number": str(paper_form.form_number),
            "code": keying.code,
            "profession": str(PROFESSIONS.index(keying.profession) + 1)
            if keying.profession in PROFESSIONS
            else keying.profession,
            "directorate": str(DIRECTORATES.index(keying.directorate) + 1)
            if keying.directorate in DIRECTORATES
            else keying.directorate,
        }
        for item_id, value in keying.answers.items():
            initial[f"q_{item_id}"] = value
        return initial

    def clean_form_number(self) -> int:
        typed = self.cleaned_data["form_number"].strip()
        match = _FORM_NUMBER.fullmatch(typed)
        if match is None:
            raise forms.ValidationError(
                f"Enter the form number as printed, for example {self.collection.pk}-007, or just 7"
            )
        prefix, number = match.group(1), int(match.group(2))
        if prefix is not None and int(prefix) != self.collection.pk:
            raise forms.ValidationError(
                f"Form {typed} belongs to another questionnaire: forms for this one are numbered "
                f"{self.collection.pk}-001, {self.collection.pk}-002 and so on"
            )
        if not 1 <= number <= entry.MAX_FORM_NUMBER:
            raise forms.ValidationError(f"Enter a form number from 1 to {entry.MAX_FORM_NUMBER}")
        return number

    def clean_code(self) -> str:
        try:
            return parse_code(self.cleaned_data["code"])
        except ValueError as problem:
            raise forms.ValidationError(str(problem)) from None

    def clean_profession(self) -> str:
        try:
            return parse_profession(self.cleaned_data["profession"])
        except ValueError as problem:
            raise forms.ValidationError(f"Profession: {problem}") from None

    def clean_directorate(self) -> str:
        try:
            return parse_directorate(self.cleaned_data["directorate"])
        except ValueError as problem:
            raise forms.ValidationError(f"Directorate: {problem}") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for rule in self.rules:
            name = item_field(rule)
            try:
                cleaned[name] = rule.parse(cleaned.get(name) or "")
            except ValueError as problem:
                self.add_error(name, f"{rule.name}: {problem}")
        return cleaned

    def keying(self) -> Keying:
        data = self.cleaned_data
        answers = {
            rule.item_id: data[item_field(rule)] for rule in self.rules if data[item_field(rule)]
        }
        return Keying(data["code"], data["profession"], data["directorate"], answers)

    def save(self, user: Any) -> entry.Saved | None:
        """Save the keying (new, or a change); None with the errors added if it breaks a rule."""
        try:
            if self.paper_form is None:
                return entry.key_form(
                    self.collection,
                    self.cleaned_data["form_number"],
                    self.keying(),
                    user,
                    self.rules,
                )
            return entry.change_form(
                self.paper_form, self.cleaned_data["form_number"], self.keying()
            )
        except entry.KeyingRejectedError as rejected:
            self.add_error(
                rejected.field if rejected.field in self.fields else None, rejected.message
            )
            return None

    # -- drawing

    def _box(self, name: str, width: int, *, numeric: bool = False, multiline: bool = False) -> Box:
        field = self.fields[name]
        value = self[name].value()
        messages = self.errors.get(name)
        return Box(
            name=name,
            id=self.anchor(name),
            label=str(field.label),
            hint=str(field.help_text),
            value="" if value is None else str(value),
            error=str(messages[0]) if messages else "",
            width=width,
            numeric=numeric,
            multiline=multiline,
        )

    def about_boxes(self) -> list[Box]:
        boxes = [
            self._box("form_number", 5),
            self._box("code", 5),
            self._box("profession", 3),
            self._box("directorate", 3),
        ]
        if not self.errors:
            # The first box takes the focus on a fresh form; after an error the summary does.
            boxes[0] = Box(**{**boxes[0].__dict__, "autofocus": True})
        return boxes

    def item_boxes(self) -> list[tuple[str, list[Box]]]:
        """The answer boxes grouped by domain (one group per page of the questionnaire)."""
        groups: list[tuple[str, list[Box]]] = []
        for rule in self.rules:
            box = self._box(
                item_field(rule),
                rule.width,
                numeric=rule.scale is not None,
                multiline=rule.is_open,
            )
            if not groups or groups[-1][0] != rule.domain:
                groups.append((rule.domain, []))
            groups[-1][1].append(box)
        return groups


class ResolveForm(PaperPageForm):
    """For each field two keyings disagree on, which value the paper form really shows."""

    def __init__(
        self, paper_form: PaperForm, found: list[entry.Difference], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.paper_form = paper_form
        self.found = found
        for difference in found:
            choices = [("first", "First keying"), ("second", "Second keying")]
            if self.can_leave_blank(difference):
                choices.append(("neither", "Neither: leave blank"))
            self.fields[f"pick_{difference.field}"] = forms.ChoiceField(
                choices=choices,
                widget=forms.RadioSelect,
                label=difference.label,
                error_messages={
                    "required": f"{difference.label}: choose the keying that matches what is "
                    f"written on form {paper_form.label}"
                },
            )

    @staticmethod
    def can_leave_blank(difference: entry.Difference) -> bool:
        """Whether "neither" is offered: when the paper shows neither keying's value (an answer
        crossed out, two ticks), the field is left blank. Not for the code, which every
        response needs, nor when one keying is already blank (that keying is the blank)."""
        return difference.field != "code" and bool(difference.first and difference.second)

    def groups(self) -> list[dict[str, Any]]:
        """Each difference with its two values (and "neither" where offered), as radio groups
        for the template."""
        drawn = []
        for difference in self.found:
            name = f"pick_{difference.field}"
            current = self[name].value()
            messages = self.errors.get(name)
            sides = [
                ("first", difference.first or "(blank)", "First keying"),
                ("second", difference.second or "(blank)", "Second keying"),
            ]
            if self.can_leave_blank(difference):
                sides.append(("neither", "Neither: leave blank", "The paper shows neither value"))
            drawn.append(
                {
                    "name": name,
                    "legend": difference.label,
                    "error": str(messages[0]) if messages else "",
                    "options": [
                        {
                            "id": f"id_{name}" if index == 0 else f"id_{name}-{index + 1}",
                            "value": which,
                            "label": label,
                            "hint": hint,
                            "checked": current == which,
                        }
                        for index, (which, label, hint) in enumerate(sides)
                    ],
                }
            )
        return drawn

    def final(self) -> Keying:
        """The form's values with the chosen side of every difference."""
        first = self.paper_form.first()
        second = self.paper_form.second() or first
        values = {
            "code": first.code,
            "profession": first.profession,
            "directorate": first.directorate,
        }
        answers = dict(first.answers)
        for difference in self.found:
            pick = self.cleaned_data[f"pick_{difference.field}"]
            source = first if pick == "first" else second
            if difference.field in values:
                values[difference.field] = (
                    "" if pick == "neither" else getattr(source, difference.field)
                )
            else:
                value = "" if pick == "neither" else source.answers.get(difference.field, "")
                if value:
                    answers[difference.field] = value
                else:
                    answers.pop(difference.field, None)
        return Keying(values["code"], values["profession"], values["directorate"], answers)

    def save(self) -> entry.Saved | None:
        try:
            return entry.resolve_form(self.paper_form, self.final())
        except entry.KeyingRejectedError as rejected:
            self.add_error(None, rejected.message)
            return None


class PrintForm(PaperPageForm):
    """Which numbered forms to print."""

    first = forms.IntegerField(
        label="First form number",
        min_value=1,
        max_value=entry.MAX_FORM_NUMBER,
        help_text="Carry on from the last forms printed, so that no two sheets share a number.",
        error_messages={
            "required": "Enter the first form number",
            "invalid": "Enter the first form number as a whole number, for example 1",
            "min_value": "The first form number must be 1 or more",
            "max_value": f"The first form number must be {entry.MAX_FORM_NUMBER} or less",
        },
    )
    copies = forms.IntegerField(
        label="How many forms",
        min_value=1,
        max_value=100,
        help_text="One for each person, up to 100 at a time.",
        error_messages={
            "required": "Enter how many forms to print",
            "invalid": "Enter how many forms to print as a whole number, for example 30",
            "min_value": "Print at least 1 form",
            "max_value": "Print at most 100 forms at a time",
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, copies = cleaned.get("first"), cleaned.get("copies")
        if first and copies and first + copies - 1 > entry.MAX_FORM_NUMBER:
            self.add_error("copies", f"Form numbers cannot go past {entry.MAX_FORM_NUMBER}")
        return cleaned


class ImportForm(PaperPageForm):
    """A CSV or XLSX file of responses."""

    file = forms.FileField(
        label="Responses file",
        help_text="A .csv or .xlsx file, laid out as the data format guide describes: one row per "
        "person per timepoint with a timepoint column, or one row per person with columns "
        "such as pre_K1 and post_K1.",
        error_messages={"required": "Choose a CSV or XLSX file to upload"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in IMPORT_SUFFIXES:
            hint = (
                " Save it from your spreadsheet as .xlsx or .csv."
                if suffix in (".xls", ".ods", ".numbers")
                else ""
            )
            raise forms.ValidationError(
                f"The file must be a CSV or XLSX file (.csv, .tsv, .txt, .xlsx or .xlsm), not "
                f"'{suffix or 'a file with no extension'}'.{hint}"
            )
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file must be smaller than 10 MB")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty")
        return upload


class ImportConfirmForm(PaperPageForm):
    """Confirming a preview; with columns imheval does not know, that they are to be ignored."""

    ignore_columns = forms.BooleanField(
        required=False,
        label="Ignore these columns and import the rest of the file",
        help_text="Their values are not imported and are not kept anywhere.",
    )

    def __init__(self, ignored_columns: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ignored_columns = ignored_columns

    def clean_ignore_columns(self) -> bool:
        confirmed = bool(self.cleaned_data.get("ignore_columns"))
        if self.ignored_columns and not confirmed:
            names = ", ".join(self.ignored_columns)
            raise forms.ValidationError(
                f"Confirm that the columns imheval does not know ({names}) are to be ignored, "
                "or cancel and remove them from the file"
            )
        return confirmed
