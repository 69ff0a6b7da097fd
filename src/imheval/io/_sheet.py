"""Reading the cells of a CSV or XLSX file as text, with the row numbers a person would see.

This is the lowest layer of the reader: it knows file formats, not what the columns mean.
Every cell comes back as text with surrounding whitespace kept ("" for an empty cell), so the
reader decides how to parse it. Any failure becomes a :class:`DataFormatError` naming the file.

Files come from anyone (the web import takes uploads), so the work done is bounded by the
file's size and by the limits in :mod:`imheval.io._cells`, never by what a header or a zip
directory claims: columns with a blank header are never materialised (they are only scanned
for stray values), at most :data:`~imheval.io._cells.MAX_COLUMNS` named columns and
``max_rows`` rows are read, and the rows are cut while reading, not afterwards. XLSX specifics
(zip bombs, formulas) live in :mod:`imheval.io._xlsx`.
"""

from __future__ import annotations

import bisect
import csv
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Final

import numpy as np
import pandas as pd

from imheval._strings import keep_python_strings
from imheval.errors import DataFormatError, Problem
from imheval.io import _cells
from imheval.io._arrow_csv import Coded, read_coded_columns
from imheval.io._cells import CSV_MEMORY_FACTOR, check_header, check_memory, fail, too_many_rows

# The reader takes these from here, beside read_sheet (explicit re-exports).
from imheval.io._cells import DEFAULT_MAX_ROWS as DEFAULT_MAX_ROWS
from imheval.io._cells import Sheet as Sheet
from imheval.io._cells import column_letter as column_letter
from imheval.io.csvsafe import restore_cell

# The text this module makes is held as Python strings even if pandas was loaded unseen.
keep_python_strings()

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")

#: Separators we sniff for, in order of preference when the header is ambiguous.
_SEPARATORS = (",", ";", "\t")
_SNIFF_BYTES = 65536


def read_sheet(
    path: Path,
    file: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Callable[[str], None] | None = None,
) -> Sheet:
    """Read ``path`` (CSV or XLSX, chosen by extension) into a :class:`Sheet`.

    At most ``max_rows`` rows below the header are read. Raises :class:`DataFormatError` for a
    missing, empty, unreadable, unsupported or over-large file (more than :data:`MAX_COLUMNS`
    named columns, a header wider than :data:`MAX_WIDTH` cells, more than ``max_rows`` rows, an
    XLSX that expands too far), for text that is binary or UTF-16 without a byte-order mark,
    and for XLSX formula cells with no saved value. ``progress`` is told how many rows have
    been read every :data:`PROGRESS_EVERY` rows.
    """
    if max_rows < 1:
        raise ValueError("max_rows must be at least 1")
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        hint = " (save it as .xlsx or .csv)" if suffix in (".xls", ".ods", ".numbers") else ""
        fail(
            file,
            f"unsupported file type '{path.suffix or '(none)'}'{hint}; "
            "imheval reads .csv, .tsv, .txt, .xlsx and .xlsm",
        )
    if not path.is_file():
        fail(file, f"file not found: {path}")
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, file, max_rows, progress)
    from imheval.io._xlsx import read_xlsx  # openpyxl is imported only when needed

    return read_xlsx(path, file, max_rows, progress)


def work_size(source: Path | IO[bytes], name: str) -> int | None:
    """How many bytes reading the file called ``name`` (CSV or XLSX, by its extension) parses.

    A CSV's size; an XLSX's parts' summed unzipped sizes, read from its zip directory (nothing
    is inflated or parsed, so this is cheap for any file). ``source`` is a path or a seekable
    binary file, left at its start. None when the work cannot be measured (a damaged zip):
    treat that as large; reading will refuse the file with a message. This is what a caller
    weighs to decide whether to read a file now or in the background, not a limit.
    """
    if Path(name).suffix.lower() in XLSX_SUFFIXES:
        from imheval.io._xlsx import unzipped_size

        size = unzipped_size(source)
    elif isinstance(source, Path):
        size = source.stat().st_size
    else:
        size = source.seek(0, os.SEEK_END)
    if not isinstance(source, Path):
        source.seek(0)
    return size


# --- CSV ------------------------------------------------------------------------------------


def _read_csv(
    path: Path, file: str, max_rows: int, progress: Callable[[str], None] | None = None
) -> Sheet:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
        size = path.stat().st_size
    except OSError as exc:
        fail(file, f"cannot be opened: {exc.strerror or exc}")
    check_memory(file, size, CSV_MEMORY_FACTOR, "csv")
    encoding = _text_encoding(head, file)
    head_text = head.decode(encoding, errors="ignore")
    separator = _sniff_separator(head_text)
    header_index, record = _header_record(path, encoding, separator, file)
    header_row = header_index + 1
    header = {p: cell for p, cell in enumerate(record) if cell.strip()}
    width = len(record)
    check_header(header, width, file, header_row)
    blank = [p for p in range(width) if p not in header]
    unnamed: tuple[int, ...] = ()
    if blank:
        # Blank-header columns are scanned, not read: reading them would let a 3 KB header of
        # commas make every row thousands of cells wide.
        found = _scan_unnamed(path, encoding, separator, header_index, width, blank, max_rows)
        unnamed = tuple(sorted(found))
    usecols = sorted(header) if blank else None
    above = header_index + 1  # records down to the header, read and then left out
    rows_read = _RowsRead(file, progress)
    coded = None
    if encoding == "utf-8-sig":
        coded = read_coded_columns(
            path, file, separator, width, sorted(header), above, max_rows, header_row, rows_read
        )
    if coded is None:
        # One row more than the limit is asked for, to know whether the file goes beyond it.
        nrows = above + max_rows + 1
        columns = _read_columns(
            path, file, encoding, separator, width, usecols, nrows, above, rows_read
        )
        if _length(columns) - above > max_rows:
            too_many_rows(file, max_rows, header_row)
        coded = {p: _coded(columns.pop(p)[above:]) for p in header}
        del columns
    # imheval's CSV writers put an apostrophe before formula-like cells (csvsafe): undo it.
    header = {p: restore_cell(name) for p, name in header.items()}
    cells = {p: _categorical(*_restored(*coded.pop(p))) for p in header}
    rows = np.arange(header_row + 1, header_row + 1 + _length(cells), dtype=np.int64)
    return Sheet(header=header, cells=cells, rows=rows, header_row=header_row, unnamed=unnamed)


class _RowsRead:
    """Tells ``progress`` how many rows of ``file`` have been read, each count once and only
    ever upwards.

    When the fast path gives up part-way through a file, pandas' path reads it again from the
    top; the counts the fast path already said are not said again.
    """

    __slots__ = ("file", "progress", "said")

    def __init__(self, file: str, progress: Callable[[str], None] | None) -> None:
        self.file = file
        self.progress = progress
        self.said = 0

    def __call__(self, rows: int) -> None:
        if self.progress is not None and rows > self.said:
            self.said = rows
            self.progress(f"read {rows:,} rows of {self.file}")


def _coded(values: pd.Series) -> Coded:
    """A column's codes (-1 for a missing cell, in a record shorter than the header) and its
    distinct texts."""
    codes, texts = pd.factorize(values.to_numpy(dtype=object))
    return codes.astype(np.int32, copy=False), np.asarray(texts, dtype=object)


def _restored(codes: np.ndarray, texts: np.ndarray) -> Coded:
    """:func:`restore_cell` of each distinct text, not of each cell; texts that become the
    same (``'=x`` and ``=x``) are merged."""
    typed = texts.tolist()
    restored = [restore_cell(text) if text[:1] == "'" else text for text in typed]
    if restored == typed:
        return codes, texts
    merged, unique = pd.factorize(np.array(restored, dtype=object))
    codes = np.where(codes < 0, codes, merged[codes]).astype(np.int32, copy=False)
    return codes, np.asarray(unique, dtype=object)


def _categorical(codes: np.ndarray, texts: np.ndarray) -> pd.Series:
    categories = pd.Index(texts, dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories, validate=False))


def _length(cells: dict[int, pd.Series]) -> int:
    return len(next(iter(cells.values()))) if cells else 0


#: Signatures of file types people save by mistake under a .csv name, and what to say.
_SIGNATURES: Final = (
    (b"PK\x03\x04", "looks like an Excel workbook, not CSV text; give it the extension .xlsx"),
    (
        b"\xd0\xcf\x11\xe0",
        "looks like an old Excel (.xls) workbook, not CSV text; open it in Excel and use "
        "'Save As' > 'CSV UTF-8' (or 'Excel Workbook (.xlsx)')",
    ),
    (b"%PDF", "is a PDF document, not CSV text; export the responses as CSV UTF-8 or .xlsx"),
)


def _text_encoding(head: bytes, file: str) -> str:
    """The encoding to read the file with, or a DataFormatError saying what the file is."""
    if not head.strip():
        fail(file, "the file is empty")
    for signature, message in _SIGNATURES:
        if head.startswith(signature):
            fail(file, message)
    # A UTF-16 BOM means Excel's "Unicode Text" export; utf-8-sig also reads UTF-8 without BOM.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in head:
        fail(file, _nul_message(head))
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\x0c")
    if controls > len(head) // 100:
        fail(file, _BINARY)
    return "utf-8-sig"


_BINARY = (
    "is not text (it looks like binary data, e.g. an image, a database or a program, named "
    ".csv); export the responses from Excel with 'Save As' > 'CSV UTF-8', or upload the .xlsx"
)


def _nul_message(head: bytes) -> str:
    """What a file with NUL bytes is: UTF-16 text without a byte-order mark, or binary."""
    even = head[0::2]
    odd = head[1::2]
    # ASCII text in UTF-16 has a NUL in every other byte: the high byte of each character.
    if odd and odd.count(0) >= 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        order = "little-endian"
    elif even and even.count(0) >= 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        order = "big-endian"
    else:
        return _BINARY
    return (
        f"is UTF-16 ({order}) text without a byte-order mark, which cannot be read reliably; "
        "in Excel use 'Save As' > 'CSV UTF-8', or save it as UTF-8 in your text editor"
    )


def _header_record(path: Path, encoding: str, separator: str, file: str) -> tuple[int, list[str]]:
    """The first non-blank record and its 0-based index among the file's records."""
    try:
        with path.open(encoding=encoding, errors="strict", newline="") as handle:
            for index, record in enumerate(csv.reader(handle, delimiter=separator)):
                if any(cell.strip() for cell in record):
                    return index, record
    except UnicodeDecodeError as exc:
        fail(file, _not_utf8(exc))
    except csv.Error as exc:
        fail(file, f"cannot be read as CSV: {exc}")
    fail(file, "the file is empty")


def _not_utf8(exc: UnicodeDecodeError) -> str:
    return (
        f"is not UTF-8 text (undecodable byte at position {exc.start}); "
        "in Excel use 'Save As' > 'CSV UTF-8'"
    )


def _scan_unnamed(
    path: Path,
    encoding: str,
    separator: str,
    header_index: int,
    width: int,
    blank: list[int],
    max_rows: int,
) -> set[int]:
    """The blank-header positions holding a value below the header (within ``max_rows``).

    One pass over the records; each record costs at most its own length, and a position is no
    longer looked at once a value is found in it. A record wider than the header is refused
    here, as pandas would refuse it when reading every column.
    """
    pending = list(blank)
    found: set[int] = set()
    last = header_index + max_rows + 1
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        for index, record in enumerate(csv.reader(handle, delimiter=separator)):
            if index <= header_index:
                continue
            if index > last:
                break
            if len(record) > width:
                raise DataFormatError([_too_wide(path.name, index + 1, width, len(record))])
            end = bisect.bisect_left(pending, len(record))
            hits = [p for p in pending[:end] if record[p].strip()]
            if hits:
                found.update(hits)
                pending = [p for p in pending if p not in found]
                if not pending:
                    break
    return found


def _read_columns(
    path: Path,
    file: str,
    encoding: str,
    separator: str,
    width: int,
    usecols: list[int] | None,
    nrows: int,
    above: int,
    progress: Callable[[int], None],
) -> dict[int, pd.Series]:
    """The text of each read column, every record of the file included (the ``above``
    records down to the header too).

    The file is parsed :data:`PROGRESS_EVERY` records at a time, so the parser's own buffers
    stay the size of one chunk whatever the file's size, and ``progress`` is given how many rows
    below the header have been read.
    """
    chunks: dict[int, list[np.ndarray]] = {}
    read = 0
    try:
        with pd.read_csv(
            path,
            sep=separator,
            header=None,
            names=range(width),
            usecols=usecols,
            nrows=nrows,
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,  # keep blank lines so row numbers match the spreadsheet
            encoding=encoding,
            encoding_errors="strict",
            engine="c",
            chunksize=_cells.PROGRESS_EVERY,
        ) as reader:
            for chunk in reader:
                for position in chunk.columns:
                    chunks.setdefault(int(position), []).append(chunk[position].to_numpy())
                read += len(chunk)
                if len(chunk) == _cells.PROGRESS_EVERY:
                    progress(read - above)
        # Each column's chunks are joined and let go one column at a time, to keep the peak low.
        return {
            position: pd.Series(np.concatenate(chunks.pop(position)), dtype=object)
            for position in sorted(chunks)
        }
    except UnicodeDecodeError as exc:
        message = _not_utf8(exc)
    except pd.errors.EmptyDataError:
        message = "the file is empty"
    except pd.errors.ParserError as exc:
        raise DataFormatError([_parser_problem(file, str(exc))]) from None
    except (OSError, ValueError) as exc:
        message = f"cannot be read as CSV: {exc}"
    fail(file, message)


def _too_wide(file: str, row: int, expected: int, seen: int) -> Problem:
    return Problem(
        file=file,
        row=row,
        message=(
            f"the row has {seen} cells but the header has {expected}; "
            "is a value containing the separator missing its quotes?"
        ),
    )


def _parser_problem(file: str, detail: str) -> Problem:
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", detail)
    if found is None and "EOF inside string" in detail:
        return Problem(
            file=file,
            message=(
                'cannot be read as CSV: a quote (") is opened and never closed, so everything '
                f"after it would be one cell; close or remove that quote ({detail.strip()})"
            ),
        )
    if found is None:
        return Problem(file=file, message=f"cannot be read as CSV: {detail.strip()}")
    expected, line, seen = (int(g) for g in found.groups())
    return _too_wide(file, line, expected, seen)


def _sniff_separator(text: str) -> str:
    """The separator used in the header line: the most frequent of comma, semicolon, tab."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = [first_line.count(sep) for sep in _SEPARATORS]
    best = max(range(len(_SEPARATORS)), key=lambda i: (counts[i], -i))
    return _SEPARATORS[best] if counts[best] else ","
