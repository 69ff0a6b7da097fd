"""Charts for reports, drawn with matplotlib from small frozen specs.

A spec (:class:`DumbbellSpec`, :class:`IntervalSpec`, :class:`HistogramSpec`,
:class:`FlowSpec`, :class:`HeatmapSpec`) holds only the numbers a chart shows, already protected
against small groups by the caller. :func:`figure_for` is the one figure builder; :func:`render`
turns its figure into SVG (HTML, PDF) and/or PNG (Word), so every format shows the same picture.

A spec's ``title`` is not drawn in the chart; the report prints it as the figure's caption.

SVG output is deterministic (fixed hash salt, no date, text kept as text) so snapshot tests
are stable, carries a ``<title>`` and ``role="img"`` with the alt text, has its element ids
prefixed with the chart id so several charts can sit inline in one HTML page, and is kept lean
for WeasyPrint (see :func:`_inline_svg`).

matplotlib is imported inside the functions, so importing this module (and imheval) stays fast.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable
from xml.sax.saxutils import escape, quoteattr

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Colours that stay distinct in greyscale and for colour-blind readers (markers differ too).
BEFORE_COLOUR = "#768692"  # NHS mid grey
AFTER_COLOUR = "#005EB8"  # NHS blue
NEUTRAL_COLOUR = "#425563"  # NHS dark grey
FILL_COLOUR = "#E8EDEE"  # NHS pale grey

#: Width of every chart in inches (fits an A4 page with 2 cm margins).
WIDTH = 6.3
PNG_DPI = 150

Format = Literal["svg", "png"]


@dataclass(frozen=True, slots=True)
class DumbbellSpec:
    """Before and after values per row (cohort), joined by a line.

    ``rows`` hold (label, before, after); ``limits`` fixes the axis (e.g. 0-100 for percent).
    ``reference`` draws a dashed line at that value, labelled ``reference_label`` (e.g. the
    facility of 90% above which a question is too easy).
    """

    title: str
    axis_label: str
    rows: tuple[tuple[str, float, float], ...]
    limits: tuple[float, float] | None = None
    percent: bool = False
    reference: float | None = None
    reference_label: str = ""


@dataclass(frozen=True, slots=True)
class IntervalSpec:
    """A mean with its confidence interval per row: (label, n, mean, low, high)."""

    title: str
    axis_label: str
    rows: tuple[tuple[str, int, float, float, float], ...]


@dataclass(frozen=True, slots=True)
class HistogramSpec:
    """The distribution of individual values, with a reference line at zero."""

    title: str
    axis_label: str
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class FlowSpec:
    """A CONSORT-like flow: boxes (label, count as text) top to bottom, each with a side note.

    Counts are text so a small count can read "fewer than 5"; an empty note draws no arrow.
    """

    title: str
    stages: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, slots=True)
class HeatmapCategory:
    """One kind of heat map cell: its legend label, fill, text colour and an optional hatch."""

    key: str
    label: str
    fill: str
    text_colour: str = "#212b32"
    hatch: str = ""


@dataclass(frozen=True, slots=True)
class HeatmapSpec:
    """A grid of cells, each filled with its category's colour and carrying its own words.

    ``rows`` label the rows top to bottom, ``columns`` the columns; ``cells[r][c]`` is that
    cell's (text, category key), the text on one or two lines ("87%\\nbehind"), so a cell is
    read from its words and never from its colour alone. ``categories`` are listed in the legend
    in their order. Raises ValueError when the cells do not fill the grid or name an unknown
    category.
    """

    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[tuple[str, str], ...], ...]
    categories: tuple[HeatmapCategory, ...]

    def __post_init__(self) -> None:
        known = {category.key for category in self.categories}
        if len(self.cells) != len(self.rows) or any(
            len(row) != len(self.columns) for row in self.cells
        ):
            raise ValueError(f"heat map '{self.title}': the cells do not fill the grid")
        for row in self.cells:
            for _, key in row:
                if key not in known:
                    raise ValueError(f"heat map '{self.title}': unknown category '{key}'")


@runtime_checkable
class SelfDrawnSpec(Protocol):
    """A spec kept beside the module that uses it, which draws its own figure with this
    module's style (e.g. :class:`imheval.reports.service_charts.TimeSeriesSpec`)."""

    @property
    def title(self) -> str: ...

    def figure(self) -> Figure: ...


ChartSpec = DumbbellSpec | IntervalSpec | HistogramSpec | FlowSpec | HeatmapSpec | SelfDrawnSpec


def render(
    spec: ChartSpec, chart_id: str, alt_text: str, formats: Sequence[Format]
) -> dict[str, Any]:
    """Draw ``spec`` once and save it in each of ``formats``.

    Returns {"svg": str} and/or {"png": bytes}. The SVG is ready to inline in HTML (no XML
    declaration, ids prefixed with ``chart_id``, ``<title>`` = ``alt_text``).
    """
    import matplotlib

    salt = f"imheval-{chart_id}"
    out: dict[str, Any] = {}
    settings: Any = _RC | {"svg.hashsalt": salt}
    with matplotlib.rc_context(settings):
        figure = figure_for(spec)
        if "svg" in formats:
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
            out["svg"] = _inline_svg(buffer.getvalue(), chart_id, alt_text)
        if "png" in formats:
            binary = io.BytesIO()
            figure.savefig(binary, format="png", dpi=PNG_DPI, metadata={"Software": None})
            out["png"] = binary.getvalue()
    return out


def to_svg(spec: ChartSpec, chart_id: str, alt_text: str) -> str:
    """The chart as inline SVG (see :func:`render`)."""
    svg: str = render(spec, chart_id, alt_text, ("svg",))["svg"]
    return svg


def to_png(spec: ChartSpec, chart_id: str = "chart") -> bytes:
    """The chart as PNG bytes at :data:`PNG_DPI` (for Word)."""
    png: bytes = render(spec, chart_id, "", ("png",))["png"]
    return png


def figure_for(spec: ChartSpec) -> Figure:
    """The matplotlib figure for a spec (the single builder behind SVG and PNG)."""
    if isinstance(spec, DumbbellSpec):
        return _dumbbell(spec)
    if isinstance(spec, IntervalSpec):
        return _intervals(spec)
    if isinstance(spec, HistogramSpec):
        return _histogram(spec)
    if isinstance(spec, HeatmapSpec):
        return _heatmap(spec)
    if isinstance(spec, FlowSpec):
        return _flow(spec)
    return spec.figure()


_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": NEUTRAL_COLOUR,
    "axes.labelcolor": "#212b32",
    "xtick.color": "#212b32",
    "ytick.color": "#212b32",
    "path.simplify": False,
}


#: Space above the plot, in inches: room for the top tick label or value label.
TOP_MARGIN = 0.2


def _new_figure(
    height: float, left: float = 0.7, bottom: float = 0.55, right: float = 0.3
) -> Figure:
    """A figure with fixed margins in inches.

    ``height`` is the height of the plot itself plus its bottom margin. Fixed margins, not a
    layout engine, which would cost ~0.1 s per chart. The chart's title is not drawn: every
    format prints it as the figure's caption (HTML and PDF ``<figcaption>``, Word's "Figure n."
    caption). Drawn inside too, it was repeated, and it was a third of the charts' text, which
    WeasyPrint lays out one letter at a time.
    """
    from matplotlib.figure import Figure

    total = height + TOP_MARGIN
    figure = Figure(figsize=(WIDTH, total))
    figure.subplots_adjust(
        left=left / WIDTH,
        right=1 - right / WIDTH,
        bottom=bottom / total,
        top=1 - TOP_MARGIN / total,
    )
    return figure


def _label_width(labels: Sequence[str]) -> float:
    """Inches needed for the longest y-axis label at 9 pt (about 0.075 in per character)."""
    longest = max((len(label) for label in labels), default=4)
    return min(0.25 + 0.075 * longest, WIDTH / 2.5)


def _dumbbell(spec: DumbbellSpec) -> Figure:
    rows = spec.rows
    figure = _new_figure(
        1.3 + 0.32 * len(rows),
        left=_label_width([row[0] for row in rows]),
        bottom=0.8,
    )
    axes = figure.add_subplot()
    positions = [float(y) for y in range(len(rows))][::-1]  # first row at the top
    segments = [
        [(before, y), (after, y)] for y, (_, before, after) in zip(positions, rows, strict=True)
    ]
    _lines(axes, segments, FILL_COLOUR, 5, zorder=1)
    _lines(axes, segments, NEUTRAL_COLOUR, 1, zorder=2)
    before_values = [row[1] for row in rows]
    after_values = [row[2] for row in rows]
    axes.scatter(
        before_values,
        positions,
        s=40,
        color=BEFORE_COLOUR,
        marker="o",
        zorder=3,
        label="Before training",
    )
    axes.scatter(
        after_values,
        positions,
        s=48,
        color=AFTER_COLOUR,
        marker="D",
        zorder=3,
        label="After training",
    )
    to_left, to_right = _shifted(axes, -6), _shifted(axes, 6)
    for y, (_, before, after) in zip(positions, rows, strict=True):
        left, right = (before, after) if before <= after else (after, before)
        axes.text(
            left,
            y,
            _value(left, spec.percent),
            transform=to_left,
            ha="right",
            va="center",
            fontsize=8,
        )
        axes.text(
            right,
            y,
            _value(right, spec.percent),
            transform=to_right,
            ha="left",
            va="center",
            fontsize=8,
        )
    _row_labels(axes, positions, [row[0] for row in rows])
    if spec.limits is not None:
        low, high = spec.limits
        pad = (high - low) * 0.08
        axes.set_xlim(low - pad, high + pad)
    else:
        low, high = min(before_values + after_values), max(before_values + after_values)
        pad = max((high - low) * 0.15, 0.5)
        axes.set_xlim(low - pad, high + pad)
    axes.set_ylim(-0.7, len(rows) - 0.3)
    if spec.reference is not None:
        axes.axvline(
            spec.reference,
            color=NEUTRAL_COLOUR,
            linestyle="--",
            linewidth=0.8,
            zorder=0,
            label=spec.reference_label or None,
        )
    axes.set_xlabel(spec.axis_label)
    axes.grid(axis="x", color=FILL_COLOUR, linewidth=0.8)
    axes.set_axisbelow(True)
    columns = 3 if spec.reference is not None and spec.reference_label else 2
    figure.legend(
        loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=columns, frameon=False, fontsize=8
    )
    return figure


def _intervals(spec: IntervalSpec) -> Figure:
    rows = spec.rows
    labels = [f"{label} (n = {n})" for label, n, *_ in rows]
    figure = _new_figure(0.9 + 0.36 * len(rows), left=_label_width(labels))
    axes = figure.add_subplot()
    positions = [float(y) for y in range(len(rows))][::-1]
    intervals = [[(low, y), (high, y)] for y, (*_, low, high) in zip(positions, rows, strict=True)]
    _lines(axes, intervals, AFTER_COLOUR, 2, zorder=2)
    caps = [
        [(x, y - 0.12), (x, y + 0.12)]
        for y, (*_, low, high) in zip(positions, rows, strict=True)
        for x in (low, high)
    ]
    _lines(axes, caps, AFTER_COLOUR, 1.5, zorder=2)
    axes.scatter(
        [row[2] for row in rows], positions, s=45, color=AFTER_COLOUR, marker="D", zorder=3
    )
    to_right = _shifted(axes, 6)
    for y, (_, _, mean, _, high) in zip(positions, rows, strict=True):
        axes.text(high, y, f"{mean:+.2f}", transform=to_right, ha="left", va="center", fontsize=8)
    axes.axvline(0, color=NEUTRAL_COLOUR, linewidth=1, linestyle="--", zorder=1)
    _row_labels(axes, positions, labels)
    lows = [row[3] for row in rows] + [0.0]
    highs = [row[4] for row in rows] + [0.0]
    span = max(highs) - min(lows) or 1.0
    axes.set_xlim(min(lows) - 0.08 * span, max(highs) + 0.22 * span)
    axes.set_ylim(-0.7, len(rows) - 0.3)
    axes.set_xlabel(spec.axis_label)
    axes.grid(axis="x", color=FILL_COLOUR, linewidth=0.8)
    axes.set_axisbelow(True)
    return figure


def _histogram(spec: HistogramSpec) -> Figure:
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    values = np.asarray(spec.values, dtype=float)
    figure = _new_figure(2.4)
    axes = figure.add_subplot()
    axes.hist(
        values,
        bins=histogram_bins(spec.values),
        color=AFTER_COLOUR,
        edgecolor="white",
        linewidth=0.8,
    )
    axes.axvline(0, color=NEUTRAL_COLOUR, linewidth=1.2, linestyle="--")
    axes.annotate(
        "no change",
        (0, 1),
        xycoords=("data", "axes fraction"),
        xytext=(4, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=8,
        color=NEUTRAL_COLOUR,
    )
    axes.set_xlabel(spec.axis_label)
    axes.set_ylabel("Number of people")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return figure


def histogram_bins(values: Sequence[float]) -> list[float]:
    """Bin edges: one bin per whole point for whole-number changes, else about 15 bins.

    Edges fall half-way between whole numbers, so each bar is centred on a possible change.
    """
    if not values:
        return [-0.5, 0.5]
    low, high = min(values), max(values)
    whole = all(float(v).is_integer() for v in values)
    if whole and high - low <= 40:
        return [edge - 0.5 for edge in range(int(low), int(high) + 2)]
    width = (high - low) / 15 or 1.0
    start = math.floor(low / width) * width
    count = math.ceil((high - start) / width) + 1
    return [start + i * width for i in range(count + 1)]


def _flow(spec: FlowSpec) -> Figure:
    from matplotlib.patches import FancyBboxPatch

    stages = spec.stages
    figure = _new_figure(0.2 + 0.7 * len(stages), left=0.1, bottom=0.1, right=0.1)
    axes = figure.add_subplot()
    axes.set_xlim(0, 10)
    axes.set_ylim(0, len(stages))
    axes.axis("off")
    for index, (label, count, note) in enumerate(stages):
        y = len(stages) - index - 0.5
        axes.add_patch(
            FancyBboxPatch(
                (0.4, y - 0.3),
                5.2,
                0.6,
                boxstyle="round,pad=0.02",
                facecolor=FILL_COLOUR,
                edgecolor=AFTER_COLOUR,
                linewidth=1.2,
            )
        )
        axes.text(3.0, y, f"{label}: {count}", ha="center", va="center", fontsize=9)
        if note:
            axes.annotate(
                "",
                xy=(6.2, y),
                xytext=(5.6, y),
                arrowprops={"arrowstyle": "-|>", "color": NEUTRAL_COLOUR},
            )
            axes.text(6.3, y, note, ha="left", va="center", fontsize=8, color=NEUTRAL_COLOUR)
        if index + 1 < len(stages):
            axes.annotate(
                "",
                xy=(3.0, y - 0.7),
                xytext=(3.0, y - 0.3),
                arrowprops={"arrowstyle": "-|>", "color": AFTER_COLOUR},
            )
    return figure


#: Room above a heat map's grid for its column labels, in inches.
HEATMAP_LABELS = 0.3
#: A heat map's row labels are wrapped at this many characters (and where they hold a newline).
HEATMAP_LABEL_CHARACTERS = 30


def _heatmap(spec: HeatmapSpec) -> Figure:
    """Cells as rectangles with their words centred, column labels on top, a legend below."""
    import textwrap

    from matplotlib.patches import Patch, Rectangle

    categories = {category.key: category for category in spec.categories}
    rows, columns = len(spec.rows), len(spec.columns)
    labels = [
        "\n".join(textwrap.fill(line, HEATMAP_LABEL_CHARACTERS) for line in label.split("\n"))
        for label in spec.rows
    ]
    legend_rows = math.ceil(len(spec.categories) / 3)
    bottom = 0.25 + 0.22 * legend_rows
    height = 0.42 * rows + bottom + HEATMAP_LABELS
    left = _label_width([line for label in labels for line in label.split("\n")])
    figure = _new_figure(height, left=left, bottom=bottom)
    # The column labels sit above the grid: room for them under the top margin.
    figure.subplots_adjust(top=1 - (TOP_MARGIN + HEATMAP_LABELS) / (height + TOP_MARGIN))
    axes = figure.add_subplot()
    cell_width = (WIDTH - left - 0.3) / max(columns, 1)
    for r, row in enumerate(spec.cells):
        for c, (text, key) in enumerate(row):
            category = categories[key]
            corner = (c, rows - r - 1)
            # The hatch takes the edge's colour, so the fill carries it and a white frame
            # drawn over it separates the cells.
            axes.add_patch(
                Rectangle(
                    corner,
                    1,
                    1,
                    facecolor=category.fill,
                    edgecolor=NEUTRAL_COLOUR,
                    linewidth=0,
                    hatch=category.hatch or None,
                )
            )
            axes.add_patch(Rectangle(corner, 1, 1, fill=False, edgecolor="white", linewidth=2))
            longest = max((len(line) for line in text.split("\n")), default=1) or 1
            axes.text(
                c + 0.5,
                rows - r - 0.5,
                text,
                ha="center",
                va="center",
                # About 0.068 inches a character at 8 pt: smaller type for long words.
                fontsize=max(6.0, min(8.0, 8 * (cell_width - 0.08) / (0.068 * longest))),
                color=category.text_colour,
                linespacing=1.1,
                # On a hatched cell the words sit on a patch of the plain fill.
                bbox=(
                    {"facecolor": category.fill, "edgecolor": "none", "pad": 1.5}
                    if category.hatch
                    else None
                ),
            )
    axes.set_xlim(0, columns)
    axes.set_ylim(0, rows)
    axes.set_xticks([c + 0.5 for c in range(columns)], list(spec.columns))
    axes.xaxis.tick_top()
    _row_labels(axes, [rows - r - 0.5 for r in range(rows)], labels, marks=False)
    axes.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        axes.spines[side].set_visible(False)
    handles = [
        Patch(
            facecolor=category.fill,
            edgecolor=NEUTRAL_COLOUR,
            hatch=category.hatch or None,
            label=category.label,
        )
        for category in spec.categories
    ]
    figure.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=min(3, len(handles)),
        frameon=False,
        fontsize=8,
    )
    return figure


def _lines(
    axes: Any,
    segments: Sequence[Sequence[tuple[float, float]]],
    colour: str,
    width: float,
    zorder: int,
) -> None:
    """Straight line segments as one collection (one artist, not one Line2D each: faster)."""
    from matplotlib.collections import LineCollection

    # "projecting" caps, as plot() draws them (rcParams lines.solid_capstyle).
    collection = LineCollection(
        segments, colors=colour, linewidths=width, zorder=zorder, capstyle="projecting"
    )
    axes.add_collection(collection, autolim=False)


def _row_labels(
    axes: Any, positions: Sequence[float], labels: Sequence[str], *, marks: bool = True
) -> None:
    """Label each row at the left of the axes, drawn exactly as y tick labels (and, with
    ``marks``, tick marks) would be, but as one text per row and one line of marks.

    matplotlib makes each tick a Tick object of five artists, each reading rcParams: for the
    charts that label every row (a cohort, a question) that was most of the time spent on
    ticks. Position, font, colour and the marks' size follow the ytick rcParams as a tick would
    (label right-aligned ``size + pad`` points left of the axis; no marks: ``pad`` points).
    """
    from matplotlib import rcParams
    from matplotlib.lines import Line2D
    from matplotlib.markers import TICKLEFT, MarkerStyle

    axes.set_yticks([])
    size = rcParams["ytick.major.size"] if marks else 0.0
    colour = rcParams["ytick.color"]
    label_colour = rcParams["ytick.labelcolor"]
    at_axis = axes.get_yaxis_transform()
    beside = _shifted_by(at_axis, -(size + rcParams["ytick.major.pad"]), axes)
    for y, label in zip(positions, labels, strict=True):
        axes.text(
            0,
            y,
            label,
            transform=beside,
            ha="right",
            va="center_baseline",
            fontsize=rcParams["ytick.labelsize"],
            color=colour if label_colour == "inherit" else label_colour,
        )
    if marks:
        axes.add_line(
            Line2D(
                [0.0] * len(positions),
                list(positions),
                transform=at_axis,
                marker=MarkerStyle(TICKLEFT),
                markersize=size,
                markeredgewidth=rcParams["ytick.major.width"],
                color=colour,
                linestyle="none",
                clip_on=False,
                zorder=0.5,  # under the data, as the axis is with set_axisbelow(True)
            )
        )


def _shifted_by(transform: Any, points: float, axes: Any) -> Any:
    """``transform`` moved ``points`` to the right."""
    from matplotlib.transforms import ScaledTranslation

    return transform + ScaledTranslation(points / 72, 0, axes.figure.dpi_scale_trans)


def _shifted(axes: Any, points: float) -> Any:
    """Data coordinates moved ``points`` to the right: text beside a marker, cheaper than
    annotate() with textcoords="offset points"."""
    return _shifted_by(axes.transData, points, axes)


def _value(value: float, percent: bool) -> str:
    return f"{value:.0f}%" if percent else f"{value:.2f}"


_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(xlink:href="#|href="#|url\(#)([^")]+)')
_UNUSED_ID = re.compile(r' id="([^"]+)"')
_PLAIN_GROUP = re.compile(r'<g(?: id="[^"]*")?>')
_EMPTY_GROUP = re.compile(r'<g(?: id="[^"]*")?/>')
_NO_ROTATION = re.compile(r' transform="rotate\(-?0 [-\d.e]+ [-\d.e]+\)"')
_STYLED_TAG = re.compile(r'<([a-zA-Z]+)([^<>]*?) style="([^"]*)"([^<>]*)>')
#: SVG properties that may equally be written as presentation attributes.
_PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-opacity",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-miterlimit",
        "opacity",
        "font-size",
        "font-family",
        "font-style",
        "font-weight",
        "text-anchor",
    }
)
_DEFAULT_STYLE = re.compile(
    r'<defs>\s*<style type="text/css">\*\{([a-z-]+): ([a-z]+); ([a-z-]+): ([a-z]+)\}</style>'
    r"\s*</defs>\s*"
)


def _inline_svg(svg: str, chart_id: str, alt_text: str) -> str:
    """Strip the XML prologue and metadata, prefix ids, and add the accessible title.

    The SVG is also made lean, without changing the picture, because WeasyPrint spends time on
    every element when it draws a chart into the PDF (over a third of the PDF's time before): the
    groups matplotlib writes only to carry an id are unwrapped, ``style="fill: ...; stroke:
    ..."`` becomes presentation attributes (``fill="..." stroke="..."``, which need no CSS
    parser), each ``<use>`` of a marker (tick marks, scatter points) becomes the marker's own
    path moved into place, ids nothing refers to and the definitions nothing uses are dropped,
    no-op ``rotate(0)`` transforms go, and matplotlib's ``<style>*{stroke-linejoin: ...}
    </style>`` (a universal CSS rule that, inline in HTML, would apply to every element of the
    page) becomes attributes of the root.
    """
    start = svg.index("<svg")
    body = svg[start:]
    body = re.sub(r"\s*<metadata>.*?</metadata>", "", body, count=1, flags=re.DOTALL)
    body = _flatten_groups(body)
    body = _STYLED_TAG.sub(_style_as_attributes, body)
    body = _inline_uses(body)
    referenced = {m.group(2) for m in _REFERENCE.finditer(body)}
    body = _MARKER_DEFINITION.sub(lambda m: m.group(0) if m.group(1) in referenced else "", body)
    body = _UNUSED_ID.sub(lambda m: m.group(0) if m.group(1) in referenced else "", body)
    body = _NO_ROTATION.sub("", body)
    defaults = ""
    style = _DEFAULT_STYLE.search(body)
    if style is not None:
        first, first_value, second, second_value = style.groups()
        defaults = f' {first}="{first_value}" {second}="{second_value}"'
        body = body[: style.start()] + body[style.end() :]
    body = _ID.sub(lambda m: f'id="{chart_id}-{m.group(1)}"', body)
    body = _REFERENCE.sub(lambda m: f"{m.group(1)}{chart_id}-{m.group(2)}", body)
    title_id = f"{chart_id}-title"
    opening_end = body.index(">")
    opening = body[:opening_end]
    return (
        f'{opening}{defaults} role="img" aria-labelledby="{title_id}" '
        f"aria-label={quoteattr(alt_text)}>\n"
        f'<title id="{title_id}">{escape(alt_text)}</title>\n'
        + body[opening_end + 1 :].strip()
        + "\n"
    )


_USE = re.compile(r'<use xlink:href="#([^"]+)" x="([-\d.e]+)" y="([-\d.e]+)"([^<>]*?)/>')
_PATH_DEFINITION = re.compile(r'<path id="([^"]+)" d="([^"]*)"([^<>]*?)/>')
_MARKER_DEFINITION = re.compile(r'<defs>\s*<path id="([^"]+)" d="[^"]*"[^<>]*/>\s*</defs>\s*')
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
_ATTRIBUTE = re.compile(r' ([\w:-]+)="[^"]*"')


def _inline_uses(svg: str) -> str:
    """Each ``<use>`` of a defined path as that path, its coordinates moved by (x, y).

    WeasyPrint copies and re-styles the referenced element for every ``<use>``; a plain path
    is cheaper. matplotlib writes absolute coordinates (M, L, C, Q, z), so moving every
    x y pair is exact. The path's own attributes win over the ``<use>``'s, as they would by
    inheritance; a ``<use>`` or path that still has a ``style`` is left as it is.
    """
    definitions = {m.group(1): (m.group(2), m.group(3)) for m in _PATH_DEFINITION.finditer(svg)}

    def as_path(use: re.Match[str]) -> str:
        reference, x, y, attributes = use.groups()
        if reference not in definitions:
            return use.group(0)
        path, own = definitions[reference]
        if "style=" in own or "style=" in attributes or "transform=" in own:
            return use.group(0)
        shift = (float(x), float(y))
        position = itertools.count()  # even: an x, odd: a y
        moved = _NUMBER.sub(
            lambda number: repr(round(float(number.group(0)) + shift[next(position) % 2], 6)),
            path,
        )
        names = {name.group(1) for name in _ATTRIBUTE.finditer(own)}
        inherited = "".join(
            a.group(0) for a in _ATTRIBUTE.finditer(attributes) if a.group(1) not in names
        )
        return f'<path d="{moved}"{own}{inherited}/>'

    return _USE.sub(as_path, svg)


def _style_as_attributes(tag: re.Match[str]) -> str:
    """A start tag with its ``style`` written as presentation attributes, when all of it can be.

    Kept as it was when a declaration is not a plain presentation property or would repeat an
    attribute the tag already has.
    """
    name, before, style, after = tag.groups()
    present = set(re.findall(r'([\w:-]+)="', before + after))
    attributes = []
    for declaration in style.split(";"):
        if not declaration.strip():
            continue
        prop, colon, value = (part.strip() for part in declaration.partition(":"))
        if not colon or prop not in _PRESENTATION or prop in present or '"' in value:
            return tag.group(0)
        present.add(prop)
        attributes.append(f' {prop}="{value}"')
    return f"<{name}{before}{''.join(attributes)}{after}>"


def _flatten_groups(svg: str) -> str:
    """Unwrap ``<g>`` elements that have no attribute but an id, drop empty ones (an axis
    without ticks), and drop indentation.

    matplotlib writes every ``<g ...>`` start tag and every ``</g>`` on a line of its own, so
    a stack of "kept or unwrapped" per open group says which closing tags to drop. Should the
    lines ever not pair up, the SVG is returned as it was, only unindented.
    """
    lines = [line for line in (raw.strip() for raw in svg.split("\n")) if line]
    flat: list[str] = []
    kept: list[bool] = []
    for line in lines:
        if _EMPTY_GROUP.fullmatch(line):
            continue
        if line.startswith(("<g ", "<g>")) and not line.endswith("/>"):
            plain = _PLAIN_GROUP.fullmatch(line) is not None
            kept.append(not plain)
            if plain:
                continue
        elif line == "</g>":
            if not kept:
                return "\n".join(lines)
            if not kept.pop():
                continue
        flat.append(line)
    return "\n".join(lines if kept else flat)
