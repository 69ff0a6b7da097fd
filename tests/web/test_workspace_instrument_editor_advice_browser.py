"""In Chromium: a trainer writes a question whose key is the only option without 'always', checks
it, meets the item-writing advice linked to the question's options, and saves anyway; the
editor's new parts (forms, framework, a wording term, a question's form and competencies) are
filled in and kept. axe on the editor with advice and with every new part showing."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PASSWORD, axe_scan, screenshot, sign_in

from imheval.web.workspace.models import InstrumentFile

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db: None) -> Any:
    from imheval.web.demo import load_demo

    return load_demo(password=PASSWORD)


def test_advice_after_check_links_to_the_question_and_saving_keeps_the_new_fields(
    live_server: Any, desktop: Any, demo: Any
) -> None:
    page, base = desktop, live_server.url
    sign_in(page, base, demo.username)
    page.goto(f"{base}/o/demo/instruments/new/")
    page.get_by_label("Title", exact=True).fill("Crying")
    page.get_by_label("Beginner").check()
    page.get_by_label("Wording of question 1", exact=True).fill(
        "A {health_visitor} asks when babies cry. What is true?"
    )
    page.get_by_label("Options of question 1", exact=True).fill(
        "a: Babies always cry at night\nb: Babies always cry when alone\nc: Often when hungry"
    )
    page.get_by_label("Answer key of question 1", exact=True).fill("c")
    page.get_by_label("Parallel forms (optional)").fill("A: Before training\nB: After training")
    page.get_by_label("Competency framework (optional)").select_option("aimh-uk-imhcf")
    page.get_by_role("button", name="Add a term").click()
    page.get_by_label("Term of term 1", exact=True).fill("health_visitor")
    page.get_by_label("Words used everywhere else of term 1", exact=True).fill("health visitor")
    page.get_by_label("Words in Ireland (optional) of term 1", exact=True).fill(
        "public health nurse"
    )
    page.get_by_role("button", name="Check for problems").last.click()

    link = page.get_by_role("link", name="Question 1 (Q1): option c is the only one without")
    link.wait_for()
    assert page.get_by_role("heading", name="Important: Item-writing advice").is_visible()
    axe_scan(page, "instrument editor with item-writing advice and every new part")
    screenshot(page, "instrument-editor-advice")
    link.click()
    assert page.evaluate("document.activeElement.id") == "item-0-options"

    page.get_by_label("Normal and atypical development").check()
    page.get_by_role("button", name="Save instrument").click()
    page.get_by_text("It has 1 piece of item-writing advice").wait_for()
    axe_scan(page, "saved instrument with advice")

    saved = InstrumentFile.objects.get(instrument_id="my-questionnaire").instrument()
    assert saved.form_ids == ("A", "B")
    assert saved.framework == "aimh-uk-imhcf"
    assert saved.wording == {
        "health_visitor": {"default": "health visitor", "ireland": "public health nurse"}
    }
    assert saved.items[0].competencies == ("development",)
