"""A network group's register from files, and the register written out (tidy CSV, wide XLSX).

The files (issue 14 §3) are one workbook ``GROUP.xlsx`` with three sheets, or a folder with
three CSV files of the same names:

* ``meetings``: date, status (held, cancelled, planned), topic, duration_minutes (blank: 90);
* ``members``: member, joined, left (blank while a member), and optionally profession, service;
  a member who left and rejoined has one row per membership period;
* ``attendance``: member, date, status (present, late, apologies, absent).

Column names are matched without regard to case or surrounding spaces; other columns are
ignored. Dates are written 2026-03-05 (or as Excel dates, or 05/03/2026, day first).

:func:`read_register` checks everything and raises one :class:`~imheval.errors.RegisterError`
listing every problem, each with its file (and sheet), the row number a person sees in a
spreadsheet, and the column; nothing is returned from a file with a problem. The checks: a
missing sheet, file or column; a blank or bad date; an unknown status; a bad duration; two
meetings on one date; a held meeting after the as-of date or a planned one on or before it;
a membership that ends before it starts or overlaps another of the same member; an attendance
row for a member not in members, for a date with no meeting, for a cancelled meeting, for a
date outside every membership period of the member, or a second row for one member and
meeting; a mark other than apologies for a meeting still planned.

The writers (:func:`write_tidy_csv`, :func:`write_wide_xlsx`) are the exports the web app
offers too; both make text cells that no spreadsheet runs as a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from imheval.errors import DataFormatError, Problem, RegisterError
from imheval.io._cells import Sheet
from imheval.io.csvsafe import neutralise_row
from imheval.io.dates import parse_date
from imheval.network.attendance import (
    AttendanceRule,
    Mark,
    Meeting,
    MeetingStatus,
    Member,
    Period,
    Register,
    Standing,
    standing,
    standings,
)

E = TypeVar("E", MeetingStatus, Mark)

__all__ = [
    "MAX_ROWS",
    "SHEETS",
    "TIDY_COLUMNS",
    "read_register",
    "write_tidy_csv",
    "write_wide_xlsx",
]

#: The sheets (or CSV files, with ``.csv``) a register has, in the order they are checked.
SHEETS: Final = ("meetings", "members", "attendance")
#: The most rows below the header read from one sheet (ten years of weekly meetings for 100
#: members is 52,000 attendance rows).
MAX_ROWS: Final = 200_000
#: The columns of the tidy CSV export, in order.
TIDY_COLUMNS: Final = (
    "member",
    "profession",
    "service",
    "date",
    "topic",
    "duration_minutes",
    "status",
)
#: The status the exports give a held meeting with no mark for a member.
NOT_RECORDED: Final = "not recorded"

_REQUIRED: Final = {
    "meetings": ("date", "status"),
    "members": ("member", "joined"),
    "attendance": ("member", "date", "status"),
}
_DEFAULT_DURATION: Final = 90


@dataclass(frozen=True, slots=True)
class _Row:
    """One row of a sheet: its spreadsheet row number and its cells by lower-case column."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


@dataclass(frozen=True, slots=True)
class _Table:
    """One sheet's columns (lower case) and rows, and the name problems give it
    (``GROUP.xlsx, sheet 'members'``)."""

    label: str
    columns: frozenset[str]
    rows: tuple[_Row, ...]


class _Problems:
    """The problems found so far, each located in a sheet."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, table: _Table, row: _Row | None, column: str | None, message: str) -> None:
        self.found.append(
            Problem(
                file=table.label,
                row=row.number if row is not None else None,
                column=column,
                message=message,
            )
        )


def read_register(
    path: Path,
    *,
    as_of: datetime.date | None = None,
    rule: AttendanceRule | None = None,
) -> Register:
    """The :class:`Register` in ``path``: a workbook (.xlsx) or a folder of three CSV files.

    With ``as_of``, each meeting of the attendance year (of ``rule``, by default the 12 months
    from the first meeting's month) must be held on or before it and planned after it.
    Members' and meetings' keys are their names and ISO dates. Raises
    :class:`~imheval.errors.RegisterError` listing every problem of the files.
    """
    tables = _read_tables(path)
    problems = _Problems()
    meetings, statuses = _meetings(tables["meetings"], problems)
    if as_of is not None:
        _check_as_of(tables["meetings"], meetings, rule or AttendanceRule(), as_of, problems)
    members = _members(tables["members"], problems)
    marks = _marks(tables["attendance"], meetings, statuses, members, problems)
    if problems.found:
        raise RegisterError(problems.found)
    return Register(
        meetings=tuple(sorted((m for m, _ in meetings.values()), key=lambda m: m.date)),
        members=tuple(member for member in members.values() if member is not None),
        marks=marks,
    )


# --- reading the sheets ---------------------------------------------------------------------


def _read_tables(path: Path) -> dict[str, _Table]:
    """Each sheet's rows, or one error naming every missing sheet or file and column."""
    try:
        if path.is_dir():
            tables = _read_folder(path)
        elif not path.exists():
            raise RegisterError([Problem(file=str(path), message="file or folder not found")])
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            tables = _read_workbook(path)
        else:
            raise RegisterError(
                [
                    Problem(
                        file=path.name,
                        message=(
                            "a register is a workbook (.xlsx) with sheets meetings, members and "
                            "attendance, or a folder holding meetings.csv, members.csv and "
                            "attendance.csv"
                        ),
                    )
                ]
            )
    except DataFormatError as error:
        raise RegisterError(error.problems) from None
    problems: list[Problem] = []
    for name, table in tables.items():
        for column in _REQUIRED[name]:
            if column not in table.columns:
                problems.append(
                    Problem(file=table.label, column=column, message="this column is missing")
                )
    if problems:
        raise RegisterError(problems)
    return tables


def _read_folder(folder: Path) -> dict[str, _Table]:
    from imheval.io._sheet import read_sheet

    missing = [name for name in SHEETS if not (folder / f"{name}.csv").is_file()]
    if missing:
        raise RegisterError(
            [
                Problem(file=f"{folder.name}/{name}.csv", message="file not found in the folder")
                for name in missing
            ]
        )
    tables: dict[str, _Table] = {}
    for name in SHEETS:
        label = f"{folder.name}/{name}.csv"
        sheet = read_sheet(folder / f"{name}.csv", label, max_rows=MAX_ROWS)
        tables[name] = _table_of(label, sheet)
    return tables


def _read_workbook(path: Path) -> dict[str, _Table]:
    import openpyxl

    from imheval.io._xlsx import _read_rows, check_archive

    check_archive(path, path.name)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file; none may escape
        raise RegisterError(
            [Problem(file=path.name, message=f"cannot be read as an Excel workbook ({exc})")]
        ) from None
    try:
        by_name = {name.strip().casefold(): name for name in workbook.sheetnames}
        missing = [name for name in SHEETS if name not in by_name]
        if missing:
            have = ", ".join(f"'{name}'" for name in workbook.sheetnames)
            raise RegisterError(
                [
                    Problem(
                        file=path.name,
                        message=f"the workbook has no sheet '{name}' (its sheets: {have})",
                    )
                    for name in missing
                ]
            )
        tables: dict[str, _Table] = {}
        for name in SHEETS:
            label = f"{path.name}, sheet '{name}'"
            try:
                sheet = _read_rows(workbook, workbook[by_name[name]], label, MAX_ROWS, None)
            except DataFormatError as error:
                if "the file is empty" in str(error):
                    tables[name] = _Table(label, frozenset(), ())
                    continue
                raise
            tables[name] = _table_of(label, sheet)
        return tables
    finally:
        workbook.close()


def _table_of(label: str, sheet: Sheet) -> _Table:
    """A :class:`Sheet`'s rows, cells keyed by lower-case header."""
    columns = {position: header.strip().casefold() for position, header in sheet.header.items()}
    values = {position: list(sheet.cells[position]) for position in columns}
    rows = tuple(
        _Row(int(number), {columns[p]: str(values[p][index]) for p in columns})
        for index, number in enumerate(sheet.rows)
    )
    return _Table(label, frozenset(columns.values()), rows)


# --- parsing cells --------------------------------------------------------------------------


def _date_cell(
    table: _Table, row: _Row, column: str, problems: _Problems, *, required: bool = True
) -> datetime.date | None:
    text = row.get(column)
    if not text:
        if required:
            problems.add(table, row, column, "the date is blank")
        return None
    parsed = parse_date(text)
    if parsed is None:
        problems.add(
            table, row, column, f"'{text}' is not a date (write it as 2026-03-05 or 05/03/2026)"
        )
    return parsed


def _choice(table: _Table, row: _Row, column: str, kind: type[E], problems: _Problems) -> E | None:
    text = row.get(column).casefold()
    options = [member.value for member in kind]
    allowed = f"{', '.join(options[:-1])} or {options[-1]}"
    if not text:
        problems.add(table, row, column, f"the status is blank (use {allowed})")
        return None
    try:
        return kind(text)
    except ValueError:
        problems.add(table, row, column, f"unknown status '{row.get(column)}' (use {allowed})")
        return None


# --- the three sheets -----------------------------------------------------------------------

#: Each meeting by its ISO date, with the row it came from.
_Meetings = dict[datetime.date, tuple[Meeting, _Row]]


def _meetings(
    table: _Table, problems: _Problems
) -> tuple[_Meetings, dict[datetime.date, MeetingStatus | None]]:
    """The valid meetings by date, and every dated meeting's status (None when unreadable), so
    attendance rows for a meeting whose row has a problem are not reported again."""
    meetings: _Meetings = {}
    statuses: dict[datetime.date, MeetingStatus | None] = {}
    first_row: dict[datetime.date, int] = {}
    for row in table.rows:
        day = _date_cell(table, row, "date", problems)
        status = _choice(table, row, "status", MeetingStatus, problems)
        duration = _duration(table, row, problems)
        if day is None:
            continue
        if day in first_row:
            problems.add(
                table,
                row,
                "date",
                f"a second meeting on {day.isoformat()} (the first is row {first_row[day]}): "
                "a group meets at most once a day; move or remove one",
            )
            continue
        first_row[day] = row.number
        statuses[day] = status
        if status is not None and duration is not None:
            meeting = Meeting(day, status, topic=row.get("topic"), duration_minutes=duration)
            meetings[day] = (meeting, row)
    return meetings, statuses


def _duration(table: _Table, row: _Row, problems: _Problems) -> int | None:
    text = row.get("duration_minutes")
    if not text:
        return _DEFAULT_DURATION
    if text.isascii() and text.isdigit() and 0 < int(text) <= 24 * 60:
        return int(text)
    problems.add(
        table,
        row,
        "duration_minutes",
        f"'{text}' is not a number of minutes from 1 to 1440 (leave it blank for 90)",
    )
    return None


def _check_as_of(
    table: _Table,
    meetings: _Meetings,
    rule: AttendanceRule,
    as_of: datetime.date,
    problems: _Problems,
) -> None:
    if not meetings and rule.year_start is None:
        return
    dated = Register(tuple(meeting for meeting, _ in meetings.values()), ())
    start, end = rule.year(dated)
    for meeting, row in meetings.values():
        if not start <= meeting.date < end:
            continue
        when = f"the meeting of {meeting.date.isoformat()}"
        if meeting.status is MeetingStatus.HELD and meeting.date > as_of:
            problems.add(
                table,
                row,
                "status",
                f"{when} is marked held but is after --as-of {as_of.isoformat()}: mark it "
                "planned or cancelled (or check --as-of)",
            )
        elif meeting.status is MeetingStatus.PLANNED and meeting.date <= as_of:
            problems.add(
                table,
                row,
                "status",
                f"{when} is marked planned but is on or before --as-of {as_of.isoformat()}: "
                "mark it held or cancelled",
            )


@dataclass(slots=True)
class _Membership:
    periods: list[tuple[Period, _Row]]
    profession: str = ""
    service: str = ""
    readable: bool = True


def _members(table: _Table, problems: _Problems) -> dict[str, Member | None]:
    """Members by name; None for a member whose rows have a problem (so their attendance rows
    are not reported again)."""
    found: dict[str, _Membership] = {}
    for row in table.rows:
        name = row.get("member")
        joined = _date_cell(table, row, "joined", problems)
        left = _date_cell(table, row, "left", problems, required=False)
        if not name:
            problems.add(table, row, "member", "the member's name is blank")
            continue
        membership = found.setdefault(name, _Membership([]))
        if row.get("profession"):
            membership.profession = row.get("profession")
        if row.get("service"):
            membership.service = row.get("service")
        if joined is None or (left is None and row.get("left")):
            membership.readable = False
            continue
        if left is not None and left < joined:
            problems.add(
                table,
                row,
                "left",
                f"'{name}' left ({left.isoformat()}) before joining ({joined.isoformat()})",
            )
            membership.readable = False
            continue
        membership.periods.append((Period(joined, left), row))
    members: dict[str, Member | None] = {}
    for name, membership in found.items():
        ordered = sorted(membership.periods, key=lambda pair: pair[0].joined)
        # Each period is compared with the one before it that ends last.
        reach: list[tuple[Period, _Row]] = ordered[:1]
        for later, second in ordered[1:]:
            earlier, first = reach[0]
            if earlier.left is not None and (later.left is None or later.left > earlier.left):
                reach[0] = (later, second)
            if earlier.left is None or earlier.left >= later.joined:
                until = earlier.left.isoformat() if earlier.left is not None else "now"
                problems.add(
                    table,
                    second,
                    "joined",
                    f"this period of '{name}' overlaps the one in row {first.number} "
                    f"({earlier.joined.isoformat()} to {until}): give each period of "
                    "membership its own row, without overlaps",
                )
                membership.readable = False
        members[name] = (
            Member(
                name,
                tuple(period for period, _ in ordered),
                profession=membership.profession,
                service=membership.service,
            )
            if membership.readable
            else None
        )
    return members


def _marks(
    table: _Table,
    meetings: _Meetings,
    statuses: dict[datetime.date, MeetingStatus | None],
    members: dict[str, Member | None],
    problems: _Problems,
) -> dict[tuple[str, str], Mark]:
    marks: dict[tuple[str, str], Mark] = {}
    first_row: dict[tuple[str, datetime.date], int] = {}
    folded = {name.casefold(): name for name in members}
    for row in table.rows:
        name = row.get("member")
        day = _date_cell(table, row, "date", problems)
        mark = _choice(table, row, "status", Mark, problems)
        if not name:
            problems.add(table, row, "member", "the member's name is blank")
            continue
        if name not in members:
            near = folded.get(name.casefold())
            hint = f" (did you mean '{near}'?)" if near else ""
            problems.add(table, row, "member", f"'{name}' is not in the members sheet{hint}")
            continue
        if day is None:
            continue
        if day not in statuses:
            problems.add(
                table,
                row,
                "date",
                f"there is no meeting on {day.isoformat()} in the meetings sheet",
            )
            continue
        if (name, day) in first_row:
            problems.add(
                table,
                row,
                "date",
                f"a second row for '{name}' at the meeting of {day.isoformat()} (the first is "
                f"row {first_row[(name, day)]}): keep one",
            )
            continue
        first_row[(name, day)] = row.number
        member = members[name]
        status = statuses[day]
        if mark is None or member is None or status is None or day not in meetings:
            continue
        if status is MeetingStatus.CANCELLED:
            problems.add(
                table,
                row,
                "date",
                f"the meeting of {day.isoformat()} was cancelled, so nobody has a mark for it: "
                "remove this row (or mark the meeting held)",
            )
            continue
        if status is MeetingStatus.PLANNED and mark is not Mark.APOLOGIES:
            problems.add(
                table,
                row,
                "status",
                f"the meeting of {day.isoformat()} is still planned, so it can only have "
                f"apologies, not '{mark.value}'",
            )
            continue
        if not member.eligible_for(day):
            problems.add(
                table,
                row,
                "date",
                f"'{name}' was not a member on {day.isoformat()} ({_periods_text(member)})",
            )
            continue
        marks[(member.key, meetings[day][0].key)] = mark
    return marks


def _periods_text(member: Member) -> str:
    parts = [
        f"{p.joined.isoformat()} to {p.left.isoformat() if p.left else 'now'}"
        for p in member.periods
    ]
    return "member " + ", ".join(parts)


# --- writing the register -------------------------------------------------------------------


def _cell_status(register: Register, member: Member, meeting: Meeting) -> str:
    """What the exports show for one member at one meeting."""
    if meeting.status is MeetingStatus.CANCELLED:
        return "cancelled"
    mark = register.marks.get((member.key, meeting.key))
    if mark is not None:
        return mark.value
    return NOT_RECORDED if meeting.status is MeetingStatus.HELD else "planned"


def write_tidy_csv(register: Register, rule: AttendanceRule, as_of: datetime.date) -> str:
    """The register as a tidy CSV: one row per member per meeting inside their membership.

    Columns :data:`TIDY_COLUMNS`; status is the mark, "not recorded" for a held meeting with
    no mark, "cancelled" or "planned". Every meeting of the register is listed, not only the
    attendance year's (this is the member's record); ``rule`` and ``as_of`` are checked as
    :func:`~imheval.network.attendance.standings` checks them. Text cells a spreadsheet would
    run as a formula get an apostrophe in front. The text starts with a byte-order mark so
    Excel reads accents right; lines end CRLF.
    """
    standings(register, rule, as_of)  # the same checks as the figures shown beside it
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TIDY_COLUMNS)
    meetings = sorted(register.meetings, key=lambda meeting: meeting.date)
    for member in sorted(register.members, key=lambda m: (m.name.casefold(), m.name, m.key)):
        for meeting in meetings:
            if not member.eligible_for(meeting.date):
                continue
            writer.writerow(
                neutralise_row(
                    [
                        member.name,
                        member.profession,
                        member.service,
                        meeting.date.isoformat(),
                        meeting.topic,
                        meeting.duration_minutes,
                        _cell_status(register, member, meeting),
                    ]
                )
            )
    return buffer.getvalue()


#: The figures after the meeting columns of the wide register: header and how to get it.
_FIGURES: Final[tuple[tuple[str, Callable[[Standing], object]], ...]] = (
    ("held", lambda s: s.held),
    ("attended", lambda s: s.attended),
    ("apologies", lambda s: s.apologies),
    ("not recorded", lambda s: s.not_recorded),
    ("remaining", lambda s: s.remaining),
    ("required", lambda s: s.required),
    ("slack", lambda s: s.slack),
    ("% so far", lambda s: s.percentage_so_far),
    ("best % possible", lambda s: s.best_possible_percentage),
    ("state", lambda s: s.sentence()),
)


def write_wide_xlsx(register: Register, rule: AttendanceRule, as_of: datetime.date) -> bytes:
    """The attendance year's register as a workbook: sheet "register" has a row per member
    (name, profession, service), a column per meeting of the year headed by its date and topic
    (the mark, "not recorded", "cancelled", "planned", or blank outside the membership), then
    the member's figures as of ``as_of`` (percentages unrounded, shown to one decimal place);
    sheet "about" gives the rule and the date. Every text cell is typed as text, so a value
    starting "=" is never a formula. Raises as
    :func:`~imheval.network.attendance.standings` does."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    standings(register, rule, as_of)  # checks the meetings' statuses against as_of
    if register.meetings or rule.year_start is not None:
        start, end = rule.year(register)
    else:
        start = end = as_of
    meetings = sorted((m for m in register.meetings if start <= m.date < end), key=lambda m: m.date)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("register")
    sheet.freeze_panes = "D2"

    def text(value: str) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    def percent(value: float | None) -> Any:
        if value is None:
            return None
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "0.0"
        return cell

    headings = ["member", "profession", "service"]
    headings += [f"{m.date.isoformat()} {m.topic}".strip() for m in meetings]
    headings += [name for name, _ in _FIGURES]
    sheet.append([text(heading) for heading in headings])
    for member in sorted(register.members, key=lambda m: (m.name.casefold(), m.name, m.key)):
        row: list[Any] = [text(member.name), text(member.profession), text(member.service)]
        for meeting in meetings:
            inside = member.eligible_for(meeting.date)
            row.append(text(_cell_status(register, member, meeting)) if inside else None)
        figures = standing(member, register, rule, as_of)
        for name, figure in _FIGURES:
            value = figure(figures)
            if name.startswith(("%", "best")):
                row.append(percent(value if isinstance(value, float) else None))
            elif isinstance(value, str):
                row.append(text(value))
            else:
                row.append(value)
        sheet.append(row)
    about = workbook.create_sheet("about")
    last = (end - datetime.timedelta(days=1)).isoformat() if end > start else ""
    for label, value in (
        ("as of", as_of.isoformat()),
        ("attendance year", f"{start.isoformat()} to {last}"),
        ("target (%)", str(rule.target_percent)),
        ("late counts as", rule.late.value),
        ("apologies", rule.apologies.value),
        (
            "blank cells",
            "the meeting was outside the member's membership and does not count for them",
        ),
        (
            "not recorded",
            "a held meeting with no mark: it counts as missed until someone records it",
        ),
    ):
        about.append([text(label), text(value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
