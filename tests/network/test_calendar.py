"""Meeting calendars: recurrence rules checked and expanded, meetings planned, .ics written."""

from __future__ import annotations

import datetime
import re

import pytest
from dateutil import rrule as du_rrule  # type: ignore[import-untyped]

from imheval.network.calendar import (
    MAX_OCCURRENCES,
    CalendarError,
    CalendarMeeting,
    MeetingSeries,
    plan_meetings,
    read_ics_series,
    to_ics,
)
from shared_fixtures import shared_fixture

FIXTURE = shared_fixture("network", "pimh-ng-meetings.ics")
D = datetime.date
T = datetime.time


def first_thursdays() -> MeetingSeries:
    return MeetingSeries("FREQ=MONTHLY;BYDAY=1TH", D(2025, 2, 1), T(14, 0))


def test_first_thursday_of_every_month_from_february_2025() -> None:
    dates = first_thursdays().dates_between(D(2025, 2, 1), D(2025, 7, 1))
    assert dates == [D(2025, 2, 6), D(2025, 3, 6), D(2025, 4, 3), D(2025, 5, 1), D(2025, 6, 5)]
    assert all(day.weekday() == 3 and day.day <= 7 for day in dates)


def test_window_end_is_exclusive_and_start_inclusive() -> None:
    series = first_thursdays()
    assert series.dates_between(D(2025, 3, 6), D(2025, 4, 3)) == [D(2025, 3, 6)]


def test_first_date_is_not_a_meeting_unless_the_rule_gives_it() -> None:
    # 1 February 2025 is a Saturday: unlike an .ics DTSTART, it does not become a meeting.
    assert first_thursdays().dates_between(D(2025, 1, 1), D(2025, 2, 10)) == [D(2025, 2, 6)]


def test_rule_is_kept_in_plain_form() -> None:
    series = MeetingSeries(" rrule:freq=monthly;byday=1th ", D(2025, 2, 1), T(14))
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1TH"


def test_unbounded_rule_expands_only_within_the_window() -> None:
    daily = MeetingSeries("FREQ=DAILY", D(2000, 1, 1), T(9))
    dates = daily.dates_between(D(2030, 1, 1), D(2030, 1, 4))
    assert dates == [D(2030, 1, 1), D(2030, 1, 2), D(2030, 1, 3)]


def test_too_many_meetings_in_a_window_is_refused() -> None:
    daily = MeetingSeries("FREQ=DAILY", D(2000, 1, 1), T(9))
    with pytest.raises(CalendarError, match=f"more than {MAX_OCCURRENCES:,} meetings"):
        daily.dates_between(D(2000, 1, 1), D(2030, 1, 1))


def test_empty_window_is_refused() -> None:
    with pytest.raises(CalendarError, match="is empty"):
        first_thursdays().dates_between(D(2025, 5, 1), D(2025, 5, 1))


def test_count_counts_from_the_first_date_and_exceptions_still_count() -> None:
    series = MeetingSeries(
        "FREQ=MONTHLY;BYDAY=1TH;COUNT=3", D(2025, 2, 6), T(14), exceptions=(D(2025, 3, 6),)
    )
    assert series.dates_between(D(2025, 1, 1), D(2027, 1, 1)) == [D(2025, 2, 6), D(2025, 4, 3)]
    # A window after the third meeting has none, however far it goes.
    assert series.dates_between(D(2025, 5, 1), D(2030, 1, 1)) == []


def test_until_is_the_last_day_a_meeting_may_fall_on() -> None:
    series = MeetingSeries("FREQ=MONTHLY;BYDAY=1TH;UNTIL=20250403", D(2025, 2, 1), T(14))
    assert series.dates_between(D(2025, 1, 1), D(2026, 1, 1)) == [
        D(2025, 2, 6),
        D(2025, 3, 6),
        D(2025, 4, 3),
    ]


def test_last_friday_and_every_other_week() -> None:
    last_friday = MeetingSeries("FREQ=MONTHLY;BYDAY=-1FR", D(2025, 1, 1), T(10))
    assert last_friday.dates_between(D(2025, 1, 1), D(2025, 4, 1)) == [
        D(2025, 1, 31),
        D(2025, 2, 28),
        D(2025, 3, 28),
    ]
    fortnightly = MeetingSeries("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", D(2025, 1, 7), T(10))
    assert fortnightly.dates_between(D(2025, 1, 1), D(2025, 2, 5)) == [
        D(2025, 1, 7),
        D(2025, 1, 21),
        D(2025, 2, 4),
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=MONTHLY;BYDAY=1XX", "BYDAY value '1XX' is not a day: use MO, TU, WE, TH"),
        ("FREQ=HOURLY", "meetings can repeat at most daily"),
        ("FREQ=MINUTELY;INTERVAL=30", "meetings can repeat at most daily"),
        ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not a frequency"),
        ("BYDAY=TH", "The rule has no FREQ"),
        ("", "The recurrence rule is empty"),
        ("FREQ=WEEKLY;BYDAY=1TH", "only works with FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=MONTHLY;BYDAY=6TH", "a month has no 6th Thursday"),
        ("FREQ=MONTHLY;COUNT=ten", "COUNT=TEN is not a whole number"),
        ("FREQ=MONTHLY;COUNT=0", "COUNT=0 is out of range"),
        ("FREQ=MONTHLY;INTERVAL=-1", "INTERVAL=-1 is out of range"),
        ("FREQ=MONTHLY;COUNT=3;UNTIL=20260101", "not both"),
        ("FREQ=MONTHLY;UNTIL=next year", "is not a date: write it as YYYYMMDD"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32 is out of range"),
        ("FREQ=MONTHLY;BYMONTH=13", "BYMONTH=13 is out of range"),
        ("FREQ=MONTHLY;BYHOUR=9", "the time of day is the series' start time"),
        ("FREQ=MONTHLY;WHEN=1", "'WHEN' is not a part of a recurrence rule"),
        ("FREQ=MONTHLY;FREQ=WEEKLY", "FREQ is given twice"),
        ("FREQ=MONTHLY;BYDAY", "'BYDAY' is not a rule part: each part is NAME=VALUE"),
        ("FREQ=MONTHLY;BYSETPOS=1", "BYSETPOS picks among the dates another BY part gives"),
        ("FREQ=MONTHLY;WKST=XX", "WKST=XX is not a day"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "gives no date on or after 01 February 2025"),
        ("FREQ=MONTHLY;UNTIL=20240101", "gives no date on or after"),
    ],
)
def test_bad_rules_are_refused_in_plain_words(rule: str, message: str) -> None:
    with pytest.raises(CalendarError) as caught:
        MeetingSeries(rule, D(2025, 2, 1), T(14))
    assert message in str(caught.value)
    assert "invalid literal" not in str(caught.value)


def test_leap_day_rule_is_accepted_because_it_occurs_within_eight_years() -> None:
    series = MeetingSeries("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", D(2025, 3, 1), T(9))
    assert series.dates_between(D(2025, 1, 1), D(2030, 1, 1)) == [D(2028, 2, 29)]


def test_impossible_duration_is_refused() -> None:
    with pytest.raises(CalendarError, match="0 minutes is not possible"):
        MeetingSeries("FREQ=MONTHLY;BYDAY=1TH", D(2025, 2, 1), T(14), duration_minutes=0)


def test_plan_meetings_adds_only_dates_not_made_yet_and_is_idempotent() -> None:
    series = first_thursdays()
    window = (D(2025, 2, 1), D(2025, 6, 1))
    first_run = plan_meetings(series, window, [])
    assert first_run == [D(2025, 2, 6), D(2025, 3, 6), D(2025, 4, 3), D(2025, 5, 1)]
    # One-offs (None) are ignored; everything made already is not added again.
    assert plan_meetings(series, window, [*first_run, None]) == []


def test_plan_meetings_never_re_adds_a_moved_or_cancelled_meeting() -> None:
    series = first_thursdays()
    window = (D(2025, 2, 1), D(2025, 6, 1))
    # March's meeting was moved to 13 March (its series date stays 6 March); April's was
    # cancelled (still a row with its series date); May's was deleted by someone.
    existing = [D(2025, 2, 6), D(2025, 3, 6), D(2025, 4, 3)]
    assert plan_meetings(series, window, existing) == [D(2025, 5, 1)]


# --- The research fixture's rule, expanded by us and by dateutil --------------------------


def _fixture_rule() -> tuple[str, datetime.datetime, list[datetime.datetime]]:
    text = FIXTURE.read_text(encoding="utf-8")
    rule = re.search(r"^RRULE:(.+)$", text, re.MULTILINE)
    start = re.search(r"^DTSTART;TZID=[^:]+:(\d{8}T\d{6})$", text, re.MULTILINE)
    exdates = re.findall(r"^EXDATE;TZID=[^:]+:(\d{8}T\d{6})$", text, re.MULTILINE)
    assert rule and start and exdates
    parse = datetime.datetime.strptime
    return (
        rule.group(1).strip(),
        parse(start.group(1), "%Y%m%dT%H%M%S"),
        [parse(value, "%Y%m%dT%H%M%S") for value in exdates],
    )


def test_fixture_rule_expands_as_dateutil_expands_it() -> None:
    rule, start, exdates = _fixture_rule()
    reference = du_rrule.rruleset()
    reference.rrule(du_rrule.rrulestr(rule, dtstart=start))
    for exdate in exdates:
        reference.exdate(exdate)
    expected = [moment.date() for moment in reference]
    series = MeetingSeries(
        rule, start.date(), start.time(), exceptions=tuple(e.date() for e in exdates)
    )
    ours = series.dates_between(D(2025, 1, 1), D(2027, 1, 1))
    assert ours == expected
    # COUNT=11 from 6 February 2025, less the August meeting.
    assert len(ours) == 10
    assert D(2025, 8, 7) not in ours
    assert ours[0] == D(2025, 2, 6)
    assert ours[-1] == D(2025, 12, 4)


def test_read_ics_series_reads_the_fixture() -> None:
    imported = read_ics_series(FIXTURE.read_text(encoding="utf-8"), FIXTURE.name)
    assert imported.tzid == "Europe/Dublin"
    assert imported.summary == "PIMH network group (monthly, first Thursday)"
    series = imported.series
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1TH;COUNT=11"
    assert series.first == D(2025, 2, 6)
    assert series.start_time == T(14, 0)
    assert series.duration_minutes == 90
    assert series.exceptions == (D(2025, 8, 7),)
    rule, start, exdates = _fixture_rule()
    reference = du_rrule.rruleset()
    reference.rrule(du_rrule.rrulestr(rule, dtstart=start))
    for exdate in exdates:
        reference.exdate(exdate)
    assert series.dates_between(D(2025, 1, 1), D(2027, 1, 1)) == [m.date() for m in reference]


def test_read_ics_series_with_folded_lines_dtend_and_several_exdates() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20250107T100000\r\n"
        "DTEND:20250107T111500\r\nRRULE:FREQ=WEEKLY;\r\n BYDAY=TU\r\n"
        "EXDATE:20250114T100000,20250121T100000\r\nEXDATE:20250204T100000\r\n"
        "SUMMARY:Reading group\\, weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    imported = read_ics_series(text, "weekly.ics")
    assert imported.summary == "Reading group, weekly"
    assert imported.tzid == ""
    assert imported.series.duration_minutes == 75
    assert imported.series.dates_between(D(2025, 1, 1), D(2025, 2, 12)) == [
        D(2025, 1, 7),
        D(2025, 1, 28),
        D(2025, 2, 11),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("BEGIN:VCALENDAR\nEND:VCALENDAR\n", "bad.ics: no repeating event"),
        (
            "BEGIN:VEVENT\nDTSTART:20250206T140000\nEND:VEVENT\n",
            "bad.ics: no repeating event",
        ),
        ("BEGIN:VEVENT\nRRULE:FREQ=MONTHLY\nEND:VEVENT\n", "bad.ics: the repeating event has no"),
        (
            "BEGIN:VEVENT\nDTSTART:6 Feb 2025\nRRULE:FREQ=MONTHLY\nEND:VEVENT\n",
            "bad.ics, line 2: DTSTART '6 Feb 2025' is not a date",
        ),
        (
            "BEGIN:VEVENT\nDTSTART:20250206T140000\nRRULE:FREQ=MONTHLY;BYDAY=1XX\nEND:VEVENT\n",
            "bad.ics, line 3: BYDAY value '1XX' is not a day",
        ),
        (
            "BEGIN:VEVENT\nDTSTART:20250206T140000\nRRULE:FREQ=MONTHLY\nDURATION:90m\nEND:VEVENT\n",
            "bad.ics, line 4: DURATION '90m' is not a duration",
        ),
        (
            "BEGIN:VEVENT\nDTSTART:20250206T140000\nRRULE:FREQ=MONTHLY\nEXDATE:August\n"
            "END:VEVENT\n",
            "bad.ics, line 4: EXDATE 'August' is not a date",
        ),
        ("BEGIN:VEVENT\nnonsense\nEND:VEVENT\n", "bad.ics, line 2: 'nonsense' has no ':'"),
    ],
)
def test_read_ics_series_names_the_file_and_line(text: str, message: str) -> None:
    with pytest.raises(CalendarError) as caught:
        read_ics_series(text, "bad.ics")
    assert message in str(caught.value)


# --- Writing .ics -----------------------------------------------------------------------


def _unfold(text: str) -> list[str]:
    """A tolerant RFC 5545 reader: physical lines joined back into content lines."""
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical)
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def _events(text: str) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in _unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return events


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


MEETINGS = [
    CalendarMeeting("12", D(2025, 3, 6), T(14, 0), 90, topic="Attachment, part 1"),
    CalendarMeeting("11", D(2025, 2, 6), T(14, 0), 90, topic="Introductions"),
    CalendarMeeting("13", D(2025, 4, 3), T(14, 0), 60, cancelled=True),
]
STAMP = datetime.datetime(2025, 1, 1, 9, 0, tzinfo=datetime.UTC)


def test_to_ics_one_event_per_meeting_with_stable_uids_and_london_times() -> None:
    text = to_ics("PIMH network group", MEETINGS, uid_domain="trust.example", stamp=STAMP)
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert lines.count("BEGIN:VTIMEZONE") == 1
    assert "TZID:Europe/London" in lines
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in lines
    events = _events(text)
    assert [e["UID"] for e in events] == [
        "network-meeting-11@trust.example",
        "network-meeting-12@trust.example",
        "network-meeting-13@trust.example",
    ]
    assert [e["DTSTART;TZID=Europe/London"] for e in events] == [
        "20250206T140000",
        "20250306T140000",
        "20250403T140000",
    ]
    assert [e["DURATION"] for e in events] == ["PT1H30M", "PT1H30M", "PT1H"]
    assert [_unescape(e["SUMMARY"]) for e in events] == [
        "PIMH network group: Introductions",
        "PIMH network group: Attachment, part 1",
        "PIMH network group",
    ]
    assert [e["STATUS"] for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert all(e["DTSTAMP"] == "20250101T090000Z" for e in events)
    # The same meetings give the same file: UIDs do not depend on order or on the day.
    assert to_ics(
        "PIMH network group", MEETINGS[::-1], uid_domain="trust.example", stamp=STAMP
    ) == (text)


def test_to_ics_escapes_text_and_folds_long_lines_at_75_octets() -> None:
    topic = "Ghosts; angels, and the baby's mind\\ — a long discussion " * 3
    meeting = CalendarMeeting(
        "7", D(2025, 6, 5), T(14), 90, topic=topic, description="Line one\nLine two"
    )
    text = to_ics("Groupe d'été", [meeting], stamp=STAMP)
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    assert any(line.startswith(" ") for line in text.split("\r\n"))
    (event,) = _events(text)
    assert "\\;" in event["SUMMARY"] and "\\," in event["SUMMARY"] and "\\\\" in event["SUMMARY"]
    assert _unescape(event["SUMMARY"]) == f"Groupe d'été: {topic}"
    assert event["DESCRIPTION"] == "Line one\\nLine two"
    # The UTF-8 text survives folding (no character is split between lines).
    text.encode("utf-8").decode("utf-8")


def test_to_ics_other_zones_are_written_in_utc() -> None:
    meeting = CalendarMeeting("1", D(2025, 7, 3), T(14, 0))
    text = to_ics("Group", [meeting], tz="America/New_York", stamp=STAMP)
    assert "BEGIN:VTIMEZONE" not in text
    (event,) = _events(text)
    assert event["DTSTART"] == "20250703T180000Z"


def test_to_ics_dublin_uses_its_own_zone() -> None:
    text = to_ics("Group", [CalendarMeeting("1", D(2025, 7, 3), T(14))], tz="Europe/Dublin")
    (event,) = _events(text)
    assert event["DTSTART;TZID=Europe/Dublin"] == "20250703T140000"
    assert "TZNAME:IST" in _unfold(text)


def test_to_ics_refuses_an_unknown_zone() -> None:
    with pytest.raises(CalendarError, match="'Mars/Olympus' is not a time zone"):
        to_ics("Group", [], tz="Mars/Olympus")


def test_to_ics_round_trips_through_read_ics_series_for_a_written_series() -> None:
    # A calendar with no repeating event (ours lists each meeting) is not a series.
    text = to_ics("Group", MEETINGS, stamp=STAMP)
    with pytest.raises(CalendarError, match="no repeating event"):
        read_ics_series(text, "group.ics")
