"""Service data before and after training: per service and measure, what changed, with caution.

For each service's series of one measure, :func:`summarise` gives

* each period's figure (a count, a proportion of the denominator, or a mean), flagged
  *after* when the period begins on or after the date training began in that service;
* the mean figure per period before and after, and the difference (after minus before): a
  description, not a test;
* the interrupted time series (segmented regression, :mod:`imheval.stats.its`) **only** when
  there are at least :data:`~imheval.stats.its.MIN_PERIODS_EACH_SIDE` periods before and after
  (Penfold & Zhang 2013); otherwise the chart only, and a sentence saying why there is no test;
* plain-English findings, always with the caution that other things changed too, so the
  figures do not show that the training caused a change.

Small numbers are protected as everywhere in imheval (:mod:`imheval.suppression`): a period's
count (or a proportion's numerator, or what is left of its denominator) of 1 to
``min_group_size - 1`` is not shown, nor a proportion or mean over fewer than
``min_group_size``. A mean before or after that includes a hidden period is hidden too (it
would give the hidden figure back), and no model is fitted to a series with a hidden period.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from imheval.findings.model import Finding, Stats, finding
from imheval.services.model import Measure, Period, ServiceData, ServiceRow
from imheval.stats._common import finite_or_none
from imheval.stats.apa import format_p
from imheval.stats.its import (
    MIN_PERIODS_EACH_SIDE,
    SegmentedRegression,
    segmented_regression,
)

__all__ = [
    "CAUTION",
    "PeriodFigure",
    "Segment",
    "ServiceSeries",
    "ServiceSummary",
    "summarise",
]

#: The caution every before/after comparison carries.
CAUTION = (
    "Other things changed over the same time (staff, demand, other initiatives, how the "
    "figures were recorded), so this does not show that the training caused the change."
)


@dataclass(frozen=True, slots=True)
class PeriodFigure:
    """One period's figure; ``value`` is None when hidden to protect small numbers."""

    period: Period
    after: bool
    value: float | None
    count: float | None
    denominator: int | None
    suppressed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "after": self.after,
            "value": finite_or_none(self.value),
            "count": None if self.suppressed else finite_or_none(self.count),
            "denominator": None if self.suppressed else self.denominator,
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True, slots=True)
class Segment:
    """The periods before (or after) training: how many, and the mean figure per period
    (None, with ``reason``, when hidden or when there are none)."""

    periods: int
    mean: float | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"periods": self.periods, "mean": finite_or_none(self.mean), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ServiceSeries:
    """One service's series of one measure, before and after training."""

    service: str
    measure: Measure
    trained: datetime.date | None
    figures: tuple[PeriodFigure, ...]
    before: Segment
    after: Segment
    regression: SegmentedRegression | None
    findings: tuple[Finding, ...]

    @property
    def difference(self) -> float | None:
        """Mean per period after minus before (None when either is not shown)."""
        if self.before.mean is None or self.after.mean is None:
            return None
        return self.after.mean - self.before.mean

    @property
    def period_word(self) -> str:
        return self.figures[0].period.kind if self.figures else "period"

    @property
    def slug(self) -> str:
        text = f"{self.service}-{self.measure.key}".casefold()
        return "".join(c if c.isalnum() else "-" for c in text).strip("-")

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "measure": self.measure.key,
            "measure_label": self.measure.label,
            "kind": self.measure.kind,
            "unit": self.measure.unit,
            "barr_level": self.measure.barr_level,
            "trained": None if self.trained is None else self.trained.isoformat(),
            "periods": [figure.to_dict() for figure in self.figures],
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "difference": finite_or_none(self.difference),
            "interrupted_time_series": None
            if self.regression is None
            else self.regression.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "caution": CAUTION,
        }


@dataclass(frozen=True, slots=True)
class ServiceSummary:
    """Every series in the service data, in service then measure order."""

    series: tuple[ServiceSeries, ...]
    source: str
    min_group_size: int

    def levels(self) -> tuple[str, ...]:
        """The Barr levels (4a, 4b) with at least one series."""
        return tuple(
            level
            for level in ("4a", "4b")
            if any(s.measure.barr_level == level for s in self.series)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "min_group_size": self.min_group_size,
            "its_rule": (
                f"an interrupted time series is fitted when there are at least "
                f"{MIN_PERIODS_EACH_SIDE} periods before and {MIN_PERIODS_EACH_SIDE} after"
            ),
            "caution": CAUTION,
            "series": [s.to_dict() for s in self.series],
        }


def summarise(data: ServiceData, *, min_group_size: int = 5) -> ServiceSummary:
    """The before/after summary of every service and measure in ``data`` (never raises on
    real data: what cannot be computed carries a reason)."""
    groups: dict[tuple[str, str], list[ServiceRow]] = {}
    names: dict[str, str] = {}
    for row in data.rows:
        names.setdefault(row.service.casefold(), row.service)
        groups.setdefault((row.service.casefold(), row.measure.key), []).append(row)
    series = [
        _series(names[service], rows, data.training_date(names[service]), min_group_size)
        for (service, _), rows in sorted(groups.items(), key=lambda item: item[0])
    ]
    return ServiceSummary(tuple(series), data.source, min_group_size)


def _small(n: float | None, size: int) -> bool:
    return n is not None and 0 < n < size


def _figure(row: ServiceRow, after: bool, size: int) -> PeriodFigure:
    kind = row.measure.kind
    if kind == "count":
        hidden = _small(row.value, size)
        value: float | None = row.value
    elif kind == "proportion":
        denominator = row.denominator or 0
        hidden = (
            denominator < size or _small(row.value, size) or _small(denominator - row.value, size)
        )
        value = row.value / denominator if denominator else None
    else:
        hidden = row.denominator is not None and row.denominator < size
        value = row.value
    return PeriodFigure(
        row.period, after, None if hidden else value, row.value, row.denominator, hidden
    )


def _segment(figures: Sequence[PeriodFigure], raw: Sequence[float | None], word: str) -> Segment:
    if not figures:
        return Segment(0, None, f"there are no {word}s here")
    if any(f.suppressed for f in figures):
        return Segment(
            len(figures), None, f"a {word} with small numbers is hidden, so the mean is too"
        )
    values = [v for v in raw if v is not None]
    if not values:
        return Segment(len(figures), None, "there are no figures")
    return Segment(len(figures), sum(values) / len(values))


def _series(
    service: str, rows: list[ServiceRow], trained: datetime.date | None, size: int
) -> ServiceSeries:
    rows = sorted(rows, key=lambda row: row.period.index)
    measure = rows[0].measure
    flags = [trained is not None and row.period.start >= trained for row in rows]
    figures = tuple(_figure(row, flag, size) for row, flag in zip(rows, flags, strict=True))
    word = figures[0].period.kind
    raw = [_raw(row) for row in rows]
    pairs = list(zip(raw, figures, strict=True))
    before = _segment(
        [f for _, f in pairs if not f.after], [v for v, f in pairs if not f.after], word
    )
    after = _segment([f for _, f in pairs if f.after], [v for v, f in pairs if f.after], word)
    regression: SegmentedRegression | None = None
    if trained is not None:
        if any(f.suppressed for f in figures):
            regression = SegmentedRegression(
                before.periods,
                after.periods,
                reason=f"some {word}s have small numbers, which a fitted model could give back",
            )
        elif any(v is None for v in raw):
            regression = SegmentedRegression(
                before.periods, after.periods, reason="some figures are missing"
            )
        else:
            first = rows[0].period.index
            regression = segmented_regression(
                [v for v in raw if v is not None],
                [row.period.index - first + 1 for row in rows],
                flags,
            )
    partial = ServiceSeries(service, measure, trained, figures, before, after, regression, ())
    return ServiceSeries(
        service,
        measure,
        trained,
        figures,
        before,
        after,
        regression,
        tuple(_findings(partial)),
    )


def _raw(row: ServiceRow) -> float | None:
    if row.measure.kind == "proportion":
        return row.value / row.denominator if row.denominator else None
    return row.value


# --- words ------------------------------------------------------------------------------------


def shown(
    measure: Measure, value: float | None, *, signed: bool = False, change: bool = False
) -> str:
    """A figure in the measure's own terms: "35.0%", "12.3 referrals", "6.5 weeks"; a
    ``change`` (or ``signed`` change) of a proportion is in percentage points."""
    if value is None:
        return "not shown"
    sign = "+" if signed and value > 0 else ""
    if measure.kind == "proportion":
        points = " percentage points" if signed or change else "%"
        return f"{sign}{100 * value:.1f}{points}"
    unit = f" {measure.unit}" if measure.unit else ""
    return f"{sign}{value:.1f}{unit}"


def bare(measure: Measure, value: float) -> str:
    """A signed figure without its unit (percentage points for a proportion): "+8.9"."""
    scaled = 100 * value if measure.kind == "proportion" else value
    return f"{scaled:+.1f}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _findings(series: ServiceSeries) -> list[Finding]:
    measure = series.measure
    name = f"{series.service}: {measure.label.lower()}"
    figures_ok = {"service": series.service, "measure": measure.key}
    word = series.period_word
    out: list[Finding] = []
    if series.trained is None:
        out.append(
            finding(
                "service_no_training_date",
                measure.key,
                f"{name}: no date when training began was given, so the figures cannot be "
                "split into before and after.",
                figures=figures_ok,
            )
        )
        return out
    before, after = series.before, series.after
    if before.mean is None or after.mean is None:
        why = before.reason if before.mean is None else after.reason
        out.append(
            finding(
                "service_before_after",
                measure.key,
                f"{name}: {_plural(before.periods, word)} before training and "
                f"{_plural(after.periods, word)} after; no comparison of the means ({why}).",
                comparison="before_after",
                figures=figures_ok
                | {"periods_before": before.periods, "periods_after": after.periods},
            )
        )
    else:
        difference = after.mean - before.mean
        direction = "higher" if difference > 0 else "lower" if difference < 0 else "the same"
        per = f" a {word}" if measure.kind == "count" else f" (the mean of the {word}s)"
        out.append(
            finding(
                "service_before_after",
                measure.key,
                f"{name} averaged {shown(measure, before.mean)}{per} in the "
                f"{_plural(before.periods, word)} before training and "
                f"{shown(measure, after.mean)} in the {_plural(after.periods, word)} after: "
                + (
                    "the same"
                    if difference == 0
                    else f"{shown(measure, abs(difference), change=True)} {direction}"
                ),
                Stats(
                    f"mean per {word}: before {shown(measure, before.mean)}, after "
                    f"{shown(measure, after.mean)}; difference "
                    f"{shown(measure, difference, signed=True)}; descriptive, no test"
                ),
                ". " + CAUTION,
                comparison="before_after",
                figures=figures_ok
                | {
                    "periods_before": before.periods,
                    "periods_after": after.periods,
                    "mean_before": before.mean,
                    "mean_after": after.mean,
                    "difference": difference,
                },
            )
        )
    out.append(_its_finding(series, name, word))
    return out


def _its_finding(series: ServiceSeries, name: str, word: str) -> Finding:
    fit = series.regression
    measure = series.measure
    base = {"service": series.service, "measure": measure.key}
    if fit is None or fit.reason is not None:
        reason = fit.reason if fit is not None else "no training date"
        return finding(
            "service_its_not_fitted",
            measure.key,
            f"{name}: no time-series test ({reason}); the chart shows the figures only.",
            comparison="interrupted_time_series",
            figures=base | {"reason": reason},
        )
    level, slope = fit.level_change, fit.slope_change
    assert level is not None and slope is not None  # a fitted model has both
    level_words = (
        f"at the first {word} after training the figure was "
        f"{shown(measure, abs(level.estimate), change=True)} "
        f"{'above' if level.estimate >= 0 else 'below'} where the earlier trend would have put it"
    )
    slope_words = f"and its trend changed by {shown(measure, slope.estimate, signed=True)} a {word}"
    dw = fit.durbin_watson
    if fit.autocorrelated:
        auto = (
            f" One {word}'s figure tends to follow the last's (Durbin-Watson "
            f"{dw:.2f}), so the p-values are likely too small: read them with extra caution."
            if dw is not None
            else ""
        )
    else:
        auto = (
            f" Neighbouring {word}s are not markedly correlated (Durbin-Watson {dw:.2f})."
            if dw is not None
            else ""
        )
    stats_text = (
        f"level change = {shown(measure, level.estimate, signed=True)}"
        + _ci(measure, level)
        + f", {format_p(level.p)}; slope change = {shown(measure, slope.estimate, signed=True)} "
        f"per {word}"
        + _ci(measure, slope)
        + f", {format_p(slope.p)}; OLS, df = {fit.df_residual}"
        + ("" if dw is None else f", Durbin-Watson = {dw:.2f}")
        + (
            ""
            if fit.lag1_autocorrelation is None
            else f", lag-1 autocorrelation = {fit.lag1_autocorrelation:.2f}"
        )
    )
    return finding(
        "service_its",
        measure.key,
        f"{name}: over time, {level_words}, {slope_words}",
        Stats(stats_text),
        "." + auto + " " + CAUTION,
        comparison="interrupted_time_series",
        figures=base
        | {
            "level_change": level.estimate,
            "level_change_p": level.p,
            "slope_change": slope.estimate,
            "slope_change_p": slope.p,
            "durbin_watson": dw,
            "lag1_autocorrelation": fit.lag1_autocorrelation,
        },
    )


def _ci(measure: Measure, coefficient: Any) -> str:
    if coefficient.ci is None:
        return ""
    return f", 95% CI [{bare(measure, coefficient.ci.low)}, {bare(measure, coefficient.ci.high)}]"
