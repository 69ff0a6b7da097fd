"""Every page of the site, in a real browser, through axe-core: no serious or critical problems.

The walk reuses the outsider walk's list of every URL pattern (test_workspace_access), signed
in this time as the northern organisation's admin, who may see every page. Pages that answer
with something other than HTML (QR images, downloads, PDFs) or only to POST are left out by
their answer, not by name, so new pages are scanned as soon as they exist. Fragments that htmx
swaps into a page are scanned as part of that page. A full-page
screenshot of each is kept in artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from django.urls import reverse
from test_workspace_access import _walk

pytestmark = pytest.mark.browser


def test_every_signed_in_page_passes_axe(live_server: Any, desktop: Any, workspace: Any) -> None:
    sign_in(desktop, live_server.url, "admin-north")
    scanned, skipped = [], []
    for _route, name, kwargs in _walk(workspace):
        url = live_server.url + reverse(name, kwargs=kwargs)
        response = desktop.request.get(url)
        is_page = "text/html" in response.headers.get("content-type", "") and (
            "<!DOCTYPE html>" in response.text()[:200]  # not a fragment that htmx swaps in
        )
        if response.status != 200 or not is_page:
            skipped.append((name, response.status))
            continue
        desktop.goto(url)
        axe_scan(desktop, name)
        screenshot(desktop, "page-" + name.replace(":", "-"))
        scanned.append(name)
    # Sanity: the walk really scanned the workspace's main pages, and skipped only non-pages.
    assert {
        "workspace:organisation",
        "workspace:programme",
        "workspace:cohort",
        "workspace:collection_link",
        "workspace:instruments",
        "workspace:instrument_import",
        "paper:interop_import",
        "workspace:audit",
        "workspace:members",
        "network:groups",
        "network:group",
        "network:meetings",
        "network:register",
        "network:members",
        "qualitative:studies",
        "qualitative:study",
        "qualitative:source",
        "qualitative:speakers",
        "qualitative:codebook",
        "qualitative:phases",
        "qualitative:memos",
        "qualitative:coding",
        "qualitative:coding_passage",
        "qualitative:review",
        "qualitative:review_theme",
        "qualitative:review_log",
        "qualitative:comparison",
        "qualitative:exchange",
        "qualitative:outputs",
        "qualitative:joint",
        "qualitative:answers",
        "workforce:home",
        "workforce:settings",
        "workforce:establishment",
        "workforce:establishment_import",
        "workforce:establishment_extract",
        "workforce:requirements",
        "workforce:requirement_create",
        "workforce:point_create",
        "workforce:births",
        "workforce:register",
        "workforce:register_import",
        "workforce:earlier",
        "workforce:places",
        "workforce:coverage",
        "workforce:coverage_trend",
        "workforce:outcomes",
        "workforce:regions",
        "workforce:board_pack",
        "workspace:plan",
        "workforce:services",
        "workforce:services_series",
        "workforce:services_figure_create",
        "workforce:services_training_create",
        "workforce:services_training_edit",
        "workforce:services_import",
    } <= set(scanned)
    # Downloads answer 404 without their ?format= (they are reached from the pages' links,
    # whose targets the download tests check); anything else must be a page or a non-page.
    unexpected = [
        (name, status)
        for name, status in skipped
        if status not in {200, 405}
        and not (status == 404 and name.endswith(("_report", "_export")))
    ]
    assert unexpected == []


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sign-in/",
        "/privacy/",
        "/no-such-page/",
        "/q/not-a-real-token/",
        "/m/not-a-real-token/",
    ],
)
def test_public_pages_pass_axe(live_server: Any, phone: Any, db: None, path: str) -> None:
    phone.goto(live_server.url + path)
    axe_scan(phone, path)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} scrolls sideways on a phone ({width} px)"
    screenshot(phone, "public-" + (path.strip("/").replace("/", "-") or "home"))
