"""The built-in bank: each instrument loads and covers the concepts it promises."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from imheval.errors import UnknownInstrumentError
from imheval.instruments import (
    Instrument,
    KeyedItem,
    RatingItem,
    TrainingLevel,
    get_builtin,
    list_builtin,
    load_instrument_text,
)

BANK_IDS = ["imh-advanced-knowledge", "imh-core", "imh-practice-followup", "imh-reaction"]
#: The current version of each; 1.0.0 stays in bank/versions/ for re-scoring old data.
CURRENT_VERSIONS = {
    "imh-advanced-knowledge": "2.0.0",
    "imh-core": "2.0.0",
    "imh-practice-followup": "1.0.0",
    "imh-reaction": "1.1.0",
}


def keyed(instrument: Instrument, domain: str) -> list[KeyedItem]:
    items = instrument.items_in(domain)
    assert all(isinstance(i, KeyedItem) for i in items)
    return [i for i in items if isinstance(i, KeyedItem)]


def ratings(instrument: Instrument, domain: str) -> list[RatingItem]:
    items = instrument.items_in(domain)
    assert all(isinstance(i, RatingItem) for i in items)
    return [i for i in items if isinstance(i, RatingItem)]


def test_bank_lists_every_instrument_sorted_by_id():
    assert [i.id for i in list_builtin()] == BANK_IDS


@pytest.mark.parametrize("instrument_id", BANK_IDS)
def test_bank_file_is_named_after_its_id_and_loads_on_its_own(instrument_id: str):
    folder = resources.files("imheval.instruments").joinpath("bank")
    text = folder.joinpath(f"{instrument_id}.yaml").read_text(encoding="utf-8")

    instrument = load_instrument_text(text, source=f"{instrument_id}.yaml")

    assert instrument.id == instrument_id
    assert instrument.version == CURRENT_VERSIONS[instrument_id]
    assert instrument.language == "en-GB"
    earlier = folder.joinpath("versions", f"{instrument_id}-1.0.0.yaml").read_text(encoding="utf-8")
    assert load_instrument_text(earlier).version == "1.0.0"
    assert get_builtin(f"{instrument_id}@1.0.0").version == "1.0.0"


@pytest.mark.parametrize("instrument_id", BANK_IDS)
def test_bank_instrument_describes_itself_and_says_it_is_not_validated(instrument_id: str):
    description = get_builtin(instrument_id).description

    assert "written for imheval" in description
    assert "not been validated" in description
    assert "reliability" in description


@pytest.mark.parametrize("instrument_id", BANK_IDS)
def test_every_bank_item_has_a_concept_and_unique_text(instrument_id: str):
    instrument = get_builtin(instrument_id)

    assert all(re.fullmatch(r"[a-z][a-z0-9_]+", item.concept) for item in instrument.items)
    texts = [item.text for item in instrument.items]
    assert len(set(texts)) == len(texts)
    concepts = [item.concept for item in instrument.items]
    assert len(set(concepts)) == len(concepts)


@pytest.mark.parametrize("instrument_id", BANK_IDS)
def test_every_bank_keyed_item_has_exactly_one_correct_answer(instrument_id: str):
    instrument = get_builtin(instrument_id)

    for item in instrument.items:
        if isinstance(item, KeyedItem):
            assert len(item.key) == 1, item.id
            assert item.points == 1.0, item.id


@pytest.mark.parametrize("instrument_id", BANK_IDS)
def test_bank_wording_uses_british_spelling(instrument_id: str):
    instrument = get_builtin(instrument_id)
    words = " ".join(
        [instrument.title, instrument.description]
        + [item.text for item in instrument.items]
        + [
            o
            for item in instrument.items
            if isinstance(item, KeyedItem)
            for o in item.options.values()
        ]
    ).lower()

    for american in [
        "behavior",
        "center",
        "color",
        "pediatric",
        "mom ",
        "organization",
        "program ",
    ]:
        assert american not in words


# --- Version 1.0.0's content (kept for re-scoring data collected with it) ---------------------


def test_core_has_three_domains_and_twenty_items_in_order():
    core = get_builtin("imh-core@1.0.0")

    assert core.levels == (TrainingLevel.BEGINNER, TrainingLevel.INTERMEDIATE)
    assert [d.id for d in core.domains] == ["knowledge", "risk_identification", "self_efficacy"]
    assert [i.id for i in core.items] == (
        [f"K{n}" for n in range(1, 7)]
        + [f"R{n}" for n in range(1, 9)]
        + [f"S{n}" for n in range(1, 7)]
    )


def test_core_knowledge_covers_the_six_core_concepts_with_four_options():
    items = keyed(get_builtin("imh-core@1.0.0"), "knowledge")

    assert [i.concept for i in items] == [
        "attachment_containment",
        "reciprocity_serve_and_return",
        "brain_growth_first_three_years",
        "parental_mental_health",
        "stressed_infant",
        "intergenerational_transmission",
    ]
    assert all(list(i.options) == ["a", "b", "c", "d"] for i in items)
    # the correct letter must not be guessable from position
    assert len({i.key[0] for i in items}) >= 3


def test_core_risk_items_are_vignettes_covering_recognition_and_every_referral_route():
    items = keyed(get_builtin("imh-core@1.0.0"), "risk_identification")

    assert len(items) == 8
    for item in items:
        assert list(item.options) in (["yes", "no"], ["a", "b", "c"]), item.id
    yes_no = [i for i in items if list(i.options) == ["yes", "no"]]
    # a form whose answer is always "yes" would reward over-identification
    assert {i.key[0] for i in yes_no} == {"yes", "no"}
    assert {i.concept for i in items if i.concept.startswith("refer_")} == {
        "refer_health_visitor",
        "refer_gp",
        "refer_perinatal_mental_health",
        "refer_safeguarding",
        "refer_emergency_services",
    }
    emergency = next(i for i in items if i.concept == "refer_emergency_services")
    assert "999" in emergency.options[emergency.key[0]]


def test_core_self_efficacy_is_six_ratings_on_a_labelled_1_to_5_scale_with_a_reverse_item():
    core = get_builtin("imh-core@1.0.0")
    items = ratings(core, "self_efficacy")

    assert len(items) == 6
    assert {i.scale for i in items} == {"confidence"}
    scale = core.scales["confidence"]
    assert (scale.min, scale.max) == (1, 5)
    assert sorted(scale.labels) == [1, 2, 3, 4, 5]
    reverse = [i for i in items if i.reverse]
    assert [i.id for i in reverse] == ["S5"]
    assert "out of my depth" in reverse[0].text
    # six items scored 1..5 each
    assert core.domain_range("self_efficacy") == (6.0, 30.0)
    assert core.domain_range("knowledge") == (0.0, 6.0)
    assert core.domain_range("risk_identification") == (0.0, 8.0)


def test_advanced_knowledge_is_a_separate_form_for_the_advanced_level():
    advanced = get_builtin("imh-advanced-knowledge@1.0.0")

    assert advanced.levels == (TrainingLevel.ADVANCED,)
    assert [d.id for d in advanced.domains] == ["advanced_knowledge"]
    items = keyed(advanced, "advanced_knowledge")
    assert [i.id for i in items] == [f"AK{n}" for n in range(1, 9)]
    assert [i.concept for i in items] == [
        "mentalisation_reflective_functioning",
        "disorganised_attachment",
        "still_face_paradigm",
        "infant_parent_psychotherapy",
        "concurrent_planning_contact",
        "trauma_ghosts_in_the_nursery",
        "parent_infant_interaction_assessment",
        "prolonged_stress_response_system",
    ]
    assert all(list(i.options) == ["a", "b", "c", "d"] for i in items)
    assert len({i.key[0] for i in items}) == 4
    core_texts = {i.text for i in get_builtin("imh-core@1.0.0").items}
    assert not core_texts & {i.text for i in items}


def test_get_builtin_rejects_unknown_id_and_lists_the_bank():
    with pytest.raises(UnknownInstrumentError) as caught:
        get_builtin("imh-basic")

    assert str(caught.value) == (
        "there is no built-in instrument 'imh-basic'; "
        "built-in instruments: imh-advanced-knowledge, imh-core, imh-practice-followup, "
        "imh-reaction"
    )


def test_changing_a_returned_instrument_does_not_change_the_bank():
    first = get_builtin("imh-core")
    k1 = first.items[0]
    assert isinstance(k1, KeyedItem)
    k1.options["a"] = "changed by a caller"

    again = get_builtin("imh-core").items[0]
    assert isinstance(again, KeyedItem)
    assert again.options["a"] != "changed by a caller"


def test_the_example_in_the_format_documentation_is_a_valid_instrument():
    docs = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"
    text = docs.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]

    instrument = load_instrument_text(example, source="docs/instruments.md")

    assert [i.id for i in instrument.items] == ["Q1", "Q2", "Q3", "Q4"]
    q2, q4 = instrument.items[1], instrument.items[3]
    assert isinstance(q2, KeyedItem) and q2.key == ("yes",)
    assert isinstance(q4, RatingItem) and q4.reverse is True
    # two keyed items score 0..2; two ratings on 1..5 score 2..10
    assert instrument.domain_range("knowledge") == (0.0, 2.0)
    assert instrument.domain_range("confidence") == (2.0, 10.0)


def test_a_version_can_be_named_in_the_reference_or_apart() -> None:
    from imheval.instruments.bank import builtin_versions, is_builtin_ref, split_ref

    assert split_ref("imh-core@1.0.0") == ("imh-core", "1.0.0")
    assert split_ref("imh-core") == ("imh-core", None)
    assert split_ref("imh-core@") == ("imh-core", None)
    current = get_builtin("imh-core")
    assert get_builtin("imh-core@" + current.version) == current
    assert get_builtin("imh-core", version=current.version) == current
    versions = builtin_versions("imh-core")
    assert current.version in versions
    assert versions == sorted(versions, key=lambda v: [int(p) for p in v.split(".")])
    assert is_builtin_ref("imh-core") and is_builtin_ref(f"imh-core@{current.version}")
    assert not is_builtin_ref("imh-core@0.0.1") and not is_builtin_ref("my-form")


def test_an_unknown_version_is_refused_naming_the_versions_there_are() -> None:
    with pytest.raises(UnknownInstrumentError) as caught:
        get_builtin("imh-core@0.9")
    assert "the built-in instrument 'imh-core' has no version '0.9'; versions: " in str(
        caught.value
    )
    with pytest.raises(UnknownInstrumentError, match="there is no built-in instrument 'nope'"):
        get_builtin("nope@1.0.0")
