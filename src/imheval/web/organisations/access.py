"""How views reach an organisation: through the signed-in user's membership, or not at all.

``member_of(request, slug)`` is the single door into an organisation's pages. An outsider (a
user with no membership in that organisation) gets 404, exactly as if it did not exist, so
nobody can learn which organisations or objects exist elsewhere. A member whose role does not
allow an action gets 403 with a plain explanation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404

from imheval.web.organisations.models import PERMISSIONS, Membership, Organisation

ACTION_WORDS = {
    "manage_members": "manage members",
    "invite_members": "invite people to join",
    "edit_programmes": "change programmes",
    "edit_instruments": "change instruments",
    "edit_cohorts": "change cohorts",
    "run_collections": "open or close questionnaires",
    "enter_responses": "enter responses",
    "view_audit": "see the audit log",
    "export_responses": "download response-level data",
    "review_matches": "check possible matches of anonymous codes",
    "edit_organisation": "change the organisation's settings",
}

READ = ("GET", "HEAD")
FORM = ("GET", "HEAD", "POST")
POST = ("POST",)


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


ViewFunction = Callable[..., HttpResponse]


def organisation_views(
    scoped_objects: Mapping[str, type[Model]], plain_kwargs: Collection[str] = ()
) -> Callable[..., Callable[[ViewFunction], ViewFunction]]:
    """The decorator factory every organisation page uses: ``@organisation_page(action, methods)``.

    Each app binds it once, under that one name, to the objects its addresses name:
    ``organisation_page = organisation_views({"cohort": Cohort, ...})``.

    The wrapped view is called as ``view(request, access, **objects)``. In this order: a visitor
    who is not signed in goes to sign-in; a non-member gets 404 (:func:`member_of`); each object
    named in the address (keys of ``scoped_objects``) is loaded from the member's organisation
    only, 404 otherwise; the role must allow ``action`` (403); the method must be one of
    ``methods`` (405). An outsider therefore learns nothing from any address or method.
    ``plain_kwargs`` are address parts passed through as they are (they name nothing owned).
    An address part in neither is a bug in the URL patterns and fails loudly.
    """

    def page(action: str = "view", methods: tuple[str, ...] = READ) -> Callable[..., Any]:
        def decorate(view: ViewFunction) -> ViewFunction:
            @functools.wraps(view)
            def wrapper(request: HttpRequest, org: str, **kwargs: Any) -> HttpResponse:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                access = member_of(request, org)
                objects = {
                    name: value
                    if name in plain_kwargs
                    else get_object_or_404(
                        scoped_objects[name].objects.in_organisation(access.organisation),  # type: ignore[attr-defined]
                        pk=value,
                    )
                    for name, value in kwargs.items()
                }
                access.require(action)
                if request.method not in methods:
                    return HttpResponseNotAllowed(methods)
                return view(request, access, **objects)

            return wrapper

        return decorate

    return page
