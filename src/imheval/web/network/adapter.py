"""The one place where the web app's rows become the core's attendance types.

The attendance rule lives in :mod:`imheval.network.attendance`; the web app never computes it
itself. These functions read a group's meetings, members, membership periods and marks in a
constant number of queries (however many members or meetings there are) and ask the core.

- :func:`group_rule` gives the group's :class:`~imheval.network.attendance.AttendanceRule`.
- :func:`group_register` gives its :class:`~imheval.network.attendance.Register` as of a date:
  a cancelled meeting is ``CANCELLED``, one on or before ``as_of`` is ``HELD``, a later one
  ``PLANNED``. Keys are primary keys as text: ``Member.key == str(member.pk)``,
  ``Meeting.key == str(meeting.pk)``.
- :func:`group_standings` gives every member's standing, in the facilitator's order.
- :func:`registers_for_groups` does the same for many groups at once (the organisation's
  groups page), still in a constant number of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from imheval.network.attendance import (
    ApologiesPolicy,
    AttendanceRule,
    LatePolicy,
    Mark,
    Meeting,
    MeetingStatus,
    Member,
    Period,
    Register,
    Standing,
    standings,
)
from imheval.web.network import models as m


def group_rule(group: m.NetworkGroup) -> AttendanceRule:
    """The group's attendance settings as the core's rule."""
    return AttendanceRule(
        target_percent=group.target_percent,
        late=LatePolicy.ATTENDED if group.late_counts_as_attended else LatePolicy.MISSED,
        apologies=ApologiesPolicy(group.apologies),
        year_start=group.year_start,
        year_months=group.year_months,
    )


def meeting_status(meeting: m.Meeting, as_of: datetime.date) -> MeetingStatus:
    """Cancelled counts for nobody; on or before ``as_of`` it was held; after, it is planned."""
    if meeting.cancelled:
        return MeetingStatus.CANCELLED
    return MeetingStatus.HELD if meeting.date <= as_of else MeetingStatus.PLANNED


def core_meeting(meeting: m.Meeting, as_of: datetime.date) -> Meeting:
    return Meeting(
        date=meeting.date,
        status=meeting_status(meeting, as_of),
        topic=meeting.topic,
        duration_minutes=meeting.duration_minutes,
        key=str(meeting.pk),
    )


def core_member(member: m.Member, periods: Iterable[m.MembershipPeriod]) -> Member:
    return Member(
        name=member.name,
        periods=tuple(
            Period(joined=p.joined, left=p.left) for p in sorted(periods, key=lambda p: p.joined)
        ),
        profession=member.profession,
        service=member.service,
        key=str(member.pk),
    )


def _build(
    meetings: Sequence[m.Meeting],
    members: Sequence[m.Member],
    periods: Iterable[m.MembershipPeriod],
    marks: Iterable[tuple[int, int, str]],
    as_of: datetime.date,
) -> Register:
    by_member: dict[int, list[m.MembershipPeriod]] = defaultdict(list)
    for period in periods:
        by_member[period.member_id].append(period)  # type: ignore[attr-defined]
    return Register(
        meetings=tuple(core_meeting(meeting, as_of) for meeting in meetings),
        members=tuple(core_member(member, by_member[member.pk]) for member in members),
        marks={
            (str(member_id), str(meeting_id)): Mark(status)
            for member_id, meeting_id, status in marks
        },
    )


def group_register(group: m.NetworkGroup, as_of: datetime.date) -> Register:
    """The group's register as of ``as_of``, in four queries whatever its size."""
    meetings = list(m.Meeting.objects.filter(group=group).order_by("date", "start_time", "pk"))
    members = list(m.Member.objects.filter(group=group).order_by("name", "pk"))
    periods = m.MembershipPeriod.objects.filter(member__group=group)
    marks = m.AttendanceMark.objects.filter(meeting__group=group).values_list(
        "member_id", "meeting_id", "status"
    )
    return _build(meetings, members, periods, marks, as_of)


def registers_for_groups(
    groups: Sequence[m.NetworkGroup], as_of: datetime.date
) -> dict[int, Register]:
    """Each group's register (by group pk), in four queries however many groups there are."""
    ids = [group.pk for group in groups]
    meetings: dict[int, list[m.Meeting]] = defaultdict(list)
    for meeting in m.Meeting.objects.filter(group_id__in=ids).order_by("date", "start_time", "pk"):
        meetings[meeting.group_id].append(meeting)  # type: ignore[attr-defined]
    members: dict[int, list[m.Member]] = defaultdict(list)
    member_group: dict[int, int] = {}
    for member in m.Member.objects.filter(group_id__in=ids).order_by("name", "pk"):
        members[member.group_id].append(member)  # type: ignore[attr-defined]
        member_group[member.pk] = member.group_id  # type: ignore[attr-defined]
    periods: dict[int, list[m.MembershipPeriod]] = defaultdict(list)
    for period in m.MembershipPeriod.objects.filter(member__group_id__in=ids):
        periods[member_group[period.member_id]].append(period)  # type: ignore[attr-defined]
    marks: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for member_id, meeting_id, status in m.AttendanceMark.objects.filter(
        meeting__group_id__in=ids
    ).values_list("member_id", "meeting_id", "status"):
        marks[member_group[member_id]].append((member_id, meeting_id, status))
    return {
        group.pk: _build(
            meetings[group.pk], members[group.pk], periods[group.pk], marks[group.pk], as_of
        )
        for group in groups
    }


def group_standings(group: m.NetworkGroup, as_of: datetime.date) -> tuple[Standing, ...]:
    """Every member's standing as of ``as_of``, ordered for the facilitator (the core's order:
    cannot reach, must attend all, may miss (fewest first), not met, met; then name)."""
    return standings(group_register(group, as_of), group_rule(group), as_of)
