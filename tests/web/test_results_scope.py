"""The results scope is worked out from the address in one place (views.scoped).

Each results page kind is one view registered under the organisation, programme and cohort
addresses; the view receives the Scope the address names, and an address naming another
organisation's programme or cohort never reaches the view.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Workspace
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse

from imheval.web.organisations.access import Access
from imheval.web.results import views
from imheval.web.results.analysis import Scope

PAGES = ("", "_refresh", "_report", "_export", "_match_decisions")


def _spy_view() -> tuple[Any, list[Scope]]:
    """A results view, behind the real access rules and scope resolver, that records its scope."""
    seen: list[Scope] = []

    @views.organisation_page()
    @views.scoped
    def spy(request: HttpRequest, access: Access, scope: Scope) -> HttpResponse:
        seen.append(scope)
        return HttpResponse("ok")

    return spy, seen


def _call(view: Any, url: str, user: Any) -> HttpResponse:
    request = RequestFactory().get(url)
    request.user = user
    response: HttpResponse = view(request, **resolve(url).kwargs)
    return response


def test_each_address_shape_gives_the_scope_it_names(workspace: Workspace) -> None:
    spy, seen = _spy_view()
    north = workspace.organisation
    evaluator = workspace.users["evaluator"]
    slug = north.slug
    addresses = {
        reverse("results:organisation", args=[slug]): Scope(north),
        reverse("results:programme", args=[slug, workspace.programme.pk]): Scope(
            north, programme=workspace.programme
        ),
        reverse("results:cohort", args=[slug, workspace.cohort.pk]): Scope(
            north, cohort=workspace.cohort, programme=workspace.programme
        ),
    }
    for url, expected in addresses.items():
        assert _call(spy, url, evaluator).status_code == 200
        assert seen[-1] == expected, url
    assert [scope.kind for scope in seen] == ["organisation", "programme", "cohort"]


def test_another_organisations_programme_or_cohort_never_reaches_the_view(
    workspace: Workspace,
) -> None:
    spy, seen = _spy_view()
    slug = workspace.organisation.slug
    evaluator = workspace.users["evaluator"]
    for url in (
        reverse("results:programme", args=[slug, workspace.other_programme.pk]),
        reverse("results:cohort", args=[slug, workspace.other_cohort.pk]),
    ):
        with pytest.raises(Http404):
            _call(spy, url, evaluator)
    assert seen == []


def test_every_page_kind_is_one_view_under_the_three_scopes(workspace: Workspace) -> None:
    slug = workspace.organisation.slug
    for page in PAGES:
        views_of_kind = {
            resolve(reverse(f"results:organisation{page}", args=[slug])).func,
            resolve(reverse(f"results:programme{page}", args=[slug, 1])).func,
            resolve(reverse(f"results:cohort{page}", args=[slug, 1])).func,
        }
        assert len(views_of_kind) == 1, page
