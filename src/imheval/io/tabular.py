"""Any table as a CSV or XLSX download: a header and rows of plain values.

Both writers keep text that starts like a formula from running: the CSV with an apostrophe
(:mod:`imheval.io.csvsafe`, which imheval's reader takes off again), the XLSX by typing text
cells as text. Numbers stay numbers, ``None`` is an empty cell. The CSV is UTF-8 with a byte
order mark (Excel then reads accents right) and CRLF line ends.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from decimal import Decimal

from imheval.io.csvsafe import neutralise_row

__all__ = ["rows_csv_bytes", "rows_xlsx_bytes"]

#: Excel's limit on a sheet name's length.
_MAX_SHEET_TITLE = 31
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _plain(value: object) -> object:
    """A cell as the writers take it: Decimals as int or float, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def rows_csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """The table as CSV."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(neutralise_row(header))
    for row in rows:
        writer.writerow(neutralise_row(_plain(value) for value in row))
    return text.getvalue().encode("utf-8-sig")


def rows_xlsx_bytes(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """The table as one XLSX sheet named ``title`` (cut to Excel's 31 characters). Text cells
    are typed as text, so a value starting "=" stays text (and reads back as it was written)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(
        (title.translate(_SHEET_FORBIDDEN).strip() or "Table")[:_MAX_SHEET_TITLE]
    )

    def cell(value: object) -> object:
        value = _plain(value)
        if isinstance(value, str):
            typed = WriteOnlyCell(sheet, value=value)
            typed.data_type = "s"  # never a formula, whatever the text starts with
            return typed
        return value

    sheet.append([cell(name) for name in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
