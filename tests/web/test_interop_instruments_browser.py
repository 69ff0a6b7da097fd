"""Importing an instrument from REDCap in a real browser, through axe-core: the upload, a refused
file's problems, the preview with a question to key, the confirmation and the instrument's page
with its downloads. No serious or critical accessibility problem on any of them; the preview
does not scroll sideways on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from django.urls import reverse

from imheval.instruments import KeyedItem
from imheval.web.workspace.models import InstrumentFile
from shared_fixtures import shared_fixture

pytestmark = pytest.mark.browser


def _instruments(live_server: Any) -> str:
    return live_server.url + reverse("workspace:instruments", kwargs={"org": "northern"})


def test_a_redcap_dictionary_is_imported_through_the_pages(
    live_server: Any, desktop: Any, workspace: Any, tmp_path: Any
) -> None:
    sign_in(desktop, live_server.url, "evaluator-north")
    desktop.goto(_instruments(live_server))
    desktop.get_by_role("link", name="Import from REDCap, LimeSurvey or FHIR").click()
    desktop.wait_for_load_state()
    assert desktop.title() == "Import an instrument from another system – imheval"
    axe_scan(desktop, "instrument import")
    screenshot(desktop, "interop-instrument-import")

    # A file that is not a dictionary: every problem listed, nothing kept.
    bad = tmp_path / "not a dictionary.csv"
    bad.write_text("record_id,redcap_event_name,k1,imh_quiz_complete\n1,pre_arm_1,1,2\n")
    desktop.get_by_label("REDCap", exact=True).check()
    desktop.set_input_files('input[type="file"]', str(bad))
    desktop.get_by_role("button", name="Check the file").click()
    desktop.wait_for_load_state()
    assert "There is a problem: nothing was imported" in desktop.content()
    assert "This is a REDCap record export: the answers, not the questions." in (
        desktop.locator("#problems").inner_text()
    )
    axe_scan(desktop, "instrument import problems")
    screenshot(desktop, "interop-instrument-import-problems")

    # The example dictionary: the preview, a question keyed, the id changed, confirmed.
    desktop.get_by_label("REDCap", exact=True).check()
    dictionary = shared_fixture("interop", "redcap_data_dictionary.csv")
    desktop.set_input_files('input[type="file"]', str(dictionary))
    desktop.get_by_role("button", name="Check the file").click()
    desktop.wait_for_load_state()
    assert desktop.title() == "Check before importing redcap_data_dictionary.csv – imheval"
    assert desktop.locator("#questions tbody tr").count() == 3
    assert desktop.locator("#omissions tbody tr").count() == 4
    axe_scan(desktop, "instrument import preview")
    screenshot(desktop, "interop-instrument-import-preview")
    assert not InstrumentFile.objects.exists()
    desktop.get_by_label("Which services do you work in?: Health visiting").select_option("1")
    desktop.get_by_label("Instrument id").fill("our-knowledge")
    desktop.get_by_role("button", name="Import the instrument").click()
    desktop.wait_for_load_state()

    saved = InstrumentFile.objects.get()
    assert desktop.url == live_server.url + reverse(
        "workspace:instrument_file", kwargs={"org": "northern", "instrument_file": saved.pk}
    )
    assert "Instrument our-knowledge imported from redcap_data_dictionary.csv" in (
        desktop.content()
    )
    keyed = next(q for q in saved.instrument().questions if q.id == "roles___3")
    assert isinstance(keyed, KeyedItem) and keyed.key == ("1",)
    # The instrument's page offers it back in each system's format.
    desktop.get_by_text("Download for REDCap, LimeSurvey or FHIR").click()
    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="FHIR Questionnaire (JSON)").click()
    assert download.value.suggested_filename == "our-knowledge-1.0.0-questionnaire.json"
    axe_scan(desktop, "imported instrument")
    screenshot(desktop, "interop-instrument-imported")


def test_the_previews_fit_a_phone(live_server: Any, phone: Any, workspace: Any) -> None:
    """The 474-field perinatal dictionary (116 questions, 194 to key, 629 things not carried),
    and a dictionary that scores nothing yet."""
    sign_in(phone, live_server.url, "admin-north")
    phone.goto(live_server.url + reverse("workspace:instrument_import", kwargs={"org": "northern"}))
    phone.get_by_label("REDCap", exact=True).check()
    dictionary = shared_fixture("interop", "real", "redcap", "hbcd_perinatal_dictionary_bom.csv")
    phone.set_input_files('input[type="file"]', str(dictionary))
    phone.get_by_role("button", name="Check the file").click()
    phone.wait_for_load_state()
    assert phone.locator("select").count() == 194
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the preview scrolls sideways on a phone ({width} px)"
    axe_scan(phone, "instrument import preview, phone")
    # A dictionary that scores nothing yet: only its questions to key.
    phone.goto(live_server.url + reverse("workspace:instrument_import", kwargs={"org": "northern"}))
    phone.get_by_label("REDCap", exact=True).check()
    survey = shared_fixture("interop", "real", "redcap", "redcapr_survey_dictionary.csv")
    phone.set_input_files('input[type="file"]', str(survey))
    phone.get_by_role("button", name="Check the file").click()
    phone.wait_for_load_state()
    assert "is scored yet" in phone.locator("#nothing-scored").inner_text()
    axe_scan(phone, "instrument import preview, nothing scored yet")
    screenshot(phone, "interop-instrument-import-nothing-scored")
