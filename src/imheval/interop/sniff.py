"""Which system a file came from, guessed from its first bytes and its header.

People pick the wrong file, or the wrong system, more often than a file is malformed: a
LimeSurvey export given as REDCap, the data dictionary given as the records, REDCap's event
list given as an export. The readers would then report a puzzling problem ("no column matches
the dictionary"); :func:`sniff_system` lets :func:`imheval.interop.convert` say instead "this
looks like a LimeSurvey response export; choose LimeSurvey (--from limesurvey)".

The guess is deliberately conservative: it names a system only on signs no other system's files
carry (REDCap's ``Variable / Field Name`` and ``redcap_event_name``, LimeSurvey's
``<LimeSurveyDocType>`` and ``submitdate``/``lastpage``/``startlanguage``, FHIR's
``resourceType``, the Microsoft Forms metadata block ``ID, Start time, Completion time``), and
says nothing (None) otherwise, so a file it does not know is left to the reader. Nothing is
parsed beyond the header, except a JSON file (to find a Bundle's resources, whose keys may come
in any order), and nothing in a ZIP is unpacked beyond the first row of a workbook's sheet.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum

from imheval.interop.common import fold
from imheval.interop.model import SourceFile, System

_BOM = b"\xef\xbb\xbf"
#: How much of a text file is looked at for its header.
_HEAD_BYTES = 65536
#: JSON files up to this size are parsed to see which resources a Bundle holds; larger ones are
#: judged from their first ``resourceType``.
_JSON_PARSE_LIMIT = 50 * 1024 * 1024


class Role(StrEnum):
    """What a file is for."""

    #: The questions: a data dictionary, a survey structure, a Questionnaire.
    STRUCTURE = "structure"
    #: The answers: a record export, a response export, QuestionnaireResponses, a Forms download.
    RESPONSES = "responses"
    #: Another of the system's files that imheval does not read (an event list, an archive...).
    OTHER = "other"


@dataclass(frozen=True)
class Sniff:
    """What a file looks like: its system, its role, a description ("a REDCap data dictionary")
    and, for a file imheval does not read (or reads only in part), what to give instead."""

    system: System
    role: Role
    description: str
    advice: str = ""


def sniff_system(source: SourceFile) -> Sniff | None:
    """What ``source`` looks like, or None when nothing in it names a system for sure."""
    data = source.data
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    head = data[:_HEAD_BYTES]
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    stripped = head.lstrip()
    if stripped.startswith(b"<"):
        return _sniff_xml(stripped.decode("utf-8", errors="replace"))
    if stripped.startswith((b"{", b"[")):
        return _sniff_json(data)
    if b"\x00" in head:
        return None
    text = head.decode("utf-8", errors="replace")
    return _sniff_header(_first_record(text))


# ---------------------------------------------------------------------------------------------
# ZIP files: a REDCap instrument ZIP, a LimeSurvey archive, an Excel workbook


def _sniff_zip(data: bytes) -> Sniff | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [info.filename for info in archive.infolist()]
            if any(name.rsplit("/", 1)[-1] == "instrument.csv" for name in names):
                return Sniff(System.REDCAP, Role.STRUCTURE, "a REDCap instrument ZIP")
            if any(name.lower().endswith(".lss") for name in names):
                return Sniff(
                    System.LIMESURVEY,
                    Role.OTHER,
                    "a LimeSurvey survey archive (.lsa)",
                    "unzip it and give the .lss file inside as the structure; export the "
                    "responses as CSV (Responses > Export > Export responses)",
                )
            if "xl/workbook.xml" in names:
                return _sniff_header(_first_sheet_row(data))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        return None
    return None


def _first_sheet_row(data: bytes) -> list[str]:
    """The first row of a workbook's first sheet, as text (empty if it cannot be read)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for row in sheet.iter_rows(max_row=1, values_only=True):
                return ["" if value is None else str(value) for value in row]
        finally:
            workbook.close()
    except Exception:  # a guess: any workbook that cannot be read is simply not known
        return []
    return []


# ---------------------------------------------------------------------------------------------
# XML: LimeSurvey .lss/.lsg, FHIR XML, REDCap's project XML (CDISC ODM, read as a structure)

_LIMESURVEY_DOC = re.compile(r"<LimeSurveyDocType>\s*(\w+)\s*</LimeSurveyDocType>")
_FIRST_ELEMENT = re.compile(r"<([A-Za-z][\w.-]*:)?([A-Za-z][\w.-]*)[\s/>]")


def _sniff_xml(text: str) -> Sniff | None:
    kind = _LIMESURVEY_DOC.search(text)
    if kind is not None:
        if kind.group(1).casefold() == "group":
            return Sniff(System.LIMESURVEY, Role.STRUCTURE, "a LimeSurvey question group (.lsg)")
        return Sniff(System.LIMESURVEY, Role.STRUCTURE, "a LimeSurvey survey structure (.lss)")
    root = _root_element(text)
    if root == "ODM" and ("projectredcap.org" in text or 'SourceSystem="REDCap"' in text):
        # Its metadata is read as the structure (like the data dictionary); records it may
        # hold (ClinicalData) are not: those are read from a CSV export.
        return Sniff(
            System.REDCAP,
            Role.STRUCTURE,
            "a REDCap project XML (CDISC ODM)",
            "imheval reads its questions, not its records: export the records as "
            "'CSV / Microsoft Excel (raw data)' (Data Exports, Reports, and Stats)",
        )
    if "http://hl7.org/fhir" in text and root is not None:
        return _fhir_resource(root, "FHIR", " (XML)")
    return None


def _root_element(text: str) -> str | None:
    """The name of the first element that is not the XML declaration, a comment or a DTD."""
    body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text, flags=re.DOTALL)
    found = _FIRST_ELEMENT.search(body)
    return found.group(2) if found else None


# ---------------------------------------------------------------------------------------------
# JSON: FHIR resources


def _sniff_json(data: bytes) -> Sniff | None:
    if len(data) <= _JSON_PARSE_LIMIT:
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        if not isinstance(document, dict):
            return None
        kind = document.get("resourceType")
        if kind == "Bundle":
            inner = {
                entry.get("resource", {}).get("resourceType")
                for entry in document.get("entry") or []
                if isinstance(entry, dict) and isinstance(entry.get("resource"), dict)
            }
            if "QuestionnaireResponse" in inner:
                return _fhir_resource("QuestionnaireResponse", "a FHIR Bundle of")
            if "Questionnaire" in inner:
                return _fhir_resource("Questionnaire", "a FHIR Bundle holding")
            return None
        return _fhir_resource(kind, "FHIR") if isinstance(kind, str) else None
    found = re.search(rb'"resourceType"\s*:\s*"(\w+)"', data[:_HEAD_BYTES])
    return _fhir_resource(found.group(1).decode("ascii"), "FHIR") if found else None


def _fhir_resource(kind: str, prefix: str, suffix: str = "") -> Sniff | None:
    if kind == "Questionnaire":
        return Sniff(System.FHIR, Role.STRUCTURE, f"{_article(prefix)} Questionnaire{suffix}")
    if kind == "QuestionnaireResponse":
        plural = "s" if "Bundle" in prefix else ""
        return Sniff(
            System.FHIR,
            Role.RESPONSES,
            f"{_article(prefix)} QuestionnaireResponse{plural}{suffix}",
        )
    if kind == "Bundle":
        return Sniff(System.FHIR, Role.RESPONSES, f"{_article(prefix)} Bundle{suffix}")
    return None


def _article(prefix: str) -> str:
    return prefix if prefix.startswith("a ") else f"a {prefix}"


# ---------------------------------------------------------------------------------------------
# CSV and tab-separated text, and a workbook's first row


def _first_record(text: str) -> list[str]:
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    # The header may hold a quoted line break (rare): read a few records and take the first.
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return next(reader, [])
    except csv.Error:
        return first.split(delimiter)


_REDCAP_DICTIONARY_FIRST = {"variable / field name", "field_name"}
_LIMESURVEY_SYSTEM = {"submitdate", "lastpage", "startlanguage", "startdate", "datestamp"}
_LIMESURVEY_SYSTEM_TEXT = {"response id", "date submitted", "last page", "start language"}
#: The Forms download's second and third columns (start and completion time) in the languages
#: seen in real downloads and in other projects' code (English, French, Spanish, Japanese).
_FORMS_TIMES = {
    ("start time", "completion time"),
    ("heure de début", "heure de fin"),
    ("hora de inicio", "hora de finalización"),
    ("開始時刻", "完了時刻"),
}
_CHECKBOX_COLUMN = re.compile(r"^[a-z][a-z0-9_]*___[a-z0-9_.-]+$")


def _sniff_header(cells: list[str]) -> Sniff | None:
    header = [fold(cell.lstrip("\ufeff")) for cell in cells]
    if not any(header):
        return None
    names = set(header)
    if header[0] in _REDCAP_DICTIONARY_FIRST and names & {"form name", "form_name"}:
        return Sniff(System.REDCAP, Role.STRUCTURE, "a REDCap data dictionary")
    if len(names & _LIMESURVEY_SYSTEM) >= 2 or len(names & _LIMESURVEY_SYSTEM_TEXT) >= 3:
        return Sniff(System.LIMESURVEY, Role.RESPONSES, "a LimeSurvey response export")
    if header[:3] in (["class", "type/scale", "name"], ["id", "related_id", "class"]):
        # Read like the .lss (the LimeSurvey reader takes both).
        return Sniff(
            System.LIMESURVEY,
            Role.STRUCTURE,
            "LimeSurvey's tab-separated survey structure (.txt)",
        )
    redcap_other = _redcap_design_file(names)
    if redcap_other is not None:
        return redcap_other
    if (
        "redcap_event_name" in names
        or "redcap_repeat_instrument" in names
        or "redcap_survey_identifier" in names
        or any(name.endswith("_complete") for name in header)
        or sum(1 for name in header if _CHECKBOX_COLUMN.match(name)) >= 2
    ):
        return Sniff(System.REDCAP, Role.RESPONSES, "a REDCap record export")
    if len(header) >= 5 and header[0] == "id" and (header[1], header[2]) in _FORMS_TIMES:
        return Sniff(System.MSFORMS, Role.RESPONSES, "a Microsoft Forms download")
    return None


def _redcap_design_file(names: set[str]) -> Sniff | None:
    if {"event_name", "arm_num", "unique_event_name"} <= names:
        what = "REDCap's list of events"
    elif {"arm_num", "unique_event_name", "form"} <= names:
        what = "REDCap's instrument-event mapping (instrument designations)"
    elif names == {"arm_num", "name"}:
        what = "REDCap's list of arms"
    else:
        return None
    return Sniff(
        System.REDCAP,
        Role.OTHER,
        what,
        "imheval does not need it: give the record export, and say which event is which "
        "timepoint with --events EVENT=pre (or a two-column file: event, timepoint)",
    )
