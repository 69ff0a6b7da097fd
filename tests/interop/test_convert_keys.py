"""apply_keys: choice questions the source does not score become keyed items where they stood."""

from __future__ import annotations

import pytest
from tests.interop.convert_helpers import structure, unkeyed

from imheval.errors import InstrumentError
from imheval.instruments import KeyedItem
from imheval.interop.convert import apply_keys


def ids(imported: object) -> list[str]:
    return [q.id for q in imported.instrument.questions]  # type: ignore[attr-defined]


def test_a_keyed_question_joins_the_instrument_after_the_one_it_followed() -> None:
    imported = structure([unkeyed("k2", "k2", after="k1")])
    assert ids(imported) == ["k1", "k3", "se1", "why"]

    keyed = apply_keys(imported, {"k2": ["2"]})

    assert ids(keyed) == ["k1", "k2", "k3", "se1", "why"]
    item = keyed.instrument.questions[1]
    assert isinstance(item, KeyedItem)
    assert item.key == ("2",) and item.points == 1.0 and item.domain == "knowledge"
    assert item.options == {"1": "Always", "2": "Sometimes", "3": "Never"}
    assert item.text == "Question k2?"
    # the answer maps follow the instrument's order, the new one carried from the question
    assert [a.item for a in keyed.answers] == ["k1", "k2", "k3", "se1", "why"]
    assert keyed.answer_map("k2").codes["Sometimes"] == "2"
    # it is no longer unkeyed, and its "no answer key" omission is gone; others stay
    assert keyed.unkeyed == ()
    assert [o.where for o in keyed.omissions] == ["field 'bmi'"]
    # what the structure knew is kept
    assert keyed.code_field == "own_code" and keyed.cohort_field == "group"


def test_keys_are_found_by_source_name_or_item_id_and_given_as_code_label_or_raw_code() -> None:
    imported = structure(
        [
            unkeyed("SE_SQ001", "SE[SQ001]", after="k3", raw={"A1": "1", "A2": "2", "A3": "3"}),
        ]
    )
    by_source_label = apply_keys(imported, {"se[sq001]": ["  never "]})
    by_item_raw = apply_keys(imported, {"SE_SQ001": ["A2"]})
    by_code = apply_keys(imported, {"SE[SQ001]": ["1", "3"]})

    def key(result: object) -> tuple[str, ...]:
        item = result.instrument.questions[2]  # type: ignore[attr-defined]
        assert item.id == "SE_SQ001"
        return item.key  # type: ignore[no-any-return]

    assert key(by_source_label) == ("3",)
    assert key(by_item_raw) == ("2",)
    assert key(by_code) == ("1", "3")


def test_questions_keep_their_source_order_at_the_start_and_after_the_same_question() -> None:
    imported = structure(
        [
            unkeyed("k0", "k0", after=None),
            unkeyed("k0b", "k0b", after=None),
            unkeyed("k2", "k2", after="k1"),
            unkeyed("k2b", "k2b", after="k1"),
        ]
    )
    keyed = apply_keys(imported, {"k2b": ["1"], "k0b": ["1"], "k0": ["2"], "k2": ["3"]})
    assert ids(keyed) == ["k0", "k0b", "k1", "k2", "k2b", "k3", "se1", "why"]


def test_only_the_named_questions_are_keyed_the_others_stay_listed() -> None:
    imported = structure([unkeyed("k2", "k2", after="k1"), unkeyed("k4", "k4", after="k3")])
    keyed = apply_keys(imported, {"k4": ["1"]})
    assert ids(keyed) == ["k1", "k3", "k4", "se1", "why"]
    assert [q.item for q in keyed.unkeyed] == ["k2"]
    assert [o.where for o in keyed.omissions] == ["field 'bmi'", "field 'k2'"]


def test_a_domain_the_import_dropped_for_having_no_question_comes_back() -> None:
    imported = structure([unkeyed("risk1", "risk1", after="se1", domain="risk")])
    assert [d.id for d in imported.instrument.domains] == ["knowledge", "confidence"]
    keyed = apply_keys(imported, {"risk1": ["1"]})
    assert [d.id for d in keyed.instrument.domains] == ["knowledge", "confidence", "risk"]
    assert keyed.instrument.items_in("risk")[0].id == "risk1"


def test_repeated_keys_for_one_question_add_up() -> None:
    imported = structure([unkeyed("k2", "k2", after="k1")])
    keyed = apply_keys(imported, {"k2": ["1"], "K2": ["Never", "1"]})
    item = keyed.instrument.questions[1]
    assert isinstance(item, KeyedItem) and item.key == ("1", "3")


def test_no_keys_leaves_the_structure_as_it_was() -> None:
    imported = structure([unkeyed("k2", "k2", after="k1")])
    assert apply_keys(imported, {}) is imported


def test_every_problem_with_the_keys_is_listed_at_once() -> None:
    imported = structure([unkeyed("k2", "k2", after="k1"), unkeyed("k4", "k4", after="k3")])
    with pytest.raises(InstrumentError) as caught:
        apply_keys(imported, {"k9": ["1"], "k2": ["7"], "k1": ["2"], "k4": ["1", "2", "3"]})
    messages = [str(problem) for problem in caught.value.problems]
    assert messages == [
        "--key: 'k9' is not one of the questions without a key; they are: 'k2', 'k4'",
        "--key: k2=7: '7' is not one of the options of 'k2', which are: 1 (Always); "
        "2 (Sometimes); 3 (Never). For more than one right answer, give the key once for each",
        "--key: 'k1' already has its answer key (or is a rating or open question); only choice "
        "questions the source does not score take a key",
        "--key: k4: every option is keyed correct, so the question cannot tell who knows the "
        "answer; key only the right answer(s)",
    ]


def test_a_key_for_a_structure_with_nothing_unkeyed_says_so() -> None:
    with pytest.raises(InstrumentError) as caught:
        apply_keys(structure(), {"q7": ["1"]}, given_as="Answer keys")
    assert str(caught.value) == (
        "Answer keys: 'q7' is not a question without a key: every choice question has its key"
    )


def test_a_comma_list_is_not_split_and_the_message_says_to_repeat_the_key() -> None:
    imported = structure([unkeyed("k2", "k2", after="k1")])
    with pytest.raises(InstrumentError, match="give the key once for each"):
        apply_keys(imported, {"k2": ["1,3"]})
