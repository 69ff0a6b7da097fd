"""LimeSurvey's question types as the structure reader reads them, and small helpers."""

from __future__ import annotations

from typing import Any

from imheval.instruments import TrainingLevel
from imheval.interop.common import fold
from imheval.interop.limesurvey._survey import Answer
from imheval.interop.limesurvey._text import html_to_text

#: Free text: short, long, huge.
TEXT_TYPES = {"S", "T", "U"}
#: Arrays whose rows are items on a scale (flexible, by column, 5-point, 10-point, dual scale).
ARRAY_TYPES = {"F", "H", "A", "B", "1"}
#: The answers LimeSurvey fixes for yes/no, gender, yes/uncertain/no and increase/same/decrease.
FIXED_OPTIONS = {
    "Y": {"Y": "Yes", "N": "No"},
    "G": {"F": "Female", "M": "Male"},
    "C": {"Y": "Yes", "U": "Uncertain", "N": "No"},
    "E": {"I": "Increase", "S": "Same", "D": "Decrease"},
}
TICK_OPTIONS = {"Y": "Ticked", "N": "Not ticked"}
#: Question types imheval does not carry, and why.
NOT_CARRIED = {
    "N": "a number question; imheval scores choice questions only",
    "K": "a multiple-number question; imheval scores choice questions only",
    "D": "a date question; imheval scores choice questions only",
    "R": "a ranking question; imheval cannot score a ranking",
    ":": "an array of numbers; imheval scores choice questions only",
    ";": "an array of texts; imheval does not carry it",
    "|": "a file upload; not carried",
    "*": "an equation (a calculation LimeSurvey makes); not carried",
    "I": "a language switch; not carried",
    "X": "text display, not a question",
}


def levels_named(listed: Any) -> list[str]:
    """The training levels the mapping names (all three when it names none it knows)."""
    known = [level.value for level in TrainingLevel]
    if isinstance(listed, list):
        chosen = [level for level in known if level in listed]
        if chosen:
            return chosen
    return known


def signature(answers: list[Answer]) -> tuple[Any, ...]:
    """An answer list as codes and texts, to find lists that several questions share."""
    return tuple((a.code, fold(html_to_text(a.text))) for a in answers)


def answer_codes_of(mapped: dict[str, str], answers: list[Answer]) -> dict[str, str]:
    """Each answer's LimeSurvey code and its text (as a full-answer export writes it) to the
    imheval option code."""
    codes = dict(mapped)
    for answer in answers:
        label = html_to_text(answer.text)
        if label:
            codes.setdefault(label, mapped[answer.code])
    return codes


def row_text(stem: str, row: str) -> str:
    """An array row's text as LimeSurvey's full-text export heads it: ``stem [row]``."""
    return f"{stem} [{row}]" if stem else row


def names_listed(names: list[str], limit: int = 6) -> str:
    """Names for a message, at most ``limit`` of them, then "and N more"."""
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def shorten(expression: str, limit: int = 80) -> str:
    """An expression for a message: spaces collapsed, at most ``limit`` characters."""
    text = " ".join(expression.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
