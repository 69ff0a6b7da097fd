"""In a real browser, with axe-core: the second reviewer reviews a theme; Table 3 downloads;
the review, log, comparison, exchange, outputs and joint display pages pass axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from qual_data import (
    FOCUS_GROUP,
    add_member,
    make_codebook,
    make_coder,
    make_coding,
    make_source,
    make_study,
    url,
)

from shared_fixtures import shared_fixture

pytestmark = pytest.mark.browser

PASSWORD = "x-not-used-x"  # qual_data.add_member's


@pytest.fixture
def study(workspace: Any) -> Any:
    from django.utils import timezone

    made = make_study(
        workspace.organisation,
        workspace.cohort,
        approach="codebook",
        comparison_opened_at=timezone.now(),
    )
    source = make_source(made, FOCUS_GROUP)
    codes = make_codebook(made)
    a, b = make_coder(made, "Coder A"), make_coder(made, "Coder B")
    make_coding(source, codes["light bulb"], a, text="A light bulb moment", exemplar=True)
    make_coding(source, codes["light bulb"], b, text="light bulb moment, really")
    make_coding(source, codes["never time"], a, text="We never get time to think.")
    add_member(workspace.organisation, "reviewer")
    add_member(workspace.organisation, "analyst")
    return made


def test_the_second_reviewer_proposes_a_new_name_for_a_theme(
    live_server: Any, study: Any, desktop: Any
) -> None:
    from imheval.web.qualitative.models import Review

    page = desktop
    sign_in(page, live_server.url, "reviewer-northern", PASSWORD)
    page.goto(live_server.url + url("review", study=study))
    axe_scan(page, "qualitative review")
    page.get_by_role("link", name="Review Space to reflect").click()
    page.get_by_role("heading", name="Space to reflect", level=1).wait_for()
    axe_scan(page, "qualitative review of a theme")
    page.get_by_label("Propose a change").check()
    page.get_by_label("Proposed new name (if you propose one)").fill("Room to reflect")
    page.get_by_label("Your comment, or the reason").fill(
        "The quotes are about room to think, not a place."
    )
    page.get_by_role("button", name="Save your decision").click()
    page.get_by_text("Your decision on Space to reflect is saved: Propose a change.").wait_for()
    screenshot(page, "qual-review-saved")
    decision = Review.objects.get()
    assert (decision.decision, decision.proposed_name) == ("propose", "Room to reflect")
    page.goto(live_server.url + url("review_log", study=study))
    page.get_by_text("The quotes are about room to think, not a place.").wait_for()
    axe_scan(page, "qualitative review log")


def test_table_3_downloads_and_the_pages_pass_axe(
    live_server: Any, study: Any, desktop: Any, tmp_path: Path
) -> None:
    page = desktop
    sign_in(page, live_server.url, "analyst-northern", PASSWORD)
    page.goto(live_server.url + url("outputs", study=study))
    axe_scan(page, "qualitative outputs")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download Table 3 as CSV").click()
    saved = tmp_path / "table3.csv"
    caught.value.save_as(saved)
    assert caught.value.suggested_filename == "focus-groups-after-training-table-3.csv"
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == "theme,Space to reflect,Time away from the ward to think.,1,2,3"
    for name, label in (
        ("comparison", "qualitative comparison"),
        ("exchange", "qualitative exchange"),
        ("joint", "qualitative joint display"),
    ):
        page.goto(live_server.url + url(name, study=study))
        axe_scan(page, label)
    page.goto(
        live_server.url
        + url("comparison", study=study)
        + f"?code={study.codes.get(name='Light bulb moment').pk}"
    )
    page.get_by_role("heading", name="Where the coders differ on Light bulb moment").wait_for()
    axe_scan(page, "qualitative comparison with disagreements")
    # the import preview
    page.goto(live_server.url + url("exchange", study=study))
    page.set_input_files(
        "input[type=file]", shared_fixture("refi-qda", "examples", "imh-focus-group.qdpx")
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Check before importing imh-focus-group.qdpx").wait_for()
    axe_scan(page, "qualitative import preview")
