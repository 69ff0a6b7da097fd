"""Report blocks for level-4 service data (Barr 4a and 4b): the caution, and per service and
measure the findings, the interrupted time series chart and the before/after table.

Read by :func:`imheval.reports.sections.results.results_section` (the report's Level 4
section) and by the web's service pages, so both show the same words and figures.
"""

from __future__ import annotations

from imheval.instruments.model import BARR_LEVELS
from imheval.reports.charts import to_svg
from imheval.reports.model import Block, Callout, Chart, Findings, Heading, Number, Table
from imheval.reports.service_charts import service_alt_text, time_series_spec
from imheval.services.analysis import CAUTION, ServiceSeries, ServiceSummary, bare, shown
from imheval.stats.apa import format_p
from imheval.stats.its import MIN_PERIODS_EACH_SIDE

__all__ = ["barr_name", "series_blocks", "service_blocks", "service_tables"]


def barr_name(level: str) -> str:
    """ "Barr 4a: organisational practice"."""
    return f"Barr {level}: {BARR_LEVELS[level]}"


def service_blocks(summary: ServiceSummary) -> list[Block]:
    """Every series of ``summary`` under its Barr level, after the caution."""
    blocks: list[Block] = [
        Callout(
            "warning",
            "Service figures before and after training describe what changed, not why. "
            + CAUTION
            + f" A time-series test is shown only where there are at least "
            f"{MIN_PERIODS_EACH_SIDE} periods before and {MIN_PERIODS_EACH_SIDE} after training.",
        )
    ]
    for level in ("4a", "4b"):
        chosen = [s for s in summary.series if s.measure.barr_level == level]
        if not chosen:
            continue
        blocks.append(Heading(barr_name(level)))
        for series in chosen:
            blocks.extend(series_blocks(series))
    return blocks


def series_blocks(series: ServiceSeries, *, level: int = 2) -> list[Block]:
    """One series: a heading, the findings, the chart and the tables."""
    blocks: list[Block] = [
        Heading(f"{series.service}: {series.measure.label}", level),
        Findings(tuple((f.plain, f.statistics) for f in series.findings)),
    ]
    if series.figures:
        spec = time_series_spec(series)
        chart_id = f"services-{series.slug}"
        alt = service_alt_text(series)
        blocks.append(
            Chart(
                id=chart_id,
                title=spec.title,
                alt_text=alt,
                svg=to_svg(spec, chart_id, alt),
                spec=spec,
                caption="Each point is one period; the dashed line marks when training began.",
            )
        )
    blocks.extend(service_tables(series))
    return blocks


def service_tables(series: ServiceSeries) -> list[Table]:
    """The before/after table and, when fitted, the segmented regression's table."""
    measure = series.measure
    word = series.period_word
    before, after = series.before, series.after
    rows = (
        ("Before training", Number(f"{before.periods}"), Number(shown(measure, before.mean))),
        ("After training", Number(f"{after.periods}"), Number(shown(measure, after.mean))),
        (
            "Difference (after - before)",
            Number(""),
            Number(shown(measure, series.difference, signed=True)),
        ),
    )
    hidden = any(f.suppressed for f in series.figures)
    tables = [
        Table(
            caption=f"{series.service}: {measure.label}, before and after training",
            header=("", f"{word.capitalize()}s", f"Mean per {word}"),
            rows=rows,
            notes=(
                "A description, not a test. "
                + (
                    f"Training began {series.trained.isoformat()}; a {word} counts as after "
                    "when it begins on or after that date."
                    if series.trained is not None
                    else "No date when training began was given."
                ),
            ),
            suppressed_note=(
                f"Some {word}s have fewer than the smallest group shown, so they and the means "
                "that include them are not shown."
                if hidden
                else None
            ),
        )
    ]
    fit = series.regression
    if fit is not None and fit.reason is None:
        coefficient_rows = []
        for label, coefficient in (
            (f"Trend before training, per {word}", fit.pre_slope),
            ("Level change at training", fit.level_change),
            (f"Slope change, per {word}", fit.slope_change),
        ):
            if coefficient is None:
                continue
            ci = (
                ""
                if coefficient.ci is None
                else f"[{bare(measure, coefficient.ci.low)}, {bare(measure, coefficient.ci.high)}]"
            )
            coefficient_rows.append(
                (
                    label,
                    Number(shown(measure, coefficient.estimate, signed=True)),
                    Number(ci),
                    Number(format_p(coefficient.p)),
                )
            )
        dw = "n/a" if fit.durbin_watson is None else f"{fit.durbin_watson:.2f}"
        r1 = "n/a" if fit.lag1_autocorrelation is None else f"{fit.lag1_autocorrelation:.2f}"
        tables.append(
            Table(
                caption=f"{series.service}: {measure.label}, interrupted time series",
                header=("", "Estimate", "95% CI", "p"),
                rows=tuple(coefficient_rows),
                notes=(
                    (
                        "The estimates and CIs are in percentage points. "
                        if measure.kind == "proportion"
                        else ""
                    )
                    + f"Segmented regression, ordinary least squares: y = b0 + b1 time + b2 after "
                    f"+ b3 time after training; df = {fit.df_residual}. Durbin-Watson = {dw}, "
                    f"lag-1 autocorrelation of the residuals = {r1} (about 2 and 0 when "
                    "neighbouring periods are independent; otherwise the p-values are too "
                    "small).",
                ),
            )
        )
    return tables
