"""A network group's report and a member's CPD statement, as :class:`Report` values.

Both are built from the core's values only (a :class:`~imheval.network.attendance.Register`,
its :class:`~imheval.network.attendance.AttendanceRule`, the coverage grid, retention and the
profile section), so the web app and any other caller get the same report, rendered as HTML, PDF
or Word by :func:`imheval.reports.write_report`.

The group report travels further than the group page, so it names nobody: attendance is given
per meeting as counts, and members by their standing as counts of people, which go through
:func:`imheval.suppression.suppress` (a state held by fewer than ``min_group_size`` members is
"hidden", and so is any count it could be worked out from). The counts per meeting are shown in
full: they are a staff meeting's register, which everyone present saw, and they name no one;
so are the retention counts (members at the start of the year, joined, left), which the group
itself knows. The median months of membership describes the members now, and is shown only
when they number ``min_group_size`` or more (however many joined over the year).

A CPD statement is the opposite: it is one member's own record (their name, the meetings they
attended with dates, hours, topics and readings), made for them and nobody else.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from imheval._version import __version__
from imheval.findings.wording import join_and, plural
from imheval.network.attendance import (
    AttendanceRule,
    LatePolicy,
    Mark,
    Meeting,
    MeetingStatus,
    Member,
    Register,
    Standing,
    standings,
)
from imheval.network.coverage import CoverageGrid
from imheval.network.retention import Retention
from imheval.qualitative.outputs_section import QualitativeSection
from imheval.reports.model import Block, Callout, Heading, Number, Paragraph, Report, Section, Table
from imheval.reports.sections.qualitative import qualitative_sections
from imheval.reports.wording import DASH, HIDDEN
from imheval.suppression import suppress

#: Fewer members than this in a state are shown as "hidden" (the project's small-group rule).
DEFAULT_MIN_GROUP_SIZE = 5

#: The members-by-state table's rows, in the facilitators' order.
STATE_LABELS: tuple[tuple[str, str], ...] = (
    ("cannot_reach", "Can no longer reach the target"),
    ("must_attend_all", "Must attend every remaining meeting"),
    ("may_miss", "May miss one or more meetings"),
    ("not_met", "Year over: target not met"),
    ("met", "Year over: target met"),
)

MARK_LABELS = {
    Mark.PRESENT: "Present",
    Mark.LATE: "Late",
    Mark.APOLOGIES: "Apologies",
    Mark.ABSENT: "Absent",
}


@dataclass(frozen=True, slots=True)
class Citation:
    """A reading as the report cites it: authors (year). Title. Source. DOI or address."""

    authors: str
    year: int | None
    title: str
    source: str = ""
    doi: str = ""
    url: str = ""

    def text(self) -> str:
        """The reference in one line, e.g. 'Fraiberg, S. (1975). Ghosts in the nursery. J Am
        Acad Child Psychiatry. https://doi.org/10.1016/...'."""
        year = f" ({self.year})" if self.year else " (n.d.)"
        parts = [f"{self.authors.strip()}{year}.", _sentence(self.title)]
        if self.source.strip():
            parts.append(_sentence(self.source))
        if self.doi.strip():
            doi = self.doi.strip()
            parts.append(doi if doi.startswith("http") else f"https://doi.org/{doi}")
        elif self.url.strip():
            parts.append(self.url.strip())
        return " ".join(parts)


def _sentence(text: str) -> str:
    """``text`` ending in a full stop (unless it ends in ., ? or ! already)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """What the report says about the group that the register does not hold."""

    name: str
    organisation: str
    purpose: str = ""
    facilitators: tuple[str, ...] = field(default=())


def hours(minutes: int) -> str:
    """90 -> '1.5 hours', 60 -> '1 hour', 45 -> '0.75 hours' (exact to the minute)."""
    value = Decimal(minutes) / Decimal(60)
    text = format(value.quantize(Decimal("0.01")).normalize(), "f")
    return f"{text} hour" if value == 1 else f"{text} hours"


def long_date(day: datetime.date) -> str:
    """'5 February 2026' (no leading zero)."""
    return f"{day.day} {day:%B %Y}"


def _in_year(register: Register, rule: AttendanceRule) -> tuple[Meeting, ...]:
    start, end = rule.year(register)
    return tuple(m for m in register.meetings if start <= m.date < end)


@dataclass(frozen=True, slots=True)
class MeetingCounts:
    """One held meeting's register as counts: eligible members and each mark."""

    meeting: Meeting
    eligible: int
    present: int
    late: int
    apologies: int
    absent: int
    not_recorded: int

    @property
    def attended(self) -> int:
        """Members in the room (present or late), whatever the group counts for its target."""
        return self.present + self.late


def meeting_counts(register: Register, rule: AttendanceRule) -> tuple[MeetingCounts, ...]:
    """The held meetings of the attendance year, each with its counts (date order)."""
    rows = []
    for meeting in _in_year(register, rule):
        if meeting.status is not MeetingStatus.HELD:
            continue
        marks = [
            register.marks.get((member.key, meeting.key))
            for member in register.members
            if member.eligible_for(meeting.date)
        ]
        rows.append(
            MeetingCounts(
                meeting=meeting,
                eligible=len(marks),
                present=marks.count(Mark.PRESENT),
                late=marks.count(Mark.LATE),
                apologies=marks.count(Mark.APOLOGIES),
                absent=marks.count(Mark.ABSENT),
                not_recorded=marks.count(None),
            )
        )
    return tuple(sorted(rows, key=lambda row: row.meeting.date))


def _percent(part: int, whole: int) -> Number:
    return Number(f"{100 * part / whole:.0f}%") if whole else DASH


def _rule_text(rule: AttendanceRule) -> str:
    target = format(rule.target_percent.normalize(), "f")
    late = (
        "arriving late counts as attending"
        if rule.late is LatePolicy.ATTENDED
        else "arriving late counts as a missed meeting"
    )
    apologies = (
        "a meeting with apologies counts as missed (it is shown apart)"
        if rule.apologies.value == "missed"
        else "a meeting with apologies is left out of the member's count"
    )
    return (
        f"The group asks its members to attend {target}% of the meetings held while they are "
        f"members, over the attendance year; {late}, and {apologies}."
    )


def group_report(
    group: GroupFacts,
    register: Register,
    rule: AttendanceRule,
    as_of: datetime.date,
    *,
    coverage: CoverageGrid | None = None,
    retention: Retention | None = None,
    profile: Section | None = None,
    readings: Sequence[Citation] = (),
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    generated: str | None = None,
    focus_groups: Sequence[QualitativeSection] = (),
) -> Report:
    """The group's report as of ``as_of``: a plain-English summary, attendance per meeting,
    members by standing (counts, small ones hidden), retention, the competency coverage grid,
    the member profile (``profile``, the section :mod:`imheval.reports.sections.network_profile`
    builds), the group's focus groups (``focus_groups``, as in the evaluation report) and the
    readings. No member is named anywhere in it.
    """
    start, end = rule.year(register)
    in_year = _in_year(register, rule)
    counts = meeting_counts(register, rule)
    planned = sum(1 for m in in_year if m.status is MeetingStatus.PLANNED)
    cancelled = sum(1 for m in in_year if m.status is MeetingStatus.CANCELLED)
    standing_list = [
        s for s in standings(register, rule, as_of) if s.held + s.remaining + s.apologies > 0
    ]
    sections = [
        _summary(group, rule, counts, planned, cancelled, standing_list, coverage, readings),
        _attendance(rule, counts, planned, cancelled, standing_list, min_group_size),
    ]
    if retention is not None:
        sections.append(_retention(retention, min_group_size))
    if coverage is not None:
        sections.append(_coverage(coverage))
    if profile is not None:
        sections.append(profile)
    sections.extend(qualitative_sections(focus_groups))
    sections.append(_readings(readings))
    last = end - datetime.timedelta(days=1)
    return Report(
        title=f"{group.name}: network group report",
        subtitle=(
            f"{group.organisation}; attendance year {long_date(start)} to {long_date(last)}, "
            f"as of {long_date(as_of)}"
        ),
        generated=generated or datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        sections=tuple(sections),
        software=f"imheval {__version__}",
        generated_label="Made",
    )


def _summary(
    group: GroupFacts,
    rule: AttendanceRule,
    counts: Sequence[MeetingCounts],
    planned: int,
    cancelled: int,
    standing_list: Sequence[Standing],
    coverage: CoverageGrid | None,
    readings: Sequence[Citation],
) -> Section:
    held = len(counts)
    attended = sum(row.attended for row in counts)
    eligible = sum(row.eligible for row in counts)
    blocks: list[Block] = []
    if group.purpose.strip():
        blocks.append(Paragraph(group.purpose.strip()))
    meetings = f"The group has met {held} time{plural(held)} so far this attendance year"
    extra = []
    if planned:
        extra.append(
            f"{planned} more meeting{plural(planned)} {'is' if planned == 1 else 'are'} planned"
        )
    if cancelled:
        extra.append(f"{cancelled} {'was' if cancelled == 1 else 'were'} cancelled")
    blocks.append(Paragraph(meetings + (f"; {join_and(extra)}." if extra else ".")))
    if eligible:
        share = 100 * attended / eligible
        blocks.append(
            Paragraph(
                f"On average, {share:.0f}% of the members expected at a meeting were there "
                f"(present or late): {attended} of {eligible} places over the meetings held."
            )
        )
    blocks.append(Paragraph(_rule_text(rule)))
    if coverage is not None:
        covered = len(coverage.rows) - len(coverage.uncovered)
        blocks.append(
            Paragraph(
                f"The readings so far touched {covered} of the {len(coverage.rows)} domains of "
                f"the competency framework ({coverage.framework_title})."
                + (
                    f" Not yet covered: {join_and([d.label for d in coverage.uncovered])}."
                    if coverage.uncovered
                    else ""
                )
            )
        )
    if readings:
        blocks.append(Paragraph(f"{len(readings)} reading{plural(len(readings))} were set."))
    blocks.append(
        Callout(
            "info",
            "This report names no member. Members are counted by how they stand against the "
            "target; a count of fewer than the small-group size is hidden.",
        )
    )
    if group.facilitators:
        blocks.append(Paragraph(f"Facilitated by {join_and(list(group.facilitators))}."))
    return Section("summary", "Summary", None, tuple(blocks))


def _attendance(
    rule: AttendanceRule,
    counts: Sequence[MeetingCounts],
    planned: int,
    cancelled: int,
    standing_list: Sequence[Standing],
    min_group_size: int,
) -> Section:
    blocks: list[Block] = [
        Paragraph(
            "Each meeting held this year, with the number of members expected (those who were "
            "members on the day) and how many were present, late, sent apologies or were "
            "absent. 'Not recorded' means nobody has taken the register for them yet; until "
            "someone does, those meetings count as missed."
        )
    ]
    if counts:
        rows = tuple(
            (
                long_date(row.meeting.date),
                row.meeting.topic or DASH,
                Number(str(row.eligible)),
                Number(str(row.present)),
                Number(str(row.late)),
                Number(str(row.apologies)),
                Number(str(row.absent)),
                Number(str(row.not_recorded)),
                _percent(row.attended, row.eligible),
            )
            for row in counts
        )
        blocks.append(
            Table(
                caption="Attendance at each meeting held",
                header=(
                    "Meeting",
                    "Topic",
                    "Expected",
                    "Present",
                    "Late",
                    "Apologies",
                    "Absent",
                    "Not recorded",
                    "Share in the room",
                ),
                rows=rows,
                notes=(
                    "Share in the room: present or late, of those expected."
                    + (
                        f" {cancelled} cancelled meeting{plural(cancelled)} not shown."
                        if cancelled
                        else ""
                    ),
                ),
            )
        )
    else:
        blocks.append(Callout("info", "No meeting has been held yet this attendance year."))
    blocks.append(Heading("Members by how they stand against the target"))
    blocks.append(_states_table(standing_list, min_group_size))
    return Section("attendance", "Attendance", None, tuple(blocks))


def _states_table(standing_list: Sequence[Standing], min_group_size: int) -> Table:
    states = [s.state for s in standing_list]
    values = [sum(1 for state in states if state == key) for key, _ in STATE_LABELS]
    hidden = suppress(values, min_group_size)
    rows = [
        (label, HIDDEN if hidden.hidden[i] else Number(str(values[i])))
        for i, (_, label) in enumerate(STATE_LABELS)
    ]
    rows.append(("All", HIDDEN if hidden.total_hidden else Number(str(sum(values)))))
    return Table(
        caption="Members by standing",
        header=("Standing", "Members"),
        rows=tuple(rows),
        notes=(
            "A member's standing: whether they can still reach the target by the end of the "
            "attendance year, and how many more meetings they may miss.",
        ),
        suppressed_note=(
            f"'hidden': fewer than {min_group_size} members, or a number from which such a "
            "count could be worked out. The facilitators see each member's standing on the "
            "group's page."
            if hidden.any_hidden
            else None
        ),
    )


def _retention(retention: Retention, min_group_size: int) -> Section:
    rows = (
        ("Members at the start of the year", Number(str(retention.at_start))),
        ("Joined during the year", Number(str(retention.joined))),
        ("Left during the year", Number(str(retention.left))),
        ("Members now", Number(str(retention.now))),
    )
    blocks: list[Block] = [
        Table(caption="Members over the year", header=("", "Members"), rows=rows),
    ]
    median = retention.median_months
    # The median is over the members now (retention's ``months`` also lists those who left),
    # so it is those members that must number at least ``min_group_size``.
    current = sum(1 for member in retention.months if member.current)
    if median is not None and current >= min_group_size:
        blocks.append(
            Paragraph(
                f"Members have belonged to the group for a median of {median:g} months "
                "(whole calendar months of membership, counted from the register)."
            )
        )
    elif median is not None:
        blocks.append(
            Paragraph(
                f"The median months of membership is not shown: it would describe fewer than "
                f"{min_group_size} members, close to one person's own figure."
            )
        )
    return Section("retention", "Who joined and who left", None, tuple(blocks))


def _coverage(coverage: CoverageGrid) -> Section:
    header = ("Domain", *(column.label for column in coverage.columns), "Total")
    rows = tuple(
        (row.label, *(Number(str(n)) for n in row.counts), Number(str(row.total)))
        for row in coverage.rows
    )
    blocks: list[Block] = [
        Paragraph(
            "How many of each meeting's readings touch each domain of the competency framework "
            f"({coverage.framework_title}). A reading may touch more than one domain."
        ),
        Table(caption="Competency coverage by meeting", header=header, rows=rows),
    ]
    if coverage.uncovered:
        blocks.append(
            Callout(
                "warning",
                "Not yet covered this year: "
                + join_and([domain.label for domain in coverage.uncovered])
                + ".",
            )
        )
    else:
        blocks.append(Paragraph("Every domain has been covered by at least one reading."))
    if coverage.untagged:
        count = len(coverage.untagged)
        blocks.append(
            Paragraph(
                f"{count} reading{plural(count)} set this year "
                f"{'is' if count == 1 else 'are'} not mapped to this framework and not counted: "
                + join_and([reading.title for reading in coverage.untagged])
                + "."
            )
        )
    return Section("coverage", "Competency coverage", None, tuple(blocks))


def _readings(readings: Sequence[Citation]) -> Section:
    if not readings:
        return Section(
            "readings", "Readings", None, (Paragraph("No readings were set this year."),)
        )
    rows = tuple((str(i), citation.text()) for i, citation in enumerate(readings, 1))
    return Section(
        "readings",
        "Readings",
        None,
        (Table(caption="Readings set this year", header=("No.", "Reference"), rows=rows),),
    )


# ------------------------------------------------------------------------------ CPD statement


@dataclass(frozen=True, slots=True)
class CpdMeeting:
    """One meeting a member attended, as their CPD statement lists it."""

    meeting: Meeting
    late: bool
    readings: tuple[Citation, ...]


def attended_meetings(
    member: Member,
    register: Register,
    readings_by_meeting: Mapping[str, Sequence[Citation]],
) -> tuple[CpdMeeting, ...]:
    """The held meetings ``member`` was at (present or late), in date order, each with the
    readings set for it."""
    rows = []
    for meeting in sorted(register.meetings, key=lambda m: m.date):
        if meeting.status is not MeetingStatus.HELD:
            continue
        key = meeting.key
        mark = register.marks.get((member.key, key))
        if mark in (Mark.PRESENT, Mark.LATE):
            rows.append(
                CpdMeeting(meeting, mark is Mark.LATE, tuple(readings_by_meeting.get(key, ())))
            )
    return tuple(rows)


def cpd_statement(
    group: GroupFacts,
    member: Member,
    register: Register,
    *,
    made_on: datetime.date,
    readings_by_meeting: Mapping[str, Sequence[Citation]] | None = None,
    since: datetime.date | None = None,
    generated: str | None = None,
) -> Report:
    """``member``'s continuing professional development statement: the meetings they attended
    (from ``since`` when given) with dates, hours, topics and the readings discussed, the group,
    its facilitators and the date it was made (``generated``, an ISO time, defaults to now).
    Only this member appears in it."""
    attended = [
        row
        for row in attended_meetings(member, register, readings_by_meeting or {})
        if since is None or row.meeting.date >= since
    ]
    minutes = sum(row.meeting.duration_minutes for row in attended)
    intro = [
        Paragraph(
            f"This statement records the meetings of {group.name} ({group.organisation}) that "
            f"{member.name} attended, as recorded in the group's register."
        ),
    ]
    if group.purpose.strip():
        intro.append(Paragraph(f"The group: {group.purpose.strip()}"))
    details = [
        ("Member", member.name),
        ("Profession", member.profession or DASH),
        ("Service", member.service or DASH),
        ("Group", group.name),
        ("Organisation", group.organisation),
        ("Facilitators", join_and(list(group.facilitators)) or DASH),
        ("Meetings attended", Number(str(len(attended)))),
        ("Total time", Number(hours(minutes))),
        ("Statement made", long_date(made_on)),
    ]
    blocks: list[Block] = [
        *intro,
        Table(caption="Summary", header=("", "Details"), rows=tuple(details)),
    ]
    if attended:
        rows = tuple(
            (
                long_date(row.meeting.date),
                row.meeting.topic or DASH,
                Number(hours(row.meeting.duration_minutes)),
                "; ".join(citation.text() for citation in row.readings) or DASH,
            )
            for row in attended
        )
        notes: tuple[str, ...] = ()
        late = [row for row in attended if row.late]
        if late:
            notes = (
                "Arrived late to the meeting"
                + ("s" if len(late) > 1 else "")
                + " of "
                + join_and([long_date(row.meeting.date) for row in late])
                + "; the full length of the meeting is shown.",
            )
        blocks.append(
            Table(
                caption="Meetings attended",
                header=("Date", "Topic", "Time", "Readings discussed"),
                rows=rows,
                notes=notes,
            )
        )
    else:
        blocks.append(Callout("info", "No attended meeting is recorded yet."))
    return Report(
        title=f"CPD statement: {member.name}",
        subtitle=f"{group.name}, {group.organisation}; made on {long_date(made_on)}",
        generated=generated or datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        sections=(Section("cpd", "Continuing professional development", None, tuple(blocks)),),
        software=f"imheval {__version__}",
        generated_label="Made",
    )


__all__ = [
    "Citation",
    "CpdMeeting",
    "GroupFacts",
    "MeetingCounts",
    "attended_meetings",
    "cpd_statement",
    "group_report",
    "hours",
    "meeting_counts",
]
