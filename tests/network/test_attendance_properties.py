"""Property tests of the attendance rule (hypothesis): the state agrees with the arithmetic."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

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
)

START = datetime.date(2025, 9, 1)
REACHABLE = {State.MAY_MISS, State.MUST_ATTEND_ALL, State.MET}


@st.composite
def cases(draw: st.DrawFn) -> tuple[Register, AttendanceRule, datetime.date]:
    """A year of up to 24 meetings (some cancelled), one member with up to 3 periods and random
    marks (some missing), a random rule and an as-of date before, inside or after the year."""
    count = draw(st.integers(0, 24))
    offsets = sorted(draw(st.sets(st.integers(0, 364), min_size=count, max_size=count)))
    days = [START + datetime.timedelta(days=offset) for offset in offsets]
    as_of = START + datetime.timedelta(days=draw(st.integers(-30, 420)))
    meetings = tuple(
        Meeting(
            day,
            MeetingStatus.CANCELLED
            if draw(st.integers(0, 9)) == 0
            else (MeetingStatus.HELD if day <= as_of else MeetingStatus.PLANNED),
        )
        for day in days
    )
    bounds = sorted(draw(st.sets(st.integers(-20, 400), min_size=1, max_size=6)))
    periods = []
    for first, last in zip(bounds[::2], [*bounds[1::2], None], strict=False):
        joined = START + datetime.timedelta(days=first)
        left = None if last is None else START + datetime.timedelta(days=last)
        periods.append(Period(joined, left))
    member = Member("Ann", tuple(periods))
    marks = {
        ("Ann", meeting.key): mark
        for meeting in meetings
        if (mark := draw(st.sampled_from([*Mark, None]))) is not None
    }
    rule = AttendanceRule(
        target_percent=draw(
            st.sampled_from(
                [
                    Decimal(0),
                    Decimal(50),
                    Decimal(75),
                    Decimal(80),
                    Decimal("66.7"),
                    Decimal(90),
                    Decimal(100),
                ]
            )
        ),
        late=draw(st.sampled_from(list(LatePolicy))),
        apologies=draw(st.sampled_from(list(ApologiesPolicy))),
        year_start=START,
    )
    return Register(meetings, (member,), marks), rule, as_of


def exact_best(result: Standing) -> Fraction:
    return Fraction(result.attended + result.remaining, result.held + result.remaining) * 100


@settings(max_examples=200, deadline=None)
@given(cases())
def test_reachable_state_iff_best_possible_reaches_the_target(
    case: tuple[Register, AttendanceRule, datetime.date],
) -> None:
    register, rule, as_of = case
    result = standing(register.members[0], register, rule, as_of)
    if result.best_possible_percentage is None:
        assert result.held + result.remaining == 0
        assert result.state is State.MET
        return
    reaches = exact_best(result) >= Fraction(rule.target_percent)
    assert (result.state in REACHABLE) == reaches
    # The float the caller sees agrees with the exact comparison too.
    assert (result.best_possible_percentage >= float(rule.target_percent)) == reaches


@settings(max_examples=200, deadline=None)
@given(cases())
def test_slack_arithmetic_counts_and_states(
    case: tuple[Register, AttendanceRule, datetime.date],
) -> None:
    register, rule, as_of = case
    result = standing(register.members[0], register, rule, as_of)
    base = result.held + result.remaining
    assert result.slack == result.attended + result.remaining - result.required
    assert result.required == -((-rule.target * base) // 1)  # ceil, exactly
    for count in (result.held, result.attended, result.apologies, result.not_recorded):
        assert count >= 0
    assert result.remaining >= 0
    assert 0 <= result.required <= base
    assert result.attended + result.not_recorded <= result.held
    assert len(result.not_recorded_meetings) == result.not_recorded
    year_over = as_of >= rule.year(register)[1]
    if year_over or result.remaining == 0:
        assert result.state is (State.MET if result.slack >= 0 else State.NOT_MET)
    else:
        expected = {-1: State.CANNOT_REACH, 0: State.MUST_ATTEND_ALL, 1: State.MAY_MISS}
        assert result.state is expected[max(-1, min(1, result.slack))]
    assert result.may_miss == (result.slack if result.state is State.MAY_MISS else 0)
    if year_over:
        assert result.remaining == 0
        if result.percentage_so_far is not None:
            met = Fraction(result.attended * 100, result.held) >= Fraction(rule.target_percent)
            assert (result.state is State.MET) == met


ORDER = [State.CANNOT_REACH, State.NOT_MET, State.MUST_ATTEND_ALL, State.MAY_MISS, State.MET]


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_a_present_mark_never_makes_the_standing_worse(
    case: tuple[Register, AttendanceRule, datetime.date], data: st.DataObject
) -> None:
    register, rule, as_of = case
    held = [m for m in register.meetings if m.status is MeetingStatus.HELD]
    if not held:
        return
    meeting = data.draw(st.sampled_from(held))
    before = standing(register.members[0], register, rule, as_of)
    marks = {**register.marks, ("Ann", meeting.key): Mark.PRESENT}
    changed = Register(register.meetings, register.members, marks)
    after = standing(changed.members[0], changed, rule, as_of)
    assert after.slack >= before.slack
    assert after.attended >= before.attended
    # Adding a mark changes neither remaining nor whether the year is over, so the state moves
    # only up its own scale: cannot reach, must attend all, may miss k (k up); or not met, met.
    assert ORDER.index(after.state) >= ORDER.index(before.state)
    assert after.may_miss >= before.may_miss
