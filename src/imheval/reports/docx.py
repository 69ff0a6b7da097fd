"""Report -> Word (.docx) with python-docx: real headings, real tables, charts as PNG.

An evaluator can edit the result: sections are Heading 1, domains Heading 2, every table is a
Word table whose header row repeats on each page, captions use Word's Caption style, and each
chart is a PNG (drawn from the same spec as the HTML's SVG) with its alt text set.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from imheval.reports.charts import to_png
from imheval.reports.html import TOTAL_LABELS, readable_time
from imheval.reports.model import (
    Callout,
    Chart,
    Findings,
    Heading,
    Number,
    Paragraph,
    Quotation,
    Report,
    Table,
)

#: Width of a chart on the page, in inches (A4 with the default 1 inch margins is 6.27).
CHART_WIDTH_INCHES = 6.2


def write_docx(report: Report, path: str | Path) -> Path:
    """Write the report to ``path`` as a Word document; returns the path.

    Raises OSError if the file cannot be written.
    """
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = report.title
    document.core_properties.subject = report.subtitle
    document.core_properties.author = report.software or "imheval"
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)

    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle, style="Subtitle")
    generated = f"{report.generated_label} {readable_time(report.generated)}"
    if report.software:
        generated += f" with {report.software}"
    document.add_paragraph(generated + ".")

    figure_number = 0
    for index, section in enumerate(report.sections):
        heading = document.add_heading(section.title, level=1)
        if index:
            heading.paragraph_format.page_break_before = True
        for block in section.blocks:
            if isinstance(block, Heading):
                document.add_heading(block.text, level=1 + block.level)
            elif isinstance(block, Paragraph):
                document.add_paragraph(block.text)
            elif isinstance(block, Callout):
                _callout(document, block)
            elif isinstance(block, Findings):
                _findings(document, block)
            elif isinstance(block, Table):
                _table(document, block)
            elif isinstance(block, Quotation):
                _quotation(document, block)
            elif isinstance(block, Chart):
                figure_number += 1
                _chart(document, block, figure_number)
    target = Path(path)
    document.save(str(target))
    return target


def _callout(document: Any, block: Callout) -> None:
    paragraph = document.add_paragraph(style="Intense Quote")
    label = "Note: " if block.kind == "info" else "Caution: "
    paragraph.add_run(label).bold = True
    paragraph.add_run(block.text)


def _quotation(document: Any, block: Quotation) -> None:
    """The quote in Word's Quote style, who said it on the line below (an en dash before it)."""
    paragraph = document.add_paragraph(style="Quote")
    paragraph.add_run(f"\u201c{block.text}\u201d")
    paragraph.paragraph_format.keep_with_next = True
    document.add_paragraph(style="Quote").add_run(f"\u2013 {block.attribution}").bold = True


def _findings(document: Any, block: Findings) -> None:
    from docx.shared import RGBColor

    for sentence, apa in block.items:
        paragraph = document.add_paragraph(style="List Bullet")
        paragraph.add_run(sentence)
        if apa:
            figures = paragraph.add_run(f" [{apa}]")
            figures.italic = True
            figures.font.color.rgb = RGBColor(0x42, 0x55, 0x63)


def _table(document: Any, block: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    caption = document.add_paragraph(block.caption, style="Caption")
    caption.paragraph_format.keep_with_next = True
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text in zip(header.cells, block.header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(9)
    for row, values in zip(table.rows[1:], block.rows, strict=True):
        total = values[0] in TOTAL_LABELS
        for position, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            run.font.size = Pt(9)
            run.bold = total
            if position and isinstance(text, Number):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for note in ([block.suppressed_note] if block.suppressed_note else []) + list(block.notes):
        paragraph = document.add_paragraph()
        run = paragraph.add_run(note)
        run.font.size = Pt(8.5)
        run.italic = note == block.suppressed_note


def _repeat_as_header(row: Any) -> None:
    """Mark a table row as a header row, repeated at the top of every page (w:tblHeader)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _chart(document: Any, chart: Chart, number: int) -> None:
    from docx.shared import Inches

    png = to_png(chart.spec, chart.id)
    picture_paragraph = document.add_paragraph()
    picture_paragraph.paragraph_format.keep_with_next = True
    shape = picture_paragraph.add_run().add_picture(
        io.BytesIO(png), width=Inches(CHART_WIDTH_INCHES)
    )
    # Word reads alt text from the drawing's docPr "descr" attribute.
    properties = shape._inline.docPr
    properties.set("descr", chart.alt_text)
    properties.set("title", chart.title)
    text = f"Figure {number}. {chart.title}"
    if chart.caption:
        text += f" {chart.caption}"
    document.add_paragraph(text, style="Caption")
