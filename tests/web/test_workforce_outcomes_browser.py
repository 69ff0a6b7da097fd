"""The outcomes page in a real browser, with figures, hidden cells and every measure open:
axe-core finds no serious or critical problem, and the numbers sit right-aligned."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Workspace, axe_scan, screenshot, sign_in
from django.urls import reverse
from test_results_pages import answers, respond
from test_workforce_outcomes import SOL1, answer_both

from imheval.web.workforce.outcomes import refresh_outcomes

pytestmark = pytest.mark.browser


def test_the_outcomes_page_passes_axe_with_figures_and_hidden_cells(
    live_server: Any, desktop: Any, workspace: Workspace
) -> None:
    answer_both(workspace.pre, workspace.post, "A", SOL1)
    for i in range(3):  # a follow-up of 3: hidden
        respond(workspace.followup, f"A{i:02d}QZ", answers(4))
    refresh_outcomes(workspace.organisation)
    sign_in(desktop, live_server.url, "viewer-north")
    desktop.goto(live_server.url + reverse("workforce:outcomes", args=["northern"]))
    desktop.locator("summary", has_text="Every measure of Solihull Approach foundation").click()
    assert desktop.locator("#outcomes-1 td.nhsuk-table__cell--numeric").nth(5).inner_text() == (
        "hidden"
    )
    assert "Knowledge rose" in desktop.locator(".nhsuk-details__text").inner_text()
    axe_scan(desktop, "workforce:outcomes")
    screenshot(desktop, "page-workforce-outcomes-figures")
