"""pyarrow's CSV path reads exactly what pandas' path reads (decision 0021).

Every CSV file kept with the project (tests, shared fixtures, the demo), the hostile files and
the awkward shapes below are read both ways: the same sheet or the same refusal, the same
progress messages (tests/io/fast_path_oracle.py), and the same ResponseTable or problems from
the whole reader. Each case also says whether the fast path is expected to take the file, so a
fast path that gave up on everything would fail here. tests/io/conftest.py does the sheet
check for every CSV the other tests in tests/io read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import fast_path_oracle
import pandas as pd
import pytest
from fast_path_oracle import FAST_PATH_READS, READ_CODED, read_outcome
from hostile_files import repeated_code_csv, wide_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imheval.errors import DataFormatError
from imheval.io import _arrow_csv, _sheet
from imheval.io.reader import Reading, check_responses, read_responses
from imheval.io.table import RESERVED_COLUMNS
from imheval.services.read import read_service_data
from shared_fixtures import shared_fixtures_folder

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = shared_fixtures_folder()
KEPT_CSV_FILES = sorted(
    [
        *(ROOT / "tests").rglob("*.csv"),
        *(FIXTURES.rglob("*.csv") if FIXTURES is not None else []),
        *(ROOT / "src" / "imheval" / "demo").glob("*.csv"),
    ]
)


def _kept_name(path: Path) -> str:
    """A kept file's name in the test's id: from the checkout, or from the shared fixtures."""
    if path.is_relative_to(ROOT) or FIXTURES is None:
        return str(path.relative_to(ROOT))
    return f"shared/fixtures/{path.relative_to(FIXTURES)}"


@pytest.fixture(autouse=True)
def _fast_path_reads() -> Iterator[None]:
    FAST_PATH_READS.clear()
    yield
    FAST_PATH_READS.clear()


def _reading(path: Path, items: tuple[str, ...] | None, *, fast: bool) -> Reading | str:
    """The whole reader's result by one path (a refusal as its message)."""
    none = mock.patch.object(_sheet, "read_coded_columns", lambda *args, **kwargs: None)
    try:
        if fast:
            return check_responses(path, item_columns=items)
        with none:
            return check_responses(path, item_columns=items)
    except DataFormatError as error:
        return str(error)


def _assert_same_reading(fast: Reading | str, slow: Reading | str) -> None:
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return
    assert fast.problems == slow.problems
    assert fast.unknown_columns == slow.unknown_columns
    assert fast.header_row == slow.header_row
    table, reference = fast.table, slow.table
    pd.testing.assert_frame_equal(table.frame, reference.frame, check_exact=True)
    for name in table.frame.columns:
        # Same dtype, categories in the same order included.
        assert table.frame[name].dtype == reference.frame[name].dtype, name
    assert (table.layout, table.item_columns, table.score_columns, table.warnings) == (
        reference.layout,
        reference.item_columns,
        reference.score_columns,
        reference.warnings,
    )


def assert_read_alike(path: Path) -> bool:
    """Read ``path`` both ways: the sheet, and the reader as totals and as items; returns
    whether the fast path took the file."""
    fast, fast_said = read_outcome(path, path.name, _sheet.DEFAULT_MAX_ROWS, fast=True)
    taken = bool(FAST_PATH_READS)
    FAST_PATH_READS.clear()
    slow, slow_said = read_outcome(path, path.name, _sheet.DEFAULT_MAX_ROWS, fast=False)
    assert fast_said == slow_said
    if isinstance(slow, DataFormatError) or isinstance(fast, DataFormatError):
        assert isinstance(fast, DataFormatError)
        assert isinstance(slow, DataFormatError)
        assert fast.problems == slow.problems
        return taken
    headers = [name.strip() for name in fast.header.values()]
    items = tuple(h for h in headers if h.lower() not in RESERVED_COLUMNS and h) or None
    for item_columns in (None, items):
        _assert_same_reading(
            _reading(path, item_columns, fast=True), _reading(path, item_columns, fast=False)
        )
    return taken


def test_the_files_kept_with_the_project_are_many() -> None:
    assert len(KEPT_CSV_FILES) > 50


@pytest.mark.parametrize("path", KEPT_CSV_FILES, ids=_kept_name)
def test_kept_csv_file_reads_the_same_both_ways(path: Path) -> None:
    assert_read_alike(path)


def test_the_fast_path_takes_most_kept_files() -> None:
    taken = [path for path in KEPT_CSV_FILES if assert_read_alike(path)]
    assert len(taken) >= 0.8 * len(KEPT_CSV_FILES)


#: (name, CSV text, whether pyarrow reads it). Each shape once read differently or is one a
#: spreadsheet or a person makes.
SHAPES = [
    ("plain", "participant,cohort,timepoint,k1\np1,C1,pre,3\np1,C1,post,4\n", True),
    ("no final newline", "participant,timepoint,k1\np1,pre,3", True),
    ("crlf", "participant,timepoint,k1\r\np1,pre,3\r\np2,post,\r\n", True),
    ("cr only", "participant,timepoint,k1\rp1,pre,3\rp2,post,4\r", True),
    ("bom", "\ufeffparticipant;timepoint;k1\np1;pre;3\n", True),
    ("tab", "participant\ttimepoint\tk1\np1\tpre\t 3 \n", True),
    ("quoted", 'participant,timepoint,k1\n"p,1",pre,"a ""b"""\n"p2","post",""\n', True),
    ("newline in quotes", 'participant,timepoint,k1\np1,pre,"line\none"\np2,post,x\n', True),
    ("blank line between", "participant,timepoint,k1\np1,pre,3\n\np2,post,4\n", True),
    ("blank lines at end", "participant,timepoint,k1\np1,pre,3\n\n\n", True),
    ("blank lines above header", "\n\nparticipant,timepoint,k1\np1,pre,3\n", True),
    ("commas above header", ",,\nparticipant,timepoint,k1\np1,pre,3\n", True),
    ("header only", "participant,timepoint,k1\n", True),
    ("guarded cells", "participant,timepoint,k1\n'=p1,pre,'+x\n'@p2,post,'-1\n", True),
    ("guarded and bare", "participant,timepoint,k1\n'=x,pre,a\n=x,post,b\n", True),
    ("guarded header", "participant,timepoint,'=k1\np1,pre,3\n", True),
    ("spaces", "participant,timepoint,k1\n  p1 ,  pre,\t3\n", True),
    # Past the first 64 KB, where the reader looks for binary data.
    ("nul byte", "participant,timepoint,k1\n" + "p2,post,4\n" * 7000 + "p1,pre,3\x00\n", True),
    ("blank header column", "participant,,timepoint,k1\np1,,pre,3\n", True),
    ("value under blank header", "participant,,timepoint,k1\np1,x,pre,3\n", True),
    ("trailing separators", "participant,timepoint,k1,,\np1,pre,3,,\n", True),
    ("short row", "participant,timepoint,k1\np1,pre\np2,post,4\n", False),
    ("long row", "participant,timepoint,k1\np1,pre,3,9\n", False),
    ("space-only line", "participant,timepoint,k1\np1,pre,3\n \n", False),
    ("quote open at end", 'participant,timepoint,k1\np1,pre,"3\n', False),
    ("quote open at end, no newline", 'participant,timepoint,k1\np1,pre,"3', False),
    ("quote open after a stray quote", 'participant,timepoint,k1\np1,pr"e,"3\n', False),
    ("empty quoted last cell", 'participant,timepoint,k1\np1,pre,""', False),
    ("quote inside a value", 'participant,timepoint,k1\np1,pr"e,3\n', True),
    # A quote the header leaves open swallows every row below it: pandas refuses the file.
    ("quote open in the header", 'participant,timepoint,"k1\np1,pre,3\n', False),
    ("quote open in the header, no newline", 'participant,timepoint,"k1', False),
    ("quote open in the header below blank lines", '\n\nparticipant,"k1\n', False),
]


@pytest.mark.parametrize(
    ("text", "fast"), [(text, fast) for _, text, fast in SHAPES], ids=[n for n, _, _ in SHAPES]
)
def test_shape_reads_the_same_both_ways(tmp_path: Path, text: str, fast: bool) -> None:
    path = tmp_path / "responses.csv"
    path.write_bytes(text.encode("utf-8"))

    assert assert_read_alike(path) is fast


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("latin-1", "participant,timepoint,k1\np1,pre,café\n".encode("latin-1")),
        ("utf-16", "participant,timepoint,k1\np1,pre,3\n".encode("utf-16")),
        ("latin-1 under a blank header", b"participant,,k1\np1,\xe9,3\n"),
    ],
)
def test_text_that_is_not_utf8_is_left_to_pandas(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(data)

    assert assert_read_alike(path) is False


def test_hostile_files_read_the_same_both_ways(tmp_path: Path) -> None:
    assert assert_read_alike(wide_csv(tmp_path, blank_columns=3_000, rows=50)) is False
    assert assert_read_alike(repeated_code_csv(tmp_path, rows=2_000)) is True


def test_rows_beyond_the_limit_are_refused_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = repeated_code_csv(tmp_path, rows=5_000)
    monkeypatch.setattr(_arrow_csv, "BLOCK_BYTES", 1_024)
    batches: list[int] = []
    open_csv = _arrow_csv.pa_csv.open_csv

    def counting_open_csv(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for batch in open_csv(*args, **kwargs):
            batches.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(_arrow_csv.pa_csv, "open_csv", counting_open_csv)

    refusal, _ = read_outcome(path, path.name, 50, fast=True)

    assert isinstance(refusal, DataFormatError)
    assert str(refusal).startswith("repeated.csv: the file has more than 50 rows below the header")
    # Parsing stopped at the block that went past the limit, far from the file's 5,000 rows.
    assert 51 < sum(batches) < 200


def test_progress_is_said_at_the_same_counts_as_pandas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_arrow_csv, "BLOCK_BYTES", 4_096)
    monkeypatch.setattr(_arrow_csv._cells, "PROGRESS_EVERY", 300)
    path = repeated_code_csv(tmp_path, rows=1_000)

    fast, said = read_outcome(path, path.name, 10_000, fast=True)
    _, reference = read_outcome(path, path.name, 10_000, fast=False)

    assert isinstance(fast, _sheet.Sheet)
    assert said == reference == [f"read {n:,} rows of repeated.csv" for n in (299, 599, 899)]


@pytest.mark.parametrize(
    "text",
    [
        'participant,cohort,timepoint,"k1\np1,C1,pre,3\np2,C1,post,4\n',
        'participant,cohort,timepoint,"k1\np1,C1,pre,3\np2,C1,post,4',
        '\n\nparticipant,cohort,timepoint,"k1\np1,C1,pre,3\n',
    ],
    ids=["newline at end", "no newline at end", "blank lines above"],
)
def test_quote_left_open_in_the_header_is_refused_not_read_as_no_rows(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "responses.csv"
    path.write_bytes(text.encode("utf-8"))

    with pytest.raises(DataFormatError) as refusal:
        read_responses(path)

    assert str(refusal.value).startswith(
        'responses.csv: cannot be read as CSV: a quote (") is opened and never closed'
    )
    assert "EOF inside string" in str(refusal.value)


def test_service_data_with_a_quote_left_open_in_the_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "service.csv"
    path.write_bytes(
        b'service,period,measure,value,"unit\nHV,2024-01,visits,12,\nHV,2024-02,visits,15,\n'
    )

    with pytest.raises(DataFormatError) as refusal:
        read_service_data(path)

    assert str(refusal.value).startswith(
        'service.csv: cannot be read as CSV: a quote (") is opened and never closed'
    )
    assert "EOF inside string" in str(refusal.value)


@pytest.mark.parametrize(
    "last_line", ["px,pre\n", 'px,pre,"3\n'], ids=["short row", "quote open at end"]
)
def test_progress_is_said_once_when_pandas_reads_a_file_the_fast_path_gave_up_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, last_line: str
) -> None:
    # Small blocks stand in for a file of many megabytes: the fast path reads (and says) several
    # blocks before the last one sends the file to pandas, which reads it again from the top.
    monkeypatch.setattr(_arrow_csv, "BLOCK_BYTES", 4_096)
    monkeypatch.setattr(_arrow_csv._cells, "PROGRESS_EVERY", 300)
    path = tmp_path / "late.csv"
    path.write_text("participant,timepoint,k1\n" + "p1,pre,3\n" * 2_000 + last_line)
    fast_path_counts: list[int] = []

    def spied_fast_path(*args: Any) -> Any:
        *before, progress = args
        return READ_CODED(*before, lambda rows: (fast_path_counts.append(rows), progress(rows)))

    monkeypatch.setattr(fast_path_oracle, "READ_CODED", spied_fast_path)
    _, said = read_outcome(path, path.name, 10_000, fast=True)
    _, reference = read_outcome(path, path.name, 10_000, fast=False)

    assert FAST_PATH_READS == []
    assert len(fast_path_counts) >= 5  # it gave up after reading most of the file
    assert said == reference
    assert reference == [f"read {n:,} rows of late.csv" for n in range(299, 2_000, 300)]


def test_guarded_cell_and_its_bare_twin_become_one_category(tmp_path: Path) -> None:
    path = tmp_path / "twins.csv"
    path.write_text("participant,k1\n'=x,a\n=x,b\n'=x,c\n", encoding="utf-8")

    sheet, _ = read_outcome(path, path.name, 100, fast=True)

    assert isinstance(sheet, _sheet.Sheet)
    codes = sheet.cells[0]
    assert list(codes) == ["=x", "=x", "=x"]
    assert list(codes.cat.categories) == ["=x"]


CSV_PIECES = st.sampled_from(
    ["p1", " p2 ", "pre", "post", "3", "", "a", "'=x", "=x", "é", '"', '""', ",", ";", "\t",
     "\n", "\r", "\r\n", "\x00", " "]
)  # fmt: skip


HEADER_PIECES = st.sampled_from(
    ["participant", "timepoint", "k1", ",", ";", '"', '""', " ", "\n", "\r\n"]
)

# A header is one of three plain ones or random pieces (a quote it leaves open included).
HEADERS = st.one_of(
    st.sampled_from(["participant,timepoint,k1\n", "participant;k1\r\n", "a\n"]),
    st.lists(HEADER_PIECES, min_size=1, max_size=8).map("".join),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(header=HEADERS, body=st.lists(CSV_PIECES, max_size=30))
def test_random_text_reads_the_same_both_ways(tmp_path: Path, header: str, body: list[str]) -> None:
    path = tmp_path / "random.csv"
    path.write_bytes((header + "".join(body)).encode("utf-8"))

    assert_read_alike(path)


@pytest.mark.parametrize(("trim_after", "trims"), [(_arrow_csv.TRIM_AFTER_BYTES, []), (10, [0])])
def test_the_heap_is_trimmed_only_after_a_large_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trim_after: int, trims: list[int]
) -> None:
    path = tmp_path / "responses.csv"
    path.write_text("participant,timepoint,k1\np1,pre,3\np1,post,4\n", encoding="utf-8")
    trimmed: list[int] = []
    monkeypatch.setattr(_arrow_csv, "_malloc_trim", lambda: trimmed.append)
    monkeypatch.setattr(_arrow_csv, "TRIM_AFTER_BYTES", trim_after)

    read_responses(path)

    assert trimmed == trims
