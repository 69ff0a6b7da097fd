"""Who reaches a network group's pages, and who may change a group.

Every page goes through :data:`organisation_page` (the shared door,
``organisations.access.organisation_views``): sign-in, 404 for outsiders, each object in the
address loaded from the member's organisation only. A meeting or member named in an address
must also belong to the group named there (:func:`of_group`), or the answer is 404.

Reading needs only membership. Changing a group (its settings, meetings, members and register)
is for admins and evaluators of the organisation, and for the group's own facilitators
whatever their role (:func:`may_edit_group`); everyone else gets 403 with a plain reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404

from imheval.web.network.models import Meeting, Member, MembershipPeriod, NetworkGroup
from imheval.web.organisations.access import Access, organisation_views

#: Address parts that name an organisation's object, and the model each is loaded from.
SCOPED_OBJECTS: dict[str, type[Model]] = {
    "group": NetworkGroup,
    "meeting": Meeting,
    "group_member": Member,
    "period": MembershipPeriod,
}

organisation_page = organisation_views(SCOPED_OBJECTS)

#: The organisation's action that lets a role change every group (admins and evaluators).
EDIT_ALL_GROUPS = "edit_programmes"


def may_create_group(access: Access) -> bool:
    """Admins and evaluators set up network groups."""
    return access.may(EDIT_ALL_GROUPS)


def may_edit_group(access: Access, group: NetworkGroup) -> bool:
    """Admins and evaluators edit every group; a facilitator edits the groups they facilitate."""
    if group.organisation_id != access.organisation.pk:  # type: ignore[attr-defined]
        return False
    if access.may(EDIT_ALL_GROUPS):
        return True
    return group.facilitators.filter(pk=access.membership.pk).exists()


def require_edit(access: Access, group: NetworkGroup) -> None:
    """403, with the reason, unless :func:`may_edit_group`."""
    if not may_edit_group(access, group):
        raise PermissionDenied(
            f"Only the facilitators of {group.name}, and the organisation's admins and "
            f"evaluators, can change it. Your role is {access.membership.get_role_display()}."
        )


def require_create(access: Access) -> None:
    if not may_create_group(access):
        raise PermissionDenied(
            "Only the organisation's admins and evaluators can set up a network group. "
            f"Your role is {access.membership.get_role_display()}."
        )


def of_group(group: NetworkGroup, *objects: Any) -> None:
    """404 unless each meeting or member belongs to ``group`` (all are already in the
    organisation; this stops one group's address reaching another group's meeting)."""
    for thing in objects:
        if thing.group_id != group.pk:
            raise Http404("No such meeting or member in this group")
