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
    items = [
        ("Programmes", reverse("workspace:organisation", args=[slug])),
        ("Instruments", reverse("workspace:instruments", args=[slug])),
    ]
    if access.may("view_audit"):
        items.append(("Audit log", reverse("workspace:audit", args=[slug])))
    items.append(("Members", reverse("workspace:members", args=[slug])))
    path = request.path
    base = items[0][1]
    # Programmes, cohorts and their questionnaires all live under the Programmes tab.
    under_programmes = path == base or path.startswith(
        tuple(f"{base}{part}/" for part in ("programmes", "cohorts", "questionnaires", "results"))
    )
    return {
        "current_organisation": access.organisation,
        "current_role": access.membership.get_role_display(),
        "access": access,
        "navigation": [
            {
                "label": label,
                "url": url,
                "current": under_programmes if index == 0 else path.startswith(url),
            }
            for index, (label, url) in enumerate(items)
        ],
    }
