"""A first-time evaluator on the demo copies the built-in instrument in the browser and changes
question 1; the copy is then listed, viewable, previewable and offered for a new cohort.

Every new page (the editor, its error summary, the saved instrument) goes through axe-core.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PASSWORD, axe_scan, screenshot, sign_in

from imheval.web.workspace.models import InstrumentFile, Programme

pytestmark = pytest.mark.browser

NEW_WORDING = (
    "A baby of 10 months falls and screams; her father holds her calmly. Why does it help?"
)


@pytest.fixture
def demo(transactional_db: None) -> Any:
    from imheval.web.demo import load_demo

    return load_demo(password=PASSWORD)


def test_first_time_evaluator_copies_the_built_in_and_changes_question_one(
    live_server: Any, desktop: Any, demo: Any
) -> None:
    page, base = desktop, live_server.url
    sign_in(page, base, demo.username)
    page.goto(f"{base}/o/demo/instruments/")
    axe_scan(page, "instruments with the editor's buttons")
    page.get_by_role("link", name="Infant mental health core questionnaire", exact=True).click()
    page.get_by_role("button", name="Make your own copy").click()
    page.get_by_role(
        "heading", name="Your copy of Infant mental health core questionnaire"
    ).wait_for()
    assert page.get_by_label("Id", exact=True).input_value() == "imh-core-own"
    axe_scan(page, "instrument editor")
    screenshot(page, "instrument-editor")

    # a mistake first: the summary names it and links to the field
    page.get_by_label("Answer key of question 1", exact=True).fill("z")
    page.get_by_role("button", name="Save instrument").click()
    link = page.get_by_role("link", name="Question 1 (KA01): key ['z'] is not among the options")
    link.wait_for()
    axe_scan(page, "instrument editor with a problem")
    screenshot(page, "instrument-editor-problem")
    link.click()
    assert page.evaluate("document.activeElement.id") == "item-0-key"
    # back to imh-core 2.0.0's key ("b" would be an option its misconceptions call wrong)
    page.get_by_label("Answer key of question 1", exact=True).fill("c")

    page.get_by_label("Wording of question 1", exact=True).fill(NEW_WORDING)
    page.get_by_role("button", name="Save instrument").click()
    page.get_by_role(
        "heading", name="Infant mental health core questionnaire (our version)"
    ).wait_for()
    assert page.get_by_text("Instrument imh-core-own version 1 saved.").is_visible()
    assert page.get_by_text(NEW_WORDING).is_visible()
    assert page.get_by_text("Built-in instrument imh-core 2.0.0").is_visible()
    axe_scan(page, "saved instrument")
    assert InstrumentFile.objects.get(instrument_id="imh-core-own").copied_from == "imh-core 2.0.0"

    # listed, and previewed as participants see it
    page.goto(f"{base}/o/demo/instruments/")
    listed = page.get_by_role(
        "link", name="Infant mental health core questionnaire (our version)", exact=True
    )
    assert listed.is_visible()
    page.goto(f"{base}/o/demo/instruments/preview/imh-core-own/")
    src = page.locator("iframe.imheval-phone-preview").get_attribute("src")
    page.goto(base + src)
    page.get_by_label("I have read this page and I agree to take part").check()
    page.get_by_role("button", name="Start").click()
    page.get_by_label("The first 2 letters of your mother's first name").fill("ma")
    page.get_by_label("The day of the month you were born, as 2 digits").fill("07")
    page.get_by_label("The first 2 letters of the town where you were born").fill("be")
    page.get_by_label("Type your whole code again").fill("ma07be")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/about-you/")
    page.evaluate(
        """() => { const seen = new Set();
        for (const radio of document.querySelectorAll('input[type=radio]')) {
          if (!seen.has(radio.name)) { seen.add(radio.name); radio.checked = true; } } }"""
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/questions/1/")
    assert page.get_by_text(NEW_WORDING).is_visible()

    # offered when setting up a cohort
    programme = Programme.objects.filter(organisation=demo.organisation).first()
    page.goto(f"{base}/o/demo/programmes/{programme.pk}/cohorts/new/")
    assert page.locator('input[name="pre_refs"][value="imh-core-own"]').count() == 1
