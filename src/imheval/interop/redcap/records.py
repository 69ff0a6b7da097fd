"""Reading REDCap flat record exports into imheval responses.

An export comes from Data Exports, Reports, and Stats > All data > Export Data, as "CSV /
Microsoft Excel (raw data)" (codes) or "CSV / Microsoft Excel (labels)" (option labels, and
field labels as headers). It has one row per record, event and repeat instance; see
:mod:`._rec_columns` for its columns and :mod:`._rec_values` for its values.

Two designs give pre/post data, and both are read:

- **one record with events** (a longitudinal project): each record has a row per event; the
  person says which event is which timepoint (``--events pre_arm_1=pre`` or a mapping file,
  :func:`read_event_mapping`), or the timepoints are read from event names that start with a
  timepoint word (``pre_arm_1``, ``baseline_arm_1``, ``post_arm_1``, ``follow_up_arm_1``);
- **two separate anonymous surveys** (a pre project and a post project, or one survey exported
  twice): one file per timepoint (``--timepoint pre.csv=pre``), linked by the self-generated code.

The participant is the self-generated code: the field named with ``--code-field``, else the
dictionary's code field, else the one column whose name contains "code". Only where there is
none, and one record carries every event, is the record id used (and the import says so); a
record's code, cohort, programme, directorate and profession may sit at another event than its
answers (an enrolment form), and are taken from there.

Rows are left out, each with its reason: rows that answer none of the instrument's questions
(in a longitudinal export most events' rows hold other forms: a note, not an error), rows of
another repeating form, rows whose event maps to no timepoint, rows whose form is marked
Incomplete or Unverified (unless incomplete responses are kept), rows with no code. A repeat
instance of the instrument's own form is a response of its own. The same code twice at one
timepoint is left to imheval's own reader, which reports it with the rows.

Dropped, never stored: identifying columns (the dictionary's "Identifier?" fields, names such
as email, name, phone, and ``redcap_survey_identifier``) and the record id unless it is the
code. Not carried: the data access group (unless named as the cohort field), survey timestamps,
and every column that is not a question of the instrument (listed in the notes).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from imheval.errors import DataFormatError, Problem, list_rows
from imheval.interop.common import decode_text, fold, read_csv_rows, tidy_frame, timepoint_word
from imheval.interop.model import (
    InstrumentImport,
    Omission,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
)
from imheval.interop.redcap._rec_columns import CONTEXT, ColumnPlan, ItemColumns, plan_columns
from imheval.interop.redcap._rec_events import (
    EVENTS_OPTION,
    checked_events,
    event_lookup,
    event_timepoints,
    listed,
    read_mapping_file,
)
from imheval.interop.redcap._rec_values import integral, looks_like_date, status, tick

__all__ = ["read_event_mapping", "read_records"]

#: A number with a decimal point or comma, or a time of day (not a code).
_NUMBER = re.compile(r"[+-]?(?:\d+[.,]?\d*|[.,]\d+)|\d{1,2}:\d{2}(?::\d{2})?")

#: How the option naming one file's timepoint is named in messages.
TIMEPOINT_OPTION = "--timepoint"


def read_records(
    sources: Sequence[SourceFile], structure: InstrumentImport, options: ResponseOptions
) -> ResponsesImport:
    """The responses in REDCap flat record exports (raw codes or labels, field-name or label
    headers), read with the instrument from the project's data dictionary.

    Every file is read; every problem in any of them (columns that do not match the
    dictionary, repeated columns, rows wider than the header, an event or timepoint that cannot
    be read, no code field) is raised together in one DataFormatError and nothing is imported.
    """
    if not sources:
        raise DataFormatError(
            [Problem(file="(no file)", message="no REDCap record export was given")]
        )
    problems: list[Problem] = []
    events, event_problems = checked_events(options.events)
    problems += event_problems
    file_timepoints, timepoint_problems, notes = _file_timepoints(options.timepoints, sources)
    problems += timepoint_problems
    files: list[_FileResult] = []
    for source in sources:
        try:
            files.append(
                _read_file(
                    source, structure, options, events, _timepoint_of(source, file_timepoints)
                )
            )
        except DataFormatError as error:
            problems += error.problems
    if problems:
        raise DataFormatError(problems)

    item_ids = [q.id for q in structure.instrument.questions]
    records = [record for result in files for record in result.records]
    for result in files:
        notes += result.notes
    if not records:
        notes.append("no response was kept: see the rows left out")
    return ResponsesImport(
        frame=tidy_frame(records, item_ids),
        origins=tuple(origin for result in files for origin in result.origins),
        dropped=tuple(dict.fromkeys(name for result in files for name in result.dropped)),
        left_out=tuple(omission for result in files for omission in result.left_out),
        notes=tuple(dict.fromkeys(notes)),
        complete=tuple(flag for result in files for flag in result.complete),
    )


def read_event_mapping(source: SourceFile) -> dict[str, str]:
    """A mapping file: REDCap unique event name → timepoint (``pre``, ``post``, ``followup``).

    A CSV with an event column (headed ``event``, ``unique_event_name`` or
    ``redcap_event_name``) and a ``timepoint`` column; timepoint words are read as imheval
    reads them (``Pre``, ``baseline``, ``follow-up``). REDCap's own instrument-event mapping
    (``arm_num, unique_event_name, form``, from Project Setup > Define My Events > Designate
    Instruments for My Events > Download) has no timepoint column: its events are taken as the
    timepoint their name starts with (``pre_arm_1`` → pre), and the others are left out.
    DataFormatError naming each row's problem (a blank event, a word that is not a timepoint,
    an event given two timepoints).
    """
    return read_mapping_file(source)


@dataclass
class _FileResult:
    records: list[dict[str, str]] = field(default_factory=list)
    origins: list[tuple[str, int]] = field(default_factory=list)
    complete: list[bool | None] = field(default_factory=list)
    left_out: list[Omission] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    cells: tuple[str, ...]
    answers: dict[str, str]
    #: The statuses of the forms this row answers (position → cell).
    statuses: dict[int, str]
    #: Whether anything in the row answers the instrument: an unticked checkbox does not (REDCap
    #: writes 0 for every box of a form that was never filled in).
    answered: bool

    @property
    def blank(self) -> bool:
        return not self.answered


@dataclass
class _Tally:
    """What the rows of one file showed, for the notes."""

    several_ticks: dict[str, list[int]] = field(default_factory=dict)
    odd_ticks: dict[str, list[int]] = field(default_factory=dict)


def _file_timepoints(
    given: Mapping[str, str], sources: Sequence[SourceFile]
) -> tuple[dict[str, str], list[Problem], list[str]]:
    checked: dict[str, str] = {}
    problems: list[Problem] = []
    notes: list[str] = []
    names = {fold(s.name) for s in sources} | {fold(PurePath(s.name).name) for s in sources}
    for name, value in given.items():
        timepoint = timepoint_word(value)
        if timepoint is None:
            problems.append(
                Problem(
                    file=TIMEPOINT_OPTION,
                    message=f"'{name}={value}': '{value}' is not a timepoint; use pre, post or "
                    "followup",
                )
            )
            continue
        checked[name] = timepoint
        if fold(name) not in names and fold(PurePath(name).name) not in names:
            notes.append(f"{TIMEPOINT_OPTION} names '{name}', which is not one of the files read")
    return checked, problems, notes


def _timepoint_of(source: SourceFile, file_timepoints: Mapping[str, str]) -> str | None:
    for name, timepoint in file_timepoints.items():
        if fold(name) in (fold(source.name), fold(PurePath(source.name).name)):
            return timepoint
        if fold(PurePath(name).name) == fold(PurePath(source.name).name):
            return timepoint
    return None


def _header_only(source: SourceFile) -> tuple[str, ...] | None:
    """The header row of a file whose rows cannot all be read (to report its column problems
    together with the rows' problems)."""
    try:
        text = decode_text(source)
        first = next(csv.reader(io.StringIO(text, newline="")), None)
    except (DataFormatError, csv.Error):
        return None
    return tuple(cell.strip() for cell in first) if first else None


def _read_file(
    source: SourceFile,
    structure: InstrumentImport,
    options: ResponseOptions,
    events: Mapping[str, str],
    file_timepoint: str | None,
) -> _FileResult:
    try:
        table = read_csv_rows(source)
    except DataFormatError as error:
        problems = list(error.problems)
        header = _header_only(source)
        if header and any(header):
            problems += plan_columns(header, structure, options, source.name)[1]
        raise DataFormatError(problems) from None
    plan, problems = plan_columns(table.header, structure, options, source.name)
    if plan is None:
        raise DataFormatError(problems)
    result = _FileResult(notes=list(plan.notes), dropped=list(plan.dropped))
    tally = _Tally()
    rows = [_parse_row(number, cells, plan, tally) for number, cells in table.rows]
    answering = _answering_rows(rows, plan, source.name, result)
    problems = []
    try:
        timepoints = _row_timepoints(answering, plan, events, file_timepoint, source.name, result)
    except DataFormatError as error:
        problems += error.problems
        timepoints = [None] * len(answering)
    if events and plan.event is not None and file_timepoint is None:
        everywhere = {_cell(row, plan.event) for row in rows}
        unseen = [e for e in events if not any(event_lookup({e: e}, seen) for seen in everywhere)]
        if unseen:
            result.notes.append(
                f"{source.name}: {EVENTS_OPTION} names event(s) with no row in this export: "
                f"{listed(unseen)}"
            )
    use_record_id = plan.code == plan.record_id or (
        plan.code is None and _one_record_every_event(answering, timepoints, plan)
    )
    if plan.code is None and not use_record_id and not (problems and plan.event is not None):
        # (When the events could not be read, the record id may yet link them: wait.)
        problems.append(_no_code_problem(plan, rows, source.name))
    if problems:
        raise DataFormatError(problems)
    if plan.code == plan.record_id:
        result.notes.append(
            f"{source.name}: the record id ('{plan.name(0)}') is the participant code, as asked"
        )
    elif use_record_id:
        result.notes.append(
            f"{source.name}: no field holds a self-generated code, so the record id "
            f"('{plan.name(0)}') links each record's events; it is kept as the participant code"
        )
    else:
        result.dropped.insert(0, plan.name(0))
    borrowed = _record_values(rows, plan)
    _emit(answering, timepoints, plan, options, borrowed, use_record_id, source.name, result)
    _tally_notes(plan, tally, source.name, result)
    return result


def _parse_row(number: int, cells: tuple[str, ...], plan: ColumnPlan, tally: _Tally) -> _Row:
    answers: dict[str, str] = {}
    statuses: dict[int, str] = {}
    answered = False
    for item in plan.items:
        answer = _answer(item, cells, number, tally)
        answers[item.item] = answer
        if answer and not (
            item.option_box and item.cell is not None and not tick(cells[item.cell])
        ):
            answered = True
            for position in item.status:
                statuses[position] = cells[position]
    return _Row(number, cells, answers, statuses, answered)


def _answer(item: ItemColumns, cells: tuple[str, ...], number: int, tally: _Tally) -> str:
    if item.cell is not None:
        return item.reader.read(cells[item.cell])
    ticked = []
    for position, code in item.boxes:
        state = tick(cells[position])
        if state is None:
            tally.odd_ticks.setdefault(item.item, []).append(number)
        elif state:
            ticked.append(code)
    if len(ticked) > 1:
        tally.several_ticks.setdefault(item.item, []).append(number)
    return ";".join(ticked)


def _answering_rows(
    rows: list[_Row], plan: ColumnPlan, file: str, result: _FileResult
) -> list[_Row]:
    """The rows that answer the instrument; notes on the others (other forms' repeat
    instances, and rows of events where the instrument was not filled in)."""
    other_forms: dict[str, list[int]] = {}
    blank: list[_Row] = []
    kept: list[_Row] = []
    instances = 0
    for row in rows:
        repeat = _cell(row, plan.repeat_instrument)
        if repeat and plan.forms and fold(repeat) not in plan.forms:
            other_forms.setdefault(repeat, []).append(row.number)
        elif row.blank:
            blank.append(row)
        else:
            kept.append(row)
            instances += bool(_cell(row, plan.repeat_instance))
    for form, numbers in other_forms.items():
        result.notes.append(
            f"{file}: {_rows_are(numbers)} repeat instances of the form '{form}', which "
            "holds none of the instrument's questions; left out"
        )
    if blank:
        said = _rows_are([row.number for row in blank], "answers", "answer")
        if plan.event is not None:
            events = listed(dict.fromkeys(e for row in blank if (e := _cell(row, plan.event))))
            why = (
                f" (events: {events}): left out (a longitudinal export has a row for every "
                "event, with the fields of forms not filled in at that event blank)"
            )
        else:
            why = ": left out (the form was not filled in)"
        result.notes.append(f"{file}: {said} none of the instrument's questions{why}")
    if instances:
        result.notes.append(
            f"{file}: {instances} response(s) are repeat instances (redcap_repeat_instance); "
            "each was read as a response of its own"
        )
    return kept


def _rows_are(numbers: Sequence[int], one: str = "is", several: str = "are") -> str:
    """``row 4 is`` or ``rows 4 and 9 are`` (the verb agreeing with the rows)."""
    return f"{list_rows(numbers)} {one if len(numbers) == 1 else several}"


def _cell(row: _Row, position: int | None) -> str:
    return row.cells[position].strip() if position is not None else ""


def _row_timepoints(
    rows: list[_Row],
    plan: ColumnPlan,
    events: Mapping[str, str],
    file_timepoint: str | None,
    file: str,
    result: _FileResult,
) -> list[str | None]:
    """Each row's timepoint: the file's (``--timepoint``), else its event's, else its answer to
    the timepoint question. DataFormatError when none can be had at all."""
    if file_timepoint is not None:
        return [file_timepoint] * len(rows)
    if plan.event is not None:
        return _event_timepoints(rows, plan.event, events, file, result)
    if plan.timepoint_field is not None:
        return _field_timepoints(rows, plan.timepoint_field, plan, events, file)
    raise DataFormatError(
        [
            Problem(
                file=file,
                message="there is no timepoint: the export has no events (redcap_event_name) "
                "and no timepoint field; say which timepoint this file holds with "
                f"{TIMEPOINT_OPTION} {file}=pre (or post, followup)",
            )
        ]
    )


def _event_timepoints(
    rows: list[_Row],
    position: int,
    events: Mapping[str, str],
    file: str,
    result: _FileResult,
) -> list[str | None]:
    seen = [row.cells[position].strip() for row in rows if row.cells[position].strip()]
    mapping = event_timepoints(seen, events)
    mapped = mapping.mapped
    if seen and not mapped:
        shown = listed(dict.fromkeys(seen))
        if events:
            message = (
                f"none of the events given with {EVENTS_OPTION} ({listed(events)}) is in this "
                f"export (its events: {shown}); give each event's timepoint with "
                f"{EVENTS_OPTION} EVENT=TIMEPOINT"
            )
        else:
            message = (
                f"no event's name says its timepoint (events: {shown}); give each event's "
                f"timepoint with {EVENTS_OPTION} EVENT=TIMEPOINT, e.g. {EVENTS_OPTION} "
                f"{seen[0]}=pre, or a mapping file"
            )
        raise DataFormatError([Problem(file=file, message=message)])
    if mapping.guessed and mapped:
        said = ", ".join(f"{event} → {tp}" for event, tp in mapped.items())
        result.notes.append(
            f"{file}: timepoints were read from the event names ({said}); give "
            f"{EVENTS_OPTION} EVENT=TIMEPOINT to set them yourself"
        )
    return [mapping.timepoints.get(row.cells[position].strip()) for row in rows]


def _field_timepoints(
    rows: list[_Row],
    position: int,
    plan: ColumnPlan,
    events: Mapping[str, str],
    file: str,
) -> list[str | None]:
    values = [row.cells[position].strip() for row in rows]
    found = [
        (event_lookup(events, value) if events else None) or timepoint_word(value)
        for value in values
    ]
    if values and not any(found):
        raise DataFormatError(
            [
                Problem(
                    file=file,
                    column=plan.name(position),
                    message="no answer of the timepoint field is a timepoint (answers: "
                    f"{listed(dict.fromkeys(v for v in values if v))}); give each with "
                    f"{EVENTS_OPTION} ANSWER=TIMEPOINT, e.g. {EVENTS_OPTION} 1=pre",
                )
            ]
        )
    return found


def _one_record_every_event(
    rows: list[_Row], timepoints: list[str | None], plan: ColumnPlan
) -> bool:
    """Whether one record carries several timepoints (a longitudinal project), so that the
    record id can link them."""
    if plan.event is None:
        return False
    seen: dict[str, set[str]] = {}
    for row, timepoint in zip(rows, timepoints, strict=True):
        if timepoint is not None:
            seen.setdefault(_cell(row, plan.record_id), set()).add(timepoint)
    return any(len(points) > 1 for points in seen.values())


def _no_code_problem(plan: ColumnPlan, rows: list[_Row], file: str) -> Problem:
    """No code column: a problem listing the columns holding text that could be a code (not
    blank throughout, not only numbers or dates)."""
    texts = []
    for name in plan.code_candidates:
        position = plan.header.index(name)
        values = [v for row in rows if (v := _cell(row, position))]
        if values and not all(
            integral(v) or _NUMBER.fullmatch(v) or looks_like_date(v) for v in values
        ):
            texts.append(name)
    found = f"columns holding text: {listed(texts)}" if texts else "no other column holds text"
    return Problem(
        file=file,
        message="no column holds the self-generated code (no field's name contains 'code'); "
        f"name it with --code-field NAME ({found})",
    )


def _record_values(rows: list[_Row], plan: ColumnPlan) -> dict[tuple[str, str], str]:
    """Per record, the one value each record-level field (code, cohort, programme, ...) has
    across its rows: such a field may be on a form done at another event."""
    fields = {"code": plan.code, "cohort": plan.cohort, **plan.context}
    values: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        record = _cell(row, plan.record_id)
        for name, position in fields.items():
            value = _cell(row, position)
            if value:
                values.setdefault((record, name), set()).add(value)
    return {key: next(iter(found)) for key, found in values.items() if len(found) == 1}


def _emit(
    rows: list[_Row],
    timepoints: list[str | None],
    plan: ColumnPlan,
    options: ResponseOptions,
    borrowed: Mapping[tuple[str, str], str],
    use_record_id: bool,
    file: str,
    result: _FileResult,
) -> None:
    """The records of the rows kept, and an Omission for each row left out."""
    took_code = 0
    codes_like_dates: list[int] = []
    unknown_status: dict[str, list[int]] = {}
    context_seen: dict[str, set[str]] = {name: set() for name in plan.context}
    for row, timepoint in zip(rows, timepoints, strict=True):
        where = f"{file}, row {row.number}"
        if timepoint is None:
            result.left_out.append(Omission(where, _no_timepoint(row, plan)))
            continue
        flag, said = _complete(row, plan, unknown_status)
        if flag is False and not options.keep_incomplete:
            result.left_out.append(
                Omission(
                    where,
                    f"the form is marked {said}, so this response was left out; keep "
                    "incomplete responses (--keep-incomplete) to include it",
                )
            )
            continue
        record = _cell(row, plan.record_id)
        if use_record_id:
            code = record
        else:
            code = _own_or_record(row, plan.code, borrowed, record, "code")
            took_code += bool(code) and not _cell(row, plan.code)
        if not code:
            column = plan.name(plan.record_id if use_record_id else plan.code or 0)
            result.left_out.append(
                Omission(
                    where,
                    f"no self-generated code (column '{column}' is blank), so this response "
                    "cannot be matched and was left out",
                )
            )
            continue
        if looks_like_date(code):
            codes_like_dates.append(row.number)
        cohort = _own_or_record(row, plan.cohort, borrowed, record, "cohort")
        cohort = cohort or options.cohort or ""
        record_out = {"participant": code, "cohort": cohort, "timepoint": timepoint}
        for name in CONTEXT:
            record_out[name] = _own_or_record(row, plan.context.get(name), borrowed, record, name)
            if record_out[name] and name in context_seen:
                context_seen[name].add(record_out[name])
        record_out.update(row.answers)
        result.records.append(record_out)
        result.origins.append((file, row.number))
        result.complete.append(flag)
    if took_code:
        result.notes.append(
            f"{file}: {took_code} response(s) took their code from another row of the same "
            "record (the code field is on a form done at another event)"
        )
    if codes_like_dates:
        result.notes.append(
            f"{file}: the codes in {list_rows(codes_like_dates)} look like dates; a spreadsheet "
            "may have changed them when the file was opened and saved; check them in REDCap, "
            "or export again and give imheval the file without opening it"
        )
    for name, seen in context_seen.items():
        if not plan.labels and seen and all(v.isdigit() for v in seen):
            result.notes.append(
                f"{file}: column '{plan.name(plan.context[name])}' holds codes "
                f"({listed(sorted(seen, key=int))}), not names; export with labels "
                "('CSV / Microsoft Excel (labels)') to carry its names"
            )
    for cell, numbers in unknown_status.items():
        result.notes.append(
            f"{file}: the form status '{cell}' in {list_rows(numbers)} is not one REDCap "
            "writes (0, 1, 2 or Incomplete, Unverified, Complete); read as unknown"
        )


def _own_or_record(
    row: _Row,
    position: int | None,
    borrowed: Mapping[tuple[str, str], str],
    record: str,
    name: str,
) -> str:
    """The row's own value of a record-level field, else the record's one value of it."""
    return _cell(row, position) or borrowed.get((record, name), "")


def _no_timepoint(row: _Row, plan: ColumnPlan) -> str:
    if plan.event is not None:
        event = _cell(row, plan.event)
        if not event:
            return "the event (redcap_event_name) is blank, so this response was left out"
        return (
            f"event '{event}' is not mapped to a timepoint, so this response was left out; "
            f"to include it, give {EVENTS_OPTION} {event}=pre (or post, followup)"
        )
    answer = _cell(row, plan.timepoint_field)
    if not answer:
        return "the timepoint field is blank, so this response was left out"
    return (
        f"the timepoint field's answer '{answer}' is not a timepoint, so this response was "
        f"left out; give {EVENTS_OPTION} {answer}=pre (or post, followup) to include it"
    )


def _complete(
    row: _Row, plan: ColumnPlan, unknown: dict[str, list[int]]
) -> tuple[bool | None, str]:
    """Whether the forms this row answers are marked complete (None: no status), and the
    status that was not complete, for a message."""
    flags: list[bool] = []
    said = ""
    for position, cell in row.statuses.items():
        flag = status(cell)
        if flag is None:
            if cell.strip():
                unknown.setdefault(cell.strip(), []).append(row.number)
            continue
        flags.append(flag)
        if not flag and not said:
            word = {"0": "Incomplete", "1": "Unverified"}.get(cell.strip(), cell.strip())
            said = f"{word} ({plan.name(position)} = {cell.strip()})"
    if not flags:
        return None, ""
    return all(flags), said


def _tally_notes(plan: ColumnPlan, tally: _Tally, file: str, result: _FileResult) -> None:
    for item in plan.items:
        reader = item.reader
        column = plan.name(item.cell) if item.cell is not None else item.source
        if reader.unknown:
            shown = listed(f"{value} ({count}×)" for value, count in reader.unknown.items())
            result.notes.append(
                f"{file}: question '{item.item}' (column '{column}') has answers that are not "
                f"among its options: {shown}; they are kept as written and imheval counts them "
                "as invalid (not an option)"
            )
        if reader.rewritten:
            shown = listed(reader.rewritten)
            result.notes.append(
                f"{file}: question '{item.item}' (column '{column}') has numbers written with a "
                f"decimal part ({shown}), read as whole numbers"
            )
        several = tally.several_ticks.get(item.item)
        if several:
            result.notes.append(
                f"{file}: question '{item.item}' (checkbox '{item.source}') has more than one "
                f"box ticked in {list_rows(several)}; the codes are kept joined with ';' and "
                "imheval counts the answer as invalid (the question takes one answer)"
            )
        odd = tally.odd_ticks.get(item.item)
        if odd:
            result.notes.append(
                f"{file}: checkbox '{item.source}' has cells that are neither 1/0 nor "
                f"Checked/Unchecked in {list_rows(sorted(set(odd)))}; read as not ticked"
            )
