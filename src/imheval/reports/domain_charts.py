"""The charts of one domain (cohort dumbbell, individual changes, gains, question facility).

Each builder returns a :class:`~imheval.reports.model.Chart` with its SVG, its alt text and its
spec, or None when there is nothing to draw; small groups are hidden as in the tables.
:func:`svg_chart` wraps any :mod:`imheval.reports.charts` spec as a report block.
"""

from __future__ import annotations

import math

import numpy as np

from imheval.evaluation import DomainEvaluation
from imheval.findings.wording import plural
from imheval.reports.charts import ChartSpec, DumbbellSpec, HistogramSpec, IntervalSpec, to_svg
from imheval.reports.context import (
    EASY_FACILITY,
    MAX_ALT_ROWS,
    MAX_CHART_ROWS,
    ReportContext,
    protect_column,
    protect_report_rows,
)
from imheval.reports.model import Chart
from imheval.reports.wording import HIDDEN, people_text, plain_number, slug
from imheval.stats import ItemAnalysis


def facility_chart(domain: DomainEvaluation, items: ItemAnalysis) -> Chart | None:
    """Each question's facility before and after, as a dot (dumbbell) chart with a 90% line."""
    info = domain.domain
    rows = tuple(
        (s.item, 100 * s.facility_pre, 100 * s.facility_post)
        for s in items.items
        if s.facility_pre is not None and s.facility_post is not None
    )
    if not rows:
        return None
    binary = all(s.binary for s in items.items)
    measure = "share answering correctly" if binary else "average answer, % of its range"
    spec = DumbbellSpec(
        title=f"{info.label}: facility of each question before and after training ({measure})",
        axis_label="People answering correctly, %" if binary else "Average answer, % of range",
        rows=rows[:MAX_CHART_ROWS],
        limits=(0.0, 100.0),
        percent=True,
        reference=100 * EASY_FACILITY,
        reference_label=f"{100 * EASY_FACILITY:.0f}%: too easy before training",
    )
    listed = "; ".join(
        f"{label}: {before:.0f}% before, {after:.0f}% after"
        for label, before, after in rows[:MAX_ALT_ROWS]
    )
    more = f"; and {len(rows) - MAX_ALT_ROWS} more questions" if len(rows) > MAX_ALT_ROWS else ""
    rose = sum(after > before for _, before, after in rows)
    easy = sum(before > 100 * EASY_FACILITY for _, before, _ in rows)
    alt = (
        f"Dot chart of the facility ({measure}) of {len(rows)} {info.label.lower()} "
        f"question{plural(len(rows))} before (grey circle) and after (blue diamond) training, "
        "with a "
        f"dashed line at {100 * EASY_FACILITY:.0f}%. {listed}{more}. Facility rose on {rose} of "
        f"{len(rows)} questions; {easy} {'was' if easy == 1 else 'were'} above "
        f"{100 * EASY_FACILITY:.0f}% before training."
    )
    caption = ""
    if len(rows) < len(items.items):
        caption = "Questions without a facility at both timepoints are not drawn."
    if len(rows) > MAX_CHART_ROWS:
        caption = (caption + " " if caption else "") + (
            f"The chart shows the first {MAX_CHART_ROWS} of {len(rows)} questions; the table "
            "lists them all."
        )
    return svg_chart(f"{slug(info.id)}-items", spec, alt, caption)


def domains_chart(context: ReportContext) -> Chart | None:
    """Every measured domain's average before and after, as % of its range, in one chart.

    Domains without a known range, or with too few matched people to report, are left out;
    None when fewer than one domain remains.
    """
    rows = tuple(
        (d.domain.label, float(d.overall.pre_percent), float(d.overall.post_percent))
        for d in context.evaluation.domains
        if d.n_pairs
        and not context.small(d.n_pairs)
        and d.overall.pre_percent is not None
        and d.overall.post_percent is not None
    )
    if not rows:
        return None
    spec = DumbbellSpec(
        title="Average score before and after training, each part of the questionnaire",
        axis_label="Average score, % of the possible range",
        rows=rows,
        limits=(0.0, 100.0),
        percent=True,
    )
    listed = "; ".join(
        f"{label}: {before:.0f}% before, {after:.0f}% after" for label, before, after in rows
    )
    alt = (
        "Dot chart of the average score of the people matched before and after training, for "
        f"each part of the questionnaire, as a percentage of its possible range: {listed}."
    )
    return svg_chart("all-domains", spec, alt)


def dumbbell_chart(context: ReportContext, domain: DomainEvaluation) -> Chart | None:
    info = domain.domain
    shown = [row for row in protect_report_rows(context, domain.table1) if not row.suppressed]
    shown = [row for row in shown if row.pre_mean is not None and row.post_mean is not None]
    if not shown:
        return None
    percent = all(row.pre_percent is not None and row.post_percent is not None for row in shown)
    values = [
        (row.label, row.pre_percent, row.post_percent)
        if percent
        else (row.label, row.pre_mean, row.post_mean)
        for row in shown
    ]
    rows = tuple(
        (label, float(before or 0.0), float(after or 0.0)) for label, before, after in values
    )
    drawn = rows[:MAX_CHART_ROWS]
    spec = DumbbellSpec(
        title=f"{info.label}: average score of each cohort before and after training",
        axis_label="Average score, % of the possible range" if percent else "Average score",
        rows=drawn,
        limits=(0.0, 100.0) if percent else None,
        percent=percent,
    )
    unit = "%" if percent else ""
    listed = "; ".join(
        f"{label}: {plain_number(before, percent)}{unit} before, "
        f"{plain_number(after, percent)}{unit} after"
        for label, before, after in rows[:MAX_ALT_ROWS]
    )
    more = f"; and {len(rows) - MAX_ALT_ROWS} more cohorts" if len(rows) > MAX_ALT_ROWS else ""
    rose = sum(after > before for _, before, after in rows)
    alt = (
        f"Dot chart of the average {info.label.lower()} score of {len(rows)} cohort"
        f"{plural(len(rows))} before (grey circle) and after (blue diamond) training"
        + (", as a percentage of the possible range" if percent else "")
        + f". {listed}{more}. The average rose in {rose} of {len(rows)} cohorts."
    )
    caption = ""
    if len(rows) > MAX_CHART_ROWS:
        caption = (
            f"The chart shows the first {MAX_CHART_ROWS} of {len(rows)} cohorts; Table 1 "
            "lists them all."
        )
    hidden = len(domain.table1) - len(shown)
    if hidden:
        caption = (caption + " " if caption else "") + (
            f"{hidden} cohort{plural(hidden)} with fewer than {context.min_group_size} matched "
            "people (or hidden to protect them) are not drawn."
        )
    return svg_chart(f"{slug(info.id)}-cohorts", spec, alt, caption)


def changes_chart(context: ReportContext, domain: DomainEvaluation) -> Chart | None:
    info = domain.domain
    pairs = context.evaluation.matched.pairs(info.id)
    if len(pairs) < context.min_group_size:
        return None
    changes = (pairs["post"] - pairs["pre"]).to_numpy(dtype=float)
    spec = HistogramSpec(
        title=f"{info.label}: how much each person's score changed",
        axis_label="Change in score (after minus before), points",
        values=tuple(float(v) for v in changes),
    )
    cells, _, _ = protect_column(
        context,
        [int((changes > 0).sum()), int((changes == 0).sum()), int((changes < 0).sum())],
    )
    undisclosed = "an undisclosed number"
    up, same, down = (undisclosed if cell == HIDDEN else cell for cell in cells)
    who = {"1": "person", undisclosed: "of people"}.get(up, "people")
    alt = (
        f"Histogram of the change in {info.label.lower()} score for "
        f"{people_text(len(changes), 0).replace(' ', ' matched ', 1)}, from "
        f"{changes.min():+g} to {changes.max():+g} points (median "
        f"{float(np.median(changes)):+g}). {up[:1].upper() + up[1:]} {who} scored "
        f"higher after training, {same} the same and {down} lower."
    )
    return svg_chart(f"{slug(info.id)}-changes", spec, alt)


def gains_chart(context: ReportContext, domain: DomainEvaluation) -> Chart | None:
    """Mean gain per programme with its t-based 95% CI; hidden programmes are not drawn."""
    from imheval.stats.distributions import t_ppf

    info = domain.domain
    breakdown = next((b for b in domain.breakdowns if b.grouping == "programme"), None)
    if breakdown is None:
        return None
    shown = {
        row.label
        for row in protect_report_rows(context, breakdown.rows, breakdown.not_recorded)
        if not row.suppressed
    }
    pairs = context.evaluation.matched.pairs(info.id)
    pairs = pairs.assign(gain=pairs["post"] - pairs["pre"])
    rows: list[tuple[str, int, float, float, float]] = []
    for label, group in pairs.groupby("programme", sort=True):
        name = str(label)
        if name not in shown or len(group) < 2:
            continue
        gains = group["gain"].to_numpy(dtype=float)
        mean = float(gains.mean())
        half = t_ppf(0.975, len(gains) - 1) * float(gains.std(ddof=1)) / math.sqrt(len(gains))
        rows.append((name, len(gains), mean, mean - half, mean + half))
    if not rows:
        return None
    spec = IntervalSpec(
        title=f"{info.label}: average gain by programme, with 95% confidence interval",
        axis_label="Average change in score (after minus before), points",
        rows=tuple(rows),
    )
    listed = "; ".join(
        f"{label} (n = {n}): {mean:+.2f} points (95% CI {low:+.2f} to {high:+.2f})"
        for label, n, mean, low, high in rows
    )
    alt = (
        f"Chart of the average {info.label.lower()} gain per person in {len(rows)} "
        f"programme{plural(len(rows))}, each with its 95% confidence interval and a dashed "
        "line at "
        f"no change. {listed}."
    )
    caption = ""
    if len(shown) < len(breakdown.rows):
        caption = (
            f"Programmes with fewer than {context.min_group_size} matched people are not drawn."
        )
    return svg_chart(f"{slug(info.id)}-gains", spec, alt, caption)


def svg_chart(chart_id: str, spec: ChartSpec, alt: str, caption: str = "") -> Chart:
    return Chart(
        id=chart_id,
        title=spec.title,
        alt_text=alt,
        svg=to_svg(spec, chart_id, alt),
        spec=spec,
        caption=caption,
    )
