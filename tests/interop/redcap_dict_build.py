"""Small REDCap data dictionaries for the dictionary reader's and writer's tests
(tests/interop/test_redcap_dictionary*.py, test_redcap_export*.py)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from imheval.interop.model import SourceFile

DATA = Path(__file__).parent / "data" / "redcap_dict"

#: The 18 headers of today's data dictionary.
HEADERS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
_COLUMN = {
    "section": 2,
    "choices": 5,
    "note": 6,
    "validation": 7,
    "identifier": 10,
    "branching": 11,
    "matrix": 15,
    "ranking": 16,
    "annotation": 17,
}


def field(name: str, kind: str, label: str, choices: str = "", **cells: str) -> list[str]:
    """One dictionary row of form ``quiz``; ``cells`` names other columns (section, note,
    validation, identifier, branching, matrix, ranking, annotation, form)."""
    row = [""] * len(HEADERS)
    row[0], row[1], row[3], row[4], row[5] = name, cells.pop("form", "quiz"), kind, label, choices
    for column, value in cells.items():
        row[_COLUMN[column]] = value
    return row


RECORD_ID = field("record_id", "text", "Record ID")


def dictionary_text(rows: Sequence[Sequence[str]], *, newline: str = "\n") -> str:
    """The CSV text of a dictionary with today's headers and these rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue()


def dictionary(
    rows: Sequence[Sequence[str]], *, name: str = "dictionary.csv", newline: str = "\n"
) -> SourceFile:
    """A data dictionary file: the record id, then ``rows``."""
    text = dictionary_text([RECORD_ID, *rows], newline=newline)
    return SourceFile(name=name, data=text.encode("utf-8"))


def local(name: str) -> SourceFile:
    """A file of tests/interop/data/redcap_dict/."""
    return SourceFile.read(DATA / name)


def zipped(
    entries: Mapping[str, bytes],
    *,
    name: str = "instrument.zip",
    compression: int = zipfile.ZIP_DEFLATED,
) -> SourceFile:
    """A ZIP holding ``entries`` (name → bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return SourceFile(name=name, data=buffer.getvalue())
