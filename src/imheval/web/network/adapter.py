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
- :func:`as_of_date` (and :func:`as_of_dates` for many groups) gives the date every page works
  standings out as of: today, or yesterday while a meeting of the group today has not started
  (the core takes a date, and a meeting on or before it was held: at 09:00 on the day of a
  14:00 meeting nobody has missed it yet). Every caller uses it, so the group page, the
  member's own page, the report, the exports and the CPD statements agree.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.utils import timezone

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


def as_of_dates(
    groups: Sequence[m.NetworkGroup], now: datetime.datetime | None = None
) -> dict[int, datetime.date]:
    """Each group's as-of date (by group pk), in one query: today in the site's time zone, or
    yesterday for a group with a meeting today (not cancelled) that has not started by ``now``
    (default: the clock). A meeting has started once its start time has passed, as on the
    member's own page (``member_link.meeting_started``)."""
    local = timezone.localtime(now or timezone.now())
    today = local.date()
    if not groups:
        return {}
    waiting = set(
        m.Meeting.objects.filter(
            group_id__in=[group.pk for group in groups],
            date=today,
            cancelled=False,
            start_time__gt=local.time().replace(tzinfo=None),
        ).values_list("group_id", flat=True)
    )
    yesterday = today - datetime.timedelta(days=1)
    return {group.pk: yesterday if group.pk in waiting else today for group in groups}


def as_of_date(group: m.NetworkGroup, now: datetime.datetime | None = None) -> datetime.date:
    """The date ``group``'s standings are worked out as of (see :func:`as_of_dates`)."""
    return as_of_dates([group], now)[group.pk]


def meeting_status(day: datetime.date, cancelled: bool, as_of: datetime.date) -> MeetingStatus:
    """Cancelled counts for nobody; on or before ``as_of`` it was held; after, it is planned."""
    if cancelled:
        return MeetingStatus.CANCELLED
    return MeetingStatus.HELD if day <= as_of else MeetingStatus.PLANNED


#: A stored mark's core value, looked up rather than constructed for each of many marks.
_MARKS = {mark.value: mark for mark in Mark}

_MEETING_FIELDS = ("pk", "group_id", "date", "cancelled", "topic", "duration_minutes")
_MEMBER_FIELDS = ("pk", "group_id", "name", "profession", "service")
_PERIOD_FIELDS = ("member_id", "joined", "left")
_MARK_FIELDS = ("member_id", "meeting_id", "status")


def _registers(
    group_ids: Sequence[int], as_of: Mapping[int, datetime.date], *, one: bool
) -> dict[int, Register]:
    """Registers of the groups ``group_ids``, each as of its own date in ``as_of``, in four
    queries (plain values, not model instances: the organisation's page reads thousands of
    rows)."""
    scope = {"group_id": group_ids[0]} if one else {"group_id__in": group_ids}
    meetings: dict[int, list[Meeting]] = defaultdict(list)
    for pk, group_id, day, is_cancelled, topic, minutes in (
        m.Meeting.objects.filter(**scope)
        .order_by("date", "start_time", "pk")
        .values_list(*_MEETING_FIELDS)
    ):
        status = meeting_status(day, is_cancelled, as_of[group_id])
        meetings[group_id].append(Meeting(day, status, topic, minutes, str(pk)))
    periods: dict[int, list[Period]] = defaultdict(list)
    member_scope = {f"member__{key}": value for key, value in scope.items()}
    for member_id, joined, left in (
        m.MembershipPeriod.objects.filter(**member_scope)
        .order_by("member_id", "joined")
        .values_list(*_PERIOD_FIELDS)
    ):
        periods[member_id].append(Period(joined, left))
    members: dict[int, list[Member]] = defaultdict(list)
    member_group: dict[int, int] = {}
    for pk, group_id, name, profession, service in (
        m.Member.objects.filter(**scope).order_by("name", "pk").values_list(*_MEMBER_FIELDS)
    ):
        members[group_id].append(Member(name, tuple(periods[pk]), profession, service, str(pk)))
        member_group[pk] = group_id
    meeting_scope = {f"meeting__{key}": value for key, value in scope.items()}
    marks: dict[int, dict[tuple[str, str], Mark]] = defaultdict(dict)
    for member_id, meeting_id, status in m.AttendanceMark.objects.filter(
        **meeting_scope
    ).values_list(*_MARK_FIELDS):
        marks[member_group[member_id]][(str(member_id), str(meeting_id))] = _MARKS[status]
    return {
        group_id: Register(
            meetings=tuple(meetings[group_id]),
            members=tuple(members[group_id]),
            marks=marks[group_id],
        )
        for group_id in group_ids
    }


def group_register(group: m.NetworkGroup, as_of: datetime.date) -> Register:
    """The group's register as of ``as_of``, in four queries whatever its size."""
    return _registers([group.pk], {group.pk: as_of}, one=True)[group.pk]


def registers_for_groups(
    groups: Sequence[m.NetworkGroup], as_of: datetime.date | Mapping[int, datetime.date]
) -> dict[int, Register]:
    """Each group's register (by group pk), in four queries however many groups there are;
    ``as_of`` is one date for all, or each group's own (by pk, as :func:`as_of_dates` gives)."""
    if not groups:
        return {}
    dates = as_of if isinstance(as_of, Mapping) else {group.pk: as_of for group in groups}
    return _registers([group.pk for group in groups], dates, one=False)


def group_standings(group: m.NetworkGroup, as_of: datetime.date) -> tuple[Standing, ...]:
    """Every member's standing as of ``as_of``, ordered for the facilitator (the core's order:
    cannot reach, must attend all, may miss (fewest first), not met, met; then name)."""
    return standings(group_register(group, as_of), group_rule(group), as_of)
