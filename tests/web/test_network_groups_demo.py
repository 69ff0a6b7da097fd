"""The demo workspace holds a network group like seed 002's, and its pages work."""

from __future__ import annotations

from conftest import client_as
from django.urls import reverse
from django.utils import timezone

from imheval.network.attendance import State
from imheval.web.network.adapter import group_standings
from imheval.web.network.demo import GROUP_NAME, MEMBERS


def test_demo_has_a_monthly_network_group_with_nine_members_and_a_year_of_marks(
    db: None,
) -> None:
    from imheval.web.demo import load_demo
    from imheval.web.network.models import AttendanceMark, NetworkGroup

    demo = load_demo(password="a demo password for tests")
    group = NetworkGroup.objects.get(organisation=demo.organisation, name=GROUP_NAME)
    assert group.recurrence == "FREQ=MONTHLY;BYDAY=1TH"
    assert group.members.count() == len(MEMBERS) == 9
    joined = {p.joined for p in group.members.get(name="Ibrahim Khan").periods.all()}
    assert joined != {p.joined for p in group.members.get(name="Aoife Byrne").periods.all()}
    assert group.members.get(name="Grace Murphy").periods.count() == 2  # left and rejoined
    meetings = list(group.meetings.order_by("date"))
    assert len(meetings) == 12 and all(m.date.weekday() == 3 and m.date.day <= 7 for m in meetings)
    statuses = set(
        AttendanceMark.objects.filter(meeting__group=group).values_list("status", flat=True)
    )
    assert statuses == {"present", "late", "apologies", "absent"}
    assert group.meetings.filter(meeting_readings__isnull=False).count() == 3
    today = timezone.localdate()
    found = group_standings(group, today)
    assert any(s.not_recorded for s in found)  # the latest meeting, for two members
    assert {s.state for s in found} - {State.MET, State.NOT_MET}  # the year is under way

    client = client_as(demo.organisation.memberships.get(role="evaluator").user)
    page = client.get(reverse("network:group", kwargs={"org": "demo", "group": group.pk}))
    assert page.status_code == 200 and "Meetings not recorded" in page.content.decode()
    listing = client.get(reverse("network:groups", kwargs={"org": "demo"}))
    assert GROUP_NAME in listing.content.decode()
