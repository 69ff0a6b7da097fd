"""One person's answers at one collection (a cohort at a timepoint).

A submission holds no name, email, IP address or user agent: only the self-generated anonymous
code, profession, directorate, the answers and timestamps (started, last saved, completed). It
starts as a draft when the person gives consent, keeps each page's answers as they go (a refresh
loses nothing), and becomes complete exactly once: ``key`` (a random UUID made with the draft)
makes the final submit idempotent, so a double tap, a refresh or a retry never creates a second
response. A submit with no answers at all is recorded as ``empty``, never ``complete``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from imheval.web.organisations.models import Organisation, scoped_manager
from imheval.web.workspace.models import Collection


class Source(models.TextChoices):
    """How a response reached imheval: answered online, keyed from paper, or imported."""

    WEB = "web", "Online"
    PAPER = "paper", "Paper"
    IMPORT = "import", "Imported file"


class Status(models.TextChoices):
    """Where a response is: in progress, submitted with answers, or submitted with none.

    Only complete responses are analysed, counted or matched; an empty one records that
    someone went through to the end and chose to answer nothing.
    """

    DRAFT = "draft", "In progress"
    COMPLETE = "complete", "Complete"
    EMPTY = "empty", "Submitted with no answers"


class Submission(models.Model):
    """A participant's questionnaire at one collection; see the module docstring."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="submissions")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        max_length=32, blank=True, db_index=True, help_text="Normalised anonymous code."
    )
    profession = models.CharField(max_length=100, blank=True)
    directorate = models.CharField(max_length=100, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    page = models.PositiveSmallIntegerField(default=0, help_text="Furthest page reached.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="For paper forms: who keyed the form in.",
    )
    started_at = models.DateTimeField(auto_now_add=True)
    # Every save of a step lists it in update_fields; a step holds a draft left unsaved longer
    # than IMHEVAL_CAPTURE_IDLE_MINUTES (a shared phone: see capture.journey).
    saved_at = models.DateTimeField(auto_now=True, help_text="When a step was last saved.")
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_manager("collection__cohort__programme__organisation")
    AUDIT_FIELDS = ("code", "profession", "directorate", "answers", "status", "source")
    # The audit log names changed fields of a response but never copies answers or codes.
    AUDIT_VALUES = False

    class Meta:
        ordering = ["collection", "completed_at", "id"]
        indexes = [
            models.Index(fields=["collection", "status"], name="submission_coll_status"),
            # The throttle counts a link's recent starts; the purge finds old drafts.
            models.Index(fields=["collection", "started_at"], name="submission_coll_started"),
        ]

    def __str__(self) -> str:
        return f"response {self.pk} to {self.collection}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.collection.cohort.programme.organisation

    @property
    def audit_organisation_id(self) -> int:
        """The owner's id, without loading the organisation (the audit log needs only that)."""
        return int(self.collection.cohort.programme.organisation_id)

    def audit_skip(self) -> bool:
        """Drafts are the participant's unfinished work: the log starts when they submit."""
        return self.status == Status.DRAFT

    @property
    def is_complete(self) -> bool:
        return self.status == Status.COMPLETE
