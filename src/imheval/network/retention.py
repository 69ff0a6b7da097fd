"""Retention: who was in the group when the attendance year began, who joined and who left
during it, who is a member now, and how long members have belonged.

Seed 002 reports its members' time in the group as "4 to 19 months, mean 12.86"; the members
were asked to remember it. Here it comes from the register's membership periods, by one exact
rule (:func:`months_of_membership`), so it can be checked.

The counts, for the attendance year [first day, first day after) and the date ``as_of``
(``today`` below means ``as_of``, or the year's last day when ``as_of`` is later):

- **at the start**: members whose membership covers the year's first day;
- **joined**: members with a period that began after the first day and on or before today
  (a member who left and rejoined during the year counts as joining);
- **left**: members with a period that ended on or after the first day and before today (a
  member's last day is inclusive, so one who leaves today is still a member today);
- **now**: members whose membership covers today.

With one change per member, at the start + joined - left = now; a member who left and rejoined
within the year counts in both joined and left. When ``as_of`` is before the year starts,
nobody has joined or left yet and "now" is taken on ``as_of``.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from imheval.network.attendance import AttendanceRule, Member, Period, Register

__all__ = ["MemberMonths", "Retention", "months_of_membership", "retention"]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = datetime.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month + 1, min(day.day, last_day))


def _whole_months(first: datetime.date, last: datetime.date) -> int:
    """Whole months from ``first`` to ``last``, both days inclusive.

    Months are counted as age is: the n-th month is complete on the day before the same day n
    months after ``first`` (or, when that month has no such day, before its last day).
    15 September to 14 October is 1 month, to 13 October 0; 31 January to 27 February is 1.
    """
    after = last + datetime.timedelta(days=1)
    months = (after.year - first.year) * 12 + (after.month - first.month)
    if _add_months(first, months) > after:
        months -= 1
    return max(months, 0)


def months_of_membership(periods: tuple[Period, ...], as_of: datetime.date) -> int:
    """Whole months of membership up to ``as_of``, the periods' months summed.

    Each period counts from its ``joined`` day to its ``left`` day, or to ``as_of`` when it is
    open or ends later; a period that starts after ``as_of`` counts 0. Each period's whole
    months are counted separately and then added (two periods of seven weeks make 2 months,
    not the 3 their fourteen weeks would make together): a member is credited only with the
    months they completed without a break.

    Examples:
        >>> months_of_membership((Period(datetime.date(2024, 9, 5)),), datetime.date(2025, 3, 6))
        6
    """
    total = 0
    for period in periods:
        if period.joined > as_of:
            continue
        last = as_of if period.left is None else min(period.left, as_of)
        total += _whole_months(period.joined, last)
    return total


@dataclass(frozen=True, slots=True)
class MemberMonths:
    """One member's whole months of membership up to ``as_of``, and whether they are a member
    now."""

    member: str
    key: str
    months: int
    current: bool


@dataclass(frozen=True, slots=True)
class Retention:
    """Retention over an attendance year, as of a date (the rules are in the module docstring).

    ``months`` lists every member who had joined by ``as_of``, in the register's order. The
    median, mean and range describe the members now (as seed 002's figures describe its
    current members); they are None when nobody is a member now. Full precision: round only
    when presenting.
    """

    year_start: datetime.date
    year_end: datetime.date
    as_of: datetime.date
    at_start: int
    joined: int
    left: int
    now: int
    months: tuple[MemberMonths, ...]
    median_months: float | None
    mean_months: float | None
    min_months: int | None
    max_months: int | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values (for storage and exports, not for presenting)."""
        return {
            "year_start": self.year_start.isoformat(),
            "year_end": self.year_end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "at_start": self.at_start,
            "joined": self.joined,
            "left": self.left,
            "now": self.now,
            "months": [
                {"member": m.member, "months": m.months, "current": m.current} for m in self.months
            ],
            "median_months": self.median_months,
            "mean_months": self.mean_months,
            "min_months": self.min_months,
            "max_months": self.max_months,
        }


def _counts(
    member: Member, start: datetime.date, today: datetime.date
) -> tuple[bool, bool, bool, bool]:
    """Whether the member was there at the start, joined, left, and is there today."""
    at_start = member.eligible_for(start)
    joined = any(start < p.joined <= today for p in member.periods)
    left = any(p.left is not None and start <= p.left < today for p in member.periods)
    return at_start, joined, left, member.eligible_for(today)


def retention(register: Register, rule: AttendanceRule, as_of: datetime.date) -> Retention:
    """Retention of the register's members over ``rule``'s attendance year, as of ``as_of``.

    Raises :class:`~imheval.errors.AttendanceError` when the year cannot be worked out (no
    year start and no meetings).
    """
    start, end = rule.year(register)
    today = min(as_of, end - datetime.timedelta(days=1))
    at_start = joined = left = now = 0
    months: list[MemberMonths] = []
    for member in register.members:
        if today < start:
            flags = (member.eligible_for(start), False, False, member.eligible_for(today))
        else:
            flags = _counts(member, start, today)
        at_start += flags[0]
        joined += flags[1]
        left += flags[2]
        now += flags[3]
        if any(p.joined <= as_of for p in member.periods):
            months.append(
                MemberMonths(
                    member=member.name,
                    key=member.key,
                    months=months_of_membership(member.periods, as_of),
                    current=member.eligible_for(today),
                )
            )
    current = [m.months for m in months if m.current]
    return Retention(
        year_start=start,
        year_end=end,
        as_of=as_of,
        at_start=at_start,
        joined=joined,
        left=left,
        now=now,
        months=tuple(months),
        median_months=float(statistics.median(current)) if current else None,
        mean_months=statistics.fmean(current) if current else None,
        min_months=min(current) if current else None,
        max_months=max(current) if current else None,
    )
