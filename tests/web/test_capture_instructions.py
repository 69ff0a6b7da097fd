"""The words above a page of questions fit its scale: agreement scales ask how much you agree,
"true of me" scales how true each statement is of you (issue 12, item 5)."""

from __future__ import annotations

from typing import Any

import pytest
from test_capture_journey import Participant, text

from imheval.instruments import get_builtin, load_instrument_text
from imheval.instruments.model import RatingScale
from imheval.web.capture.journey import question_pages, scale_kind

AGREE = "Say how much you agree or disagree with each statement."
TRUE_OF_ME = "Say how true each statement is of you."
LEAVE_OUT = "You can leave out any you do not want to answer."

MIXED = """\
format: imheval-instrument/1
id: mixed-scales
version: 1.0.0
title: Mixed scales
levels: [beginner]
domains:
  - {id: often, label: How often, kirkpatrick_level: 3}
  - {id: both, label: Both kinds, kirkpatrick_level: 2}
  - {id: bare, label: Bare scale, kirkpatrick_level: 1}
scales:
  frequency:
    min: 1
    max: 4
    labels: {1: Never, 4: Always}
  bare: {min: 0, max: 10}
items:
  - {id: F1, domain: often, kind: rating, scale: frequency, text: I talk to the baby.}
  - {id: B1, domain: both, kind: rating, scale: frequency, text: I ask about sleep.}
  - id: B2
    domain: both
    text: Which is right?
    options: {a: This, b: That}
    key: a
  - {id: N1, domain: bare, kind: rating, scale: bare, text: Rate the day.}
"""


@pytest.mark.parametrize(
    ("labels", "scale_id", "kind"),
    [
        ({1: "Strongly disagree", 5: "Strongly agree"}, "x", "agreement"),
        ({1: "Not at all true of me", 5: "Completely true of me"}, "confidence", "truth"),
        ({1: "Not at all confident", 5: "Very confident"}, "x", "confidence"),
        ({1: "Never", 5: "Always"}, "x", "frequency"),
        ({1: "Poor", 5: "Excellent"}, "agreement", "other"),
        ({}, "agreement", "agreement"),
        ({}, "score", "other"),
    ],
)
def test_scale_kind_is_read_from_the_labels_then_the_id(
    labels: dict[int, str], scale_id: str, kind: str
) -> None:
    assert scale_kind(RatingScale(min=1, max=5, labels=labels), scale_id) == kind


def test_built_in_pages_say_what_their_scales_ask() -> None:
    core = [page.instruction for page in question_pages([get_builtin("imh-core@1.0.0")])]
    assert core[0].startswith("Choose the one best answer to each question.")
    # Self-efficacy is a confidence scale whose labels say "true of me".
    assert core[2] == f"{TRUE_OF_ME} {LEAVE_OUT}"
    reaction = question_pages([get_builtin("imh-reaction")])
    assert [page.instruction for page in reaction] == [f"{AGREE} {LEAVE_OUT}"]


def test_frequency_mixed_and_unlabelled_pages_get_fitting_words() -> None:
    pages = question_pages([load_instrument_text(MIXED)])
    assert [page.instruction for page in pages] == [
        f"Say how often each statement is true for you. {LEAVE_OUT}",
        f"Choose one answer to each question or statement. {LEAVE_OUT}",
        f"Choose the answer on the scale that best fits you for each statement. {LEAVE_OUT}",
    ]


def test_the_agreement_page_says_how_much_you_agree(workspace: Any) -> None:
    collection = workspace.pre
    collection.instrument_refs = ["imh-core", "imh-reaction"]
    collection.save()
    person = Participant(collection)
    person.consent()
    person.make_code()
    person.about_you()
    assert f"<p>{TRUE_OF_ME} {LEAVE_OUT}</p>" in text(person.client.get(person.url("questions", 3)))
    page = text(person.client.get(person.url("questions", 4)))
    assert "Reaction to the training" in page
    assert f"<p>{AGREE} {LEAVE_OUT}</p>" in page
    assert TRUE_OF_ME not in page
