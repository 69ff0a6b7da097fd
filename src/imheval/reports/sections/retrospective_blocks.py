"""The report blocks of ``DomainExtras.retrospective``: then against now, and the response shift.

Shown first among a domain's deeper analyses, whether or not anyone was matched pre to post
(the retrospective pre-test stands without a real one). The plain-English findings themselves
are in the domain's findings (:func:`imheval.evaluation.retrospective.retrospective_findings`);
these blocks give the figures behind them and the caveats.
"""

from __future__ import annotations

from imheval.evaluation.results import DomainEvaluation
from imheval.evaluation.retrospective import CAVEATS, RetrospectiveAnalysis
from imheval.reports.context import ReportContext
from imheval.reports.model import Block, Callout, Heading, Number, Paragraph, Table
from imheval.reports.wording import DASH
from imheval.stats.apa import format_effect
from imheval.stats.results import TestResult


def _number(value: float | None) -> Number:
    return DASH if value is None else Number(f"{value:.2f}")


def _change(result: TestResult | None) -> tuple[Number, Number, str, str]:
    """Mean change, its 95% CI, the test and d_z (dashes when not computed)."""
    if result is None or not result.computed or result.estimate is None:
        reason = result.reason if result is not None and result.reason else "not computed"
        return DASH, DASH, reason, DASH
    ci = result.estimate_ci
    interval = Number(f"{ci.low:.2f} to {ci.high:.2f}") if ci is not None else DASH
    dz = result.effect("cohen_dz")
    return (
        Number(f"{result.estimate:+.2f}"),
        interval,
        result.apa(),
        format_effect(dz) if dz is not None else DASH,
    )


def retrospective_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Heading, the then/now table, the response-shift table and the caveats (nothing when the
    domain has no retrospective item)."""
    extras = domain.extras
    result: RetrospectiveAnalysis | None = extras.retrospective if extras is not None else None
    if result is None:
        return []
    label = domain.domain.label
    blocks: list[Block] = [
        Heading(f"{label}: before the training (thinking back) and now", level=2)
    ]
    if result.n is None or result.then_to_now is None:
        blocks.append(
            Callout("info", f"The retrospective pre-test was not analysed: {result.reason}.")
        )
        return blocks
    k = len(result.items)
    blocks.append(
        Paragraph(
            f"On the post-test form people answered {k} question(s) twice: how they rate "
            "themselves now, and, thinking back, how they would have rated themselves before the "
            "training (a retrospective pre-test). Totals run from "
            f"{result.min_total:g} to {result.max_total:g}."
        )
    )
    change, interval, test, dz = _change(result.then_to_now)
    wilcoxon = result.then_to_now_wilcoxon
    rows: list[tuple[str, ...]] = [
        (
            "Before the training (thinking back) to now",
            context.count(result.n),
            _number(result.mean_then),
            _number(result.mean_now),
            change,
            interval,
            test,
            dz,
        )
    ]
    notes = ["Change is now minus thinking back; the interval is the 95% CI of the mean change."]
    if wilcoxon is not None and wilcoxon.computed:
        notes.append(f"Wilcoxon signed-rank test on the same pairs: {wilcoxon.apa()}.")
    blocks.append(
        Table(
            caption=f"{label}: retrospective pre-test (then) against now",
            header=("Comparison", "People", "Then", "Now", "Change", "95% CI", "Test", "Effect"),
            rows=tuple(rows),
            notes=tuple(notes),
        )
    )
    shift = result.response_shift
    if shift is not None and result.n_with_pre is not None:
        shift_change, shift_ci, shift_test, shift_dz = _change(shift)
        pre_change, pre_ci, pre_test, pre_dz = _change(result.pre_to_now)
        n = context.count(result.n_with_pre)
        blocks.append(
            Table(
                caption=f"{label}: response shift (thinking back against the real pre-test)",
                header=("Comparison", "People", "From", "To", "Change", "95% CI", "Test", "Effect"),
                rows=(
                    (
                        "Real pre-test to thinking back (the response shift)",
                        n,
                        _number(result.mean_pre),
                        _number(result.mean_then_with_pre),
                        shift_change,
                        shift_ci,
                        shift_test,
                        shift_dz,
                    ),
                    (
                        "Real pre-test to now",
                        n,
                        _number(result.mean_pre),
                        _number(result.mean_now_with_pre),
                        pre_change,
                        pre_ci,
                        pre_test,
                        pre_dz,
                    ),
                ),
                notes=(
                    "A negative response shift means people rated their starting point lower "
                    "looking back than they did at the time: the pre-test may have overstated "
                    "it, and the change against it understated.",
                ),
            )
        )
    elif result.shift_reason:
        blocks.append(Callout("info", f"Response shift not measured: {result.shift_reason}."))
    blocks.append(Callout("warning", CAVEATS))
    return blocks
