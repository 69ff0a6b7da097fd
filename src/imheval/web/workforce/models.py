"""Workforce coverage: the organisation's framework and planning figures, the training register,
places, the establishment, required levels, births, outcome aggregates, and regions.

The training register names staff (a staff identifier or a name): it is a training record, kept
in its own tables, with no link to the anonymous evaluation answers (``capture``'s submissions
and responses). Nothing here joins them, and no page shows them together. The core
(``imheval.workforce``) computes coverage; ``adapter.py`` turns these rows into its types.

A region sees aggregates only, of the organisations that chose to share with it
(:class:`RegionMember.shares`): ``region_access.py`` is its one door.

Every model an organisation changes is audited (``AUDIT_FIELDS``, ``audit_organisation``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from imheval.web.organisations.models import Organisation, scoped_manager
from imheval.web.workspace.models import Cohort, Programme
from imheval.workforce import BUILT_IN, Ladder

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
TARGET_PERCENT = [MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))]


class Framework(models.TextChoices):
    """The ladder of levels staff are trained to (``imheval.workforce.ladder.BUILT_IN``), or the
    organisation's own."""

    NES = "nes", "NES perinatal and infant mental health (Informed, Skilled, Enhanced, Specialist)"
    SEED000 = "seed000", "Beginner, intermediate, advanced"
    AIMH = "aimh", "AIMH UK competency framework (levels 1 to 3)"
    CUSTOM = "custom", "Our own framework"


def ladder_of(framework: str, custom_name: str = "", custom_levels: str = "") -> Ladder:
    """The core's ladder for a framework choice (a custom one from its levels, one per line,
    lowest first; raises CoverageError when they are not a ladder)."""
    if framework != "custom":
        return BUILT_IN[framework]
    levels = tuple(line.strip() for line in custom_levels.splitlines() if line.strip())
    return Ladder(custom_name.strip() or "Own framework", levels)


class WorkforceSettings(models.Model):
    """An organisation's framework and the figures its plans use (one row per organisation;
    :meth:`for_organisation` gives the defaults until someone saves the settings page)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="workforce_settings"
    )
    framework = models.CharField(max_length=20, choices=Framework.choices, default=Framework.NES)
    custom_name = models.CharField("framework name", max_length=100, blank=True)
    custom_levels = models.TextField(
        "levels, lowest first", blank=True, help_text="One level per line, lowest first."
    )
    cohort_size = models.PositiveSmallIntegerField(
        "usual cohort size", default=12, validators=[MinValueValidator(1)]
    )
    turnover_percent = models.DecimalField(
        "staff turnover a year (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=PERCENT,
    )

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("framework", "custom_name", "custom_levels", "cohort_size", "turnover_percent")

    def __str__(self) -> str:
        return f"Workforce settings of {self.organisation}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation

    @classmethod
    def for_organisation(cls, organisation: Organisation) -> WorkforceSettings:
        """The saved settings, or unsaved defaults."""
        found = cls.objects.filter(organisation=organisation).first()
        return found if found is not None else cls(organisation=organisation)

    def ladder(self) -> Ladder:
        return ladder_of(self.framework, self.custom_name, self.custom_levels)


class PlacesYear(models.Model):
    """A programme's places in one financial year (``year`` 2026 is April 2026 to March 2027):
    funded and offered. Taken and completed are counted from the training register."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="places_years")
    year = models.PositiveSmallIntegerField(
        "financial year starting", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    funded = models.PositiveIntegerField("places funded")
    offered = models.PositiveIntegerField("places offered", null=True, blank=True)

    objects = scoped_manager("programme__organisation")
    AUDIT_FIELDS = ("programme", "year", "funded", "offered")

    class Meta:
        ordering = ["programme", "year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="places_one_row_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} places {self.year}/{(self.year + 1) % 100:02d}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.programme.organisation


class Trainee(models.Model):
    """One person on a cohort's training register: a named staff training record, never linked
    to anonymous answers. ``completed_on`` is None until they complete (the programme's
    completion rule applied to their attendance, or set by hand when ``completion_by_hand``)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="trainees")
    person = models.CharField(
        "staff identifier or name", max_length=120, help_text="For example E104523 or Sam Okafor."
    )
    profession = models.CharField(max_length=120)
    service = models.CharField(max_length=120)
    #: The organisation that employs them, when it is not the cohort's (a partner's staff on
    #: the course); blank is the cohort's own organisation.
    employer = models.CharField(max_length=200, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    completion_by_hand = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("cohort__programme__organisation")
    AUDIT_FIELDS = (
        "cohort",
        "person",
        "profession",
        "service",
        "employer",
        "completed_on",
        "completion_by_hand",
    )

    class Meta:
        ordering = ["cohort", "person"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="trainee_once_per_cohort")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.cohort.name})"

    @property
    def audit_organisation(self) -> Organisation:
        return self.cohort.programme.organisation


class SessionAttendance(models.Model):
    """Whether a trainee attended one session (1 to the programme's ``sessions``)."""

    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="attendance")
    session = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    present = models.BooleanField()

    objects = scoped_manager("trainee__cohort__programme__organisation")
    AUDIT_FIELDS = ("trainee", "session", "present")

    class Meta:
        ordering = ["trainee", "session"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "session"], name="one_mark_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.trainee} session {self.session}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.trainee.cohort.programme.organisation


class EarlierTraining(models.Model):
    """Training staff completed outside imheval's registers (before it, or elsewhere), imported
    in the shape of the CLI's TRAINING file: it counts towards coverage like a completion."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="earlier_training"
    )
    person = models.CharField("staff identifier or name", max_length=120)
    profession = models.CharField(max_length=120)
    service = models.CharField(max_length=120)
    level = models.CharField(max_length=100)
    completed_on = models.DateField()
    programme = models.CharField(max_length=200, blank=True)
    source_name = models.CharField(max_length=250, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("person", "profession", "service", "level", "completed_on", "programme")

    class Meta:
        ordering = ["organisation", "person", "completed_on"]

    def __str__(self) -> str:
        return f"{self.person}: {self.level} on {self.completed_on}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class Establishment(models.Model):
    """One extract of the organisation's staff (from an HR system, or keyed in) on ``as_of``.
    The latest is the current establishment; the earlier ones give the trend."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="establishments"
    )
    as_of = models.DateField("date of the extract")
    source_name = models.CharField(max_length=250, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("as_of", "source_name")

    class Meta:
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return f"Establishment on {self.as_of:%d %B %Y}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class EstablishmentRow(models.Model):
    """Staff of one service and profession in an extract: headcount and, when given, WTE."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="rows")
    service = models.CharField(max_length=120)
    profession = models.CharField(max_length=120)
    headcount = models.PositiveIntegerField()
    wte = models.DecimalField("WTE", max_digits=9, decimal_places=2, null=True, blank=True)

    objects = scoped_manager("establishment__organisation")
    AUDIT_FIELDS = ("establishment", "service", "profession", "headcount", "wte")

    class Meta:
        ordering = ["establishment", "service", "profession"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "service", "profession"], name="one_row_per_post"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profession} in {self.service}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.establishment.organisation


class LevelRequirement(models.Model):
    """The level staff of a service and profession need, and the target: ``target_percent`` of
    them by ``by_date``, with optional interim points (:class:`TrajectoryPoint`). Training
    lapses after ``refresh_years`` when set."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="level_requirements"
    )
    service = models.CharField(max_length=120)
    profession = models.CharField(max_length=120)
    level = models.CharField(max_length=100)
    target_percent = models.DecimalField(
        "target (%)", max_digits=5, decimal_places=2, validators=TARGET_PERCENT
    )
    by_date = models.DateField("target date")
    refresh_years = models.PositiveSmallIntegerField(
        "refresh training every (years)", null=True, blank=True, validators=[MinValueValidator(1)]
    )

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("service", "profession", "level", "target_percent", "by_date", "refresh_years")

    class Meta:
        ordering = ["service", "profession", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "profession", "level"],
                name="one_requirement_per_post_and_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.profession} in {self.service}: {self.level}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class TrajectoryPoint(models.Model):
    """An interim target on the way to a requirement's final one."""

    requirement = models.ForeignKey(
        LevelRequirement, on_delete=models.CASCADE, related_name="points"
    )
    by_date = models.DateField()
    target_percent = models.DecimalField(
        "target (%)", max_digits=5, decimal_places=2, validators=TARGET_PERCENT
    )

    objects = scoped_manager("requirement__organisation")
    AUDIT_FIELDS = ("requirement", "by_date", "target_percent")

    class Meta:
        ordering = ["requirement", "by_date"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "by_date"], name="one_point_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.target_percent}% by {self.by_date}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.requirement.organisation


class BirthsYear(models.Model):
    """Births in the organisation's area in one year (seed 004's rule is checked on the latest)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="births_years"
    )
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    births = models.PositiveIntegerField()

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("year", "births")

    class Meta:
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="births_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.births} births in {self.year}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class CohortOutcome(models.Model):
    """A cohort's matched change, as aggregates only (no codes, no answers): what outcomes beside
    coverage, the board pack and a region read. Recomputed when ``fingerprint`` (the results
    app's :func:`~imheval.web.results.analysis.data_fingerprint` of the cohort) changes.

    Scores are percent of the measure's maximum, so programmes with different questionnaires
    sit in one table. ``matched`` people answered before and after; ``mean_gain`` and
    ``sd_gain`` are of their post minus pre; ``followup_matched`` also answered the follow-up.
    """

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="outcome")
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()
    measure = models.CharField(max_length=120, blank=True)
    matched = models.PositiveIntegerField(default=0)
    pre_mean = models.FloatField(null=True, blank=True)
    post_mean = models.FloatField(null=True, blank=True)
    mean_gain = models.FloatField(null=True, blank=True)
    sd_gain = models.FloatField(null=True, blank=True)
    followup_matched = models.PositiveIntegerField(default=0)
    #: Kirkpatrick levels the cohort's questionnaires measure, e.g. [1, 2, 3].
    kirkpatrick = models.JSONField(default=list, blank=True)

    objects = scoped_manager("cohort__programme__organisation")

    class Meta:
        ordering = ["cohort"]

    def __str__(self) -> str:
        return f"Outcome of {self.cohort}"


class ProgrammeOutcome(models.Model):
    """A programme's outcome as last computed by the evaluation engine (matched change with its
    effect size and CI, follow-up retention, Kirkpatrick levels), suppressed as the results
    pages are, kept so the coverage and outcomes pages need not compute it."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="outcome")
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()
    content = models.JSONField(default=dict)

    objects = scoped_manager("programme__organisation")

    def __str__(self) -> str:
        return f"Outcome of {self.programme}"


# --- regions ---------------------------------------------------------------------------------


class RegionKind(models.TextChoices):
    REGIONAL_GROUP = "regional_group", "Regional group"
    PROGRAMME_BOARD = "programme_board", "Programme board"
    HSC_BOARD = "hsc_board", "Health and social care board"


class RegionRoleName(models.TextChoices):
    #: manages the region: invites organisations, sets regional targets, gives roles
    LEAD = "lead", "Regional lead"
    VIEWER = "viewer", "Regional viewer"


class Region(models.Model):
    """Organisations working to one strategy (seeds 003, 004). It sees aggregates of the
    organisations that share with it, nothing else."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True, help_text="Short name used in addresses.")
    kind = models.CharField(
        max_length=20, choices=RegionKind.choices, default=RegionKind.REGIONAL_GROUP
    )
    framework = models.CharField(max_length=20, choices=Framework.choices, default=Framework.NES)
    custom_name = models.CharField("framework name", max_length=100, blank=True)
    custom_levels = models.TextField("levels, lowest first", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def ladder(self) -> Ladder:
        return ladder_of(self.framework, self.custom_name, self.custom_levels)


class RegionMember(models.Model):
    """An organisation invited into a region. It shares nothing until one of its admins turns
    ``shares`` on, and can turn it off again at any time (the region then sees nothing of it)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="region_memberships"
    )
    shares = models.BooleanField(default=False)
    share_changed_at = models.DateTimeField(null=True, blank=True)
    share_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("region", "shares")

    class Meta:
        ordering = ["region", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "organisation"], name="member_once_in_region")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.region}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class RegionRole(models.Model):
    """A user's role in a region (a regional lead or viewer): it gives no access to any
    organisation's pages."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_roles"
    )
    role = models.CharField(max_length=10, choices=RegionRoleName.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["region", "user"], name="one_role_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.region}"


class RegionalTarget(models.Model):
    """A regional target: ``target_percent`` of a service and profession's staff at ``level``
    by ``by_date``, across the region's sharing organisations."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="targets")
    service = models.CharField(max_length=120)
    profession = models.CharField(max_length=120)
    level = models.CharField(max_length=100)
    target_percent = models.DecimalField(
        "target (%)", max_digits=5, decimal_places=2, validators=TARGET_PERCENT
    )
    by_date = models.DateField("target date")

    class Meta:
        ordering = ["region", "service", "profession", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "service", "profession", "level"],
                name="one_regional_target_per_post_and_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.profession} in {self.service}: {self.level} ({self.region})"


class RegionalReportState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RegionalReport(models.Model):
    """A regional report asked for by someone with a role in the region, written by a worker
    (``regional_reports.py``). It belongs to its region (another region's address answers 404)
    and holds only what the region may see: any role in the region may read and download it.
    ``organisations`` are the keys of the sharing organisations whose figures it holds: once one
    of them stops sharing, the report is withdrawn. The region keeps its latest 20 reports."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="reports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(max_length=10)
    state = models.CharField(
        max_length=10, choices=RegionalReportState.choices, default=RegionalReportState.QUEUED
    )
    #: The plain reason it failed (never a traceback, never a member's data).
    problem = models.TextField(blank=True)
    output = models.BinaryField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    organisations = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Regional report {self.pk} of {self.region} ({self.format})"

    @property
    def finished(self) -> bool:
        return self.state in {RegionalReportState.DONE, RegionalReportState.FAILED}


# Level-4 service data lives in its own module; imported here so Django registers its models.
from imheval.web.workforce.services_models import ServiceFigure, ServiceTraining  # noqa: E402, F401
