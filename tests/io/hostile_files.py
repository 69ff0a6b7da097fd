"""Builders of the hostile and careless files of issue 10, shared by the tests and the benchmark.

Each builder writes one file shape that once made the reader do unbounded work (or say the
wrong thing) and returns its path. Sizes are parameters: the tests use small ones and assert
the work done; benchmarks/bench_hostile_files.py uses the sizes of the original attacks and
prints the times.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

HEADER = ["participant", "cohort", "timepoint", "knowledge"]


def wide_csv(folder: Path, blank_columns: int = 3_000, rows: int = 2) -> Path:
    """A CSV whose header ends in ``blank_columns`` empty cells (3.7 KB took 149 s)."""
    path = folder / "wide.csv"
    lines = [",".join(HEADER) + "," * blank_columns]
    lines += [f"p{i},C1,pre,{i % 7}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def xfd_xlsx(folder: Path, rows: int = 3, name: str = "xfd.xlsx") -> Path:
    """An XLSX with the usual header, ``rows`` data rows and one more cell, at XFD1."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"p{i}", "C1", "pre", i % 7])
    sheet.cell(row=1, column=16_384, value="x")
    path = folder / name
    workbook.save(path)
    return path


def tall_sparse_xlsx(folder: Path, rows: int = 20_000) -> Path:
    """XFD1 plus ``rows`` rows (this once padded every row to 16,384 cells: 5.3 GB)."""
    return xfd_xlsx(folder, rows=rows, name="tall.xlsx")


def zip_bomb_xlsx(folder: Path, rows: int = 200_000, padding: int = 100) -> Path:
    """A valid workbook whose sheet XML is ``rows`` identical rows that compress ~1,000 times.

    The rows carry no row or cell references (openpyxl numbers them itself), so they are all
    the same bytes: 200,000 rows are about 26 MB of XML in a file of about 100 KB.
    """
    source = folder / "bomb-source.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    workbook.save(source)
    value = "x" * padding
    row = f'<row><c t="inlineStr"><is><t>{value}</t></is></c></row>'
    path = folder / "bomb.xlsx"
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb,
    ):
        for entry in original.infolist():
            data = original.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                head, _, rest = text.partition("</row>")
                data = (head + "</row>" + row * rows + rest).encode()
            bomb.writestr(entry.filename, data)
    source.unlink()
    return path


def shared_strings_xlsx(
    folder: Path, strings_bytes: int = 48_000_000, part: str = "xl/sharedStrings.xml"
) -> Path:
    """A valid workbook of two rows with a shared strings part of about ``strings_bytes``.

    The strings are the two-letter text "ab" over and over, the costliest per byte to load (48
    MB of it, 520 KB zipped, took 22 s and 590 MB in the attack). The part is listed in the
    content types under the name ``part``, which is where openpyxl looks for it. (openpyxl
    itself writes cells as inline strings, so the part is added here.)
    """
    source = folder / "strings-source.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["p1", "C1", "pre", 3])
    workbook.save(source)
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>ab</t></si>" * (strings_bytes // 18)
        + b"</sst>"
    )
    listed = (
        f'<Override PartName="/{part}" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ).encode()
    path = folder / "strings.xlsx"
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as padded,
    ):
        for entry in original.infolist():
            data = original.read(entry.filename)
            if entry.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", listed)
            padded.writestr(entry.filename, data)
        padded.writestr(part, strings)
    source.unlink()
    return path


def repeated_code_csv(folder: Path, rows: int = 200_000) -> Path:
    """One participant code on every row: one problem that once listed every row number."""
    path = folder / "repeated.csv"
    lines = [",".join(HEADER)] + ["p1,C1,pre,3"] * rows
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def formula_xlsx(folder: Path, saved: bool) -> Path:
    """A workbook whose D3 is a formula; with ``saved`` its result (7) is saved, as Excel does.

    openpyxl writes formulas without a result (it does not calculate), which is the careless
    file; the saved form is made by writing the result into the sheet XML.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["p1", "C1", "pre", 3])
    sheet.append(["p2", "C1", "pre", "=3+4"])
    path = folder / ("saved.xlsx" if saved else "unsaved.xlsx")
    workbook.save(path)
    if saved:
        _rewrite_sheet(path, lambda xml: xml.replace("<f>3+4</f><v></v>", "<f>3+4</f><v>7</v>"))
    return path


def _rewrite_sheet(path: Path, change: object) -> None:
    assert callable(change)
    with zipfile.ZipFile(path) as original:
        parts = {entry.filename: original.read(entry.filename) for entry in original.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = change(parts[name].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for filename, data in parts.items():
            rewritten.writestr(filename, data)
