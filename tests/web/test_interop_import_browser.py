"""In Chromium: the import from another system, from the file import's page to the responses
imported, and a refusal listing each problem on its file and row. Every page is scanned with
axe-core; screenshots are kept for people to look at."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from test_interop_import import POST_SURVEY, PRE_SURVEY, REDCAP_EVENTS

from imheval.web.capture.models import Submission
from imheval.web.paper.models import ImportBatch

pytestmark = pytest.mark.browser


def choose(page: Any, box: str, name: str, content: str) -> None:
    page.set_input_files(
        f"#id_{box}", files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}]
    )


def test_an_evaluator_imports_a_redcap_export_after_checking_its_mapping(
    live_server: Any, desktop: Any, workspace: Any
) -> None:
    page = desktop
    sign_in(page, live_server.url, "evaluator-north")
    page.goto(f"{live_server.url}/o/northern/paper/cohorts/{workspace.cohort.pk}/import/")
    page.get_by_role("link", name="Import from REDCap, Microsoft Forms, LimeSurvey or FHIR").click()
    page.wait_for_load_state()
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .endswith("Import from REDCap, Microsoft Forms, LimeSurvey or FHIR")
    )
    axe_scan(page, "import from another system")
    screenshot(page, "interop-import")

    page.get_by_role("button", name="Read the files and show the mapping").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Choose the system the files come from").click()
    assert page.evaluate("document.activeElement.id") == "id_system_0"
    axe_scan(page, "import from another system, nothing chosen")

    page.get_by_label("REDCap").check()
    choose(page, "files", "project.csv", REDCAP_EVENTS)
    page.get_by_role("button", name="Read the files and show the mapping").click()
    page.wait_for_load_state()

    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .endswith("Check the mapping before importing")
    )
    mapping = page.get_by_role("table", name="Which question fills which")
    assert mapping.get_by_role("row").count() == 21  # the header and imh-core's 20 questions
    first = mapping.get_by_role("row").nth(1).inner_text()
    assert first.startswith("k1\tQuestion 1 (K1): A 10-month-old falls over")
    assert "email" in page.locator("#dropped").inner_text()
    left_out = page.get_by_role("table", name="Responses left out")
    assert "project.csv, row 5" in left_out.inner_text()
    assert not Submission.objects.exists()
    axe_scan(page, "the mapping's preview")
    screenshot(page, "interop-preview")

    page.get_by_role("button", name="Import 3 responses").click()
    page.wait_for_load_state()

    assert page.get_by_text(
        "Imported 3 responses from project.csv (REDCap) (2 pre-test, 1 post-test)."
    ).is_visible()
    assert Submission.objects.count() == 3
    assert ImportBatch.objects.get().status == "imported"
    axe_scan(page, "import page after an import from another system")


def test_files_with_problems_list_each_on_its_file_and_row(
    live_server: Any, desktop: Any, workspace: Any
) -> None:
    page = desktop
    sign_in(page, live_server.url, "trainer-north")
    page.goto(
        f"{live_server.url}/o/northern/paper/cohorts/{workspace.cohort.pk}/import/other-system/"
    )
    page.get_by_label("REDCap").check()
    choose(page, "files_pre", "pre.csv", PRE_SURVEY)
    choose(page, "files_post", "post.csv", POST_SURVEY)
    page.get_by_role("button", name="Read the files and show the mapping").click()
    page.wait_for_load_state()

    summary = page.get_by_role("link", name="The files have 2 problems, so nothing was imported")
    summary.click()
    table = page.get_by_role("table", name="Problems in the files")
    rows = [row.inner_text() for row in table.get_by_role("row").all()]
    assert rows[1].startswith("pre.csv\t3\tk1\tQuestion 1 (K1): 'e' is not one of the answers")
    assert rows[2].startswith("post.csv\t2\ts1\tQuestion 15 (S1): '9' is not one of the answers")
    assert len(rows) == 3
    assert page.get_by_label("REDCap").is_checked()  # the choices are kept to try again
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()
    axe_scan(page, "import from another system with problems")
    screenshot(page, "interop-problems")
