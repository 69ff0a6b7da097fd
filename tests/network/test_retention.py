"""Retention over the attendance year and months of membership, with hand-worked values."""

from __future__ import annotations

import datetime

import pytest

from imheval.errors import AttendanceError
from imheval.network.attendance import (
    AttendanceRule,
    Meeting,
    MeetingStatus,
    Member,
    Period,
    Register,
)
from imheval.network.retention import months_of_membership, retention

D = datetime.date
SEPTEMBER = AttendanceRule(year_start=D(2025, 9, 1))  # September 2025 to August 2026


def member(name: str, *periods: tuple[datetime.date, datetime.date | None]) -> Member:
    return Member(name, tuple(Period(joined, left) for joined, left in periods))


@pytest.mark.parametrize(
    ("joined", "last", "months"),
    [
        (D(2024, 9, 15), D(2024, 10, 14), 1),  # the day before the same day next month
        (D(2024, 9, 15), D(2024, 10, 13), 0),
        (D(2024, 12, 15), D(2025, 1, 14), 1),  # across a new year
        (D(2025, 1, 31), D(2025, 2, 27), 1),  # February has no 31st: its month ends sooner
        (D(2025, 1, 31), D(2025, 2, 26), 0),
        (D(2024, 9, 1), D(2025, 8, 31), 12),
        (D(2025, 3, 5), D(2025, 3, 5), 0),  # a single day
    ],
)
def test_whole_months_of_one_period(
    joined: datetime.date, last: datetime.date, months: int
) -> None:
    assert months_of_membership((Period(joined, last),), D(2030, 1, 1)) == months
    # An open period counted to the same day gives the same.
    assert months_of_membership((Period(joined),), last) == months


def test_periods_are_counted_separately_then_added() -> None:
    # 1 January to 20 February and 1 March to 20 April: one whole month each, so 2 (their
    # 101 days together would be 3 months); a period that starts after as_of counts nothing.
    periods = (
        Period(D(2025, 1, 1), D(2025, 2, 20)),
        Period(D(2025, 3, 1), D(2025, 4, 20)),
        Period(D(2025, 6, 1)),
    )
    assert months_of_membership(periods, D(2025, 5, 20)) == 2
    # A period that ends after as_of is counted to as_of.
    assert months_of_membership((Period(D(2025, 1, 10), D(2025, 12, 31)),), D(2025, 3, 8)) == 1


def hand_worked_register() -> Register:
    return Register(
        meetings=(),
        members=(
            member("A", (D(2024, 9, 5), None)),  # since before the year
            member("B", (D(2025, 10, 2), None)),  # joined in October
            member("C", (D(2025, 1, 9), D(2025, 12, 31))),  # left at the end of December
            member("D", (D(2025, 6, 5), D(2025, 11, 30)), (D(2026, 2, 1), None)),  # rejoined
            member("E", (D(2026, 4, 1), None)),  # joins after as_of
            member("F", (D(2024, 1, 1), D(2025, 8, 31))),  # left the day before the year
            member("G", (D(2025, 9, 1), D(2026, 3, 6))),  # leaves on as_of: still a member
            member("H", (D(2025, 9, 1), None)),  # joined on the year's first day
        ),
    )


def test_hand_worked_retention() -> None:
    result = retention(hand_worked_register(), SEPTEMBER, D(2026, 3, 6))
    assert (result.year_start, result.year_end) == (D(2025, 9, 1), D(2026, 9, 1))
    # At the start: A, C, D, G, H. Joined: B, D. Left: C, D. Now: A, B, D, G, H.
    assert (result.at_start, result.joined, result.left, result.now) == (5, 2, 2, 5)
    # Months to 6 March 2026 (worked by hand):
    # A 5 Sep 2024 -> 18; B 2 Oct 2025 -> 5; C 9 Jan to 31 Dec 2025 -> 11;
    # D 5 Jun to 30 Nov 2025 (5) + 1 Feb 2026 on (1) -> 6; F 1 Jan 2024 to 31 Aug 2025 -> 20;
    # G and H 1 Sep 2025 -> 6. E has not joined yet.
    assert [(m.member, m.months, m.current) for m in result.months] == [
        ("A", 18, True),
        ("B", 5, True),
        ("C", 11, False),
        ("D", 6, True),
        ("F", 20, False),
        ("G", 6, True),
        ("H", 6, True),
    ]
    # Members now: 18, 5, 6, 6, 6.
    assert result.median_months == 6.0
    assert result.mean_months == pytest.approx(41 / 5)
    assert (result.min_months, result.max_months) == (5, 18)


def test_seed_002_figures_four_to_nineteen_months_mean_12_86() -> None:
    as_of = D(2026, 6, 4)
    # Each joined on the 5th, so a month completes on each 4th: 4, 8, 12, 14, 16, 17, 19.
    joined = [
        D(2026, 2, 5),
        D(2025, 10, 5),
        D(2025, 6, 5),
        D(2025, 4, 5),
        D(2025, 2, 5),
        D(2025, 1, 5),
        D(2024, 11, 5),
    ]
    register = Register(
        meetings=(), members=tuple(member(f"M{i}", (day, None)) for i, day in enumerate(joined))
    )
    result = retention(register, SEPTEMBER, as_of)
    assert [m.months for m in result.months] == [4, 8, 12, 14, 16, 17, 19]
    assert (result.min_months, result.max_months) == (4, 19)
    assert result.mean_months == pytest.approx(90 / 7)
    assert f"{result.mean_months:.2f}" == "12.86"
    assert result.median_months == 14.0
    assert (result.at_start, result.joined, result.left, result.now) == (5, 2, 0, 7)


def test_as_of_after_the_year_counts_to_its_last_day() -> None:
    register = Register(
        meetings=(),
        members=(
            member("stays to September", (D(2025, 9, 1), D(2026, 9, 15))),
            member("joins after the year", (D(2026, 9, 10), None)),
            member("leaves in July", (D(2025, 9, 1), D(2026, 7, 2))),
        ),
    )
    result = retention(register, SEPTEMBER, D(2026, 10, 1))
    assert (result.at_start, result.joined, result.left, result.now) == (2, 0, 1, 1)
    # Months run to as_of; only the member there on the year's last day is "now".
    assert [(m.months, m.current) for m in result.months] == [
        (12, True),
        (0, False),
        (10, False),
    ]
    assert result.median_months == 12.0


def test_as_of_before_the_year_nobody_has_joined_or_left() -> None:
    register = Register(
        meetings=(),
        members=(member("early", (D(2025, 3, 1), None)), member("late", (D(2025, 10, 1), None))),
    )
    result = retention(register, SEPTEMBER, D(2025, 8, 15))
    assert (result.at_start, result.joined, result.left, result.now) == (1, 0, 0, 1)
    assert [(m.member, m.months) for m in result.months] == [("early", 5)]


def test_nobody_now_gives_no_summary() -> None:
    register = Register(meetings=(), members=(member("gone", (D(2025, 9, 1), D(2025, 9, 30))),))
    result = retention(register, SEPTEMBER, D(2026, 1, 1))
    assert (result.at_start, result.joined, result.left, result.now) == (1, 0, 1, 0)
    assert result.median_months is None
    assert result.mean_months is None
    assert result.min_months is None and result.max_months is None


def test_year_from_the_first_meeting_when_the_rule_gives_no_start() -> None:
    register = Register(
        meetings=(Meeting(D(2025, 2, 6), MeetingStatus.HELD),),
        members=(member("A", (D(2025, 2, 1), None)), member("B", (D(2025, 5, 1), None))),
    )
    result = retention(register, AttendanceRule(), D(2025, 6, 1))
    assert (result.year_start, result.year_end) == (D(2025, 2, 1), D(2026, 2, 1))
    assert (result.at_start, result.joined, result.left, result.now) == (1, 1, 0, 2)
    with pytest.raises(AttendanceError, match="no meetings and no year start"):
        retention(Register(meetings=(), members=()), AttendanceRule(), D(2025, 6, 1))


def test_to_dict() -> None:
    register = Register(meetings=(), members=(member("A", (D(2025, 9, 1), None)),))
    assert retention(register, SEPTEMBER, D(2025, 12, 1)).to_dict() == {
        "year_start": "2025-09-01",
        "year_end": "2026-09-01",
        "as_of": "2025-12-01",
        "at_start": 1,
        "joined": 0,
        "left": 0,
        "now": 1,
        "months": [{"member": "A", "months": 3, "current": True}],
        "median_months": 3.0,
        "mean_months": 3.0,
        "min_months": 3,
        "max_months": 3,
    }
