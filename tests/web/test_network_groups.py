"""Network group pages: setting up a group, its page (members by state, not recorded meetings,
the chart), the organisation's groups side by side, members and who may change what."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import client_as
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from network_groups_data import (
    AS_OF,
    WORKED_EXAMPLE,
    YEAR_START,
    add_member,
    date_fields,
    held_meetings,
    make_group,
    mark_all,
    url,
)

from imheval.web.network.group_access import may_edit_group
from imheval.web.network.models import Meeting, Member, MembershipPeriod, NetworkGroup
from imheval.web.organisations.access import Access
from imheval.web.organisations.models import AuditEvent, Membership


@pytest.fixture(autouse=True)
def _as_of(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page's 'today' is 6 March 2026: 7 of the year's 12 meetings held, 5 to come."""
    noon = timezone.make_aware(datetime.datetime.combine(AS_OF, datetime.time(12)))
    monkeypatch.setattr(timezone, "now", lambda: noon)


def _membership(workspace: Any, role: str) -> Any:
    return Membership.objects.get(user=workspace.users[role], organisation=workspace.organisation)


def _group_form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Perinatal IMH network",
        "purpose": "Reading and case discussion for perinatal staff",
        "target_percent": "80",
        **date_fields("year_start", YEAR_START),
        "year_months": "12",
        "late_counts_as_attended": "yes",
        "apologies": "missed",
        "pattern": "FREQ=MONTHLY;BYDAY=1TH",
        "custom_rule": "",
        "start_time": "14:00",
        "duration_minutes": "90",
    }
    data.update(changes)
    return data


# ----------------------------------------------------------------------- setting up a group


def test_evaluator_sets_up_a_group_and_its_year_of_first_thursdays(workspace: Any) -> None:
    trainer = _membership(workspace, "trainer")
    client = client_as(workspace.users["evaluator"])
    response = client.post(url("group_create"), _group_form(facilitators=[trainer.pk]))
    group = NetworkGroup.objects.get(name="Perinatal IMH network")
    assert response.status_code == 302 and response["Location"] == url("group", group)
    dates = list(group.meetings.values_list("date", flat=True))
    assert [d.isoformat() for d in dates] == [
        "2025-09-04",
        "2025-10-02",
        "2025-11-06",
        "2025-12-04",
        "2026-01-01",
        "2026-02-05",
        "2026-03-05",
        "2026-04-02",
        "2026-05-07",
        "2026-06-04",
        "2026-07-02",
        "2026-08-06",
    ]
    assert all(m.series_date == m.date and m.duration_minutes == 90 for m in group.meetings.all())
    assert list(group.facilitators.all()) == [trainer]
    # The facilitators are logged explicitly (signals do not see many-to-many changes).
    event = AuditEvent.objects.get(object_type="network group", action="updated")
    assert event.changes == {"facilitators": [[], ["trainer-north"]]}
    assert event.actor == workspace.users["evaluator"]


def test_changing_facilitators_is_logged_with_before_and_after(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    group.facilitators.add(_membership(workspace, "trainer"))
    client = client_as(workspace.users["admin"])
    viewer = _membership(workspace, "viewer")
    response = client.post(url("group_edit", group), _group_form(facilitators=[viewer.pk]))
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_type="network group").latest("pk")
    assert event.changes == {"facilitators": [["trainer-north"], ["viewer-north"]]}
    assert event.actor == workspace.users["admin"]


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_a_facilitator_without_an_organisation_role_cannot_choose_facilitators(
    workspace: Any, role: str
) -> None:
    group = make_group(workspace.organisation)
    facilitator = _membership(workspace, role)
    group.facilitators.add(facilitator)
    client = client_as(workspace.users[role])
    form = client.get(url("group_edit", group))
    assert form.status_code == 200
    page = form.content.decode()
    assert 'name="facilitators"' not in page
    assert "admins and evaluators choose who facilitates the group" in page
    # A posted list is ignored; the rest of the settings are saved.
    other = _membership(workspace, "viewer" if role == "trainer" else "trainer")
    response = client.post(
        url("group_edit", group),
        _group_form(facilitators=[other.pk], purpose="Changed by the facilitator"),
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.purpose == "Changed by the facilitator"
    assert list(group.facilitators.all()) == [facilitator]
    assert not AuditEvent.objects.filter(
        object_type="network group", changes__has_key="facilitators"
    ).exists()


@pytest.mark.parametrize("role", ["admin", "evaluator"])
def test_admins_and_evaluators_choose_facilitators(workspace: Any, role: str) -> None:
    group = make_group(workspace.organisation)
    client = client_as(workspace.users[role])
    assert 'name="facilitators"' in client.get(url("group_edit", group)).content.decode()
    trainer = _membership(workspace, "trainer")
    response = client.post(url("group_edit", group), _group_form(facilitators=[trainer.pk]))
    assert response.status_code == 302
    assert list(group.facilitators.all()) == [trainer]


def test_a_custom_rule_is_checked_by_the_core_in_plain_words(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    response = client.post(
        url("group_create"), _group_form(pattern="custom", custom_rule="FREQ=HOURLY")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "hourly" in page
    assert not NetworkGroup.objects.exists()


def test_a_custom_rule_is_used_when_valid(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    rule = "freq=monthly; byday=-1fr"
    client.post(url("group_create"), _group_form(pattern="custom", custom_rule=rule))
    group = NetworkGroup.objects.get()
    assert group.recurrence == "FREQ=MONTHLY;BYDAY=-1FR"
    first = group.meetings.first()
    assert first is not None and first.date == datetime.date(2025, 9, 26)  # last Friday


def test_group_form_refuses_bad_values_with_messages(workspace: Any) -> None:
    make_group(workspace.organisation)
    client = client_as(workspace.users["evaluator"])
    response = client.post(
        url("group_create"),
        _group_form(
            name="perinatal imh network", target_percent="180", start_time="25:00", pattern=""
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    for message in (
        "There is already a network group with this name",
        "The attendance target must be at most 100%",
        "Enter the start time on the 24-hour clock",
        "Choose when the group meets",
    ):
        assert message in page
    assert NetworkGroup.objects.count() == 1


# ----------------------------------------------------------------------- the group page


def test_group_page_lists_members_by_state_with_the_worked_example(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    held = held_meetings(group)
    assert len(held) == 7
    worked = add_member(group, "Worked Example", profession="Health visitor")
    mark_all(worked, held, WORKED_EXAMPLE)
    steady = add_member(group, "Always There")
    mark_all(steady, held, ["present"] * 7)
    late_joiner = add_member(group, "New Starter", joined=datetime.date(2026, 1, 15))
    mark_all(late_joiner, held[5:6], ["absent"])  # 5 Feb absent; 5 Mar not recorded

    page = client_as(workspace.users["viewer"]).get(url("group", group)).content.decode()
    # New Starter: 0 of 2 held, 5 to come, needs ceil(0.8 x 7) = 6: cannot reach; first.
    # Worked Example: needs 10 of 12 and has no slack; then Always There, who may miss 2.
    order = [page.index(name) for name in ("New Starter", "Worked Example", "Always There")]
    assert order == sorted(order)
    assert "Cannot reach the target this year" in page
    assert "Must attend every remaining meeting" in page
    assert "May miss 2 more meetings" in page
    assert "10 of 12" in page and "5 of 7" in page
    # The unrecorded meeting is listed with a link to record it, and the page says it counts.
    assert "Meetings not recorded" in page
    assert "counts as a missed meeting" in page
    assert url("register", group, meeting=held[6]) not in page  # a viewer cannot take it
    editor_page = client_as(workspace.users["evaluator"]).get(url("group", group)).content
    assert url("register", group, meeting=held[6]).encode() in editor_page


def test_apologies_excluded_gives_may_miss_one_for_the_worked_example(workspace: Any) -> None:
    group = make_group(workspace.organisation, apologies="excluded")
    worked = add_member(group, "Worked Example")
    mark_all(worked, held_meetings(group), WORKED_EXAMPLE)
    page = client_as(workspace.users["viewer"]).get(url("group", group)).content.decode()
    assert "May miss 1 more meeting" in page and "9 of 11" in page


def test_group_page_chart_has_a_table_with_each_meetings_marks(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    held = held_meetings(group)
    a = add_member(group, "A")
    b = add_member(group, "B")
    mark_all(a, held, WORKED_EXAMPLE)
    mark_all(b, held[:6], ["late", "present", "apologies", "absent", "present", "present"])
    response = client_as(workspace.users["viewer"]).get(url("group", group))
    meetings = response.context["meetings"]
    assert len(meetings) == 12
    third = meetings[2]
    assert third.date == datetime.date(2025, 11, 6)
    assert third.counts == {
        "present": 0,
        "late": 0,
        "apologies": 1,
        "absent": 1,
        "not_recorded": 0,
    }
    assert meetings[6].counts["not_recorded"] == 1  # B has no mark on 5 March
    assert meetings[7].eligible == 0  # to come: nothing counted
    page = response.content.decode()
    assert '<svg role="img"' in page and "The table below gives the numbers" in page
    assert page.count("<rect ") == sum(1 for m in meetings[:7] for v in m.counts.values() if v)


def test_organisations_groups_page_shows_groups_side_by_side(workspace: Any) -> None:
    first = make_group(workspace.organisation, "Perinatal network")
    second = make_group(workspace.organisation, "Early years network")
    held = held_meetings(first)
    mark_all(add_member(first, "A"), held, ["present"] * 6 + ["absent"])
    mark_all(add_member(first, "B"), held, WORKED_EXAMPLE)
    add_member(first, "Gone", left=datetime.date(2025, 12, 31))
    make_group(workspace.other_organisation, "Southern secret network")
    response = client_as(workspace.users["viewer"]).get(url("groups"))
    page = response.content.decode()
    lines = {line["group"].name: line["figures"] for line in response.context["lines"]}
    assert set(lines) == {"Perinatal network", "Early years network"}
    figures = lines["Perinatal network"]
    assert figures.members_now == 2
    # A attended 6 of 7; B 5 of 7; Gone was a member for 4 meetings, none marked.
    assert (figures.attended, figures.held) == (11, 18)
    assert "61%" in page and "(11 of 18)" in page
    assert lines["Early years network"].rate is None and "none yet" in page
    assert "Southern secret network" not in page
    assert second.name in page
    assert "Set up a network group" not in page  # a viewer
    assert (
        "Set up a network group"
        in client_as(workspace.users["admin"]).get(url("groups")).content.decode()
    )


def _at(monkeypatch: pytest.MonkeyPatch, day: datetime.date, hour: int) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.parametrize(
    ("hour", "state", "held", "remaining", "coming"),
    [
        # 09:00: the 14:00 meeting of 5 March is still to come, for every page alike.
        (9, "Must attend every remaining meeting", 6, 6, True),
        # 15:00: it has started; with no mark yet it counts as missed.
        (15, "Cannot reach the target this year", 7, 5, False),
    ],
)
def test_a_meeting_today_counts_only_once_it_has_started(
    workspace: Any,
    monkeypatch: pytest.MonkeyPatch,
    hour: int,
    state: str,
    held: int,
    remaining: int,
    coming: bool,
) -> None:
    from imheval.web.network import adapter, member_link

    group = make_group(workspace.organisation)
    march = group.meetings.get(date=datetime.date(2026, 3, 5))
    assert march.start_time == datetime.time(14, 0)
    member = add_member(group, "Two Missed")
    mark_all(member, held_meetings(group)[:6], ["present", "absent", "absent"] + ["present"] * 3)
    _at(monkeypatch, march.date, hour)
    expected_as_of = march.date - datetime.timedelta(days=1 if coming else 0)
    assert adapter.as_of_date(group) == expected_as_of

    response = client_as(workspace.users["viewer"]).get(url("group", group))
    standing = response.context["rows"][0]["standing"]
    assert (standing.held, standing.attended, standing.remaining) == (held, 4, remaining)
    page = response.content.decode()
    assert state in page
    assert ("before today's meeting starts" in page) is coming
    assert ("Meetings not recorded" in page) is not coming

    lines = client_as(workspace.users["viewer"]).get(url("groups")).context["lines"]
    assert (lines[0]["figures"].held, lines[0]["figures"].below_target) == (
        held,
        0 if coming else 1,
    )

    # The member's own page agrees with the group page.
    _, token = member_link.issue(member)
    own = Client().get(reverse("network:member_page", kwargs={"token": token}))
    assert own.context["standing"].state == standing.state
    assert (own.context["standing"].held, own.context["standing"].remaining) == (held, remaining)
    assert [row.meeting for row in own.context["coming"]][:1] == (
        [march] if coming else [group.meetings.get(date=datetime.date(2026, 4, 2))]
    )


def test_a_cancelled_meeting_today_does_not_move_the_as_of_date(
    workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imheval.web.network import adapter

    group = make_group(workspace.organisation)
    march = group.meetings.get(date=datetime.date(2026, 3, 5))
    _at(monkeypatch, march.date, 9)
    assert adapter.as_of_date(group) == datetime.date(2026, 3, 4)
    march.cancelled = True
    march.save()
    assert adapter.as_of_date(group) == march.date


LAST_YEAR = datetime.date(2024, 9, 1)


def test_groups_page_counts_members_not_meeting_the_target(workspace: Any) -> None:
    # A year still running: the worked example must attend every remaining meeting (they can
    # still reach the target: not counted); a member with no marks cannot reach it (counted).
    running = make_group(workspace.organisation, "Running network")
    mark_all(add_member(running, "Worked Example"), held_meetings(running), WORKED_EXAMPLE)
    add_member(running, "Never Marked")
    # A year that is over (September 2024 to August 2025): one reached the target, one did not.
    ended = make_group(workspace.organisation, "Last year's network", year_start=LAST_YEAR)
    every = list(ended.meetings.order_by("date"))
    assert len(every) == 12 and every[-1].date < AS_OF
    mark_all(add_member(ended, "Reached", joined=LAST_YEAR), every, ["present"] * 12)
    mark_all(add_member(ended, "Missed Half", joined=LAST_YEAR), every, ["present", "absent"] * 6)
    response = client_as(workspace.users["viewer"]).get(url("groups"))
    lines = {line["group"].name: line["figures"] for line in response.context["lines"]}
    assert lines["Running network"].below_target == 1
    assert lines["Last year's network"].below_target == 1
    page = response.content.decode()
    assert "Not meeting the target" in page and "Members at risk" not in page


def test_navigation_has_network_groups(workspace: Any) -> None:
    page = client_as(workspace.users["viewer"]).get("/o/northern/").content.decode()
    assert f'href="{url("groups")}"' in page and "Network groups" in page


# ----------------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("role", "facilitates", "expected"),
    [
        ("admin", False, True),
        ("evaluator", False, True),
        ("trainer", False, False),
        ("viewer", False, False),
        ("trainer", True, True),
        ("viewer", True, True),
    ],
)
def test_who_may_edit_a_group(workspace: Any, role: str, facilitates: bool, expected: bool) -> None:
    group = make_group(workspace.organisation)
    membership = _membership(workspace, role)
    if facilitates:
        group.facilitators.add(membership)
    access = Access(workspace.organisation, membership)
    assert may_edit_group(access, group) is expected
    meeting = held_meetings(group)[0]
    client = client_as(workspace.users[role])
    for name, kwargs in [
        ("group_edit", {}),
        ("meeting_create", {}),
        ("meeting_edit", {"meeting": meeting}),
        ("register", {"meeting": meeting}),
        ("member_create", {}),
    ]:
        assert client.get(url(name, group, **kwargs)).status_code == (200 if expected else 403)
    # Everyone reads.
    for name in ("group", "meetings", "members", "groups"):
        assert client.get(url(name, group if name != "groups" else None)).status_code == 200


def test_only_admins_and_evaluators_set_up_groups(workspace: Any) -> None:
    for role, status in [("admin", 200), ("evaluator", 200), ("trainer", 403), ("viewer", 403)]:
        assert client_as(workspace.users[role]).get(url("group_create")).status_code == status
    response = client_as(workspace.users["trainer"]).post(url("group_create"), _group_form())
    assert response.status_code == 403 and not NetworkGroup.objects.exists()


def test_a_refused_change_changes_nothing_and_logs_nothing(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    member = add_member(group, "A")
    before = AuditEvent.objects.count()
    client = client_as(workspace.users["viewer"])
    meeting = held_meetings(group)[0]
    assert client.post(url("register", group, meeting=meeting), {}).status_code == 403
    assert client.post(url("meeting_cancel", group, meeting=meeting)).status_code == 403
    assert client.post(url("meetings_generate", group)).status_code == 403
    assert client.post(url("member_leave", group, group_member=member)).status_code == 403
    assert AuditEvent.objects.count() == before
    assert not Meeting.objects.filter(cancelled=True).exists()


def test_another_groups_meeting_or_member_is_404_under_this_group(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    other = make_group(workspace.organisation, "Other network")
    theirs = held_meetings(other)[0]
    their_member = add_member(other, "Theirs")
    client = client_as(workspace.users["admin"])
    assert client.get(url("register", group, meeting=theirs)).status_code == 404
    assert client.get(url("meeting_edit", group, meeting=theirs)).status_code == 404
    assert client.get(url("member_edit", group, group_member=their_member)).status_code == 404
    period = their_member.periods.get()
    mine = add_member(group, "Mine")
    assert (
        client.get(url("period_edit", group, group_member=mine, period=period)).status_code == 404
    )


# ----------------------------------------------------------------------- members


def test_member_joins_leaves_and_rejoins(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    client = client_as(workspace.users["evaluator"])
    response = client.post(
        url("member_create", group),
        {
            "name": "Aoife Byrne",
            "profession": "Clinical psychologist",
            "service": "Perinatal mental health",
            **date_fields("joined", datetime.date(2025, 10, 1)),
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(name="Aoife Byrne")
    left = datetime.date(2025, 12, 4)
    client.post(url("member_leave", group, group_member=member), date_fields("left", left))
    client.post(
        url("member_rejoin", group, group_member=member),
        date_fields("joined", datetime.date(2026, 2, 1)),
    )
    periods = [(p.joined, p.left) for p in member.periods.order_by("joined")]
    assert periods == [
        (datetime.date(2025, 10, 1), left),
        (datetime.date(2026, 2, 1), None),
    ]
    # Eligible: 2 Oct, 6 Nov, 4 Dec (the day they left counts), 5 Feb, 5 Mar held; 5 to come.
    page = client.get(url("group", group)).content.decode()
    assert "0 of 5" in page and "8 of 10" in page
    listing = client.get(url("members", group)).content.decode()
    assert "1 Oct 2025 to 4 Dec 2025" in listing and "1 Feb 2026 to now" in listing


def test_overlapping_periods_are_refused_with_a_clear_message(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    member = add_member(
        group, "A", joined=datetime.date(2025, 9, 1), left=datetime.date(2025, 12, 1)
    )
    client = client_as(workspace.users["evaluator"])
    response = client.post(
        url("member_rejoin", group, group_member=member),
        date_fields("joined", datetime.date(2025, 11, 1)),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "overlaps" in page and "1 September 2025" in page
    assert member.periods.count() == 1
    second = MembershipPeriod.objects.create(member=member, joined=datetime.date(2026, 1, 1))
    response = client.post(
        url("period_edit", group, group_member=member, period=member.periods.first()),
        {
            **date_fields("joined", datetime.date(2025, 9, 1)),
            **date_fields("left", datetime.date(2026, 1, 1)),
        },
    )
    assert "overlaps" in response.content.decode()
    second.refresh_from_db()
    assert member.periods.order_by("joined").first().left == datetime.date(2025, 12, 1)


def test_leaving_before_joining_is_refused(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    member = add_member(group, "A", joined=datetime.date(2025, 10, 1))
    response = client_as(workspace.users["evaluator"]).post(
        url("member_leave", group, group_member=member),
        date_fields("left", datetime.date(2025, 9, 30)),
    )
    assert "must be on or after that" in response.content.decode()
    assert member.periods.get().left is None


def test_two_members_with_one_name_are_refused(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    add_member(group, "Aoife Byrne")
    response = client_as(workspace.users["evaluator"]).post(
        url("member_create", group),
        {"name": "aoife byrne", **date_fields("joined", YEAR_START)},
    )
    assert "already has a member called aoife byrne" in response.content.decode()
    assert Member.objects.count() == 1


def test_group_page_shows_retention_from_the_register(workspace: Any) -> None:
    group = make_group(workspace.organisation)
    add_member(group, "At the start")  # 1 September 2025 to now: 6 whole months by 6 March
    add_member(group, "Joined", joined=datetime.date(2026, 1, 15))  # 1 whole month
    add_member(group, "Left", left=datetime.date(2025, 12, 31))
    response = client_as(workspace.users["viewer"]).get(url("group", group))
    retention = response.context["retention"]
    assert (retention.at_start, retention.joined, retention.left, retention.now) == (2, 1, 1, 2)
    page = response.content.decode()
    assert "Median 3.5 (from 1 to 6)" in page
    groups_page = client_as(workspace.users["viewer"]).get(url("groups")).content.decode()
    assert "2 at the start, 1 joined, 1 left" in groups_page
