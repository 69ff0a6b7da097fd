"""Template context: the current organisation, role and navigation for the header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict[str, Any]:
    access = getattr(request, "imheval_access", None)
    if access is None:
        return {}
    slug = access.organisation.slug
    cohorts = reverse("workspace:cohorts", args=[slug])
    items = [
        ("Programmes", reverse("workspace:organisation", args=[slug])),
        ("Cohorts", cohorts),
        ("Network groups", reverse("network:groups", args=[slug])),
        ("Focus groups", reverse("qualitative:studies", args=[slug])),
        ("Workforce", reverse("workforce:home", args=[slug])),
        ("Instruments", reverse("workspace:instruments", args=[slug])),
    ]
    if access.may("view_audit"):
        items.append(("Audit log", reverse("workspace:audit", args=[slug])))
    items.append(("Members", reverse("workspace:members", args=[slug])))
    if access.may("edit_organisation"):
        items.append(("Settings", reverse("workspace:organisation_settings", args=[slug])))
    path = request.path
    base = items[0][1]
    # Programmes, cohorts and their questionnaires all live under the Programmes tab; the
    # Cohorts tab is the list of every cohort.
    under_programmes = path != cohorts and (
        path == base
        or path.startswith(
            tuple(
                f"{base}{part}/" for part in ("programmes", "cohorts", "questionnaires", "results")
            )
        )
    )
    navigation = []
    for index, (label, url) in enumerate(items):
        if index == 0:
            current = under_programmes
        elif url == cohorts:
            current = path == url
        else:
            current = path.startswith(url)
        navigation.append({"label": label, "url": url, "current": current})
    return {
        "current_organisation": access.organisation,
        "current_role": access.membership.get_role_display(),
        "access": access,
        "navigation": navigation,
    }
