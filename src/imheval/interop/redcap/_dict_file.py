"""Reading a REDCap data dictionary file into rows, whatever its vintage and wrapping.

A data dictionary is a CSV file with one row per field. Its headers changed over REDCap's
versions and differ between the web page and the API, so columns are found BY NAME after
normalising (case, spaces and punctuation ignored), never by position:

- today's 18 columns: ``Variable / Field Name, Form Name, Section Header, Field Type, Field
  Label, "Choices, Calculations, OR Slider Labels", Field Note, Text Validation Type OR Show
  Slider Number, Text Validation Min, Text Validation Max, Identifier?, Branching Logic (Show
  field only if...), Required Field?, Custom Alignment, Question Number (surveys only), Matrix
  Group Name, Matrix Ranking?, Field Annotation``;
- REDCap 3-4's 14 columns (a ``Field Units`` column, ``Choices OR Calculations``, ``Text
  Validation Type``) and the transitional ``Choices Calculations OR Slider Labels``;
- the API's names (``field_name, form_name, section_header, field_type, field_label,
  select_choices_or_calculations, ...``), as CSV or as JSON; R writes blank cells as ``NA``.

A shared-instrument ZIP (REDCap's "Download instrument ZIP") holds the same CSV as
``instrument.csv`` (UTF-8 with a byte-order mark) beside ``OriginID.txt`` and any attachments;
only ``instrument.csv`` is read, after the ZIP's directory is checked (entry count, sizes,
compression ratio, no path tricks), in the way :func:`imheval.io._xlsx.check_archive` checks a
workbook.

REDCap's project XML (CDISC ODM) is read for its metadata by :mod:`._dict_odm`. Other REDCap
files given in its place (the events or arms list, the instrument-event mapping, the repeating
instruments list, a record export) are refused with a message saying what they are and which
file to download instead.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Final

from imheval.errors import DataFormatError, InstrumentError, Problem
from imheval.interop.common import decode_text, fold, read_csv_rows
from imheval.interop.model import SourceFile
from imheval.interop.redcap._dict_odm import is_redcap_odm, read_odm
from imheval.interop.redcap._dict_rows import (
    DOWNLOAD_DICTIONARY,
    HEADINGS,
    DictionaryFile,
    Row,
)

#: The columns imheval reads, by their normalised header names (lower case, letters and digits
#: only). The first name is the one used when a column is missing.
_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "field_name": ("variablefieldname", "fieldname", "variablename", "variable"),
    "form_name": ("formname",),
    "section_header": ("sectionheader",),
    "field_type": ("fieldtype",),
    "field_label": ("fieldlabel",),
    "choices": (
        "choicescalculationsorsliderlabels",
        "choicesorcalculations",
        "selectchoicesorcalculations",
        "choices",
    ),
    "field_note": ("fieldnote",),
    "validation": (
        "textvalidationtypeorshowslidernumber",
        "textvalidationtype",
        "validation",
    ),
    "validation_min": ("textvalidationmin",),
    "validation_max": ("textvalidationmax",),
    "identifier": ("identifier",),
    "branching_logic": ("branchinglogicshowfieldonlyif", "branchinglogic"),
    "required": ("requiredfield",),
    "alignment": ("customalignment",),
    "question_number": ("questionnumbersurveysonly", "questionnumber"),
    "matrix_group": ("matrixgroupname",),
    "matrix_ranking": ("matrixranking",),
    "annotation": ("fieldannotation",),
}
_REQUIRED = ("field_name", "form_name", "field_type", "field_label")

#: The largest instrument.csv read from a ZIP (the biggest real dictionaries are a few MB).
MAX_INSTRUMENT_CSV_BYTES: Final = 50_000_000
#: The most entries an instrument ZIP may hold (instrument.csv, OriginID.txt, attachments).
MAX_ZIP_ENTRIES: Final = 1_000
#: The highest expansion ratio of an entry larger than a megabyte (zip bombs expand 1000s of
#: times; CSV text compresses 5-20 times).
MAX_COMPRESSION_RATIO: Final = 100
_RATIO_EXEMPT_BYTES: Final = 1_000_000


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(header.lstrip("\ufeff")))


def read_dictionary_file(source: SourceFile) -> DictionaryFile:
    """The rows of the data dictionary in ``source`` (CSV, JSON metadata, or an instrument
    ZIP). InstrumentError naming the file when it is not a data dictionary or cannot be read."""
    data = source.data
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        inner = _instrument_csv(source)
        found = _read_csv(inner)
        return DictionaryFile(found.file, found.rows, found.headings, from_zip=True)
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        if is_redcap_odm(data[:65536]):
            return read_odm(data, source.name)
        raise _refuse(source.name, _xml_message(data[:65536]))
    if head.startswith(b"["):
        return _read_json(source)
    if head.startswith(b"{"):
        raise _refuse(
            source.name,
            "this is a JSON file but not REDCap metadata (a list of fields); give the data "
            f"dictionary as CSV ({DOWNLOAD_DICTIONARY})",
        )
    return _read_csv(source)


def _refuse(file: str, message: str, row: int | None = None) -> InstrumentError:
    return InstrumentError([Problem(file=file, row=row, message=message)])


# ---------------------------------------------------------------------------------------------
# CSV


def _read_csv(source: SourceFile) -> DictionaryFile:
    try:
        text = decode_text(source)
        table = read_csv_rows(source)
    except DataFormatError as error:
        raise InstrumentError(list(error.problems)) from None
    positions: dict[str, int] = {}
    headings: dict[str, str] = {}
    for position, title in enumerate(table.header):
        key = _key(title)
        for column, names in _COLUMNS.items():
            if key in names and column not in positions:
                positions[column] = position
                headings[column] = title
    missing = [column for column in _REQUIRED if column not in positions]
    if missing:
        raise _refuse(source.name, _not_a_dictionary(table.header, missing))
    na_is_blank = _written_by_r(table.header, table.rows, positions)
    rows = []
    for number, cells in table.rows:
        values = {
            column: _cell(cells[positions[column]], na_is_blank) if column in positions else ""
            for column in _COLUMNS
        }
        rows.append(Row(number=number, **values))
    problems = []
    if text.count('"') % 2 == 1:
        problems.append(
            Problem(
                file=source.name,
                row=rows[-1].number if rows else None,
                message="the file ends inside a quoted cell, so it looks cut short; download "
                f"the data dictionary again ({DOWNLOAD_DICTIONARY})",
            )
        )
    if problems:
        raise InstrumentError(problems)
    return DictionaryFile(file=source.name, rows=tuple(rows), headings=headings)


def _cell(value: str, na_is_blank: bool) -> str:
    value = value.strip()
    return "" if na_is_blank and value == "NA" else value


def _written_by_r(
    header: tuple[str, ...],
    rows: tuple[tuple[int, tuple[str, ...]], ...],
    positions: dict[str, int],
) -> bool:
    """Whether blank cells are written ``NA`` (R's write.csv): the API's column names, or an
    ``NA`` where REDCap only ever writes ``y`` or nothing."""
    if header and _key(header[0]) == "fieldname":
        return True
    flags = [positions[c] for c in ("identifier", "required", "matrix_ranking") if c in positions]
    return any(cells[position].strip() == "NA" for _, cells in rows for position in flags)


# ---------------------------------------------------------------------------------------------
# JSON metadata (the API's format=json)


def _read_json(source: SourceFile) -> DictionaryFile:
    try:
        document = json.loads(decode_text(source))
    except (ValueError, RecursionError, DataFormatError):
        raise _refuse(
            source.name,
            "this file starts like JSON but cannot be read as JSON (it may be cut short); "
            f"give the data dictionary as CSV ({DOWNLOAD_DICTIONARY})",
        ) from None
    if (
        not isinstance(document, list)
        or not document
        or not all(isinstance(entry, dict) for entry in document)
        or "field_name" not in document[0]
    ):
        raise _refuse(
            source.name,
            "this JSON file is not REDCap metadata (a list of fields with field_name, "
            f"form_name, field_type...); give the data dictionary as CSV ({DOWNLOAD_DICTIONARY})",
        )
    api_names = {
        "field_name": "field_name",
        "form_name": "form_name",
        "section_header": "section_header",
        "field_type": "field_type",
        "field_label": "field_label",
        "choices": "select_choices_or_calculations",
        "field_note": "field_note",
        "validation": "text_validation_type_or_show_slider_number",
        "validation_min": "text_validation_min",
        "validation_max": "text_validation_max",
        "identifier": "identifier",
        "branching_logic": "branching_logic",
        "required": "required_field",
        "alignment": "custom_alignment",
        "question_number": "question_number",
        "matrix_group": "matrix_group_name",
        "matrix_ranking": "matrix_ranking",
        "annotation": "field_annotation",
    }
    rows = []
    for number, entry in enumerate(document, start=1):
        values = {
            column: "" if entry.get(name) is None else str(entry.get(name)).strip()
            for column, name in api_names.items()
        }
        rows.append(Row(number=number, **values))
    return DictionaryFile(file=source.name, rows=tuple(rows), headings=dict(api_names))


# ---------------------------------------------------------------------------------------------
# Instrument ZIP


def _instrument_csv(source: SourceFile) -> SourceFile:
    """instrument.csv from a REDCap instrument ZIP, after checking the ZIP is safe to read."""
    damaged = (
        "this ZIP file is damaged or incomplete (it may have been cut short while "
        "downloading); download the instrument ZIP again (in REDCap: Designer > the "
        "instrument's 'Choose action' > 'Download instrument ZIP')"
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(source.data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(source.name, damaged) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise _refuse(
                source.name,
                f"this ZIP holds {len(entries):,} files, far more than a REDCap instrument ZIP "
                "(instrument.csv, OriginID.txt and a few attachments); check it is the right file",
            )
        names = [entry.filename.replace("\\", "/") for entry in entries]
        if "xl/workbook.xml" in names or "[Content_Types].xml" in names:
            raise _refuse(
                source.name,
                "this is an Excel workbook, not a REDCap file; REDCap's data dictionary is a "
                f"CSV file: download it again ({DOWNLOAD_DICTIONARY}), or save this sheet as "
                "'CSV UTF-8'",
            )
        found = [
            entry
            for entry, name in zip(entries, names, strict=True)
            if name.rsplit("/", 1)[-1].casefold() == "instrument.csv" and _safe_name(name)
        ]
        if not found:
            listed = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
            raise _refuse(
                source.name,
                "this ZIP holds no instrument.csv, so it is not a REDCap instrument ZIP "
                f"(it holds: {listed or 'nothing'}); in REDCap: Designer > the instrument's "
                "'Choose action' > 'Download instrument ZIP', or give the data dictionary "
                f"CSV ({DOWNLOAD_DICTIONARY})",
            )
        if len(found) > 1:
            raise _refuse(
                source.name,
                f"this ZIP holds {len(found)} instrument.csv files; a REDCap instrument ZIP "
                "holds one: give one instrument ZIP at a time",
            )
        entry = found[0]
        if entry.file_size > MAX_INSTRUMENT_CSV_BYTES:
            raise _refuse(
                source.name,
                f"instrument.csv expands to {entry.file_size / 1e6:,.0f} MB; imheval reads "
                f"instrument files of up to {MAX_INSTRUMENT_CSV_BYTES / 1e6:,.0f} MB",
            )
        if entry.file_size > _RATIO_EXEMPT_BYTES and entry.file_size > MAX_COMPRESSION_RATIO * max(
            entry.compress_size, 1
        ):
            raise _refuse(
                source.name,
                "instrument.csv is compressed far more than any real dictionary (a 'zip bomb' "
                "is made that way); it was not opened",
            )
        try:
            with archive.open(entry) as member:
                data = member.read(MAX_INSTRUMENT_CSV_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
            # A CRC mismatch, a truncated member, an encrypted member (RuntimeError).
            raise _refuse(source.name, damaged) from None
    if len(data) > MAX_INSTRUMENT_CSV_BYTES:
        raise _refuse(source.name, "instrument.csv is larger than its ZIP entry says; not read")
    return SourceFile(name=f"{source.name} (instrument.csv)", data=data)


def _safe_name(name: str) -> bool:
    """Whether a ZIP entry name is a plain relative path (no drive, root or ``..``)."""
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in name.split("/")


# ---------------------------------------------------------------------------------------------
# Files that are not a data dictionary


def _not_a_dictionary(header: tuple[str, ...], missing: list[str]) -> str:
    names = {fold(cell) for cell in header}
    keys = [_key(cell) for cell in header]
    instead = f"download the data dictionary instead ({DOWNLOAD_DICTIONARY})"
    if {"event_name", "arm_num", "unique_event_name"} <= names:
        return (
            "this is REDCap's list of events (Define My Events), not a data dictionary; "
            f"{instead}. Events are matched to pre, post and follow-up when the records are "
            "converted (--events EVENT=pre)"
        )
    if {"arm_num", "unique_event_name", "form"} <= names:
        return (
            "this is REDCap's instrument-event mapping (Designate Instruments for My Events), "
            f"not a data dictionary; {instead}"
        )
    if "arm_num" in names and len(names) <= 3:
        return f"this is REDCap's list of arms (Define My Events), not a data dictionary; {instead}"
    if {"form_name", "custom_form_label"} <= names:
        return f"this is REDCap's list of repeating instruments, not a data dictionary; {instead}"
    if {"instrument_name", "instrument_label"} <= names:
        return (
            f"this is REDCap's list of instruments (names only), not a data dictionary; {instead}"
        )
    if (
        "redcap_event_name" in names
        or "redcap_repeat_instrument" in names
        or "redcap_survey_identifier" in names
        or any(name.endswith("_complete") for name in names)
        or any("___" in key or "___" in name for key, name in zip(keys, names, strict=True))
    ):
        return (
            "this is a REDCap record export (the answers), not the data dictionary (the "
            f"questions); {instead}, and give this file as the responses to convert"
        )
    wanted = ", ".join(f"'{HEADINGS[column]}'" for column in missing)
    first = ", ".join(f"'{cell}'" for cell in header[:4])
    return (
        f"this is not a REDCap data dictionary: it has no {wanted} column (its first columns "
        f"are {first}); {instead}"
    )


def _xml_message(head: bytes) -> str:
    del head
    return (
        "this is an XML file, not a REDCap data dictionary (a CSV file); download the data "
        f"dictionary ({DOWNLOAD_DICTIONARY})"
    )
