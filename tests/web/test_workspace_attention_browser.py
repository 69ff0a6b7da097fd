"""The organisation's home page as a to-do list in a real browser, with axe-core (no serious or
critical problems): an overdue follow-up and a probable match are shown, and the match goes
once decided."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from django.utils import timezone
from test_results_pages import answers, matched_people, respond

from imheval.web.paper.models import ImportBatch

pytestmark = pytest.mark.browser


def test_evaluator_sees_what_needs_attention_and_clears_a_match(
    live_server: Any, workspace: Any, desktop: Any
) -> None:
    cohort = workspace.cohort
    cohort.end_date = timezone.localdate() - datetime.timedelta(weeks=12 + 22)
    cohort.start_date = cohort.end_date
    cohort.save()
    matched_people(workspace, 6)
    respond(workspace.pre, "MA07BE", answers(2), profession="Health visitor")
    respond(workspace.post, "MA07BF", answers(6), profession="Health visitor")
    ImportBatch.objects.create(cohort=cohort, file_name="march.csv", layout="tidy")

    page = desktop
    sign_in(page, live_server.url, workspace.users["evaluator"].username)
    page.goto(f"{live_server.url}/o/northern/")
    page.get_by_role("heading", name="What needs attention").wait_for()
    assert page.get_by_text("5 months overdue").is_visible()
    assert page.get_by_text("fewer than 5 to check").is_visible()
    axe_scan(page, "organisation home with things to do")
    screenshot(page, "organisation-home-attention")

    page.locator(f'a[href="/o/northern/results/cohorts/{cohort.pk}/matching/"]').click()
    page.get_by_role("heading", name="Possible matches to check").wait_for()
    page.get_by_role("button", name="Reject MA07BE and MA07BF: two people").click()
    page.get_by_text("rejected (two people)").wait_for()
    page.goto(f"{live_server.url}/o/northern/")
    page.get_by_role("heading", name="What needs attention").wait_for()
    assert page.get_by_text("to check").count() == 0
    assert page.get_by_text("5 months overdue").is_visible()
    page.goto(f"{live_server.url}/o/northern/cohorts/")
    assert page.get_by_text("Follow-up overdue").first.is_visible()
    assert page.get_by_text("Import to finish").first.is_visible()
    axe_scan(page, "cohort list with badges")
