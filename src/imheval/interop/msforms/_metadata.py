"""The columns Microsoft Forms writes before the questions, recognised by position and content
in any language, and the questions after them (with a quiz's points and feedback columns).

Every Forms download starts with the same block, headed in the form owner's language:

=========================  =====================================================================
column                     what it holds
=========================  =====================================================================
ID                         the response number: whole numbers (1, 2, 3 ...; gaps where
                           responses were deleted)
Start time                 a date-time
Completion time            a date-time
Email                      the respondent's address, or ``anonymous`` (in the owner's language)
Name                       the respondent's name, or blank
Last modified time         (newer downloads) a date-time, blank unless the response was edited
Total points               (a quiz) a number
Quiz feedback              (a quiz) the owner's feedback, usually blank
Grade posted time          (some quizzes) a date-time or blank
=========================  =====================================================================

then one column per question headed by its full text; a quiz adds ``Points - <question>`` and
``Feedback - <question>`` after each question (the prefixes are localised too).

Matching the block by name fails twice over: the names are translated, and a question may be
called "Email" or "Name" (Forms then heads it ``Email2`` or ``Name2``, or not at all). So the
block is recognised by POSITION, and each column is accepted when its title is one imheval knows
(:data:`KNOWN_HEADERS`) OR its content fits (whole numbers for ID, date-times for the times,
addresses or one repeated word for Email, text for Name, numbers for Total points). A column whose
title is unknown AND whose content does not fit is a problem naming the column and saying what
was expected. A quiz question's companions are recognised by structure, not by name: a column
whose title ends with ``" - "`` and the previous question's title.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from imheval.errors import DataFormatError, Problem
from imheval.interop.common import fold
from imheval.interop.msforms._read import Table
from imheval.io._cells import column_letter


class Role(StrEnum):
    """A column of Forms' metadata block, by its English title."""

    ID = "ID"
    START = "Start time"
    COMPLETION = "Completion time"
    EMAIL = "Email"
    NAME = "Name"
    LAST_MODIFIED = "Last modified time"
    TOTAL_POINTS = "Total points"
    QUIZ_FEEDBACK = "Quiz feedback"
    GRADE_POSTED = "Grade posted time"


#: Metadata titles by language, each seen in a real Forms download or in another project's code
#: that reads real downloads (English throughout; French, Spanish, German and Japanese as
#: listed; French downloads keep "Total points" and "Quiz feedback" in English). Recognition
#: does not depend on them: a title not listed is accepted when its column's content fits.
KNOWN_HEADERS: Mapping[str, Mapping[Role, str]] = {
    "en": {
        Role.ID: "ID",
        Role.START: "Start time",
        Role.COMPLETION: "Completion time",
        Role.EMAIL: "Email",
        Role.NAME: "Name",
        Role.LAST_MODIFIED: "Last modified time",
        Role.TOTAL_POINTS: "Total points",
        Role.QUIZ_FEEDBACK: "Quiz feedback",
        Role.GRADE_POSTED: "Grade posted time",
    },
    "fr": {
        Role.ID: "ID",
        Role.START: "Heure de début",
        Role.COMPLETION: "Heure de fin",
        Role.EMAIL: "Adresse de messagerie",
        Role.NAME: "Nom",
        Role.LAST_MODIFIED: "Heure de la dernière modification",
    },
    "es": {
        Role.ID: "Id",
        Role.START: "Hora de inicio",
        Role.COMPLETION: "Hora de finalización",
        Role.EMAIL: "Correo electrónico",
        Role.NAME: "Nombre",
    },
    "de": {
        Role.ID: "ID",
        Role.START: "Startzeit",
        Role.COMPLETION: "Fertigstellungszeit",
        Role.EMAIL: "E-Mail",
        Role.NAME: "Name",
    },
    "ja": {
        Role.ID: "ID",
        Role.START: "開始時刻",
        Role.COMPLETION: "完了時刻",
        Role.EMAIL: "メール",
        Role.NAME: "名前",
        Role.LAST_MODIFIED: "最終変更時刻",
    },
}

#: The imheval language tag of each language above (the instrument's language when inferred).
LANGUAGE_TAGS: Mapping[str, str] = {"en": "en-GB", "fr": "fr", "es": "es", "de": "de", "ja": "ja"}

_OPTIONAL = (Role.LAST_MODIFIED, Role.TOTAL_POINTS, Role.QUIZ_FEEDBACK, Role.GRADE_POSTED)

_EXPECTED: Mapping[Role, tuple[str, str]] = {
    Role.ID: ("response number (ID)", "whole numbers: 1, 2, 3 ..."),
    Role.START: ("start time", "dates and times"),
    Role.COMPLETION: ("completion time", "dates and times"),
    Role.EMAIL: ("Email column", "e-mail addresses, or the word 'anonymous' in every row"),
    Role.NAME: ("Name column", "people's names, or nothing"),
}

_INTEGER = re.compile(r"\d+")
_DATE = r"\d{1,4}\s?[./\-年]\s?\d{1,2}\s?[./\-月]\s?\d{1,4}日?"
_TIME = r"(?:[^\d\s]{1,4}\s?)?\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[^\d\s]{1,5})?"
_DATETIME = re.compile(rf"{_DATE}(?:(?:T|\s+|,\s*){_TIME})?\s*(?:Z|[+-]\d{{2}}:?\d{{2}})?")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")  # an Excel date serial saved as a number (1954-2173)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Question:
    """A question column, and its quiz companions' positions (None when there are none)."""

    title: str
    column: int
    points: int | None = None
    feedback: int | None = None


@dataclass(frozen=True)
class Export:
    """One Forms download: its table, where each metadata column is, and its questions."""

    table: Table
    metadata: Mapping[Role, int]
    questions: tuple[Question, ...]
    #: The language of the metadata titles when imheval knows them (a key of KNOWN_HEADERS).
    language: str | None = None

    @property
    def file(self) -> str:
        return self.table.file

    @property
    def quiz(self) -> bool:
        """Whether the download is a quiz's (it has points columns or a Total points column)."""
        return Role.TOTAL_POINTS in self.metadata or any(
            q.points is not None for q in self.questions
        )

    def title(self, role: Role) -> str | None:
        """The title the download gives a metadata column, None when it has none."""
        column = self.metadata.get(role)
        return None if column is None else self.table.header[column]


def recognise(table: Table) -> Export:
    """The download's metadata block and questions (see the module docstring).

    DataFormatError naming the file and each column of the block that is neither titled as
    imheval knows nor holds what that column holds.
    """
    header = table.header
    width = len(header)
    if width < 5 or not any(title.strip() for title in header[5:]):
        raise DataFormatError(
            [
                Problem(
                    file=table.file,
                    message=f"the file has {_count(width, 'column')} and no question after the "
                    "fifth; a Microsoft Forms download starts with ID, Start time, Completion "
                    "time, Email and Name, then one column per question. Download the "
                    "responses again from Forms (Responses > Open results in Excel)",
                )
            ]
        )
    metadata: dict[Role, int] = {}
    problems: list[Problem] = []
    required: list[Role] = [Role.ID, Role.START, Role.COMPLETION]
    if _known_role(header[3], _OPTIONAL) is None:
        required += [Role.EMAIL, Role.NAME]
    for position, expected in enumerate(required):
        if _known_role(header[position], (expected,)) is None and not _fits(
            table, position, expected
        ):
            problems.append(_misfit(table, position, expected))
        metadata[expected] = position
    if problems:
        raise DataFormatError(problems)
    position = len(required)
    quiz = _has_triplets(header) or any(
        _known_role(title, (Role.TOTAL_POINTS,)) is not None for title in header
    )
    previous = required[-1]
    while position < width:
        found = _optional_role(table, position, quiz, metadata, previous)
        if found is None:
            break
        metadata[found] = position
        previous = found
        position += 1
    return Export(
        table=table,
        metadata=metadata,
        questions=_questions(header, position),
        language=_language(header, metadata),
    )


def is_datetime(text: str) -> bool:
    """Whether a cell reads as a date-time in any of the ways a download or a re-saved CSV
    writes one: ``2020-05-22T17:58:08``, ``3/4/25 9:12:40``, ``22.05.2020 17:58``,
    ``2020年5月22日 17:58``, ``5/22/2020 5:58:08 PM``, or an Excel serial such as ``43973.75``."""
    value = text.strip()
    if _SERIAL.fullmatch(value):
        return 20_000 <= float(value) < 100_000
    return _DATETIME.fullmatch(value) is not None


def is_number(text: str) -> bool:
    """Whether a cell is a number (``10``, ``0.5``, ``-1``)."""
    try:
        float(text.strip().replace(",", "."))
    except ValueError:
        return False
    return True


def looks_like_email(text: str) -> bool:
    """Whether a cell is an e-mail address."""
    return _EMAIL.fullmatch(text.strip()) is not None


def is_companion(title: str, question: str) -> bool:
    """Whether ``title`` is a quiz companion of ``question``: ``Points - <question>``,
    ``Feedback - <question>``, or the same in another language (any prefix, then " - ")."""
    mine, theirs = fold(title), fold(question)
    return bool(theirs) and len(mine) > len(theirs) + 3 and mine.endswith(" - " + theirs)


def _known_role(title: str, roles: Sequence[Role]) -> Role | None:
    wanted = fold(title)
    for names in KNOWN_HEADERS.values():
        for role in roles:
            name = names.get(role)
            if name is not None and fold(name) == wanted:
                return role
    return None


def _fits(table: Table, column: int, role: Role) -> bool:
    return _first_misfit(table, column, role) is None


def _first_misfit(table: Table, column: int, role: Role) -> tuple[int, str] | None:
    """The first cell (row number, text) that a column of ``role`` could not hold."""
    word: str | None = None  # the one word an anonymous form writes in Email
    for number, text in table.values(column):
        value = text.strip()
        if role is Role.ID:
            fits = _INTEGER.fullmatch(value) is not None
        elif role in (Role.START, Role.COMPLETION):
            fits = is_datetime(value)
        elif role is Role.EMAIL:
            if looks_like_email(value):
                continue
            word = value if word is None else word
            fits = value == word and not is_number(value) and not is_datetime(value)
        else:  # Role.NAME
            fits = not (is_number(value) or is_datetime(value))
        if not fits:
            return number, value
    return None


def _misfit(table: Table, column: int, role: Role) -> Problem:
    what, expected = _EXPECTED[role]
    title = table.header[column]
    named = f"its title '{title}' is not one imheval knows" if title else "it has no title"
    found = _first_misfit(table, column, role)
    holds = f" and row {found[0]} holds {_kind(found[1])}" if found is not None else ""
    return Problem(
        file=table.file,
        column=title or column_letter(column),
        message=f"column {column_letter(column)} should be Microsoft Forms' {what}, column "
        f"{column + 1} of every Forms download ({expected}), but {named}{holds}. This does "
        "not look like a Forms download: download the responses again from Forms (Responses > "
        "Open results in Excel) and give imheval that file, without adding, removing or "
        "moving columns",
    )


def _kind(text: str) -> str:
    """What a cell holds, in words (never the value: it may be an address or a name)."""
    value = text.strip()
    if looks_like_email(value):
        return "an e-mail address"
    if _INTEGER.fullmatch(value):
        return "a whole number"
    if is_datetime(value):
        return "a date and time"
    if is_number(value):
        return "a number"
    return "text"


def _optional_role(
    table: Table, position: int, quiz: bool, metadata: Mapping[Role, int], previous: Role
) -> Role | None:
    """The optional metadata column at ``position`` after Name, None when the questions start."""
    free = [role for role in _OPTIONAL if role not in metadata]
    title = table.header[position]
    known = _known_role(title, free)
    if known is not None:
        return known
    if _starts_question(table.header, position):
        return None
    values = [text for _, text in table.values(position)]
    if quiz and Role.TOTAL_POINTS in free and values and all(is_number(v) for v in values):
        return Role.TOTAL_POINTS
    if quiz and previous is Role.TOTAL_POINTS and Role.QUIZ_FEEDBACK in free:
        return Role.QUIZ_FEEDBACK
    # A blank column straight after Name or the quiz's columns is Last modified time (blank
    # until someone edits a response) or Grade posted time: a question there that nobody
    # answered would carry nothing anyway.
    blank_after = previous in (Role.NAME, Role.QUIZ_FEEDBACK, Role.GRADE_POSTED)
    if (values and all(is_datetime(v) for v in values)) or (not values and blank_after):
        for role in (Role.LAST_MODIFIED, Role.GRADE_POSTED):
            if role in free:
                return role
    return None


def _starts_question(header: Sequence[str], position: int) -> bool:
    return position + 1 < len(header) and is_companion(header[position + 1], header[position])


def _has_triplets(header: Sequence[str]) -> bool:
    return any(_starts_question(header, position) for position in range(len(header)))


def _questions(header: Sequence[str], start: int) -> tuple[Question, ...]:
    questions: list[Question] = []
    position = start
    while position < len(header):
        title = header[position].strip()
        if not title:
            position += 1
            continue
        companions: list[int] = []
        ahead = position + 1
        while len(companions) < 2 and ahead < len(header) and is_companion(header[ahead], title):
            companions.append(ahead)
            ahead += 1
        questions.append(
            Question(
                title=title,
                column=position,
                points=companions[0] if companions else None,
                feedback=companions[1] if len(companions) > 1 else None,
            )
        )
        position = ahead
    return tuple(questions)


def _language(header: Sequence[str], metadata: Mapping[Role, int]) -> str | None:
    """The language whose titles name most of the block (Start and Completion time decide
    between languages that share a word such as "Name")."""
    best, best_score = None, 0
    for language, names in KNOWN_HEADERS.items():
        score = sum(
            (2 if role in (Role.START, Role.COMPLETION) else 1)
            for role, column in metadata.items()
            if role in names and fold(names[role]) == fold(header[column])
        )
        if score > best_score:
            best, best_score = language, score
    return best


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
