"""A participant answers pre, post and follow-up on a phone, in Chromium, with the same code.

Every page type is scanned with axe-core and checked to fit a 320 px wide screen without
sideways scrolling; the information page is done with the keyboard only.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot
from test_capture_journey import PAGE_ANSWERS

from imheval.web.capture.models import Submission

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
PHONE = {"width": 375, "height": 667}


def check_page(page: Any, name: str) -> None:
    """No serious accessibility problems, and no sideways scrolling at 320 px."""
    axe_scan(page, name)
    page.set_viewport_size(NARROW)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(PHONE)
    assert scroll_width <= NARROW["width"], f"{name} is {scroll_width}px wide at 320px"


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def consent_with_keyboard(page: Any) -> None:
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    assert page.is_checked("#id_consent")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/code/")


def make_code(page: Any) -> None:
    page.get_by_label("The first 2 letters of your mother's first name").fill("ma")
    page.get_by_label("The day of the month you were born, as 2 digits").fill("07")
    page.get_by_label("The first 2 letters of the town where you were born").fill("be")
    page.get_by_label("Type your whole code again").fill("ma07be")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def answer_questions(page: Any, check_first_page: bool = False) -> None:
    for number, answers in enumerate(PAGE_ANSWERS, start=1):
        assert page.get_by_text(f"Page {number} of 3").is_visible()
        for item, value in answers.items():
            page.check(f"input[name='{item}'][value='{value}']")
        if check_first_page and number == 1:
            screenshot(page, "capture-questions")
            check_page(page, "question page")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


def submit(page: Any) -> None:
    page.wait_for_url("**/check/")
    page.get_by_role("button", name="Submit your answers").click()
    page.wait_for_url("**/thank-you/")
    assert page.get_by_text("Your answers have been saved.").is_visible()


def test_participant_answers_pre_post_and_follow_up_with_the_same_code(
    live_server: Any, phone: Any, workspace: Any
) -> None:
    page = phone
    base = live_server.url

    # Pre-test: every page type checked on the way.
    page.goto(f"{base}/q/{workspace.pre.token}/")
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .endswith("Questionnaire before the training")
    )
    screenshot(page, "capture-consent")
    check_page(page, "information and consent page")
    page.get_by_role("button", name="Start").click()
    page.wait_for_load_state()
    assert page.get_by_text("Tick the box to say that you agree to take part").first.is_visible()
    check_page(page, "consent page with an error")
    consent_with_keyboard(page)

    screenshot(page, "capture-code")
    check_page(page, "code page")
    page.get_by_label("The first 2 letters of your mother's first name").fill("m4")
    page.get_by_label("Type your whole code again").fill("MA07BE")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary").is_visible()
    screenshot(page, "capture-code-errors")
    check_page(page, "code page with errors")
    make_code(page)

    page.wait_for_url("**/about-you/")
    check_page(page, "about you page")
    tab_to(page, "#id_profession")  # the first radio of the first group
    page.keyboard.press("Space")
    tab_to(page, "#id_directorate")
    page.keyboard.press("ArrowDown")  # radios: arrows move the choice within the group
    assert page.is_checked("#id_profession") and page.is_checked("#id_directorate-2")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/questions/1/")

    answer_questions(page, check_first_page=True)
    page.wait_for_url("**/check/")
    screenshot(page, "capture-check")
    check_page(page, "check page")
    submit(page)
    screenshot(page, "capture-thanks")
    check_page(page, "thank-you page")

    # Post-test, on the same phone: the same code, and no second profession question.
    workspace.post.open()
    page.goto(f"{base}/q/{workspace.post.token}/")
    assert page.get_by_text("at the end of the training").first.is_visible()
    page.get_by_label("I have read this page and I agree to take part").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/code/")
    assert page.get_by_text("Make the same code you made before the training").is_visible()
    screenshot(page, "capture-code-reminder")
    check_page(page, "code page with the reminder")
    make_code(page)
    page.wait_for_url("**/questions/1/")
    answer_questions(page)
    page.wait_for_url("**/check/")
    assert page.get_by_text("As you told us before").is_visible()
    check_page(page, "check page with the profession from before")
    submit(page)

    # Follow-up.
    workspace.followup.open()
    page.goto(f"{base}/q/{workspace.followup.token}/")
    assert page.get_by_text("12 weeks after the training").first.is_visible()
    page.get_by_label("I have read this page and I agree to take part").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/code/")
    make_code(page)
    page.wait_for_url("**/questions/1/")
    answer_questions(page)
    submit(page)

    complete = Submission.objects.filter(status="complete").order_by("completed_at")
    assert [s.collection.timepoint for s in complete] == ["pre", "post", "followup"]
    assert {s.code for s in complete} == {"MA07BE"}
    assert {(s.profession, s.directorate) for s in complete} == {
        ("Health visitor", "Children's Services")
    }
    assert all(s.answers == {k: v for p in PAGE_ANSWERS for k, v in p.items()} for s in complete)

    # Closed and unknown links.
    workspace.followup.close()
    response = page.goto(f"{base}/q/{workspace.followup.token}/")
    assert response.status == 410
    assert page.get_by_role("heading", name="This questionnaire is closed").is_visible()
    screenshot(page, "capture-closed")
    check_page(page, "closed page")
    response = page.goto(f"{base}/q/{'x' * 43}/")
    assert response.status == 404
    check_page(page, "not recognised page")
