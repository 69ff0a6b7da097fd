"""In a real browser on a phone, through axe-core: a member opens their own link and sends
apologies for a coming meeting, then withdraws them; a facilitator's pages for links,
readings, frameworks, coverage and reports are scanned too. No page may scroll sideways."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from test_network_member_link import link_for, make_group

from imheval.web.network.models import AttendanceMark, MeetingReading, Reading

pytestmark = pytest.mark.browser


def _scan(page: Any, name: str) -> None:
    axe_scan(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} scrolls sideways on a phone ({width} px)"
    screenshot(page, "network-member-link-" + name)


def test_a_member_sends_apologies_through_their_link_on_a_phone(
    live_server: Any, phone: Any, workspace: Any
) -> None:
    made = make_group(workspace)
    member = made.members["Brendan Cole"]
    phone.goto(live_server.url + link_for(member))
    assert phone.locator("h1").inner_text() == "Brendan Cole: your attendance"
    assert "Aoife" not in phone.content() and "Ciara" not in phone.content()
    _scan(phone, "page")
    coming = made.meetings[2]
    phone.get_by_role("button", name=f"Send apologies for {coming.date.day} ").first.click()
    phone.wait_for_load_state()
    assert "Apologies sent for" in phone.content()
    mark = AttendanceMark.objects.get(meeting=coming, member=member)
    assert (mark.status, mark.by_member) == ("apologies", True)
    assert phone.locator("#coming-apologies").is_visible()
    _scan(phone, "apologies-sent")
    phone.get_by_role("button", name="Withdraw apologies").click()
    phone.wait_for_load_state()
    assert "Apologies withdrawn for" in phone.content()
    assert not AttendanceMark.objects.filter(meeting=coming, member=member).exists()
    phone.goto(live_server.url + "/m/" + "n" * 43 + "/")
    assert "Aoife" not in phone.content() and "Perinatal" not in phone.content()


def test_facilitator_pages_for_links_readings_and_reports_pass_axe(
    live_server: Any, phone: Any, workspace: Any
) -> None:
    made = make_group(workspace, facilitator_role="trainer")
    reading = Reading.objects.create(
        organisation=workspace.organisation,
        authors="Fraiberg, S.",
        year=1975,
        title="Ghosts in the nursery",
        doi="10.1016/S0002-7138(09)61442-4",
        competencies=["aimh-uk-imhcf:relationship_based_practice"],
    )
    MeetingReading.objects.create(meeting=made.meetings[0], reading=reading)
    sign_in(phone, live_server.url, "trainer-north")
    base = f"{live_server.url}/o/northern/groups/{made.group.pk}/"
    member = made.members["Aoife Byrne"]
    phone.goto(base + "report/")
    _scan(phone, "outputs")
    phone.goto(base + f"members/{member.pk}/link/")
    _scan(phone, "link")
    phone.get_by_role("button", name="Make a link").click()
    phone.wait_for_load_state()
    assert "/m/" in phone.locator("#issued-link").input_value()
    _scan(phone, "link-issued")
    phone.goto(base + "readings/")
    _scan(phone, "readings")
    phone.get_by_role("button", name="Add the reading").click()
    phone.wait_for_load_state()
    assert "There is a problem" in phone.content()
    _scan(phone, "readings-error")
    phone.goto(base + f"readings/{reading.pk}/")
    _scan(phone, "reading-edit")
    phone.goto(base + f"meetings/{made.meetings[2].pk}/readings/")
    _scan(phone, "meeting-readings")
    phone.goto(base + "frameworks/")
    _scan(phone, "frameworks")
    phone.goto(base + "coverage/")
    axe_scan(phone, "coverage")  # the grid scrolls inside its own region, not the page
    screenshot(phone, "network-member-link-coverage")
