"""Profile questionnaires (imheval-profile/1): the built-in imh-network-profile, the loader's
messages, and checking one person's answers."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from imheval.errors import InstrumentError, UnknownInstrumentError
from imheval.instruments import list_builtin
from imheval.instruments.profile import (
    ChoiceQuestion,
    NumberQuestion,
    clean_answers,
    get_builtin_profile,
    list_builtin_profiles,
    load_profile_text,
)

MINIMAL = """\
format: imheval-profile/1
id: tiny
version: "1"
title: Tiny
questions:
  - {id: band, text: Your age band, options: {a: Young, b: Older}}
  - {id: years, kind: number, text: Years in post, min: 0, max: 40, unit: years, integer: no}
"""


def test_the_network_profile_asks_the_questions_the_issue_names_in_order() -> None:
    profile = get_builtin_profile("imh-network-profile")
    assert profile.ref == "imh-network-profile@1.0.0"
    assert [q.id for q in profile.questions] == [
        "age_band",
        "gender",
        "discipline",
        "qualification",
        "own_children",
        "years_in_service",
        "experience_ages",
        "role_0_3",
    ]
    age = profile.question("age_band")
    assert isinstance(age, ChoiceQuestion)
    assert list(age.options.values()) == [
        "Under 25",
        "25 to 34",
        "35 to 44",
        "45 to 54",
        "55 or over",
    ]
    discipline = profile.question("discipline")
    assert isinstance(discipline, ChoiceQuestion) and not discipline.multiple
    assert set(discipline.options) == {
        "psychology",
        "nursing",
        "midwifery",
        "health_visiting",
        "social_work",
        "occupational_therapy",
        "psychiatry",
        "other",
    }
    ages = profile.question("experience_ages")
    assert isinstance(ages, ChoiceQuestion) and ages.multiple and ages.exclusive == ("none",)
    assert list(ages.options) == ["age_0_3", "age_4_6", "age_7_12", "age_13_18", "none"]
    years = profile.question("years_in_service")
    assert isinstance(years, NumberQuestion)
    assert (years.min, years.max, years.unit, years.integer) == (0, 50, "years", False)
    # Months of membership come from the register, never from recall.
    assert not any("month" in q.text.lower() for q in profile.questions)


def test_the_profile_is_not_a_scored_instrument_and_is_packaged() -> None:
    assert "imh-network-profile" not in {i.id for i in list_builtin()}
    assert [p.id for p in list_builtin_profiles()] == ["imh-network-profile"]
    folder = resources.files("imheval.instruments").joinpath("bank", "profiles")
    assert folder.joinpath("imh-network-profile.yaml").is_file()


def test_a_version_is_checked_and_unknown_profiles_are_named() -> None:
    assert get_builtin_profile("imh-network-profile@1.0.0").version == "1.0.0"
    with pytest.raises(
        UnknownInstrumentError, match=re.escape("no version '9.9.9'; the current one is 1.0.0")
    ):
        get_builtin_profile("imh-network-profile@9.9.9")
    with pytest.raises(UnknownInstrumentError, match="built-in profiles: imh-network-profile"):
        get_builtin_profile("imh-core")


def test_a_small_profile_loads_with_yes_and_no_kept_as_text() -> None:
    profile = load_profile_text(MINIMAL, "tiny.yaml")
    years = profile.question("years")
    assert isinstance(years, NumberQuestion) and years.integer is False
    assert profile.question("band").kind == "choice"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("format: imheval-profile/1", "format: imheval-instrument/1"),
            "tiny.yaml, field 'format'",
        ),
        (
            ("min: 0, max: 40", "min: 40, max: 0"),
            "item 'years': max (0) must be greater than min (40)",
        ),
        (
            ("kind: number", "kind: slider"),
            "item 'years': kind 'slider' is not known; use 'choice' or 'number'",
        ),
        (("{a: Young, b: Older}", "{a: Young}"), "item 'band': options: needs at least 2 entries"),
        (("id: years,", "id: band,"), "question ids appear more than once: band"),
        (
            ("integer: no", "integer: perhaps"),
            "item 'years': integer: 'perhaps' should be yes or no",
        ),
        (("{id: band, ", "{"), "item 'question #1': id: required but missing"),
    ],
)
def test_a_broken_profile_names_the_question_and_the_problem(
    change: tuple[str, str], expected: str
) -> None:
    text = MINIMAL.replace(*change)
    assert text != MINIMAL
    with pytest.raises(InstrumentError) as raised:
        load_profile_text(text, "tiny.yaml")
    assert expected in str(raised.value)


def test_exclusive_needs_multiple_and_known_codes() -> None:
    text = MINIMAL.replace("options: {a: Young, b: Older}", "options: {a: A, b: B}, exclusive: [a]")
    with pytest.raises(
        InstrumentError, match="exclusive is only for a question with 'multiple: yes'"
    ):
        load_profile_text(text, "tiny.yaml")
    text = MINIMAL.replace(
        "options: {a: Young, b: Older}", "options: {a: A, b: B}, multiple: yes, exclusive: [z]"
    )
    with pytest.raises(InstrumentError, match="exclusive names codes that are not options: z"):
        load_profile_text(text, "tiny.yaml")


def test_not_yaml_is_a_located_message() -> None:
    with pytest.raises(InstrumentError, match=r"x.yaml: is not valid YAML at line 3, column 1"):
        load_profile_text("format: imheval-profile/1\nid: [unclosed\n", "x.yaml")
    with pytest.raises(InstrumentError, match="not a list"):
        load_profile_text("- a\n- b\n", "x.yaml")


def test_clean_answers_keeps_codes_lists_in_option_order_and_numbers() -> None:
    profile = get_builtin_profile("imh-network-profile")
    cleaned = clean_answers(
        profile,
        {
            "age_band": "35_to_44",
            "gender": "",
            "years_in_service": "2.5",
            "experience_ages": ["age_13_18", "age_0_3"],
            "role_0_3": None,
        },
    )
    assert cleaned == {
        "age_band": "35_to_44",
        "years_in_service": 2.5,
        "experience_ages": ["age_0_3", "age_13_18"],
    }


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"age_band": "36"}, "question age_band (Age): '36' is not one of its options"),
        (
            {"discipline": ["nursing", "psychology"]},
            "question discipline (Discipline): choose one option only",
        ),
        (
            {"experience_ages": ["none", "age_0_3"]},
            "'None of these' cannot be chosen with another option",
        ),
        ({"years_in_service": "51"}, "51 is outside 0 to 50"),
        ({"years_in_service": "many"}, "'many' is not a number"),
        ({"years_in_service": "nan"}, "'nan' is not a number"),
        ({"shoe_size": "9"}, "imh-network-profile has no question shoe_size"),
    ],
)
def test_clean_answers_refuses_what_the_profile_does_not_allow(
    answers: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        clean_answers(get_builtin_profile("imh-network-profile"), answers)


def test_a_whole_number_question_refuses_a_fraction() -> None:
    profile = load_profile_text(MINIMAL.replace("integer: no", "integer: yes"), "tiny.yaml")
    with pytest.raises(ValueError, match=re.escape("'2.5' is not a whole number")):
        clean_answers(profile, {"years": "2.5"})
    assert clean_answers(profile, {"years": "3"}) == {"years": 3.0}


def test_the_example_in_the_documentation_is_a_valid_profile() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "instruments.md"
    blocks = docs.read_text(encoding="utf-8").split("```yaml\n")[1:]
    (example,) = [b.split("```", 1)[0] for b in blocks if b.startswith("format: imheval-profile/1")]
    profile = load_profile_text(example, "docs/instruments.md")
    assert [q.id for q in profile.questions] == ["discipline", "years_in_service"]
    assert profile.ref == "imh-network-profile@1.0.0"


def test_a_hostile_profile_file_is_refused_like_a_hostile_instrument() -> None:
    # The instruments' limits apply: nesting past 50 levels, and aliases expanding past the
    # size limit (a "billion laughs"), each a plain message naming the file.
    deep = "format: imheval-profile/1\nid: x\nextra: " + "[" * 60 + "]" * 60 + "\n"
    with pytest.raises(InstrumentError, match=r"deep\.yaml.*nested too deeply"):
        load_profile_text(deep, "deep.yaml")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 8)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    with pytest.raises(InstrumentError, match=r"laughs\.yaml: expands to more than"):
        load_profile_text(laughs, "laughs.yaml")
