"""A workspace that grows: the cohort list and the evaluation pages make the same number of
queries for 5 cohorts as for 60, and the organisation's evaluation is kept as a snapshot that is
shown only while the data are unchanged.

Times are not tested (benchmarks/bench_workspace.py measures them); query counts are.
"""

from __future__ import annotations

import datetime
import re
import threading
from decimal import Decimal
from typing import Any

import pytest
from conftest import CORE_V1, Workspace, axe_scan, screenshot, sign_in
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from test_results_pages import answers, client_for, matched_people, respond, tables

from imheval.web.capture.models import Submission
from imheval.web.results import snapshots
from imheval.web.results.analysis import Scope, data_fingerprint
from imheval.web.results.models import EvaluationSnapshot, MatchDecision
from imheval.web.results.snapshots import PageContent, compute_content, page_content
from imheval.web.workspace import views as workspace_views
from imheval.web.workspace.models import Cohort, Collection, Programme

#: Queries of the cohort list: session, user, membership, then the count, one page of cohorts
#: with their programmes, and that page's questionnaires with their responses counted; then the
#: six of its badges (workspace.attention without a user: questionnaires, their responses
#: counted, match decisions, the kept probable-match counts, imports, paper differences). The
#: first visit after responses arrive also counts the probable matches again and keeps them.
COHORT_LIST_QUERIES = 12
#: Queries of a warm evaluation page: session, user, membership, the programme named in the
#: address (none for the organisation's page), the fingerprint (complete responses, match
#: decisions, questionnaires, uploaded instruments, last audit event, level 4 service figures
#: and their training dates), the snapshot, the list of programmes or cohorts below the scope,
#: and the versions of built-in instruments its questionnaires pinned
#: (results.analysis.Scope.versions).
WARM_EVALUATION_QUERIES = 14
#: A cohort's page reads no versions (one cohort's questionnaires ask one version) but records
#: the member's visit (one upsert of results.models.ResultsView).
WARM_COHORT_EVALUATION_QUERIES = WARM_EVALUATION_QUERIES


# ---------------------------------------------------------------------------- helpers


def grow(workspace: Workspace, cohorts: int, *, first: int = 0) -> list[Cohort]:
    """Add ``cohorts`` cohorts over new programmes (10 each), each with a pre-test, post-test
    and follow-up questionnaire of imh-core, the way an import would (bulk, no audit log)."""
    programmes = Programme.objects.bulk_create(
        Programme(
            organisation=workspace.organisation,
            name=f"Programme {first + index}",
            level="beginner",
            delivery="online",
            duration_value=Decimal(1),
            duration_unit="days",
        )
        for index in range(0, cohorts, 10)
    )
    made = Cohort.objects.bulk_create(
        Cohort(
            programme=programmes[index // 10],
            name=f"C{first + index:03d}",
            start_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=first + index),
            trainer="Trainer",
        )
        for index in range(cohorts)
    )
    Collection.objects.bulk_create(
        Collection(
            cohort=cohort,
            timepoint=timepoint,
            instrument_refs=["imh-core"],
            instrument_versions=CORE_V1,
            follow_up_weeks=12 if timepoint == "followup" else None,
        )
        for cohort in made
        for timepoint in ("pre", "post", "followup")
    )
    return made


def bulk_responses(cohort: Cohort, people: int, prefix: str) -> None:
    """``people`` matched pre/post pairs in ``cohort``, bulk-created (no signals)."""
    pre, post = (cohort.collections.get(timepoint=tp) for tp in ("pre", "post"))
    Submission.objects.bulk_create(
        Submission(
            collection=collection,
            code=f"{prefix}{index:03d}",
            answers=answers(2 + index % 5 + gain, rating=2 + index % 3 + gain),
            status="complete",
            completed_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC),
        )
        for index in range(people)
        for collection, gain in ((pre, 0), (post, 1))
    )


def queries_of(client: Client, url: str) -> tuple[int, str]:
    """(number of queries, page text) of one GET of ``url``, which must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), response.content.decode()


def without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


# ---------------------------------------------------------------------------- cohort list


def test_cohort_list_makes_the_same_queries_for_5_and_60_cohorts(workspace: Workspace) -> None:
    client = client_for(workspace.users["viewer"])
    url = reverse("workspace:cohorts", args=["northern"])
    grow(workspace, 4)
    queries_of(client, url)  # counts the probable matches and keeps them
    small, page = queries_of(client, url)
    assert len(tables(page)["Cohorts 1 to 5 of 5, newest first"]) == 1 + 5
    for cohort in grow(workspace, 55, first=100):
        bulk_responses(cohort, 2, "BK")
    queries_of(client, url)
    large, page = queries_of(client, url)
    rows = tables(page)["Cohorts 1 to 60 of 60, newest first"][1:]
    grown = [row[4:7] for row in rows if row[0].startswith("C1")]
    assert len(rows) == 60 and len(grown) == 55
    assert all(
        row
        == ["2 complete Not opened yet", "2 complete Not opened yet", "0 complete Not opened yet"]
        for row in grown
    )
    assert small == large == COHORT_LIST_QUERIES


def test_cohort_list_shows_each_cohorts_programme_trainer_responses_and_states(
    workspace: Workspace,
) -> None:
    for code in ("AA11AA", "BB22BB", "CC33CC"):
        respond(workspace.pre, code, answers(3))
    respond(workspace.pre, "DD44DD", answers(3), status="draft")  # not counted
    respond(workspace.post, "AA11AA", answers(5))
    respond(workspace.other_collection, "AA11AA", answers(5))  # another Trust's
    workspace.post.close()
    Cohort.objects.create(
        programme=workspace.programme, name="SOL-2", start_date=datetime.date(2027, 1, 4)
    )
    page = client_for(workspace.users["viewer"]).get(
        reverse("workspace:cohorts", args=["northern"])
    )
    text = page.content.decode()
    header, newest, sol1 = tables(text)["Cohorts 1 to 2 of 2, newest first"]
    assert header == [
        "Cohort",
        "Programme",
        "Dates",
        "Trainer",
        "Pre-test",
        "Post-test",
        "Follow-up",
        "Needs attention",
    ]
    assert newest == [
        "SOL-2",
        "Solihull Approach foundation",
        "4 January 2027",
        "",
        "Not set up",
        "Not set up",
        "Not set up",
        "",
    ]
    assert sol1[:-1] == [  # the last cell, its badges, depends on today (test_workspace_attention)
        "SOL-1",
        "Solihull Approach foundation",
        "2 November 2026 to 3 November 2026",
        "Dr A Trainer",
        "3 complete Open",
        "1 complete Closed",
        "0 complete Not opened yet",
    ]
    assert f'href="/o/northern/cohorts/{workspace.cohort.pk}/"' in text
    assert "TF-9" not in text  # the other Trust's cohort
    assert re.search(r'aria-current="page"[^>]*>Cohorts<', text)  # the header's Cohorts tab


def test_cohort_list_pages_newest_first_with_numbered_pagination(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workspace_views, "COHORT_PAGE_SIZE", 2)
    grow(workspace, 4)  # C000 (1 Jan 2025) to C003; SOL-1 (2 Nov 2026) is the newest
    client = client_for(workspace.users["viewer"])
    url = reverse("workspace:cohorts", args=["northern"])
    first = client.get(url).content.decode()
    assert [row[0] for row in tables(first)["Cohorts 1 to 2 of 5, newest first"][1:]] == [
        "SOL-1",
        "C003",
    ]
    assert 'href="?page=2" aria-label="Page 2"' in first and 'rel="next"' in first
    assert 'rel="prev"' not in first
    last = client.get(url, {"page": 3}).content.decode()
    assert [row[0] for row in tables(last)["Cohorts 5 to 5 of 5, newest first"][1:]] == ["C000"]
    assert 'aria-label="Page 3" aria-current="page"' in last and 'rel="next"' not in last
    # a page number that is not one shows a page rather than an error
    assert client.get(url, {"page": "many"}).status_code == 200
    assert "<title>Cohorts (page 3 of 3)" in client.get(url, {"page": 99}).content.decode()


@pytest.mark.browser
def test_cohort_list_pages_pass_axe_on_a_phone(
    live_server: Any, phone: Any, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workspace_views, "COHORT_PAGE_SIZE", 2)
    for cohort in grow(workspace, 9):
        bulk_responses(cohort, 1, "PH")
    sign_in(phone, live_server.url, workspace.users["trainer"].username)
    phone.goto(live_server.url + reverse("workspace:cohorts", args=["northern"]) + "?page=3")
    phone.get_by_role("heading", name="Cohorts").wait_for()
    axe_scan(phone, "cohort list")
    screenshot(phone, "workspace-cohorts-phone")
    phone.get_by_role("link", name="Next page").click()
    phone.wait_for_url("**/cohorts/?page=4")
    assert phone.get_by_role("link", name="Page 4").get_attribute("aria-current") == "page"
    axe_scan(phone, "cohort list, page 4")


def test_cohort_list_of_an_organisation_without_cohorts_says_so(workspace: Workspace) -> None:
    Cohort.objects.filter(pk=workspace.cohort.pk).delete()
    page = client_for(workspace.users["viewer"]).get(
        reverse("workspace:cohorts", args=["northern"])
    )
    assert "There are no cohorts yet." in page.content.decode()


def test_programme_and_organisation_pages_make_the_same_queries_for_5_and_60_cohorts(
    workspace: Workspace,
) -> None:
    client = client_for(workspace.users["viewer"])
    programme = reverse("workspace:programme", args=["northern", workspace.programme.pk])
    organisation = reverse("workspace:organisation", args=["northern"])
    Cohort.objects.bulk_create(
        Cohort(programme=workspace.programme, name=f"S{i}", start_date=datetime.date(2025, 1, i))
        for i in range(1, 5)
    )
    queries_of(client, programme)  # counts the probable matches and keeps them
    small = (queries_of(client, programme)[0], queries_of(client, organisation)[0])
    Cohort.objects.bulk_create(
        Cohort(programme=workspace.programme, name=f"T{i}", start_date=datetime.date(2024, 1, i))
        for i in range(1, 28)
    )
    grow(workspace, 28)
    queries_of(client, programme)
    large = (queries_of(client, programme)[0], queries_of(client, organisation)[0])
    assert Cohort.objects.filter(programme=workspace.programme).count() == 32
    assert small == large


# ---------------------------------------------------------------------------- evaluation snapshots


def test_a_warm_evaluation_page_makes_the_same_queries_for_5_and_60_cohorts(
    workspace: Workspace, computed: list[str]
) -> None:
    client = client_for(workspace.users["viewer"])
    url = reverse("results:organisation", args=["northern"])
    grow(workspace, 4)
    matched_people(workspace, 6)
    queries_of(client, url)  # computes and keeps the snapshot
    small, page = queries_of(client, url)
    assert "Matched before and after" in page
    more = grow(workspace, 55, first=100)
    for index, cohort in enumerate(more[:3]):
        bulk_responses(cohort, 6, f"M{index}")
    queries_of(client, url)
    large, page = queries_of(client, url)
    flow = {row[0]: row[1] for row in tables(page)["Participant flow"][1:]}
    assert flow["Matched before and after"] == "24"
    assert computed == ["organisation", "organisation"]  # the warm visits computed nothing
    assert small == large <= WARM_EVALUATION_QUERIES


def test_a_warm_programme_evaluation_page_makes_the_same_queries_for_2_and_30_cohorts(
    workspace: Workspace, computed: list[str]
) -> None:
    client = client_for(workspace.users["viewer"])
    url = reverse("results:programme", args=["northern", workspace.programme.pk])
    matched_people(workspace, 6)
    Cohort.objects.create(
        programme=workspace.programme, name="SOL-2", start_date=datetime.date(2027, 1, 4)
    )
    queries_of(client, url)
    small, page = queries_of(client, url)
    assert "Cohort SOL-2" in page
    Cohort.objects.bulk_create(
        Cohort(programme=workspace.programme, name=f"T{i}", start_date=datetime.date(2024, 1, i))
        for i in range(1, 29)
    )
    queries_of(client, url)
    large, page = queries_of(client, url)
    assert "Cohort T28" in page  # every cohort is listed below the results
    # cohorts without questionnaires or responses change no result: nothing was computed again
    assert computed == [f"programme:{workspace.programme.pk}"]
    assert small == large <= WARM_EVALUATION_QUERIES


def test_the_kept_page_equals_the_freshly_computed_one(
    workspace: Workspace, computed: list[str]
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["evaluator"])
    url = reverse("results:organisation", args=["northern"])
    cold = client.get(url).content.decode()
    warm = client.get(url).content.decode()
    assert computed == ["organisation"]
    assert without_csrf(warm) == without_csrf(cold)
    scope = Scope.of(workspace.organisation)
    assert page_content(scope) == compute_content(scope)
    assert "Table 1. Knowledge: cohort mean scores before and after training" in warm


def test_the_kept_page_still_shows_each_role_only_its_own_downloads(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    url = reverse("results:organisation", args=["northern"])
    evaluator = client_for(workspace.users["evaluator"]).get(url).content.decode()
    viewer = client_for(workspace.users["viewer"]).get(url).content.decode()
    assert EvaluationSnapshot.objects.count() == 1
    assert "Responses: CSV" in evaluator and "Responses: CSV" not in viewer
    assert "Report: PDF" in viewer


def test_a_completed_response_makes_the_page_compute_again_and_a_draft_does_not(
    workspace: Workspace, computed: list[str]
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["viewer"])
    url = reverse("results:organisation", args=["northern"])
    client.get(url)
    draft = respond(workspace.post, "NEW1AA", answers(3), status="draft")
    client.get(url)
    assert computed == ["organisation"]
    draft.status = "complete"
    draft.completed_at = draft.started_at
    draft.save()
    page = client.get(url).content.decode()
    assert computed == ["organisation", "organisation"]
    flow = {row[0]: row[1] for row in tables(page)["Participant flow"][1:]}
    assert flow["Took the post-test"] == "7"
    assert EvaluationSnapshot.objects.count() == 1  # the new snapshot replaced the old one


def test_the_fingerprint_changes_with_every_change_that_can_alter_results(
    workspace: Workspace,
) -> None:
    codes = matched_people(workspace, 6)
    scope = Scope.of(workspace.organisation)
    seen = [data_fingerprint(scope)]

    def changed() -> bool:
        seen.append(data_fingerprint(scope))
        return seen[-1] != seen[-2]

    assert not changed()  # nothing happened
    respond(workspace.pre, "NEW1AA", answers(3), status="draft")
    assert not changed()  # a draft is not analysed
    respond(workspace.other_collection, "NEW1AA", answers(3))
    assert not changed()  # another organisation's response
    bulk_responses(grow(workspace, 1)[0], 1, "BULK")  # bulk-created: no signals, no audit
    assert changed()
    Submission.objects.filter(code=codes[0], collection=workspace.pre).delete()
    assert changed()
    MatchDecision.objects.create(
        cohort=workspace.cohort,
        code_a="P01XY",
        code_b="P02XY",
        earlier_timepoint="pre",
        later_timepoint="post",
        decision="rejected",
    )
    assert changed()
    # instruments changed without signals (no audit event): the questionnaires are hashed
    Collection.objects.filter(pk=workspace.followup.pk).update(
        instrument_refs=["imh-core", "imh-advanced-knowledge"]
    )
    assert changed()
    workspace.cohort.name = "SOL-1a"  # renamed: the tables name cohorts
    workspace.cohort.save()
    assert changed()


def test_a_programme_snapshot_ignores_changes_in_other_programmes_data(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    scope = Scope.of(workspace.organisation, workspace.programme)
    before = data_fingerprint(scope)
    other = grow(workspace, 1)[0]
    bulk_responses(other, 3, "OT")  # bulk: nothing in this programme or the audit log
    assert data_fingerprint(scope) == before
    assert data_fingerprint(Scope.of(workspace.organisation)) != before


def test_a_match_decision_makes_the_cohort_page_compute_again(
    workspace: Workspace, computed: list[str]
) -> None:
    matched_people(workspace, 6)
    respond(workspace.pre, "ZZ01QQ", answers(3), profession="Midwife")
    respond(workspace.post, "ZZ01QR", answers(6), profession="Midwife")
    client = client_for(workspace.users["evaluator"])
    page = reverse("results:cohort", args=["northern", workspace.cohort.pk])
    client.get(page)
    warm, _ = queries_of(client, page)
    assert computed == [f"cohort:{workspace.cohort.pk}"]
    assert warm <= WARM_COHORT_EVALUATION_QUERIES
    decided = client.post(
        reverse("results:cohort_matching", args=["northern", workspace.cohort.pk]),
        {"code_a": "ZZ01QQ", "code_b": "ZZ01QR", "decision": "accepted"},
    )
    assert decided.status_code == 302
    text = client.get(page).content.decode()
    assert computed.count(f"cohort:{workspace.cohort.pk}") == 2
    flow = {row[0]: row[1] for row in tables(text)["Participant flow"][1:]}
    assert flow["Matched before and after"] == "7"


def test_a_snapshot_is_never_shown_once_the_data_changed(workspace: Workspace) -> None:
    """Even a snapshot kept for a fingerprint that no longer matches is not shown."""
    matched_people(workspace, 6)
    scope = Scope.of(workspace.organisation)
    snapshots.keep(scope, "stale", PageContent(subtitle="Old results"))
    assert page_content(scope).subtitle != "Old results"
    assert EvaluationSnapshot.objects.get().fingerprint != "stale"


# ---------------------------------------------------------------------------- two at once


def test_a_snapshot_kept_by_another_process_meanwhile_is_replaced_not_duplicated(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    scope = Scope.of(workspace.organisation)

    def other_process_finishes_first(scope: Scope) -> PageContent:
        snapshots.keep(scope, snapshots._fingerprint(scope), PageContent(subtitle="other"))
        return PageContent(subtitle="this one")

    monkeypatch.setattr(snapshots, "compute_content", other_process_finishes_first)
    assert page_content(scope).subtitle == "this one"
    kept = EvaluationSnapshot.objects.get()
    assert kept.content["subtitle"] == "this one"
    assert kept.fingerprint == snapshots._fingerprint(scope)


@pytest.mark.django_db(transaction=True)
def test_two_processes_computing_the_same_scope_at_once_leave_one_snapshot(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    scope = Scope.of(workspace.organisation)
    both_computing = threading.Barrier(2, timeout=30)

    def compute(scope: Scope) -> PageContent:
        both_computing.wait()  # neither has kept anything yet
        return PageContent(subtitle=f"computed by {threading.current_thread().name}")

    monkeypatch.setattr(snapshots, "compute_content", compute)
    shown: dict[str, str] = {}
    errors: list[BaseException] = []

    def visit() -> None:
        try:
            shown[threading.current_thread().name] = page_content(scope).subtitle
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=visit, name=f"worker {n}") for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    assert shown == {"worker 1": "computed by worker 1", "worker 2": "computed by worker 2"}
    kept = EvaluationSnapshot.objects.get()  # exactly one
    assert kept.content["subtitle"] in shown.values()
    assert kept.fingerprint == snapshots._fingerprint(scope)
