"""``imheval coverage``: the table, the JSON, the report and clean errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from imheval.cli import app

runner = CliRunner()

ESTABLISHMENT = (
    "organisation,service,profession,headcount\n"
    "North Trust,Health visiting,Health visitor,10\n"
    "North Trust,Perinatal mental health,Nurse,4\n"
    "South Board,Health visiting,Health visitor,2\n"
)
TRAINING = (
    "person,organisation,service,profession,level,completed_on\n"
    "a,North Trust,Health visiting,Health visitor,Skilled,2025-01-10\n"
    "b,North Trust,Health visiting,Health visitor,Enhanced,10/02/2025\n"
    "c,North Trust,Perinatal mental health,Nurse,Specialist,2025-03-01\n"
    "a,South Board,Health visiting,Health visitor,Skilled,2025-01-10\n"
    "d,South Board,Health visiting,Health visitor,Skilled,2025-01-10\n"
    "e,South Board,Health visiting,Health visitor,Skilled,2025-01-10\n"
)
REQUIRED = (
    "service,profession,level,target_percent,by_date\n"
    "Health visiting,Health visitor,Skilled,90,2027-03-31\n"
    "Perinatal mental health,Nurse,Enhanced,75,2026-03-31\n"
)


def files(tmp_path: Path, training: str = TRAINING) -> list[str]:
    paths = []
    for name, text in (("est.csv", ESTABLISHMENT), ("training.csv", training)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    (tmp_path / "required.csv").write_text(REQUIRED, encoding="utf-8")
    return [*paths, "--requirements", str(tmp_path / "required.csv")]


def test_the_table_is_grouped_by_organisation_and_fits_80_columns(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["coverage", *files(tmp_path), "--as-of", "2026-03-31"], terminal_width=80
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    titles = [line.strip() for line in lines]
    assert titles.index("North Trust") < titles.index("South Board")
    table_lines = [line for line in lines if "/03/202" in line]
    assert len(table_lines) == 3
    assert all(len(line) <= 80 for line in table_lines)
    assert "on trajectory" in result.output
    assert "behind" in result.output
    assert "more people trained than the headcount: check the data" in result.output
    assert "Skilled: 7 more people to train now, 1 cohort of 12." in result.output
    # South Board: 3 trained of a headcount of 2, no gap left, but never "met"
    (south,) = [line for line in table_lines if line.lstrip().startswith("Health") and "3*" in line]
    assert "check the data" in south
    assert " met" not in south


def test_json_has_the_issues_row_keys(tmp_path: Path) -> None:
    out = tmp_path / "out" / "coverage.json"
    args = ["coverage", *files(tmp_path), "--as-of", "2026-03-31", "--json", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["as_of"] == "2026-03-31"
    assert [
        (r["organisation"], r["level"], r["trained"], r["gap_people"], r["status"], r["flags"])
        for r in document["rows"]
    ] == [
        ("North Trust", "Skilled", 2, 7, "on_trajectory", []),
        ("North Trust", "Enhanced", 1, 2, "behind", []),
        ("South Board", "Skilled", 3, 0, "met", ["trained_exceeds_headcount"]),
    ]
    assert set(document["rows"][0]) == {
        "organisation",
        "service",
        "profession",
        "level",
        "headcount",
        "trained",
        "percent",
        "target_percent",
        "gap_people",
        "status",
        "flags",
    }
    assert document["rows"][2]["percent"] is None


def test_every_problem_of_the_training_file_is_listed_without_a_traceback(
    tmp_path: Path,
) -> None:
    bad = TRAINING + "f,North Trust,Health visiting,Health visitor,Expert,2025-01-01\n"
    bad += ",North Trust,Health visiting,Health visitor,Skilled,yesterday\n"
    result = runner.invoke(app, ["coverage", *files(tmp_path, bad)])
    assert result.exit_code == 1
    assert "training.csv, row 8, column 'level': 'Expert' is not a level" in result.output
    assert "training.csv, row 9, column 'person': the person is blank" in result.output
    assert "training.csv, row 9, column 'completed_on': 'yesterday' is not a date" in (
        result.output
    )
    assert "3 problems found" in result.output
    assert "Traceback" not in result.output


def test_a_bad_as_of_or_turnover_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["coverage", *files(tmp_path), "--as-of", "31/03/2026"])
    assert result.exit_code == 1
    assert "--as-of: '31/03/2026' is not a date: write it as 2027-03-31" in result.output
    for far in ("0001-01-01", "9999-12-31"):
        result = runner.invoke(app, ["coverage", *files(tmp_path), "--as-of", far])
        assert result.exit_code == 1
        assert f"--as-of: '{far}' is outside the years 1950 to 2200" in result.output
        assert "Internal error" not in result.output
    result = runner.invoke(app, ["coverage", *files(tmp_path), "--turnover", "lots"])
    assert result.exit_code == 1
    assert "'lots' is not a share such as 0.1 or 10%" in result.output


def test_turnover_as_a_percentage_gives_leavers_a_year(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    args = ["coverage", *files(tmp_path), "--as-of", "2026-03-31", "--turnover", "10%"]
    result = runner.invoke(app, [*args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    needs = json.loads(out.read_text(encoding="utf-8"))["needs"]
    north_skilled = needs[0]
    # 10% of the 9 people the target asks for: 0.9 -> 1 leaver a year to replace.
    assert (north_skilled["turnover"], north_skilled["leavers_per_year"]) == (0.1, 1)


def test_the_framework_option_and_a_wrong_ladder_hint(tmp_path: Path) -> None:
    args = ["coverage", *files(tmp_path), "--framework", "seed000"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert (
        "'Skilled' is not a level of Seed 000 (beginner, intermediate, advanced); it is a "
        "level of NES PIMH: use --framework nes"
    ) in result.output.replace("\n", " ")


def test_births_check_is_printed(tmp_path: Path) -> None:
    births = tmp_path / "births.csv"
    births.write_text("organisation,births_per_year\nNorth Trust,3500\n", encoding="utf-8")
    args = ["coverage", *files(tmp_path), "--as-of", "2026-03-31", "--births", str(births)]
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert (
        "North Trust: 3,500 births a year, more than 3,000, so specialist practitioners belong "
        "in several services; 1 at Specialist level, in Perinatal mental health: does not meet "
        "the rule."
    ) in result.output


def test_report_is_written_and_a_bad_extension_refused_before_reading(tmp_path: Path) -> None:
    report = tmp_path / "coverage.html"
    args = ["coverage", *files(tmp_path), "--as-of", "2026-03-31", "--report", str(report)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "North Trust" in report.read_text(encoding="utf-8")
    missing = ["coverage", "nowhere.csv", "nowhere.csv", "--requirements", "nowhere.csv"]
    result = runner.invoke(app, [*missing, "--report", "coverage.txt"])
    assert result.exit_code == 1
    assert "--report coverage.txt: use a file ending in .html, .htm, .pdf or .docx" in (
        result.output
    )
