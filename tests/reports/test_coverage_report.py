"""The workforce coverage report: the board's first page, the heat map (chart and table), a
table per organisation, in HTML, Word and PDF, from a CoverageResult built inline."""

from __future__ import annotations

import datetime
import math
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from imheval.errors import AnalysisError
from imheval.reports import write_report
from imheval.reports.charts import HeatmapCategory, HeatmapSpec, render, to_svg
from imheval.reports.coverage import (
    coverage_report,
    heatmap_table,
    percent_text,
)
from imheval.reports.html import render_html
from imheval.reports.model import Chart, Findings, Heading, Paragraph, Report, Table
from imheval.reports.wording import DASH
from imheval.workforce.coverage import (
    BirthsCheck,
    CoverageResult,
    CoverageRow,
    Flag,
    LevelNeed,
    Status,
)
from imheval.workforce.ladder import BUILT_IN

D = datetime.date
NORTH = "Northern Trust"
SOUTH = "Southern Trust"
MADE = "2026-04-01T09:00:00+00:00"


def row(
    organisation: str,
    service: str,
    profession: str,
    level: str,
    headcount: int,
    trained: int,
    target: int,
    status: Status,
) -> CoverageRow:
    """A row with the core's arithmetic (percent, gap, flags) done by hand."""
    flags: list[Flag] = []
    percent: float | None = 100 * trained / headcount if headcount else None
    if headcount and trained > headcount:
        flags.append(Flag.TRAINED_EXCEEDS_HEADCOUNT)
        percent = None
    if not headcount:
        flags.append(Flag.NO_HEADCOUNT)
    gap = max(0, math.ceil(Decimal(target) * headcount / 100) - trained)
    return CoverageRow(
        organisation=organisation,
        service=service,
        profession=profession,
        level=level,
        headcount=headcount,
        trained=trained,
        percent=percent,
        target_percent=Decimal(target),
        gap_people=gap,
        status=status,
        flags=tuple(flags),
        by_date=D(2027, 3, 31),
    )


ROWS = (
    row(NORTH, "Health visiting", "Health visitor", "Informed", 40, 38, 90, Status.MET),
    row(NORTH, "Health visiting", "Health visitor", "Skilled", 40, 22, 90, Status.BEHIND),
    row(NORTH, "Maternity", "Midwife", "Informed", 120, 70, 90, Status.ON_TRAJECTORY),
    row(
        NORTH,
        "Perinatal mental health",
        "Mental health nurse",
        "Enhanced",
        6,
        3,
        100,
        Status.BEHIND,
    ),
    row(NORTH, "Perinatal mental health", "Psychologist", "Specialist", 2, 3, 100, Status.MET),
    row(SOUTH, "Health visiting", "Health visitor", "Skilled", 30, 28, 90, Status.MET),
)
NEEDS = (
    LevelNeed(NORTH, "Informed", 38, 12, 4, Decimal(0), 0, 0),
    LevelNeed(NORTH, "Skilled", 14, 12, 2, Decimal(0), 0, 0),
    LevelNeed(NORTH, "Enhanced", 3, 12, 1, Decimal(0), 0, 0),
    LevelNeed(NORTH, "Specialist", 0, 12, 0, Decimal(0), 0, 0),
    LevelNeed(SOUTH, "Skilled", 0, 12, 0, Decimal(0), 0, 0),
)
BIRTHS = (BirthsCheck(NORTH, 3400, "Specialist", 3, ("Perinatal mental health",), True, False),)
NOTE = "2 training records name people in no establishment row: they are not counted."


def result(rows: tuple[CoverageRow, ...] = ROWS, **changes: object) -> CoverageResult:
    fields: dict[str, object] = {"needs": NEEDS, "births": BIRTHS, "notes": (NOTE,)} | changes
    return CoverageResult(
        as_of=D(2026, 3, 31),
        rows=rows,
        ladder=BUILT_IN["nes"],
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def report() -> Report:
    return coverage_report(result(), generated=MADE)


@pytest.fixture(scope="module")
def north() -> Report:
    return coverage_report(result(), organisation=NORTH, generated=MADE)


def findings(report: Report) -> list[tuple[str, str]]:
    return [
        item
        for block in report.section("summary").blocks
        if isinstance(block, Findings)
        for item in block.items
    ]


def table(report: Report, caption: str) -> Table:
    for section in report.sections:
        for block in section.tables():
            if block.caption == caption:
                return block
    raise AssertionError(f"no table '{caption}'")


# ------------------------------------------------------------------------------ wording


@pytest.mark.parametrize(
    ("percent", "text"),
    [
        (89.96, "89.9%"),
        (90.0, "90%"),
        (100.0, "100%"),
        (0.0, "0%"),
        (100 * 70 / 120, "58.3%"),
        (100 * 57 / 100, "57%"),  # 57.00000000000001
        (100 * 29 / 30, "96.6%"),  # 96.666...: never rounded up
    ],
)
def test_a_share_is_rounded_down_so_no_team_reaches_a_target_it_has_not(
    percent: float, text: str
) -> None:
    assert percent_text(percent) == text


# ------------------------------------------------------------------------------ the first page


def test_first_page_says_per_level_how_many_need_it_and_are_trained(north: Report) -> None:
    assert findings(north)[:3] == [
        (
            "Informed: 108 of the 160 staff who need this level are trained "
            "(2 targets: 1 met, 1 on trajectory).",
            "67.5% trained; 38 people still to train; 4 cohorts of 12",
        ),
        (
            "Skilled: 22 of the 40 staff who need this level are trained (1 target: 1 behind).",
            "55% trained; 14 people still to train; 2 cohorts of 12",
        ),
        (
            "Enhanced: 3 of the 6 staff who need this level are trained (1 target: 1 behind).",
            "50% trained; 3 people still to train; 1 cohort of 12",
        ),
    ]


def test_first_page_names_the_biggest_gaps_with_the_cohorts_to_close_them(north: Report) -> None:
    gaps = findings(north)[3:]
    assert gaps[0] == (
        "Maternity, Midwife: 38 more people to train to Informed to reach the target of 90% by "
        "31 March 2027.",
        "70 of 120 trained (58.3%); on trajectory; 4 cohorts of 12 for this team alone",
    )
    assert [sentence.split(":")[0] for sentence, _ in gaps] == [
        "Maternity, Midwife",
        "Health visiting, Health visitor",
        "Perinatal mental health, Mental health nurse",
    ]


def test_a_row_over_headcount_is_left_out_of_the_totals_and_said_so(north: Report) -> None:
    callouts = [b.text for b in north.section("summary").blocks if hasattr(b, "kind")]
    assert (
        "1 team could not be measured and is left out of the totals above: Perinatal mental "
        "health, Psychologist at Specialist (Northern Trust): more people trained than the "
        "headcount: check the data." in callouts
    )
    assert NOTE in callouts
    # No "Specialist: 3 of the 2 staff" sentence: the only Specialist row is a data problem.
    assert not any(sentence.startswith("Specialist") for sentence, _ in findings(north))


def test_the_births_rule_is_shown_as_a_check(north: Report) -> None:
    text = render_html(north)
    assert (
        "Northern Trust has 3,400 births a year: boards of more than 3,000 births are expected "
        "to have specialist practitioners in several services. It has 3 people trained to "
        "Specialist in Perinatal mental health, so it does not yet meet the rule."
    ) in text


def test_the_cohorts_table_shows_turnover_only_when_there_is_some() -> None:
    plain = coverage_report(result(), organisation=NORTH, generated=MADE)
    cohorts = table(plain, "What closing the gaps takes: Northern Trust")
    assert cohorts.header == ("Level", "People still to train", "Cohorts to close the gap")
    assert cohorts.rows[:3] == (
        ("Informed", "38", "4"),
        ("Skilled", "14", "2"),
        ("Enhanced", "3", "1"),
    )
    churn = tuple(
        LevelNeed(
            n.organisation, n.level, n.gap_people, 12, n.cohorts_to_close_gap, Decimal("0.1"), 4, 1
        )
        for n in NEEDS
    )
    turnover = coverage_report(result(needs=churn), organisation=NORTH, generated=MADE)
    table_with = table(turnover, "What closing the gaps takes: Northern Trust")
    assert table_with.header[-2:] == ("Trained leavers a year", "Cohorts a year to hold the target")
    assert table_with.rows[0] == ("Informed", "38", "4", "4", "1")
    assert any("With 10% of staff leaving each year" in note for note in table_with.notes)


# ------------------------------------------------------------------------------ the heat map


def test_heat_map_table_has_a_cell_per_team_and_level_in_words(north: Report) -> None:
    heat = table(north, "Share of staff trained, by team and level: Northern Trust")
    assert heat.header == ("Team", "Informed", "Skilled", "Enhanced", "Specialist")
    assert heat.rows == (
        ("Health visiting, Health visitor", "95%, met", "55%, behind", DASH, DASH),
        ("Maternity, Midwife", "58.3%, on trajectory", DASH, DASH, DASH),
        ("Perinatal mental health, Mental health nurse", DASH, DASH, "50%, behind", DASH),
        (
            "Perinatal mental health, Psychologist",
            DASH,
            DASH,
            DASH,
            "over headcount: check the data",
        ),
    )


def test_heat_map_chart_writes_each_status_in_its_cell(north: Report) -> None:
    chart = north.section("heat-map").charts()[0]
    spec = chart.spec
    assert isinstance(spec, HeatmapSpec)
    assert spec.columns == ("Informed", "Skilled", "Enhanced", "Specialist")
    assert spec.rows[2] == "Perinatal mental health,\nMental health nurse"  # long: two lines
    assert spec.cells[0][:2] == (("95%\nmet", "met"), ("55%\nbehind", "behind"))
    assert spec.cells[3][3] == ("over headcount:\ncheck the data", "check")
    assert spec.cells[1][1] == ("", "none")
    legend = [category.label for category in spec.categories]
    assert legend == [
        "Target met",
        "On trajectory",
        "Behind",
        "Check the data",
        "No requirement at this level",
    ]
    for text in ("95%", "met", "on trajectory", "behind", "over headcount:"):
        assert f">{text}<" in chart.svg


def test_heat_map_has_alt_text_with_every_cell(north: Report) -> None:
    chart = north.section("heat-map").charts()[0]
    assert chart.alt_text.startswith("Heat map of workforce coverage in Northern Trust, 5 ")
    assert (
        "Health visiting, Health visitor at Skilled: 55% trained, behind (target 90% by 31 "
        "March 2027)" in chart.alt_text
    )
    assert "Perinatal mental health, Psychologist at Specialist: over headcount" in chart.alt_text
    assert 'role="img"' in chart.svg
    assert f'<title id="{chart.id}-title">' in chart.svg


def test_heat_map_svg_is_deterministic_and_self_contained(north: Report) -> None:
    chart = north.section("heat-map").charts()[0]
    again = to_svg(chart.spec, chart.id, chart.alt_text)
    assert again == chart.svg
    ids = re.findall(r'\bid="([^"]+)"', chart.svg)
    assert ids and all(i.startswith(f"{chart.id}-") for i in ids)
    assert not re.search(r'(?:href|src)="(?!#)', chart.svg)
    assert render(chart.spec, chart.id, "", ("png",))["png"][:4] == b"\x89PNG"


def test_a_heat_map_refuses_cells_that_do_not_fill_its_grid() -> None:
    plain = (HeatmapCategory("a", "A", "#FFFFFF"),)
    with pytest.raises(ValueError, match="do not fill the grid"):
        HeatmapSpec("Grid", ("r1", "r2"), ("c1",), ((("x", "a"),),), plain)
    with pytest.raises(ValueError, match="unknown category 'b'"):
        HeatmapSpec("Grid", ("r1",), ("c1",), ((("x", "b"),),), plain)


def test_a_team_with_no_staff_reads_no_staff_not_a_share() -> None:
    empty = row(NORTH, "Maternity", "Midwife", "Informed", 0, 0, 90, Status.MET)
    heat = heatmap_table([empty], ["Informed"], NORTH)
    assert heat.rows == (("Maternity, Midwife", "no staff (headcount 0)"),)


# ------------------------------------------------------------------------------ per organisation


def test_each_organisation_has_a_table_of_every_row(report: Report) -> None:
    north_table = table(report, "Coverage by team and level: Northern Trust")
    assert north_table.header == (
        "Team",
        "Level",
        "Headcount",
        "Trained",
        "Share trained",
        "Target",
        "Gap (people)",
        "Status",
    )
    assert north_table.rows[1] == (
        "Health visiting, Health visitor",
        "Skilled",
        "40",
        "22",
        "55%",
        "90% by 31 Mar 2027",
        "14",
        "behind",
    )
    assert north_table.rows[4] == (
        "Perinatal mental health, Psychologist",
        "Specialist",
        "2",
        "3",
        "over headcount",
        "100% by 31 Mar 2027",
        "0",
        "check the data",
    )
    assert north_table.notes[0] == (
        "Perinatal mental health, Psychologist at Specialist: more people trained than the "
        "headcount: check the data."
    )
    south_table = table(report, "Coverage by team and level: Southern Trust")
    assert [r[:5] for r in south_table.rows] == [
        ("Health visiting, Health visitor", "Skilled", "30", "28", "93.3%")
    ]
    assert [s.title for s in report.sections] == [
        "Summary for the board",
        "Coverage heat map",
        NORTH,
        SOUTH,
        "How coverage is counted",
    ]
    paragraph = report.section("organisation-northern-trust").blocks[0]
    assert paragraph == Paragraph(
        "Northern Trust, 31 March 2026. 4 targets: 1 met, 1 on trajectory, 2 behind; 1 to check "
        "(see the notes under the table)."
    )


def test_one_organisation_only_when_asked(north: Report) -> None:
    assert "Southern Trust" not in render_html(north)
    typed = coverage_report(result(), organisation="  southern  trust", generated=MADE)
    assert [s.title for s in typed.sections][2] == SOUTH
    assert north.subtitle.startswith("Northern Trust; coverage on 31 March 2026; framework: NES")


def test_an_organisation_not_in_the_result_is_refused() -> None:
    with pytest.raises(AnalysisError, match="no row for the organisation 'Western Trust'"):
        coverage_report(result(), organisation="Western Trust")


def test_a_result_with_no_rows_is_refused() -> None:
    with pytest.raises(AnalysisError, match="no rows"):
        coverage_report(result(rows=()))


def test_no_share_above_100_percent_anywhere(report: Report) -> None:
    for share in re.findall(r"(\d+(?:\.\d+)?)%", render_html(report)):
        assert float(share) <= 100


# ------------------------------------------------------------------------------ formats


def test_html_has_the_values_and_the_statuses_in_words(report: Report) -> None:
    text = render_html(report)
    assert "<svg" in text and 'aria-label="Heat map of workforce coverage in Northern' in text
    for value in (
        "Maternity, Midwife: 38 more people to train to Informed",
        "<td>95%, met</td>",
        "<td>58.3%, on trajectory</td>",
        "<td>55%, behind</td>",
        "over headcount: check the data",
        '<td class="num">93.3%</td>',
        '<th scope="col" class="num">Headcount</th>',
        '<th scope="col" class="num">Gap (people)</th>',
        '<th scope="col" class="num">Cohorts to close the gap</th>',
    ):
        assert value in text, value


def test_word_tables_hold_the_values_and_the_chart_has_alt_text(
    report: Report, tmp_path: Path
) -> None:
    document = Document(str(write_report(report, tmp_path / "coverage.docx")))
    cells = [[cell.text for cell in r.cells] for t in document.tables for r in t.rows]
    assert ["Health visiting, Health visitor", "95%, met", "55%, behind", DASH, DASH] in cells
    assert [
        "Health visiting, Health visitor",
        "Skilled",
        "40",
        "22",
        "55%",
        "90% by 31 Mar 2027",
        "14",
        "behind",
    ] in cells
    charts = [block for s in report.sections for block in s.blocks if isinstance(block, Chart)]
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert descriptions == [chart.alt_text for chart in charts]
    assert len(descriptions) == 2  # one heat map per organisation


def test_pdf_builds_with_the_values(north: Report, tmp_path: Path) -> None:
    path = write_report(north, tmp_path / "coverage.pdf")
    assert path.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(text.split())
    assert "Summary for the board" in text
    assert "22 of the 40 staff who need this level are trained" in text
    assert "58.3%, on trajectory" in text
    assert "over headcount: check the data" in text


def test_several_organisations_each_get_their_own_summary(report: Report) -> None:
    summary = report.section("summary")
    headings = [block.text for block in summary.blocks if isinstance(block, Heading)]
    assert headings[:2] == [NORTH, "The biggest gaps"]
    assert SOUTH in headings
    assert (
        "Skilled: 28 of the 30 staff who need this level are trained (1 target: 1 met).",
        "93.3% trained",
    ) in findings(report)
    assert report.subtitle.startswith("2 organisations; coverage on 31 March 2026")
