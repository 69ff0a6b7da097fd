"""Member profile questionnaires as data: who is in a group, not what they learnt.

A profile (format ``imheval-profile/1``) describes a group's members the way a paper's
"Table 2" does: age band, discipline, qualification, experience. It is **not** a scored
instrument: it has no domains, keys or scales and never enters the scoring pipeline. Its
questions are of two kinds:

* ``choice``: options ``{code: label}``; ``multiple: yes`` lets a person tick several (then
  ``exclusive`` lists codes, such as "none of these", that cannot be ticked with others);
* ``number``: ``min`` and ``max``, a ``unit`` for people ("years") and ``integer`` (whole
  numbers only, the default) or not.

The built-in profiles live in ``instruments/bank/profiles/`` (``imh-network-profile.yaml``);
:func:`get_builtin_profile` and :func:`list_builtin_profiles` read them. Every way a file can be
wrong ends in one :class:`~imheval.errors.InstrumentError` whose problems name the file and the
question. :func:`clean_answers` checks one person's answers against a profile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic import model_validator as _model_validator

from imheval.errors import InstrumentError, Problem, UnknownInstrumentError
from imheval.instruments.bank import VERSION_MARK, split_ref
from imheval.instruments.loader import YAML_SUFFIXES, _explain, _parse_yaml, _yaml_kind

__all__ = [
    "FORMAT_PROFILE_V1",
    "Answer",
    "ChoiceQuestion",
    "NumberQuestion",
    "Profile",
    "ProfileQuestion",
    "clean_answers",
    "get_builtin_profile",
    "list_builtin_profiles",
    "load_profile_text",
]

#: The file-format identifier every profile file declares in its ``format`` field.
FORMAT_PROFILE_V1 = "imheval-profile/1"

Identifier = Annotated[
    str,
    Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", min_length=1, max_length=64),
]

#: One person's answer to one question: an option code, a list of codes (``multiple``) or a
#: number.
Answer = str | list[str] | float


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ChoiceQuestion(_Frozen):
    """A question answered by choosing one option, or several when ``multiple``."""

    kind: Literal["choice"] = "choice"
    id: Identifier
    text: str = Field(min_length=1)
    #: The question's short name in the profile table ("Discipline"); its text when blank.
    label: str = ""
    hint: str = ""
    options: dict[str, str] = Field(min_length=2)
    multiple: bool = False
    #: Codes that cannot be ticked with any other (e.g. "none of these"); ``multiple`` only.
    exclusive: tuple[str, ...] = ()

    @field_validator("options", mode="before")
    @classmethod
    def _codes_as_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value

    @_model_validator(mode="after")
    def _check_exclusive(self) -> ChoiceQuestion:
        unknown = [code for code in self.exclusive if code not in self.options]
        if unknown:
            raise ValueError(f"exclusive names codes that are not options: {', '.join(unknown)}")
        if self.exclusive and not self.multiple:
            raise ValueError("exclusive is only for a question with 'multiple: yes'")
        return self

    @property
    def table_label(self) -> str:
        return self.label or self.text


class NumberQuestion(_Frozen):
    """A question answered with a number between ``min`` and ``max`` (both allowed)."""

    kind: Literal["number"]
    id: Identifier
    text: str = Field(min_length=1)
    label: str = ""
    hint: str = ""
    min: float
    max: float
    unit: str = ""
    integer: bool = True

    @_model_validator(mode="after")
    def _check_range(self) -> NumberQuestion:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max:g}) must be greater than min ({self.min:g})")
        return self

    @property
    def table_label(self) -> str:
        return self.label or self.text


ProfileQuestion = Annotated[ChoiceQuestion | NumberQuestion, Field(discriminator="kind")]


class Profile(_Frozen):
    """A member profile questionnaire: its id, version, title and questions, in order."""

    format: Literal["imheval-profile/1"]
    id: Identifier
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    questions: tuple[ProfileQuestion, ...] = Field(min_length=1)

    @field_validator("questions", mode="before")
    @classmethod
    def _kind_defaults_to_choice(cls, value: object) -> object:
        # A question with options is a choice unless it says otherwise, as in instrument files.
        if isinstance(value, list):
            return [
                {"kind": "choice", **q} if isinstance(q, dict) and "kind" not in q else q
                for q in value
            ]
        return value

    @_model_validator(mode="after")
    def _ids_are_unique(self) -> Profile:
        ids = [q.id for q in self.questions]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"question ids appear more than once: {', '.join(repeated)}")
        return self

    @property
    def ref(self) -> str:
        """``id@version``, as a survey records which profile it asked."""
        return f"{self.id}{VERSION_MARK}{self.version}"

    def question(self, question_id: str) -> ChoiceQuestion | NumberQuestion:
        """The question with this id; raises KeyError when there is none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


# --- reading files ------------------------------------------------------------------------------

_FORMAT_LINE = f"format: {FORMAT_PROFILE_V1}"


def load_profile_text(text: str, source: str = "<text>") -> Profile:
    """Parse and validate a profile from YAML text; ``source`` names it in messages.

    Raises :class:`InstrumentError` whose problems name the file and the question (by id, or
    "question #3" when it has none) and say what is wrong.
    """
    # The instruments' parser: safe values only, depth and alias-expansion limits, located
    # YAML errors.
    data = _parse_yaml(text, source)
    if not isinstance(data, dict):
        raise InstrumentError(
            [
                Problem(
                    source,
                    f"should be a set of 'field: value' lines starting with '{_FORMAT_LINE}', "
                    f"not a {_yaml_kind(data)}",
                )
            ]
        )
    if data.get("format") != FORMAT_PROFILE_V1:
        found = data.get("format")
        said = "does not say which format it is" if found is None else f"format '{found}'"
        raise InstrumentError(
            [
                Problem(
                    source, f"{said}: a profile file starts with '{_FORMAT_LINE}'", field="format"
                )
            ]
        )
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise InstrumentError([_problem(error, data, source) for error in exc.errors()]) from None


def _problem(error: Any, data: Mapping[str, Any], source: str) -> Problem:
    loc: tuple[int | str, ...] = tuple(error["loc"])
    if loc[:1] == ("questions",) and len(loc) > 1 and isinstance(loc[1], int):
        raw = data.get("questions")
        entry = raw[loc[1]] if isinstance(raw, list) and loc[1] < len(raw) else None
        given = entry.get("id") if isinstance(entry, dict) else None
        name = (
            str(given)
            if isinstance(given, str | int) and given != ""
            else f"question #{loc[1] + 1}"
        )
        inner = [part for part in loc[2:] if part not in ("choice", "number")]
        field = ".".join(str(part) for part in inner) or None
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            kind = entry.get("kind") if isinstance(entry, dict) else None
            message = f"kind '{kind}' is not known; use 'choice' or 'number'"
        else:
            message = _explain(error, field, None)
        return Problem(source, message, item=name)
    field = ".".join(str(part) for part in loc) or None
    return Problem(source, _explain(error, field, Profile if len(loc) == 1 else None), field=field)


_PACKAGE = "imheval.instruments"
_FOLDER = ("bank", "profiles")


@cache
def _builtin() -> dict[str, Profile]:
    folder = resources.files(_PACKAGE).joinpath(*_FOLDER)
    profiles = [
        load_profile_text(
            entry.read_text(encoding="utf-8"), source=f"built-in profiles/{entry.name}"
        )
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(YAML_SUFFIXES)
    ]
    return {profile.id: profile for profile in sorted(profiles, key=lambda p: p.id)}


def list_builtin_profiles() -> list[Profile]:
    """Every built-in profile questionnaire, sorted by id (immutable, so shared safely)."""
    return list(_builtin().values())


def get_builtin_profile(ref: str) -> Profile:
    """The built-in profile ``ref`` names: ``imh-network-profile`` or ``imh-network-profile@1.0.0``.

    Raises :class:`~imheval.errors.UnknownInstrumentError`, listing what there is, when the id
    or the version is not built in.
    """
    profile_id, version = split_ref(ref)
    profile = _builtin().get(profile_id)
    if profile is None:
        raise UnknownInstrumentError(
            f"there is no built-in profile questionnaire '{profile_id}'; built-in profiles: "
            f"{', '.join(_builtin())}"
        )
    if version is not None and version != profile.version:
        raise UnknownInstrumentError(
            f"the built-in profile '{profile_id}' has no version '{version}'; the current one "
            f"is {profile.version}"
        )
    return profile


# --- one person's answers -----------------------------------------------------------------------


def clean_answers(profile: Profile, raw: Mapping[str, object]) -> dict[str, Answer]:
    """One person's answers, checked against ``profile``: {question id: answer}.

    A blank (None, "", an empty list) means the question was left out and is not kept. A choice
    is an option code; a ``multiple`` choice a list of distinct codes (in the options' order);
    a number is a finite number within the question's range (a whole number when ``integer``).
    Raises ValueError naming the question and the problem for anything else, including an id
    the profile does not have.
    """
    unknown = sorted(set(raw) - {q.id for q in profile.questions})
    if unknown:
        raise ValueError(f"{profile.id} has no question {', '.join(unknown)}")
    cleaned: dict[str, Answer] = {}
    for question in profile.questions:
        value = raw.get(question.id)
        if value is None or value == "" or value == []:
            continue
        cleaned[question.id] = _clean_one(question, value)
    return cleaned


def _clean_one(question: ChoiceQuestion | NumberQuestion, value: object) -> Answer:
    name = f"question {question.id} ({question.table_label})"
    if isinstance(question, NumberQuestion):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"{name}: '{value}' is not a number")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{name}: '{value}' is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{name}: '{value}' is not a number")
        if question.integer and not number.is_integer():
            raise ValueError(f"{name}: '{value}' is not a whole number")
        if not question.min <= number <= question.max:
            raise ValueError(f"{name}: {number:g} is outside {question.min:g} to {question.max:g}")
        return number
    if isinstance(value, str):
        codes = [value]
    elif isinstance(value, list) and all(isinstance(code, str) for code in value):
        codes = [str(code) for code in value]
    else:
        raise ValueError(f"{name}: should be an option code, not '{value}'")
    wrong = [code for code in codes if code not in question.options]
    if wrong:
        raise ValueError(
            f"{name}: {', '.join(repr(code) for code in wrong)} is not one of its options "
            f"({', '.join(question.options)})"
        )
    if not question.multiple:
        if len(codes) != 1:
            raise ValueError(f"{name}: choose one option only")
        return codes[0]
    chosen = set(codes)
    alone = [code for code in question.exclusive if code in chosen]
    if alone and len(chosen) > 1:
        raise ValueError(
            f"{name}: '{question.options[alone[0]]}' cannot be chosen with another option"
        )
    return [code for code in question.options if code in chosen]
