"""The board pack: a year's places, coverage, gaps, outcomes and the delivery-plan actions, from
a coverage result the core computes and places and outcomes built inline (seed 001's 120 places
on a 16-week course)."""

from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from imheval.reports import write_report
from imheval.reports.board_pack import board_pack
from imheval.reports.html import render_html
from imheval.reports.model import Findings, Paragraph, Report, Table
from imheval.reports.wording import DASH, HIDDEN
from imheval.workforce import (
    BUILT_IN,
    Post,
    Requirement,
    TrainingRecord,
    TrajectoryPoint,
    coverage,
)
from imheval.workforce.board import OutcomeLine, PlacesLine

D = datetime.date
NORTH = "Northern Trust"
MADE = "2027-04-02T09:00:00+00:00"


def _coverage() -> object:
    posts = [
        Post(NORTH, "Health visiting", "Health visitor", 40),
        Post(NORTH, "Maternity", "Midwife", 20),
    ]
    training = [
        TrainingRecord(
            f"HV{n}", NORTH, "Health visiting", "Health visitor", "Skilled", D(2026, 6, 1)
        )
        for n in range(30)
    ] + [
        TrainingRecord(f"MW{n}", NORTH, "Maternity", "Midwife", "Informed", D(2026, 9, 1))
        for n in range(19)
    ]
    requirements = [
        Requirement(
            "Health visiting",
            "Health visitor",
            "Skilled",
            (TrajectoryPoint(D(2027, 3, 31), Decimal(90)),),
        ),
        Requirement(
            "Maternity", "Midwife", "Informed", (TrajectoryPoint(D(2027, 3, 31), Decimal(90)),)
        ),
    ]
    return coverage(
        posts,
        training,
        requirements,
        as_of=D(2027, 3, 31),
        ladder=BUILT_IN["nes"],
        cohort_size=12,
    )


PLACES = (
    PlacesLine(
        programme="Solihull Approach foundation",
        level="Skilled",
        funder="Scottish Government",
        year=2026,
        funded=120,
        offered=120,
        taken=104,
        completed=84,
        by_profession=(("Health visitor", 60, 50), ("Midwife", 30, 22), ("Social worker", 14, 12)),
    ),
    PlacesLine(
        programme="Online IMH awareness",
        level="Informed",
        funder="",
        year=2026,
        funded=None,
        offered=None,
        taken=40,
        completed=31,
        by_profession=(("Midwife", 40, 31),),
    ),
    PlacesLine(
        programme="Solihull Approach foundation",
        level="Skilled",
        funder="Scottish Government",
        year=2025,
        funded=80,
        offered=80,
        taken=80,
        completed=70,
    ),
)

OUTCOMES = (
    OutcomeLine(
        programme="Solihull Approach foundation",
        level="Skilled",
        completed=84,
        matched=71,
        measure="Total score",
        change=12.4,
        effect_label="d_z",
        effect=0.83,
        ci_low=0.56,
        ci_high=1.1,
        followup_matched=40,
        kirkpatrick=(1, 2, 3),
        sentence=(
            "Solihull Approach foundation: scores rose by 12.4 points (d_z 0.83), a large change."
        ),
    ),
    OutcomeLine(
        programme="Online IMH awareness",
        level="Informed",
        completed=31,
        matched=None,
        measure="",
        change=None,
        effect_label="",
        effect=None,
        ci_low=None,
        ci_high=None,
        followup_matched=None,
        kirkpatrick=(1,),
        sentence="Online IMH awareness: fewer than 5 people answered before and after.",
    ),
)


@pytest.fixture
def pack() -> Report:
    return board_pack(
        organisation=NORTH,
        year=2026,
        coverage=_coverage(),  # type: ignore[arg-type]
        places=PLACES,
        outcomes=OUTCOMES,
        commentary={"Evaluation of impact": "Follow-up at 6 months starts in May."},
        generated=MADE,
    )


def _findings(report: Report, section: str) -> list[tuple[str, str]]:
    return [
        item
        for block in report.section(section).blocks
        if isinstance(block, Findings)
        for item in block.items
    ]


def test_first_page_says_places_coverage_and_outcomes(pack: Report) -> None:
    findings = _findings(pack, "summary")
    # only the year's lines: 120 funded (the online course has no funded places), 144 taken
    assert findings[0] == (
        "120 places funded on 2 programmes; 144 taken and 115 completed.",
        # the online course's 40 people used no funded place: 104 of 120
        "86.6% of funded places used; 79.8% of those who started completed",
    )
    # health visitors: 30 of 40 at Skilled, target 36 -> 6 short; midwives 19 of 20 -> met
    assert findings[1] == (
        "1 of 2 training targets met on 31 March 2027.",
        "1 behind; 6 more people to train",
    )
    assert findings[2][0] == "1 of 2 programmes measured change before and after training."
    assert findings[2][1] == (
        "Kirkpatrick levels measured: Level 1: Reaction, Level 2: Learning and Level 3: Behaviour"
    )


def test_places_by_programme_and_by_profession(pack: Report) -> None:
    tables = [b for b in pack.section("places").blocks if isinstance(b, Table)]
    by_programme, by_profession = tables
    assert by_programme.rows[0] == (
        "Solihull Approach foundation",
        "Skilled",
        "Scottish Government",
        "120",
        "120",
        "104",
        "84",
        "86.6%",
        "80.7%",
    )
    assert by_programme.rows[1][3:5] == (DASH, DASH)
    assert len(by_programme.rows) == 2  # 2025/26 is another year
    assert by_profession.rows == (
        ("Midwife", "70", "53", "75.7%"),
        ("Health visitor", "60", "50", "83.3%"),
        ("Social worker", "14", "12", "85.7%"),
    )


def test_outcomes_table_names_the_effect_size_and_hides_small_groups(pack: Report) -> None:
    table = next(b for b in pack.section("outcomes").blocks if isinstance(b, Table))
    assert table.rows[0] == (
        "Solihull Approach foundation",
        "Skilled",
        "84",
        "71",
        "Total score",
        "+12.4",
        "d_z 0.83",
        "0.56 to 1.10",
        "40 (56.3%)",
        "1, 2, 3",
    )
    assert table.rows[1][3] == HIDDEN
    assert table.rows[1][5:9] == (DASH, DASH, DASH, DASH)


def test_gaps_say_what_closing_them_takes(pack: Report) -> None:
    gaps = pack.section("gaps")
    items = [i for b in gaps.blocks if isinstance(b, Findings) for i in b.items]
    assert any("6 more people to train to Skilled" in head for head, _ in items)
    actions = pack.section("actions")
    paragraphs = [b.text for b in actions.blocks if isinstance(b, Paragraph)]
    assert "To close the gaps: Skilled, 6 people (1 cohort of 12)." in paragraphs
    assert "Online IMH awareness" in " ".join(paragraphs)


def test_delivery_plan_actions_carry_the_commentary(pack: Report) -> None:
    html = render_html(pack)
    assert "Training and workforce development" in html
    assert "Evaluation of impact" in html
    assert "Follow-up at 6 months starts in May." in html
    assert "1 of 2 programmes followed people up months later" in html


def test_without_coverage_the_pack_says_how_to_get_it() -> None:
    pack = board_pack(
        organisation=NORTH, year=2026, coverage=None, places=(), outcomes=(), generated=MADE
    )
    findings = _findings(pack, "summary")
    assert findings[0][0] == "No places were recorded for 2026/27."
    assert findings[1][0].startswith("Coverage is not measured yet")
    assert [s.id for s in pack.sections] == ["summary", "places", "outcomes", "actions"]


def test_word_and_pdf_hold_the_figures(pack: Report, tmp_path: Path) -> None:
    document = Document(str(write_report(pack, tmp_path / "pack.docx")))
    cells = [[cell.text for cell in r.cells] for t in document.tables for r in t.rows]
    assert ["Health visitor", "60", "50", "83.3%"] in cells
    pdf = write_report(pack, tmp_path / "pack.pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(text.split())
    assert "120 places funded on 2 programmes" in text
    assert "Delivery plan actions" in text
