"""The Word report, reopened with python-docx: headings, real tables, charts with alt text."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from imheval.evaluation import Evaluation
from imheval.reports import Report


@pytest.fixture(scope="module")
def document(demo_docx: Path):  # type: ignore[no-untyped-def]
    return Document(str(demo_docx))


def captions(document) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in document.paragraphs if p.style.name == "Caption"]


def test_headings_follow_the_report(document, demo_report: Report) -> None:  # type: ignore[no-untyped-def]
    level1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert level1 == [s.title for s in demo_report.sections]
    level2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert "Knowledge (scores 0 to 6, 6 questions)" in level2
    assert document.paragraphs[0].style.name == "Title"


def test_table_one_is_a_real_word_table(document, demo_evaluation: Evaluation) -> None:  # type: ignore[no-untyped-def]
    table_captions = [c for c in captions(document) if c.startswith("Table 1.")]
    assert len(table_captions) == len(demo_evaluation.domains)
    header = ["Cohort", "Programme", "n", "Before (%)", "After (%)", "Difference (pp)"]
    table_ones = [t for t in document.tables if [c.text for c in t.rows[0].cells] == header]
    assert len(table_ones) == len(demo_evaluation.domains)
    knowledge = table_ones[0]  # domains in evaluation order: knowledge first
    expected = demo_evaluation.domain("knowledge").table1
    assert len(knowledge.rows) == 1 + len(expected) + 1  # header, cohorts, all matched people
    assert [r.cells[0].text for r in knowledge.rows[1:-1]] == [row.label for row in expected]
    assert [c.text for c in knowledge.rows[1].cells] == [
        "TF1",
        "Think Family",
        "14",
        "2.00 (33%)",
        "4.14 (69%)",
        "+2.14 (+36 pp)",
    ]
    header = knowledge.rows[0]._tr.trPr
    flag = header.find(qn("w:tblHeader"))
    assert flag is not None and flag.get(qn("w:val")) == "true"


def test_every_table_has_a_caption_and_repeating_header(document) -> None:  # type: ignore[no-untyped-def]
    table_captions = [c for c in captions(document) if not c.startswith("Figure")]
    assert len(table_captions) == len(document.tables)
    for table in document.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_charts_are_pictures_with_alt_text(document, demo_report: Report) -> None:  # type: ignore[no-untyped-def]
    charts = [c for s in demo_report.sections for c in s.charts()]
    pictures = document.inline_shapes
    assert len(pictures) == len(charts)
    descriptions = [shape._inline.docPr.get("descr") for shape in pictures]
    assert descriptions == [c.alt_text for c in charts]
    figure_captions = [c for c in captions(document) if c.startswith("Figure ")]
    assert figure_captions[0] == f"Figure 1. {charts[0].title}"
