"""The workforce pages in a real browser (issue 16: "an admin imports an establishment and a
register, sets targets, reads the heat map; a regional lead reads the regional view; axe").

Every figure asserted below is worked out by hand from the files in
tests/web/data/workforce/browser/ (their README.md gives the working), on 31 October 2026
(the coverage page's "Show coverage on another date"), so the test does not depend on the
day it runs. Each page visited goes through axe-core and must have no violation at all (not
only no serious one), on desktop, and the coverage page and a register also on a phone.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD, axe_scan, screenshot, sign_in
from playwright.sync_api import expect
from scipy import stats

from imheval.web.workforce.models import (
    CohortOutcome,
    EarlierTraining,
    Establishment,
    EstablishmentRow,
    LevelRequirement,
    RegionalTarget,
    RegionMember,
    SessionAttendance,
    Trainee,
    TrajectoryPoint,
    WorkforceSettings,
)
from imheval.web.workspace.models import Cohort, Programme

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data" / "workforce" / "browser"
AS_OF = "2026-10-31"
REGION = "North regional IMH group"


# ---------------------------------------------------------------------------- helpers


def scan(page: Any, name: str) -> None:
    """axe-core on the page: no violation of any impact (axe_scan fails on serious ones)."""
    violations = axe_scan(page, name)
    assert [(v["id"], v["impact"], v["help"]) for v in violations] == [], name


def words(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


def row_texts(table: Any, cell: str) -> list[str]:
    """The cells (th and td, in order, as words) of the one row of ``table`` that has a cell
    reading exactly ``cell``."""
    rows = [
        texts
        for row in table.locator("tr").all()
        if cell in (texts := [words(text) for text in row.locator("th, td").all_inner_texts()])
    ]
    assert len(rows) == 1, f"{cell!r}: {len(rows)} rows"
    return rows[0]


def fill_date(page: Any, legend: str, day: int, month: int, year: int) -> None:
    """An NHS.UK date input (a group named by its legend, with Day, Month and Year boxes)."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def go(page: Any, target: Any) -> None:
    """Click a link or a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        target.click()


def message(page: Any, text: str) -> None:
    """The page's success message (the messages banner) is ``text``."""
    banner = page.get_by_role("status").first
    expect(banner).to_contain_text(text)
    assert words(banner.inner_text()).removeprefix("Information: ") == text


# ---------------------------------------------------------------------------- 1. the admin


def make_course(workspace: Any) -> Cohort:
    """A four-session programme with no framework level yet (the admin sets it) and one past
    cohort (completions are dated its end, 22 September 2026); and earlier training: E101 at
    Informed (2024), two perinatal mental health nurses at Enhanced (2025)."""
    programme = Programme.objects.create(
        organisation=workspace.organisation,
        name="Healthy minds course",
        provider="Trust",
        level="intermediate",
        delivery="face_to_face",
        duration_value=Decimal("4"),
        duration_unit="weeks",
    )
    cohort = Cohort.objects.create(
        programme=programme,
        name="HM-1",
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2026, 9, 22),
    )
    for person, service, profession, level, day in (
        ("E101", "Health visiting", "Health visitor", "Informed", datetime.date(2024, 5, 1)),
        ("M302", "Perinatal mental health", "Mental health nurse", "Enhanced", None),
        ("M303", "Perinatal mental health", "Mental health nurse", "Enhanced", None),
    ):
        EarlierTraining.objects.create(
            organisation=workspace.organisation,
            person=person,
            service=service,
            profession=profession,
            level=level,
            completed_on=day or datetime.date(2025, 5, 1),
        )
    return cohort


def test_an_admin_sets_up_coverage_and_reads_the_heat_map(
    live_server: Any, desktop: Any, phone: Any, workspace: Any
) -> None:
    cohort = make_course(workspace)
    programme = cohort.programme
    page = desktop
    sign_in(page, live_server.url, "admin-north")

    # Workforce, from the organisation's menu
    page.goto(f"{live_server.url}/o/northern/")
    go(page, page.get_by_role("navigation").get_by_role("link", name="Workforce", exact=True))
    page.wait_for_url("**/o/northern/workforce/")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Workforce")
    scan(page, "workforce:home (empty)")

    # the framework and planning figures
    go(page, page.get_by_role("link", name="Framework and planning figures"))
    scan(page, "workforce:settings")
    page.get_by_label("NES perinatal and infant mental health").check()
    page.get_by_label("Usual cohort size").fill("4")
    page.get_by_label("Staff turnover a year (%)").fill("10")
    go(page, page.get_by_role("button", name="Save the settings"))
    message(page, "Workforce settings saved.")
    saved = WorkforceSettings.objects.get(organisation=workspace.organisation)
    assert (saved.framework, saved.cohort_size, saved.turnover_percent) == ("nes", 4, 10)

    # the establishment: a file with a bad row first (nothing saved), then the right one
    page.goto(f"{live_server.url}/o/northern/workforce/")
    go(page, page.get_by_role("link", name="Establishment", exact=True))
    scan(page, "workforce:establishment (empty)")
    go(page, page.get_by_role("link", name="Import an HR extract"))
    fill_date(page, "Date of the extract", 1, 4, 2025)
    page.get_by_label("HR extract").set_input_files(DATA / "establishment-bad.csv")
    go(page, page.get_by_role("button", name="Import the extract"))
    summary = page.locator(".nhsuk-error-summary")
    assert summary.get_by_role("heading").inner_text() == (
        "There is a problem: nothing was imported"
    )
    problems = summary.locator("#problems li").all_inner_texts()
    assert len(problems) == 1
    assert problems == [
        "establishment-bad.csv, row 3, column 'headcount': 'eight' is not a headcount (a whole "
        "number from 0 to 1,000,000)"
    ]
    scan(page, "workforce:establishment_import with a bad row")
    assert not Establishment.objects.exists()
    assert not EstablishmentRow.objects.exists()

    fill_date(page, "Date of the extract", 1, 4, 2025)
    page.get_by_label("HR extract").set_input_files(DATA / "establishment.csv")
    go(page, page.get_by_role("button", name="Import the extract"))
    message(page, "Extract of 1 April 2025 imported: 3 rows, 34 staff.")
    rows = page.locator("#extract-rows")
    assert row_texts(rows, "Nursery nurse")[:4] == [
        "Health visiting",
        "Nursery nurse",
        "8",
        "7",
    ]
    assert row_texts(rows, "Health visitor")[:4] == [
        "Health visiting",
        "Health visitor",
        "20",
        "18.5",
    ]
    assert page.locator("#extract-headcount").inner_text() == "34"
    assert page.locator("#extract-teams").inner_text() == "3"
    scan(page, "workforce:establishment")

    # required levels: a file (with an interim point), then one keyed in with its own point
    page.goto(f"{live_server.url}/o/northern/workforce/requirements/")
    go(page, page.get_by_role("link", name="Import required levels from a file"))
    page.get_by_label("Required levels file").set_input_files(DATA / "required.csv")
    go(page, page.get_by_role("button", name="Check the file"))
    assert "3 added, 0 changed, 0 removed and 0 unchanged" in words(
        page.locator("main").inner_text()
    )
    scan(page, "workforce:requirements_import preview")
    go(page, page.get_by_role("button", name="Replace the required levels"))
    message(
        page,
        "Required levels imported from required.csv: 3 added, 0 changed, 0 removed, 0 unchanged.",
    )

    go(page, page.get_by_role("link", name="Add a required level"))
    page.get_by_label("Service").fill("Health visiting")
    page.get_by_label("Profession").fill("Nursery nurse")
    page.get_by_label("Level staff need").select_option("Informed")
    page.get_by_label("Target (%)").fill("75")
    fill_date(page, "Target date", 31, 3, 2027)
    go(page, page.get_by_role("button", name="Add the requirement"))
    go(
        page,
        page.get_by_role(
            "link", name="Add a point for Nursery nurse in Health visiting at Informed"
        ),
    )
    fill_date(page, "Date", 30, 9, 2026)
    page.get_by_label("Target by then (%)").fill("25")
    go(page, page.get_by_role("button", name="Add the point"))
    table = page.locator("#requirements")
    text = words(table.inner_text())
    assert "Health visiting Nursery nurse Informed 75% by 31 March 2027" in text
    assert "25% by 30 September 2026" in text
    assert "50% by 31 March 2026" in text  # the file's interim point
    assert sorted(
        (r.service, r.profession, r.level, r.target_percent, r.by_date)
        for r in LevelRequirement.objects.filter(organisation=workspace.organisation)
    ) == [
        (
            "Health visiting",
            "Health visitor",
            "Skilled",
            Decimal("90.00"),
            datetime.date(2027, 3, 31),
        ),
        (
            "Health visiting",
            "Nursery nurse",
            "Informed",
            Decimal("75.00"),
            datetime.date(2027, 3, 31),
        ),
        (
            "Perinatal mental health",
            "Mental health nurse",
            "Enhanced",
            Decimal("100.00"),
            datetime.date(2026, 6, 30),
        ),
        (
            "Perinatal mental health",
            "Mental health nurse",
            "Informed",
            Decimal("50.00"),
            datetime.date(2026, 6, 30),
        ),
    ]
    assert sorted(
        (p.requirement.profession, p.by_date, p.target_percent)
        for p in TrajectoryPoint.objects.all()
    ) == [
        ("Health visitor", datetime.date(2026, 3, 31), Decimal("50.00")),
        ("Nursery nurse", datetime.date(2026, 9, 30), Decimal("25.00")),
    ]
    assert "Every service and profession of the current establishment has a required level" in (
        page.locator("main").inner_text()
    )
    scan(page, "workforce:requirements")

    # the programme: its level on the framework, four sessions, 75% to complete
    page.goto(f"{live_server.url}/o/northern/programmes/{programme.pk}/")
    go(page, page.get_by_role("link", name="Change programme details"))
    page.get_by_label("Skilled").check()
    page.get_by_label("Number of sessions").fill("4")
    page.get_by_label("Share of sessions to attend (%)").fill("75")
    go(page, page.get_by_role("button", name="Save changes"))
    expect(page.get_by_text("Attending at least 75% of the 4 sessions (3)")).to_be_visible()
    programme.refresh_from_db()
    assert (programme.framework_level, programme.sessions, programme.attendance_threshold) == (
        "Skilled",
        4,
        75,
    )

    # the cohort's training register: a bad file (nothing saved), the file, a box ticked
    page.goto(f"{live_server.url}/o/northern/cohorts/{cohort.pk}/")
    go(page, page.get_by_role("link", name="Training register"))
    page.wait_for_url(f"**/workforce/cohorts/{cohort.pk}/register/")
    scan(page, "workforce:register (empty)")
    go(page, page.get_by_role("link", name="Import the register from a spreadsheet"))
    page.get_by_label("Register file").set_input_files(DATA / "register-bad.csv")
    go(page, page.get_by_role("button", name="Import"))
    summary = page.locator(".nhsuk-error-summary")
    assert "Nothing was imported from register-bad.csv: it has 2 problems" in summary.inner_text()
    located = [
        [words(cell) for cell in row.locator("td").all_inner_texts()]
        for row in page.locator("#problems tbody tr").all()
    ]
    assert located == [
        ["3", "service", "The service is blank"],
        [
            "3",
            "s2",
            "'maybe' is not an attendance mark: write yes or no (or 1 or 0, present or absent), "
            "or leave it blank",
        ],
    ]
    scan(page, "workforce:register_import with problems")
    assert not Trainee.objects.filter(cohort=cohort).exists()

    page.get_by_label("Register file").set_input_files(DATA / "register.csv")
    go(page, page.get_by_role("button", name="Import"))
    message(page, "14 people imported from register.csv, with 56 attendance marks; 11 completed.")
    assert page.locator("#completed-count").inner_text() == "11 of 14 people"
    people = page.locator("#people")
    assert "Not completed: 2 of 4 sessions, needs 3" in words(" ".join(row_texts(people, "E109")))
    assert "Completed 22 September 2026" in " ".join(row_texts(people, "N201"))
    page.get_by_label("E109 attended session 3").check()
    go(page, page.get_by_role("button", name="Save attendance"))
    message(page, "Attendance saved. 1 person's attendance or completion changed.")
    assert page.locator("#completed-count").inner_text() == "12 of 14 people"
    assert "Completed 22 September 2026" in " ".join(row_texts(people, "E109"))
    assert page.get_by_label("E109 attended session 3").is_checked()
    e109 = Trainee.objects.get(cohort=cohort, person="E109")
    assert e109.completed_on == datetime.date(2026, 9, 22)
    assert SessionAttendance.objects.get(trainee=e109, session=3).present
    scan(page, "workforce:register")
    screenshot(page, "workforce-browser-register")

    # coverage on 31 October 2026: the heat map, the gaps and the cohorts still needed
    page.goto(f"{live_server.url}/o/northern/workforce/")
    go(page, page.get_by_role("link", name="Coverage", exact=True))
    page.get_by_label("Show coverage on another date").fill(AS_OF)
    go(page, page.get_by_role("button", name="Show coverage"))
    assert page.url.endswith(f"/o/northern/workforce/coverage/?as_of={AS_OF}")
    assert words(page.get_by_role("heading", level=1).inner_text()).endswith(
        "Workforce coverage on 31 October 2026"
    )
    heat = page.locator("table.imheval-heat")
    assert [words(t) for t in heat.locator("thead th").all_inner_texts()] == [
        "Team",
        "Informed",
        "Skilled",
        "Enhanced",
    ]
    empty = "No requirement"
    assert row_texts(heat, "Health visiting, Health visitor")[1:] == [
        empty,
        "45% behind",
        empty,
    ]
    assert row_texts(heat, "Health visiting, Nursery nurse")[1:] == [
        "25% on trajectory",
        empty,
        empty,
    ]
    assert row_texts(heat, "Perinatal mental health, Mental health nurse")[1:] == [
        "50% met",
        empty,
        "33.3% behind",
    ]
    for header, classes in (
        ("Health visiting, Health visitor", ["none", "behind", "none"]),
        ("Health visiting, Nursery nurse", ["on_trajectory", "none", "none"]),
        ("Perinatal mental health, Mental health nurse", ["met", "none", "behind"]),
    ):
        row = heat.locator("tr").filter(has=page.locator("th", has_text=header))
        found = [
            cell.get_attribute("class").split("imheval-heat--")[1]
            for cell in row.locator("td").all()
        ]
        assert found == classes, header
    assert words(page.locator("#first").inner_text()) == (
        "The target is 90% of Health visitor staff in Health visiting at Skilled by 31 March "
        "2027; 45% are trained now (9 of 20): 9 people short, about 3 more cohorts of 4."
    )
    assert words(page.locator("#summary").inner_text()) == (
        "1 of 4 team targets met, 1 on trajectory, 2 behind."
    )
    levels = page.locator("#levels + table")
    assert row_texts(levels, "Informed")[:5] == ["Informed", "14", "5", "35.7%", "4"]
    assert row_texts(levels, "Skilled")[:5] == ["Skilled", "20", "9", "45%", "9"]
    assert row_texts(levels, "Enhanced")[:5] == ["Enhanced", "6", "2", "33.3%", "4"]
    needs = page.locator("#needs + table")
    # people still to train, cohorts of 4 to close the gap, trained leavers a year at 10%
    # (rounded up per team: 10% of the 6 and 3 people the Informed targets ask for is 1 + 1),
    # cohorts a year to replace them
    assert row_texts(needs, "Informed") == ["Informed", "4", "1", "2", "1"]
    assert row_texts(needs, "Skilled") == ["Skilled", "9", "3", "2", "1"]
    assert row_texts(needs, "Enhanced") == ["Enhanced", "4", "1", "1", "1"]
    scan(page, "workforce:coverage")
    screenshot(page, "workforce-browser-coverage")

    # the trend: 31 March 2025 is before the first extract; 31 March 2026 had only earlier
    # training; today has everything (today is after 31 October 2026, so these counts hold)
    go(page, page.get_by_role("link", name="Coverage over the years"))
    assert "Not shown: 31 March 2025." in words(page.locator("#skipped").inner_text())
    trend = page.locator("#trend")
    march = trend.locator("tbody tr").filter(has=page.locator("th", has_text="31 March 2026"))
    assert words(march.first.inner_text()).startswith(
        "31 March 2026 establishment of 1 April 2025 Informed 14 2 14.2% 7"
    )
    march_rows = [words(t) for t in trend.locator("tbody tr").all_inner_texts()]
    assert march_rows[1].startswith("Skilled 20 0 0% 18")
    assert march_rows[2].startswith("Enhanced 6 2 33.3% 4")
    today_rows = march_rows[-3:]
    assert today_rows[0].startswith("Today (") and " Informed 14 5 35.7% 4 " in today_rows[0]
    assert today_rows[1].startswith("Skilled 20 9 45% 9")
    assert today_rows[2].startswith("Enhanced 6 2 33.3% 4")
    scan(page, "workforce:coverage_trend")

    # the other workforce pages, full of data
    page.goto(f"{live_server.url}/o/northern/workforce/")
    assert "Extract of 1 April 2025: 34 staff in 3 teams" in page.locator("#set-up").inner_text()
    scan(page, "workforce:home")
    for link, name in (
        ("Outcomes beside coverage", "workforce:outcomes"),
        ("Places", "workforce:places"),
        ("Births", "workforce:births"),
        ("Regions", "workforce:regions"),
    ):
        page.goto(f"{live_server.url}/o/northern/workforce/")
        go(page, page.get_by_role("link", name=link, exact=True))
        scan(page, name)

    # the coverage page and the register on a phone
    sign_in(phone, live_server.url, "admin-north")
    phone.goto(f"{live_server.url}/o/northern/workforce/coverage/?as_of={AS_OF}")
    assert row_texts(phone.locator("table.imheval-heat"), "Health visiting, Health visitor")[
        1:
    ] == [empty, "45% behind", empty]
    scan(phone, "workforce:coverage on a phone")
    screenshot(phone, "workforce-browser-coverage-phone")
    phone.goto(f"{live_server.url}/o/northern/workforce/cohorts/{cohort.pk}/register/")
    assert phone.locator("#completed-count").inner_text() == "12 of 14 people"
    scan(phone, "workforce:register on a phone")


# ---------------------------------------------------------------------------- 2. the region


def make_regional_world(workspace: Any) -> None:
    """Northern: 20 health visitors (12 trained to Skilled) and 6 perinatal mental health nurses
    (2 at Enhanced: a small group); its Solihull cohort's outcome (12 matched) and a small
    programme's (3 matched). Southern: staff, training and an outcome a region must never see.
    The region, set up as the command line does, with both invited and targets for both teams
    (due 31 March 2026, so their status does not change with the day the test runs)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from imheval.cli.region_web import create_region, invite_organisation

    def staff(organisation: Any, teams: list[tuple[str, str, int, str, int]]) -> None:
        extract = Establishment.objects.create(
            organisation=organisation, as_of=datetime.date(2025, 4, 1)
        )
        for service, profession, headcount, level, trained in teams:
            EstablishmentRow.objects.create(
                establishment=extract, service=service, profession=profession, headcount=headcount
            )
            for k in range(trained):
                EarlierTraining.objects.create(
                    organisation=organisation,
                    person=f"{organisation.slug}-{profession}-{k}",
                    service=service,
                    profession=profession,
                    level=level,
                    completed_on=datetime.date(2025, 5, 1),
                )

    staff(
        workspace.organisation,
        [
            ("Health visiting", "Health visitor", 20, "Skilled", 12),
            ("Perinatal mental health", "Mental health nurse", 6, "Enhanced", 2),
        ],
    )
    staff(workspace.other_organisation, [("Health visiting", "Health visitor", 30, "Skilled", 29)])

    def outcome(cohort: Any, matched: int, gain: float, sd: float) -> None:
        CohortOutcome.objects.create(
            cohort=cohort,
            fingerprint="browser",
            computed_at=timezone.now(),
            measure="IMH core",
            matched=matched,
            pre_mean=50.0,
            post_mean=50.0 + gain,
            mean_gain=gain,
            sd_gain=sd,
            followup_matched=0,
            kirkpatrick=[1, 2],
        )

    outcome(workspace.cohort, 12, 10.0, 8.0)
    small = Programme.objects.create(
        organisation=workspace.organisation,
        name="Video interaction guidance",
        provider="Trust",
        level="advanced",
        delivery="blended",
        duration_value=Decimal("3"),
        duration_unit="days",
    )
    outcome(
        Cohort.objects.create(programme=small, name="VIG-1", start_date=datetime.date(2026, 1, 5)),
        3,
        20.0,
        5.0,
    )
    outcome(workspace.other_cohort, 25, 30.0, 4.0)

    get_user_model().objects.create_user(username="lead-region", password=PASSWORD)
    region = create_region(REGION, "lead-region", "regional_group", "nes")
    for name in ("Northern HSC Trust", "Southern HSC Trust"):
        invite_organisation(region.slug, name)
    for service, profession, level, target in (
        ("Health visiting", "Health visitor", "Skilled", 90),
        ("Perinatal mental health", "Mental health nurse", "Enhanced", 50),
    ):
        RegionalTarget.objects.create(
            region=region,
            service=service,
            profession=profession,
            level=level,
            target_percent=Decimal(target),
            by_date=datetime.date(2026, 3, 31),
        )


@pytest.fixture
def second_page(browser: Any) -> Iterator[Any]:
    """A desktop page in a context of its own (a second person's browser)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    yield context.new_page()
    context.close()


def test_a_regional_lead_reads_what_sharing_organisations_share(
    live_server: Any, desktop: Any, second_page: Any, workspace: Any
) -> None:
    make_regional_world(workspace)

    # Northern's admin chooses to share; Southern never does
    sign_in(desktop, live_server.url, "admin-north")
    desktop.goto(f"{live_server.url}/o/northern/workforce/")
    go(desktop, desktop.get_by_role("link", name="Regions", exact=True))
    go(desktop, desktop.get_by_role("button", name=f"Share with {REGION}"))
    message(
        desktop,
        f"Northern HSC Trust now shares with {REGION}: its leads and viewers see your coverage, "
        "places and evaluation results as totals, with small groups hidden. You can stop at any "
        "time.",
    )
    assert RegionMember.objects.get(organisation=workspace.organisation).shares
    assert not RegionMember.objects.get(organisation=workspace.other_organisation).shares
    scan(desktop, "workforce:regions (sharing)")

    # the regional lead lands on the home page, which lists the region
    lead = second_page
    sign_in(lead, live_server.url, "lead-region")
    assert lead.get_by_role("heading", level=1).inner_text() == "Your organisations and regions"
    scan(lead, "workspace:home with a region")
    go(lead, lead.get_by_role("link", name=REGION))
    expect(lead.get_by_role("heading", level=1)).to_contain_text(REGION)
    assert "Organisations sharing 1" in words(lead.locator("main").inner_text())
    scan(lead, "workforce:region")
    for link, name in (
        ("Invite or remove organisations", "workforce:region_members"),
        ("Give or take regional roles", "workforce:region_roles"),
        ("Set the regional targets", "workforce:region_targets"),
    ):
        go(lead, lead.get_by_role("link", name=link))
        scan(lead, name)
        lead.go_back()

    # coverage by organisation: Northern's health visitors in full, its 2 Enhanced nurses
    # hidden (with the region's total, which would give them away), Southern only counted
    go(lead, lead.get_by_role("link", name="Coverage by organisation and level"))
    main = lead.locator("main")
    text = words(main.inner_text())
    assert "1 organisation shares with the region." in text
    assert "1 invited organisation does not share and is not included." in text
    assert "Southern" not in text
    visitors = lead.locator("table.imheval-heat").nth(0)
    assert row_texts(visitors, "Northern HSC Trust")[1:] == ["60% behind"]
    assert row_texts(visitors, "Region")[1:] == ["60% behind"]
    nurses = lead.locator("table.imheval-heat").nth(1)
    assert row_texts(nurses, "Northern HSC Trust")[1:] == ["hidden"]
    assert row_texts(nurses, "Region")[1:] == ["hidden"]
    # the figures: 12 of 20 trained, 18 needed for 90%, a gap of 6
    lead.get_by_text("Figures for Health visiting, Health visitor").click()
    figures = lead.locator(".nhsuk-details__text table").nth(0)
    assert row_texts(figures, "Northern HSC Trust") == [
        "Northern HSC Trust",
        "Skilled",
        "20",
        "12",
        "60%",
        "6",
        "behind",
    ]
    lead.get_by_text("Figures for Perinatal mental health, Mental health nurse").click()
    figures = lead.locator(".nhsuk-details__text table").nth(1)
    assert row_texts(figures, "Northern HSC Trust")[2:] == ["hidden"] * 5
    scan(lead, "workforce:regional_coverage")
    screenshot(lead, "workforce-browser-regional-coverage")

    # outcomes side by side: Northern's Solihull cohort (12 matched, +10.0 points, SD 8), the
    # 3 matched on the other programme hidden, Southern's 25 nowhere
    go(lead, lead.get_by_role("link", name="outcomes side by side"))
    text = words(lead.locator("main").inner_text())
    assert "Southern" not in text and "+30.0" not in text
    assert "1 invited organisation does not share and is not included." in text
    half = stats.t.ppf(0.975, 11) * 8.0 / math.sqrt(12)
    solihull = lead.locator("table").filter(has_text="Solihull Approach foundation").first
    assert row_texts(solihull, "Northern HSC Trust") == [
        "Northern HSC Trust",
        "1",
        "12",
        "+10.0",
        f"{10 - half:.1f} to {10 + half:.1f}",  # 4.9 to 15.1
        f"{10 / 8:.2f}",
    ]
    small = lead.locator("table").filter(has_text="Video interaction guidance").first
    assert row_texts(small, "Northern HSC Trust") == ["Northern HSC Trust", "1"] + ["hidden"] * 4
    scan(lead, "workforce:regional_outcomes")
    screenshot(lead, "workforce-browser-regional-outcomes")

    # places by organisation: Southern absent here too
    go(lead, lead.get_by_role("link", name=REGION).first)
    go(lead, lead.get_by_role("link", name="Places funded, taken and completed by organisation"))
    assert "Southern" not in lead.locator("main").inner_text()
    scan(lead, "workforce:regional_places")
