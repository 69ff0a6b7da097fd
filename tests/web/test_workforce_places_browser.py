"""The places and programme-offer pages in a real browser: an admin records a year's places
(with a mistake first), reads who took them, and sets a programme's completion rule; axe on
each page, full of data and with errors showing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from workforce_places_data import add_trainees, make_cohort, make_programme, seed_001

from imheval.web.workforce.models import PlacesYear
from imheval.web.workspace.models import Programme

pytestmark = pytest.mark.browser


def test_admin_records_places_and_reads_who_took_them(
    live_server: Any, desktop: Any, workspace: Any
) -> None:
    seed_001(workspace.organisation)
    popular = make_programme(workspace.organisation, "Popular", places_per_year=12)
    add_trainees(
        [make_cohort(popular, "P-1", datetime.date(2026, 5, 4))], [("Midwife", "M", 15, 15)], "P"
    )
    sign_in(desktop, live_server.url, "admin-north")
    base = f"{live_server.url}/o/northern/workforce/places/"

    desktop.goto(base)
    desktop.get_by_text("Who took the places on Solihull 16-week course in 2026/27").click()
    assert desktop.get_by_role("cell", name="60", exact=True).first.is_visible()
    assert desktop.get_by_text("3 more taken than funded").is_visible()
    axe_scan(desktop, "workforce:places")
    screenshot(desktop, "workforce-places")

    desktop.get_by_role("button", name="Record a year's places").click()
    desktop.get_by_label("Programme").select_option(label="Popular")
    desktop.get_by_label("Financial year starting in").fill("1999")
    desktop.get_by_label("Places funded").fill("12")
    desktop.get_by_role("button", name="Save places").click()
    assert desktop.get_by_text("There is a problem").is_visible()
    axe_scan(desktop, "workforce:places_create with errors")
    desktop.get_by_label("Financial year starting in").fill("2026")
    desktop.get_by_label("Places funded").fill("16")
    desktop.get_by_role("button", name="Save places").click()
    assert desktop.get_by_text("Places for Popular in 2026/27 recorded: 16 funded.").is_visible()
    assert PlacesYear.objects.get(programme=popular).funded == 16
    assert not desktop.get_by_text("more taken than funded").count()

    desktop.get_by_label("Financial year").select_option(label="2026/27")
    desktop.get_by_role("button", name="Show").click()
    assert desktop.url.endswith("?year=2026")
    axe_scan(desktop, "workforce:places filtered")


def test_admin_sets_a_programmes_completion_rule(
    live_server: Any, desktop: Any, workspace: Any
) -> None:
    sign_in(desktop, live_server.url, "admin-north")
    desktop.goto(f"{live_server.url}/o/northern/programmes/{workspace.programme.pk}/edit/")
    desktop.get_by_label("Skilled").check()
    desktop.get_by_label("Number of sessions").fill("0")
    desktop.get_by_role("button", name="Save changes").click()
    assert desktop.get_by_text("A programme has at least 1 session").first.is_visible()
    axe_scan(desktop, "workspace:programme_edit with errors")
    desktop.get_by_label("Number of sessions").fill("16")
    desktop.get_by_label("Share of sessions to attend (%)").fill("80")
    desktop.get_by_role("button", name="Save changes").click()
    assert desktop.get_by_text("Attending at least 80% of the 16 sessions (13)").is_visible()
    axe_scan(desktop, "workspace:programme")
    screenshot(desktop, "workforce-programme-offer")
    programme = Programme.objects.get(pk=workspace.programme.pk)
    assert (programme.framework_level, programme.sessions) == ("Skilled", 16)
