"""What needs attention in an organisation: the to-do list of its home page, as data.

:func:`attention` gathers, for one organisation, the questionnaires open now (with live counts),
follow-ups due or overdue, probable matches waiting for a decision, imports waiting for
confirmation, paper forms keyed twice with differences to resolve, and, for one user, the cohorts
whose complete responses or match decisions are newer than the results that user last saw on the
cohort's results page (``results.models.ResultsView``). Pure queries, no HTML: the template links
each item to the page where it is dealt with, when the member's role may act there
(:meth:`Attention.for_role` leaves out what a role can neither do nor use).

It costs six queries whatever the number of cohorts (each kind of item is one aggregate or one
flat list, never a query per cohort; five without a user). Nothing here says who: counts of
anonymous codes only. Counts of people in a probable-match list follow the "fewer than 5" rule
(:func:`shown`); a questionnaire's response counts are shown exactly, as on the live counts page
(operational numbers a trainer in the room needs: is everyone done?).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, cast

import pandas as pd
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from imheval import EvaluationOptions
from imheval.errors import ImhevalError
from imheval.matching import match
from imheval.web.capture.models import Status, Submission
from imheval.web.organisations.models import Organisation
from imheval.web.paper.models import ImportBatch, ImportStatus, PaperForm, PaperStatus
from imheval.web.results.models import Decision, MatchDecision, ResultsView
from imheval.web.workspace.code_match import cohorts_codes_table, match_codes
from imheval.web.workspace.models import Cohort, Collection, Timepoint

#: A follow-up not yet open is listed this many days before its due date.
DUE_SOON_DAYS = 14
#: An open follow-up counts as short of answers while fewer than this share of the post-test's
#: complete responses have answered it.
FEW_ANSWERS_SHARE = 0.5


def shown(count: int, min_group_size: int | None = None) -> str:
    """ "12", or "fewer than 5" for 1 to 4 (the minimum group size less one)."""
    smallest = min_group_size or EvaluationOptions().min_group_size
    if 0 < count < smallest:
        return f"fewer than {smallest}"
    return str(count)


def overdue_text(days: int) -> str:
    """How long ago a due date passed, in words: "due today", "3 days overdue", "5 months
    overdue"; a negative ``days`` is a date still to come ("due in 10 days")."""
    if days == 0:
        return "due today"
    if days < 0:
        ahead = -days
        return f"due in {ahead} day{'s' if ahead != 1 else ''}"
    if days < 14:
        amount, unit = days, "day"
    elif days < 61:
        amount, unit = days // 7, "week"
    elif days < 730:
        amount, unit = days // 30, "month"
    else:
        amount, unit = days // 365, "year"
    return f"{amount} {unit}{'s' if amount != 1 else ''} overdue"


@dataclass(frozen=True, slots=True)
class OpenQuestionnaire:
    """A questionnaire open now: ``started`` counts drafts (begun, not finished)."""

    collection: Collection
    started: int
    completed: int


@dataclass(frozen=True, slots=True)
class FollowUpDue:
    """A follow-up whose due date has passed (or is near) and that is not done.

    ``opened`` tells whether it was ever opened; ``completed`` and ``expected`` (the post-test's
    complete responses) say how short of answers an open one is.
    """

    collection: Collection
    due: datetime.date
    days_overdue: int
    opened: bool
    completed: int
    expected: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def when(self) -> str:
        return overdue_text(self.days_overdue)

    @property
    def state(self) -> str:
        if not self.opened:
            return "not opened"
        return f"open, {self.completed} of {self.expected} answered"


@dataclass(frozen=True, slots=True)
class MatchesToCheck:
    """A cohort with probable matches no one has accepted or rejected yet."""

    cohort: Cohort
    undecided: int

    @property
    def count_text(self) -> str:
        return shown(self.undecided)


@dataclass(frozen=True, slots=True)
class ImportWaiting:
    """An uploaded file checked and waiting for someone to confirm (or cancel) the import."""

    batch: ImportBatch


@dataclass(frozen=True, slots=True)
class DifferencesToResolve:
    """A questionnaire with paper forms keyed twice whose keyings differ."""

    collection: Collection
    forms: int


@dataclass(frozen=True, slots=True)
class ResultsChanged:
    """A cohort with complete responses or match decisions newer than the results one user last
    saw on its results page (``viewed_at``; the results shown then were worked out at
    ``results_as_of``)."""

    cohort: Cohort
    viewed_at: datetime.datetime
    results_as_of: datetime.datetime


@dataclass(frozen=True, slots=True)
class Attention:
    """Everything that needs attention in one organisation (see the module docstring)."""

    open_questionnaires: tuple[OpenQuestionnaire, ...] = ()
    follow_ups: tuple[FollowUpDue, ...] = ()
    matches: tuple[MatchesToCheck, ...] = ()
    imports: tuple[ImportWaiting, ...] = ()
    differences: tuple[DifferencesToResolve, ...] = ()
    results_changed: tuple[ResultsChanged, ...] = ()
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def to_do(self) -> bool:
        """True when something other than the open questionnaires needs doing."""
        return bool(self.follow_ups or self.matches or self.imports or self.differences) or bool(
            self.results_changed
        )

    def for_role(self, may: Callable[[str], bool]) -> Attention:
        """What a member whose role allows the actions ``may`` says yes to needs to see.

        Imports and paper forms to finish are left out for a role that may not enter responses
        (it can neither finish them nor use the news). Follow-ups and possible matches stay for
        every role, as information: the template links them only for a role that may act.
        """
        if may("enter_responses"):
            return self
        return replace(self, imports=(), differences=())

    def badges(self) -> dict[int, list[str]]:
        """Cohort id -> the cohort's badges ("Follow-up overdue", "Matches to check",
        "Import to finish"), for the cohort lists."""
        found: dict[int, list[str]] = defaultdict(list)
        for follow_up in self.follow_ups:
            if follow_up.overdue:
                found[follow_up.collection.cohort_id].append("Follow-up overdue")
        for matches in self.matches:
            found[matches.cohort.pk].append("Matches to check")
        unfinished = {item.batch.cohort_id for item in self.imports} | {
            item.collection.cohort_id for item in self.differences
        }
        for cohort_id in unfinished:
            found[cohort_id].append("Import to finish")
        return dict(found)


def attention(
    organisation: Organisation, today: datetime.date | None = None, *, user: Any = None
) -> Attention:
    """What needs attention in ``organisation`` on ``today`` (the local date by default).

    The results changed since last viewed are ``user``'s (none without a user). Archived
    cohorts and cohorts of archived programmes are left out. Six queries, however many cohorts
    the organisation has.
    """
    today = today or timezone.localdate()
    # A subquery, never a list of ids: an empty list would skip its query, and the page's
    # number of queries must not depend on what there is to do.
    active = Cohort.objects.in_organisation(organisation).filter(
        is_archived=False, programme__is_archived=False
    )
    collections = list(
        Collection.objects.filter(cohort__in=active)
        .select_related("cohort", "cohort__programme")
        .annotate(
            completed=Count("submissions", filter=Q(submissions__status=Status.COMPLETE)),
            started=Count("submissions", filter=Q(submissions__status=Status.DRAFT)),
        )
        .order_by("cohort__start_date", "cohort_id", "timepoint")
    )
    cohorts = {c.cohort_id: c.cohort for c in collections}
    decisions = list(
        MatchDecision.objects.filter(cohort__in=active).values_list(
            "cohort_id", "code_a", "code_b", "decision", "decided_at"
        )
    )
    return Attention(
        open_questionnaires=tuple(
            OpenQuestionnaire(c, c.started, c.completed) for c in collections if c.is_open
        ),
        follow_ups=_follow_ups(collections, today),
        matches=_matches(active, cohorts, decisions),
        imports=tuple(
            ImportWaiting(batch)
            for batch in ImportBatch.objects.filter(cohort__in=active, status=ImportStatus.PREVIEW)
            .select_related("cohort")
            .order_by("created_at")
        ),
        differences=_differences(active, collections),
        results_changed=_results_changed(user, active, decisions),
        today=today,
    )


def _follow_ups(collections: list[Any], today: datetime.date) -> tuple[FollowUpDue, ...]:
    """Follow-ups due within DUE_SOON_DAYS or past due, not closed, and either never opened or
    open with fewer answers than FEW_ANSWERS_SHARE of the post-test's."""
    post_completed = {
        c.cohort_id: c.completed for c in collections if c.timepoint == Timepoint.POST
    }
    found = []
    for collection in collections:
        due = collection.due_date()
        if due is None or collection.closed_at is not None:
            continue
        days = (today - due).days
        opened = collection.opened_at is not None
        expected = post_completed.get(collection.cohort_id, 0)
        if opened:
            if days < 0 or collection.completed >= FEW_ANSWERS_SHARE * expected:
                continue
        elif days < -DUE_SOON_DAYS:
            continue
        found.append(FollowUpDue(collection, due, days, opened, collection.completed, expected))
    found.sort(key=lambda item: -item.days_overdue)
    return tuple(found)


def _differences(active: Any, collections: list[Any]) -> tuple[DifferencesToResolve, ...]:
    by_id = {c.pk: c for c in collections}
    rows = (
        PaperForm.objects.filter(collection__cohort__in=active, status=PaperStatus.DISCREPANT)
        .values("collection_id")
        .annotate(forms=Count("id"))
        .order_by("collection_id")
    )
    return tuple(DifferencesToResolve(by_id[r["collection_id"]], r["forms"]) for r in rows)


def _results_changed(user: Any, active: Any, decisions: list[Any]) -> tuple[ResultsChanged, ...]:
    """Cohorts whose latest complete response or match decision is newer than the results
    ``user`` last saw on the cohort's results page. One query; a cohort whose results this user
    never opened is not listed: there is nothing it changed from."""
    if user is None or not user.is_authenticated:
        return ()
    views = ResultsView.objects.filter(user=user, cohort=OuterRef("pk"))
    latest = (
        active.annotate(
            viewed_at=Subquery(views.values("viewed_at")[:1]),
            results_as_of=Subquery(views.values("results_as_of")[:1]),
            last_response=Max(
                "collections__submissions__completed_at",
                filter=Q(collections__submissions__status=Status.COMPLETE),
            ),
        )
        .filter(viewed_at__isnull=False)
        .select_related("programme")
    )
    decided: dict[int, datetime.datetime] = {}
    for cohort_id, *_, decided_at in decisions:
        decided[cohort_id] = max(decided_at, decided.get(cohort_id, decided_at))
    found = []
    for cohort in latest.order_by("start_date", "pk"):
        changes = [t for t in (cohort.last_response, decided.get(cohort.pk)) if t is not None]
        if changes and max(changes) > cohort.results_as_of:
            found.append(ResultsChanged(cohort, cohort.viewed_at, cohort.results_as_of))
    return tuple(found)


def _matches(
    active: Any, cohorts: dict[int, Cohort], decisions: list[Any]
) -> tuple[MatchesToCheck, ...]:
    """Per cohort, the probable matches of the core's tolerant matching (accepted decisions
    applied, as on the matching page) that have no decision yet.

    One query for the whole organisation: the complete responses' codes (no answers); the
    decisions (cohort, code_a, code_b, decision, decided_at) are given. A code used twice at
    one questionnaire is left out, as the analysis leaves it out.
    """
    records = list(
        Submission.objects.filter(
            collection__cohort__in=active, status=Status.COMPLETE
        ).values_list(
            "collection__cohort_id", "collection__timepoint", "code", "profession", "directorate"
        )
    )
    if not records:
        return ()
    frame = pd.DataFrame(
        records, columns=["cohort_id", "timepoint", "participant", "profession", "directorate"]
    ).astype({"participant": str, "profession": str, "directorate": str})
    frame = frame[~frame.duplicated(["cohort_id", "timepoint", "participant"], keep=False)]
    by_cohort: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for cohort_id, code_a, code_b, decision, _ in decisions:
        by_cohort[cohort_id].append((code_a, code_b, decision))
    measured_twice = frame.groupby("cohort_id")["timepoint"].transform("nunique") >= 2
    frame = frame[measured_twice.to_numpy()]
    counts = _undecided_everywhere(frame, by_cohort)
    if counts is None:  # a decision no longer fits its cohort: each cohort on its own
        counts = {
            int(cast(int, key)): _undecided(
                int(cast(int, key)), rows, by_cohort.get(int(cast(int, key)), [])
            )
            for key, rows in frame.groupby("cohort_id", sort=False)
        }
    found = [
        MatchesToCheck(cohorts[cohort_id], undecided)
        for cohort_id, undecided in counts.items()
        if undecided
    ]
    found.sort(key=lambda item: (item.cohort.start_date, item.cohort.pk))
    return tuple(found)


def _undecided_everywhere(
    frame: pd.DataFrame, decided: dict[int, list[tuple[str, str, str]]]
) -> dict[int, int] | None:
    """Per cohort, how many probable matches have no decision, from one run of the core's
    tolerant matching over every cohort at once (people are matched within their cohort, so
    this is each cohort's own matching; one run per cohort took seconds to minutes for an
    organisation of 1,000 cohorts). None when a decision no longer fits its cohort's codes."""
    table = cohorts_codes_table(
        zip(
            frame["cohort_id"].astype(str),
            frame["timepoint"],
            frame["participant"],
            frame["profession"],
            frame["directorate"],
            strict=True,
        )
    )
    # as accepted_pairs, cohort by cohort: accepted decisions whose two codes are still there
    present = set(zip(table.frame["cohort"], table.frame["participant"], strict=True))
    accepted = [
        (str(cohort_id), earlier, later)
        for cohort_id, rows in decided.items()
        for earlier, later, decision in rows
        if decision == str(Decision.ACCEPTED)
        and (str(cohort_id), earlier) in present
        and (str(cohort_id), later) in present
    ]
    try:
        result = match(table, "tolerant", tuple(accepted))
    except ImhevalError:
        return None
    seen = {(str(cohort_id), a, b) for cohort_id, rows in decided.items() for a, b, _ in rows}
    counts = dict.fromkeys((int(key) for key in table.frame["cohort"].unique()), 0)
    for probable in result.probable_matches:
        if (probable.cohort, probable.earlier_code, probable.later_code) not in seen:
            counts[int(probable.cohort)] += 1
    return counts


def _undecided(cohort_id: int, rows: pd.DataFrame, decided: list[tuple[str, str, str]]) -> int:
    """How many of one cohort's probable matches have no decision (0 if matching fails)."""
    codes = zip(
        rows["timepoint"], rows["participant"], rows["profession"], rows["directorate"], strict=True
    )
    try:
        result = match_codes(str(cohort_id), codes, decided, "tolerant")
    except ImhevalError:
        return 0
    seen = {(a, b) for a, b, _ in decided}
    return sum(1 for m in result.probable_matches if (m.earlier_code, m.later_code) not in seen)
