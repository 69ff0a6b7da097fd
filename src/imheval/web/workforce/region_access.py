"""The one door into a region's pages, and what a region may see.

A region is not an organisation: its leads and viewers (:class:`RegionRole`) reach
``/r/<region>/...`` pages and nothing of any organisation's own pages. A user with no role in
the region gets 404, as if it did not exist; a viewer who tries a lead's action gets 403.

What a region sees is decided here, once: :func:`sharing_organisations` are the member
organisations whose admins turned sharing on. Every regional page reads aggregates of those
organisations only (coverage rows, places, outcome aggregates), never a register, a response,
a code or an organisation that has not shared.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from imheval.web.organisations.access import READ
from imheval.web.organisations.models import Organisation
from imheval.web.workforce.models import Region, RegionMember, RegionRole

#: What each regional role may do. Reading needs only a role.
REGION_PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset({"lead", "viewer"}),
    # invite organisations, set regional targets, give and take regional roles
    "manage_region": frozenset({"lead"}),
}


@dataclass(frozen=True)
class RegionAccess:
    """The region a request works in, and the user's role there."""

    region: Region
    role: RegionRole

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
    """Every regional page's decorator: ``view(request, access, **kwargs)``. Not signed in: to
    sign-in; no role in the region: 404; the role forbids ``action``: 403; another method: 405."""

    def decorate(view: ViewFunction) -> ViewFunction:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, region: str, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access = role_in(request, region)
            access.require(action)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, access, **kwargs)

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
    """How many member organisations do not share (named nowhere on a regional page)."""
    return RegionMember.objects.filter(region=region, shares=False).count()
