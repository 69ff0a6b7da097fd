"""Reading the cells of a CSV or XLSX file as text, with the row numbers a person would see.

This is the lowest layer of the reader: it knows file formats, not what the columns mean.
Every cell comes back as text with surrounding whitespace kept ("" for an empty cell), so the
reader decides how to parse it. Any failure becomes a :class:`DataFormatError` naming the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd

from imheval.errors import DataFormatError, Problem

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")

#: Separators we sniff for, in order of preference when the header is ambiguous.
_SEPARATORS = (",", ";", "\t")
_SNIFF_BYTES = 65536


@dataclass(frozen=True, slots=True)
class Sheet:
    """The cells of a file: ``header`` (one text per column, as typed) and ``cells``.

    ``cells`` has one text column per header entry, named 0..n-1, and one row per spreadsheet
    row below the header (blank rows included); ``rows`` holds each row's spreadsheet number
    (header = the first non-blank row, normally row 1).
    """

    header: tuple[str, ...]
    cells: pd.DataFrame
    rows: np.ndarray


def read_sheet(path: Path, file: str) -> Sheet:
    """Read ``path`` (CSV or XLSX, chosen by extension) into a :class:`Sheet`.

    Raises :class:`DataFormatError` for a missing, empty, unreadable or unsupported file.
    """
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        hint = " (save it as .xlsx or .csv)" if suffix in (".xls", ".ods", ".numbers") else ""
        _fail(
            file,
            f"unsupported file type '{path.suffix or '(none)'}'{hint}; "
            "imheval reads .csv, .tsv, .txt, .xlsx and .xlsm",
        )
    if not path.is_file():
        _fail(file, f"file not found: {path}")
    table = _read_csv(path, file) if suffix in CSV_SUFFIXES else _read_xlsx(path, file)
    return _split_header(table, file)


def _fail(file: str, message: str) -> NoReturn:
    raise DataFormatError([Problem(file=file, message=message)])


def _read_csv(path: Path, file: str) -> pd.DataFrame:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise DataFormatError([Problem(file=file, message=f"cannot be opened: {exc}")]) from None
    if not head.strip():
        _fail(file, "the file is empty")
    if head.startswith(b"PK\x03\x04"):
        _fail(file, "looks like an Excel workbook, not CSV text; give it the extension .xlsx")
    # A UTF-16 BOM means Excel's "Unicode Text" export; utf-8-sig also reads UTF-8 without BOM.
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    encoding = "utf-16" if utf16 else "utf-8-sig"
    head_text = head.decode(encoding, errors="ignore")
    separator = _sniff_separator(head_text)
    n_columns = _header_width(head_text, separator)
    try:
        return pd.read_csv(
            path,
            sep=separator,
            header=None,
            names=range(n_columns) if n_columns else None,
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,  # keep blank lines so row numbers match the spreadsheet
            encoding=encoding,
            encoding_errors="strict",
            engine="c",
        )
    except UnicodeDecodeError as exc:
        message = (
            f"is not UTF-8 text (undecodable byte at position {exc.start}); "
            "in Excel use 'Save As' > 'CSV UTF-8'"
        )
    except pd.errors.EmptyDataError:
        message = "the file is empty"
    except pd.errors.ParserError as exc:
        raise DataFormatError([_parser_problem(file, str(exc))]) from None
    except (OSError, ValueError) as exc:
        message = f"cannot be read as CSV: {exc}"
    raise DataFormatError([Problem(file=file, message=message)])


def _parser_problem(file: str, detail: str) -> Problem:
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", detail)
    if found is None:
        return Problem(file=file, message=f"cannot be read as CSV: {detail.strip()}")
    expected, line, seen = (int(g) for g in found.groups())
    return Problem(
        file=file,
        row=line,
        message=(
            f"the row has {seen} cells but the header has {expected}; "
            "is a value containing the separator missing its quotes?"
        ),
    )


def _sniff_separator(text: str) -> str:
    """The separator used in the header line: the most frequent of comma, semicolon, tab."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = [first_line.count(sep) for sep in _SEPARATORS]
    best = max(range(len(_SEPARATORS)), key=lambda i: (counts[i], -i))
    return _SEPARATORS[best] if counts[best] else ","


def _header_width(text: str, separator: str) -> int | None:
    """How many cells the header record has, so short and blank lines are padded to it."""
    for record in csv.reader(io.StringIO(text), delimiter=separator):
        if any(cell.strip() for cell in record):
            return len(record)
    return None


def _read_xlsx(path: Path, file: str) -> pd.DataFrame:
    # openpyxl is imported here so reading CSV does not pay for it.
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise DataFormatError(
            [Problem(file=file, message=_NOT_A_WORKBOOK + ": not a valid .xlsx (zip) file")]
        ) from None
    except Exception as exc:  # openpyxl raises many types for corrupt parts; none may escape
        raise DataFormatError(
            [Problem(file=file, message=f"{_NOT_A_WORKBOOK}: {_describe(exc)}")]
        ) from None
    try:
        if not workbook.worksheets:
            _fail(file, "the workbook has no sheets")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
        rows = [_row_as_text(values) for values in sheet.iter_rows(values_only=True)]
    except DataFormatError:
        raise
    except Exception as exc:  # see above
        raise DataFormatError(
            [Problem(file=file, message=f"{_NOT_A_WORKBOOK}: {_describe(exc)}")]
        ) from None
    finally:
        workbook.close()
    width = max((len(row) for row in rows), default=0)
    if width == 0:
        _fail(file, "the file is empty (the first sheet has no cells)")
    padded = [row + [""] * (width - len(row)) for row in rows]
    return pd.DataFrame(padded, columns=range(width), dtype="str")


_NOT_A_WORKBOOK = "cannot be read as an Excel workbook"


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _row_as_text(values: Iterable[object]) -> list[str]:
    row = [_cell_as_text(value) for value in values]
    while row and row[-1] == "":
        row.pop()
    return row


def _cell_as_text(value: object) -> str:
    """A cell as the text a person sees in Excel (numbers without a spurious '.0')."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel shows at most 15 significant digits; 0.1 + 0.2 is "0.3" to a person.
        return f"{value:.15g}"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _split_header(table: pd.DataFrame, file: str) -> Sheet:
    """Take the first non-blank row as the header; the rows below it are data."""
    header_at = next(
        (
            position
            for position, values in enumerate(table.itertuples(index=False, name=None))
            if any(str(v).strip() for v in values)
        ),
        None,
    )  # the header is nearly always the first row, so this stops at once
    if header_at is None:
        _fail(file, "the file is empty")
    header = tuple(str(v) for v in table.iloc[header_at].tolist())
    cells = table.iloc[header_at + 1 :].reset_index(drop=True)
    rows = np.arange(header_at + 2, header_at + 2 + len(cells), dtype=np.int64)
    return Sheet(header=header, cells=cells, rows=rows)
