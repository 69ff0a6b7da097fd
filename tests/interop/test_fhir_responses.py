"""FHIR QuestionnaireResponses in (imheval.interop.fhir.responses): the real responses in
../shared/fixtures/interop/real/fhir/ and the shared example, responses to imheval's own export,
Bundles, timepoints, privacy, and a Bundle of 1,000 responses with one broken."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.interop.fhir_build import (
    bundle,
    coding,
    handmade,
    local,
    real,
    response,
    shared,
    source,
)

from imheval.errors import DataFormatError
from imheval.instruments import Instrument
from imheval.interop.common import maps_for_instrument
from imheval.interop.fhir.export import write_questionnaire
from imheval.interop.fhir.questionnaire import read_questionnaire
from imheval.interop.fhir.responses import read_responses
from imheval.interop.model import (
    AnswerMap,
    InstrumentImport,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
    System,
)

PHQ9 = [f"H1_T1_Q{n}" for n in range(1, 10)]
HAND = "https://imheval.org/fhir/Questionnaire/hand_made.v2|3.1.4"


def refused(
    sources: list[SourceFile], structure: InstrumentImport, **options: Any
) -> DataFormatError:
    with pytest.raises(DataFormatError) as caught:
        read_responses(sources, structure, ResponseOptions(**options))
    return caught.value


def find(resource: dict[str, Any], link: str) -> dict[str, Any]:
    """The item ``link`` of a response, at any depth."""
    for item in resource["item"]:
        if item["linkId"] == link:
            return item  # type: ignore[no-any-return]
        for inner in item.get("item", []):
            if inner["linkId"] == link:
                return inner  # type: ignore[no-any-return]
    raise KeyError(link)


def row(result: ResponsesImport, index: int = 0) -> dict[str, str]:
    return {k: v for k, v in result.frame.iloc[index].to_dict().items() if v != ""}


# --- real files ----------------------------------------------------------------------------


def test_shared_example_response() -> None:
    structure = read_questionnaire(shared("fhir_r4_questionnaire.json"))
    result = read_responses(
        [shared("fhir_r4_questionnaireresponse.json")], structure, ResponseOptions()
    )
    assert row(result) == {"participant": "M0367", "timepoint": "post", "k1": "1"}
    assert result.origins == (("fhir_r4_questionnaireresponse.json", 1),)
    assert result.complete == (True,)
    assert result.notes == ("answers to items the instrument does not hold were not read: 'se1'",)


def test_responses_without_the_structures_code_item_are_refused() -> None:
    structure = read_questionnaire(shared("fhir_r4_questionnaire.json"))
    answer = response(
        {"timepoint": coding("pre"), "k1": coding("2"), "initials": {"valueString": "JB"}}
    )
    error = refused([source("r.json", answer)], structure)
    assert [str(p) for p in error.problems] == [
        "r.json: no response answers the code item 'own_code'; name the item that holds the "
        "self-generated code with --code-field (items answered in text: 'initials')"
    ]


def test_sdc_phq9_response_without_a_code_is_refused_saying_how_to_name_one() -> None:
    structure = read_questionnaire(real("sdc_phq9_questionnaire.json"))
    error = refused([real("sdc_phq9_questionnaireresponse.json")], structure)
    assert [str(p) for p in error.problems] == [
        "sdc_phq9_questionnaireresponse.json: the responses hold no self-generated code (no "
        "item's linkId contains 'code'); name the item that holds it with --code-field (items "
        "answered in text: none)"
    ]


def test_sdc_phq9_response_answers_and_its_stored_total_of_13_against_the_answers_10() -> None:
    """The real response, with a code item added (it has none: it identifies its patient)."""
    resource = json.loads(real("sdc_phq9_questionnaireresponse.json").data)
    resource["item"].insert(0, {"linkId": "code", "answer": [{"valueString": "AB12"}]})
    structure = read_questionnaire(real("sdc_phq9_questionnaire.json"))
    result = read_responses(
        [source("phq9.json", resource)], structure, ResponseOptions(timepoints={"PHQ9.json": "pre"})
    )
    assert [row(result)[q] for q in PHQ9] == ["0", "0", "0", "1", "2", "1", "3", "2", "1"]
    assert row(result)["participant"] == "AB12"
    assert row(result)["timepoint"] == "pre"
    assert result.dropped == ("subject", "author")
    assert result.notes == (
        "the stored total 'H1/TS' disagrees with its questions' scores (phq9.json: stored 13, "
        "the answers score 10); imheval scores the answers itself and does not use stored totals",
        "the responses' subject, author references point at people (or their visits): they "
        "were not read, and nothing of them is stored",
    )
    assert "Patient" not in result.frame.to_csv()


def test_argonaut_stu3_response_is_refused() -> None:
    structure = read_questionnaire(real("sdc_phq9_questionnaire.json"))
    error = refused([real("argonaut_phq9_questionnaireresponse.json")], structure)
    (problem,) = error.problems
    assert problem.file == "argonaut_phq9_questionnaireresponse.json"
    assert problem.message.startswith(
        "this QuestionnaireResponse is in the FHIR STU3 form: 'questionnaire' is a Reference"
    )


def trivia_structure() -> InstrumentImport:
    """The trivia quiz as imheval could score it: its Questionnaire holds only free-text and
    number questions (refused), so two of its questions are keyed here by hand, and one kept
    open, to read the real XML responses against."""
    instrument = Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "trivia-questionnaire",
            "version": "1.0.0",
            "title": "Trivia",
            "levels": ["beginner"],
            "domains": [{"id": "quiz", "label": "Quiz"}],
            "items": [
                {"kind": "open", "id": "q1", "domain": "quiz", "text": "Orange part of an egg"},
                {
                    "id": "q9",
                    "domain": "quiz",
                    "text": "Which is faster, light or sound?",
                    "options": {"light": "Light", "sound": "Sound"},
                    "key": "light",
                },
                {
                    "id": "q18",
                    "domain": "quiz",
                    "text": "Which animal lays the largest eggs?",
                    "options": {"ostrich": "Ostrich", "emu": "Emu", "hen": "Hen"},
                    "key": "ostrich",
                },
            ],
        }
    )
    answers = (
        AnswerMap(item="q1", source="1"),
        AnswerMap(item="q9", source="9", codes={"Light": "light", "Sound": "sound"}),
        AnswerMap(
            item="q18", source="18", codes={"Ostrich": "ostrich", "Emu": "emu", "Hen": "hen"}
        ),
    )
    return InstrumentImport(instrument=instrument, system=System.FHIR, answers=answers)


@pytest.mark.parametrize(
    ("name", "q18"),
    [("sdc_trivia_quiz_response_qr.xml", "emu"), ("sdc_trivia_quiz_answer_key_qr.xml", "ostrich")],
)
def test_trivia_xml_responses_are_read(name: str, q18: str) -> None:
    structure = trivia_structure()
    error = refused([real(name)], structure, timepoints={name: "post"})
    assert "hold no self-generated code" in error.problems[0].message
    # The quiz has no code item; the first answer stands in for one so the answers can be read.
    result = read_responses(
        [real(name)], structure, ResponseOptions(timepoints={name: "post"}, code_field="1")
    )
    assert row(result) == {
        "participant": "Yolk",
        "timepoint": "post",
        "q1": "Yolk",
        "q9": "light",
        "q18": q18,
    }
    assert result.dropped == ("subject",)
    assert result.notes[0].startswith(
        "answers to items the instrument does not hold were not read: '2', '3', '4'"
    )


# --- responses to imheval's own export --------------------------------------------------------


def hand_structure() -> InstrumentImport:
    text = write_questionnaire(handmade())
    return read_questionnaire(SourceFile("hand.json", text.encode()))


def hand_response(code: str, timepoint: str, **extra: Any) -> dict[str, Any]:
    system = "https://imheval.org/fhir/CodeSystem/hand_made.v2"
    answers: dict[str, Any] = {
        "code": {"valueString": code},
        "timepoint": coding(timepoint, "https://imheval.org/fhir/CodeSystem/timepoint"),
        "k1": coding("b", f"{system}/k1", "The family"),
        "k2": coding("c", f"{system}/k2"),
        "k3": coding("1"),
        "open_know": {"valueString": "Serve and return, with a line\nbreak"},
        "c1": coding("4", f"{system}/scales/agree", "Agree"),
        "c2": coding("2"),
        "c3": coding("10"),
        "r1": coding("0"),
    }
    return response(
        answers,
        questionnaire=HAND,
        group={"knowledge": ["k1", "k2", "k3", "open_know"], "confidence": ["c1", "c2", "c3"]},
        **extra,
    )


def test_responses_to_the_exported_questionnaire_in_a_bundle() -> None:
    pre = hand_response("AB12", "pre", subject={"reference": "Patient/1"})
    post = hand_response("AB12", "post")
    draft = hand_response("CD34", "post", status="in-progress")
    searchset = bundle([pre, {"resourceType": "OperationOutcome"}, post, draft], "searchset")
    result = read_responses([source("all.json", searchset)], hand_structure(), ResponseOptions())
    assert list(result.frame.columns[:6]) == [
        "participant",
        "cohort",
        "programme",
        "timepoint",
        "directorate",
        "profession",
    ]
    assert row(result, 0) == {
        "participant": "AB12",
        "timepoint": "pre",
        "k1": "b",
        "k2": "c",
        "k3": "1",
        "open_know": "Serve and return, with a line\nbreak",
        "c1": "4",
        "c2": "2",
        "c3": "10",
        "r1": "0",
    }
    assert row(result, 1)["timepoint"] == "post"
    assert result.origins == (("all.json", 1), ("all.json", 3))
    assert [str(o) for o in result.left_out] == [
        "all.json, entry 4: left out: not completed (status 'in-progress'); keep incomplete "
        "responses to include it"
    ]
    assert result.dropped == ("subject",)
    assert "1 Bundle entry held an OperationOutcome (not a response); ignored" in result.notes
    assert (
        "no response answers 'k4', 'c4', 'code_of_practice', 'anything_else'; those answers "
        "are blank" in result.notes
    )
    kept = read_responses(
        [source("all.json", searchset)], hand_structure(), ResponseOptions(keep_incomplete=True)
    )
    assert kept.complete == (True, True, False)


def test_an_answer_that_is_not_an_option_is_kept_as_given_and_noted() -> None:
    answer = hand_response("AB12", "pre")
    find(answer, "k1")["answer"] = [coding("z")]
    result = read_responses([source("r.json", answer)], hand_structure(), ResponseOptions())
    assert row(result)["k1"] == "z"
    assert (
        "item 'k1': the answer 'z' (entry 1) is not one of its options; it is kept as given "
        "and scores as invalid" in result.notes
    )


def test_timepoints_from_tags_mapped_by_events_and_rows_without_one_left_out() -> None:
    structure = hand_structure()
    responses = []
    for code, tag in (("A1", "wave-1"), ("A1", "wave-2"), ("B2", "wave-9")):
        resource = hand_response(code, "pre", tags=[tag])
        resource["item"] = [i for i in resource["item"] if i["linkId"] != "timepoint"]
        responses.append(resource)
    result = read_responses(
        [source("tags.json", bundle(responses))],
        structure,
        ResponseOptions(events={"WAVE-1": "pre", "wave-2": "Post"}),
    )
    assert list(result.frame["timepoint"]) == ["pre", "post"]
    assert [str(o) for o in result.left_out] == [
        "tags.json, entry 3: left out: no timepoint: its timepoint item is blank or not a "
        "timepoint, and its tags ('wave-9') map to none"
    ]
    error = refused([source("tags.json", bundle(responses))], structure)
    assert error.problems[0].message.startswith("no response has a timepoint: give one per file")


def test_one_file_per_timepoint_overrides_the_item() -> None:
    result = read_responses(
        [source("before.json", hand_response("A1", "post"))],
        hand_structure(),
        ResponseOptions(timepoints={"Before.json": "baseline"}),
    )
    assert row(result)["timepoint"] == "pre"


def test_a_response_to_another_questionnaire_or_version_is_a_problem_naming_the_entries() -> None:
    other = [hand_response("A1", "pre") for _ in range(3)]
    other[1]["questionnaire"] = "https://imheval.org/fhir/Questionnaire/hand_made.v2|3.0.0"
    other[2]["questionnaire"] = "https://example.org/Questionnaire/other"
    error = refused([source("b.json", bundle(other))], hand_structure())
    assert [str(p) for p in error.problems] == [
        "b.json: entry 2 answers the Questionnaire "
        "'https://imheval.org/fhir/Questionnaire/hand_made.v2|3.0.0', but the structure given is "
        f"'{HAND}'; give the Questionnaire (and version) it answers",
        "b.json: entry 3 answers the Questionnaire 'https://example.org/Questionnaire/other', "
        f"but the structure given is '{HAND}'; give the Questionnaire (and version) it "
        "answers",
    ]


def test_with_an_imheval_instrument_as_the_structure_the_version_is_checked_too() -> None:
    structure = maps_for_instrument(handmade(), System.FHIR)
    answer = hand_response("A1", "pre")
    result = read_responses(
        [source("r.json", answer)],
        structure,
        ResponseOptions(timepoint_field="timepoint", code_field="code"),
    )
    assert row(result)["c1"] == "4"
    answer["questionnaire"] = "https://imheval.org/fhir/Questionnaire/hand_made.v2|9.9.9"
    error = refused(
        [source("r.json", answer)], structure, timepoint_field="timepoint", code_field="code"
    )
    assert (
        "but the structure given is 'https://imheval.org/fhir/Questionnaire/hand_made.v2|3.1.4'"
        in error.problems[0].message
    )


def test_a_missing_questionnaire_reference_is_a_note() -> None:
    answer = hand_response("A1", "pre")
    del answer["questionnaire"]
    result = read_responses([source("r.json", answer)], hand_structure(), ResponseOptions())
    assert (
        "1 response(s) do not say which Questionnaire they answer; their answers were read by "
        "linkId" in result.notes
    )


def test_identifying_items_are_dropped_and_never_reach_the_frame() -> None:
    structure = read_questionnaire(local("r5_coding_questionnaire.json"))
    answer = response(
        {
            "own_code": {"valueString": "ZZ99"},
            "email": {"valueString": "jo@example.org"},
            "cohort": {"valueString": "Spring"},
            "timepoint": coding("pre"),
            "kq1": coding("b"),
            "c1": coding("SA"),
            "c3": {"valueInteger": 2},
            "kq2": {"valueString": "Cooing"},
        },
        questionnaire="https://example.org/Questionnaire/r5-knowledge-confidence|2.1",
    )
    result = read_responses([source("r5.json", answer)], structure, ResponseOptions())
    assert row(result) == {
        "participant": "ZZ99",
        "cohort": "Spring",
        "timepoint": "pre",
        "kq1": "b",
        "kq2": "Cooing",
        "c1": "5",
        "c3": "2",
    }
    assert result.dropped == ("email",)
    assert "jo@example.org" not in result.frame.to_csv()
    assert not any("jo@example.org" in note for note in result.notes)


def test_a_questionnaire_given_as_responses_and_a_patient_are_refused() -> None:
    error = refused(
        [local("r5_coding_questionnaire.json"), source("p.json", {"resourceType": "Patient"})],
        hand_structure(),
    )
    assert [p.message[:60] for p in error.problems] == [
        "this is a Questionnaire, not responses; give it as the struc",
        "this is a Patient resource, not QuestionnaireResponses; expo",
    ]


def test_a_paged_search_result_is_noted() -> None:
    page = bundle([hand_response("A1", "pre")], "searchset")
    page["link"] = [{"relation": "next", "url": "https://fhir.example/QuestionnaireResponse?p=2"}]
    result = read_responses([source("page1.json", page)], hand_structure(), ResponseOptions())
    assert result.notes[0].startswith(
        "page1.json is one page of a search (the Bundle links to a next page)"
    )


# --- a thousand entries, one broken ---------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            {"valueCoding": {"system": "https://example.org"}},
            "its valueCoding has neither a code nor a display",
        ),
        ({}, "an answer holds no value (valueCoding, valueString ...)"),
        ({"valueInteger": "three"}, "its valueInteger 'three' is not a whole number"),
    ],
)
def test_a_bundle_of_1000_responses_with_one_broken_gives_one_message_and_imports_nothing(
    broken: dict[str, Any], message: str
) -> None:
    responses = [hand_response(f"P{n:04d}", "pre" if n % 2 else "post") for n in range(1000)]
    find(responses[636], "c2")["answer"] = [broken]  # entry 637
    with pytest.raises(DataFormatError) as caught:
        read_responses(
            [source("thousand.json", bundle(responses))], hand_structure(), ResponseOptions()
        )
    assert [str(p) for p in caught.value.problems] == [
        f"thousand.json: entry 637: item 'c2': {message}; fix the response (or leave it out) "
        "and export again"
    ]


def test_a_wrong_version_and_a_broken_answer_in_one_bundle_are_reported_together() -> None:
    responses = [hand_response(f"P{n:04d}", "pre" if n % 2 else "post") for n in range(1000)]
    responses[10]["questionnaire"] = "https://imheval.org/fhir/Questionnaire/hand_made.v2|1.0.0"
    find(responses[636], "c2")["answer"] = [{"valueInteger": "zz"}]
    with pytest.raises(DataFormatError) as caught:
        read_responses(
            [source("thousand.json", bundle(responses))], hand_structure(), ResponseOptions()
        )
    assert [str(p) for p in caught.value.problems] == [
        "thousand.json: entry 637: item 'c2': its valueInteger 'zz' is not a whole number; fix "
        "the response (or leave it out) and export again",
        "thousand.json: entry 11 answers the Questionnaire "
        "'https://imheval.org/fhir/Questionnaire/hand_made.v2|1.0.0', but the structure given is "
        f"'{HAND}'; give the Questionnaire (and version) it answers",
    ]


def test_the_same_bundle_of_1000_without_the_break_reads_every_response() -> None:
    responses = [hand_response(f"P{n:04d}", "pre" if n % 2 else "post") for n in range(1000)]
    result = read_responses(
        [source("thousand.json", bundle(responses))], hand_structure(), ResponseOptions()
    )
    assert len(result.frame) == 1000
    assert result.origins[636] == ("thousand.json", 637)
    assert list(result.frame["participant"][:2]) == ["P0000", "P0001"]
    assert list(result.frame["timepoint"][:2]) == ["post", "pre"]


def _asks_who(extra: list[dict[str, Any]]) -> dict[str, Any]:
    """A Questionnaire with a code item, string items asking who someone is, and a keyed k1."""
    scored = [{"valueCoding": {"code": "a", "display": "Blue"}}, {"valueCoding": {"code": "b"}}]
    for option, value in zip(scored, (1, 0), strict=True):
        option["extension"] = [
            {"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": value}
        ]
    return {
        "resourceType": "Questionnaire",
        "status": "active",
        "title": "Test",
        "item": [
            {
                "linkId": "code",
                "text": "Your code: the first two letters of your mother's first name",
                "type": "string",
            },
            *extra,
            {"linkId": "k1", "text": "Sky colour?", "type": "choice", "answerOption": scored},
        ],
    }


def test_items_asking_for_a_name_or_email_by_their_text_are_dropped_and_never_reach_the_frame() -> (
    None
):
    asks = [
        {"linkId": "q9", "text": "What is your email address?", "type": "string"},
        {"linkId": "q10", "text": "Full name of participant", "type": "string"},
        {"linkId": "q11", "text": "What is your name?", "type": "string"},
        {"linkId": "q12", "text": "E-mail", "type": "string"},
        {"linkId": "postcode", "text": "Where do you live?", "type": "string"},
        {"linkId": "q13", "text": "What did you learn?", "type": "string"},
    ]
    structure = read_questionnaire(source("fem.json", _asks_who(asks)))
    assert structure.code_field == "code"
    # The code is decided first; "postcode" holds "code" but identifies, so it is no code.
    assert structure.identifying == ("q9", "q10", "q11", "q12", "postcode")
    assert [q.id for q in structure.instrument.questions] == ["q13", "k1"]
    answer = response(
        {
            "code": {"valueString": "AB1"},
            "q9": {"valueString": "bob@nhs.example"},
            "q10": {"valueString": "Bob Smith"},
            "q11": {"valueString": "Robert Smith"},
            "q12": {"valueString": "rs@nhs.example"},
            "q13": {"valueString": "Attachment"},
            "k1": coding("a"),
        }
    )
    options = ResponseOptions(timepoints={"fem_qr.json": "pre"})
    result = read_responses([source("fem_qr.json", answer)], structure, options)
    assert row(result) == {"participant": "AB1", "timepoint": "pre", "q13": "Attachment", "k1": "a"}
    assert result.dropped == ("q9", "q10", "q11", "q12")
    written = result.frame.to_csv() + "\n".join(result.notes)
    for value in ("bob@nhs.example", "Bob Smith", "Robert Smith", "rs@nhs.example"):
        assert value not in written
