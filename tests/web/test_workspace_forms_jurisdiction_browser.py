"""In Chromium on a phone: a participant in Ireland answers a form-B post-test of imh-core 2.0.0
(issue 13, web side). They read the Irish words (public health nurse, Tusla, Children First),
see only form B's questions, submit, and every page passes axe at 320 px without sideways
scrolling; the trainer's cohort page shows the order of forms, axe clean."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from django.urls import reverse
from test_capture_browser import about_you, check_page, make_code

from imheval.instruments import get_builtin
from imheval.web.capture import journey
from imheval.web.capture.models import Submission
from imheval.web.workspace.models import Cohort, Collection

pytestmark = pytest.mark.browser

CORE_V2 = get_builtin("imh-core@2.0.0")


def test_a_participant_in_ireland_answers_form_b_in_irish_words(
    live_server: Any, phone: Any, desktop: Any, workspace: Any
) -> None:
    journey._PAGES.clear()
    workspace.organisation.jurisdiction = "ireland"
    workspace.organisation.save(update_fields=["jurisdiction"])
    cohort = Cohort.objects.create(
        programme=workspace.programme, name="SOL-2", start_date=datetime.date(2027, 1, 4)
    )
    made = {
        timepoint: Collection.objects.create(
            cohort=cohort,
            timepoint=timepoint,
            instrument_refs=["imh-core"],
            instrument_versions={"imh-core": "2.0.0"},
        )
        for timepoint in ("pre", "post")
    }
    post = made["post"]
    assert post.instrument_forms == {"imh-core": "B"}
    post.open()

    phone.goto(live_server.url + reverse("capture:start", args=[post.token]))
    phone.get_by_label("I have read this page and I agree to take part").check()
    phone.get_by_role("button", name="Start").click()
    phone.wait_for_url("**/code/")
    make_code(phone)
    about_you(phone)
    pages = journey.collection_pages(post)
    seen = []
    for number, page in enumerate(pages, start=1):
        assert phone.get_by_text(f"Page {number} of {len(pages)}").is_visible()
        seen.append(phone.locator("main").inner_text())
        names = phone.eval_on_selector_all(
            "input[type=radio]", "els => [...new Set(els.map(e => e.name))]"
        )
        assert names == list(page.item_ids)
        if number == 1:
            check_page(phone, "form B question page in Ireland")
            screenshot(phone, "capture-form-b-ireland")
        # the first answer to every question on the page
        for name in names:
            phone.locator(f"input[name='{name}']").first.check()
        phone.get_by_role("button", name="Continue").click()
        phone.wait_for_load_state()
    text = " ".join(seen)
    assert "public health nurse" in text
    assert "Tusla" in text and "Children First (2017)" in text
    assert "{" not in text
    asked = {item_id for page in pages for item_id in page.item_ids}
    assert asked == {item.id for item in CORE_V2.form_items("B")}
    phone.wait_for_url("**/check/")
    check_page(phone, "check page")
    phone.get_by_role("button", name="Submit your answers").click()
    phone.wait_for_url("**/thank-you/")
    submission = Submission.objects.get(collection=post, status="complete")
    assert set(submission.answers) == asked

    sign_in(desktop, live_server.url, "trainer-north")
    desktop.goto(
        live_server.url
        + reverse("workspace:cohort", kwargs={"org": "northern", "cohort": cohort.pk})
    )
    order = desktop.locator("#form-orders")
    assert "Form A before, form B after" in order.inner_text()
    assert "Fixed: people have answered." in order.inner_text()
    axe_scan(desktop, "cohort page with parallel forms")
