"""The workforce home, the coverage page (with its heat map, every kind of cell) and the trend,
with the hand-worked data, in Chromium through axe-core: no serious or critical problems."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from django.urls import reverse
from tests.web.test_workforce_adapter import build_northern

pytestmark = pytest.mark.browser


def test_workforce_pages_pass_axe(live_server: Any, desktop: Any, workspace: Any) -> None:
    build_northern(workspace.organisation)
    sign_in(desktop, live_server.url, "viewer-north")
    pages = (
        ("workforce:home", {}),
        ("workforce:coverage", {"query": "?as_of=2026-12-01"}),
        ("workforce:coverage", {"query": "?as_of=31/12/2026"}),  # with its error message
        ("workforce:coverage_trend", {}),
    )
    for name, extra in pages:
        url = live_server.url + reverse(name, kwargs={"org": "northern"}) + extra.get("query", "")
        desktop.goto(url)
        axe_scan(desktop, name)
        screenshot(desktop, "coverage-pages-" + name.replace(":", "-") + str(len(extra)))
    # the heat map's cells each say their status in words (colour only repeats it)
    desktop.goto(
        live_server.url
        + reverse("workforce:coverage", kwargs={"org": "northern"})
        + "?as_of=2026-12-01"
    )
    cells = desktop.locator("table.imheval-heat td").all_inner_texts()
    assert "over headcount:\ncheck the data" in cells
    assert "50%\nmet" in cells
