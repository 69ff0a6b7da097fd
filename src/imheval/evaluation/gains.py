"""Gains compared fairly: ANCOVA of post on pre by group beside the Welch test of gains, and the
normalised gain (Hake's g).

:func:`gain_analyses` is called by :func:`imheval.evaluation.deeper.deeper_analyses`; its
result sits in ``DomainExtras.gains`` (JSON key ``gains``). For each grouping (programme,
directorate, profession) with two or more groups shown, the ANCOVA compares exactly the people
the Welch test of gains compares (:func:`imheval.evaluation.group_rule.tested_groups`: hidden
small groups are left out of both). The normalised gain needs the domain's maximum; cohorts
whose Table 1 row is hidden are hidden here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from imheval.evaluation.group_rule import TESTED_GROUPINGS, tested_groups
from imheval.findings.model import Finding, Stats, finding
from imheval.findings.wording import people
from imheval.scoring import DomainInfo
from imheval.stats import TestResult, compare_groups
from imheval.stats._common import finite_or_none
from imheval.stats.ancova import AncovaResult, ancova
from imheval.stats.apa import format_p
from imheval.stats.gain import (
    NORMALISED_GAIN_WARNING,
    NormalisedGain,
    hake_gain_by_group,
    normalised_gain,
)
from imheval.suppression import suppress

#: When the Welch test of gains and the ANCOVA answer which question (Lord's paradox).
WHICH_QUESTION = (
    "The two tests answer different questions. The comparison of gains (Welch) asks: did the "
    "groups gain different amounts? The ANCOVA asks: would people who started at the same level "
    "end at the same level? When groups started at different levels and were not assigned at "
    "random, the two can disagree (Lord's paradox), and the ANCOVA is not the fairer answer by "
    "default: adjusting for the starting score assumes the groups would have ended alike had "
    "they started alike. People who start low tend to score nearer the average next time "
    "(regression to the mean), which flatters the gains of a group that started low."
)


@dataclass(frozen=True, slots=True)
class GroupAncova:
    """One grouping: the Welch test of gains and the ANCOVA, on the same people.

    ``left_out`` names the groups hidden (and so left out of both), or is "".
    """

    grouping: str
    welch_gain: TestResult
    ancova: AncovaResult
    left_out: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "grouping": self.grouping,
            "welch_gain": self.welch_gain.to_dict(),
            "ancova": self.ancova.to_dict(),
            "left_out": self.left_out,
        }


@dataclass(frozen=True, slots=True)
class CohortGain:
    """Hake's class-average g of one cohort; ``hidden`` (and ``hake_g`` None) when its Table 1
    row is hidden (fewer than the minimum group size, or protecting such a cohort)."""

    cohort: str
    n: int
    hake_g: float | None
    hidden: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "n": None if self.hidden else self.n,
            "hake_g": finite_or_none(self.hake_g),
            "hidden": self.hidden,
        }


@dataclass(frozen=True, slots=True)
class GainAnalyses:
    """ANCOVA per grouping, normalised gain (Hake's g) per person and per cohort.

    ``groupings`` holds the groupings with two or more groups shown; ``normalised`` is None
    (with ``normalised_reason``) for a domain without a known maximum; ``warning`` is the
    ceiling warning that goes with Hake's g; ``note`` says when each test answers which question.
    ``min_group_size`` is the evaluation's: the JSON hides the normalised gain's small counts
    with it (:func:`published_normalised`).
    """

    groupings: tuple[GroupAncova, ...] = ()
    normalised: NormalisedGain | None = None
    cohorts: tuple[CohortGain, ...] = ()
    normalised_reason: str | None = None
    note: str = WHICH_QUESTION
    warning: str = NORMALISED_GAIN_WARNING
    reason: str | None = None
    min_group_size: int = 5

    def to_dict(self) -> dict[str, Any]:
        return {
            "ancova_by_grouping": [g.to_dict() for g in self.groupings],
            "which_question": self.note,
            "normalised_gain": (
                published_normalised(self.normalised, self.min_group_size)
                if self.normalised is not None
                else None
            ),
            "normalised_gain_by_cohort": [c.to_dict() for c in self.cohorts],
            "normalised_gain_reason": self.normalised_reason,
            "normalised_gain_warning": self.warning if self.normalised is not None else None,
            "reason": self.reason,
        }


def published_normalised(gain: NormalisedGain, min_group_size: int) -> dict[str, Any]:
    """``gain.to_dict()`` as it may be published: what describes 1 to ``min_group_size - 1``
    people is None.

    The counts split a published total, so they follow :func:`imheval.suppression.suppress`:
    people at the maximum and people analysed make up the matched ``n``; people whose score
    fell and the rest make up the people analysed (hidden when that total is). The mean and
    median of fewer than ``min_group_size`` people analysed are None, and so is ``lowest`` (the
    lowest g: of the people whose score fell, or of everyone analysed when no one's did) unless
    it is the lowest of ``min_group_size`` or more people whose count is shown.
    """
    out = gain.to_dict()
    size = min_group_size
    room = suppress([gain.n_at_maximum, gain.n_analysed], size)
    lost = suppress(
        [gain.n_lost, gain.n_analysed - gain.n_lost], size, total_published=not room.hidden[1]
    )
    if room.hidden[0]:
        out["n_at_maximum"] = None
    if room.hidden[1]:
        out["n_analysed"] = None
    if 0 < gain.n_analysed < size:
        out["mean"] = out["median"] = None
    if lost.hidden[0]:
        out["n_lost"] = None
    of_enough = gain.n_lost >= size or (gain.n_lost == 0 and gain.n_analysed >= size)
    if lost.hidden[0] or not of_enough:
        out["lowest"] = None
    return out


def gain_analyses(info: DomainInfo, pairs: pd.DataFrame, min_group_size: int) -> GainAnalyses:
    """``pairs``: matched.pairs(domain, "pre", "post") (columns pre, post, cohort, programme,
    directorate, profession ...). Never raises on real data."""
    if len(pairs) < min_group_size:
        return GainAnalyses(
            reason=f"fewer than {min_group_size} people were measured before and after training"
        )
    pre = pairs["pre"].to_numpy(dtype=float)
    post = pairs["post"].to_numpy(dtype=float)
    comparisons: list[GroupAncova] = []
    for grouping in TESTED_GROUPINGS:
        if grouping not in pairs.columns:
            continue
        shown = tested_groups(pairs, grouping, min_group_size)
        chosen = shown.tested
        if shown.codes is not None:
            if np.count_nonzero(np.bincount(shown.codes.codes[chosen])) < 2:
                continue
            labels: object = shown.codes.categorical(chosen)
        else:
            if len(set(shown.labels[chosen].tolist())) < 2:
                continue
            labels = shown.labels[chosen]
        comparisons.append(
            GroupAncova(
                grouping=grouping,
                welch_gain=compare_groups(post[chosen] - pre[chosen], labels),
                ancova=ancova(pre[chosen], post[chosen], labels),
                left_out=shown.left_out,
            )
        )
    if info.max_total is None:
        return GainAnalyses(
            groupings=tuple(comparisons),
            normalised_reason="the questionnaire part has no known maximum score, so the "
            "normalised gain (Hake's g) cannot be computed",
        )
    return GainAnalyses(
        groupings=tuple(comparisons),
        normalised=normalised_gain(pre, post, info.max_total),
        cohorts=_cohort_gains(info, pairs, pre, post, min_group_size),
        min_group_size=min_group_size,
    )


def _cohort_gains(
    info: DomainInfo,
    pairs: pd.DataFrame,
    pre: np.ndarray,
    post: np.ndarray,
    min_group_size: int,
) -> tuple[CohortGain, ...]:
    if "cohort" not in pairs.columns or info.max_total is None:
        return ()
    shown = tested_groups(pairs, "cohort", min_group_size)
    if shown.codes is not None:
        names, code = shown.codes.names, shown.codes.codes
        counts = np.bincount(code, minlength=names.size)
    else:
        names, code, counts = np.unique(shown.labels, return_inverse=True, return_counts=True)
    gains = hake_gain_by_group(pre, post, code, int(names.size), info.max_total)
    found: list[CohortGain] = []
    for index, label in enumerate(str(name) for name in names.tolist()):
        if label == "":
            continue
        hidden = label in shown.hidden
        found.append(
            CohortGain(
                cohort=label,
                n=int(counts[index]),
                hake_g=None if hidden else gains[index],
                hidden=hidden,
            )
        )
    return tuple(found)


def gain_findings(
    result: GainAnalyses | None, info: DomainInfo, min_group_size: int
) -> list[Finding]:
    """The plain-English findings of ``result`` (none when it is None or not computed).

    Kinds: ``ancova`` (one per grouping, ``comparison`` ancova_by_<grouping>) and
    ``normalised_gain``.
    """
    if result is None or result.reason is not None:
        return []
    found = [_ancova_finding(info, entry) for entry in result.groupings if entry.ancova.computed]
    gain = result.normalised
    if gain is not None and gain.mean is not None and gain.n_analysed >= min_group_size:
        at_max = (
            ""
            if gain.n_at_maximum == 0
            else f" ({_few(gain.n_at_maximum, min_group_size)} already at the maximum before "
            "training had no room to gain and are left out)"
        )
        hake = (
            f"; for the group as a whole (Hake's class-average g) it was {gain.hake_g:.2f}"
            if gain.hake_g is not None
            else ""
        )
        found.append(
            finding(
                "normalised_gain",
                info.id,
                f"Normalised gain (Hake's g): on average people gained {gain.mean:.0%} of the "
                f"points they could still gain (median {gain.median:.2f}){at_max}{hake}. "
                f"{result.warning}",
                # a small count at the maximum would follow from n - n_analysed
                people=gain.n if 0 < gain.n_at_maximum < min_group_size else gain.n_analysed,
                figures={
                    "mean": gain.mean,
                    "median": gain.median,
                    "hake_g": gain.hake_g,
                    "maximum": gain.maximum,
                    "n_at_maximum": gain.n_at_maximum
                    if not 0 < gain.n_at_maximum < min_group_size
                    else None,
                },
            )
        )
    return found


def _ancova_finding(info: DomainInfo, entry: GroupAncova) -> Finding:
    result = entry.ancova
    noun = entry.grouping
    significant = result.p is not None and result.p < 0.05
    ended = (
        "ended at different levels" if significant else "did not clearly end at different levels"
    )
    lead = (
        f"Allowing for where people started (ANCOVA), people in different {noun}s who started "
        f"at the same level {ended}"
    )
    welch = entry.welch_gain
    if welch.computed and welch.p is not None:
        gained = "differed" if welch.p < 0.05 else "did not clearly differ"
        beside = f"; the gains themselves {gained} (Welch test of gains, {format_p(welch.p)})"
        if (welch.p < 0.05) != significant:
            beside += (
                ". The two disagree, as they can when groups start at different levels: they "
                "answer different questions (see the note on which question each answers)"
            )
    else:
        beside = ""
    slopes = (
        f" {result.slopes.words}"
        if result.slopes is not None and result.slopes.parallel is False and result.slopes.words
        else ""
    )
    eta = result.partial_eta_squared
    return finding(
        "ancova",
        info.id,
        lead,
        Stats(result.apa()),
        f"{beside}.{slopes}",
        comparison=f"ancova_by_{noun}",
        people=result.n,
        figures={
            "f": result.f,
            "df1": result.df[0] if result.df else None,
            "df2": result.df[1] if result.df else None,
            "p": result.p,
            "partial_eta_squared": eta.value if eta is not None else None,
            "slope": result.slope,
            "slopes_parallel": result.slopes.parallel if result.slopes is not None else None,
            "welch_gain_p": welch.p,
        },
    )


def _few(count: int, min_group_size: int) -> str:
    return f"fewer than {min_group_size} people" if count < min_group_size else people(count)
