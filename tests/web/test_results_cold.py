"""A results page with nothing kept yet (a first visit, or a new release's layout): the summary
at once, computed without the core's deeper analyses, and the rest of the page worked out by
the real db worker and put in its place. No test depends on how long anything takes."""

from __future__ import annotations

import pytest
from conftest import Workspace
from django.urls import reverse
from task_worker import run_tasks
from test_results_pages import client_for, matched_people, tables
from test_results_refresh import flow, org_url, poll_url, queued_refreshes, words

from imheval.web.results import snapshots
from imheval.web.results.analysis import Scope
from imheval.web.results.models import EvaluationSnapshot

GROUP_TABLE = "mean scores before and after training, by part of the questionnaire"


@pytest.mark.django_db(transaction=True)
def test_a_cold_page_shows_the_summary_at_once_and_the_rest_once_the_worker_has_run(
    workspace: Workspace, computed: list[str]
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["viewer"])

    first = client.get(org_url()).content.decode()

    assert computed == []  # the whole page was not worked out in the request
    assert "Summary of findings" in first
    assert "Knowledge: the 6 people matched before and after training" in words(first)
    assert "is being prepared. It will appear here on its own" in words(first)
    assert f'hx-get="{poll_url()}?rest=1&amp;shown=updating"' in first
    assert 'aria-live="polite"' in first and "htmx.min.js" in first
    assert "These results are not the latest" not in first
    assert "Participant flow" not in tables(first) and 'id="report-level-2"' not in first
    kept = EvaluationSnapshot.objects.get()
    assert kept.partial and kept.report_html == ""
    assert queued_refreshes() == [(workspace.organisation.pk, "organisation", kept.refresh_claim)]
    # meanwhile: the same summary again, no second refresh, nothing new for the poll to say
    again = client.get(org_url()).content.decode()
    assert "is being prepared" in words(again) and len(queued_refreshes()) == 1
    waiting = client.get(poll_url(), {"rest": "1", "shown": "updating"})
    assert waiting.status_code == 204

    [finished] = run_tasks()  # the real db worker, against the real database

    assert finished.status == "SUCCESSFUL" and computed == ["organisation"]
    ready = client.get(poll_url(), {"rest": "1", "shown": "updating"}).content.decode()
    assert "<html" not in ready and "hx-trigger" not in ready  # the rest; polling stops
    assert '<div id="results-rest">' in ready
    assert flow(ready)["Took the post-test"] == "6"
    assert 'id="results-rest-status" hx-swap-oob="innerHTML"' in ready
    assert "The rest of the results has been added below the summary." in ready
    whole = client.get(org_url()).content.decode()
    assert computed == ["organisation"]  # kept: shown, not computed again
    assert 'id="report-level-2"' in whole and "is being prepared" not in words(whole)
    assert "htmx.min.js" not in whole
    assert not EvaluationSnapshot.objects.get().partial


def test_the_quick_summary_is_the_whole_pages_summary(workspace: Workspace) -> None:
    matched_people(workspace, 6)
    for scope in (
        Scope.of(workspace.organisation),
        Scope.of(workspace.organisation, workspace.programme),
        Scope.of(workspace.organisation, workspace.cohort),
    ):
        quick = snapshots.compute_summary(scope)
        whole = snapshots.compute_content(scope)
        assert quick.partial and not whole.partial
        assert quick.summary_html == whole.summary_html != ""
        assert (quick.subtitle, quick.notice) == (whole.subtitle, whole.notice)
        assert quick.report_html == "" and quick.groups == {}


def test_a_page_with_nothing_to_analyse_is_whole_at_once(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshots, "refresh_in_background", lambda: True)
    page = client_for(workspace.users["viewer"]).get(org_url()).content.decode()
    assert "No one has completed a questionnaire" in page
    assert "is being prepared" not in words(page) and queued_refreshes() == []
    assert not EvaluationSnapshot.objects.get().partial


def test_each_programme_and_each_cohort_is_folded_with_its_table_and_its_page(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["viewer"])
    programme_url = reverse("results:programme", args=["northern", workspace.programme.pk])
    cohort_url = reverse("results:cohort", args=["northern", workspace.cohort.pk])

    page = client.get(org_url()).content.decode()  # in a test's transaction: computed whole
    name = workspace.programme.name
    assert "Results by programme" in page
    assert f'<span class="nhsuk-details__summary-text">{name}' in page
    assert "1 cohort</span>" in page
    assert tables(page)[f"{name}: {GROUP_TABLE}"][0] == [
        "Part of the questionnaire",
        "n",
        "Before (%)",
        "After (%)",
        "Difference (pp)",
    ]
    rows = {row[0]: row[1] for row in tables(page)[f"{name}: {GROUP_TABLE}"][1:]}
    assert rows == {"Knowledge": "6", "Risk identification": "6", "Self-efficacy": "6"}
    by_programme = tables(page)["Knowledge by programme (matched people)"]
    knowledge = next(row for row in tables(page)[f"{name}: {GROUP_TABLE}"] if row[0] == "Knowledge")
    assert knowledge[1:] == next(row for row in by_programme if row[0] == name)[1:]
    assert f'href="{programme_url}">All results for {name}' in page
    # no section is open, and the levels say in a line what they hold
    assert "<details open" not in page and "<details class" in page
    assert 'Level 1: Reaction<span class="imheval-summary-line">Not measured</span>' in page
    assert (
        'Level 2: Learning<span class="imheval-summary-line">Knowledge, Risk identification '
        "and Self-efficacy</span>"
    ) in page

    programme = client.get(programme_url).content.decode()
    assert "Results by cohort" in programme
    cohort_rows = {row[0]: row[1] for row in tables(programme)[f"SOL-1: {GROUP_TABLE}"][1:]}
    assert cohort_rows == {"Knowledge": "6", "Risk identification": "6", "Self-efficacy": "6"}
    assert f'href="{cohort_url}">All results for Cohort SOL-1' in programme
    assert "Started 2 November 2026" in programme

    cohort = client.get(cohort_url).content.decode()
    assert "Results by cohort" not in cohort and GROUP_TABLE not in cohort
    assert "Results by Kirkpatrick level" in cohort
