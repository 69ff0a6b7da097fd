"""Network groups, their meetings, readings, members, membership periods and the register.

A network group belongs to an organisation. Its meetings are rows: the recurrence rule makes the
planned dates (``imheval.network.calendar``), and each row can then be moved, cancelled or given
a topic, notes and readings; one-off meetings are rows the rule did not make. Members are named
staff with membership periods; the register holds one mark per member and meeting. The
attendance rule itself lives in the core (``imheval.network.attendance``): the web app turns
these rows into the core's types in one place (``adapter.py``) and asks it.

Every model is audited (``AUDIT_FIELDS``): a change to a register is logged with who, when, and
the status before and after.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from imheval.web.organisations.models import Membership, Organisation, scoped_manager


class ApologiesPolicy(models.TextChoices):
    """Whether a meeting a member sent apologies for stays in their count."""

    MISSED = "missed", "Count as a missed meeting (shown apart)"
    EXCLUDED = "excluded", "Leave out of the member's count"


def new_calendar_token() -> str:
    """A calendar subscribe address's token: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class NetworkGroup(models.Model):
    """A standing group of staff: its purpose, facilitators, meetings and attendance target."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="network_groups"
    )
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    #: Organisation members who run the group (they may edit it whatever their role).
    facilitators = models.ManyToManyField(Membership, blank=True, related_name="facilitated_groups")
    target_percent = models.DecimalField(
        "attendance target (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("80"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
    )
    #: The attendance year: ``year_months`` calendar months from the month of ``year_start``.
    year_start = models.DateField("attendance year starts")
    year_months = models.PositiveSmallIntegerField(
        "attendance year length (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    late_counts_as_attended = models.BooleanField(default=True)
    apologies = models.CharField(
        max_length=10, choices=ApologiesPolicy.choices, default=ApologiesPolicy.MISSED
    )
    #: iCalendar RRULE of the regular meetings, e.g. FREQ=MONTHLY;BYDAY=1TH.
    recurrence = models.CharField(max_length=300, default="FREQ=MONTHLY;BYDAY=1TH")
    start_time = models.TimeField(default=datetime.time(14, 0))
    duration_minutes = models.PositiveIntegerField(
        default=90, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    #: The competency framework readings are mapped to for the coverage grid (a built-in id or
    #: the id of one of the organisation's imported frameworks).
    framework = models.CharField(max_length=100, default="aimh-uk-imhcf")
    #: The member profile table's merged categories: {question id: {new label: [codes]}}.
    profile_collapse = models.JSONField(default=dict, blank=True)
    is_archived = models.BooleanField(default=False)
    #: The token in the address a calendar app subscribes to (it cannot sign in). Replacing it
    #: (``calendar_token_replaced_at``) stops the old address; the token itself is never logged.
    calendar_token = models.CharField(
        max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    calendar_token_replaced_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    #: Counts changes to the group's meetings, members, membership periods and marks (bumped by
    #: signals, see ``figures.py``): the organisation's page keeps each group's figures until
    #: it moves. Never shown, never audited.
    register_version = models.PositiveIntegerField(default=0, editable=False)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = (
        "name",
        "purpose",
        "target_percent",
        "year_start",
        "year_months",
        "late_counts_as_attended",
        "apologies",
        "recurrence",
        "start_time",
        "duration_minutes",
        "framework",
        "profile_collapse",
        "is_archived",
        "calendar_token_replaced_at",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="network_group_name_unique_in_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class Meeting(models.Model):
    """One meeting of a group: made by the recurrence rule or added as a one-off."""

    group = models.ForeignKey(NetworkGroup, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    #: The date the recurrence rule gave, when the meeting came from it (kept when it is moved,
    #: so that regenerating the series does not add it again); null for a one-off.
    series_date = models.DateField(null=True, blank=True)
    #: A cancelled meeting counts for nobody.
    cancelled = models.BooleanField(default=False)
    topic = models.CharField(max_length=250, blank=True)
    notes = models.TextField("facilitator notes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("group__organisation")
    AUDIT_FIELDS = ("date", "start_time", "duration_minutes", "cancelled", "topic", "notes")

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "series_date"], name="meeting_series_date_unique_in_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group.name}, {self.date:%d %B %Y}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.group.organisation

    @property
    def is_one_off(self) -> bool:
        return self.series_date is None

    @property
    def is_moved(self) -> bool:
        return self.series_date is not None and self.series_date != self.date


class CompetencyFrameworkFile(models.Model):
    """A competency framework an organisation imported (YAML or Moodle's CSV export), kept as
    the text it was read from; the core reads it (``imheval.instruments.frameworks``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="competency_frameworks"
    )
    framework_id = models.CharField(max_length=100)
    title = models.CharField(max_length=250)
    source_name = models.CharField(max_length=250)
    #: "yaml" or "moodle-csv".
    source_format = models.CharField(max_length=20)
    text = models.TextField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("framework_id", "title", "source_name", "source_format")

    class Meta:
        ordering = ["framework_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "framework_id"], name="framework_id_unique_in_org"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class Reading(models.Model):
    """A reading: its citation, where to find it, and the competencies it is mapped to. No files
    are stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="readings"
    )
    authors = models.CharField(max_length=500)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    title = models.CharField(max_length=500)
    source = models.CharField(max_length=500, blank=True, help_text="Journal, book or publisher.")
    doi = models.CharField("DOI", max_length=200, blank=True)
    url = models.URLField("web address", max_length=500, blank=True)
    notes = models.TextField(blank=True)
    #: Competency references "<framework id>:<domain id>" or "<framework id>:<domain id>:<id>".
    competencies = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("authors", "year", "title", "source", "doi", "url", "notes", "competencies")

    class Meta:
        ordering = ["authors", "year", "title"]

    def __str__(self) -> str:
        year = f" ({self.year})" if self.year else ""
        return f"{self.authors}{year}. {self.title}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class MeetingReading(models.Model):
    """A reading set for a meeting, and the date it was sent to members."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="meeting_readings")
    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="meeting_readings")
    sent_on = models.DateField(null=True, blank=True)

    objects = scoped_manager("meeting__group__organisation")
    AUDIT_FIELDS = ("meeting", "reading", "sent_on")

    class Meta:
        ordering = ["meeting__date", "reading__authors"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "reading"], name="reading_once_per_meeting")
        ]

    @property
    def audit_organisation(self) -> Organisation:
        return self.meeting.group.organisation


class Member(models.Model):
    """A named member of staff in a group's register (never linked to questionnaire answers)."""

    group = models.ForeignKey(NetworkGroup, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    profession = models.CharField(max_length=100, blank=True)
    service = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("group__organisation")
    AUDIT_FIELDS = ("name", "profession", "service")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="member_name_unique_in_group")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation(self) -> Organisation:
        return self.group.organisation


class MembershipPeriod(models.Model):
    """A period of membership, both dates inclusive; ``left`` is null while a member."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="periods")
    joined = models.DateField()
    left = models.DateField(null=True, blank=True)

    objects = scoped_manager("member__group__organisation")
    AUDIT_FIELDS = ("member", "joined", "left")

    class Meta:
        ordering = ["member", "joined"]

    def __str__(self) -> str:
        end = f"{self.left:%d %b %Y}" if self.left else "now"
        return f"{self.joined:%d %b %Y} to {end}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.member.group.organisation


class Mark(models.TextChoices):
    """A member's status at a meeting."""

    PRESENT = "present", "Present"
    LATE = "late", "Late"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class AttendanceMark(models.Model):
    """One member's status at one meeting. Apologies may come from the member's own link before
    the meeting (``by_member``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="marks")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="marks")
    status = models.CharField(max_length=10, choices=Mark.choices)
    by_member = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(auto_now=True)

    objects = scoped_manager("meeting__group__organisation")
    AUDIT_FIELDS = ("meeting", "member", "status", "by_member")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_mark_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.member.name}: {self.get_status_display()}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.meeting.group.organisation


class MemberLink(models.Model):
    """A member's personal link (128+ bits, only its SHA-256 digest is kept): their own
    attendance and target state, and apologies for a coming meeting, without a login."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="links")
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_manager("member__group__organisation")
    AUDIT_FIELDS = ("member", "revoked_at")

    class Meta:
        ordering = ["-created_at"]

    @property
    def audit_organisation(self) -> Organisation:
        return self.member.group.organisation

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def _new_token() -> str:
    # The capture app's link tokens (256 bits), imported late to keep the apps' models apart.
    from imheval.web.workspace.models import new_token

    return new_token()


class ProfileSurvey(models.Model):
    """The group's anonymous member profile questionnaire (``imh-network-profile``), answered
    through a public link or QR code with no code and no login. Its answers are never linked
    to members or to the register."""

    group = models.ForeignKey(
        NetworkGroup, on_delete=models.CASCADE, related_name="profile_surveys"
    )
    #: The built-in profile questionnaire and its version, e.g. "imh-network-profile@1.0.0".
    instrument_ref = models.CharField(max_length=100)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("group__organisation")
    AUDIT_FIELDS = ("instrument_ref", "is_open")

    class Meta:
        ordering = ["-created_at"]

    @property
    def audit_organisation(self) -> Organisation:
        return self.group.organisation


class ProfileAnswer(models.Model):
    """One person's answers to the profile questionnaire: {question id: answer}, where a
    multi-select answer is a list of option codes and a number is a number. No timestamps
    finer than the day are kept, so answers cannot be lined up with who was in the room."""

    survey = models.ForeignKey(ProfileSurvey, on_delete=models.CASCADE, related_name="answers")
    answers = models.JSONField(default=dict)
    submitted_on = models.DateField(default=datetime.date.today)

    objects = scoped_manager("survey__group__organisation")
    AUDIT_FIELDS = ("survey",)
    AUDIT_VALUES = False

    @property
    def audit_organisation(self) -> Organisation:
        return self.survey.group.organisation

    def audit_skip(self) -> bool:
        """Always: an audit entry would stamp each answer with the second it arrived, which the
        day-only ``submitted_on`` exists to avoid (seven people in a room are easy to line up
        with the order they finished in). The survey's opening and closing are still logged."""
        return True
