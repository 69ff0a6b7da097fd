"""The planning chart: power against the number of cohorts, for the participant-level and the
cohort-level analyses (the web planning page; :func:`imheval.stats.planning.power_by_cohorts`
gives the numbers).

Drawn like the report's charts (:mod:`imheval.reports.charts`: the same colours, fonts, margins
and lean, accessible inline SVG), so the page looks like the rest of imheval.
"""

from __future__ import annotations

import io
from typing import Any

from imheval.reports.charts import (
    _RC,
    AFTER_COLOUR,
    BEFORE_COLOUR,
    NEUTRAL_COLOUR,
    _inline_svg,
    _new_figure,
)
from imheval.stats.planning import PowerByCohorts

#: The power most studies aim for, drawn as a dashed line.
TARGET_POWER = 0.8


def power_chart_alt(curve: PowerByCohorts) -> str:
    """The chart's text alternative: what it shows and where each line crosses 80%."""

    def first_reaching(values: tuple[float | None, ...]) -> str:
        for count, value in zip(curve.cohorts, values, strict=True):
            if value is not None and value >= TARGET_POWER:
                return f"reaches 80% with {count} cohorts"
        return f"does not reach 80% with up to {curve.cohorts[-1]} cohorts"

    return (
        f"Line chart of power against the number of cohorts of {curve.cohort_size}, for d_z = "
        f"{curve.effect:.2f} and an ICC of {curve.icc:g}. The paired t-test on people "
        f"{first_reaching(curve.participant)}; the paired t-test on cohort means "
        f"{first_reaching(curve.cohort)}. The table below gives every value."
    )


def power_chart_svg(curve: PowerByCohorts, chart_id: str = "power-by-cohorts") -> str:
    """The chart as inline SVG with ``<title>`` = :func:`power_chart_alt`."""
    import matplotlib

    settings: Any = _RC | {"svg.hashsalt": f"imheval-{chart_id}"}
    with matplotlib.rc_context(settings):
        figure = _new_figure(3.0, left=0.7, bottom=0.95)
        axes = figure.add_subplot()
        counts = list(curve.cohorts)
        for values, colour, marker, label in (
            (curve.participant, AFTER_COLOUR, "D", "Paired t-test on people"),
            (curve.cohort, BEFORE_COLOUR, "o", "Paired t-test on cohort means (the seed's method)"),
        ):
            shown = [
                (count, value)
                for count, value in zip(counts, values, strict=True)
                if value is not None
            ]
            if shown:
                axes.plot(
                    [count for count, _ in shown],
                    [value * 100 for _, value in shown],
                    color=colour,
                    marker=marker,
                    markersize=5,
                    linewidth=1.5,
                    label=label,
                )
        axes.axhline(TARGET_POWER * 100, color=NEUTRAL_COLOUR, linestyle="--", linewidth=0.8)
        axes.text(
            counts[0],
            TARGET_POWER * 100 + 1.5,
            "80% power",
            fontsize=8,
            color=NEUTRAL_COLOUR,
            va="bottom",
        )
        axes.set_ylim(0, 102)
        axes.set_xlim(counts[0] - 0.3, counts[-1] + 0.3)
        if len(counts) <= 15:
            axes.set_xticks(counts)
        else:
            from matplotlib.ticker import MaxNLocator

            axes.xaxis.set_major_locator(MaxNLocator(nbins=12, integer=True))
        axes.set_xlabel(f"Number of cohorts of {curve.cohort_size}")
        axes.set_ylabel("Power (%)")
        axes.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False, fontsize=8
        )
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _inline_svg(buffer.getvalue(), chart_id, power_chart_alt(curve))
