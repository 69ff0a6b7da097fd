"""Single-use links: invitations to join an organisation, and password resets.

An admin makes a link; the token in it is returned once (only its digest is stored, see
:mod:`~imheval.web.organisations.tokens`) for them to send by their own means. A link works
once, for :data:`LINK_LIFETIME`, until revoked. Every lookup by token answers None for an
unknown, expired, used or revoked link alike, so the pages that use them show one answer for
all four and reveal nothing.

Claiming a link is a conditional UPDATE (pending -> used), so of two people opening one link at
the same moment exactly one gets in, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime
from typing import Any, TypeVar

from django.contrib.auth import get_user_model, password_validation
from django.db import models, transaction
from django.utils import timezone

from imheval.web.organisations import lockout, tokens
from imheval.web.organisations.audit import acting_as, remember_loaded
from imheval.web.organisations.models import (
    Invitation,
    LinkStatus,
    Membership,
    Organisation,
    PasswordReset,
)

#: How long a link works after it is made.
LINK_LIFETIME = datetime.timedelta(days=7)

Link = TypeVar("Link", Invitation, PasswordReset)


def invite(organisation: Organisation, role: str, note: str, by: Any) -> tuple[Invitation, str]:
    """A new pending invitation to ``organisation`` as ``role``, and the token for its link."""
    token, token_digest = tokens.new_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        role=role,
        note=note.strip(),
        token_digest=token_digest,
        created_by=by,
        expires_at=timezone.now() + LINK_LIFETIME,
    )
    return invitation, token


def pending_invitations(organisation: Organisation) -> models.QuerySet[Invitation]:
    """``organisation``'s invitations that still work, newest first."""
    return (
        Invitation.objects.in_organisation(organisation)
        .filter(status=LinkStatus.PENDING, expires_at__gt=timezone.now())
        .select_related("created_by")
    )


def usable(model: type[Link], token: str) -> Link | None:
    """The pending, unexpired link of ``model`` with ``token``; None for any other token.

    A password reset link also stops working once its organisation's admin could no longer make
    it (:func:`reset_refusal`): its user joined another organisation, or left this one, after it
    was made. Otherwise a link made while the account was only this organisation's would sign
    its holder in to the other organisation's pages too.
    """
    if not token or len(token) > 100:
        return None
    link = (
        model.objects.select_related("organisation")
        .filter(token_digest=tokens.digest(token))
        .first()
    )
    if link is None or not link.is_usable:
        return None
    if isinstance(link, PasswordReset) and reset_refusal(link.organisation, link.user):
        return None
    return link


def _claim(link: Invitation | PasswordReset, **changes: Any) -> bool:
    """Mark ``link`` used (with ``changes``) if nobody else has; True when this call did.

    The audit log records the change as the status going from pending to used.
    """
    remember_loaded(link)
    claimed = (
        type(link)
        .objects.filter(pk=link.pk, status=LinkStatus.PENDING, expires_at__gt=timezone.now())
        .update(status=LinkStatus.USED, **changes)
    )
    if not claimed:
        return False
    link.status = LinkStatus.USED
    for field, value in changes.items():
        setattr(link, field, value)
    link.save(update_fields=["status", *changes])  # the same values again: for the audit log
    return True


def accept(invitation: Invitation, user: Any) -> Membership | None:
    """Make ``user`` a member as the invitation says; None if the link was used meanwhile.

    A user who is already a member keeps their role, and the invitation stays pending (it may
    be meant for someone else): the existing membership is returned.
    """
    existing = Membership.objects.filter(user=user, organisation=invitation.organisation).first()
    if existing is not None:
        return existing
    with transaction.atomic(), acting_as(user):
        if not _claim(invitation, accepted_by=user):
            return None
        return Membership.objects.create(
            user=user, organisation=invitation.organisation, role=invitation.role
        )


def sign_up_and_accept(invitation: Invitation, username: str, password: str) -> Any | None:
    """Create the account ``username`` and accept ``invitation`` with it, or neither.

    Returns the new user, or None if the link was used meanwhile (no account is then made).
    The caller has checked the user name is free and the password strong (the sign-up form).
    """
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, password=password)
        if accept(invitation, user) is None:
            transaction.set_rollback(True)
            return None
    return user


def revoke(link: Invitation | PasswordReset) -> None:
    """Stop ``link`` working (nothing happens to one already used)."""
    if link.status == LinkStatus.PENDING:
        link.status = LinkStatus.REVOKED
        link.save(update_fields=["status"])


def issue_reset(organisation: Organisation, user: Any, by: Any) -> tuple[PasswordReset, str]:
    """A new password reset link for ``user``, made by an admin of ``organisation``.

    Any earlier pending link for the user from this organisation is revoked, so only the newest
    works.
    """
    for earlier in PasswordReset.objects.in_organisation(organisation).filter(
        user=user, status=LinkStatus.PENDING
    ):
        revoke(earlier)
    token, token_digest = tokens.new_token()
    reset = PasswordReset.objects.create(
        organisation=organisation,
        user=user,
        token_digest=token_digest,
        created_by=by,
        expires_at=timezone.now() + LINK_LIFETIME,
    )
    return reset, token


def use_reset(reset: PasswordReset, password: str) -> bool:
    """Set the reset link's user's password to ``password``; False if it was used meanwhile.

    The password is checked against the site's rules first (ValidationError if weak); the
    user's sign-in lockout is lifted, since they have proved who they are another way.
    """
    user = reset.user
    password_validation.validate_password(password, user)
    with transaction.atomic(), acting_as(user):
        if not _claim(reset):
            return False
        user.set_password(password)
        user.save(update_fields=["password"])
    lockout.clear(user.get_username())
    return True


def reset_refusal(organisation: Organisation, user: Any) -> str:
    """Why an admin of ``organisation`` may not make a reset link for ``user``; "" if they may.

    A reset link signs its holder in as ``user``, so it is refused for an account that is not
    a member of ``organisation``, or that also opens another organisation's pages or the Django
    admin: the admin of one organisation could otherwise take over access to another. Checked
    when the link is made and again whenever it is used (:func:`usable`).
    """
    name = user.get_username()
    organisations = set(Membership.objects.filter(user=user).values_list("organisation", flat=True))
    if user.is_staff or user.is_superuser or organisations != {organisation.pk}:
        return (
            f"A reset link cannot be made here for {name}: their account is not only this "
            "organisation's. Whoever runs imheval can set a new password with "
            f"'python3 -m imheval.web.manage changepassword {name}'."
        )
    return ""
