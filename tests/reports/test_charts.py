"""Charts: deterministic, accessible SVG; PNG from the same figure builder."""

from __future__ import annotations

import re

import pytest

from imheval.reports.charts import (
    DumbbellSpec,
    FlowSpec,
    HistogramSpec,
    IntervalSpec,
    _inline_svg,
    histogram_bins,
    render,
    to_svg,
)

SPECS = [
    DumbbellSpec(
        "Before and after", "Percent", (("C1", 30.0, 60.0), ("C2", 50.0, 45.0)), (0.0, 100.0), True
    ),
    IntervalSpec("Gains", "Points", (("P1", 10, 1.5, 0.5, 2.5), ("P2", 12, -0.5, -1.0, 0.1))),
    HistogramSpec("Changes", "Points", (0.0, 1.0, 1.0, 2.0, -1.0, 3.0)),
    FlowSpec("Flow", (("Enrolled", "20", ""), ("Matched", "15", "5 pre-test only"))),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: type(s).__name__)
def test_svg_is_deterministic_accessible_and_self_contained(spec: object) -> None:
    first = to_svg(spec, "chart-a", "Alt <text> & numbers 30%")  # type: ignore[arg-type]
    second = to_svg(spec, "chart-a", "Alt <text> & numbers 30%")  # type: ignore[arg-type]
    assert first == second
    assert first.startswith("<svg") and "<?xml" not in first and "<metadata>" not in first
    assert 'role="img"' in first
    assert '<title id="chart-a-title">Alt &lt;text&gt; &amp; numbers 30%</title>' in first
    ids = re.findall(r'\bid="([^"]+)"', first)
    assert ids and all(i.startswith("chart-a-") for i in ids)
    assert len(ids) == len(set(ids))
    for reference in re.findall(r'(?:href="#|url\(#)([^")]+)', first):
        assert reference in ids
    assert not re.search(r'(?:href|src)="(?!#)', first)  # nothing fetched from outside


def test_two_charts_never_share_an_element_id() -> None:
    one = set(re.findall(r'\bid="([^"]+)"', to_svg(SPECS[0], "one", "a")))
    two = set(re.findall(r'\bid="([^"]+)"', to_svg(SPECS[0], "two", "a")))
    assert not one & two


def test_text_stays_text_in_svg() -> None:
    svg = to_svg(SPECS[1], "gains", "alt")
    assert "P1 (n = 10)" in svg and "+1.50" in svg


def test_one_figure_gives_both_svg_and_png() -> None:
    both = render(SPECS[2], "hist", "alt", ("svg", "png"))
    assert both["svg"].startswith("<svg")
    assert both["png"][:8] == b"\x89PNG\r\n\x1a\n"


def test_whole_number_changes_get_one_bar_per_point() -> None:
    assert histogram_bins([0.0, 2.0, -1.0]) == [-1.5, -0.5, 0.5, 1.5, 2.5]
    edges = histogram_bins([0.25, 1.75])
    assert edges[0] <= 0.25 and edges[-1] >= 1.75 and len(edges) >= 16
    assert histogram_bins([]) == [-0.5, 0.5]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: type(s).__name__)
def test_svg_is_lean_for_weasyprint(spec: object) -> None:
    svg = to_svg(spec, "lean", "alt")  # type: ignore[arg-type]
    # no wrapper groups that only carry an id, no CSS to parse, no ids nobody uses
    assert not re.search(r'<g(?: id="[^"]*")?>', svg)
    assert "style=" not in svg and "<style" not in svg
    assert 'stroke-linejoin="round" stroke-linecap="butt"' in svg.split(">", 1)[0]
    assert svg.count("<g") == svg.count("</g>")
    references = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))
    assert set(re.findall(r'\bid="([^"]+)"', svg)) == references | {"lean-title"}
    assert "rotate(-0 " not in svg


def test_the_title_is_left_to_the_caption_not_drawn() -> None:
    spec = IntervalSpec("A title that the caption shows", "Points", (("P1", 10, 1.5, 0.5, 2.5),))
    svg = to_svg(spec, "t", "alt text")
    assert "A title that the caption shows" not in svg
    assert "P1 (n = 10)" in svg and "Points" in svg


def test_style_becomes_attributes_only_when_all_of_it_can() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg">\n <g id="a">\n'
        '  <path d="M 0 0" style="fill: #ffffff; stroke-width: 0.8"/>\n'
        '  <path d="M 1 1" fill="red" style="fill: blue"/>\n'
        '  <text style="font-size: 9px; white-space: pre">x</text>\n </g>\n</svg>\n'
    )
    lean = _inline_svg(svg, "c", "alt")
    assert '<path d="M 0 0" fill="#ffffff" stroke-width="0.8"/>' in lean
    assert '<path d="M 1 1" fill="red" style="fill: blue"/>' in lean  # would repeat fill
    assert '<text style="font-size: 9px; white-space: pre">x</text>' in lean  # not presentation
    assert "<g" not in lean and "</g>" not in lean


def test_groups_that_do_not_pair_up_are_left_alone() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg">\n<g id="a">\n<path d="M 0 0"/>\n</svg>\n'
    assert '<g id="c-a">' not in _inline_svg(svg, "c", "alt")  # the id is unused, so dropped
    assert "<g>" in _inline_svg(svg, "c", "alt")
