"""The one authentication backend: Django's, refusing a locked user name on every sign-in path.

Every way of signing in (our sign-in page, the Django admin's, the current-password check on
the password change page) calls :func:`django.contrib.auth.authenticate`, which asks this
backend. A locked user name is refused here, before its password is checked, so the right
password does not get in while the lock lasts, whichever page was used. Failures are counted by
:func:`count_failure` (Django's ``user_login_failed`` signal, sent by ``authenticate`` for every
failed attempt) and forgotten by :func:`forget_failures` (``user_logged_in``): one mechanism
for all pages, not a copy per view.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from imheval.web.organisations import lockout


class LockoutBackend(ModelBackend):
    """Django's model backend, which refuses a locked user name whatever the password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """The user for these credentials, or None; PermissionDenied while the name is locked.

        PermissionDenied makes ``authenticate`` stop at once (no other backend is asked) and
        report the attempt as failed, so the sign-in form shows its usual error.
        """
        if username is None:
            username = kwargs.get("username")
        if username and lockout.minutes_locked(str(username)):
            raise PermissionDenied("user name locked after too many failed sign-ins")
        return super().authenticate(request, username=username, password=password, **kwargs)


def count_failure(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    """Count a failed sign-in for its user name (attempts during a lock do not extend it)."""
    username = str(credentials.get("username") or "")
    if username and not lockout.minutes_locked(username):
        lockout.record_failure(username)


def forget_failures(sender: Any, user: Any, **kwargs: Any) -> None:
    """Forget a user name's failures once its owner has signed in."""
    lockout.clear(user.get_username())
