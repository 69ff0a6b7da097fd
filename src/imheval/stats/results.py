"""Frozen result objects shared by every statistical test.

Results keep full precision; only :meth:`TestResult.apa` and the presentation layers round.
A test that cannot be computed still returns a :class:`TestResult`, with ``reason`` saying why in
plain English and every number set to None, so callers never see NaN and never crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from imheval.stats._common import finite_or_none
from imheval.stats.apa import apa_text

#: Plain-English names for the effect-size types imheval reports (the JSON uses the keys).
EFFECT_SIZE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "cohen_dz": "Cohen's d_z (mean change / SD of change)",
        "hedges_gz": "Hedges' g_z (d_z with small-sample correction)",
        "d_av": "Cohen's d_av (mean change / average SD of pre and post)",
        "d_rm": "Cohen's d_rm (repeated measures, corrected for the pre-post correlation)",
        "r": "r from t (sqrt(t^2 / (t^2 + df)))",
        "rank_biserial": "matched-pairs rank-biserial r",
        "eta_squared": "eta squared",
        "partial_eta_squared": "partial eta squared",
        "omega_squared": "omega squared",
        "hedges_g": "Hedges' g (pooled SD, small-sample corrected)",
        "cohen_d": "Cohen's d (pooled SD)",
    }
)


@dataclass(frozen=True, slots=True)
class ConfidenceInterval:
    """A two-sided confidence interval."""

    low: float
    high: float
    level: float = 0.95

    def to_list(self) -> list[float]:
        return [self.low, self.high]


@dataclass(frozen=True, slots=True)
class EffectSize:
    """An effect size, always named by its type (``cohen_dz``, never just ``d``)."""

    name: str
    value: float
    ci: ConfidenceInterval | None = None

    @property
    def label(self) -> str:
        return EFFECT_SIZE_LABELS.get(self.name, self.name)


@dataclass(frozen=True, slots=True)
class TestResult:
    """The result of one statistical test.

    ``test`` is a stable identifier ("paired_t", "wilcoxon", "shapiro_wilk", "anova",
    "welch_anova", "welch_t"); ``statistic_name`` is its symbol in APA style ("t", "V", "W", "F").
    ``df`` is a number, or a (numerator, denominator) pair for F. ``estimate`` is the quantity
    the test is about (e.g. the mean change) with ``estimate_ci``. ``n`` counts the units
    analysed (pairs, cohorts or participants). ``details`` holds further named numbers
    (e.g. ``mean_pre``). When the test could not be computed, ``reason`` says why and the
    numbers are None. ``groups`` names the two groups of a two-group comparison made by
    :func:`~imheval.stats.compare_groups`, in order: the estimate is the first minus the second
    (None for other tests, and for three or more groups).
    """

    __test__ = False  # not a pytest test class

    test: str
    statistic_name: str
    n: int
    statistic: float | None = None
    df: float | tuple[float, float] | None = None
    p: float | None = None
    effect_sizes: tuple[EffectSize, ...] = ()
    estimate: float | None = None
    estimate_ci: ConfidenceInterval | None = None
    method: str = ""
    reason: str | None = None
    details: Mapping[str, float | None] = field(default_factory=dict)
    groups: tuple[str, str] | None = None

    @classmethod
    def not_computed(cls, test: str, statistic_name: str, n: int, reason: str) -> TestResult:
        """A result that says, in plain English, why the test could not be computed."""
        return cls(test=test, statistic_name=statistic_name, n=n, reason=reason)

    @property
    def computed(self) -> bool:
        return self.reason is None

    def effect(self, name: str) -> EffectSize | None:
        """The effect size of the given type, or None if this test does not report it."""
        for effect in self.effect_sizes:
            if effect.name == name:
                return effect
        return None

    def apa(self) -> str:
        """APA-style text, e.g. ``t(4) = 21.53, p < .001`` (rounded for presentation only)."""
        return apa_text(self)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: plain floats, lists for intervals, None (never NaN) for gaps."""
        df: list[float | None] | float | None = (
            [finite_or_none(v) for v in self.df]
            if isinstance(self.df, tuple)
            else finite_or_none(self.df)
        )
        return {
            "test": self.test,
            "statistic_name": self.statistic_name,
            "statistic": finite_or_none(self.statistic),
            "df": df,
            "p": finite_or_none(self.p),
            "n": self.n,
            "estimate": finite_or_none(self.estimate),
            "estimate_ci": self.estimate_ci.to_list() if self.estimate_ci else None,
            "effect_sizes": {e.name: finite_or_none(e.value) for e in self.effect_sizes},
            "effect_size_cis": {
                e.name: e.ci.to_list() for e in self.effect_sizes if e.ci is not None
            },
            "method": self.method,
            "computed": self.computed,
            "reason": self.reason,
            "apa": self.apa() if self.computed else None,
            "details": {k: finite_or_none(v) for k, v in self.details.items()},
            "groups": list(self.groups) if self.groups is not None else None,
        }
