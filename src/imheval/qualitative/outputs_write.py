"""Writing the qualitative outputs as files: the code-by-speaker matrix as CSV, XLSX or SPSS
.sav, and Table 3 as CSV or XLSX.

* CSV: UTF-8 with a byte-order mark (Excel reads accents right), CRLF line ends; a cell that
  starts like a formula (a code named "=SUM(...)", say) gets an apostrophe in front
  (:mod:`imheval.io.csvsafe`), so no spreadsheet runs it.
* XLSX: one sheet; text cells are typed as text (never a formula), values as numbers.
  Table 3's sheet also puts an apostrophe before a text that starts like a formula, as its CSV
  does.
* SPSS: one row per speaker; ``speaker`` (text), then one numeric 0/1 variable per column with
  value labels 0 "Not coded" and 1 "Coded". Variable names are valid for SPSS (a letter first,
  then letters, digits and ``_``; at most 64 bytes; no keyword; unique, case-insensitively),
  made from the code's own name; the variable label carries the full path
  "Theme > Sub-theme > Code".
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from imheval.errors import DataFormatError, Problem
from imheval.io.csvsafe import neutralise_row
from imheval.qualitative.outputs import PATH_SEPARATOR, SpeakerMatrix, ThemeRow

#: File extensions :func:`write_matrix` writes.
MATRIX_FORMATS: Final = {".csv": "csv", ".xlsx": "xlsx", ".sav": "sav"}

#: The first column of the matrix.
SPEAKER_COLUMN: Final = "speaker"

#: SPSS value labels of the matrix's cells.
MATRIX_VALUE_LABELS: Final[dict[float | int, str]] = {0: "Not coded", 1: "Coded"}

_SPSS_KEYWORDS = frozenset(
    {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
)
_MAX_NAME_LENGTH = 64  # bytes; the names are ASCII, so characters
_MAX_LABEL_BYTES = 250


def _csv(rows: Sequence[Sequence[object]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    for row in rows:
        writer.writerow(neutralise_row(row))
    return text.getvalue().encode("utf-8-sig")


def matrix_csv_bytes(matrix: SpeakerMatrix) -> bytes:
    """The matrix as CSV: header ``speaker`` and the column paths, then one row per speaker."""
    header: list[object] = [SPEAKER_COLUMN, *(column.path for column in matrix.columns)]
    rows = [
        [speaker, *values] for speaker, values in zip(matrix.speakers, matrix.values, strict=True)
    ]
    return _csv([header, *rows])


def matrix_xlsx_bytes(matrix: SpeakerMatrix) -> bytes:
    """The matrix as one XLSX sheet, "matrix": paths in the header row, text typed as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("matrix")
    sheet.freeze_panes = "B2"

    def text_cell(value: str) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    sheet.append([text_cell(SPEAKER_COLUMN), *(text_cell(c.path) for c in matrix.columns)])
    for speaker, values in zip(matrix.speakers, matrix.values, strict=True):
        sheet.append([text_cell(speaker), *values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def spss_names(paths: Sequence[str]) -> tuple[str, ...]:
    """A valid, unique SPSS variable name for each path, made from its last part ("Enhanced
    clinical practice" -> ``Enhanced_clinical_practice``); ``speaker`` is taken."""
    taken = {SPEAKER_COLUMN.upper()}
    names: list[str] = []
    for path in paths:
        last = path.split(PATH_SEPARATOR)[-1]
        ascii_text = unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode()
        base = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_text).strip("_") or "code"
        if not base[0].isalpha():
            base = "c_" + base
        base = base[: _MAX_NAME_LENGTH - 4]
        if base.upper() in _SPSS_KEYWORDS:
            base += "_"
        name, suffix = base, 2
        while name.upper() in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name.upper())
        names.append(name)
    return tuple(names)


def matrix_sav_bytes(matrix: SpeakerMatrix, *, file_label: str = "") -> bytes:
    """The matrix as SPSS .sav (see the module docstring)."""
    import pandas as pd
    import pyreadstat

    names = spss_names([column.path for column in matrix.columns])
    data: dict[str, Any] = {SPEAKER_COLUMN: list(matrix.speakers)}
    for index, name in enumerate(names):
        data[name] = [float(row[index]) for row in matrix.values]
    frame = pd.DataFrame(data)
    labels = {SPEAKER_COLUMN: "Speaker (pseudonymous label)"}
    labels.update(
        {name: _fit(column.path) for name, column in zip(names, matrix.columns, strict=True)}
    )
    with tempfile.TemporaryDirectory(prefix="imheval-matrix-") as folder:
        path = Path(folder) / "matrix.sav"
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=file_label[:64],
            column_labels=[labels[column] for column in frame.columns],
            variable_value_labels={name: dict(MATRIX_VALUE_LABELS) for name in names},
            variable_measure={SPEAKER_COLUMN: "nominal", **{name: "nominal" for name in names}},
        )
        return path.read_bytes()


def write_matrix(
    matrix: SpeakerMatrix, path: str | os.PathLike[str], *, file_label: str = ""
) -> Path:
    """Write ``matrix`` as CSV, XLSX or SPSS .sav, chosen by the file's extension; returns the
    path. Raises :class:`DataFormatError` for another extension (nothing is written) and
    ``OSError`` when the file cannot be written."""
    target = Path(path)
    kind = MATRIX_FORMATS.get(target.suffix.lower())
    if kind is None:
        raise DataFormatError(
            [Problem(target.name, "cannot write this kind of file; use .csv, .xlsx or .sav")]
        )
    if kind == "csv":
        content = matrix_csv_bytes(matrix)
    elif kind == "xlsx":
        content = matrix_xlsx_bytes(matrix)
    else:
        content = matrix_sav_bytes(matrix, file_label=file_label)
    target.write_bytes(content)
    return target


#: Table 3's CSV header.
TABLE3_HEADER: Final = (
    "level",
    "theme or sub-theme",
    "definition",
    "sources",
    "speakers",
    "codings",
)


def table3_csv_bytes(rows: Sequence[ThemeRow]) -> bytes:
    """Table 3 as CSV (for the web page's download): one line per theme and sub-theme."""
    return _csv([list(TABLE3_HEADER), *(_table3_row(row) for row in rows)])


def table3_xlsx_bytes(rows: Sequence[ThemeRow]) -> bytes:
    """Table 3 as one XLSX sheet, "Table 3", with the CSV's header and rows; text cells typed as
    text (never a formula)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Table 3"
    sheet.append(list(TABLE3_HEADER))
    for row in rows:
        sheet.append(neutralise_row(_table3_row(row)))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _table3_row(row: ThemeRow) -> list[object]:
    return [
        row.level.value,
        row.path,
        row.definition,
        row.source_count,
        row.speaker_count,
        row.codings,
    ]


def _fit(text: str) -> str:
    """``text`` cut to SPSS's label length in UTF-8 bytes, ending in "…" when cut."""
    if len(text.encode("utf-8")) <= _MAX_LABEL_BYTES:
        return text
    cut = text.encode("utf-8")[: _MAX_LABEL_BYTES - 3].decode("utf-8", errors="ignore").rstrip()
    return cut + "…"
