"""Passwords: one strength rule everywhere, changing your own, and admins' one-time reset links.

The attacks (issue 10, item 11): "aaaaaaaaaaaa" was accepted as a password, and nobody could
change their own password.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import PASSWORD, Workspace, client_as
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from imheval.cli import app
from imheval.web.organisations.models import AuditEvent, FailedLogin, Membership, PasswordReset

STRONG = "tidal lantern orchard 42"
CHANGE = "/account/password/"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaaaa", "too few different characters"),
        ("abababababab", "too few different characters"),
        ("Passw0rdPassw0rd", "one short piece repeated"),
        ("abcdefghijklmn", "a run of characters in order"),
        ("987654321098", "a run of characters in order"),
        ("qwertyuiopasdf", "a run of characters in order"),
        ("mnbvcxzlkjhgfd", "a run of characters in order"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(db: None, password: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password)
    assert any(reason in message for message in refused.value.messages)


@pytest.mark.parametrize(
    "password", [PASSWORD, STRONG, "a long and unusual passphrase", "Xk9#mQ2$vL7p"]
)
def test_good_passwords_pass(db: None, password: str) -> None:
    password_validation.validate_password(password)


def test_a_long_repeated_password_is_refused_in_one_pass(db: None) -> None:
    """The repeat search is linear, so a megabyte password is checked, not skipped."""
    with pytest.raises(ValidationError, match="one short piece repeated"):
        password_validation.validate_password("Xk9#mQ2$vL7p" * 100_000)
    password_validation.validate_password("Xk9#mQ2$vL7p" * 100_000 + "z")


def test_createadmin_refuses_a_repeated_character_password(db: None) -> None:
    result = CliRunner().invoke(
        app,
        ["createadmin", "--username", "sam", "--organisation", "Western Trust"],
        env={"IMHEVAL_ADMIN_PASSWORD": "aaaaaaaaaaaa"},
    )
    assert result.exit_code == 1
    assert "too few different characters" in result.output
    assert not get_user_model().objects.filter(username="sam").exists()


def test_the_django_admins_password_form_applies_the_same_rule(workspace: Workspace) -> None:
    form = AdminPasswordChangeForm(
        workspace.users["viewer"], {"password1": "aaaaaaaaaaaa", "password2": "aaaaaaaaaaaa"}
    )
    assert not form.is_valid()
    assert "too few different characters" in str(form.errors)


# ----------------------------------------------------------------------- change your password


def _change(client: Client, current: str, new: str, again: str | None = None) -> Any:
    return client.post(
        CHANGE,
        {"old_password": current, "new_password1": new, "new_password2": again or new},
    )


def test_signed_in_users_find_change_password_in_the_header(workspace: Workspace) -> None:
    page = client_as(workspace.users["viewer"]).get("/o/northern/").content.decode()
    assert f'href="{CHANGE}">Change password</a>' in page
    assert "Change password" not in Client().get("/").content.decode()


def test_change_password_needs_sign_in(db: None) -> None:
    response = Client().get(CHANGE)
    assert response.status_code == 302 and response["Location"] == f"/sign-in/?next={CHANGE}"


def test_a_user_changes_their_password_and_stays_signed_in(workspace: Workspace) -> None:
    viewer = workspace.users["viewer"]
    Membership.objects.create(user=viewer, organisation=workspace.other_organisation, role="viewer")
    client = client_as(viewer)
    page = client.get(CHANGE).content.decode()
    assert "<h1>Change your password</h1>" in page and 'type="password"' in page
    response = _change(client, PASSWORD, STRONG)
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password(STRONG)
    assert client.get("/o/northern/").status_code == 200  # still signed in
    events = AuditEvent.objects.filter(object_type="account", actor=viewer)
    assert sorted(e.organisation.slug for e in events) == ["northern", "southern"]
    assert all(e.changes == {"password changed": "yes"} for e in events)
    assert STRONG not in str(list(AuditEvent.objects.values_list("changes", "object_label")))


def test_changing_a_password_needs_the_current_one_and_counts_failures(
    workspace: Workspace,
) -> None:
    viewer = workspace.users["viewer"]
    client = client_as(viewer)
    page = _change(client, "not my password", STRONG).content.decode()
    assert "Your current password is not right" in page
    assert FailedLogin.objects.filter(username="viewer-north").count() == 1
    for _ in range(4):
        _change(client, "not my password", STRONG)
    # five failures lock the name here as on the sign-in page: the right one is refused too
    page = _change(client, PASSWORD, STRONG).content.decode()
    assert "Your current password is not right" in page
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(object_type="account").exists()


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("aaaaaaaaaaaa", None, "too few different characters"),
        ("short", None, "too short"),
        (STRONG, STRONG + "!", "The two passwords do not match"),
    ],
)
def test_a_weak_or_mistyped_new_password_is_refused(
    workspace: Workspace, new: str, again: str | None, message: str
) -> None:
    viewer = workspace.users["viewer"]
    page = _change(client_as(viewer), PASSWORD, new, again).content.decode()
    assert message in page and "There is a problem" in page
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


# ----------------------------------------------------------------------- reset links


def _reset_url(workspace: Workspace, role: str, org: str = "northern", by: str = "admin") -> str:
    member = Membership.objects.get(user=workspace.users[role], organisation__slug=org)
    return reverse("workspace:member_password_reset", kwargs={"org": org, "member": member.pk})


def _make_reset_link(workspace: Workspace, role: str) -> str:
    response = client_as(workspace.users["admin"]).post(_reset_url(workspace, role))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    found = re.search(
        r'value="http://testserver(/password-reset/[^"]+/)"', response.content.decode()
    )
    assert found is not None
    return found.group(1)


def _set(client: Client, path: str, password: str) -> Any:
    return client.post(path, {"new_password1": password, "new_password2": password})


def test_an_admin_makes_a_reset_link_that_works_once(workspace: Workspace) -> None:
    for _ in range(5):
        Client().post("/sign-in/", {"username": "trainer-north", "password": "forgotten"})
    path = _make_reset_link(workspace, "trainer")
    visitor = Client()
    assert "For the account trainer-north" in visitor.get(path).content.decode()
    assert "too few different characters" in _set(visitor, path, "aaaaaaaaaaaa").content.decode()
    response = _set(visitor, path, STRONG)
    assert response.status_code == 302 and response["Location"] == "/sign-in/"
    trainer = get_user_model().objects.get(username="trainer-north")
    assert trainer.check_password(STRONG)
    # the lock from the forgotten password is lifted, and the new password signs in
    assert Client().login(username="trainer-north", password=STRONG)
    assert visitor.get(path).status_code == 404
    assert _set(Client(), path, "another fine passphrase").status_code == 404
    reset = PasswordReset.objects.get()
    assert reset.status == "used"
    logged = AuditEvent.objects.filter(object_type="password reset").order_by("id")
    assert [(e.actor_label, e.action) for e in logged] == [
        ("admin-north", "created"),
        ("trainer-north", "updated"),
    ]


def test_a_newer_reset_link_replaces_the_older(workspace: Workspace) -> None:
    first = _make_reset_link(workspace, "trainer")
    second = _make_reset_link(workspace, "trainer")
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_no_reset_link_for_an_account_of_several_organisations(workspace: Workspace) -> None:
    """Otherwise northern's admin could take over the account's southern access."""
    trainer = workspace.users["trainer"]
    Membership.objects.create(user=trainer, organisation=workspace.other_organisation, role="admin")
    client = client_as(workspace.users["admin"])
    url = _reset_url(workspace, "trainer")
    assert "is not only this organisation" in client.get(url).content.decode()
    page = client.post(url).content.decode()
    assert "is not only this organisation" in page and "/password-reset/" not in page
    assert not PasswordReset.objects.exists()


@pytest.mark.parametrize("change", ["joins another organisation", "leaves this organisation"])
def test_a_reset_link_stops_working_when_its_account_is_no_longer_only_this_organisations(
    workspace: Workspace, change: str
) -> None:
    """The re-test's takeover: a link made while the trainer was only northern's, used after
    they became southern's admin, signed its holder in to southern's pages."""
    path = _make_reset_link(workspace, "trainer")
    trainer = workspace.users["trainer"]
    if change == "joins another organisation":
        Membership.objects.create(
            user=trainer, organisation=workspace.other_organisation, role="admin"
        )
    else:
        Membership.objects.filter(user=trainer, organisation=workspace.organisation).delete()

    visitor = Client()
    assert visitor.get(path).status_code == 404
    assert _set(visitor, path, STRONG).status_code == 404

    trainer.refresh_from_db()
    assert not trainer.check_password(STRONG)
    assert PasswordReset.objects.get().status == "pending"  # never used


def test_no_reset_link_for_a_django_admin_account(workspace: Workspace) -> None:
    get_user_model().objects.filter(username="trainer-north").update(is_staff=True)
    page = client_as(workspace.users["admin"]).post(_reset_url(workspace, "trainer")).content
    assert b"/password-reset/" not in page
    assert not PasswordReset.objects.exists()


def test_another_organisation_cannot_make_a_reset_link(workspace: Workspace) -> None:
    southern_admin = get_user_model().objects.create_user(username="admin-south", password=PASSWORD)
    Membership.objects.create(
        user=southern_admin, organisation=workspace.other_organisation, role="admin"
    )
    member = Membership.objects.get(user=workspace.users["trainer"])
    client = client_as(southern_admin)
    for org in ("northern", "southern"):
        url = reverse("workspace:member_password_reset", kwargs={"org": org, "member": member.pk})
        assert client.post(url).status_code == 404
    assert not PasswordReset.objects.exists()


def test_an_unknown_reset_link_gets_the_same_answer_as_an_invitation(db: None) -> None:
    unknown_reset = Client().get("/password-reset/not-a-real-link/")
    unknown_invitation = Client().get("/invitations/not-a-real-link/")
    assert unknown_reset.status_code == unknown_invitation.status_code == 404
    assert unknown_reset.content == unknown_invitation.content
