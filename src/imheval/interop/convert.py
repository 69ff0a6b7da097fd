"""One entry point over every system: read a structure file, convert exports, write the result
in imheval's own layout, and export an instrument to another system.

- :func:`read_structure` reads a REDCap data dictionary (or instrument ZIP), a LimeSurvey .lss
  or a FHIR Questionnaire into an :class:`~imheval.interop.model.InstrumentImport`.
- :func:`convert` reads exports (REDCap records, LimeSurvey responses, FHIR
  QuestionnaireResponses, Microsoft Forms downloads) with the structure file, or with the
  imheval instrument the data were captured with (:func:`structure_for_instrument`: how that
  system holds an instrument imheval exported to it); Forms infers the questionnaire when it
  has neither, the other systems refuse, saying which file to add.
- :func:`apply_keys` gives the answer key of choice questions the source did not score, also
  of a questionnaire none of whose questions is scored (a reader's
  :class:`~imheval.interop.model.KeysNeededError`, whose
  :class:`~imheval.interop.model.PendingImport` the keys finish).
- :func:`write_conversion` writes ``responses.csv`` (tidy layout), ``instrument.yaml`` and
  ``conversion-report.txt`` (see :mod:`imheval.interop.output`).
- :func:`export_instrument` writes an imheval instrument as a system's structure file.

Before any reader runs, each file is sniffed (:func:`imheval.interop.sniff.sniff_system`): a
file that plainly belongs to another system, or is the questions where the answers were
expected (or the other way round), is refused with a message saying what it looks like and
what to do, instead of the reader's puzzled one. A column the person names as the code,
cohort or timepoint field (``--code-field``, ``--cohort-field``, ``--timepoint-field``) that
identifies people (``Email``, ``token``, "What is your name?") is refused before any reader runs.
As a last guard after every reader, e-mail addresses in open questions' answers are replaced
(:func:`~imheval.interop.common.without_emails`) and how many is noted, never the addresses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from imheval.errors import DataFormatError, InstrumentError, Problem
from imheval.instruments import Instrument, KeyedItem, OpenItem, RatingItem
from imheval.instruments.model import CrossReferenceError
from imheval.interop.common import (
    fold,
    is_identifying_question,
    looks_like_email,
    maps_for_instrument,
    without_emails,
)
from imheval.interop.model import (
    AnswerMap,
    Conversion,
    InstrumentImport,
    KeysNeededError,
    Omission,
    PendingImport,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
    System,
    UnkeyedQuestion,
)
from imheval.interop.output import (
    REPORT_NAME,
    conversion_report,
    conversion_table,
    responses_csv_bytes,
    write_conversion,
)
from imheval.interop.sniff import Role, Sniff, sniff_system

__all__ = [
    "REPORT_NAME",
    "Exported",
    "apply_keys",
    "conversion_report",
    "conversion_table",
    "convert",
    "export_instrument",
    "export_instrument_zip",
    "read_structure",
    "responses_csv_bytes",
    "sniff_system",
    "structure_for_instrument",
    "write_conversion",
]


@dataclass(frozen=True)
class Exported:
    """An instrument written for another system: a file name, its media type and bytes."""

    filename: str
    media_type: str
    data: bytes


#: What each system calls its structure file, for messages.
STRUCTURE_NAMES = {
    System.REDCAP: "data dictionary (CSV, or an instrument ZIP)",
    System.LIMESURVEY: "survey structure file (.lss)",
    System.FHIR: "Questionnaire (JSON)",
}

#: Where each system's structure file is found, for the message asking for it.
_WHERE_STRUCTURE = {
    System.REDCAP: "in REDCap: Project Setup > Data Dictionary > 'Download the current Data "
    "Dictionary'",
    System.LIMESURVEY: "in LimeSurvey: open the survey, then Export > 'Survey structure (.lss)'",
    System.FHIR: "the Questionnaire resource the responses answer, as JSON",
}

_FORMS_HAS_NO_STRUCTURE = (
    "Microsoft Forms has no structure file: give the response downloads alone (the "
    "questionnaire is worked out from them), or the imheval instrument the form was made from "
    "(--instrument)"
)

StructureReader = Callable[[SourceFile], InstrumentImport]
ResponsesReader = Callable[
    [Sequence[SourceFile], InstrumentImport, ResponseOptions], ResponsesImport
]


def _structure_reader(system: System) -> StructureReader:
    # Imported on use: each reader pulls in its own parsing (lxml for LimeSurvey, openpyxl for
    # Forms), which a command that reads one system does not need to load for the others.
    if system is System.REDCAP:
        from imheval.interop.redcap.dictionary import read_dictionary

        return read_dictionary
    if system is System.LIMESURVEY:
        from imheval.interop.limesurvey.structure import read_structure as read_lss

        return read_lss
    if system is System.FHIR:
        from imheval.interop.fhir.questionnaire import read_questionnaire

        return read_questionnaire
    raise ValueError(f"{system.label} has no structure reader")


def _responses_reader(system: System) -> ResponsesReader:
    if system is System.REDCAP:
        from imheval.interop.redcap.records import read_records

        return read_records
    if system is System.LIMESURVEY:
        from imheval.interop.limesurvey.responses import read_responses as read_ls

        return read_ls
    if system is System.FHIR:
        from imheval.interop.fhir.responses import read_responses as read_fhir

        return read_fhir
    raise ValueError(f"{system.label} responses are read with their questionnaire inferred")


def read_structure(
    system: System,
    source: SourceFile,
    *,
    keys: Mapping[str, Sequence[str]] | None = None,
    given_as: str = "--key",
) -> InstrumentImport:
    """The instrument in ``system``'s structure file (not Microsoft Forms, which has none).

    ``keys`` gives the answer key of choice questions the file does not score (see
    :func:`apply_keys`; ``given_as`` names where they came from in messages). With them, a file
    none of whose questions is scored can be read: the keyed questions make the instrument.

    Raises InstrumentError naming the file when it is not that system's structure file (with
    what it looks like instead, when that is plain), or when the reader refuses it; a
    :class:`~imheval.interop.model.KeysNeededError` (listing the questions to key) when nothing
    in it is scored and no key is given.
    """
    system = System(system)
    if system is System.MSFORMS:
        raise InstrumentError([Problem(file=source.name, message=_FORMS_HAS_NO_STRUCTURE)])
    problem = _wrong_file(source, system, Role.STRUCTURE)
    if problem is not None:
        raise InstrumentError([problem])
    read: PendingImport | InstrumentImport
    try:
        read = _structure_reader(system)(source)
    except KeysNeededError as error:
        if not keys:
            raise
        read = error.pending
    if isinstance(read, InstrumentImport) and not keys:
        return read
    return apply_keys(read, keys or {}, given_as=given_as)


def structure_for_instrument(instrument: Instrument, system: System) -> InstrumentImport:
    """How ``system`` holds ``instrument`` when it was captured there with imheval's own export
    (``imheval instruments export``), to read its exports with the instrument in hand instead
    of a structure file. Each system's own mapping knows what its writer renamed:

    - REDCap: field names lower case with ``_`` for other characters (``KA-01`` is
      ``ka_01``), option codes REDCap cannot hold written 1..n, checkbox columns
      (:func:`imheval.interop.redcap.export.redcap_answer_maps`);
    - LimeSurvey: question codes without punctuation, answer codes ``A1``.. where the option
      code does not fit, ``m2`` for -2, array rows ``GRID[ITEM]``
      (:func:`imheval.interop.limesurvey.export.survey_structure`);
    - FHIR: linkIds and codes are the instrument's own; the code and timepoint items as the
      export names them; responses are checked to answer a Questionnaire whose url ends in
      ``/Questionnaire/<id>`` (whatever the organisation's base) and, when they say, this
      version;
    - Microsoft Forms: columns are headed by the question text and answers are option labels,
      which win over an option code written the same (see
      :func:`imheval.interop.common.maps_for_instrument`).

    The result's instrument is ``instrument`` itself, and its answer maps follow its order.
    """
    system = System(system)
    plain = maps_for_instrument(instrument, system)
    if system is System.MSFORMS:
        return plain
    if system is System.REDCAP:
        from imheval.interop.redcap.export import redcap_answer_maps

        held = redcap_answer_maps(instrument)
    elif system is System.LIMESURVEY:
        from imheval.interop.limesurvey.export import survey_structure

        held = survey_structure(instrument)
    else:
        from imheval.interop.fhir.export import write_questionnaire
        from imheval.interop.fhir.questionnaire import read_questionnaire

        written = SourceFile(
            name=f"{instrument.id}-questionnaire.json",
            data=write_questionnaire(instrument).encode("utf-8"),
        )
        # canonical None: the responses reader then accepts any base ending in
        # /Questionnaire/<id> (an organisation may publish it under its own).
        held = replace(read_questionnaire(written), canonical=None)
    found = {answer.item: answer for answer in held.answers}
    answers: list[AnswerMap] = [
        found.get(question.id, plain.answer_map(question.id)) for question in instrument.questions
    ]
    return replace(held, instrument=instrument, answers=tuple(answers))


def export_instrument(instrument: Instrument, system: System) -> Exported:
    """``instrument`` as ``system``'s structure file (not Microsoft Forms): a REDCap data
    dictionary (CSV, with calc fields that score it; :func:`export_instrument_zip` gives the
    instrument ZIP), a LimeSurvey .lss (with assessment values) or a FHIR R4 Questionnaire
    (JSON, with ordinalValue scores). File names start with the instrument's id."""
    system = System(system)
    stem = instrument.id
    if system is System.REDCAP:
        from imheval.interop.redcap.export import write_dictionary

        return Exported(
            filename=f"{stem}-redcap-dictionary.csv",
            media_type="text/csv",
            data=write_dictionary(instrument).encode("utf-8"),
        )
    if system is System.LIMESURVEY:
        from imheval.interop.limesurvey.export import write_lss

        return Exported(
            filename=f"{stem}.lss",
            media_type="application/xml",
            data=write_lss(instrument).encode("utf-8"),
        )
    if system is System.FHIR:
        from imheval.interop.fhir.export import write_questionnaire

        return Exported(
            filename=f"{stem}-questionnaire.json",
            media_type="application/fhir+json",
            data=write_questionnaire(instrument).encode("utf-8"),
        )
    raise InstrumentError(
        [
            Problem(
                file=instrument.id,
                message="Microsoft Forms cannot read a questionnaire file, so imheval cannot "
                "write one for it: build the form by hand from 'imheval instruments show "
                f"{instrument.id}' (a quiz, with the key's options given points), or capture "
                "in REDCap, LimeSurvey or a FHIR system instead",
            )
        ]
    )


def export_instrument_zip(instrument: Instrument) -> Exported:
    """``instrument`` as a REDCap shared-instrument ZIP (instrument.csv inside), which REDCap's
    Online Designer imports as a new instrument of an existing project."""
    from imheval.interop.redcap.export import write_instrument_zip

    return Exported(
        filename=f"{instrument.id}-redcap-instrument.zip",
        media_type="application/zip",
        data=write_instrument_zip(instrument),
    )


def convert(
    sources: Sequence[SourceFile],
    system: System,
    *,
    structure: SourceFile | None = None,
    instrument: Instrument | None = None,
    options: ResponseOptions | None = None,
    keys: Mapping[str, Sequence[str]] | None = None,
) -> Conversion:
    """Read ``sources`` (exports of ``system``) with the structure file, or with an imheval
    ``instrument`` the data was captured with (through :func:`structure_for_instrument`, which
    knows how the system renamed its questions and codes); without either, Forms infers the
    questionnaire and the other systems refuse with a message saying which file to add.

    ``keys`` gives the answer key of choice questions the source does not score (see
    :func:`apply_keys`); they are keyed before the responses are read, so their answers are
    carried too, and a structure none of whose questions is scored is read with them (Forms:
    while the questionnaire is inferred). Raises DataFormatError (the exports) or
    InstrumentError (the structure, the keys; :class:`~imheval.interop.model.KeysNeededError`
    when nothing is scored and no key is given) listing every problem found; nothing is
    half-converted.
    """
    system = System(system)
    options = options or ResponseOptions()
    if not sources:
        raise DataFormatError(
            [Problem(file="(no file)", message="give at least one export to convert")]
        )
    if structure is not None and instrument is not None:
        raise InstrumentError(
            [
                Problem(
                    file=structure.name,
                    message="give either the structure file or an imheval instrument, not both",
                )
            ]
        )
    wrong = [
        problem
        for source in sources
        if (problem := _wrong_file(source, system, Role.RESPONSES)) is not None
    ]
    if wrong:
        raise DataFormatError(wrong)
    named = _identifying_fields(sources, options)
    if named:
        raise DataFormatError(named)
    if system is System.MSFORMS:
        return _without_addresses(_convert_forms(sources, structure, instrument, options, keys))
    if structure is not None:
        imported = read_structure(system, structure, keys=keys)
    elif instrument is not None:
        imported = structure_for_instrument(instrument, system)
        if keys:
            imported = apply_keys(imported, keys)  # refuses: an instrument has every key
    else:
        raise InstrumentError([_structure_needed(system, sources)])
    responses = _responses_reader(system)(sources, imported, options)
    return _without_addresses(Conversion(structure=imported, responses=responses))


#: The options that name a column, with how the person gives them (the command line's names).
_NAMED_FIELDS = (
    ("code_field", "--code-field", "the self-generated code"),
    ("cohort_field", "--cohort-field", "the cohort"),
    ("timepoint_field", "--timepoint-field", "the timepoint"),
)


def _identifying_fields(sources: Sequence[SourceFile], options: ResponseOptions) -> list[Problem]:
    """A problem for each column the person named as the code, cohort or timepoint field that
    identifies people (by its name: an identifying name, or a title asking "What is your
    name?"): its values would be stored in responses.csv. A name with the word "code" in it is
    the self-generated code's question, not an identifying one."""
    problems = []
    for attribute, option, role in _NAMED_FIELDS:
        given = getattr(options, attribute)
        if not given or not is_identifying_question(given, given):
            continue
        if attribute == "code_field" and "code" in fold(given).replace("_", " ").split():
            continue
        problems.append(
            Problem(
                file=sources[0].name,
                column=given,
                message=f"'{given}' ({option}) identifies people, so imheval never reads it or "
                f"stores it as {role}; name the column that holds {role} instead",
            )
        )
    return problems


def _without_addresses(conversion: Conversion) -> Conversion:
    """``conversion`` with every e-mail address in an open question's answers replaced (see
    :func:`~imheval.interop.common.without_emails`), and a note saying how many answers of which
    question held one: the last guard, whatever the reader let through. Never the addresses."""
    responses = conversion.responses
    if responses is None:
        return conversion
    instrument = conversion.structure.instrument
    open_ids = [q.id for q in instrument.questions if isinstance(q, OpenItem)]
    frame = responses.frame
    notes: list[str] = []
    cleaned = None
    for item in open_ids:
        if item not in frame.columns:
            continue
        holding = frame[item].map(lambda text: looks_like_email(str(text)))
        count = int(holding.sum())
        if not count:
            continue
        if cleaned is None:
            cleaned = frame.copy()
        cleaned[item] = frame[item].map(lambda text: without_emails(str(text)))
        answers = "answer" if count == 1 else "answers"
        notes.append(
            f"{count} {answers} to the open question '{item}' held an e-mail address; imheval "
            'replaced each address with "[e-mail address removed]"'
        )
    if cleaned is None:
        return conversion
    kept = replace(responses, frame=cleaned, notes=(*responses.notes, *notes))
    return replace(conversion, responses=kept)


def _convert_forms(
    sources: Sequence[SourceFile],
    structure: SourceFile | None,
    instrument: Instrument | None,
    options: ResponseOptions,
    keys: Mapping[str, Sequence[str]] | None,
) -> Conversion:
    from imheval.interop.msforms.responses import read_responses as read_forms
    from imheval.interop.msforms.responses import read_responses_keyed

    if structure is not None:
        raise InstrumentError([Problem(file=structure.name, message=_FORMS_HAS_NO_STRUCTURE)])
    if instrument is None:
        # The questionnaire is inferred from the downloads; keys are given while it is (a
        # download nothing scores has no instrument to key afterwards).
        if keys:
            return read_responses_keyed(sources, keys, options)
        return read_forms(sources, None, options)
    imported = structure_for_instrument(instrument, System.MSFORMS)
    if keys:
        imported = apply_keys(imported, keys)  # refuses: an instrument has every key already
    return read_forms(sources, imported, options)


def _wrong_file(source: SourceFile, system: System, role: Role) -> Problem | None:
    """A problem naming ``source`` when it plainly is not ``system``'s file for ``role``."""
    seen = sniff_system(source)
    if seen is None:
        return None
    if seen.system is not system:
        which = "export" if role is Role.RESPONSES else STRUCTURE_NAMES.get(system, "file")
        return Problem(
            file=source.name,
            message=f"this looks like {seen.description}, not a {system.label} {which}: "
            f"choose {seen.system.label} (--from {seen.system.value})",
        )
    if seen.role is Role.OTHER:
        return Problem(file=source.name, message=f"this is {seen.description}; {seen.advice}")
    if seen.role is role:
        return None
    return Problem(file=source.name, message=_role_message(seen, role))


def _role_message(seen: Sniff, wanted: Role) -> str:
    if wanted is Role.RESPONSES:
        advice = f" ({seen.advice})" if seen.advice else ""
        return (
            f"this is {seen.description}: the questions, not the answers; give it as the "
            "structure file (--structure) and the exported responses as the files to "
            f"convert{advice}"
        )
    return (
        f"this is {seen.description}: the answers, not the questions; give it as a file to "
        f"convert, and the {STRUCTURE_NAMES[seen.system]} as the structure file (--structure)"
    )


def _structure_needed(system: System, sources: Sequence[SourceFile]) -> Problem:
    names = ", ".join(source.name for source in sources)
    among = [
        source.name
        for source in sources
        if (seen := sniff_system(source)) is not None
        and seen.system is system
        and seen.role is Role.STRUCTURE
    ]
    hint = f" ({among[0]} looks like it: give it with --structure)" if among else ""
    return Problem(
        file=names,
        message=f"{system.label} exports hold the answers but not the questions: add the "
        f"{STRUCTURE_NAMES[system]} with --structure ({_WHERE_STRUCTURE[system]}){hint}, or "
        "the imheval instrument the data were captured with (--instrument)",
    )


# ---------------------------------------------------------------------------------------------
# Keys for the questions the source does not score


def apply_keys(
    structure: PendingImport | InstrumentImport,
    keys: Mapping[str, Sequence[str]],
    *,
    given_as: str = "--key",
) -> InstrumentImport:
    """``structure`` with each unkeyed question named in ``keys`` (by its source name or item
    id) made a keyed item with those answer codes (or labels) as its key. A name that is not an
    unkeyed question, or a code that is not one of its options, is an InstrumentError naming
    it and listing what it could be.

    Each keyed question joins the instrument where it stood in the source (right after the
    question it followed), in its domain (added, labelled with the question's
    ``domain_label``, if the import dropped it for having no other question); its "no answer
    key" omission is taken off the list. Every problem with every key is listed at once;
    ``given_as`` names where the keys came from in the messages (the command line's ``--key``,
    a web page's field).

    ``structure`` may be a :class:`~imheval.interop.model.PendingImport` (a questionnaire none
    of whose questions is scored, from a reader's KeysNeededError): the keyed questions then
    make the instrument, in the source's order. Keying none of its questions is a
    KeysNeededError listing them and saying how to give a key.
    """
    problems: list[Problem] = []
    chosen: dict[str, tuple[UnkeyedQuestion, tuple[str, ...]]] = {}
    for name, given in keys.items():
        question = _unkeyed_named(structure.unkeyed, name)
        if question is None:
            problems.append(Problem(file=given_as, message=_not_unkeyed(structure, name)))
            continue
        codes, wrong = _key_codes(question, given)
        problems += [Problem(file=given_as, message=message) for message in wrong]
        if not wrong and codes:
            if len(set(codes)) == len(question.options):
                problems.append(
                    Problem(
                        file=given_as,
                        message=f"{name}: every option is keyed correct, so the question "
                        "cannot tell who knows the answer; key only the right answer(s)",
                    )
                )
            elif question.item in chosen:
                merged = tuple(dict.fromkeys(chosen[question.item][1] + codes))
                chosen[question.item] = (question, merged)
            else:
                chosen[question.item] = (question, codes)
    if problems:
        raise InstrumentError(problems)
    keyed = [chosen[q.item] for q in structure.unkeyed if q.item in chosen]
    if isinstance(structure, PendingImport):
        if not keyed:
            raise KeysNeededError([_keys_needed(structure, given_as)], structure)
        return _pending_keyed(structure, keyed, given_as)
    if not keyed:
        return structure
    return _with_keyed(structure, keyed, given_as)


def _unkeyed_named(unkeyed: Sequence[UnkeyedQuestion], name: str) -> UnkeyedQuestion | None:
    wanted = fold(name)
    for question in unkeyed:
        if fold(question.source) == wanted:
            return question
    for question in unkeyed:
        if fold(question.item) == wanted:
            return question
    return None


def _not_unkeyed(structure: PendingImport | InstrumentImport, name: str) -> str:
    wanted = fold(name)
    answers = structure.answers if isinstance(structure, InstrumentImport) else ()
    keyed = any(fold(answer.source) == wanted or fold(answer.item) == wanted for answer in answers)
    if keyed:
        return (
            f"'{name}' already has its answer key (or is a rating or open question); only "
            "choice questions the source does not score take a key"
        )
    if not structure.unkeyed:
        return f"'{name}' is not a question without a key: every choice question has its key"
    return f"'{name}' is not one of the questions without a key; they are: " + _listed(
        [f"'{q.source}'" for q in structure.unkeyed]
    )


def _listed(names: Sequence[str], shown: int = 20) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _keys_needed(pending: PendingImport, given_as: str) -> Problem:
    """The problem of a questionnaire nothing scores, keyed by none of the keys given."""
    title = str(pending.fields.get("title") or pending.fields.get("id") or "the questionnaire")
    how = (
        f"with {given_as} FIELD=CODE (the right answer's code or its text; repeat it for each "
        "question, and for a question with more than one right answer)"
        if given_as.startswith("--")
        else f"in {given_as}"
    )
    questions = _listed(
        [
            f"'{q.source}' ({'; '.join(f'{c} = {label}' for c, label in q.options.items())})"
            for q in pending.unkeyed
        ],
        shown=10,
    )
    return Problem(
        file=given_as,
        message=f"no question of '{title}' is scored until it has its answer key: give the "
        f"key of at least one {how}. The questions without a key: {questions}",
    )


def _key_codes(
    question: UnkeyedQuestion, given: Sequence[str]
) -> tuple[tuple[str, ...], list[str]]:
    """The option codes ``given`` names (codes, the source's raw codes, or labels), and a
    message for each that names none."""
    codes: list[str] = []
    wrong: list[str] = []
    labels = {fold(label): code for code, label in question.options.items()}
    source_codes = {fold(raw): code for raw, code in question.answers.codes.items()}
    option_codes = {fold(code): code for code in question.options}
    for answer in given:
        text = str(answer).strip()
        found = (
            (text if text in question.options else None)
            or option_codes.get(fold(text))
            or (
                source_codes.get(fold(text))
                if source_codes.get(fold(text)) in question.options
                else None
            )
            or labels.get(fold(text))
        )
        if found is None:
            options = "; ".join(f"{code} ({label})" for code, label in question.options.items())
            wrong.append(
                f"{question.source}={text}: '{text}' is not one of the options of "
                f"'{question.source}', which are: {options}. For more than one right answer, "
                "give the key once for each"
            )
        else:
            codes.append(found)
    return tuple(dict.fromkeys(codes)), wrong


def _with_keyed(
    structure: InstrumentImport,
    keyed: Sequence[tuple[UnkeyedQuestion, tuple[str, ...]]],
    given_as: str,
) -> InstrumentImport:
    instrument = structure.instrument
    questions: list[KeyedItem | RatingItem | OpenItem] = list(instrument.questions)
    answers = {answer.item: answer for answer in structure.answers}
    inserted_after: dict[str | None, int] = {}
    items = _keyed_items(keyed, given_as)
    for (question, _), item in zip(keyed, items, strict=True):
        anchor = question.after
        ids = [q.id for q in questions]
        start = ids.index(anchor) + 1 if anchor in ids else (0 if anchor is None else len(ids))
        position = start + inserted_after.get(anchor, 0)
        inserted_after[anchor] = inserted_after.get(anchor, 0) + 1
        questions.insert(position, item)
        answers[question.item] = question.answers
    fields = instrument.model_dump(by_alias=True, exclude={"questions", "domains"})
    domains = [domain.model_dump(by_alias=True) for domain in instrument.domains]
    updated = _keyed_instrument(fields, domains, keyed, questions, given_as)
    return replace(
        structure,
        instrument=updated,
        answers=tuple(answers[q.id] for q in updated.questions if q.id in answers),
        unkeyed=tuple(q for q in structure.unkeyed if q.item not in {k.item for k, _ in keyed}),
        omissions=_without_key_omissions(structure.omissions, keyed),
    )


def _pending_keyed(
    pending: PendingImport,
    keyed: Sequence[tuple[UnkeyedQuestion, tuple[str, ...]]],
    given_as: str,
) -> InstrumentImport:
    """The instrument of a questionnaire nothing scored: its keyed questions, in the source's
    order, in the domains they fall in."""
    items = _keyed_items(keyed, given_as)
    used = {item.domain for item in items}
    fields = {name: value for name, value in pending.fields.items() if name != "items"}
    domains = [dict(domain) for domain in fields.pop("domains", ()) if domain.get("id") in used]
    instrument = _keyed_instrument(fields, domains, keyed, list(items), given_as)
    keyed_items = {question.item for question, _ in keyed}
    return InstrumentImport(
        instrument=instrument,
        system=pending.system,
        answers=tuple(question.answers for question, _ in keyed),
        omissions=_without_key_omissions(pending.omissions, keyed),
        code_field=pending.code_field,
        cohort_field=pending.cohort_field,
        timepoint_field=pending.timepoint_field,
        identifying=pending.identifying,
        unkeyed=tuple(q for q in pending.unkeyed if q.item not in keyed_items),
        canonical=pending.canonical,
    )


def _keyed_items(
    keyed: Sequence[tuple[UnkeyedQuestion, tuple[str, ...]]], given_as: str
) -> list[KeyedItem]:
    """The keyed item each question becomes; InstrumentError listing every one that cannot."""
    items: list[KeyedItem] = []
    problems: list[Problem] = []
    for question, codes in keyed:
        try:
            items.append(
                KeyedItem(
                    id=question.item,
                    domain=question.domain,
                    text=question.text,
                    options=dict(question.options),
                    key=codes,
                )
            )
        except ValidationError as error:
            problems.append(_validation_problem(question, error, given_as))
    if problems:
        raise InstrumentError(problems)
    return items


def _keyed_instrument(
    fields: Mapping[str, Any],
    domains: list[dict[str, Any]],
    keyed: Sequence[tuple[UnkeyedQuestion, tuple[str, ...]]],
    questions: Sequence[KeyedItem | RatingItem | OpenItem],
    given_as: str,
) -> Instrument:
    """The instrument of ``fields`` with these questions, and the domains of the keyed ones
    that ``domains`` lacks (labelled with the source's label, else their id)."""
    known = {domain.get("id") for domain in domains}
    for question, _ in keyed:
        if question.domain not in known:
            domains.append(
                {"id": question.domain, "label": question.domain_label or question.domain}
            )
            known.add(question.domain)
    try:
        return Instrument.model_validate({**fields, "domains": domains, "items": questions})
    except (ValidationError, CrossReferenceError) as error:
        raise InstrumentError(
            [Problem(file=given_as, message=f"the keyed questions do not fit: {error}")]
        ) from None


def _without_key_omissions(
    omissions: Sequence[Omission], keyed: Sequence[tuple[UnkeyedQuestion, tuple[str, ...]]]
) -> tuple[Omission, ...]:
    sources = {question.source for question, _ in keyed}
    return tuple(omission for omission in omissions if not _is_key_omission(omission, sources))


def _is_key_omission(omission: Omission, sources: set[str]) -> bool:
    """Whether ``omission`` is the "no answer key" note of one of these source questions."""
    return "key" in omission.message.casefold() and any(
        f"'{source}'" in omission.where for source in sources
    )


def _validation_problem(
    question: UnkeyedQuestion, error: ValidationError, given_as: str
) -> Problem:
    reasons = "; ".join(
        str(detail["msg"]).removeprefix("Value error, ") for detail in error.errors()
    )
    return Problem(file=given_as, message=f"{question.source}: {reasons}")
