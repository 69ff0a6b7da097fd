"""Parallel forms: how much harder one form is than another, and linear equating.

Two forms of a domain (A and B) ask different questions, so one may be harder. With a
counterbalanced design (some cohorts answer A before training and B after, others B then A),
the people answering each form at pre-test are randomly equivalent groups (they were assigned
to an order, not chosen by ability), so any difference between their pre-test scores is the
forms' difference. :func:`linear_equating` estimates it and the linear (mean-sigma) function
that puts the new form's scores on the reference form's scale (Kolen & Brennan 2014, Test
Equating, Scaling, and Linking, 3rd ed., ch. 2: random groups design).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from imheval.stats._common import FloatArray, as_float_array, finite_or_none, sample_var
from imheval.stats.groups import welch_t
from imheval.stats.results import ConfidenceInterval


@dataclass(frozen=True, slots=True)
class LinearEquating:
    """The difference between two forms at pre-test and the linear equating of one onto the
    other.

    ``difference`` is mean(new) - mean(reference) with its Welch CI (negative: the new form is
    harder). ``slope`` and ``intercept`` give the equated score ``slope * x + intercept`` of a
    score ``x`` on the new form: ``slope = sd_reference / sd_new`` and ``intercept =
    mean_reference - slope * mean_new``, i.e. ``y = sd_A / sd_B * (x - mean_B) + mean_A``.
    When it cannot be computed, ``reason`` says why and the numbers are None.
    """

    reference: str
    new: str
    n_reference: int
    n_new: int
    mean_reference: float | None = None
    sd_reference: float | None = None
    mean_new: float | None = None
    sd_new: float | None = None
    difference: float | None = None
    difference_ci: ConfidenceInterval | None = None
    slope: float | None = None
    intercept: float | None = None
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def equate(self, scores: object) -> FloatArray:
        """Scores on the new form put on the reference form's scale (NaN stays NaN).

        Raises ValueError when the equating was not computed.
        """
        if self.slope is None or self.intercept is None:
            raise ValueError(f"the equating was not computed: {self.reason}")
        values = as_float_array(scores, "scores")
        equated: FloatArray = self.slope * values + self.intercept
        return equated

    def to_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "new": self.new,
            "n_reference": self.n_reference,
            "n_new": self.n_new,
            "mean_reference": finite_or_none(self.mean_reference),
            "sd_reference": finite_or_none(self.sd_reference),
            "mean_new": finite_or_none(self.mean_new),
            "sd_new": finite_or_none(self.sd_new),
            "difference": finite_or_none(self.difference),
            "difference_ci": self.difference_ci.to_list() if self.difference_ci else None,
            "slope": finite_or_none(self.slope),
            "intercept": finite_or_none(self.intercept),
            "computed": self.computed,
            "reason": self.reason,
        }


def linear_equating(
    new: object,
    reference: object,
    *,
    new_form: str = "B",
    reference_form: str = "A",
    confidence: float = 0.95,
) -> LinearEquating:
    """The form difference and the linear (mean-sigma) equating of ``new`` onto ``reference``.

    ``new`` and ``reference`` are the pre-test scores of the two randomly-equivalent groups
    (NaN = missing, dropped), on a common scale (e.g. percent of each form's maximum).

    - difference = mean_new - mean_reference, with Welch's CI (:func:`welch_t`);
    - slope = sd_reference / sd_new (sample SDs, n - 1), intercept = mean_reference - slope *
      mean_new, so that equated scores have the reference group's mean and SD.

    Not computed, with the reason, when a group has fewer than 2 scores or no spread (every
    score equal). Checked against base R's ``mean``, ``sd`` and ``t.test(new, reference)``
    (tests/golden/make_golden_forms.R).

    Examples
    --------
    >>> e = linear_equating([40, 50, 60], [50, 60, 70])
    >>> e.difference, e.slope, e.intercept
    (-10.0, 1.0, 10.0)
    """
    new_v = as_float_array(new, "new")
    ref_v = as_float_array(reference, "reference")
    new_v = new_v[~np.isnan(new_v)]
    ref_v = ref_v[~np.isnan(ref_v)]
    base = LinearEquating(
        reference=reference_form, new=new_form, n_reference=int(ref_v.size), n_new=int(new_v.size)
    )
    for form, values in ((reference_form, ref_v), (new_form, new_v)):
        if values.size < 2:
            return _not_computed(
                base, f"fewer than 2 people answered form {form} before training ({values.size})"
            )
    mean_ref, mean_new = float(np.mean(ref_v)), float(np.mean(new_v))
    sd_ref, sd_new = math.sqrt(sample_var(ref_v)), math.sqrt(sample_var(new_v))
    for form, sd in ((reference_form, sd_ref), (new_form, sd_new)):
        if not sd > 0:
            return _not_computed(
                base,
                f"every score on form {form} before training is the same, so its spread "
                "cannot be matched",
            )
    welch = welch_t(new_v, ref_v, confidence)
    slope = sd_ref / sd_new
    return LinearEquating(
        reference=reference_form,
        new=new_form,
        n_reference=base.n_reference,
        n_new=base.n_new,
        mean_reference=mean_ref,
        sd_reference=sd_ref,
        mean_new=mean_new,
        sd_new=sd_new,
        difference=mean_new - mean_ref,
        difference_ci=welch.estimate_ci,
        slope=slope,
        intercept=mean_ref - slope * mean_new,
    )


def _not_computed(base: LinearEquating, reason: str) -> LinearEquating:
    return LinearEquating(
        reference=base.reference,
        new=base.new,
        n_reference=base.n_reference,
        n_new=base.n_new,
        reason=reason,
    )
