"""Keying paper forms: single entry, double entry (agree, differ, resolve), changes and roles.

The workspace's pre-test questionnaire is imh-core: K1-K6 (a-d), R1-R3 (yes/no), R4-R8 (a-c)
and S1-S6 (ratings 1-5).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PASSWORD
from django.test import Client
from django.urls import reverse

from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent
from imheval.web.paper.models import PaperForm, PaperSetup

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def url(name: str, workspace: Any, **objects: Any) -> str:
    return reverse(f"paper:{name}", kwargs={"org": workspace.organisation.slug, **objects})


def enter_url(workspace: Any) -> str:
    return url("enter", workspace, collection=workspace.pre.pk)


def form_data(
    number: Any, code: str = "ma07be", profession: str = "1", directorate: str = "2", **answers: str
) -> dict[str, str]:
    data = {
        "form_number": str(number),
        "code": code,
        "profession": profession,
        "directorate": directorate,
    }
    data.update({f"q_{item}": value for item, value in answers.items()})
    return data


def double_entry_on(workspace: Any) -> None:
    PaperSetup.objects.create(collection=workspace.pre, double_entry=True)


def test_keyed_form_becomes_a_paper_submission_with_exactly_the_typed_answers(
    workspace: Any,
) -> None:
    trainer = workspace.users["trainer"]
    client = client_for(trainer)

    response = client.post(enter_url(workspace), form_data(1, K1="B", R1="y", R4=" c ", S1="4"))

    assert response.status_code == 302
    assert response["Location"] == enter_url(workspace) + "?after=1"
    submission = Submission.objects.get(collection=workspace.pre)
    assert submission.source == "paper"
    assert submission.status == "complete"
    assert submission.entered_by == trainer
    assert submission.code == "MA07BE"
    assert submission.profession == "Health visitor"
    assert submission.directorate == "Children's Services"
    assert submission.answers == {"K1": "b", "R1": "yes", "R4": "c", "S1": "4"}
    assert submission.completed_at is not None
    paper = PaperForm.objects.get(collection=workspace.pre)
    assert (paper.form_number, paper.status, paper.submission) == (1, "single", submission)

    page = client.get(response["Location"]).content.decode()
    assert f"Form {workspace.pre.pk}-001 saved as a response." in page
    assert 'name="form_number" type="text" value="2"' in page
    assert "1 form entered" in page


def test_form_number_may_be_typed_as_printed_with_the_questionnaire_id(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])

    client.post(enter_url(workspace), form_data(f"{workspace.pre.pk}-007"))
    response = client.post(enter_url(workspace), form_data("999-008", code="JO12DE"))

    assert PaperForm.objects.get().form_number == 7
    assert "belongs to another questionnaire" in response.content.decode()


def test_unknown_option_is_rejected_naming_the_item_and_the_allowed_answers(
    workspace: Any,
) -> None:
    client = client_for(workspace.users["trainer"])

    response = client.post(enter_url(workspace), form_data(1, K1="e", R1="maybe", S2="7"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Enter paper forms" in page
    assert (
        '<a href="#id_q_K1">Question 1 (K1): &#x27;e&#x27; is not one of the answers: '
        "use a, b, c or d, or leave it blank</a>" in page
    )
    assert "Question 7 (R1): &#x27;maybe&#x27; is not one of the answers: use yes or no" in page
    assert (
        "Question 16 (S2): &#x27;7&#x27; is not one of the answers: use a whole number from 1 to 5"
        in page
    )
    assert not Submission.objects.exists()
    assert not PaperForm.objects.exists()


def test_blank_answers_are_missing_and_a_code_must_follow_the_recipe(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])

    no_code = client.post(enter_url(workspace), form_data(1, code="")).content.decode()
    bad_code = client.post(enter_url(workspace), form_data(1, code="MA7BE")).content.decode()
    bad_profession = client.post(enter_url(workspace), form_data(1, profession="13"))
    client.post(enter_url(workspace), form_data(1, profession="", directorate=""))

    assert "Enter the anonymous code written in the boxes at the top of the form" in no_code
    assert "The anonymous code must be 6 characters (2 letters, 2 digits, 2 letters)" in bad_code
    assert (
        "Profession: &#x27;13&#x27; is not a profession number" in bad_profession.content.decode()
    )
    submission = Submission.objects.get()
    assert (submission.answers, submission.profession, submission.directorate) == ({}, "", "")


def test_a_form_number_already_entered_is_refused(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])
    client.post(enter_url(workspace), form_data(3))

    response = client.post(enter_url(workspace), form_data(3, code="JO12DE"))

    assert f"Form {workspace.pre.pk}-003 is already entered" in response.content.decode()
    assert Submission.objects.count() == 1


def test_a_code_already_used_at_the_questionnaire_is_refused(workspace: Any) -> None:
    Submission.objects.create(collection=workspace.pre, code="MA07BE", status="complete")
    client = client_for(workspace.users["trainer"])

    response = client.post(enter_url(workspace), form_data(1, code="ma 07 be"))

    assert (
        "The code MA07BE already has a response to this questionnaire" in response.content.decode()
    )
    assert not PaperForm.objects.exists()


def test_double_entry_with_agreeing_keyings_makes_one_response(workspace: Any) -> None:
    double_entry_on(workspace)
    first = client_for(workspace.users["trainer"])
    second = client_for(workspace.users["evaluator"])

    first.post(enter_url(workspace), form_data(5, K1="b", S1="3"))
    assert PaperForm.objects.get().status == "awaiting"
    assert not Submission.objects.exists()
    second.post(enter_url(workspace), form_data(5, K1="B", S1="3"))

    paper = PaperForm.objects.get()
    assert paper.status == "agreed"
    assert paper.second_by == workspace.users["evaluator"]
    assert paper.submission is not None
    assert paper.submission.answers == {"K1": "b", "S1": "3"}
    assert paper.submission.entered_by == workspace.users["trainer"]
    assert Submission.objects.count() == 1


def test_double_entry_differences_are_listed_and_resolved_by_choosing_values(
    workspace: Any,
) -> None:
    double_entry_on(workspace)
    client = client_for(workspace.users["trainer"])
    client.post(enter_url(workspace), form_data(2, K1="b", K2="c", S1="3"))
    response = client.post(enter_url(workspace), form_data(2, profession="3", K1="d", K2="c"))
    paper = PaperForm.objects.get()
    assert paper.status == "discrepant"
    assert not Submission.objects.exists()
    assert (
        "3 fields differ from the first keying" in client.get(response["Location"]).content.decode()
    )

    listing = client.get(url("discrepancies", workspace, collection=workspace.pre.pk))
    rows = listing.content.decode()
    label = f"{workspace.pre.pk}-002"
    assert f"Form {label}" in rows
    for field, first, second in (
        ("Profession", "Health visitor", "Social worker"),
        ("Question 1 (K1)", "b", "d"),
        ("Question 15 (S1)", "3", "(blank)"),
    ):
        assert (
            f'<th class="nhsuk-table__header" scope="row">{field}</th>\n'
            f'          <td class="nhsuk-table__cell">{first}</td>\n'
            f'          <td class="nhsuk-table__cell">{second}</td>'
        ) in rows

    resolve = url("resolve", workspace, form=paper.pk)
    incomplete = client.post(resolve, {"pick_profession": "second"})
    assert "Question 1 (K1): choose the keying that matches" in incomplete.content.decode()
    assert not Submission.objects.exists()
    client.post(resolve, {"pick_profession": "second", "pick_K1": "first", "pick_S1": "second"})

    paper.refresh_from_db()
    assert paper.status == "resolved"
    assert paper.submission is not None
    assert paper.submission.profession == "Social worker"
    assert paper.submission.answers == {"K1": "b", "K2": "c"}
    assert paper.submission.source == "paper"
    listing = client.get(url("discrepancies", workspace, collection=workspace.pre.pk))
    assert "There are no differences to resolve." in listing.content.decode()


def test_double_entry_cannot_be_switched_off_while_forms_wait(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])
    switch = url("double_entry", workspace, collection=workspace.pre.pk)
    client.post(switch, {"double_entry": "on"})
    client.post(enter_url(workspace), form_data(1))

    response = client.post(switch, {"double_entry": "off"}, follow=True)

    assert "1 form is waiting for a second keying" in response.content.decode()
    assert PaperSetup.objects.get(collection=workspace.pre).double_entry is True


def test_changing_a_form_corrects_its_response_and_deleting_removes_it(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])
    client.post(enter_url(workspace), form_data(1, K1="a"))
    paper = PaperForm.objects.get()

    page = client.get(url("change", workspace, form=paper.pk)).content.decode()
    assert 'name="q_K1" type="text" value="a"' in page
    assert 'name="profession" type="text" value="1"' in page
    client.post(url("change", workspace, form=paper.pk), form_data(4, K1="c", K2="d"))

    submission = Submission.objects.get()
    assert submission.answers == {"K1": "c", "K2": "d"}
    assert PaperForm.objects.get().form_number == 4

    client.post(url("delete", workspace, form=paper.pk))
    assert not Submission.objects.exists()
    assert not PaperForm.objects.exists()


def test_paper_forms_are_audited_without_copying_codes_or_answers(workspace: Any) -> None:
    double_entry_on(workspace)
    client = client_for(workspace.users["trainer"])
    client.post(enter_url(workspace), form_data(1, K1="a"))

    event = AuditEvent.objects.get(object_type="paper form")
    assert event.actor == workspace.users["trainer"]
    assert event.action == "created"
    assert event.organisation == workspace.organisation
    assert event.changes["first_code"] == "changed"
    assert "MA07BE" not in str(event.changes)


@pytest.mark.parametrize("name", ["enter", "print", "discrepancies"])
def test_viewers_cannot_use_paper_pages_and_outsiders_do_not_see_them(
    workspace: Any, name: str
) -> None:
    address = url(name, workspace, collection=workspace.pre.pk)

    assert client_for(workspace.users["viewer"]).get(address).status_code == 403
    assert client_for(workspace.outsider).get(address).status_code == 404
    assert Client().get(address).status_code == 302  # to sign in


def test_viewer_cannot_post_a_keying_and_nobody_reaches_another_organisations_form(
    workspace: Any,
) -> None:
    response = client_for(workspace.users["viewer"]).post(enter_url(workspace), form_data(1))
    other = url("enter", workspace, collection=workspace.other_collection.pk)

    assert response.status_code == 403
    assert client_for(workspace.users["admin"]).get(other).status_code == 404
    assert not Submission.objects.exists()
