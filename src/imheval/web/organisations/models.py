"""Organisations (a Trust, a health board, a council), their members' roles, and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from imheval.instruments.model import Jurisdiction


class Role(models.TextChoices):
    """What a member may do in an organisation (see :data:`PERMISSIONS`)."""

    ADMIN = "admin", "Admin"
    EVALUATOR = "evaluator", "Evaluator"
    TRAINER = "trainer", "Trainer"
    #: codes transcripts and builds themes (focus groups, interviews); reads everything else
    ANALYST = "analyst", "Analyst"
    #: the second reviewer of themes and quotes; reads everything else
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


#: Each action and the roles allowed to take it. Viewing needs only membership.
PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset({"admin", "evaluator", "trainer", "analyst", "reviewer", "viewer"}),
    "manage_members": frozenset({"admin"}),
    # an invitation link makes whoever opens it a member: only admins make or revoke them
    "invite_members": frozenset({"admin"}),
    "edit_programmes": frozenset({"admin", "evaluator"}),
    "edit_instruments": frozenset({"admin", "evaluator"}),
    "edit_cohorts": frozenset({"admin", "evaluator", "trainer"}),
    "run_collections": frozenset({"admin", "evaluator", "trainer"}),
    "enter_responses": frozenset({"admin", "evaluator", "trainer"}),
    "view_audit": frozenset({"admin", "evaluator"}),
    # row-level data (codes and answers) leaves imheval only with the roles that handle it
    "export_responses": frozenset({"admin", "evaluator", "trainer"}),
    # probable matches show anonymous codes side by side: evaluators judge them
    "review_matches": frozenset({"admin", "evaluator"}),
    # where the organisation works (the words its questionnaires use): admins only
    "edit_organisation": frozenset({"admin"}),
    # focus groups and thematic analysis: analysts and evaluators import, code and build themes
    "code_qualitative": frozenset({"admin", "evaluator", "analyst"}),
    # the second reviewer's decisions on themes and quotes
    "review_qualitative": frozenset({"admin", "evaluator", "analyst", "reviewer"}),
}


class JurisdictionChoice(models.TextChoices):
    """Where an organisation works (the core's :class:`Jurisdiction`): its questionnaires name
    services, numbers and guidance as people there know them."""

    ENGLAND = Jurisdiction.ENGLAND.value, "England"
    WALES = Jurisdiction.WALES.value, "Wales"
    SCOTLAND = Jurisdiction.SCOTLAND.value, "Scotland"
    NORTHERN_IRELAND = Jurisdiction.NORTHERN_IRELAND.value, "Northern Ireland"
    IRELAND = Jurisdiction.IRELAND.value, "Ireland"


class ScopedQuerySet(models.QuerySet[Any]):
    """A queryset that knows the path from its model to the owning organisation.

    Every view reaches objects through :meth:`visible_to` (or :meth:`in_organisation` once the
    organisation was itself reached through membership), so a member of one organisation can
    never load another organisation's objects: they are simply not in the queryset, and the view
    answers 404.
    """

    #: Django lookup path from the model to its Organisation ("" for Organisation itself).
    organisation_path = "organisation"

    def _prefix(self) -> str:
        return f"{self.organisation_path}__" if self.organisation_path else ""

    def visible_to(self, user: Any) -> ScopedQuerySet:
        """Objects of the organisations ``user`` is a member of; none for anonymous users."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(**{f"{self._prefix()}memberships__user": user})

    def in_organisation(self, organisation: Organisation) -> ScopedQuerySet:
        """Objects owned by ``organisation``."""
        if not self.organisation_path:
            return self.filter(pk=organisation.pk)
        return self.filter(**{self.organisation_path: organisation})


def scoped_manager(path: str) -> Any:
    """A manager whose querysets scope by ``path`` (the lookup to the organisation)."""
    queryset_class = type(
        "ScopedQuerySetFor_" + (path.replace("__", "_") or "organisation"),
        (ScopedQuerySet,),
        {"organisation_path": path},
    )
    return models.Manager.from_queryset(queryset_class)()


class Organisation(models.Model):
    """A Trust, health board, HSE area or council: owns programmes, cohorts and responses."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True, help_text="Short name used in addresses.")
    #: Whose words participants read: an instrument's ``{term}`` wording for this jurisdiction
    #: (``Instrument.in_jurisdiction``). Changed on the settings page, which logs the change.
    jurisdiction = models.CharField(
        max_length=20, choices=JurisdictionChoice.choices, default=JurisdictionChoice.ENGLAND
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation(self) -> Organisation:
        """Itself: a change to its settings is logged in its own audit log (by the settings
        page, not by signals, so creating or deleting an organisation logs nothing)."""
        return self


class Membership(models.Model):
    """A user's role in one organisation. A user may belong to several organisations."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("user", "role")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_org")
        ]
        ordering = ["organisation__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.organisation}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation

    def may(self, action: str) -> bool:
        """Whether this member's role allows ``action`` (a key of :data:`PERMISSIONS`)."""
        return self.role in PERMISSIONS[action]


class AuditEvent(models.Model):
    """One change to an audited object: who, when, what.

    ``actor`` is the signed-in user, or empty for a participant's anonymous submission
    (``actor_label`` then says so). ``changes`` maps each changed field to ``[old, new]``;
    for responses it names the changed fields but never copies answers or codes.
    """

    class Action(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        DELETED = "deleted"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_events"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=40)
    object_label = models.CharField(max_length=250)
    changes = models.JSONField(default=dict, blank=True)

    objects = scoped_manager("organisation")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"


class FailedLogin(models.Model):
    """A failed sign-in for a user name, kept for the lockout window (no IP address is kept)."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)


class LinkStatus(models.TextChoices):
    """Where a single-use link (an invitation or a password reset) stands."""

    PENDING = "pending", "Pending"
    USED = "used", "Used"
    REVOKED = "revoked", "Revoked"


class SingleUseLink(models.Model):
    """What an invitation and a password reset link share: a token kept only as its digest
    (see :mod:`~imheval.web.organisations.tokens`), who made it and when, an expiry, and where
    it stands. Each subclass has its own ``organisation`` (the owner, for tenancy and the log)."""

    token_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=LinkStatus.choices, default=LinkStatus.PENDING)

    objects = scoped_manager("organisation")

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation  # type: ignore[attr-defined,no-any-return]

    @property
    def is_usable(self) -> bool:
        """Whether the link still works: pending and not expired."""
        return self.status == LinkStatus.PENDING and self.expires_at > timezone.now()


class Invitation(SingleUseLink):
    """A single-use link that makes whoever accepts it a member with ``role``.

    Nobody becomes a member without accepting: an admin makes the invitation, sends the link
    (shown once; only its digest is kept) by their own means, and the invited person signs in,
    or creates an account, and accepts. The link works until ``expires_at``, once.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    note = models.CharField(max_length=200, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # the digest is never logged: the log shows the role, the note and the status changing
    AUDIT_FIELDS = ("role", "note", "status")

    def __str__(self) -> str:
        label = f"Invitation as {self.get_role_display().lower()}"
        return f"{label} ({self.note})" if self.note else label


class PasswordReset(SingleUseLink):
    """A single-use link with which ``user`` sets a new password, made by one of their admins.

    Kept like an invitation (digest only, an expiry, used once). ``organisation`` is the admin's
    organisation, whose audit log records it; the link never shows or logs a password.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="password_resets"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    AUDIT_FIELDS = ("user", "status")

    def __str__(self) -> str:
        return f"Password reset link for {self.user}"
