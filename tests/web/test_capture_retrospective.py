"""A retrospective rating item on the participant's pages: asked then and now on the post-test
form (two radio groups inside the question's fieldset), stored as ``<item>@then`` and the
item's own answer; asked once on the pre-test and follow-up forms.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Workspace, axe_scan
from django.test import Client
from django.urls import reverse

from imheval.web.capture.models import Submission
from imheval.web.workspace.models import Collection, InstrumentFile

RETRO = """\
format: imheval-instrument/1
id: retro
version: "1"
title: Confidence now and before
levels: [beginner]
domains:
  - id: retro_confidence
    label: Confidence
scales:
  sure:
    min: 1
    max: 5
    labels:
      1: Not at all confident
      2: Slightly confident
      3: Fairly confident
      4: Confident
      5: Very confident
items:
  - id: RC1
    domain: retro_confidence
    scale: sure
    retrospective: true
    text: How confident are you that you can talk with a parent about their baby's feelings?
  - id: RC2
    domain: retro_confidence
    scale: sure
    text: How confident are you that you can find the local referral route?
"""


def retro_collection(workspace: Workspace, timepoint: str) -> Collection:
    InstrumentFile.objects.get_or_create(
        organisation=workspace.organisation,
        instrument_id="retro",
        defaults={"title": "Confidence", "source_name": "retro.yaml", "text": RETRO},
    )
    collection = Collection.objects.get(cohort=workspace.cohort, timepoint=timepoint)
    collection.instrument_refs = ["retro"]
    collection.instrument_versions = {}
    collection.save()
    collection.open()
    return collection


class Answerer:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.client = Client()

    def url(self, name: str, *args: Any) -> str:
        return str(reverse(f"capture:{name}", args=[self.collection.token, *args]))

    def start(self) -> None:
        assert self.client.post(self.url("start"), {"consent": "yes"}).status_code == 302
        parts = {"mother": "MA", "day": "07", "town": "BE", "confirm": "MA07BE"}
        response = self.client.post(self.url("code"), parts)
        assert response.status_code == 302
        if response.url == self.url("about_you"):
            profile = {"profession": "Health visitor", "directorate": "Children's Services"}
            assert self.client.post(self.url("about_you"), profile).status_code == 302

    def draft(self) -> Submission:
        key = str(self.client.session[f"capture:{self.collection.token}"])
        return Submission.objects.get(key=key)


def _answerer(workspace: Workspace, timepoint: str) -> Answerer:
    person = Answerer(retro_collection(workspace, timepoint))
    person.start()
    return person


def test_post_test_asks_a_retrospective_item_then_and_now(workspace: Workspace) -> None:
    answerer = _answerer(workspace, "post")
    page = answerer.client.get(answerer.url("questions", 1)).content.decode()

    assert page.count("Before the training (thinking back)") == 1
    assert "<legend" in page and ">Now</legend>" in page
    assert 'name="RC1@then"' in page and 'name="RC1"' in page
    # the then group comes first, inside the question's own fieldset
    assert page.index('name="RC1@then"') < page.index('name="RC1"')
    assert "1. How confident are you that you can talk with a parent" in page
    # the other item is asked once
    assert 'name="RC2@then"' not in page and 'name="RC2"' in page


def test_then_and_now_answers_are_stored_apart(workspace: Workspace) -> None:
    answerer = _answerer(workspace, "post")
    response = answerer.client.post(
        answerer.url("questions", 1), {"RC1@then": "2", "RC1": "4", "RC2": "5"}
    )
    assert response.status_code == 302
    assert answerer.draft().answers == {"RC1@then": "2", "RC1": "4", "RC2": "5"}

    again = answerer.client.get(answerer.url("questions", 1)).content.decode()
    assert 'id="id_RC1@then-2" name="RC1@then" type="radio" value="2" checked' in again

    check = answerer.client.get(answerer.url("check")).content.decode()
    assert "2 of 2 answered" in check  # questions, not answers, are counted


def test_a_then_answer_off_the_scale_is_refused(workspace: Workspace) -> None:
    answerer = _answerer(workspace, "post")
    response = answerer.client.post(answerer.url("questions", 1), {"RC1@then": "9"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose one of the answers given" in page
    # the error summary links to the first radio of the then group, which exists
    assert 'href="#id_RC1@then"' in page and 'id="id_RC1@then" name="RC1@then"' in page


@pytest.mark.parametrize("timepoint", ["pre", "followup"])
def test_pre_test_and_follow_up_ask_it_once(workspace: Workspace, timepoint: str) -> None:
    answerer = _answerer(workspace, timepoint)
    page = answerer.client.get(answerer.url("questions", 1)).content.decode()
    assert "thinking back" not in page and 'name="RC1@then"' not in page
    response = answerer.client.post(answerer.url("questions", 1), {"RC1@then": "2", "RC1": "3"})
    assert response.status_code == 302
    assert answerer.draft().answers == {"RC1": "3"}  # a then answer is not taken here


@pytest.mark.browser
def test_then_and_now_in_a_browser(live_server: Any, phone: Any, workspace: Workspace) -> None:
    collection = retro_collection(workspace, "post")
    page = phone
    page.goto(f"{live_server.url}/q/{collection.token}/")
    page.check("#id_consent")
    page.get_by_role("button", name="Start").click()
    page.wait_for_load_state()
    page.get_by_label("The first 2 letters of your mother's first name").fill("ma")
    page.get_by_label("The day of the month you were born, as 2 digits").fill("07")
    page.get_by_label("The first 2 letters of the town where you were born").fill("be")
    page.get_by_label("Type your whole code again").fill("ma07be")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    if "/about-you/" in page.url:
        page.check("#id_profession")
        page.check("#id_directorate")
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/questions/1/")
    then = page.get_by_role("group", name="Before the training (thinking back)")
    now = page.get_by_role("group", name="Now", exact=True)
    then.get_by_label("Slightly confident").check()
    now.get_by_label("Confident", exact=True).check()
    axe_scan(page, "question page with a then-and-now question")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/check/")
    submission = Submission.objects.get(collection=collection)
    assert submission.answers == {"RC1@then": "2", "RC1": "4"}
