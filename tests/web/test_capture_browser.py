"""A participant answers pre, post and follow-up on a phone, in Chromium, with the same code.

Every page type is scanned with axe-core and checked to fit a 320 px wide screen without
sideways scrolling; the information page is done with the keyboard only.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import axe_scan, screenshot
from django.utils import timezone
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


def about_you(page: Any) -> None:
    """The first profession and the second directorate, as at pre-test (asked every time)."""
    page.wait_for_url("**/about-you/")
    page.check("#id_profession")
    page.check("#id_directorate-2")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/questions/1/")


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

    # Post-test, on the same phone: the same code, and the profession asked again (as for any
    # code: a skipped question would tell that the code was used before).
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
    about_you(page)
    answer_questions(page)
    page.wait_for_url("**/check/")
    assert page.get_by_text("As you told us before").count() == 0
    assert page.get_by_text("Health visitor").is_visible()
    submit(page)

    # Follow-up.
    workspace.followup.open()
    page.goto(f"{base}/q/{workspace.followup.token}/")
    assert page.get_by_text("12 weeks after the training").first.is_visible()
    page.get_by_label("I have read this page and I agree to take part").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/code/")
    make_code(page)
    about_you(page)
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


def test_the_next_person_on_a_shared_phone_starts_afresh(
    live_server: Any, phone: Any, workspace: Any
) -> None:
    """Person 1 stops half-way; person 2 opens the link: nothing of person 1 is shown, the
    carry-on page asks for the code, and "I am someone else" starts afresh."""
    page = phone
    start = f"{live_server.url}/q/{workspace.pre.token}/"
    page.goto(start)
    page.get_by_label("I have read this page and I agree to take part").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/code/")
    make_code(page)
    about_you(page)
    page.check("input[name='K1'][value='b']")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/questions/2/")

    page.goto(start)  # person 2, on the same phone
    assert page.get_by_text("Someone has already started this questionnaire").is_visible()
    screenshot(page, "capture-start-shared-phone")
    check_page(page, "information page with answers started on this device")
    page.get_by_role("link", name="carry on where you left off").click()
    page.wait_for_url("**/carry-on/")
    assert "MA07BE" not in page.locator("main").inner_text().replace("for example MA07BE", "")
    check_page(page, "carry-on page")
    page.get_by_label("Your anonymous code").fill("ZZ01ZZ")
    page.get_by_role("button", name="Carry on").click()
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary").is_visible()
    check_page(page, "carry-on page with an error")
    page.get_by_role("button", name="I am someone else").click()
    page.wait_for_url(start)
    assert page.get_by_text("Someone has already started").count() == 0
    page.get_by_label("I have read this page and I agree to take part").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/code/")
    assert page.get_by_label("Type your whole code again").input_value() == ""
    assert Submission.objects.filter(status="draft").count() == 2


def test_the_back_button_after_an_idle_while_shows_nothing_of_the_last_person(
    live_server: Any, phone: Any, workspace: Any
) -> None:
    """Finding N4 in a real browser: person 1 stops on page 2 and leaves; later person 2 goes
    back through the history instead of opening the link. Chromium asks the server again (the
    pages are never stored) and the server sends the carry-on page instead of the answers."""
    page = phone
    page.goto(f"{live_server.url}/q/{workspace.pre.token}/")
    page.get_by_label("I have read this page and I agree to take part").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/code/")
    make_code(page)
    about_you(page)
    for item, value in PAGE_ANSWERS[0].items():
        page.check(f"input[name='{item}'][value='{value}']")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/questions/2/")
    Submission.objects.update(saved_at=timezone.now() - datetime.timedelta(minutes=21))

    page.go_back()  # person 2: page 1 of the questions, as person 1 answered it
    assert page.url.endswith("/carry-on/"), page.url
    main = page.locator("main").inner_text().replace("for example MA07BE", "")
    assert "MA07BE" not in main
    assert page.locator("input:checked").count() == 0
    page.goto(f"{live_server.url}/q/{workspace.pre.token}/check/")
    assert page.url.endswith("/carry-on/"), page.url
    assert "MA07BE" not in page.locator("main").inner_text().replace("for example MA07BE", "")
    # Person 1 comes back and carries on with their code.
    page.get_by_label("Your anonymous code").fill("MA07BE")
    page.get_by_role("button", name="Carry on").click()
    page.wait_for_url("**/questions/2/")
