"""FHIR Questionnaires in (imheval.interop.fhir.questionnaire): every real file in
../shared/fixtures/interop/real/fhir/ and the shared example, an R5 questionnaire and an XML quiz
with an answer key of our own (tests/interop/data/fhir/), and bad input."""

from __future__ import annotations

import json

import pytest
from tests.interop.fhir_build import local, real, shared, source

from imheval.errors import InstrumentError
from imheval.instruments import KeyedItem, OpenItem, RatingItem
from imheval.interop.fhir.questionnaire import read_questionnaire
from imheval.interop.model import InstrumentImport, SourceFile, System

PHQ9_LABELS = {
    0: "Not at all",
    1: "Several days",
    2: "More than half the days",
    3: "Nearly every day",
}


def refusal(file: SourceFile) -> str:
    with pytest.raises(InstrumentError) as caught:
        read_questionnaire(file)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].file == file.name
    return caught.value.problems[0].message


def where(structure: InstrumentImport) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for omission in structure.omissions:
        found.setdefault(omission.where, []).append(omission.message)
    return found


# --- real files ----------------------------------------------------------------------------


def test_sdc_phq9_nine_ratings_from_the_contained_valueset_and_the_total_is_an_omission() -> None:
    structure = read_questionnaire(real("sdc_phq9_questionnaire.json"))
    instrument = structure.instrument
    assert structure.system is System.FHIR
    assert instrument.id == "sdcphq9"
    assert instrument.version == "0.0.1"
    assert instrument.title == "Patient Health Questionnaire - 9 Item"
    assert [q.id for q in instrument.questions] == [f"H1_T1_Q{n}" for n in range(1, 10)]
    assert all(
        isinstance(q, RatingItem) and q.scale == "vsphq9" and not q.reverse
        for q in instrument.questions
    )
    scale = instrument.scales["vsphq9"]
    assert (scale.min, scale.max, scale.labels) == (0, 3, PHQ9_LABELS)
    assert [d.label for d in instrument.domains] == [
        "Over the last two weeks, how often have you been bothered by any of the following "
        "problems?"
    ]
    q5 = structure.answer_map("H1_T1_Q5")
    assert q5.source == "H1/T1/Q5"
    # Codes with spaces and hyphens, and their displays, map to the ordinal value.
    assert q5.codes["Not-at-all"] == "0"
    assert q5.codes["More than half the days"] == "2"
    assert q5.codes["Nearly every day"] == "3"
    total = where(structure)["item 'H1/TS'"]
    assert len(total) == 1 and total[0].startswith("a calculated score (quantity item)")
    assert "%resource.answers().value.ordinal().sum()" in total[0]
    assert structure.unkeyed == () and structure.code_field is None
    assert type(structure) is InstrumentImport  # the model's own canonical, no subclass
    assert structure.canonical == (
        "http://hl7.org/fhir/uv/sdc/Questionnaire/questionnaire-sdc-profile-example-PHQ9|0.0.1"
    )


def test_lforms_phq9_ordinal_values_on_loinc_answers_and_the_difficulty_question_unkeyed() -> None:
    structure = read_questionnaire(real("lforms_r4_phq9_questionnaire.json"))
    instrument = structure.instrument
    assert instrument.id == "phq-9_quick_depression_assessment_panel"
    assert instrument.version == "1.0.0"  # the file has none
    assert len(instrument.items) == 9
    assert instrument.items[0].id == "q44250-9"
    assert structure.answer_map("q44250-9").source == "/44250-9"
    assert set(instrument.scales) == {"scale_1"}
    assert instrument.scales["scale_1"].labels == PHQ9_LABELS
    assert structure.answer_map("q44260-8").codes == {
        "LA6568-5": "0",
        "LA6569-3": "1",
        "LA6570-1": "2",
        "LA6571-9": "3",
        "Not at all": "0",
        "Several days": "1",
        "More than half the days": "2",
        "Nearly every day": "3",
    }
    # No group: one domain named after the Questionnaire.
    assert [d.label for d in instrument.domains] == ["PHQ-9 quick depression assessment panel"]
    (unkeyed,) = structure.unkeyed
    assert (unkeyed.item, unkeyed.source, unkeyed.after) == ("q69722-7", "/69722-7", "q44260-8")
    assert unkeyed.options["LA6575-0"] == "Very difficult"
    omissions = where(structure)
    assert omissions["item '/69722-7'"][0].startswith("no answer key")
    assert "--key /69722-7=<code>" in omissions["item '/69722-7'"][0]
    total = omissions["item '/44261-6'"]
    assert total[0].startswith("11 FHIRPath variable(s) (scoreExt, q1_value")
    assert total[1].startswith("a calculated score (decimal item)")


def test_lforms_apgar_item_weights_are_accepted_as_five_ratings_on_0_to_2() -> None:
    structure = read_questionnaire(real("lforms_r4_apgar_itemweight_questionnaire.json"))
    instrument = structure.instrument
    assert instrument.title == "1-Minute Apgar Score"
    assert [q.id for q in instrument.questions] == [
        "q32406-1",
        "q32407-9",
        "q32409-5",
        "q32408-7",
        "q32410-3",
    ]
    assert all(isinstance(q, RatingItem) for q in instrument.questions)
    # Each item has its own answer texts, so each has its own 0..2 scale.
    assert [(s.min, s.max) for s in instrument.scales.values()] == [(0, 2)] * 5
    assert instrument.scales["scale_1"].labels == {
        0: "Blaugrau oder blass",
        1: "Gute Körperfarbe mit blauen Händen oder Füßen",
        2: "Gute Farbe am gesamten Körper",
    }
    assert structure.answer_map("q32406-1").codes["LA6724-4"] == "2"
    assert [o.where for o in structure.omissions] == ["item '9272-6'", "item '9272-6'"]


def test_argonaut_stu3_questionnaire_is_refused_saying_what_to_export() -> None:
    message = refusal(real("argonaut_phq9_questionnaire.json"))
    assert message.startswith(
        "this Questionnaire is in the FHIR STU3 form: item 'g1.q1' has 'options', which FHIR R4 "
        "renamed 'answerValueSet'"
    )
    assert "export it again from the server as FHIR R4 (4.0.1)" in message


@pytest.mark.parametrize(
    "name",
    [
        "argonaut_phq9_questionnaireresponse.json",
        "sdc_phq9_questionnaireresponse.json",
        "sdc_trivia_quiz_answer_key_qr.xml",
        "sdc_trivia_quiz_response_qr.xml",
    ],
)
def test_a_questionnaire_response_given_as_the_structure_is_refused_naming_it(name: str) -> None:
    assert refusal(real(name)).startswith(
        "this is a QuestionnaireResponse (answers), not a Questionnaire; give the "
        "Questionnaire as the structure (--structure)"
    )


def test_sdc_trivia_quiz_xml_is_read_and_refused_because_nothing_in_it_can_be_scored() -> None:
    message = refusal(real("sdc_trivia_quiz_questionnaire.xml"))
    assert message.startswith("nothing in this Questionnaire can be scored")
    assert "it has 12 free-text question(s), 8 item(s) not carried" in message
    assert "An SDC answer key can score only choice and yes/no questions" in message


def test_shared_example_keyed_item_unkeyed_likert_and_context_items() -> None:
    structure = read_questionnaire(shared("fhir_r4_questionnaire.json"))
    instrument = structure.instrument
    assert instrument.id == "imhknowledgeselfefficacy"
    (k1,) = instrument.questions
    assert isinstance(k1, KeyedItem)
    assert k1.options == {"1": "Conception to age 3", "2": "Age 3 to 5"}
    assert k1.key == ("1",) and k1.points == 1
    assert (structure.code_field, structure.timepoint_field) == ("own_code", "timepoint")
    (se1,) = structure.unkeyed
    assert (se1.item, se1.domain, se1.after) == ("se1", "self-efficacy", "k1")
    assert se1.options["5"] == "Strongly agree"
    assert set(where(structure)) == {"item 'k_total'", "item 'se1'"}


# --- our own files ---------------------------------------------------------------------------


def test_r5_coding_questionnaire() -> None:
    structure = read_questionnaire(local("r5_coding_questionnaire.json"))
    instrument = structure.instrument
    assert instrument.version == "2.1"
    assert [d.id for d in instrument.domains] == ["knowledge", "confidence"]
    by_id = {q.id: q for q in instrument.questions}
    assert list(by_id) == ["kq1", "kq2", "kq3", "c1", "c2", "c3", "c4", "comments"]
    kq1, kq2, kq3 = by_id["kq1"], by_id["kq2"], by_id["kq3"]
    assert isinstance(kq1, KeyedItem) and kq1.key == ("b",) and kq1.points == 1
    # valueString options, two right answers worth 2 each (itemWeight).
    assert isinstance(kq2, KeyedItem) and kq2.key == ("Looking away", "Arching the back")
    assert kq2.points == 2
    # ordinalValue on the Coding itself.
    assert isinstance(kq3, KeyedItem) and kq3.key == ("y",)
    c1, c3 = by_id["c1"], by_id["c3"]
    assert isinstance(c1, RatingItem) and c1.scale == "agree5" and not c1.reverse
    assert instrument.scales["agree5"].labels[4] == "Agree"
    assert structure.answer_map("c1").codes["SA"] == "5"
    # valueInteger 1..5 scored 5..1: a reverse rating; the answer recorded is the number chosen.
    assert isinstance(c3, RatingItem) and c3.reverse and c3.scale == "scale_1"
    assert (instrument.scales["scale_1"].min, instrument.scales["scale_1"].max) == (1, 5)
    assert structure.answer_map("c3").codes["2"] == "2"
    comments = by_id["comments"]
    assert isinstance(comments, OpenItem) and comments.max_length == 500
    assert comments.domain == "confidence"
    assert structure.code_field == "own_code"
    assert structure.cohort_field == "cohort"
    assert structure.timepoint_field == "timepoint"
    assert structure.identifying == ("email",)
    assert [u.item for u in structure.unkeyed] == ["kq4"]
    assert structure.unkeyed[0].options == {"true": "Yes", "false": "No"}
    omissions = where(structure)
    assert omissions["item 'kq5'"] == [
        "a whole-number question: imheval scores choice questions, so its answers are not carried"
    ]
    assert "cannot be fetched" in omissions["item 'kq6'"][0]
    assert omissions["item 'c4'"][0].startswith("shown only when item 'c1' exists true")
    assert omissions["item 'c5'"][0].startswith("hidden from the people answering")
    assert omissions["item 'c_total'"][0].startswith("a calculated score (decimal item)")
    assert omissions["item 'kq3'"][0].startswith("people may also type an answer of their own")


def test_xml_quiz_keyed_by_its_contained_sdc_answer_key() -> None:
    structure = read_questionnaire(local("quiz_answer_key_questionnaire.xml"))
    instrument = structure.instrument
    assert (instrument.id, instrument.version) == ("imh-quiz", "1.2.0")
    q1, q2, q3, q4 = instrument.questions
    assert isinstance(q1, KeyedItem) and q1.key == ("b",)
    assert q1.options == {"a": "Walking", "b": "Smiling", "c": "Talking"}
    assert isinstance(q2, KeyedItem) and q2.key == ("Paris",)
    assert isinstance(q3, KeyedItem) and q3.key == ("true",)
    assert q3.options == {"true": "Yes", "false": "No"}
    assert isinstance(q4, OpenItem) and q4.domain == "quiz"
    assert where(structure)["item 'q4'"] == [
        "the answer key gives 'Attachment' as its right answer, but imheval scores choice "
        "questions only: kept as an open (unscored) question"
    ]
    assert structure.code_field == "code"


def test_a_bundle_holding_the_questionnaire_and_its_answer_key_is_read() -> None:
    questionnaire = {
        "resourceType": "Questionnaire",
        "url": "https://example.org/Questionnaire/q",
        "status": "active",
        "extension": [
            {
                "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/questionnaire-answerKey",
                "valueReference": {"reference": "QuestionnaireResponse/key-1"},
            }
        ],
        "item": [
            {
                "linkId": "q1",
                "type": "choice",
                "text": "Pick",
                "answerOption": [{"valueInteger": 4}, {"valueInteger": 6}, {"valueInteger": 8}],
            }
        ],
    }
    key = {
        "resourceType": "QuestionnaireResponse",
        "id": "key-1",
        "status": "completed",
        "item": [{"linkId": "q1", "answer": [{"valueInteger": 6}]}],
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": questionnaire}, {"resource": key}],
    }
    structure = read_questionnaire(source("search.json", bundle))
    (q1,) = structure.instrument.questions
    assert isinstance(q1, KeyedItem)
    assert q1.options == {"4": "4", "6": "6", "8": "8"} and q1.key == ("6",)


def test_scores_that_are_neither_a_key_nor_a_scale_are_listed_not_guessed() -> None:
    questionnaire = {
        "resourceType": "Questionnaire",
        "status": "active",
        "title": "Odd",
        "item": [
            {
                "linkId": "a",
                "type": "choice",
                "text": "A",
                "answerOption": [
                    {"valueString": "x", "extension": [_ordinal(0)]},
                    {"valueString": "y", "extension": [_ordinal(0.5)]},
                    {"valueString": "z", "extension": [_ordinal(2)]},
                ],
            },
            {
                "linkId": "b",
                "type": "choice",
                "text": "B",
                "answerOption": [
                    {"valueString": "x", "extension": [_ordinal(0)]},
                    {"valueString": "y", "extension": [_ordinal(1)]},
                ],
            },
        ],
    }
    structure = read_questionnaire(source("odd.json", questionnaire))
    assert [q.id for q in structure.instrument.questions] == ["b"]
    assert [u.item for u in structure.unkeyed] == ["a"]
    assert where(structure)["item 'a'"][0] == (
        "its scores (0, 0.5, 2) are neither one right answer (0 for the other options) nor a "
        "scale of consecutive whole numbers, so imheval cannot score it as it stands"
    )


def test_unscored_whole_number_options_shared_by_two_questions_are_a_forward_scale() -> None:
    options = [{"valueCoding": {"code": str(n), "display": f"label {n}"}} for n in range(1, 5)]
    questionnaire = {
        "resourceType": "Questionnaire",
        "status": "active",
        "title": "Battery",
        "item": [
            {"linkId": "s1", "type": "choice", "text": "One", "answerOption": options},
            {"linkId": "s2", "type": "choice", "text": "Two", "answerOption": options},
        ],
    }
    instrument = read_questionnaire(source("battery.json", questionnaire)).instrument
    assert [
        (q.id, getattr(q, "scale", None), getattr(q, "reverse", None)) for q in instrument.questions
    ] == [("s1", "scale_1", False), ("s2", "scale_1", False)]
    assert instrument.scales["scale_1"].labels == {n: f"label {n}" for n in range(1, 5)}


def test_yes_no_questions_sharing_a_1_2_list_are_unkeyed_not_a_scale() -> None:
    yes_no = [
        {"valueCoding": {"code": "1", "display": "Yes"}},
        {"valueCoding": {"code": "2", "display": "No"}},
    ]
    keyed = [
        {"valueCoding": {"code": "a", "display": "Blue"}, "extension": [_ordinal(1)]},
        {"valueCoding": {"code": "b", "display": "Red"}, "extension": [_ordinal(0)]},
    ]
    questionnaire = {
        "resourceType": "Questionnaire",
        "status": "active",
        "title": "Test",
        "item": [
            {"linkId": "code", "text": "Your code", "type": "string"},
            {
                "linkId": "prior",
                "text": "Trained before?",
                "type": "choice",
                "answerOption": yes_no,
            },
            {"linkId": "manager", "text": "A manager?", "type": "choice", "answerOption": yes_no},
            {"linkId": "k1", "text": "Sky colour?", "type": "choice", "answerOption": keyed},
        ],
    }
    structure = read_questionnaire(source("yn.json", questionnaire))
    assert [q.id for q in structure.instrument.questions] == ["k1"]
    assert structure.instrument.scales == {}
    assert [(u.item, u.options) for u in structure.unkeyed] == [
        ("prior", {"1": "Yes", "2": "No"}),
        ("manager", {"1": "Yes", "2": "No"}),
    ]
    assert "give it with --key prior=<code>" in where(structure)["item 'prior'"][0]


def test_a_shared_1_to_3_list_is_no_scale_when_the_answer_key_keys_one_of_its_questions() -> None:
    options = [{"valueCoding": {"code": str(n), "display": f"choice {n}"}} for n in range(1, 4)]
    questionnaire = {
        "resourceType": "Questionnaire",
        "status": "active",
        "title": "Quiz",
        "extension": [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/questionnaire-answerKey",
                "valueReference": {"reference": "#key"},
            }
        ],
        "contained": [
            {
                "resourceType": "QuestionnaireResponse",
                "id": "key",
                "status": "completed",
                "item": [{"linkId": "m1", "answer": [{"valueCoding": {"code": "2"}}]}],
            }
        ],
        "item": [
            {"linkId": f"m{n}", "type": "choice", "text": f"Q{n}", "answerOption": options}
            for n in range(1, 4)
        ],
    }
    structure = read_questionnaire(source("quiz.json", questionnaire))
    m1 = structure.instrument.questions[0]
    assert [q.id for q in structure.instrument.questions] == ["m1"]
    assert isinstance(m1, KeyedItem) and m1.key == ("2",)
    assert [u.item for u in structure.unkeyed] == ["m2", "m3"]
    assert structure.instrument.scales == {}


def test_ordinal_values_running_with_two_codes_are_still_a_rating() -> None:
    options = [
        {"valueCoding": {"code": "0", "display": "No"}, "extension": [_ordinal(0)]},
        {"valueCoding": {"code": "1", "display": "Yes"}, "extension": [_ordinal(1)]},
        {"valueCoding": {"code": "2", "display": "Often"}, "extension": [_ordinal(2)]},
    ]
    questionnaire = {
        "resourceType": "Questionnaire",
        "status": "active",
        "title": "Scored",
        "item": [{"linkId": "r1", "type": "choice", "text": "How often?", "answerOption": options}],
    }
    structure = read_questionnaire(source("scored.json", questionnaire))
    r1 = structure.instrument.questions[0]
    assert isinstance(r1, RatingItem) and not r1.reverse
    scale = structure.instrument.scales[r1.scale]
    assert (scale.min, scale.max) == (0, 2)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "expected"),
    [
        ("Patient", "this is a Patient resource, not a Questionnaire"),
        ("Observation", "this is an Observation resource, not a Questionnaire"),
    ],
)
def test_a_resource_of_the_wrong_type_is_refused_naming_it(
    resource_type: str, expected: str
) -> None:
    assert refusal(source("x.json", {"resourceType": resource_type, "id": "p1"})).startswith(
        expected
    )


def test_a_json_syntax_error_is_named_with_its_line_and_column() -> None:
    broken = b'{\n  "resourceType": "Questionnaire",\n  "item": [ {"linkId": "a",, } ]\n}\n'
    assert refusal(SourceFile("broken.json", broken)) == (
        "this is not valid JSON: Expecting property name enclosed in double quotes at line 3, "
        "column 28; export it again, or fix it there"
    )


def test_json_that_is_not_a_resource_and_a_file_that_is_not_fhir_are_refused() -> None:
    assert refusal(source("list.json", [1, 2])).startswith("this JSON is not a FHIR resource")
    assert refusal(SourceFile("notes.txt", b"hello")).startswith(
        "this is neither FHIR JSON nor FHIR XML"
    )
    assert refusal(
        SourceFile("x.xml", b"<Questionnaire><status value='x'/></Questionnaire>")
    ).startswith("this XML is not FHIR (its root element <Questionnaire> has no namespace")


def test_xml_with_an_entity_declaration_is_refused_and_nothing_is_expanded() -> None:
    xml = (
        b'<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b'<Questionnaire xmlns="http://hl7.org/fhir"><title value="&x;"/></Questionnaire>'
    )
    assert refusal(SourceFile("evil.xml", xml)).startswith(
        "the XML declares a DOCTYPE or entities, which FHIR XML never needs"
    )


def test_broken_xml_is_named_with_its_line() -> None:
    message = refusal(SourceFile("b.xml", b'<Questionnaire xmlns="http://hl7.org/fhir">\n<item>'))
    assert message.startswith("this is not well-formed XML at line 2")


def test_a_stated_stu3_profile_is_refused() -> None:
    resource = {
        "resourceType": "Questionnaire",
        "meta": {"profile": ["http://hl7.org/fhir/3.0/StructureDefinition/Questionnaire"]},
        "status": "active",
        "item": [],
    }
    assert refusal(source("old.json", resource)).startswith(
        "this Questionnaire says it is FHIR STU3 (http://hl7.org/fhir/3.0/StructureDefinition/"
    )


def test_a_bundle_without_a_questionnaire_or_with_two_is_refused() -> None:
    patient = {"resourceType": "Patient"}
    assert (
        refusal(source("b.json", {"resourceType": "Bundle", "entry": [{"resource": patient}]}))
        == "this Bundle holds no Questionnaire (it holds Patient); give the Questionnaire"
    )
    two = [{"resource": {"resourceType": "Questionnaire", "url": u}} for u in ("u1", "u2")]
    assert refusal(source("b.json", {"resourceType": "Bundle", "entry": two})).startswith(
        "this Bundle holds 2 Questionnaires (u1, u2)"
    )


def test_an_item_without_a_link_id_is_a_problem() -> None:
    resource = json.loads(local("r5_coding_questionnaire.json").data)
    del resource["item"][4]["item"][0]["linkId"]
    assert refusal(source("r5.json", resource)) == (
        "an item ('The first 1001 days run from') has no linkId; every FHIR item needs one"
    )


def _ordinal(value: float) -> dict[str, object]:
    return {"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": value}
