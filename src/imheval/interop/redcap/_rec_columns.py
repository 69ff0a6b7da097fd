"""Which column of a REDCap record export is what.

A flat export ("CSV / Microsoft Excel (raw data)" or "(labels)") has, in order: the record id
(the first column, whatever its name), ``redcap_event_name`` (longitudinal projects),
``redcap_repeat_instrument`` and ``redcap_repeat_instance`` (repeating forms or events),
``redcap_data_access_group`` (when asked for), ``redcap_survey_identifier`` and a
``<form>_timestamp`` before each survey's fields (when survey fields are asked for), then each
form's fields in the dictionary's order followed by its status ``<form>_complete``. Checkbox
fields have one column per option, ``field___code``.

With label headers ("labels" export, or ``rawOrLabelHeaders=label``) each column is headed by
the field's label instead: ``Event Name``, ``Repeat Instrument``, ``Survey Timestamp``,
``Complete?``, a checkbox option ``<label> (choice=<option label>)``. The question columns are
then found by the questions' text; a form's status is the first ``Complete?`` after its fields.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from imheval.errors import Problem
from imheval.instruments import Instrument, OpenItem, RatingItem
from imheval.interop.common import fold, is_identifying
from imheval.interop.model import AnswerMap, InstrumentImport, ResponseOptions
from imheval.interop.redcap._rec_events import listed
from imheval.interop.redcap._rec_values import AnswerReader

#: REDCap's own columns, by raw name and by their label-header title.
_SYSTEM = {
    "redcap_event_name": "event",
    "event name": "event",
    "redcap_repeat_instrument": "repeat_instrument",
    "repeat instrument": "repeat_instrument",
    "redcap_repeat_instance": "repeat_instance",
    "repeat instance": "repeat_instance",
    "redcap_data_access_group": "dag",
    "data access group": "dag",
    "redcap_survey_identifier": "survey_identifier",
    "survey identifier": "survey_identifier",
}

#: The tidy layout's descriptive columns read from fields of the same name.
CONTEXT = ("programme", "directorate", "profession")

#: Names with "code" in them that are not a self-generated code.
_NOT_A_CODE = ("zip", "postcode", "post code", "post_code", "postal", "area code", "areacode")

#: A checkbox option's label header: ``Roles (choice=Midwifery)``; older REDCap quoted it.
_CHOICE_HEADER = re.compile(r"(.*?)\s*\(choice=\s*['\"]?(.*?)['\"]?\s*\)\s*", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")

_Finder = Callable[[str | None], int | None]


@dataclass(frozen=True)
class ItemColumns:
    """Where one question's answer is: one column, or a checkbox field's option columns."""

    item: str
    source: str
    reader: AnswerReader
    #: The single column holding the answer (None for a checkbox field of several columns).
    cell: int | None
    #: A checkbox field's option columns: (position, the imheval answer a tick stands for).
    boxes: tuple[tuple[int, str], ...]
    #: The status columns (``<form>_complete``) of the form(s) holding the question.
    status: tuple[int, ...]
    #: The question is one checkbox option (a ``field___code`` column answered 1 or 0).
    option_box: bool = False

    @property
    def positions(self) -> tuple[int, ...]:
        return (self.cell,) if self.cell is not None else tuple(p for p, _ in self.boxes)


@dataclass(frozen=True)
class ColumnPlan:
    """What each column of one export is."""

    header: tuple[str, ...]
    #: Columns headed by field labels rather than field names.
    labels: bool
    record_id: int
    event: int | None
    repeat_instrument: int | None
    repeat_instance: int | None
    dag: int | None
    #: The self-generated code's column; None: none found (the record id may stand in).
    code: int | None
    #: Why no code column was found: no candidate (the columns that could be named), for a
    #: message asking for ``--code-field``.
    code_candidates: tuple[str, ...]
    cohort: int | None
    context: dict[str, int]
    timepoint_field: int | None
    items: tuple[ItemColumns, ...]
    #: The instrument's forms (from their status columns' names; empty with label headers).
    forms: frozenset[str]
    #: Identifying columns in the export (dropped), by name; the record id is decided later.
    dropped: tuple[str, ...]
    notes: tuple[str, ...]

    def name(self, position: int) -> str:
        return self.header[position]


def plan_columns(
    header: Sequence[str], structure: InstrumentImport, options: ResponseOptions, file: str
) -> tuple[ColumnPlan | None, list[Problem]]:
    """The plan of one export's columns, or the problems that stop it being read."""
    header = tuple(header)
    problems: list[Problem] = []
    instrument = structure.instrument
    answers = _answers_in_order(structure)
    by_name: dict[str, list[int]] = {}
    for position, title in enumerate(header):
        by_name.setdefault(fold(title), []).append(position)

    items = [_raw_item(answer, instrument, header, by_name) for answer in answers]
    labels = not any(item is not None for item in items)
    if labels:
        items = _label_items(answers, instrument, header)
    if not any(item is not None for item in items):
        problems.append(_mismatch(answers, header, file))
        return None, problems
    if not labels:
        problems += _duplicates(header, file)

    status_columns = [p for p, t in enumerate(header) if _is_status(t, labels)]
    placed = [_with_status(item, status_columns) if item is not None else None for item in items]
    found = [item for item in placed if item is not None]
    item_positions = {p for item in found for p in item.positions}
    system = {
        role: position
        for position, title in enumerate(header)
        if (role := _SYSTEM.get(fold(title))) is not None and position not in item_positions
    }
    timestamps = {
        p for p, t in enumerate(header) if _is_timestamp(t, labels) and p not in item_positions
    }
    statuses = set(status_columns) - item_positions
    unkeyed = _unkeyed_positions(structure, header, by_name)
    machinery = item_positions | set(system.values()) | timestamps | statuses | {0}

    def find(name: str | None) -> int | None:
        if not name:
            return None
        spots = by_name.get(fold(name), [])
        return spots[0] if spots else None

    notes: list[str] = []
    identifying_names = {fold(name) for name in structure.identifying}
    flagged = {p for p, t in enumerate(header) if fold(t).split("___", 1)[0] in identifying_names}
    code, candidates = _code_column(
        header, structure, options, file, find, machinery | unkeyed | flagged, notes, problems
    )
    cohort = _named_column(
        "cohort", options.cohort_field, structure.cohort_field, find, file, header, problems
    )
    timepoint_field = _named_column(
        "timepoint",
        options.timepoint_field,
        structure.timepoint_field,
        find,
        file,
        header,
        problems,
    )
    context = {name: p for name in CONTEXT if (p := find(name)) is not None and p not in machinery}
    used = {p for p in (code, cohort, timepoint_field) if p is not None} | set(context.values())

    dropped: list[str] = []
    ignored: list[str] = []
    for position, title in enumerate(header):
        if position in machinery or position in used or position in unkeyed or not title:
            continue
        base = fold(title).split("___", 1)[0]
        if base in identifying_names or is_identifying(title):
            dropped.append(title)
        else:
            ignored.append(title)
    if "survey_identifier" in system:
        dropped.append(header[system["survey_identifier"]])
    for title in (header[p] for p in used):
        if fold(title) in identifying_names and title not in dropped:
            notes.append(
                f"column '{title}' is marked as identifying in the dictionary, but it was used "
                "because it was named as the code, cohort or timepoint field"
            )

    unused = {role: p for role, p in system.items() if p not in used}
    _describe(header, answers, placed, labels, unused, timestamps, ignored, notes)
    notes = [f"{file}: {note}" for note in notes]
    if problems:
        return None, problems
    return (
        ColumnPlan(
            header=header,
            labels=labels,
            record_id=0,
            event=system.get("event"),
            repeat_instrument=system.get("repeat_instrument"),
            repeat_instance=system.get("repeat_instance"),
            dag=system.get("dag") if system.get("dag") not in used else None,
            code=code,
            code_candidates=candidates,
            cohort=cohort,
            context=context,
            timepoint_field=timepoint_field,
            items=tuple(found),
            forms=frozenset(
                fold(header[p])[: -len("_complete")]
                for item in found
                for p in item.status
                if not labels
            ),
            dropped=tuple(dict.fromkeys(dropped)),
            notes=tuple(notes),
        ),
        problems,
    )


def _answers_in_order(structure: InstrumentImport) -> list[AnswerMap]:
    """The answer maps of the instrument's questions, in the instrument's order."""
    maps = {answer.item: answer for answer in structure.answers}
    return [maps[q.id] for q in structure.instrument.questions if q.id in maps]


def _reader(answer: AnswerMap, instrument: Instrument) -> AnswerReader:
    question = next(q for q in instrument.questions if q.id == answer.item)
    return AnswerReader(
        codes=answer.codes,
        open=isinstance(question, OpenItem),
        rating=isinstance(question, RatingItem),
    )


def _raw_item(
    answer: AnswerMap,
    instrument: Instrument,
    header: tuple[str, ...],
    by_name: dict[str, list[int]],
) -> ItemColumns | None:
    """The question's columns found by field name (None: not in the export)."""
    reader = _reader(answer, instrument)
    wanted = answer.columns or (answer.source,)
    if not answer.columns and not by_name.get(fold(answer.source)):
        # A checkbox field named by its source alone: its option columns are field___code.
        prefix = fold(answer.source) + "___"
        expanded = tuple(t for t in header if fold(t).startswith(prefix))
        if expanded:
            wanted = expanded
    if len(wanted) == 1 and not _is_option_column(wanted[0], answer):
        spots = by_name.get(fold(wanted[0]), [])
        if not spots:
            return None
        box = "___" in wanted[0]
        return ItemColumns(answer.item, answer.source, reader, spots[0], (), (), box)
    boxes = []
    for column in wanted:
        spots = by_name.get(fold(column), [])
        if spots:
            code = column.rsplit("___", 1)[1] if "___" in column else column
            boxes.append((spots[0], reader.code_of(code)))
    if not boxes:
        return None
    return ItemColumns(answer.item, answer.source, reader, None, tuple(boxes), ())


def _is_option_column(column: str, answer: AnswerMap) -> bool:
    """Whether a lone ``field___code`` column is one option of a checkbox question (a tick
    answers that option), rather than a question of its own whose answers are 1 ticked and 0
    not ticked."""
    return "___" in column and not {"0", "1"} <= set(answer.codes)


def _plain(text: str) -> str:
    return fold(_TAG.sub(" ", text))


def _label_items(
    answers: Sequence[AnswerMap], instrument: Instrument, header: tuple[str, ...]
) -> list[ItemColumns | None]:
    """The questions' columns found by their text (a labels-header export). Questions with the
    same text take the columns with that title in order; a checkbox question's options are the
    columns titled ``<its text> (choice=<option label>)``."""
    texts = {q.id: _plain(q.text) for q in instrument.questions}
    plain: dict[str, list[int]] = {}
    choices: dict[str, list[tuple[int, str]]] = {}
    #: A checkbox option's column by "<field label>: <option label>" (an option's own text).
    joined: dict[str, list[int]] = {}
    for position, title in enumerate(header):
        match = _CHOICE_HEADER.fullmatch(title)
        if match:
            choices.setdefault(_plain(match.group(1)), []).append((position, match.group(2)))
            joined.setdefault(_plain(f"{match.group(1)}: {match.group(2)}"), []).append(position)
        else:
            plain.setdefault(_plain(title), []).append(position)
    items: list[ItemColumns | None] = []
    for answer in answers:
        reader = _reader(answer, instrument)
        text = texts[answer.item]
        spots = plain.get(text, [])
        options = choices.get(text, [])
        boxed = len(answer.columns) > 1 or (
            len(answer.columns) == 1 and _is_option_column(answer.columns[0], answer)
        )
        if options and (boxed or (not answer.columns and not spots)):
            boxes = tuple((p, reader.lookup(label) or label) for p, label in options)
            options.clear()
            items.append(ItemColumns(answer.item, answer.source, reader, None, boxes, ()))
        elif spots and not boxed:
            items.append(ItemColumns(answer.item, answer.source, reader, spots.pop(0), (), ()))
        elif joined.get(text) and not boxed:
            position = joined[text].pop(0)
            items.append(ItemColumns(answer.item, answer.source, reader, position, (), (), True))
        else:
            items.append(None)
    return items


def _with_status(item: ItemColumns, status_columns: list[int]) -> ItemColumns:
    """The item with its form's status column: the first one after each of its columns."""
    found = []
    for position in item.positions:
        after = next((s for s in status_columns if s > position), None)
        if after is not None and after not in found:
            found.append(after)
    return ItemColumns(
        item.item, item.source, item.reader, item.cell, item.boxes, tuple(found), item.option_box
    )


def _is_status(title: str, labels: bool) -> bool:
    folded = fold(title)
    return folded == "complete?" if labels else folded.endswith("_complete")


def _is_timestamp(title: str, labels: bool) -> bool:
    folded = fold(title)
    return folded == "survey timestamp" if labels else folded.endswith("_timestamp")


def _unkeyed_positions(
    structure: InstrumentImport, header: tuple[str, ...], by_name: dict[str, list[int]]
) -> set[int]:
    """Columns of the questions left out for want of an answer key (known, not "unknown")."""
    positions: set[int] = set()
    for question in structure.unkeyed:
        for column in question.answers.columns or (question.source,):
            positions.update(by_name.get(fold(column), []))
        prefix = fold(question.source) + "___"
        positions.update(p for p, t in enumerate(header) if fold(t).startswith(prefix))
    return positions


def _code_column(
    header: tuple[str, ...],
    structure: InstrumentImport,
    options: ResponseOptions,
    file: str,
    find: _Finder,
    taken: set[int],
    notes: list[str],
    problems: list[Problem],
) -> tuple[int | None, tuple[str, ...]]:
    """The column holding the self-generated code: the one named, the dictionary's code field,
    else the one column whose name contains "code"."""
    if options.code_field:
        position = find(options.code_field)
        if position is None:
            problems.append(
                Problem(
                    file=file,
                    column=options.code_field,
                    message="there is no such column to read the self-generated code from "
                    f"(columns that could hold it: {listed(_open_columns(header, taken))})",
                )
            )
            return None, ()
        if _identifying_not_code(header[position]):
            problems.append(
                Problem(
                    file=file,
                    column=header[position],
                    message="this column identifies people, so imheval will not use it as the "
                    "participant code; name the field holding the self-generated code",
                )
            )
            return None, ()
        return position, ()
    if structure.code_field:
        position = find(structure.code_field)
        if position is not None:
            return position, ()
        notes.append(f"the dictionary's code field '{structure.code_field}' is not a column here")
    candidates = [
        p
        for p, title in enumerate(header)
        if p not in taken
        and "code" in fold(title)
        and "___" not in title
        and not _identifying_not_code(title)
        and not any(word in fold(title) for word in _NOT_A_CODE)
    ]
    if len(candidates) == 1:
        notes.append(
            f"the self-generated code was read from column '{header[candidates[0]]}' (the one "
            "column whose name contains 'code'); name another with --code-field"
        )
        return candidates[0], ()
    if len(candidates) > 1:
        names = [header[p] for p in candidates]
        problems.append(
            Problem(
                file=file,
                message=f"{len(names)} columns could hold the self-generated code "
                f"({listed(names)}); say which with --code-field NAME",
            )
        )
        return None, ()
    return None, tuple(_open_columns(header, taken))


def _identifying_not_code(title: str) -> bool:
    """Whether a column identifies people; a title with the word "code" is the self-generated
    code's (a labelled export's "Your code (mother's initial ... last digits of phone)"), not
    an identifying one, unless its name identifies (``postcode``)."""
    if not is_identifying(title):
        return False
    return "code" not in re.sub(r"[\W_]+", " ", fold(title)).split()


def _open_columns(header: tuple[str, ...], taken: set[int]) -> list[str]:
    """Columns that could hold a code: not REDCap's own, not a question, not identifying."""
    return [
        title
        for p, title in enumerate(header)
        if p not in taken and "___" not in title and not is_identifying(title)
    ]


def _named_column(
    what: str,
    named: str | None,
    from_structure: str | None,
    find: _Finder,
    file: str,
    header: tuple[str, ...],
    problems: list[Problem],
) -> int | None:
    """The cohort or timepoint column: the one named (a problem if missing), else the
    dictionary's, else a column called ``what``."""
    if named:
        position = find(named)
        if position is None:
            problems.append(
                Problem(
                    file=file,
                    column=named,
                    message=f"there is no such column to read the {what} from "
                    f"(this file's columns: {listed(header)})",
                )
            )
        return position
    for name in (from_structure, what):
        position = find(name)
        if position is not None and position != 0:
            return position
    return None


def _duplicates(header: tuple[str, ...], file: str) -> list[Problem]:
    counts = Counter(fold(title) for title in header)
    problems = []
    for name, count in counts.items():
        if count > 1 and name:
            places = [str(p + 1) for p, t in enumerate(header) if fold(t) == name]
            problems.append(
                Problem(
                    file=file,
                    column=next(t for t in header if fold(t) == name),
                    message=f"the column appears {count} times (columns {_and(places)}); "
                    "REDCap never repeats a column, so the file was changed after export: "
                    "export it again",
                )
            )
    return problems


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _mismatch(answers: Sequence[AnswerMap], header: tuple[str, ...], file: str) -> Problem:
    sources = [a.source for a in answers]
    return Problem(
        file=file,
        message="the export's columns do not match the dictionary: none of its questions "
        f"({listed(sources)}) is a column of this file (its columns: {listed(header)}); check "
        "that the export and the data dictionary come from the same REDCap project",
    )


def _describe(
    header: tuple[str, ...],
    answers: Sequence[AnswerMap],
    placed: Sequence[ItemColumns | None],
    labels: bool,
    system: dict[str, int],
    timestamps: set[int],
    ignored: list[str],
    notes: list[str],
) -> None:
    """Notes on what was found, missing and ignored."""
    if labels:
        notes.append(
            "the columns are headed by field labels, so questions were found by their text; "
            "export with field names as headers (the 'raw data' export) to be sure of the match"
        )
    missing = [a.source for a, item in zip(answers, placed, strict=True) if item is None]
    if missing:
        notes.append(
            f"{len(missing)} question(s) of the dictionary are not in the export, so their "
            f"answers are blank: {listed(missing)}"
        )
    if "dag" in system:
        notes.append(
            f"column '{header[system['dag']]}' (the data access group) was not carried; to use "
            f"it as the cohort, give --cohort-field {header[system['dag']]}"
        )
    if timestamps:
        notes.append(
            "survey timestamps were not carried: " + listed(header[p] for p in sorted(timestamps))
        )
    if ignored:
        notes.append(
            f"{len(ignored)} column(s) are not questions of the instrument and were ignored: "
            + listed(ignored)
        )
