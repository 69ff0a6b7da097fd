"""Reading service data from CSV or XLSX, and the template file to fill in.

The file has one row per service, period and measure, with the columns ``service``,
``period`` (a month "2025-04" or a quarter "2025-Q2"), ``measure``, ``value`` and, when the
measure needs one, ``denominator``; a custom measure (not in :data:`~.model.CATALOGUE`) also
gives ``kind`` (count, proportion or mean) and ``barr_level`` (4a or 4b), and may give
``unit``. Column names are matched on their letters and digits alone, without regard to case.

Every row and cell is checked, and either everything is returned or one
:class:`~imheval.errors.DataFormatError` lists every problem with its file, the row a person
sees in a spreadsheet and the column (nothing half-read). The cells are read by
:func:`imheval.io._sheet.read_sheet`, with its limits on hostile files.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

from imheval.errors import DataFormatError, Problem
from imheval.io.tabular import rows_csv_bytes, rows_xlsx_bytes
from imheval.services.model import (
    CATALOGUE,
    MEASURE_KINDS,
    Measure,
    MeasureKind,
    ServiceData,
    ServiceRow,
    parse_period,
)

__all__ = ["COLUMNS", "OPTIONAL_COLUMNS", "read_service_data", "rows_from_cells", "template_bytes"]

COLUMNS: Final = ("service", "period", "measure", "value")
OPTIONAL_COLUMNS: Final = ("denominator", "kind", "barr_level", "unit")
#: The most rows read (a service's 20 years of months for 50 measures is 12,000).
MAX_ROWS: Final = 100_000
#: The largest count or denominator accepted.
MAX_COUNT: Final = 10_000_000


def _key(name: str) -> str:
    return "".join(c for c in name.casefold() if c.isalnum())


_CATALOGUE_KEYS = {_key(m.key): m for m in CATALOGUE.values()} | {
    _key(m.label): m for m in CATALOGUE.values()
}


def read_service_data(path: Path) -> ServiceData:
    """Every row of the service-data file at ``path``; raises :class:`DataFormatError` listing
    every problem (file, row, column) when any row is wrong."""
    from imheval.io._sheet import read_sheet

    file = path.name
    sheet = read_sheet(path, file, max_rows=MAX_ROWS)
    columns = {position: _key(name) for position, name in sheet.header.items()}
    wanted = {_key(c): c for c in COLUMNS + OPTIONAL_COLUMNS}
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for position, name in sheet.header.items():
        key = columns[position]
        if key in wanted and key in seen:
            problems.append(
                Problem(file, f"two columns are headed '{seen[key]}' and '{name}': keep one")
            )
        seen[key] = name
    missing = [c for c in COLUMNS if _key(c) not in seen]
    problems.extend(Problem(file, "this column is missing", column=c) for c in missing)
    if problems:
        raise DataFormatError(problems)
    values = {p: list(sheet.cells[p]) for p in columns if columns[p] in wanted}
    cells: list[tuple[int, dict[str, str]]] = []
    for index, number in enumerate(sheet.rows):
        row = {wanted[columns[p]]: str(values[p][index]).strip() for p in values}
        if any(row.values()):
            cells.append((int(number), row))
    return ServiceData(rows_from_cells(cells, file), source=file)


def rows_from_cells(cells: list[tuple[int, dict[str, str]]], file: str) -> tuple[ServiceRow, ...]:
    """Rows from ``(row number, {column: text})`` pairs (a file's or a web form's); raises
    :class:`DataFormatError` listing every problem."""
    problems: list[Problem] = []
    rows: list[ServiceRow] = []
    custom: dict[str, tuple[Measure, int]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    kinds: dict[tuple[str, str], tuple[str, int]] = {}
    for number, row in cells:

        def add(column: str, message: str, number: int = number) -> None:
            problems.append(Problem(file, message, row=number, column=column))

        service = row.get("service", "")
        if not service:
            add("service", "the service is blank")
        elif len(service) > 200:
            add("service", "the service's name is longer than 200 characters")
        period_text = row.get("period", "")
        period = parse_period(period_text)
        if period is None:
            shown = f"'{period_text}'" if period_text else "blank"
            add(
                "period",
                f"{shown} is not a period (write a month as 2025-04, a quarter as 2025-Q2)",
            )
        measure = _measure(row, number, add, custom)
        value = _number(row.get("value", ""), "value", add)
        denominator_text = row.get("denominator", "")
        denominator: int | None = None
        if denominator_text:
            whole = _number(denominator_text, "denominator", add)
            if whole is not None and (whole != int(whole) or whole > MAX_COUNT):
                add("denominator", f"'{denominator_text}' is not a whole number")
            elif whole is not None:
                denominator = int(whole)
        if measure is not None and value is not None:
            _check_value(measure, value, denominator, add)
        if service and period is not None and measure is not None:
            key = (service.casefold(), measure.key, period.label)
            if key in seen:
                add(
                    "period", f"{service}'s {measure.label} for {period} is also on row {seen[key]}"
                )
            seen[key] = number
            series = (service.casefold(), measure.key)
            if series in kinds and kinds[series][0] != period.kind:
                add(
                    "period",
                    f"{period} is a {period.kind} but row {kinds[series][1]} of the same service "
                    f"and measure is a {kinds[series][0]}: use months or quarters, not both",
                )
            kinds.setdefault(series, (period.kind, number))
        if not problems and measure is not None and period is not None and value is not None:
            rows.append(ServiceRow(service, measure, period, value, denominator, number))
    if problems:
        raise DataFormatError(problems)
    return tuple(rows)


def _number(text: str, column: str, add: Callable[[str, str], None]) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        add(column, f"'{text}' is not a number" if text else f"the {column} is blank")
        return None
    if not math.isfinite(value) or value < 0:
        add(column, f"'{text}' is not a number of 0 or more")
        return None
    return value


def _measure(
    row: dict[str, str],
    number: int,
    add: Callable[[str, str], None],
    custom: dict[str, tuple[Measure, int]],
) -> Measure | None:
    text = row.get("measure", "")
    if not text:
        add("measure", "the measure is blank")
        return None
    known = _CATALOGUE_KEYS.get(_key(text))
    if known is not None:
        return known
    kind = row.get("kind", "").casefold()
    level = row.get("barr_level", "").casefold()
    bad = False
    if kind not in MEASURE_KINDS:
        shown = f"'{row.get('kind')}'" if kind else "blank"
        add(
            "kind",
            f"'{text}' is not a measure imheval knows, so its kind is needed ({shown} is not "
            f"one of {', '.join(MEASURE_KINDS)}); the known measures are "
            f"{', '.join(CATALOGUE)}",
        )
        bad = True
    if level not in ("4a", "4b"):
        shown = f"'{row.get('barr_level')}'" if level else "blank"
        add("barr_level", f"the Barr level of '{text}' must be 4a or 4b, not {shown}")
        bad = True
    if bad:
        return None
    key = _key(text)
    measure = Measure(
        key=key,
        label=text,
        kind=_kind(kind),
        unit=row.get("unit", "") or ("per cent" if kind == "proportion" else ""),
        barr_level="4a" if level == "4a" else "4b",
    )
    if key in custom and custom[key][0] != measure:
        add("measure", f"'{text}' is described differently on row {custom[key][1]}")
        return None
    custom.setdefault(key, (measure, number))
    return measure


def _kind(text: str) -> MeasureKind:
    return "count" if text == "count" else "proportion" if text == "proportion" else "mean"


def _check_value(
    measure: Measure, value: float, denominator: int | None, add: Callable[[str, str], None]
) -> None:
    if measure.kind in ("count", "proportion") and (value != int(value) or value > MAX_COUNT):
        add("value", f"{value:g} is not a whole count ({measure.label} is a count)")
    if measure.kind == "proportion":
        if denominator is None:
            add(
                "denominator",
                f"{measure.label} needs a denominator ({measure.denominator or 'the total'})",
            )
        elif denominator == 0:
            add(
                "denominator",
                f"the denominator of {measure.label} is 0: a proportion needs a total of 1 or "
                "more (leave the row out for a period with none)",
            )
        elif value > denominator:
            add("value", f"{value:g} is more than the denominator {denominator}")
    if measure.kind == "mean" and denominator == 0:
        add(
            "denominator",
            f"the denominator of {measure.label} is 0: a mean is over 1 or more "
            f"({measure.denominator or 'what it is over'}); leave it blank if you do not know",
        )


def template_bytes(file_format: Literal["csv", "xlsx"] = "csv") -> bytes:
    """A template: the columns and one example row per catalogue measure (overwrite them)."""
    header = ("service", "period", "measure", "value", "denominator", "kind", "barr_level", "unit")
    rows = [
        (
            "Health visiting North",
            "2025-04",
            "assessments_infant_relationship",
            42,
            120,
            "",
            "",
            "",
        ),
        ("Health visiting North", "2025-04", "referrals_parent_infant", 9, "", "", "", ""),
        ("Health visiting North", "2025-04", "waiting_time_weeks", 6.5, 14, "", "", ""),
        ("Health visiting North", "2025-04", "relationship_improved", 11, 18, "", "", ""),
        (
            "Health visiting North",
            "2025-04",
            "Video feedback sessions offered",
            7,
            "",
            "count",
            "4a",
            "sessions",
        ),
    ]
    if file_format == "xlsx":
        return rows_xlsx_bytes("Service data", header, rows)
    return rows_csv_bytes(header, rows)
