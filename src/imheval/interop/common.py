"""Helpers every reader shares: decoding text files, reading CSV rows with the row numbers a
person sees, making imheval ids from other systems' names, spotting identifying columns,
reading timepoint words, and building the tidy frame.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from imheval.errors import DataFormatError, Problem
from imheval.instruments import Instrument, KeyedItem, RatingItem
from imheval.interop.model import TIDY_COLUMNS, AnswerMap, InstrumentImport, SourceFile, System

_BOM = b"\xef\xbb\xbf"

#: The longest cell a CSV may hold (csv's default, 128 KB, is shorter than a long notes field
#: or a LimeSurvey question with embedded HTML can be).
MAX_CELL_CHARS = 16 * 1024 * 1024


def decode_text(source: SourceFile) -> str:
    """The file's text: UTF-8 (a byte-order mark is dropped), else Windows-1252 (what Excel
    writes on UK machines). Line endings are left as they are (CSV reading handles CR-only,
    CRLF and LF). DataFormatError naming the file if it holds NUL bytes (a binary file)."""
    data = source.data
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:65536]:
        raise DataFormatError(
            [
                Problem(
                    file=source.name,
                    message="this is not a text file (it holds binary data); "
                    "export it again as CSV, or check you chose the right file",
                )
            ]
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class CsvRows:
    """A CSV file's header and rows. ``rows`` pairs each record with the row number a
    spreadsheet shows (header = row 1; a quoted value spanning lines is one row). Blank records
    (every cell empty) are left out. Every record is padded with "" to the header's width."""

    file: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]

    def column(self, name: str) -> int | None:
        """The position of the column named ``name`` (case and surrounding spaces ignored)."""
        wanted = fold(name)
        for position, title in enumerate(self.header):
            if fold(title) == wanted:
                return position
        return None


def read_csv_rows(source: SourceFile, *, delimiter: str | None = None) -> CsvRows:
    """The CSV file's header and rows (see :class:`CsvRows`).

    The delimiter is sniffed among comma, semicolon and tab unless given. A record with more
    cells than the header is a problem naming its row; DataFormatError lists every such row.
    """
    text = decode_text(source)
    if delimiter is None:
        first = text.split("\n", 1)[0].split("\r", 1)[0]
        counts = {d: first.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    if csv.field_size_limit() < MAX_CELL_CHARS:
        csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as error:
        # the physical line csv stopped on; rows are counted as a spreadsheet counts them
        row = len(records) + 1
        detail = str(error)
        if "field larger than field limit" in detail:
            detail = (
                f"a cell is longer than {MAX_CELL_CHARS // (1024 * 1024)} million characters "
                "(often a quote mark that is never closed, so the rest of the file is one cell)"
            )
        raise DataFormatError(
            [
                Problem(
                    file=source.name,
                    row=row,
                    message=f"this is not a readable CSV file from this row on: {detail}",
                )
            ]
        ) from None
    if not records or not any(cell.strip() for cell in records[0]):
        raise DataFormatError([Problem(file=source.name, message="the file is empty")])
    header = tuple(cell.strip() for cell in records[0])
    width = len(header)
    rows: list[tuple[int, tuple[str, ...]]] = []
    problems: list[Problem] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            problems.append(
                Problem(
                    file=source.name,
                    row=number,
                    message=f"this row has {len(record)} cells but the header has {width}",
                )
            )
            continue
        rows.append((number, tuple(record[:width]) + ("",) * (width - len(record))))
    if problems:
        raise DataFormatError(problems)
    return CsvRows(file=source.name, header=header, rows=tuple(rows))


def fold(text: str) -> str:
    """``text`` for comparing names: case folded, runs of whitespace one space, trimmed."""
    return " ".join(str(text).split()).casefold()


_NOT_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def make_identifier(name: str, taken: set[str] | None = None) -> str:
    """An imheval id (a letter, then letters, digits, ``_ . -``; at most 64) made from another
    system's name: ``SE[SQ001]`` → ``SE_SQ001``, ``/44261-6`` → ``q44261-6``, ``1.1`` →
    ``q1.1``. With ``taken``, a name already used gets ``_2``, ``_3`` ... and the result is
    added to ``taken``. The same names in the same order always give the same ids."""
    base = _NOT_ID.sub("_", name.strip()).strip("_.-") or "q"
    if not base[0].isalpha() or not base.isascii():
        base = "q" + base
    base = base[:64]
    if taken is None:
        return base
    candidate, number = base, 2
    while candidate.casefold() in {t.casefold() for t in taken}:
        suffix = f"_{number}"
        candidate, number = base[: 64 - len(suffix)] + suffix, number + 1
    taken.add(candidate)
    return candidate


#: Names of columns and fields that identify a person, compared after :func:`fold` and with
#: ``_``/``-`` as spaces. A column whose name is one of these, or starts with one followed by a
#: space, is dropped on import.
IDENTIFYING_NAMES = (
    "email",
    "e mail",
    "email address",
    "e mail address",
    "name",
    "full name",
    "first name",
    "firstname",
    "last name",
    "lastname",
    "surname",
    "forename",
    "given name",
    "family name",
    "ip",
    "ipaddr",
    "ip address",
    "token",
    "phone",
    "telephone",
    "mobile",
    "address",
    "postcode",
    "nhs number",
    "date of birth",
    "dob",
    "redcap survey identifier",
    "mrn",
    "ssn",
    "birth date",
    "nhs no",
    "chi number",
    "hospital number",
)

#: Names that end in an identifying word but name a group, not a person ("cohort name",
#: "team name"): they are not dropped.
_GROUP_WORDS = (
    "cohort",
    "programme",
    "program",
    "course",
    "team",
    "service",
    "organisation",
    "organization",
    "trust",
    "group",
    "event",
    "form",
    "instrument",
    "survey",
)


def _words(text: str) -> str:
    """``text`` folded, with punctuation, ``_`` and ``-`` as spaces: "What is your e-mail?"
    gives "what is your e mail"."""
    return fold(re.sub(r"[\W_]+", " ", str(text)))


def is_identifying(name: str) -> bool:
    """Whether a column or field named ``name`` identifies a person (see
    :data:`IDENTIFYING_NAMES`): ``Email``, ``e-mail``, ``ipaddr``, ``First name``, ``token``,
    and names that end in one (``demo_last_name``, ``next_of_kin_contact_address``,
    ``patient_mrn``, "What is your name?") unless they name a group (``cohort_name``, ``team
    name``). Punctuation is ignored."""
    words = _words(name)
    if not words:
        return False
    if any(words == known or words.startswith(known + " ") for known in IDENTIFYING_NAMES):
        return True
    if words.split(" ", 1)[0] in _GROUP_WORDS:
        return False
    return any(words.endswith(" " + known) for known in IDENTIFYING_NAMES)


#: Phrases in a question's text that ask for something identifying.
_IDENTIFYING_PHRASES = (
    "your name",
    "your full name",
    "your first name",
    "your surname",
    "your last name",
    "your email",
    "your e mail",
    "email address",
    "e mail address",
    "your phone",
    "your telephone",
    "your mobile",
    "phone number",
    "telephone number",
    "mobile number",
    "your address",
    "home address",
    "your postcode",
    "your date of birth",
    "date of birth",
    "nhs number",
    "ip address",
    "name of the participant",
    "participant name",
    "patient name",
)


def is_identifying_question(name: str, text: str = "") -> bool:
    """Whether a question identifies a person, by its name (:func:`is_identifying`) or by what
    its text asks ("What is your name?", "Your e-mail address", "Date of birth"). A text that
    asks for a code ("the first two letters of your mother's first name and ...: your code")
    is the self-generated code's question, not an identifying one: readers decide the code
    field first and never ask this of it."""
    if is_identifying(name):
        return True
    words = _words(text)
    if not words or "code" in words.split():
        return False
    if is_identifying(words) and len(words.split()) <= 4:
        return True  # a short label that is itself an identifying name: "Name", "E-mail"
    padded = f" {words} "
    return any(f" {phrase} " in padded for phrase in _IDENTIFYING_PHRASES)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def looks_like_email(value: str) -> bool:
    """Whether ``value`` holds an e-mail address."""
    return bool(_EMAIL.search(value))


def without_emails(value: str) -> str:
    """``value`` with every e-mail address in it replaced by "[e-mail address removed]"."""
    return _EMAIL.sub("[e-mail address removed]", value)


#: The fewest and most points an unscored choice list may have to be taken as a rating scale.
SCALE_POINTS = (3, 11)


def shared_scale(codes: Sequence[str], questions: int, *, scored_elsewhere: bool) -> bool:
    """Whether an UNSCORED choice list is a rating scale (the same rule in every system): its
    codes are consecutive integers (in either order), it has 3 to 11 points (so yes/no and
    two-option lists never are), it is used by 2 or more questions (a Likert battery), and no
    question using it is keyed or used in a calculation the reader could not read
    (``scored_elsewhere``: then the list is answer options of knowledge questions that a
    calculation scores, not a scale). A matrix group or ordinal values that run with the codes
    are the source saying it is a scale, and do not need this."""
    if scored_elsewhere or questions < 2:
        return False
    try:
        values = sorted(int(code) for code in codes)
    except ValueError:
        return False
    if any(str(int(code)) != code.strip() for code in codes):
        return False
    low, high = SCALE_POINTS
    if not low <= len(values) <= high:
        return False
    return values == list(range(values[0], values[0] + len(values)))


_TIMEPOINT_WORDS = {
    "pre": "pre",
    "before": "pre",
    "baseline": "pre",
    "post": "post",
    "after": "post",
    "followup": "followup",
    "follow up": "followup",
    "follow-up": "followup",
    "follow_up": "followup",
}


def timepoint_word(text: str) -> str | None:
    """``pre``, ``post`` or ``followup`` for a word a person typed (case ignored: ``Pre``,
    ``follow-up``, ``before``, ``after``, ``baseline``), else None."""
    return _TIMEPOINT_WORDS.get(fold(text))


def lookup(mapping: Mapping[str, str], key: str) -> str | None:
    """``mapping[key]`` comparing keys with :func:`fold`, else None."""
    wanted = fold(key)
    for name, value in mapping.items():
        if fold(name) == wanted:
            return value
    return None


def maps_for_instrument(instrument: Instrument, system: System) -> InstrumentImport:
    """An :class:`InstrumentImport` for an imheval instrument as the source names its questions
    and answers when nothing was renamed: each question's source name is its id (its text for
    Microsoft Forms, whose columns are headed by question text), and a keyed item's answers are
    its option codes or their labels (a rating's, its numbers or the scale's labels).

    Where a label is written the same as another option's code (option ``a`` labelled "b",
    option ``b`` labelled "c"), the code wins, except for Microsoft Forms, whose downloads hold
    the labels people chose: there the label wins. REDCap, LimeSurvey and FHIR rename ids and
    codes on export; :func:`imheval.interop.convert.structure_for_instrument` gives their
    mapping. Used to read responses captured with imheval's questionnaire, and by the web
    import, whose cohorts already have their instrument."""
    labels_first = system is System.MSFORMS
    answers = []
    for question in instrument.questions:
        source = question.text if system is System.MSFORMS else question.id
        pairs: list[tuple[str, str]] = []  # (answer as written, imheval answer)
        if isinstance(question, KeyedItem):
            pairs = [(code, code) for code in question.options]
            named = [(label, code) for code, label in question.options.items()]
            pairs = named + pairs if labels_first else pairs + named
        elif isinstance(question, RatingItem):
            scale = instrument.scales[question.scale]
            numbers = [(str(v), str(v)) for v in range(scale.min, scale.max + 1)]
            named = [(label, str(v)) for v, label in scale.labels.items() if label]
            pairs = named + numbers if labels_first else numbers + named
        codes: dict[str, str] = {}
        for written, answer in pairs:
            codes.setdefault(written, answer)
        answers.append(AnswerMap(item=question.id, source=source, codes=codes))
    return InstrumentImport(instrument=instrument, system=system, answers=tuple(answers))


def tidy_frame(records: Iterable[Mapping[str, str]], item_ids: Sequence[str]) -> pd.DataFrame:
    """The tidy frame of ``records`` (each maps column name → text): :data:`TIDY_COLUMNS` then
    ``item_ids``, every value text, "" where a record has none."""
    columns = list(TIDY_COLUMNS) + [i for i in item_ids if i not in TIDY_COLUMNS]
    rows = [[str(record.get(column, "") or "") for column in columns] for record in records]
    return pd.DataFrame(rows, columns=columns, dtype=object)
