"""Membership scoping, roles, sign-in lockout and the audit log."""

from __future__ import annotations

import pytest
from conftest import PASSWORD, Workspace
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from imheval.web.organisations.access import member_of
from imheval.web.organisations.audit import acting_as
from imheval.web.organisations.models import AuditEvent, FailedLogin, Membership, Organisation
from imheval.web.workspace.models import Cohort, Collection, Programme


def _request(user):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_scoped_querysets_show_only_the_users_organisations(workspace: Workspace) -> None:
    north = workspace.users["viewer"]
    assert list(Organisation.objects.visible_to(north)) == [workspace.organisation]
    assert list(Programme.objects.visible_to(north)) == [workspace.programme]
    assert list(Cohort.objects.visible_to(north)) == [workspace.cohort]
    assert set(Collection.objects.visible_to(north)) == {
        workspace.pre,
        workspace.post,
        workspace.followup,
    }
    assert list(Programme.objects.visible_to(workspace.outsider)) == [workspace.other_programme]


def test_anonymous_users_see_nothing(workspace: Workspace) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not Programme.objects.visible_to(AnonymousUser()).exists()
    assert not Collection.objects.visible_to(AnonymousUser()).exists()


def test_a_user_in_two_organisations_sees_both_without_duplicates(workspace: Workspace) -> None:
    user = workspace.users["evaluator"]
    Membership.objects.create(user=user, organisation=workspace.other_organisation, role="viewer")
    assert Programme.objects.visible_to(user).count() == 2
    assert Collection.objects.visible_to(user).count() == 4


def test_outsiders_get_404_and_members_get_their_role(workspace: Workspace) -> None:
    with pytest.raises(Http404):
        member_of(_request(workspace.outsider), "northern")
    with pytest.raises(Http404):
        member_of(_request(workspace.users["admin"]), "no-such-org")
    access = member_of(_request(workspace.users["trainer"]), "northern", "run_collections")
    assert access.organisation == workspace.organisation
    assert access.role == "trainer"


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        ("viewer", "view", True),
        ("viewer", "edit_cohorts", False),
        ("trainer", "run_collections", True),
        ("trainer", "edit_programmes", False),
        ("evaluator", "edit_instruments", True),
        ("evaluator", "manage_members", False),
        ("admin", "manage_members", True),
    ],
)
def test_roles_allow_exactly_their_actions(
    workspace: Workspace, role: str, action: str, allowed: bool
) -> None:
    request = _request(workspace.users[role])
    if allowed:
        assert member_of(request, "northern", action).may(action)
    else:
        with pytest.raises(PermissionDenied, match="cannot"):
            member_of(request, "northern", action)


def test_sign_in_locks_after_five_failures_even_with_the_right_password(
    client, workspace: Workspace
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        response = client.post("/sign-in/", {"username": "viewer-north", "password": "wrong"})
        assert response.status_code == 200
        assert "Enter a correct user name and password" in response.content.decode()
    assert FailedLogin.objects.filter(username="viewer-north").count() == 5
    response = client.post("/sign-in/", {"username": "Viewer-North", "password": PASSWORD})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Too many failed attempts" in page
    assert "_auth_user_id" not in client.session


def test_successful_sign_in_clears_earlier_failures(client, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    client.post("/sign-in/", {"username": "viewer-north", "password": "wrong"})
    response = client.post("/sign-in/", {"username": "viewer-north", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(workspace.users["viewer"].pk)
    assert not FailedLogin.objects.filter(username="viewer-north").exists()


def test_sign_in_and_sign_out_need_csrf_tokens(workspace: Workspace) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/sign-in/", {"username": "viewer-north", "password": PASSWORD})
    assert response.status_code == 403


def test_audit_log_records_who_changed_what(workspace: Workspace) -> None:
    evaluator = workspace.users["evaluator"]
    with acting_as(evaluator):
        workspace.programme.provider = "Solihull Approach (NHS)"
        workspace.programme.save()
    event = AuditEvent.objects.in_organisation(workspace.organisation).first()
    assert event is not None
    assert event.actor == evaluator
    assert event.actor_label == "evaluator-north"
    assert event.action == "updated"
    assert event.object_type == "programme"
    assert event.changes == {"provider": ["Solihull Approach", "Solihull Approach (NHS)"]}


def test_audit_log_records_creation_and_deletion(workspace: Workspace) -> None:
    with acting_as(workspace.users["trainer"]):
        cohort = Cohort.objects.create(
            programme=workspace.programme, name="SOL-2", start_date="2026-12-01"
        )
        cohort.delete()
    actions = list(
        AuditEvent.objects.in_organisation(workspace.organisation)
        .filter(object_label__startswith="SOL-2")
        .order_by("id")
        .values_list("action", "actor_label")
    )
    assert actions == [("created", "trainer-north"), ("deleted", "trainer-north")]


def test_saving_without_changes_writes_no_audit_event(workspace: Workspace) -> None:
    before = AuditEvent.objects.count()
    workspace.programme.save()
    assert AuditEvent.objects.count() == before


def test_audit_events_stay_in_their_organisation(workspace: Workspace) -> None:
    workspace.other_programme.name = "Think Family (online)"
    workspace.other_programme.save()
    north = AuditEvent.objects.in_organisation(workspace.organisation)
    assert not north.filter(object_label__startswith="Think Family").exists()
    assert (
        AuditEvent.objects.visible_to(workspace.outsider)
        .filter(object_label="Think Family (online)")
        .exists()
    )


def test_every_model_holding_evaluation_data_is_audited() -> None:
    from imheval.web.organisations.audit import audited_models

    labels = {model._meta.label for model in audited_models()}
    assert {
        "workspace.Programme",
        "workspace.Cohort",
        "workspace.Collection",
        "workspace.InstrumentFile",
        "capture.Submission",
    } <= labels
