"""A person's decision on a probable match: two anonymous codes that may be one person.

The core's tolerant matching lists pairs of codes in one cohort that differ by one character or
one code part (someone mistyped their code). It never merges them on its own: an evaluator looks
at each pair and accepts or rejects it here. Accepted pairs become the core's
``EvaluationOptions.accepted_matches``, so every analysis of the cohort counts the two codes as
one person.
"""

from __future__ import annotations

import datetime
from typing import Any

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


class EvaluationSnapshot(models.Model):
    """A results page's content as last computed, kept so the next visit need not compute it.

    One row per scope (``scope`` is "organisation", "programme:<id>" or "cohort:<id>"), shared by
    every server process. ``fingerprint`` sums up everything the content depends on (see
    :func:`imheval.web.results.analysis.data_fingerprint`); a row whose fingerprint no longer
    matches is never shown, and the next visit replaces it. ``content`` holds the page's short
    texts, ``report_html`` the core's report already laid out in NHS.UK markup. Both are
    suppressed exactly as the page is: no anonymous codes, no answers, no small groups.

    ``partial`` marks a snapshot holding only the summary (the first visit's, shown at once
    while the whole page is worked out in the background): it is never taken for the whole page.
    ``layout`` names the release's layout of the kept content; a snapshot laid out by another
    release is never shown, not even while new results are worked out. The ``refresh_`` fields
    are the claim of the one server process working out this page's new results in the
    background (see :mod:`imheval.web.results.snapshots`): who (``refresh_claim``, a random
    token), since when, and when a refresh last failed.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evaluation_snapshots"
    )
    scope = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=64)
    content = models.JSONField(default=dict)
    report_html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    layout = models.CharField(max_length=64, blank=True)
    #: The summary alone, kept on a first visit while the whole page is worked out behind.
    partial = models.BooleanField(default=False)
    refresh_claim = models.CharField(max_length=32, blank=True)
    refresh_started_at = models.DateTimeField(null=True, blank=True)
    refresh_failed_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_manager("organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "scope"], name="one_snapshot_per_scope")
        ]

    def __str__(self) -> str:
        return f"snapshot of {self.scope} in organisation {self.organisation_id}"


class ResultsView(models.Model):
    """When a member last opened a cohort's results page, and how recent the results shown were.

    One row per user and cohort, replaced at each visit (:meth:`record`). ``results_as_of`` is
    when the shown results were worked out: a page shown from a kept snapshot while new results
    are worked out behind shows data only up to then. The home page lists a cohort whose
    complete responses or match decisions are newer than that, for this user only. Not audited:
    opening a page changes nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="results_views")
    viewed_at = models.DateTimeField()
    results_as_of = models.DateTimeField()

    objects = scoped_manager("cohort__programme__organisation")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "cohort"], name="one_results_view_per_user")
        ]

    def __str__(self) -> str:
        return f"results of cohort {self.cohort_id} viewed by user {self.user_id}"

    @classmethod
    def record(cls, user: Any, cohort: Cohort, results_as_of: datetime.datetime) -> None:
        """Remember that ``user`` saw ``cohort``'s results as worked out at ``results_as_of``:
        one insert-or-update query (two visits at once cannot make two rows)."""
        if not getattr(user, "is_authenticated", False):
            return
        seen = cls(user=user, cohort=cohort, viewed_at=timezone.now(), results_as_of=results_as_of)
        cls.objects.bulk_create(
            [seen],
            update_conflicts=True,
            unique_fields=["user", "cohort"],
            update_fields=["viewed_at", "results_as_of"],
        )
