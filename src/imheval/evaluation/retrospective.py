"""The retrospective pre-test: then against now on the post-test form, and the response shift.

A retrospective rating item (``retrospective: true``) is asked twice on the post-test form:
"thinking back to before the training" (then, the column ``<item>@then``) and "now" (the
item's own column). For each domain with such items, :func:`retrospective_analysis` compares,
over the same retrospective items (reverse items reversed, every item answered):

* **then to now**, per post-test respondent with both: paired t on now - then (mean change
  with its t CI, d_z and Hedges' g_z with noncentral-t CIs: :func:`imheval.stats.paired_t`)
  and the Wilcoxon signed-rank test, as the pre/post analysis does;
* **the response shift**, for people who also answered the real pre-test: then - pre (paired
  t, mean, CI, d_z), and beside it the conventional pre to now change of the same people.

Howard (1980) proposed the design because people who learn what a skill involves may rate
themselves lower once they understand it (a response shift): a pre-test taken in ignorance
can overstate the starting point and hide the change. Its weaknesses (Hill & Betz 2005;
Drennan & Hyde 2008): the then rating depends on recall, and social desirability and effort
justification (wanting the training to have been worth it) push then down and now up, which
inflates the then-to-now change. The findings say so beside every figure.

A group of fewer than ``min_group_size`` people is not analysed (nothing about it is shown).
The result sits in ``DomainExtras.retrospective`` (JSON key ``retrospective``; None when the
domain has no retrospective item); keyed items are refused as retrospective by the instrument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from imheval.findings.model import Finding, Stats, finding
from imheval.findings.wording import people, signed, size_word
from imheval.instruments.model import Instrument
from imheval.io.retrospective import then_now_totals
from imheval.io.table import ResponseTable, then_column
from imheval.matching import MatchResult
from imheval.scoring import DomainInfo, ScoredTable
from imheval.stats import paired_t, wilcoxon_signed_rank
from imheval.stats.apa import format_effect
from imheval.stats.results import TestResult

#: Significance level of the plain readings (the house ALPHA of imheval.evaluation.findings).
_ALPHA = 0.05

#: The caveats of the design, in plain English (reports and findings).
CAVEATS = (
    "The 'before' rating is given after the training, from memory: people may misremember "
    "where they started, and wanting to please the trainers or to feel the training was worth "
    "the effort (social desirability, effort justification) can lower the 'before' rating and "
    "raise the 'now' rating, so the then-to-now change may overstate what changed."
)


def _dict(result: TestResult | None) -> dict[str, Any] | None:
    return result.to_dict() if result is not None else None


def _mean(values: np.ndarray) -> float | None:
    return float(np.mean(values)) if values.size else None


@dataclass(frozen=True, slots=True)
class RetrospectiveAnalysis:
    """Then-to-now change of one domain's retrospective items, and the response shift.

    Totals are sums over ``items`` (``min_total`` to ``max_total`` points). ``n`` counts the
    post-test respondents with a complete then and now total, ``n_with_pre`` those of them
    who also have a complete real pre-test total; either is None, with its figures, when it
    is below the minimum group size (``reason`` / ``shift_reason`` say why). ``then_to_now``
    tests now - then; ``response_shift`` tests then - pre (negative: people rated their
    starting point lower looking back than at the time); ``pre_to_now`` tests now - pre for
    the same people, the change a pre/post design would report.
    """

    items: tuple[str, ...]
    min_total: float
    max_total: float
    n: int | None = None
    mean_then: float | None = None
    mean_now: float | None = None
    then_to_now: TestResult | None = None
    then_to_now_wilcoxon: TestResult | None = None
    n_with_pre: int | None = None
    mean_pre: float | None = None
    mean_then_with_pre: float | None = None
    mean_now_with_pre: float | None = None
    response_shift: TestResult | None = None
    pre_to_now: TestResult | None = None
    reason: str | None = None
    shift_reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.then_to_now is not None and self.then_to_now.computed

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "then_columns": [then_column(item) for item in self.items],
            "min_total": self.min_total,
            "max_total": self.max_total,
            "n": self.n,
            "mean_then": self.mean_then,
            "mean_now": self.mean_now,
            "then_to_now": _dict(self.then_to_now),
            "then_to_now_wilcoxon": _dict(self.then_to_now_wilcoxon),
            "n_with_pre": self.n_with_pre,
            "mean_pre": self.mean_pre,
            "mean_then_with_pre": self.mean_then_with_pre,
            "mean_now_with_pre": self.mean_now_with_pre,
            "response_shift": _dict(self.response_shift),
            "pre_to_now": _dict(self.pre_to_now),
            "reason": self.reason,
            "shift_reason": self.shift_reason,
            "caveats": CAVEATS,
        }


def retrospective_analysis(
    table: ResponseTable | None,
    scored: ScoredTable,
    matched: MatchResult,
    instruments: Sequence[Instrument],
    domain: str,
    min_group_size: int,
) -> RetrospectiveAnalysis | None:
    """Then against now, and then against the real pre-test; None when no item of ``domain``
    is retrospective. Never raises on real data: what cannot be computed says why."""
    if table is None:
        for instrument in instruments:
            if any(getattr(i, "retrospective", False) for i in instrument.items_in(domain)):
                return RetrospectiveAnalysis(
                    items=(),
                    min_total=0.0,
                    max_total=0.0,
                    reason="the item answers were not available to this analysis",
                )
        return None
    totals = then_now_totals(table, instruments, domain)
    if totals is None:
        return None
    empty = RetrospectiveAnalysis(
        items=totals.items, min_total=totals.min_total, max_total=totals.max_total
    )
    if not totals.has_then_columns:
        return _with(
            empty,
            reason="the responses have no 'then' answers (columns "
            + ", ".join(then_column(item) for item in totals.items)
            + "), so the retrospective pre-test was not analysed",
        )
    # Per person (as matched: accepted probable matches are one person), the row of their
    # post-test and of their pre-test; row positions are the scored table's, which is the
    # response table scored row by row.
    if len(table.frame) != len(scored.frame) or len(matched.row_person) != len(scored.frame):
        return _with(empty, reason="the responses and the matched people do not line up")
    post_rows = matched.rows_at("post")
    pre_rows = matched.rows_at("pre")
    has_post = post_rows >= 0
    then = np.where(has_post, totals.then[np.maximum(post_rows, 0)], np.nan)
    now = np.where(has_post, totals.own[np.maximum(post_rows, 0)], np.nan)
    both = ~(np.isnan(then) | np.isnan(now))
    n = int(both.sum())
    if n < min_group_size:
        return _with(
            empty,
            reason=f"fewer than {min_group_size} people answered every retrospective item "
            "both 'before the training (thinking back)' and 'now', so the result is not shown",
        )
    then_to_now = paired_t(then[both], now[both])
    wilcoxon = wilcoxon_signed_rank(then[both], now[both])
    analysis = _with(
        empty,
        n=n,
        mean_then=_mean(then[both]),
        mean_now=_mean(now[both]),
        then_to_now=then_to_now,
        then_to_now_wilcoxon=wilcoxon,
    )
    has_pre = pre_rows >= 0
    pre = np.where(has_pre, totals.own[np.maximum(pre_rows, 0)], np.nan)
    shift = both & ~np.isnan(pre)
    n_shift = int(shift.sum())
    if n_shift == 0:
        return _with(
            analysis,
            shift_reason="nobody who answered the retrospective items also answered them on "
            "a real pre-test, so the response shift cannot be measured",
        )
    if n_shift < min_group_size:
        return _with(
            analysis,
            shift_reason=f"fewer than {min_group_size} people answered the retrospective items "
            "on both the real pre-test and the post-test, so the response shift is not shown",
        )
    return _with(
        analysis,
        n_with_pre=n_shift,
        mean_pre=_mean(pre[shift]),
        mean_then_with_pre=_mean(then[shift]),
        mean_now_with_pre=_mean(now[shift]),
        response_shift=paired_t(pre[shift], then[shift]),
        pre_to_now=paired_t(pre[shift], now[shift]),
    )


def _with(analysis: RetrospectiveAnalysis, **changes: Any) -> RetrospectiveAnalysis:
    fields = {name: getattr(analysis, name) for name in RetrospectiveAnalysis.__dataclass_fields__}
    fields.update(changes)
    return RetrospectiveAnalysis(**fields)


# --- findings ---------------------------------------------------------------------------------


def _statistics(result: TestResult) -> str:
    """``t(29) = 6.10, p < .001, d_z = 1.11, 95% CI [0.65, 1.56]``."""
    dz = result.effect("cohen_dz")
    return result.apa() + (f", {format_effect(dz)}" if dz is not None else "")


def _thing(label: str) -> str:
    """A domain label inside a sentence: "Self-efficacy" -> "self-efficacy", "IMH" kept."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _points(value: float) -> str:
    return f"{abs(value):.2f} point" + ("" if abs(value) == 1 else "s")


def retrospective_findings(
    result: RetrospectiveAnalysis | None, info: DomainInfo, min_group_size: int
) -> list[Finding]:
    """The plain-English findings of ``result`` (none when it is None or not computed):
    ``retrospective_change`` (then to now, with the caveats) and, with a real pre-test,
    ``response_shift`` (then against pre)."""
    if result is None or result.n is None or result.n < min_group_size:
        return []
    change = result.then_to_now
    if change is None or not change.computed or change.estimate is None:
        return []
    key = info.id
    label = _thing(info.label)
    estimate = change.estimate
    dz = change.effect("cohen_dz")
    significant = change.p is not None and change.p < _ALPHA
    direction = "higher" if estimate > 0 else "lower"
    k = len(result.items)
    span = f"{result.min_total:g} to {result.max_total:g}"
    reading = (
        f"{people(result.n)} rated their {label} now {_points(estimate)} {direction} than "
        f"they rated it, thinking back, before the training ({result.mean_then or 0:.2f} then, "
        f"{result.mean_now or 0:.2f} now, on {k} retrospective item(s) scored {span})"
        if significant
        else f"{people(result.n)} rated their {label} now and, thinking back, before the "
        f"training about the same ({result.mean_then or 0:.2f} then, {result.mean_now or 0:.2f} "
        f"now, on {k} retrospective item(s) scored {span})"
    )
    size = f": {size_word(dz.value)} change" if significant and dz is not None else ""
    found = [
        finding(
            "retrospective_change",
            key,
            reading,
            Stats(_statistics(change)),
            f"{size}. {CAVEATS}",
            comparison="then_now",
            people=result.n,
            figures={
                "n": result.n,
                "mean_then": result.mean_then,
                "mean_now": result.mean_now,
                "mean_change": estimate,
                "ci_low": change.estimate_ci.low if change.estimate_ci else None,
                "ci_high": change.estimate_ci.high if change.estimate_ci else None,
                "d_z": dz.value if dz is not None else None,
                "d_z_ci_low": dz.ci.low if dz is not None and dz.ci is not None else None,
                "d_z_ci_high": dz.ci.high if dz is not None and dz.ci is not None else None,
                "p": change.p,
            },
        )
    ]
    shift = result.response_shift
    if (
        shift is not None
        and shift.computed
        and shift.estimate is not None
        and result.n_with_pre is not None
    ):
        found.append(_shift_finding(result, shift, info))
    return found


def _shift_finding(result: RetrospectiveAnalysis, shift: TestResult, info: DomainInfo) -> Finding:
    assert shift.estimate is not None and result.n_with_pre is not None
    label = _thing(info.label)
    value = shift.estimate
    significant = shift.p is not None and shift.p < _ALPHA
    pre_now = result.pre_to_now
    conventional = (
        f" The change against the real pre-test was {signed(pre_now.estimate)} points, "
        f"against {signed((result.mean_now_with_pre or 0) - (result.mean_then_with_pre or 0))} "
        "looking back."
        if pre_now is not None and pre_now.computed and pre_now.estimate is not None
        else ""
    )
    if significant and value < 0:
        reading = (
            f"People rated their {label} before training {_points(value)} lower looking back "
            f"than they did at the time ({result.mean_then_with_pre or 0:.2f} thinking back, "
            f"{result.mean_pre or 0:.2f} on the real pre-test): the pre-test may have "
            "overstated it, as people who learn what a skill involves often judge their "
            "starting point more harshly afterwards (a response shift)"
        )
    elif significant:
        reading = (
            f"People rated their {label} before training {_points(value)} higher looking back "
            f"than they did at the time ({result.mean_then_with_pre or 0:.2f} thinking back, "
            f"{result.mean_pre or 0:.2f} on the real pre-test): looking back, they remembered "
            "starting from further on, so the then-to-now change is smaller than the change "
            "against the real pre-test"
        )
    else:
        reading = (
            f"People rated their {label} before training about the same looking back as they "
            f"did at the time ({result.mean_then_with_pre or 0:.2f} thinking back, "
            f"{result.mean_pre or 0:.2f} on the real pre-test): no sign of a response shift"
        )
    dz = shift.effect("cohen_dz")
    return finding(
        "response_shift",
        info.id,
        reading,
        Stats(_statistics(shift)),
        "." + conventional + " Recall and the wish to show the training worked can both move "
        "the 'thinking back' rating, so read a shift with care.",
        comparison="then_pre",
        people=result.n_with_pre,
        figures={
            "n": result.n_with_pre,
            "mean_pre": result.mean_pre,
            "mean_then": result.mean_then_with_pre,
            "mean_now": result.mean_now_with_pre,
            "mean_shift": value,
            "ci_low": shift.estimate_ci.low if shift.estimate_ci else None,
            "ci_high": shift.estimate_ci.high if shift.estimate_ci else None,
            "d_z": dz.value if dz is not None else None,
            "p": shift.p,
            "pre_to_now_change": pre_now.estimate if pre_now is not None else None,
        },
    )
