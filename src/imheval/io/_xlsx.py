"""Reading the first sheet of an XLSX workbook into a :class:`~imheval.io._cells.Sheet`.

An XLSX file is a zip of XML parts, and a small upload can claim (or be) anything inside, so
before openpyxl sees it the zip's directory is checked: how many entries, how large each
expands and by what ratio (a "zip bomb" expands a few kilobytes into gigabytes). The sheet is
then parsed as a stream of ``<row>`` elements holding only the cells actually present: nothing
is padded to the widest row (a single cell at XFD1 would make every row 16,384 cells), only the
named columns are kept, and reading stops at the row limit.

openpyxl parses the shared strings part (every distinct text of the workbook, once) whole when
the workbook is opened, into a Python list: that part, found as openpyxl finds it (through
``[Content_Types].xml``), is bounded by :data:`MAX_SHARED_STRINGS_BYTES` and counted at
:data:`SHARED_STRINGS_MEMORY_FACTOR` bytes of memory per byte before it is parsed.

openpyxl's read-only worksheet pads each row up to its last cell, so the rows come from its
streaming sheet parser (:class:`openpyxl.worksheet._reader.WorkSheetParser`), the same one the
read-only worksheet uses; tests/io/test_hostile_files.py notices if a new openpyxl changes it.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Final

import numpy as np
import pandas as pd

from imheval.errors import DataFormatError, Problem
from imheval.io import _cells
from imheval.io._cells import (
    XLSX_MEMORY_FACTOR,
    Sheet,
    check_header,
    check_memory,
    column_letter,
    fail,
    too_many_rows,
)

#: The most entries an XLSX zip may hold (a workbook has a few dozen).
MAX_ZIP_ENTRIES: Final = 10_000
#: The most bytes the zip's entries may expand to in all.
MAX_UNCOMPRESSED_BYTES: Final = 1_000_000_000
#: The highest expansion ratio of a large entry. Real sheets compress 5-20 times; Apache POI
#: uses the same bound of 100 against zip bombs.
MAX_COMPRESSION_RATIO: Final = 100
#: Entries smaller than this may have any ratio (a tiny styles part can compress very well).
_RATIO_EXEMPT_BYTES: Final = 1_000_000
#: The largest shared strings part (XML, unzipped) read. It holds each distinct text once: a
#: national file of 2,000,000 rows with a unique code on each is about 60-80 MB of it, so 256 MB
#: leaves a wide margin for free-text answers, and at
#: :data:`SHARED_STRINGS_MEMORY_FACTOR` it still fits in under 3 GB. A larger part is not a
#: responses file (a hostile one made of short repeated texts costs minutes of CPU).
MAX_SHARED_STRINGS_BYTES: Final = 256_000_000
#: Bytes of memory per byte of shared strings XML: openpyxl keeps every string as a Python
#: object in a list (measured about 9 for short texts such as "ab", the worst case).
SHARED_STRINGS_MEMORY_FACTOR: Final = 10
#: The largest ``[Content_Types].xml`` parsed to find the shared strings (a real one is a few
#: kilobytes, about 150 bytes per sheet).
_MAX_CONTENT_TYPES_BYTES: Final = 1_000_000

_NOT_A_WORKBOOK = "cannot be read as an Excel workbook"
_NO_SAVED_VALUE = object()  # marks a formula cell without a cached result


def read_xlsx(
    path: Path | IO[bytes],
    file: str,
    max_rows: int,
    progress: Callable[[str], None] | None = None,
) -> Sheet:
    """The first sheet of the workbook at ``path`` (see :func:`imheval.io._sheet.read_sheet`):
    a file's path, or its bytes in a binary file object (an upload, ``io.BytesIO``), which is
    left open. ``file`` names it in messages."""
    check_archive(path, file)
    # openpyxl is imported here so reading CSV does not pay for it.
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile:
        fail(file, _NOT_A_WORKBOOK + ": not a valid .xlsx (zip) file")
    except Exception as exc:  # openpyxl raises many types for corrupt parts; none may escape
        fail(file, f"{_NOT_A_WORKBOOK}: {_describe(exc)}")
    try:
        if not workbook.worksheets:
            fail(file, "the workbook has no sheets")
        return _read_rows(workbook, workbook.worksheets[0], file, max_rows, progress)
    except DataFormatError:
        raise
    except Exception as exc:  # see above
        fail(file, f"{_NOT_A_WORKBOOK}: {_describe(exc)}")
    finally:
        workbook.close()


def check_archive(path: Path | IO[bytes], file: str) -> None:
    """Refuse a zip (a path, or a binary file object, left open) whose directory promises too
    many entries, too many bytes or a bomb.

    The sizes are the ones the zip's directory declares; Python's zipfile never inflates an
    entry beyond its declared size (a lie ends in a CRC error), so checking them is enough.
    The shared strings part is refused beyond :data:`MAX_SHARED_STRINGS_BYTES` and counted at
    its own memory cost; finding it parses ``[Content_Types].xml`` (at most
    :data:`_MAX_CONTENT_TYPES_BYTES`) and nothing else.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        # NotImplementedError: a directory claiming a zip version Python cannot read (7.8)
        fail(file, _NOT_A_WORKBOOK + ": not a valid .xlsx (zip) file")
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            fail(
                file,
                f"{_NOT_A_WORKBOOK}: the zip holds {len(entries):,} parts, too many for a workbook",
            )
        strings = _shared_strings_entry(archive, file)
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        fail(
            file,
            f"the workbook expands to {total / 1e6:,.0f} MB; imheval reads at most "
            f"{MAX_UNCOMPRESSED_BYTES / 1e6:,.0f} MB (save the responses as CSV, or split them)",
        )
    strings_size = strings.file_size if strings is not None else 0
    if strings is not None and strings_size > MAX_SHARED_STRINGS_BYTES:
        fail(
            file,
            f"is not a responses workbook: its shared texts (part '{strings.filename}', "
            f"each distinct text once) expand to {strings_size / 1e6:,.0f} MB; imheval reads "
            f"at most {MAX_SHARED_STRINGS_BYTES / 1e6:,.0f} MB of them, and it was not opened. "
            "Save the responses as CSV, or split them",
        )
    needed = (total - strings_size) * XLSX_MEMORY_FACTOR
    needed += strings_size * SHARED_STRINGS_MEMORY_FACTOR
    check_memory(file, total, needed / max(total, 1), "xlsx")
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > _RATIO_EXEMPT_BYTES and ratio > MAX_COMPRESSION_RATIO:
            fail(
                file,
                f"is not a normal workbook: its part '{entry.filename}' expands "
                f"{ratio:,.0f} times (to {entry.file_size / 1e6:,.0f} MB), as a 'zip bomb' "
                "does; it was not opened. Save the responses again from Excel",
            )


def _shared_strings_entry(archive: zipfile.ZipFile, file: str) -> zipfile.ZipInfo | None:
    """The part openpyxl will read as the shared strings, found as openpyxl finds it.

    openpyxl takes the part ``[Content_Types].xml`` names as shared strings, whatever it is
    called, so a hostile file cannot hide it under another name. None when there is none (or
    no content types: openpyxl then refuses the file itself).
    """
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    try:
        types = archive.getinfo(ARC_CONTENT_TYPES)
    except KeyError:
        return None
    if types.file_size > _MAX_CONTENT_TYPES_BYTES:
        fail(
            file,
            f"{_NOT_A_WORKBOOK}: its list of parts ('{ARC_CONTENT_TYPES}') is "
            f"{types.file_size / 1e6:,.0f} MB, far beyond a workbook's",
        )
    try:
        found = Manifest.from_tree(fromstring(archive.read(types))).find(SHARED_STRINGS)
    except Exception as exc:  # a corrupt part raises many types (zip, zlib, XML); none may escape
        fail(file, f"{_NOT_A_WORKBOOK}: {_describe(exc)}")
    if found is None:
        return None
    try:
        return archive.getinfo(found.PartName[1:])
    except KeyError:
        return None  # openpyxl will say the part is missing


def unzipped_size(source: Path | IO[bytes]) -> int | None:
    """The bytes an XLSX's parts expand to, from its zip directory (nothing inflated or parsed).

    This measures the work reading the workbook will be; None when ``source`` is not a zip
    that can be measured (the reader will refuse it, with a message, when it tries).
    """
    try:
        with zipfile.ZipFile(source) as archive:
            return sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None


def _read_rows(
    workbook: Any,
    worksheet: Any,
    file: str,
    max_rows: int,
    progress: Callable[[str], None] | None,
) -> Sheet:
    """Stream the sheet's rows, keeping the named columns' cells and the row numbers."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class _Parser(WorkSheetParser):  # type: ignore[misc]
        """Marks formula cells that have no saved result (openpyxl gives them None)."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                saved = element.find(VALUE_TAG)
                # An empty <v> is a saved empty text only when the cell says it holds text.
                if saved is None or (not saved.text and element.get("t") not in ("str", "s")):
                    cell["value"] = _NO_SAVED_VALUE
            return cell

    header: dict[int, str] | None = None
    header_row = 0
    columns: dict[int, list[str]] = {}
    rows: list[int] = []
    unnamed: set[int] = set()
    problems: list[Problem] = []
    with worksheet._get_source() as source:
        parser = _Parser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            values: dict[int, str] = {}
            for cell in cells:
                value = cell["value"]
                if value is _NO_SAVED_VALUE:
                    position = cell["column"] - 1
                    if header is None or position in header:
                        problems.append(_formula_problem(file, number, position, header))
                    continue
                text = cell_as_text(value)
                if text.strip():
                    values[cell["column"] - 1] = text
            if not values:
                continue
            if header is None:
                header, header_row = values, number
                check_header(header, max(header) + 1, file, number)
                if problems:  # the header itself holds unsaved formulas
                    raise DataFormatError(problems)
                columns = {position: [] for position in header}
                continue
            if number - header_row > max_rows:
                too_many_rows(file, max_rows, header_row)
            named = False
            for position in values:
                if position in header:
                    named = True
                else:
                    unnamed.add(position)
            if named:
                rows.append(number)
                if progress is not None and len(rows) % _cells.PROGRESS_EVERY == 0:
                    progress(f"read {len(rows):,} rows")
                for position, column in columns.items():
                    column.append(values.get(position, ""))
    if problems:
        raise DataFormatError(problems)
    if header is None:
        fail(file, "the file is empty (the first sheet has no cells)")
    return Sheet(
        header=header,
        cells={p: pd.Series(column, dtype="str") for p, column in columns.items()},
        rows=np.asarray(rows, dtype=np.int64),
        header_row=header_row,
        unnamed=tuple(sorted(unnamed)),
    )


def _formula_problem(file: str, row: int, position: int, header: dict[int, str] | None) -> Problem:
    return Problem(
        file=file,
        row=row,
        column=header.get(position) if header is not None else None,
        message=(
            f"cell {column_letter(position)}{row} holds a formula with no saved value (it was "
            "written by a program that does not calculate); open the file in Excel and save "
            "it again"
        ),
    )


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def cell_as_text(value: object) -> str:
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
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return value.isoformat() if not isinstance(value, dt.timedelta) else str(value)
    return str(value)
