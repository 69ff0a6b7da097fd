"""Sign in (with lockout), sign out, the health check and the privacy page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from imheval.web.organisations import lockout


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, saying so when a user name is locked.

    The lock itself is enforced, and failures counted, for every sign-in path at once by
    :mod:`imheval.web.organisations.backends`; this form only chooses the message.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct user name and password. Both are case-sensitive.",
        "locked": (
            "Too many failed attempts for this user name. For your security, try again in "
            "%(minutes)s minutes."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        minutes = lockout.minutes_locked(username) if username else 0
        if minutes:
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": minutes}
            )
        return super().clean()


class SignInView(auth_views.LoginView):
    template_name = "organisations/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 with {"status": "ok"} when the app and its database answer; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A plain page for an expired or missing CSRF token (status 403), in the site's style."""
    return render(request, "403_csrf.html", status=403)


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/privacy.html")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/home.html")
