"""Paper forms in Chromium: keyboard-only keying, double entry resolved, an import with errors.

Every page is scanned with axe-core; screenshots of the entry screen, the differences, the import
errors and the first page of the printed form are kept under artifacts/screenshots/.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import SCREENSHOTS, axe_scan, screenshot, sign_in

from imheval.web.capture.models import Submission
from imheval.web.paper.models import PaperForm

pytestmark = pytest.mark.browser

BAD_CSV = """participant,cohort,timepoint,K1,S1
MA07BE,SOL-1,pre,e,3
JO12DE,SOL-2,post,a,3
"""


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id"))


def key_in(page: Any, values: list[str]) -> None:
    """From the form number box: Tab to each next box and type its value, then press Enter."""
    for value in values:
        page.keyboard.press("Tab")
        if value:
            page.keyboard.type(value)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_trainer_keys_two_forms_with_the_keyboard_only_and_resolves_a_difference(
    live_server: Any, desktop: Any, workspace: Any
) -> None:
    page = desktop
    base = live_server.url
    sign_in(page, base, "trainer-north")
    enter = f"{base}/o/northern/paper/questionnaires/{workspace.pre.pk}/enter/"
    page.goto(enter)

    # A fresh form: the focus is in the form number box, which offers 1.
    assert focused(page) == "id_form_number"
    assert page.input_value("#id_form_number") == "1"
    axe_scan(page, "paper entry")
    key_in(page, ["ma07be", "1", "2", "b", "c", "", "a"])
    page.wait_for_url("**/enter/?after=1")
    assert page.get_by_text(f"Form {workspace.pre.pk}-001 saved as a response.").is_visible()

    # The next form is blank, numbered 2, with the focus back in the first box.
    assert focused(page) == "id_form_number"
    assert page.input_value("#id_form_number") == "2"
    assert page.input_value("#id_code") == ""
    key_in(page, ["jo12de", "3", "1", "e"])
    assert page.get_by_role(
        "link", name="Question 1 (K1): 'e' is not one of the answers"
    ).is_visible()
    axe_scan(page, "paper entry with an error")
    # Correct it with the keyboard: the error summary has the focus; its link leads to the box.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page) == "id_q_K1"
    page.keyboard.press("Control+a")
    page.keyboard.type("d")
    with page.expect_navigation(url="**/enter/?after=2"):
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="2 forms entered").is_visible()
    screenshot(page, "paper-entry")

    responses = {s.code: s for s in Submission.objects.filter(collection=workspace.pre)}
    assert set(responses) == {"MA07BE", "JO12DE"}
    assert responses["MA07BE"].answers == {"K1": "b", "K2": "c", "K4": "a"}
    assert responses["MA07BE"].profession == "Health visitor"
    assert responses["JO12DE"].answers == {"K1": "d"}
    assert {s.source for s in responses.values()} == {"paper"}

    # Double entry: form 3 keyed twice, differing on K2.
    page.get_by_role("button", name="Switch double entry on").click()
    page.wait_for_load_state()
    page.fill("#id_form_number", "3")
    page.focus("#id_form_number")
    key_in(page, ["ab01cd", "2", "3", "a", "b"])
    page.fill("#id_form_number", "3")
    page.focus("#id_form_number")
    key_in(page, ["ab01cd", "2", "3", "a", "c"])
    assert page.get_by_text("1 field differs from the first keying").is_visible()
    page.get_by_role("link", name="see the differences").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=f"Form {workspace.pre.pk}-003").is_visible()
    row = page.get_by_role("row", name="Question 2 (K2)")
    assert row.get_by_role("cell").all_inner_texts() == ["b", "c"]
    axe_scan(page, "differences")
    screenshot(page, "paper-discrepancies")

    page.get_by_role("button", name=f"Resolve form {workspace.pre.pk}-003").click()
    page.wait_for_load_state()
    axe_scan(page, "resolve")
    page.get_by_role("radio", name="c", exact=True).check()
    page.get_by_role("button", name="Save as a response").click()
    page.wait_for_load_state()
    assert page.get_by_text("There are no differences to resolve.").is_visible()
    paper = PaperForm.objects.get(form_number=3)
    assert paper.status == "resolved"
    assert paper.submission is not None and paper.submission.answers == {"K1": "a", "K2": "c"}


def test_an_import_with_errors_lists_them_and_the_printed_form_renders(
    live_server: Any, desktop: Any, workspace: Any, tmp_path: Path
) -> None:
    page = desktop
    base = live_server.url
    sign_in(page, base, "evaluator-north")
    page.goto(f"{base}/o/northern/paper/cohorts/{workspace.cohort.pk}/import/")
    axe_scan(page, "import")

    page.set_input_files(
        "#id_file",
        files=[{"name": "sol-1.csv", "mimeType": "text/csv", "buffer": BAD_CSV.encode()}],
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert page.get_by_role(
        "link", name="The file has 2 problems, so nothing was imported"
    ).is_visible()
    table = page.get_by_role("table", name="Problems in sol-1.csv")
    assert table.get_by_role("row").nth(1).get_by_role("cell").all_inner_texts()[:2] == ["2", "K1"]
    assert table.get_by_role("row").nth(2).get_by_role("cell").all_inner_texts()[:2] == [
        "3",
        "cohort",
    ]
    axe_scan(page, "import errors")
    screenshot(page, "import-errors")
    assert not Submission.objects.exists()

    printing = f"{base}/o/northern/paper/questionnaires/{workspace.post.pk}/print/"
    page.goto(printing)
    axe_scan(page, "print forms")
    pdf = page.request.get(f"{printing}?first=1&copies=2")
    assert pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "forms.pdf"
    path.write_bytes(pdf.body())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(path),
            str(SCREENSHOTS / "paper-form"),
        ],
        check=True,
    )
    assert (SCREENSHOTS / "paper-form.png").stat().st_size > 10_000
