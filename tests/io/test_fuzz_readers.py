"""Fuzzing the core importers: whatever the bytes, a table or a located, plain problem.

For arbitrary CSV bytes and text, small workbooks (and damaged ones) and arbitrary YAML, the
reader either returns its result or raises the library's own error (DataFormatError or
InstrumentError) whose every problem names the file; never another exception. Work stays
bounded: the generated files are small and the suite runs with modest example counts.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imheval.errors import DataFormatError, InstrumentError
from imheval.instruments import Instrument, load_instrument, load_instrument_text
from imheval.io import ResponseTable, read_responses

FUZZ = settings(
    deadline=None,
    max_examples=80,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ITEMS = ("k1", "k2")


def read_or_refuse(path: Path, item_columns: tuple[str, ...] | None = None) -> None:
    """Read ``path``; a refusal must be a DataFormatError whose problems all name the file."""
    try:
        table = read_responses(path, item_columns=item_columns)
    except DataFormatError as error:
        assert error.problems
        assert all(problem.file == path.name for problem in error.problems), error.problems
        assert str(error).startswith(path.name)
    else:
        assert isinstance(table, ResponseTable)
        assert set(table.frame["timepoint"]) <= {"pre", "post", "followup"}


# --- CSV --------------------------------------------------------------------------------------

CSV_WORDS = st.sampled_from(
    ["participant", "cohort", "timepoint", "k1", "k2", "pre_k1", "post_k1", "pre", "post",
     "followup", "p1", "P1", " p1 ", "C1", "3", "4.5", "x", "", "=1+1", '"a,b"', "é", "\x00"]
)  # fmt: skip
CSV_SEPARATORS = st.sampled_from([",", ";", "\t", ",,", "\n", "\r\n", '"'])


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    """CSV-like text made of the words and separators a responses file has."""
    parts = draw(st.lists(st.tuples(CSV_WORDS, CSV_SEPARATORS), max_size=60))
    return "participant,cohort,timepoint,k1\n" * draw(st.booleans()) + "".join(
        word + sep for word, sep in parts
    )


@FUZZ
@given(data=st.binary(max_size=2_000), suffix=st.sampled_from([".csv", ".tsv", ".txt"]))
def test_arbitrary_bytes_as_csv_are_read_or_refused(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"bytes{suffix}"
    path.write_bytes(data)
    read_or_refuse(path)


@FUZZ
@given(
    text=csv_texts(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1"]),
    items=st.sampled_from([None, ITEMS]),
)
def test_csv_like_text_in_any_encoding_is_read_or_refused(
    tmp_path: Path, text: str, encoding: str, items: tuple[str, ...] | None
) -> None:
    path = tmp_path / "text.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    read_or_refuse(path, items)


# --- XLSX -------------------------------------------------------------------------------------

XLSX_WORDS = CSV_WORDS.filter(lambda word: word != "\x00")  # openpyxl cannot write NUL
CELLS = st.one_of(
    st.none(),
    XLSX_WORDS,
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.sampled_from(["=1+1", "=A1", "=SUM(D2:D3)"]),
)


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    """A small workbook: a drawn header and rows, sometimes a far-away cell."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    header = draw(st.lists(XLSX_WORDS | st.none(), max_size=6))
    if draw(st.booleans()):
        header = ["participant", "cohort", "timepoint", "k1", *header]
    sheet.append(header)
    for row in draw(st.lists(st.lists(CELLS, max_size=7), max_size=8)):
        sheet.append(row)
    if draw(st.booleans()):
        sheet.cell(row=draw(st.integers(1, 60)), column=draw(st.integers(1, 16_384)), value="far")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@FUZZ
@given(data=workbooks(), items=st.sampled_from([None, ITEMS]))
def test_small_workbooks_are_read_or_refused(
    tmp_path: Path, data: bytes, items: tuple[str, ...] | None
) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    read_or_refuse(path, items)


@FUZZ
@given(data=workbooks(), cut=st.integers(0, 4_000), flips=st.lists(st.integers(0, 10**6)))
def test_damaged_workbooks_are_refused_plainly(
    tmp_path: Path, data: bytes, cut: int, flips: list[int]
) -> None:
    damaged = bytearray(data[: len(data) - cut] if cut < len(data) else data[:1])
    for position in flips:
        damaged[position % len(damaged)] ^= 0x5A
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(damaged))
    read_or_refuse(path)


def test_a_workbook_claiming_a_zip_version_python_cannot_read_is_refused(tmp_path: Path) -> None:
    """Found by the fuzz test above: a central directory asking for zip version 7.8 made
    Python's zipfile raise NotImplementedError, which escaped the reader."""
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = bytearray(buffer.getvalue())
    directory = data.index(b"PK\x01\x02")  # the first central directory entry
    data[directory + 6] = 78  # "version needed to extract": 7.8
    path = tmp_path / "version.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(NotImplementedError):  # the damage is what the test says it is
        zipfile.ZipFile(path)
    with pytest.raises(DataFormatError, match=r"not a valid \.xlsx \(zip\) file"):
        read_responses(path)


@FUZZ
@given(sheet_xml=st.binary(max_size=600) | st.text(max_size=600).map(str.encode))
def test_workbook_with_arbitrary_sheet_xml_is_read_or_refused(
    tmp_path: Path, sheet_xml: bytes
) -> None:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    path = tmp_path / "xml.xlsx"
    with zipfile.ZipFile(buffer) as original, zipfile.ZipFile(path, "w") as rewritten:
        for entry in original.infolist():
            data = original.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData/>", b"<sheetData>" + sheet_xml + b"</sheetData>")
            rewritten.writestr(entry.filename, data)
    read_or_refuse(path)


# --- YAML instruments -------------------------------------------------------------------------

YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.sampled_from(["imheval-instrument/1", "keyed", "rating", "knowledge", "Q1", "a", "1.0.0"]),
)
YAML_KEYS = st.sampled_from(
    ["format", "id", "version", "title", "levels", "domains", "scales", "items", "kind",
     "domain", "scale", "options", "key", "text", "label", "min", "max", "labels", "reverse"]
)  # fmt: skip
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(YAML_KEYS, children, max_size=5)
    ),
    max_leaves=30,
)


def load_or_refuse(text: str, source: str = "fuzz.yaml") -> None:
    try:
        instrument = load_instrument_text(text, source=source)
    except InstrumentError as error:
        assert error.problems
        assert all(problem.file == source for problem in error.problems), error.problems
    else:
        assert isinstance(instrument, Instrument)


@FUZZ
@given(text=st.text(max_size=400))
def test_arbitrary_text_as_an_instrument_is_loaded_or_refused(text: str) -> None:
    load_or_refuse(text)


@FUZZ
@given(document=st.dictionaries(YAML_KEYS, YAML_VALUES, max_size=8), versioned=st.booleans())
def test_instrument_shaped_yaml_is_loaded_or_refused(
    document: dict[str, object], versioned: bool
) -> None:
    if versioned:
        document = {"format": "imheval-instrument/1", **document}
    load_or_refuse(yaml.safe_dump(document, allow_unicode=True))


@FUZZ
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_as_an_instrument_file_are_loaded_or_refused(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    try:
        load_instrument(path)
    except InstrumentError as error:
        assert all(problem.file == str(path) for problem in error.problems)
