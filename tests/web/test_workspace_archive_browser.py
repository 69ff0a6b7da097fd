"""In a real browser, with axe-core: archiving a programme says which open questionnaires it
closes before the user confirms, and a viewer's to-do list shows what it may not deal with as
plain information."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from django.utils import timezone
from test_results_pages import answers, matched_people, respond

from imheval.web.workspace.models import Collection

pytestmark = pytest.mark.browser


def test_evaluator_is_told_archiving_closes_the_open_questionnaires(
    live_server: Any, workspace: Any, desktop: Any
) -> None:
    workspace.post.open()
    page = desktop
    sign_in(page, live_server.url, workspace.users["evaluator"].username)
    page.goto(f"{live_server.url}/o/northern/programmes/{workspace.programme.pk}/")
    page.get_by_role("button", name="Archive programme Solihull Approach foundation").click()
    page.get_by_role("heading", name="Archive programme Solihull Approach foundation?").wait_for()
    assert page.get_by_text(
        "2 questionnaires are open (SOL-1 pre-test and SOL-1 post-test)"
    ).is_visible()
    axe_scan(page, "archive programme confirmation")
    screenshot(page, "workspace-archive-programme")
    page.get_by_role("button", name="Archive programme and close its questionnaires").click()
    page.get_by_text("2 open questionnaires were closed.").wait_for()
    assert not Collection.objects.filter(cohort=workspace.cohort, is_open=True).exists()


def test_viewer_sees_follow_ups_and_matches_without_links(
    live_server: Any, workspace: Any, desktop: Any
) -> None:
    cohort = workspace.cohort
    cohort.end_date = timezone.localdate() - datetime.timedelta(weeks=12 + 22)
    cohort.start_date = cohort.end_date
    cohort.save()
    matched_people(workspace, 6)
    respond(workspace.pre, "MA07BE", answers(2))
    respond(workspace.post, "MA07BF", answers(6))
    page = desktop
    sign_in(page, live_server.url, workspace.users["viewer"].username)
    page.goto(f"{live_server.url}/o/northern/")
    page.get_by_role("heading", name="What needs attention").wait_for()
    assert page.get_by_text("5 months overdue").is_visible()
    assert page.get_by_text("An admin or evaluator decides on the matching page").is_visible()
    assert page.locator('a[href$="/matching/"]').count() == 0
    assert (
        page.locator(f'a[href="/o/northern/questionnaires/{workspace.followup.pk}/link/"]').count()
        == 0
    )
    axe_scan(page, "organisation home for a viewer")
