"""Limits on starting questionnaires: per questionnaire link and per browser session.

Giving consent makes a draft (a database row) and a session (another row). Without a limit a
script could make them as fast as it can post (40 in 0.9 s were made in a test). Two limits,
and neither uses or stores an IP address:

* **per link**: at most ``IMHEVAL_CAPTURE_STARTS_PER_LINK_PER_MINUTE`` (60) questionnaires
  started online in the last 60 seconds at one collection (submitted or not), counted from their
  own start times in the database (index ``submission_coll_started``),
  so every server worker process sees the same count. A room of 30 people scanning one QR code
  within the same minute, each starting twice, still gets through.
* **per session**: at most ``IMHEVAL_CAPTURE_STARTS_PER_SESSION`` (5) starts by one browser in
  ``IMHEVAL_CAPTURE_SESSION_WINDOW_SECONDS`` (10 minutes), whatever the link, counted in the
  (database-backed) session as the start times only. A shared phone passes from person to
  person far more slowly (the questionnaire takes most people several minutes).

A script that drops its cookies escapes the session limit, but not the link limit. Either
limit set to 0 is off. Refused starts make nothing: no draft, no session.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from imheval.web.capture.models import Source, Submission
from imheval.web.workspace.models import Collection

#: The session key holding the times (whole seconds since 1970) of this browser's recent starts.
STARTS_KEY = "capture-starts"

#: The window of the per-link limit, in seconds.
LINK_WINDOW_SECONDS = 60

DEFAULT_STARTS_PER_LINK_PER_MINUTE = 60
DEFAULT_STARTS_PER_SESSION = 5
DEFAULT_SESSION_WINDOW_SECONDS = 10 * 60


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a start was refused, and after how many seconds trying again can work."""

    scope: Literal["link", "session"]
    retry_after: int


def setting(name: str, default: int) -> int:
    """A whole-number limit from the settings (``default`` when unset)."""
    return int(getattr(settings, name, default))


def recent_starts(
    session: SessionBase, now: datetime.datetime, window: int, key: str = STARTS_KEY
) -> list[int]:
    """The session's start times (under ``key``) within the window, oldest first (bad values
    are dropped). The network group's profile questionnaire keeps its own under its own key."""
    stored = session.get(key)
    since = now.timestamp() - window
    if not isinstance(stored, list):
        return []
    return sorted(int(t) for t in stored if isinstance(t, int) and t > since)


def refuse_start(
    session: SessionBase, collection: Collection, *, now: datetime.datetime | None = None
) -> Refusal | None:
    """A :class:`Refusal` if one more draft may not be started now, else None.

    The session's limit is checked first (it needs no query); the link's limit is one counting
    query on the drafts started at ``collection`` in the last minute.
    """
    now = now or timezone.now()
    per_session = setting("IMHEVAL_CAPTURE_STARTS_PER_SESSION", DEFAULT_STARTS_PER_SESSION)
    window = setting("IMHEVAL_CAPTURE_SESSION_WINDOW_SECONDS", DEFAULT_SESSION_WINDOW_SECONDS)
    if per_session > 0:
        starts = recent_starts(session, now, window)
        if len(starts) >= per_session:
            wait = starts[-per_session] + window - int(now.timestamp())
            return Refusal("session", max(1, wait))
    per_link = setting(
        "IMHEVAL_CAPTURE_STARTS_PER_LINK_PER_MINUTE", DEFAULT_STARTS_PER_LINK_PER_MINUTE
    )
    if per_link > 0:
        since = now - datetime.timedelta(seconds=LINK_WINDOW_SECONDS)
        started = (
            Submission.objects.filter(
                collection_id=collection.pk,
                source=Source.WEB,
                started_at__gte=since,
            )
            .order_by()
            .count()
        )
        if started >= per_link:
            return Refusal("link", LINK_WINDOW_SECONDS)
    return None


def note_start(session: SessionBase, *, now: datetime.datetime | None = None) -> None:
    """Remember in the session that it started a draft now (older times are dropped)."""
    now = now or timezone.now()
    window = setting("IMHEVAL_CAPTURE_SESSION_WINDOW_SECONDS", DEFAULT_SESSION_WINDOW_SECONDS)
    session[STARTS_KEY] = [*recent_starts(session, now, window), int(now.timestamp())]
