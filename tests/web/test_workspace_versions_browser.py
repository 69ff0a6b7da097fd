"""In Chromium: a programme whose cohorts asked two versions of imh-core (the demo's, pinned to
1.0.0, and a cohort set up after a simulated swap to a made-up 2.0.0, on the bank as it was
before version 2) says so at the top of its results
page, links the cohort left out to its own results, and is axe clean."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from bank_swap import NEW_VERSION, rewind, swap_current
from conftest import PASSWORD, axe_scan, screenshot, sign_in
from django.urls import reverse
from playwright.sync_api import expect

from imheval.web.workspace.models import Cohort, Collection, Programme

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db: None) -> Any:
    from imheval.web.demo import load_demo

    return load_demo(password=PASSWORD)


def test_a_programme_on_two_versions_names_and_links_the_cohort_left_out(
    live_server: Any, desktop: Any, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rewind(monkeypatch)
    swap_current(monkeypatch)
    solihull = Programme.objects.get(organisation=demo.organisation, name="Solihull")
    later = Cohort.objects.create(
        programme=solihull, name="S4", start_date=datetime.date(2027, 2, 1)
    )
    pre = Collection.objects.create(cohort=later, timepoint="pre", instrument_refs=["imh-core"])
    assert pre.instrument_versions == {"imh-core": NEW_VERSION}
    sign_in(desktop, live_server.url, demo.username)
    desktop.goto(live_server.url + reverse("results:programme", args=["demo", solihull.pk]))
    notice = desktop.locator("#results-versions")
    expect(notice.get_by_role("heading")).to_have_text(
        "Cohorts asked different versions of Infant mental health core questionnaire, version 2"
    )
    expect(notice).to_contain_text("These results are of the 3 cohorts that asked version 1.0.0")
    expect(notice).to_contain_text("Left out: the cohort that asked version 2.0.0.")
    axe_scan(desktop, "programme results on two versions")
    screenshot(desktop, "results-two-versions")
    notice.get_by_role("link", name="Results for cohort S4").click()
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Results for cohort S4")
    expect(desktop.locator("#results-versions")).to_have_count(0)
