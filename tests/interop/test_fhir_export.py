"""imheval instruments written as FHIR R4 Questionnaires (imheval.interop.fhir.export) and read
back (imheval.interop.fhir.questionnaire): the same instrument, for every built-in instrument and
a hand-made one that uses every feature."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.interop.fhir_build import as_exported, handmade

from imheval.instruments import Instrument, KeyedItem, RatingItem, get_builtin, list_builtin
from imheval.interop.fhir.export import write_questionnaire
from imheval.interop.fhir.questionnaire import read_questionnaire
from imheval.interop.model import InstrumentImport, SourceFile

ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
IMHEVAL_QUESTION = "https://imheval.org/fhir/StructureDefinition/question"


def round_trip(instrument: Instrument) -> InstrumentImport:
    text = write_questionnaire(instrument)
    structure = read_questionnaire(SourceFile("exported.json", text.encode("utf-8")))
    return structure


def items_by_link(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            found[item["linkId"]] = item
            walk(item.get("item", []))

    walk(resource["item"])
    return found


def scores(item: dict[str, Any]) -> dict[str, float]:
    return {
        option["valueCoding"]["code"]: next(
            e["valueDecimal"] for e in option["extension"] if e["url"] == ORDINAL
        )
        for option in item["answerOption"]
    }


@pytest.mark.parametrize("instrument_id", [i.id for i in list_builtin()])
def test_every_built_in_instrument_comes_back_the_same(instrument_id: str) -> None:
    instrument = get_builtin(instrument_id)
    structure = round_trip(instrument)
    assert structure.instrument == as_exported(instrument)
    assert structure.omissions == ()
    assert structure.unkeyed == ()
    assert (structure.code_field, structure.timepoint_field) == ("code", "timepoint")
    assert [a.item for a in structure.answers] == [q.id for q in instrument.questions]
    assert all(a.source == a.item for a in structure.answers)
    assert structure.canonical == (
        f"https://imheval.org/fhir/Questionnaire/{instrument.id}|{instrument.version}"
    )


def test_the_core_bank_keeps_its_forms_scale_and_texts_in_default_words() -> None:
    instrument = round_trip(get_builtin("imh-core")).instrument
    assert instrument.form_ids == ("A", "B")
    assert instrument.scales["can_do"].labels == {
        0: "Cannot do at all",
        5: "Moderately can do",
        10: "Highly certain can do",
    }
    assert not any("{" in q.text for q in instrument.questions)


def test_a_hand_made_instrument_comes_back_the_same() -> None:
    original = handmade()
    structure = round_trip(original)
    assert structure.instrument == as_exported(original)
    back = {q.id: q for q in structure.instrument.questions}
    # The points worth checking by eye as well as by equality.
    assert isinstance(back["k2"], KeyedItem) and back["k2"].key == ("a", "b")
    assert back["k2"].points == 2
    assert isinstance(back["k4"], KeyedItem) and back["k4"].points == 0.5
    assert isinstance(back["c2"], RatingItem) and back["c2"].reverse
    assert isinstance(back["r1"], RatingItem) and back["r1"].scale == "binary"
    assert structure.instrument.title == "Hand-made check for health visitors"
    assert structure.instrument.levels == original.levels
    assert structure.instrument.domains[0].description == "What people know."
    # An open question whose id contains "code" is not taken for the code field.
    assert structure.code_field == "code"
    assert back["code_of_practice"].kind == "open"
    assert structure.answer_map("c2").codes == {
        "1": "1",
        "2": "2",
        "3": "3",
        "4": "4",
        "5": "5",
        "Strongly disagree": "1",
        "Disagree": "2",
        "Neither": "3",
        "Agree": "4",
        "Strongly agree": "5",
    }


def test_the_questionnaire_scores_with_ordinal_values_as_imheval_does() -> None:
    resource = json.loads(write_questionnaire(handmade()))
    assert resource["resourceType"] == "Questionnaire"
    assert resource["status"] == "active"
    assert resource["url"] == "https://imheval.org/fhir/Questionnaire/hand_made.v2"
    assert resource["id"] == "hand-made.v2"
    assert resource["name"] == "Hand_madeV2"
    assert resource["version"] == "3.1.4"
    first, second = resource["item"][:2]
    assert (first["linkId"], first["type"]) == ("code", "string")
    assert (second["linkId"], second["type"]) == ("timepoint", "choice")
    assert [o["valueCoding"]["code"] for o in second["answerOption"]] == ["pre", "post", "followup"]
    groups = [i for i in resource["item"] if i["type"] == "group"]
    assert [(g["linkId"], g["text"]) for g in groups] == [
        ("knowledge", "Knowledge"),
        ("confidence", "Confidence"),
        ("reaction", "Reaction"),
    ]
    items = items_by_link(resource)
    assert scores(items["k1"]) == {"a": 0, "b": 1, "c": 0}
    assert scores(items["k2"]) == {"a": 2, "b": 2, "c": 0, "d": 0}
    assert scores(items["k4"]) == {"1": 0, "2": 0.5, "3": 0}
    assert scores(items["c1"]) == {str(n): n for n in range(1, 6)}
    # Reverse: the code is the number chosen, the score min + max - number.
    assert scores(items["c2"]) == {str(n): 6 - n for n in range(1, 6)}
    assert scores(items["c4"]) == {str(n): 10 - n for n in range(0, 11)}
    assert items["k1"]["answerOption"][1]["valueCoding"] == {
        "system": "https://imheval.org/fhir/CodeSystem/hand_made.v2/k1",
        "code": "b",
        "display": "The family",
    }
    # Unlabelled scale points have no display.
    assert items["c3"]["answerOption"][5]["valueCoding"] == {
        "system": "https://imheval.org/fhir/CodeSystem/hand_made.v2/scales/can_do",
        "code": "5",
    }
    assert items["open_know"] == {
        "extension": [
            {"url": IMHEVAL_QUESTION, "extension": [{"url": "kind", "valueCode": "open"}]}
        ],
        "linkId": "open_know",
        "text": "What did you learn?",
        "type": "text",
        "maxLength": 400,
    }
    # Open questions outside any domain come last, at the top level.
    assert [i["linkId"] for i in resource["item"][-2:]] == ["code_of_practice", "anything_else"]


def test_without_imhevals_extensions_a_0_to_1_rating_would_read_as_keyed() -> None:
    """Why the export marks each question: the scores of a rating on 0..1 are those of a keyed
    item with key "1", so only imheval's extension keeps it a rating."""
    resource = json.loads(write_questionnaire(handmade()))

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: strip(v)
                for k, v in node.items()
                if k != "extension"
                or not isinstance(v, list)
                or any(e.get("url") == ORDINAL for e in v)
            }
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    bare = read_questionnaire(SourceFile("bare.json", json.dumps(strip(resource)).encode()))
    r1 = {q.id: q for q in bare.instrument.questions}["r1"]
    assert isinstance(r1, KeyedItem) and r1.key == ("1",)
    # The rest still reads as it should: keys and reverse keying come from the scores.
    c2 = {q.id: q for q in bare.instrument.questions}["c2"]
    assert isinstance(c2, RatingItem) and c2.reverse


def test_a_canonical_base_of_the_organisations_own() -> None:
    resource = json.loads(
        write_questionnaire(handmade(), canonical_base="https://fhir.example.nhs.uk/")
    )
    assert resource["url"] == "https://fhir.example.nhs.uk/Questionnaire/hand_made.v2"
    k1 = items_by_link(resource)["k1"]
    assert k1["answerOption"][0]["valueCoding"]["system"] == (
        "https://fhir.example.nhs.uk/CodeSystem/hand_made.v2/k1"
    )
    assert k1["extension"][0]["url"] == IMHEVAL_QUESTION


def test_an_item_called_code_moves_the_code_field_aside() -> None:
    instrument = Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "clash",
            "version": "1.0.0",
            "title": "Clash",
            "levels": ["beginner"],
            "domains": [{"id": "timepoint_domain", "label": "Codes"}],
            "items": [
                {
                    "id": "code",
                    "domain": "timepoint_domain",
                    "text": "Which code applies?",
                    "options": {"a": "A", "b": "B"},
                    "key": "a",
                }
            ],
        }
    )
    resource = json.loads(write_questionnaire(instrument))
    assert [i["linkId"] for i in resource["item"][:2]] == ["imheval-code", "timepoint"]
    structure = round_trip(instrument)
    assert structure.instrument == instrument
    assert structure.code_field == "imheval-code"
