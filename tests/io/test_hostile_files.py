"""Hostile and careless files (issue 10): each attack is performed and the WORK done is asserted.

Times are never asserted (benchmarks/bench_hostile_files.py prints them); what is asserted is
how many cells the reader condensed, how many sheet rows openpyxl's parser produced, how many
rows pandas was asked for, and that the message is short and plain.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl.worksheet._reader as openpyxl_reader
import pandas as pd
import pytest
from hostile_files import (
    HEADER,
    formula_xlsx,
    repeated_code_csv,
    shared_strings_xlsx,
    tall_sparse_xlsx,
    wide_csv,
    xfd_xlsx,
    zip_bomb_xlsx,
)

from imheval.errors import DataFormatError, Problem, list_rows
from imheval.io import _arrow_csv, _cells, reader
from imheval.io.reader import read_responses


class Work:
    """Counts of what the reader did: columns and cells condensed, sheet rows parsed."""

    def __init__(self) -> None:
        self.columns = 0
        self.cells = 0
        self.sheet_rows = 0
        self.csv_rows_asked: list[int] = []
        self.csv_rows_parsed = 0


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    counted = Work()
    condense = reader.Distinct.of

    def counting_of(cls: type, values: pd.Series) -> Any:
        counted.columns += 1
        counted.cells += len(values)
        return condense(values)

    parse_row = openpyxl_reader.WorkSheetParser.parse_row

    def counting_parse_row(self: Any, element: Any) -> Any:
        counted.sheet_rows += 1
        return parse_row(self, element)

    read_csv = pd.read_csv

    def counting_read_csv(*args: Any, **kwargs: Any) -> Any:
        counted.csv_rows_asked.append(kwargs.get("nrows") or -1)
        return read_csv(*args, **kwargs)

    open_csv = _arrow_csv.pa_csv.open_csv

    def counting_open_csv(*args: Any, **kwargs: Any) -> Any:
        for batch in open_csv(*args, **kwargs):
            counted.csv_rows_parsed += batch.num_rows
            yield batch

    monkeypatch.setattr(reader.Distinct, "of", classmethod(counting_of))
    monkeypatch.setattr(_arrow_csv.pa_csv, "open_csv", counting_open_csv)
    monkeypatch.setattr(openpyxl_reader.WorkSheetParser, "parse_row", counting_parse_row)
    monkeypatch.setattr(pd, "read_csv", counting_read_csv)
    yield counted


def refusal(path: Path, **kwargs: Any) -> DataFormatError:
    with pytest.raises(DataFormatError) as caught:
        read_responses(path, **kwargs)
    return caught.value


# --- wide: a header of thousands of empty cells ------------------------------------------------


def test_wide_csv_condenses_only_the_named_columns(tmp_path: Path, work: Work) -> None:
    table = read_responses(wide_csv(tmp_path, blank_columns=3_000, rows=50))

    assert table.n_rows == 50
    assert (work.columns, work.cells) == (len(HEADER), len(HEADER) * 50)


def test_wide_csv_with_a_value_under_a_blank_header_names_that_column(tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    header = "participant,cohort,timepoint,knowledge" + "," * 3_000
    path.write_text(header + "\np1,C1,pre,3" + "," * 2_000 + "oops\n", encoding="utf-8")

    error = refusal(path)

    assert error.problems == (
        Problem(
            file="stray.csv",
            row=1,
            column="BYB",
            message="the column has values but no name in the header row",
        ),
    )


def test_header_wider_than_a_spreadsheet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "commas.csv"
    path.write_text("participant" + "," * 20_000 + "\np1\n", encoding="utf-8")

    message = str(refusal(path))

    assert message == (
        "commas.csv, row 1: the header row is 20,001 cells wide; a spreadsheet has at most "
        "16,384 columns, so this is not a responses file"
    )


def test_more_than_a_thousand_named_columns_is_refused(tmp_path: Path, work: Work) -> None:
    path = tmp_path / "many.csv"
    names = ["participant", "timepoint"] + [f"q{i}" for i in range(1_000)]
    path.write_text(",".join(names) + "\np1,pre\n", encoding="utf-8")

    message = str(refusal(path))

    assert "the header row names 1,002 columns; imheval reads at most 1,000" in message
    assert work.csv_rows_asked == []  # refused from the header alone


# --- XLSX: one cell at XFD1, tall and sparse ----------------------------------------------


def test_xlsx_cell_at_xfd1_adds_one_column_not_sixteen_thousand(tmp_path: Path, work: Work) -> None:
    table = read_responses(xfd_xlsx(tmp_path, rows=3))

    assert table.n_rows == 3
    assert (work.columns, work.cells) == (len(HEADER) + 1, (len(HEADER) + 1) * 3)
    assert "column(s) with no values at all were left out: x" in table.warnings


def test_tall_sparse_xlsx_reads_each_row_once_unpadded(tmp_path: Path, work: Work) -> None:
    table = read_responses(tall_sparse_xlsx(tmp_path, rows=2_000))

    assert table.n_rows == 2_000
    assert work.sheet_rows == 2_001
    assert work.cells == (len(HEADER) + 1) * 2_000  # not 16,384 per row


def test_xlsx_rows_beyond_the_limit_stop_the_parser(tmp_path: Path, work: Work) -> None:
    path = xfd_xlsx(tmp_path, rows=1_000)

    message = str(refusal(path, max_rows=50))

    assert message == (
        "xfd.xlsx: the file has more than 50 rows below the header (row 1); imheval reads at "
        "most 50 at a time: split the file"
    )
    assert work.sheet_rows == 52  # the header, 50 rows and the one that broke the limit
    assert work.columns == 0


def test_csv_rows_beyond_the_limit_are_never_read(
    tmp_path: Path, work: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyarrow parses the file block by block and the reader stops at the first block past the
    limit: with 1 KB blocks, a 1,000-row file is refused after fewer than 200 rows."""
    monkeypatch.setattr(_arrow_csv, "BLOCK_BYTES", 1_024)
    path = repeated_code_csv(tmp_path, rows=1_000)

    message = str(refusal(path, max_rows=50))

    assert message.startswith("repeated.csv: the file has more than 50 rows below the header")
    assert work.csv_rows_asked == []  # pandas' parser is not used for a plain UTF-8 file
    assert 51 < work.csv_rows_parsed < 200
    assert work.columns == 0


def test_rows_up_to_the_limit_are_read(tmp_path: Path) -> None:
    table = read_responses(xfd_xlsx(tmp_path, rows=50), max_rows=50)

    assert table.n_rows == 50


# --- zip bomb -------------------------------------------------------------------------------------


def test_xlsx_zip_bomb_is_refused_before_parsing(tmp_path: Path, work: Work) -> None:
    path = zip_bomb_xlsx(tmp_path, rows=200_000)
    assert path.stat().st_size < 150_000

    error = refusal(path)

    assert work.sheet_rows == 0
    (problem,) = error.problems
    assert problem.message.startswith(
        "is not a normal workbook: its part 'xl/worksheets/sheet1.xml' expands 257 times "
        "(to 30 MB), as a 'zip bomb' does"
    )


def test_xlsx_with_too_many_zip_entries_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imheval.io import _xlsx

    monkeypatch.setattr(_xlsx, "MAX_ZIP_ENTRIES", 5)

    message = str(refusal(xfd_xlsx(tmp_path)))

    assert message == (
        "xfd.xlsx: cannot be read as an Excel workbook: the zip holds 9 parts, too many for a "
        "workbook"
    )


def test_xlsx_expanding_past_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imheval.io import _xlsx

    monkeypatch.setattr(_xlsx, "MAX_UNCOMPRESSED_BYTES", 10_000)

    message = str(refusal(xfd_xlsx(tmp_path)))

    assert message.startswith("xfd.xlsx: the workbook expands to 0 MB; imheval reads at most 0 MB")


# --- many problems --------------------------------------------------------------------------------


def test_code_repeated_on_every_row_gives_one_short_problem(tmp_path: Path) -> None:
    error = refusal(repeated_code_csv(tmp_path, rows=20_000))

    (problem,) = error.problems
    assert problem.message == (
        "participant code 'P1' appears more than once in cohort 'C1' at pre "
        "(rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 19,990 more)"
    )
    assert problem.row == 20_001


def test_list_rows_lists_a_few_and_counts_the_rest() -> None:
    assert list_rows([4]) == "row 4"
    assert list_rows([4, 9]) == "rows 4 and 9"
    assert list_rows([4, 9, 12]) == "rows 4, 9 and 12"
    assert list_rows([4, 9, 12, *range(13, 200_010)], limit=3) == "rows 4, 9, 12 and 199,997 more"


# --- formulas without a saved value ---------------------------------------------------------------


def test_xlsx_formula_without_saved_value_is_refused_naming_the_cell(tmp_path: Path) -> None:
    error = refusal(formula_xlsx(tmp_path, saved=False))

    assert error.problems == (
        Problem(
            file="unsaved.xlsx",
            row=3,
            column="knowledge",
            message=(
                "cell D3 holds a formula with no saved value (it was written by a program that "
                "does not calculate); open the file in Excel and save it again"
            ),
        ),
    )


def test_xlsx_formula_with_saved_value_reads_the_value(tmp_path: Path) -> None:
    table = read_responses(formula_xlsx(tmp_path, saved=True))

    assert table.frame["knowledge"].tolist() == [3.0, 7.0]


# --- text that is not UTF-8: UTF-16 without a byte-order mark, binary junk --------------------

TIDY_TEXT = "participant,cohort,timepoint,knowledge\np1,C1,pre,3\np2,C1,pre,4\n"


@pytest.mark.parametrize(("encoding", "order"), [("utf-16-le", "little"), ("utf-16-be", "big")])
def test_utf16_without_byte_order_mark_says_what_it_is(
    tmp_path: Path, encoding: str, order: str
) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes(TIDY_TEXT.encode(encoding))

    message = str(refusal(path))

    assert message == (
        f"unicode.csv: is UTF-16 ({order}-endian) text without a byte-order mark, which cannot "
        "be read reliably; in Excel use 'Save As' > 'CSV UTF-8', or save it as UTF-8 in your "
        "text editor"
    )


def test_binary_junk_named_csv_is_not_text_rather_than_empty(tmp_path: Path) -> None:
    import random

    path = tmp_path / "junk.csv"
    path.write_bytes(random.Random(10).randbytes(20_000))

    message = str(refusal(path))

    assert message.startswith("junk.csv: is not text (it looks like binary data, e.g. an image")


def test_control_characters_without_nul_are_binary_too(tmp_path: Path) -> None:
    path = tmp_path / "controls.csv"
    path.write_bytes(bytes(range(1, 32)) * 100)

    assert str(refusal(path)).startswith("controls.csv: is not text (it looks like binary data")


def test_old_excel_workbook_named_csv_says_save_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))

    assert str(refusal(path)) == (
        "old.csv: looks like an old Excel (.xls) workbook, not CSV text; open it in Excel and "
        "use 'Save As' > 'CSV UTF-8' (or 'Excel Workbook (.xlsx)')"
    )


def test_utf16_with_byte_order_mark_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes(TIDY_TEXT.encode("utf-16"))

    assert read_responses(path).frame["participant"].tolist() == ["P1", "P2"]


# --- files too large for memory ---------------------------------------------------------------


def test_csv_larger_than_the_memory_limit_is_refused_before_reading(
    tmp_path: Path, work: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMHEVAL_READ_MEMORY_MB", "1")
    path = repeated_code_csv(tmp_path, rows=20_000)  # 240 KB

    message = str(refusal(path))

    assert message == (
        "repeated.csv: is too large to read with the memory available: a 0 MB CSV file needs "
        "about 5 MB and at most 1 MB may be used, so CSV files up to about 0 MB can be read. "
        "Split the file (for example by cohort), or set IMHEVAL_READ_MEMORY_MB to allow more "
        "(see docs/data-format.md)"
    )
    assert work.csv_rows_asked == []


def test_xlsx_larger_than_the_memory_limit_is_refused_before_parsing(
    tmp_path: Path, work: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMHEVAL_READ_MEMORY_MB", "0.01")

    message = str(refusal(xfd_xlsx(tmp_path)))

    assert message.startswith(
        "xfd.xlsx: is too large to read with the memory available: a workbook that unzips to "
        "0 MB needs about 0 MB and at most 0 MB may be used, so workbooks that unzip to at most "
        "about 0 MB can be read."
    )
    assert work.sheet_rows == 0


def test_memory_limit_is_a_setting_and_a_bad_one_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = repeated_code_csv(tmp_path, rows=10)
    monkeypatch.setenv("IMHEVAL_READ_MEMORY_MB", "lots")

    assert str(refusal(path)) == "IMHEVAL_READ_MEMORY_MB: 'lots' is not a number of megabytes"

    monkeypatch.setenv("IMHEVAL_READ_MEMORY_MB", "100")
    assert "appears more than once" in str(refusal(path))  # read, then checked


def test_memory_limit_defaults_to_most_of_the_available_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("IMHEVAL_READ_MEMORY_MB", raising=False)
    monkeypatch.setattr(_cells, "_available_memory", lambda: 10_000_000_000)

    assert _cells.memory_limit() == 8_000_000_000


def test_xlsx_reading_reports_progress_in_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cells, "PROGRESS_EVERY", 10)
    messages: list[str] = []

    read_responses(xfd_xlsx(tmp_path, rows=25), progress=messages.append)

    assert messages[:3] == ["reading xfd.xlsx", "read 10 rows", "read 20 rows"]


def test_csv_is_parsed_in_chunks_reporting_progress_with_row_numbers_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cells, "PROGRESS_EVERY", 10)
    path = tmp_path / "long.csv"
    path.write_text(
        "participant,timepoint,K1\n" + "".join(f"P{n:02d},pre,{'abcd'[n % 4]}\n" for n in range(25))
    )
    messages: list[str] = []

    table = read_responses(path, item_columns=["K1"], progress=messages.append)

    # 26 records (the header and 25 rows) in chunks of 10: progress after each full chunk
    assert messages[:3] == [
        "reading long.csv",
        "read 9 rows of long.csv",
        "read 19 rows of long.csv",
    ]
    assert table.frame["participant"].tolist() == [f"P{n:02d}" for n in range(25)]
    assert table.frame["K1"].tolist() == ["abcd"[n % 4] for n in range(25)]
    assert table.frame["source_row"].tolist() == list(range(2, 27))


def test_a_too_wide_row_in_a_later_chunk_is_named_by_its_own_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cells, "PROGRESS_EVERY", 10)
    lines = ["participant,timepoint,K1"] + [f"P{n:02d},pre,a" for n in range(25)]
    lines[23] = "P22,pre,a,stray"
    path = tmp_path / "stray.csv"
    path.write_text("\n".join(lines) + "\n")

    message = str(refusal(path, item_columns=["K1"]))

    assert message == (
        "stray.csv, row 24: the row has 4 cells but the header has 3; "
        "is a value containing the separator missing its quotes?"
    )


# --- shared strings: a small file whose strings part unzips to gigabytes of Python objects -------


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each call of openpyxl's load_workbook and its shared strings reader."""
    import openpyxl
    import openpyxl.reader.excel as excel

    calls: list[str] = []
    load_workbook, read_string_table = openpyxl.load_workbook, excel.read_string_table

    def spied_load_workbook(*args: Any, **kwargs: Any) -> Any:
        calls.append("load_workbook")
        return load_workbook(*args, **kwargs)

    def spied_read_string_table(*args: Any, **kwargs: Any) -> Any:
        calls.append("read_string_table")
        return read_string_table(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spied_load_workbook)
    monkeypatch.setattr(excel, "read_string_table", spied_read_string_table)
    return calls


def test_xlsx_shared_strings_are_read_by_the_spied_reader(
    tmp_path: Path, opened: list[str]
) -> None:
    table = read_responses(shared_strings_xlsx(tmp_path, strings_bytes=900_000))

    assert table.n_rows == 1
    assert opened == ["load_workbook", "read_string_table"]


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet9.xml"])
def test_xlsx_shared_strings_beyond_the_limit_are_refused_before_openpyxl_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[str], part: str
) -> None:
    from imheval.io import _xlsx

    monkeypatch.setattr(_xlsx, "MAX_SHARED_STRINGS_BYTES", 500_000)
    path = shared_strings_xlsx(tmp_path, strings_bytes=900_000, part=part)

    message = str(refusal(path))

    assert message == (
        f"strings.xlsx: is not a responses workbook: its shared texts (part '{part}', each "
        "distinct text once) expand to 1 MB; imheval reads at most 0 MB of them, and it was not "
        "opened. Save the responses as CSV, or split them"
    )
    assert opened == []


def test_xlsx_memory_estimate_counts_shared_strings_at_ten_bytes_per_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: list[str]
) -> None:
    # 900 KB of shared strings and 17 KB of other parts: about 3.7 MB at 4 bytes per byte,
    # which the 5 MB limit allows, but 9 MB at their real cost, which it does not.
    monkeypatch.setenv("IMHEVAL_READ_MEMORY_MB", "5")
    path = shared_strings_xlsx(tmp_path, strings_bytes=900_000)

    message = str(refusal(path))

    assert message.startswith(
        "strings.xlsx: is too large to read with the memory available: a workbook that unzips "
        "to 1 MB needs about 9 MB and at most 5 MB may be used"
    )
    assert opened == []


def test_work_size_is_a_csv_size_or_an_xlsx_unzipped_size(tmp_path: Path) -> None:
    from imheval.io import work_size

    workbook = shared_strings_xlsx(tmp_path, strings_bytes=900_000)
    csv_file = repeated_code_csv(tmp_path, rows=10)
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(workbook.read_bytes()[:-100])

    with zipfile.ZipFile(workbook) as archive:
        unzipped = sum(entry.file_size for entry in archive.infolist())

    assert workbook.stat().st_size < 30_000 and unzipped > 900_000
    assert work_size(workbook, "strings.xlsx") == unzipped
    with workbook.open("rb") as stream:
        assert work_size(stream, "strings.xlsx") == unzipped
        assert stream.tell() == 0
    assert work_size(csv_file, "repeated.csv") == csv_file.stat().st_size == 159
    assert work_size(damaged, "damaged.xlsx") is None
