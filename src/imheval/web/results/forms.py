"""The evaluator's decision on one probable match (accept: one person; reject: two people)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from imheval.web.results.analysis import MatchReview
from imheval.web.results.models import Decision, MatchDecision


class MatchDecisionForm(forms.Form):
    """Accept or reject a pair of codes the review lists, or change an earlier decision.

    The pair must be one the core's tolerant matching proposes for this cohort now, or one
    already decided (so an acceptance can be undone). Accepting is refused, with the core's
    reason, when it would contradict another accepted pair (e.g. one code joined to two codes
    used at the same questionnaire).
    """

    code_a = forms.CharField(max_length=32)
    code_b = forms.CharField(max_length=32)
    decision = forms.ChoiceField(
        choices=[(str(Decision.ACCEPTED), "Accept"), (str(Decision.REJECTED), "Reject")],
        error_messages={
            "required": "Choose accept or reject",
            "invalid_choice": "Choose accept or reject",
        },
    )

    def __init__(self, *args: Any, review: MatchReview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.review = review
        self.timepoints: tuple[str, str] | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        earlier, later = data.get("code_a"), data.get("code_b")
        if not earlier or not later or "decision" not in data:
            return data
        cohort = self.review.scope.cohort
        proposed = {
            (m.earlier_code, m.later_code): (m.earlier_timepoint, m.later_timepoint)
            for m in (self.review.result.probable_matches if self.review.result else ())
        }
        existing = (
            MatchDecision.objects.in_organisation(self.review.scope.organisation)
            .filter(cohort=cohort, code_a=earlier, code_b=later)
            .first()
        )
        if (earlier, later) in proposed:
            self.timepoints = proposed[(earlier, later)]
        elif existing is not None:
            self.timepoints = (existing.earlier_timepoint, existing.later_timepoint)
        else:
            raise forms.ValidationError(
                "These two codes are not a possible match in this cohort any more. "
                "The list below is up to date."
            )
        if data["decision"] == Decision.ACCEPTED and (existing is None or not existing.is_accepted):
            reason = self.review.check(earlier, later)
            if reason:
                raise forms.ValidationError(
                    f"{earlier} and {later} cannot be accepted as one person: {reason}"
                )
        return data

    def save(self, user: Any) -> MatchDecision:
        """Record the decision (a change to an earlier one updates it)."""
        if self.timepoints is None or self.review.scope.cohort is None:
            raise RuntimeError("save() needs a valid form")
        decision, _ = MatchDecision.objects.update_or_create(
            cohort=self.review.scope.cohort,
            code_a=self.cleaned_data["code_a"],
            code_b=self.cleaned_data["code_b"],
            defaults={
                "earlier_timepoint": self.timepoints[0],
                "later_timepoint": self.timepoints[1],
                "decision": self.cleaned_data["decision"],
                "decided_by": user,
                "decided_at": timezone.now(),
            },
        )
        return decision
