"""Report -> one self-contained HTML file (charts inline as SVG, CSS inlined, no requests).

The template is ``templates/report.html.j2`` with ``templates/report.css``; autoescaping is on,
so every piece of report text is escaped. The only markup passed through unescaped is the
charts' SVG, which imheval draws itself (:mod:`imheval.reports.charts` escapes the alt text).
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from imheval.reports.model import Number, Quotation, Report

#: Row labels shown in bold as totals.
TOTAL_LABELS = ("Total", "All", "All matched people")

#: Column headings right-aligned (a cell is right-aligned when it is a :class:`Number`).
_NUMERIC_HEADERS = frozenset(
    {
        "n",
        "People",
        "Enrolled",
        "Pre-test",
        "Post-test",
        "Matched",
        "Follow-up",
        "Before (%)",
        "After (%)",
        "Difference (pp)",
        "Share of those enrolled",
        "Holm-adjusted p",
        "Correct or rated",
        "Wrong",
        "Blank",
        "Invalid",
        "Facility before",
        "Facility after",
        "Item-rest r before",
        "KR-20 if deleted",
        "Cronbach's alpha if deleted",
        "Share",
        "Estimate",
        "t",
        "df",
        "p",
        "Variance",
        "Pairs",
        "Before",
        "After",
        "Change",
        "Gain after training",
        "Gain at follow-up",
        "Share of gain retained",
        "Sources",
        "Speakers",
        "Codings",
        "Units",
        "Percent agreement",
        "Cohen's kappa",
        "Krippendorff's alpha",
        "Headcount",
        "Trained",
        "Share trained",
        "Gap (people)",
        "People still to train",
        "Cohorts to close the gap",
        "Trained leavers a year",
        "Cohorts a year to hold the target",
    }
)


def render_html(report: Report, *, charts_as_images: bool = False) -> str:
    """The report as a complete HTML document (a string).

    Charts are inline ``<svg>``. With ``charts_as_images`` each is instead an ``<img>`` whose
    source is the same SVG as a ``data:`` URL, with the alt text as ``alt``: the picture is
    the same, but WeasyPrint (the PDF) then parses and styles the chart only as an image, not
    also as a few hundred HTML elements, which saves about a fifth of the PDF's time.
    """
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        generated=readable_time(report.generated),
        total_labels=TOTAL_LABELS,
        charts_as_images=charts_as_images,
        quotations=any(
            isinstance(block, Quotation) for section in report.sections for block in section.blocks
        ),
    )


def write_html(report: Report, path: str | Path) -> Path:
    """Write the report to ``path`` as UTF-8 HTML; returns the path.

    Raises OSError if the file cannot be written.
    """
    target = Path(path)
    target.write_text(render_html(report), encoding="utf-8")
    return target


def readable_time(iso: str) -> str:
    """'2026-11-23T18:46:57+00:00' -> '23 November 2026, 18:46 UTC'; other text unchanged."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = " UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
    return f"{moment.day} {moment:%B %Y, %H:%M}{zone}"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("imheval.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.tests["block_kind"] = lambda block, kind: type(block).__name__.lower() == kind
    environment.tests["number"] = lambda cell: isinstance(cell, Number)
    environment.tests["numeric_header"] = lambda cell: str(cell) in _NUMERIC_HEADERS
    environment.filters["trusted_svg"] = _trusted_svg
    environment.filters["svg_data_uri"] = _svg_data_uri
    return environment


def _trusted_svg(svg: str) -> Markup:
    """Mark imheval's own SVG as safe, refusing anything that could run or fetch."""
    lowered = svg.lower()
    if (
        "<script" in lowered
        or "<foreignobject" in lowered
        or re.search(r"""(?:href|src)\s*=\s*["'](?!#)""", lowered)
    ):
        raise ValueError("chart SVG must not contain scripts, foreign objects or external links")
    return Markup(svg)  # drawn by imheval.reports.charts, checked above


def _svg_data_uri(svg: str) -> str:
    """The chart as a ``data:image/svg+xml;base64,...`` URL, checked as :func:`_trusted_svg`."""
    _trusted_svg(svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
