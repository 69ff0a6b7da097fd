"""Which answers score, read from a dictionary's calculated fields.

Each ``calc`` field is read with :func:`imheval.interop.redcap._calc.score_terms`; a calc
that is a sum of scoring terms over the dictionary's choice questions gives each question its
:class:`Scoring` (its right answers and points, or a rating forward or reversed). A calc that
cannot be read that way (arithmetic on numbers, dates, thresholds, missing-code rules, another
calc's value) is listed as an omission quoting the expression, and scores nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from imheval.interop.model import Omission
from imheval.interop.redcap._calc import (
    KeyTerm,
    Ref,
    Term,
    ValueTerm,
    parse,
    references,
    score_terms,
)
from imheval.interop.redcap._dict_fields import Field, Role
from imheval.interop.redcap._dict_text import shorten

_INTEGER = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class Scoring:
    """How a calc scores one question (a field, or one option of a checkbox field)."""

    calc: str
    #: Keyed: the codes that score (a checkbox option: "1" ticked, "0" not ticked).
    key: tuple[str, ...] = ()
    points: float = 1.0
    #: Rating: the answer is the score (``reverse``: min + max - answer).
    rating: bool = False
    reverse: bool = False

    def same_as(self, other: Scoring) -> bool:
        return (set(self.key), self.points, self.rating, self.reverse) == (
            set(other.key),
            other.points,
            other.rating,
            other.reverse,
        )


#: A question the calcs can score: (field name, checkbox option code or None).
Target = tuple[str, str | None]


@dataclass
class CalcReading:
    """What the dictionary's calc fields say."""

    scorings: dict[Target, Scoring] = field(default_factory=dict)
    #: The first readable calc that scores each question (a hint of its domain).
    scored_by: dict[Target, Field] = field(default_factory=dict)
    #: The readable scoring calcs, in dictionary order.
    calcs: list[Field] = field(default_factory=list)
    omissions: list[Omission] = field(default_factory=list)


def integer_run(choices: Sequence[tuple[str, str]]) -> tuple[int, int] | None:
    """(min, max) when the choice codes are whole numbers making a run with no gaps (at least
    two), else None."""
    if len(choices) < 2 or not all(_INTEGER.match(code) for code, _ in choices):
        return None
    values = sorted(int(code) for code, _ in choices)
    if values != list(range(values[0], values[0] + len(values))):
        return None
    return values[0], values[-1]


def read_calcs(fields: Sequence[Field]) -> CalcReading:
    """Read every calc field (see the module docstring)."""
    reading = CalcReading()
    by_name = {item.name.casefold(): item for item in fields}
    for calc in fields:
        if calc.role is not Role.CALC:
            continue
        expression = calc.row.choices
        terms = score_terms(expression)
        if terms is None:
            reading.omissions.append(_unreadable(calc, expression, _why_unreadable(expression)))
            continue
        found, reason = _scorings(calc, terms, by_name)
        if found is None:
            reading.omissions.append(_unreadable(calc, expression, reason))
            continue
        reading.calcs.append(calc)
        for target, scoring in found.items():
            earlier = reading.scorings.get(target)
            if earlier is None:
                reading.scorings[target] = scoring
                reading.scored_by[target] = calc
            elif not earlier.same_as(scoring):
                reading.omissions.append(
                    Omission(
                        where=f"field '{calc.name}'",
                        message=f"it scores {_target_name(target)} differently from calc "
                        f"'{earlier.calc}'; the scoring of '{earlier.calc}' was used",
                    )
                )
    return reading


def _target_name(target: Target) -> str:
    name, option = target
    return f"'{name}' option {option}" if option is not None else f"'{name}'"


def _why_unreadable(expression: str) -> str:
    if parse(expression) is None and re.search(r"\$\(|\bfunction\b|;\s*$|=>", expression):
        return "it is JavaScript, not a REDCap calculation"
    refs = references(expression)
    if not refs:
        return "it scores no question"
    if re.search(r"\b(777|999|888)\b", expression):
        return (
            "it handles missing-data codes (777, 999...); imheval reads such an answer as "
            "not one of the options (scored 'invalid')"
        )
    return "it is not a sum of answers or of if(...) scores of choice questions"


def _unreadable(calc: Field, expression: str, reason: str) -> Omission:
    return Omission(
        where=f"field '{calc.name}'",
        message=f"the calculation {shorten(expression)} is not carried: {reason}",
    )


def _scorings(
    calc: Field, terms: Sequence[Term], by_name: dict[str, Field]
) -> tuple[dict[Target, Scoring] | None, str]:
    found: dict[Target, Scoring] = {}
    for term in terms:
        target_field = by_name.get(term.ref.field.casefold())
        if target_field is None:
            return None, f"it names '{term.ref.field}', which is not a field of this dictionary"
        if target_field.role is not Role.CHOICE:
            return None, f"it adds '{target_field.name}', which is not a choice question"
        scoring, reason = _scoring(calc.name, term, target_field)
        if scoring is None:
            return None, reason
        target = (target_field.name, _option_code(term.ref, target_field))
        earlier = found.get(target)
        if earlier is None:
            found[target] = scoring
        elif earlier.key and scoring.key and earlier.points == scoring.points:
            merged = tuple(dict.fromkeys(earlier.key + scoring.key))
            found[target] = Scoring(calc=calc.name, key=merged, points=scoring.points)
        else:
            return None, f"it scores {_target_name(target)} more than once"
    return found, ""


def _option_code(ref: Ref, target: Field) -> str | None:
    if ref.option is None:
        return None
    for code, _ in target.choices:
        if code.casefold() == ref.option.casefold():
            return code
    return ref.option


def _scoring(calc: str, term: Term, target: Field) -> tuple[Scoring | None, str]:
    ref = term.ref
    if target.kind == "checkbox":
        if ref.option is None:
            return None, f"it adds the checkbox field '{target.name}' without naming an option"
        options = {code.casefold() for code, _ in target.choices}
        if ref.option.casefold() not in options:
            return None, f"'{ref}' names an option '{target.name}' does not have"
        return _binary(calc, term)
    if ref.option is not None:
        return None, f"'{ref}' names an option, but '{target.name}' is not a checkbox field"
    if target.kind in ("yesno", "truefalse"):
        return _binary(calc, term)
    codes = {code: code for code, _ in target.choices}
    folded = {code.casefold(): code for code in codes}
    if isinstance(term, KeyTerm):
        key = []
        for code in term.codes:
            known = codes.get(code) or folded.get(code.casefold())
            if known is None:
                return None, f"it keys '{target.name}' = '{code}', which is not one of its codes"
            key.append(known)
        return Scoring(calc=calc, key=tuple(key), points=term.points), ""
    run = integer_run(target.choices)
    if run is None:
        return (
            None,
            f"it adds the answer of '{target.name}', whose codes are not a scale of whole numbers",
        )
    if term.reverse_from is None:
        return Scoring(calc=calc, rating=True), ""
    if term.reverse_from == run[0] + run[1]:
        return Scoring(calc=calc, rating=True, reverse=True), ""
    return None, (
        f"({term.reverse_from:g}-[{target.name}]) does not reverse the scale {run[0]} to "
        f"{run[1]} (that would be ({run[0] + run[1]}-[{target.name}]))"
    )


def _binary(calc: str, term: Term) -> tuple[Scoring | None, str]:
    """A checkbox option, yes/no or true/false field: 1 or 0."""
    if isinstance(term, KeyTerm):
        key = tuple(dict.fromkeys(code.strip() for code in term.codes))
        if not set(key) <= {"0", "1"} or len(key) != 1:
            return None, f"it keys '{term.ref}' with {', '.join(key)}; its answers are 1 and 0"
        return Scoring(calc=calc, key=key, points=term.points), ""
    assert isinstance(term, ValueTerm)
    if term.reverse_from is None:
        return Scoring(calc=calc, key=("1",)), ""
    if term.reverse_from == 1:
        return Scoring(calc=calc, key=("0",)), ""
    return None, f"({term.reverse_from:g}-{term.ref}) is not a score of a 1/0 answer"
