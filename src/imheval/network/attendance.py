"""The attendance rule of a network group (issue 14 §3): who can still reach the target, and how.

A network group asks each member to attend a share of its meetings (the target, 80% by default)
over an attendance year. Most registers warn only once a member has fallen below the target over
the meetings held so far; this rule warns while the target can still be reached. For each member,
over the attendance year, as of a date:

* **eligible** meetings are those in the year, not cancelled, and inside one of the member's
  membership periods (dates inclusive: joining or leaving on a meeting's date makes it eligible);
* **held** = eligible meetings held so far (status held, on or before the as-of date); with
  apologies *excluded* (:attr:`ApologiesPolicy.EXCLUDED`) a meeting the member sent apologies for
  leaves ``held`` and the base of the required count; with apologies *missed* (the default) it
  counts as held and not attended;
* **attended** = held meetings marked present, or late when late counts as attended (the default;
  :attr:`LatePolicy.MISSED` counts a late arrival as not attended);
* a held meeting with **no mark** for an eligible member is "not recorded": until someone records
  it, it counts as held and missed, and :attr:`Standing.not_recorded_meetings` lists it;
* **remaining** = eligible meetings still planned in the year (status planned, after the as-of
  date); with apologies excluded, a planned meeting the member has already sent apologies for
  leaves ``remaining`` (it will leave the base once held); with apologies missed it stays, as the
  member may still come;
* **required** = ceil(target x (held + remaining)), computed exactly with fractions, never floats
  (80% of 12 is 9.6, so 10);
* **slack** = attended + remaining - required;
* **state**: when the year is over (the as-of date is after its last day) or the member has no
  eligible meeting remaining, *met* (slack >= 0) or *not met* (slack < 0); otherwise *cannot
  reach* (slack < 0), *must attend every remaining meeting* (slack = 0) or *may miss k more*
  (slack = k >= 1).

Because ``required`` is the smallest whole number of meetings at or above the target, slack >= 0
exactly when the best percentage still possible, (attended + remaining) / (held + remaining), is
at least the target: the state never calls a target reachable when it is not, nor the other way
round (a property test pins this).

The attendance year is ``year_months`` (12) calendar months from the first day of the month of
``year_start``, or of the first meeting in the register when it is None. Meetings outside it are
ignored.

Examples
--------
The issue's worked example: present, present, absent, apologies, present, late, present, with 5
meetings to come, at 80% with late counted as attended. With apologies missed, held is 7,
attended 5, required ceil(0.8 x 12) = 10, slack 5 + 5 - 10 = 0: "Must attend every remaining
meeting". With apologies excluded, held is 6, required ceil(0.8 x 11) = 9, slack 1: "May miss 1
more meeting".

Nothing here imports Django: the web app turns its rows into a :class:`Register` (a non-cancelled
meeting on or before the as-of date is held, after it planned) and the CLI reads one from files
(:mod:`imheval.network.register`); both then call :func:`standings`.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from imheval.errors import AttendanceError

__all__ = [
    "ApologiesPolicy",
    "AttendanceRule",
    "LatePolicy",
    "Mark",
    "Meeting",
    "MeetingStatus",
    "Member",
    "Period",
    "Register",
    "Standing",
    "State",
    "standing",
    "standings",
]


class MeetingStatus(StrEnum):
    """What happened to a meeting: held (on or before the as-of date), cancelled, or planned."""

    HELD = "held"
    CANCELLED = "cancelled"
    PLANNED = "planned"


class Mark(StrEnum):
    """A member's mark for one meeting (apologies are sent before the meeting)."""

    PRESENT = "present"
    LATE = "late"
    APOLOGIES = "apologies"
    ABSENT = "absent"


class LatePolicy(StrEnum):
    """Whether a late arrival counts as attended (the default) or as a missed meeting."""

    ATTENDED = "attended"
    MISSED = "missed"


class ApologiesPolicy(StrEnum):
    """Whether apologies count as a missed meeting (the default) or leave the denominator."""

    MISSED = "missed"
    EXCLUDED = "excluded"


class State(StrEnum):
    """Where a member stands against the target (see the module docstring for the rule)."""

    MET = "met"
    NOT_MET = "not_met"
    CANNOT_REACH = "cannot_reach"
    MUST_ATTEND_ALL = "must_attend_all"
    MAY_MISS = "may_miss"


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting of the group. ``key`` names it in the marks; it defaults to the ISO date."""

    date: datetime.date
    status: MeetingStatus
    topic: str = ""
    duration_minutes: int = 90
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.date.isoformat())


@dataclass(frozen=True, slots=True)
class Period:
    """One membership period, dates inclusive; ``left`` is None while the person is a member.

    Raises :class:`~imheval.errors.AttendanceError` when ``left`` is before ``joined``.
    """

    joined: datetime.date
    left: datetime.date | None = None

    def __post_init__(self) -> None:
        if self.left is not None and self.left < self.joined:
            raise AttendanceError(
                f"a membership cannot end ({self.left.isoformat()}) before it starts "
                f"({self.joined.isoformat()})"
            )

    def covers(self, day: datetime.date) -> bool:
        """True when ``day`` is inside this period (joining or leaving that day counts)."""
        return self.joined <= day and (self.left is None or day <= self.left)


@dataclass(frozen=True, slots=True)
class Member:
    """A named member with their membership periods. ``key`` names them in the marks (defaults
    to the name; the web app passes the primary key)."""

    name: str
    periods: tuple[Period, ...]
    profession: str = ""
    service: str = ""
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.name)

    def eligible_for(self, day: datetime.date) -> bool:
        """True when one of the membership periods covers ``day``."""
        # A plain loop, not any() over a generator: the organisation's page asks this about
        # 100,000 times for 200 groups.
        for period in self.periods:
            if period.joined <= day and (period.left is None or day <= period.left):
                return True
        return False


@dataclass(frozen=True, slots=True)
class Register:
    """A group's meetings, members and marks: ``marks[(member key, meeting key)]``."""

    meetings: tuple[Meeting, ...]
    members: tuple[Member, ...]
    marks: Mapping[tuple[str, str], Mark] = field(default_factory=dict)


def _first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class AttendanceRule:
    """A group's settings for the rule: the target (percent), late and apologies policies, the
    year's start (None: the month of the first meeting) and length in months."""

    target_percent: Decimal = Decimal(80)
    late: LatePolicy = LatePolicy.ATTENDED
    apologies: ApologiesPolicy = ApologiesPolicy.MISSED
    year_start: datetime.date | None = None
    year_months: int = 12

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.target_percent <= Decimal(100):
            raise AttendanceError(
                f"the attendance target must be between 0 and 100 percent, "
                f"not {self.target_percent}"
            )
        if self.year_months < 1:
            raise AttendanceError(
                f"the attendance year must be at least 1 month long, not {self.year_months}"
            )

    @property
    def target(self) -> Fraction:
        """The target as an exact fraction of 1 (80% is 4/5)."""
        return Fraction(self.target_percent) / 100

    def year(self, register: Register) -> tuple[datetime.date, datetime.date]:
        """The attendance year as [its first day, the first day after it).

        Raises :class:`~imheval.errors.AttendanceError` when ``year_start`` is None and the
        register has no meetings to take the month from.
        """
        if self.year_start is not None:
            start = _first_of_month(self.year_start)
        elif register.meetings:
            start = _first_of_month(min(meeting.date for meeting in register.meetings))
        else:
            raise AttendanceError(
                "the attendance year cannot be worked out: there are no meetings and no year start"
            )
        return start, _add_months(start, self.year_months)


@dataclass(frozen=True, slots=True)
class Standing:
    """One member's position against the target as of a date (see the module docstring).

    Percentages are 0 to 100 and unrounded; ``percentage_so_far`` is None when nothing has been
    held, ``best_possible_percentage`` None when the member has no eligible meeting in the year.
    ``may_miss`` is k for :attr:`State.MAY_MISS`, else 0.
    """

    member: str
    held: int
    attended: int
    apologies: int
    not_recorded: int
    remaining: int
    required: int
    slack: int
    percentage_so_far: float | None
    best_possible_percentage: float | None
    state: State
    may_miss: int
    not_recorded_meetings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The JSON object of issue 14 (for files and APIs; code should read the fields)."""
        return {
            "member": self.member,
            "held": self.held,
            "attended": self.attended,
            "apologies": self.apologies,
            "not_recorded": self.not_recorded,
            "remaining": self.remaining,
            "required": self.required,
            "slack": self.slack,
            "percentage_so_far": self.percentage_so_far,
            "best_possible_percentage": self.best_possible_percentage,
            "state": self.state.value,
            "may_miss": self.may_miss,
        }

    def sentence(self) -> str:
        """The state in plain English, e.g. "May miss 1 more meeting". A member for whom no
        meeting counts (none held or planned in their membership) has, by the arithmetic, met
        the target; the sentence says why instead."""
        if self.held == 0 and self.remaining == 0:
            return "No meeting counts for them this year"
        if self.state is State.MAY_MISS:
            plural = "meeting" if self.may_miss == 1 else "meetings"
            return f"May miss {self.may_miss} more {plural}"
        return _SENTENCES[self.state]


_SENTENCES: dict[State, str] = {
    State.MET: "Met the target",
    State.NOT_MET: "Did not meet the target",
    State.CANNOT_REACH: "Cannot reach the target this year",
    State.MUST_ATTEND_ALL: "Must attend every remaining meeting",
}


def _percentage(part: int, whole: int) -> float | None:
    """``part / whole`` as a percentage, computed exactly and rounded once to a float."""
    if whole == 0:
        return None
    return float(Fraction(part * 100, whole))


def _check_statuses(meetings: tuple[Meeting, ...], as_of: datetime.date) -> None:
    for meeting in meetings:
        if meeting.status is MeetingStatus.HELD and meeting.date > as_of:
            raise AttendanceError(
                f"the meeting of {meeting.date.isoformat()} is marked held but is after the "
                f"as-of date {as_of.isoformat()}: mark it planned or cancelled"
            )
        if meeting.status is MeetingStatus.PLANNED and meeting.date <= as_of:
            raise AttendanceError(
                f"the meeting of {meeting.date.isoformat()} is marked planned but is on or before "
                f"the as-of date {as_of.isoformat()}: mark it held or cancelled"
            )


def _year_meetings(
    register: Register, rule: AttendanceRule, as_of: datetime.date
) -> tuple[tuple[Meeting, ...], bool]:
    """The year's meetings that are not cancelled (checked against ``as_of``), and whether the
    year is over as of ``as_of``."""
    if not register.meetings and rule.year_start is None:
        return (), True
    start, end = rule.year(register)
    in_year = tuple(
        meeting
        for meeting in register.meetings
        if start <= meeting.date < end and meeting.status is not MeetingStatus.CANCELLED
    )
    _check_statuses(in_year, as_of)
    return in_year, as_of >= end


def _standing(
    member: Member,
    meetings: tuple[Meeting, ...],
    marks: Mapping[tuple[str, str], Mark],
    rule: AttendanceRule,
    year_over: bool,
) -> Standing:
    excluded = rule.apologies is ApologiesPolicy.EXCLUDED
    attending = {Mark.PRESENT} if rule.late is LatePolicy.MISSED else {Mark.PRESENT, Mark.LATE}
    held = attended = apologies = remaining = 0
    not_recorded: list[str] = []
    for meeting in meetings:
        if not member.eligible_for(meeting.date):
            continue
        mark = marks.get((member.key, meeting.key))
        if meeting.status is MeetingStatus.PLANNED:
            if not (excluded and mark is Mark.APOLOGIES):
                remaining += 1
            continue
        if mark is Mark.APOLOGIES:
            apologies += 1
            if excluded:
                continue
        held += 1
        if mark is None:
            not_recorded.append(meeting.key)
        elif mark in attending:
            attended += 1
    base = held + remaining
    required = math.ceil(rule.target * base)
    slack = attended + remaining - required
    if year_over or remaining == 0:
        state = State.MET if slack >= 0 else State.NOT_MET
    elif slack < 0:
        state = State.CANNOT_REACH
    elif slack == 0:
        state = State.MUST_ATTEND_ALL
    else:
        state = State.MAY_MISS
    return Standing(
        member=member.name,
        held=held,
        attended=attended,
        apologies=apologies,
        not_recorded=len(not_recorded),
        remaining=remaining,
        required=required,
        slack=slack,
        percentage_so_far=_percentage(attended, held),
        best_possible_percentage=_percentage(attended + remaining, base),
        state=state,
        may_miss=slack if state is State.MAY_MISS else 0,
        not_recorded_meetings=tuple(not_recorded),
    )


def standing(
    member: Member, register: Register, rule: AttendanceRule, as_of: datetime.date
) -> Standing:
    """One member's :class:`Standing` over the attendance year as of ``as_of``.

    Raises :class:`~imheval.errors.AttendanceError` when a meeting of the year is held after
    ``as_of`` or planned on or before it (the caller decides which it was).
    """
    meetings, year_over = _year_meetings(register, rule, as_of)
    return _standing(member, meetings, register.marks, rule, year_over)


_ORDER: dict[State, int] = {
    State.CANNOT_REACH: 0,
    State.MUST_ATTEND_ALL: 1,
    State.MAY_MISS: 2,
    State.NOT_MET: 3,
    State.MET: 4,
}


def standings(
    register: Register, rule: AttendanceRule, as_of: datetime.date
) -> tuple[Standing, ...]:
    """Every member's :class:`Standing`, in the order a facilitator acts on them.

    Cannot reach first, then must attend every remaining meeting, then may miss k more (k
    ascending), not met, met; ties by name. Raises as :func:`standing` does.
    """
    meetings, year_over = _year_meetings(register, rule, as_of)
    result = [_standing(m, meetings, register.marks, rule, year_over) for m in register.members]
    result.sort(key=lambda s: (_ORDER[s.state], s.may_miss, s.member.casefold(), s.member))
    return tuple(result)
