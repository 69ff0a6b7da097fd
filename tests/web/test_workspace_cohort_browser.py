"""Copying, closing, archiving and deleting cohorts in a real browser, with axe-core on each new
page (no serious or critical problems)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in

from imheval.web.workspace.models import Cohort, Collection

pytestmark = pytest.mark.browser


def test_trainer_copies_closes_archives_and_deletes_a_cohort(
    live_server: Any, workspace: Any, desktop: Any
) -> None:
    page = desktop
    sign_in(page, live_server.url, workspace.users["trainer"].username)
    page.goto(f"{live_server.url}/o/northern/cohorts/{workspace.cohort.pk}/")

    page.get_by_role("link", name="Copy this cohort").click()
    page.get_by_role("heading", name="Copy cohort SOL-1").wait_for()
    axe_scan(page, "copy cohort form")
    page.get_by_label("Cohort name").fill("SOL-2")
    page.locator("#id_start_date-day").fill("1")
    page.locator("#id_start_date-month").fill("3")
    page.locator("#id_start_date-year").fill("2027")
    page.get_by_role("button", name="Copy cohort").click()
    page.get_by_role("heading", name="Cohort SOL-2").wait_for()
    copy = Cohort.objects.get(name="SOL-2")
    assert copy.collections.count() == 3

    page.goto(f"{live_server.url}/o/northern/cohorts/{workspace.cohort.pk}/")
    page.get_by_role("button", name="Close all questionnaires of cohort SOL-1").click()
    page.get_by_role("heading", name="Close every questionnaire of cohort SOL-1?").wait_for()
    axe_scan(page, "close cohort confirmation")
    screenshot(page, "workspace-close-cohort")
    page.get_by_role("button", name="Close all questionnaires").click()
    page.get_by_role("heading", name="Cohort SOL-1").wait_for()
    assert not Collection.objects.filter(cohort=workspace.cohort, is_open=True).exists()

    page.get_by_role("button", name="Archive cohort SOL-1").click()
    page.get_by_role("heading", name="Archive cohort SOL-1?").wait_for()
    assert page.get_by_text("None of its questionnaires is open").is_visible()
    page.get_by_role("button", name="Archive cohort").click()
    page.get_by_role("heading", name="Archived").wait_for()
    axe_scan(page, "programme with an archived cohort")
    page.get_by_role("link", name="SOL-1").click()
    page.get_by_role("button", name="Restore cohort SOL-1").click()
    page.get_by_role("heading", name="Cohort SOL-1").wait_for()
    workspace.cohort.refresh_from_db()
    assert not workspace.cohort.is_archived

    page.goto(f"{live_server.url}/o/northern/cohorts/{copy.pk}/")
    page.get_by_role("button", name="Delete cohort SOL-2").click()
    page.get_by_role("heading", name="Delete cohort SOL-2?").wait_for()
    axe_scan(page, "delete cohort confirmation")
    page.get_by_role("button", name="Delete cohort").click()
    page.get_by_text("Cohort SOL-2 deleted.").wait_for()
    assert not Cohort.objects.filter(pk=copy.pk).exists()
