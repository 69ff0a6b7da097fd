"""The planning page in a real browser, with axe-core (no serious or critical problems): the
answer with its chart and the chart's table, and the form with an error summary."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_planned_design_with_its_chart_is_accessible(
    live_server: Any, workspace: Any, desktop: Any
) -> None:
    page = desktop
    sign_in(page, live_server.url, workspace.users["trainer"].username)
    page.goto(f"{live_server.url}/o/northern/")
    page.get_by_role("link", name="Plan a study").click()
    page.get_by_label("Expected change (d_z)").fill("0.5")
    page.get_by_label("People per cohort (optional)").fill("12")
    page.get_by_label("How alike people in a cohort are (ICC, optional)").fill("0.05")
    page.get_by_label("Number of cohorts in your design (optional)").fill("5")
    page.get_by_role("button", name="Plan").click()
    page.get_by_role("heading", name="What 5 cohorts of 12 can detect").wait_for()
    assert "cohort_size=12" in page.url  # a GET form: the answer can be bookmarked
    chart = page.get_by_role("img", name="Line chart of power against the number of cohorts")
    assert chart.is_visible()
    page.get_by_text("The chart as a table").click()
    assert page.get_by_role("cell", name="60", exact=True).first.is_visible()
    axe_scan(page, "the planning page with an answer")
    screenshot(page, "workspace-plan-answer")


def test_the_form_with_errors_is_accessible(live_server: Any, workspace: Any, desktop: Any) -> None:
    page = desktop
    sign_in(page, live_server.url, workspace.users["viewer"].username)
    page.goto(f"{live_server.url}/o/northern/plan/?effect=&power=0.8&icc=0.05")
    page.get_by_role("heading", name="There is a problem").wait_for()
    page.get_by_role("link", name="Enter the expected change, for example 0.5").click()
    assert page.evaluate("document.activeElement.id") == "id_effect"
    axe_scan(page, "the planning page with errors")
    screenshot(page, "workspace-plan-errors")
