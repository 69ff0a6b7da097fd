"""Parallel forms in an evaluation: the form difference, equating, and what to say of them.

When people answered different forms of a domain (scores are then percentages of each form's
maximum, see :class:`~imheval.scoring.DomainInfo`), :func:`compare_forms` looks at the design:

* **counterbalanced** (some people answered the reference form before training and another
  form after, others the opposite): the pre-test groups of the two orders are randomly
  equivalent, so the difference between their pre-test means estimates how much harder one
  form is (:func:`~imheval.stats.equating.linear_equating`). When that difference matters (at
  least half a raw point on the reference form, :func:`negligible_below`, and its 95% CI
  excludes 0, so it is not sampling error), every score on the other form, at every timepoint,
  is equated onto the reference form's scale (linear, mean-sigma) before anything is compared.
* **not counterbalanced** (e.g. everyone A then B): the form difference cannot be told apart
  from the training's effect; scores are compared as percentages, unequated, and a finding
  says so.

The formulas and the threshold are in docs/methods.md ("Parallel forms").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from imheval.findings import FigureValue, Finding, Stats, finding
from imheval.io.table import FORM
from imheval.scoring import DomainInfo, ScoredTable
from imheval.stats.equating import LinearEquating, linear_equating


@dataclass(frozen=True, slots=True)
class FormOrder:
    """How many people answered ``before`` at pre-test and ``after`` at post-test."""

    before: str
    after: str
    n_people: int

    def to_dict(self, min_group_size: int) -> dict[str, Any]:
        """The order; a count below ``min_group_size`` is hidden (None)."""
        shown = None if 0 < self.n_people < min_group_size else self.n_people
        return {"before": self.before, "after": self.after, "n_people": shown}


@dataclass(frozen=True, slots=True)
class FormComparison:
    """One domain's forms: the orders people took them in, and the form difference.

    ``equating`` compares ``other`` with ``reference`` on the pre-test scores (None when the
    design is not counterbalanced); ``threshold`` is the smallest difference, in the domain's
    units (percent of maximum), that is not negligible; ``equated`` says whether scores on
    ``other`` were put on the reference form's scale before the analysis.
    """

    domain: str
    reference: str
    other: str
    orders: tuple[FormOrder, ...]
    counterbalanced: bool
    threshold: float
    equating: LinearEquating | None
    equated: bool

    @property
    def negligible(self) -> bool | None:
        """Whether the form difference is below the threshold (None when not estimated)."""
        if self.equating is None or self.equating.difference is None:
            return None
        return abs(self.equating.difference) < self.threshold

    @property
    def beyond_chance(self) -> bool | None:
        """Whether the difference's 95% CI excludes 0 (None when not estimated)."""
        if self.equating is None or self.equating.difference_ci is None:
            return None
        ci = self.equating.difference_ci
        return ci.low > 0 or ci.high < 0

    def to_dict(self, min_group_size: int) -> dict[str, Any]:
        """The comparison for the JSON; the count of an order below ``min_group_size`` is
        hidden (the equating needs groups of at least that size, so its figures never are)."""
        return {
            "domain": self.domain,
            "reference": self.reference,
            "other": self.other,
            "orders": [order.to_dict(min_group_size) for order in self.orders],
            "counterbalanced": self.counterbalanced,
            "threshold": self.threshold,
            "negligible": self.negligible,
            "beyond_chance": self.beyond_chance,
            "equated": self.equated,
            "equating": self.equating.to_dict() if self.equating is not None else None,
        }


def negligible_below(info: DomainInfo) -> float:
    """The threshold of a negligible form difference, in percent of maximum: half a raw point
    on the reference (first) form, ``0.5 / (max - min) * 100``.

    Half a score point is the "difference that matters" of equating (Dorans & Feigenbaum 1994):
    a smaller difference would not change anyone's score once rounded to a whole point, so
    equating it would add noise from the estimated means and SDs without a gain.
    """
    reference = info.forms[0]
    return 0.5 / (reference.max_total - reference.min_total) * 100.0


def compare_forms(
    scored: ScoredTable, min_group_size: int
) -> tuple[ScoredTable, tuple[FormComparison, ...]]:
    """Each domain's form comparisons, and ``scored`` with scores equated where needed.

    The form difference is estimated only when each form's pre-test group has at least
    ``min_group_size`` people: a smaller group's mean is never shown, and equating on a few
    people would add more error than it removes. Only domains scored as percentages of the
    maximum (people answered more than one form) are compared; for each, every form other than
    the reference (the first declared) is compared with the reference. Orders pair a person's
    pre-test and post-test rows by cohort and code as written.
    """
    if not scored.forms or FORM not in scored.frame.columns:
        return scored, ()
    frame = scored.frame
    comparisons: list[FormComparison] = []
    equated_columns: dict[str, np.ndarray] = {}
    for info in scored.domains:
        if info.scale != "percent_of_maximum" or not info.forms:
            continue
        column = frame[info.id].to_numpy(dtype=float).copy()
        orders = _orders(frame, info.id)
        reference = info.forms[0].form
        threshold = negligible_below(info)
        for other in (r.form for r in info.forms[1:]):
            counterbalanced = any(
                o.before == reference and o.after == other for o in orders
            ) and any(o.before == other and o.after == reference for o in orders)
            equating: LinearEquating | None = None
            equated = False
            if counterbalanced:
                at_pre = frame["timepoint"].to_numpy() == "pre"
                forms = frame[FORM].to_numpy()
                equating = linear_equating(
                    column[at_pre & (forms == other)],
                    column[at_pre & (forms == reference)],
                    new_form=other,
                    reference_form=reference,
                )
                smallest = min(equating.n_new, equating.n_reference)
                if smallest < min_group_size:
                    equating = LinearEquating(
                        reference=reference,
                        new=other,
                        n_reference=equating.n_reference,
                        n_new=equating.n_new,
                        reason=f"fewer than {min_group_size} people answered one of the forms "
                        "before training",
                    )
                if _matters(equating, threshold):
                    on_other = forms == other
                    # Equated scores are kept on the scale: a linear function can pass 0 or
                    # 100 at the extremes (Kolen & Brennan 2014, 2.5).
                    column[on_other] = np.clip(equating.equate(column[on_other]), 0.0, 100.0)
                    equated = True
            comparisons.append(
                FormComparison(
                    domain=info.id,
                    reference=reference,
                    other=other,
                    orders=orders,
                    counterbalanced=counterbalanced,
                    threshold=threshold,
                    equating=equating,
                    equated=equated,
                )
            )
        if not np.array_equal(column, frame[info.id].to_numpy(dtype=float), equal_nan=True):
            equated_columns[info.id] = column
    if not equated_columns:
        return scored, tuple(comparisons)
    new_frame = frame.copy()
    for domain, values in equated_columns.items():
        new_frame[domain] = values
    return replace(scored, frame=new_frame), tuple(comparisons)


def _matters(equating: LinearEquating, threshold: float) -> bool:
    """Whether a form difference is worth equating: at least ``threshold`` and beyond chance.

    With small groups, equating a difference within sampling error adds more error than it
    removes, and the identity (no equating) is the better choice (Kolen & Brennan 2014).
    """
    ci = equating.difference_ci
    if equating.difference is None or ci is None:
        return False
    return abs(equating.difference) >= threshold and (ci.low > 0 or ci.high < 0)


def _orders(frame: pd.DataFrame, domain: str) -> tuple[FormOrder, ...]:
    """How many people took each (pre-test form, post-test form) pair, measured at both."""
    measured = frame.loc[frame[domain].notna(), ["cohort", "participant", "timepoint", FORM]]
    pre = measured[measured["timepoint"] == "pre"].set_index(["cohort", "participant"])[FORM]
    post = measured[measured["timepoint"] == "post"].set_index(["cohort", "participant"])[FORM]
    pairs = pd.concat([pre.rename("before"), post.rename("after")], axis=1, join="inner")
    counts = pairs.groupby(["before", "after"], sort=True).size()
    return tuple(
        FormOrder(before=str(before), after=str(after), n_people=int(n))
        for (before, after), n in zip(counts.index.to_list(), counts.to_list(), strict=True)
    )


def form_findings(comparison: FormComparison, label: str) -> tuple[Finding, ...]:
    """What to say of one domain's forms, in plain words; the figures in ``statistics``.

    Kinds: ``forms_equated`` (the forms differed and scores were equated), ``forms_similar``
    (the difference was negligible), ``forms_uncertain`` (not negligible, but within sampling
    error, so not equated), ``forms_not_estimated`` (counterbalanced, but too few
    people or no spread to estimate it) and ``forms_not_counterbalanced`` (the difference
    cannot be told apart from the training's effect).
    """
    ref, other = comparison.reference, comparison.other
    equating = comparison.equating
    domain = comparison.domain
    if not comparison.counterbalanced:
        return (
            finding(
                "forms_not_counterbalanced",
                domain,
                f"{label}: people answered different forms before and after training, but not "
                f"in both orders ({ref} then {other}, and {other} then {ref}), so a difference "
                "between the forms cannot be told apart from the effect of the training. "
                "Scores were compared as percentages of each form's maximum, assuming the forms "
                "are equally hard.",
                comparison="form_difference",
            ),
        )
    if equating is None or equating.difference is None or equating.difference_ci is None:
        why = equating.reason if equating is not None else "no estimate"
        return (
            finding(
                "forms_not_estimated",
                domain,
                f"{label}: how much harder one form is than the other could not be worked out "
                f"({why}); scores were compared as percentages of each form's maximum.",
                comparison="form_difference",
            ),
        )
    difference = equating.difference
    ci = equating.difference_ci
    statistics = Stats(
        f"form {other} minus form {ref} before training = {difference:.1f} points of 100, "
        f"95% CI [{ci.low:.1f}, {ci.high:.1f}], n = {equating.n_new} and "
        f"{equating.n_reference}"
        + (
            f"; equated score = {equating.slope:.3f} x ({other} score - {equating.mean_new:.1f})"
            f" + {equating.mean_reference:.1f}"
            if comparison.equated
            else ""
        ),
        trailing=True,
    )
    figures: dict[str, FigureValue] = {
        "difference": difference,
        "ci_low": ci.low,
        "ci_high": ci.high,
        "threshold": comparison.threshold,
        "reference": ref,
        "other": other,
    }
    people = equating.n_new + equating.n_reference
    if comparison.equated:
        harder, easier = (other, ref) if difference < 0 else (ref, other)
        return (
            finding(
                "forms_equated",
                domain,
                f"{label}: form {harder} was {abs(difference):.0f} points (out of 100) harder "
                f"than form {easier}; scores were equated before comparing",
                statistics,
                ".",
                comparison="form_difference",
                people=people,
                figures=figures,
            ),
        )
    if not comparison.negligible:
        lower = other if difference < 0 else ref
        return (
            finding(
                "forms_uncertain",
                domain,
                f"{label}: people answering form {lower} before training scored "
                f"{abs(difference):.0f} points (out of 100) lower, but with this many people "
                "that could be chance, so scores were compared without equating",
                statistics,
                ".",
                comparison="form_difference",
                people=people,
                figures=figures,
            ),
        )
    return (
        finding(
            "forms_similar",
            domain,
            f"{label}: forms {ref} and {other} were about equally hard, so scores were "
            "compared without equating",
            statistics,
            ".",
            comparison="form_difference",
            people=people,
            figures=figures,
        ),
    )
