"""Evaluation pages kept as snapshots, so a large organisation's results open at once.

The core evaluates 50,000 responses in minutes, not milliseconds, so a results page is computed
once and its content kept in the database (:class:`~.models.EvaluationSnapshot`), where every
server process finds it. A snapshot is shown only while its fingerprint
(:func:`~.analysis.data_fingerprint`) matches the data: any change that could alter the results
makes the next visit compute the page again and replace the snapshot.

What is kept is what the page shows from the analysis (:class:`PageContent`): the report laid
out in NHS.UK markup, its subtitle, the plain notes. Links that depend on who is looking (which
downloads a role may have) are added by the view on every request. Downloads are not kept: a
report or an export is computed afresh from the data when it is asked for.

**Last results at once, new ones behind.** When a page's data have changed since its snapshot
was kept (a response completed, a match decided ...), a visit does not wait for the new
results: :func:`visit` shows the kept page at once, marked as being updated, and puts a task on
the queue (:func:`start_refresh`) that a worker (``imheval worker``, on this machine or another)
runs to work out the new results and keep them (:func:`refresh_task`). Only one refresh of a
scope is queued or running at a time: the visit first claims it on the snapshot's row with one
conditional update (:func:`claim_refresh`), which the database lets only one process win.
A claim older than :data:`REFRESH_TIMEOUT` can be taken over, so a worker killed while
refreshing (or a queue no worker serves) blocks nothing for long; a refresh that failed is
logged and tried again after :data:`RETRY_AFTER`. The stale page asks every few seconds
whether the new results are ready (:func:`refresh_state`).

**The summary at once, the rest behind.** With nothing to show (the first visit ever, or a
snapshot laid out by another release), a visit computes only the summary
(:func:`compute_summary`: the core's evaluation without its deeper analyses, and the summary's
one chart), keeps it as a ``partial`` snapshot and queues the whole page's refresh as above;
the page polls for the rest and puts it in place below the summary. The ``inline`` mode
(setting ``IMHEVAL_RESULTS_REFRESH``) computes the whole page in the request.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import inspect
import logging
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_tasks import TaskResult, task

from imheval import EvaluationOptions, ImhevalError
from imheval.evaluation import Evaluation
from imheval.reports import build_report
from imheval.reports.context import ReportContext
from imheval.reports.model import Table
from imheval.reports.sections.groups import group_tables
from imheval.reports.sections.summary import summary_section
from imheval.services import ServiceSummary, summarise
from imheval.web.results import presentation
from imheval.web.results.analysis import Scope, analyse, data_fingerprint, service_fingerprint
from imheval.web.results.models import EvaluationSnapshot
from imheval.web.results.presentation import page_sections
from imheval.web.workforce.services_data import organisation_service_data
from imheval.web.workspace.models import Cohort, Programme

logger = logging.getLogger(__name__)

#: Bump when the layout of the kept content changes, or the core words or selects the report's
#: content differently, so older snapshots are not shown: a snapshot kept by an older format is
#: computed again on its next visit. 2: findings kept as data (issue 11), which names a group
#: test's direction for groups with an apostrophe in their name and words the report's small-group
#: notes with the report's own minimum group size.
#: 3: the summary kept apart (summary_html), beside the downloads; the other sections folded.
#: 4: the sections grouped (Kirkpatrick levels, then the others), their parts folded, and each
#: programme's (or cohort's) table kept (groups); a summary kept alone (partial) on a first visit.
SNAPSHOT_FORMAT = 5

#: A refresh claimed longer ago than this is taken to have died with its process.
REFRESH_TIMEOUT = datetime.timedelta(minutes=10)
#: After a refresh failed, the next one starts no sooner than this.
RETRY_AFTER = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class PageContent:
    """What a results page shows from the analysis of its scope.

    ``problem`` is the plain reason there are no results (then nothing else is set);
    ``summary_html`` is the report's summary laid out by ``results/report_summary.html`` (the
    top of the page, beside the downloads); ``report_html`` the rest of the core's report laid
    out by ``results/report.html``; ``groups`` each programme's (on the organisation's page) or
    cohort's (on a programme's) table, by name, as a block for ``results/blocks.html``
    (:func:`imheval.reports.sections.groups.group_tables`). ``partial`` content is the summary
    alone (:func:`compute_summary`): the rest is being worked out.
    """

    problem: str = ""
    subtitle: str = ""
    notice: str = ""
    min_group_size: int = EvaluationOptions().min_group_size
    summary_html: str = ""
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    partial: bool = False
    report_html: str = ""

    @property
    def summary(self) -> SafeString:
        """The summary's markup, for the template."""
        # Only ever made by compute_content, from a template with autoescaping on.
        return mark_safe(self.summary_html)

    @property
    def report(self) -> SafeString:
        """The markup of the report's other sections, for the template."""
        # Only ever made by compute_content, from results/report.html with autoescaping on.
        return mark_safe(self.report_html)


def compute_content(scope: Scope) -> PageContent:
    """Run the core's evaluation of ``scope`` and lay out its report (slow for a large scope)."""
    return _content(scope, whole=True)


def compute_summary(scope: Scope) -> PageContent:
    """The summary of ``scope``'s report alone, ``partial`` (a fraction of the time of
    :func:`compute_content`: the core's evaluation without its deeper analyses, and only the
    summary's chart); the same summary as the whole page's. A scope with nothing to analyse
    gives its whole (short) page, not partial."""
    return _content(scope, whole=False)


def _content(scope: Scope, whole: bool) -> PageContent:
    analysis = analyse(scope, deeper=whole)
    evaluation = analysis.evaluation
    if evaluation is None:
        return PageContent(problem=analysis.problem)
    try:
        report = build_report(
            evaluation,
            title=scope.report_title,
            builders=None if whole else (summary_section,),
            services=_service_figures(scope, evaluation) if whole else None,
        )
        tables = _group_tables(scope, evaluation) if whole else {}
    except ImhevalError as error:
        return PageContent(problem=f"The report could not be built: {error}")
    domains: dict[int, list[str]] = {}
    for domain in evaluation.domains:
        # A domain tagged with Barr's sub-level says it: "Practice (3a)".
        barr = evaluation.barr_level(domain.domain.id)
        label = f"{domain.domain.label} ({barr})" if barr else domain.domain.label
        domains.setdefault(domain.domain.kirkpatrick_level, []).append(label)
    sections = page_sections(report, domains)
    summary = next((s for s in sections if s["id"] == "report-summary"), None)
    rest = [s for s in sections if s is not summary]
    return PageContent(
        subtitle=report.subtitle,
        notice=analysis.notice,
        min_group_size=evaluation.options.min_group_size,
        summary_html=render_to_string("results/report_summary.html", {"section": summary})
        if summary is not None
        else "",
        groups=presentation.group_tables(tables),
        partial=not whole,
        report_html=render_to_string(
            "results/report.html",
            {
                "levels": [s for s in rest if s["level"] is not None],
                "others": [s for s in rest if s["level"] is None],
            },
        )
        if whole
        else "",
    )


def _group_tables(scope: Scope, evaluation: Evaluation) -> dict[str, Table]:
    """Each programme's table on the organisation's page, each cohort's on a programme's."""
    if scope.kind == "cohort":
        return {}
    context = ReportContext(evaluation, evaluation.options.min_group_size)
    return group_tables(context, "programme" if scope.kind == "organisation" else "cohort")


@dataclass(frozen=True)
class Visit:
    """What a visit to a results page shows: the content, when it was worked out, and whether
    it is the kept page of data that have changed since (``stale``: new results are being
    worked out in the background)."""

    content: PageContent
    computed_at: datetime.datetime
    stale: bool = False
    refresh_failed: bool = False

    @property
    def partial(self) -> bool:
        """Whether only the summary is shown: the rest is being worked out in the background."""
        return self.content.partial


def visit(scope: Scope) -> Visit:
    """``scope``'s page for a visit: the snapshot if the data are unchanged; if they changed,
    the snapshot marked stale while a background refresh starts (in the ``background`` mode);
    with no snapshot to show (or only a summary of older data), the summary computed now and
    kept while the whole page is worked out in the background (``partial``), or in the
    ``inline`` mode the whole page computed now and kept. A few small queries unless computed,
    whatever the scope's size.
    """
    return _page(scope, background=refresh_in_background())


def page_content(scope: Scope) -> PageContent:
    """``scope``'s page content: from its snapshot if the data are unchanged, else computed
    now and kept. A few small queries on a hit, whatever the size of the scope."""
    return _page(scope, background=False).content


def _page(scope: Scope, background: bool) -> Visit:
    fingerprint = _fingerprint(scope)
    kept = (
        EvaluationSnapshot.objects.in_organisation(scope.organisation)
        .filter(scope=scope.key)
        .values_list(
            "fingerprint",
            "layout",
            "partial",
            "content",
            "report_html",
            "created_at",
            "refresh_failed_at",
        )
        .first()
    )
    if kept is not None:
        kept_fingerprint, layout, partial, content, report_html, created_at, failed_at = kept
        shown = PageContent(**content, partial=partial, report_html=report_html)
        if kept_fingerprint == fingerprint and not partial:
            return Visit(shown, created_at)
        if background and layout == _layout_key():
            if not partial:  # the whole page of older data, until the new one is kept
                start_refresh(scope, fingerprint)
                return Visit(
                    shown, created_at, stale=True, refresh_failed=_recent_failure(failed_at)
                )
            if kept_fingerprint == fingerprint:  # this summary; the rest is being worked out
                start_refresh(scope, fingerprint)
                return Visit(shown, created_at, refresh_failed=_recent_failure(failed_at))
    # The fingerprint is taken before the data are read, so a change made while computing
    # leaves a snapshot that no longer matches: the next visit computes again.
    computed_at = timezone.now()
    if background:
        # Nothing to show yet: the summary now, the whole page behind (see the module doc).
        summary = compute_summary(scope)
        keep(scope, fingerprint, summary)
        if summary.partial:
            start_refresh(scope, fingerprint)
        return Visit(summary, computed_at)
    computed = compute_content(scope)
    keep(scope, fingerprint, computed)
    return Visit(computed, computed_at)


def kept_content(scope: Scope) -> PageContent | None:
    """The last whole page kept for ``scope`` (whatever data it was worked out from), or None
    when none is kept (or only a summary). One query; nothing is computed."""
    kept = (
        EvaluationSnapshot.objects.in_organisation(scope.organisation)
        .filter(scope=scope.key, partial=False, layout=_layout_key())
        .values_list("content", "report_html")
        .first()
    )
    if kept is None:
        return None
    content, report_html = kept
    return PageContent(**content, report_html=report_html)


def refresh_in_background() -> bool:
    """Whether a page whose data changed is refreshed in the background.

    Only in the ``background`` mode, and only when the request is not inside a database
    transaction (``ATOMIC_REQUESTS``, or a test wrapped in one): the worker has its own
    connection, so it could not see what that transaction has not committed (not even the
    queued task), and would wait on its locks. Inside one the page is computed in the request,
    as in the ``inline`` mode.
    """
    mode = getattr(settings, "IMHEVAL_RESULTS_REFRESH", "background")
    return mode == "background" and not connection.in_atomic_block


# ---------------------------------------------------------------------------- refresh


RefreshState = Literal["ready", "updating", "failed"]


def refresh_state(scope: Scope) -> RefreshState:
    """Where the stale page's refresh stands: "ready" once the kept snapshot matches the data
    again, "failed" just after a refresh failed, else "updating" (a refresh is started if none
    is running, as a visit would: the data may have changed again while the last one ran)."""
    fingerprint = _fingerprint(scope)
    kept = (
        EvaluationSnapshot.objects.in_organisation(scope.organisation)
        .filter(scope=scope.key)
        .values_list("fingerprint", "partial", "refresh_failed_at")
        .first()
    )
    if kept is None:
        return "updating"  # nothing to refresh: the next visit computes the page
    kept_fingerprint, partial, failed_at = kept
    if kept_fingerprint == fingerprint and not partial:
        return "ready"
    if _recent_failure(failed_at):
        return "failed"
    if refresh_in_background():
        start_refresh(scope, fingerprint)
    return "updating"


def claim_refresh(scope: Scope, fingerprint: str = "") -> str | None:
    """Claim the refresh of ``scope``'s snapshot for this process: a token, or None when another
    process holds an unexpired claim, a refresh failed less than :data:`RETRY_AFTER` ago, or
    the snapshot already matches ``fingerprint``.

    One conditional UPDATE: the database applies it to the row once, so of two processes
    claiming at once exactly one changes the row (PostgreSQL re-checks the condition after the
    first one's row lock; SQLite writes one at a time).
    """
    now = timezone.now()
    token = secrets.token_hex(16)
    free = Q(refresh_started_at__isnull=True) | Q(refresh_started_at__lt=now - REFRESH_TIMEOUT)
    rested = Q(refresh_failed_at__isnull=True) | Q(refresh_failed_at__lt=now - RETRY_AFTER)
    rows = EvaluationSnapshot.objects.in_organisation(scope.organisation).filter(
        free, rested, scope=scope.key
    )
    if fingerprint:
        rows = rows.exclude(fingerprint=fingerprint, partial=False)
    try:
        claimed = rows.update(refresh_claim=token, refresh_started_at=now)
    except DatabaseError as error:  # SQLite too busy: a later visit or poll claims it
        logger.warning("results refresh of %s not claimed: %s", scope.key, error)
        return None
    return token if claimed else None


def release_refresh(scope: Scope, token: str, failed: bool = False) -> bool:
    """Give up the claim ``token`` (if it is still this process's: an expired claim may have
    been taken over), noting a failure so the next refresh waits :data:`RETRY_AFTER`."""
    released = (
        EvaluationSnapshot.objects.in_organisation(scope.organisation)
        .filter(scope=scope.key, refresh_claim=token)
        .update(
            refresh_claim="",
            refresh_started_at=None,
            refresh_failed_at=timezone.now() if failed else None,
        )
    )
    return released == 1


def start_refresh(scope: Scope, fingerprint: str = "") -> TaskResult[None] | None:
    """Claim ``scope``'s refresh and queue it for a worker: the queued task, or None if another
    process has it already, or it needs none. If the task cannot be queued (the database is
    busy) the claim is given up as failed, so a later visit tries again."""
    token = claim_refresh(scope, fingerprint)
    if token is None:
        return None
    try:
        return refresh_task.enqueue(scope.organisation.pk, scope.key, token)
    except DatabaseError as error:
        logger.warning("results refresh of %s not queued: %s", scope.key, error)
        release_refresh(scope, token, failed=True)
        return None


def scope_of(organisation_id: int, key: str) -> Scope:
    """The scope named by ``key`` (:attr:`Scope.key`) in the organisation ``organisation_id``;
    the model's DoesNotExist if it (or the organisation) was deleted."""
    from imheval.web.organisations.models import Organisation

    organisation = Organisation.objects.get(pk=organisation_id)
    if key == "organisation":
        return Scope.of(organisation)
    kind, _, pk = key.partition(":")
    model: type[Cohort] | type[Programme] = Cohort if kind == "cohort" else Programme
    return Scope.of(organisation, model.objects.in_organisation(organisation).get(pk=int(pk)))


@task()
def refresh_task(organisation_id: int, scope_key: str, token: str) -> None:
    """The queued refresh, run by a worker: :func:`refresh` of the scope, if it still exists
    (a deleted cohort's snapshot went with it)."""
    try:
        scope = scope_of(organisation_id, scope_key)
    except (Cohort.DoesNotExist, Programme.DoesNotExist, ObjectDoesNotExist):
        logger.info("results refresh of %s skipped: the scope was deleted", scope_key)
        return
    refresh(scope, token)


def refresh(scope: Scope, token: str) -> None:
    """Work out ``scope``'s page again and keep it, then release the claim ``token``.

    Never raises: an error is logged, the old snapshot stays, and the claim is released as
    failed (so the worker records the task as done; the snapshot row says what happened).
    """
    failed = False
    try:
        # As on a visit: the fingerprint is taken before the data are read.
        fingerprint = _fingerprint(scope)
        keep(scope, fingerprint, compute_content(scope))
    except Exception:
        failed = True
        logger.exception(
            "results of %s in %s not refreshed; the last ones stay",
            scope.key,
            scope.organisation.slug,
        )
    finally:
        try:
            release_refresh(scope, token, failed)
        except Exception:
            logger.exception("results refresh of %s not released", scope.key)


def _recent_failure(failed_at: datetime.datetime | None) -> bool:
    return failed_at is not None and failed_at >= timezone.now() - RETRY_AFTER


def _service_figures(scope: Scope, evaluation: Evaluation) -> ServiceSummary | None:
    """The organisation's level 4 service figures (workforce pages), summarised for the
    report's Level 4 section; None when it has none. Raises DataFormatError (an ImhevalError)
    should a stored figure no longer pass the core's checks."""
    data = organisation_service_data(scope.organisation)
    if not data.rows:
        return None
    return summarise(data, min_group_size=evaluation.options.min_group_size)


def _fingerprint(scope: Scope) -> str:
    """The data's fingerprint together with the layout's: a new release that lays the report
    out differently must not show pages laid out by the old one."""
    services = service_fingerprint(scope.organisation)  # the report's Level 4
    text = f"{SNAPSHOT_FORMAT}:{_layout()}:{data_fingerprint(scope)}:{services}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _layout_key() -> str:
    """The layout of kept content this release shows (its format and its report's layout)."""
    return hashlib.sha256(f"{SNAPSHOT_FORMAT}:{_layout()}".encode()).hexdigest()


@functools.cache
def _layout() -> str:
    """A hash of the report's templates and of the code that prepares its blocks."""
    templates = (
        "results/report.html",
        "results/report_section.html",
        "results/report_summary.html",
        "results/blocks.html",
    )
    source = "".join(get_template(name).template.source for name in templates)
    source += inspect.getsource(presentation)
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def keep(scope: Scope, fingerprint: str, content: PageContent) -> None:
    """Store ``content`` as ``scope``'s snapshot, replacing the one before.

    Two processes may finish computing the same scope at once: the unique constraint lets one
    row in, ``update_or_create`` turns the other's insert into an update, and if the database
    is too busy to write (SQLite's lock) the page is still shown; it is kept next time.
    """
    fields = asdict(content)
    report_html = fields.pop("report_html")
    partial = fields.pop("partial")
    try:
        with transaction.atomic():
            EvaluationSnapshot.objects.update_or_create(
                organisation=scope.organisation,
                scope=scope.key,
                defaults={
                    "fingerprint": fingerprint,
                    "content": fields,
                    "report_html": report_html,
                    "partial": partial,
                    "layout": _layout_key(),
                    "created_at": timezone.now(),
                },
            )
    except DatabaseError as error:
        logger.warning("results snapshot of %s not kept: %s", scope.key, error)
