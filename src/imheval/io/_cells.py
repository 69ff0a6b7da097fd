"""What the CSV and XLSX readers (:mod:`imheval.io._sheet`, :mod:`imheval.io._xlsx`) share.

The :class:`Sheet` of text cells both return, the limits on what either reads, the checks that
enforce those limits, and the one way both refuse a file (:func:`fail`). It sits below both so
that ``_sheet`` can dispatch to ``_xlsx`` without ``_xlsx`` importing ``_sheet`` back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final, NoReturn

import numpy as np
import pandas as pd

from imheval.errors import DataFormatError, Problem

#: The most named columns a file may have (the largest instrument bank has well under 200).
MAX_COLUMNS: Final = 1_000
#: The most cells a header row may span, blank ones included: Excel's own limit (column XFD).
MAX_WIDTH: Final = 16_384
#: The most rows below the header the reader reads unless told otherwise (a national
#: programme of 2,400,000 people over several years, measured before and after, in tidy
#: layout); blank rows count, as they are rows a person sees. Memory is checked apart (below):
#: a million people measured twice peak at about 3 GB in the whole evaluation.
DEFAULT_MAX_ROWS: Final = 5_000_000

#: Environment variable that sets how much memory (in MB) reading one file may use; by default
#: it is 80% of the memory the system has available when the file is read.
MEMORY_LIMIT_ENV: Final = "IMHEVAL_READ_MEMORY_MB"
#: Bytes of memory reading needs per byte of CSV (measured: 14 MB of short answers peaked at
#: about 190 MB, as every cell becomes a Python string before it is condensed).
CSV_MEMORY_FACTOR: Final = 20
#: Bytes of memory per byte of XLSX sheet XML once unzipped (cells are kept as text); the shared
#: strings part costs more (:data:`imheval.io._xlsx.SHARED_STRINGS_MEMORY_FACTOR`).
XLSX_MEMORY_FACTOR: Final = 4

#: How often (in rows) reading an XLSX reports progress; also how many rows of a CSV are parsed
#: at a time (each chunk's cells join the columns read so far, and progress is reported).
PROGRESS_EVERY: Final = 50_000


@dataclass(frozen=True, slots=True)
class Sheet:
    """The named columns of a file and where a person would find each cell.

    ``header`` maps each column position (0 = column A) whose header cell is not blank to that
    header as typed; ``cells`` holds one text Series per key of ``header`` and one entry per
    row below the header (blank rows may be left out); ``rows`` holds each entry's spreadsheet
    row number. ``header_row`` is the header's row number (the first non-blank row, normally 1)
    and ``unnamed`` the positions whose header is blank but which hold a value below it.
    The reader consumes ``cells`` (pops each column once condensed) to keep memory low.
    """

    header: dict[int, str]
    cells: dict[int, pd.Series]
    rows: np.ndarray
    header_row: int
    unnamed: tuple[int, ...] = ()


def fail(file: str, message: str, row: int | None = None) -> NoReturn:
    """Raise a :class:`DataFormatError` with one problem."""
    raise DataFormatError([Problem(file=file, message=message, row=row)])


def check_header(header: dict[int, str], width: int, file: str, row: int) -> None:
    """Refuse a header with too many named columns or cells (both formats share the limits)."""
    if width > MAX_WIDTH:
        fail(
            file,
            f"the header row is {width:,} cells wide; a spreadsheet has at most {MAX_WIDTH:,} "
            "columns, so this is not a responses file",
            row=row,
        )
    if len(header) > MAX_COLUMNS:
        fail(
            file,
            f"the header row names {len(header):,} columns; imheval reads at most "
            f"{MAX_COLUMNS:,} (remove the columns you do not need)",
            row=row,
        )


def check_memory(file: str, size: int, factor: float, kind: str) -> None:
    """Refuse a file whose reading would need more memory than the limit, before reading it.

    ``size`` bytes (of CSV text, or of unzipped XLSX parts when ``kind`` is "xlsx") need about
    ``size * factor`` bytes; the limit is :data:`MEMORY_LIMIT_ENV` if set, else 80% of the
    memory available now. The message says how large a file can be, so a person can split it.
    """
    limit = memory_limit()
    needed = size * factor
    if needed <= limit:
        return
    mb = 1_000_000
    largest = f"{limit / factor / mb:,.0f} MB"
    this, those = (
        (
            f"a workbook that unzips to {size / mb:,.0f} MB",
            f"workbooks that unzip to at most about {largest}",
        )
        if kind == "xlsx"
        else (f"a {size / mb:,.0f} MB CSV file", f"CSV files up to about {largest}")
    )
    fail(
        file,
        f"is too large to read with the memory available: {this} needs about "
        f"{needed / mb:,.0f} MB and at most {limit / mb:,.0f} MB may be used, so {those} can "
        f"be read. Split the file (for example by cohort), or set {MEMORY_LIMIT_ENV} to allow "
        "more (see docs/data-format.md)",
    )


def memory_limit() -> int:
    """Bytes reading one file may use: :data:`MEMORY_LIMIT_ENV` (MB), else 80% of available."""
    configured = os.environ.get(MEMORY_LIMIT_ENV, "").strip()
    if configured:
        try:
            return int(float(configured) * 1_000_000)
        except ValueError:
            raise DataFormatError(
                [
                    Problem(
                        file=MEMORY_LIMIT_ENV,
                        message=f"'{configured}' is not a number of megabytes",
                    )
                ]
            ) from None
    return int(0.8 * _available_memory())


def _available_memory() -> int:
    """Memory the system can give without swapping: MemAvailable, else free pages."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 * 1024**3  # no way to ask (e.g. Windows): assume a modest laptop


def column_letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position (0 -> A, 26 -> AA)."""
    letters = ""
    number = position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def too_many_rows(file: str, max_rows: int, header_row: int) -> NoReturn:
    """Refuse a file with rows beyond the limit (raised as soon as one is seen)."""
    fail(
        file,
        f"the file has more than {max_rows:,} rows below the header (row {header_row}); "
        f"imheval reads at most {max_rows:,} at a time: split the file",
    )
