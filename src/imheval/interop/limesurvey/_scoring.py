"""What a LimeSurvey question's answers say about how it scores.

LimeSurvey scores answers with assessment values (one whole number per answer option). The rule
imheval reads them by (the same in every system, decision 0019):

- **keyed**: every option is worth 0 except the right one(s), all worth the same ``p > 0``:
  the key is those options, ``points`` is ``p``;
- **rating**: the values are a run of consecutive whole numbers, one per option (2 options
  worth 0 and 1 is read as keyed, unless the survey's imheval mapping says it is a scale). The
  answer is the number the person chose: with whole-number answer codes, the code itself,
  forward when each option is worth its code and reverse when worth ``min + max - code``;
  otherwise the option's value, reverse when the values fall as the options go down the list;
- **unscored**: anything else (no values, all the same, any other pattern). Such a question is
  listed for the person to key, except that options coded with consecutive whole numbers are a
  scale (forward) in an array, or when the same list of 3 or more options is shared by two or
  more questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from imheval.interop.limesurvey._survey import Answer
from imheval.interop.limesurvey._text import html_to_text


@dataclass(frozen=True)
class Keyed:
    """The options worth ``points``; every other option is worth 0."""

    key: tuple[str, ...]
    points: int


@dataclass(frozen=True)
class Rating:
    """A scale ``low``..``high``: ``values`` maps each answer code to the number the person
    chose; ``reverse`` scores it ``low + high - number``; ``labels`` names numbers."""

    low: int
    high: int
    values: dict[str, int]
    reverse: bool
    labels: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Unscored:
    """Nothing says how the question scores; ``why`` says so in plain words."""

    why: str


Verdict = Keyed | Rating | Unscored


def _as_int(code: str) -> int | None:
    text = code.strip()
    if text.lstrip("-").isdigit() and text.count("-") <= 1 and not text.endswith("-"):
        return int(text)
    return None


def _labels(answers: list[Answer], values: dict[str, int]) -> tuple[tuple[int, str], ...]:
    labels = []
    for answer in answers:
        text = html_to_text(answer.text)
        number = values[answer.code]
        if text and text != str(number):
            labels.append((number, text))
    return tuple(sorted(labels))


def integer_run(answers: list[Answer]) -> Rating | None:
    """The options as a forward scale when their codes are consecutive whole numbers (at
    least two), else None."""
    numbers = {answer.code: _as_int(answer.code) for answer in answers}
    if len(answers) < 2 or any(number is None for number in numbers.values()):
        return None
    values = {code: number for code, number in numbers.items() if number is not None}
    ordered = sorted(values.values())
    if ordered != list(range(ordered[0], ordered[0] + len(ordered))):
        return None
    return Rating(
        low=ordered[0],
        high=ordered[-1],
        values=values,
        reverse=False,
        labels=_labels(answers, values),
    )


def judge(answers: list[Answer], *, scale_hint: bool = False) -> Verdict:
    """How ``answers`` (one scale, in the survey's order) score; ``scale_hint`` (the survey's
    imheval mapping names a scale) reads 0-and-1 values as a scale rather than a key."""
    if len(answers) < 2:
        return Unscored("it has fewer than two answer options")
    values = [answer.assessment if answer.assessment is not None else 0 for answer in answers]
    distinct = sorted(set(values))
    if len(distinct) == 1:
        return Unscored(
            "its answers have no assessment values that pick a right answer"
            if distinct[0] == 0
            else f"every answer has the same assessment value ({distinct[0]})"
        )
    low, high = distinct[0], distinct[-1]
    is_run = len(distinct) == len(values) and high - low == len(values) - 1
    if low == 0 and len(distinct) == 2 and high > 0 and not (scale_hint and is_run):
        key = tuple(answer.code for answer, value in zip(answers, values, strict=True) if value)
        return Keyed(key=key, points=high)
    if is_run:
        return _rating(answers, values, low, high)
    shown = ", ".join(f"{a.code}={v}" for a, v in zip(answers, values, strict=True))
    return Unscored(
        f"its assessment values ({shown[:80]}) are neither 0 except for the right answer(s) "
        "nor a run of whole numbers"
    )


def _rating(answers: list[Answer], values: list[int], low: int, high: int) -> Rating:
    scored = {answer.code: value for answer, value in zip(answers, values, strict=True)}
    codes = {answer.code: _as_int(answer.code) for answer in answers}
    if all(number is not None for number in codes.values()):
        chosen = {code: number for code, number in codes.items() if number is not None}
        if set(chosen.values()) == set(scored.values()):
            if all(scored[code] == chosen[code] for code in chosen):
                return Rating(low, high, chosen, False, _labels(answers, chosen))
            if all(scored[code] == low + high - chosen[code] for code in chosen):
                return Rating(low, high, chosen, True, _labels(answers, chosen))
    falling = all(a > b for a, b in pairwise(values))
    if falling:
        chosen = {code: low + high - value for code, value in scored.items()}
        return Rating(low, high, chosen, True, _labels(answers, chosen))
    return Rating(low, high, scored, False, _labels(answers, scored))
