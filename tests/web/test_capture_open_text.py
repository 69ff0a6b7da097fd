"""Open questions on the participant's pages: a character-counted text box, the answer kept as
text in the response (length checked on the server), never required.

``reflection_collection`` (used by the qualitative answers tests too) is a post-training
questionnaire asking the organisation's own instrument ``reflect``: one knowledge question with
an open question on its page, and one open question of no domain on a page of its own.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Workspace
from django.test import Client
from django.urls import reverse

from imheval.web.capture.models import Status, Submission
from imheval.web.workspace.models import Collection, InstrumentFile

REFLECT = """\
format: imheval-instrument/1
id: reflect
version: "1"
title: Reflection
levels: [beginner]
domains:
  - id: reflect_knowledge
    label: What you know
items:
  - id: RK1
    domain: reflect_knowledge
    text: Which is true?
    options: {a: First, b: Second, c: Third}
    key: b
  - kind: open
    id: RK1why
    domain: reflect_knowledge
    text: Why did you choose that answer?
    max_length: 40
  - kind: open
    id: learned
    text: What is the most useful thing you learned?
"""


def reflection_collection(workspace: Workspace, timepoint: str = "post") -> Collection:
    """An open questionnaire of ``workspace``'s cohort asking the uploaded ``reflect``."""
    InstrumentFile.objects.get_or_create(
        organisation=workspace.organisation,
        instrument_id="reflect",
        defaults={"title": "Reflection", "source_name": "reflect.yaml", "text": REFLECT},
    )
    collection = Collection.objects.get(cohort=workspace.cohort, timepoint=timepoint)
    collection.instrument_refs = ["reflect"]
    collection.instrument_versions = {}
    collection.save()
    collection.open()
    return collection


class Answerer:
    """One person answering the reflection questionnaire on one device."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.client = Client()

    def url(self, name: str, *args: Any) -> str:
        return str(reverse(f"capture:{name}", args=[self.collection.token, *args]))

    def start(self, code: tuple[str, str, str] = ("MA", "07", "BE")) -> None:
        assert self.client.post(self.url("start"), {"consent": "yes"}).status_code == 302
        mother, day, town = code
        parts = {"mother": mother, "day": day, "town": town, "confirm": mother + day + town}
        response = self.client.post(self.url("code"), parts)
        assert response.status_code == 302
        if response.url == self.url("about_you"):
            profile = {"profession": "Health visitor", "directorate": "Children's Services"}
            assert self.client.post(self.url("about_you"), profile).status_code == 302

    def draft(self) -> Submission:
        key = str(self.client.session[f"capture:{self.collection.token}"])
        return Submission.objects.get(key=key)


@pytest.fixture
def answerer(workspace: Workspace) -> Answerer:
    person = Answerer(reflection_collection(workspace))
    person.start()
    return person


def test_an_open_question_is_a_counted_text_box_with_the_names_hint(answerer: Answerer) -> None:
    page = answerer.client.get(answerer.url("questions", 1)).content.decode()

    assert "1. Which is true?" in page
    assert 'data-module="nhsuk-character-count" data-maxlength="40"' in page
    assert '<textarea class="nhsuk-textarea nhsuk-js-character-count" id="id_RK1why"' in page
    assert 'name="RK1why" rows="5" maxlength="40"' in page
    assert "2. Why did you choose that answer?" in page
    assert "Do not write names of people or places." in page
    assert "You can enter up to 40 characters" in page


def test_open_questions_of_no_domain_are_on_a_page_of_their_own(answerer: Answerer) -> None:
    page = answerer.client.get(answerer.url("questions", 2)).content.decode()

    assert "In your own words" in page
    assert "Answer in your own words. You can leave out any you do not want to answer." in page
    assert "3. What is the most useful thing you learned?" in page
    assert 'data-maxlength="1000"' in page


def test_an_open_answer_is_kept_as_text_with_one_character_per_line_break(
    answerer: Answerer,
) -> None:
    response = answerer.client.post(
        answerer.url("questions", 1), {"RK1": "b", "RK1why": "  It felt right.\r\nMostly.  "}
    )

    assert response.status_code == 302
    assert answerer.draft().answers == {"RK1": "b", "RK1why": "It felt right.\nMostly."}


def test_an_answer_longer_than_the_limit_is_refused_and_kept_on_the_page(
    answerer: Answerer,
) -> None:
    too_long = "x" * 41

    response = answerer.client.post(answerer.url("questions", 1), {"RK1": "b", "RK1why": too_long})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Your answer must be 40 characters or fewer" in page
    assert 'href="#id_RK1why"' in page  # the error summary links to the box
    assert f">{too_long}</textarea>" in page
    assert answerer.draft().answers == {}


def test_forty_characters_over_two_lines_fit_a_limit_of_forty(answerer: Answerer) -> None:
    text = "a" * 19 + "\r\n" + "b" * 20

    response = answerer.client.post(answerer.url("questions", 1), {"RK1why": text})

    assert response.status_code == 302
    assert answerer.draft().answers == {"RK1why": "a" * 19 + "\n" + "b" * 20}


def test_open_answers_are_never_required_and_a_blank_removes_an_earlier_one(
    answerer: Answerer,
) -> None:
    answerer.client.post(answerer.url("questions", 2), {"learned": "Serve and return"})

    response = answerer.client.post(answerer.url("questions", 2), {"learned": "   "})

    assert response.status_code == 302
    assert answerer.draft().answers == {}


def test_the_whole_journey_submits_the_text_with_the_choices(answerer: Answerer) -> None:
    answerer.client.post(answerer.url("questions", 1), {"RK1": "b", "RK1why": "Because"})
    answerer.client.post(answerer.url("questions", 2), {"learned": "Containment & <b>words</b>"})
    draft = answerer.draft()

    assert answerer.client.post(answerer.url("check")).status_code == 302

    draft.refresh_from_db()
    assert draft.status == Status.COMPLETE
    assert draft.answers == {
        "RK1": "b",
        "RK1why": "Because",
        "learned": "Containment & <b>words</b>",
    }


def test_a_text_answer_shown_again_is_escaped(answerer: Answerer) -> None:
    answerer.client.post(answerer.url("questions", 2), {"learned": "</textarea><script>x</script>"})

    page = answerer.client.get(answerer.url("questions", 2)).content.decode()

    assert "&lt;/textarea&gt;&lt;script&gt;x&lt;/script&gt;</textarea>" in page
    assert "<script>x</script>" not in page
