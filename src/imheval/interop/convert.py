"""One entry point over every system: read a structure file, convert exports, write the result
in imheval's own layout, and export an instrument to another system.

- :func:`read_structure` reads a REDCap data dictionary (or instrument ZIP), a LimeSurvey .lss
  or a FHIR Questionnaire into an :class:`~imheval.interop.model.InstrumentImport`.
- :func:`convert` reads exports (REDCap records, LimeSurvey responses, FHIR
  QuestionnaireResponses, Microsoft Forms downloads) with the structure file, or with the
  imheval instrument the data were captured with; Forms infers the questionnaire when it has
  neither, the other systems refuse, saying which file to add.
- :func:`apply_keys` gives the answer key of choice questions the source did not score.
- :func:`write_conversion` writes ``responses.csv`` (tidy layout), ``instrument.yaml`` and
  ``conversion-report.txt`` (see :mod:`imheval.interop.output`).
- :func:`export_instrument` writes an imheval instrument as a system's structure file.

Before any reader runs, each file is sniffed (:func:`imheval.interop.sniff.sniff_system`): a
file that plainly belongs to another system, or is the questions where the answers were
expected (or the other way round), is refused with a message saying what it looks like and
what to do, instead of the reader's puzzled one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from pydantic import ValidationError

from imheval.errors import DataFormatError, InstrumentError, Problem
from imheval.instruments import Domain, Instrument, KeyedItem, OpenItem, RatingItem
from imheval.instruments.model import CrossReferenceError
from imheval.interop.common import fold, maps_for_instrument
from imheval.interop.model import (
    Conversion,
    InstrumentImport,
    Omission,
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


def read_structure(system: System, source: SourceFile) -> InstrumentImport:
    """The instrument in ``system``'s structure file (not Microsoft Forms, which has none).

    Raises InstrumentError naming the file when it is not that system's structure file (with
    what it looks like instead, when that is plain), or when the reader refuses it.
    """
    system = System(system)
    if system is System.MSFORMS:
        raise InstrumentError([Problem(file=source.name, message=_FORMS_HAS_NO_STRUCTURE)])
    problem = _wrong_file(source, system, Role.STRUCTURE)
    if problem is not None:
        raise InstrumentError([problem])
    return _structure_reader(system)(source)


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
    ``instrument`` the data was captured with; without either, Forms infers the questionnaire
    and the other systems refuse with a message saying which file to add.

    ``keys`` gives the answer key of choice questions the source does not score (see
    :func:`apply_keys`); they are keyed before the responses are read, so their answers are
    carried too. Raises DataFormatError (the exports) or InstrumentError (the structure, the
    keys) listing every problem found; nothing is half-converted.
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
    if system is System.MSFORMS:
        return _convert_forms(sources, structure, instrument, options, keys)
    if structure is not None:
        imported = read_structure(system, structure)
    elif instrument is not None:
        imported = maps_for_instrument(instrument, system)
    else:
        raise InstrumentError([_structure_needed(system, sources)])
    if keys:
        imported = apply_keys(imported, keys)
    responses = _responses_reader(system)(sources, imported, options)
    return Conversion(structure=imported, responses=responses)


def _convert_forms(
    sources: Sequence[SourceFile],
    structure: SourceFile | None,
    instrument: Instrument | None,
    options: ResponseOptions,
    keys: Mapping[str, Sequence[str]] | None,
) -> Conversion:
    from imheval.interop.msforms.responses import read_responses as read_forms

    if structure is not None:
        raise InstrumentError([Problem(file=structure.name, message=_FORMS_HAS_NO_STRUCTURE)])
    imported = maps_for_instrument(instrument, System.MSFORMS) if instrument else None
    if imported is not None and keys:
        imported = apply_keys(imported, keys)  # refuses: an instrument has every key already
    conversion = read_forms(sources, imported, options)
    if keys and imported is None:
        # The questionnaire is inferred from the downloads: key it, then read the answers of
        # the questions just keyed (the first reading left them out).
        keyed = apply_keys(conversion.structure, keys)
        conversion = read_forms(sources, keyed, options)
    return conversion


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
        return (
            f"this is {seen.description}: the questions, not the answers; give it as the "
            "structure file (--structure) and the exported responses as the files to convert"
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
    structure: InstrumentImport,
    keys: Mapping[str, Sequence[str]],
    *,
    given_as: str = "--key",
) -> InstrumentImport:
    """``structure`` with each unkeyed question named in ``keys`` (by its source name or item
    id) made a keyed item with those answer codes (or labels) as its key. A name that is not an
    unkeyed question, or a code that is not one of its options, is an InstrumentError naming
    it and listing what it could be.

    Each keyed question joins the instrument where it stood in the source (right after the
    question it followed), in its domain (added, labelled with its id, if the import dropped it
    for having no other question); its "no answer key" omission is taken off the list. Every
    problem with every key is listed at once; ``given_as`` names where the keys came from in
    the messages (the command line's ``--key``, a web page's field).
    """
    problems: list[Problem] = []
    chosen: dict[str, tuple[UnkeyedQuestion, tuple[str, ...]]] = {}
    for name, given in keys.items():
        question = _unkeyed_named(structure, name)
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
    if not chosen:
        return structure
    return _with_keyed(
        structure, [chosen[q.item] for q in structure.unkeyed if q.item in chosen], given_as
    )


def _unkeyed_named(structure: InstrumentImport, name: str) -> UnkeyedQuestion | None:
    wanted = fold(name)
    for question in structure.unkeyed:
        if fold(question.source) == wanted:
            return question
    for question in structure.unkeyed:
        if fold(question.item) == wanted:
            return question
    return None


def _not_unkeyed(structure: InstrumentImport, name: str) -> str:
    wanted = fold(name)
    keyed = any(
        fold(answer.source) == wanted or fold(answer.item) == wanted for answer in structure.answers
    )
    if keyed:
        return (
            f"'{name}' already has its answer key (or is a rating or open question); only "
            "choice questions the source does not score take a key"
        )
    if not structure.unkeyed:
        return f"'{name}' is not a question without a key: every choice question has its key"
    listed = ", ".join(f"'{q.source}'" for q in structure.unkeyed[:20])
    more = len(structure.unkeyed) - 20
    return f"'{name}' is not one of the questions without a key; they are: {listed}" + (
        f" and {more} more" if more > 0 else ""
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
    domains = list(instrument.domains)
    inserted_after: dict[str | None, int] = {}
    problems: list[Problem] = []
    for question, codes in keyed:
        try:
            item = KeyedItem(
                id=question.item,
                domain=question.domain,
                text=question.text,
                options=dict(question.options),
                key=codes,
            )
        except ValidationError as error:
            problems.append(_validation_problem(question, error, given_as))
            continue
        if question.domain not in {domain.id for domain in domains}:
            domains.append(Domain(id=question.domain, label=question.domain))
        anchor = question.after
        ids = [q.id for q in questions]
        start = ids.index(anchor) + 1 if anchor in ids else (0 if anchor is None else len(ids))
        position = start + inserted_after.get(anchor, 0)
        inserted_after[anchor] = inserted_after.get(anchor, 0) + 1
        questions.insert(position, item)
        answers[question.item] = question.answers
    if problems:
        raise InstrumentError(problems)
    try:
        updated = Instrument.model_validate(
            {
                **instrument.model_dump(by_alias=True, exclude={"questions", "domains"}),
                "domains": domains,
                "items": questions,
            }
        )
    except (ValidationError, CrossReferenceError) as error:
        raise InstrumentError(
            [Problem(file=given_as, message=f"the keyed questions do not fit: {error}")]
        ) from None
    keyed_sources = {question.source for question, _ in keyed}
    keyed_items = {question.item for question, _ in keyed}
    return replace(
        structure,
        instrument=updated,
        answers=tuple(answers[q.id] for q in updated.questions if q.id in answers),
        unkeyed=tuple(q for q in structure.unkeyed if q.item not in keyed_items),
        omissions=tuple(
            omission
            for omission in structure.omissions
            if not _is_key_omission(omission, keyed_sources)
        ),
    )


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
