"""The member profile in a real browser on a phone, through axe-core: a facilitator opens the
questionnaire, a member answers it (with a mistake put right), the facilitator merges
categories. Every new page and its error state is scanned and must not scroll sideways."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in

from imheval.web.network.models import NetworkGroup, ProfileAnswer, ProfileSurvey

pytestmark = pytest.mark.browser


def _scan(page: Any, name: str) -> None:
    axe_scan(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} scrolls sideways on a phone ({width} px)"
    screenshot(page, "network-profile-" + name)


def test_a_member_answers_the_profile_on_a_phone(
    live_server: Any, phone: Any, browser: Any, workspace: Any
) -> None:
    group = NetworkGroup.objects.create(
        organisation=workspace.organisation,
        name="Perinatal IMH network group",
        year_start=datetime.date(2025, 9, 1),
    )
    base = f"{live_server.url}/o/northern/groups/{group.pk}/profile/"
    sign_in(phone, live_server.url, "evaluator-north")
    phone.goto(base)
    _scan(phone, "group-not-open")
    phone.get_by_role("button", name="Open the profile questionnaire").click()
    phone.wait_for_load_state()
    survey = ProfileSurvey.objects.get(group=group)
    assert survey.is_open
    assert f"/p/{survey.token}/" in phone.locator("#profile-link").inner_text()
    _scan(phone, "group-open")

    member = browser.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True, bypass_csp=True
    ).new_page()
    member.goto(f"{live_server.url}/p/{survey.token}/")
    _scan(member, "start")
    member.get_by_role("button", name="Start").click()
    assert "Tick the box to say you agree to take part" in member.content()
    _scan(member, "start-error")
    member.get_by_label("I have read this page and I agree to take part").check()
    member.get_by_role("button", name="Start").click()
    member.wait_for_url(f"**/p/{survey.token}/questions/")
    _scan(member, "questions")
    member.get_by_label("35 to 44").check()
    member.get_by_label("Occupational therapy").check()
    member.get_by_label("0 to 3 years").check()
    member.get_by_label("4 to 6 years").check()
    # "None of these" unticks the others (NHS.UK exclusive checkbox); the server checks too.
    member.get_by_label("None of these").check()
    assert not member.get_by_label("0 to 3 years").is_checked()
    member.get_by_label("0 to 3 years").check()
    member.get_by_label("How many years have you worked in your current service?").fill("lots")
    member.get_by_role("button", name="Send my answers").click()
    assert "There is a problem" in member.content()
    _scan(member, "questions-error")
    member.get_by_label("How many years have you worked in your current service?").fill("3.5")
    member.get_by_role("button", name="Send my answers").click()
    member.wait_for_url(f"**/p/{survey.token}/thank-you/")
    _scan(member, "thanks")
    (answer,) = ProfileAnswer.objects.filter(survey=survey)
    assert answer.answers == {
        "age_band": "35_to_44",
        "discipline": "occupational_therapy",
        "years_in_service": 3.5,
        "experience_ages": ["age_0_3"],
    }

    phone.goto(base + "merge/")
    _scan(phone, "merge")
    phone.get_by_role("button", name="Merge categories of discipline").click()
    _scan(phone, "merge-error")
    phone.goto(base)
    phone.get_by_role("button", name="Close the profile questionnaire").click()
    phone.wait_for_load_state()
    member.goto(f"{live_server.url}/p/{survey.token}/")
    assert "This questionnaire is closed" in member.content()
    _scan(member, "closed")
    member.goto(f"{live_server.url}/p/not-a-real-token/")
    _scan(member, "not-recognised")
