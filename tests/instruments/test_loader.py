"""Reading instrument files: what loads, and the message for each way a file can be wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imheval.errors import InstrumentError, UnknownInstrumentError
from imheval.instruments import (
    KeyedItem,
    RatingItem,
    TrainingLevel,
    load_instrument,
    load_instrument_text,
    resolve_instrument,
)

HEADER = """\
format: imheval-instrument/1
id: demo
version: 1.0.0
title: Demo questionnaire
levels: [beginner]
"""

DOMAINS = """\
domains:
  - id: knowledge
    label: Knowledge
  - id: confidence
    label: Confidence
"""

SCALES = """\
scales:
  agree:
    min: 1
    max: 5
    labels: {1: Strongly disagree, 5: Strongly agree}
"""

GOOD_ITEMS = """\
items:
  - id: Q1
    domain: knowledge
    concept: attachment
    text: Which is true?
    options: {a: First, b: Second, c: Third}
    key: b
  - id: Q2
    domain: confidence
    kind: rating
    scale: agree
    reverse: yes
    text: I feel out of my depth.
"""


def instrument_text(items: str = GOOD_ITEMS, *, scales: str = SCALES, header: str = HEADER) -> str:
    return header + DOMAINS + scales + textwrap.dedent(items)


def problems_of(text: str, source: str = "demo.yaml") -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        load_instrument_text(text, source=source)
    return [str(p) for p in caught.value.problems]


# --- what loads -----------------------------------------------------------------------------------


def test_valid_instrument_loads_with_every_field():
    instrument = load_instrument_text(instrument_text(), source="demo.yaml")

    assert instrument.id == "demo"
    assert instrument.version == "1.0.0"
    assert instrument.levels == (TrainingLevel.BEGINNER,)
    assert [d.id for d in instrument.domains] == ["knowledge", "confidence"]
    keyed, rating = instrument.items
    assert isinstance(keyed, KeyedItem)
    assert keyed.options == {"a": "First", "b": "Second", "c": "Third"}
    assert keyed.key == ("b",)
    assert keyed.concept == "attachment"
    assert isinstance(rating, RatingItem)
    assert rating.reverse is True
    assert instrument.scales["agree"].labels == {1: "Strongly disagree", 5: "Strongly agree"}
    # one point for the keyed item; a 1-5 rating contributes 1..5
    assert instrument.domain_range("knowledge") == (0.0, 1.0)
    assert instrument.domain_range("confidence") == (1.0, 5.0)


def test_yes_no_option_codes_and_keys_stay_strings():
    items = """\
    items:
      - id: R1
        domain: knowledge
        text: Is the baby at risk?
        options:
          yes: "Yes"
          no: "No"
        key: yes
      - id: R2
        domain: knowledge
        text: Pick one.
        options: {true: Correct, false: Wrong, on: Lit, off: Dark}
        key: off
      - id: Q2
        domain: confidence
        scale: agree
        text: I am confident.
    """
    instrument = load_instrument_text(instrument_text(items))

    r1, r2, _ = instrument.items
    assert isinstance(r1, KeyedItem) and isinstance(r2, KeyedItem)
    assert list(r1.options) == ["yes", "no"]
    assert r1.options == {"yes": "Yes", "no": "No"}
    assert r1.key == ("yes",)
    assert list(r2.options) == ["true", "false", "on", "off"]
    assert r2.key == ("off",)


def test_codes_and_version_keep_the_spelling_written_in_the_file():
    items = """\
    items:
      - id: Q1
        domain: knowledge
        text: Pick one.
        options: {01: Leading zero, 1.10: Decimal, "1:30": Clock, null: Null word}
        key: 01
      - id: Q2
        domain: confidence
        scale: agree
        text: I am confident.
    """
    header = HEADER.replace("version: 1.0.0", "version: 1.10")
    instrument = load_instrument_text(instrument_text(items, header=header))

    assert instrument.version == "1.10"
    q1 = instrument.items[0]
    assert isinstance(q1, KeyedItem)
    assert list(q1.options) == ["01", "1.10", "1:30", "null"]
    assert q1.key == ("01",)


def test_whole_number_option_codes_become_text_codes():
    items = """\
    items:
      - id: Q1
        domain: knowledge
        text: Pick one.
        options: {1: One, 2: Two, 3: Three}
        key: [2, 3]
      - id: Q2
        domain: confidence
        scale: agree
        text: I am confident.
    """
    q1 = load_instrument_text(instrument_text(items)).items[0]

    assert isinstance(q1, KeyedItem)
    assert list(q1.options) == ["1", "2", "3"]
    assert q1.key == ("2", "3")


YAML_TRAPS = ["yes", "no", "Yes", "NO", "on", "off", "true", "False", "y", "n", "null", "Null"]
YAML_TRAPS += ["0x1F", "0o17", "017", "1e3", "1_000", "2024-01-01", ".inf", ".NaN", "12:30"]


@given(
    code=st.one_of(
        st.sampled_from(YAML_TRAPS),
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.]{0,7}", fullmatch=True),
    )
)
def test_any_written_option_code_is_read_back_exactly(code: str):
    other = "zz_other" if code != "zz_other" else "yy_other"
    items = f"""\
    items:
      - id: Q1
        domain: knowledge
        text: Pick one.
        options:
          {code}: The keyed option
          {other}: The other option
        key: {code}
      - id: Q2
        domain: confidence
        scale: agree
        text: I am confident.
    """
    q1 = load_instrument_text(instrument_text(items)).items[0]

    assert isinstance(q1, KeyedItem)
    assert list(q1.options) == [code, other]
    assert q1.key == (code,)


def test_item_that_names_a_scale_is_a_rating_item_without_kind():
    items = GOOD_ITEMS.replace("    kind: rating\n", "")
    rating = load_instrument_text(instrument_text(items)).items[1]

    assert isinstance(rating, RatingItem)
    assert rating.scale == "agree"


def test_load_instrument_reads_a_yaml_file(tmp_path: Path):
    path = tmp_path / "mine.yml"
    path.write_text(instrument_text(), encoding="utf-8")

    assert load_instrument(path).id == "demo"
    assert resolve_instrument(str(path)).id == "demo"
    assert resolve_instrument(path).id == "demo"


def test_resolve_instrument_finds_a_builtin_by_id():
    assert resolve_instrument("imh-core").id == "imh-core"


def test_resolve_instrument_rejects_unknown_reference_and_lists_builtins(tmp_path: Path):
    with pytest.raises(UnknownInstrumentError) as caught:
        resolve_instrument("imh-cor")
    assert "'imh-cor'" in str(caught.value)
    assert "imh-advanced-knowledge, imh-core" in str(caught.value)

    with pytest.raises(UnknownInstrumentError):
        resolve_instrument(str(tmp_path / "absent.yaml"))


# --- what does not load, and what the message says -----------------------------------------------


def test_unknown_domain_on_an_item_names_file_and_item():
    items = GOOD_ITEMS.replace("domain: knowledge", "domain: knowlege")

    assert problems_of(instrument_text(items)) == [
        "demo.yaml, item 'Q1': item 'Q1' names domain 'knowlege', which is not declared "
        "(declared domains: knowledge, confidence)",
        "demo.yaml: domain(s) ['knowledge'] have no items",
    ]


def test_key_not_among_options_names_item_and_options():
    items = GOOD_ITEMS.replace("key: b", "key: d")

    assert problems_of(instrument_text(items)) == [
        "demo.yaml, item 'Q1': key ['d'] is not among the options ['a', 'b', 'c']"
    ]


def test_each_bad_item_is_its_own_problem():
    items = GOOD_ITEMS.replace("key: b", "key: d").replace("text: I feel out of my depth.", "")

    assert problems_of(instrument_text(items)) == [
        "demo.yaml, item 'Q1': key ['d'] is not among the options ['a', 'b', 'c']",
        "demo.yaml, item 'Q2': text: required but missing",
    ]


def test_item_errors_and_cross_references_are_reported_in_one_pass():
    items = GOOD_ITEMS.replace("key: b", "key: d").replace(
        "domain: confidence", "domain: confident"
    )

    assert problems_of(instrument_text(items)) == [
        "demo.yaml, item 'Q1': key ['d'] is not among the options ['a', 'b', 'c']",
        "demo.yaml, item 'Q2': item 'Q2' names domain 'confident', which is not declared "
        "(declared domains: knowledge, confidence)",
        "demo.yaml: domain(s) ['confidence'] have no items",
    ]


def test_duplicate_item_ids_are_reported():
    items = GOOD_ITEMS.replace("id: Q2", "id: Q1")

    assert problems_of(instrument_text(items)) == [
        "demo.yaml, item 'Q1': item id 'Q1' is used more than once"
    ]


def test_item_ids_differing_only_in_case_are_reported():
    items = GOOD_ITEMS.replace("id: Q2", "id: q1")

    messages = problems_of(instrument_text(items))

    assert messages == [
        "demo.yaml, item 'Q1': item ids ['Q1', 'q1'] differ only in upper/lower case; rename one"
    ]


def test_rating_item_with_undeclared_scale_names_item_and_declared_scales():
    items = GOOD_ITEMS.replace("scale: agree", "scale: agreement")

    assert problems_of(instrument_text(items)) == [
        "demo.yaml, item 'Q2': item 'Q2' names scale 'agreement', which is not declared "
        "(declared scales: agree)"
    ]


def test_scale_whose_max_is_not_above_min_is_rejected():
    scales = SCALES.replace("min: 1", "min: 5").replace("max: 5", "max: 1")

    messages = problems_of(
        instrument_text(
            scales=scales.replace("labels: {1: Strongly disagree, 5: Strongly agree}", "")
        )
    )

    assert messages == ["demo.yaml, field 'scales.agree': max (1) must be greater than min (5)"]


def test_scale_label_outside_the_range_is_rejected():
    scales = SCALES.replace("5: Strongly agree", "7: Strongly agree")

    assert problems_of(instrument_text(scales=scales)) == [
        "demo.yaml, field 'scales.agree': labels [7] fall outside 1..5"
    ]


def test_scale_bound_that_is_not_a_whole_number_is_explained():
    scales = SCALES.replace("min: 1", "min: one")

    assert problems_of(instrument_text(scales=scales)) == [
        "demo.yaml, field 'scales.agree': min: 'one' is not a whole number"
    ]


def test_missing_format_says_which_format_is_expected():
    text = instrument_text().replace("format: imheval-instrument/1\n", "")

    assert problems_of(text) == [
        "demo.yaml, item 'format': does not say which format it is; add the line "
        "'format: imheval-instrument/1' at the top"
    ]


def test_wrong_format_says_which_format_is_expected():
    text = instrument_text().replace("imheval-instrument/1", "imheval-instrument/2")

    assert problems_of(text) == [
        "demo.yaml, item 'format': format 'imheval-instrument/2' is not one this version of "
        "imheval reads; expected 'imheval-instrument/1'"
    ]


def test_yaml_syntax_error_gives_the_line_number():
    # Line 4 opens a flow list that is never closed before a mapping key on line 5.
    text = "format: imheval-instrument/1\nid: demo\nversion: 1.0.0\nlevels: [beginner\ntitle: x\n"

    (message,) = problems_of(text)

    assert message.startswith("demo.yaml: is not valid YAML at line 5")


def test_bad_indentation_gives_the_line_number():
    text = instrument_text() + "  stray: indented too far\n   - nonsense\n"
    bad_line = text.count("\n") - 1

    (message,) = problems_of(text)

    assert f"is not valid YAML at line {bad_line}" in message


def test_repeated_yaml_key_is_refused_with_both_lines():
    text = HEADER + "id: demo2\n" + DOMAINS + SCALES + GOOD_ITEMS

    (message,) = problems_of(text)

    assert "line 6" in message
    assert "the key 'id' appears twice (first on line 2)" in message


def test_unknown_field_names_item_and_lists_allowed_fields():
    items = GOOD_ITEMS.replace("    key: b\n", "    key: b\n    answer: b\n")

    (message,) = problems_of(instrument_text(items))

    assert message.startswith("demo.yaml, item 'Q1': unknown field 'answer'; check the spelling")
    assert (
        "allowed fields: competencies, concept, domain, evidence, form, id, key, kind, "
        "misconceptions, options, points, text" in message
    )


def test_item_without_an_id_is_located_by_position():
    items = GOOD_ITEMS.replace("  - id: Q2\n    domain", "  - domain")

    assert problems_of(instrument_text(items)) == [
        "demo.yaml, item 'item #2': id: required but missing"
    ]


def test_invalid_id_explains_the_rule():
    items = GOOD_ITEMS.replace("id: Q1", "id: 1st question")

    (message,) = problems_of(instrument_text(items))

    assert "'1st question' is not a valid id: start with a letter" in message


def test_unknown_training_level_lists_the_levels():
    text = instrument_text().replace("levels: [beginner]", "levels: [beginer]")

    assert problems_of(text) == [
        "demo.yaml, field 'levels': 'beginer' is not a training level; use one or more of: "
        "beginner, intermediate, advanced"
    ]


def test_unknown_item_kind_says_which_kinds_exist():
    items = GOOD_ITEMS.replace("kind: rating", "kind: likert")

    assert problems_of(instrument_text(items)) == [
        "demo.yaml, item 'Q2': kind 'likert' is not known; use 'keyed', 'rating' or 'open'"
    ]


def test_all_invalid_items_do_not_add_a_misleading_empty_list_message():
    items = GOOD_ITEMS.replace("key: b", "key: z").replace(
        "scale: agree", "scale: agree\n    colour: red"
    )

    messages = problems_of(instrument_text(items))

    assert len(messages) == 2
    assert not any("at least" in m for m in messages)


def test_option_without_text_is_rejected():
    items = GOOD_ITEMS.replace("{a: First, b: Second, c: Third}", "{a: First, b: Second, c: }")

    assert problems_of(instrument_text(items)) == [
        "demo.yaml, item 'Q1': options: option(s) ['c'] have no text"
    ]


def test_every_option_keyed_is_rejected():
    items = GOOD_ITEMS.replace("key: b", "key: [a, b, c]")

    assert problems_of(instrument_text(items)) == [
        "demo.yaml, item 'Q1': every option is keyed correct, so the item cannot discriminate"
    ]


def test_missing_items_list_is_named_as_a_field_not_an_item():
    assert problems_of(instrument_text(items="")) == [
        "demo.yaml, field 'items': a required field is missing"
    ]


def test_domain_with_missing_label_is_located_by_domain_id():
    text = instrument_text().replace("    label: Confidence\n", "")

    assert problems_of(text) == [
        "demo.yaml, field 'domains.confidence': label: required but missing"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "demo.yaml: is empty; it should start with: format: imheval-instrument/1"),
        (
            "# only a comment\n",
            "demo.yaml: is empty; it should start with: format: imheval-instrument/1",
        ),
        (
            "- format: imheval-instrument/1\n",
            "demo.yaml: should be a set of 'field: value' lines starting with "
            "'format: imheval-instrument/1', not a list",
        ),
    ],
)
def test_file_without_fields_is_explained(text: str, expected: str):
    assert problems_of(text) == [expected]


def test_file_with_wrong_extension_is_refused(tmp_path: Path):
    path = tmp_path / "mine.json"
    path.write_text(instrument_text(), encoding="utf-8")

    with pytest.raises(InstrumentError, match=r"must end in \.yaml or \.yml"):
        load_instrument(path)


def test_missing_file_is_reported_by_name(tmp_path: Path):
    path = tmp_path / "absent.yaml"

    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)

    assert str(caught.value) == f"{path}: file not found"


def test_file_that_is_not_utf8_is_reported(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(instrument_text().replace("Demo", "Démo").encode("latin-1"))

    with pytest.raises(InstrumentError, match="is not UTF-8 text"):
        load_instrument(path)


def test_problems_carry_file_and_item_as_fields():
    items = GOOD_ITEMS.replace("key: b", "key: d")

    with pytest.raises(InstrumentError) as caught:
        load_instrument_text(instrument_text(items), source="trainer.yaml")

    (problem,) = caught.value.problems
    assert problem.file == "trainer.yaml"
    assert problem.item == "Q1"
    assert problem.row is None


# --- files built to exhaust the parser (issue 10) ---------------------------------------------

DEEP_FLOW = "format: imheval-instrument/1\nid: " + "[" * 500 + "]" * 500 + "\n"
DEEP_BLOCK = "format: imheval-instrument/1\n" + "".join(
    "  " * level + f"level{level}:\n" for level in range(200)
)
LAUGHS = "format: imheval-instrument/1\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 8)
)


@pytest.mark.parametrize(
    ("text", "line"), [(DEEP_FLOW, 2), (DEEP_BLOCK, 51)], ids=["flow-500", "block-200"]
)
def test_deeply_nested_yaml_is_a_problem_naming_the_file(text: str, line: int) -> None:
    with pytest.raises(InstrumentError) as caught:
        load_instrument_text(text, source="deep.yaml")

    assert str(caught.value) == (
        f"deep.yaml: is nested too deeply (more than 50 levels, at line {line}); an instrument "
        "file needs only a few levels"
    )


def test_deeply_nested_yaml_file_is_a_problem_from_load_instrument(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(DEEP_FLOW, encoding="utf-8")

    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)

    assert caught.value.problems[0].file == str(path)
    assert "is nested too deeply (more than 50 levels" in str(caught.value)


def test_aliases_expanding_to_billions_of_values_are_refused() -> None:
    with pytest.raises(InstrumentError) as caught:
        load_instrument_text(LAUGHS, source="laughs.yaml")

    assert str(caught.value) == (
        "laughs.yaml: expands to more than 100,000 values through its aliases (*name); an "
        "instrument file holds far fewer"
    )


def test_alias_inside_itself_is_refused() -> None:
    with pytest.raises(InstrumentError) as caught:
        load_instrument_text("format: imheval-instrument/1\nid: &me [*me]\n", source="loop.yaml")

    assert str(caught.value) == (
        "loop.yaml: has an alias that refers to the list or section it is in (line 2); an "
        "instrument file cannot contain itself"
    )


def test_an_instrument_sharing_options_through_an_alias_still_loads() -> None:
    items = GOOD_ITEMS.replace("options: {a: First", "options: &abc {a: First") + (
        "  - id: Q3\n    domain: knowledge\n    concept: attachment\n    text: And this?\n"
        "    options: *abc\n    key: c\n"
    )

    instrument = load_instrument_text(instrument_text(items), source="demo.yaml")

    assert [item.id for item in instrument.items] == ["Q1", "Q2", "Q3"]
