"""A table cell is right-aligned because it is a Number, not because its text looks like one."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from imheval import evaluate_file
from imheval.reports import Report, build_report
from imheval.reports.docx import write_docx
from imheval.reports.html import render_html
from imheval.reports.model import Number, Section, Table


def _report(table: Table) -> Report:
    section = Section(id="s", title="Section", kirkpatrick_level=None, blocks=(table,))
    return Report(title="T", subtitle="", generated="", sections=(section,))


def _docx_alignments(report: Report, path: Path) -> list[list[object]]:
    """Each table row's cell alignments (None is Word's default, left)."""
    table = Document(str(write_docx(report, path))).tables[0]
    return [[cell.paragraphs[0].alignment for cell in row.cells] for row in table.rows[1:]]


def test_a_number_cell_is_right_aligned_and_text_that_looks_like_one_is_not(
    tmp_path: Path,
) -> None:
    table = Table(
        caption="People by cohort",
        header=("Cohort", "Programme", "People"),
        rows=(("C1", "2024", Number("12")), ("C2", "Think Family", Number("fewer than 5"))),
    )
    report = _report(table)
    html = render_html(report)
    assert '<td>2024</td><td class="num">12</td>' in html
    assert '<td>Think Family</td><td class="num">fewer than 5</td>' in html
    right = WD_ALIGN_PARAGRAPH.RIGHT
    assert _docx_alignments(report, tmp_path / "t.docx") == [[None, None, right]] * 2


def test_a_number_is_still_its_text() -> None:
    cell = Number("12.50")
    assert cell == "12.50" and hash(cell) == hash("12.50") and repr(cell) == "'12.50'"
    assert type(f"{cell} people") is str and type(cell + "%") is str


def test_a_programme_named_with_digits_is_text_in_the_report(tmp_path: Path) -> None:
    # The regex this replaced read "2024" as a number and right-aligned the programme's name.
    lines = ["participant,cohort,programme,timepoint,knowledge"]
    for cohort, programme in (("A1", "2024"), ("B1", "Think Family")):
        for i in range(6):
            lines += [
                f"{cohort}{i},{cohort},{programme},pre,2",
                f"{cohort}{i},{cohort},{programme},post,{3 + i % 2}",
            ]
    path = tmp_path / "groups.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = build_report(evaluate_file(path))
    cohorts = next(
        table
        for section in report.sections
        for table in section.tables()
        if table.caption == "People taking part by cohort"
    )
    first = cohorts.rows[0]
    assert first[:3] == ("A1", "2024", "6")
    assert type(first[1]) is str and isinstance(first[2], Number)
    html = render_html(report)
    assert '<th scope="row">A1</th><td>2024</td><td class="num">6</td>' in html
    alignments = _docx_alignments(_report(cohorts), tmp_path / "cohorts.docx")
    assert alignments[0][1] is None
    assert alignments[0][2] == WD_ALIGN_PARAGRAPH.RIGHT
