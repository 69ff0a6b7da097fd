"""How views reach an organisation: through the signed-in user's membership, or not at all.

``member_of(request, slug)`` is the single door into an organisation's pages. An outsider (a
user with no membership in that organisation) gets 404, exactly as if it did not exist, so
nobody can learn which organisations or objects exist elsewhere. A member whose role does not
allow an action gets 403 with a plain explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from imheval.web.organisations.models import PERMISSIONS, Membership, Organisation

ACTION_WORDS = {
    "manage_members": "manage members",
    "edit_programmes": "change programmes",
    "edit_instruments": "change instruments",
    "edit_cohorts": "change cohorts",
    "run_collections": "open or close questionnaires",
    "enter_responses": "enter responses",
    "view_audit": "see the audit log",
}


@dataclass(frozen=True)
class Access:
    """The organisation a request works in, and the member's role there."""

    organisation: Organisation
    membership: Membership

    @property
    def role(self) -> str:
        return str(self.membership.role)

    def may(self, action: str) -> bool:
        return self.membership.may(action)

    def require(self, action: str) -> None:
        """403 unless the member's role allows ``action``."""
        if not self.may(action):
            raise PermissionDenied(
                f"Your role ({self.membership.get_role_display()}) cannot "
                f"{ACTION_WORDS.get(action, action)} in {self.organisation.name}."
            )


def member_of(request: HttpRequest, slug: str, action: str = "view") -> Access:
    """The :class:`Access` for ``slug``; 404 for outsiders, 403 if the role forbids ``action``."""
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action {action!r}")
    user: Any = request.user
    if not user.is_authenticated:
        raise Http404("No such organisation")
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation")
    access = Access(membership.organisation, membership)
    access.require(action)
    request.imheval_access = access  # type: ignore[attr-defined]
    return access
