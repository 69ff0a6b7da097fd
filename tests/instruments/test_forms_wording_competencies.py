"""Parallel forms, jurisdiction wording, competencies, misconceptions and evidence in the file
format: what loads, what is refused (each problem named with its item), and what writes back."""

from __future__ import annotations

import textwrap

import pytest

from imheval.errors import InstrumentError
from imheval.instruments import load_instrument_text
from imheval.instruments.model import Instrument, Jurisdiction, KeyedItem
from imheval.instruments.writer import instrument_to_yaml

BASE = textwrap.dedent(
    """\
    format: imheval-instrument/1
    id: forms-test
    version: 2.0.0
    title: Forms test for {health_visitor}s
    levels: [beginner]
    framework: aimh-uk-imhcf
    forms:
      - id: A
        label: Form A
      - id: B
    wording:
      health_visitor:
        default: health visitor
        ireland: public health nurse
      emergency:
        default: "999"
        ireland: "112"
    domains:
      - id: knowledge
        label: Knowledge
      - id: confidence
        label: Confidence
    scales:
      ten:
        min: 0
        max: 10
        labels: {0: Cannot do at all, 10: Highly certain I can do}
    items:
      - id: KA1
        domain: knowledge
        form: A
        text: A {health_visitor} sees a baby who is floppy and hard to rouse. What now?
        options:
          a: Call {emergency} now
          b: Review at the next visit
          c: Write to the GP
        key: a
        misconceptions:
          b: A sleepy baby is a settled baby
          c: Any concern can wait for a letter
        competencies: [assessing_caregiving]
        evidence: [NICE 2021]
      - id: KA2
        domain: knowledge
        form: A
        text: Second form A question
        options: {a: One, b: Two}
        key: b
      - id: KB1
        domain: knowledge
        form: B
        text: The form B question
        options: {a: One, b: Two, c: Three}
        key: c
        points: 2
      - id: C1
        domain: confidence
        text: How confident are you that you can ask a mother about her mood?
        scale: ten
        competencies: [relationship_based_practice, supporting_caregiving]
    """
)


def load(text: str = BASE) -> Instrument:
    return load_instrument_text(text, source="forms.yaml")


def problems(text: str) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        load(text)
    return [str(problem) for problem in caught.value.problems]


def test_each_form_asks_its_own_items_and_the_common_ones() -> None:
    instrument = load()
    assert instrument.form_ids == ("A", "B")
    assert [i.id for i in instrument.form_items("A")] == ["KA1", "KA2", "C1"]
    assert [i.id for i in instrument.form_items("B")] == ["KB1", "C1"]
    assert [i.id for i in instrument.items_in("knowledge", "B")] == ["KB1"]
    assert [i.id for i in instrument.items_in("knowledge")] == ["KA1", "KA2", "KB1"]
    # the range of a domain is that form's: two 1-point items on A, one 2-point item on B
    assert instrument.domain_range("knowledge", "A") == (0.0, 2.0)
    assert instrument.domain_range("knowledge", "B") == (0.0, 2.0)
    assert instrument.domain_range("confidence", "B") == (0.0, 10.0)


def test_misconceptions_competencies_and_evidence_are_kept_with_their_item() -> None:
    first = load().items[0]
    assert isinstance(first, KeyedItem)
    assert first.misconceptions == {
        "b": "A sleepy baby is a settled baby",
        "c": "Any concern can wait for a letter",
    }
    assert first.competencies == ("assessing_caregiving",)
    assert first.evidence == ("NICE 2021",)


def test_participants_read_their_jurisdiction_s_words_and_answers_score_the_same() -> None:
    instrument = load()
    ireland = instrument.in_jurisdiction(Jurisdiction.IRELAND)
    england = instrument.in_jurisdiction("england")
    assert ireland.title == "Forms test for public health nurses"
    assert england.title == "Forms test for health visitors"
    first_ie, first_en = ireland.items[0], england.items[0]
    assert isinstance(first_ie, KeyedItem) and isinstance(first_en, KeyedItem)
    assert first_ie.text.startswith("A public health nurse sees a baby")
    assert first_ie.options["a"] == "Call 112 now"
    assert first_en.options["a"] == "Call 999 now"
    assert (first_ie.id, first_ie.key) == (first_en.id, first_en.key) == ("KA1", ("a",))
    # the stored instrument keeps its terms
    assert "{health_visitor}" in instrument.title


def test_every_new_field_survives_writing_and_reading() -> None:
    instrument = load()
    written = instrument_to_yaml(instrument)
    assert load_instrument_text(written, source="written.yaml") == instrument
    for field in ("forms:", "framework: aimh-uk-imhcf", "wording:", "misconceptions:"):
        assert field in written


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("    form: B\n    text: The form B", "    form: C\n    text: The form B"),
            "item 'KB1' names form 'C', which is not declared (declared forms: A, B)",
        ),
        (
            ("      c: Any concern can wait for a letter\n", "      a: Calling is wrong\n"),
            "misconceptions name ['a'], which the key marks correct",
        ),
        (
            ("      b: A sleepy baby", "      z: A sleepy baby"),
            "misconceptions name ['z'], which are not among the options",
        ),
        (
            ("competencies: [assessing_caregiving]", "competencies: [attachment_theory]"),
            "item 'KA1' names competencies ['attachment_theory'], which are not domains",
        ),
        (
            ("framework: aimh-uk-imhcf", "framework: nhs-ksf"),
            "framework 'nhs-ksf' is not known; use one of: aimh-uk-imhcf, mi-aimh",
        ),
        (
            ("Call {emergency} now", "Call {ambulance} now"),
            "'{ambulance}' is used but not declared under 'wording'",
        ),
        (
            ('    default: "999"\n', ""),
            "wording term 'emergency' has no 'default' words",
        ),
        (
            ("    ireland: public health nurse", "    wales: health visitor\n    eire: x"),
            "wording term 'health_visitor' names ['eire'], which are not jurisdictions",
        ),
        (
            ("    form: B\n    text: The form B", "    form: A\n    text: The form B"),
            "domain 'knowledge' has items of its own in some forms but none in form(s) ['B']",
        ),
    ],
)
def test_problems_are_named_with_their_item(change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in BASE
    found = problems(BASE.replace(old, new))
    assert any(expected in problem for problem in found), found
    assert all(problem.startswith("forms.yaml") for problem in found)


def test_one_declared_form_is_refused_and_items_without_forms_need_none() -> None:
    single = BASE.replace("  - id: B\n", "").replace("form: B", "form: A")
    assert any("only one form is declared" in p for p in problems(single))
    plain = textwrap.dedent(
        """\
        format: imheval-instrument/1
        id: plain
        version: "1"
        title: Plain
        levels: [beginner]
        domains: [{id: k, label: K}]
        items:
          - {id: Q1, domain: k, text: A question, options: {a: A, b: B}, key: a}
        """
    )
    instrument = load(plain)
    assert instrument.form_ids == ()
    assert instrument.in_jurisdiction("scotland") is instrument
    assert [i.id for i in instrument.items_in("k", "A")] == ["Q1"]


def test_competencies_without_a_framework_are_refused() -> None:
    found = problems(BASE.replace("framework: aimh-uk-imhcf\n", ""))
    assert any("items name competencies but the instrument names no framework" in p for p in found)
