"""A domain asked at one timepoint only: described, not tested for change.

Reaction is asked once, at the end of training; the practice questions of
``imh-practice-followup`` once, at follow-up. Nothing can change within one timepoint, so such a
domain is described: how many answered, the mean, SD and median of the total, by cohort and by
programme (groups smaller than ``min_group_size`` hidden through
:func:`imheval.suppression.suppress`, cohorts within their programme, so a hidden group cannot be
worked out from the total or from its programme: :func:`suppress_nested`), and each item's
answers (blank or invalid ones left out, though the seed rule scores them 0 in the total): their
mean (hidden when any count is), and how many gave each answer. For a scale that starts at 0
("not at all") the share answering at least the next step ("once" or more) is given; for any
other scale the share answering above its middle (4 or 5 on 1 to 5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from imheval.findings import Finding, Stats, finding
from imheval.findings.wording import people as people_words
from imheval.instruments.model import Instrument, RatingItem, RatingScale, short_wording
from imheval.scoring import DomainInfo, ItemOutcome, ScoredTable
from imheval.stats._common import finite_or_none
from imheval.suppression import suppress

#: Timepoints in words, for sentences ("at follow-up").
WHEN: dict[str, str] = {
    "pre": "before training",
    "post": "at the end of training",
    "followup": "at follow-up",
}


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One cohort or programme: people and the mean and SD of the domain total.

    ``hidden``: the group is too small to show, or would let a small one be worked out; its
    figures are then None.
    """

    grouping: str  # "cohort" | "programme"
    group: str
    n: int | None
    mean: float | None
    sd: float | None
    hidden: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "grouping": self.grouping,
            "group": self.group,
            "n": self.n,
            "mean": finite_or_none(self.mean),
            "sd": finite_or_none(self.sd),
            "hidden": self.hidden,
        }


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """One rating item's answers: people, mean, SD and how many gave each answer.

    ``answers`` is ((value, label, count), ...) for every point of the scale (label "" when the
    scale names none). ``share_at_least`` is the share of people answering ``at_least`` or
    more (``at_least_label`` its words: "Once" or more, or above the middle). Counts of 1 to
    ``min_group_size - 1`` are hidden (None), as is anything that would reveal one: when any
    count is hidden the mean and SD are too (with n they would solve the hidden counts), and the
    share is hidden unless every count on one side of ``at_least`` is shown.
    """

    item: str
    text: str
    wording: str
    n: int
    mean: float | None
    sd: float | None
    answers: tuple[tuple[int, str, int | None], ...]
    at_least: int | None
    at_least_label: str
    share_at_least: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "text": self.text,
            "wording": self.wording,
            "n": self.n,
            "mean": finite_or_none(self.mean),
            "sd": finite_or_none(self.sd),
            "answers": [
                {"value": value, "label": label, "count": count}
                for value, label, count in self.answers
            ],
            "at_least": self.at_least,
            "at_least_label": self.at_least_label,
            "share_at_least": finite_or_none(self.share_at_least),
        }


@dataclass(frozen=True, slots=True)
class SingleTimepoint:
    """A domain measured at one timepoint only, described (see the module docstring).

    ``reason`` says why figures are not given (nobody, or too few people, answered); otherwise
    None. Means are score points of the domain total (``min_total`` to ``max_total``).
    """

    domain: str
    label: str
    timepoint: str
    n: int
    mean: float | None
    sd: float | None
    median: float | None
    min_total: float | None
    max_total: float | None
    groups: tuple[GroupSummary, ...]
    items: tuple[ItemSummary, ...]
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    @property
    def when(self) -> str:
        return WHEN.get(self.timepoint, f"at {self.timepoint}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON entry of ``single_timepoint`` (docs/evaluation-json.md)."""
        return {
            "domain": self.domain,
            "label": self.label,
            "timepoint": self.timepoint,
            "n": self.n,
            "mean": finite_or_none(self.mean),
            "sd": finite_or_none(self.sd),
            "median": finite_or_none(self.median),
            "min_total": finite_or_none(self.min_total),
            "max_total": finite_or_none(self.max_total),
            "reason": self.reason,
            "groups": [g.to_dict() for g in self.groups],
            "items": [i.to_dict() for i in self.items],
        }


def timepoints_measured(scored: ScoredTable, domain: str) -> tuple[str, ...]:
    """The timepoints at which ``domain`` has at least one score, in file order."""
    frame = scored.frame
    present = frame.loc[frame[domain].notna(), "timepoint"].astype(str)
    return tuple(str(t) for t in pd.unique(present))


def describe_single_timepoint(
    scored: ScoredTable,
    info: DomainInfo,
    timepoint: str,
    instruments: Sequence[Instrument],
    min_group_size: int,
) -> SingleTimepoint:
    """Describe ``info`` from its scores at ``timepoint`` (see the module docstring).

    Never raises on real data: nobody, or fewer than ``min_group_size`` people, answering gives
    a result with no figures and the ``reason``.
    """
    frame = scored.frame
    rows = frame[(frame["timepoint"].astype(str) == timepoint) & frame[info.id].notna()]
    values = rows[info.id].to_numpy(dtype=float)
    n = len(values)
    empty = SingleTimepoint(
        info.id, info.label, timepoint, n, None, None, None, info.min_total, info.max_total, (), ()
    )
    if n == 0:
        return _with_reason(empty, f"nobody answered {info.label} {WHEN.get(timepoint, '')}")
    if n < min_group_size:
        return _with_reason(
            empty, f"fewer than {min_group_size} people answered, too few to report"
        )
    groups = _group_summaries(rows, info.id, min_group_size)
    return SingleTimepoint(
        domain=info.id,
        label=info.label,
        timepoint=timepoint,
        n=n,
        mean=float(values.mean()),
        sd=float(values.std(ddof=1)) if n > 1 else None,
        median=float(np.median(values)),
        min_total=info.min_total,
        max_total=info.max_total,
        groups=tuple(groups),
        items=tuple(_items(scored, rows.index, info.id, instruments, min_group_size)),
    )


def _group_summaries(rows: pd.DataFrame, domain: str, min_group_size: int) -> list[GroupSummary]:
    """Programmes, then cohorts, with small groups hidden so none can be worked out.

    Cohorts are nested in programmes, so a programme's total is a margin of its cohorts: the
    cohorts are protected within each programme (:func:`suppress_nested`). When a cohort's rows
    name more than one programme the two groupings do not nest, and only programmes are shown.
    """
    labels = {
        grouping: rows[grouping].astype(str).replace("", "Not recorded")
        for grouping in ("programme", "cohort")
        if grouping in rows.columns
    }
    values = {
        grouping: [
            (str(label), group[domain].to_numpy(dtype=float))
            for label, group in rows.groupby(column, sort=False)
        ]
        for grouping, column in labels.items()
    }
    programmes = values.get("programme", [])
    cohorts = values.get("cohort", [])
    nested = "programme" in labels and "cohort" in labels
    cohort_programme: list[int] = []
    if nested:
        position = {label: i for i, (label, _) in enumerate(programmes)}
        pairs = pd.DataFrame({"c": labels["cohort"], "p": labels["programme"]}).drop_duplicates()
        if pairs["c"].duplicated().any():
            nested = False
            cohorts = []
        else:
            of = dict(zip(pairs["c"], pairs["p"], strict=True))
            cohort_programme = [position[of[label]] for label, _ in cohorts]
    if not nested:
        # one grouping only: each protected with the overall total as its margin
        if len(programmes) >= 2:
            cohorts, cohort_programme = [], []
        else:
            programmes = [("", np.concatenate([v for _, v in cohorts]))] if cohorts else []
            cohort_programme = [0] * len(cohorts)
    hide_programme, hide_cohort = suppress_nested(
        [len(v) for _, v in programmes],
        cohort_programme,
        [len(v) for _, v in cohorts],
        min_group_size,
    )
    groups: list[GroupSummary] = []
    for grouping, parts, hidden in (
        ("programme", programmes, hide_programme),
        ("cohort", cohorts, hide_cohort),
    ):
        if len(parts) < 2:
            continue
        for (label, group_values), hide in zip(parts, hidden, strict=True):
            groups.append(
                GroupSummary(
                    grouping,
                    label,
                    None if hide else len(group_values),
                    None if hide else float(group_values.mean()),
                    None if hide or len(group_values) < 2 else float(group_values.std(ddof=1)),
                    hide,
                )
            )
    return groups


def suppress_nested(
    programme_counts: Sequence[int],
    cohort_programme: Sequence[int],
    cohort_counts: Sequence[int],
    min_size: int,
) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
    """Which programmes and which cohorts (nested in them) to hide, when both are published.

    ``cohort_programme[i]`` is the position of cohort ``i``'s programme; a programme's count is
    the sum of its cohorts', and the programmes' counts add up to the published total. The one
    rule (:func:`imheval.suppression.suppress`) is applied at both levels, each with its margin:
    the programmes with the total; the cohorts of a shown programme with that programme's
    count (a programme whose cohorts cannot be protected so is hidden too); the cohorts of the
    hidden programmes are all hidden, and together (their sum is known from the total and the
    shown programmes) must pass the rule, or a further programme is hidden. This repeats until
    nothing changes. Everything is hidden when the total itself cannot be shown.
    """
    n_programmes = len(programme_counts)
    hidden: set[int] = set()
    while True:
        top = suppress(programme_counts, min_size, hidden=sorted(hidden))
        if top.total_hidden:
            return (
                tuple(n > 0 for n in programme_counts),
                tuple(n > 0 for n in cohort_counts),
            )
        now = {p for p, hide in enumerate(top.hidden) if hide}
        hide_cohort = [False] * len(cohort_counts)
        for p in range(n_programmes):
            members = [c for c, q in enumerate(cohort_programme) if q == p]
            if p in now:
                for c in members:
                    hide_cohort[c] = cohort_counts[c] > 0
                continue
            inner = suppress([cohort_counts[c] for c in members], min_size)
            if inner.total_hidden:
                now.add(p)
                for c in members:
                    hide_cohort[c] = cohort_counts[c] > 0
            else:
                for c, hide in zip(members, inner.hidden, strict=True):
                    hide_cohort[c] = hide
        pool = [cohort_counts[c] for c, q in enumerate(cohort_programme) if q in now]
        if pool and suppress(pool, min_size, hidden=range(len(pool))).total_hidden:
            shown = [p for p in range(n_programmes) if p not in now and programme_counts[p] > 0]
            if shown:
                now.add(min(shown, key=lambda p: (programme_counts[p], p)))
        if now == hidden:
            return tuple(p in now and programme_counts[p] > 0 for p in range(n_programmes)), tuple(
                hide_cohort
            )
        hidden = now


def _with_reason(result: SingleTimepoint, reason: str) -> SingleTimepoint:
    return SingleTimepoint(
        result.domain,
        result.label,
        result.timepoint,
        result.n,
        None,
        None,
        None,
        result.min_total,
        result.max_total,
        (),
        (),
        reason,
    )


def _items(
    scored: ScoredTable,
    index: pd.Index,
    domain: str,
    instruments: Sequence[Instrument],
    min_group_size: int,
) -> list[ItemSummary]:
    if scored.item_points is None:
        return []
    found: list[ItemSummary] = []
    for instrument in instruments:
        for item in instrument.items:
            if item.domain != domain or not isinstance(item, RatingItem):
                continue
            if item.id not in scored.item_points.columns:
                continue
            scale = instrument.scales.get(item.scale)
            if scale is None:
                continue
            points = scored.item_points.loc[index, item.id].to_numpy(dtype=float)
            valid = ~np.isnan(points)
            if scored.item_outcomes is not None and item.id in scored.item_outcomes.columns:
                # Only real answers: a blank or invalid answer scores 0 under the seed rule,
                # which is not an answer of "0 Not at all" (nor of any point of a 1-5 scale).
                outcome = scored.item_outcomes.loc[index, item.id].to_numpy()
                valid &= outcome == int(ItemOutcome.SCORED)
            # Reverse items score min + max - answer: count the answers people gave.
            answered = points[valid]
            if item.reverse:
                answered = scale.min + scale.max - answered
            found.append(_item_summary(item, scale, answered, min_group_size))
    return found


def _item_summary(
    item: RatingItem, scale: RatingScale, answered: np.ndarray, min_group_size: int
) -> ItemSummary:
    n = len(answered)
    values = list(range(scale.min, scale.max + 1))
    counts = [int(np.sum(answered == v)) for v in values]
    decided = suppress(counts, min_group_size)
    answers = tuple(
        (v, scale.labels.get(v, ""), None if hide else c)
        for v, c, hide in zip(values, counts, decided.hidden, strict=True)
    )
    if scale.min == 0:
        at_least = 1
        label = f"{scale.labels.get(1, '1')} or more"
    else:
        at_least = math.floor((scale.min + scale.max) / 2) + 1
        label = f"{at_least} or more (above the middle of {scale.min} to {scale.max})"
    above = int(np.sum(answered >= at_least))
    # A share of a small count (or of a count leaving a small rest) would give it away; so
    # would one that adds the sum of hidden counts on one side of ``at_least`` to the counts
    # already shown, unless every count on one side is shown (then the share is known anyway).
    below_shown = all(not h for v, h in zip(values, decided.hidden, strict=True) if v < at_least)
    above_shown = all(not h for v, h in zip(values, decided.hidden, strict=True) if v >= at_least)
    share_hidden = (
        n < min_group_size
        or 0 < above < min_group_size
        or 0 < n - above < min_group_size
        or not (below_shown or above_shown)
    )
    # With hidden counts, n and the mean are two equations in them (counts add up to n, values
    # times counts to n times the mean), enough to solve two hidden cells: the mean and SD go.
    spread_hidden = n < min_group_size or any(decided.hidden)
    return ItemSummary(
        item=item.id,
        text=item.text,
        wording=short_wording(item),
        n=n,
        mean=None if spread_hidden else float(answered.mean()),
        sd=None if spread_hidden or n < 2 else float(answered.std(ddof=1)),
        answers=answers,
        at_least=at_least,
        at_least_label=label,
        share_at_least=None if share_hidden or n == 0 else above / n,
    )


def single_timepoint_findings(result: SingleTimepoint, min_group_size: int) -> list[Finding]:
    """The plain-English findings on a domain asked once: the headline first, then the item
    asked of the most people at least once, and the one fewest did (practice questions)."""
    if not result.computed:
        return [
            finding(
                "single_timepoint_too_few" if result.n else "single_timepoint_none",
                result.domain,
                f"{result.label} (asked once, {result.when}): {result.reason}.",
                people=result.n if result.n >= min_group_size else None,
                figures={"min_group_size": min_group_size, "timepoint": result.timepoint},
            )
        ]
    mean = result.mean if result.mean is not None else 0.0
    scale_text = (
        f" on a scale of {result.min_total:g} to {result.max_total:g}"
        if result.min_total is not None and result.max_total is not None
        else ""
    )
    found = [
        finding(
            "single_timepoint",
            result.domain,
            f"{result.label} (asked once, {result.when}): {people_words(result.n)} answered, "
            f"scoring {mean:.1f} on average{scale_text}",
            _sd_stats(result),
            ". It was asked at one time only, so it describes where people were then; it "
            "cannot show change.",
            people=result.n,
            figures={
                "timepoint": result.timepoint,
                "mean": result.mean,
                "sd": result.sd,
                "median": result.median,
                "min_total": result.min_total,
                "max_total": result.max_total,
            },
        )
    ]
    shares = [i for i in result.items if i.share_at_least is not None]
    if len(shares) >= 2:
        most = max(shares, key=lambda i: i.share_at_least or 0.0)
        least = min(shares, key=lambda i: i.share_at_least or 0.0)
        found.append(
            finding(
                "single_timepoint_items",
                result.domain,
                f"Most often: {_percent(most.share_at_least)} answered "
                f'"{most.at_least_label}" to {most.item} ({most.wording}); least often: '
                f"{_percent(least.share_at_least)} to {least.item} ({least.wording}).",
                figures={
                    "most_item": most.item,
                    "most_share": most.share_at_least,
                    "least_item": least.item,
                    "least_share": least.share_at_least,
                },
            )
        )
    return found


def _sd_stats(result: SingleTimepoint) -> Stats:
    parts = [f"M = {result.mean:.2f}" if result.mean is not None else ""]
    if result.sd is not None:
        parts.append(f"SD = {result.sd:.2f}")
    if result.median is not None:
        parts.append(f"median = {result.median:g}")
    parts.append(f"n = {result.n}")
    return Stats(", ".join(p for p in parts if p))


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.0f}%"
