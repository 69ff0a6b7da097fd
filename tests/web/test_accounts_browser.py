"""The account pages in a real browser, through axe-core: inviting, accepting, passwords.

These pages are reached by POST results (the one-time link pages) or by token, so the
signed-in walk of every URL pattern (test_web_accessibility) cannot reach them; this walks the
whole journey instead, on a phone, and scans each page with its error states.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import axe_scan, screenshot, sign_in

pytestmark = pytest.mark.browser

STRONG = "tidal lantern orchard 42"


def _scan(page: Any, name: str) -> None:
    axe_scan(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} scrolls sideways on a phone ({width} px)"
    screenshot(page, "accounts-" + name)


def test_invitation_journey_pages_pass_axe(
    live_server: Any, phone: Any, browser: Any, workspace: Any
) -> None:
    sign_in(phone, live_server.url, "admin-north")
    phone.goto(f"{live_server.url}/o/northern/members/invite/")
    _scan(phone, "invite")
    phone.get_by_role("button", name="Make invitation link").click()
    assert "Choose a role" in phone.content()
    _scan(phone, "invite-error")
    phone.get_by_label("Trainer").check()
    phone.get_by_label("Note (optional)").fill("for Sam")
    phone.get_by_role("button", name="Make invitation link").click()
    link = phone.get_by_label("Link").input_value()
    _scan(phone, "invitation-link")
    phone.goto(f"{live_server.url}/o/northern/members/")
    _scan(phone, "members-with-invitations")

    visitor = browser.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, bypass_csp=True
    ).new_page()
    visitor.goto(link)
    _scan(visitor, "invitation")
    visitor.get_by_label("User name").fill("hv-antrim")
    visitor.get_by_label("New password", exact=True).fill("aaaaaaaaaaaa")
    visitor.get_by_label("Confirm new password").fill("aaaaaaaaaaaa")
    visitor.get_by_role("button", name="Create account and join").click()
    assert "too few different characters" in visitor.content()
    _scan(visitor, "invitation-error")
    visitor.get_by_label("New password", exact=True).fill(STRONG)
    visitor.get_by_label("Confirm new password").fill(STRONG)
    visitor.get_by_role("button", name="Create account and join").click()
    visitor.wait_for_url(f"{live_server.url}/o/northern/")
    visitor.goto(link)
    assert "This link does not work" in visitor.content()
    _scan(visitor, "link-not-valid")
    visitor.context.close()


def test_password_pages_pass_axe(live_server: Any, phone: Any, workspace: Any) -> None:
    sign_in(phone, live_server.url, "admin-north")
    phone.get_by_role("link", name="Change password").click()
    _scan(phone, "change-password")
    phone.get_by_role("button", name="Change password").click()
    assert "Enter your current password" in phone.content()
    _scan(phone, "change-password-error")
    member = workspace.users["trainer"].memberships.get().pk
    phone.goto(f"{live_server.url}/o/northern/members/{member}/password-reset/")
    _scan(phone, "reset-confirm")
    phone.get_by_role("button", name="Make reset link").click()
    link = phone.get_by_label("Link").input_value()
    phone.goto(link)
    _scan(phone, "reset")
