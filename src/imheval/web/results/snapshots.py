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
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
from dataclasses import asdict, dataclass

from django.db import DatabaseError, transaction
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from imheval import EvaluationOptions, ImhevalError
from imheval.reports import build_report
from imheval.web.results import presentation
from imheval.web.results.analysis import Scope, analyse, data_fingerprint
from imheval.web.results.models import EvaluationSnapshot
from imheval.web.results.presentation import page_sections

logger = logging.getLogger(__name__)

#: Bump when the layout of the kept content changes, so older snapshots are not shown.
SNAPSHOT_FORMAT = 1


@dataclass(frozen=True)
class PageContent:
    """What a results page shows from the analysis of its scope.

    ``problem`` is the plain reason there are no results (then nothing else is set);
    ``report_html`` is the core's report laid out by ``results/report.html``.
    """

    problem: str = ""
    subtitle: str = ""
    notice: str = ""
    min_group_size: int = EvaluationOptions().min_group_size
    report_html: str = ""

    @property
    def report(self) -> SafeString:
        """The report's markup, for the template."""
        # Only ever made by compute_content, from results/report.html with autoescaping on.
        return mark_safe(self.report_html)


def compute_content(scope: Scope) -> PageContent:
    """Run the core's evaluation of ``scope`` and lay out its report (slow for a large scope)."""
    analysis = analyse(scope)
    if analysis.evaluation is None:
        return PageContent(problem=analysis.problem)
    try:
        report = build_report(analysis.evaluation, title=scope.report_title)
    except ImhevalError as error:
        return PageContent(problem=f"The report could not be built: {error}")
    return PageContent(
        subtitle=report.subtitle,
        notice=analysis.notice,
        min_group_size=analysis.evaluation.options.min_group_size,
        report_html=render_to_string("results/report.html", {"sections": page_sections(report)}),
    )


def page_content(scope: Scope) -> PageContent:
    """``scope``'s page content: from its snapshot if the data are unchanged, else computed
    now and kept. A few small queries on a hit, whatever the size of the scope."""
    fingerprint = _fingerprint(scope)
    kept = (
        EvaluationSnapshot.objects.in_organisation(scope.organisation)
        .filter(scope=scope.key, fingerprint=fingerprint)
        .values_list("content", "report_html")
        .first()
    )
    if kept is not None:
        content, report_html = kept
        return PageContent(**content, report_html=report_html)
    # The fingerprint is taken before the data are read, so a change made while computing
    # leaves a snapshot that no longer matches: the next visit computes again.
    computed = compute_content(scope)
    keep(scope, fingerprint, computed)
    return computed


def _fingerprint(scope: Scope) -> str:
    """The data's fingerprint together with the layout's: a new release that lays the report
    out differently must not show pages laid out by the old one."""
    text = f"{SNAPSHOT_FORMAT}:{_layout()}:{data_fingerprint(scope)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def _layout() -> str:
    """A hash of the report's template and of the code that prepares its blocks."""
    source = get_template("results/report.html").template.source + inspect.getsource(presentation)
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def keep(scope: Scope, fingerprint: str, content: PageContent) -> None:
    """Store ``content`` as ``scope``'s snapshot, replacing the one before.

    Two processes may finish computing the same scope at once: the unique constraint lets one
    row in, ``update_or_create`` turns the other's insert into an update, and if the database
    is too busy to write (SQLite's lock) the page is still shown; it is kept next time.
    """
    fields = asdict(content)
    report_html = fields.pop("report_html")
    try:
        with transaction.atomic():
            EvaluationSnapshot.objects.update_or_create(
                organisation=scope.organisation,
                scope=scope.key,
                defaults={
                    "fingerprint": fingerprint,
                    "content": fields,
                    "report_html": report_html,
                    "created_at": timezone.now(),
                },
            )
    except DatabaseError as error:
        logger.warning("results snapshot of %s not kept: %s", scope.key, error)
