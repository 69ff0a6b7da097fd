"""Reading the coverage inputs: good files in CSV and XLSX, and every problem located at once."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from imheval.errors import CoverageError
from imheval.io.dates import parse_date
from imheval.workforce.inputs import Post, TrajectoryPoint
from imheval.workforce.ladder import BUILT_IN, Ladder, find_ladder, read_ladder
from imheval.workforce.read import (
    read_births,
    read_establishment,
    read_requirements,
    read_training,
)

NES = BUILT_IN["nes"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(error: pytest.ExceptionInfo[CoverageError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def test_establishment_headers_tolerate_case_and_spaces(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "est.csv",
        " Organisation ,SERVICE,Profession,Head count,WTE\n"
        "North,Health visiting,Health visitor,12,10.4\n"
        ",,,,\n"
        "North,Maternity,Midwife,30,\n",
    )
    assert read_establishment(path) == (
        Post("North", "Health visiting", "Health visitor", 12, Decimal("10.4"), 2),
        Post("North", "Maternity", "Midwife", 30, None, 4),
    )


def test_establishment_problems_are_all_listed_with_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "est.csv",
        "organisation,service,profession,headcount,wte\n"
        "North,Health visiting,Health visitor,12,\n"
        "north,health visiting,HEALTH VISITOR,3,\n"
        ",Maternity,Midwife,-1,x\n",
    )
    with pytest.raises(CoverageError) as caught:
        read_establishment(path)
    assert problems(caught) == [
        "est.csv, row 3, column 'profession': 'north', 'health visiting', 'HEALTH VISITOR' is "
        "listed twice (first in row 2): give each organisation, service and profession one "
        "row, with its whole headcount",
        "est.csv, row 4, column 'organisation': the organisation is blank",
        "est.csv, row 4, column 'headcount': '-1' is not a headcount (a whole number from 0 "
        "to 1,000,000)",
        "est.csv, row 4, column 'wte': 'x' is not a number of whole-time equivalents (e.g. 12.4)",
    ]


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "est.csv", "organisation,service,headcount\nNorth,HV,3\n")
    with pytest.raises(CoverageError) as caught:
        read_establishment(path)
    assert problems(caught) == ["est.csv, column 'profession': this column is missing"]


def test_an_empty_file_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CoverageError, match="the file is empty"):
        read_establishment(write(tmp_path, "est.csv", ""))
    with pytest.raises(CoverageError, match="file not found"):
        read_establishment(tmp_path / "nowhere.csv")


def test_training_reads_iso_uk_and_excel_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "training.csv",
        "person,organisation,service,profession,level,completed_on,programme\n"
        "a,North,HV,Health visitor,skilled,2025-03-31,Solihull\n"
        "b,North,HV,Health visitor,INFORMED,31/03/2025,\n"
        "c,North,HV,Health visitor,Enhanced,2025-03-31T00:00:00,\n",
    )
    records = read_training(path, NES)
    assert [(r.person, r.level, r.completed_on) for r in records] == [
        ("a", "Skilled", datetime.date(2025, 3, 31)),
        ("b", "Informed", datetime.date(2025, 3, 31)),
        ("c", "Enhanced", datetime.date(2025, 3, 31)),
    ]
    assert records[0].programme == "Solihull"


def test_training_with_a_header_only_is_no_training(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "person,organisation,service,profession,level,completed_on\n")
    assert read_training(path, NES) == ()


def test_training_problems_name_the_other_framework_that_has_the_level(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "training.csv",
        "person,organisation,service,profession,level,completed_on\n"
        "a,North,HV,Health visitor,advanced,2025-13-01\n"
        ",North,HV,Health visitor,Expert,03/31/2025\n",
    )
    with pytest.raises(CoverageError) as caught:
        read_training(path, NES)
    assert problems(caught) == [
        "training.csv, row 2, column 'level': 'advanced' is not a level of NES PIMH (Informed, "
        "Skilled, Enhanced, Specialist); it is a level of Seed 000: use --framework seed000",
        "training.csv, row 2, column 'completed_on': '2025-13-01' is not a date (write it as "
        "2026-03-31 or 31/03/2026)",
        "training.csv, row 3, column 'person': the person is blank",
        "training.csv, row 3, column 'level': 'Expert' is not a level of NES PIMH (Informed, "
        "Skilled, Enhanced, Specialist)",
        "training.csv, row 3, column 'completed_on': '03/31/2025' is not a date (write it as "
        "2026-03-31 or 31/03/2026)",
    ]


def test_requirements_with_a_trajectory_and_refresh(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "required.csv",
        "Service,Profession,Level,Target percent,By date,Refresh years\n"
        "HV,Health visitor,Skilled,90%,31/03/2027,3\n"
        "HV,Health visitor,skilled,50,2026-03-31,\n"
        "Maternity,Midwife,Informed,87.5,2027-03-31,\n",
    )
    skilled, informed = read_requirements(path, NES)
    assert skilled.points == (
        TrajectoryPoint(datetime.date(2026, 3, 31), Decimal(50)),
        TrajectoryPoint(datetime.date(2027, 3, 31), Decimal(90)),
    )
    assert (skilled.target_percent, skilled.refresh_years) == (Decimal(90), 3)
    assert (informed.level, informed.target_percent, informed.refresh_years) == (
        "Informed",
        Decimal("87.5"),
        None,
    )


def test_requirement_problems(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "required.csv",
        "service,profession,level,target_percent,by_date,refresh_years\n"
        "HV,HV,Skilled,90,2027-03-31,3\n"
        "HV,HV,Skilled,95,2026-03-31,2\n"
        "HV,HV,Informed,50,2027-03-31,\n"
        "HV,HV,Informed,60,2027-03-31,\n"
        "PMH,Nurse,Enhanced,120,,0\n",
    )
    with pytest.raises(CoverageError) as caught:
        read_requirements(path, NES)
    assert problems(caught) == [
        "required.csv, row 6, column 'target_percent': '120' is not a percentage from 0 to 100",
        "required.csv, row 6, column 'by_date': the date is blank",
        "required.csv, row 6, column 'refresh_years': '0' is not a number of whole years from "
        "1 to 50 (leave it blank when training does not lapse)",
        "required.csv, row 2, column 'target_percent': the target falls from 95% by 2026-03-31 "
        "(row 3) to 90% by 2027-03-31: a trajectory's targets rise or stay level",
        "required.csv, row 2, column 'refresh_years': the rows for HV, HV at Skilled give "
        "different refresh intervals (2, 3 years): give one",
        "required.csv, row 5, column 'by_date': a second target for HV, HV at Informed by "
        "2027-03-31 (the first is row 4): keep one",
    ]


def test_births(tmp_path: Path) -> None:
    path = write(tmp_path, "births.csv", "organisation,births_per_year\nNorth,3500\nnorth,3\n")
    with pytest.raises(CoverageError, match="'north' is listed twice"):
        read_births(path)
    good = write(tmp_path, "b.csv", "Organisation,Births per year\nNorth,3500\n")
    assert [(b.organisation, b.births_per_year) for b in read_births(good)] == [("North", 3500)]


def test_xlsx_files_are_read_like_csv(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["person", "organisation", "service", "profession", "level", "Completed on"])
    sheet.append(["a", "North", "HV", "Health visitor", "Skilled", datetime.datetime(2025, 3, 1)])
    sheet.append([7, "North", "HV", "Health visitor", "Informed", "01/02/2025"])
    path = tmp_path / "training.xlsx"
    workbook.save(path)
    records = read_training(path, NES)
    assert [(r.person, r.completed_on) for r in records] == [
        ("a", datetime.date(2025, 3, 1)),
        ("7", datetime.date(2025, 2, 1)),
    ]


def test_parse_date_refuses_impossible_dates() -> None:
    assert parse_date("29/02/2025") is None
    assert parse_date("2025-02-30") is None
    assert parse_date("31/12/2025") == datetime.date(2025, 12, 31)


def test_ladders_built_in_and_from_files(tmp_path: Path) -> None:
    assert find_ladder("AIMH").levels == ("Level 1", "Level 2", "Level 3")
    assert find_ladder("seed000").rank("Advanced") == 2
    yaml_file = write(tmp_path, "ours.yaml", "name: Ours\nlevels: [Aware, Practitioner, Lead]\n")
    assert read_ladder(yaml_file) == Ladder("Ours", ("Aware", "Practitioner", "Lead"))
    csv_file = write(tmp_path, "tiers.csv", "level\nAware\nLead\n")
    assert find_ladder(str(csv_file)) == Ladder("tiers", ("Aware", "Lead"))


def test_bad_ladders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CoverageError, match="not a built-in framework"):
        find_ladder("nope")
    with pytest.raises(CoverageError, match="the level 'aware' is named twice"):
        read_ladder(write(tmp_path, "twice.csv", "Aware\naware\n"))
    with pytest.raises(CoverageError) as caught:
        read_ladder(write(tmp_path, "bad.yaml", "name: ''\nlevels: 3\n"))
    assert len(caught.value.problems) == 2
    with pytest.raises(CoverageError, match="not valid YAML"):
        read_ladder(write(tmp_path, "broken.yaml", "levels: [a\n"))


def test_two_columns_with_one_name_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "est.csv", "organisation,service,profession,headcount,Head count\n")
    with pytest.raises(CoverageError) as caught:
        read_establishment(path)
    assert problems(caught) == [
        "est.csv, column 'Head count': two columns are headed 'headcount' and 'Head count': "
        "keep one"
    ]


def test_a_workbook_saved_as_csv_is_refused_with_the_files_name(tmp_path: Path) -> None:
    path = tmp_path / "training.csv"
    path.write_bytes(b"PK\x03\x04" + bytes(200))
    with pytest.raises(CoverageError) as caught:
        read_training(path, NES)
    assert problems(caught) == [
        "training.csv: looks like an Excel workbook, not CSV text; give it the extension .xlsx"
    ]


def test_births_with_years_take_each_organisations_latest(tmp_path: Path) -> None:
    good = write(
        tmp_path,
        "births.csv",
        "organisation,year,births_per_year\n"
        "North,2024,3100\nNorth,2025,3200\nSouth,2025,900\nnorth,2023,2000\n",
    )
    assert [(b.organisation, b.births_per_year, b.row) for b in read_births(good)] == [
        ("North", 3200, 3),
        ("South", 900, 4),
    ]
    twice = write(
        tmp_path, "twice.csv", "organisation,year,births_per_year\nNorth,2025,1\nNORTH,2025,2\n"
    )
    with pytest.raises(CoverageError) as caught:
        read_births(twice)
    assert str(caught.value.problems[0]) == (
        "twice.csv, row 3, column 'year': 'NORTH' in 2025 is listed twice (first in row 2): "
        "keep one"
    )
