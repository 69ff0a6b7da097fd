"""Sign in (with lockout), sign out, accounts (invitations, password change and reset), the
health check and the privacy page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from imheval.web.organisations import links, lockout
from imheval.web.organisations.audit import record_account_change
from imheval.web.organisations.forms import ChangePasswordForm, SetPasswordForm, SignUpForm
from imheval.web.organisations.models import Invitation, Membership, PasswordReset


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


# ----------------------------------------------------------------------- accounts


def _link_not_valid(request: HttpRequest) -> HttpResponse:
    """One answer (404) for an unknown, expired, used or revoked link: nothing is revealed."""
    return render(request, "organisations/link_not_valid.html", status=404)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation: signed in, with one button; otherwise sign in or create an account.

    Nobody becomes a member until they accept here. A link that does not work (or no longer
    does) answers 404 with one page, whatever the reason.
    """
    found = links.usable(Invitation, token)
    if found is None:
        return _link_not_valid(request)
    organisation = found.organisation
    user: Any = request.user
    member = (
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation=organisation).exists()
    )
    sign_up = SignUpForm(
        request.POST if request.method == "POST" and not user.is_authenticated else None
    )
    if request.method == "POST":
        if user.is_authenticated and not member:
            if links.accept(found, user) is None:
                return _link_not_valid(request)
            messages.success(request, f"You are now a member of {organisation}.")
            return redirect("workspace:organisation", org=organisation.slug)
        if not user.is_authenticated and sign_up.is_valid():
            new_user = links.sign_up_and_accept(
                found, sign_up.cleaned_data["username"], sign_up.cleaned_data["new_password1"]
            )
            if new_user is None:
                return _link_not_valid(request)
            login(request, new_user)
            messages.success(request, f"Your account is ready: you are a member of {organisation}.")
            return redirect("workspace:organisation", org=organisation.slug)
    context = {
        "invitation": found,
        "organisation": organisation,
        "member": member,
        "form": sign_up,
        "sign_in": reverse("organisations:login") + "?next=" + request.path,
    }
    return render(request, "organisations/invitation.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change your own password: the current one is needed; you stay signed in."""
    form = ChangePasswordForm(
        request.user, request, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        record_account_change(user, "password changed")
        messages.success(request, "Your password has been changed.")
        return redirect("workspace:home")
    context = {
        "form": form,
        "title": "Change your password",
        "intro": "You stay signed in here; other devices signed in as you are signed out.",
        "submit": "Change password",
        "cancel": reverse("workspace:home"),
    }
    return render(request, "organisations/account_form.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def password_reset(request: HttpRequest, token: str) -> HttpResponse:
    """Set a new password from a reset link an admin made; then sign in with it."""
    found = links.usable(PasswordReset, token)
    if found is None:
        return _link_not_valid(request)
    form = SetPasswordForm(request.POST if request.method == "POST" else None, user=found.user)
    if request.method == "POST" and form.is_valid():
        if not links.use_reset(found, form.cleaned_data["new_password1"]):
            return _link_not_valid(request)
        messages.success(request, "Your new password is set. Sign in with it.")
        return redirect("organisations:login")
    context = {
        "form": form,
        "title": "Set a new password",
        "intro": f"For the account {found.user.get_username()}. This link works once.",
        "submit": "Set password",
        "cancel": "/",
    }
    return render(request, "organisations/account_form.html", context)
