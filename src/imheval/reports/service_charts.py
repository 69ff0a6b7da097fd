"""The level-4 service chart: an interrupted time series plot, and its text alternative.

Periods along the bottom, the measure up the side, the figures before training in grey and
after in blue (different markers too), the date training began as a dashed vertical line, and
the fitted segments of the segmented regression when one was fitted. Hidden periods (small
numbers) are left out of the plot, and the text alternative says how many.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from imheval.services.analysis import ServiceSeries, shown

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["TimeSeriesSpec", "service_alt_text", "time_series_spec"]


@dataclass(frozen=True, slots=True)
class TimeSeriesSpec:
    """What the time series chart shows: one value per period (None when hidden), which
    periods are after training, the fitted values (empty when no model), and labels."""

    title: str
    labels: tuple[str, ...]
    values: tuple[float | None, ...]
    after: tuple[bool, ...]
    fitted: tuple[float, ...] = ()
    #: Where the before trend would have gone after training (empty when no model).
    counterfactual: tuple[float, ...] = ()
    y_label: str = ""
    percent: bool = False

    def figure(self) -> Figure:
        from imheval.reports.charts import AFTER_COLOUR, BEFORE_COLOUR, NEUTRAL_COLOUR, _new_figure

        figure = _new_figure(2.6, left=0.8, bottom=0.75)
        axes = figure.add_subplot()
        scale = 100.0 if self.percent else 1.0
        positions = range(len(self.labels))
        for flag, colour, marker, name in (
            (False, BEFORE_COLOUR, "o", "before training"),
            (True, AFTER_COLOUR, "s", "after training"),
        ):
            xs = [i for i in positions if self.after[i] == flag and self.values[i] is not None]
            ys = [scale * (self.values[i] or 0.0) for i in xs]
            if xs:
                axes.plot(xs, ys, linestyle="none", marker=marker, color=colour, label=name)
        if self.fitted and len(self.fitted) == len(self.labels):
            for flag in (False, True):
                xs = [i for i in positions if self.after[i] == flag]
                if xs:
                    axes.plot(
                        xs,
                        [scale * self.fitted[i] for i in xs],
                        color=AFTER_COLOUR if flag else BEFORE_COLOUR,
                        linewidth=1.5,
                    )
        if self.counterfactual and len(self.counterfactual) == len(self.labels):
            xs = [i for i in positions if self.after[i]]
            axes.plot(
                xs,
                [scale * self.counterfactual[i] for i in xs],
                color=BEFORE_COLOUR,
                linestyle=":",
                linewidth=1.5,
                label="before trend continued",
            )
        if any(self.after):
            first = self.after.index(True)
            axes.axvline(first - 0.5, color=NEUTRAL_COLOUR, linestyle="--", linewidth=1)
            axes.text(
                first - 0.4,
                1.0,
                "training began",
                transform=axes.get_xaxis_transform(),
                va="top",
                fontsize=8,
                color=NEUTRAL_COLOUR,
            )
        step = max(1, len(self.labels) // 12)
        ticks = list(positions)[::step]
        axes.set_xticks(ticks)
        axes.set_xticklabels([self.labels[i] for i in ticks], rotation=45, ha="right")
        axes.set_ylabel(self.y_label)
        axes.set_ylim(bottom=0)
        if any(v is not None for v in self.values):
            axes.legend(loc="lower left", frameon=False, fontsize=8, ncols=3)
        return figure


def time_series_spec(series: ServiceSeries) -> TimeSeriesSpec:
    """The chart of one service's series of one measure."""
    fit = series.regression
    fitted = fit.fitted if fit is not None and fit.reason is None else ()
    counterfactual: tuple[float, ...] = ()
    if fitted and fit is not None and fit.intercept is not None and fit.pre_slope is not None:
        first = series.figures[0].period.index
        counterfactual = tuple(
            fit.intercept.estimate + fit.pre_slope.estimate * (f.period.index - first + 1)
            for f in series.figures
        )
    measure = series.measure
    return TimeSeriesSpec(
        title=f"{series.service}: {measure.label}",
        labels=tuple(f.period.label for f in series.figures),
        values=tuple(f.value for f in series.figures),
        after=tuple(f.after for f in series.figures),
        fitted=fitted,
        counterfactual=counterfactual,
        y_label=(
            f"% of {measure.denominator or measure.unit}"
            if measure.kind == "proportion"
            else measure.unit.capitalize()
        ),
        percent=measure.kind == "proportion",
    )


def service_alt_text(series: ServiceSeries) -> str:
    """The chart in words, with its numbers: for people who cannot see it."""
    measure = series.measure
    figures = series.figures
    if not figures:
        return f"{series.service}: {measure.label}: no figures."
    word = figures[0].period.kind
    parts = [
        f"{series.service}: {measure.label} per {word}, "
        f"{figures[0].period} to {figures[-1].period}."
    ]
    if series.trained is not None:
        parts.append(f"Training began {series.trained.isoformat()}.")
    listed = "; ".join(
        f"{f.period} {shown(measure, f.value) if f.value is not None else 'hidden (small numbers)'}"
        + (" (after)" if f.after else "")
        for f in figures
    )
    parts.append(f"Figures: {listed}.")
    fit = series.regression
    if fit is not None and fit.reason is None:
        parts.append(
            "Lines show the fitted trend before and after training; a dotted line shows where "
            "the before trend would have gone."
        )
    return " ".join(parts)
