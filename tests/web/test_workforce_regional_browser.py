"""In a real browser with axe-core: a regional lead reads coverage by organisation (the heat
map, a small organisation hidden) and outcomes side by side, on a desktop and on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.conftest import axe_scan, screenshot, sign_in
from tests.web.test_workforce_regional import make_organisation, make_region, url

pytestmark = pytest.mark.browser


def _region() -> Any:
    region, _ = make_region("lead")
    make_organisation(1, region, headcount=20, trained=3, outcomes=[(12, 10.0, 8.0)])
    make_organisation(2, region, headcount=30, trained=10, outcomes=[(11, 6.0, 7.0)])
    make_organisation(3, region, headcount=40, trained=12, outcomes=[(14, 12.0, 8.0)])
    make_organisation(4, region, shares=False, name="Quiet Trust")
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
