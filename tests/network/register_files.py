"""Writing a group's register files (a workbook or a folder of CSVs) for the tests."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path

Rows = dict[str, list[Sequence[object]]]

HEADERS = {
    "meetings": ("date", "status", "topic", "duration_minutes"),
    "members": ("member", "joined", "left", "profession", "service"),
    "attendance": ("member", "date", "status"),
}

# The worked example of issue 14: first Thursdays from September 2025, seven held (as of
# 6 March 2026) and five planned; Ann's history P P A E P L P. Bea joined on 4 December.
DAYS = [
    datetime.date(2025, 9, 4),
    datetime.date(2025, 10, 2),
    datetime.date(2025, 11, 6),
    datetime.date(2025, 12, 4),
    datetime.date(2026, 1, 1),
    datetime.date(2026, 2, 5),
    datetime.date(2026, 3, 5),
    datetime.date(2026, 4, 2),
    datetime.date(2026, 5, 7),
    datetime.date(2026, 6, 4),
    datetime.date(2026, 7, 2),
    datetime.date(2026, 8, 6),
]
AS_OF = datetime.date(2026, 3, 6)
HISTORY = ("present", "present", "absent", "apologies", "present", "late", "present")


def worked_rows() -> Rows:
    return {
        "meetings": [
            (day, "held" if day <= AS_OF else "planned", f"Topic {n}", 90)
            for n, day in enumerate(DAYS, start=1)
        ],
        "members": [
            ("Ann", datetime.date(2025, 9, 1), None, "Health visitor", "0-19"),
            ("Bea", datetime.date(2025, 12, 4), None, "Midwife", "Maternity"),
        ],
        "attendance": [
            *(("Ann", day, status) for day, status in zip(DAYS, HISTORY, strict=False)),
            *(("Bea", day, "present") for day in DAYS[3:7]),
        ],
    }


def write_workbook(path: Path, rows: Rows, headers: Mapping[str, Sequence[str]] = HEADERS) -> Path:
    """Each sheet with its header; dates stay Excel dates."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, sheet_rows in rows.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(headers[name]))
        for row in sheet_rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def write_folder(folder: Path, rows: Rows, headers: Mapping[str, Sequence[str]] = HEADERS) -> Path:
    """meetings.csv, members.csv and attendance.csv, dates written ISO."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, sheet_rows in rows.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers[name])
            writer.writerows([_text(value) for value in row] for row in sheet_rows)
    return folder
