"""Who has completed a cohort: the programme's completion rule applied to the register.

A trainee completes when their attendance meets the programme's rule:

* ``attendance``: present at enough of the programme's sessions, in exact integers:
  ``present × 100 ≥ attendance_threshold × sessions`` (80% of 16 sessions needs 13: 12 × 100 is
  1200, below 80 × 16 = 1280; 13 × 100 = 1300 is enough);
* ``final_session``: present at the last session (number ``programme.sessions``).

Only sessions 1 to ``programme.sessions`` count: marks kept for sessions a programme no longer
has (its sessions were reduced) are ignored, not deleted. A completion's date is the cohort's
end date, or its start date when it has none. A completion set by hand
(``completion_by_hand``) is never changed here.

Settling writes only the trainees whose completion changed, in one ``bulk_update`` (no signals,
so no audit entries of its own: the change that caused it, a register saved or a programme's
rule changed, is what the log records).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q

from imheval.web.workforce.models import Trainee
from imheval.web.workspace.models import Programme

#: The completion rules' values (``workspace.models.CompletionRule``).
ATTENDANCE = "attendance"
FINAL_SESSION = "final_session"


@dataclass(frozen=True, slots=True)
class Progress:
    """A trainee's attendance against their programme's rule: ``present`` of ``sessions``,
    ``needed`` to complete (for the final-session rule, ``needed`` is None and
    ``final_present`` says whether they came to the last one)."""

    present: int
    sessions: int
    rule: str
    threshold: int
    final_present: bool

    @property
    def needed(self) -> int | None:
        """Sessions needed under the attendance rule: the smallest n with n × 100 ≥
        threshold × sessions; None under the final-session rule."""
        if self.rule != ATTENDANCE:
            return None
        return -(-self.threshold * self.sessions // 100)

    @property
    def complete(self) -> bool:
        if self.rule == FINAL_SESSION:
            return self.final_present
        return self.present * 100 >= self.threshold * self.sessions


def progress_of(programme: Programme, present: int, final_present: bool) -> Progress:
    """``programme``'s rule with ``present`` sessions attended (``final_present``: the last)."""
    return Progress(
        present=present,
        sessions=programme.sessions,
        rule=programme.completion_rule,
        threshold=programme.attendance_threshold,
        final_present=final_present,
    )


def completion_date(trainee: Trainee) -> datetime.date:
    """The date a completion counts from: the cohort's end date, else its start date."""
    cohort = trainee.cohort
    return cohort.end_date or cohort.start_date


def _with_attendance(trainee_ids: list[int]) -> list[Trainee]:
    """The trainees with their cohort and programme and two counts (one query): ``n_present``,
    sessions attended within the programme's sessions, and ``n_final``, 1 when present at
    the last session."""
    in_range = Q(
        attendance__present=True,
        attendance__session__gte=1,
        attendance__session__lte=F("cohort__programme__sessions"),
    )
    final = Q(
        attendance__present=True,
        attendance__session=F("cohort__programme__sessions"),
    )
    return list(
        Trainee.objects.filter(pk__in=trainee_ids, completion_by_hand=False)
        .select_related("cohort__programme")
        .annotate(
            n_present=Count("attendance", filter=in_range),
            n_final=Count("attendance", filter=final),
        )
        .order_by()
    )


def settle_trainees(trainees: Iterable[Trainee]) -> None:
    """Recompute ``completed_on`` of the ``trainees`` whose completion is not set by hand, from
    their saved attendance and their programme's rule (two queries at most, whatever their
    number). The objects passed in are updated too."""
    given = {trainee.pk: trainee for trainee in trainees if trainee.pk is not None}
    if not given:
        return
    changed = []
    for trainee in _with_attendance(list(given)):
        programme = trainee.cohort.programme
        progress = progress_of(programme, trainee.n_present, trainee.n_final > 0)  # type: ignore[attr-defined]
        completed_on = completion_date(trainee) if progress.complete else None
        original = given[trainee.pk]
        if trainee.completed_on != completed_on:
            trainee.completed_on = completed_on
            changed.append(trainee)
        if not original.completion_by_hand:
            original.completed_on = completed_on
    if changed:
        Trainee.objects.bulk_update(changed, ["completed_on"])


def settle_programme(programme: Programme) -> None:
    """Re-settle every trainee of ``programme`` (after its sessions, rule or threshold
    changed): three queries at most, whatever the number of cohorts and trainees."""
    settle_trainees(
        Trainee.objects.filter(cohort__programme=programme).only("pk", "completion_by_hand")
    )
