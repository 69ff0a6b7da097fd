"""Importing responses from REDCap, Microsoft Forms, LimeSurvey or FHIR into a cohort.

The other system's files are converted by the core (:func:`imheval.interop.convert.convert`):
with the structure file the person gives (a REDCap dictionary, a LimeSurvey .lss, a FHIR
Questionnaire), or else with the cohort's own questionnaire (:func:`cohort_instrument`, which the
readers map with :func:`imheval.interop.common.maps_for_instrument`): what an organisation that
collected with imheval's exported questionnaire needs, and what Microsoft Forms always needs.
The reader drops identifying columns (email, name, IP address, token) as it reads; only their
names are kept, to be listed, so nothing identifying is ever written to the database.

The converted rows then take the file import's own road (:mod:`imheval.web.paper.importing`):
written as imheval's tidy table they are checked by :func:`importing.check_file` (codes,
duplicates, answers, timepoints), kept as an :class:`ImportBatch` preview, and imported by
:func:`importing.confirm`, all or nothing, and undone like any import. Before that, the
converted questions must be this cohort's questions: an answer to a question that is not one of
the cohort's questionnaires' questions is a problem (with its file and row), listed with every
problem the check finds, and nothing is imported.

Every problem names the ORIGINAL file and row (or FHIR Bundle entry), through the converted
rows' origins (:attr:`ResponsesImport.origins`), and the question by its name in the source.
The preview shows the mapping (:func:`mapping_of`): each source question and the cohort
question it fills, the cohort's questions left unfilled, the identifying columns dropped, the
responses left out and why, and the reader's notes.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db import transaction

from imheval.errors import DataFormatError, InstrumentError, Problem, list_rows
from imheval.instruments import Instrument, RatingItem
from imheval.interop.convert import convert
from imheval.interop.model import (
    TIDY_COLUMNS,
    Conversion,
    Omission,
    ResponseOptions,
    SourceFile,
    System,
)
from imheval.io import work_size
from imheval.web.paper import importing
from imheval.web.paper.answers import AnswerRule
from imheval.web.paper.models import ImportBatch
from imheval.web.workspace.models import Cohort, Collection, Timepoint

#: The name the converted table is checked under (its messages are put back on the sources).
TIDY_NAME = "converted-responses.csv"
#: The most left-out responses and notes a preview lists (the rest are counted).
MAX_LISTED = 200
#: The longest source question name shown in a message (Forms titles are whole questions).
MAX_SOURCE_NAME = 80
#: The most rows of CSV exports one import reads. The files are converted while the person
#: waits, so that identifying columns are dropped before anything is written to the database
#: (a worker would need the files themselves kept for it). About 2 s per 10,000 REDCap rows; a
#: longitudinal export also has rows of other forms' events, hence twice the file import's
#: :data:`~importing.MAX_ROWS` responses (about 8 s).
MAX_SOURCE_ROWS = 2 * importing.MAX_ROWS
#: The most an import's Excel downloads may unzip to (:func:`imheval.io.work_size`), for the
#: same reason: a Forms download of 20,000 responses to 20 questions unzips to 46 MB and takes
#: 20 s to convert, so 24 MB (about 10,000 such responses) takes about 10 s.
MAX_XLSX_WORK = 24 * 1024 * 1024

_TIMEPOINT_LABELS = dict(Timepoint.choices)

Questionnaires = dict[str, tuple[Collection, dict[str, AnswerRule]]]

#: The command line's options, as the readers' messages name them, and this page's words for
#: them (the readers are shared with ``imheval convert``).
#: A row list in a message of the file import's check (:func:`imheval.errors.list_rows`).
_ROW_LIST = re.compile(r"\((rows? \d+(?:, \d+)*(?: and \d[\d,]*(?: more)?)?)\)")

_PAGE_WORDS = (
    (re.compile(r"\s*\(--from [a-z]+\)"), ""),
    (re.compile(r"--code-field(?: NAME)?"), "the box 'Field that holds the self-generated code'"),
    (re.compile(r"--cohort-field(?: NAME)?"), "the box 'Field that holds the cohort'"),
    (re.compile(r"--timepoint-field(?: NAME)?"), "the box 'Question that asks the timepoint'"),
    (
        re.compile(r"--events(?: [A-Za-z0-9_.-]+=[A-Za-z_-]+)?"),
        "the box 'Events or answers and their timepoints' (for example pre_arm_1 = pre)",
    ),
    (
        re.compile(r"--timepoint(?: [A-Za-z0-9_.-]+=[A-Za-z_-]+)?"),
        "the upload box of the file's timepoint",
    ),
    (re.compile(r"--keep-incomplete"), "'Import incomplete responses too'"),
    (re.compile(r"--structure"), "the structure file box"),
    (re.compile(r"--instrument"), "or leave the structure file out to use this cohort's questions"),
)


def page_words(text: str) -> str:
    """A reader's message with the command line's options named as this page's boxes."""
    if "--" not in text:
        return text
    for option, words in _PAGE_WORDS:
        text = option.sub(words, text)
    return text


def on_the_page(problems: Iterable[Problem]) -> list[Problem]:
    """``problems`` with their messages in this page's words (:func:`page_words`)."""
    return [
        Problem(
            file=p.file,
            message=page_words(p.message),
            row=p.row,
            column=p.column,
            item=p.item,
            field=p.field,
        )
        for p in problems
    ]


# ------------------------------------------------------------------ the cohort's questions


def cohort_instrument(cohort: Cohort, questionnaires: Questionnaires) -> Instrument:
    """The cohort's questionnaire as one instrument: every question its questionnaires ask
    (every timepoint's instruments, every parallel form), as participants read them.

    With one instrument, that instrument. With several (imh-core with imh-advanced-knowledge),
    one instrument holding all their questions, domains and scales (a scale whose name two
    instruments use differently is renamed ``<instrument>.<scale>``): the readers look answers
    up by question id, which a cohort's instruments never share. ``questionnaires`` are the
    cohort's (:func:`importing._questionnaires`, which refuses a cohort with none).
    """
    found: dict[str, Instrument] = {}
    for collection, _ in questionnaires.values():
        for instrument in collection.instruments():
            found.setdefault(instrument.id, instrument)
    instruments = list(found.values())
    if len(instruments) == 1:
        return instruments[0]
    domains: dict[str, Any] = {}
    scales: dict[str, Any] = {}
    questions: dict[str, Any] = {}
    for instrument in instruments:
        renamed: dict[str, str] = {}
        for name, scale in instrument.scales.items():
            if name in scales and scales[name] != scale:
                renamed[name] = f"{instrument.id}.{name}"[:64]
                scales[renamed[name]] = scale
            else:
                scales[name] = scale
        for domain in instrument.domains:
            domains.setdefault(domain.id, domain)
        for question in instrument.questions:
            update: dict[str, Any] = {"form": None}
            if isinstance(question, RatingItem) and question.scale in renamed:
                update["scale"] = renamed[question.scale]
            questions.setdefault(question.id, question.model_copy(update=update))
    return instruments[0].model_copy(
        update={
            "id": f"cohort-{cohort.pk}",
            "title": f"The questionnaires of cohort {cohort.name}",
            "domains": tuple(domains.values()),
            "scales": scales,
            "forms": (),
            "questions": tuple(questions.values()),
        }
    )


def _cohort_questions(questionnaires: Questionnaires) -> dict[str, AnswerRule]:
    """Every question of the cohort's questionnaires (item id → its rule), in asking order."""
    found: dict[str, AnswerRule] = {}
    for _, rules in questionnaires.values():
        for item_id, rule in rules.items():
            found.setdefault(item_id, rule)
    return found


# ------------------------------------------------------------------ the converted files


@dataclass(frozen=True)
class Prepared:
    """Files converted and ready for the file import's check: the tidy table and what is
    needed to put its messages back on the person's files.

    ``table`` is the tidy CSV (the cohort's question columns only); ``origins[i]`` is the
    (file, row) of the table's row i + 2 (the header is row 1); ``columns`` names each table
    column as the source does (a question's field name, the code field); ``problems`` are the
    answers to questions that are not the cohort's; ``mapping`` is what the preview shows.
    """

    system: System
    name: str
    files: tuple[str, ...]
    table: bytes
    origins: tuple[tuple[str, int], ...]
    columns: Mapping[str, str]
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    mapping: Mapping[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.origins)

    def locate(self, problem: Problem) -> Problem:
        """``problem`` (found in the converted table) on the person's own file and row, its
        column named as the source names it."""
        file, row = self.name, problem.row
        if problem.row is not None and 2 <= problem.row < 2 + len(self.origins):
            file, row = self.origins[problem.row - 2]
        elif problem.row is not None:
            row = None  # the converted table's header, which the person never saw
        column = self.columns.get(problem.column, problem.column) if problem.column else None
        message = _ROW_LIST.sub(lambda listed: self._rows_named(listed.group(1)), problem.message)
        return Problem(file=file, message=message, row=row, column=column)

    def _rows_named(self, listed: str) -> str:
        """A row list of the converted table (:func:`imheval.errors.list_rows`: "rows 2, 5
        and 9", "rows 2, 3 ... and 1,200 more") as the original files' rows."""
        numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", listed)]
        more = numbers.pop() if listed.endswith(" more") else 0
        by_file: dict[str, list[int]] = {}
        for number in numbers:
            if not 2 <= number < 2 + len(self.origins):
                return f"({listed})"
            file, row = self.origins[number - 2]
            by_file.setdefault(file, []).append(row)
        named = "; ".join(f"{file} {list_rows(rows)}" for file, rows in by_file.items())
        return f"({named}{f' and {more:,} more' if more else ''})"

    def to_params(self) -> dict[str, Any]:
        """Everything but the table, as JSON for a job (see :meth:`from_params`)."""
        index = {name: position for position, name in enumerate(self.files)}
        return {
            "system": self.system.value,
            "name": self.name,
            "files": list(self.files),
            "origins": [[index.get(file, 0), row] for file, row in self.origins],
            "columns": dict(self.columns),
            "problems": [[p.file, p.row, p.column, p.message] for p in self.problems],
            "notes": list(self.notes),
            "mapping": dict(self.mapping),
        }

    @classmethod
    def from_params(cls, params: Mapping[str, Any], table: bytes) -> Prepared:
        files = tuple(str(name) for name in params["files"])
        return cls(
            system=System(params["system"]),
            name=str(params["name"]),
            files=files,
            table=table,
            origins=tuple((files[int(i)], int(row)) for i, row in params["origins"]),
            columns=dict(params["columns"]),
            problems=tuple(
                Problem(file=f, row=r, column=c, message=m) for f, r, c, m in params["problems"]
            ),
            notes=tuple(params["notes"]),
            mapping=dict(params["mapping"]),
        )


def display_name(sources: Sequence[SourceFile], system: System) -> str:
    """How the import is named on the page and in its list: ``pre.csv and post.csv (REDCap)``."""
    names = [source.name for source in sources]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    suffix = f" ({system.label})"
    limit = 200 - len(suffix)
    if len(listed) > limit:
        listed = listed[: limit - 1] + "…"
    return listed + suffix


def prepare(
    cohort: Cohort,
    system: System,
    sources: Sequence[SourceFile],
    structure: SourceFile | None,
    options: ResponseOptions,
) -> Prepared:
    """Convert the files (with ``structure``, else the cohort's questionnaire) and make the
    tidy table the file import checks. DataFormatError listing every problem the reader found
    (naming the file and row, column, field or element); the answers to questions that are not
    the cohort's are not raised but kept in :attr:`Prepared.problems`, to be listed with the
    check's."""
    name = display_name(sources, system)
    _refuse_too_much_work(sources, name)
    questionnaires = importing._questionnaires(cohort, name)
    try:
        if structure is None:
            instrument = cohort_instrument(cohort, questionnaires)
            conversion = convert(sources, system, instrument=instrument, options=options)
        else:
            conversion = convert(sources, system, structure=structure, options=options)
    except (DataFormatError, InstrumentError) as error:
        raise DataFormatError(on_the_page(error.problems)) from None
    responses = conversion.responses
    if responses is None:  # a reader always reads responses when given exports
        raise DataFormatError([Problem(file=name, message="the files hold no responses")])
    frame = responses.frame
    if not len(frame):
        raise DataFormatError(_nothing_left(name, responses.left_out))
    known = _cohort_questions(questionnaires)
    answers = {answer.item: answer for answer in conversion.structure.answers}
    source_names = {item: _short(answer.source) for item, answer in answers.items()}
    origins = tuple((str(file), int(row)) for file, row in responses.origins)
    items = [column for column in frame.columns if column not in TIDY_COLUMNS]
    strangers = [item for item in items if item not in known]
    problems = _stranger_problems(frame, origins, strangers, source_names, cohort, structure)
    table = _tidy_table(frame, list(known))
    columns = {item: source for item, source in source_names.items() if item in known}
    columns["participant"] = (
        options.code_field or conversion.structure.code_field or "the self-generated code"
    )
    cohort_field = options.cohort_field or conversion.structure.cohort_field
    if cohort_field:
        columns["cohort"] = cohort_field
    notes = _notes(conversion, known, options)
    mapping = mapping_of(conversion, sources, structure, options, questionnaires)
    return Prepared(
        system=system,
        name=name,
        files=tuple(source.name for source in sources),
        table=table,
        origins=origins,
        columns=columns,
        problems=tuple(problems),
        notes=tuple(notes),
        mapping=mapping,
    )


def _csv_rows(data: bytes) -> int:
    """About how many rows below its header a CSV file has (a quoted line break counts)."""
    breaks = data.count(b"\n") or data.count(b"\r")
    return max(0, breaks - (1 if data.endswith((b"\n", b"\r")) else 0))


def _refuse_too_much_work(sources: Sequence[SourceFile], name: str) -> None:
    """DataFormatError when the CSV exports hold more than :data:`MAX_SOURCE_ROWS` rows, or
    the Excel downloads unzip to more than :data:`MAX_XLSX_WORK` bytes."""
    problems = []
    rows = {s.name: _csv_rows(s.data) for s in sources if s.name.lower().endswith(".csv")}
    if sum(rows.values()) > MAX_SOURCE_ROWS:
        listed = ", ".join(f"{file}: {count:,}" for file, count in rows.items())
        problems.append(
            Problem(
                file=name,
                message=f"the exports have {sum(rows.values()):,} rows ({listed}); imheval "
                f"reads at most {MAX_SOURCE_ROWS:,} at a time and imports at most "
                f"{importing.MAX_ROWS:,} responses: export fewer records (for example one "
                "site, or one timepoint, at a time) and import each",
            )
        )
    work = {
        s.name: work_size(io.BytesIO(s.data), s.name) or 0
        for s in sources
        if s.name.lower().endswith(".xlsx")
    }
    if sum(work.values()) > MAX_XLSX_WORK:
        problems.append(
            Problem(
                file=name,
                message=f"the Excel files are {sum(work.values()) / 1e6:,.0f} MB once unzipped; "
                f"imheval reads at most {MAX_XLSX_WORK / 1e6:,.0f} MB of them at a time (about "
                "10,000 responses): open the download in Excel, save its responses in two or "
                "more files (each with the header row), and import each",
            )
        )
    if problems:
        raise DataFormatError(problems)


def _nothing_left(name: str, left_out: Sequence[Omission]) -> list[Problem]:
    """The problems of files whose every response was left out: one saying so, then why."""
    problems = [
        Problem(
            file=name,
            message="no response is left to import: every one was left out, for the reasons listed"
            if left_out
            else "the files hold no responses",
        )
    ]
    for omission in left_out[:MAX_LISTED]:
        problems.append(
            Problem(file=name, message=f"{page_words(omission.message)} ({omission.where})")
        )
    return problems


def _short(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MAX_SOURCE_NAME else flat[: MAX_SOURCE_NAME - 1] + "…"


def _stranger_problems(
    frame: pd.DataFrame,
    origins: Sequence[tuple[str, int]],
    strangers: Sequence[str],
    source_names: Mapping[str, str],
    cohort: Cohort,
    structure: SourceFile | None,
) -> list[Problem]:
    """One problem per question that is not the cohort's and per file where it is answered:
    its first row, and the rows it is answered in."""
    problems = []
    advice = (
        "check that this is the right cohort, and that the structure file is the one this "
        "cohort's questionnaire was made from (or leave it out to read the export with this "
        "cohort's own questions)"
        if structure is not None
        else "check that this is the right cohort"
    )
    for item in strangers:
        answered = (frame[item].astype(str).str.strip() != "").to_numpy()
        rows_by_file: dict[str, list[int]] = {}
        for position in answered.nonzero()[0]:
            file, row = origins[int(position)]
            rows_by_file.setdefault(file, []).append(row)
        source = source_names.get(item, item)
        for file, rows in rows_by_file.items():
            problems.append(
                Problem(
                    file=file,
                    row=rows[0],
                    column=source,
                    message=f"the question '{source}' (read as '{item}') is not a question of "
                    f"cohort {cohort.name}'s questionnaires, so its answers ({list_rows(rows)}) "
                    f"cannot be imported: {advice}",
                )
            )
    return problems


def _tidy_table(frame: pd.DataFrame, items: Sequence[str]) -> bytes:
    """The converted rows as imheval's tidy CSV: the reserved columns, then every question of
    the cohort (blank where the source has no such question)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = list(TIDY_COLUMNS) + list(items)
    writer.writerow(columns)
    present = [column for column in columns if column in frame.columns]
    values = frame[present].astype(str).to_numpy().tolist() if len(frame) else []
    if len(present) == len(columns):
        writer.writerows(values)
    else:
        positions = [present.index(column) if column in present else -1 for column in columns]
        writer.writerows([[row[p] if p >= 0 else "" for p in positions] for row in values])
    return out.getvalue().encode("utf-8")


def _notes(
    conversion: Conversion, known: Mapping[str, AnswerRule], options: ResponseOptions
) -> list[str]:
    """The reader's notes, and what the person should know before importing."""
    responses = conversion.responses
    assert responses is not None
    notes = [page_words(note) for note in responses.notes]
    for unkeyed in conversion.structure.unkeyed:
        if unkeyed.item in known:
            notes.append(
                f"The structure file gives no answer key for '{_short(unkeyed.source)}', so "
                f"its answers are not read, though it is this cohort's question "
                f"{known[unkeyed.item].name}: leave the structure file out to read them with "
                "this cohort's own questions."
            )
    if options.keep_incomplete:
        incomplete = sum(1 for flag in responses.complete if flag is False)
        if incomplete:
            notes.append(
                f"{incomplete:,} response{' is' if incomplete == 1 else 's are'} marked "
                "incomplete in the source and imported, as asked."
            )
    return notes


def mapping_of(
    conversion: Conversion,
    sources: Sequence[SourceFile],
    structure: SourceFile | None,
    options: ResponseOptions,
    questionnaires: Questionnaires,
) -> dict[str, Any]:
    """What the preview shows of the conversion, as JSON (kept until the person confirms):
    the files and their timepoints, each source question and the cohort question it fills (with
    its timepoints and how many answers it has), the cohort's questions no response answers at
    a timepoint that has responses, the identifying columns dropped, the responses left out and
    why, and what the structure file holds that could not be carried."""
    responses = conversion.responses
    assert responses is not None
    frame = responses.frame
    labels = _TIMEPOINT_LABELS
    asked: dict[str, list[str]] = {}
    for timepoint, (_, rules) in questionnaires.items():
        for item_id in rules:
            asked.setdefault(item_id, []).append(str(labels[timepoint]))
    known = _cohort_questions(questionnaires)
    questions = []
    for answer in conversion.structure.answers:
        rule = known.get(answer.item)
        count = (
            int((frame[answer.item].astype(str).str.strip() != "").sum())
            if answer.item in frame.columns
            else 0
        )
        questions.append(
            {
                "source": _short(answer.source),
                "item": answer.item,
                "question": rule.name if rule else "",
                "text": _short(rule.text) if rule else "",
                "timepoints": asked.get(answer.item, []),
                "answers": count,
            }
        )
    not_filled = []
    for timepoint, (_, rules) in questionnaires.items():
        at = frame[frame["timepoint"] == timepoint]
        if not len(at):
            continue
        missing = [
            rule.name
            for item_id, rule in rules.items()
            if item_id not in at.columns or not (at[item_id].astype(str).str.strip() != "").any()
        ]
        if missing:
            not_filled.append({"timepoint": str(labels[timepoint]), "questions": missing})
    omissions = [page_words(str(omission)) for omission in conversion.structure.omissions]
    counts = Counter(str(t) for t in frame["timepoint"]) if len(frame) else Counter()
    return {
        "system": conversion.structure.system.value,
        "files": [
            {
                "name": source.name,
                "timepoint": str(labels[t]) if (t := options.timepoints.get(source.name)) else "",
            }
            for source in sources
        ],
        "structure": structure.name if structure is not None else "",
        "events": [[name, str(labels[t])] for name, t in options.events.items() if t in labels],
        "timepoint_field": options.timepoint_field or conversion.structure.timepoint_field or "",
        "code_field": options.code_field or conversion.structure.code_field or "",
        "questions": questions,
        "not_filled": not_filled,
        "dropped": list(responses.dropped),
        "left_out": [
            {"where": omission.where, "message": page_words(omission.message)}
            for omission in responses.left_out[:MAX_LISTED]
        ],
        "left_out_count": len(responses.left_out),
        "omissions": omissions[:MAX_LISTED],
        "omission_count": len(omissions),
        "counts": [
            [str(label), counts[value]] for value, label in Timepoint.choices if counts[value]
        ],
    }


# ------------------------------------------------------------------ check, confirm


class _RefusedError(Exception):
    """Rolls back a preview the check saved when the converted questions had problems."""


def checked_in_background(prepared: Prepared) -> bool:
    """Whether the converted table is checked by a worker: it is larger than the file
    import's :data:`~importing.BACKGROUND_CHECK_BYTES`, as a file of that size would be."""
    return len(prepared.table) > importing.BACKGROUND_CHECK_BYTES


def check(cohort: Cohort, prepared: Prepared, user: Any) -> ImportBatch:
    """The file import's check of the converted rows: a saved preview batch whose rows name
    their original file and row, or DataFormatError listing every problem (the converted
    questions' and the check's, on the person's files and rows); nothing is kept then."""
    problems = list(prepared.problems)
    batch: ImportBatch | None = None
    try:
        with transaction.atomic():
            batch = importing.check_file(cohort, TIDY_NAME, [prepared.table], user)
            if problems:
                raise _RefusedError
            _name_the_origins(batch, prepared)
    except DataFormatError as error:
        problems.extend(prepared.locate(problem) for problem in error.problems)
    except _RefusedError:
        pass
    if problems:
        order = {name: position for position, name in enumerate(prepared.files)}
        raise DataFormatError(
            sorted(
                problems,
                key=lambda p: (order.get(p.file, -1), p.row or 0, p.column or "", p.message),
            )
        )
    assert batch is not None
    return batch


def _name_the_origins(batch: ImportBatch, prepared: Prepared) -> None:
    """Each preview row with its original file and row (``file``, ``line``; ``row`` stays the
    converted table's, which the file import's confirm names), the import's name, and the
    reader's notes among the preview's notes."""
    for row in batch.rows:
        file, line = prepared.origins[int(row["row"]) - 2]
        row["file"], row["line"] = file, line
    batch.file_name = prepared.name[:250]
    batch.warnings = list(batch.warnings) + list(prepared.notes)
    batch.save(update_fields=["rows", "file_name", "warnings"])


def origins_of(batch: ImportBatch) -> dict[int, tuple[str, int]]:
    """The preview's converted rows → their original (file, row)."""
    return {
        int(row["row"]): (str(row["file"]), int(row["line"]))
        for row in batch.rows
        if "file" in row and "line" in row
    }


#: The file import's confirm names these columns of the converted table; the person's names.
_CONFIRM_COLUMNS = {"participant": "the self-generated code"}


def relocate(problems: Iterable[Problem], origins: Mapping[int, tuple[str, int]]) -> list[Problem]:
    """The file import's ``problems`` (rows of the converted table) on the original files."""
    located = []
    for problem in problems:
        file, row = problem.file, problem.row
        if row is not None and row in origins:
            file, row = origins[row]
        column = _CONFIRM_COLUMNS.get(problem.column or "", problem.column)
        located.append(Problem(file=file, message=problem.message, row=row, column=column))
    return located


def confirm(batch: ImportBatch, user: Any) -> ImportBatch:
    """Import the preview (:func:`importing.confirm`: all, or none); its problems (a code
    saved meanwhile) name the original file and row."""
    origins = origins_of(batch)
    try:
        return importing.confirm(batch, user)
    except DataFormatError as error:
        raise DataFormatError(relocate(error.problems, origins)) from None


def refusal(count: int) -> str:
    """What a person is told when files with ``count`` problems imported nothing."""
    problems = "1 problem" if count == 1 else f"{count:,} problems"
    return (
        f"The files have {problems}, so nothing was imported: correct "
        f"{'it' if count == 1 else 'them'} (in the files, or in your answers below) and upload "
        "the files again."
    )


def for_job_page(problems: Sequence[Problem], several_files: bool) -> DataFormatError:
    """``problems`` for a job's page, which lists row, column and message only: with several
    files, each message starts with its file."""
    if not several_files:
        return DataFormatError(list(problems))
    return DataFormatError(
        [
            Problem(file=p.file, row=p.row, column=p.column, message=f"in {p.file}: {p.message}")
            for p in problems
        ]
    )
