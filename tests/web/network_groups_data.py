"""Builders for the network group web tests: a group whose meetings come from its pattern,
members with membership periods, and marks.

The seed's group meets on the first Thursday of every month. With the attendance year
September 2025 to August 2026 its meetings are 4 Sep, 2 Oct, 6 Nov, 4 Dec, 1 Jan, 5 Feb,
5 Mar, 2 Apr, 7 May, 4 Jun, 2 Jul and 6 Aug: as of 6 March 2026, 7 held and 5 to come, the
issue's worked example.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

YEAR_START = datetime.date(2025, 9, 1)
AS_OF = datetime.date(2026, 3, 6)
#: The worked example's marks at the 7 meetings held by AS_OF (E is apologies).
WORKED_EXAMPLE = ["present", "present", "absent", "apologies", "present", "late", "present"]


def make_group(organisation: Any, name: str = "Perinatal IMH network", **settings: Any) -> Any:
    """A group with its attendance year's meetings made from its pattern."""
    from imheval.web.network import meetings
    from imheval.web.network.models import NetworkGroup

    settings.setdefault("year_start", YEAR_START)
    group = NetworkGroup.objects.create(organisation=organisation, name=name, **settings)
    meetings.generate(group)
    return group


def add_member(
    group: Any,
    name: str,
    joined: datetime.date = YEAR_START,
    left: datetime.date | None = None,
    **details: Any,
) -> Any:
    from imheval.web.network.models import Member, MembershipPeriod

    member = Member.objects.create(group=group, name=name, **details)
    MembershipPeriod.objects.create(member=member, joined=joined, left=left)
    return member


def held_meetings(group: Any, as_of: datetime.date = AS_OF) -> list[Any]:
    return list(group.meetings.filter(date__lte=as_of, cancelled=False).order_by("date"))


def mark_all(member: Any, meetings: list[Any], statuses: list[str]) -> None:
    from imheval.web.network.models import AttendanceMark

    for meeting, status in zip(meetings, statuses, strict=True):
        AttendanceMark.objects.create(meeting=meeting, member=member, status=status)


def url(name: str, group: Any | None = None, **kwargs: Any) -> str:
    """A network page's address in the northern organisation."""
    if group is not None:
        kwargs["group"] = group.pk
    kwargs = {key: getattr(value, "pk", value) for key, value in kwargs.items()}
    return reverse(f"network:{name}", kwargs={"org": "northern", **kwargs})


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }
