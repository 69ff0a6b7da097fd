"""The register pages in a real browser through axe-core, with people, a 16-session grid, an
import's problems and earlier training: no serious or critical problems; the grid scrolls
inside its own box on a phone; ticking and saving works by keyboard-reachable checkboxes."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in
from django.urls import reverse

from imheval.web.workforce.completion import settle_trainees
from imheval.web.workforce.models import EarlierTraining, SessionAttendance, Trainee

pytestmark = pytest.mark.browser
DATA = Path(__file__).parent / "data" / "workforce"


def _register(workspace: Any) -> list[Trainee]:
    programme = workspace.programme
    programme.sessions = 16
    programme.save()
    people = [
        Trainee.objects.create(
            cohort=workspace.cohort,
            person=f"E10452{n}",
            profession="Health visitor",
            service="0-19 Children's Services",
            employer="Northern Council" if n == 2 else "",
        )
        for n in range(5)
    ]
    SessionAttendance.objects.bulk_create(
        SessionAttendance(trainee=t, session=s, present=True)
        for i, t in enumerate(people)
        for s in range(1, 17 - 3 * i)
    )
    settle_trainees(people)
    EarlierTraining.objects.create(
        organisation=workspace.organisation,
        person="E104599",
        profession="Midwife",
        service="Maternity",
        level="Informed",
        completed_on=datetime.date(2023, 9, 30),
        source_name="earlier.csv",
    )
    return people


def test_register_pages_pass_axe(live_server: Any, desktop: Any, workspace: Any) -> None:
    people = _register(workspace)
    sign_in(desktop, live_server.url, "trainer-north")
    cohort = {"org": "northern", "cohort": workspace.cohort.pk}
    register = live_server.url + reverse("workforce:register", kwargs=cohort)
    desktop.goto(register)
    axe_scan(desktop, "workforce register")
    screenshot(desktop, "workforce-register")
    # Tick session 16 for the person who missed the last three and save.
    desktop.get_by_label(f"{people[1].person} attended session 16").check()
    desktop.get_by_role("button", name="Save attendance").click()
    desktop.wait_for_load_state()
    assert SessionAttendance.objects.get(trainee=people[1], session=16).present
    assert "Attendance saved" in desktop.content()
    desktop.goto(live_server.url + reverse("workforce:register_import", kwargs=cohort))
    axe_scan(desktop, "workforce register import")
    desktop.set_input_files('input[type="file"]', str(DATA / "register_problems.csv"))
    desktop.get_by_role("button", name="Import").click()
    desktop.wait_for_load_state()
    assert "Nothing was imported from register_problems.csv" in desktop.content()
    axe_scan(desktop, "workforce register import problems")
    screenshot(desktop, "workforce-register-import-problems")
    completion = reverse(
        "workforce:register_completion", kwargs={**cohort, "trainee": people[0].pk}
    )
    desktop.goto(live_server.url + completion)
    desktop.get_by_label("Completed, whatever their attendance", exact=True).check()
    desktop.get_by_role("button", name="Save completion").click()
    desktop.wait_for_load_state()
    axe_scan(desktop, "workforce register completion error")


def test_earlier_training_pages_pass_axe(live_server: Any, desktop: Any, workspace: Any) -> None:
    _register(workspace)
    sign_in(desktop, live_server.url, "admin-north")
    desktop.goto(live_server.url + reverse("workforce:earlier", kwargs={"org": "northern"}))
    axe_scan(desktop, "workforce earlier")
    desktop.set_input_files('input[type="file"]', str(DATA / "earlier_problems.csv"))
    desktop.get_by_role("button", name="Import", exact=True).click()
    desktop.wait_for_load_state()
    assert "Nothing was imported from earlier_problems.csv" in desktop.content()
    axe_scan(desktop, "workforce earlier problems")
    screenshot(desktop, "workforce-earlier-problems")
    desktop.get_by_role("button", name="Remove this import").click()
    desktop.wait_for_load_state()
    axe_scan(desktop, "workforce earlier remove import")


def test_the_grid_scrolls_inside_its_box_on_a_phone(
    live_server: Any, phone: Any, workspace: Any
) -> None:
    _register(workspace)
    sign_in(phone, live_server.url, "trainer-north")
    phone.goto(
        live_server.url
        + reverse("workforce:register", kwargs={"org": "northern", "cohort": workspace.cohort.pk})
    )
    axe_scan(phone, "workforce register phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the register scrolls sideways on a phone ({width} px)"
    screenshot(phone, "workforce-register-phone")
