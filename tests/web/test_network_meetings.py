"""A group's meetings: made from the pattern (idempotently), moved, cancelled and restored,
one-offs, the calendar file and its subscribable address; and the queries of the group page
and the organisation's groups page, which must not grow with members, meetings or groups."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import client_as
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from network_groups_data import (
    AS_OF,
    add_member,
    date_fields,
    held_meetings,
    make_group,
    mark_all,
    url,
)

from imheval.web.network import meetings
from imheval.web.network.models import AttendanceMark, Meeting, MeetingReading, Reading
from imheval.web.organisations.models import AuditEvent, Membership


@pytest.fixture(autouse=True)
def _as_of(monkeypatch: pytest.MonkeyPatch) -> None:
    noon = timezone.make_aware(datetime.datetime.combine(AS_OF, datetime.time(12)))
    monkeypatch.setattr(timezone, "now", lambda: noon)


def _meeting_form(day: datetime.date, **changes: str) -> dict[str, str]:
    return {
        **date_fields("date", day),
        "start_time": "14:00",
        "duration_minutes": "90",
        "topic": "",
        "notes": "",
        **changes,
    }


def test_making_meetings_again_adds_nothing_and_keeps_moved_and_cancelled(
    workspace: Any,
) -> None:
    group = make_group(workspace.organisation)
    assert group.meetings.count() == 12
    client = client_as(workspace.users["evaluator"])
    october = group.meetings.get(date=datetime.date(2025, 10, 2))
    moved = datetime.date(2025, 10, 9)
    response = client.post(
        url("meeting_edit", group, meeting=october), _meeting_form(moved, topic="Attachment")
    )
    assert response.status_code == 302
    november = group.meetings.get(date=datetime.date(2025, 11, 6))
    client.post(url("meeting_cancel", group, meeting=november))
    response = client.post(url("meetings_generate", group), follow=True)
    assert "nothing to add" in response.content.decode()
    assert group.meetings.count() == 12
    october.refresh_from_db()
    november.refresh_from_db()
    assert (october.date, october.series_date, october.topic) == (
        moved,
        datetime.date(2025, 10, 2),
        "Attachment",
    )
    assert november.cancelled
    listing = client.get(url("meetings", group)).content.decode()
    assert "moved from 2 Oct" in listing and "Cancelled" in listing


def test_a_changed_pattern_removes_unmarked_meetings_and_keeps_marked_ones(
    workspace: Any,
) -> None:
    group = make_group(workspace.organisation)
    member = add_member(group, "A")
    mark_all(member, held_meetings(group)[:1], ["present"])
    group.recurrence = "FREQ=MONTHLY;BYDAY=2TU"
    group.save()
    made = meetings.generate(group)
    assert len(made.added) == 12 and made.added[0] == datetime.date(2025, 9, 9)
    assert made.kept == (datetime.date(2025, 9, 4),)  # it has a mark
    assert len(made.removed) == 11
    assert "cancel them if they did not happen" in made.message()
    assert group.meetings.count() == 13
    assert meetings.generate(group).added == ()


def test_a_changed_pattern_keeps_a_meeting_with_readings_and_says_why(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    reading = Reading.objects.create(
        organisation=workspace.organisation, authors="Fraiberg S", year=1975, title="Ghosts"
    )
    september, october = group.meetings.order_by("date")[:2]
    MeetingReading.objects.create(meeting=october, reading=reading)
    group.recurrence = "FREQ=MONTHLY;BYDAY=2TU"
    group.save()
    response = client_as(workspace.users["evaluator"]).post(
        url("meetings_generate", group), follow=True
    )
    page = response.content.decode()
    assert "Kept 1 meeting the pattern no longer gives" in page
    assert "2 October 2025: readings" in page
    assert Meeting.objects.filter(pk=october.pk).exists()
    assert MeetingReading.objects.filter(meeting=october, reading=reading).exists()
    assert not Meeting.objects.filter(pk=september.pk).exists()  # nothing recorded: removed


def test_cancelling_and_restoring_a_meeting(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    client = client_as(workspace.users["admin"])
    meeting = held_meetings(group)[0]
    member = add_member(group, "A")
    AttendanceMark.objects.create(meeting=meeting, member=member, status="absent")
    client.post(url("meeting_cancel", group, meeting=meeting))
    meeting.refresh_from_db()
    assert meeting.cancelled
    # A cancelled meeting counts for nobody: A's absence no longer counts against them.
    response = client.get(url("group", group))
    standing = response.context["rows"][0]["standing"]
    assert (standing.held, standing.attended, standing.remaining) == (6, 0, 5)
    client.post(url("meeting_cancel", group, meeting=meeting), {"restore": "yes"})
    meeting.refresh_from_db()
    assert not meeting.cancelled
    assert AttendanceMark.objects.get(meeting=meeting).status == "absent"


def test_adding_a_one_off_meeting(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    client = client_as(workspace.users["evaluator"])
    day = datetime.date(2026, 4, 16)
    response = client.post(
        url("meeting_create", group), _meeting_form(day, topic="Extra: case discussion")
    )
    assert response.status_code == 302
    one_off = Meeting.objects.get(date=day)
    assert one_off.is_one_off and one_off.topic == "Extra: case discussion"
    # A second meeting on a day the group already meets is refused.
    clash = client.post(url("meeting_create", group), _meeting_form(day))
    assert "The group already meets on 16 April 2026" in clash.content.decode()
    assert group.meetings.count() == 13


def _without_stamps(ics: bytes) -> list[bytes]:
    return [line for line in ics.split(b"\r\n") if not line.startswith(b"DTSTAMP:")]


def test_calendar_download_and_subscribable_feed(workspace: Any) -> None:
    group = make_group(workspace.organisation, name="Perinatal, IMH network")
    held_meetings(group)[0].__class__.objects.filter(pk=held_meetings(group)[1].pk).update(
        cancelled=True
    )
    client = client_as(workspace.users["viewer"])
    download = client.get(url("group_calendar", group))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    text = download.content.decode()
    assert text.count("BEGIN:VEVENT") == 12 and text.count("STATUS:CANCELLED") == 1
    assert "DTSTART;TZID=Europe/London:20250904T140000" in text
    assert "X-WR-CALNAME:Perinatal\\, IMH network" in text
    # The feed needs no sign-in, and only the group's own token answers.
    feed = client.get(url("group", group)).context["calendar_feed"]
    path = feed.split("testserver", 1)[1]
    assert path == f"/calendars/{group.calendar_token}/meetings.ics"
    assert len(group.calendar_token) >= 43  # 256 random bits
    anonymous = Client()
    answer = anonymous.get(path)
    # The same calendar, bar DTSTAMP, which is the moment each copy was made.
    assert answer.status_code == 200
    assert _without_stamps(answer.content) == _without_stamps(download.content)
    tampered = path.replace(group.calendar_token, group.calendar_token[:-1] + "A")
    if tampered == path:
        tampered = path.replace(group.calendar_token, group.calendar_token[:-1] + "B")
    assert anonymous.get(tampered).status_code == 404
    assert anonymous.get(f"/calendars/{group.pk}/meetings.ics").status_code == 404
    assert anonymous.get(f"/calendars/{'x' * 65}/meetings.ics").status_code == 404


def test_a_new_subscribe_address_stops_the_old_one_and_is_logged_without_the_token(
    workspace: Any,
) -> None:
    group = make_group(workspace.organisation)
    old_path = f"/calendars/{group.calendar_token}/meetings.ics"
    anonymous = Client()
    assert anonymous.get(old_path).status_code == 200
    # A viewer sees the address but not the button, and may not replace it.
    viewer = client_as(workspace.users["viewer"])
    page = viewer.get(url("group", group)).content.decode()
    assert old_path in page and "Make a new subscribe address" not in page
    assert viewer.post(url("group_calendar_address", group)).status_code == 403
    # A facilitator who is a trainer may (they may edit the group).
    trainer = workspace.users["trainer"]
    group.facilitators.add(Membership.objects.get(user=trainer))
    client = client_as(trainer)
    assert "Make a new subscribe address" in client.get(url("group", group)).content.decode()
    response = client.post(url("group_calendar_address", group), follow=True)
    assert response.status_code == 200
    assert "The old one no longer works" in response.content.decode()
    group.refresh_from_db()
    new_path = f"/calendars/{group.calendar_token}/meetings.ics"
    assert new_path != old_path and new_path in response.content.decode()
    assert anonymous.get(old_path).status_code == 404
    assert anonymous.get(new_path).status_code == 200
    event = AuditEvent.objects.filter(object_type="network group").latest("pk")
    assert event.actor == trainer and set(event.changes) == {"calendar_token_replaced_at"}
    old_token = old_path.split("/")[2]
    every_change = [str(e.changes) for e in AuditEvent.objects.all()]
    assert not any(group.calendar_token in text or old_token in text for text in every_change)
    # GET does not replace it.
    assert client.get(url("group_calendar_address", group)).status_code == 405


# ----------------------------------------------------------------------- queries


def _count(client: Any, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def _grow(group: Any, members: int) -> None:
    held = held_meetings(group)
    start = group.members.count()
    for index in range(start, start + members):
        member = add_member(group, f"Member {index:03d}")
        mark_all(
            member,
            held,
            ["present", "late", "apologies", "absent", "present", "present", "present"],
        )


def test_group_page_queries_do_not_grow_with_members_or_meetings(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    _grow(group, 2)
    client = client_as(workspace.users["admin"])
    small = _count(client, url("group", group))
    _grow(group, 40)
    client.post(url("meeting_create", group), _meeting_form(datetime.date(2026, 1, 20)))
    group.facilitators.add(*workspace.organisation.memberships.all())
    large = _count(client, url("group", group))
    assert large == small


def test_organisations_groups_page_queries_do_not_grow_with_groups(workspace: Any) -> None:
    from django.core.cache import cache

    client = client_as(workspace.users["admin"])
    first = make_group(workspace.organisation, "Group 000")
    _grow(first, 2)
    cache.clear()
    small = _count(client, url("groups"))  # nothing kept: every group worked out
    small_kept = _count(client, url("groups"))  # every group's line kept
    for index in range(1, 15):
        group = make_group(workspace.organisation, f"Group {index:03d}")
        _grow(group, 3)
        group.facilitators.add(*workspace.organisation.memberships.all())
    cache.clear()
    response = client.get(url("groups"))
    assert len(response.context["lines"]) == 15
    cache.clear()
    assert _count(client, url("groups")) == small
    assert _count(client, url("groups")) == small_kept < small
