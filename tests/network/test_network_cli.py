"""``imheval network attendance``: the rule from files, through the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from openpyxl import load_workbook
from register_files import worked_rows, write_folder, write_workbook
from typer.testing import CliRunner

from imheval.cli import app

runner = CliRunner()


def test_attendance_lists_members_by_state_and_writes_the_json(tmp_path: Path) -> None:
    group = write_workbook(tmp_path / "GROUP.xlsx", worked_rows())
    out = tmp_path / "out" / "standing.json"
    result = runner.invoke(
        app,
        ["network", "attendance", str(group), "--as-of", "2026-03-06", "--json", str(out)],
        terminal_width=160,
    )
    assert result.exit_code == 0, result.output
    # Ann: the worked example (must attend all); Bea joined 4 December and was present at all
    # 4 held meetings: base 9, required ceil(7.2) = 8, slack 4 + 5 - 8 = 1.
    lines = result.output.splitlines()
    ann = next(line for line in lines if "Ann" in line)
    bea = next(line for line in lines if "Bea" in line)
    assert "Must attend every" in ann  # the sentence wraps in an 80-column terminal
    assert "5 of 7" in ann and "10 of 12" in ann and "71.4%" in ann and "83.3%" in ann
    assert "May miss 1 more" in bea
    assert lines.index(ann) < lines.index(bea)
    assert "target 80%" in result.output
    assert "Apologies are counted apart and count as missed meetings." in result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document == [
        {
            "member": "Ann",
            "held": 7,
            "attended": 5,
            "apologies": 1,
            "not_recorded": 0,
            "remaining": 5,
            "required": 10,
            "slack": 0,
            "percentage_so_far": 500 / 7,
            "best_possible_percentage": 1000 / 12,
            "state": "must_attend_all",
            "may_miss": 0,
        },
        {
            "member": "Bea",
            "held": 4,
            "attended": 4,
            "apologies": 0,
            "not_recorded": 0,
            "remaining": 5,
            "required": 8,
            "slack": 1,
            "percentage_so_far": 100.0,
            "best_possible_percentage": 100.0,
            "state": "may_miss",
            "may_miss": 1,
        },
    ]


def test_attendance_reads_a_csv_folder_with_the_rule_options(tmp_path: Path) -> None:
    rows = worked_rows()
    rows["attendance"] = [row for row in rows["attendance"] if row[0] == "Ann"]
    group = write_folder(tmp_path / "group", rows)
    out = tmp_path / "s.json"
    args = ["network", "attendance", str(group), "--as-of", "2026-03-06", "--json", str(out)]
    result = runner.invoke(app, [*args, "--apologies", "excluded"], terminal_width=160)
    assert result.exit_code == 0, result.output
    bea, ann = json.loads(out.read_text(encoding="utf-8"))  # cannot reach comes first
    # Ann, apologies excluded: required 9 of 11, may miss 1.
    assert (ann["required"], ann["slack"], ann["state"], ann["may_miss"]) == (9, 1, "may_miss", 1)
    # Bea has no marks: 4 held meetings not recorded, counted as missed: attended 0, base 9,
    # required 8, slack 0 + 5 - 8 = -3.
    assert (bea["not_recorded"], bea["slack"], bea["state"]) == (4, -3, "cannot_reach")
    assert "Bea: 2025-12-04, 2026-01-01, 2026-02-05, 2026-03-05" in result.output
    assert "each counts as missed until someone records it" in result.output.replace("\n", " ")
    # Late counted as missed and a 70% target: Ann attended 4 of 7, base 12, required
    # ceil(8.4) = 9, slack 4 + 5 - 9 = 0.
    result = runner.invoke(app, [*args, "--late", "missed", "--target", "70"])
    assert result.exit_code == 0, result.output
    ann = json.loads(out.read_text(encoding="utf-8"))[1]
    assert (ann["member"], ann["attended"], ann["required"], ann["slack"]) == ("Ann", 4, 9, 0)
    # A year from October leaves September's meeting out: held 6 (P A E P L P), attended 4
    # (late counts), remaining 5, base 11, required ceil(8.8) = 9, slack 0.
    result = runner.invoke(app, [*args, "--year-start", "2025-10-01"])
    assert result.exit_code == 0, result.output
    ann = next(s for s in json.loads(out.read_text(encoding="utf-8")) if s["member"] == "Ann")
    assert (ann["held"], ann["attended"], ann["required"], ann["slack"]) == (6, 4, 9, 0)


def test_attendance_writes_the_register_exports(tmp_path: Path) -> None:
    group = write_workbook(tmp_path / "GROUP.xlsx", worked_rows())
    tidy, wide = tmp_path / "tidy.csv", tmp_path / "wide.xlsx"
    result = runner.invoke(
        app,
        [
            "network", "attendance", str(group), "--as-of", "2026-03-06",
            "--tidy-csv", str(tidy), "--register-xlsx", str(wide),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with tidy.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12 + 9  # Ann every meeting; Bea from 4 December
    assert rows[3] == {
        "member": "Ann",
        "profession": "Health visitor",
        "service": "0-19",
        "date": "2025-12-04",
        "topic": "Topic 4",
        "duration_minutes": "90",
        "status": "apologies",
    }
    sheet = load_workbook(wide)["register"]
    assert [cell.value for cell in sheet[2]][-1] == "Must attend every remaining meeting"


def test_the_table_fits_80_columns_with_every_figure_whole(tmp_path: Path) -> None:
    rows = worked_rows()
    long_name = "Aoibheann Ní Mhuircheartaigh-Fitzgerald"
    rows["members"] = [(long_name, *rows["members"][0][1:]), rows["members"][1]]
    rows["attendance"] = [
        (long_name, *row[1:]) if row[0] == "Ann" else row for row in rows["attendance"]
    ]
    group = write_workbook(tmp_path / "GROUP.xlsx", rows)
    result = runner.invoke(
        app, ["network", "attendance", str(group), "--as-of", "2026-03-06"], terminal_width=80
    )
    assert result.exit_code == 0, result.output
    table = result.output[result.output.index("Members by state") :]
    assert max(len(line) for line in table.splitlines()) <= 80
    # The figures are never cut: the words wrap instead (the long name folds onto lines).
    for figure in ("5 of 7", "10 of 12", "71.4%", "83.3%", "100.0%"):
        assert figure in table
    assert "…" not in table


def test_a_bad_file_gives_every_problem_and_exit_1(tmp_path: Path) -> None:
    rows = worked_rows()
    rows["attendance"] = [*rows["attendance"], ("Zed", "2025-09-04", "present")]
    rows["meetings"][7] = ("2026-04-02", "held", "", 90)
    group = write_workbook(tmp_path / "GROUP.xlsx", rows)
    result = runner.invoke(app, ["network", "attendance", str(group), "--as-of", "2026-03-06"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert (
        "Error: GROUP.xlsx, sheet 'meetings', row 9, column 'status': the meeting of 2026-04-02 "
        "is marked held but is after --as-of 2026-03-06"
    ) in result.output.replace("\n", " ")
    assert (
        "Error: GROUP.xlsx, sheet 'attendance', row 13, column 'member': 'Zed' is not in the "
        "members sheet"
    ) in result.output.replace("\n", " ")
    assert "2 problems found" in result.output


def test_bad_options_are_one_clean_message(tmp_path: Path) -> None:
    group = write_workbook(tmp_path / "GROUP.xlsx", worked_rows())
    for args, message in (
        (["--as-of", "6/3/26"], "--as-of '6/3/26' is not a date"),
        (["--as-of", "2026-03-06", "--target", "eighty"], "--target 'eighty' is not a number"),
        (["--as-of", "2026-03-06", "--target", "120"], "between 0 and 100 percent"),
        (["--as-of", "2026-03-06", "--year-start", "soon"], "--year-start 'soon' is not a date"),
    ):
        result = runner.invoke(app, ["network", "attendance", str(group), *args])
        assert result.exit_code == 1, args
        assert message in result.output, result.output
        assert "Traceback" not in result.output


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["network", "attendance", "--help"])
    assert result.exit_code == 0
    assert "Example: imheval network attendance GROUP.xlsx --as-of 2026-03-06" in result.output
