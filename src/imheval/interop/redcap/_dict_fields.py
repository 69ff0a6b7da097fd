"""The fields of a REDCap data dictionary, checked and classified.

:func:`check_rows` finds everything wrong with the rows (every problem at once, each naming
the file, row and column); :func:`classify` then says what each field is to imheval: the record
id, the self-generated code, a cohort or timepoint field, a field that identifies people, a
choice question, a free-text question, a calculation, or something imheval does not carry (with
the plain-English reason). Scoring (which answers are right, which fields are ratings) is
:mod:`._dict_scoring`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from imheval.errors import Problem
from imheval.interop.common import fold, is_identifying, is_identifying_question
from imheval.interop.redcap._dict_rows import DictionaryFile, Row
from imheval.interop.redcap._dict_text import (
    action_tags,
    clean_label,
    imheval_tags,
    parse_choices,
)

#: REDCap's field types (and two older names, mapped to today's).
FIELD_TYPES = (
    "text",
    "notes",
    "radio",
    "dropdown",
    "checkbox",
    "yesno",
    "truefalse",
    "calc",
    "slider",
    "descriptive",
    "file",
    "sql",
)
_OLD_TYPE_NAMES = {"select": "dropdown", "textarea": "notes"}
#: Types whose answers are one of a list of codes (checkbox: each option ticked or not).
CHOICE_TYPES = ("radio", "dropdown", "checkbox", "yesno", "truefalse")
#: The built-in choices of REDCap's yes/no and true/false fields.
BUILT_IN_CHOICES = {
    "yesno": [("1", "Yes"), ("0", "No")],
    "truefalse": [("1", "True"), ("0", "False")],
}

#: Text validations whose answers identify a person.
_IDENTIFYING_VALIDATIONS = re.compile(r"^(email|phone.*|ssn|mrn.*|vmrn|zipcode|postalcode.*)$")
#: Text validations that make a text field something other than free text.
_NOT_FREE_TEXT = re.compile(r"^(date.*|datetime.*|time.*|number.*|integer|int|float)$")

#: Codes projects use for "don't know", "refused", "not applicable" (77, 99, 777, 999, -9 ...).
_MISSING_CODE = re.compile(r"^-?(7{2,}|8{2,}|9{2,}|[789])$")
_MISSING_LABEL = re.compile(
    r"don'?t know|do not know|refuse|declin|prefer not|not applicable|\bn/?a\b|unknown|missing"
    r"|not answered|no answer|not sure",
    re.IGNORECASE,
)


class Role(StrEnum):
    """What a field is to imheval."""

    RECORD_ID = "record id"
    CODE = "code"
    COHORT = "cohort"
    TIMEPOINT = "timepoint"
    CONTEXT = "context"  # programme, directorate, profession
    IDENTIFYING = "identifying"
    CHOICE = "choice"
    OPEN = "open"
    CALC = "calc"
    DESCRIPTION = "description"  # imheval's own instrument description
    NOT_CARRIED = "not carried"


@dataclass
class Field:
    """One field of the dictionary with what imheval makes of it."""

    row: Row
    kind: str
    label: str
    #: Choices as listed (code, label), for choice fields; missing-data codes left out.
    choices: list[tuple[str, str]]
    #: Missing-data codes found among the choices (code, label), left out of ``choices``.
    missing: list[tuple[str, str]]
    #: The section header in force (cleaned), or None before the form's first header.
    section: str | None
    tags: dict[str, str]
    role: Role = Role.NOT_CARRIED
    #: Why a field is not carried, in plain words (for the omission).
    reason: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.row.field_name

    @property
    def text(self) -> str:
        """The question text: the label, or the field name when the label is empty."""
        return self.label or self.name


def check_rows(dictionary: DictionaryFile) -> list[Problem]:
    """Everything wrong with the rows: blank names, missing or unknown field types, repeated
    field names, choice fields without (or with repeated) choices; [] when all is well."""
    problems: list[Problem] = []
    file = dictionary.file
    seen: dict[str, int] = {}
    known = ", ".join(FIELD_TYPES)
    for row in dictionary.rows:
        name = row.field_name
        if not name:
            problems.append(
                Problem(
                    file=file,
                    row=row.number,
                    column=dictionary.heading("field_name"),
                    message="this row has no field name; give every field a name, or delete "
                    "the row",
                )
            )
            continue
        kind = _OLD_TYPE_NAMES.get(row.field_type.casefold(), row.field_type.casefold())
        if not kind:
            problems.append(
                Problem(
                    file=file,
                    row=row.number,
                    column=dictionary.heading("field_type"),
                    message=f"field '{name}' has no field type; use one of: {known}",
                )
            )
        elif kind not in FIELD_TYPES:
            problems.append(
                Problem(
                    file=file,
                    row=row.number,
                    column=dictionary.heading("field_type"),
                    message=f"field '{name}' has the field type '{row.field_type}', which "
                    f"REDCap does not have; use one of: {known}",
                )
            )
        first = seen.get(name.casefold())
        if first is not None:
            problems.append(
                Problem(
                    file=file,
                    row=row.number,
                    column=dictionary.heading("field_name"),
                    message=f"the field name '{name}' is used again (first on row {first}); "
                    "every field needs its own name",
                )
            )
        else:
            seen[name.casefold()] = row.number
        if kind in ("radio", "dropdown", "checkbox"):
            problems += _choice_problems(dictionary, row, kind)
    return problems


def _choice_problems(dictionary: DictionaryFile, row: Row, kind: str) -> list[Problem]:
    column = dictionary.heading("choices")
    choices = parse_choices(row.choices)
    if not choices:
        return [
            Problem(
                file=dictionary.file,
                row=row.number,
                column=column,
                message=f"the {kind} field '{row.field_name}' has no choices; write them as "
                "'1, Yes | 0, No'",
            )
        ]
    codes = [code for code, _ in choices]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    empty = [label for code, label in choices if not code]
    problems = []
    if repeated:
        problems.append(
            Problem(
                file=dictionary.file,
                row=row.number,
                column=column,
                message=f"the choices of '{row.field_name}' use the code(s) "
                f"{', '.join(repeated)} more than once; give each choice its own code",
            )
        )
    if empty:
        problems.append(
            Problem(
                file=dictionary.file,
                row=row.number,
                column=column,
                message=f"a choice of '{row.field_name}' has no code before its comma; write "
                "each choice as 'code, label'",
            )
        )
    return problems


def read_fields(dictionary: DictionaryFile) -> list[Field]:
    """The dictionary's fields (rows already checked), with labels cleaned, choices parsed
    (missing-data codes set apart) and the section header in force."""
    fields: list[Field] = []
    section: str | None = None
    form: str | None = None
    for row in dictionary.rows:
        if row.form_name != form:
            form, section = row.form_name, None
        if row.section_header.strip():
            section = clean_label(row.section_header) or None
        kind = _OLD_TYPE_NAMES.get(row.field_type.casefold(), row.field_type.casefold())
        choices: list[tuple[str, str]] = []
        missing: list[tuple[str, str]] = []
        if kind in BUILT_IN_CHOICES:
            choices = list(BUILT_IN_CHOICES[kind])
        elif kind in ("radio", "dropdown", "checkbox"):
            listed = [(code, label or code) for code, label in parse_choices(row.choices)]
            missing = [
                (c, label) for c, label in listed if kind != "checkbox" and _is_missing(c, label)
            ]
            choices = [choice for choice in listed if choice not in missing]
            if len(choices) < 2 and kind != "checkbox":
                choices, missing = listed, []
        fields.append(
            Field(
                row=row,
                kind=kind,
                label=clean_label(row.field_label),
                choices=choices,
                missing=missing,
                section=section,
                tags=imheval_tags(row.annotation),
            )
        )
    return fields


def _is_missing(code: str, label: str) -> bool:
    return bool(_MISSING_CODE.match(code) and _MISSING_LABEL.search(label))


def first_is_record_id(dictionary: DictionaryFile, fields: list[Field]) -> bool:
    """Whether the first field is the record id. In a data dictionary it always is (REDCap's
    rule), unless it is imheval's own code field (from an instrument.csv given as a dictionary).
    An instrument ZIP holds one form, which has the record id only if it was the project's
    first form: there the first field counts only if it looks like one."""
    if not fields:
        return False
    first = fields[0]
    if first.tags:
        return False
    if not dictionary.from_zip:
        return True
    name = fold(first.name)
    return first.kind == "text" and (
        name in {"record_id", "id", "record", "study_id", "participant_id", "subject_id"}
        or name.endswith("_id")
        or re.search(r"\b(record|study|participant|subject)?\s*id\b", fold(first.label)) is not None
    )


def classify(fields: list[Field], record_id: bool) -> None:
    """Set each field's :class:`Role` (and, for fields not carried, the reason)."""
    for position, item in enumerate(fields):
        item.role, item.reason = _role(item, record_id and position == 0)


def _role(item: Field, is_record_id: bool) -> tuple[Role, str]:
    if is_record_id:
        return Role.RECORD_ID, ""
    kind, row = item.kind, item.row
    words = fold(re.sub(r"[_\-]+", " ", item.name))
    validation = row.validation.casefold()
    if "DESCRIPTION" in item.tags and kind == "descriptive":
        return Role.DESCRIPTION, ""
    if "ID" in item.tags and kind in (*CHOICE_TYPES, "text", "notes"):
        # Written by imheval: a question whatever its name says.
        return (Role.CHOICE if kind in CHOICE_TYPES else Role.OPEN), ""
    if (
        fold(row.identifier) == "y"
        or is_identifying(item.name)
        or (kind == "text" and _IDENTIFYING_VALIDATIONS.match(validation))
    ):
        return (
            Role.IDENTIFYING,
            "it identifies a person (Identifier? = y, or its name or "
            "validation says so), so it is never imported",
        )
    if words == "cohort":
        return Role.COHORT, ""
    if words in ("timepoint", "time point"):
        return Role.TIMEPOINT, ""
    if words in ("programme", "program", "directorate", "profession"):
        return Role.CONTEXT, ""
    if kind == "descriptive":
        return Role.NOT_CARRIED, "display text, not a question"
    if kind == "calc":
        return Role.CALC, ""
    hidden = [tag for tag in action_tags(row.annotation) if tag in ("@HIDDEN", "@HIDDEN-SURVEY")]
    if hidden and "ID" not in item.tags:
        return (
            Role.NOT_CARRIED,
            f"it is hidden from participants ({hidden[0]}), so it is not a question they answer",
        )
    if kind == "text" and "code" in words and not _NOT_FREE_TEXT.match(validation):
        return Role.CODE, ""
    if kind in (*CHOICE_TYPES, "text", "notes") and is_identifying_question(item.name, item.label):
        # Decided after the code field, whose label may ask for letters of a first name.
        return (
            Role.IDENTIFYING,
            f"its label ('{_short(item.label)}') asks for something that identifies a person, "
            "so it is never imported",
        )
    if kind in CHOICE_TYPES:
        return Role.CHOICE, ""
    if kind in ("text", "notes"):
        if kind == "text" and _NOT_FREE_TEXT.match(validation):
            what = "a date or time" if validation.startswith(("date", "time")) else "a number"
            return (
                Role.NOT_CARRIED,
                f"{what} field ({row.validation}); imheval scores choices "
                "and keeps free text, not dates or numbers",
            )
        return Role.OPEN, ""
    return Role.NOT_CARRIED, _NOT_CARRIED[kind]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


_NOT_CARRIED = {
    "slider": "a slider (a visual analogue scale) is not a choice imheval can score; if it "
    "is a rating, add it to the instrument by hand as a rating question",
    "file": "a file upload (or signature) is not a question imheval reads",
    "sql": "a dynamic SQL field takes its choices from the REDCap database, which this file "
    "does not hold",
}
