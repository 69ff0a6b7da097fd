"""The regional report (imheval.reports.regional): built from the core's regional values only,
hidden figures written 'hidden' and never as numbers, in HTML, PDF and Word."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from imheval.reports import write_report
from imheval.reports.html import render_html
from imheval.reports.model import Chart, Number, Table
from imheval.reports.regional import (
    HIDDEN_WORD,
    REGION_ROW,
    RegionalFacts,
    heat_cells,
    heat_table,
    outcome_table,
    places_table,
    profession_table,
    regional_report,
    team_table,
)
from imheval.workforce import BUILT_IN, CoverageResult, CoverageRow, Status
from imheval.workforce.regional import CohortOutcomeSummary, outcome_groups, regional_coverage
from imheval.workforce.regional_places import ProgrammePlaces, regional_places

AS_OF = datetime.date(2027, 1, 31)
BY = datetime.date(2027, 3, 31)


def row(organisation: str, headcount: int, trained: int, level: str = "Skilled") -> CoverageRow:
    gap = max(0, math.ceil(Fraction(90) * headcount / 100) - trained)
    return CoverageRow(
        organisation=organisation,
        service="Health visiting",
        profession="Health visitor",
        level=level,
        headcount=headcount,
        trained=trained,
        percent=100 * trained / headcount,
        target_percent=Decimal("90"),
        gap_people=gap,
        status=Status.MET if gap == 0 else Status.ON_TRAJECTORY,
        flags=(),
        by_date=BY,
    )


def coverage() -> CoverageResult:
    return CoverageResult(
        as_of=AS_OF,
        rows=(row("North", 20, 3), row("South", 30, 10), row("West", 40, 12)),
        ladder=BUILT_IN["nes"],
    )


def groups() -> tuple:  # type: ignore[type-arg]
    cohorts = [
        CohortOutcomeSummary(org, "Solihull Approach", "Skilled", str(j), n, mean, sd, "IMH core")
        for org, j, n, mean, sd in [
            ("North", 1, 12, 10.0, 8.0),
            ("North", 2, 10, 14.0, 9.0),
            ("South", 1, 11, 6.0, 7.0),
            ("South", 2, 9, 7.0, 6.0),
            ("West", 1, 3, 30.0, 2.0),
        ]
    ]
    return outcome_groups(cohorts)


FACTS = RegionalFacts("Northern region", 3, 2)


def test_hidden_cells_say_hidden_and_the_region_row_its_totals() -> None:
    team = regional_coverage(coverage()).teams[0]
    cells = heat_cells(team)
    assert cells[0] == ((HIDDEN_WORD, "hidden"),)
    assert cells[1] == ((HIDDEN_WORD, "hidden"),)
    assert cells[2] == (("30%\non trajectory", "on_trajectory"),)
    assert cells[3] == (("27.7%\non trajectory", "on_trajectory"),)  # 25 of 90, rounded down
    table = team_table(team, 5)
    assert table.rows[0] == ("North", "Skilled", *[HIDDEN_WORD] * 5)
    assert table.rows[3][:6] == (REGION_ROW, "Skilled", "90", "25", "27.7%", "56")
    assert all(isinstance(cell, Number) for cell in table.rows[3][2:6])
    assert table.suppressed_note is not None and "fewer than 5" in table.suppressed_note
    compact = heat_table(team, 5)
    assert compact.rows[2] == ("West", "40", "30% (12 trained), on trajectory")
    assert compact.rows[0] == ("North", HIDDEN_WORD, HIDDEN_WORD)


def test_outcome_table_hides_the_small_organisation_and_the_second() -> None:
    table = outcome_table(groups()[0])
    by_name = {cells[0]: cells for cells in table.rows}
    assert by_name["West"][2:] == (HIDDEN_WORD,) * 4
    assert by_name["South"][2:] == (HIDDEN_WORD,) * 4  # else 45 - 22 - 20 gives West's 3
    assert by_name["North"][2] == "22" and by_name["North"][3] == "+11.8"
    assert by_name["All organisations"][2] == "45"


def test_the_report_has_its_sections_and_never_a_hidden_number() -> None:
    report = regional_report(FACTS, regional_coverage(coverage()), groups(), generated="2027-01-31")
    assert [s.id for s in report.sections] == ["summary", "coverage", "outcomes", "method"]
    assert report.title == "Regional view: Northern region"
    summary = report.section("summary")
    texts = " ".join(getattr(block, "text", "") for block in summary.blocks)
    assert "2 invited organisations do not share and are not included." in texts
    charts = report.section("coverage").charts()
    assert len(charts) == 1 and "North at Skilled: hidden" in charts[0].alt_text
    tables: list[Table] = [
        block for section in report.sections for block in section.blocks if isinstance(block, Table)
    ]
    for table in tables:
        for cells in table.rows:
            if cells[0] in {"North", "South"}:
                assert "3" not in cells[1:] and "10" not in cells[1:]
    html = render_html(report)
    assert "Northern region" in html
    assert "Whether organisations differ could not be tested" in html  # only North is shown


def test_the_report_prints_one_note_naming_nobody_in_place_of_the_organisations_notes() -> None:
    from dataclasses import replace

    from imheval.workforce.regional import UNCOUNTED_NOTE

    leaky = replace(
        coverage(),
        notes=(
            "1 person on the training registers is employed by 'Secret Council', not these "
            "organisations' staff: they count for their employer, not here.",
            "1 completion of 'Lonely Programme' is not counted: the programme gives no level.",
        ),
    )
    html = render_html(regional_report(FACTS, regional_coverage(leaky), groups()))
    assert "Secret Council" not in html and "Lonely Programme" not in html
    import html as markup

    assert markup.unescape(html).count(UNCOUNTED_NOTE) == 1
    quiet = render_html(regional_report(FACTS, regional_coverage(coverage()), groups()))
    assert UNCOUNTED_NOTE not in markup.unescape(quiet)


def test_the_report_says_how_many_are_left_out_and_never_names_them() -> None:
    facts = RegionalFacts("Northern region", 4, 0, other_framework=1, not_counted=2)
    report = regional_report(facts, regional_coverage(coverage()), groups())
    summary = " ".join(getattr(b, "text", "") for b in report.section("summary").blocks)
    assert "1 organisation uses another framework and is not counted:" in summary
    assert "2 organisations could not be counted:" in summary


def test_left_out_sentences_name_organisations_only_when_given_names() -> None:
    from imheval.reports.regional import left_out_sentences

    assert left_out_sentences(0, 0) == ()
    counted = left_out_sentences(2, 1)
    assert counted[0].startswith("2 organisations use another framework and are not counted:")
    assert counted[1].startswith("1 organisation could not be counted: its own data has")
    named = left_out_sentences(("Trust 02",), ("Trust 03", "Trust 04"))
    assert named[0].startswith("1 organisation uses another framework and is not counted (Trust")
    assert named[1].startswith("2 organisations could not be counted (Trust 03, Trust 04): their")


def test_an_outcome_group_is_named_with_its_measure() -> None:
    from imheval.reports.regional import outcome_group_name

    group = groups()[0]
    assert outcome_group_name(group) == "Solihull Approach (Skilled), measured with IMH core"
    assert outcome_table(group).caption.startswith(
        "Solihull Approach (Skilled), measured with IMH core:"
    )


def test_the_report_without_coverage_says_why() -> None:
    report = regional_report(
        FACTS, None, (), coverage_problem="No organisation shares with the region yet."
    )
    section = report.section("coverage")
    assert not any(isinstance(block, Chart) for block in section.blocks)
    assert "No organisation shares" in render_html(report)
    assert "No sharing organisation has a cohort" in render_html(report)


@pytest.mark.parametrize("suffix", [".html", ".pdf", ".docx"])
def test_the_report_is_written_in_each_format(tmp_path: Path, suffix: str) -> None:
    report = regional_report(FACTS, regional_coverage(coverage()), groups())
    path = write_report(report, tmp_path / f"regional{suffix}")
    head = path.read_bytes()[:5]
    assert {".html": b"<!DOC", ".pdf": b"%PDF-", ".docx": b"PK\x03\x04"}[suffix][:4] == head[:4]


def places_groups() -> tuple:  # type: ignore[type-arg]
    return regional_places(
        [
            ProgrammePlaces(
                "North",
                "Solihull Approach",
                "Skilled",
                2026,
                20,
                18,
                12,
                10,
                (("Health visitor", 8, 7), ("Social worker", 4, 3)),
            ),
            ProgrammePlaces(
                "South",
                "Solihull Approach",
                "Skilled",
                2026,
                10,
                None,
                3,
                2,
                (("Health visitor", 3, 2),),
            ),
            ProgrammePlaces(
                "West",
                "Solihull Approach",
                "Skilled",
                2026,
                15,
                None,
                9,
                6,
                (("Health visitor", 6, 4), ("Nurse", 3, 2)),
            ),
        ]
    )


def test_places_tables_say_hidden_and_show_funded_places_of_every_organisation() -> None:
    (group,) = places_groups()
    table = places_table(group)
    assert table.caption == "Solihull Approach (Skilled), 2026/27: places by organisation"
    assert table.rows == (
        ("North", "20", "18", "12", "10"),
        ("South", "10", "not given", HIDDEN_WORD, HIDDEN_WORD),
        ("West", "15", "not given", HIDDEN_WORD, HIDDEN_WORD),
        (REGION_ROW, "45", "18", "24", "18"),
    )
    assert all(isinstance(cell, Number) for cells in table.rows for cell in cells[1:])
    assert table.suppressed_note is not None and "never hidden" in table.suppressed_note
    professions = profession_table(group)
    assert professions is not None
    assert professions.rows == (
        ("Health visitor", "17", "13"),
        ("Social worker", HIDDEN_WORD, HIDDEN_WORD),
        ("Nurse", HIDDEN_WORD, HIDDEN_WORD),
    )


def test_the_report_has_a_places_section_for_the_year_when_given_places() -> None:
    report = regional_report(
        FACTS, regional_coverage(coverage()), groups(), places=places_groups(), places_year=2026
    )
    assert [s.id for s in report.sections] == [
        "summary",
        "coverage",
        "places",
        "outcomes",
        "method",
    ]
    section = report.section("places")
    assert section.title == "Places in 2026/27"
    tables = [block for block in section.blocks if isinstance(block, Table)]
    assert [table.caption.split(": ")[-1] for table in tables] == [
        "places by organisation",
        "places by profession, whole region",
    ]
    empty = regional_report(FACTS, None, (), places=(), places_year=2026).section("places")
    assert "No sharing organisation has places recorded or taken in 2026/27." in render_html(
        regional_report(FACTS, None, (), places=(), places_year=2026)
    )
    assert not any(isinstance(block, Table) for block in empty.blocks)
