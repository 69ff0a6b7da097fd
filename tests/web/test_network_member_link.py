"""A member's own link: made once, revoked, replaced; the public page shows only that member,
lets them send and withdraw apologies for a coming meeting, and never touches a mark the
facilitators recorded."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from conftest import client_as
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from imheval.web.network import member_link
from imheval.web.network.models import (
    AttendanceMark,
    Meeting,
    Member,
    MemberLink,
    MembershipPeriod,
    NetworkGroup,
)
from imheval.web.organisations.models import AuditEvent, Membership

pytestmark = pytest.mark.django_db


@dataclass
class Group:
    group: NetworkGroup
    members: dict[str, Member]
    meetings: list[Meeting]  # two held (60 and 30 days ago), two coming (in 30 and 60 days)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def make_group(workspace: Any, facilitator_role: str = "trainer") -> Group:
    """A group of three members, two meetings held and two to come, marks for the held ones."""
    group = NetworkGroup.objects.create(
        organisation=workspace.organisation,
        name="Perinatal IMH network",
        purpose="Monthly reading and case discussion.",
        year_start=days(-90),
        target_percent=Decimal("80"),
    )
    group.facilitators.add(Membership.objects.get(user=workspace.users[facilitator_role]))
    meetings = [
        Meeting.objects.create(
            group=group,
            date=days(offset),
            start_time=datetime.time(14, 0),
            duration_minutes=90,
            topic=topic,
        )
        for offset, topic in (
            (-60, "Ghosts in the nursery"),
            (-30, "Reflective functioning"),
            (30, "Video feedback"),
            (60, "Fathers in the perinatal period"),
        )
    ]
    members = {}
    for name, profession in (
        ("Aoife Byrne", "Psychology"),
        ("Brendan Cole", "Nursing"),
        ("Ciara Doyle", "Social work"),
    ):
        members[name] = Member.objects.create(group=group, name=name, profession=profession)
        MembershipPeriod.objects.create(member=members[name], joined=days(-90))
    for name, statuses in (
        ("Aoife Byrne", ("present", "late")),
        ("Brendan Cole", ("absent", "present")),
        ("Ciara Doyle", ("present", "present")),
    ):
        for meeting, status in zip(meetings, statuses, strict=False):
            AttendanceMark.objects.create(meeting=meeting, member=members[name], status=status)
    return Group(group, members, meetings)


def link_for(member: Member) -> str:
    _, token = member_link.issue(member)
    return reverse("network:member_page", kwargs={"token": token})


def test_link_token_has_256_bits_and_only_its_digest_is_kept(workspace: Any) -> None:
    made = make_group(workspace)
    link, token = member_link.issue(made.members["Aoife Byrne"])
    assert len(token) == 43  # secrets.token_urlsafe(32): 32 random bytes
    assert token not in link.token_digest
    assert len(link.token_digest) == 64
    assert not MemberLink.objects.filter(token_digest=token).exists()


def test_member_page_shows_their_own_record_and_nobody_else(workspace: Any) -> None:
    made = make_group(workspace)
    response = Client().get(link_for(made.members["Aoife Byrne"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aoife Byrne: your attendance" in page
    assert "Brendan Cole" not in page and "Ciara Doyle" not in page
    assert "Nursing" not in page and "Social work" not in page
    # 2 held (present, late: late counts), 2 to come; required ceil(0.8 x 4) = 4: no slack
    assert "you need to attend every remaining meeting this year" in page
    assert "So far you attended 2 of the 2 meetings held" in page
    past = page.split('id="past"')[1].split("</table>")[0]
    assert re.findall(r"<td>(Present|Late|Absent)</td>", past) == ["Present", "Late"]
    assert "Ghosts in the nursery" in past and "Video feedback" not in past
    coming = page.split('id="coming"')[1].split("</table>")[0]
    assert coming.count("Send apologies") == 2
    assert "Video feedback" in coming and "Fathers in the perinatal period" in coming


def test_member_page_says_may_miss_in_plain_english(workspace: Any) -> None:
    made = make_group(workspace)
    made.group.target_percent = Decimal("50")
    made.group.save()
    page = Client().get(link_for(made.members["Brendan Cole"])).content.decode()
    # attended 1 of 2 held, 2 to come: required ceil(0.5 x 4) = 2, slack 1 + 2 - 2 = 1
    assert "You may miss 1 more meeting this year and still reach the 50% target." in page


def test_member_page_is_private(workspace: Any) -> None:
    made = make_group(workspace)
    response = Client().get(link_for(made.members["Aoife Byrne"]))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # the address holds the token: it goes as referrer to no other site
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in response.content.decode()


def test_unknown_revoked_and_replaced_links_get_the_same_plain_404(workspace: Any) -> None:
    made = make_group(workspace)
    member = made.members["Aoife Byrne"]
    first = link_for(member)
    second = link_for(member)  # replaces the first
    client = Client()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert member_link.revoke(member) == 1
    gone = client.get(second)
    unknown = client.get(reverse("network:member_page", kwargs={"token": "x" * 43}))
    assert gone.status_code == unknown.status_code == 404
    assert gone.content == unknown.content
    assert b"Aoife" not in gone.content and b"Perinatal" not in gone.content
    too_long = reverse("network:member_page", kwargs={"token": "y" * 200})
    assert client.get(too_long).status_code == 404


def _apologies(url: str, meeting: Meeting, action: str, client: Client | None = None) -> Any:
    token = url.strip("/").split("/")[1]
    target = reverse("network:member_apologies", kwargs={"token": token, "meeting": meeting.pk})
    return (client or Client()).post(target, {"action": action})


def test_member_sends_and_withdraws_apologies_for_a_coming_meeting_audited(
    workspace: Any,
) -> None:
    made = make_group(workspace)
    member = made.members["Aoife Byrne"]
    url = link_for(member)
    coming = made.meetings[2]
    response = _apologies(url, coming, "send")
    assert response.status_code == 302 and response["Location"] == url
    mark = AttendanceMark.objects.get(meeting=coming, member=member)
    assert (mark.status, mark.by_member) == ("apologies", True)
    event = AuditEvent.objects.filter(object_type="attendance mark").latest("pk")
    assert event.actor is None and event.actor_label == "member's own link"
    assert event.changes["status"] == [None, "apologies"]
    page = Client().get(url).content.decode()
    assert "Apologies sent" in page and "Withdraw apologies" in page
    # the standing counts the meeting once it is held; the page says what will happen then
    assert (
        "You have sent apologies for 1 coming meeting: it counts as missed once it is held" in page
    )
    _apologies(url, coming, "withdraw")
    assert not AttendanceMark.objects.filter(meeting=coming, member=member).exists()
    assert AuditEvent.objects.filter(object_type="attendance mark", action="deleted").count() == 1


def test_member_cannot_change_a_held_meeting_or_a_facilitators_mark(workspace: Any) -> None:
    made = make_group(workspace)
    member = made.members["Brendan Cole"]
    url = link_for(member)
    held = made.meetings[1]
    before = AuditEvent.objects.count()
    _apologies(url, held, "send")
    _apologies(url, held, "withdraw")
    assert AttendanceMark.objects.get(meeting=held, member=member).status == "present"
    coming = made.meetings[3]
    AttendanceMark.objects.create(meeting=coming, member=member, status="apologies")
    events = AuditEvent.objects.count()
    _apologies(url, coming, "withdraw")
    _apologies(url, coming, "send")
    mark = AttendanceMark.objects.get(meeting=coming, member=member)
    assert (mark.status, mark.by_member) == ("apologies", False)
    assert AuditEvent.objects.count() == events and events == before + 1
    page = Client().get(url).content.decode()
    assert "Apologies (recorded by your facilitators)" in page


def test_apologies_for_another_groups_meeting_or_an_unknown_action_are_404(
    workspace: Any,
) -> None:
    made = make_group(workspace)
    url = link_for(made.members["Ciara Doyle"])
    other = NetworkGroup.objects.create(
        organisation=workspace.organisation, name="Other group", year_start=days(-90)
    )
    elsewhere = Meeting.objects.create(
        group=other, date=days(30), start_time=datetime.time(14), duration_minutes=90
    )
    assert _apologies(url, elsewhere, "send").status_code == 404
    assert _apologies(url, made.meetings[2], "delete-everything").status_code == 404
    assert not AttendanceMark.objects.filter(meeting=elsewhere).exists()


def test_apologies_need_csrf(workspace: Any) -> None:
    made = make_group(workspace)
    url = link_for(made.members["Ciara Doyle"])
    strict = Client(enforce_csrf_checks=True)
    assert _apologies(url, made.meetings[2], "send", strict).status_code == 403
    assert not AttendanceMark.objects.filter(meeting=made.meetings[2], by_member=True).exists()


def test_meetings_before_joining_are_not_shown_to_a_new_member(workspace: Any) -> None:
    made = make_group(workspace)
    newcomer = Member.objects.create(group=made.group, name="Dara Egan")
    MembershipPeriod.objects.create(member=newcomer, joined=days(-45))
    page = Client().get(link_for(newcomer)).content.decode()
    assert "Ghosts in the nursery" not in page
    assert "Reflective functioning" in page
    assert "Not recorded yet" in page


def test_a_member_for_whom_no_meeting_counts_is_told_so_not_that_they_met_the_target(
    workspace: Any,
) -> None:
    made = make_group(workspace)
    # Joined and left between the meetings of 60 and 30 days ago: no meeting counts.
    between = Member.objects.create(group=made.group, name="Eimear Flynn")
    MembershipPeriod.objects.create(member=between, joined=days(-50), left=days(-40))
    page = Client().get(link_for(between)).content.decode()
    assert "No meeting of this attendance year falls within your membership" in page
    assert "You reached the" not in page


def test_facilitator_makes_replaces_and_revokes_a_link_once_shown(workspace: Any) -> None:
    made = make_group(workspace, facilitator_role="trainer")
    member = made.members["Aoife Byrne"]
    url = reverse(
        "network:member_link",
        kwargs={"org": "northern", "group": made.group.pk, "group_member": member.pk},
    )
    facilitator = client_as(workspace.users["trainer"])
    assert "has no working link" in facilitator.get(url).content.decode()
    made_page = facilitator.post(url, {"action": "make"})
    assert made_page.status_code == 200 and "no-store" in made_page["Cache-Control"]
    shown = re.search(r'value="(http[^"]+/m/[^"]+/)"', made_page.content.decode())
    assert shown is not None
    assert Client().get(shown.group(1)).status_code == 200
    assert "/m/" not in facilitator.get(url).content.decode()  # never shown again
    facilitator.post(url, {"action": "make"})
    assert Client().get(shown.group(1)).status_code == 404  # replaced
    assert MemberLink.objects.filter(member=member, revoked_at__isnull=True).count() == 1
    facilitator.post(url, {"action": "revoke"})
    assert not MemberLink.objects.filter(member=member, revoked_at__isnull=True).exists()


def test_only_editors_make_links_viewers_read(workspace: Any) -> None:
    made = make_group(workspace, facilitator_role="trainer")
    member = made.members["Aoife Byrne"]
    url = reverse(
        "network:member_link",
        kwargs={"org": "northern", "group": made.group.pk, "group_member": member.pk},
    )
    viewer = client_as(workspace.users["viewer"])
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"action": "make"}).status_code == 403
    assert client_as(workspace.users["evaluator"]).post(url, {"action": "make"}).status_code == 200
    outsider = client_as(workspace.outsider)
    assert outsider.get(url).status_code == 404
    other = NetworkGroup.objects.create(
        organisation=workspace.organisation, name="Other", year_start=days(-90)
    )
    wrong_group = reverse(
        "network:member_link",
        kwargs={"org": "northern", "group": other.pk, "group_member": member.pk},
    )
    assert client_as(workspace.users["admin"]).get(wrong_group).status_code == 404
