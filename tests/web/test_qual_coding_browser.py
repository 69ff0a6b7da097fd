"""In a real browser, with axe-core: an analyst selects a passage with the mouse and codes it,
then does the same with the keyboard alone; the stored offsets are code points (an emoji and
accented names come before the passage); the coding pages pass axe."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from qual_data import (
    add_member,
    make_codebook,
    make_coder,
    make_coding,
    make_source,
    make_study,
    url,
)

from imheval.web.qualitative.models import Coding

pytestmark = pytest.mark.browser

#: Before the coded words: an emoji (two UTF-16 units, one code point) and accented names.
TEXT = (
    "Facilitator: Welcome 👋 everyone.\n"
    "PX1: Siobhán and Zoë said it helped. The readings made sense.\n"
    "PX2: Time to think 🙂 at last.\n"
)
PASSAGE = "The readings made sense"
START = TEXT.index(PASSAGE)  # 70 code points; 71 UTF-16 units
END = START + len(PASSAGE)

#: The screen rectangle of `text`'s first occurrence in the transcript (one text node).
RECT_OF = """(wanted) => {
  for (const run of document.querySelectorAll('#transcript .imheval-run')) {
    const node = run.firstChild;
    const at = node ? node.data.indexOf(wanted) : -1;
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + wanted.length);
    const rect = range.getClientRects()[0];
    return {left: rect.left, right: rect.right, top: rect.top, height: rect.height};
  }
  return null;
}"""


@pytest.fixture
def coding_page(workspace: Any) -> dict[str, Any]:
    study = make_study(workspace.organisation, workspace.cohort)
    source = make_source(study, TEXT)
    book = make_codebook(study)
    add_member(workspace.organisation, "analyst")
    return {"study": study, "source": source, "book": book}


def _open(page: Any, live_server: Any, made: dict[str, Any]) -> None:
    sign_in(page, live_server.url, "analyst-northern", "x-not-used-x")
    page.goto(live_server.url + url("coding", study=made["study"], source=made["source"]))
    page.get_by_role("heading", name="Code Focus group 1").wait_for()


def _tab_to(page: Any, test: str, most: int = 80) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(test):
            return
    pytest.fail(f"Tab never reached {test}")


def test_analyst_selects_a_passage_with_the_mouse_and_codes_it(
    live_server: Any, coding_page: dict[str, Any], desktop: Any
) -> None:
    page = desktop
    _open(page, live_server, coding_page)
    rect = page.evaluate(RECT_OF, PASSAGE)
    middle = rect["top"] + rect["height"] / 2
    page.mouse.move(rect["left"] + 1, middle)
    page.mouse.down()
    page.mouse.move((rect["left"] + rect["right"]) / 2, middle, steps=5)
    page.mouse.move(rect["right"] - 1, middle, steps=5)
    page.mouse.up()
    status = page.locator("#selection-status")
    status.get_by_text(f"Characters {START} to {END}.").wait_for()
    assert f"Selected from PX1 (4 words): “{PASSAGE}”" in status.inner_text()
    assert page.get_by_label("Start").input_value() == str(START)
    assert page.get_by_label("End").input_value() == str(END)
    page.get_by_label("Readings helped").check()
    page.get_by_label("An exemplar quote (shown first)").check()
    page.get_by_role("button", name="Code this passage").click()
    page.get_by_text(f"Coded “{PASSAGE}” with Readings helped.").wait_for()
    coding = Coding.objects.get()
    assert (coding.start, coding.end, coding.code.name, coding.exemplar) == (
        START,
        END,
        "Readings helped",
        True,
    )
    assert TEXT[coding.start : coding.end] == PASSAGE
    assert page.locator("mark.imheval-run").inner_text() == PASSAGE
    screenshot(page, "qualitative-coding-mouse")


def test_analyst_selects_and_codes_a_passage_with_the_keyboard_alone(
    live_server: Any, coding_page: dict[str, Any], desktop: Any
) -> None:
    page = desktop
    _open(page, live_server, coding_page)
    _tab_to(page, "document.activeElement.id === 'transcript'")
    status = page.locator("#selection-status")
    page.keyboard.press("ArrowDown")
    status.get_by_text("Selected from Facilitator (2 words): “Welcome 👋 everyone.”").wait_for()
    page.keyboard.press("ArrowDown")
    status.get_by_text(
        "Selected from PX1 (10 words): “Siobhán and Zoë said it helped. The readings made sense.”"
    ).wait_for()
    for _ in range(6):  # the start moves word by word to "The"
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowLeft")  # the end moves back before the full stop
    status.get_by_text(f"Selected from PX1 (4 words): “{PASSAGE}”").wait_for()
    status.get_by_text(f"Characters {START} to {END}.").wait_for()
    page.keyboard.press("Control+ArrowLeft")  # the start back a sentence: the turn's first
    status.get_by_text("Characters 38 to 93.").wait_for()
    page.keyboard.press("Control+ArrowRight")
    status.get_by_text(f"Characters {START} to {END}.").wait_for()
    page.keyboard.press("Enter")  # to the codes: find one by typing
    assert page.evaluate("document.activeElement.id") == "code-search"
    page.keyboard.type("light bulb")
    page.get_by_text("1 code match “light bulb”.").wait_for()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    assert page.get_by_label("Light bulb moment").is_checked()
    _tab_to(page, "document.activeElement.textContent.trim() === 'Code this passage'")
    page.keyboard.press("Enter")
    page.get_by_text(f"Coded “{PASSAGE}” with Light bulb moment.").wait_for()
    coding = Coding.objects.get()
    assert (coding.start, coding.end, coding.code.name) == (START, END, "Light bulb moment")


def test_the_coding_pages_pass_axe(
    live_server: Any, workspace: Any, coding_page: dict[str, Any], desktop: Any
) -> None:
    study, source, book = coding_page["study"], coding_page["source"], coding_page["book"]
    from imheval.web.qualitative.models import Coder

    mine = make_coding(source, book["readings"], text=PASSAGE, exemplar=True, memo="Vivid")
    Coder.objects.filter(pk=mine.coder_id).update(user=None)  # an imported coder's: changeable
    make_coding(source, book["sense"], make_coder(study, "B"), text="readings made sense.")
    page = desktop
    _open(page, live_server, coding_page)
    axe_scan(page, "coding page")
    screenshot(page, "qualitative-coding")
    page.get_by_role("button", name="Code this passage").click()
    page.get_by_text("There is a problem").wait_for()
    axe_scan(page, "coding page with errors")
    page.goto(live_server.url + url("coding_passage", study=study, source=source, coding=mine))
    page.get_by_role("heading", name="Change a coded passage").wait_for()
    axe_scan(page, "coded passage page")
    screenshot(page, "qualitative-coding-passage")
    page.context.clear_cookies()
    sign_in(page, live_server.url, "viewer-north")
    page.goto(live_server.url + url("coding", study=study, source=source))
    axe_scan(page, "coding page for a viewer")


def test_the_coding_page_fits_a_phone_and_its_code_search_works_on_a_passage_page(
    live_server: Any, coding_page: dict[str, Any], phone: Any
) -> None:
    study, source, book = coding_page["study"], coding_page["source"], coding_page["book"]
    analyst = make_coder(study, "analyst-northern")
    from django.contrib.auth import get_user_model

    analyst.user = get_user_model().objects.get(username="analyst-northern")
    analyst.save()
    mine = make_coding(source, book["readings"], analyst, text=PASSAGE)
    page = phone
    _open(page, live_server, coding_page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the coding page scrolls sideways on a phone ({width} px)"
    axe_scan(page, "coding page on a phone")
    page.get_by_role("link", name="Change passage 1").click()
    page.get_by_role("heading", name="Change a coded passage").wait_for()
    page.get_by_label("Find a code").fill("never")
    page.get_by_text("1 code match “never”.").wait_for()
    assert page.get_by_label("Readings helped").is_hidden()
    page.get_by_label("Never time").check()
    page.get_by_label("Find a code").fill("")
    page.get_by_label("Readings helped").uncheck()
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text(f"Saved the coding of “{PASSAGE}”: Never time.").wait_for()
    assert [(c.code.name, c.start, c.end) for c in Coding.objects.all()] == [
        ("Never time", START, END)
    ]
    assert not Coding.objects.filter(pk=mine.pk).exists()
