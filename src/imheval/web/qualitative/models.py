"""A qualitative study and everything in it.

A :class:`Study` is the qualitative analysis of one evaluation scope (a cohort, a programme or a
network group): its sources (focus group and interview transcripts, or a questionnaire's
open-text answers), speakers (pseudonymous cases), a three-level codebook (theme, sub-theme,
code) with its history, codings by coders, memos, the Braun and Clarke phase log, the second
reviewer's decisions and the links from quotes to quantitative findings (the joint display).

Text is stored already pseudonymised; the pseudonymisation key is never stored. Positions are
Unicode code point offsets into ``Source.text``, the end exclusive. Every model is audited
(``AUDIT_FIELDS``), so every coding change is logged with who and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from imheval.qualitative.model import new_guid
from imheval.web.organisations.models import Organisation, scoped_manager


class Approach(models.TextChoices):
    """How the study checks its analysis (docs/qualitative.md says when to use which)."""

    REFLEXIVE = "reflexive", "Reflexive thematic analysis, with a second reviewer"
    CODEBOOK = "codebook", "Codebook analysis, with coders' agreement"


class SourceKind(models.TextChoices):
    FOCUS_GROUP = "focus_group", "Focus group"
    INTERVIEW = "interview", "Interview"
    OPEN_ANSWERS = "open_answers", "Open-text answers"


class Level(models.TextChoices):
    """The core's :class:`imheval.qualitative.model.Level`."""

    THEME = "theme", "Theme"
    SUBTHEME = "subtheme", "Sub-theme"
    CODE = "code", "Code"


class Phase(models.IntegerChoices):
    """Braun and Clarke's six phases."""

    FAMILIARISING = 1, "1. Familiarising yourself with the data"
    CODING = 2, "2. Generating initial codes"
    SEARCHING = 3, "3. Searching for themes"
    REVIEWING = 4, "4. Reviewing themes"
    DEFINING = 5, "5. Defining and naming themes"
    REPORTING = 6, "6. Producing the report"


class Decision(models.TextChoices):
    """A second reviewer's decision on a theme (or one of its quotes)."""

    ACCEPT = "accept", "Accept"
    COMMENT = "comment", "Comment"
    PROPOSE = "propose", "Propose a change"


class Study(models.Model):
    """The qualitative analysis of one evaluation scope. Exactly one of ``cohort``,
    ``programme`` and ``network_group`` is set, all in ``organisation``."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="qualitative_studies"
    )
    name = models.CharField(max_length=200)
    cohort = models.ForeignKey(
        "workspace.Cohort",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="qualitative_studies",
    )
    programme = models.ForeignKey(
        "workspace.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="qualitative_studies",
    )
    network_group = models.ForeignKey(
        "network.NetworkGroup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="qualitative_studies",
    )
    approach = models.CharField(max_length=10, choices=Approach.choices, default=Approach.REFLEXIVE)
    reflexivity = models.TextField("reflexivity statement", blank=True)
    #: Codebook analysis: each coder sees only their own codings until the comparison is opened.
    blind_coding = models.BooleanField(default=True)
    comparison_opened_at = models.DateTimeField(null=True, blank=True)
    #: The unit of comparison for agreement: "character" or "turn".
    agreement_unit = models.CharField(max_length=10, default="character")
    #: The coder whose codings the outputs and reports count and quote (in a codebook study
    #: usually the agreed, final coding); null counts everyone's (one analyst, reflexive).
    reported_coder = models.ForeignKey(
        "Coder", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    guid = models.CharField(max_length=36, default=new_guid, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = (
        "name",
        "approach",
        "reflexivity",
        "blind_coding",
        "comparison_opened_at",
        "agreement_unit",
        "reported_coder",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="qualitative_study_name_unique_in_org"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        cohort__isnull=False, programme__isnull=True, network_group__isnull=True
                    )
                    | models.Q(
                        cohort__isnull=True, programme__isnull=False, network_group__isnull=True
                    )
                    | models.Q(
                        cohort__isnull=True, programme__isnull=True, network_group__isnull=False
                    )
                ),
                name="qualitative_study_has_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class Speaker(models.Model):
    """A case: a pseudonymous speaker (PX1, Facilitator) with attributes. Breakdowns by an
    attribute obey the small-group rule."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="speakers")
    label = models.CharField(max_length=60)
    #: {"profession": ..., "service": ..., "role in the group": ..., any other}: plain strings.
    attributes = models.JSONField(default=dict, blank=True)
    guid = models.CharField(max_length=36, default=new_guid, editable=False)

    objects = scoped_manager("study__organisation")
    AUDIT_FIELDS = ("label", "attributes")

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["study", "label"], name="qualitative_speaker_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def audit_organisation(self) -> Organisation:
        return self.study.organisation


class Source(models.Model):
    """A transcript or set of open-text answers: pseudonymised plain text."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sources")
    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=15, choices=SourceKind.choices, default=SourceKind.FOCUS_GROUP
    )
    held_on = models.DateField(null=True, blank=True)
    text = models.TextField()
    #: What it was made from: "file.docx", "captions.vtt", "questionnaire answers", "REFI-QDA".
    origin = models.CharField(max_length=200, blank=True)
    guid = models.CharField(max_length=36, default=new_guid, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("study__organisation")
    AUDIT_FIELDS = ("name", "kind", "held_on")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["study", "name"], name="qualitative_source_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation(self) -> Organisation:
        return self.study.organisation


class Turn(models.Model):
    """One speaker's turn: ``source.text[start:end]``."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="turns")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="turns")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    objects = scoped_manager("source__study__organisation")

    class Meta:
        ordering = ["source", "start"]
        indexes = [models.Index(fields=["source", "start"])]


class Code(models.Model):
    """A codebook row: a theme, a sub-theme (under a theme) or a code (under a sub-theme)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(max_length=10, choices=Level.choices)
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    colour = models.CharField(max_length=7, blank=True)  # "#RRGGBB"
    position = models.PositiveIntegerField(default=0)
    guid = models.CharField(max_length=36, default=new_guid, editable=False)

    objects = scoped_manager("study__organisation")
    AUDIT_FIELDS = ("parent", "level", "name", "definition", "colour", "position")

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "parent", "name"], name="qualitative_code_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation(self) -> Organisation:
        return self.study.organisation


class CodeChange(models.Model):
    """The codebook's history: a rename, a move to another parent, or a new definition."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        RENAMED = "renamed", "Renamed"
        MOVED = "moved", "Moved"
        DEFINED = "defined", "Definition changed"

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    before = models.CharField(max_length=400, blank=True)
    after = models.CharField(max_length=400, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("code__study__organisation")

    class Meta:
        ordering = ["changed_at", "pk"]


class Coder(models.Model):
    """Whoever codes in a study: an organisation member (``user``) or, for an imported project,
    a coder known only by name."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="coders")
    name = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="qualitative_coders",
    )
    guid = models.CharField(max_length=36, default=new_guid, editable=False)

    objects = scoped_manager("study__organisation")
    AUDIT_FIELDS = ("name", "user")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["study", "name"], name="qualitative_coder_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation(self) -> Organisation:
        return self.study.organisation


class Coding(models.Model):
    """One code applied by one coder to ``source.text[start:end]``; an exemplar is a quote the
    analyst chose to show first."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="codings")
    coder = models.ForeignKey(Coder, on_delete=models.PROTECT, related_name="codings")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exemplar = models.BooleanField(default=False)
    memo = models.TextField(blank=True)
    guid = models.CharField(max_length=36, default=new_guid, editable=False)
    selection_guid = models.CharField(max_length=36, default=new_guid, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("source__study__organisation")
    AUDIT_FIELDS = ("code", "coder", "start", "end", "exemplar", "memo")

    class Meta:
        ordering = ["source", "start", "end", "pk"]
        indexes = [models.Index(fields=["source", "code"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="qualitative_coding_not_empty"
            )
        ]

    @property
    def audit_organisation(self) -> Organisation:
        return self.source.study.organisation


class Memo(models.Model):
    """A memo on the study, a code (theme, sub-theme) or a source."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memos")
    code = models.ForeignKey(
        Code, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped_manager("study__organisation")
    AUDIT_FIELDS = ("code", "source", "text")

    class Meta:
        ordering = ["-updated_at", "pk"]

    @property
    def audit_organisation(self) -> Organisation:
        return self.study.organisation


class PhaseEntry(models.Model):
    """The phase log: what was done in one of Braun and Clarke's phases, when."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="phases")
    phase = models.PositiveSmallIntegerField(choices=Phase.choices)
    date = models.DateField()
    memo = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = scoped_manager("study__organisation")
    AUDIT_FIELDS = ("phase", "date", "memo")

    class Meta:
        ordering = ["date", "phase", "pk"]

    @property
    def audit_organisation(self) -> Organisation:
        return self.study.organisation


class Review(models.Model):
    """A second reviewer's decision on a theme or sub-theme, its definition and its quotes
    (``coding`` set when the decision is about one quote)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="reviews")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="reviews")
    coding = models.ForeignKey(
        Coding, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    proposed_name = models.CharField(max_length=200, blank=True)
    proposed_definition = models.TextField(blank=True)
    #: The analyst's answer to a comment or proposal, and what changed because of it.
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("study__organisation")
    AUDIT_FIELDS = (
        "code",
        "coding",
        "decision",
        "comment",
        "proposed_name",
        "proposed_definition",
        "response",
    )

    class Meta:
        ordering = ["created_at", "pk"]

    @property
    def audit_organisation(self) -> Organisation:
        return self.study.organisation


class FindingLink(models.Model):
    """The joint display: a quote (a coding) the analyst set beside a quantitative finding of
    the evaluation. ``finding`` is the finding's key (see ``joint.py``)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="finding_links")
    finding = models.CharField(max_length=200)
    coding = models.ForeignKey(Coding, on_delete=models.CASCADE, related_name="finding_links")
    note = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = scoped_manager("study__organisation")
    AUDIT_FIELDS = ("finding", "coding", "note", "position")

    class Meta:
        ordering = ["finding", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "coding"], name="qualitative_finding_link_unique"
            )
        ]

    @property
    def audit_organisation(self) -> Organisation:
        return self.study.organisation


class CodeSet(models.Model):
    """A REFI-QDA ``Set``: a named group of codes and sources another tool made (an ATLAS.ti
    code group, an NVivo set). Kept so an imported project goes out again with its sets."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="code_sets")
    name = models.CharField(max_length=200)
    codes = models.ManyToManyField(Code, blank=True, related_name="code_sets")
    sources = models.ManyToManyField(Source, blank=True, related_name="code_sets")
    guid = models.CharField(max_length=36, default=new_guid, editable=False)

    objects = scoped_manager("study__organisation")
    AUDIT_FIELDS = ("name",)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation(self) -> Organisation:
        return self.study.organisation
