"""Charts that label every row draw the labels as text, looking exactly as y ticks did."""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from imheval.reports import charts
from imheval.reports.charts import DumbbellSpec, HeatmapCategory, HeatmapSpec, IntervalSpec

CATEGORIES = (
    HeatmapCategory("ok", "On track", "#e8edee"),
    HeatmapCategory("behind", "Behind", "#ffb81c", hatch="//"),
)

SPECS = [
    DumbbellSpec(
        "Cohorts",
        "Percent",
        (("Cohort A", 30.0, 60.0), ("A cohort with a long name", 50.0, 45.0), ("C", 5.0, 95.0)),
        (0.0, 100.0),
        True,
        reference=90.0,
        reference_label="Too easy",
    ),
    IntervalSpec("Gains", "Points", (("P1", 10, 1.5, 0.5, 2.5), ("P2", 12, -0.5, -1.0, 0.1))),
    HeatmapSpec(
        "Heat",
        ("North", "A team name long enough to be wrapped over two lines", "Two\nlines"),
        ("2025", "2026"),
        ((("87%\nbehind", "behind"), ("90%", "ok")),) * 3,
        CATEGORIES,
    ),
]


def _pixels(spec: Any) -> np.ndarray:
    with matplotlib.rc_context(charts._RC):
        figure = charts.figure_for(spec)
        canvas = FigureCanvasAgg(figure)
        figure.set_dpi(200)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()


def _as_y_ticks(axes: Any, positions: Any, labels: Any, *, marks: bool = True) -> None:
    """The way the rows were labelled before: one y tick per row."""
    axes.set_yticks(positions, labels)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: type(s).__name__)
def test_row_labels_look_exactly_like_y_ticks(spec: Any, monkeypatch: Any) -> None:
    as_text = _pixels(spec)
    monkeypatch.setattr(charts, "_row_labels", _as_y_ticks)
    as_ticks = _pixels(spec)
    assert as_text.shape == as_ticks.shape
    assert np.array_equal(as_text, as_ticks)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: type(s).__name__)
def test_row_labels_make_no_y_ticks_and_stay_text(spec: Any) -> None:
    with matplotlib.rc_context(charts._RC):
        figure = charts.figure_for(spec)
    axes = figure.axes[0]
    assert len(axes.get_yticks()) == 0
    texts = {text.get_text() for text in axes.texts}
    first_row = spec.rows[0] if isinstance(spec, HeatmapSpec) else spec.rows[0][0]
    assert any(text.startswith(first_row) for text in texts)
    svg = charts.to_svg(spec, "rows", "alt")
    assert "<g/>" not in svg
    assert ">P1 (n = 10)</text>" in svg or ">Cohort A</text>" in svg or ">North</text>" in svg
