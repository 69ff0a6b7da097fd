"""Account forms: creating an account from an invitation, and changing or resetting a password.

Every password set here passes the site's password rules (settings.AUTH_PASSWORD_VALIDATORS:
Django's and :mod:`~imheval.web.organisations.passwords`), the same rules as ``createadmin``
and the Django admin.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

#: The characters a user name may use (Django's own rule), 150 at most.
USERNAME_PATTERN = re.compile(r"[\w.@+-]{1,150}")


def _password_field(label: str, autocomplete: str, hint: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=200,
        help_text=hint,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}"},
    )


PASSWORD_HINT = (
    "At least 12 characters, not a common password, not only digits, and not a repeated "
    "character or pattern. A few unrelated words make a good one."
)


class NewPasswordMixin(forms.Form):
    """Two new-password boxes that must match and pass the site's password rules."""

    new_password1 = _password_field("New password", "new-password", PASSWORD_HINT)
    new_password2 = _password_field("Confirm new password", "new-password")

    def user_for_checks(self) -> Any:
        """The user the password is for (its user name is compared with the password)."""
        raise NotImplementedError

    def clean_new_password2(self) -> str:
        first = self.cleaned_data.get("new_password1")
        second = str(self.cleaned_data["new_password2"])
        if first and first != second:
            raise ValidationError("The two passwords do not match")
        if first:
            try:
                password_validation.validate_password(second, self.user_for_checks())
            except ValidationError as error:
                self.add_error("new_password1", error)
        return second


class SignUpForm(NewPasswordMixin):
    """A new account for the person who holds an invitation."""

    username = forms.CharField(
        label="User name",
        max_length=150,
        help_text="Letters, digits and @ . + - _ only. You will sign in with it.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={"required": "Enter a user name"},
    )
    field_order = ["username", "new_password1", "new_password2"]

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"]).strip()
        if not USERNAME_PATTERN.fullmatch(username):
            raise ValidationError("Use letters, digits and @ . + - _ only, with no spaces")
        if get_user_model().objects.filter(username__iexact=username).exists():
            # Only the holder of a working invitation sees this, and it does not say whose.
            raise ValidationError(
                "Choose a different user name. If you already have an account, sign in instead"
            )
        return username

    def user_for_checks(self) -> Any:
        return get_user_model()(username=self.cleaned_data.get("username", ""))


class SetPasswordForm(NewPasswordMixin):
    """A new password for ``user`` (from a reset link)."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def user_for_checks(self) -> Any:
        return self.user


class ChangePasswordForm(PasswordChangeForm):
    """Django's password change, whose current-password check goes through the sign-in lockout.

    The current password is checked with ``authenticate`` (not ``check_password``), so a wrong
    one counts as a failed sign-in and a locked user name is refused here too: a session left
    open cannot be used to guess the password.
    """

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right, or the account is locked "
        "for a while after too many failed attempts",
        "password_mismatch": "The two passwords do not match",
    }

    def __init__(self, user: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm the new password"

    def clean_old_password(self) -> str:
        old_password = str(self.cleaned_data["old_password"])
        signed_in = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if signed_in is None or signed_in.pk != self.user.pk:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password
