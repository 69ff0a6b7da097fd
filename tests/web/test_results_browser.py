"""The results pages in Chromium on the demo workspace: findings and charts, a report download,
an export, the matching review, and live counts that update while a session runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD, axe_scan, screenshot, sign_in
from django.utils import timezone
from playwright.sync_api import expect
from task_worker import task_worker

from imheval.web.capture.models import Submission
from imheval.web.results.models import MatchDecision
from imheval.web.workspace.models import Cohort

pytestmark = pytest.mark.browser
__all__ = ["task_worker"]  # a fixture: the report is written by the real worker


@pytest.fixture
def demo(transactional_db: None) -> Any:
    from imheval.web.demo import load_demo

    return load_demo(password=PASSWORD)


def _charts_drawn(page: Any) -> int:
    """How many chart images the browser decoded (a broken image has naturalWidth 0)."""
    return int(
        page.evaluate(
            """() => [...document.querySelectorAll('.imheval-chart img')]
                .filter(img => img.complete && img.naturalWidth > 0).length"""
        )
    )


def test_results_reports_exports_and_matching_of_the_demo(
    live_server: Any, desktop: Any, demo: Any, tmp_path: Path, task_worker: None
) -> None:
    page = desktop
    base = live_server.url
    sign_in(page, base, demo.username)

    # a 1366 x 900 screen; the first visit: nothing kept yet
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}/o/demo/results/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for")
    summary = page.locator("#report-summary")
    expect(summary.get_by_role("heading", name="Summary of findings")).to_be_visible()
    expect(summary).to_contain_text("Knowledge: the 59 people matched before and after training")
    # the headline per domain and the chart of every domain open the page, beside the downloads
    expect(summary).to_contain_text("Knowledge rose from 41% to 78% of answers correct")
    expect(page.locator("aside").get_by_role("link", name="Report: PDF")).to_be_visible()
    # the summary and its chart start above the fold
    for first in (
        summary.get_by_role("heading", name="Summary of findings"),
        page.locator("#figure-all-domains"),
    ):
        box = first.bounding_box()
        assert box is not None and box["y"] < 900, box
    assert _charts_drawn(page) == 1
    # the rest is worked out by the worker and put in its place below the summary
    by_programme = page.get_by_role("heading", name="Results by programme")
    expect(by_programme).to_be_visible(timeout=120_000)
    expect(page.locator("#results-rest-status")).to_have_text(
        "The rest of the results has been added below the summary."
    )
    # every section is folded until the reader opens one
    assert page.locator("main details[open]").count() == 0
    solihull = page.get_by_role("table", name="Solihull: mean scores before and after training")
    expect(solihull).to_be_hidden()
    page.locator("summary", has_text="Solihull").click()
    expect(solihull).to_be_visible()
    expect(solihull.get_by_role("row", name="Knowledge")).to_contain_text("23")
    flow = page.get_by_role("table", name="Participant flow")
    expect(flow).to_be_hidden()
    page.locator("summary", has_text="Who took part").click()
    expect(flow).to_contain_text("68")
    # a level's domains are folded inside it; their charts load when opened
    page.locator("summary", has_text="Level 2: Learning").click()
    knowledge = page.get_by_role("table", name="Table 1. Knowledge")
    expect(knowledge).to_be_hidden()
    page.locator("#report-level-2-1 > summary").click()
    expect(knowledge).to_be_visible()
    chart = page.locator("#report-level-2-1 .imheval-chart img").first
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    page.wait_for_function(
        """() => { const img = document.querySelector('#report-level-2-1 .imheval-chart img');
            return img.complete && img.naturalWidth > 0; }"""
    )
    assert _charts_drawn(page) >= 2
    axe_scan(page, "organisation results")
    screenshot(page, "results-organisation")

    tf1 = Cohort.objects.get(name="TF1")
    page.goto(f"{base}/o/demo/results/cohorts/{tf1.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for cohort TF1")
    expect(page.locator("#report-summary")).to_contain_text("the 14 people matched")
    axe_scan(page, "cohort results")
    screenshot(page, "results-cohort")

    page.get_by_role("link", name="Report: PDF for TF1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report (PDF) for TF1")
    ready = page.get_by_role("link", name="Download demo-TF1-report.pdf")
    expect(ready).to_be_visible(timeout=120_000)  # the worker wrote it; htmx told the page
    axe_scan(page, "report ready")
    with page.expect_download() as report:
        ready.click()
    assert report.value.suggested_filename == "demo-TF1-report.pdf"
    pdf = tmp_path / "report.pdf"
    report.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    page.goto(f"{base}/o/demo/results/cohorts/{tf1.pk}/")

    with page.expect_download() as export:
        page.get_by_role("link", name="Responses: CSV for TF1").click()
    assert export.value.suggested_filename == "demo-TF1-responses.csv"
    csv = tmp_path / "responses.csv"
    export.value.save_as(csv)
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("participant,cohort,programme,timepoint,directorate,profession,K1")
    assert len(lines) == 1 + 17 + 15  # TF1: 17 pre-tests and 15 post-tests

    tf2 = Cohort.objects.get(name="TF2")
    page.goto(f"{base}/o/demo/results/cohorts/{tf2.pk}/")
    page.get_by_role("link", name="Check possible matches of mistyped codes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check possible matches")
    expect(page.get_by_role("table")).to_contain_text("SL-02-M")
    axe_scan(page, "matching review")
    screenshot(page, "results-matching")
    page.get_by_role("button", name="Accept SL-02-M and SL-02-Z as one person").click()
    expect(page.get_by_role("status")).to_contain_text("SL-02-M and SL-02-Z accepted")
    assert MatchDecision.objects.get().decision == "accepted"


def test_live_counts_update_while_a_session_runs_under_the_sites_csp(
    live_server: Any, browser: Any, demo: Any
) -> None:
    """Without bypassing the Content-Security-Policy: htmx must poll with no inline code."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    try:
        sign_in(page, live_server.url, demo.username)
        cohort = demo.open_collection.cohort
        page.goto(f"{live_server.url}/o/demo/results/cohorts/{cohort.pk}/counts/")
        expect(page.locator("#count-pre-complete")).to_have_text("0")
        Submission.objects.create(
            collection=demo.open_collection,
            code="NEW01",
            answers={"K1": "a"},
            status="complete",
            completed_at=timezone.now(),
        )
        Submission.objects.create(collection=demo.open_collection, code="NEW02")
        expect(page.locator("#count-pre-complete")).to_have_text("1", timeout=15_000)
        expect(page.locator("#count-pre-drafts")).to_have_text("1")
        assert refused == []

        tf1 = Cohort.objects.get(name="TF1")
        page.goto(f"{live_server.url}/o/demo/results/cohorts/{tf1.pk}/")
        # the summary's SVG chart loads as an image under the CSP (the others when opened)
        expect(page.locator("#figure-all-domains img")).to_be_visible()
        assert _charts_drawn(page) >= 1
        assert refused == []
    finally:
        context.close()


def test_live_counts_page_is_accessible(live_server: Any, desktop: Any, demo: Any) -> None:
    sign_in(desktop, live_server.url, demo.username)
    cohort = demo.open_collection.cohort
    desktop.goto(f"{live_server.url}/o/demo/results/cohorts/{cohort.pk}/counts/")
    expect(desktop.get_by_role("table", name="Responses so far")).to_be_visible()
    axe_scan(desktop, "live counts")
    screenshot(desktop, "results-counts")
