"""Charts: deterministic, accessible SVG; PNG from the same figure builder."""

from __future__ import annotations

import re

import pytest

from imheval.reports.charts import (
    DumbbellSpec,
    FlowSpec,
    HistogramSpec,
    IntervalSpec,
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
