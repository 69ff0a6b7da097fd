"""Reading Microsoft Forms response downloads (Excel or CSV).

Forms has no structure file: its download (Responses > Open results in Excel, or Download a
copy) is one sheet, one row per response, with Forms' own columns first (ID, Start time,
Completion time, Email, Name, sometimes Last modified time, and a quiz's Total points and Quiz
feedback), then one column per question headed by the question's text; a quiz adds
``Points - <question>`` and ``Feedback - <question>`` after each question. Choice answers are
the option's label; a multi-select answer is ``A;B;``. See :mod:`._metadata` for how Forms'
columns are recognised in any language, :mod:`._fields` for the code, timepoint and cohort,
:mod:`._infer` for the questionnaire inferred from the answers (:func:`read_responses_keyed`
takes the answer keys a download lacks), and :mod:`._match` for reading with an instrument the
person already has.

What is carried: the answers of the questionnaire's questions, the self-generated code, the
timepoint (one file per timepoint, or a timepoint question) and the cohort. What is not: Email
and Name (dropped, listed in :attr:`ResponsesImport.dropped`, never in the frame, the notes or a
message), any question that identifies people, the times, Total points (imheval scores each
question itself; where Total points disagrees with the questions' points, the notes say in
which rows), and the quiz's feedback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from imheval.errors import DataFormatError, Problem, list_rows
from imheval.instruments import Instrument
from imheval.interop.common import tidy_frame
from imheval.interop.model import (
    Conversion,
    InstrumentImport,
    Omission,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
)
from imheval.interop.msforms._fields import (
    Fields,
    file_timepoints,
    find_fields,
    identifying_questions,
    row_timepoint,
)
from imheval.interop.msforms._infer import form_title, infer
from imheval.interop.msforms._match import match, unused
from imheval.interop.msforms._metadata import LANGUAGE_TAGS, Export, Role, recognise
from imheval.interop.msforms._read import read_table
from imheval.interop.msforms._survey import Fill, Survey, as_number
from imheval.io._cells import column_letter

__all__ = [
    "Conversion",
    "Instrument",
    "InstrumentImport",
    "ResponseOptions",
    "read_responses",
    "read_responses_keyed",
]

_SHOWN = 8  # how many answers a note quotes


def read_responses(
    sources: Sequence[SourceFile], structure: InstrumentImport | None, options: ResponseOptions
) -> Conversion:
    """The responses in Microsoft Forms downloads, and the instrument: inferred from the
    questions (and a quiz's points) when ``structure`` is None.

    Several downloads are read together (the same form: one per timepoint, named in
    ``options.timepoints``, or with a timepoint question). DataFormatError, listing every
    problem and importing nothing, when a file is not a Forms download (its first columns are
    neither titled as Forms titles them nor hold what they hold), an ``.xlsx`` is not a
    workbook, a sheet is empty or holds no responses, the code or timepoint cannot be worked
    out, no question can be scored, or (with ``structure``) no column is one of its questions.
    """
    return _read_all(sources, structure, options, None)


def read_responses_keyed(
    sources: Sequence[SourceFile],
    keys: Mapping[str, Sequence[str]],
    options: ResponseOptions,
) -> Conversion:
    """As :func:`read_responses` without a structure, with the answer keys the downloads lack
    (``--key "TITLE=ANSWER"``) given while the questionnaire is inferred: so a survey whose
    questions nothing scores can still be read. ``keys`` names each question by its title (a
    multi-select option as ``<title>: <option>``) or its inferred id (``q3``), with option
    codes or the answers' words; a name that is no unkeyed question, or an answer that is not
    one of its options, is a problem in the DataFormatError."""
    return _read_all(sources, None, options, keys)


def _read_all(
    sources: Sequence[SourceFile],
    structure: InstrumentImport | None,
    options: ResponseOptions,
    keys: Mapping[str, Sequence[str]] | None,
) -> Conversion:
    problems: list[Problem] = []
    exports = _read(sources, problems)
    if not exports:
        raise DataFormatError(problems or [Problem(file="(none)", message="no file was given")])
    survey = Survey.of(tuple(exports))
    timepoints = file_timepoints(survey, options, [s.name for s in sources], problems)
    identifying = {asked.key for asked in identifying_questions(survey)}
    notes: list[str] = []
    if structure is None:
        fields = find_fields(survey, options, None, timepoints, set(), problems)
        _timepoint_problems(survey, fields, timepoints, problems)
        language = LANGUAGE_TAGS.get(exports[0].language or "en", "en-GB")
        title = form_title([export.file for export in exports])
        inferred = infer(survey, fields, title, language, problems, keys)
        if inferred is None:
            raise DataFormatError(problems)
        result, fills = inferred.structure, inferred.fills
        result = _with_forms_columns(result, survey)
        notes += inferred.notes
    else:
        matched = match(survey, structure, identifying, problems)
        fields = find_fields(survey, options, structure, timepoints, matched.keys(), problems)
        _timepoint_problems(survey, fields, timepoints, problems)
        result, fills = structure, matched.fills
        notes += matched.notes
        ignored = unused(survey, matched.keys() | fields.keys())
        if ignored:
            notes.append(
                f"{len(ignored)} question(s) of the download are not in the instrument and were "
                f"ignored: {_quoted(a.title for a in ignored[:12])}"
                f"{' ...' if len(ignored) > 12 else ''}"
            )
    item_ids = [question.id for question in result.instrument.questions]
    responses = _responses(survey, fields, fills, item_ids, timepoints, options, problems)
    if problems:
        raise DataFormatError(problems)
    assert responses is not None  # built whenever there is no problem
    notes = notes + _notes(survey, fields, fills) + list(responses.notes)
    return Conversion(
        structure=result,
        responses=ResponsesImport(
            frame=responses.frame,
            origins=responses.origins,
            dropped=_dropped(survey, fields),
            left_out=responses.left_out,
            notes=tuple(notes),
            complete=responses.complete,
        ),
    )


def _read(sources: Sequence[SourceFile], problems: list[Problem]) -> list[Export]:
    exports: list[Export] = []
    names: set[str] = set()
    for source in sources:
        if source.name in names:
            problems.append(
                Problem(
                    file=source.name,
                    message="two files have this name; give each download a name of its own",
                )
            )
            continue
        names.add(source.name)
        try:
            export = recognise(read_table(source))
        except DataFormatError as error:
            problems.extend(error.problems)
            continue
        if not export.table.rows:
            problems.append(
                Problem(
                    file=source.name,
                    message="the download holds no responses (only its header row); download "
                    "it again once people have responded",
                )
            )
            continue
        exports.append(export)
    return exports


def _responses(
    survey: Survey,
    fields: Fields,
    fills: Sequence[Fill],
    item_ids: Sequence[str],
    timepoints: Sequence[str | None],
    options: ResponseOptions,
    problems: list[Problem],
) -> ResponsesImport | None:
    """The frame, or None when the code or a file's timepoint is missing (already a problem)."""
    if problems or (fields.code is None and not fields.code_is_id):
        return None
    records: list[dict[str, str]] = []
    origins: list[tuple[str, int]] = []
    left_out: list[Omission] = []
    unmapped: dict[int, dict[str, None]] = {}
    kept = [0] * len(survey.exports)
    unknown: dict[str, dict[str, None]] = {}
    for index, number, cells in survey.rows():
        export = survey.exports[index]
        where = f"{export.file}, row {number}"
        timepoint = timepoints[index]
        if timepoint is None and fields.timepoint is not None:
            answer = survey.answer(fields.timepoint, index, cells).strip()
            timepoint = row_timepoint(answer, options) if answer else None
            if timepoint is None:
                unmapped.setdefault(index, {})[answer] = None
                left_out.append(Omission(where, _no_timepoint(fields.timepoint.title, answer)))
                continue
        if fields.code_is_id:
            code = cells[export.metadata[Role.ID]]
        else:
            assert fields.code is not None
            code = survey.answer(fields.code, index, cells)
        if not code.strip():
            left_out.append(Omission(where, "no self-generated code: left out"))
            continue
        record = {"participant": code, "timepoint": timepoint or ""}
        cohort = survey.answer(fields.cohort, index, cells).strip() if fields.cohort else ""
        record["cohort"] = cohort or (options.cohort or "")
        for place, asked in fields.places.items():
            record[place] = survey.answer(asked, index, cells).strip()
        for fill in fills:
            value, invalid = fill.value(survey.answer(fill.asked, index, cells))
            record[fill.item] = value
            if invalid:
                unknown.setdefault(fill.item, {})[value] = None
        records.append(record)
        origins.append((export.file, number))
        kept[index] += 1
    for index, answers in unmapped.items():
        if kept[index] == 0 and fields.timepoint is not None:
            shown = ", ".join(f"'{a}'" for a in list(answers)[:_SHOWN] if a) or "only blanks"
            problems.append(
                Problem(
                    file=survey.exports[index].file,
                    column=fields.timepoint.title,
                    message="no answer to the timepoint question is a timepoint (pre, post or "
                    f"follow-up): the answers are {shown}. Say which is which with --events "
                    '"ANSWER=pre"',
                )
            )
    if not records and not problems:
        reasons = "; ".join(str(omission) for omission in left_out[:3])
        problems.append(
            Problem(
                file=", ".join(export.file for export in survey.exports),
                message=f"every response was left out ({reasons})",
            )
        )
    if problems:
        return None
    notes = [
        f"{item}: the answers {_quoted(list(answers)[:_SHOWN])} are not "
        "among its options; they are kept as given, so scoring counts them as invalid"
        for item, answers in unknown.items()
    ]
    return ResponsesImport(
        frame=tidy_frame(records, item_ids),
        origins=tuple(origins),
        left_out=tuple(left_out),
        notes=tuple(notes),
        complete=tuple(None for _ in records),
    )


def _timepoint_problems(
    survey: Survey, fields: Fields, timepoints: Sequence[str | None], problems: list[Problem]
) -> None:
    """A problem for each download with no timepoint of its own and no timepoint question."""
    for index, export in enumerate(survey.exports):
        question = fields.timepoint.placements[index] if fields.timepoint else None
        if timepoints[index] is None and question is None:
            problems.append(
                Problem(
                    file=export.file,
                    message="imheval cannot work out the timepoint of these responses: give it "
                    f'for the file (--timepoint "{export.file}=pre", one file per timepoint), '
                    "or name the question that asks it (--timepoint-field)",
                )
            )


def _quoted(texts: Iterable[str]) -> str:
    return ", ".join(f"'{text}'" for text in texts)


def _no_timepoint(title: str, answer: str) -> str:
    if not answer:
        return f"no answer to the timepoint question '{title}': left out"
    return (
        f"its answer to the timepoint question '{title}', '{answer}', is not pre, post or "
        f'follow-up: left out (say which it is with --events "{answer}=pre")'
    )


def _notes(survey: Survey, fields: Fields, fills: Sequence[Fill]) -> list[str]:
    notes: list[str] = []
    if fields.code_is_id:
        notes.append(
            "the participant is Forms' response number (the ID column): each response is a "
            "participant of its own, and no response can be matched with another"
        )
    for export in survey.exports:
        notes += _total_points(export)
        for position in _untitled(export):
            notes.append(
                f"{export.file}: column {column_letter(position)} has no title but holds "
                "answers; it was ignored"
            )
    seen: set[str] = set()
    for fill in fills:
        if fill.asked.key in seen:
            continue
        seen.add(fill.asked.key)
        missing = survey.missing_from(fill.asked)
        if missing:
            notes.append(
                f"the question '{fill.asked.title}' is not in {', '.join(missing)}: its answers "
                "there are blank"
            )
    return notes


def _total_points(export: Export) -> list[str]:
    """A note when Total points is not the sum of the questions' points in some rows."""
    total = export.metadata.get(Role.TOTAL_POINTS)
    columns = [q.points for q in export.questions if q.points is not None]
    if total is None or not columns:
        return []
    rows: list[int] = []
    example = ""
    for number, cells in export.table.rows:
        stated = as_number(cells[total])
        if stated is None:
            continue
        added = sum(as_number(cells[column]) or 0.0 for column in columns)
        if abs(stated - added) > 1e-9 * max(1.0, abs(stated)):
            if not rows:
                example = f"row {number}: Total points {stated:g}, the questions' points {added:g}"
            rows.append(number)
    if not rows:
        return []
    return [
        f"{export.file}: Total points is not the sum of the questions' points in "
        f"{list_rows(rows)} ({example}); imheval trusts the questions: it scores each "
        "question from its answer and never reads Total points"
    ]


def _untitled(export: Export) -> list[int]:
    table = export.table
    positions = set(table.untitled)
    for position, title in enumerate(table.header):
        if not title.strip() and table.values(position):
            positions.add(position)
    return sorted(positions)


def _dropped(survey: Survey, fields: Fields) -> tuple[str, ...]:
    names = survey.metadata_titles(Role.EMAIL) + survey.metadata_titles(Role.NAME)
    for asked in fields.identifying:
        # a question titled like Forms' own column is told apart from it
        names.append(f"{asked.title} (a question)" if asked.title in names else asked.title)
    return tuple(dict.fromkeys(names))


def _with_forms_columns(structure: InstrumentImport, survey: Survey) -> InstrumentImport:
    """The inferred structure with an omission for Forms' own columns, which are not carried."""
    carried_not = [
        title
        for role in (
            Role.START,
            Role.COMPLETION,
            Role.LAST_MODIFIED,
            Role.TOTAL_POINTS,
            Role.QUIZ_FEEDBACK,
            Role.GRADE_POSTED,
        )
        for title in survey.metadata_titles(role)
    ]
    feedback = any(q.feedback is not None for e in survey.exports for q in e.questions)
    if feedback:
        carried_not.append("Feedback - <question>")
    if not carried_not:
        return structure
    omission = Omission(
        "columns " + ", ".join(f"'{title}'" for title in carried_not),
        "Forms' own columns are not carried: the times, and a quiz's total and feedback "
        "(imheval scores each question from its answer)",
    )
    return replace(structure, omissions=(*structure.omissions, omission))
