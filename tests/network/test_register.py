"""Reading a group's register from files (issue 14 §3) and writing it out again."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from register_files import AS_OF, DAYS, HEADERS, worked_rows, write_folder, write_workbook

from imheval.errors import Problem, RegisterError
from imheval.network.attendance import (
    ApologiesPolicy,
    AttendanceRule,
    Mark,
    MeetingStatus,
    Period,
    Register,
    State,
    standings,
)
from imheval.network.register import read_register, write_tidy_csv, write_wide_xlsx


def problems_of(path: Path, as_of: datetime.date | None = AS_OF) -> list[tuple[object, ...]]:
    with pytest.raises(RegisterError) as error:
        read_register(path, as_of=as_of)
    return [(p.file, p.row, p.column, p.message) for p in error.value.problems]


def test_workbook_and_csv_folder_read_the_same_register(tmp_path: Path) -> None:
    from_xlsx = read_register(write_workbook(tmp_path / "g.xlsx", worked_rows()), as_of=AS_OF)
    from_csv = read_register(write_folder(tmp_path / "g", worked_rows()), as_of=AS_OF)
    assert from_xlsx == from_csv
    assert [m.date for m in from_xlsx.meetings] == DAYS
    assert [m.status for m in from_xlsx.meetings] == [MeetingStatus.HELD] * 7 + [
        MeetingStatus.PLANNED
    ] * 5
    assert from_xlsx.meetings[0].topic == "Topic 1"
    assert from_xlsx.meetings[0].duration_minutes == 90
    ann, bea = from_xlsx.members
    assert (ann.name, ann.profession, ann.service) == ("Ann", "Health visitor", "0-19")
    assert bea.periods == (Period(datetime.date(2025, 12, 4)),)
    assert from_xlsx.marks[("Ann", "2025-12-04")] is Mark.APOLOGIES
    assert len(from_xlsx.marks) == 7 + 4


def test_the_worked_example_from_a_workbook(tmp_path: Path) -> None:
    register = read_register(write_workbook(tmp_path / "g.xlsx", worked_rows()), as_of=AS_OF)
    ann = {s.member: s for s in standings(register, AttendanceRule(), AS_OF)}["Ann"]
    assert (ann.required, ann.held + ann.remaining, ann.state) == (10, 12, State.MUST_ATTEND_ALL)
    rule = AttendanceRule(apologies=ApologiesPolicy.EXCLUDED)
    ann = {s.member: s for s in standings(register, rule, AS_OF)}["Ann"]
    assert (ann.required, ann.held + ann.remaining, ann.may_miss) == (9, 11, 1)


def test_uk_dates_blank_durations_and_rejoining_are_read(tmp_path: Path) -> None:
    rows = worked_rows()
    rows["meetings"] = [("04/09/2025", "held", "", ""), ("2 October 2025", "Held", "", "")]
    rows["members"] = [
        ("Ann", "01/09/2025", "05/09/2025", "", ""),
        ("Ann", "01/10/2025", "", "", ""),
    ]
    rows["attendance"] = [("Ann", "04/09/2025", "Present")]
    assert problems_of(write_folder(tmp_path / "g", rows)) == [
        (
            "g/meetings.csv",
            3,
            "date",
            "'2 October 2025' is not a date (write it as 2026-03-05 or 05/03/2026)",
        )
    ]
    rows["meetings"] = [("04/09/2025", "held", "", ""), ("02/10/2025", "Held", "", "")]
    register = read_register(write_folder(tmp_path / "g", rows), as_of=AS_OF)
    assert [m.duration_minutes for m in register.meetings] == [90, 90]
    assert register.members[0].periods == (
        Period(datetime.date(2025, 9, 1), datetime.date(2025, 9, 5)),
        Period(datetime.date(2025, 10, 1)),
    )
    assert register.marks == {("Ann", "2025-09-04"): Mark.PRESENT}


def test_every_problem_is_listed_with_sheet_row_and_column(tmp_path: Path) -> None:
    rows = worked_rows()
    rows["meetings"] = [
        *rows["meetings"],
        (datetime.date(2026, 3, 5), "held", "again", 90),  # row 14: a second meeting that day
        ("someday", "held", "", 90),  # row 15
        (datetime.date(2026, 3, 19), "done", "", "ninety"),  # row 16
        (datetime.date(2026, 2, 19), "cancelled", "", 90),  # row 17
    ]
    rows["meetings"][7] = (DAYS[7], "held", "", 90)  # row 9: held after as-of
    rows["meetings"][6] = (DAYS[6], "planned", "", 90)  # row 8: planned before as-of
    rows["members"] = [
        *rows["members"],
        ("Cal", datetime.date(2025, 9, 1), datetime.date(2025, 8, 1), "", ""),  # row 4
        ("Ann", datetime.date(2026, 1, 1), None, "", ""),  # row 5: overlaps row 2
        ("Dan", datetime.date(2025, 9, 1), datetime.date(2025, 10, 31), "", ""),  # row 6
        ("Dan", datetime.date(2025, 10, 31), None, "", ""),  # row 7: overlaps on 31 Oct
        ("Eve", datetime.date(2025, 9, 1), datetime.date(2025, 10, 1), "", ""),  # row 8
    ]
    rows["attendance"] = [
        ("Bea", DAYS[3], "present"),  # row 2
        ("Zed", DAYS[3], "present"),  # row 3: not in members
        ("bea", DAYS[4], "present"),  # row 4: not in members (case)
        ("Bea", datetime.date(2026, 3, 12), "present"),  # row 5: no meeting
        ("Bea", DAYS[3], "late"),  # row 6: a second row
        ("Bea", DAYS[5], "sick"),  # row 7: unknown status
        ("Eve", DAYS[2], "present"),  # row 8: outside membership
        ("Bea", datetime.date(2026, 2, 19), "present"),  # row 9: cancelled
        ("Bea", DAYS[8], "present"),  # row 10: planned, not apologies
        ("Bea", DAYS[9], "apologies"),  # row 11: fine
    ]
    sheet = "g.xlsx, sheet '{}'".format
    assert problems_of(write_workbook(tmp_path / "g.xlsx", rows)) == [
        (
            sheet("meetings"),
            14,
            "date",
            "a second meeting on 2026-03-05 (the first is row 8): a group meets at most once "
            "a day; move or remove one",
        ),
        (
            sheet("meetings"),
            15,
            "date",
            "'someday' is not a date (write it as 2026-03-05 or 05/03/2026)",
        ),
        (
            sheet("meetings"),
            16,
            "status",
            "unknown status 'done' (use held, cancelled or planned)",
        ),
        (
            sheet("meetings"),
            16,
            "duration_minutes",
            "'ninety' is not a number of minutes from 1 to 1440 (leave it blank for 90)",
        ),
        (
            sheet("meetings"),
            8,
            "status",
            "the meeting of 2026-03-05 is marked planned but is on or before --as-of "
            "2026-03-06: mark it held or cancelled",
        ),
        (
            sheet("meetings"),
            9,
            "status",
            "the meeting of 2026-04-02 is marked held but is after --as-of 2026-03-06: mark it "
            "planned or cancelled (or check --as-of)",
        ),
        (sheet("members"), 4, "left", "'Cal' left (2025-08-01) before joining (2025-09-01)"),
        (
            sheet("members"),
            5,
            "joined",
            "this period of 'Ann' overlaps the one in row 2 (2025-09-01 to now): give each "
            "period of membership its own row, without overlaps",
        ),
        (
            sheet("members"),
            7,
            "joined",
            "this period of 'Dan' overlaps the one in row 6 (2025-09-01 to 2025-10-31): give "
            "each period of membership its own row, without overlaps",
        ),
        (sheet("attendance"), 3, "member", "'Zed' is not in the members sheet"),
        (
            sheet("attendance"),
            4,
            "member",
            "'bea' is not in the members sheet (did you mean 'Bea'?)",
        ),
        (
            sheet("attendance"),
            5,
            "date",
            "there is no meeting on 2026-03-12 in the meetings sheet",
        ),
        (
            sheet("attendance"),
            6,
            "date",
            "a second row for 'Bea' at the meeting of 2025-12-04 (the first is row 2): keep one",
        ),
        (
            sheet("attendance"),
            7,
            "status",
            "unknown status 'sick' (use present, late, apologies or absent)",
        ),
        (
            sheet("attendance"),
            8,
            "date",
            "'Eve' was not a member on 2025-11-06 (member 2025-09-01 to 2025-10-01)",
        ),
        (
            sheet("attendance"),
            9,
            "date",
            "the meeting of 2026-02-19 was cancelled, so nobody has a mark for it: remove this "
            "row (or mark the meeting held)",
        ),
        (
            sheet("attendance"),
            10,
            "status",
            "the meeting of 2026-05-07 is still planned, so it can only have apologies, not "
            "'present'",
        ),
    ]


def test_missing_sheets_columns_and_files_are_named(tmp_path: Path) -> None:
    rows = worked_rows()
    del rows["attendance"]
    assert problems_of(write_workbook(tmp_path / "g.xlsx", rows)) == [
        (
            "g.xlsx",
            None,
            None,
            "the workbook has no sheet 'attendance' (its sheets: 'meetings', 'members')",
        )
    ]
    assert problems_of(write_folder(tmp_path / "g", rows)) == [
        ("g/attendance.csv", None, None, "file not found in the folder")
    ]
    headers = {**HEADERS, "members": ("Member", "Joined date", "left")}
    rows = worked_rows()
    rows["members"] = [row[:3] for row in rows["members"]]
    assert problems_of(write_workbook(tmp_path / "h.xlsx", rows, headers)) == [
        ("h.xlsx, sheet 'members'", None, "joined", "this column is missing")
    ]
    missing = tmp_path / "nothing.xlsx"
    assert problems_of(missing) == [(str(missing), None, None, "file or folder not found")]
    (tmp_path / "g.txt").write_text("x", encoding="utf-8")
    assert problems_of(tmp_path / "g.txt") == [
        (
            "g.txt",
            None,
            None,
            "a register is a workbook (.xlsx) with sheets meetings, members and attendance, "
            "or a folder holding meetings.csv, members.csv and attendance.csv",
        )
    ]


def test_without_as_of_the_statuses_are_not_checked_against_a_date(tmp_path: Path) -> None:
    register = read_register(write_workbook(tmp_path / "g.xlsx", worked_rows()))
    assert len(register.meetings) == 12
    # Meetings outside the year are not checked: the 13th (September 2026) is held "later".
    rows = worked_rows()
    rows["meetings"] = [*rows["meetings"], (datetime.date(2026, 9, 3), "held", "", 90)]
    assert len(read_register(write_workbook(tmp_path / "h.xlsx", rows), as_of=AS_OF).meetings)


def test_the_error_message_lists_located_problems() -> None:
    error = RegisterError([Problem("g.xlsx, sheet 'members'", "the date is blank", 4, "joined")])
    assert str(error) == "g.xlsx, sheet 'members', row 4, column 'joined': the date is blank"


# --- writers --------------------------------------------------------------------------------


def small_register(tmp_path: Path) -> tuple[Register, datetime.date]:
    rows = worked_rows()
    rows["meetings"] = [
        (DAYS[0], "held", '=HYPERLINK("x")', 90),
        (DAYS[1], "held", "Sleep", 60),
        (DAYS[2], "cancelled", "Play", 90),
        (DAYS[3], "planned", "Feeding", 90),
    ]
    rows["members"] = [
        ("Ann", DAYS[0], None, "Health visitor", "0-19"),
        ("@Bea", DAYS[1], None, "", ""),
    ]
    rows["attendance"] = [("Ann", DAYS[0], "present"), ("Ann", DAYS[3], "apologies")]
    as_of = datetime.date(2025, 11, 20)
    return read_register(write_folder(tmp_path / "g", rows), as_of=as_of), as_of


def test_tidy_csv_has_one_row_per_member_per_meeting_of_their_membership(
    tmp_path: Path,
) -> None:
    register, as_of = small_register(tmp_path)
    text = write_tidy_csv(register, AttendanceRule(), as_of)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [
        ["member", "profession", "service", "date", "topic", "duration_minutes", "status"],
        ["'@Bea", "", "", "2025-10-02", "Sleep", "60", "not recorded"],
        ["'@Bea", "", "", "2025-11-06", "Play", "90", "cancelled"],
        ["'@Bea", "", "", "2025-12-04", "Feeding", "90", "planned"],
        ["Ann", "Health visitor", "0-19", "2025-09-04", '\'=HYPERLINK("x")', "90", "present"],
        ["Ann", "Health visitor", "0-19", "2025-10-02", "Sleep", "60", "not recorded"],
        ["Ann", "Health visitor", "0-19", "2025-11-06", "Play", "90", "cancelled"],
        ["Ann", "Health visitor", "0-19", "2025-12-04", "Feeding", "90", "apologies"],
    ]


def test_wide_xlsx_has_a_column_per_meeting_then_the_figures(tmp_path: Path) -> None:
    register, as_of = small_register(tmp_path)
    data = write_wide_xlsx(register, AttendanceRule(), as_of)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["register"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == [
        "member",
        "profession",
        "service",
        '2025-09-04 =HYPERLINK("x")',
        "2025-10-02 Sleep",
        "2025-11-06 Play",
        "2025-12-04 Feeding",
        "held",
        "attended",
        "apologies",
        "not recorded",
        "remaining",
        "required",
        "slack",
        "% so far",
        "best % possible",
        "state",
    ]
    # @Bea (joined 2 Oct): held 1 (not recorded), remaining 1, base 2, required ceil(1.6) = 2,
    # slack 0 + 1 - 2 = -1. Ann: held 2 (1 present), remaining 1 (apologies sent, still
    # counted under "missed"), required ceil(2.4) = 3, slack 1 + 1 - 3 = -1.
    assert values[1] == [
        "@Bea", None, None, None, "not recorded", "cancelled", "planned",
        1, 0, 0, 1, 1, 2, -1, 0.0, 50.0, "Cannot reach the target this year",
    ]  # fmt: skip
    assert values[2] == [
        "Ann", "Health visitor", "0-19", "present", "not recorded", "cancelled", "apologies",
        2, 1, 0, 1, 1, 3, -1, 50.0, pytest.approx(200 / 3), "Cannot reach the target this year",
    ]  # fmt: skip
    assert sheet["A2"].data_type == "s"
    assert sheet["D1"].data_type == "s"  # text starting "=" is never a formula
    assert sheet["P3"].number_format == "0.0"
    about = {row[0].value: row[1].value for row in workbook["about"].iter_rows()}
    assert about["as of"] == "2025-11-20"
    assert about["attendance year"] == "2025-09-01 to 2026-08-31"
    assert about["target (%)"] == "80"
