"""A person's decision on a probable match: two anonymous codes that may be one person.

The core's tolerant matching lists pairs of codes in one cohort that differ by one character or
one code part (someone mistyped their code). It never merges them on its own: an evaluator looks
at each pair and accepts or rejects it here. Accepted pairs become the core's
``EvaluationOptions.accepted_matches``, so every analysis of the cohort counts the two codes as
one person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from imheval.web.organisations.models import Organisation, scoped_manager
from imheval.web.workspace.models import Cohort, Timepoint


class Decision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted: one person"
    REJECTED = "rejected", "Rejected: two people"


class MatchDecision(models.Model):
    """An evaluator's decision on two codes of one cohort (``code_a`` the earlier one).

    One decision per pair: deciding again changes it (and the audit log records the change).
    The log records the cohort, timepoints and decision but never the codes themselves.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="match_decisions")
    code_a = models.CharField("earlier code", max_length=32)
    code_b = models.CharField("later code", max_length=32)
    earlier_timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    later_timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(default=timezone.now)

    objects = scoped_manager("cohort__programme__organisation")
    # Codes are left out of the log, as for responses: the log never copies anonymous codes.
    AUDIT_FIELDS = ("cohort", "earlier_timepoint", "later_timepoint", "decision")

    class Meta:
        ordering = ["cohort", "code_a", "code_b"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "code_a", "code_b"], name="one_decision_per_code_pair"
            )
        ]

    def __str__(self) -> str:
        return f"match decision {self.pk} in cohort {self.cohort.name}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.cohort.programme.organisation

    @property
    def is_accepted(self) -> bool:
        return self.decision == Decision.ACCEPTED
