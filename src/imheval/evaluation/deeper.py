"""The deeper analyses of one domain, run after the main plan (:func:`deeper_analyses`).

Item analysis and reliability (with item-level data), reliable change (Jacobson-Truax, using
the domain's KR-20 / alpha at pre-test), retention at follow-up, and a linear mixed model of
score over time with cohort and participant effects. :func:`item_matrices` pairs each matched
person's item points before and after.

Each part is a frozen value with ``to_dict()``; a part that cannot be computed says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from imheval.evaluation.distractors import (
    CompetencyFacility,
    WrongAnswer,
    competency_facility,
    mean_of_known,
    popular_wrong_answers,
)
from imheval.evaluation.gains import GainAnalyses, gain_analyses
from imheval.evaluation.group_rule import group_codes, matched_pairs
from imheval.evaluation.programmes import ProgrammeModel, programme_analysis
from imheval.evaluation.retrospective import RetrospectiveAnalysis, retrospective_analysis
from imheval.instruments.model import Instrument, RatingItem
from imheval.io.table import FORM, TIMEPOINTS, ResponseTable
from imheval.matching import MatchResult
from imheval.scoring import DomainInfo, ItemOutcome, ScoredTable
from imheval.stats import (
    ItemAnalysis,
    MixedModelResult,
    ReliableChange,
    Retention,
    item_analysis,
    mixed_model,
    reliable_change,
    retention,
)


@dataclass(frozen=True, slots=True)
class ItemMatrices:
    """Item points of one domain for the people matched at pre and post, row for row.

    ``pre`` and ``post`` are people x items float arrays (NaN where the policy left an item
    unscored); row i of both belongs to the same person. ``max_points`` and ``min_points``
    hold each item's range.
    """

    domain: str
    item_ids: tuple[str, ...]
    pre: np.ndarray
    post: np.ndarray
    max_points: tuple[float, ...]
    min_points: tuple[float, ...]


def item_matrices(
    scored: ScoredTable, matched: MatchResult, instruments: Sequence[Instrument], domain: str
) -> ItemMatrices | None:
    """Pair each matched person's item points before and after, for one domain.

    None when there are no item-level data. People count when the domain was measured at both
    timepoints (its total is not missing at either).
    """
    if scored.item_points is None or scored.item_domains is None:
        return None
    items = [i for instrument in instruments for i in instrument.items_in(domain)]
    ranges = {
        item.id: (instrument.item_min(item), instrument.item_max(item))
        for instrument in instruments
        for item in instrument.items_in(domain)
    }
    item_ids = tuple(i.id for i in items if i.id in scored.item_points.columns)
    pre_rows = matched.rows_at("pre")
    post_rows = matched.rows_at("post")
    totals = scored.frame[domain].to_numpy(dtype=float)
    both = (pre_rows >= 0) & (post_rows >= 0)
    both[both] = ~np.isnan(totals[pre_rows[both]]) & ~np.isnan(totals[post_rows[both]])
    pre_rows, post_rows = pre_rows[both], post_rows[both]
    rating = {i.id for i in items if isinstance(i, RatingItem)}
    pre = np.empty((len(pre_rows), len(item_ids)), dtype=np.float64, order="F")
    post = np.empty((len(post_rows), len(item_ids)), dtype=np.float64, order="F")
    # Column by column, only the matched rows: the whole table's points are never copied.
    for j, item_id in enumerate(item_ids):
        points = scored.item_points[item_id].to_numpy(dtype=np.float64)
        pre[:, j] = points[pre_rows]
        post[:, j] = points[post_rows]
        if item_id in rating and scored.item_outcomes is not None:
            # Item analysis describes answers people gave. A blank or invalid rating scores 0
            # under the seed rule, which is outside the scale; it is left out here. Keyed items
            # keep the seed's 0, which is what "wrong or missing" means for facility.
            outcomes = scored.item_outcomes[item_id].to_numpy()
            pre[_unanswered(outcomes[pre_rows]), j] = np.nan
            post[_unanswered(outcomes[post_rows]), j] = np.nan
    return ItemMatrices(
        domain=domain,
        item_ids=item_ids,
        pre=pre,
        post=post,
        max_points=tuple(ranges[i][1] for i in item_ids),
        min_points=tuple(ranges[i][0] for i in item_ids),
    )


def _unanswered(outcomes: np.ndarray) -> np.ndarray:
    """Where ``outcomes`` say an item was left blank or answered with something invalid."""
    unanswered: np.ndarray = (outcomes == ItemOutcome.MISSING) | (outcomes == ItemOutcome.INVALID)
    return unanswered


@dataclass(frozen=True, slots=True)
class FormItems:
    """Item analysis of one parallel form of a domain.

    ``before`` describes the matched people who answered this form before training, ``after``
    those who answered it after (each one timepoint, so its figures are in the ``*_pre``
    fields, and its ``reliability_pre`` is the form's KR-20 / alpha then); None when fewer than
    the minimum group size did.
    """

    form: str
    before: ItemAnalysis | None
    after: ItemAnalysis | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "before": self.before.to_dict() if self.before is not None else None,
            "after": self.after.to_dict() if self.after is not None else None,
        }


@dataclass(frozen=True, slots=True)
class OrderChange:
    """Reliable change of the people who answered form ``before`` at pre-test and ``after`` at
    post-test, with the KR-20 / alpha of ``before`` at pre-test."""

    before: str
    after: str
    reliable_change: ReliableChange

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "reliable_change": self.reliable_change.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class DomainExtras:
    """The deeper analyses of one domain (see the module docstring).

    When people answered different forms of the domain, ``items`` is None (the same item was
    not asked before and after) and ``forms`` holds each form's item analysis;
    ``reliable_change_by_order`` holds reliable change per pair of forms (A then B, B then A),
    and ``reliable_change`` that of everyone, with the forms' pre-test reliabilities averaged
    (weighted by the number of people).
    """

    domain: str
    items: ItemAnalysis | None
    reliable_change: ReliableChange
    retention: Retention | None
    mixed_model: MixedModelResult
    forms: tuple[FormItems, ...] = ()
    reliable_change_by_order: tuple[OrderChange, ...] = ()
    #: Per keyed question, the wrong answer chosen most often before training (see
    #: :mod:`imheval.evaluation.distractors`); empty without the answers to each question.
    wrong_answers: tuple[WrongAnswer, ...] = ()
    #: The item analysis by competency domain, where the instrument maps its questions.
    competencies: tuple[CompetencyFacility, ...] = ()
    #: Did the gain differ between programmes, allowing for cohorts (None: fewer than two).
    programme_model: ProgrammeModel | None = None
    #: ANCOVA of post on pre by group, normalised gain and the floor flag.
    gains: GainAnalyses | None = None
    #: Then against now for retrospective items (None: the domain has none).
    retrospective: RetrospectiveAnalysis | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_analysis": self.items.to_dict() if self.items is not None else None,
            "reliable_change": self.reliable_change.to_dict(),
            "retention": self.retention.to_dict() if self.retention is not None else None,
            "mixed_model": self.mixed_model.to_dict(),
            "item_analysis_by_form": [form.to_dict() for form in self.forms],
            "reliable_change_by_order": [o.to_dict() for o in self.reliable_change_by_order],
            "wrong_answers": [answer.to_dict() for answer in self.wrong_answers],
            "competencies": [entry.to_dict() for entry in self.competencies],
            "programme_model": (
                self.programme_model.to_dict() if self.programme_model is not None else None
            ),
            "gains": self.gains.to_dict() if self.gains is not None else None,
            "retrospective": (
                self.retrospective.to_dict() if self.retrospective is not None else None
            ),
        }


def deeper_analyses(
    scored: ScoredTable,
    matched: MatchResult,
    instruments: Sequence[Instrument],
    domain: str,
    *,
    min_group_size: int = 5,
    table: ResponseTable | None = None,
) -> DomainExtras:
    """Item analysis, reliable change, retention and the mixed model for one domain.

    When people answered different forms of the domain, item analysis is per form and
    reliable change also per pair of forms (see :class:`DomainExtras`); a form or an order
    with fewer than ``min_group_size`` people is not analysed.
    """
    # The item matrices and the matched pairs are let go (by the helpers returning) before the
    # models run, so a national file does not hold them through its largest step.
    on_forms = scored.domain(domain).scale == "percent_of_maximum"
    items = None if on_forms else _matched_item_analysis(scored, matched, instruments, domain)
    reliability = items.reliability_pre.alpha if items is not None else None
    form_items: tuple[FormItems, ...] = ()
    by_order: tuple[OrderChange, ...] = ()
    if on_forms:
        form_items = _items_by_form(scored, matched, instruments, domain, min_group_size)
        by_order = _change_by_order(scored, matched, domain, form_items, min_group_size)
        reliability = _pooled_reliability(form_items)
    change, gains = _pair_analyses(matched, scored.domain(domain), reliability, min_group_size)
    if (items is not None or form_items) and change.reason is not None and reliability is not None:
        name = items.reliability_pre.name if items is not None else "KR-20 / alpha"
        change = replace(
            change,
            reason=f"the domain's {name} at pre-test is {reliability:.2f}; "
            "reliable change needs a reliability between 0 and 1 (in practice above about .70), "
            "so individual change cannot be judged with these items",
        )
    if reliability is None and change.reason is not None:
        change = replace(
            change,
            reason="no reliability estimate for this domain: reliable change needs item-level "
            "answers (for KR-20 / Cronbach's alpha) or a test-retest reliability",
        )

    people = matched.people
    follow_column = f"{domain}@followup"
    kept: Retention | None = None
    if people[follow_column].notna().any():
        kept = retention(
            people[f"{domain}@pre"].to_numpy(dtype=float),
            people[f"{domain}@post"].to_numpy(dtype=float),
            people[follow_column].to_numpy(dtype=float),
        )

    # The long frame comes from the matched people, so confirmed probable matches count as one
    # person, exactly as in the paired tests. People go in as integer positions: the model only
    # needs to tell them apart, and integers are much faster to group than text. Cohorts keep
    # their names, which label the fixed cohort effects when there are fewer than 5 cohorts;
    # cohort, programme and time are categorical (the codes the matched pairs already have), so
    # the model and the programme analysis group their codes, not their text.
    n_people = len(people)
    scores = np.concatenate(
        [people[f"{domain}@{timepoint}"].to_numpy(dtype=float) for timepoint in TIMEPOINTS]
    )
    measured = np.flatnonzero(~np.isnan(scores))  # the rows kept of people x timepoints
    person = measured % max(n_people, 1)
    long = pd.DataFrame(
        {
            "cohort": _people_column(people, "cohort", person),
            "programme": _people_column(people, "programme", person),
            "participant": person,
            "time": pd.Categorical.from_codes(
                measured // max(n_people, 1), categories=pd.Index(TIMEPOINTS, dtype=object)
            ),
            "score": scores[measured],
        },
        index=measured,
    )
    model = mixed_model(long.drop(columns="programme"))
    return DomainExtras(
        domain=domain,
        items=items,
        reliable_change=change,
        retention=kept,
        mixed_model=model,
        forms=form_items,
        reliable_change_by_order=by_order,
        competencies=competency_facility(instruments, domain, _facilities(items, form_items)),
        wrong_answers=popular_wrong_answers(
            table, scored, matched, instruments, domain, min_group_size
        )
        if table is not None
        else (),
        programme_model=programme_analysis(long, min_group_size),
        gains=gains,
        retrospective=retrospective_analysis(
            table, scored, matched, instruments, domain, min_group_size
        ),
    )


def _matched_item_analysis(
    scored: ScoredTable, matched: MatchResult, instruments: Sequence[Instrument], domain: str
) -> ItemAnalysis | None:
    """The item analysis of :func:`item_matrices` (None without item-level data or people)."""
    matrices = item_matrices(scored, matched, instruments, domain)
    if matrices is None or not matrices.item_ids or not len(matrices.pre):
        return None
    return item_analysis(
        matrices.pre,
        matrices.post,
        item_ids=matrices.item_ids,
        max_points=matrices.max_points,
        min_points=matrices.min_points,
    )


def _pair_analyses(
    matched: MatchResult, info: DomainInfo, reliability: float | None, min_group_size: int
) -> tuple[ReliableChange, GainAnalyses]:
    """Reliable change and the gain analyses, of the people measured before and after."""
    pairs = matched_pairs(matched, info.id)
    change = reliable_change(
        pairs["pre"].to_numpy(dtype=float), pairs["post"].to_numpy(dtype=float), reliability
    )
    return change, gain_analyses(info, pairs, min_group_size)


def _people_column(people: pd.DataFrame, column: str, rows: np.ndarray) -> object:
    """``people[column]`` (as text) at ``rows``: a Categorical over the column's codes, or
    text when the column has a missing value."""
    coded = group_codes(people, column)
    if coded is None:
        text: np.ndarray = people[column].astype(str).to_numpy(dtype=object)[rows]
        return text
    return coded.categorical(rows)


def _facilities(
    items: ItemAnalysis | None, forms: Sequence[FormItems]
) -> dict[str, tuple[float | None, float | None]]:
    """Each question's facility (before, after): from the item analysis, or with parallel forms
    from the analysis of the form that holds it (its figures sit in the ``*_pre`` fields)."""
    if items is not None:
        return {s.item: (s.facility_pre, s.facility_post) for s in items.items}
    before: dict[str, list[float]] = {}
    after: dict[str, list[float]] = {}
    for form in forms:
        # a question common to every form is in each form's analysis: its facilities averaged
        for analysis, into in ((form.before, before), (form.after, after)):
            for stats in analysis.items if analysis is not None else ():
                if stats.facility_pre is not None:
                    into.setdefault(stats.item, []).append(stats.facility_pre)

    return {
        item: (mean_of_known(before.get(item, [])), mean_of_known(after.get(item, [])))
        for item in before | after
    }


def _form_rows(
    scored: ScoredTable, matched: MatchResult, domain: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pre rows, post rows, forms per row) of the matched people measured at both."""
    pre_rows = matched.rows_at("pre")
    post_rows = matched.rows_at("post")
    totals = scored.frame[domain].to_numpy(dtype=float)
    both = (pre_rows >= 0) & (post_rows >= 0)
    both[both] = ~np.isnan(totals[pre_rows[both]]) & ~np.isnan(totals[post_rows[both]])
    forms = scored.frame[FORM].to_numpy(dtype=object)
    return pre_rows[both], post_rows[both], forms


def _items_by_form(
    scored: ScoredTable,
    matched: MatchResult,
    instruments: Sequence[Instrument],
    domain: str,
    min_group_size: int,
) -> tuple[FormItems, ...]:
    """Each form's item analysis, before and after training (see :class:`FormItems`)."""
    if scored.item_points is None:
        return ()
    pre_rows, post_rows, forms = _form_rows(scored, matched, domain)
    found: list[FormItems] = []
    for instrument in instruments:
        for form in instrument.form_ids:
            items = instrument.items_in(domain, form)
            if not items:
                continue
            ids = [item.id for item in items]
            points = scored.item_points[ids].to_numpy(dtype=float)
            if scored.item_outcomes is not None:
                # As in item_matrices: a blank rating is left out, a keyed blank scores 0.
                outcomes = scored.item_outcomes[ids].to_numpy()
                rating = np.array([isinstance(i, RatingItem) for i in items])
                unanswered = _unanswered(outcomes)
                points = np.where(unanswered & rating[np.newaxis, :], np.nan, points)

            lows = [instrument.item_min(i) for i in items]
            highs = [instrument.item_max(i) for i in items]
            found.append(
                FormItems(
                    form=form,
                    before=_form_analysis(
                        points, pre_rows[forms[pre_rows] == form], ids, lows, highs, min_group_size
                    ),
                    after=_form_analysis(
                        points,
                        post_rows[forms[post_rows] == form],
                        ids,
                        lows,
                        highs,
                        min_group_size,
                    ),
                )
            )
    return tuple(found)


def _form_analysis(
    points: np.ndarray,
    rows: np.ndarray,
    item_ids: Sequence[str],
    lows: Sequence[float],
    highs: Sequence[float],
    min_group_size: int,
) -> ItemAnalysis | None:
    """One form's item analysis at one timepoint, None for fewer than the minimum group."""
    if len(rows) < max(min_group_size, 2):
        return None
    return item_analysis(points[rows], item_ids=item_ids, max_points=highs, min_points=lows)


def _pooled_reliability(forms: Sequence[FormItems]) -> float | None:
    """The forms' pre-test KR-20 / alpha averaged, weighted by the people answering each."""
    values = [
        (f.before.reliability_pre.alpha, f.before.reliability_pre.n)
        for f in forms
        if f.before is not None and f.before.reliability_pre.alpha is not None
    ]
    total = sum(n for _, n in values)
    if not values or total == 0:
        return None
    return sum(alpha * n for alpha, n in values) / total


def _change_by_order(
    scored: ScoredTable,
    matched: MatchResult,
    domain: str,
    forms: Sequence[FormItems],
    min_group_size: int,
) -> tuple[OrderChange, ...]:
    """Reliable change per pair of forms, with the first form's pre-test reliability."""
    pre_rows, post_rows, row_forms = _form_rows(scored, matched, domain)
    totals = scored.frame[domain].to_numpy(dtype=float)
    reliability = {f.form: f.before.reliability_pre.alpha for f in forms if f.before is not None}
    pairs = sorted(
        {(str(row_forms[a]), str(row_forms[b])) for a, b in zip(pre_rows, post_rows, strict=True)}
    )
    changes: list[OrderChange] = []
    for before, after in pairs:
        chosen = (row_forms[pre_rows] == before) & (row_forms[post_rows] == after)
        n = int(chosen.sum())
        if n < min_group_size:
            change = ReliableChange(
                n=n,
                reliability=None,
                reason=f"fewer than {min_group_size} people answered form {before} before "
                f"and form {after} after training",
            )
        else:
            change = reliable_change(
                totals[pre_rows[chosen]], totals[post_rows[chosen]], reliability.get(before)
            )
        changes.append(OrderChange(before=before, after=after, reliable_change=change))
    return tuple(changes)
