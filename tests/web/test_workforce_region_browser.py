"""The region's pages and the organisation's Regions page in a real browser, through axe-core
(the site-wide scan in test_web_accessibility walks organisation pages only): a regional lead
lands on their home page, manages the region, and an organisation's admin turns sharing on."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from workforce_region_data import make_region

pytestmark = pytest.mark.browser


def test_a_regional_lead_manages_the_region_and_every_page_passes_axe(
    live_server: Any, desktop: Any, workspace: Any
) -> None:
    world = make_region(workspace)
    base = live_server.url
    sign_in(desktop, base, "lead-region")
    assert desktop.url == f"{base}/o/"  # no organisation: their regions, to choose from
    axe_scan(desktop, "home with regions")
    desktop.get_by_role("link", name="North regional IMH group").click()
    assert desktop.locator("h1").inner_text().endswith("North regional IMH group")
    axe_scan(desktop, "region")
    screenshot(desktop, "page-workforce-region")

    desktop.get_by_role("link", name="Invite or remove organisations").click()
    desktop.get_by_label("Organisation's name").fill("Nowhere Trust")
    desktop.get_by_role("button", name="Invite").click()
    assert "No organisation in imheval is called Nowhere Trust" in desktop.content()
    axe_scan(desktop, "region members with an error")
    screenshot(desktop, "page-workforce-region_members")

    desktop.goto(f"{base}/r/north/roles/")
    desktop.get_by_label("User name").fill("viewer-north")
    desktop.get_by_label("Regional viewer").check()
    desktop.get_by_role("button", name="Save role").click()
    assert "viewer-north is now regional viewer." in desktop.content()
    axe_scan(desktop, "region roles")

    desktop.goto(f"{base}/r/north/targets/")
    axe_scan(desktop, "region targets")
    desktop.get_by_role("button", name="Add a target").click()
    desktop.get_by_role("button", name="Save target").click()
    assert "There is a problem" in desktop.content()
    axe_scan(desktop, "region target form with errors")
    for path in (f"/r/north/targets/{world.target.pk}/", "/r/north/targets/import/"):
        desktop.goto(base + path)
        axe_scan(desktop, path)
    screenshot(desktop, "page-workforce-region_targets_import")


def test_an_admin_shares_with_a_region_from_the_regions_page(
    live_server: Any, phone: Any, workspace: Any
) -> None:
    world = make_region(workspace)
    world.northern.shares = False
    world.northern.save()
    sign_in(phone, live_server.url, "admin-north")
    phone.goto(f"{live_server.url}/o/northern/workforce/regions/")
    axe_scan(phone, "regions")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the Regions page scrolls sideways on a phone ({width} px)"
    phone.get_by_role("button", name="Share with North regional IMH group").click()
    assert "Northern HSC Trust now shares with North regional IMH group" in phone.content()
    axe_scan(phone, "regions after sharing")
    screenshot(phone, "page-workforce-regions")
    world.northern.refresh_from_db()
    assert world.northern.shares is True
