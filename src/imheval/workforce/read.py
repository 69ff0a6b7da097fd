"""Reading the coverage inputs from CSV or XLSX: the establishment, training records, required
levels and births.

Each reader reads every row, checks every cell, and either returns everything or raises one
:class:`~imheval.errors.CoverageError` listing every problem with its file, the row number a
person sees in a spreadsheet and the column (nothing half-read). Column names are matched
on their letters and digits alone, without regard to case ("Completed on", "completed-on" and
"CompletedOn" are all ``completed_on``; "Head count" is ``headcount``); other columns are
ignored. Dates are written 2026-03-31
or 31/03/2026 (day first, as in the UK), or are Excel dates. The files are read by
:func:`imheval.io._sheet.read_sheet`, with its limits on hostile files.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

from imheval.errors import CoverageError, DataFormatError, Problem
from imheval.io.dates import parse_date
from imheval.workforce.inputs import Births, Post, Requirement, TrainingRecord, TrajectoryPoint
from imheval.workforce.ladder import Ladder, level_key

__all__ = [
    "ESTABLISHMENT_COLUMNS",
    "REQUIRED_COLUMNS",
    "TRAINING_COLUMNS",
    "read_births",
    "read_establishment",
    "read_requirements",
    "read_training",
]

#: The columns each file must have (optional ones: establishment ``wte``; training
#: ``programme``; requirements ``refresh_years``).
ESTABLISHMENT_COLUMNS: Final = ("organisation", "service", "profession", "headcount")
TRAINING_COLUMNS: Final = (
    "person",
    "organisation",
    "service",
    "profession",
    "level",
    "completed_on",
)
REQUIRED_COLUMNS: Final = ("service", "profession", "level", "target_percent", "by_date")
BIRTHS_COLUMNS: Final = ("organisation", "births_per_year")

#: The most rows read below the header: training records (a region's 40,000 staff with several
#: courses each fit many times over), and the other, smaller files.
MAX_TRAINING_ROWS: Final = 1_000_000
MAX_ROWS: Final = 100_000
#: The longest refresh interval, in years.
MAX_REFRESH_YEARS: Final = 50
#: The largest headcount of one row (a whole NHS board is well under this).
MAX_HEADCOUNT: Final = 1_000_000

_WHOLE = re.compile(r"\d{1,9}(?:\.0+)?")


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(_column_key(column), "").strip()


class _Reading:
    """One file's rows (blank rows left out) and the problems found in it so far."""

    def __init__(self, path: Path, required: tuple[str, ...], max_rows: int) -> None:
        from imheval.io._sheet import read_sheet

        self.file = path.name
        self.problems: list[Problem] = []
        try:
            sheet = read_sheet(path, self.file, max_rows=max_rows)
        except DataFormatError as error:
            raise CoverageError(error.problems) from None
        columns = {p: _column_key(name) for p, name in sheet.header.items()}
        seen: dict[str, str] = {}
        for position, name in sheet.header.items():
            key = columns[position]
            if key in seen and key:
                raise CoverageError(
                    [
                        Problem(
                            file=self.file,
                            column=name,
                            message=f"two columns are headed '{seen[key]}' and '{name}': keep one",
                        )
                    ]
                )
            seen[key] = name
        missing = [name for name in required if _column_key(name) not in columns.values()]
        if missing:
            raise CoverageError(
                [
                    Problem(file=self.file, column=name, message="this column is missing")
                    for name in missing
                ]
            )
        values = {p: list(sheet.cells[p]) for p in columns}
        rows: list[_Row] = []
        for index, number in enumerate(sheet.rows):
            cells = {columns[p]: str(values[p][index]) for p in columns}
            if any(cell.strip() for cell in cells.values()):
                rows.append(_Row(int(number), cells))
        self.rows = tuple(rows)

    def add(self, row: _Row, column: str, message: str) -> None:
        self.problems.append(
            Problem(file=self.file, row=row.number, column=column, message=message)
        )

    def text(self, row: _Row, column: str, what: str) -> str:
        value = row.get(column)
        if not value:
            self.add(row, column, f"the {what} is blank")
        return value

    def date(self, row: _Row, column: str) -> datetime.date | None:
        text = row.get(column)
        if not text:
            self.add(row, column, "the date is blank")
            return None
        parsed = parse_date(text)
        if parsed is None:
            self.add(row, column, f"'{text}' is not a date (write it as 2026-03-31 or 31/03/2026)")
        return parsed

    def whole(self, row: _Row, column: str, what: str, largest: int) -> int | None:
        text = row.get(column)
        if _WHOLE.fullmatch(text) and int(float(text)) <= largest:
            return int(float(text))
        shown = f"'{text}'" if text else "blank"
        self.add(row, column, f"{shown} is not {what} (a whole number from 0 to {largest:,})")
        return None

    def level(self, row: _Row, ladder: Ladder) -> str | None:
        text = row.get("level")
        if not text:
            self.add(row, "level", f"the level is blank (use one of {', '.join(ladder.levels)})")
            return None
        level = ladder.canonical(text)
        if level is None:
            self.add(row, "level", unknown_level(text, ladder))
        return level

    def check(self) -> None:
        if self.problems:
            raise CoverageError(self.problems)


def unknown_level(text: str, ladder: Ladder) -> str:
    """'X is not a level of ...', naming the built-in framework that has it, if one does."""
    from imheval.workforce.ladder import BUILT_IN

    message = f"'{text}' is not a level of {ladder.describe()}"
    for choice, other in BUILT_IN.items():
        if other != ladder and other.rank(text) is not None:
            return f"{message}; it is a level of {other.name}: use --framework {choice}"
    return message


@functools.lru_cache(maxsize=1024)
def _column_key(name: str) -> str:
    """A header as matched: letters and digits only, case folded ("Head count" is
    ``headcount``, "Completed-on" is ``completed_on``)."""
    return "".join(character for character in name.casefold() if character.isalnum())


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# --- the establishment ----------------------------------------------------------------------


def read_establishment(path: Path) -> tuple[Post, ...]:
    """The establishment: one row per organisation, service and profession, with ``headcount``
    (and optionally ``wte``). A second row for the same organisation, service and profession
    (ignoring case and spaces) is an error, not added up: an HR extract repeating a row is more
    often a mistake than a split post. Raises :class:`~imheval.errors.CoverageError`.
    """
    reading = _Reading(path, ESTABLISHMENT_COLUMNS, MAX_ROWS)
    posts: list[Post] = []
    first: dict[tuple[str, str, str], int] = {}
    for row in reading.rows:
        organisation = reading.text(row, "organisation", "organisation")
        service = reading.text(row, "service", "service")
        profession = reading.text(row, "profession", "profession")
        headcount = reading.whole(row, "headcount", "a headcount", MAX_HEADCOUNT)
        wte = _wte(reading, row)
        if not (organisation and service and profession):
            continue
        key = (level_key(organisation), level_key(service), level_key(profession))
        if key in first:
            reading.add(
                row,
                "profession",
                f"'{organisation}', '{service}', '{profession}' is listed twice (first in row "
                f"{first[key]}): give each organisation, service and profession one row, with "
                "its whole headcount",
            )
            continue
        first[key] = row.number
        if headcount is not None:
            posts.append(Post(organisation, service, profession, headcount, wte, row.number))
    reading.check()
    return tuple(posts)


def _wte(reading: _Reading, row: _Row) -> Decimal | None:
    text = row.get("wte")
    if not text:
        return None
    value = _decimal(text)
    if value is None or value < 0 or value > MAX_HEADCOUNT:
        reading.add(row, "wte", f"'{text}' is not a number of whole-time equivalents (e.g. 12.4)")
        return None
    return value


# --- training records -----------------------------------------------------------------------


def read_training(path: Path, ladder: Ladder) -> tuple[TrainingRecord, ...]:
    """Training records: who (``person``, an identifier or name, unique within the
    organisation) completed which ``level`` of ``ladder`` when, in which organisation, service
    and profession; ``programme`` optional. A header with no rows is no training yet.
    Raises :class:`~imheval.errors.CoverageError`.
    """
    reading = _Reading(path, TRAINING_COLUMNS, MAX_TRAINING_ROWS)
    records: list[TrainingRecord] = []
    for row in reading.rows:
        person = reading.text(row, "person", "person")
        organisation = reading.text(row, "organisation", "organisation")
        service = reading.text(row, "service", "service")
        profession = reading.text(row, "profession", "profession")
        level = reading.level(row, ladder)
        completed = reading.date(row, "completed_on")
        if person and organisation and service and profession and level and completed:
            records.append(
                TrainingRecord(
                    person,
                    organisation,
                    service,
                    profession,
                    level,
                    completed,
                    row.get("programme"),
                    row.number,
                )
            )
    reading.check()
    return tuple(records)


# --- requirements ---------------------------------------------------------------------------


def read_requirements(path: Path, ladder: Ladder) -> tuple[Requirement, ...]:
    """Required levels: for a service and profession, the ``level`` staff need, the
    ``target_percent`` (0 to 100; "90%" is read as 90) by ``by_date``, and optionally
    ``refresh_years`` (whole years after which training lapses).

    A trajectory is several rows for the same service, profession and level with different
    ``by_date``: the latest is the target, the earlier ones interim points. Their targets may
    not fall as the dates go on, and their ``refresh_years`` must agree (or be blank on all
    but one). Raises :class:`~imheval.errors.CoverageError`.
    """
    reading = _Reading(path, REQUIRED_COLUMNS, MAX_ROWS)
    groups: dict[tuple[str, str, str], list[tuple[_Row, TrajectoryPoint, int | None]]] = {}
    names: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    for row in reading.rows:
        service = reading.text(row, "service", "service")
        profession = reading.text(row, "profession", "profession")
        level = reading.level(row, ladder)
        target = _target(reading, row)
        by_date = reading.date(row, "by_date")
        refresh = _refresh(reading, row)
        if not (service and profession and level and target is not None and by_date):
            continue
        if refresh == -1:
            continue
        key = (level_key(service), level_key(profession), level)
        names.setdefault(key, (service, profession, level))
        groups.setdefault(key, []).append((row, TrajectoryPoint(by_date, target), refresh))
    requirements = [_requirement(reading, names[key], group) for key, group in groups.items()]
    reading.check()
    return tuple(requirement for requirement in requirements if requirement is not None)


def _requirement(
    reading: _Reading,
    names: tuple[str, str, str],
    group: list[tuple[_Row, TrajectoryPoint, int | None]],
) -> Requirement | None:
    service, profession, level = names
    ordered = sorted(group, key=lambda entry: entry[1].by_date)
    fine = True
    for (row_a, point_a, _), (row_b, point_b, _) in itertools.pairwise(ordered):
        if point_a.by_date == point_b.by_date:
            reading.add(
                row_b,
                "by_date",
                f"a second target for {service}, {profession} at {level} by "
                f"{point_b.by_date.isoformat()} (the first is row {row_a.number}): keep one",
            )
            fine = False
        elif point_b.target_percent < point_a.target_percent:
            reading.add(
                row_b,
                "target_percent",
                f"the target falls from {point_a.target_percent}% by "
                f"{point_a.by_date.isoformat()} (row {row_a.number}) to "
                f"{point_b.target_percent}% by {point_b.by_date.isoformat()}: a trajectory's "
                "targets rise or stay level",
            )
            fine = False
    refreshes = {refresh for _, _, refresh in group if refresh is not None}
    if len(refreshes) > 1:
        reading.add(
            ordered[-1][0],
            "refresh_years",
            f"the rows for {service}, {profession} at {level} give different refresh intervals "
            f"({', '.join(str(r) for r in sorted(refreshes))} years): give one",
        )
        fine = False
    if not fine:
        return None
    return Requirement(
        service,
        profession,
        level,
        tuple(point for _, point, _ in ordered),
        refreshes.pop() if refreshes else None,
    )


def _target(reading: _Reading, row: _Row) -> Decimal | None:
    text = row.get("target_percent")
    value = _decimal(text.removesuffix("%").strip()) if text else None
    if value is None or not Decimal(0) <= value <= Decimal(100):
        shown = f"'{text}'" if text else "blank"
        reading.add(row, "target_percent", f"{shown} is not a percentage from 0 to 100")
        return None
    return value


def _refresh(reading: _Reading, row: _Row) -> int | None:
    """The refresh interval in years, None when blank, -1 when it has a problem (reported)."""
    text = row.get("refresh_years")
    if not text:
        return None
    if _WHOLE.fullmatch(text) and 1 <= int(float(text)) <= MAX_REFRESH_YEARS:
        return int(float(text))
    reading.add(
        row,
        "refresh_years",
        f"'{text}' is not a number of whole years from 1 to {MAX_REFRESH_YEARS} (leave it "
        "blank when training does not lapse)",
    )
    return -1


# --- births ---------------------------------------------------------------------------------


def read_births(path: Path) -> tuple[Births, ...]:
    """Births a year per organisation (``organisation``, ``births_per_year``, and optionally
    ``year``). Without a year an organisation listed twice is an error; with one, each
    organisation may have several years (the web app's download) and the latest is used, and
    the same organisation and year twice is an error. Raises
    :class:`~imheval.errors.CoverageError`."""
    reading = _Reading(path, BIRTHS_COLUMNS, MAX_ROWS)
    latest: dict[str, tuple[int, Births]] = {}
    first: dict[tuple[str, int], int] = {}
    for row in reading.rows:
        organisation = reading.text(row, "organisation", "organisation")
        count = reading.whole(row, "births_per_year", "a number of births", 10_000_000)
        year = 0
        if row.get("year"):
            found = reading.whole(row, "year", "a year", 9999)
            if found is None:
                continue
            year = found
        if not organisation:
            continue
        key = (level_key(organisation), year)
        if key in first:
            which = f"'{organisation}'" + (f" in {year}" if year else "")
            reading.add(
                row,
                "year" if year else "organisation",
                f"{which} is listed twice (first in row {first[key]}): keep one",
            )
            continue
        first[key] = row.number
        if count is not None and (key[0] not in latest or latest[key[0]][0] < year):
            latest[key[0]] = (year, Births(organisation, count, row.number))
    births = [found for _, found in latest.values()]
    reading.check()
    return tuple(births)
