"""Archiving a cohort or a programme asks first, says which open questionnaires it will close,
then closes them (the audit log records each closing); restoring opens nothing again, and a
follow-up of an archived programme does not open itself."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent
from imheval.web.workspace import cohort_setup
from imheval.web.workspace.models import Cohort, Collection


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _open_ids(workspace: Any) -> set[int]:
    return set(Collection.objects.filter(is_open=True).values_list("pk", flat=True))


def test_the_cohort_confirmation_says_which_questionnaires_archiving_closes(
    workspace: Any,
) -> None:
    workspace.post.open()
    client = _client(workspace.users["trainer"])
    url = _url("cohort_archive", cohort=workspace.cohort.pk)
    page = client.get(url).content.decode()
    assert "Archive cohort SOL-1?" in page
    assert (
        "2 questionnaires are open (pre-test and post-test): archiving closes them, so their "
        "links stop taking answers at once; answers already given are kept. Restoring does not "
        "open them again." in page
    )
    assert "Archive cohort and close its questionnaires</button>" in page
    assert _open_ids(workspace) == {
        workspace.pre.pk,
        workspace.post.pk,
        workspace.other_collection.pk,
    }


def test_archiving_a_cohort_closes_its_open_questionnaires_and_the_log_records_it(
    workspace: Any,
) -> None:
    workspace.post.open()
    client = _client(workspace.users["trainer"])
    response = client.post(_url("cohort_archive", cohort=workspace.cohort.pk), follow=True)
    assert response.redirect_chain[-1][0] == _url("programme", programme=workspace.programme.pk)
    assert (
        "Cohort SOL-1 archived: it is listed under Archived and can be restored. 2 open "
        "questionnaires were closed." in response.content.decode()
    )
    workspace.cohort.refresh_from_db()
    assert workspace.cohort.is_archived
    assert _open_ids(workspace) == {workspace.other_collection.pk}  # another Trust's stays open
    closings = AuditEvent.objects.filter(
        object_type="collection", action="updated", actor_label="trainer-north"
    )
    assert sorted((e.object_id, e.actor_label, e.changes["is_open"]) for e in closings) == sorted(
        [
            (str(workspace.pre.pk), "trainer-north", [True, False]),
            (str(workspace.post.pk), "trainer-north", [True, False]),
        ]
    )
    client.post(_url("cohort_restore", cohort=workspace.cohort.pk))
    workspace.cohort.refresh_from_db()
    assert not workspace.cohort.is_archived
    assert _open_ids(workspace) == {workspace.other_collection.pk}  # restoring opens nothing


def test_archiving_a_cohort_with_nothing_open_says_so(workspace: Any) -> None:
    workspace.pre.close()
    client = _client(workspace.users["trainer"])
    page = client.get(_url("cohort_archive", cohort=workspace.cohort.pk)).content.decode()
    assert "None of its questionnaires is open, so no link stops working." in page
    assert "Archive cohort</button>" in page
    response = client.post(_url("cohort_archive", cohort=workspace.cohort.pk), follow=True)
    text = response.content.decode()
    assert "Cohort SOL-1 archived" in text and "were closed" not in text


def test_archiving_a_programme_closes_every_cohorts_open_questionnaires(workspace: Any) -> None:
    second = Cohort.objects.create(
        programme=workspace.programme, name="SOL-2", start_date=datetime.date(2027, 1, 5)
    )
    second_pre = Collection.objects.create(
        cohort=second, timepoint="pre", instrument_refs=["imh-core"]
    )
    second_pre.open()
    client = _client(workspace.users["evaluator"])
    url = _url("programme_archive", programme=workspace.programme.pk)
    page = client.get(url).content.decode()
    assert "Archive programme Solihull Approach foundation?" in page
    assert "Archiving hides programme Solihull Approach foundation and its 2 cohorts" in page
    assert "2 questionnaires are open (SOL-1 pre-test and SOL-2 pre-test)" in page
    assert len(_open_ids(workspace)) == 3  # asking changed nothing
    response = client.post(url)
    assert response["Location"] == _url("organisation")
    assert _open_ids(workspace) == {workspace.other_collection.pk}
    workspace.programme.refresh_from_db()
    assert workspace.programme.is_archived
    second.refresh_from_db()
    assert not second.is_archived  # the programme hides it; the cohort itself is unchanged


def test_an_archived_cohort_or_programme_is_not_archived_again(workspace: Any) -> None:
    cohort_setup.set_archived(workspace.cohort, True)
    client = _client(workspace.users["evaluator"])
    response = client.post(_url("cohort_archive", cohort=workspace.cohort.pk))
    assert response.status_code == 200
    assert "Cohort SOL-1 is already archived." in response.content.decode()


def test_a_viewer_may_not_archive_and_another_organisation_gets_404(workspace: Any) -> None:
    viewer = _client(workspace.users["viewer"])
    assert viewer.get(_url("cohort_archive", cohort=workspace.cohort.pk)).status_code == 403
    trainer = _client(workspace.users["trainer"])
    url = _url("programme_archive", programme=workspace.programme.pk)
    assert trainer.get(url).status_code == 403
    outsider = _client(workspace.outsider)
    assert outsider.get(_url("cohort_archive", cohort=workspace.cohort.pk)).status_code == 404
    southern = reverse(
        "workspace:cohort_archive", kwargs={"org": "southern", "cohort": workspace.cohort.pk}
    )
    assert outsider.post(southern).status_code == 404
    assert Collection.objects.get(pk=workspace.pre.pk).is_open


def test_set_archived_returns_how_many_it_closed(workspace: Any) -> None:
    workspace.followup.open()
    assert cohort_setup.set_archived(workspace.cohort, True) == 2
    assert cohort_setup.set_archived(workspace.cohort, False) == 0
    assert cohort_setup.open_questionnaires(workspace.cohort) == []


def test_a_follow_up_of_an_archived_programme_does_not_open_itself(workspace: Any) -> None:
    workspace.followup.opens_on_due_date = True
    workspace.followup.save()
    due = workspace.followup.due_date()
    assert cohort_setup.due_followups(due) == [workspace.followup]
    cohort_setup.set_archived(workspace.programme, True)
    assert cohort_setup.due_followups(due) == []
