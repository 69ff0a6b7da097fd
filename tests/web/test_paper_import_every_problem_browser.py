"""In Chromium: an import with seven problems shows seven; a file with a column imheval does
not know is imported only once the box is ticked; a template downloads from the import page;
a difference is resolved as "neither: leave blank". Every page is scanned with axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from test_paper_entry import double_entry_on, form_data
from test_paper_import_every_problem import SEVEN_PROBLEMS

from imheval.io.templates import SAMPLE_CODE
from imheval.web.capture.models import Submission
from imheval.web.paper.models import PaperForm

pytestmark = pytest.mark.browser


def choose_file(page: Any, name: str, content: str) -> None:
    page.set_input_files(
        "#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()


def test_seven_problems_show_seven_then_unknown_columns_need_a_tick(
    live_server: Any, desktop: Any, workspace: Any, tmp_path: Path
) -> None:
    page = desktop
    sign_in(page, live_server.url, "evaluator-north")
    import_page = f"{live_server.url}/o/northern/paper/cohorts/{workspace.cohort.pk}/import/"
    page.goto(import_page)

    with page.expect_download() as caught:
        page.get_by_role("link", name="CSV template for the pre-test questionnaire").click()
    saved = tmp_path / "template.csv"
    caught.value.save_as(saved)
    assert saved.read_text(encoding="utf-8-sig").splitlines()[1].startswith(SAMPLE_CODE)

    choose_file(page, "seven.csv", SEVEN_PROBLEMS)
    assert page.get_by_role(
        "link", name="The file has 7 problems, so nothing was imported"
    ).is_visible()
    table = page.get_by_role("table", name="Problems in seven.csv")
    assert table.get_by_role("row").count() == 8  # the header row and seven problems
    axe_scan(page, "import with seven problems")
    screenshot(page, "import-seven-problems")

    page.goto(import_page)
    choose_file(page, "notes.csv", "participant,timepoint,K1,notes\nAB12CD,pre,a,late\n")
    assert page.get_by_text("Columns imheval does not know").is_visible()
    page.get_by_role("button", name="Import 1 response").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Confirm that the columns imheval does not know").count()
    assert not Submission.objects.exists()
    axe_scan(page, "import preview, ignoring columns not confirmed")
    screenshot(page, "import-unknown-columns")
    page.get_by_label("Ignore these columns and import the rest of the file").check()
    page.get_by_role("button", name="Import 1 response").click()
    page.wait_for_load_state()
    assert page.get_by_text("Imported 1 response from notes.csv").is_visible()
    assert Submission.objects.get().answers == {"K1": "a"}


def test_a_difference_is_resolved_as_neither(
    live_server: Any, desktop: Any, workspace: Any, client: Any
) -> None:
    double_entry_on(workspace)
    client.force_login(workspace.users["trainer"])
    enter = f"/o/northern/paper/questionnaires/{workspace.pre.pk}/enter/"
    client.post(enter, form_data(4, K1="b"))
    client.post(enter, form_data(4, K1="d"))
    paper = PaperForm.objects.get()
    page = desktop
    sign_in(page, live_server.url, "trainer-north")
    page.goto(f"{live_server.url}/o/northern/paper/forms/{paper.pk}/resolve/")
    axe_scan(page, "resolve with neither")
    page.get_by_role("group", name="Question 1 (K1)").get_by_label("Neither: leave blank").check()
    page.get_by_role("button", name="Save as a response").click()
    page.wait_for_load_state()
    paper.refresh_from_db()
    assert paper.status == "resolved"
    assert paper.submission is not None
    assert "K1" not in paper.submission.answers
