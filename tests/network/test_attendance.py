"""The attendance rule of issue 14 §3: the worked example, each case the issue lists, by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from imheval.errors import AttendanceError
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
    State,
    standing,
    standings,
)

H, C, P = MeetingStatus.HELD, MeetingStatus.CANCELLED, MeetingStatus.PLANNED
AS_OF = datetime.date(2026, 3, 6)
SEPTEMBER = datetime.date(2025, 9, 1)


def first_thursdays(start: datetime.date, count: int) -> list[datetime.date]:
    """The first Thursday of ``count`` months from ``start``'s month."""
    days = []
    year, month = start.year, start.month
    for _ in range(count):
        day = datetime.date(year, month, 1)
        day += datetime.timedelta(days=(3 - day.weekday()) % 7)
        days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def monthly(count: int = 12, as_of: datetime.date = AS_OF) -> list[Meeting]:
    """A year of first-Thursday meetings from September 2025, held up to ``as_of``."""
    return [Meeting(day, H if day <= as_of else P) for day in first_thursdays(SEPTEMBER, count)]


def register_of(
    meetings: list[Meeting],
    history: str,
    periods: tuple[Period, ...] = (Period(SEPTEMBER),),
    name: str = "Ann",
) -> Register:
    """One member; ``history`` gives a letter per meeting in order (P present, L late, E
    apologies, A absent, . no mark)."""
    letters = {"P": Mark.PRESENT, "L": Mark.LATE, "E": Mark.APOLOGIES, "A": Mark.ABSENT}
    marks = {
        (name, meeting.key): letters[letter]
        for meeting, letter in zip(meetings, history, strict=False)
        if letter in letters
    }
    return Register(tuple(meetings), (Member(name, periods),), marks)


def only(register: Register, rule: AttendanceRule, as_of: datetime.date = AS_OF) -> Standing:
    return standing(register.members[0], register, rule, as_of)


# The worked example of issue 14 §8: P P A E P L P, then 5 to come. Seven meetings held
# (September to March; the March meeting is the 5th, on or before 6 March) and 5 planned.
WORKED = "PPAEPLP"


def worked_register() -> Register:
    days = first_thursdays(SEPTEMBER, 12)
    as_of = days[6]
    meetings = [Meeting(day, H if day <= as_of else P) for day in days]
    return register_of(meetings, WORKED)


def test_worked_example_apologies_missed_must_attend_every_remaining_meeting() -> None:
    # held 7 (the apologies count as held and missed), attended P P P L P = 5, remaining 5,
    # required ceil(0.8 x 12) = ceil(9.6) = 10, slack 5 + 5 - 10 = 0.
    register = worked_register()
    result = only(register, AttendanceRule(), register.meetings[6].date)
    assert (result.held, result.attended, result.apologies, result.remaining) == (7, 5, 1, 5)
    assert (result.required, result.slack) == (10, 0)
    assert result.state is State.MUST_ATTEND_ALL
    assert result.sentence() == "Must attend every remaining meeting"
    assert result.percentage_so_far == pytest.approx(500 / 7)
    assert result.best_possible_percentage == pytest.approx(1000 / 12)


def test_worked_example_apologies_excluded_may_miss_one_more() -> None:
    # held 6 (the apologies meeting leaves held and the base), attended 5, remaining 5,
    # required ceil(0.8 x 11) = ceil(8.8) = 9, slack 5 + 5 - 9 = 1.
    register = worked_register()
    rule = AttendanceRule(apologies=ApologiesPolicy.EXCLUDED)
    result = only(register, rule, register.meetings[6].date)
    assert (result.held, result.attended, result.apologies, result.remaining) == (6, 5, 1, 5)
    assert (result.required, result.slack) == (9, 1)
    assert result.state is State.MAY_MISS
    assert result.may_miss == 1
    assert result.sentence() == "May miss 1 more meeting"
    assert result.to_dict() == {
        "member": "Ann",
        "held": 6,
        "attended": 5,
        "apologies": 1,
        "not_recorded": 0,
        "remaining": 5,
        "required": 9,
        "slack": 1,
        "percentage_so_far": 500 / 6,
        "best_possible_percentage": 1000 / 11,
        "state": "may_miss",
        "may_miss": 1,
    }


# The golden cases of issue 14 §8. The year is September 2025 to August 2026; its meetings are on
# the first Thursdays: 4 Sep, 2 Oct, 6 Nov, 4 Dec, 1 Jan, 5 Feb, 5 Mar (held as of 6 March 2026),
# 2 Apr, 7 May, 4 Jun, 2 Jul, 6 Aug (planned). Target 80% unless said.


def test_joining_mid_year_on_a_meeting_date_counts_that_meeting() -> None:
    # Joined 4 Dec (a meeting day, inclusive): eligible held Dec, Jan, Feb, Mar = 4, marked
    # P P A P, so attended 3; remaining Apr-Aug = 5; base 9, required ceil(7.2) = 8,
    # slack 3 + 5 - 8 = 0. The marks-free months before joining count for nothing.
    meetings = monthly()
    register = register_of(meetings, "...PPAP", (Period(datetime.date(2025, 12, 4)),))
    result = only(register, AttendanceRule())
    assert (result.held, result.attended, result.remaining) == (4, 3, 5)
    assert (result.required, result.slack, result.not_recorded) == (8, 0, 0)
    assert result.state is State.MUST_ATTEND_ALL
    assert result.percentage_so_far == pytest.approx(75.0)
    # Joining the day after: Dec is not eligible; held 3 (P A P), attended 2, base 8,
    # required ceil(6.4) = 7, slack 2 + 5 - 7 = 0.
    later = register_of(meetings, "....PAP", (Period(datetime.date(2025, 12, 5)),))
    result = only(later, AttendanceRule())
    assert (result.held, result.attended, result.required, result.slack) == (3, 2, 7, 0)


def test_leaving_and_rejoining_counts_only_the_periods_of_membership() -> None:
    # Member 1 Sep - 2 Oct (left on the October meeting's day: inclusive), again from 15 Jan.
    # Eligible held: Sep, Oct, Feb, Mar = 4, all present; Nov, Dec, Jan are outside and their
    # absent marks are ignored; remaining 5; base 9, required ceil(7.2) = 8, slack 4 + 5 - 8 = 1.
    periods = (
        Period(SEPTEMBER, datetime.date(2025, 10, 2)),
        Period(datetime.date(2026, 1, 15)),
    )
    register = register_of(monthly(), "PPAAAPP", periods)
    result = only(register, AttendanceRule())
    assert (result.held, result.attended, result.remaining) == (4, 4, 5)
    assert (result.required, result.slack, result.may_miss) == (8, 1, 1)
    assert result.state is State.MAY_MISS
    assert result.percentage_so_far == pytest.approx(100.0)
    assert result.best_possible_percentage == pytest.approx(100.0)


def test_a_cancelled_meeting_counts_for_nobody() -> None:
    # November cancelled (its absent mark is ignored): held 6, marked P P P P P A -> attended 5;
    # remaining 5; base 11, required ceil(8.8) = 9, slack 5 + 5 - 9 = 1.
    meetings = monthly()
    meetings[2] = Meeting(meetings[2].date, C)
    register = register_of(meetings, "PPAPPPA")
    result = only(register, AttendanceRule())
    assert (result.held, result.attended, result.remaining) == (6, 5, 5)
    assert (result.required, result.slack) == (9, 1)
    assert result.sentence() == "May miss 1 more meeting"


def test_a_moved_meeting_counts_on_its_new_date() -> None:
    # March's meeting moved from 5 to 12 March, after the as-of date: it is planned. Held 6
    # (Sep-Feb, P P P P A P -> attended 5), remaining 6; base 12, required ceil(9.6) = 10,
    # slack 5 + 6 - 10 = 1.
    meetings = monthly()
    meetings[6] = Meeting(datetime.date(2026, 3, 12), P)
    register = register_of(meetings, "PPPPAP")
    result = only(register, AttendanceRule())
    assert (result.held, result.attended, result.remaining) == (6, 5, 6)
    assert (result.required, result.slack, result.may_miss) == (10, 1, 1)
    # A member who leaves on 10 March misses the moved meeting's eligibility and every later one:
    # held 6, attended 5, remaining 0; base 6, required ceil(4.8) = 5, slack 0: met already.
    leaver = register_of(meetings, "PPPPAP", (Period(SEPTEMBER, datetime.date(2026, 3, 10)),))
    result = only(leaver, AttendanceRule())
    assert (result.held, result.remaining, result.required, result.slack) == (6, 0, 5, 0)
    assert result.state is State.MET


def test_late_counts_as_attended_or_as_missed_as_the_group_says() -> None:
    # P L L P P A P: held 7, remaining 5, base 12, required 10.
    register = register_of(monthly(), "PLLPPAP")
    # Late attended: attended 6, slack 6 + 5 - 10 = 1.
    counted = only(register, AttendanceRule(late=LatePolicy.ATTENDED))
    assert (counted.attended, counted.slack, counted.state) == (6, 1, State.MAY_MISS)
    # Late missed: attended 4, slack 4 + 5 - 10 = -1; best possible 9 / 12 = 75% < 80%.
    missed = only(register, AttendanceRule(late=LatePolicy.MISSED))
    assert (missed.attended, missed.slack, missed.state) == (4, -1, State.CANNOT_REACH)
    assert missed.best_possible_percentage == pytest.approx(75.0)
    assert missed.sentence() == "Cannot reach the target this year"


def test_apologies_for_a_coming_meeting_leave_the_base_only_when_excluded() -> None:
    # The worked example's history plus apologies sent for April (planned), as of March.
    register = register_of(monthly(), WORKED + "E")
    # Missed: April stays remaining (the member may still come): held 7, attended 5,
    # remaining 5, required 10, slack 0. Apologies counted: the held one only.
    missed = only(register, AttendanceRule())
    assert (missed.held, missed.remaining, missed.apologies, missed.slack) == (7, 5, 1, 0)
    # Excluded: March's apologies and April's leave the base: held 6, remaining 4,
    # base 10, required 8, slack 5 + 4 - 8 = 1.
    excluded = only(register, AttendanceRule(apologies=ApologiesPolicy.EXCLUDED))
    assert (excluded.held, excluded.remaining, excluded.required) == (6, 4, 8)
    assert (excluded.slack, excluded.state) == (1, State.MAY_MISS)


def test_an_unrecorded_meeting_counts_as_missed_and_is_listed() -> None:
    # P P . P P P P: November has no mark. Held 7, attended 6, not recorded 1; remaining 5,
    # required 10, slack 6 + 5 - 10 = 1.
    register = register_of(monthly(), "PP.PPPP")
    result = only(register, AttendanceRule())
    assert (result.held, result.attended, result.not_recorded) == (7, 6, 1)
    assert result.not_recorded_meetings == ("2025-11-06",)
    assert (result.slack, result.may_miss) == (1, 1)
    # Recorded as present, the slack grows by one: 7 + 5 - 10 = 2.
    recorded = register_of(monthly(), "PPPPPPP")
    assert only(recorded, AttendanceRule()).slack == 2


def test_the_last_meeting_of_the_year() -> None:
    # As of 2 July (the 11th meeting): 11 held, August remains. Nine present, two absent:
    # attended 9, remaining 1; required ceil(9.6) = 10,
    # slack 9 + 1 - 10 = 0: must attend the last one.
    july = datetime.date(2026, 7, 2)
    register = register_of(monthly(as_of=july), "PPPPPPPPPAA")
    result = only(register, AttendanceRule(), july)
    assert (result.held, result.attended, result.remaining, result.slack) == (11, 9, 1, 0)
    assert result.state is State.MUST_ATTEND_ALL
    # As of 6 August, the last meeting held: no meeting remains, so met or not met.
    august = datetime.date(2026, 8, 6)
    present = register_of(monthly(as_of=august), "PPPPPPPPPAAP")
    result = only(present, AttendanceRule(), august)
    assert (result.held, result.attended, result.remaining, result.slack) == (12, 10, 0, 0)
    assert (result.state, result.sentence()) == (State.MET, "Met the target")
    absent = register_of(monthly(as_of=august), "PPPPPPPPPAAA")
    result = only(absent, AttendanceRule(), august)
    assert (result.attended, result.slack, result.state) == (9, -1, State.NOT_MET)
    assert result.sentence() == "Did not meet the target"


def test_as_of_after_the_year_ends_ignores_later_meetings() -> None:
    # As of 15 September 2026: the year (Sep 2025 - Aug 2026) is over. A 13th meeting on
    # 3 September 2026 (held, present) is outside the year and ignored. 12 held, 9 attended,
    # required 10, slack -1: not met.
    as_of = datetime.date(2026, 9, 15)
    register = register_of(monthly(13, as_of), "PPPPPPPPPAAAP")
    result = only(register, AttendanceRule(), as_of)
    assert (result.held, result.attended, result.remaining) == (12, 9, 0)
    assert (result.required, result.slack, result.state) == (10, -1, State.NOT_MET)
    assert AttendanceRule().year(register) == (SEPTEMBER, datetime.date(2026, 9, 1))


def test_a_member_with_no_eligible_meetings_left_is_met_or_not_met_already() -> None:
    # Left 31 January: eligible Sep-Jan = 5 held, none remaining. P P P A P: attended 4,
    # required ceil(4.0) = 4, slack 0: met, though the year runs on.
    periods = (Period(SEPTEMBER, datetime.date(2026, 1, 31)),)
    result = only(register_of(monthly(), "PPPAP", periods), AttendanceRule())
    assert (result.held, result.remaining, result.required, result.slack) == (5, 0, 4, 0)
    assert result.state is State.MET
    # P P A A P: attended 3, slack -1: not met (not "cannot reach": nothing remains to attend).
    result = only(register_of(monthly(), "PPAAP", periods), AttendanceRule())
    assert (result.attended, result.slack, result.state) == (3, -1, State.NOT_MET)


def test_a_member_with_no_eligible_meeting_at_all_has_no_percentages() -> None:
    # Joined 10 August 2026, after the year's last meeting: base 0, required 0, slack 0.
    periods = (Period(datetime.date(2026, 8, 10)),)
    result = only(register_of(monthly(), "", periods), AttendanceRule())
    assert (result.held, result.remaining, result.required, result.slack) == (0, 0, 0, 0)
    assert result.percentage_so_far is None
    assert result.best_possible_percentage is None
    assert result.state is State.MET
    # The arithmetic says "met"; the sentence says why, rather than "Met the target".
    assert result.sentence() == "No meeting counts for them this year"


def test_required_is_computed_exactly_not_in_floats() -> None:
    # 70% of 10 is exactly 7 (in floats 0.7 * 10 is 7.000000000000001, whose ceiling is 8).
    # Held 10 of Sep-Jun as of 4 June: 7 present; remaining 2 (Jul, Aug): base 12,
    # required ceil(8.4) = 9. Then with a ten-meeting year, as of its end: required 7.
    june = datetime.date(2026, 6, 4)
    register = register_of(monthly(as_of=june), "PPPPPPPAAA")
    result = only(register, AttendanceRule(target_percent=Decimal(70)), june)
    assert (result.held, result.remaining, result.required) == (10, 2, 9)
    ten = register_of(monthly(10, june), "PPPPPPPAAA")
    rule = AttendanceRule(target_percent=Decimal(70), year_months=10)
    result = only(ten, rule, june)
    assert (result.held, result.remaining, result.required, result.slack) == (10, 0, 7, 0)
    assert result.state is State.MET


def test_year_start_sets_the_year() -> None:
    # A year from 15 October 2025 runs October 2025 - September 2026: September 2025's meeting
    # (absent) is outside it. Held Oct-Mar = 6, all present; remaining 5; required
    # ceil(8.8) = 9, slack 6 + 5 - 9 = 2.
    rule = AttendanceRule(year_start=datetime.date(2025, 10, 15))
    register = register_of(monthly(), "APPPPPP")
    assert rule.year(register) == (datetime.date(2025, 10, 1), datetime.date(2026, 10, 1))
    result = only(register, rule)
    assert (result.held, result.attended, result.remaining, result.slack) == (6, 6, 5, 2)
    assert result.sentence() == "May miss 2 more meetings"


def test_standings_are_ordered_for_the_facilitator() -> None:
    meetings = tuple(monthly())
    marks: dict[tuple[str, str], Mark] = {}
    histories = {
        "Zoe": "PPPPPPP",  # slack 7 + 5 - 10 = 2
        "Bea": "PPPPPAP",  # slack 1
        "Cal": "PAAPPAP",  # slack 4 + 5 - 10 = -1: cannot reach
        "Dan": "PPAAPPP",  # slack 0: must attend all
        "Eve": "PPP",  # left 30 Nov: held 3, attended 3, required 3: met
        "Fay": "PAA",  # left 30 Nov: attended 1, required 3: not met
    }
    letters = {"P": Mark.PRESENT, "A": Mark.ABSENT}
    for name, history in histories.items():
        for meeting, letter in zip(meetings, history, strict=False):
            marks[(name, meeting.key)] = letters[letter]
    left = datetime.date(2025, 11, 30)
    members = tuple(
        Member(name, (Period(SEPTEMBER, left if name in {"Eve", "Fay"} else None),))
        for name in histories
    )
    result = standings(Register(meetings, members, marks), AttendanceRule(), AS_OF)
    assert [(s.member, s.state, s.slack) for s in result] == [
        ("Cal", State.CANNOT_REACH, -1),
        ("Dan", State.MUST_ATTEND_ALL, 0),
        ("Bea", State.MAY_MISS, 1),
        ("Zoe", State.MAY_MISS, 2),
        ("Fay", State.NOT_MET, -2),
        ("Eve", State.MET, 0),
    ]


def test_a_held_meeting_after_as_of_is_an_error_naming_it() -> None:
    meetings = monthly()
    meetings[7] = Meeting(meetings[7].date, H)
    with pytest.raises(AttendanceError) as error:
        only(register_of(meetings, ""), AttendanceRule())
    assert str(error.value) == (
        "the meeting of 2026-04-02 is marked held but is after the as-of date 2026-03-06: "
        "mark it planned or cancelled"
    )


def test_a_planned_meeting_on_or_before_as_of_is_an_error_naming_it() -> None:
    meetings = monthly()
    meetings[6] = Meeting(meetings[6].date, P)
    with pytest.raises(AttendanceError) as error:
        only(register_of(meetings, ""), AttendanceRule())
    assert str(error.value) == (
        "the meeting of 2026-03-05 is marked planned but is on or before the as-of date "
        "2026-03-06: mark it held or cancelled"
    )


def test_bad_settings_and_periods_are_refused() -> None:
    with pytest.raises(AttendanceError, match="before it starts"):
        Period(datetime.date(2026, 1, 2), datetime.date(2026, 1, 1))
    with pytest.raises(AttendanceError, match="between 0 and 100"):
        AttendanceRule(target_percent=Decimal(120))
    with pytest.raises(AttendanceError, match="at least 1 month"):
        AttendanceRule(year_months=0)
    with pytest.raises(AttendanceError, match="no meetings"):
        AttendanceRule().year(Register((), ()))


def test_keys_default_to_the_date_and_the_name() -> None:
    assert Meeting(datetime.date(2026, 3, 5), H).key == "2026-03-05"
    assert Meeting(datetime.date(2026, 3, 5), H, key="17").key == "17"
    assert Member("Ann", ()).key == "Ann"
    assert Member("Ann", (), key="4").key == "4"
