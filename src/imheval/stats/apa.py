"""APA-style wording of results (rounding happens here, and only here).

Statistics are given to 2 decimals, p to 3 decimals without a leading zero ("p = .038",
"p < .001"), integer degrees of freedom without decimals and Welch's fractional df to 2 decimals.
Quantities that cannot exceed 1 in size (r, rank-biserial r, eta and omega squared) lose the
leading zero, as APA asks ("r = .97").

This module imports nothing from :mod:`imheval.stats.results`: it words anything shaped like a
result (the protocols below), so ``TestResult.apa()`` can call it without an import cycle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from types import MappingProxyType
from typing import Protocol


class Interval(Protocol):
    """What :func:`format_effect` reads of a confidence interval (a ``ConfidenceInterval``)."""

    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...
    @property
    def level(self) -> float: ...


class Effect(Protocol):
    """What :func:`format_effect` reads of an effect size (an ``EffectSize``)."""

    @property
    def name(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def ci(self) -> Interval | None: ...


class Worded(Protocol):
    """What :func:`apa_text` reads of a test result (a ``TestResult``)."""

    @property
    def test(self) -> str: ...
    @property
    def statistic_name(self) -> str: ...
    @property
    def statistic(self) -> float | None: ...
    @property
    def df(self) -> float | tuple[float, float] | None: ...
    @property
    def p(self) -> float | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def computed(self) -> bool: ...


#: The symbol printed for each effect-size type.
EFFECT_SYMBOLS: Mapping[str, str] = MappingProxyType(
    {
        "cohen_dz": "d_z",
        "hedges_gz": "g_z",
        "d_av": "d_av",
        "d_rm": "d_rm",
        "r": "r",
        "rank_biserial": "r_rb",
        "eta_squared": "η²",
        "partial_eta_squared": "η²_p",
        "omega_squared": "ω²",
        "hedges_g": "g",
        "cohen_d": "d",
    }
)

#: Plain names of the tests, for tables and reports (keys are ``TestResult.test``).
TEST_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "paired_t": "Paired t-test",
        "wilcoxon": "Wilcoxon signed-rank",
        "shapiro_wilk": "Shapiro-Wilk (are the changes normally distributed?)",
        "anova_gain": "One-way ANOVA of cohort gains",
        "anova": "One-way ANOVA",
        "welch_anova": "Welch ANOVA",
        "welch_t": "Welch t-test",
    }
)

#: Effect sizes bounded by 1 in absolute value: APA drops their leading zero.
_BOUNDED = frozenset({"r", "rank_biserial", "eta_squared", "partial_eta_squared", "omega_squared"})


def format_p(p: float | None) -> str:
    """``p < .001``, ``p = .038`` or ``p > .999``; ``p = n/a`` when p is missing."""
    if p is None or p != p:
        return "p = n/a"
    if p < 0.001:
        return "p < .001"
    text = _round(p, 3)
    if text == "1.000":
        return "p > .999"
    return "p = " + text.removeprefix("0")


def _round(value: float, decimals: int) -> str:
    """``value`` to ``decimals`` places, halves rounded up as people do (.0625 -> .063).

    Python's own formatting rounds the binary value half-to-even, which prints .0625 as .062;
    the shortest decimal repr of the float is what a reader would round by hand.
    """
    if not math.isfinite(value):
        return str(value)
    with localcontext() as context:
        context.prec = 400  # enough digits for any finite float written out in full
        quantum = Decimal(1).scaleb(-decimals)
        return str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def _number(value: float, decimals: int = 2, bounded: bool = False) -> str:
    text = _round(value, decimals)
    if text.startswith("-") and float(text) == 0:
        text = text[1:]  # "-0.00" reads as a sign error
    if bounded:
        text = text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
    return text


def _df(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def apa_text(result: Worded) -> str:
    """The test in APA style, e.g. ``t(4) = 21.53, p < .001`` or ``F(1, 2.23) = 1.65, p = .316``.

    For a result that could not be computed, its plain-English reason.
    """
    if not result.computed or result.statistic is None:
        return result.reason or "not computed"
    statistic = _number(result.statistic)
    if result.test == "wilcoxon" and (2 * result.statistic).is_integer():
        # V is a sum of (possibly mid-)ranks: show it as it is, 15 or 75.5, never 75.50.
        statistic = (
            _df(result.statistic) if result.statistic.is_integer() else _round(result.statistic, 1)
        )
    if isinstance(result.df, tuple):
        head = f"{result.statistic_name}({_df(result.df[0])}, {_df(result.df[1])})"
    elif result.df is not None:
        head = f"{result.statistic_name}({_df(result.df)})"
    else:
        head = result.statistic_name
    return f"{head} = {statistic}, {format_p(result.p)}"


def format_effect(effect: Effect) -> str:
    """An effect size with its CI, e.g. ``d_z = 1.23, 95% CI [0.80, 1.66]``.

    A correlation-type value that rounds to 1 but is not 1 reads ``r > .99``, not a misleading
    ``r = 1.00``; a CI that has collapsed to a point (every change in one direction) is left out.
    """
    bounded = effect.name in _BOUNDED
    symbol = EFFECT_SYMBOLS.get(effect.name, effect.name)
    if bounded and 0.995 <= abs(effect.value) < 1:
        text = f"{symbol} > .99" if effect.value > 0 else f"{symbol} < -.99"
    else:
        text = f"{symbol} = {_number(effect.value, bounded=bounded)}"
    ci = effect.ci
    if ci is not None and not math.isclose(ci.low, ci.high):
        level = f"{ci.level * 100:g}"
        low = _number(ci.low, bounded=bounded)
        high = _number(ci.high, bounded=bounded)
        text += f", {level}% CI [{low}, {high}]"
    return text


def format_number(value: float, decimals: int = 2, bounded: bool = False) -> str:
    """A number for presentation, halves rounded up; ``bounded`` (cannot exceed 1 in size)
    drops the leading zero as APA asks: ``.65``, ``-.12``."""
    return _number(value, decimals, bounded)
