"""Parallel forms and jurisdiction wording in the web app (issue 13 items 1 and 3, web side).

An organisation says where it works (admins, on its settings page, logged); participants read
imh-core 2.0.0 in that jurisdiction's words online, in the preview and on paper, and staff see
the instrument's items in them. A questionnaire of an instrument with forms asks one form; a
cohort's pre-test and post-test ask different forms, the follow-up the pre-test's, and the
programme's cohorts alternate the order; the trainer may change it until anyone answers. The
results adapter writes each response's form in the core's ``form`` column.
"""

from __future__ import annotations

import datetime
import html
import re
from typing import Any

import pytest
from conftest import Workspace, client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from test_capture_journey import Participant
from test_capture_preview import _iframe_src, _walk

from imheval.instruments import get_builtin
from imheval.io.table import FORM
from imheval.web.capture import journey
from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent, Organisation
from imheval.web.paper.answers import answer_rules
from imheval.web.paper.models import ImportBatch
from imheval.web.paper.printing import form_html
from imheval.web.results.adapter import response_table
from imheval.web.workspace.models import Cohort, Collection
from imheval.web.workspace.parallel_forms import cohort_form_orders

V2 = "2.0.0"
CORE_V2 = get_builtin(f"imh-core@{V2}")


@pytest.fixture(autouse=True)
def _fresh_page_cache() -> Any:
    """Question pages are built once per process; each test starts without any."""
    journey._PAGES.clear()
    journey._SHADOWED.clear()
    yield
    journey._PAGES.clear()
    journey._SHADOWED.clear()


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _text(response: Any) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def _cohort_v2(
    workspace: Workspace, name: str, day: int, timepoints: tuple[str, ...] = ("pre", "post")
) -> dict[str, Collection]:
    """A new cohort of the workspace's programme whose questionnaires ask imh-core 2.0.0."""
    cohort = Cohort.objects.create(
        programme=workspace.programme, name=name, start_date=datetime.date(2027, 1, day)
    )
    made = {}
    for timepoint in timepoints:
        made[timepoint] = Collection.objects.create(
            cohort=cohort,
            timepoint=timepoint,
            instrument_refs=["imh-core"],
            instrument_versions={"imh-core": V2},
            follow_up_weeks=12 if timepoint == "followup" else None,
        )
    return made


def _work_in(organisation: Organisation, jurisdiction: str) -> None:
    organisation.jurisdiction = jurisdiction
    organisation.save(update_fields=["jurisdiction"])


def _questions_seen(collection: Collection) -> tuple[list[str], str]:
    """A participant's walk to every question page: the item ids asked and the pages' text."""
    collection.open()
    person = Participant(collection)
    assert person.consent().status_code == 302
    assert person.make_code().status_code == 302
    assert person.about_you().status_code == 302
    ids: list[str] = []
    texts = []
    for number in range(1, len(journey.collection_pages(collection)) + 1):
        page = person.client.get(person.url("questions", number))
        assert page.status_code == 200
        html = page.content.decode()
        ids.extend(dict.fromkeys(re.findall(r'name="([A-Z]{2}\d\d|SE\d\d)"', html)))
        texts.append(_text(page))
    return ids, " ".join(texts)


# ------------------------------------------------------------------------- jurisdiction


def test_an_organisation_works_in_england_until_an_admin_changes_it_and_the_log_says_so(
    workspace: Workspace,
) -> None:
    assert workspace.organisation.jurisdiction == "england"
    admin = client_as(workspace.users["admin"])
    page = admin.get(_url("organisation_settings"))
    assert page.status_code == 200
    shown = _text(page)
    assert "Where does your organisation work?" in shown
    assert "Public health nurse, Tusla, 112." in shown  # the hint beside Ireland
    response = admin.post(_url("organisation_settings"), {"jurisdiction": "ireland"})
    assert response.status_code == 302
    workspace.organisation.refresh_from_db()
    assert workspace.organisation.jurisdiction == "ireland"
    event = AuditEvent.objects.get(organisation=workspace.organisation, object_type="organisation")
    assert (event.action, event.actor, event.changes) == (
        "updated",
        workspace.users["admin"],
        {"jurisdiction": ["england", "ireland"]},
    )
    # saving the same place again logs nothing more; another organisation's log has nothing
    assert admin.post(_url("organisation_settings"), {"jurisdiction": "ireland"}).status_code == 302
    assert AuditEvent.objects.filter(object_type="organisation").count() == 1
    assert workspace.other_organisation.jurisdiction == "england"


@pytest.mark.parametrize("role", ["evaluator", "trainer", "viewer"])
def test_only_an_admin_may_change_where_the_organisation_works(
    workspace: Workspace, role: str
) -> None:
    client = client_as(workspace.users[role])
    assert client.get(_url("organisation_settings")).status_code == 403
    assert (
        client.post(_url("organisation_settings"), {"jurisdiction": "ireland"}).status_code == 403
    )
    workspace.organisation.refresh_from_db()
    assert workspace.organisation.jurisdiction == "england"
    assert "Settings" not in _text(client.get(_url("organisation")))
    assert (
        ">Settings<"
        in client_as(workspace.users["admin"]).get(_url("organisation")).content.decode()
    )
    outsider = client_as(workspace.outsider)
    assert outsider.get(_url("organisation_settings")).status_code == 404


def test_a_place_that_is_not_offered_is_refused_with_a_message(workspace: Workspace) -> None:
    response = client_as(workspace.users["admin"]).post(
        _url("organisation_settings"), {"jurisdiction": "wessex"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in _text(response)
    workspace.organisation.refresh_from_db()
    assert workspace.organisation.jurisdiction == "england"


def test_an_irish_organisations_participants_read_irish_words_online_and_an_english_ones_english(
    workspace: Workspace,
) -> None:
    _work_in(workspace.organisation, "ireland")
    made = _cohort_v2(workspace, "SOL-2", 4)
    assert made["post"].instrument_forms == {"imh-core": "B"}
    _, irish = _questions_seen(made["post"])
    assert "public health nurse" in irish  # KB13, form B
    assert "Tusla" in irish and "Children First (2017)" in irish
    assert "health visitor" not in irish.replace("Health visitor", "")
    assert "{" not in irish
    # the same questionnaire for an organisation in England (the page cache keys on the place)
    _work_in(workspace.organisation, "england")
    Submission.objects.all().delete()
    _, english = _questions_seen(Collection.objects.get(pk=made["post"].pk))
    assert "public health nurse" not in english and "Tusla" not in english
    assert "health visitor" in english
    assert "Working Together to Safeguard Children (2023)" in english


def test_the_preview_and_the_printed_form_use_the_organisations_words(
    workspace: Workspace,
) -> None:
    _work_in(workspace.organisation, "ireland")
    made = _cohort_v2(workspace, "SOL-2", 4)
    pre = made["pre"]
    assert pre.instrument_forms == {"imh-core": "A"}
    client = client_as(workspace.users["viewer"])
    frame = client.get(
        reverse("preview:collection", kwargs={"org": "northern", "collection": pre.pk})
    )
    seen = " ".join(_walk(client, _iframe_src(frame.content.decode()), pre))
    assert "call 112 for an ambulance" in seen  # RA14, form A
    assert "999" not in seen and "{" not in seen
    printed = " ".join(form_html(pre).split())
    assert "call 112 for an ambulance" in printed and "999" not in printed
    assert "public health nurse" in printed  # RA02's option b
    _work_in(workspace.organisation, "england")
    pre = Collection.objects.get(pk=pre.pk)
    printed = " ".join(form_html(pre).split())
    assert "call 999 for an ambulance" in printed and "112" not in printed
    assert "public health nurse" not in printed


def test_the_instrument_page_shows_the_items_in_the_organisations_words_and_says_so(
    workspace: Workspace,
) -> None:
    _work_in(workspace.organisation, "ireland")
    url = _url("instrument_builtin", instrument_id=f"imh-core@{V2}")
    page = _text(client_as(workspace.users["trainer"]).get(url))
    assert "The questions are shown in the words used in Ireland" in page
    assert "An admin can change this" in page
    assert "public health nurse" in page and "{health_visitor}" not in page
    assert "It has 2 parallel forms (A, B)" in page
    admin_page = _text(client_as(workspace.users["admin"]).get(url))
    assert "Change where your organisation works" in admin_page


# --------------------------------------------------------------------------------- forms


def test_a_questionnaire_asks_only_its_forms_items_online_on_paper_and_when_keyed(
    workspace: Workspace,
) -> None:
    made = _cohort_v2(workspace, "SOL-2", 4)
    post = made["post"]
    asked_b = [item.id for item in CORE_V2.form_items("B")]
    ids, _ = _questions_seen(post)
    assert ids == asked_b
    assert not any(item_id.startswith(("KA", "RA")) for item_id in ids)
    assert any(item_id.startswith("SE") for item_id in ids)  # common to both forms
    rules = answer_rules(post.instruments(), post.instrument_forms)
    assert [rule.item_id for rule in rules] == asked_b
    assert [rule.number for rule in rules] == list(range(1, len(asked_b) + 1))
    printed = html.unescape(form_html(post))
    assert CORE_V2.form_items("B")[0].text.split("{")[0][:40] in printed
    first_a = next(item for item in CORE_V2.items if item.form == "A")
    assert first_a.text[:40] not in printed


def test_a_cohorts_pre_and_post_ask_different_forms_and_the_follow_up_the_pre_tests(
    workspace: Workspace,
) -> None:
    made = _cohort_v2(workspace, "SOL-2", 4, ("pre", "post", "followup"))
    forms = {tp: c.instrument_forms for tp, c in made.items()}
    assert forms == {
        "pre": {"imh-core": "A"},
        "post": {"imh-core": "B"},
        "followup": {"imh-core": "A"},
    }
    # the workspace's first cohort asks imh-core 1.0.0, which has no forms: it records none
    assert workspace.pre.instrument_forms == {}


def test_three_cohorts_of_a_programme_alternate_the_order_of_forms(workspace: Workspace) -> None:
    first = _cohort_v2(workspace, "SOL-2", 4)
    second = _cohort_v2(workspace, "SOL-3", 11)
    # a cohort whose post-test is set up before its pre-test still takes its turn
    third = _cohort_v2(workspace, "SOL-4", 18, ("post", "pre"))
    orders = [
        (made["pre"].instrument_forms["imh-core"], made["post"].instrument_forms["imh-core"])
        for made in (first, second, third)
    ]
    assert orders == [("A", "B"), ("B", "A"), ("A", "B")]
    page = _text(
        client_as(workspace.users["viewer"]).get(_url("cohort", cohort=second["pre"].cohort_id))
    )
    assert "Form B before, form A after" in page
    assert "Change the order of forms" not in page  # a viewer cannot change it
    # a follow-up added later to the second cohort repeats its pre-test's form
    followup = Collection.objects.create(
        cohort=second["pre"].cohort,
        timepoint="followup",
        instrument_refs=["imh-core"],
        instrument_versions={"imh-core": V2},
        follow_up_weeks=12,
    )
    assert followup.instrument_forms == {"imh-core": "B"}
    (order,) = cohort_form_orders(second["pre"].cohort)
    assert order.sentence == "Form B before, form A after, form B at follow-up"


def test_the_trainer_changes_the_order_before_anyone_answers_and_the_log_says_so(
    workspace: Workspace,
) -> None:
    made = _cohort_v2(workspace, "SOL-2", 4, ("pre", "post", "followup"))
    cohort_id = made["pre"].cohort_id
    trainer = client_as(workspace.users["trainer"])
    cohort_page = _text(trainer.get(_url("cohort", cohort=cohort_id)))
    assert "Form A before, form B after, form A at follow-up" in cohort_page
    url = _url("cohort_forms", cohort=cohort_id)
    form_page = _text(trainer.get(url))
    assert "Which form do people answer before the training?" in form_page
    assert "Form B before, form A after" in form_page
    response = trainer.post(url, {"imh-core": "B"})
    assert response.status_code == 302
    forms = {
        c.timepoint: c.instrument_forms for c in Collection.objects.filter(cohort_id=cohort_id)
    }
    assert forms == {
        "pre": {"imh-core": "B"},
        "post": {"imh-core": "A"},
        "followup": {"imh-core": "B"},
    }
    logged = AuditEvent.objects.filter(
        object_type="collection", changes__has_key="instrument_forms"
    ).exclude(action="created")
    assert sorted(e.changes["instrument_forms"][1]["imh-core"] for e in logged) == ["A", "B", "B"]
    assert "Form B before, form A after, form B at follow-up" in _text(
        trainer.get(_url("cohort", cohort=cohort_id))
    )


def test_the_order_is_fixed_once_anyone_answers(workspace: Workspace) -> None:
    made = _cohort_v2(workspace, "SOL-2", 4)
    Submission.objects.create(collection=made["post"], status="complete", answers={"KB01": "a"})
    cohort_id = made["pre"].cohort_id
    trainer = client_as(workspace.users["trainer"])
    page = _text(trainer.get(_url("cohort", cohort=cohort_id)))
    assert "Form A before, form B after" in page and "Fixed: people have answered." in page
    assert "Change the order of forms" not in page
    response = trainer.post(_url("cohort_forms", cohort=cohort_id), {"imh-core": "B"})
    assert response.status_code == 200
    assert "People have already answered this cohort's questionnaires" in _text(response)
    forms = [c.instrument_forms for c in Collection.objects.filter(cohort_id=cohort_id)]
    assert sorted(f["imh-core"] for f in forms) == ["A", "B"]
    made["pre"].refresh_from_db()
    assert made["pre"].instrument_forms == {"imh-core": "A"}


def test_a_cohort_without_forms_has_no_order_to_change(workspace: Workspace) -> None:
    trainer = client_as(workspace.users["trainer"])
    assert "Parallel forms" not in _text(trainer.get(_url("cohort", cohort=workspace.cohort.pk)))
    url = _url("cohort_forms", cohort=workspace.cohort.pk)
    page = trainer.get(url)
    assert page.status_code == 200
    assert "ask no instrument with parallel forms, so there is no order to change" in _text(page)
    assert trainer.post(url, {"imh-core": "B"}).status_code == 200
    workspace.pre.refresh_from_db()
    assert workspace.pre.instrument_forms == {}


# ------------------------------------------------------------------------------- results


def test_the_results_table_says_which_form_each_response_used(workspace: Workspace) -> None:
    made = _cohort_v2(workspace, "SOL-2", 4)
    Submission.objects.create(
        collection=made["pre"], status="complete", code="AB01CD", answers={"KA01": "a"}
    )
    Submission.objects.create(
        collection=made["post"], status="complete", code="AB01CD", answers={"KB01": "b"}
    )
    table = response_table(
        Submission.objects.filter(collection__cohort=made["pre"].cohort), [CORE_V2], "test"
    )
    assert list(table.frame.columns[:7]) == [
        "participant",
        "cohort",
        "programme",
        "timepoint",
        "directorate",
        "profession",
        FORM,
    ]
    assert dict(zip(table.frame["timepoint"], table.frame[FORM], strict=True)) == {
        "pre": "A",
        "post": "B",
    }
    # a selection with no questionnaire on forms has no form column, as before
    old = response_table(Submission.objects.filter(collection=workspace.pre), [CORE_V2], "t")
    assert FORM not in old.frame.columns


def test_the_import_template_of_a_form_b_questionnaire_has_form_b_and_imports_back(
    workspace: Workspace,
) -> None:
    made = _cohort_v2(workspace, "SOL-2", 4)
    post = made["post"]
    trainer = client_as(workspace.users["trainer"])
    template = trainer.get(
        reverse("paper:import_template_csv", kwargs={"org": "northern", "collection": post.pk})
    )
    assert template.status_code == 200
    header, sample = template.content.decode("utf-8-sig").splitlines()
    reserved = "participant,cohort,programme,timepoint,directorate,profession,form"
    asked_b = [item.id for item in CORE_V2.form_items("B")]
    assert header == reserved + "," + ",".join(asked_b)
    assert sample.split(",")[6] == "B"
    name = "template.csv"
    upload = SimpleUploadedFile(name, template.content, content_type="text/csv")
    response = trainer.post(
        reverse("paper:import_file", kwargs={"org": "northern", "cohort": post.cohort_id}),
        {"file": upload},
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.counts, batch.ignored_columns) == ({"post": 1}, [])
    # the cohort's pre-test asks form A: its columns are not in a post-test template (as for
    # any cohort whose timepoints ask different questions), and read as blank
    (warning,) = batch.warnings
    assert warning.startswith("item column(s) not in the file, read as blank answers: KA01, ")
    assert "KB" not in warning and "SE" not in warning
    trainer.post(reverse("paper:import_preview", kwargs={"org": "northern", "batch": batch.pk}))
    imported = Submission.objects.get(collection=post)
    expected = {item.id: "a" for item in CORE_V2.form_items("B") if item.form == "B"}
    assert {k: v for k, v in imported.answers.items() if k.startswith("KB")} == {
        k: v for k, v in expected.items() if k.startswith("KB")
    }
