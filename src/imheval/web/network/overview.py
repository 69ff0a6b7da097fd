"""What the group page and the organisation's groups page show, from the core's answers.

Nothing here decides who met the target: the standings come from
``imheval.network.attendance`` (through ``adapter``). This module counts marks per meeting for
the chart, groups the standings for the page, and draws the chart as a small SVG.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from imheval.network.attendance import (
    AttendanceRule,
    MeetingStatus,
    Register,
    Standing,
    State,
)

#: The chart's series, bottom to top, with their colours (NHS.UK palette) and words.
SERIES: tuple[tuple[str, str, str], ...] = (
    ("present", "#007f3b", "Present"),
    ("late", "#41b6e6", "Late"),
    ("apologies", "#ffb81c", "Apologies"),
    ("absent", "#d5281b", "Absent"),
    ("not_recorded", "#aeb7bd", "Not recorded"),
)

STATE_TAGS: dict[State, str] = {
    State.CANNOT_REACH: "red",
    State.MUST_ATTEND_ALL: "orange",
    State.MAY_MISS: "green",
    State.NOT_MET: "red",
    State.MET: "green",
}


#: The states of members not meeting the target: during the year, and once it is over.
BELOW_TARGET = frozenset({State.CANNOT_REACH, State.NOT_MET})


@dataclass(frozen=True)
class MeetingCounts:
    """One meeting of the year: how its eligible members were marked."""

    key: str
    date: datetime.date
    topic: str
    status: MeetingStatus
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def eligible(self) -> int:
        return sum(self.counts.values())


def year_meetings(register: Register, rule: AttendanceRule) -> list[MeetingCounts]:
    """Each meeting of the attendance year with its marks counted among the members eligible
    that day (a held meeting's unmarked members are "not recorded")."""
    if not register.meetings and rule.year_start is None:
        return []
    start, end = rule.year(register)
    result = []
    for meeting in sorted(register.meetings, key=lambda m: (m.date, m.key)):
        if not start <= meeting.date < end:
            continue
        counts: Counter[str] = Counter()
        if meeting.status is not MeetingStatus.CANCELLED:
            for member in register.members:
                if not member.eligible_for(meeting.date):
                    continue
                mark = register.marks.get((member.key, meeting.key))
                if mark is not None:
                    counts[mark.value] += 1
                elif meeting.status is MeetingStatus.HELD:
                    counts["not_recorded"] += 1
        result.append(
            MeetingCounts(
                meeting.key,
                meeting.date,
                meeting.topic,
                meeting.status,
                {name: counts[name] for name, _, _ in SERIES},
            )
        )
    return result


@dataclass(frozen=True)
class Bar:
    x: float
    label: str
    title: str
    rects: list[dict[str, object]]


def chart_svg_data(meetings: list[MeetingCounts], height: int = 160) -> dict[str, object]:
    """Coordinates for a stacked bar per held meeting (the template draws the SVG)."""
    held = [m for m in meetings if m.status is MeetingStatus.HELD]
    top = max((m.eligible for m in held), default=0) or 1
    width = 28
    gap = 12
    bars = []
    for index, meeting in enumerate(held):
        y = float(height)
        rects = []
        for name, colour, words in SERIES:
            count = meeting.counts.get(name, 0)
            if not count:
                continue
            h = height * count / top
            y -= h
            rects.append({"y": round(y, 2), "h": round(h, 2), "colour": colour, "words": words})
        parts = ", ".join(
            f"{meeting.counts[name]} {words.lower()}"
            for name, _, words in SERIES
            if meeting.counts.get(name)
        )
        bars.append(
            Bar(
                x=index * (width + gap) + gap,
                label=f"{meeting.date:%b}",
                title=f"{meeting.date:%-d %B %Y}: {parts or 'nobody eligible'}",
                rects=rects,
            )
        )
    return {
        "bars": bars,
        "bar_width": width,
        "width": max(len(held) * (width + gap) + gap, 200),
        "height": height,
        "top": top,
        "legend": [(colour, words) for _, colour, words in SERIES],
    }


@dataclass(frozen=True)
class GroupFigures:
    """A group's line on the organisation's page."""

    members_now: int
    attended: int
    held: int
    #: Members not meeting the target: those who can no longer reach it this year, and, once
    #: the year is over, those who did not reach it. (Members who must attend every remaining
    #: meeting can still reach it, so they are not counted.)
    below_target: int

    @property
    def rate(self) -> float | None:
        """Meetings attended as a share of meetings held, over every member (0 to 100)."""
        if not self.held:
            return None
        return float(Fraction(self.attended * 100, self.held))


def figures(
    register: Register, standings: tuple[Standing, ...], today: datetime.date
) -> GroupFigures:
    """Members today, attendance so far over everyone, and how many are not meeting the
    target (cannot reach it, or did not reach it in a year that is over)."""
    return GroupFigures(
        members_now=sum(1 for member in register.members if member.eligible_for(today)),
        attended=sum(s.attended for s in standings),
        held=sum(s.held for s in standings),
        below_target=sum(1 for s in standings if s.state in BELOW_TARGET),
    )


def not_recorded(
    standings: tuple[Standing, ...], register: Register
) -> list[tuple[str, datetime.date, list[str]]]:
    """Held meetings with a member unmarked: (meeting key, date, names), oldest first."""
    names: dict[str, list[str]] = {}
    for s in standings:
        for key in s.not_recorded_meetings:
            names.setdefault(key, []).append(s.member)
    dates = {meeting.key: meeting.date for meeting in register.meetings}
    return sorted(
        ((key, dates[key], sorted(found)) for key, found in names.items()), key=lambda t: t[1]
    )
