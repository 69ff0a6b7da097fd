"""A group's meetings from its recurrence rule, through the core's calendar.

:func:`rule_problem` asks the core whether a rule is usable; :func:`generate` adds the
attendance year's meetings the rule gives and the group does not have yet (idempotent: a moved
or cancelled meeting keeps its series date, so it is never added again), and removes meetings a
changed rule no longer gives when nothing has been recorded for them (no marks, topic, notes or
readings, and not moved); :func:`calendar_file` writes
the group's meetings as one .ics file.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from imheval.network.attendance import Register
from imheval.network.calendar import CalendarError, CalendarMeeting, MeetingSeries, plan_meetings
from imheval.network.calendar import to_ics as core_to_ics
from imheval.web.network.adapter import group_rule
from imheval.web.network.models import AttendanceMark, Meeting, MeetingReading, NetworkGroup


def rule_problem(
    rule: str, first: datetime.date, start_time: datetime.time, duration_minutes: int
) -> str | None:
    """Why the core refuses this series, in plain words, or None when it is usable."""
    try:
        MeetingSeries(rule, first, start_time, duration_minutes)
    except CalendarError as error:
        return str(error)
    return None


def series_of(group: NetworkGroup) -> MeetingSeries:
    """The group's regular meetings as the core's series (from the first day of its year)."""
    start, _ = year_of(group)
    return MeetingSeries(group.recurrence, start, group.start_time, group.duration_minutes)


def year_of(group: NetworkGroup) -> tuple[datetime.date, datetime.date]:
    """The group's attendance year: [its first day, the first day after it)."""
    return group_rule(group).year(Register(meetings=(), members=()))


@dataclass(frozen=True)
class Generated:
    """What :func:`generate` did: dates added, dates removed, and meetings a changed rule no
    longer gives that were kept because something was recorded for them (``why``: each kept
    date with what, e.g. "marks and readings")."""

    added: tuple[datetime.date, ...]
    removed: tuple[datetime.date, ...]
    kept: tuple[datetime.date, ...]
    why: tuple[tuple[datetime.date, str], ...] = ()

    def message(self) -> str:
        parts = []
        if self.added:
            parts.append(f"Added {_count(len(self.added), 'meeting')} from the pattern.")
        if self.removed:
            parts.append(
                f"Removed {_count(len(self.removed), 'meeting')} the pattern no longer gives "
                "(nothing had been recorded for them)."
            )
        if self.kept:
            reasons = dict(self.why)
            days = "; ".join(
                f"{day:%-d %B %Y}" + (f": {reasons[day]}" if day in reasons else "")
                for day in self.kept
            )
            parts.append(
                f"Kept {_count(len(self.kept), 'meeting')} the pattern no longer gives, because "
                f"something was recorded for them ({days}): cancel them if they did not happen."
            )
        return " ".join(parts) or "The meetings already match the pattern: nothing to add."


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


@transaction.atomic
def generate(group: NetworkGroup) -> Generated:
    """Make the attendance year's meetings from the group's rule (see the module docstring)."""
    series = series_of(group)
    window = year_of(group)
    wanted = set(series.dates_between(*window))
    # Locked (PostgreSQL refuses FOR UPDATE with the GROUP BY of a count, so marks are looked
    # up apart): two people making the meetings at once cannot both add the same dates.
    made = list(Meeting.objects.filter(group=group, series_date__isnull=False).select_for_update())
    marked = set(
        AttendanceMark.objects.filter(meeting__group=group).values_list("meeting_id", flat=True)
    )
    with_readings = set(
        MeetingReading.objects.filter(meeting__group=group).values_list("meeting_id", flat=True)
    )
    removed, kept, why = [], [], []
    for meeting in made:
        series_date = meeting.series_date
        assert series_date is not None
        if not (window[0] <= series_date < window[1]) or series_date in wanted:
            continue
        recorded = [
            word
            for word, present in (
                ("marks", meeting.pk in marked),
                ("readings", meeting.pk in with_readings),
                ("a topic", bool(meeting.topic)),
                ("notes", bool(meeting.notes)),
                ("a moved date", meeting.date != series_date),
            )
            if present
        ]
        if recorded:
            kept.append(meeting.date)
            why.append((meeting.date, _and(recorded)))
        else:
            removed.append(meeting.date)
            meeting.delete()
    # A removed meeting's date is not wanted, so it is not planned again either.
    added = plan_meetings(series, window, [meeting.series_date for meeting in made])
    for day in added:
        Meeting.objects.create(
            group=group,
            date=day,
            series_date=day,
            start_time=group.start_time,
            duration_minutes=group.duration_minutes,
        )
    return Generated(tuple(added), tuple(sorted(removed)), tuple(sorted(kept)), tuple(why))


def calendar_file(group: NetworkGroup) -> str:
    """The group's meetings (cancelled ones marked so) as one iCalendar file."""
    meetings = [
        CalendarMeeting(
            key=str(meeting.pk),
            date=meeting.date,
            start_time=meeting.start_time,
            duration_minutes=meeting.duration_minutes,
            topic=meeting.topic,
            cancelled=meeting.cancelled,
        )
        for meeting in Meeting.objects.filter(group=group).order_by("date", "start_time")
    ]
    return core_to_ics(group.name, meetings, tz=settings.TIME_ZONE)
