"""The HTML report: self-contained, accessible, escaped, and pinned by a snapshot."""

from __future__ import annotations

import base64
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from markupsafe import escape as markup_escape

from imheval import __version__
from imheval.reports import Report
from imheval.reports.html import render_html, write_html
from imheval.reports.model import Paragraph, Section, Table

SNAPSHOT = Path(__file__).parent / "snapshots" / "demo_report.html"


class Outline(HTMLParser):
    """Collects what the accessibility checks need while checking tags are balanced."""

    VOID = frozenset({"meta", "br", "img", "link", "hr", "input", "col", "path", "use", "rect"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.headings: list[int] = []
        self.tables = 0
        self.captions = 0
        self.th_without_scope = 0
        self.attributes: list[tuple[str, str, str | None]] = []
        self.html_lang: str | None = None
        self.svg_roles: list[str | None] = []
        self.unbalanced: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            self.attributes.append((tag, name, value))
        if tag == "html":
            self.html_lang = values.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "table":
            self.tables += 1
        if tag == "caption":
            self.captions += 1
        if tag == "th" and values.get("scope") not in ("col", "row"):
            self.th_without_scope += 1
        if tag == "svg":
            self.svg_roles.append(values.get("role"))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            self.attributes.append((tag, name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.unbalanced.append(tag)
            return
        self.stack.pop()


@pytest.fixture(scope="module")
def demo_html(demo_report: Report) -> str:
    return render_html(demo_report)


@pytest.fixture(scope="module")
def outline(demo_html: str) -> Outline:
    parser = Outline()
    parser.feed(demo_html)
    parser.close()
    return parser


def test_html_is_self_contained(demo_html: str, outline: Outline) -> None:
    for tag, name, value in outline.attributes:
        if name in ("src", "href", "xlink:href", "action", "srcset"):
            assert value is not None and value.startswith("#"), (tag, name, value)
    assert "<script" not in demo_html and "<link" not in demo_html and "@import" not in demo_html
    assert "url(http" not in demo_html


def test_html_is_well_formed_and_accessible(outline: Outline) -> None:
    assert outline.unbalanced == [] and outline.stack == []
    assert outline.html_lang == "en-GB"
    assert outline.headings[0] == 1 and outline.headings.count(1) == 1
    for previous, current in zip(outline.headings, outline.headings[1:], strict=False):
        assert current <= previous + 1, "a heading level was skipped"
    assert outline.tables > 10 and outline.captions == outline.tables
    assert outline.th_without_scope == 0
    assert outline.svg_roles and set(outline.svg_roles) == {"img"}


def test_every_chart_has_numbers_in_its_alt_text(demo_report: Report) -> None:
    charts = [c for s in demo_report.sections for c in s.charts()]
    ids = {c.id for c in charts}
    # The flow, then per domain: cohorts, changes, gains and item facility.
    for domain in ("knowledge", "risk-identification", "self-efficacy"):
        assert {f"{domain}-{kind}" for kind in ("cohorts", "changes", "gains", "items")} <= ids
    for chart in charts:
        assert re.search(r"\d", chart.alt_text), chart.id
        assert f">{escape(chart.alt_text)}</title>" in chart.svg


def test_report_text_is_escaped(demo_report: Report) -> None:
    hostile = Section(
        "x",
        "<b>bold</b>",
        None,
        (Paragraph("<script>alert(1)</script>"), Table("A & B", ("<i>",), (("<td>",),))),
    )
    html = render_html(demo_report.with_section(hostile))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "A &amp; B" in html


def test_chart_svg_with_a_script_is_refused(demo_report: Report) -> None:
    from dataclasses import replace

    from imheval.reports.model import Chart

    chart = next(c for s in demo_report.sections for c in s.charts())
    bad = replace(chart, svg=chart.svg.replace("</svg>", "<script>x()</script></svg>"))
    with pytest.raises(ValueError, match="scripts"):
        render_html(demo_report.with_section(Section("bad", "Bad", None, (bad,))))
    assert isinstance(chart, Chart)


def test_for_the_pdf_charts_are_images_of_the_same_svg(demo_report: Report) -> None:
    charts = [c for s in demo_report.sections for c in s.charts()]
    html = render_html(demo_report, charts_as_images=True)
    assert "<svg" not in html
    sources = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)">', html)
    assert len(sources) == len(charts)
    for (encoded, alt), chart in zip(sources, charts, strict=True):
        assert base64.b64decode(encoded).decode("utf-8") == chart.svg
        assert alt == str(markup_escape(chart.alt_text))
    # everything but the charts is the .html report's
    inline = render_html(demo_report)
    assert re.sub(r"<img src=[^>]*>", "", html) == re.sub(
        r"<svg.*?</svg>\n", "", inline, flags=re.S
    )


def test_a_chart_image_with_a_script_is_refused(demo_report: Report) -> None:
    from dataclasses import replace

    chart = next(c for s in demo_report.sections for c in s.charts())
    bad = replace(chart, svg=chart.svg.replace("</svg>", "<script>x()</script></svg>"))
    with pytest.raises(ValueError, match="scripts"):
        render_html(
            demo_report.with_section(Section("bad", "Bad", None, (bad,))), charts_as_images=True
        )


def normalise(html: str) -> str:
    """Blank the parts that change between runs: the time of the analysis and the version."""
    html = re.sub(r'datetime="[^"]*">[^<]*<', 'datetime="TIME">TIME<', html)
    return html.replace(f"imheval {__version__}", "imheval VERSION")


def test_html_matches_the_snapshot(demo_html: str) -> None:
    """Catches unintended changes to the rendered report.

    After an intended change (or a matplotlib upgrade that redraws charts), rewrite it with
    ``IMHEVAL_UPDATE_SNAPSHOTS=1 pytest tests/reports/test_html.py`` and review the diff.
    """
    actual = normalise(demo_html)
    if os.environ.get("IMHEVAL_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(actual, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run with IMHEVAL_UPDATE_SNAPSHOTS=1"
    expected = SNAPSHOT.read_text(encoding="utf-8")
    assert actual == expected, (
        "the HTML report changed; if intended, rerun with IMHEVAL_UPDATE_SNAPSHOTS=1"
    )


def test_write_html_writes_utf8(demo_report: Report, tmp_path: Path) -> None:
    path = write_html(demo_report, tmp_path / "r.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "η²_p" in text
