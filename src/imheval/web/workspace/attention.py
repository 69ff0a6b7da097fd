"""What needs attention in an organisation: the to-do list of its home page, as data.

:func:`attention` gathers, for one organisation, the questionnaires open now (with live counts),
follow-ups due or overdue, probable matches waiting for a decision, imports waiting for
confirmation, paper forms keyed twice with differences to resolve, and, for one user, the cohorts
whose complete responses or match decisions are newer than the results that user last saw on the
cohort's results page (``results.models.ResultsView``). Pure queries, no HTML: the template links
each item to the page where it is dealt with, when the member's role may act there
(:meth:`Attention.for_role` leaves out what a role can neither do nor use).

It costs six queries whatever the number of cohorts (each kind of item is one aggregate or one
flat list, never a query per cohort; five without a user). Probable matches are counted by the
core's tolerant matching, too slow to run over every cohort at each visit: the counts are kept
(:class:`~imheval.web.workspace.models.MatchCounts`) and a visit counts again only the cohorts
whose responses or decisions changed since, with a few more queries (:func:`_matches`).
Nothing here says who: counts of
anonymous codes only. Counts of people in a probable-match list follow the "fewer than 5" rule
(:func:`shown`); a questionnaire's response counts are shown exactly, as on the live counts page
(operational numbers a trainer in the room needs: is everyone done?).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, TypeVar, cast

import pandas as pd
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.db.models import CharField, Count, Max, Model, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from imheval import EvaluationOptions, _version
from imheval.errors import ImhevalError
from imheval.matching import match
from imheval.web.capture.models import Status, Submission
from imheval.web.organisations.models import Organisation
from imheval.web.paper.models import ImportBatch, ImportStatus, PaperForm, PaperStatus
from imheval.web.results.models import Decision, MatchDecision, ResultsView
from imheval.web.workspace.code_match import cohorts_codes_table, match_codes
from imheval.web.workspace.models import (
    Cohort,
    Collection,
    MatchCounts,
    Programme,
    Timepoint,
    follow_up_due_date,
)

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=Model)

#: A follow-up not yet open is listed this many days before its due date.
DUE_SOON_DAYS = 14
#: An open follow-up counts as short of answers while fewer than this share of the post-test's
#: complete responses have answered it.
FEW_ANSWERS_SHARE = 0.5
#: Up to this many cohorts to count again are read by their ids; more, by the organisation's
#: active cohorts (a list of thousands of ids would meet the database's limit on parameters).
RECOUNT_BY_ID = 500
#: The version of the rules by which the kept probable-match counts were worked out: part of
#: every cohort's key (:func:`_count_keys`). Bump it whenever a count may come out differently
#: without a release of the core (the tolerant matching's rules or options, how codes are read
#: or left out here, which decisions apply), so that every kept count is worked out again.
MATCH_COUNT_RULES = 1


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
    the organisation has (a few more when probable matches must be counted again).
    """
    today = today or timezone.localdate()
    # A subquery, never a list of ids: an empty list would skip its query, and the page's
    # number of queries must not depend on what there is to do.
    active = Cohort.objects.in_organisation(organisation).filter(
        is_archived=False, programme__is_archived=False
    )
    questionnaires = _questionnaires(active)
    made = _Made()
    decisions = list(
        MatchDecision.objects.filter(cohort__in=active).values_list(
            "cohort_id", "code_a", "code_b", "decision", "decided_at"
        )
    )
    return Attention(
        open_questionnaires=tuple(
            OpenQuestionnaire(made.collection(q), q.started, q.completed)
            for q in questionnaires
            if q.is_open
        ),
        follow_ups=_follow_ups(questionnaires, today, made),
        matches=_matches(organisation, active, questionnaires, decisions, made),
        imports=tuple(
            ImportWaiting(batch)
            for batch in ImportBatch.objects.filter(cohort__in=active, status=ImportStatus.PREVIEW)
            .select_related("cohort")
            .order_by("created_at")
        ),
        differences=_differences(active, questionnaires, made),
        results_changed=_results_changed(user, active, decisions),
        today=today,
    )


class _Questionnaire(NamedTuple):
    """One questionnaire as the to-do list reads it, with its cohort and programme and its
    responses counted: a row, not a model (an organisation of 1,000 cohorts has 3,000
    questionnaires, and the list shows few of them). ``last_completed`` (highest id),
    ``ids_total`` (sum of ids), ``last_saved`` and ``last_completed_at`` (as text) of its
    complete responses tell when their probable matches may have changed (:func:`_count_keys`).
    """

    pk: int
    cohort_id: int
    timepoint: str
    follow_up_weeks: int | None
    is_open: bool
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    cohort_name: str
    start_date: datetime.date
    end_date: datetime.date | None
    programme_id: int
    programme_name: str
    completed: int = 0
    started: int = 0
    last_completed: int | None = None
    last_saved: str | None = None
    ids_total: int | None = None
    last_completed_at: str | None = None

    def due_date(self) -> datetime.date | None:
        return follow_up_due_date(
            self.timepoint, self.follow_up_weeks, self.start_date, self.end_date
        )


def _questionnaires(active: Any) -> list[_Questionnaire]:
    """The active cohorts' questionnaires, in the cohorts' order, with their responses counted
    (two queries: the questionnaires, and their responses counted per questionnaire)."""
    complete = Q(status=Status.COMPLETE)
    tallies = {
        collection_id: rest
        for collection_id, *rest in Submission.objects.filter(collection__cohort__in=active)
        .values_list("collection_id")
        .annotate(
            completed=Count("id", filter=complete),
            started=Count("id", filter=Q(status=Status.DRAFT)),
            last_completed=Max("id", filter=complete),
            # text: compared, never read as a time (and not parsed 3,000 times)
            last_saved=Max("saved_at", filter=complete, output_field=CharField()),
            # a submitted draft stamps completed_at, not saved_at; with a response deleted,
            # the number, highest id and last save can all stay the same (see _count_keys)
            ids_total=Sum("id", filter=complete),
            last_completed_at=Max("completed_at", filter=complete, output_field=CharField()),
        )
        .order_by()
    }
    rows = (
        Collection.objects.filter(cohort__in=active)
        .order_by("cohort__start_date", "cohort_id", "timepoint")
        .values_list(
            "pk",
            "cohort_id",
            "timepoint",
            "follow_up_weeks",
            "is_open",
            "opened_at",
            "closed_at",
            "cohort__name",
            "cohort__start_date",
            "cohort__end_date",
            "cohort__programme_id",
            "cohort__programme__name",
        )
    )
    found = []
    for row in rows:
        counted = tallies.get(row[0])
        if counted is None:
            found.append(_Questionnaire(*row))
        else:
            completed, started, last_completed, last_saved, ids_total, last_completed_at = counted
            found.append(
                _Questionnaire._make(
                    (
                        *row,
                        completed,
                        started,
                        last_completed,
                        str(last_saved),
                        ids_total,
                        str(last_completed_at),
                    )
                )
            )
    return found


class _Made:
    """The model objects of the questionnaires and cohorts the list shows, made from their rows
    (each once; only the fields read are set, as ``QuerySet.only`` would leave them)."""

    def __init__(self) -> None:
        self.collections: dict[int, Collection] = {}
        self.cohorts: dict[int, Cohort] = {}
        self.programmes: dict[int, Programme] = {}

    def collection(self, q: _Questionnaire) -> Collection:
        made = self.collections.get(q.pk)
        if made is None:
            made = self.collections[q.pk] = _from_row(
                Collection,
                id=q.pk,
                cohort_id=q.cohort_id,
                timepoint=q.timepoint,
                follow_up_weeks=q.follow_up_weeks,
                is_open=q.is_open,
                opened_at=q.opened_at,
                closed_at=q.closed_at,
            )
            made.cohort = self.cohort(q)
        return made

    def cohort(self, q: _Questionnaire) -> Cohort:
        made = self.cohorts.get(q.cohort_id)
        if made is None:
            made = self.cohorts[q.cohort_id] = _from_row(
                Cohort,
                id=q.cohort_id,
                programme_id=q.programme_id,
                name=q.cohort_name,
                start_date=q.start_date,
                end_date=q.end_date,
            )
            programme = self.programmes.get(q.programme_id)
            if programme is None:
                programme = self.programmes[q.programme_id] = _from_row(
                    Programme, id=q.programme_id, name=q.programme_name
                )
            made.programme = programme
        return made


def _from_row(model: type[M], **values: Any) -> M:
    """A ``model`` object loaded with ``values`` (by attribute name), its other fields deferred."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def _follow_ups(
    questionnaires: list[_Questionnaire], today: datetime.date, made: _Made
) -> tuple[FollowUpDue, ...]:
    """Follow-ups due within DUE_SOON_DAYS or past due, not closed, and either never opened or
    open with fewer answers than FEW_ANSWERS_SHARE of the post-test's."""
    post_completed = {
        q.cohort_id: q.completed for q in questionnaires if q.timepoint == str(Timepoint.POST)
    }
    found = []
    for q in questionnaires:
        due = q.due_date()
        if due is None or q.closed_at is not None:
            continue
        days = (today - due).days
        opened = q.opened_at is not None
        expected = post_completed.get(q.cohort_id, 0)
        if opened:
            if days < 0 or q.completed >= FEW_ANSWERS_SHARE * expected:
                continue
        elif days < -DUE_SOON_DAYS:
            continue
        found.append(FollowUpDue(made.collection(q), due, days, opened, q.completed, expected))
    found.sort(key=lambda item: -item.days_overdue)
    return tuple(found)


def _differences(
    active: Any, questionnaires: list[_Questionnaire], made: _Made
) -> tuple[DifferencesToResolve, ...]:
    by_id = {q.pk: q for q in questionnaires}
    rows = (
        PaperForm.objects.filter(collection__cohort__in=active, status=PaperStatus.DISCREPANT)
        .values("collection_id")
        .annotate(forms=Count("id"))
        .order_by("collection_id")
    )
    return tuple(
        DifferencesToResolve(made.collection(by_id[r["collection_id"]]), r["forms"]) for r in rows
    )


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
    organisation: Organisation,
    active: Any,
    questionnaires: list[_Questionnaire],
    decisions: list[Any],
    made: _Made,
) -> tuple[MatchesToCheck, ...]:
    """Per cohort, the probable matches of the core's tolerant matching (accepted decisions
    applied, as on the matching page) that have no decision yet.

    The counts are kept (:class:`~imheval.web.workspace.models.MatchCounts`, one query to read)
    with a key per cohort (:func:`_count_keys`, from the ``questionnaires`` and the
    ``decisions``: cohort, code_a, code_b, decision, decided_at). Only cohorts whose key changed
    are counted again, from one query of their complete responses' codes (no answers), and the
    new counts kept with one more. A cohort answered at fewer than two questionnaires has
    nothing to match: it is counted without reading.

    The keys (read with the questionnaires at the start of the visit) and the codes counted
    again come from separate statements, not from one transaction: a transaction would not make
    them one snapshot on PostgreSQL (READ COMMITTED: each statement sees what was committed when
    it starts), and on SQLite imheval's transactions are IMMEDIATE, so a page that only reads
    would take the write lock that participants submitting need; reading the keys again after
    the codes would cost every counting visit more queries. The counts heal themselves instead:
    the codes are read after the keys, so a change in between can only make a kept count newer
    than its key, never older, and that change also changes the key (:func:`_count_keys`), so
    the next visit counts the cohort again. The one exception is a change undone exactly
    before that visit (a response completed in those milliseconds, then deleted with nothing
    else changed in its cohort): its cohort's count stays off by it until the cohort changes
    again.
    """
    by_cohort: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for cohort_id, code_a, code_b, decision, _ in decisions:
        by_cohort[cohort_id].append((code_a, code_b, decision))
    keys, measured = _count_keys(questionnaires, by_cohort)
    kept = (
        MatchCounts.objects.filter(organisation=organisation)
        .values_list("counts", flat=True)
        .first()
    ) or {}
    counts: dict[int, int] = {}
    for cohort_id, key in keys.items():
        entry = kept.get(str(cohort_id))
        if entry is not None and entry[0] == key:
            counts[cohort_id] = entry[1]
        elif cohort_id not in measured:
            counts[cohort_id] = 0
    changed = [cohort_id for cohort_id in keys if cohort_id not in counts]
    if changed:
        counts.update(_recount(active, changed, by_cohort))
    fresh = {str(cohort_id): [key, counts[cohort_id]] for cohort_id, key in keys.items()}
    if fresh != kept:
        _keep_counts(organisation, fresh)
    first = {q.cohort_id: q for q in reversed(questionnaires)}
    found = [
        MatchesToCheck(made.cohort(first[cohort_id]), undecided)
        for cohort_id, undecided in counts.items()
        if undecided
    ]
    found.sort(key=lambda item: (item.cohort.start_date, item.cohort.pk))
    return tuple(found)


def _count_keys(
    questionnaires: list[_Questionnaire], decided: dict[int, list[tuple[str, str, str]]]
) -> tuple[dict[int, str], set[int]]:
    """(cohort id -> the key of what its probable-match count depends on, the cohorts with
    complete responses at two or more timepoints).

    A count depends on the code, profession and directorate of each complete response of the
    cohort and on the questionnaire (so the timepoint) it answers, on the cohort's match
    decisions (codes and decision), and on the rules of matching. The key holds, for each of
    the cohort's questionnaires, its id and timepoint and its complete responses' number,
    highest id, sum of ids, last save (``saved_at``) and last completion (``completed_at``);
    the cohort's decisions; the core's version and :data:`MATCH_COUNT_RULES`. So:

    - a response completed (a new one, or a draft submitted, which stamps ``completed_at``
      only) changes the number, the sum of ids and the last completion, even when another is
      deleted meanwhile (its id is not the one added, so the sum changes);
    - a response deleted changes the number and the sum of ids;
    - a code, profession or directorate corrected, or a response moved to another
      questionnaire, goes through ``save()``, which stamps ``saved_at`` (``auto_now``);
    - a questionnaire moved to another cohort or given another timepoint, a decision made,
      changed or withdrawn, a release of the core or a bump of MATCH_COUNT_RULES changes it.

    A write that bypasses that stamp may leave every part of the key as it was:
    ``QuerySet.update()``, ``bulk_update()`` or ``save(update_fields=...)`` of a complete
    response's ``code``, ``profession``, ``directorate``, ``status`` or ``collection`` without
    ``saved_at``. Code that makes such a bulk update must also clear the organisation's kept
    counts (``MatchCounts.objects.filter(organisation=...).delete()``). There is none today:
    the only narrow save of a response that is or becomes complete is a draft's submission,
    covered above.
    """
    parts: dict[int, list[Any]] = defaultdict(list)
    timepoints: dict[int, set[str]] = defaultdict(set)
    for q in questionnaires:
        parts[q.cohort_id].append(
            (
                q.pk,
                q.timepoint,
                q.completed,
                q.last_completed,
                q.ids_total,
                q.last_saved,
                q.last_completed_at,
            )
        )
        if q.completed:
            timepoints[q.cohort_id].add(q.timepoint)
    rules = (_version.__version__, MATCH_COUNT_RULES)
    keys = {
        cohort_id: hashlib.blake2b(
            repr((rules, sorted(rows), sorted(decided.get(cohort_id, [])))).encode(),
            digest_size=8,
        ).hexdigest()
        for cohort_id, rows in parts.items()
    }
    return keys, {cohort_id for cohort_id, seen in timepoints.items() if len(seen) >= 2}


def _recount(
    active: Any, cohort_ids: list[int], decided: dict[int, list[tuple[str, str, str]]]
) -> dict[int, int]:
    """Each of ``cohort_ids``' number of probable matches with no decision, from one query of
    their complete responses' codes. A code used twice at one questionnaire is left out, as
    the analysis leaves it out."""
    wanted = Q(collection__cohort__in=active)
    if len(cohort_ids) <= RECOUNT_BY_ID:
        wanted = Q(collection__cohort_id__in=cohort_ids)
    records = list(
        Submission.objects.filter(wanted, status=Status.COMPLETE).values_list(
            "collection__cohort_id", "collection__timepoint", "code", "profession", "directorate"
        )
    )
    counts = dict.fromkeys(cohort_ids, 0)
    frame = pd.DataFrame(
        records, columns=["cohort_id", "timepoint", "participant", "profession", "directorate"]
    ).astype({"participant": str, "profession": str, "directorate": str})
    frame = frame[frame["cohort_id"].isin(cohort_ids).to_numpy()]
    frame = frame[~frame.duplicated(["cohort_id", "timepoint", "participant"], keep=False)]
    measured_twice = frame.groupby("cohort_id")["timepoint"].transform("nunique") >= 2
    frame = frame[measured_twice.to_numpy()]
    if frame.empty:
        return counts
    found = _undecided_everywhere(frame, decided)
    if found is None:  # a decision no longer fits its cohort: each cohort on its own
        found = {
            int(cast(int, key)): _undecided(
                int(cast(int, key)), rows, decided.get(int(cast(int, key)), [])
            )
            for key, rows in frame.groupby("cohort_id", sort=False)
        }
    counts.update(found)
    return counts


def _keep_counts(organisation: Organisation, counts: dict[str, list[Any]]) -> None:
    """Keep ``counts`` as the organisation's (one insert-or-update query). If the database is
    too busy to write (SQLite's lock) the page is still shown; they are counted again next
    time."""
    row = MatchCounts(organisation=organisation, counts=counts, updated_at=timezone.now())
    try:
        with transaction.atomic():
            MatchCounts.objects.bulk_create(
                [row],
                update_conflicts=True,
                unique_fields=["organisation"],
                update_fields=["counts", "updated_at"],
            )
    except DatabaseError as error:
        logger.warning("probable-match counts of %s not kept: %s", organisation.slug, error)


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
