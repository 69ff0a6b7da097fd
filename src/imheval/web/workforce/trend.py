"""Coverage over the years (/o/<org>/workforce/coverage/trend/): coverage at the end of each
financial year (31 March) from the first year with data to today, each counted by the core
with the latest establishment extract on or before that date.

Everything is read once (:func:`~imheval.web.workforce.adapter.organisation_inputs`, every
extract) and the core counts each date, so the page runs the same queries for 2 years or 20.
A year-end before the first extract is skipped, and the page says so.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from imheval.errors import CoverageError, Problem
from imheval.reports.coverage import long_date, percent_text
from imheval.web.organisations.access import Access
from imheval.web.workforce.access import organisation_page
from imheval.web.workforce.adapter import CoverageInputs, coverage_on, organisation_inputs
from imheval.web.workforce.coverage_views import today, url
from imheval.web.workforce.downloads import table_response
from imheval.workforce import CoverageResult, Status

#: The most year-ends the trend shows (the latest ones).
MAX_YEARS = 20


@dataclass(frozen=True, slots=True)
class LevelPoint:
    """One level's coverage on one date, over the teams that could be measured."""

    level: str
    headcount: int
    trained: int
    gap_people: int
    met: int
    on_trajectory: int
    behind: int

    @property
    def percent(self) -> float | None:
        return 100 * self.trained / self.headcount if self.headcount else None

    @property
    def share(self) -> str:
        percent = self.percent
        return "" if percent is None else percent_text(percent)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """Coverage on one date: the extract it used and a line per level."""

    as_of: datetime.date
    extract: datetime.date
    levels: tuple[LevelPoint, ...]
    is_today: bool = False

    @property
    def label(self) -> str:
        return f"Today ({long_date(self.as_of)})" if self.is_today else long_date(self.as_of)


@dataclass(frozen=True)
class Trend:
    points: tuple[TrendPoint, ...]
    levels: tuple[str, ...]
    skipped: tuple[datetime.date, ...] = ()
    earlier_than_shown: int = 0
    problems: tuple[Problem, ...] = ()


def year_ends(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every 31 March from the first on or after ``first`` to the last on or before ``last``."""
    year = first.year if first <= datetime.date(first.year, 3, 31) else first.year + 1
    ends = []
    while (end := datetime.date(year, 3, 31)) <= last:
        ends.append(end)
        year += 1
    return ends


def level_points(result: CoverageResult) -> tuple[LevelPoint, ...]:
    """Per level some row requires (ladder order), totals over the rows with a share."""
    points = []
    for level in result.ladder.levels:
        rows = [row for row in result.rows if row.level == level]
        if not rows:
            continue
        measured = [row for row in rows if row.percent is not None]
        points.append(
            LevelPoint(
                level=level,
                headcount=sum(row.headcount for row in measured),
                trained=sum(row.trained for row in measured),
                gap_people=sum(row.gap_people for row in measured),
                met=sum(1 for row in measured if row.status is Status.MET),
                on_trajectory=sum(1 for row in measured if row.status is Status.ON_TRAJECTORY),
                behind=sum(1 for row in measured if row.status is Status.BEHIND),
            )
        )
    return tuple(points)


def trend_of(inputs: CoverageInputs, name: str, now: datetime.date) -> Trend:
    """The trend of one organisation (``name``) from inputs holding every extract."""
    extracts = sorted(day for day, _ in inputs.establishments.get(name, []))
    completions = [record.completed_on for record in inputs.training]
    starts = [*extracts[:1], *([min(completions)] if completions else [])]
    if not extracts:
        return Trend(points=(), levels=())
    dates = year_ends(min(starts), now)
    earlier = max(0, len(dates) - MAX_YEARS)
    dates = dates[earlier:]
    if not dates or dates[-1] != now:
        dates.append(now)
    points: list[TrendPoint] = []
    skipped: list[datetime.date] = []
    for day in dates:
        used = [extract for extract in extracts if extract <= day]
        if not used:
            skipped.append(day)
            continue
        try:
            result = coverage_on(inputs, day)
        except CoverageError as error:
            return Trend(points=tuple(points), levels=(), problems=error.problems)
        points.append(TrendPoint(day, used[-1], level_points(result), is_today=day == now))
    present = {line.level for point in points for line in point.levels}
    levels = tuple(level for level in inputs.ladder.levels if level in present)
    return Trend(tuple(points), levels, tuple(skipped), earlier)


def organisation_trend(organisation: Any, now: datetime.date | None = None) -> Trend:
    """The organisation's trend up to ``now`` (default today), or the problems that stop it."""
    try:
        inputs = organisation_inputs(organisation, None)
    except CoverageError as error:
        return Trend(points=(), levels=(), problems=error.problems)
    return trend_of(inputs, organisation.name, now or today())


# ---------------------------------------------------------------------------- chart

#: Okabe and Ito's colour-blind safe colours, one per level, each line also dashed its own way.
LINE_STYLES = (
    ("#0072B2", ""),
    ("#D55E00", "6 3"),
    ("#009E73", "2 3"),
    ("#CC79A7", "8 3 2 3"),
    ("#000000", "1 2"),
    ("#E69F00", "4 4"),
)
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 40


def chart_svg(trend: Trend) -> str:
    """A line per level: the share trained at each date (0 to 100%), labelled at its end."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    n = len(trend.points)

    def x(index: int) -> float:
        return LEFT + (plot_w * index / (n - 1) if n > 1 else plot_w / 2)

    def y(percent: float) -> float:
        return TOP + plot_h * (1 - percent / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Arial, sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#d8dde0"/><text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end" fill="#212b32">{tick}%</text>'
        )
    for index, point in enumerate(trend.points):
        label = "Today" if point.is_today else f"Mar {point.as_of.year}"
        parts.append(
            f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
            f'fill="#212b32">{escape(label)}</text>'
        )
    for number, level in enumerate(trend.levels):
        colour, dash = LINE_STYLES[number % len(LINE_STYLES)]
        found = [
            (index, line.percent)
            for index, point in enumerate(trend.points)
            for line in point.levels
            if line.level == level and line.percent is not None
        ]
        if not found:
            continue
        coords = " ".join(f"{x(i):.1f},{y(min(p, 100)):.1f}" for i, p in found)
        dashing = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f"{dashing}/>"
        )
        for i, p in found:
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(min(p, 100)):.1f}" r="3.5" fill="{colour}"/>'
            )
        legend_x = LEFT + plot_w + 12
        legend_y = TOP + 8 + 20 * number
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{legend_y}" y2="{legend_y}" '
            f'stroke="{colour}" stroke-width="2.5"{dashing}/>'
            f'<text x="{legend_x + 30}" y="{legend_y + 4}" fill="#212b32">{escape(level)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def chart_alt(trend: Trend) -> str:
    """The chart in words: each level's share at each date."""
    lines = []
    for level in trend.levels:
        values = [
            f"{point.label}: {line.share or 'not measured'}"
            for point in trend.points
            for line in point.levels
            if line.level == level
        ]
        lines.append(f"{level}: " + ", ".join(values))
    return "Share of staff trained by level over time. " + "; ".join(lines) + "."


# ---------------------------------------------------------------------------- views

TREND_HEADER = (
    "Date",
    "Establishment extract",
    "Level",
    "Staff who need the level",
    "Trained",
    "Percent trained",
    "Gap (people)",
    "Targets met",
    "On trajectory",
    "Behind",
)


def trend_rows(trend: Trend) -> list[tuple[object, ...]]:
    return [
        (
            point.as_of,
            point.extract,
            line.level,
            line.headcount,
            line.trained,
            line.percent,
            line.gap_people,
            line.met,
            line.on_trajectory,
            line.behind,
        )
        for point in trend.points
        for line in point.levels
    ]


@organisation_page()
def coverage_trend(request: HttpRequest, access: Access) -> HttpResponse:
    """The trend's chart and table."""
    organisation = access.organisation
    trend = organisation_trend(organisation)
    chart = None
    if trend.points and trend.levels:
        svg = chart_svg(trend)
        chart = {
            "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"),
            "alt": chart_alt(trend),
        }
    context = {
        "trend": trend,
        "chart": chart,
        "skipped": [long_date(day) for day in trend.skipped],
        "crumbs": [
            ("Workforce", url("home", organisation)),
            ("Coverage", url("coverage", organisation)),
        ],
    }
    return render(request, "workforce/trend.html", context)


@organisation_page()
def trend_download(request: HttpRequest, access: Access, file_format: str) -> HttpResponse:
    """The trend's table as CSV or XLSX."""
    trend = organisation_trend(access.organisation)
    return table_response(
        f"coverage trend {access.organisation.slug}", TREND_HEADER, trend_rows(trend), file_format
    )
