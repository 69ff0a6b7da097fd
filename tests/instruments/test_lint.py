"""Item-writing advice: each rule found where the cue is, and not where it is not."""

from __future__ import annotations

from typing import Any

import pytest

from imheval.instruments import get_builtin
from imheval.instruments.lint import (
    MAX_READING_GRADE,
    Advice,
    absolutes_in,
    item_reading_grade,
    lint_instrument,
    reading_grade,
    syllables,
)
from imheval.instruments.model import Instrument, KeyedItem

FOUR = ("a", "b", "c", "d")


def keyed(item_id: str, key: str, *, text: str = "", form: str | None = None, **options: str):
    """A four-option keyed item of even-length options (no option is the longest) keyed ``key``,
    with ``options`` replacing some of them."""
    words = {"a": "Red one", "b": "Blue one", "c": "Gold one", "d": "Pink one"}
    data: dict[str, Any] = {
        "id": item_id,
        "domain": "knowledge",
        "text": text or f"Question {item_id} asks about something quite different here?",
        "options": words | options,
        "key": key,
    }
    return data | ({"form": form} if form else {})


def instrument(*items: dict[str, Any], **top: Any) -> Instrument:
    return Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "lint-test",
            "version": "1",
            "title": "Lint test",
            "levels": ["beginner"],
            "domains": [{"id": "knowledge", "label": "Knowledge"}],
            "items": list(items),
        }
        | top
    )


def spread(*keys: str, form: str | None = None, prefix: str = "K") -> list[dict[str, Any]]:
    return [keyed(f"{prefix}{n}", key, form=form) for n, key in enumerate(keys, start=1)]


def rules(advice: list[Advice]) -> list[str]:
    return [a.rule for a in advice]


def of(rule: str, advice: list[Advice]) -> list[Advice]:
    return [a for a in advice if a.rule == rule]


# --- absolutes --------------------------------------------------------------------------------


def test_the_only_option_without_an_absolute_is_named_as_the_key_test_wise_readers_find() -> None:
    item = keyed(
        "K1",
        "c",
        a="Babies always cry at night",
        b="Babies never cry at night",
        c="Babies often cry at night",
        d="All babies cry at night",
    )
    assert lint_instrument(instrument(item)) == [
        Advice(
            "K1",
            "absolute-in-distractor",
            "option c is the only one without 'always', 'never' or 'all'; test-wise readers "
            "will find it",
        )
    ]


def test_some_distractors_with_an_absolute_are_each_named_with_the_word() -> None:
    two_say = keyed("K1", "b", a="It never helps", d="It never matters")
    two_words = keyed("K2", "b", a="It never helps", c="It is only luck")
    found = lint_instrument(instrument(two_say, two_words))
    assert [(a.item, a.message) for a in of("absolute-in-distractor", found)] == [
        ("K1", "options a and d say 'never'; the key does not, so test-wise readers rule them out"),
        ("K2", "option c says 'only'; the key does not, so test-wise readers rule it out"),
        ("K2", "option a says 'never'; the key does not, so test-wise readers rule it out"),
    ]


def test_an_absolute_the_key_shares_or_a_word_inside_another_is_no_cue() -> None:
    shared = keyed("K1", "a", a="Must be seen today", b="Must wait a week")
    inside = keyed("K2", "a", b="Call the GP", c="Usually fine", d="Overall well")
    assert of("absolute-in-distractor", lint_instrument(instrument(shared, inside))) == []
    assert absolutes_in("Call the GP; NEVER wait, it is Only fair") == {"never", "only"}


# --- key positions ----------------------------------------------------------------------------


def test_a_position_keyed_more_than_its_share_plus_one_is_advised() -> None:
    # 8 four-option items: each position's share is 2; the 1st is keyed 4 times (> 3)
    found = lint_instrument(instrument(*spread("a", "b", "a", "c", "a", "d", "a", "b")))
    assert found == [
        Advice(
            "K1",
            "key-position-balance",
            "in the knowledge items, the key is the 1st option in 4 of 8 questions, more than "
            "its share (2.0) + 1; move some keys to other positions",
        )
    ]


def test_share_plus_one_itself_is_balanced_enough() -> None:
    assert lint_instrument(instrument(*spread("a", "b", "a", "c", "a", "d", "c", "b"))) == []


def test_a_run_of_four_keys_at_one_position_is_advised_and_three_is_not() -> None:
    found = lint_instrument(instrument(*spread("a", "c", "c", "c", "c", "d", "b", "a", "b")))
    run = [a for a in found if a.rule == "key-position-run"]
    assert run == [
        Advice(
            "K2",
            "key-position-run",
            "in the knowledge items, the key is the 3rd option in 4 questions in a row (K2, K3, "
            "K4 and K5); test-wise readers notice runs",
        )
    ]
    assert "key-position-run" not in rules(
        lint_instrument(instrument(*spread("a", "c", "c", "c", "d", "b", "a", "b")))
    )


def test_a_cycle_through_every_position_is_advised_after_six_items() -> None:
    # imh-core 1.0.0's knowledge keys: b c a d b c
    found = lint_instrument(instrument(*spread("b", "c", "a", "d", "b", "c")))
    assert found == [
        Advice(
            "K1",
            "key-position-cycle",
            "in the knowledge items, the key positions repeat the pattern 2nd, 3rd, 1st, 4th "
            "over 6 questions (K1, K2, K3, K4, K5 and K6); test-wise readers notice cycles",
        )
    ]
    # five items do not yet repeat two of the pattern
    assert lint_instrument(instrument(*spread("b", "c", "a", "d", "b"))) == []


def test_a_pattern_with_a_repeated_position_counts_only_when_it_repeats_whole() -> None:
    seven = spread("a", "b", "a", "c", "a", "b", "a", "d")
    assert "key-position-cycle" not in rules(lint_instrument(instrument(*seven)))
    eight = spread("a", "b", "a", "c", "a", "b", "a", "c")
    cycle = [a for a in lint_instrument(instrument(*eight)) if a.rule == "key-position-cycle"]
    assert [a.item for a in cycle] == ["K1"]
    assert "pattern 1st, 2nd, 1st, 3rd over 8 questions" in cycle[0].message


def test_key_positions_are_judged_per_form_where_forms_have_their_own_items() -> None:
    forms = {"forms": [{"id": "A"}, {"id": "B"}]}
    # each form alone is balanced; together form A's 1st positions and B's would be a run
    items = [
        *spread("a", "b", "c", "d", form="A", prefix="KA"),
        *spread("a", "b", "c", "d", form="B", prefix="KB"),
    ]
    assert lint_instrument(instrument(*items, **forms)) == []
    runs = [
        *spread("a", "d", "c", "d", form="A", prefix="KA"),
        *spread("b", "b", "b", "b", form="B", prefix="KB"),
    ]
    found = lint_instrument(instrument(*runs, **forms))
    assert [(a.item, a.rule) for a in found] == [
        ("KB1", "key-position-balance"),
        ("KB1", "key-position-run"),
    ]
    assert found[1].message.startswith("in form B's knowledge items, the key is the 2nd option")


# --- the longest option -----------------------------------------------------------------------


def test_the_key_as_the_unique_longest_option_in_more_than_a_quarter_is_advised() -> None:
    long_b = {"b": "Blue one that is much longer"}
    items = [
        keyed("K1", "b", **long_b),
        keyed("K2", "c", c="Gold one that is much longer"),
        *spread("a", "d", "c", prefix="Q"),
    ]
    found = lint_instrument(instrument(*items))
    assert found == [
        Advice(
            "K1",
            "key-longest",
            "in the knowledge items, the key is the longest option in 2 of 5 questions (K1 and "
            "K2), more than a quarter; test-wise readers pick the longest option, so lengthen "
            "some wrong options or shorten some keys",
        )
    ]


def test_a_quarter_ties_and_two_option_items_do_not_count_as_longest_keys() -> None:
    quarter = [
        keyed("K1", "b", b="Blue one that is much longer"),
        *spread("a", "d", "c", prefix="Q"),
    ]
    tie = [keyed("T1", "b", b="Blue one, longer", a="Red one is longer"), *spread("c")]
    two = [{**keyed("Y1", "a"), "options": {"a": "Yes, refer", "b": "No"}}]
    assert lint_instrument(instrument(*quarter)) == []
    assert lint_instrument(instrument(*tie)) == []
    assert lint_instrument(instrument(*two)) == []


# --- shared stems and keys --------------------------------------------------------------------


def test_two_items_with_the_same_first_eight_words_share_a_stem_across_forms() -> None:
    stem = "A health visitor sees a mother who is"
    items = [
        keyed("KA1", "a", form="A", text=f"{stem} tearful. What next?"),
        keyed("KA2", "b", form="A"),
        keyed("KB1", "b", form="B", text=f"{stem.upper()}, angry! What next?"),
        keyed("KB2", "a", form="B"),
    ]
    found = lint_instrument(instrument(*items, forms=[{"id": "A"}, {"id": "B"}]))
    assert found == [
        Advice(
            "KB1",
            "shared-stem",
            "question KB1 starts with the same 8 words as KA1 ('a health visitor sees a mother "
            "who is'); a reader who met one recognises the other, so start it differently",
        )
    ]


def test_seven_shared_words_are_not_a_shared_stem() -> None:
    items = [
        keyed("K1", "a", text="A health visitor sees a mother who is tearful."),
        keyed("K2", "b", text="A health visitor sees a mother whose baby cries."),
    ]
    assert lint_instrument(instrument(*items)) == []


def test_the_same_key_phrase_in_two_items_with_different_options_is_advised() -> None:
    key = "Ask her directly about suicide"
    items = [keyed("K1", "a", a=key), keyed("K2", "b", b=key.upper() + ".")]
    found = of("shared-key", lint_instrument(instrument(*items)))
    assert found == [
        Advice(
            "K2",
            "shared-key",
            "the key of question K2 ('ASK HER DIRECTLY ABOUT SUICIDE.') is also the key of K1; "
            "a reader who met one knows the other's answer",
        )
    ]


def test_items_sharing_a_response_scale_may_share_their_key() -> None:
    actions = {
        "a": "No concern",
        "b": "Monitor and review",
        "c": "Refer to a named service",
        "d": "Act today",
    }
    items = [
        {**keyed("R1", "d", text="A floppy baby who will not wake."), "options": actions},
        {**keyed("R2", "a", text="A baby who smiles at her father."), "options": actions},
        {**keyed("R3", "d", text="A mother who says she may harm her baby."), "options": actions},
    ]
    assert of("shared-key", lint_instrument(instrument(*items))) == []


# --- reading grade ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("the", 1),
        ("make", 1),
        ("makes", 1),
        ("walked", 1),
        ("table", 2),
        ("washes", 2),
        ("wanted", 2),
        ("babies", 2),
        ("caring", 2),
        ("father", 2),
        ("safeguarding", 4),
        ("every", 3),  # said as 2: the heuristic's known error
        ("999", 1),
        ("don't", 1),
    ],
)
def test_syllables_by_the_documented_heuristic(word: str, count: int) -> None:
    assert syllables(word) == count


def test_flesch_kincaid_grade_of_known_sentences_computed_by_hand() -> None:
    # 6 words, 6 syllables, 1 sentence: 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45
    assert reading_grade(["The cat sat on the mat."]) == pytest.approx(-1.45)
    # ba-bies need calm and car-ing a-dults: 6 words, 9 syllables:
    # 0.39 * 6 + 11.8 * 1.5 - 15.59 = 4.45
    assert reading_grade(["Babies need calm and caring adults."]) == pytest.approx(4.45)
    # 7 words, 9 syllables, 2 sentences: 0.39 * 3.5 + 11.8 * 9 / 7 - 15.59 = 0.946428...
    assert reading_grade(["The baby cries. Her father holds her."]) == pytest.approx(
        0.39 * 3.5 + 11.8 * 9 / 7 - 15.59
    )
    assert reading_grade(["", "?"]) == 0.0


def test_an_item_reads_its_text_and_each_option_as_a_sentence() -> None:
    item = KeyedItem(
        id="K1",
        domain="knowledge",
        text="The cat sat on the mat.",
        options={"a": "Babies need calm and caring adults", "b": "The cat sat on the mat"},
        key="a",
    )
    # 18 words, 21 syllables, 3 sentences: 0.39 * 6 + 11.8 * 21 / 18 - 15.59
    assert item_reading_grade(item) == pytest.approx(0.39 * 6 + 11.8 * 21 / 18 - 15.59)


def test_an_item_above_the_grade_is_advised_with_its_grade() -> None:
    hard = (
        "Interdisciplinary safeguarding consultation necessitates comprehensive "
        "documentation regarding intergenerational vulnerability?"
    )
    item = keyed("K1", "a", text=hard)
    grade = item_reading_grade(KeyedItem.model_validate(item))
    assert grade > MAX_READING_GRADE == 10.0
    assert lint_instrument(instrument(item)) == [
        Advice(
            "K1",
            "reading-grade",
            f"question K1 and its options read at grade {grade:.1f} (Flesch-Kincaid), above 10; "
            "shorter sentences and shorter words make it measure infant mental health rather "
            "than reading",
        )
    ]


def test_wording_terms_are_read_in_their_default_words() -> None:
    item = keyed("K1", "c", a="Call {service} today", b="Wait", c="Watch", d="Note it")
    wording = {"service": {"default": "always the duty team", "ireland": "Tusla"}}
    found = lint_instrument(instrument(item, wording=wording))
    assert [a.message for a in found] == [
        "option a says 'always'; the key does not, so test-wise readers rule it out"
    ]


# --- the built-in bank 1.0.0 ------------------------------------------------------------------


def test_the_reviewed_cues_of_imh_core_1_0_0_are_found() -> None:
    found = {(a.item, a.rule) for a in lint_instrument(get_builtin("imh-core@1.0.0"))}
    # the review: knowledge keys b c a d b c; absolutes in distractors
    assert ("K1", "key-position-cycle") in found
    assert ("K4", "absolute-in-distractor") in found
    advanced = lint_instrument(get_builtin("imh-advanced-knowledge@1.0.0"))
    longest = [a.message for a in advanced if a.rule == "key-longest"]
    # the review: "the key is the longest option in 6 of the 8 advanced items"
    assert longest and "the key is the longest option in 6 of 8 questions" in longest[0]
