"""The participant's smoother journey in Chromium on a phone (issue 12, item 5, and the "not
open yet" page of item 2): a reload before Continue keeps the page's answers (and never hands
them to the next person), the code made from what people type, not taking part, an empty
questionnaire, and the "not open yet" page. Each new page is scanned with axe-core and checked
to fit a 320 px wide screen."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import screenshot
from test_capture_browser import about_you, check_page, make_code

from imheval.web.capture.models import Submission

pytestmark = pytest.mark.browser


def _start(page: Any, start: str) -> None:
    page.goto(start)
    page.get_by_label("I have read this page and I agree to take part").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/code/")


def test_answers_on_a_page_survive_a_reload_before_continue(
    live_server: Any, phone: Any, workspace: Any
) -> None:
    page = phone
    start = f"{live_server.url}/q/{workspace.pre.token}/"
    _start(page, start)
    make_code(page)
    about_you(page)
    page.check("input[name='K1'][value='b']")
    page.check("input[name='K3'][value='a']")
    page.reload()
    page.wait_for_load_state()
    assert page.is_checked("input[name='K1'][value='b']")
    assert page.is_checked("input[name='K3'][value='a']")
    assert not page.is_checked("input[name='K2'][value='a']")
    # Nothing of it reached the server before Continue.
    assert Submission.objects.get().answers == {}
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/questions/2/")
    assert Submission.objects.get().answers == {"K1": "b", "K3": "a"}
    stored = page.evaluate("Object.keys(sessionStorage)")
    assert not any(key.endswith(":1") for key in stored)

    # Unsaved answers on page 2, then the next person on the phone starts afresh: they get
    # nothing of it, and it is gone from the tab.
    page.check("input[name='R1'][value='yes']")
    assert len(page.evaluate("Object.keys(sessionStorage)")) == 1
    page.goto(start)
    assert page.evaluate("Object.keys(sessionStorage)") == []
    page.get_by_role("button", name="I am someone else").click()
    _start(page, start)
    make_code(page)
    about_you(page)
    page.goto(start + "questions/2/")
    assert not page.is_checked("input[name='R1'][value='yes']")


def test_the_code_made_from_what_people_type_is_shown_before_carrying_on(
    live_server: Any, phone: Any, workspace: Any
) -> None:
    page = phone
    _start(page, f"{live_server.url}/q/{workspace.pre.token}/")
    page.get_by_label("The first 2 letters of your mother's first name").fill("Mary")
    page.get_by_label("The day of the month you were born, as 2 digits").fill("7")
    page.get_by_label("The first 2 letters of the town where you were born").fill("Newry")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "Your answers make the code MA07NE." in page.locator("#made-code").inner_text()
    assert page.get_by_label("The day of the month you were born, as 2 digits").input_value() == (
        "07"
    )
    screenshot(page, "capture-code-made")
    check_page(page, "code page showing the code made")
    page.get_by_label("Type your whole code again").fill("ma07ne")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/about-you/")
    assert Submission.objects.get().code == "MA07NE"


def test_not_taking_part_ends_politely(live_server: Any, phone: Any, workspace: Any) -> None:
    page = phone
    page.goto(f"{live_server.url}/q/{workspace.pre.token}/")
    page.get_by_role("link", name="I do not want to take part").click()
    page.wait_for_url("**/no-thank-you/")
    assert page.get_by_role("heading", name="You have chosen not to take part").is_visible()
    screenshot(page, "capture-declined")
    check_page(page, "not taking part page")
    assert Submission.objects.count() == 0


def test_an_empty_questionnaire_asks_once_and_is_recorded_empty(
    live_server: Any, phone: Any, workspace: Any
) -> None:
    page = phone
    _start(page, f"{live_server.url}/q/{workspace.pre.token}/")
    make_code(page)
    about_you(page)
    for _ in range(3):
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    page.wait_for_url("**/check/")
    page.get_by_role("button", name="Submit your answers").click()
    page.wait_for_load_state()
    assert page.get_by_text("You have not answered any questions").is_visible()
    screenshot(page, "capture-empty-confirm")
    check_page(page, "check page asking about no answers")
    page.get_by_role("button", name="Submit without answers").click()
    page.wait_for_url("**/thank-you/")
    assert page.get_by_text("Your questionnaire was sent with no answers.").is_visible()
    assert Submission.objects.get().status == "empty"


def test_a_questionnaire_not_open_yet_says_so(live_server: Any, phone: Any, workspace: Any) -> None:
    page = phone
    response = page.goto(f"{live_server.url}/q/{workspace.followup.token}/")
    assert response.status == 200
    assert page.get_by_role("heading", name="This questionnaire is not open yet").is_visible()
    screenshot(page, "capture-not-open-yet")
    check_page(page, "not open yet page")
