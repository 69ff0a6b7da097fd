"""Built-in instruments pinned per questionnaire (issue 13).

A questionnaire pins the version of each built-in it asks when it is made or its instruments
change; capture, paper, preview and results use the pinned version, so a cohort keeps being
asked and scored with its questions when the bank's current version changes (simulated here on
the bank as it was before version 2, :func:`bank_swap.rewind`, by
:func:`bank_swap.swap_current`). A copied cohort keeps the pins; a new cohort takes the current
version. A programme's results never put two versions' answers together.
"""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest
from bank_swap import NEW_TEXT, NEW_VERSION, OLD_VERSION, rewind, swap_current
from conftest import Workspace
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from test_capture_journey import Participant
from test_results_pages import answers, matched_people, respond

from imheval.instruments import Instrument, get_builtin
from imheval.web.capture import journey
from imheval.web.results.analysis import Scope, analyse
from imheval.web.workspace.models import Cohort, Collection, InstrumentFile

MIGRATION = "0005_collection_instrument_versions"
UPLOAD = """\
format: imheval-instrument/1
id: trust-reflection
version: "1"
title: Trust reflection questions
levels: [beginner]
domains:
  - id: reflection
    label: Reflection
items:
  - id: T1
    domain: reflection
    text: What is a baby's first relationship?
    options: {a: With a parent or carer, b: With a sibling}
    key: a
"""
#: The version the rewound bank holds as current "today", before the simulated swap.
TODAY = OLD_VERSION


@pytest.fixture(autouse=True)
def _rewound(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bank as it was before version 2 became current: 1.0.0 current, no later version."""
    rewind(monkeypatch)


@pytest.fixture(autouse=True)
def _fresh_page_cache() -> Any:
    """Question pages are built once per process; each test starts without any."""
    journey._PAGES.clear()
    journey._SHADOWED.clear()
    yield
    journey._PAGES.clear()
    journey._SHADOWED.clear()


@pytest.fixture
def swapped(monkeypatch: pytest.MonkeyPatch, workspace: Workspace) -> Instrument:
    """The workspace made today (imh-core pinned to today's version), then the bank's current
    imh-core replaced by a different version 2.0.0."""
    return swap_current(monkeypatch)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _cohort(workspace: Workspace, name: str, day: int) -> Cohort:
    cohort: Cohort = Cohort.objects.create(
        programme=workspace.programme, name=name, start_date=datetime.date(2027, 1, day)
    )
    return cohort


NEW_COHORT = {
    "name": "SOL-2",
    "start_date-day": "7",
    "start_date-month": "12",
    "start_date-year": "2026",
    "trainer": "Dr B Trainer",
    "venue": "Causeway Hospital",
    "pre_refs": ["imh-core"],
    "post_refs": ["imh-core"],
    "followup_refs": [],
    "follow_up_weeks": "12",
}


# ---------------------------------------------------------------------------- pinning


def test_a_new_questionnaire_pins_each_built_in_to_the_current_version_and_no_upload(
    workspace: Workspace,
) -> None:
    InstrumentFile.from_upload(workspace.organisation, "trust.yaml", UPLOAD).save()
    cohort = _cohort(workspace, "SOL-2", 4)
    collection = Collection.objects.create(
        cohort=cohort, timepoint="pre", instrument_refs=["trust-reflection", "imh-reaction"]
    )
    collection.refresh_from_db()
    assert collection.instrument_versions == {"imh-reaction": get_builtin("imh-reaction").version}
    assert collection.pinned_refs() == [
        "trust-reflection",
        f"imh-reaction@{get_builtin('imh-reaction').version}",
    ]
    assert workspace.pre.instrument_versions == {"imh-core": TODAY}


def test_editing_the_instruments_keeps_each_pin_and_pins_an_added_one(
    swapped: Instrument, workspace: Workspace
) -> None:
    response = _client(workspace.users["trainer"]).post(
        _url("collection_edit", collection=workspace.post.pk),
        {"timepoint": "post", "instrument_refs": ["imh-core", "imh-reaction"]},
    )
    assert response.status_code == 302
    workspace.post.refresh_from_db()
    reaction = get_builtin("imh-reaction").version
    assert workspace.post.instrument_versions == {"imh-core": TODAY, "imh-reaction": reaction}
    response = _client(workspace.users["trainer"]).post(
        _url("collection_edit", collection=workspace.post.pk),
        {"timepoint": "post", "instrument_refs": ["imh-reaction"]},
    )
    workspace.post.refresh_from_db()
    assert workspace.post.instrument_versions == {"imh-reaction": reaction}


def test_a_questionnaire_added_to_a_cohort_asks_the_version_its_other_questionnaires_ask(
    swapped: Instrument, workspace: Workspace
) -> None:
    workspace.followup.delete()
    response = _client(workspace.users["trainer"]).post(
        _url("collection_create", cohort=workspace.cohort.pk),
        {"timepoint": "followup", "instrument_refs": ["imh-core"], "follow_up_weeks": "12"},
    )
    assert response.status_code == 302
    followup = Collection.objects.get(cohort=workspace.cohort, timepoint="followup")
    # the pre-test and post-test ask today's version, so the follow-up does too, not 2.0.0
    assert followup.instrument_versions == {"imh-core": TODAY}
    other = Collection.objects.create(
        cohort=_cohort(workspace, "SOL-2", 4), timepoint="pre", instrument_refs=["imh-core"]
    )
    assert other.instrument_versions == {"imh-core": NEW_VERSION}


def test_a_copied_cohort_keeps_the_versions_of_the_cohort_it_copies(
    swapped: Instrument, workspace: Workspace
) -> None:
    dates = {"start_date-day": "1", "start_date-month": "3", "start_date-year": "2027"}
    response = _client(workspace.users["trainer"]).post(
        _url("cohort_copy", cohort=workspace.cohort.pk), {"name": "SOL-3", **dates}
    )
    assert response.status_code == 302
    copy = Cohort.objects.get(name="SOL-3")
    pins = {c.timepoint: c.instrument_versions for c in copy.collections.all()}
    assert pins == {tp: {"imh-core": TODAY} for tp in ("pre", "post", "followup")}


def test_a_new_cohort_takes_the_current_version_and_the_form_says_the_last_one_was_older(
    swapped: Instrument, workspace: Workspace
) -> None:
    client = _client(workspace.users["trainer"])
    url = _url("cohort_create", programme=workspace.programme.pk)
    page = " ".join(client.get(url).content.decode().split())
    assert (
        f"The built-in instruments have a newer version ({swapped.title}: "
        f"cohort SOL-1 asked version {TODAY}, this cohort will ask version "
        f"{NEW_VERSION}). The questions differ, so answers to the two versions are not "
        "compared with each other. To ask exactly the questions cohort SOL-1 asked, copy that "
        "cohort instead."
    ) in page
    assert client.post(url, NEW_COHORT).status_code == 302
    made = Cohort.objects.get(name="SOL-2")
    pins = {c.timepoint: c.instrument_versions for c in made.collections.all()}
    assert pins == {"pre": {"imh-core": NEW_VERSION}, "post": {"imh-core": NEW_VERSION}}


def test_the_new_cohort_form_has_no_version_note_while_the_last_cohort_is_current(
    workspace: Workspace,
) -> None:
    page = _client(workspace.users["trainer"]).get(
        _url("cohort_create", programme=workspace.programme.pk)
    )
    assert page.status_code == 200
    assert "newer version" not in page.content.decode()


def test_the_cohort_page_names_each_built_ins_pinned_version(
    swapped: Instrument, workspace: Workspace
) -> None:
    response = _client(workspace.users["viewer"]).get(_url("cohort", cohort=workspace.cohort.pk))
    timepoints = {t["value"]: t["instruments"] for t in response.context["timepoints"]}
    # the title of the version asked, not the current version's (swapped.title)
    old_title = get_builtin(f"imh-core@{TODAY}").title
    assert old_title != swapped.title
    assert timepoints["post"] == [f"{old_title} (version {TODAY})"]


# ---------------------------------------------------------------------------- the migration


def test_the_migration_pins_existing_built_ins_to_the_banks_current_version(
    swapped: Instrument, workspace: Workspace
) -> None:
    InstrumentFile.from_upload(workspace.organisation, "trust.yaml", UPLOAD).save()
    workspace.pre.instrument_refs = ["imh-core", "trust-reflection"]
    workspace.pre.save()
    Collection.objects.update(instrument_versions={})  # as every row was before the migration
    Collection.objects.filter(pk=workspace.followup.pk).update(
        instrument_versions={"imh-core": "1.0.0"}  # already pinned: left alone
    )
    module = importlib.import_module(f"imheval.web.workspace.migrations.{MIGRATION}")
    state = MigrationExecutor(connection).loader.project_state(("workspace", MIGRATION))
    module.pin_builtin_versions(state.apps, None)
    pins = dict(Collection.objects.values_list("timepoint", "instrument_versions"))
    # the bank's current version when the migration runs: 2.0.0 in this swapped bank
    assert pins == {
        "pre": {"imh-core": NEW_VERSION},
        "post": {"imh-core": NEW_VERSION},
        "followup": {"imh-core": "1.0.0"},
    }
    assert Collection.objects.get(pk=workspace.other_collection.pk).instrument_versions == {
        "imh-core": NEW_VERSION
    }


# ---------------------------------------------------------------------------- the swap


def _first_question_page(collection: Collection) -> str:
    person = Participant(collection)
    assert person.consent().status_code == 302
    assert person.make_code().status_code == 302
    assert person.about_you().status_code == 302
    return person.client.get(person.url("questions", 1)).content.decode()


def test_after_the_swap_a_pinned_cohort_is_still_asked_the_old_questions_and_a_new_one_the_new(
    swapped: Instrument, workspace: Workspace
) -> None:
    old_question = get_builtin(f"imh-core@{TODAY}").items[0].text.split()[0:6]
    page = _first_question_page(workspace.pre)
    assert " ".join(old_question) in " ".join(page.split())
    assert NEW_TEXT not in page
    fresh = Collection.objects.create(
        cohort=_cohort(workspace, "SOL-2", 4), timepoint="pre", instrument_refs=["imh-core"]
    )
    fresh.open()
    page = _first_question_page(fresh)
    assert NEW_TEXT + " ".join(old_question) in " ".join(page.split())


def test_after_the_swap_a_pinned_cohorts_results_are_scored_with_the_old_version(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    matched_people(workspace, 6)
    before = analyse(Scope.of(workspace.organisation, workspace.cohort))
    swap_current(monkeypatch)
    after = analyse(Scope.of(workspace.organisation, workspace.cohort))
    assert before.evaluation is not None and after.evaluation is not None
    assert [i.version for i in after.instruments] == [TODAY]
    assert after.matched_pairs == before.matched_pairs == 6
    made_at = "created"
    assert {k: v for k, v in after.evaluation.to_dict().items() if k != made_at} == {
        k: v for k, v in before.evaluation.to_dict().items() if k != made_at
    }


# ---------------------------------------------------------------------------- mixed versions


def _answered_cohort(workspace: Workspace, name: str, day: int, version: str) -> Cohort:
    """A cohort of the programme whose pre and post ask imh-core ``version``, with 6 people."""
    cohort = _cohort(workspace, name, day)
    instrument = get_builtin(f"imh-core@{version}")
    keyed = [item for item in instrument.items if item.kind == "keyed"]
    rated = [item for item in instrument.items if item.kind == "rating"]
    for timepoint, right, rating in (("pre", 3, 2), ("post", 7, 4)):
        collection = Collection.objects.create(
            cohort=cohort,
            timepoint=timepoint,
            instrument_refs=["imh-core"],
            instrument_versions={"imh-core": version},
        )
        for person in range(6):
            given = {item.id: item.key[0] for item in keyed[: right - person % 2]}
            given |= {item.id: str(rating) for item in rated}
            respond(collection, f"{name[-1]}{person:02d}XY", given)
    return cohort


def test_a_programme_whose_cohorts_asked_two_versions_evaluates_the_most_asked_and_says_so(
    swapped: Instrument, workspace: Workspace
) -> None:
    matched_people(workspace, 6)  # SOL-1 at today's version
    _answered_cohort(workspace, "SOL-2", 4, TODAY)
    new = _answered_cohort(workspace, "SOL-3", 11, NEW_VERSION)
    scope = Scope.of(workspace.organisation, workspace.programme)
    assert [c.name for c in scope.versions.left_out] == ["SOL-3"]
    analysis = analyse(scope)
    assert analysis.evaluation is not None
    assert [i.version for i in analysis.instruments] == [TODAY]
    assert sorted(analysis.evaluation.matched.cohorts["cohort"]) == ["SOL-1", "SOL-2"]
    assert analysis.responses == 24  # SOL-3's 12 left out
    page = _client(workspace.users["viewer"]).get(
        reverse("results:programme", args=["northern", workspace.programme.pk])
    )
    text = " ".join(page.content.decode().split())
    assert "Cohorts asked different versions of Infant mental health core questionnaire" in text
    assert (
        "These results are of the 2 cohorts that asked version 1.0.0, the version most "
        "cohorts asked" in text
    )
    assert "Left out: the cohort that asked version 2.0.0. See its own results:" in text
    own = reverse("results:cohort", args=["northern", new.pk])
    assert f'<a href="{own}">Results for cohort SOL-3</a>' in text
    # its own page evaluates it, with the version it asked
    alone = analyse(Scope.of(workspace.organisation, new))
    assert alone.evaluation is not None
    assert [i.version for i in alone.instruments] == [NEW_VERSION]


def test_on_a_tie_the_newer_version_is_evaluated(swapped: Instrument, workspace: Workspace) -> None:
    matched_people(workspace, 6)
    _answered_cohort(workspace, "SOL-3", 11, NEW_VERSION)
    scope = Scope.of(workspace.organisation, workspace.programme)
    assert [c.name for c in scope.versions.left_out] == ["SOL-1"]
    (use,) = scope.versions.instruments
    assert use.chosen == NEW_VERSION
    assert [(v, [c.name for c in found]) for v, found in use.cohorts.items()] == [
        (TODAY, ["SOL-1"]),
        (NEW_VERSION, ["SOL-3"]),
    ]
    assert [i.version for i in analyse(scope).instruments] == [NEW_VERSION]


def test_the_organisation_page_without_mixed_versions_says_nothing_about_versions(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    scope = Scope.of(workspace.organisation)
    assert scope.versions.instruments == () and scope.versions.left_out == ()
    page = _client(workspace.users["viewer"]).get(
        reverse("results:organisation", args=["northern"])
    )
    assert "results-versions" not in page.content.decode()


def test_a_cohort_whose_own_questionnaires_ask_two_versions_is_not_analysed(
    swapped: Instrument, workspace: Workspace
) -> None:
    respond(workspace.pre, "AB01XY", answers(3))
    Collection.objects.filter(pk=workspace.post.pk).update(
        instrument_versions={"imh-core": NEW_VERSION}
    )
    analysis = analyse(Scope.of(workspace.organisation, workspace.cohort))
    assert analysis.evaluation is None
    assert analysis.problem == (
        "The questionnaires of cohort SOL-1 of Solihull Approach foundation ask different "
        f"versions of the same instrument (imh-core: versions {TODAY} and {NEW_VERSION}). The "
        "questions differ between versions, so these answers cannot be analysed together."
    )


# ---------------------------------------------------------------------------- paper and demo


def test_paper_forms_print_the_pinned_version(swapped: Instrument, workspace: Workspace) -> None:
    assert [i.version for i in workspace.pre.instruments()] == [TODAY]
    assert (
        workspace.pre.instruments()[0].items[0].text
        == get_builtin(f"imh-core@{TODAY}").items[0].text
    )


def test_the_web_demo_pins_the_versions_its_answers_were_made_for(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    swap_current(monkeypatch)
    from imheval.web.demo import load_demo

    demo = load_demo()
    pins = {
        tuple(refs): versions
        for refs, versions in Collection.objects.filter(
            cohort__programme__organisation=demo.organisation
        ).values_list("instrument_refs", "instrument_versions")
    }
    assert pins == {
        ("imh-core",): {"imh-core": "1.0.0"},
        ("imh-core", "imh-advanced-knowledge"): {
            "imh-core": "1.0.0",
            "imh-advanced-knowledge": "1.0.0",
        },
    }
    analysis = analyse(Scope.of(demo.organisation))
    assert analysis.evaluation is not None and analysis.responses == demo.responses
