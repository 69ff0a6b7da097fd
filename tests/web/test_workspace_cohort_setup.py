"""A cohort in one step, copying, closing, archiving and deleting cohorts and programmes, the
Open/Close control on the link page, follow-ups that open themselves, and the anonymous count of
matched people still to answer the follow-up (issue 12, item 2)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent
from imheval.web.tasks.periodic import PERIODIC, run_periodic
from imheval.web.workspace import cohort_setup
from imheval.web.workspace.models import Cohort, Collection, Programme

NEW = {
    "name": "SOL-2",
    "start_date-day": "7",
    "start_date-month": "12",
    "start_date-year": "2026",
    "end_date-day": "",
    "end_date-month": "",
    "end_date-year": "",
    "trainer": "Dr B Trainer",
    "venue": "Causeway Hospital",
    "pre_refs": ["imh-core"],
    "post_refs": ["imh-core"],
    "followup_refs": ["imh-core"],
    "follow_up_weeks": "8",
    "open_pre_now": "on",
}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _text(response: Any) -> str:
    return response.content.decode()


def _answer(collection: Collection, code: str) -> None:
    Submission.objects.create(collection=collection, code=code, status="complete")


# ----------------------------------------------------------------------- a cohort in one step


def test_new_cohort_makes_three_questionnaires_and_opens_the_pre_test(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    response = client.post(_url("cohort_create", programme=workspace.programme.pk), NEW)
    cohort = Cohort.objects.get(name="SOL-2")
    assert response["Location"] == _url("cohort", cohort=cohort.pk)
    collections = {c.timepoint: c for c in cohort.collections.all()}
    assert sorted(collections) == ["followup", "post", "pre"]
    assert collections["pre"].is_open and collections["pre"].opened_at is not None
    assert not collections["post"].is_open and not collections["followup"].is_open
    assert collections["followup"].follow_up_weeks == 8
    assert collections["followup"].due_date() == datetime.date(2027, 2, 1)
    assert collections["post"].follow_up_weeks is None
    page = _text(client.get(response["Location"]))
    assert "added with its questionnaires. The pre-test is open: share its link" in page
    created = AuditEvent.objects.filter(
        object_type="collection", action="created", actor=workspace.users["trainer"]
    )
    assert created.count() == 3


def test_new_cohort_can_leave_the_pre_test_closed_and_skip_the_follow_up(workspace: Any) -> None:
    data = {**NEW, "followup_refs": [], "follow_up_weeks": ""}
    del data["open_pre_now"]
    _client(workspace.users["evaluator"]).post(
        _url("cohort_create", programme=workspace.programme.pk), data
    )
    cohort = Cohort.objects.get(name="SOL-2")
    assert sorted(cohort.collections.values_list("timepoint", flat=True)) == ["post", "pre"]
    assert not cohort.collections.get(timepoint="pre").is_open


def test_new_cohort_form_starts_from_the_programme_s_last_cohort(workspace: Any) -> None:
    workspace.post.instrument_refs = ["imh-core", "imh-confidence"]
    workspace.post.save()
    workspace.followup.opens_on_due_date = True
    workspace.followup.save()
    response = _client(workspace.users["trainer"]).get(
        _url("cohort_create", programme=workspace.programme.pk)
    )
    form = response.context["form"]
    assert form.initial["pre_refs"] == ["imh-core"]
    assert form.initial["post_refs"] == ["imh-core", "imh-confidence"]
    assert form.initial["follow_up_weeks"] == 12
    assert form.initial["opens_on_due_date"] is True
    assert form.initial["open_pre_now"] is True
    page = _text(response)
    assert "The questionnaires start as cohort SOL-1 had them" in page
    assert 'id="id_open_pre_now" name="open_pre_now" type="checkbox" value="on" checked' in page


def test_a_programme_s_first_cohort_starts_with_the_built_in_core(workspace: Any) -> None:
    plan = cohort_setup.questionnaire_plan(workspace.other_programme)
    assert plan.source == workspace.other_cohort  # it has a pre-test
    empty = Programme.objects.create(
        organisation=workspace.organisation,
        name="Think Family",
        level="beginner",
        delivery="online",
        duration_value=2,
        duration_unit="hours",
    )
    plan = cohort_setup.questionnaire_plan(empty)
    assert plan.source is None
    assert plan.refs == {"pre": ["imh-core"], "post": ["imh-core"], "followup": ["imh-core"]}
    assert plan.follow_up_weeks == 12


def test_new_cohort_lists_every_problem_at_once_and_saves_nothing(workspace: Any) -> None:
    data = {
        **NEW,
        "name": "",
        "start_date-month": "13",
        "pre_refs": [],
        "follow_up_weeks": "",
    }
    response = _client(workspace.users["trainer"]).post(
        _url("cohort_create", programme=workspace.programme.pk), data
    )
    assert response.status_code == 200
    page = _text(response)
    assert '<a href="#id_name">Enter a name for the cohort</a>' in page
    assert '<a href="#id_start_date-day">Start date must be a real date</a>' in page
    assert '<a href="#id_pre_refs_0">Choose at least one instrument for the pre-test</a>' in page
    assert (
        '<a href="#id_follow_up_weeks">Enter how many weeks after the course the follow-up is</a>'
        in page
    )
    assert "<title>Error: New cohort" in page
    assert Cohort.objects.filter(programme=workspace.programme).count() == 1
    assert Collection.objects.count() == 4


def test_new_cohort_refuses_an_unknown_instrument(workspace: Any) -> None:
    response = _client(workspace.users["trainer"]).post(
        _url("cohort_create", programme=workspace.programme.pk),
        {**NEW, "post_refs": ["no-such-instrument"]},
    )
    assert "Select a valid choice. no-such-instrument is not one of the available choices" in _text(
        response
    )
    assert not Cohort.objects.filter(name="SOL-2").exists()


# ----------------------------------------------------------------------- copy


def test_copy_keeps_questionnaires_and_settings_but_nothing_answered(workspace: Any) -> None:
    _answer(workspace.pre, "AB12CD")
    workspace.followup.opens_on_due_date = True
    workspace.followup.save()
    client = _client(workspace.users["trainer"])
    url = _url("cohort_copy", cohort=workspace.cohort.pk)
    form = _text(client.get(url))
    assert 'value="Dr A Trainer"' in form and 'value="Antrim Area Hospital"' in form
    dates = {"start_date-day": "1", "start_date-month": "3", "start_date-year": "2027"}
    response = client.post(url, {"name": "SOL-3", **dates, "trainer": "Dr A Trainer"})
    copy = Cohort.objects.get(name="SOL-3")
    assert response["Location"] == _url("cohort", cohort=copy.pk)
    assert copy.start_date == datetime.date(2027, 3, 1) and copy.venue == ""
    copied = {c.timepoint: c for c in copy.collections.all()}
    assert sorted(copied) == ["followup", "post", "pre"]
    assert copied["followup"].follow_up_weeks == 12 and copied["followup"].opens_on_due_date
    assert not any(c.is_open for c in copied.values())
    assert copied["pre"].token != workspace.pre.token
    assert Submission.objects.filter(collection__cohort=copy).count() == 0


def test_copy_needs_a_new_name(workspace: Any) -> None:
    response = _client(workspace.users["trainer"]).post(
        _url("cohort_copy", cohort=workspace.cohort.pk),
        {
            "name": "SOL-1",
            "start_date-day": "1",
            "start_date-month": "3",
            "start_date-year": "2027",
        },
    )
    assert "This programme already has a cohort called SOL-1." in _text(response)
    assert Cohort.objects.filter(programme=workspace.programme).count() == 1


# ----------------------------------------------------------------------- close a whole cohort


def test_close_cohort_asks_first_then_closes_every_questionnaire(workspace: Any) -> None:
    workspace.post.open()
    client = _client(workspace.users["trainer"])
    url = _url("cohort_close", cohort=workspace.cohort.pk)
    page = _text(client.get(url))
    assert "Close every questionnaire of cohort SOL-1?" in page
    assert "2 questionnaires are open." in page
    assert workspace.cohort.collections.filter(is_open=True).count() == 2  # GET changes nothing
    response = client.post(url)
    assert response["Location"] == _url("cohort", cohort=workspace.cohort.pk)
    assert workspace.cohort.collections.filter(is_open=True).count() == 0
    assert Collection.objects.get(pk=workspace.other_collection.pk).is_open


def test_close_cohort_with_nothing_open_says_so(workspace: Any) -> None:
    workspace.pre.close()
    response = _client(workspace.users["trainer"]).post(
        _url("cohort_close", cohort=workspace.cohort.pk)
    )
    assert response.status_code == 200
    assert "No questionnaire of cohort SOL-1 is open." in _text(response)


# ----------------------------------------------------------------------- archive and restore


def test_archived_cohort_is_listed_under_archived_and_can_be_restored(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    response = client.post(_url("cohort_archive", cohort=workspace.cohort.pk))
    assert response["Location"] == _url("programme", programme=workspace.programme.pk)
    workspace.cohort.refresh_from_db()
    assert workspace.cohort.is_archived
    programme_page = client.get(_url("programme", programme=workspace.programme.pk))
    assert list(programme_page.context["cohorts"]) == []
    assert list(programme_page.context["archived"]) == [workspace.cohort]
    assert "<h2>Archived</h2>" in _text(programme_page)
    assert client.get(_url("cohorts")).context["rows"] == []
    event = AuditEvent.objects.get(object_type="cohort", action="updated")
    assert event.changes == {"is_archived": [False, True]}
    client.post(_url("cohort_restore", cohort=workspace.cohort.pk))
    workspace.cohort.refresh_from_db()
    assert not workspace.cohort.is_archived


def test_archived_programme_is_listed_apart_and_can_be_restored(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    client.post(_url("programme_archive", programme=workspace.programme.pk))
    page = client.get(_url("organisation"))
    assert list(page.context["programmes"]) == []
    assert list(page.context["archived"]) == [workspace.programme]
    client.post(_url("programme_restore", programme=workspace.programme.pk))
    assert list(client.get(_url("organisation")).context["programmes"]) == [workspace.programme]


def test_archive_asks_first_and_a_get_changes_nothing(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    page = client.get(_url("cohort_archive", cohort=workspace.cohort.pk))
    assert page.status_code == 200
    assert "Archive cohort SOL-1?" in _text(page)
    workspace.cohort.refresh_from_db()
    assert not workspace.cohort.is_archived
    assert client.put(_url("cohort_archive", cohort=workspace.cohort.pk)).status_code == 405


# ----------------------------------------------------------------------- delete


def test_cohort_with_answers_cannot_be_deleted(workspace: Any) -> None:
    _answer(workspace.pre, "AB12CD")
    client = _client(workspace.users["trainer"])
    response = client.post(_url("cohort_delete", cohort=workspace.cohort.pk))
    assert response.status_code == 200
    assert "SOL-1 cannot be deleted, because people have answered" in _text(response)
    assert Cohort.objects.filter(pk=workspace.cohort.pk).exists()


def test_unanswered_cohort_is_deleted_and_the_audit_log_keeps_the_record(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    page = _text(client.get(_url("cohort_delete", cohort=workspace.cohort.pk)))
    assert "Delete cohort SOL-1?" in page and "nhsuk-button--warning" in page
    response = client.post(_url("cohort_delete", cohort=workspace.cohort.pk))
    assert response["Location"] == _url("programme", programme=workspace.programme.pk)
    assert not Cohort.objects.filter(pk=workspace.cohort.pk).exists()
    assert not Collection.objects.filter(pk=workspace.pre.pk).exists()
    deleted = AuditEvent.objects.filter(action="deleted", organisation=workspace.organisation)
    labels = {(e.object_type, e.object_label, e.actor_label) for e in deleted}
    assert ("cohort", "SOL-1 (Solihull Approach foundation)", "trainer-north") in labels
    assert len([e for e in deleted if e.object_type == "collection"]) == 3


def test_programme_delete_needs_no_answers_in_any_cohort(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    _answer(workspace.followup, "AB12CD")
    response = client.post(_url("programme_delete", programme=workspace.programme.pk))
    assert "cannot be deleted" in _text(response)
    Submission.objects.all().delete()
    response = client.post(_url("programme_delete", programme=workspace.programme.pk))
    assert response["Location"] == _url("organisation")
    assert not Programme.objects.filter(pk=workspace.programme.pk).exists()
    assert AuditEvent.objects.filter(object_type="programme", action="deleted").count() == 1


# ----------------------------------------------------------------------- roles and tenancy


ACTIONS = [
    ("cohort_copy", "cohort", "GET"),
    ("cohort_close", "cohort", "GET"),
    ("cohort_archive", "cohort", "POST"),
    ("cohort_restore", "cohort", "POST"),
    ("cohort_delete", "cohort", "GET"),
    ("programme_archive", "programme", "POST"),
    ("programme_restore", "programme", "POST"),
    ("programme_delete", "programme", "GET"),
]


@pytest.mark.parametrize(("name", "kind", "method"), ACTIONS)
def test_viewer_is_refused_and_another_organisation_gets_404(
    workspace: Any, name: str, kind: str, method: str
) -> None:
    target = workspace.cohort if kind == "cohort" else workspace.programme
    url = _url(name, **{kind: target.pk})
    viewer = _client(workspace.users["viewer"])
    assert getattr(viewer, method.lower())(url).status_code == 403
    outsider = _client(workspace.outsider)
    assert getattr(outsider, method.lower())(url).status_code == 404
    southern = reverse(f"workspace:{name}", kwargs={"org": "southern", kind: target.pk})
    assert getattr(outsider, method.lower())(southern).status_code == 404
    target.refresh_from_db()
    assert not target.is_archived


def test_trainer_may_not_archive_or_delete_a_programme(workspace: Any) -> None:
    trainer = _client(workspace.users["trainer"])
    assert (
        trainer.post(_url("programme_archive", programme=workspace.programme.pk)).status_code == 403
    )
    assert (
        trainer.get(_url("programme_delete", programme=workspace.programme.pk)).status_code == 403
    )


# ----------------------------------------------------------------------- link page control


def test_link_page_opens_and_closes_its_questionnaire_and_comes_back(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    link = _url("collection_link", collection=workspace.post.pk)
    page = _text(client.get(link))
    assert f'action="{_url("collection_open", collection=workspace.post.pk)}"' in page
    assert 'name="return_to" value="link"' in page
    response = client.post(
        _url("collection_open", collection=workspace.post.pk), {"return_to": "link"}
    )
    assert response["Location"] == link
    workspace.post.refresh_from_db()
    assert workspace.post.is_open
    assert f'action="{_url("collection_close", collection=workspace.post.pk)}"' in _text(
        client.get(link)
    )
    response = client.post(
        _url("collection_close", collection=workspace.post.pk), {"return_to": "https://evil.test/"}
    )
    assert response["Location"] == _url("cohort", cohort=workspace.cohort.pk)


def test_viewer_sees_no_open_control_on_the_link_page(workspace: Any) -> None:
    page = _text(
        _client(workspace.users["viewer"]).get(
            _url("collection_link", collection=workspace.post.pk)
        )
    )
    assert 'name="return_to"' not in page


# ----------------------------------------------------------------------- follow-ups


def test_due_follow_up_opens_itself_once_and_only_when_set(workspace: Any) -> None:
    # SOL-1 ended on 3 November 2026; 12 weeks later is 26 January 2027
    workspace.followup.opens_on_due_date = True
    workspace.followup.save()
    assert cohort_setup.open_due_followups(datetime.date(2027, 1, 25)) == 0
    assert cohort_setup.open_due_followups(datetime.date(2027, 1, 26)) == 1
    workspace.followup.refresh_from_db()
    assert workspace.followup.is_open
    event = AuditEvent.objects.filter(object_type="collection", action="updated").latest("id")
    assert event.actor_label == "scheduled opening" and event.actor is None
    workspace.followup.close()  # closed by hand: never reopened by the schedule
    assert cohort_setup.open_due_followups(datetime.date(2027, 2, 26)) == 0


def test_follow_up_without_the_setting_or_in_an_archived_cohort_stays_closed(
    workspace: Any,
) -> None:
    assert cohort_setup.open_due_followups(datetime.date(2027, 6, 1)) == 0
    workspace.followup.opens_on_due_date = True
    workspace.followup.save()
    cohort_setup.set_archived(workspace.cohort, True)
    assert cohort_setup.open_due_followups(datetime.date(2027, 6, 1)) == 0


def test_housekeeping_runs_the_follow_up_opening(workspace: Any) -> None:
    assert PERIODIC["follow-ups due today"].endswith("cohort_setup.open_due_followups")
    assert run_periodic()["follow-ups due today"] == "0"


def test_only_a_follow_up_may_open_itself(workspace: Any) -> None:
    collection = Collection(
        cohort=workspace.cohort,
        timepoint="post",
        instrument_refs=["imh-core"],
        opens_on_due_date=True,
    )
    with pytest.raises(ValidationError) as raised:
        collection.clean()
    assert raised.value.message_dict == {
        "opens_on_due_date": ["Only a follow-up can open itself on its due date."]
    }


def test_follow_up_gap_counts_matched_codes_without_naming_them(workspace: Any) -> None:
    codes = [f"C{n:02d}" for n in range(7)]
    for code in codes:
        _answer(workspace.pre, code)
        _answer(workspace.post, code)
    _answer(workspace.pre, "ONLYPRE")
    _answer(workspace.followup, "C00")
    _answer(workspace.followup, "C01")
    gap = cohort_setup.follow_up_gap(workspace.cohort)
    assert (gap.matched, gap.without_followup) == (7, 5)
    page = _text(
        _client(workspace.users["trainer"]).get(_url("cohort", cohort=workspace.cohort.pk))
    )
    assert (
        "Of the 7 people who answered both the pre-test and the post-test with the same code, "
        "5 have not answered the follow-up yet." in page
    )
    assert "C02" not in page


def test_follow_up_gap_hides_a_small_count(workspace: Any) -> None:
    for code in ("A1", "A2", "A3", "A4", "A5", "A6"):
        _answer(workspace.pre, code)
        _answer(workspace.post, code)
    for code in ("A1", "A2", "A3", "A4"):
        _answer(workspace.followup, code)
    gap = cohort_setup.follow_up_gap(workspace.cohort)
    assert gap.sentence == (
        "Of the 6 people who answered both the pre-test and the post-test with the same code, "
        "fewer than 5 have not answered the follow-up yet."
    )
    for code in ("A5", "A6"):
        _answer(workspace.followup, code)
    assert cohort_setup.follow_up_gap(workspace.cohort).sentence.endswith(
        "same code, all have answered the follow-up."
    )
