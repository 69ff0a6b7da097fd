"""The shared shapes of an import from another system, and of its options.

Every reader (REDCap, Microsoft Forms, LimeSurvey, FHIR) turns the other system's files into
the same three things:

- :class:`InstrumentImport`: an imheval :class:`~imheval.instruments.Instrument` (validated),
  how each of its questions appears in the source (:class:`AnswerMap`), and what could not be
  carried across (:class:`Omission`: branching logic, calculations it could not read, question
  types imheval does not score);
- :class:`ResponsesImport`: the responses in imheval's tidy layout (docs/data-format.md), with the
  identifying columns that were dropped and the responses that were left out, each with a reason;
- :class:`Conversion`: the two together, which :func:`imheval.interop.convert` returns.

Files come in as :class:`SourceFile` (a name and its bytes), so the web app can pass an upload
and the command line a path. Every problem is a :class:`~imheval.errors.Problem` naming the file
and the row, column, field or element, raised together in one
:class:`~imheval.errors.DataFormatError` (responses) or
:class:`~imheval.errors.InstrumentError` (structure files): nothing is half-imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from imheval.errors import DataFormatError, InstrumentError, Problem
from imheval.instruments import Instrument

#: The largest file an import reads (a REDCap project of 50,000 records is about 60 MB).
MAX_SOURCE_BYTES = 200 * 1024 * 1024


class System(StrEnum):
    """The systems imheval reads from and writes to."""

    REDCAP = "redcap"
    MSFORMS = "msforms"
    LIMESURVEY = "limesurvey"
    FHIR = "fhir"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    System.REDCAP: "REDCap",
    System.MSFORMS: "Microsoft Forms",
    System.LIMESURVEY: "LimeSurvey",
    System.FHIR: "FHIR",
}


@dataclass(frozen=True)
class SourceFile:
    """One file to import: its name as the person knows it (used in every message) and bytes."""

    name: str
    data: bytes

    @classmethod
    def read(cls, path: str | Path) -> SourceFile:
        """The file at ``path``; DataFormatError naming it if it cannot be read or is too big."""
        location = Path(path)
        try:
            size = location.stat().st_size
            if size > MAX_SOURCE_BYTES:
                raise DataFormatError(
                    [
                        Problem(
                            file=location.name,
                            message=f"the file is {size / 1e6:,.0f} MB; imheval reads files of "
                            f"up to {MAX_SOURCE_BYTES / 1e6:,.0f} MB",
                        )
                    ]
                )
            return cls(name=location.name, data=location.read_bytes())
        except IsADirectoryError:
            message = "this is a folder, not a file"
        except FileNotFoundError:
            message = "there is no such file"
        except PermissionError:
            message = "imheval may not read this file (permission denied)"
        except OSError as error:
            message = f"the file cannot be read ({error.strerror or error})"
        raise DataFormatError([Problem(file=str(path), message=message)])


@dataclass(frozen=True)
class Omission:
    """Something in the source that was not carried across (or was left out), in plain words.

    ``where`` names it the way the source does: ``field 'k7'``, ``question 'SE[SQ003]'``,
    ``item '1.2'``, ``column 'Email'``, ``surveys.csv, row 14``.
    """

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class AnswerMap:
    """How one of the instrument's questions appears in the source, and how its answers become
    imheval answers.

    ``source`` is the source's own name for the question: a REDCap field name, a LimeSurvey
    question code (``SE[SQ001]`` for a subquestion), a FHIR linkId, a Forms column title.
    ``codes`` maps each answer as the source writes it (its raw code, and its label where the
    system can export labels) to the imheval answer: an option code of a keyed item, or an
    integer (as text) of a rating item. An open question, or an item whose answers are written
    as they are, has an empty ``codes``: the answer is taken as it is.
    ``columns`` names the source columns that hold the answer when that is not just ``source``:
    a REDCap checkbox option's ``field___code`` column.
    """

    item: str
    source: str
    codes: Mapping[str, str] = field(default_factory=dict)
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnkeyedQuestion:
    """A choice question the source does not score (no calc field, assessment value, ordinal
    value or quiz points says which answer is right). It is left out of the instrument and
    listed, so the person can give its key (``imheval convert --key FIELD=CODE``, or the web
    page's key fields); :func:`imheval.interop.convert.apply_keys` then makes it a keyed item
    with ``item`` as its id, in ``domain``, right after the questions that came before it."""

    item: str
    source: str
    text: str
    domain: str
    options: Mapping[str, str]
    answers: AnswerMap
    #: The id of the instrument question it came after in the source (None: it came first).
    after: str | None = None
    #: The label of ``domain`` (its id when the source gives none), for when keying this
    #: question brings back a domain that had no other question.
    domain_label: str = ""


@dataclass(frozen=True)
class InstrumentImport:
    """An instrument read from another system's structure file (or inferred from an export)."""

    instrument: Instrument
    system: System
    #: One per question of the instrument (scored and open), in the instrument's order.
    answers: tuple[AnswerMap, ...]
    #: What could not be carried across: branching logic, calculations it could not read,
    #: question types imheval does not score, choice questions with no answer key.
    omissions: tuple[Omission, ...] = ()
    #: The source's name of the field holding the self-generated code, when the structure shows
    #: it (a REDCap text field, a LimeSurvey short-text question, a FHIR string item).
    code_field: str | None = None
    #: The source's name of a field holding the cohort, when the structure has one.
    cohort_field: str | None = None
    #: The source's name of a question holding the timepoint, when the structure has one.
    timepoint_field: str | None = None
    #: Source fields that identify people (REDCap's "Identifier?" = y, and the like).
    identifying: tuple[str, ...] = ()
    #: Choice questions the source does not score, left out until someone gives their key.
    unkeyed: tuple[UnkeyedQuestion, ...] = ()
    #: The source's own canonical name of the questionnaire where it has one (a FHIR
    #: Questionnaire's ``url|version``), which responses are checked against.
    canonical: str | None = None

    def answer_map(self, item_id: str) -> AnswerMap:
        """The :class:`AnswerMap` of the item with this imheval id (KeyError if none)."""
        for answer in self.answers:
            if answer.item == item_id:
                return answer
        raise KeyError(item_id)


@dataclass(frozen=True)
class PendingImport:
    """A structure file none of whose questions can be carried until someone gives keys: every
    choice question is unkeyed and there is no rating or open question, so there is no valid
    instrument yet. A reader raises :class:`KeysNeededError` with this; ``apply_keys`` turns it into
    an :class:`InstrumentImport` once at least one question has its key."""

    #: The instrument file's own fields except ``items`` (format, id, version, title,
    #: language, levels, domains, and description where the source has one), in the shape
    #: :func:`imheval.instruments.writer.instrument_to_dict` writes them.
    fields: Mapping[str, Any]
    system: System
    unkeyed: tuple[UnkeyedQuestion, ...]
    omissions: tuple[Omission, ...] = ()
    code_field: str | None = None
    cohort_field: str | None = None
    timepoint_field: str | None = None
    identifying: tuple[str, ...] = ()
    canonical: str | None = None


class KeysNeededError(InstrumentError):
    """Raised by a structure reader when nothing can be carried until keys are given; its
    problems say so (naming the file and the questions), and ``pending`` holds what was read so
    the command line's ``--key`` or the web page's key fields can finish the import."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], pending: PendingImport):
        super().__init__(problems)
        self.pending = pending


@dataclass(frozen=True)
class ResponseOptions:
    """What the person tells an import about their data (the command line's options, the web
    page's fields). Every mapping's keys are compared ignoring case and surrounding spaces."""

    #: Source file name → timepoint (``pre``, ``post``, ``followup``): one file per timepoint.
    timepoints: Mapping[str, str] = field(default_factory=dict)
    #: REDCap unique event name, or the answer of a timepoint question or a FHIR tag code,
    #: → timepoint.
    events: Mapping[str, str] = field(default_factory=dict)
    #: The source field holding the self-generated code (default: see each reader).
    code_field: str | None = None
    #: The source field holding the cohort (default: a field named ``cohort``).
    cohort_field: str | None = None
    #: The cohort of every response when the source has no cohort field.
    cohort: str | None = None
    #: A question or field holding the timepoint (Forms: a question; FHIR: an item linkId).
    timepoint_field: str | None = None
    #: Keep incomplete responses (REDCap ``<form>_complete`` not 2, LimeSurvey blank
    #: ``submitdate``, FHIR status not completed) instead of leaving them out.
    keep_incomplete: bool = False


#: The tidy frame's first columns, in order; item columns (imheval item ids) follow.
TIDY_COLUMNS = ("participant", "cohort", "programme", "timepoint", "directorate", "profession")


@dataclass(frozen=True)
class ResponsesImport:
    """Responses read from another system's export, in imheval's tidy layout."""

    #: One row per response: the :data:`TIDY_COLUMNS`, then one column per question of the
    #: instrument (its imheval id), every value text ("" for blank), in source order.
    frame: pd.DataFrame
    #: Where each row came from: ``(file name, row number)``, the row as a spreadsheet would
    #: number it (header = row 1), or the Bundle entry number for FHIR.
    origins: tuple[tuple[str, int], ...]
    #: The identifying columns dropped (by their name in the source), never stored.
    dropped: tuple[str, ...] = ()
    #: Responses left out (incomplete, no code, an event not mapped to a timepoint), each with
    #: where it was and why.
    left_out: tuple[Omission, ...] = ()
    #: Other things worth knowing, in plain words (e.g. "Total points disagrees with the items'
    #: points in 3 rows; the items' points were used").
    notes: tuple[str, ...] = ()
    #: Per response, whether the source marked it complete (REDCap ``<form>_complete`` = 2,
    #: LimeSurvey submitdate set, FHIR status completed); None where the source has no flag.
    complete: tuple[bool | None, ...] = ()


@dataclass(frozen=True)
class Conversion:
    """An instrument and responses read from another system, ready to analyse or write."""

    structure: InstrumentImport
    responses: ResponsesImport | None
