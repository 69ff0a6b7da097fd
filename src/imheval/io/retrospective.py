"""The retrospective pre-test in the data: the ``<item>@then`` columns.

A retrospective rating item (``retrospective: true`` in the instrument) is asked twice on the
post-test form: "thinking back to before the training" (then) and "now". The now answer is the
item's own column; the then answer is the column ``<item>@then`` of the same post-test row
(tidy files; ``post_<item>@then`` in wide files). docs/data-format.md describes it for users.

* The reader keeps a ``<item>@then`` column when ``<item>`` is one of the instrument's items
  (:func:`then_name`; matched as item columns are: exactly, else ignoring case).
* Scoring refuses, naming file, row and column, a then answer for an item that is not
  retrospective, and a then answer on a pre-test or follow-up row (:func:`then_problems`):
  either would be silently left out of the analysis otherwise.
* :func:`then_now_totals` gives each row's then and now totals over a domain's retrospective
  items, scored as the item is (reverse items reversed), for the analysis
  (:mod:`imheval.evaluation.retrospective`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from imheval.errors import Problem
from imheval.instruments.model import Instrument, RatingItem, RatingScale
from imheval.io.table import SOURCE_ROW, THEN_SUFFIX, ResponseTable, then_column

_WHOLE_NUMBER: Final = re.compile(r"[+-]?\d+(?:\.0*)?")
_MAX_ROWS_LISTED: Final = 20


def then_name(name: str, items: Sequence[str]) -> str | None:
    """``<item>@then`` (the item's id as the instrument spells it) when a column named ``name``
    holds the "then" answer of one of ``items``, else None.

    >>> then_name("Conf1@THEN", ["conf1", "k1"])
    'conf1@then'
    """
    if not name.casefold().endswith(THEN_SUFFIX):
        return None
    base = name[: -len(THEN_SUFFIX)].strip()
    if base in items:
        return then_column(base)
    candidates = [item for item in items if item.casefold() == base.casefold()]
    return then_column(candidates[0]) if len(candidates) == 1 else None


def retrospective_items(
    instruments: Sequence[Instrument], domain: str | None = None
) -> list[tuple[RatingItem, RatingScale]]:
    """The retrospective rating items (of ``domain``, or all), each with its scale."""
    return [
        (item, instrument.scales[item.scale])
        for instrument in instruments
        for item in instrument.items
        if isinstance(item, RatingItem)
        and item.retrospective
        and (domain is None or item.domain == domain)
    ]


def then_problems(table: ResponseTable, instruments: Sequence[Instrument]) -> list[Problem]:
    """Then answers that cannot be used: for an item that is not retrospective, or not on the
    post-test row. Each names the file, the column and (for a wrong row) the row."""
    if not table.then_columns:
        return []
    frame = table.frame
    allowed = {then_column(item.id) for item, _ in retrospective_items(instruments)}
    problems: list[Problem] = []
    for column in table.then_columns:
        answered = (frame[column].astype(str).str.strip() != "").to_numpy()
        if not answered.any():
            continue
        item = column[: -len(THEN_SUFFIX)]
        if column not in allowed:
            problems.append(
                Problem(
                    file=table.source,
                    column=column,
                    message=(
                        f"'{column}' holds 'thinking back to before the training' answers, but "
                        f"item '{item}' is not a retrospective rating item in the instrument; "
                        "mark it 'retrospective: true' (rating items only) or remove the column"
                    ),
                )
            )
            continue
        wrong = np.flatnonzero(answered & (frame["timepoint"] != "post").to_numpy())
        rows = frame[SOURCE_ROW].to_numpy(dtype=np.int64)
        for index in wrong[:_MAX_ROWS_LISTED].tolist():
            timepoint = str(frame["timepoint"].iat[index]) or "no timepoint"
            problems.append(
                Problem(
                    file=table.source,
                    row=int(rows[index]),
                    column=column,
                    message=(
                        f"a 'then' answer on a {timepoint} row: the retrospective question "
                        "('thinking back to before the training') is asked on the post-test "
                        "form only; move it to the person's post row or leave it blank"
                    ),
                )
            )
        if len(wrong) > _MAX_ROWS_LISTED:
            problems.append(
                Problem(
                    file=table.source,
                    column=column,
                    message=(
                        f"and {len(wrong) - _MAX_ROWS_LISTED} more 'then' answers on rows "
                        "other than post-test rows"
                    ),
                )
            )
    return problems


@dataclass(frozen=True, slots=True)
class ThenNow:
    """Each row's totals over one domain's retrospective items (NaN unless every item has a
    valid answer), by position in the table: the then answers (``<item>@then``) and the
    item's own answers (now on a post-test row, the real answer at pre-test on a pre row)."""

    items: tuple[str, ...]
    min_total: float
    max_total: float
    then: np.ndarray
    own: np.ndarray
    has_then_columns: bool


def then_now_totals(
    table: ResponseTable, instruments: Sequence[Instrument], domain: str
) -> ThenNow | None:
    """The then and own totals of ``domain``'s retrospective items; None when it has none."""
    items = retrospective_items(instruments, domain)
    if not items:
        return None
    frame = table.frame
    n = len(frame)
    then = np.zeros(n)
    own = np.zeros(n)
    for item, scale in items:
        then += _rating_points(frame.get(then_column(item.id)), item, scale, n)
        own += _rating_points(frame.get(item.id), item, scale, n)
    return ThenNow(
        items=tuple(item.id for item, _ in items),
        min_total=float(sum(scale.min for _, scale in items)),
        max_total=float(sum(scale.max for _, scale in items)),
        then=then,
        own=own,
        has_then_columns=any(then_column(item.id) in frame.columns for item, _ in items),
    )


def _rating_points(
    answers: pd.Series | None, item: RatingItem, scale: RatingScale, n: int
) -> np.ndarray:
    """Points per row, as scoring gives them (a whole number on the scale or a scale label,
    reversed for a reverse item); NaN for a blank or invalid answer."""
    if answers is None:
        return np.full(n, np.nan)
    labels = {label.strip().casefold(): value for value, label in scale.labels.items()}

    def judge(text: str) -> float:
        value = int(text.split(".")[0]) if _WHOLE_NUMBER.fullmatch(text) else None
        if value is None:
            value = labels.get(text.casefold())
        if value is None or not scale.min <= value <= scale.max:
            return np.nan
        return float(scale.min + scale.max - value if item.reverse else value)

    codes, uniques = pd.factorize(answers.to_numpy(dtype=object))
    points = np.array([judge(str(u).strip()) for u in uniques] + [np.nan], dtype=np.float64)
    result: np.ndarray = points[codes]
    return result
