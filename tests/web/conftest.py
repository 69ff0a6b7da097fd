"""Shared fixtures for the web tests: a small realistic workspace, and a real browser.

``workspace`` builds two organisations: the Trust under test (a programme, a cohort, its pre,
post and follow-up collections, one member per role) and another Trust with its own programme,
cohort and collection, whose member is the "outsider".

Browser tests (marked ``browser``) drive Debian's Chromium (/usr/bin/chromium, installed by
scripts/setup) with Playwright against pytest-django's live server. ``axe_scan`` runs axe-core
(node_modules/axe-core, installed by scripts/setup) and fails on serious or critical violations;
``screenshot`` keeps a PNG under artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"  # test accounts only
ROLES = ("admin", "evaluator", "trainer", "viewer")
#: The workspace's questionnaires ask imh-core 1.0.0 (one form, K1-K6, R1-R8, S1-S6), which the
#: web tests were written against; tests of the current bank choose it anew or pin it themselves.
CORE_V1 = {"imh-core": "1.0.0"}

#: Chromium flags for this closed network (no background connections, no sandbox as root).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@dataclass
class Workspace:
    organisation: Any
    other_organisation: Any
    users: dict[str, Any]  # role -> user in `organisation`
    outsider: Any  # evaluator of `other_organisation` only
    programme: Any
    cohort: Any
    pre: Any  # open
    post: Any  # closed
    followup: Any  # closed, 12 weeks
    other_programme: Any
    other_cohort: Any
    other_collection: Any
    extra: dict[str, Any] = field(default_factory=dict)


def client_as(user: Any = None) -> Any:
    """A test client signed in as ``user`` (without a password check), or signed out."""
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=username, password=PASSWORD)


@pytest.fixture
def workspace(db: None) -> Workspace:
    """Two organisations with programmes, cohorts, collections and members (see module doc)."""
    from imheval.web.organisations.models import Membership, Organisation
    from imheval.web.workspace.models import Cohort, Collection, Programme

    org = Organisation.objects.create(name="Northern HSC Trust", slug="northern")
    other = Organisation.objects.create(name="Southern HSC Trust", slug="southern")
    users = {}
    for role in ROLES:
        users[role] = _user(f"{role}-north")
        Membership.objects.create(user=users[role], organisation=org, role=role)
    outsider = _user("evaluator-south")
    Membership.objects.create(user=outsider, organisation=other, role="evaluator")

    programme = Programme.objects.create(
        organisation=org,
        name="Solihull Approach foundation",
        provider="Solihull Approach",
        level="intermediate",
        delivery="face_to_face",
        duration_value=Decimal("2"),
        duration_unit="days",
    )
    cohort = Cohort.objects.create(
        programme=programme,
        name="SOL-1",
        start_date=datetime.date(2026, 11, 2),
        end_date=datetime.date(2026, 11, 3),
        trainer="Dr A Trainer",
        venue="Antrim Area Hospital",
    )
    core = {"instrument_refs": ["imh-core"], "instrument_versions": CORE_V1}
    pre = Collection.objects.create(cohort=cohort, timepoint="pre", **core)
    pre.open()
    post = Collection.objects.create(cohort=cohort, timepoint="post", **core)
    followup = Collection.objects.create(
        cohort=cohort, timepoint="followup", follow_up_weeks=12, **core
    )
    other_programme = Programme.objects.create(
        organisation=other,
        name="Think Family",
        provider="Trust",
        level="beginner",
        delivery="online",
        duration_value=Decimal("2"),
        duration_unit="hours",
    )
    other_cohort = Cohort.objects.create(
        programme=other_programme, name="TF-9", start_date=datetime.date(2026, 10, 1)
    )
    other_collection = Collection.objects.create(cohort=other_cohort, timepoint="pre", **core)
    other_collection.open()
    return Workspace(
        organisation=org,
        other_organisation=other,
        users=users,
        outsider=outsider,
        programme=programme,
        cohort=cohort,
        pre=pre,
        post=post,
        followup=followup,
        other_programme=other_programme,
        other_cohort=other_cohort,
        other_collection=other_collection,
    )


# ---------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup --dev (it installs chromium)")
    # Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls
    # from a thread with a running loop unless told that this is safe (it is: the loop only
    # drives the browser).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page in a phone-sized, touch-enabled context (375 x 667, like an iPhone SE)."""
    context = browser.new_context(
        viewport={"width": 375, "height": 667},
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        bypass_csp=True,  # lets axe_scan inject axe-core; the pages' own CSP is tested apart
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    """A page in a desktop-sized context (1280 x 900)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real sign-in page."""
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def axe_scan(page: Any, name: str) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0-2.2 A and AA rules) on the page; fail on serious or critical.

    Returns every violation (minor and moderate ones too) so a test can look further.
    """
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/setup --dev (it runs npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag', values:
        ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    violations: list[dict[str, Any]] = result["violations"]
    serious = [v for v in violations if v.get("impact") in {"serious", "critical"}]
    if serious:
        summary = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in serious
        ]
        pytest.fail(f"axe found serious problems on {name}:\n{json.dumps(summary, indent=2)}")
    return violations


#: The tallest page (CSS px) screenshotted whole. A full-page capture makes Chromium lay the
#: whole page out at once; a long guide on a phone (tens of thousands of px) then takes more
#: than the 30 s timeout on a loaded 2-core machine, so of a taller page only the first screen
#: is kept (the screenshots are for people to look at; nothing asserts on them).
SCREENSHOT_MAX_HEIGHT = 8_000


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot (only the first screen of a very tall page) as
    artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(path), full_page=height <= SCREENSHOT_MAX_HEIGHT)
    return path


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The scope keys whose results pages were computed (in the request or in a background
    refresh) rather than taken from a kept snapshot."""
    from imheval.web.results import snapshots
    from imheval.web.results.analysis import Scope
    from imheval.web.results.snapshots import PageContent

    calls: list[str] = []
    real = snapshots.compute_content

    def spy(scope: Scope) -> PageContent:
        calls.append(scope.key)
        return real(scope)

    monkeypatch.setattr(snapshots, "compute_content", spy)
    return calls
