"""One Forms download as a table of text cells: the Excel workbook Forms writes, or a CSV file
someone saved from it.

A workbook is read with imheval's own safe XLSX reader (:mod:`imheval.io._xlsx`): the zip's
directory is checked for bombs before openpyxl opens it, the first sheet is streamed in
read-only mode, and every cell becomes the text a person sees (date-times as ISO 8601, whole
numbers without ``.0``). A CSV file is read with :func:`imheval.interop.common.read_csv_rows`
(UTF-8 with or without a byte-order mark, else Windows-1252; comma, semicolon or tab).
Nothing here knows what the columns mean: :mod:`._metadata` works that out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePath
from typing import NoReturn

from imheval.errors import DataFormatError, Problem
from imheval.interop.common import read_csv_rows
from imheval.interop.model import SourceFile
from imheval.io._cells import DEFAULT_MAX_ROWS

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 .xls (and other Office files)
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass(frozen=True)
class Table:
    """A download's header and rows, every cell text ("" for blank).

    ``rows`` pairs each row's cells (as wide as ``header``) with the row number a spreadsheet
    shows (header = row 1). ``untitled`` lists the positions whose header cell is blank but
    which hold answers below it (a CSV keeps them in ``rows``; a workbook does not read them).
    """

    file: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    untitled: tuple[int, ...] = ()
    workbook: bool = False

    def values(self, column: int) -> list[tuple[int, str]]:
        """The non-blank cells of ``column`` with their row numbers."""
        return [(number, cells[column]) for number, cells in self.rows if cells[column].strip()]


def read_table(source: SourceFile) -> Table:
    """The download's table: a workbook when the bytes are a zip, else CSV text.

    DataFormatError naming the file when it is an old ``.xls``, a file named ``.xlsx`` that is
    not a workbook, a workbook openpyxl cannot read or that is unsafe to open, an empty sheet,
    or a CSV file that cannot be read.
    """
    data = source.data
    suffix = PurePath(source.name).suffix.casefold()
    if data.startswith(_ZIP):
        return _read_workbook(source)
    if data.startswith(_OLE):
        _fail(
            source,
            "this is an old Excel 97-2003 workbook (.xls) or another Office file, which imheval "
            "does not read; download the responses again from Forms (Open results in Excel "
            "gives an .xlsx), or save this file as .xlsx or CSV in Excel",
        )
    if suffix in _WORKBOOK_SUFFIXES:
        _fail(
            source,
            f"the file is named {suffix} but is not an Excel workbook (an .xlsx file is a zip "
            "archive, and this is not one); download the responses again from Forms, or check "
            "you chose the right file",
        )
    rows = read_csv_rows(source)
    return Table(file=source.name, header=rows.header, rows=rows.rows)


def _read_workbook(source: SourceFile) -> Table:
    # imported here so reading a CSV download does not load openpyxl
    from imheval.io._xlsx import read_xlsx

    # read_xlsx and the zip check read any binary file object; the bytes never touch the disk
    # (a download holds e-mail addresses and names).
    sheet = read_xlsx(io.BytesIO(source.data), source.name, DEFAULT_MAX_ROWS)
    width = max(sheet.header) + 1
    header = tuple(sheet.header.get(position, "").strip() for position in range(width))
    cells = {position: list(series) for position, series in sheet.cells.items()}
    rows = tuple(
        (
            int(number),
            tuple(
                str(cells[position][index]) if position in cells else ""
                for position in range(width)
            ),
        )
        for index, number in enumerate(sheet.rows)
    )
    return Table(file=source.name, header=header, rows=rows, untitled=sheet.unnamed, workbook=True)


def _fail(source: SourceFile, message: str) -> NoReturn:
    raise DataFormatError([Problem(file=source.name, message=message)])
