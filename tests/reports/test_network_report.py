"""The network group report and the CPD statement, built from core values (no Django)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from imheval.instruments.frameworks import IMH_SERVICE
from imheval.network.attendance import (
    AttendanceRule,
    Mark,
    Meeting,
    MeetingStatus,
    Member,
    Period,
    Register,
)
from imheval.network.coverage import CoverageMeeting, ReadingTags, coverage_grid
from imheval.network.retention import retention
from imheval.reports.html import render_html
from imheval.reports.model import Table
from imheval.reports.network import (
    Citation,
    GroupFacts,
    cpd_statement,
    group_report,
    hours,
    meeting_counts,
)

D = datetime.date
HELD, PLANNED, CANCELLED = MeetingStatus.HELD, MeetingStatus.PLANNED, MeetingStatus.CANCELLED
FACTS = GroupFacts(
    name="PIMH network",
    organisation="Northern HSC Trust",
    purpose="Monthly readings and case discussion.",
    facilitators=("Dr Eve Facilitator", "Dr Finn Facilitator"),
)
RULE = AttendanceRule(target_percent=Decimal(80), year_start=D(2025, 9, 1))
AS_OF = D(2025, 12, 10)
FRAIBERG = Citation(
    authors="Fraiberg, S., Adelson, E., & Shapiro, V.",
    year=1975,
    title="Ghosts in the nursery",
    source="Journal of the American Academy of Child Psychiatry",
    doi="10.1016/S0002-7138(09)61442-4",
)


def register() -> Register:
    """Four meetings held (one cancelled between), two planned; three members, one joining
    late (after the first meeting)."""
    meetings = (
        Meeting(D(2025, 9, 4), HELD, "Ghosts in the nursery", 90, "m1"),
        Meeting(D(2025, 10, 2), HELD, "Reflective functioning", 90, "m2"),
        Meeting(D(2025, 11, 6), CANCELLED, "", 90, "m3"),
        Meeting(D(2025, 12, 4), HELD, "Video feedback", 120, "m4"),
        Meeting(D(2026, 1, 8), PLANNED, "Fathers", 90, "m5"),
        Meeting(D(2026, 2, 5), PLANNED, "", 90, "m6"),
    )
    members = (
        Member("Aoife Byrne", (Period(D(2025, 9, 1)),), "Psychology", key="a"),
        Member("Brendan Cole", (Period(D(2025, 9, 1)),), "Nursing", key="b"),
        Member("Ciara Doyle", (Period(D(2025, 9, 20)),), "Social work", key="c"),
    )
    marks = {
        ("a", "m1"): Mark.PRESENT,
        ("a", "m2"): Mark.LATE,
        ("a", "m4"): Mark.PRESENT,
        ("b", "m1"): Mark.ABSENT,
        ("b", "m2"): Mark.APOLOGIES,
        ("b", "m4"): Mark.PRESENT,
        ("c", "m2"): Mark.PRESENT,
    }
    return Register(meetings, members, marks)


def test_meeting_counts_per_held_meeting_only_members_on_the_day() -> None:
    rows = meeting_counts(register(), RULE)
    assert [
        (r.meeting.key, r.eligible, r.present, r.late, r.apologies, r.absent, r.not_recorded)
        for r in rows
    ] == [
        ("m1", 2, 1, 0, 0, 1, 0),  # Ciara joined after 4 September
        ("m2", 3, 1, 1, 1, 0, 0),
        ("m4", 3, 2, 0, 0, 0, 1),  # Ciara not recorded
    ]
    assert [r.attended for r in rows] == [1, 2, 2]


def test_group_report_sections_and_no_member_named() -> None:
    reg = register()
    grid = coverage_grid(
        IMH_SERVICE,
        [CoverageMeeting("m1", D(2025, 9, 4), "4 Sep"), CoverageMeeting("m2", D(2025, 10, 2))],
        {
            "m1": [ReadingTags("r1", "Ghosts", ("imh-service-dimensions:emotional_support",))],
            "m2": [ReadingTags("r2", "Angels", ())],
        },
    )
    report = group_report(
        FACTS,
        reg,
        RULE,
        AS_OF,
        coverage=grid,
        retention=retention(reg, RULE, AS_OF),
        readings=[FRAIBERG],
        generated="2025-12-10T09:00:00+00:00",
    )
    assert [s.id for s in report.sections] == [
        "summary",
        "attendance",
        "retention",
        "coverage",
        "readings",
    ]
    summary = " ".join(getattr(b, "text", "") for b in report.section("summary").blocks)
    assert "The group has met 3 times so far this attendance year; 2 more meetings are" in summary
    assert "1 was cancelled" in summary
    # places: 2 + 3 + 3 = 8 expected; in the room 1 + 2 + 2 = 5; 62.5% shown as 62%
    assert "62% of the members expected at a meeting were there" in summary
    assert "5 of 8 places" in summary
    assert "touched 1 of the 6 domains" in summary
    states = report.section("attendance").tables()[1]
    assert states.caption == "Members by standing"
    # three members, each in a state of fewer than 5: every count and the total hidden
    assert {row[1] for row in states.rows} <= {"hidden", "0"}
    assert states.suppressed_note is not None
    html = render_html(report)
    for name in ("Aoife", "Brendan", "Ciara", "Psychology", "Nursing"):
        assert name not in html
    assert "Fraiberg, S., Adelson, E., &amp; Shapiro, V. (1975). Ghosts in the nursery." in html
    assert (
        "1 reading set this year is not mapped to this framework and not counted: Angels." in html
    )
    coverage = report.section("coverage").tables()[0]
    assert coverage.header == ("Domain", "4 Sep", "2 Oct 2025", "Total")
    retention_table = report.section("retention").tables()[0]
    assert [row[1] for row in retention_table.rows] == ["2", "1", "0", "3"]


def test_states_are_counted_when_the_group_is_large_enough() -> None:
    reg = register()
    report = group_report(FACTS, reg, RULE, AS_OF, min_group_size=1)
    states: Table = report.section("attendance").tables()[1]
    counts = {row[0]: row[1] for row in states.rows}
    assert counts["All"] == "3"
    assert sum(int(v) for k, v in counts.items() if k != "All") == 3


def test_cpd_statement_lists_attended_meetings_with_hours_and_readings() -> None:
    reg = register()
    member = reg.members[0]
    report = cpd_statement(
        FACTS, member, reg, made_on=D(2025, 12, 10), readings_by_meeting={"m1": [FRAIBERG]}
    )
    assert report.title == "CPD statement: Aoife Byrne"
    summary, meetings = report.section("cpd").tables()
    details = dict((row[0], row[1]) for row in summary.rows)
    assert details["Meetings attended"] == "3"
    assert details["Total time"] == "5 hours"  # 90 + 90 + 120 minutes
    assert details["Facilitators"] == "Dr Eve Facilitator and Dr Finn Facilitator"
    assert details["Statement made"] == "10 December 2025"
    assert [row[0] for row in meetings.rows] == [
        "4 September 2025",
        "2 October 2025",
        "4 December 2025",
    ]
    assert meetings.rows[0][3].startswith("Fraiberg, S.")
    assert meetings.rows[2][2] == "2 hours"
    assert meetings.notes == (
        "Arrived late to the meeting of 2 October 2025; the full length of the meeting is shown.",
    )
    html = render_html(report)
    assert "Brendan" not in html and "Ciara" not in html


def test_cpd_statement_with_nothing_attended_says_so() -> None:
    reg = register()
    newcomer = Member("Dara Egan", (Period(D(2025, 11, 1)),), key="d")
    report = cpd_statement(FACTS, newcomer, reg, made_on=D(2025, 12, 10))
    assert "No attended meeting is recorded yet." in render_html(report)
    details = dict((r[0], r[1]) for r in report.section("cpd").tables()[0].rows)
    assert (details["Meetings attended"], details["Total time"]) == ("0", "0 hours")


def test_hours_are_exact_and_read_well() -> None:
    assert [hours(m) for m in (60, 90, 45, 100, 0)] == [
        "1 hour",
        "1.5 hours",
        "0.75 hours",
        "1.67 hours",
        "0 hours",
    ]


def test_citation_without_doi_uses_the_address_and_keeps_punctuation() -> None:
    citation = Citation("Slade, A.", None, "What is reflective functioning?", url="https://x.org")
    assert citation.text() == "Slade, A. (n.d.). What is reflective functioning? https://x.org"


def _six_joined(current: int) -> Register:
    """Six members who all joined on 1 September 2025; all but ``current`` left on 31 October."""
    meetings = (Meeting(D(2025, 9, 4), HELD, "", 90, "m1"),)
    members = tuple(
        Member(
            f"Member {i}",
            (Period(D(2025, 9, 1), None if i < current else D(2025, 10, 31)),),
            key=str(i),
        )
        for i in range(6)
    )
    return Register(meetings, members, {})


def _retention_text(reg: Register, min_group_size: int = 5) -> str:
    held = retention(reg, RULE, AS_OF)
    report = group_report(FACTS, reg, RULE, AS_OF, retention=held, min_group_size=min_group_size)
    return " ".join(getattr(b, "text", "") for b in report.section("retention").blocks)


def test_median_months_is_hidden_when_fewer_current_members_than_the_small_group_size() -> None:
    # Six ever joined, two members now: the median is over those two, so it is not shown.
    reg = _six_joined(current=2)
    held = retention(reg, RULE, AS_OF)
    assert (len(held.months), held.now, held.median_months) == (6, 2, 3.0)
    text = _retention_text(reg)
    assert "median of" not in text
    assert "The median months of membership is not shown" in text
    assert "fewer than 5 members" in text


def test_median_months_is_shown_for_enough_current_members() -> None:
    reg = _six_joined(current=5)
    held = retention(reg, RULE, AS_OF)
    assert (held.now, held.median_months) == (5, 3.0)
    text = _retention_text(reg)
    # 1 September to 10 December 2025: 3 whole months for each of the five.
    assert "Members have belonged to the group for a median of 3 months" in text
    assert "not shown" not in text
