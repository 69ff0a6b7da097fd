"""The focus-group section of the evaluation report and the network group report: method,
Table 3, quotes by sub-theme and the joint display, in HTML, Word and PDF."""

from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from imheval.evaluation import Evaluation
from imheval.network.attendance import AttendanceRule, Register
from imheval.qualitative.outputs_section import (
    AgreementRow,
    Approach,
    CodebookChange,
    PhaseEntry,
    QualitativeSection,
    ReviewEntry,
    qualitative_section,
)
from imheval.reports import build_report
from imheval.reports.docx import write_docx
from imheval.reports.html import render_html
from imheval.reports.model import Findings, Heading, Quotation, Report, Table
from imheval.reports.network import GroupFacts, group_report
from imheval.reports.pdf import write_pdf
from imheval.reports.sections.qualitative import (
    linkable_findings,
    qualitative_report_section,
    with_qualitative,
)
from qual_seed_project import seed_project

T1 = "Bringing the knowledge out: influences on clinical practice and service delivery"
KNOWLEDGE_KEY = "knowledge/participant_test/pre_post"


def reflexive(
    findings: object = (), links: dict[str, list[str]] | None = None
) -> QualitativeSection:
    return qualitative_section(
        seed_project(),
        study="PIMH network group focus group",
        scope="North network group",
        approach=Approach.REFLEXIVE,
        phases=[
            PhaseEntry(1, datetime.date(2026, 2, 1), "Read the transcript twice."),
            PhaseEntry(4, datetime.date(2026, 3, 9), ""),
        ],
        reflexivity="The analyst also facilitates the group.",
        reviews=[
            ReviewEntry("Dr Second Author", T1, "accept"),
            ReviewEntry(
                "Dr Second Author",
                "Staff movement",
                "propose",
                "Call it 'Staff turnover'.",
                "Kept: movement includes secondments.",
            ),
        ],
        changes=[CodebookChange("renamed", "Barriers", "Barriers to carrying out the work")],
        findings=findings,  # type: ignore[arg-type]
        links=links,
    )


@pytest.fixture(scope="module")
def section_data() -> QualitativeSection:
    return reflexive()


def test_section_shows_method_table3_and_quotes(section_data: QualitativeSection) -> None:
    section = qualitative_report_section(section_data)
    assert (section.id, section.title) == (
        "focus-group",
        "Focus group: PIMH network group focus group",
    )
    first = section.blocks[0]
    assert first.text == (  # type: ignore[union-attr]
        "PIMH network group focus group (North network group) was analysed thematically: "
        "2 transcripts or sets of answers with 7 speakers. The analysis found 4 themes and "
        "13 sub-themes."
    )
    phases, review, changes, table3 = section.tables()
    assert phases.rows[0] == (
        "Familiarising yourself with the data",
        "1 February 2026",
        "Read the transcript twice.",
    )
    assert phases.rows[1][2] == "–"  # no memo
    assert review.rows[1] == (
        "Staff movement",
        "Dr Second Author",
        "Propose",
        "Call it 'Staff turnover'.",
        "Kept: movement includes secondments.",
    )
    assert changes.rows == (("Renamed", "Barriers", "Barriers to carrying out the work"),)
    assert table3.caption.startswith("Table 3. Themes and sub-themes")
    assert table3.rows[0][0] == f"Theme 1: {T1}"
    assert table3.rows[0][2:] == ("1", "3", "6")
    assert table3.rows[1][0] == "1.1 Enhanced clinical practice"
    assert table3.rows[1][2:] == ("1", "2", "4")
    assert table3.rows[-1][0] == "4.3 Development of IMH initiatives"
    texts = [getattr(block, "text", "") for block in section.blocks]
    assert (
        "Dr Second Author reviewed 2 themes or sub-themes: accepted 1 and proposed a change to 1."
        in texts
    )
    quotes = [block for block in section.blocks if isinstance(block, Quotation)]
    assert [(q.attribution, q.exemplar) for q in quotes[:3]] == [
        ("PX6", True),
        ("Facilitator", False),
        ("PX2", False),
    ]
    assert Heading("1.1 Enhanced clinical practice", 2) in section.blocks


def test_codebook_section_shows_agreement_figures() -> None:
    data = qualitative_section(
        seed_project(),
        study="Study",
        scope="Cohort A",
        approach="codebook",
        coders=("Analyst A", "Reviewer B"),
        agreement=[
            AgreementRow("Enhanced clinical practice", 1200, 0.95, 0.81234, 0.8111),
            AgreementRow("Supervision", 1200, 1.0, None, None, "nobody coded anything"),
        ],
        agreement_unit="character",
    )
    section = qualitative_report_section(data)
    agreement = next(t for t in section.tables() if t.header[0] == "Code")
    assert agreement.rows == (
        ("Enhanced clinical practice", "1,200", "95%", "0.81", "0.81"),
        ("Supervision", "1,200", "100%", "–", "–"),
    )
    assert agreement.notes[0] == "Supervision: nobody coded anything"
    texts = " ".join(getattr(block, "text", "") for block in section.blocks)
    assert "2 coders (Analyst A and Reviewer B) coded the same sources" in texts
    assert "each character of the text" in texts


def test_evaluation_report_gains_the_section_before_methods_with_the_joint_display(
    demo_evaluation: Evaluation,
) -> None:
    keys = [item.key for item in linkable_findings(demo_evaluation)]
    assert KNOWLEDGE_KEY in keys
    assert len(keys) == len(set(keys))
    data = reflexive(
        findings=linkable_findings(demo_evaluation), links={KNOWLEDGE_KEY: ["coding-3"]}
    )
    report = build_report(demo_evaluation, qualitative=[data])
    ids = [section.id for section in report.sections]
    assert ids.index("focus-group") == ids.index("methods") - 1
    section = report.section("focus-group")
    at = section.blocks.index(Heading("The questionnaire's findings and what people said"))
    assert section.blocks[at + 2] == Heading("Knowledge", 2)
    joint = section.blocks[at + 3]
    assert isinstance(joint, Findings)
    sentence, statistics = joint.items[0]
    assert sentence.startswith("Per person, the mean change was +2.24 points")
    assert statistics.startswith("t(")
    assert section.blocks[at + 4] == Quotation(
        "It's very easy to get caught up in that whereas if you can take the step back.",
        "PX7",
        True,
    )


@pytest.fixture(scope="module")
def small_report(section_data: QualitativeSection) -> Report:
    report = Report("Focus groups", "North network group", "2026-03-10T09:00:00+00:00", ())
    return with_qualitative(report, [section_data])


def test_html_shows_table3_and_quotes_with_attribution(small_report: Report) -> None:
    html = render_html(small_report)
    assert "<caption>Table 3. Themes and sub-themes" in html
    assert (
        '<figure class="quotation exemplar">\n<blockquote><p>Sometimes people need to develop a '
        "little bit of insight that can evoke change.</p></blockquote>\n"
        "<figcaption>PX6</figcaption>"
    ) in html
    assert "The analyst also facilitates the group." in html
    assert '<th scope="col" class="num">Speakers</th>' in html


def test_word_has_table3_as_a_table_and_quotes_in_quote_style(
    small_report: Report, tmp_path: Path
) -> None:
    document = Document(str(write_docx(small_report, tmp_path / "q.docx")))
    table3 = next(t for t in document.tables if t.rows[0].cells[1].text == "Definition")
    assert [cell.text for cell in table3.rows[0].cells] == [
        "Theme or sub-theme",
        "Definition",
        "Sources",
        "Speakers",
        "Codings",
    ]
    assert [cell.text for cell in table3.rows[1].cells] == [
        f"Theme 1: {T1}",
        "Definition of theme 1.",
        "1",
        "3",
        "6",
    ]
    quoted = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quoted[:2] == [
        "\u201cSometimes people need to develop a little bit of insight that can evoke change."
        "\u201d",
        "\u2013 PX6",
    ]


def test_pdf_builds_and_its_text_extracts(small_report: Report, tmp_path: Path) -> None:
    pdf = write_pdf(small_report, tmp_path / "q.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Table 3. Themes and sub-themes" in text
    assert "Sometimes people need to develop" in text
    assert "PX6" in text


def test_network_group_report_includes_its_focus_group(section_data: QualitativeSection) -> None:
    rule = AttendanceRule(target_percent=Decimal(80), year_start=datetime.date(2025, 9, 1))
    report = group_report(
        GroupFacts("PIMH network", "Northern HSC Trust"),
        Register((), (), {}),
        rule,
        datetime.date(2025, 12, 10),
        focus_groups=[section_data],
        generated="2025-12-10T09:00:00+00:00",
    )
    ids = [section.id for section in report.sections]
    assert ids[-2:] == ["focus-group", "readings"]
    table3 = next(
        t for t in report.section("focus-group").tables() if t.caption.startswith("Table 3.")
    )
    assert isinstance(table3, Table)
    assert len(table3.rows) == 17


def test_a_breakdown_by_profession_reads_hidden_for_small_groups() -> None:
    data = qualitative_section(
        seed_project(), study="Study", scope="Group", breakdown_by="profession"
    )
    table = next(
        t for t in qualitative_report_section(data).tables() if "by profession" in t.caption
    )
    assert table.header == (
        "Theme or sub-theme",
        "Nurse",
        "Psychologist",
        "Social worker",
        "All speakers",
    )
    assert table.rows[0] == (f"Theme 1: {T1}", "hidden", "0", "hidden", "hidden")
    assert table.suppressed_note is not None
    assert table.suppressed_note.startswith("To protect small groups, counts of fewer than 5")
    shown = qualitative_section(
        seed_project(), study="S", scope="G", breakdown_by="profession", min_group_size=1
    )
    table = next(
        t for t in qualitative_report_section(shown).tables() if "by profession" in t.caption
    )
    assert table.rows[0] == (f"Theme 1: {T1}", "2", "0", "1", "3")
    assert table.suppressed_note is None


def _by_profession(data: QualitativeSection) -> Table:
    return next(
        t for t in qualitative_report_section(data).tables() if "by profession" in t.caption
    )
