"""Housekeeping for the participant pages: delete stale drafts and expired sessions.

A draft is a questionnaire someone started online and never submitted. Its only way back is
the browser session that started it, which ends ``SESSION_COOKIE_AGE`` (12 hours) after it was
last changed, so a draft started more than ``IMHEVAL_CAPTURE_DRAFT_DAYS`` (7) days ago can
never be carried on: it is deleted. Complete responses are never touched (a follow-up answered
weeks later is a new draft of another collection, started that day). Expired sessions are
deleted as Django's ``clearsessions`` does. Run it daily: ``imheval purge``, the
``purge_stale`` management command, or the background worker's schedule.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imheval.web.capture.models import Source, Status, Submission

DEFAULT_DRAFT_DAYS = 7

#: Drafts deleted per statement: bounded memory however many there are (the audit log's delete
#: signal makes Django load each row it deletes).
BATCH_SIZE = 1000


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What :func:`purge_stale` deleted.

    ``drafts``: unfinished online questionnaires started before ``drafts_started_before``.
    ``sessions``: expired sessions, or None when the session engine cannot count them (it was
    still asked to clear them).
    """

    drafts: int
    drafts_started_before: datetime.datetime
    sessions: int | None

    def summary(self) -> str:
        """One line for the command line and the logs."""
        sessions = (
            "expired sessions cleared"
            if self.sessions is None
            else (f"{self.sessions} expired session{'' if self.sessions == 1 else 's'}")
        )
        return (
            f"Deleted {self.drafts} unfinished questionnaire{'' if self.drafts == 1 else 's'} "
            f"started before {self.drafts_started_before:%Y-%m-%d %H:%M %Z} and {sessions}."
        )


def purge_stale(now: datetime.datetime | None = None) -> PurgeReport:
    """Delete stale drafts and expired sessions (see the module docstring); returns the counts.

    ``now`` (aware) stands for the current time, for tests. Safe to run at any time, and twice
    at once: each batch is its own transaction, and a draft submitted meanwhile is no longer a
    draft, so it is kept. Database errors propagate.
    """
    now = now or timezone.now()
    days = int(getattr(settings, "IMHEVAL_CAPTURE_DRAFT_DAYS", DEFAULT_DRAFT_DAYS))
    cutoff = now - datetime.timedelta(days=days)
    stale = Submission.objects.filter(
        status=Status.DRAFT, source=Source.WEB, started_at__lt=cutoff
    ).order_by()
    drafts = 0
    while True:
        with transaction.atomic():
            batch = list(stale.values_list("pk", flat=True)[:BATCH_SIZE])
            if not batch:
                break
            # Only drafts are selected: a complete response is never deleted here.
            drafts += stale.filter(pk__in=batch).delete()[1].get(Submission._meta.label, 0)
        if len(batch) < BATCH_SIZE:
            break
    return PurgeReport(drafts, cutoff, _clear_sessions(now))


def _clear_sessions(now: datetime.datetime) -> int | None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    model_class = getattr(store, "get_model_class", None)
    if model_class is None:
        store.clear_expired()  # file or cache sessions: the engine's own clean-up
        return None
    deleted, _ = model_class().objects.filter(expire_date__lt=now).delete()
    return int(deleted)
