"""How a Questionnaire's choice questions are read and scored: their options (answerOption or a
contained ValueSet, with ordinalValue/itemWeight scores) and the rule that makes a question
keyed, a rating or unkeyed (see :mod:`.questionnaire`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from imheval.interop.common import fold, make_identifier
from imheval.interop.fhir._resource import (
    Node,
    extensions,
    flag,
    has_extension,
    nodes,
    number,
    score_of,
    text,
    value_of,
    walk,
)

WHOLE = re.compile(r"^-?\d+$")
CHOICE_TYPES = ("choice", "open-choice", "coding")


def read_options(item: Node, contained: dict[str, Node]) -> tuple[list[Option], str | None] | str:
    """A choice item's options and the contained ValueSet they come from (its id, or None for
    answerOption); or why they cannot be read (a message for an omission)."""
    options: list[Option] = []
    if nodes(item, "answerOption"):
        for answer_option in nodes(item, "answerOption"):
            typed = value_of(answer_option)
            if typed is None:
                continue
            kind, value = typed
            if kind == "Coding" and isinstance(value, dict):
                code = text(value, "code") or text(value, "display")
                if code is None:
                    continue
                display = text(value, "display")
                score = score_of(answer_option)
                score = score if score is not None else score_of(value)
                options.append(Option(code, display or code, display, score))
            elif kind == "String" and isinstance(value, str):
                options.append(Option(value, value, value, score_of(answer_option)))
            elif kind == "Integer" and number(value) is not None:
                code = str(number(value))
                options.append(Option(code, code, None, score_of(answer_option)))
            else:
                return (
                    f"its options are {kind.lower()} values, which imheval cannot score; not "
                    "carried"
                )
        return options, None
    reference = text(item, "answerValueSet")
    if reference:
        return _value_set(reference, contained)
    if has_extension(item, "sdc-questionnaire-answerExpression"):
        return (
            "its options are computed by an expression (answerExpression), which imheval cannot "
            "run; not carried"
        )
    return "a choice question with no options; not carried"


def answer_key(
    questionnaire: Node, held: Sequence[Node]
) -> tuple[dict[str, list[tuple[str, object]]], str | None]:
    """The right answers (linkId -> typed answers) of the SDC answer key the Questionnaire names
    (``questionnaire-answerKey``: a QuestionnaireResponse), found among ``held`` (its contained
    resources and the rest of its Bundle); with the reference when the key is not there."""
    marks = extensions(questionnaire, "questionnaire-answerKey", "sdc-questionnaire-answerKey")
    if not marks:
        return {}, None
    reference = ""
    for key, value in marks[0].items():
        if key == "valueReference" and isinstance(value, dict):
            reference = text(value, "reference") or ""
        elif key.startswith("value") and isinstance(value, str):
            reference = value
    tail = reference.rstrip("/").split("/")[-1].lstrip("#")
    response = next(
        (
            r
            for r in held
            if r.get("resourceType") == "QuestionnaireResponse" and text(r, "id") == tail
        ),
        None,
    )
    if response is None or not tail:
        return {}, reference or "?"
    answers: dict[str, list[tuple[str, object]]] = {}
    for item in walk(nodes(response, "item")):
        link = text(item, "linkId")
        if link is None:
            continue
        for answer in nodes(item, "answer"):
            typed = value_of(answer)
            if typed is not None:
                answers.setdefault(link, []).append(typed)
    return answers, None


def _value_set(reference: str, contained: dict[str, Node]) -> tuple[list[Option], str] | str:
    if not reference.startswith("#"):
        return (
            f"its answers come from the ValueSet '{reference}', which is not in this file and "
            "cannot be fetched (imheval reads files, never the network); put the ValueSet in "
            "the Questionnaire's contained resources, or list the answers as answerOption; not "
            "carried"
        )
    value_set = contained.get(reference[1:])
    if value_set is None or value_set.get("resourceType") != "ValueSet":
        return (
            f"its answers come from the contained ValueSet '{reference}', which the file does "
            "not hold; not carried"
        )
    options = _expansion(nodes(value_set.get("expansion") or {}, "contains"))
    if not options:
        for include in nodes(value_set.get("compose") or {}, "include"):
            for concept in nodes(include, "concept"):
                code = text(concept, "code")
                if code is None:
                    continue
                display = text(concept, "display")
                options.append(Option(code, display or code, display, _concept_score(concept)))
    if not options:
        return (
            f"the contained ValueSet '{reference}' lists no codes (it includes whole code "
            "systems or filters); list the answers as answerOption; not carried"
        )
    return options, reference[1:]


@dataclass
class Option:
    code: str
    label: str
    display: str | None
    score: Decimal | None


@dataclass
class Question:
    link: str
    item: Node
    text: str
    group: str | None
    kind: str
    options: list[Option] = field(default_factory=list)
    value_set: str | None = None
    marks: Node | None = None


@dataclass
class Scored:
    """A question as it will be carried: keyed, rating, open or unkeyed."""

    question: Question
    kind: str
    key: tuple[str, ...] = ()
    points: float = 1.0
    scale: tuple[int, int, tuple[tuple[int, str], ...]] | None = None
    scale_name: str | None = None
    reverse: bool = False
    answers: dict[str, str] = field(default_factory=dict)
    max_length: int | None = None


def make_keyed(entry: Scored, scores: Sequence[Decimal | None]) -> bool:
    """Make ``entry`` keyed when its scores are 0 on every option but the right one(s), which
    share one positive score."""
    values = [score if score is not None else Decimal(0) for score in scores]
    positive = {v for v in values if v != 0}
    if len(positive) != 1 or min(positive) <= 0 or Decimal(0) not in values:
        return False
    points = positive.pop()
    options = entry.question.options
    entry.kind = "keyed"
    entry.key = tuple(o.code for o, v in zip(options, values, strict=True) if v == points)
    entry.points = float(points)
    entry.answers = option_answers(options)
    return True


def is_run(scores: Sequence[Decimal | None]) -> bool:
    """Whether the scores are distinct whole numbers with no gap (at least two)."""
    whole = [int(s) for s in scores if s is not None and s == s.to_integral_value()]
    if len(whole) != len(scores) or len(whole) < 2:
        return False
    return sorted(whole) == list(range(min(whole), min(whole) + len(whole)))


def rating_from_scores(entry: Scored) -> None:
    """A rating from a run of scores: with whole-number codes equal to the scores, forward;
    running exactly against them, reverse (the answer is the code, imheval scores
    min + max - code); otherwise the answer is the score itself (forward)."""
    options = entry.question.options
    scores = {o.code: int(o.score or 0) for o in options}
    low, high = min(scores.values()), max(scores.values())
    if all(WHOLE.match(o.code) for o in options):
        codes = {o.code: int(o.code) for o in options}
        if all(codes[c] == scores[c] for c in codes):
            make_rating(entry, codes, reverse=False)
            return
        if sorted(codes.values()) == sorted(scores.values()) and all(
            scores[c] == low + high - codes[c] for c in codes
        ):
            make_rating(entry, codes, reverse=True)
            return
    make_rating(entry, scores, reverse=False)


def make_rating(entry: Scored, values: dict[str, int], *, reverse: bool) -> None:
    """Make ``entry`` a rating whose answers are ``values`` (option code -> the whole number
    imheval records)."""
    options = entry.question.options
    labels: dict[int, str] = {}
    for option in options:
        value = values[option.code]
        label = option.display if option.display is not None else option.label
        if label and label.strip() != str(value):
            labels[value] = label.strip()
    entry.kind = "rating"
    entry.reverse = reverse
    entry.scale = (min(values.values()), max(values.values()), tuple(sorted(labels.items())))
    answers: dict[str, str] = {}
    for option in options:
        answers[option.code] = str(values[option.code])
    for option in options:
        if option.display:
            answers.setdefault(option.display, str(values[option.code]))
    entry.answers = answers
    if entry.question.value_set:
        entry.scale_name = entry.question.value_set


def list_signature(entry: Scored) -> object | None:
    """What identifies an unscored choice list (its contained ValueSet, else its codes and
    labels), so that the questions sharing it can be counted; None for a question that is not
    a choice question or whose options carry scores."""
    if entry.question.kind not in CHOICE_TYPES:
        return None
    options = entry.question.options
    if not options or any(o.score is not None for o in options):
        return None
    if entry.question.value_set:
        return ("valueset", entry.question.value_set)
    return tuple((o.code, o.label) for o in options)


def name_scales(
    scored: list[Scored],
) -> tuple[dict[str, dict[str, Any]], dict[int, str]]:
    """The rating scales (shared by min, max and labels), named by imheval's extension, the
    ValueSet they come from, else scale_1, scale_2 ...; and each rating's scale id."""
    by_shape: dict[object, str] = {}
    scales: dict[str, dict[str, Any]] = {}
    scale_of: dict[int, str] = {}
    counter = 0
    for index, entry in enumerate(scored):
        if entry.kind != "rating" or entry.scale is None:
            continue
        shape = entry.scale
        if entry.question.marks is not None and entry.scale_name:
            name = entry.scale_name
            key: object = ("named", name)
        else:
            key = shape
            name = by_shape.get(key) or ""
        if key not in by_shape:
            if not name:
                candidate = make_identifier(entry.scale_name).lower() if entry.scale_name else ""
                if not candidate or candidate in scales:
                    counter += 1
                    candidate = f"scale_{counter}"
                    while candidate in scales:
                        counter += 1
                        candidate = f"scale_{counter}"
                name = candidate
            by_shape[key] = name
            low, high, labels = shape
            scales[name] = {"min": low, "max": high, "labels": dict(labels)}
        scale_of[index] = by_shape[key]
    return scales, scale_of


def option_answers(options: Sequence[Option]) -> dict[str, str]:
    answers = {o.code: o.code for o in options}
    for option in options:
        if option.display:
            answers.setdefault(option.display, option.code)
    return answers


def key_code(options: Sequence[Option], typed: tuple[str, object]) -> str | None:
    kind, value = typed
    if kind == "Coding" and isinstance(value, dict):
        wanted = text(value, "code") or text(value, "display") or ""
    elif kind == "Boolean":
        wanted = "true" if flag(value) else "false"
    else:
        wanted = str(value)
    for option in options:
        if option.code == wanted:
            return option.code
    for option in options:
        if fold(option.label) == fold(wanted):
            return option.code
    return None


def key_text(answers: list[tuple[str, object]]) -> str:
    return " / ".join(answer_text(typed) for typed in answers)


def answer_text(typed: tuple[str, object]) -> str:
    value = typed[1]
    if isinstance(value, dict):
        return text(value, "display") or text(value, "code") or text(value, "value") or "?"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _expansion(contains: list[Node]) -> list[Option]:
    options: list[Option] = []
    for concept in contains:
        code = text(concept, "code")
        if code is not None and not flag(concept.get("abstract")):
            display = text(concept, "display")
            options.append(Option(code, display or code, display, _concept_score(concept)))
        options.extend(_expansion(nodes(concept, "contains")))
    return options


def _concept_score(concept: Node) -> Decimal | None:
    score = score_of(concept)
    if score is not None:
        return score
    for prop in nodes(concept, "property"):
        if text(prop, "code") in ("itemWeight", "ordinal", "weight", "score"):
            typed = value_of(prop)
            if typed is not None:
                return number(typed[1])
    return None


def short(value: str, limit: int = 80) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def plain(value: Decimal | None) -> str:
    if value is None:
        return "none"
    return f"{value.normalize():f}"
