"""The mixed model's frozen results: fixed effects, variance components, the whole fit.

Also the strings that say how a model was fitted (``METHOD``, ``METHOD_FALLBACK``) and the
lme4 formula of each cohort structure, since a result that was not fitted still carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from imheval.stats._common import finite_or_none
from imheval.stats.apa import format_number, format_p
from imheval.stats.results import ConfidenceInterval

#: How the model is fitted and tested (``MixedModelResult.method``).
METHOD: Final = "REML (profiled, as lme4); t-tests with Satterthwaite df (as lmerTest)"
#: The same when the profiled search failed and statsmodels' fit was used instead.
METHOD_FALLBACK: Final = (
    "REML (statsmodels MixedLM, as the profiled search failed); t-tests with Satterthwaite df "
    "(as lmerTest)"
)

#: Decimals of a Satterthwaite df when presented: from a numerical Hessian at a numerically
#: optimised fit, the df are good to about five significant figures, so a second decimal can
#: differ between machines (docs/methods.md, "Linear mixed model").
DF_DECIMALS: Final = 1

_FORMULAS: Final = {
    "random": "score ~ time + (1 | cohort) + (1 | cohort:participant)",
    "fixed": "score ~ time + cohort + (1 | participant)",
    "none": "score ~ time + (1 | participant)",
}


@dataclass(frozen=True, slots=True)
class FixedEffect:
    """One fixed-effect coefficient, named as lme4 names it.

    ``term`` is ``(Intercept)`` (the mean at pre, in the reference cohort when cohort is fixed),
    ``timepost`` / ``timefollowup`` (the change from pre) or ``cohort<label>`` (the difference
    from the first cohort in sorted order). ``statistic`` is t = estimate / se, ``df`` its
    Satterthwaite degrees of freedom, ``p`` the two-sided p-value from the t distribution on
    ``df`` and ``ci`` is estimate +- t_(1 - alpha/2, df) * se, as lmerTest's ``summary()`` and
    ``contest1D()`` give them. ``df`` is None only when the degrees of freedom could not be
    computed (the model's notes say why); ``p`` and ``ci`` then use the normal distribution.
    """

    term: str
    label: str
    estimate: float
    se: float
    statistic: float
    df: float | None
    p: float
    ci: ConfidenceInterval

    def df_text(self) -> str | None:
        """The df as presented, to one decimal (``5.9``; a whole number as ``5``), or None when
        there are none. ``df`` itself keeps full precision (see :data:`DF_DECIMALS` for why)."""
        if self.df is None:
            return None
        if self.df.is_integer():
            return str(int(self.df))
        return format_number(self.df, DF_DECIMALS)

    def apa(self) -> str:
        """APA-style test, e.g. ``t(5.5) = 18.13, p < .001`` (``z = ...`` when df is None)."""
        df = self.df_text()
        head = "z" if df is None else f"t({df})"
        return f"{head} = {format_number(self.statistic)}, {format_p(self.p)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "label": self.label,
            "estimate": finite_or_none(self.estimate),
            "se": finite_or_none(self.se),
            "statistic": finite_or_none(self.statistic),
            "df": finite_or_none(self.df),
            "p": finite_or_none(self.p),
            "ci": self.ci.to_list(),
        }


@dataclass(frozen=True, slots=True)
class VarianceComponents:
    """Estimated variances: between cohorts, between participants (within cohort) and residual.

    ``cohort`` is None when cohort is a fixed effect (or there is a single cohort).
    """

    cohort: float | None
    participant: float
    residual: float

    def to_dict(self) -> dict[str, float | None]:
        return {
            "cohort": finite_or_none(self.cohort),
            "participant": finite_or_none(self.participant),
            "residual": finite_or_none(self.residual),
        }


@dataclass(frozen=True, slots=True)
class MixedModelResult:
    """A fitted linear mixed model, or the reason it could not be fitted.

    ``formula`` is the model in lme4 syntax. ``cohort_effect`` is "random", "fixed" or "none"
    (a single cohort), and ``cohort_effect_reason`` explains, in plain English, why cohort is not
    random. ``fixed_effects`` and ``variance_components`` are empty / None when not computed.
    ``log_likelihood`` is the REML log-likelihood (R's ``logLik`` of a REML fit). ``singular`` is
    True when a variance is estimated at zero (lme4's "boundary (singular) fit"; the fixed effects
    are still valid). ``notes`` explain the fit to a reader, in plain English;
    ``software_warnings`` are what the fitting software (statsmodels, when the fallback fitted
    the model) warned, verbatim, kept for the record and not shown in reports.
    """

    formula: str
    cohort_effect: str
    n_observations: int
    n_participants: int
    n_cohorts: int
    cohort_effect_reason: str | None = None
    fixed_effects: tuple[FixedEffect, ...] = ()
    variance_components: VarianceComponents | None = None
    log_likelihood: float | None = None
    converged: bool = False
    singular: bool = False
    method: str = METHOD
    confidence: float = 0.95
    notes: tuple[str, ...] = ()
    reason: str | None = None
    software_warnings: tuple[str, ...] = ()

    @property
    def computed(self) -> bool:
        return self.reason is None

    def fixed_effect(self, term: str) -> FixedEffect | None:
        """The coefficient named ``term`` (lme4 naming, e.g. ``timepost``), or None."""
        for effect in self.fixed_effects:
            if effect.term == term:
                return effect
        return None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: plain floats and None (never NaN)."""
        return {
            "formula": self.formula,
            "cohort_effect": self.cohort_effect,
            "cohort_effect_reason": self.cohort_effect_reason,
            "n_observations": self.n_observations,
            "n_participants": self.n_participants,
            "n_cohorts": self.n_cohorts,
            "fixed_effects": [effect.to_dict() for effect in self.fixed_effects],
            "variance_components": (
                self.variance_components.to_dict() if self.variance_components else None
            ),
            "log_likelihood": finite_or_none(self.log_likelihood),
            "converged": self.converged,
            "singular": self.singular,
            "method": self.method,
            "confidence": self.confidence,
            # the JSON's notes have always listed the software's warnings too
            "notes": [*self.notes, *self.software_warnings],
            "software_warnings": list(self.software_warnings),
            "computed": self.computed,
            "reason": self.reason,
        }
