"""Open questions (``kind: open``): what loads, what is refused with a located message, and
that they stay out of everything scored."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from imheval.errors import InstrumentError
from imheval.instruments import Instrument, OpenItem, load_instrument_text
from imheval.instruments.lint import lint_instrument
from imheval.instruments.writer import instrument_to_yaml
from imheval.io.table import SOURCE_ROW, ResponseTable
from imheval.scoring import check_scored_together, score_items

HEADER = """\
format: imheval-instrument/1
id: demo
version: 1.0.0
title: Demo questionnaire
levels: [beginner]
domains:
  - id: knowledge
    label: Knowledge
  - id: confidence
    label: Confidence
scales:
  agree:
    min: 1
    max: 5
"""

ITEMS = """\
items:
  - id: Q1
    domain: knowledge
    text: Which is true?
    options: {a: First, b: Second, c: Third}
    key: b
  - kind: open
    id: Q1why
    domain: knowledge
    text: What made you choose that answer?
  - id: Q2
    domain: confidence
    scale: agree
    text: I feel out of my depth.
  - kind: open
    id: comments
    text: Is there anything else you would like to tell us?
    max_length: 400
"""


def text_with(items: str = ITEMS) -> str:
    return HEADER + textwrap.dedent(items)


def problems_of(text: str) -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        load_instrument_text(text, source="demo.yaml")
    return [str(p) for p in caught.value.problems]


def test_open_questions_load_in_file_order_beside_the_scored_items():
    instrument = load_instrument_text(text_with())

    assert [q.id for q in instrument.questions] == ["Q1", "Q1why", "Q2", "comments"]
    assert [i.id for i in instrument.items] == ["Q1", "Q2"]
    assert instrument.open_items == (
        OpenItem(
            kind="open",
            id="Q1why",
            domain="knowledge",
            text="What made you choose that answer?",
            max_length=1000,
        ),
        OpenItem(
            kind="open",
            id="comments",
            text="Is there anything else you would like to tell us?",
            max_length=400,
        ),
    )


def test_open_questions_are_not_in_any_domain_or_its_range():
    instrument = load_instrument_text(text_with())

    assert [i.id for i in instrument.items_in("knowledge")] == ["Q1"]
    assert instrument.domain_range("knowledge") == (0.0, 1.0)
    assert instrument.domain_range("confidence") == (1.0, 5.0)


def test_written_file_loads_back_equal_with_its_open_questions():
    instrument = load_instrument_text(text_with())

    written = instrument_to_yaml(instrument)

    assert "kind: open" in written
    assert "max_length: 400" in written
    assert "max_length: 1000" not in written  # the default is left out
    assert load_instrument_text(written) == instrument


def test_open_question_with_an_undeclared_domain_is_named():
    items = ITEMS.replace(
        "    domain: knowledge\n    text: What made", "    domain: knowlege\n    text: What made"
    )

    assert problems_of(text_with(items)) == [
        "demo.yaml, item 'Q1why': item 'Q1why' names domain 'knowlege', which is not declared "
        "(declared domains: knowledge, confidence)"
    ]


def test_open_question_without_text_is_named():
    items = ITEMS.replace("    text: Is there anything else you would like to tell us?\n", "")

    assert problems_of(text_with(items)) == [
        "demo.yaml, item 'comments': text: required but missing"
    ]


@pytest.mark.parametrize(
    ("length", "message"),
    [
        ("0", "max_length: must be greater than 0, not 0"),
        ("6000", "max_length: must be at most 5000, not 6000"),
        ("many", "max_length: 'many' is not a whole number"),
    ],
)
def test_open_question_length_limit_is_checked(length: str, message: str):
    items = ITEMS.replace("max_length: 400", f"max_length: {length}")

    assert problems_of(text_with(items)) == [f"demo.yaml, item 'comments': {message}"]


def test_open_question_refuses_scored_fields_and_lists_its_own():
    items = ITEMS.replace("    max_length: 400\n", "    max_length: 400\n    key: a\n")

    assert problems_of(text_with(items)) == [
        "demo.yaml, item 'comments': unknown field 'key'; check the spelling (allowed fields: "
        "domain, form, id, kind, max_length, text)"
    ]


def test_open_question_id_must_not_repeat_a_scored_item_id():
    items = ITEMS.replace("id: Q1why", "id: Q2")

    assert problems_of(text_with(items)) == [
        "demo.yaml, item 'Q2': item id 'Q2' is used more than once"
    ]


def test_a_domain_asked_only_open_questions_is_refused_with_the_reason():
    items = """\
    items:
      - id: Q1
        domain: knowledge
        text: Which is true?
        options: {a: First, b: Second, c: Third}
        key: b
      - kind: open
        id: feel
        domain: confidence
        text: How do you feel about it?
    """

    assert problems_of(text_with(items)) == [
        "demo.yaml: domain(s) ['confidence'] have only open questions, which are not scored; "
        "give each a keyed or rating item, or leave the open questions' domain out"
    ]


def test_an_instrument_of_only_open_questions_is_refused():
    items = """\
    items:
      - kind: open
        id: comments
        text: Any comments?
    """

    assert problems_of(text_with(items)) == [
        "demo.yaml: domain(s) ['knowledge', 'confidence'] have no items"
    ]


def test_open_question_text_takes_the_jurisdiction_wording():
    text = text_with(ITEMS.replace("anything else", "anything else about your {hv}"))
    text = text.replace(
        "scales:",
        "wording:\n  hv: {default: health visitor, ireland: public health nurse}\nscales:",
    )
    instrument = load_instrument_text(text)

    asked = instrument.in_jurisdiction("ireland")

    assert asked.open_items[1].text == (
        "Is there anything else about your public health nurse you would like to tell us?"
    )


def test_open_question_on_a_parallel_form_is_asked_only_on_that_form():
    text = text_with(
        ITEMS.replace(
            "  - kind: open\n    id: Q1why\n", "  - kind: open\n    id: Q1why\n    form: A\n"
        )
        + """\
  - id: Q1b
    domain: knowledge
    form: B
    text: Which is false?
    options: {a: First, b: Second}
    key: a
"""
    ).replace("  - id: Q1\n", "  - id: Q1\n    form: A\n")
    text = text.replace("scales:", "forms:\n  - id: A\n  - id: B\nscales:")
    instrument = load_instrument_text(text)

    assert [q.id for q in instrument.form_questions("A")] == ["Q1", "Q1why", "Q2", "comments"]
    assert [q.id for q in instrument.form_questions("B")] == ["Q2", "comments", "Q1b"]
    assert [q.id for q in instrument.on_form("B").questions] == ["Q2", "comments", "Q1b"]


def test_lint_reads_instruments_with_open_questions():
    instrument = load_instrument_text(text_with())

    assert all(advice.item != "comments" for advice in lint_instrument(instrument))


def _scored_domains(instrument: Instrument, rows: list[dict[str, str]]) -> dict[str, list[float]]:
    columns = tuple(q.id for q in instrument.questions)
    frame = pd.DataFrame(
        {
            "participant": [f"P{i}" for i in range(len(rows))],
            "cohort": ["C1"] * len(rows),
            "programme": [""] * len(rows),
            "timepoint": ["pre"] * len(rows),
            "directorate": [""] * len(rows),
            "profession": [""] * len(rows),
            SOURCE_ROW: list(range(2, len(rows) + 2)),
            **{column: [row.get(column, "") for row in rows] for column in columns},
        }
    )
    table = ResponseTable(frame=frame, source="r.csv", layout="tidy", item_columns=columns)
    scored = score_items(table, [instrument])
    return {d: [float(v) for v in scored.frame[d]] for d in ("knowledge", "confidence")}


def test_scores_are_the_same_with_and_without_open_questions_and_their_answers():
    with_open = load_instrument_text(text_with())
    without = load_instrument_text(
        text_with(
            """\
            items:
              - id: Q1
                domain: knowledge
                text: Which is true?
                options: {a: First, b: Second, c: Third}
                key: b
              - id: Q2
                domain: confidence
                scale: agree
                text: I feel out of my depth.
            """
        )
    )
    rows = [
        {"Q1": "b", "Q2": "2", "Q1why": "I guessed", "comments": "b"},
        {"Q1": "a", "Q2": "5", "comments": "It was long"},
    ]

    assert [q.id for q in without.questions] == ["Q1", "Q2"]
    assert _scored_domains(with_open, rows) == _scored_domains(without, rows)
    assert _scored_domains(with_open, rows) == {"knowledge": [1.0, 0.0], "confidence": [2.0, 5.0]}


def test_an_open_question_id_shared_by_two_instruments_is_refused():
    first = load_instrument_text(text_with())
    second = load_instrument_text(
        text_with()
        .replace("id: demo", "id: other")
        .replace("id: knowledge", "id: know2")
        .replace("domain: knowledge", "domain: know2")
        .replace("id: confidence", "id: conf2")
        .replace("domain: confidence", "domain: conf2")
        .replace("id: Q1\n", "id: R1\n")
        .replace("id: Q2\n", "id: R2\n")
        .replace("id: Q1why", "id: R1why")
    )

    with pytest.raises(InstrumentError) as caught:
        check_scored_together([first, second])

    assert [str(p) for p in caught.value.problems] == [
        "instrument 'other', item 'comments': item 'comments' is also an item of instrument "
        "'demo'; item ids must differ between instruments scored together"
    ]


def test_a_copy_given_items_replaces_every_question_as_the_file_would():
    instrument = load_instrument_text(text_with())

    copy = instrument.model_copy(update={"items": instrument.items[:1]})

    assert [q.id for q in copy.questions] == ["Q1"]
    assert copy.open_items == ()
