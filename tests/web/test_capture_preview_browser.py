"""The preview and the guides in a real browser, through axe-core (issue 12, item 1)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from django.urls import reverse

from imheval.web.capture.models import Submission

pytestmark = pytest.mark.browser


def test_the_preview_frame_and_its_pages_pass_axe(
    live_server: Any, desktop: Any, workspace: Any
) -> None:
    sign_in(desktop, live_server.url, "viewer-north")
    url = reverse(
        "preview:collection",
        kwargs={"org": workspace.organisation.slug, "collection": workspace.followup.pk},
    )
    desktop.goto(live_server.url + url)
    frame_element = desktop.locator("iframe.imheval-phone-preview")
    box = frame_element.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (360, 740)
    frame = desktop.frame_locator("iframe.imheval-phone-preview")
    frame.get_by_role("heading", name="Questionnaire 12 weeks after the training").wait_for()
    axe_scan(desktop, "preview frame")  # axe scans the framed page as well
    screenshot(desktop, "preview-frame")
    frame.get_by_label("I have read this page and I agree to take part").check()
    frame.get_by_role("button", name="Start").click()
    frame.get_by_role("heading", name="Your anonymous code").wait_for()
    axe_scan(desktop, "preview code page")
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("path", ["/guides/", "/guides/web/", "/guides/instruments/"])
def test_the_guides_pass_axe_on_a_phone(live_server: Any, phone: Any, db: None, path: str) -> None:
    phone.goto(live_server.url + path)
    axe_scan(phone, path)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} scrolls sideways on a phone ({width} px)"
    screenshot(phone, "guide-" + (path.strip("/").replace("/", "-")))


def test_the_locked_instrument_notice_passes_axe(
    live_server: Any, desktop: Any, workspace: Any
) -> None:
    Submission.objects.create(collection=workspace.pre, status="complete")
    sign_in(desktop, live_server.url, "evaluator-north")
    url = reverse(
        "workspace:instrument_builtin",
        kwargs={"org": workspace.organisation.slug, "instrument_id": "imh-core"},
    )
    desktop.goto(live_server.url + url)
    assert desktop.locator("#instrument-locked").is_visible()
    axe_scan(desktop, "instrument locked")
