"""The answers in FHIR QuestionnaireResponses, as :mod:`.responses` reads them: each answer's
value (valueCoding, valueString, valueInteger ...) or what is wrong with it, its translation
through a question's codes, and the small helpers that word the reader's messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from imheval.interop.common import fold, lookup, timepoint_word
from imheval.interop.fhir._resource import Node, flag, number, text, whole

_TIMEPOINTS = ("pre", "post", "followup")
#: How many entries a message lists before saying "and N more".
LISTED = 10


@dataclass
class Answer:
    """One answer: what to look up in the question's codes (code, then display), what to show
    when it is not there, and its number (for totals)."""

    candidates: tuple[str, ...]
    shown: str
    amount: Decimal | None = None
    readable: bool = True
    #: Typed in as text (valueString), as a self-generated code is.
    typed: bool = False


@dataclass
class Response:
    """One QuestionnaireResponse: where it is (file, Bundle entry), its status, and its answers
    by linkId (with the linkIds beside each, to check stored totals)."""

    file: str
    entry: int
    in_bundle: bool
    resource: Node
    status: str
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    siblings: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.file}, entry {self.entry}" if self.in_bundle else self.file


def read_answer(answer: Node) -> Answer | str:
    """An answer's value, or what is wrong with it."""
    typed = [(k, v) for k, v in answer.items() if k.startswith("value") and k[5:6].isupper()]
    if not typed:
        return "an answer holds no value (valueCoding, valueString ...)"
    if len(typed) > 1:
        return f"an answer holds several values ({', '.join(k for k, _ in typed)})"
    key, value = typed[0]
    kind = key[5:]
    if kind == "Coding":
        if not isinstance(value, dict):
            return "its valueCoding is not a Coding"
        code, display = text(value, "code"), text(value, "display")
        if not code and not display:
            return "its valueCoding has neither a code nor a display"
        return Answer(tuple(c for c in (code, display) if c), code or display or "")
    if kind in ("String", "Date", "DateTime", "Time", "Uri", "Url"):
        if not isinstance(value, str):
            return f"its {key} is not text"
        return Answer((value,), value, typed=kind == "String")
    if kind == "Integer":
        amount = whole(value)
        if amount is None:
            return f"its valueInteger '{value}' is not a whole number"
        return Answer((str(amount),), str(amount), Decimal(amount))
    if kind == "Decimal":
        parsed = number(value)
        if parsed is None:
            return f"its valueDecimal '{value}' is not a number"
        return Answer((str(parsed),), str(parsed), parsed)
    if kind == "Boolean":
        truth = flag(value)
        if truth is None:
            return f"its valueBoolean '{value}' is neither true nor false"
        shown = "true" if truth else "false"
        return Answer((shown,), shown)
    if kind == "Quantity" and isinstance(value, dict):
        parsed = number(value.get("value"))
        if parsed is None:
            return "its valueQuantity has no number"
        return Answer((str(parsed),), str(parsed), parsed)
    return Answer((), "", readable=False)


def translate(answer: Answer, codes: Mapping[str, str]) -> str | None:
    for candidate in answer.candidates:
        if candidate in codes:
            return codes[candidate]
    for candidate in answer.candidates:
        value = lookup(codes, candidate)
        if value is not None:
            return value
    return None


def first_text(response: Response, link: str | None, *, codes_first: bool = False) -> str:
    """The (first) answer to ``link`` as text: a Coding's display (its code first for
    ``codes_first``), else the value as written."""
    if not link:
        return ""
    for answer in response.answers.get(link, []):
        if not answer.readable or not answer.candidates:
            continue
        candidates = answer.candidates if codes_first else answer.candidates[::-1]
        return candidates[0].strip()
    return ""


def to_timepoint(value: str) -> str | None:
    word = timepoint_word(value)
    if word is not None:
        return word
    folded = fold(value)
    return folded if folded in _TIMEPOINTS else None


def match_link(name: str, seen: dict[str, None]) -> str | None:
    wanted = fold(name)
    for link in seen:
        if fold(link) == wanted:
            return link
    return None


def entries_of(entries: Sequence[int]) -> str:
    if len(entries) == 1:
        return f"entry {entries[0]}"
    listed = ", ".join(str(e) for e in entries[:LISTED])
    more = f" and {len(entries) - LISTED} more" if len(entries) > LISTED else ""
    return f"entries {listed}{more}"


def listing(names: Sequence[str], limit: int = 8) -> str:
    if not names:
        return "none"
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def as_plain(value: Decimal) -> str:
    return f"{value.normalize():f}"
