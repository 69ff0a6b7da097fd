"""A questionnaire that scores nothing (no calc field, assessment value, ordinal value or quiz
points) is refused, listing its questions and saying how to key them; with a key for every
question it gives a valid instrument and each person's right totals, in every system. And
apply_keys on a PendingImport: the keyed questions make the instrument, in their domains."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from tests.interop.convert_unscored_cases import FHIR_URL, Case, cases

from imheval.errors import DataFormatError, InstrumentError
from imheval.instruments import KeyedItem, load_instrument
from imheval.interop.convert import apply_keys, convert, read_structure
from imheval.interop.model import (
    AnswerMap,
    Conversion,
    KeysNeededError,
    Omission,
    PendingImport,
    SourceFile,
    System,
    UnkeyedQuestion,
)
from imheval.interop.output import conversion_table, write_conversion
from imheval.scoring import score_items

SYSTEMS = [System.REDCAP, System.LIMESURVEY, System.FHIR, System.MSFORMS]


@pytest.fixture(scope="module")
def all_cases(tmp_path_factory: pytest.TempPathFactory) -> dict[System, Case]:
    return cases(tmp_path_factory.mktemp("unscored"))


def run(case: Case, keys: dict[str, list[str]] | None) -> Conversion:
    return convert(
        [SourceFile.read(path) for path in case.exports],
        case.system,
        structure=SourceFile.read(case.structure) if case.structure else None,
        options=case.options,
        keys=keys,
    )


def keys_of(case: Case) -> dict[str, list[str]]:
    return {name: list(codes) for name, codes in case.keys.items()}


def totals(conversion: Conversion) -> dict[str, dict[str, float | None]]:
    instrument = conversion.structure.instrument
    scored = score_items(conversion_table(conversion), [instrument]).frame
    return {
        row["participant"]: {
            domain.id: None if math.isnan(row[domain.id]) else float(row[domain.id])
            for domain in instrument.domains
        }
        for _, row in scored.iterrows()
    }


@pytest.mark.parametrize("system", SYSTEMS)
def test_without_keys_the_refusal_lists_the_questions_and_how_to_key_them(
    system: System, all_cases: dict[System, Case]
) -> None:
    case = all_cases[system]
    # Forms refuses the download (it is the questionnaire), the others the structure file.
    expected = DataFormatError if system is System.MSFORMS else KeysNeededError
    with pytest.raises(expected) as caught:
        run(case, None)
    (problem,) = [p for p in caught.value.problems if "--key" in p.message]
    named = case.structure or case.exports[0]
    assert problem.file == named.name
    for question in case.questions:
        assert f"{question}" in problem.message
    assert "--key" in problem.message


@pytest.mark.parametrize("system", SYSTEMS)
def test_a_key_for_every_question_gives_a_valid_instrument_and_the_right_totals(
    system: System, all_cases: dict[System, Case], tmp_path: Path
) -> None:
    case = all_cases[system]
    conversion = run(case, keys_of(case))
    imported = conversion.structure
    instrument = imported.instrument
    assert tuple(q.id for q in instrument.questions) == case.item_ids
    assert tuple((d.id, d.label) for d in instrument.domains) == case.domains
    assert all(isinstance(q, KeyedItem) for q in instrument.questions)
    for item, key in case.item_keys.items():
        question = next(q for q in instrument.items if q.id == item)
        assert question.key == key
    assert imported.unkeyed == ()
    assert not [o for o in imported.omissions if "--key" in o.message]
    assert [a.item for a in imported.answers] == list(case.item_ids)
    assert totals(conversion) == case.totals
    # written as imheval's own files, the instrument loads back the same
    _, instrument_path = write_conversion(conversion, tmp_path / "out")
    assert load_instrument(instrument_path) == instrument


def test_redcap_keys_name_options_by_code_or_text_and_the_structure_keeps_its_fields(
    all_cases: dict[System, Case],
) -> None:
    case = all_cases[System.REDCAP]
    assert case.structure is not None
    imported = read_structure(
        System.REDCAP, SourceFile.read(case.structure), keys={"check_two___b": ["not ticked"]}
    )
    assert [q.id for q in imported.instrument.questions] == ["check_two___b"]
    assert imported.instrument.id == "form_2" and imported.instrument.version == "1.0.0"
    # the other boxes stay listed, still to key
    assert len(imported.unkeyed) == 8
    assert imported.answer_map("check_two___b").columns == ("check_two___b",)


def test_the_fhir_canonical_url_is_kept_through_the_keys(
    all_cases: dict[System, Case], tmp_path: Path
) -> None:
    case = all_cases[System.FHIR]
    assert case.structure is not None
    imported = read_structure(System.FHIR, SourceFile.read(case.structure), keys=keys_of(case))
    assert imported.canonical == f"{FHIR_URL}|2"
    # so responses to another version are refused
    other = tmp_path / "old.json"
    other.write_text(case.exports[0].read_text("utf-8").replace(f"{FHIR_URL}|2", f"{FHIR_URL}|1"))
    with pytest.raises(DataFormatError, match=r"answers? the Questionnaire '.*imh-quiz\|1'"):
        convert(
            [SourceFile.read(other)],
            System.FHIR,
            structure=SourceFile.read(case.structure),
            keys=keys_of(case),
        )


def test_a_wrong_key_for_a_questionnaire_that_scores_nothing_is_named(
    all_cases: dict[System, Case],
) -> None:
    case = all_cases[System.LIMESURVEY]
    assert case.structure is not None
    with pytest.raises(InstrumentError) as caught:
        read_structure(
            System.LIMESURVEY,
            SourceFile.read(case.structure),
            keys={"vr1004": ["Willem"], "leeftijd": ["30"]},
        )
    assert [str(p) for p in caught.value.problems] == [
        "--key: vr1004=Willem: 'Willem' is not one of the options of 'vr1004', which are: A1 "
        "(Daan); A2 (Bart); A3 (Jelle); A4 (Rick); A5 (Mike); A6 (Tom). For more than one right "
        "answer, give the key once for each",
        "--key: 'leeftijd' is not one of the questions without a key; they are: 'Geslacht', "
        "'opleiding', 'vr1004', 'vr1005', 'Eindvraag'",
    ]
    assert not isinstance(caught.value, KeysNeededError)


# ---------------------------------------------------------------------------------------------
# apply_keys on a PendingImport


def question(
    item: str, domain: str, label: str, options: dict[str, str] | None = None
) -> UnkeyedQuestion:
    options = options or {"1": "Yes", "0": "No"}
    codes = {**{code: code for code in options}, **{text: code for code, text in options.items()}}
    return UnkeyedQuestion(
        item=item,
        source=item.upper(),
        text=f"{item}?",
        domain=domain,
        options=options,
        answers=AnswerMap(item=item, source=item.upper(), codes=codes),
        domain_label=label,
    )


def pending() -> PendingImport:
    return PendingImport(
        fields={
            "format": "imheval-instrument/1",
            "id": "quiz",
            "version": "2.1.0",
            "title": "The quiz",
            "description": "From elsewhere",
            "language": "en-GB",
            "levels": ["beginner", "intermediate", "advanced"],
            "domains": [
                {"id": "knowledge", "label": "Knowledge", "description": "What people know"},
                {"id": "practice", "label": "Practice"},
            ],
        },
        system=System.REDCAP,
        unkeyed=(
            question("k1", "knowledge", "Knowledge"),
            question("p1", "practice", "Practice"),
            question("k2", "knowledge", "Knowledge", {"a": "Always", "b": "Never"}),
            question("r1", "risk", "Risk and safety"),
        ),
        omissions=(
            Omission("field 'K1'", "no answer key; give it with --key K1=CODE"),
            Omission("field 'P1'", "no answer key; give it with --key P1=CODE"),
            Omission("field 'bmi'", "a calculation imheval does not read"),
        ),
        code_field="own_code",
        cohort_field="group",
        timepoint_field="when",
        identifying=("email",),
        canonical="https://example.org/q|2",
    )


def test_the_keyed_questions_of_a_pending_import_make_the_instrument_in_source_order() -> None:
    keyed = apply_keys(pending(), {"r1": ["Yes"], "K2": ["b"], "k1": ["0"]})
    instrument = keyed.instrument
    assert [q.id for q in instrument.questions] == ["k1", "k2", "r1"]
    assert [(q.id, q.key) for q in instrument.items] == [
        ("k1", ("0",)),
        ("k2", ("b",)),
        ("r1", ("1",)),
    ]
    # practice has no keyed question, so no domain; risk was not among the fields' domains:
    # added with the source's label
    assert [(d.id, d.label, d.description) for d in instrument.domains] == [
        ("knowledge", "Knowledge", "What people know"),
        ("risk", "Risk and safety", ""),
    ]
    assert (instrument.id, instrument.version, instrument.title, instrument.description) == (
        "quiz",
        "2.1.0",
        "The quiz",
        "From elsewhere",
    )
    assert [a.item for a in keyed.answers] == ["k1", "k2", "r1"]
    assert keyed.answer_map("k2").codes["Never"] == "b"
    assert [q.item for q in keyed.unkeyed] == ["p1"]
    assert [o.where for o in keyed.omissions] == ["field 'P1'", "field 'bmi'"]
    assert (keyed.code_field, keyed.cohort_field, keyed.timepoint_field) == (
        "own_code",
        "group",
        "when",
    )
    assert keyed.identifying == ("email",) and keyed.canonical == "https://example.org/q|2"
    assert keyed.system is System.REDCAP


def test_a_pending_import_keyed_by_none_of_the_keys_stays_an_error_listing_its_questions() -> None:
    with pytest.raises(KeysNeededError) as caught:
        apply_keys(pending(), {})
    assert str(caught.value) == (
        "--key: no question of 'The quiz' is scored until it has its answer key: give the key "
        "of at least one with --key FIELD=CODE (the right answer's code or its text; repeat it "
        "for each question, and for a question with more than one right answer). The questions "
        "without a key: 'K1' (1 = Yes; 0 = No), 'P1' (1 = Yes; 0 = No), 'K2' (a = Always; b = "
        "Never), 'R1' (1 = Yes; 0 = No)"
    )
    assert caught.value.pending == pending()
    with pytest.raises(KeysNeededError, match="give the key of at least one in Answer keys"):
        apply_keys(pending(), {}, given_as="Answer keys")


def test_problems_with_the_keys_of_a_pending_import_are_listed_at_once() -> None:
    with pytest.raises(InstrumentError) as caught:
        apply_keys(pending(), {"k1": ["Maybe"], "nope": ["1"], "p1": ["1", "0"]})
    assert [p.message for p in caught.value.problems] == [
        "K1=Maybe: 'Maybe' is not one of the options of 'K1', which are: 1 (Yes); 0 (No). For "
        "more than one right answer, give the key once for each",
        "'nope' is not one of the questions without a key; they are: 'K1', 'P1', 'K2', 'R1'",
        "p1: every option is keyed correct, so the question cannot tell who knows the answer; "
        "key only the right answer(s)",
    ]
