"""The one door into a region's pages, and what a region may see.

A region is not an organisation: its leads and viewers (:class:`RegionRole`) reach
``/r/<region>/...`` pages and nothing of any organisation's own pages. A user with no role in
the region gets 404, as if it did not exist (an admin of a member organisation too); a viewer
who tries a lead's action gets 403.

What a region sees is decided here, once: :func:`sharing_organisations` are the member
organisations whose admins turned sharing on. Every regional page reads aggregates of those
organisations only (coverage rows, places, outcome aggregates), never a register, a response,
a code or an organisation that has not shared. The one exception is for the region's leads,
who manage its membership: :func:`visible_members` lets them see the NAME of an organisation
they invited that does not share (and nothing else of it); a viewer sees only how many.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404

from imheval.web.organisations.access import READ
from imheval.web.organisations.models import Organisation
from imheval.web.workforce.models import Region, RegionalTarget, RegionMember, RegionRole

#: What each regional role may do. Reading needs only a role.
REGION_PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset({"lead", "viewer"}),
    # invite organisations, set regional targets, give and take regional roles
    "manage_region": frozenset({"lead"}),
}

#: The action that changes a region (members, roles, targets).
MANAGE_REGION = "manage_region"

#: Address parts that name a region's object, and the model each is loaded from (through its
#: ``region`` field, so one region's address never reaches another's object).
REGION_OBJECTS: dict[str, type[Model]] = {"target": RegionalTarget}
#: Address parts passed through as they are (they name nothing owned).
REGION_PLAIN = ("file_format", "report_format")


@dataclass(frozen=True)
class RegionAccess:
    """The region a request works in, and the user's role there."""

    region: Region
    role: RegionRole

    @property
    def is_lead(self) -> bool:
        return self.may(MANAGE_REGION)

    def may(self, action: str) -> bool:
        return self.role.role in REGION_PERMISSIONS[action]

    def require(self, action: str) -> None:
        if not self.may(action):
            raise PermissionDenied(
                f"Only the regional leads of {self.region.name} can do this. "
                f"Your role is {self.role.get_role_display()}."
            )


def role_in(request: HttpRequest, slug: str, action: str = "view") -> RegionAccess:
    """The :class:`RegionAccess` for ``slug``; 404 without a role there, 403 if the role
    forbids ``action``."""
    if action not in REGION_PERMISSIONS:
        raise ValueError(f"unknown action {action!r}")
    user: Any = request.user
    if not user.is_authenticated:
        raise Http404("No such region")
    role = RegionRole.objects.select_related("region").filter(user=user, region__slug=slug).first()
    if role is None:
        raise Http404("No such region")
    access = RegionAccess(role.region, role)
    access.require(action)
    return access


ViewFunction = Callable[..., HttpResponse]


def region_page(
    action: str = "view", methods: tuple[str, ...] = READ
) -> Callable[[ViewFunction], ViewFunction]:
    """Every regional page's decorator: ``view(request, access, **objects)``.

    In this order: not signed in: to sign-in; no role in the region: 404; an object named in
    the address (:data:`REGION_OBJECTS`) that is not the region's: 404; the role forbids
    ``action``: 403; another method: 405. An address part in neither :data:`REGION_OBJECTS` nor
    :data:`REGION_PLAIN` is a bug in the URL patterns and fails loudly.
    """
    if action not in REGION_PERMISSIONS:
        raise ValueError(f"unknown action {action!r}")

    def decorate(view: ViewFunction) -> ViewFunction:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, region: str, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access = role_in(request, region)
            objects = {
                name: value
                if name in REGION_PLAIN
                else get_object_or_404(
                    REGION_OBJECTS[name]._default_manager.filter(region=access.region), pk=value
                )
                for name, value in kwargs.items()
            }
            access.require(action)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, access, **objects)

        return wrapper

    return decorate


def sharing_organisations(region: Region) -> list[Organisation]:
    """The member organisations that share with ``region`` now, by name: the only ones whose
    aggregates any regional page reads."""
    return list(
        Organisation.objects.filter(
            region_memberships__region=region, region_memberships__shares=True
        ).order_by("name")
    )


def not_sharing_count(region: Region) -> int:
    """How many member organisations do not share (a viewer sees this count, never a name)."""
    return RegionMember.objects.filter(region=region, shares=False).count()


def visible_members(access: RegionAccess) -> list[RegionMember]:
    """The region's members the user may see named, by organisation name: every invited one
    for a lead (to manage the invitations), the sharing ones only for a viewer."""
    found = RegionMember.objects.filter(region=access.region).select_related("organisation")
    if not access.is_lead:
        found = found.filter(shares=True)
    return list(found.order_by("organisation__name"))


def roles_of(user: Any) -> list[RegionRole]:
    """The signed-in ``user``'s regional roles, by region name (for their home page)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        RegionRole.objects.filter(user=user).select_related("region").order_by("region__name")
    )
