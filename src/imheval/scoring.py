"""Scoring: answers -> domain totals, with the reason for every zero.

* :func:`score_items` scores item answers against one or more instruments.
* :func:`scores_from_totals` wraps already-scored domain totals (no instrument).
* :func:`zero_reasons` counts why items scored nothing, per domain and timepoint.

Both scoring functions return a :class:`ScoredTable`, which is what matching and the evaluation
read. The rules are described for users in docs/data-format.md ("Scoring").

Scoring is vectorised per item: each distinct answer text is judged once, and the verdict is
spread over the column, so 400,000 rows x 40 items score in about a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Final, Literal

import numpy as np
import pandas as pd

from imheval.errors import DataFormatError, Problem
from imheval.instruments.model import Instrument, KeyedItem, RatingItem, RatingScale
from imheval.io.retrospective import then_problems
from imheval.io.table import FORM, RESERVED_COLUMNS, SOURCE_ROW, TIMEPOINTS, ResponseTable
from imheval.io.together import check_scored_together as check_scored_together


class MissingPolicy(StrEnum):
    """How unanswered (blank or invalid) items count towards a domain total."""

    #: Seed 000's rule: 1 point per correct answer; wrong, missing or invalid answers score 0.
    SEED = "seed"
    #: A domain total only when every item of the domain has a valid answer; otherwise missing.
    COMPLETE_CASE = "complete_case"
    #: Mean of the valid answers times the number of items, when at least half are valid.
    PRORATED = "prorated"


class ItemOutcome(IntEnum):
    """What happened to one answer; stored per item and row as int8 codes."""

    SCORED = 0  # correct (keyed) or a valid rating
    WRONG = 1  # a valid option that is not the key: 0 points
    MISSING = 2  # blank: 0 points under the seed rule
    INVALID = 3  # not among the options / outside the scale: 0 points under the seed rule
    NOT_ADMINISTERED = 4  # the whole domain was blank in this row: domain not measured
    OTHER_FORM = 5  # the item belongs to another parallel form than the row's: not asked


#: What a domain's totals are: the points scored ("total"), or, when people answered different
#: parallel forms of it, the percentage of their form's range ("percent_of_maximum", 0 to 100).
DomainScale = Literal["total", "percent_of_maximum"]


@dataclass(frozen=True, slots=True)
class FormRange:
    """One parallel form of a domain: how many items it asks and the range of its total."""

    form: str
    n_items: int
    min_total: float
    max_total: float

    def to_dict(self) -> dict[str, object]:
        return {
            "form": self.form,
            "n_items": self.n_items,
            "min_total": self.min_total,
            "max_total": self.max_total,
        }


@dataclass(frozen=True, slots=True)
class DomainInfo:
    """A scored domain and the range of its total (None when unknown, e.g. bare totals).

    ``answers`` says what the total counts, for wording: "keyed" (1 point per correct
    answer, so a percentage of the range is the share answered correctly), "rating" (a sum
    of ratings), "mixed" (both kinds of item), or "totals" (already-scored totals read from a
    file).

    ``forms`` lists the domain's parallel forms (empty when it has none). When the responses
    used more than one of them, ``scale`` is "percent_of_maximum": each total is
    ``(points - form min) / (form max - form min) * 100`` on the form the person answered, so
    that forms of different lengths compare, and ``min_total``/``max_total`` are 0 and 100.
    """

    id: str
    label: str
    n_items: int
    min_total: float | None
    max_total: float | None
    kirkpatrick_level: int = 2
    answers: Literal["keyed", "rating", "mixed", "totals"] = "totals"
    scale: DomainScale = "total"
    forms: tuple[FormRange, ...] = ()

    def percent_of_maximum(self, total: float) -> float | None:
        """(total - min) / (max - min) * 100, or None when the range is unknown."""
        if self.min_total is None or self.max_total is None:
            return None
        return (total - self.min_total) / (self.max_total - self.min_total) * 100.0


@dataclass(frozen=True, slots=True)
class ScoredTable:
    """Domain totals in tidy layout, plus per-item points and outcomes when items were scored.

    ``frame``: the reserved columns, ``source_row``, then one float column per domain id
    (NaN = not measured in that row). ``item_points`` / ``item_outcomes``: same index as
    ``frame``, one column per item id (float points, NaN where the policy leaves the item
    unscored; int8 :class:`ItemOutcome` codes), or None for bare totals.
    """

    frame: pd.DataFrame
    domains: tuple[DomainInfo, ...]
    policy: MissingPolicy
    source: str
    instrument_ids: tuple[str, ...] = ()
    item_points: pd.DataFrame | None = None
    item_outcomes: pd.DataFrame | None = None
    item_domains: Mapping[str, str] | None = None
    #: The parallel forms of the instruments (the first is the reference form that others are
    #: equated to); when not empty, ``frame`` has a ``form`` column: each row's form, "" when
    #: it answered nothing that depends on the form.
    forms: tuple[str, ...] = ()

    def domain(self, domain_id: str) -> DomainInfo:
        for info in self.domains:
            if info.id == domain_id:
                return info
        raise KeyError(domain_id)


def score_items(
    table: ResponseTable,
    instruments: Sequence[Instrument],
    policy: MissingPolicy = MissingPolicy.SEED,
) -> ScoredTable:
    """Score every item column of ``table`` against ``instruments``.

    Returns a :class:`ScoredTable` whose ``frame`` has one float column per domain (NaN = not
    measured: the whole domain was blank in that row, or ``policy`` cannot give a total) and
    whose ``item_points`` / ``item_outcomes`` say what each answer scored and why.

    Keyed items: an option code or the option's text (case-insensitive) is SCORED (``points``)
    when it is a key and WRONG (0) otherwise; blank is MISSING; anything else is INVALID. Rating
    items: a whole number on the scale or a scale label is SCORED (reversed for reverse items);
    blank is MISSING; anything else is INVALID. Invalid answers are never an error.

    Raises :class:`InstrumentError` when two instruments share an item or domain id (or a domain
    id is a reserved column name) and :class:`DataFormatError` when the table has no column for
    any item. Items whose column is absent count as blank answers.
    """
    policy = MissingPolicy(policy)
    if not instruments:
        raise ValueError("score_items needs at least one instrument")
    check_scored_together(instruments)
    if problems := then_problems(table, instruments):
        raise DataFormatError(problems)
    frame = table.frame
    all_items = [item.id for instrument in instruments for item in instrument.items]
    if not any(item_id in frame.columns for item_id in all_items):
        raise DataFormatError(
            [
                Problem(
                    file=table.source,
                    message=(
                        "the responses have no column for any item of "
                        + ", ".join(f"'{i.id}'" for i in instruments)
                        + "; expected "
                        + ", ".join(all_items[:12])
                        + (f" and {len(all_items) - 12} more" if len(all_items) > 12 else "")
                    ),
                )
            ]
        )

    n_rows = len(frame)
    item_order = all_items
    column_of = {item_id: position for position, item_id in enumerate(item_order)}
    # One column-major block each (pandas stores columns contiguously), filled item by item,
    # so the frames are built without a copy and column writes are contiguous.
    # The points as judged are written into ``all_points`` and replaced in place, domain by
    # domain, by the points each answer contributes, so a national file does not hold a second
    # matrix of points; parallel forms blank a domain's columns before reading them, so they get
    # a copy.
    all_outcomes = np.empty((n_rows, len(item_order)), dtype=np.int8, order="F")
    all_points = np.empty((n_rows, len(item_order)), dtype=np.float64, order="F")
    item_domains: dict[str, str] = {}
    for instrument in instruments:
        for item in instrument.items:
            answers = frame[item.id] if item.id in frame.columns else None
            if isinstance(item, KeyedItem):
                verdict = _judge_keyed(answers, item, n_rows)
            else:
                verdict = _judge_rating(answers, item, instrument.scales[item.scale], n_rows)
            position = column_of[item.id]
            all_outcomes[:, position], all_points[:, position] = verdict
            item_domains[item.id] = item.domain

    form_ids = _declared_forms(instruments)
    row_forms = (
        _response_forms(table, instruments, form_ids, all_outcomes, column_of) if form_ids else None
    )
    raw_points = all_points if row_forms is None else all_points.copy(order="F")
    totals: dict[str, np.ndarray] = {}
    domains: list[DomainInfo] = []
    for instrument in instruments:
        for domain in instrument.domains:
            items = instrument.items_in(domain.id)
            columns = [column_of[item.id] for item in items]
            low, high = instrument.domain_range(domain.id)
            n_items = len(items)
            scale: DomainScale = "total"
            ranges: tuple[FormRange, ...] = ()
            if row_forms is not None and any(item.form is not None for item in items):
                total, ranges = _total_by_form(
                    instrument,
                    domain.id,
                    row_forms,
                    all_outcomes,
                    raw_points,
                    all_points,
                    column_of,
                    policy,
                )
                used = {r.form for r in ranges if (row_forms[~np.isnan(total)] == r.form).any()}
                if len(used) > 1:
                    scale, low, high = "percent_of_maximum", 0.0, 100.0
                    n_items = max(r.n_items for r in ranges)
                    total = _percent_of_form_range(total, row_forms, ranges)
                else:
                    only = next((r for r in ranges if r.form in used), ranges[0])
                    low, high, n_items = only.min_total, only.max_total, only.n_items
            else:
                # the domain's columns in place when they are side by side (as a slice, a view)
                block = _as_slice(columns)
                outcomes = all_outcomes[:, block]
                points = all_points[:, block]
                total = _domain_total(outcomes, points, policy)
                if not isinstance(block, slice):
                    all_outcomes[:, block] = outcomes
                    all_points[:, block] = points
            totals[domain.id] = total
            domains.append(
                DomainInfo(
                    id=domain.id,
                    label=domain.label,
                    n_items=n_items,
                    min_total=low,
                    max_total=high,
                    kirkpatrick_level=domain.kirkpatrick_level,
                    answers=_answers(items),
                    scale=scale,
                    forms=ranges,
                )
            )

    scored_frame = _with_totals(frame, totals)
    if row_forms is not None:
        scored_frame.insert(len(RESERVED_COLUMNS), FORM, pd.Series(row_forms, index=frame.index))
    return ScoredTable(
        frame=scored_frame,
        domains=tuple(domains),
        policy=policy,
        source=table.source,
        instrument_ids=tuple(i.id for i in instruments),
        item_points=pd.DataFrame(all_points, index=frame.index, columns=item_order, copy=False),
        item_outcomes=pd.DataFrame(all_outcomes, index=frame.index, columns=item_order, copy=False),
        item_domains=MappingProxyType(item_domains),
        forms=form_ids,
    )


# --- parallel forms ---------------------------------------------------------------------------


def _declared_forms(instruments: Sequence[Instrument]) -> tuple[str, ...]:
    """Every form id the instruments declare, in file order (the first is the reference)."""
    return tuple(dict.fromkeys(form for i in instruments for form in i.form_ids))


def _response_forms(
    table: ResponseTable,
    instruments: Sequence[Instrument],
    form_ids: tuple[str, ...],
    outcomes: np.ndarray,
    column_of: Mapping[str, int],
) -> np.ndarray:
    """The form each row used, "" where it answered nothing that depends on the form.

    Taken from the ``form`` column where a cell names one, else worked out from the items
    answered: a row answering items of its own form's is on that form. Raises
    :class:`DataFormatError` naming each row whose form is unknown, whose answers belong to two
    forms, or whose ``form`` cell names a form the instruments do not declare or disagrees
    with the items answered.
    """
    frame = table.frame
    source_rows = (
        frame[SOURCE_ROW].to_numpy()
        if SOURCE_ROW in frame.columns
        else np.arange(2, len(frame) + 2)
    )
    answered = outcomes != _MISSING
    own: dict[str, np.ndarray] = {}
    own_items: dict[str, list[str]] = {}
    for form in form_ids:
        ids = [i.id for inst in instruments for i in inst.items if i.form == form]
        own_items[form] = ids
        own[form] = (
            answered[:, [column_of[i] for i in ids]].any(axis=1)
            if ids
            else np.zeros(len(frame), dtype=bool)
        )
    # Items common to every form in a domain that has items of its own in each form: their
    # total depends on the form, so answering only those leaves the form unknown.
    shared = [
        i.id
        for inst in instruments
        for d in inst.domains
        if any(i.form is not None for i in inst.items_in(d.id))
        for i in inst.items_in(d.id)
        if i.form is None
    ]
    common = (
        answered[:, [column_of[i] for i in shared]].any(axis=1)
        if shared
        else np.zeros(len(frame), dtype=bool)
    )
    n_forms = np.sum([own[f] for f in form_ids], axis=0)
    inferred = np.full(len(frame), "", dtype=object)
    for form in form_ids:
        inferred[own[form] & (n_forms == 1)] = form

    given = np.full(len(frame), "", dtype=object)
    if FORM in frame.columns:
        # Each distinct cell is looked at once: a large file holds only a few.
        codes, typed = pd.factorize(frame[FORM].fillna("").astype(str).str.strip())
        canonical = {f.casefold(): f for f in form_ids}
        spelled = [canonical.get(str(v).casefold(), str(v)) for v in typed]
        given = np.array([*spelled, ""], dtype=object)[codes]

    problems: list[Problem] = []
    known = ", ".join(form_ids)

    def problem(index: int, message: str) -> None:
        problems.append(
            Problem(file=table.source, row=int(source_rows[index]), column=FORM, message=message)
        )

    forms = np.where(given != "", given, inferred)
    named_rows = given != ""
    own_form = np.zeros(len(frame), dtype=bool)
    for form in form_ids:
        own_form |= (given == form) & own[form]
    suspect = (
        (named_rows & ~np.isin(given, form_ids))
        | (named_rows & (n_forms > own_form.astype(np.int64)))
        | (~named_rows & (n_forms > 1))
        | (~named_rows & (n_forms == 0) & common)
    )
    for index in np.flatnonzero(suspect).tolist():
        named = str(given[index])
        answered_forms = [f for f in form_ids if own[f][index]]
        if named and named not in form_ids:
            problem(index, f"unknown form '{named}'; the instrument's forms are {known}")
        elif named and any(f != named for f in answered_forms):
            other = next(f for f in answered_forms if f != named)
            problem(
                index,
                f"the form is given as '{named}' but the row answers items of form '{other}' "
                f"({_first_answered(own_items[other], answered[index], column_of)})",
            )
        elif not named and len(answered_forms) > 1:
            listed = "; ".join(
                f"form '{f}': {_first_answered(own_items[f], answered[index], column_of)}"
                for f in answered_forms
            )
            problem(
                index,
                "the row answers items of more than one form (" + listed + "); a response uses "
                "one form: check the row, or say its form in a 'form' column",
            )
        elif not named and not answered_forms and common[index]:
            problem(
                index,
                "which form this row used is not known: it answers only questions that every "
                f"form asks; add a 'form' column ({known})",
            )
    if problems:
        raise DataFormatError(problems)
    return forms


def _first_answered(
    item_ids: Sequence[str], answered: np.ndarray, column_of: Mapping[str, int]
) -> str:
    """The answered items among ``item_ids``, the first three named."""
    hit = [i for i in item_ids if answered[column_of[i]]]
    return ", ".join(hit[:3]) + (f" and {len(hit) - 3} more" if len(hit) > 3 else "")


def _total_by_form(
    instrument: Instrument,
    domain_id: str,
    row_forms: np.ndarray,
    all_outcomes: np.ndarray,
    raw_points: np.ndarray,
    all_points: np.ndarray,
    column_of: Mapping[str, int],
    policy: MissingPolicy,
) -> tuple[np.ndarray, tuple[FormRange, ...]]:
    """Each row's domain total on its own form's items, and each form's range.

    Items of another form are OTHER_FORM (not asked, so never missing under the zero rule);
    a row of no form answered nothing of the domain and is NOT_ADMINISTERED.
    """
    n_rows = len(row_forms)
    columns = [column_of[i.id] for i in instrument.items_in(domain_id)]
    local = {column: k for k, column in enumerate(columns)}
    judged = all_outcomes[:, columns].copy()
    total = np.full(n_rows, np.nan)
    all_outcomes[:, columns] = _NOT_ADMINISTERED
    all_points[:, columns] = np.nan
    ranges: list[FormRange] = []
    for form in instrument.form_ids:
        asked = np.array([column_of[i.id] for i in instrument.items_in(domain_id, form)])
        low, high = instrument.domain_range(domain_id, form)
        ranges.append(FormRange(form, len(asked), low, high))
        rows = np.flatnonzero(row_forms == form)
        if not len(rows):
            continue
        outcomes = judged[np.ix_(rows, np.array([local[int(c)] for c in asked]))]
        used = raw_points[np.ix_(rows, asked)]
        total[rows] = _domain_total(outcomes, used, policy)
        not_asked = np.array([c for c in columns if c not in asked], dtype=np.int64)
        all_outcomes[np.ix_(rows, not_asked)] = _OTHER_FORM
        all_outcomes[np.ix_(rows, asked)] = outcomes
        all_points[np.ix_(rows, asked)] = used
    return total, tuple(ranges)


def _percent_of_form_range(
    total: np.ndarray, row_forms: np.ndarray, ranges: Sequence[FormRange]
) -> np.ndarray:
    """Each total as a percentage of the range of the form the row answered."""
    percent = np.full(len(total), np.nan)
    for form_range in ranges:
        rows = row_forms == form_range.form
        width = form_range.max_total - form_range.min_total
        percent[rows] = (total[rows] - form_range.min_total) / width * 100.0
    return percent


def _answers(items: Sequence[KeyedItem | RatingItem]) -> Literal["keyed", "rating", "mixed"]:
    """What a domain's total counts: correct answers, ratings, or both."""
    keyed = sum(isinstance(item, KeyedItem) for item in items)
    if keyed == len(items):
        return "keyed"
    return "rating" if keyed == 0 else "mixed"


def scores_from_totals(
    table: ResponseTable,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> ScoredTable:
    """Wrap already-scored domain totals; ``ranges`` gives (min, max) per domain if known.

    Each score column becomes a domain (label: the column name with underscores as spaces,
    first letter capitalised; ``n_items`` 0; range from ``ranges`` or None). The policy is
    recorded as SEED but means nothing here: the totals were scored before imheval saw them.

    Raises :class:`DataFormatError` when the table has no score columns, when a range names a
    column that is not a domain total or is not a valid (min < max) range, or when a total falls
    outside its range (naming each such row).
    """
    if not table.score_columns:
        what = "item answers; score them against an instrument" if table.item_columns else ""
        raise DataFormatError(
            [
                Problem(
                    file=table.source,
                    message="the responses have no domain-total columns"
                    + (f" (they hold {what})" if what else ""),
                )
            ]
        )
    given = dict(ranges or {})
    problems = _range_problems(table, given)
    if problems:
        raise DataFormatError(problems)

    domains = []
    for column in table.score_columns:
        low, high = (float(v) for v in given[column]) if column in given else (None, None)
        domains.append(
            DomainInfo(
                id=column,
                label=_label_from_column(column),
                n_items=0,
                min_total=low,
                max_total=high,
            )
        )
    totals = {
        column: table.frame[column].to_numpy(dtype=np.float64) for column in table.score_columns
    }
    return ScoredTable(
        frame=_with_totals(table.frame, totals),
        domains=tuple(domains),
        policy=MissingPolicy.SEED,
        source=table.source,
    )


#: Columns of :func:`zero_reasons`, after ``domain`` and ``timepoint``.
ZERO_REASON_COLUMNS: Final = ("wrong", "missing", "invalid", "not_administered", "scored")


def zero_reasons(scored: ScoredTable) -> pd.DataFrame:
    """How many item answers were scored, and why the others scored nothing.

    One row per domain and timepoint present (domains in scored order, timepoints in
    pre/post/followup order) with integer counts of item answers: ``wrong``, ``missing``,
    ``invalid``, ``not_administered`` (the whole domain was blank) and ``scored``. Reports use it
    to show how much seed 000's "missing counts as zero" rule matters. Bare totals have no item
    outcomes, so the result is then empty (with the same columns).
    """
    columns = ["domain", "timepoint", *ZERO_REASON_COLUMNS]
    outcomes = scored.item_outcomes
    if outcomes is None or scored.item_domains is None or len(scored.frame) == 0:
        return pd.DataFrame(
            {c: pd.Series([], dtype="str" if c in columns[:2] else np.int64) for c in columns}
        )
    timepoint = scored.frame["timepoint"].to_numpy()
    # each row's timepoint as a number (-1: none of TIMEPOINTS), so the outcomes of each
    # timepoint are counted together in one bincount per item
    position = np.full(len(timepoint), -1, dtype=np.int64)
    for index, tp in enumerate(TIMEPOINTS):
        position[timepoint == tp] = index
    present = [index for index in range(len(TIMEPOINTS)) if (position == index).any()]
    known = position >= 0
    n_codes = len(ItemOutcome)
    base = position[known] * n_codes
    codes = {
        "wrong": ItemOutcome.WRONG,
        "missing": ItemOutcome.MISSING,
        "invalid": ItemOutcome.INVALID,
        "not_administered": ItemOutcome.NOT_ADMINISTERED,
        "scored": ItemOutcome.SCORED,
    }
    records: list[dict[str, object]] = []
    for info in scored.domains:
        counts = np.zeros(len(TIMEPOINTS) * n_codes, dtype=np.int64)
        for item, domain in scored.item_domains.items():
            if domain == info.id:
                item_codes = outcomes[item].to_numpy()[known]
                counts += np.bincount(base + item_codes, minlength=counts.size)
        for index in present:
            record: dict[str, object] = {"domain": info.id, "timepoint": TIMEPOINTS[index]}
            for name in ZERO_REASON_COLUMNS:
                record[name] = int(counts[index * n_codes + codes[name]])
            records.append(record)
    result = pd.DataFrame.from_records(records, columns=columns)
    return result.astype({name: np.int64 for name in ZERO_REASON_COLUMNS})


_Judge = Callable[[str], tuple[int, float]]


# --- judging answers --------------------------------------------------------------------------

#: A whole number as typed or exported ("3", "+3", "-1", "3.0"); "2.5" is not on any scale.
_WHOLE_NUMBER: Final = re.compile(r"[+-]?\d+(?:\.0*)?")

_SCORED: Final = int(ItemOutcome.SCORED)
_WRONG: Final = int(ItemOutcome.WRONG)
_MISSING: Final = int(ItemOutcome.MISSING)
_INVALID: Final = int(ItemOutcome.INVALID)
_NOT_ADMINISTERED: Final = int(ItemOutcome.NOT_ADMINISTERED)
_OTHER_FORM: Final = int(ItemOutcome.OTHER_FORM)


def _option_lookup(item: KeyedItem) -> dict[str, str]:
    """An answer as typed (case-folded) -> the option's code; codes win over texts when a text
    happens to equal another option's code."""
    lookup = {text.strip().casefold(): code for code, text in item.options.items()}
    lookup.update({code.strip().casefold(): code for code in item.options})
    return lookup


def chosen_options(answers: pd.Series, item: KeyedItem) -> np.ndarray:
    """Each answer's option code, read as scoring reads it; "" for a blank or an answer that is
    not an option (object array, one per row)."""
    codes, options = option_codes(answers, item)
    # index -1 (a missing value) is a blank
    per_answer: np.ndarray = np.append(options, "")[codes]
    return per_answer


def option_codes(answers: pd.Series, item: KeyedItem) -> tuple[np.ndarray, np.ndarray]:
    """(each answer's position in the distinct answers, -1 for a missing value; the option
    code each distinct answer reads as, "" for a blank or an answer that is not an option).

    Each distinct answer is looked up once, so counting the options chosen is a ``bincount``.
    """
    lookup = _option_lookup(item)
    codes, uniques = _distinct_answers(answers)
    options = np.array([lookup.get(str(u).strip().casefold(), "") for u in uniques], dtype=object)
    return codes, options


def _judge_keyed(
    answers: pd.Series | None, item: KeyedItem, n_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """(outcome codes, points: NaN unless SCORED or WRONG) for one keyed item."""
    lookup = _option_lookup(item)
    keys = set(item.key)

    def judge(text: str) -> tuple[int, float]:
        if text == "":
            return _MISSING, np.nan
        code = lookup.get(text.casefold())
        if code is None:
            return _INVALID, np.nan
        return (_SCORED, item.points) if code in keys else (_WRONG, 0.0)

    return _judge_distinct(answers, judge, n_rows)


def _judge_rating(
    answers: pd.Series | None, item: RatingItem, scale: RatingScale, n_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """(outcome codes, points: NaN unless SCORED) for one rating item."""
    labels = {label.strip().casefold(): value for value, label in scale.labels.items()}

    def judge(text: str) -> tuple[int, float]:
        if text == "":
            return _MISSING, np.nan
        value: int | None
        if _WHOLE_NUMBER.fullmatch(text):
            value = int(text.split(".")[0])
        else:
            value = labels.get(text.casefold())
        if value is None or not scale.min <= value <= scale.max:
            return _INVALID, np.nan
        if item.reverse:
            value = scale.min + scale.max - value
        return _SCORED, float(value)

    return _judge_distinct(answers, judge, n_rows)


def _judge_distinct(
    answers: pd.Series | None, judge: _Judge, n_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``judge`` to each distinct stripped answer once and spread the verdicts."""
    if answers is None:  # the item's column is not in the file: every answer is blank
        outcome, points = judge("")
        return np.full(n_rows, outcome, dtype=np.int8), np.full(n_rows, points)
    codes, uniques = _distinct_answers(answers)
    verdicts = [judge(str(u).strip()) for u in uniques]
    verdicts.append(judge(""))  # index -1: a missing value is a blank answer
    outcome_of = np.array([v[0] for v in verdicts], dtype=np.int8)
    points_of = np.array([v[1] for v in verdicts], dtype=np.float64)
    return outcome_of[codes], points_of[codes]


def _distinct_answers(answers: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(position of each answer in the distinct answers, the distinct answers as an object
    array); a missing value (NaN/None, from callers other than the reader) is at -1."""
    if isinstance(answers.dtype, pd.CategoricalDtype):  # the reader's answers: already coded
        return answers.cat.codes.to_numpy(), answers.cat.categories.to_numpy(dtype=object)
    # Hashing the plain object array is faster than the string-dtype path.
    codes, uniques = pd.factorize(answers.to_numpy(dtype=object))
    return codes, np.asarray(uniques, dtype=object)


# --- domain totals ----------------------------------------------------------------------------


def _domain_total(outcomes: np.ndarray, points: np.ndarray, policy: MissingPolicy) -> np.ndarray:
    """The domain total per row under ``policy``.

    Both arrays are changed in place: rows where every item is blank become NOT_ADMINISTERED
    in ``outcomes``, and ``points`` (the points as judged) become the points each item
    contributes (NaN where the policy leaves an item out, and in rows not administered).
    """
    n_items = outcomes.shape[1]
    not_administered = (outcomes == _MISSING).all(axis=1)
    outcomes[not_administered] = _NOT_ADMINISTERED
    valid = (outcomes == _SCORED) | (outcomes == _WRONG)
    np.copyto(points, 0.0, where=~valid)
    valid_sum = points.sum(axis=1)
    if policy is MissingPolicy.SEED:
        total = valid_sum
    else:
        np.copyto(points, np.nan, where=~valid)
        n_valid = valid.sum(axis=1)
        if policy is MissingPolicy.COMPLETE_CASE:
            total = np.where(n_valid == n_items, valid_sum, np.nan)
        else:
            enough = 2 * n_valid >= n_items  # at least half; implies n_valid >= 1
            mean = np.divide(valid_sum, n_valid, out=np.zeros_like(valid_sum), where=enough)
            total = np.where(enough, mean * n_items, np.nan)
    points[not_administered] = np.nan
    total = np.where(not_administered, np.nan, total)
    return total


def _as_slice(columns: Sequence[int]) -> slice | list[int]:
    """``columns`` as a slice when they are consecutive (indexing then gives a view), else as
    they are."""
    if columns and list(columns) == list(range(columns[0], columns[0] + len(columns))):
        return slice(columns[0], columns[0] + len(columns))
    return list(columns)


def _with_totals(frame: pd.DataFrame, totals: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The reserved columns and source_row of ``frame`` followed by one column per domain."""
    base = frame[[*RESERVED_COLUMNS, SOURCE_ROW]]
    scores = pd.DataFrame(
        {name: np.asarray(values, dtype=np.float64) for name, values in totals.items()},
        index=frame.index,
    )
    return pd.concat([base, scores], axis=1)


# --- checks -----------------------------------------------------------------------------------


def _range_problems(
    table: ResponseTable, ranges: Mapping[str, tuple[float, float]]
) -> list[Problem]:
    problems = []
    for column, bounds in ranges.items():
        if column not in table.score_columns:
            problems.append(
                Problem(
                    file=table.source,
                    column=column,
                    message=(
                        "a range was given for this column, but it is not a domain-total "
                        "column of the responses (columns: " + ", ".join(table.score_columns) + ")"
                    ),
                )
            )
            continue
        low, high = (float(v) for v in bounds)
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            problems.append(
                Problem(
                    file=table.source,
                    column=column,
                    message=f"the range {low:g} to {high:g} is not valid (the minimum must be "
                    "below the maximum)",
                )
            )
            continue
        values = table.frame[column].to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            outside = (values < low) | (values > high)
        source_rows = table.frame[SOURCE_ROW].to_numpy()
        for index in np.flatnonzero(outside):
            problems.append(
                Problem(
                    file=table.source,
                    row=int(source_rows[index]),
                    column=column,
                    message=f"the total {values[index]:g} is outside the range {low:g} to {high:g}",
                )
            )
    return problems


def _label_from_column(column: str) -> str:
    """'risk_identification' -> 'Risk identification' (the rest of the name keeps its case)."""
    spaced = column.replace("_", " ").strip()
    return spaced[:1].upper() + spaced[1:]
