"""The report model: frozen values that the HTML, PDF and Word renderers all read.

A :class:`Report` is a title and a tuple of :class:`Section` objects; a section is a tuple of
blocks (paragraphs, findings, tables, charts, callouts and sub-headings). Every piece of text is
plain text: the renderers escape it for their format, so nothing here is HTML or Word markup.
Parts are immutable; :meth:`Report.with_section` and :meth:`Section.with_blocks` return copies,
so a caller can add a section without touching the ones already built. A table cell that shows a
number is a :class:`Number`, so the renderers align it without reading its text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from imheval.reports.charts import ChartSpec

CalloutKind = Literal["info", "warning"]


class Number(str):
    """A table cell's text that shows a number: the renderers right-align it.

    The helper that formats the number says so where it formats it ("12", "2.00 (33%)",
    "p < .001", "fewer than 5", and the dash for a missing number), so no renderer guesses from
    the text: a group named "2024" is a plain ``str`` and stays left-aligned. A ``Number`` is a
    ``str`` in every other way (equal to, hashing and printing as its text), so
    :attr:`Table.rows` stays a tuple of strings; text built from it by concatenation or an
    f-string is a plain ``str`` again.
    """

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Heading:
    """A sub-heading inside a section.

    ``level`` 1 heads a part of the section (e.g. one domain in the Level 2 section); level 2
    heads a part of that (e.g. the domain's item analysis).
    """

    text: str
    level: int = 1


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of plain text."""

    text: str


@dataclass(frozen=True, slots=True)
class Findings:
    """Plain-English findings, each with the APA figures behind it ("" when it has none)."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table of already formatted text cells.

    ``header`` names the columns; the first cell of each row labels the row. A cell that shows a
    number is a :class:`Number` (right-aligned); any other cell is plain text. ``notes`` are
    printed under the table; ``suppressed_note`` is set when any cell was hidden to protect a
    small group, and says why.
    """

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    suppressed_note: str | None = None

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(
                    f"table '{self.caption}': a row has {len(row)} cells, the header "
                    f"{len(self.header)}"
                )


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart: its SVG for HTML and PDF, and the spec it was drawn from (Word redraws it as PNG).

    ``alt_text`` describes what the chart shows, with its numbers, for people who cannot see it.
    """

    id: str
    title: str
    alt_text: str
    svg: str
    spec: ChartSpec
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Callout:
    """A highlighted box: ``info`` (e.g. "not measured") or ``warning`` (a caveat)."""

    kind: CalloutKind
    text: str


@dataclass(frozen=True, slots=True)
class Quotation:
    """A quote from a focus group or interview, with who said it (a speaker label such as
    "PX2", or a role and group; never a name). ``exemplar`` marks the analyst's chosen one."""

    text: str
    attribution: str
    exemplar: bool = False


Block = Heading | Paragraph | Findings | Table | Chart | Callout | Quotation


@dataclass(frozen=True, slots=True)
class Section:
    """A top-level part of the report; ``kirkpatrick_level`` is 1-4 or None (summary, methods)."""

    id: str
    title: str
    kirkpatrick_level: int | None
    blocks: tuple[Block, ...]

    def with_blocks(self, *blocks: Block) -> Section:
        """A copy with ``blocks`` added at the end."""
        return replace(self, blocks=self.blocks + blocks)

    def tables(self) -> tuple[Table, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Table))

    def charts(self) -> tuple[Chart, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Chart))


@dataclass(frozen=True, slots=True)
class Report:
    """A whole report. ``generated`` is when the analysis ran (or the statement was made:
    ``generated_label`` says which, in the words before the time); ``software`` names imheval."""

    title: str
    subtitle: str
    generated: str
    sections: tuple[Section, ...]
    software: str = ""
    generated_label: str = "Analysis run"

    def with_section(self, section: Section, *, after: str | None = None) -> Report:
        """A copy with ``section`` added at the end, or after the section whose id is ``after``.

        Raises KeyError when ``after`` names no section.
        """
        if after is None:
            return replace(self, sections=(*self.sections, section))
        ids = [s.id for s in self.sections]
        if after not in ids:
            raise KeyError(after)
        at = ids.index(after) + 1
        return replace(self, sections=(*self.sections[:at], section, *self.sections[at:]))

    def section(self, section_id: str) -> Section:
        """The section with this id; raises KeyError when there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)
