"""In a real browser on a phone, with axe-core: a facilitator takes a meeting's register in a
few taps; and every network group page passes axe."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from django.utils import timezone
from network_groups_data import AS_OF, WORKED_EXAMPLE, add_member, held_meetings, make_group, url

from imheval.web.network.models import AttendanceMark
from imheval.web.organisations.models import Membership

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _as_of(monkeypatch: pytest.MonkeyPatch) -> None:
    noon = timezone.make_aware(datetime.datetime.combine(AS_OF, datetime.time(12)))
    monkeypatch.setattr(timezone, "now", lambda: noon)


def _no_sideways_scroll(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} scrolls sideways on a phone ({width} px)"


def test_facilitator_takes_a_register_on_a_phone(
    live_server: Any, workspace: Any, phone: Any
) -> None:
    group = make_group(workspace.organisation)
    group.facilitators.add(Membership.objects.get(user=workspace.users["trainer"]))
    held = held_meetings(group)
    march = held[-1]
    names = ["Aoife Byrne", "Brendan Ng", "Ciara Walsh", "Declan Hughes"]
    members = [add_member(group, name, profession="Health visitor") for name in names]
    for member in members:
        for meeting in held[:-1]:
            AttendanceMark.objects.create(meeting=meeting, member=member, status="present")
    page = phone
    sign_in(page, live_server.url, "trainer-north")
    page.goto(live_server.url + url("group", group))
    page.get_by_role("heading", name="Meetings not recorded").wait_for()
    page.locator(f'a[href="{url("register", group, meeting=march)}"]').first.click()
    page.get_by_role("heading", name="Register for 5 March 2026").wait_for()
    axe_scan(page, "register on a phone")
    _no_sideways_scroll(page, "the register")
    page.get_by_role("button", name="Mark everyone present").click()
    page.get_by_text("Everyone without a mark is shown as present").wait_for()
    page.get_by_role("group", name="Brendan Ng").get_by_label("Late").check()
    page.get_by_role("group", name="Declan Hughes").get_by_label("Apologies").check()
    screenshot(page, "network-register-phone")
    page.get_by_role("button", name="Save register").click()
    page.get_by_text("Register for 5 March 2026 saved (4 marks added or changed).").wait_for()
    marks = {m.member.name: m.status for m in march.marks.select_related("member")}
    assert marks == {
        "Aoife Byrne": "present",
        "Brendan Ng": "late",
        "Ciara Walsh": "present",
        "Declan Hughes": "apologies",
    }
    assert page.get_by_role("heading", name="Meetings not recorded").count() == 0
    axe_scan(page, "group page on a phone after the register")
    _no_sideways_scroll(page, "the group page")


def test_every_network_group_page_passes_axe(
    live_server: Any, workspace: Any, desktop: Any
) -> None:
    group = make_group(workspace.organisation)
    member = add_member(group, "Worked Example")
    left = add_member(group, "Gone", left=datetime.date(2025, 12, 31))
    held = held_meetings(group)
    for meeting, status in zip(held, WORKED_EXAMPLE[:6], strict=False):
        AttendanceMark.objects.create(meeting=meeting, member=member, status=status)
    meeting = held[0]
    period = member.periods.get()
    sign_in(desktop, live_server.url, "admin-north")
    pages = {
        "groups": url("groups"),
        "group create": url("group_create"),
        "group": url("group", group),
        "group edit": url("group_edit", group),
        "meetings": url("meetings", group),
        "meeting create": url("meeting_create", group),
        "meeting edit": url("meeting_edit", group, meeting=meeting),
        "register": url("register", group, meeting=meeting),
        "register future": url("register", group, meeting=group.meetings.order_by("-date")[0]),
        "members": url("members", group),
        "member create": url("member_create", group),
        "member edit": url("member_edit", group, group_member=member),
        "member leave": url("member_leave", group, group_member=member),
        "member rejoin": url("member_rejoin", group, group_member=left),
        "period edit": url("period_edit", group, group_member=member, period=period),
    }
    for name, address in pages.items():
        desktop.goto(live_server.url + address)
        assert desktop.locator("h1").count() == 1, name
        axe_scan(desktop, f"network {name}")
        screenshot(desktop, "network-" + name.replace(" ", "-"))
    # A form with errors too: the error summary and messages pass.
    desktop.goto(live_server.url + url("group_create"))
    desktop.get_by_label("Group name").fill("")
    desktop.get_by_role("button", name="Set up group").click()
    desktop.get_by_text("There is a problem").wait_for()
    axe_scan(desktop, "network group form with errors")
