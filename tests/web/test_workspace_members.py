"""The members page (admins invite, change and remove members) and the audit log page.

Invitations themselves (the links, accepting, revoking) are pinned in test_accounts_invitations.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from imheval.web.organisations.audit import acting_as
from imheval.web.organisations.models import AuditEvent, Membership
from imheval.web.workspace.models import Cohort


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _membership(workspace: Any, role: str) -> Membership:
    return Membership.objects.get(user=workspace.users[role], organisation=workspace.organisation)


# ----------------------------------------------------------------------- members


@pytest.mark.parametrize("role", ["evaluator", "trainer", "viewer"])
def test_every_member_sees_the_members_and_roles_but_only_admins_manage(
    workspace: Any, role: str
) -> None:
    response = _client(workspace.users[role]).get(_url("members"))
    listed = [(m.user.username, m.role) for m in response.context["memberships"]]
    assert listed == [
        ("admin-north", "admin"),
        ("evaluator-north", "evaluator"),
        ("trainer-north", "trainer"),
        ("viewer-north", "viewer"),
    ]
    page = response.content.decode()
    assert f"{role}-north (you)" in page and "evaluator-south" not in page
    assert "Invite someone" not in page and "Change role" not in page and "Remove" not in page
    assert "Invitations waiting" not in page and "Reset password" not in page


def test_admin_sees_invite_and_role_controls(workspace: Any) -> None:
    page = _client(workspace.users["admin"]).get(_url("members")).content.decode()
    assert "Invite someone" in page and "Change role" in page and "Reset password" in page
    assert "Invitations waiting to be accepted" in page


def test_admin_changes_a_role(workspace: Any) -> None:
    client = _client(workspace.users["admin"])
    viewer = _membership(workspace, "viewer")
    response = client.post(_url("member_edit", member=viewer.pk), {"role": "trainer"})
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == "trainer"


def test_the_last_admin_can_be_neither_demoted_nor_removed(workspace: Any) -> None:
    client = _client(workspace.users["admin"])
    admin = _membership(workspace, "admin")
    page = client.post(_url("member_edit", member=admin.pk), {"role": "viewer"}).content
    assert b"admin-north is the only admin of Northern HSC Trust." in page
    page = client.post(_url("member_remove", member=admin.pk)).content
    assert (
        b"admin-north is the only admin of Northern HSC Trust, so they cannot be removed." in page
    )
    admin.refresh_from_db()
    assert admin.role == "admin"


def test_an_admin_may_leave_when_another_admin_remains(workspace: Any) -> None:
    evaluator = _membership(workspace, "evaluator")
    evaluator.role = "admin"
    evaluator.save()
    client = _client(workspace.users["admin"])
    admin = _membership(workspace, "admin")
    confirm = client.get(_url("member_remove", member=admin.pk)).content.decode()
    assert "You will no longer see this organisation" in confirm
    response = client.post(_url("member_remove", member=admin.pk))
    assert response.status_code == 302 and response["Location"] == reverse("workspace:home")
    assert not Membership.objects.filter(pk=admin.pk).exists()
    assert client.get(_url("organisation")).status_code == 404


def test_admin_removes_a_member_who_then_loses_access(workspace: Any) -> None:
    trainer = _membership(workspace, "trainer")
    response = _client(workspace.users["admin"]).post(_url("member_remove", member=trainer.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=trainer.pk).exists()
    assert get_user_model().objects.filter(username="trainer-north").exists()
    assert _client(workspace.users["trainer"]).get(_url("organisation")).status_code == 404


@pytest.mark.parametrize("role", ["evaluator", "trainer", "viewer"])
def test_only_admins_manage_members(workspace: Any, role: str) -> None:
    client = _client(workspace.users[role])
    viewer = _membership(workspace, "viewer")
    assert client.get(_url("member_invite")).status_code == 403
    assert client.post(_url("member_invite"), {"role": "admin"}).status_code == 403
    reset = _url("member_password_reset", member=viewer.pk)
    assert client.post(reset).status_code == 403
    assert client.post(_url("member_edit", member=viewer.pk), {"role": "admin"}).status_code == 403
    assert client.post(_url("member_remove", member=viewer.pk)).status_code == 403
    viewer.refresh_from_db()
    assert viewer.role == "viewer"
    assert Membership.objects.filter(organisation=workspace.organisation).count() == 4


# ----------------------------------------------------------------------- audit log


def test_audit_log_shows_who_changed_what_newest_first(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    client.post(
        _url("cohort_edit", cohort=workspace.cohort.pk),
        {
            "name": "SOL-1",
            "start_date-day": "2",
            "start_date-month": "11",
            "start_date-year": "2026",
            "venue": "Causeway Hospital",
        },
    )
    response = _client(workspace.users["evaluator"]).get(_url("audit"))
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert events[0].actor_label == "trainer-north"
    assert events[0].object_label == "SOL-1 (Solihull Approach foundation)"
    assert all(e.organisation == workspace.organisation for e in events)
    page = response.content.decode()
    assert "venue: Antrim Area Hospital → Causeway Hospital" in page
    assert "end_date: 2026-11-03 → (blank)" in page
    assert "Cohort: SOL-1 (Solihull Approach foundation)" in page
    assert "TF-9" not in page  # southern's changes are not shown


def test_audit_log_pages_by_fifty(workspace: Any) -> None:
    with acting_as(workspace.users["evaluator"]):
        for number in range(60):
            Cohort.objects.create(
                programme=workspace.programme,
                name=f"C-{number:02d}",
                start_date=datetime.date(2027, 1, 1),
            )
    total = AuditEvent.objects.in_organisation(workspace.organisation).count()
    client = _client(workspace.users["admin"])
    first = client.get(_url("audit"))
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].object_list[0].object_label.startswith("C-59")
    assert 'href="?page=2" rel="next"' in first.content.decode()
    second = client.get(_url("audit") + "?page=2")
    assert len(second.context["page"].object_list) == total - 50


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_audit_log_is_for_evaluators_and_admins(workspace: Any, role: str) -> None:
    client = _client(workspace.users[role])
    assert client.get(_url("audit")).status_code == 403
    assert "Audit log" not in client.get(_url("organisation")).content.decode()
