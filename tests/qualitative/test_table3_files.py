"""Table 3's labels ("Theme 1: ...", "1.2 ...") and its Excel file come from the core, so the
report, the web page and the downloads number and write the themes one way."""

from __future__ import annotations

import io

import openpyxl

from imheval.qualitative.model import Code, Project
from imheval.qualitative.outputs import table3, table3_labels
from imheval.qualitative.outputs_write import TABLE3_HEADER, table3_csv_bytes, table3_xlsx_bytes
from qual_seed_project import seed_project

T1 = "Bringing the knowledge out: influences on clinical practice and service delivery"


def test_labels_number_themes_and_their_subthemes_afresh_under_each_theme() -> None:
    codes = (
        Code("A", "Feeling heard"),
        Code("A1", "Being asked", parent="A"),
        Code("A2", "Being believed", parent="A"),
        Code("A2x", "A code", parent="A2"),
        Code("B", "Time"),
        Code("B1", "Never time", parent="B"),
    )

    labels = table3_labels(table3(Project("p", codes=codes)))

    assert labels == (
        "Theme 1: Feeling heard",
        "1.1 Being asked",
        "1.2 Being believed",
        "Theme 2: Time",
        "2.1 Never time",
    )


def test_table3_xlsx_holds_the_csvs_rows_as_typed_cells() -> None:
    rows = table3(seed_project())

    book = openpyxl.load_workbook(io.BytesIO(table3_xlsx_bytes(rows)))

    sheet = book["Table 3"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == list(TABLE3_HEADER)
    assert values[2] == [
        "subtheme",
        f"{T1} > Enhanced clinical practice",
        "Definition of Enhanced clinical practice.",
        1,
        2,
        4,
    ]
    assert len(values) == 1 + len(rows)
    csv_lines = table3_csv_bytes(rows).decode("utf-8-sig").splitlines()
    assert len(csv_lines) == len(values)


def test_table3_xlsx_cannot_run_a_formula() -> None:
    codes = (Code("T", "=SUM(1)"), Code("S", "+cmd", parent="T"))

    book = openpyxl.load_workbook(io.BytesIO(table3_xlsx_bytes(table3(Project("p", codes=codes)))))

    cells = [row[1] for row in book["Table 3"].iter_rows(min_row=2, values_only=True)]
    assert cells == ["'=SUM(1)", "'=SUM(1) > +cmd"]
