"""Invitations: nobody joins an organisation without accepting a single-use link themselves.

The attack (issue 10, item 10): an admin of one organisation typed another organisation's user
name into "Add a member" and that user was added without being asked; the error for a missing
name ("There is no account with the user name ...") told anyone whether a name existed.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from conftest import PASSWORD, Workspace, client_as
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from imheval.web.organisations import links
from imheval.web.organisations.models import AuditEvent, Invitation, LinkStatus, Membership

STRONG = "tidal lantern orchard 42"


def _url(name: str, org: str = "northern", **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": org, **kwargs})


def _invite(workspace: Workspace, role: str = "viewer", note: str = "") -> str:
    """Invite through the page, as the northern admin; the path of the link it shows."""
    response = client_as(workspace.users["admin"]).post(
        _url("member_invite"), {"role": role, "note": note}
    )
    assert response.status_code == 200
    link = re.search(r'value="(http://testserver(/invitations/[^"]+/))"', response.content.decode())
    assert link is not None
    return link.group(2)


def _northern_roles() -> dict[str, str]:
    return dict(
        Membership.objects.filter(organisation__slug="northern").values_list(
            "user__username", "role"
        )
    )


def test_the_old_direct_add_is_gone(workspace: Workspace) -> None:
    admin = client_as(workspace.users["admin"])
    before = _northern_roles()
    response = admin.post(
        "/o/northern/members/add/", {"username": "evaluator-south", "role": "admin"}
    )
    assert response.status_code == 404
    assert _northern_roles() == before
    # and the invitation form takes no user name, whatever is posted
    admin.post(_url("member_invite"), {"username": "evaluator-south", "role": "admin"})
    assert _northern_roles() == before
    assert not Membership.objects.filter(
        user=workspace.outsider, organisation=workspace.organisation
    ).exists()


def test_an_invited_user_joins_only_when_they_accept(workspace: Workspace) -> None:
    path = _invite(workspace, "viewer", "for Sam")
    invitation = Invitation.objects.get()
    assert (invitation.status, invitation.role, invitation.note) == ("pending", "viewer", "for Sam")
    assert not Membership.objects.filter(
        user=workspace.outsider, organisation=workspace.organisation
    ).exists()
    outsider = client_as(workspace.outsider)
    page = outsider.get(path).content.decode()
    assert "Join Northern HSC Trust" in page and "Accept and join" in page
    response = outsider.post(path)
    assert response.status_code == 302 and response["Location"] == "/o/northern/"
    assert _northern_roles()["evaluator-south"] == "viewer"
    # their southern role is untouched
    assert (
        Membership.objects.get(
            user=workspace.outsider, organisation=workspace.other_organisation
        ).role
        == "evaluator"
    )
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("used", workspace.outsider)


def test_invitations_are_audited_without_their_token(workspace: Workspace) -> None:
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    path = _invite(workspace, "trainer", "for Sam")
    client_as(workspace.outsider).post(path)
    events = list(
        AuditEvent.objects.in_organisation(workspace.organisation)
        .filter(id__gt=before)
        .order_by("id")
        .values_list("actor_label", "action", "object_type", "changes")
    )
    assert events == [
        (
            "admin-north",
            "created",
            "invitation",
            {"role": [None, "trainer"], "note": [None, "for Sam"], "status": [None, "pending"]},
        ),
        ("evaluator-south", "updated", "invitation", {"status": ["pending", "used"]}),
        (
            "evaluator-south",
            "created",
            "membership",
            {"user": [None, workspace.outsider.pk], "role": [None, "trainer"]},
        ),
    ]
    token = path.split("/")[2]
    assert token not in str(list(AuditEvent.objects.values_list("changes", "object_label")))
    assert not Invitation.objects.filter(token_digest=token).exists()  # only a digest is kept


def test_a_new_person_creates_an_account_and_joins(workspace: Workspace) -> None:
    path = _invite(workspace, "trainer")
    visitor = Client()
    page = visitor.get(path).content.decode()
    assert "Create account and join" in page and f'href="/sign-in/?next={path}"' in page
    weak = visitor.post(
        path,
        {"username": "hv-antrim", "new_password1": "aaaaaaaaaaaa", "new_password2": "aaaaaaaaaaaa"},
    )
    assert "too few different characters" in weak.content.decode()
    assert not get_user_model().objects.filter(username="hv-antrim").exists()
    response = visitor.post(
        path, {"username": "hv-antrim", "new_password1": STRONG, "new_password2": STRONG}
    )
    assert response.status_code == 302 and response["Location"] == "/o/northern/"
    user = get_user_model().objects.get(username="hv-antrim")
    assert user.check_password(STRONG) and not user.is_staff
    assert _northern_roles()["hv-antrim"] == "trainer"
    assert visitor.get("/o/northern/").status_code == 200  # signed in


def test_signing_in_from_the_invitation_comes_back_to_it(workspace: Workspace) -> None:
    path = _invite(workspace)
    visitor = Client()
    response = visitor.post(
        f"/sign-in/?next={path}",
        {"username": "evaluator-south", "password": PASSWORD, "next": path},
    )
    assert response.status_code == 302 and response["Location"] == path
    assert visitor.post(path).status_code == 302
    assert _northern_roles()["evaluator-south"] == "viewer"


def test_an_invitation_works_once(workspace: Workspace) -> None:
    path = _invite(workspace)
    assert client_as(workspace.outsider).post(path).status_code == 302
    latecomer = Client()
    assert latecomer.get(path).status_code == 404
    response = latecomer.post(
        path, {"username": "late", "new_password1": STRONG, "new_password2": STRONG}
    )
    assert response.status_code == 404
    assert not get_user_model().objects.filter(username="late").exists()


def test_an_expired_invitation_does_not_work(workspace: Workspace) -> None:
    path = _invite(workspace)
    Invitation.objects.update(expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert client_as(workspace.outsider).post(path).status_code == 404
    assert "evaluator-south" not in _northern_roles()
    assert list(links.pending_invitations(workspace.organisation)) == []


def test_invitations_last_seven_days(workspace: Workspace) -> None:
    _invite(workspace)
    invitation = Invitation.objects.get()
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - datetime.timedelta(days=7)) < datetime.timedelta(seconds=5)


def test_admin_sees_and_revokes_pending_invitations(workspace: Workspace) -> None:
    path = _invite(workspace, "evaluator", "for Kim")
    admin = client_as(workspace.users["admin"])
    page = admin.get(_url("members")).content.decode()
    assert "for Kim" in page and "Evaluator" in page
    invitation = Invitation.objects.get()
    revoke = _url("invitation_revoke", invitation=invitation.pk)
    assert "Revoke the invitation as evaluator (for Kim)?" in admin.get(revoke).content.decode()
    assert admin.post(revoke).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == LinkStatus.REVOKED
    assert "for Kim" not in admin.get(_url("members")).content.decode()
    assert client_as(workspace.outsider).post(path).status_code == 404
    assert "evaluator-south" not in _northern_roles()
    event = AuditEvent.objects.filter(object_type="invitation").first()
    assert event is not None and (event.actor_label, event.changes) == (
        "admin-north",
        {"status": ["pending", "revoked"]},
    )
    assert admin.post(revoke).status_code == 404  # revoked once; nothing to revoke again


def test_every_link_that_does_not_work_gets_the_same_answer(workspace: Workspace) -> None:
    used, expired, revoked = _invite(workspace), _invite(workspace), _invite(workspace)
    client_as(workspace.outsider).post(used)
    pending = Invitation.objects.filter(status="pending").order_by("id")
    Invitation.objects.filter(pk=pending[0].pk).update(
        expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    links.revoke(Invitation.objects.get(pk=pending[1].pk))
    answers = {
        (response.status_code, response.content)
        for response in (
            Client().get(path)
            for path in (
                used,
                expired,
                revoked,
                "/invitations/never-made-this-one/",
                "/invitations/" + "x" * 500 + "/",
            )
        )
    }
    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 404 and b"This link does not work" in body


def test_a_taken_user_name_is_refused_without_saying_whose(workspace: Workspace) -> None:
    path = _invite(workspace)
    pages = []
    for name in ("viewer-north", "VIEWER-NORTH", "evaluator-south"):
        response = Client().post(
            path, {"username": name, "new_password1": STRONG, "new_password2": STRONG}
        )
        assert response.status_code == 200
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        pages.append(page.replace(name, "NAME"))
    assert pages[0] == pages[1] == pages[2]
    assert (
        "Choose a different user name. If you already have an account, sign in instead" in pages[0]
    )
    assert Invitation.objects.get().status == "pending"
    assert get_user_model().objects.filter(username__iexact="viewer-north").count() == 1


def test_a_member_opening_an_invitation_keeps_their_role(workspace: Workspace) -> None:
    path = _invite(workspace, "admin")
    viewer = client_as(workspace.users["viewer"])
    assert "already a member" in viewer.get(path).content.decode()
    viewer.post(path)
    assert _northern_roles()["viewer-north"] == "viewer"
    assert Invitation.objects.get().status == "pending"


def test_another_organisation_cannot_see_or_revoke_an_invitation(workspace: Workspace) -> None:
    _invite(workspace, "admin", "for the new lead")
    invitation = Invitation.objects.get()
    southern_admin = get_user_model().objects.create_user(username="admin-south", password=PASSWORD)
    Membership.objects.create(
        user=southern_admin, organisation=workspace.other_organisation, role="admin"
    )
    client = client_as(southern_admin)
    for org in ("northern", "southern"):
        revoke = _url("invitation_revoke", org=org, invitation=invitation.pk)
        assert client.get(revoke).status_code == 404
        assert client.post(revoke).status_code == 404
    assert "for the new lead" not in client.get(_url("members", org="southern")).content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_an_invitation_joins_only_its_own_organisation(workspace: Workspace) -> None:
    """Accepting southern's invitation can make nobody a member of northern, whatever is posted."""
    southern_admin = get_user_model().objects.create_user(username="admin-south", password=PASSWORD)
    Membership.objects.create(
        user=southern_admin, organisation=workspace.other_organisation, role="admin"
    )
    response = client_as(southern_admin).post(
        _url("member_invite", org="southern"), {"role": "admin"}
    )
    path = re.search(
        r'value="http://testserver(/invitations/[^"]+/)"', response.content.decode()
    ).group(1)  # type: ignore[union-attr]
    trainer = client_as(workspace.users["trainer"])
    trainer.post(path, {"organisation": "northern", "org": "northern", "role": "admin"})
    assert _northern_roles()["trainer-north"] == "trainer"
    assert (
        Membership.objects.get(
            user=workspace.users["trainer"], organisation=workspace.other_organisation
        ).role
        == "admin"
    )


@pytest.mark.parametrize("role", ["evaluator", "trainer", "viewer"])
def test_only_admins_make_invitations(workspace: Workspace, role: str) -> None:
    client = client_as(workspace.users[role])
    assert client.post(_url("member_invite"), {"role": "admin"}).status_code == 403
    assert not Invitation.objects.exists()


def test_the_link_page_is_never_cached(workspace: Workspace) -> None:
    response = client_as(workspace.users["admin"]).post(_url("member_invite"), {"role": "viewer"})
    assert "no-store" in response["Cache-Control"]
    path = re.search(
        r'value="http://testserver(/invitations/[^"]+/)"', response.content.decode()
    ).group(1)  # type: ignore[union-attr]
    assert "no-store" in Client().get(path)["Cache-Control"]
