"""In a real browser with axe-core: a regional lead reads coverage by organisation (the heat
map, a small organisation hidden), places by organisation and outcomes side by side, on a
desktop and on a phone; then asks for the regional report and waits on its progress page
until the worker has written it."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.conftest import axe_scan, screenshot, sign_in
from tests.web.task_worker import task_worker  # noqa: F401 - a fixture
from tests.web.test_workforce_regional import make_organisation, make_region, url
from tests.web.test_workforce_regional_places import add_places
from tests.web.test_workforce_regional_report import this_years_start

pytestmark = pytest.mark.browser


def _region() -> Any:
    region, _ = make_region("lead")
    first = make_organisation(1, region, headcount=20, trained=3, outcomes=[(12, 10.0, 8.0)])
    second = make_organisation(2, region, headcount=30, trained=10, outcomes=[(11, 6.0, 7.0)])
    make_organisation(3, region, headcount=40, trained=12, outcomes=[(14, 12.0, 8.0)])
    make_organisation(4, region, shares=False, name="Quiet Trust")
    start = this_years_start()
    add_places(
        first,
        [("Health visitor", 8, 7), ("Social worker", 4, 3)],
        start=start,
        funded=20,
        service="Early years",
    )
    add_places(second, [("Health visitor", 3, 2)], start=start, funded=10, service="Early years")
    return region


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_regional_lead_reads_the_regional_view(
    live_server: Any, request: pytest.FixtureRequest, device: str
) -> None:
    page = request.getfixturevalue(device)
    region = _region()
    sign_in(page, live_server.url, "lead-region")
    page.goto(live_server.url + url("regional_coverage", region))
    page.get_by_role("heading", name="Coverage by organisation").wait_for()
    assert page.get_by_text("1 invited organisation does not share and is not included.").count()
    assert page.get_by_role("cell", name="hidden").count() >= 2
    axe_scan(page, f"regional coverage ({device})")
    screenshot(page, f"regional-coverage-{device}")
    page.goto(live_server.url + url("regional_outcomes", region))
    page.get_by_role("heading", name="Outcomes side by side").wait_for()
    page.get_by_role("heading", name="Do organisations differ?").first.wait_for()
    axe_scan(page, f"regional outcomes ({device})")
    screenshot(page, f"regional-outcomes-{device}")
    page.goto(live_server.url + url("regional_places", region))
    page.get_by_role("heading", name="Places by organisation").wait_for()
    assert page.get_by_role("cell", name="hidden").count() >= 4
    page.get_by_text("Who took the places on").first.click()
    axe_scan(page, f"regional places ({device})")
    screenshot(page, f"regional-places-{device}")


def test_a_regional_lead_asks_for_the_report_and_waits_for_it(
    live_server: Any,
    desktop: Any,
    task_worker: None,  # noqa: F811
) -> None:
    region = _region()
    page = desktop
    sign_in(page, live_server.url, "lead-region")
    page.goto(live_server.url + url("region", region))
    page.get_by_role("button", name="Write the report as a web page").click()
    page.get_by_role("heading", name="The regional report (web page)").wait_for()
    axe_scan(page, "regional report progress")
    # htmx asks every 2 seconds; the worker writes the report meanwhile
    page.get_by_text("The report is ready.").wait_for(timeout=60_000)
    axe_scan(page, "regional report ready")
    link = page.get_by_role("link", name="Open the report")
    assert "/file" in (link.get_attribute("href") or "")
    page.get_by_role("link", name="The region's latest reports").click()
    page.get_by_role("heading", name="The regional report").wait_for()
    assert page.get_by_role("cell", name="Ready").count() == 1
    axe_scan(page, "regional report list")
