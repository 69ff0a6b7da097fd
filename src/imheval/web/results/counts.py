"""Live counts for a trainer running a session: responses per questionnaire and matched pairs.

These are operational numbers (is everyone in the room done?), shown exactly, not analysis
results: small counts are not hidden here. The analysis pages, which describe people's scores,
hide groups under the minimum size through the core.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from imheval.web.capture.models import Status, Submission
from imheval.web.workspace.models import Cohort, Collection, Timepoint


@dataclass(frozen=True)
class TimepointCount:
    """One questionnaire of the cohort: its state and how many have answered."""

    timepoint: str
    label: str
    collection: Collection | None
    complete: int
    drafts: int

    @property
    def state(self) -> str:
        if self.collection is None:
            return "Not set up"
        return "Open" if self.collection.is_open else "Closed"


@dataclass(frozen=True)
class LiveCounts:
    """Counts for one cohort at ``at``.

    ``matched`` counts codes that completed both the pre-test and the post-test exactly once;
    ``repeated_codes`` counts codes used more than once at one questionnaire (the analysis
    leaves those out, so they are flagged to the trainer at once).
    """

    timepoints: tuple[TimepointCount, ...]
    matched: int
    repeated_codes: int
    at: datetime


def live_counts(cohort: Cohort) -> LiveCounts:
    """The cohort's counts now (three small queries)."""
    collections = {c.timepoint: c for c in Collection.objects.filter(cohort=cohort)}
    submissions = Submission.objects.filter(collection__cohort=cohort)
    by_state = Counter(
        {
            (row["collection__timepoint"], row["status"]): row["n"]
            for row in submissions.values("collection__timepoint", "status").annotate(n=Count("id"))
        }
    )
    codes: dict[str, Counter[str]] = {tp: Counter() for tp in Timepoint.values}
    for timepoint, code in submissions.filter(status=Status.COMPLETE).values_list(
        "collection__timepoint", "code"
    ):
        codes[timepoint][code] += 1
    once = {tp: {code for code, n in counter.items() if n == 1} for tp, counter in codes.items()}
    repeated = sum(1 for counter in codes.values() for n in counter.values() if n > 1)
    return LiveCounts(
        timepoints=tuple(
            TimepointCount(
                timepoint=str(value),
                label=str(label),
                collection=collections.get(value),
                complete=by_state[(value, str(Status.COMPLETE))],
                drafts=by_state[(value, str(Status.DRAFT))],
            )
            for value, label in Timepoint.choices
        ),
        matched=len(once[str(Timepoint.PRE)] & once[str(Timepoint.POST)]),
        repeated_codes=repeated,
        at=timezone.localtime(),
    )
