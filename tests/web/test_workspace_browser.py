"""The evaluator's journey in a real browser: programme, a cohort in one step, link, poster.

Every page visited is checked with axe-core (no serious or critical problems); the key pages are
kept as screenshots under artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in

from imheval.web.workspace.models import Cohort, Collection, Programme

pytestmark = pytest.mark.browser


def _qr_loaded(page: Any) -> bool:
    return bool(
        page.locator("img.imheval-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    )


def test_evaluator_sets_up_a_cohort_questionnaire_and_prints_its_poster(
    live_server: Any, workspace: Any, desktop: Any
) -> None:
    page = desktop
    sign_in(page, live_server.url, workspace.users["evaluator"].username)
    assert page.url == f"{live_server.url}/o/northern/"
    axe_scan(page, "organisation")

    page.get_by_role("button", name="Add a programme").click()
    axe_scan(page, "programme form")
    page.get_by_label("Programme name").fill("Anna Freud mentalization")
    page.get_by_label("Provider (optional)").fill("Anna Freud Centre")
    page.get_by_label("Advanced").check()
    page.get_by_label("Blended").check()
    page.get_by_label("Length", exact=True).fill("3")
    page.get_by_label("days", exact=True).check()
    page.get_by_role("button", name="Save programme").click()
    page.get_by_role("heading", name="Anna Freud mentalization").wait_for()
    axe_scan(page, "programme")
    screenshot(page, "workspace-programme")

    # a cohort in one step: its questionnaires filled in, the pre-test opened on saving
    page.get_by_role("button", name="New cohort").click()
    page.get_by_role("heading", name="New cohort").wait_for()
    page.get_by_label("Cohort name").fill("AF-1")
    page.locator("#id_start_date-day").fill("11")
    page.locator("#id_start_date-month").fill("1")
    page.locator("#id_start_date-year").fill("2027")
    page.locator("#id_end_date-day").fill("13")
    page.locator("#id_end_date-month").fill("1")
    page.locator("#id_end_date-year").fill("2027")
    page.get_by_label("Trainer (optional)").fill("Dr C Trainer")
    assert page.locator('input[name="pre_refs"][value="imh-core"]').is_checked()
    assert page.get_by_label("Open the pre-test now").is_checked()
    axe_scan(page, "new cohort form")
    page.get_by_label("Cohort name").fill("")
    page.get_by_role("button", name="Save cohort").click()
    page.get_by_role("link", name="Enter a name for the cohort").wait_for()
    axe_scan(page, "new cohort form with an error")
    screenshot(page, "workspace-new-cohort-error")
    page.get_by_label("Cohort name").fill("AF-1")
    page.get_by_role("button", name="Save cohort").click()
    page.get_by_role("heading", name="Cohort AF-1").wait_for()
    assert page.get_by_text("The pre-test is open: share its link or QR code.").is_visible()
    page.get_by_role("button", name="Close the pre-test questionnaire").wait_for()
    axe_scan(page, "cohort with an open questionnaire")
    screenshot(page, "workspace-cohort")

    programme = Programme.objects.get(name="Anna Freud mentalization")
    cohort = Cohort.objects.get(programme=programme, name="AF-1")
    collection = Collection.objects.get(cohort=cohort, timepoint="pre")
    assert collection.instrument_refs == ["imh-core"] and collection.is_open
    assert cohort.collections.get(timepoint="followup").follow_up_weeks == 12

    page.get_by_role("link", name="Link and QR code for the pre-test questionnaire").click()
    page.wait_for_load_state("load")
    assert (
        f"{live_server.url}/q/{collection.token}/" in page.locator("#participant-link").inner_text()
    )
    assert _qr_loaded(page)
    axe_scan(page, "link and QR code")
    screenshot(page, "workspace-link")
    # the link page has the Open/Close control itself, and comes back to itself
    page.get_by_role("button", name="Close the pre-test questionnaire").click()
    page.get_by_role("button", name="Open the pre-test questionnaire").wait_for()
    assert "/link/" in page.url
    collection.refresh_from_db()
    assert not collection.is_open
    axe_scan(page, "link and QR code, closed")
    page.get_by_role("button", name="Open the pre-test questionnaire").click()
    page.get_by_role("button", name="Close the pre-test questionnaire").wait_for()

    page.get_by_role("button", name="Printable poster").click()
    page.wait_for_load_state("load")
    assert _qr_loaded(page)
    assert page.get_by_text("No names are collected.").is_visible()
    assert page.get_by_role("button", name="Print the poster").is_visible()
    axe_scan(page, "poster")
    screenshot(page, "workspace-poster")
    page.emulate_media(media="print")
    screenshot(page, "workspace-poster-print")
    assert not page.get_by_role("button", name="Print the poster").is_visible()
