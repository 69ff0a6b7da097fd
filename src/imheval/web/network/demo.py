"""The demo's network group, like seed 002's: a perinatal infant mental health network group
that meets for 90 minutes on the first Thursday of every month, with nine members who joined
at different times (one left, one left and came back), a year of marks with apologies and
late arrivals, and readings mapped to the AIMH UK competency framework.

The attendance year starts eight months before the day the demo is loaded, so the group page
always has meetings held and meetings to come. Marks follow a fixed pattern per member (no
randomness), and the latest meeting is left unrecorded for two members, so the page shows
"not recorded" as a facilitator would meet it.
"""

from __future__ import annotations

import datetime

from imheval.web.network import meetings
from imheval.web.network.models import (
    AttendanceMark,
    MeetingReading,
    Member,
    MembershipPeriod,
    NetworkGroup,
    Reading,
)
from imheval.web.organisations.models import Organisation

GROUP_NAME = "Perinatal infant mental health network group"

#: name, profession, service, month joined (0 = the year's first month), month left, rejoined,
#: and the member's marks in turn (P present, L late, E apologies, A absent), repeated.
MEMBERS: tuple[tuple[str, str, str, int, int | None, int | None, str], ...] = (
    ("Aoife Byrne", "Clinical psychologist", "Perinatal mental health", 0, None, None, "PPPLP"),
    ("Brendan Ng", "Health visitor", "Health visiting", 0, None, None, "PEPPA"),
    ("Ciara Walsh", "Occupational therapist", "Perinatal mental health", 0, None, None, "PPEAP"),
    ("Declan Hughes", "Social worker", "Family support", 0, 4, None, "PAPE"),
    ("Eimear Doyle", "Mental health nurse", "Perinatal mental health", 1, None, None, "PPPPL"),
    (
        "Fionn Kelly",
        "Clinical psychologist",
        "Child and adolescent mental health",
        2,
        None,
        None,
        "PLPPE",
    ),
    ("Grace Murphy", "Midwife", "Maternity", 0, 2, 5, "PPAP"),
    ("Hannah Lee", "Speech and language therapist", "Early years", 4, None, None, "PPPA"),
    ("Ibrahim Khan", "Health visitor", "Health visiting", 6, None, None, "PP"),
)
LETTERS = {"P": "present", "L": "late", "E": "apologies", "A": "absent"}

TOPICS = (
    "Welcome: what the group is for",
    "Attachment in pregnancy",
    "Parental reflective functioning",
    "Assessing parent-infant interaction",
    "Infant development in the first year",
    "Working with fathers",
    "Case discussion",
    "Safeguarding and the law",
)

READINGS: tuple[tuple[str, int, str, str, tuple[str, ...]], ...] = (
    (
        "Weatherston, D.",
        2000,
        "The infant mental health specialist",
        "Zero to Three",
        ("relationship_based_practice", "supporting_caregiving"),
    ),
    (
        "Slade, A.",
        2005,
        "Parental reflective functioning: an introduction",
        "Attachment & Human Development",
        ("reflective_practice", "influences_on_caregiving"),
    ),
    (
        "Zeanah, C. H. (ed.)",
        2019,
        "Handbook of infant mental health, chapter 1",
        "Guilford Press",
        ("development",),
    ),
)


def _month(start: datetime.date, months: int) -> datetime.date:
    index = start.year * 12 + start.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def load_network_group(organisation: Organisation, today: datetime.date) -> NetworkGroup:
    """Create the demo group with its meetings, members, marks and readings (see above)."""
    year_start = _month(today.replace(day=1), -8)
    group = NetworkGroup.objects.create(
        organisation=organisation,
        name=GROUP_NAME,
        purpose="Staff from perinatal, health visiting and early years services read "
        "evidence-based literature mapped to infant mental health competencies and discuss "
        "cases together. Members are asked to attend 80% of meetings.",
        year_start=year_start,
        recurrence="FREQ=MONTHLY;BYDAY=1TH",
        start_time=datetime.time(14, 0),
        duration_minutes=90,
    )
    meetings.generate(group)
    schedule = list(group.meetings.order_by("date"))
    for meeting, topic in zip(schedule, TOPICS, strict=False):
        meeting.topic = topic
        meeting.save()
    held = [meeting for meeting in schedule if meeting.date <= today]
    readings = [
        Reading.objects.create(
            organisation=organisation,
            authors=authors,
            year=year,
            title=title,
            source=source,
            competencies=[f"aimh-uk-imhcf:{domain}" for domain in domains],
        )
        for authors, year, title, source, domains in READINGS
    ]
    for index, reading in enumerate(readings):
        if index + 1 < len(schedule):
            meeting = schedule[index + 1]
            MeetingReading.objects.create(
                meeting=meeting,
                reading=reading,
                sent_on=meeting.date - datetime.timedelta(days=7),
            )
    marks = []
    for position, (name, profession, service, joined, left, rejoined, pattern) in enumerate(
        MEMBERS
    ):
        member = Member.objects.create(
            group=group, name=name, profession=profession, service=service
        )
        periods = [(_month(year_start, joined), _last_day(year_start, left))]
        if rejoined is not None:
            periods.append((_month(year_start, rejoined), None))
        for first, last in periods:
            MembershipPeriod.objects.create(member=member, joined=first, left=last)
        eligible = [
            meeting
            for meeting in held
            if any(a <= meeting.date and (b is None or meeting.date <= b) for a, b in periods)
        ]
        for turn, meeting in enumerate(eligible):
            if meeting is held[-1] and position in (1, 5):
                continue  # the latest meeting: not recorded yet for two members
            letter = pattern[turn % len(pattern)]
            marks.append(AttendanceMark(meeting=meeting, member=member, status=LETTERS[letter]))
    # bulk_create sends no signals: a year of marks is seed data, not audit-log entries.
    AttendanceMark.objects.bulk_create(marks)
    return group


def _last_day(year_start: datetime.date, month: int | None) -> datetime.date | None:
    if month is None:
        return None
    return _month(year_start, month + 1) - datetime.timedelta(days=1)
