"""Sign-in lockout: too many failed attempts for one user name lock it for a while.

Counted per user name (not per IP address, which imheval never stores), in the database, so the
count holds across all server worker processes.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from imheval.web.organisations.models import FailedLogin


def _key(username: str) -> str:
    return username.strip().casefold()[:150]


def _window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.IMHEVAL_LOGIN_WINDOW_SECONDS)


def minutes_locked(username: str) -> int:
    """Minutes until ``username`` may try again; 0 when it is not locked."""
    failures = FailedLogin.objects.filter(username=_key(username), at__gte=_window_start())
    if failures.count() < settings.IMHEVAL_LOGIN_MAX_FAILURES:
        return 0
    oldest = failures.order_by("at").values_list("at", flat=True).first()
    assert oldest is not None
    unlock = oldest + datetime.timedelta(seconds=settings.IMHEVAL_LOGIN_WINDOW_SECONDS)
    return max(1, int((unlock - timezone.now()).total_seconds() // 60) + 1)


def record_failure(username: str) -> None:
    """Count a failed attempt, and forget attempts older than the window."""
    FailedLogin.objects.filter(at__lt=_window_start()).delete()
    FailedLogin.objects.create(username=_key(username))


def clear(username: str) -> None:
    """Forget failures after a successful sign-in."""
    FailedLogin.objects.filter(username=_key(username)).delete()
