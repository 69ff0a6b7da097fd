"""'Results changed since you last viewed them' on the home page is per user: opening a cohort's
results page records the visit (results.models.ResultsView), and the home page lists the cohorts
whose complete responses or match decisions are newer than the results that user saw."""

from __future__ import annotations

import datetime

from conftest import Workspace
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from test_results_pages import answers, client_for, matched_people, respond

from imheval.web.organisations.models import Membership
from imheval.web.results.models import MatchDecision, ResultsView
from imheval.web.workspace.attention import attention

HEADING = "Results changed since you last viewed them"


def _home(workspace: Workspace, role: str, org: str = "northern") -> str:
    client = client_for(workspace.users[role])
    return client.get(reverse("workspace:organisation", args=[org])).content.decode()


def _open_results(workspace: Workspace, role: str, cohort: int | None = None) -> None:
    client = client_for(workspace.users[role])
    url = reverse("results:cohort", args=["northern", cohort or workspace.cohort.pk])
    assert client.get(url).status_code == 200


def _changed(workspace: Workspace, role: str) -> list[int]:
    found = attention(workspace.organisation, user=workspace.users[role])
    return [item.cohort.pk for item in found.results_changed]


def test_opening_a_cohorts_results_records_the_visit_for_that_user_only(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    before = timezone.now()
    _open_results(workspace, "evaluator")
    [seen] = ResultsView.objects.all()
    assert (seen.user, seen.cohort) == (workspace.users["evaluator"], workspace.cohort)
    assert before <= seen.results_as_of <= seen.viewed_at <= timezone.now()
    _open_results(workspace, "evaluator")
    assert ResultsView.objects.count() == 1  # one row per user and cohort, replaced
    assert ResultsView.objects.get().viewed_at > seen.viewed_at


def test_a_new_response_lists_the_cohort_for_whoever_saw_the_results_before_it(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    _open_results(workspace, "evaluator")
    assert _changed(workspace, "evaluator") == []
    assert HEADING not in _home(workspace, "evaluator")
    respond(workspace.post, "NEW1XY", answers(4))
    assert _changed(workspace, "evaluator") == [workspace.cohort.pk]
    page = _home(workspace, "evaluator")
    assert HEADING in page
    assert "Solihull Approach foundation, SOL-1</a> (you last viewed them on" in page
    # the trainer never opened these results: nothing changed for them
    assert _changed(workspace, "trainer") == []
    assert HEADING not in _home(workspace, "trainer")
    _open_results(workspace, "trainer")
    assert _changed(workspace, "trainer") == []
    assert _changed(workspace, "evaluator") == [workspace.cohort.pk]  # not theirs to clear
    _open_results(workspace, "evaluator")
    assert _changed(workspace, "evaluator") == []


def test_a_draft_does_not_change_the_results_but_a_match_decision_does(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    respond(workspace.pre, "MA07BE", answers(2))
    respond(workspace.post, "MA07BF", answers(6))
    _open_results(workspace, "viewer")
    respond(workspace.post, "DR01XY", {}, status="draft")
    assert _changed(workspace, "viewer") == []
    MatchDecision.objects.create(
        cohort=workspace.cohort,
        code_a="MA07BE",
        code_b="MA07BF",
        earlier_timepoint="pre",
        later_timepoint="post",
        decision="accepted",
    )
    assert _changed(workspace, "viewer") == [workspace.cohort.pk]
    # a viewer may open the results, so the line links there
    page = _home(workspace, "viewer")
    assert reverse("results:cohort", args=["northern", workspace.cohort.pk]) in page


def test_results_shown_from_before_a_response_count_as_not_seen(workspace: Workspace) -> None:
    """A page shown from a kept snapshot while new results are worked out shows the data only
    as of that snapshot: a response after it but before the visit is still news."""
    matched_people(workspace, 6)
    snapshot_time = timezone.now()
    respond(workspace.post, "NEW1XY", answers(4))
    ResultsView.record(workspace.users["evaluator"], workspace.cohort, snapshot_time)
    assert _changed(workspace, "evaluator") == [workspace.cohort.pk]
    ResultsView.record(workspace.users["evaluator"], workspace.cohort, timezone.now())
    assert _changed(workspace, "evaluator") == []


def test_programme_and_organisation_results_pages_record_no_cohort_visit(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["evaluator"])
    for url in (
        reverse("results:organisation", args=["northern"]),
        reverse("results:programme", args=["northern", workspace.programme.pk]),
    ):
        assert client.get(url).status_code == 200
    assert ResultsView.objects.count() == 0


def test_another_organisations_cohorts_never_appear(workspace: Workspace) -> None:
    evaluator = workspace.users["evaluator"]
    Membership.objects.create(
        user=evaluator, organisation=workspace.other_organisation, role="viewer"
    )
    respond(workspace.other_collection, "ZZ01XY", answers(3))
    southern = client_for(evaluator)
    url = reverse("results:cohort", args=["southern", workspace.other_cohort.pk])
    assert southern.get(url).status_code == 200
    respond(workspace.other_collection, "ZZ02XY", answers(3))
    assert [
        c.cohort.pk for c in attention(workspace.other_organisation, user=evaluator).results_changed
    ] == [workspace.other_cohort.pk]
    assert _changed(workspace, "evaluator") == []
    page = _home(workspace, "evaluator")
    assert "TF-9" not in page and HEADING not in page


def test_an_archived_cohort_is_not_listed(workspace: Workspace) -> None:
    matched_people(workspace, 6)
    _open_results(workspace, "evaluator")
    respond(workspace.post, "NEW1XY", answers(4))
    workspace.cohort.is_archived = True
    workspace.cohort.save()
    assert _changed(workspace, "evaluator") == []


def test_attention_costs_seven_queries_with_a_user_and_six_without(workspace: Workspace) -> None:
    matched_people(workspace, 6)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    ResultsView.objects.create(
        user=workspace.users["evaluator"],
        cohort=workspace.cohort,
        viewed_at=yesterday,
        results_as_of=yesterday,
    )
    # The first time, the probable matches are counted and kept: the responses' codes are read
    # and the counts written (with the savepoint around the write).
    with CaptureQueriesContext(connection) as queries:
        found = attention(workspace.organisation, user=workspace.users["evaluator"])
        assert len(found.results_changed) == 1
    assert len(queries) == 11
    with CaptureQueriesContext(connection) as queries:
        found = attention(workspace.organisation, user=workspace.users["evaluator"])
        assert len(found.results_changed) == 1
    assert len(queries) == 7
    with CaptureQueriesContext(connection) as queries:
        attention(workspace.organisation)
    assert len(queries) == 6
