"""Any table as CSV or XLSX: formulas kept from running, numbers kept as numbers."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from imheval.io.tabular import rows_csv_bytes, rows_xlsx_bytes

HEADER = ["service", "headcount", "target_percent", "by_date"]
ROWS = [
    ["=HYPERLINK(1)", 12, Decimal("90"), datetime.date(2027, 3, 31)],
    ["Health visiting", 0, Decimal("87.5"), None],
]


def test_csv_neutralises_formulas_and_writes_plain_values() -> None:
    content = rows_csv_bytes(HEADER, ROWS)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines == [
        HEADER,
        ["'=HYPERLINK(1)", "12", "90", "2027-03-31"],
        ["Health visiting", "0", "87.5", ""],
    ]


def test_xlsx_keeps_numbers_numeric_and_names_the_sheet() -> None:
    book = load_workbook(io.BytesIO(rows_xlsx_bytes("Coverage: 2027/28 [north]", HEADER, ROWS)))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "Coverage  2027 28  north"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    assert values[1] == ["=HYPERLINK(1)", 12, 90, "2027-03-31"]
    assert sheet["A2"].data_type == "s"  # text, never a formula
    assert values[2] == ["Health visiting", 0, 87.5, None]
