"""Evaluation pages whose data changed: the last results at once, new ones worked out behind.

A visit to a page whose snapshot no longer matches the data shows the kept page with a notice
and queues one refresh task (claimed in the database, so one per scope across server
processes), which the real db worker runs against the real database; the page then asks every
few seconds whether the new results are ready and offers a link to them. No test depends on how
long anything takes.
"""

from __future__ import annotations

import datetime
import logging
import re
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import Workspace, axe_scan, screenshot, sign_in
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from task_worker import queued, run_tasks, task_worker
from test_results_pages import answers, client_for, matched_people, respond, tables

from imheval.web.results import snapshots
from imheval.web.results.analysis import Scope
from imheval.web.results.models import EvaluationSnapshot
from imheval.web.results.snapshots import PageContent

LONDON = ZoneInfo("Europe/London")
#: Long enough for a small workspace's evaluation on a busy machine; never a timing assertion.
THREAD_TIMEOUT = 120
__all__ = ["task_worker"]  # a fixture, imported for the browser tests


# ---------------------------------------------------------------------------- helpers


def queued_refreshes() -> list[tuple[int, str, str]]:
    """(organisation id, scope key, claim token) of each refresh task waiting for a worker."""
    return [
        tuple(row.args_kwargs["args"])
        for row in queued()
        if row.task_path == snapshots.refresh_task.module_path
    ]


def words(page: str) -> str:
    """The page's text without its tags, each run of spaces one space."""
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


def flow(page: str) -> dict[str, str]:
    return {row[0]: row[1] for row in tables(page)["Participant flow"][1:]}


def org_url() -> str:
    return reverse("results:organisation", args=["northern"])


def poll_url() -> str:
    return reverse("results:organisation_refresh", args=["northern"])


@pytest.fixture
def background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Background mode inside a test transaction: refreshes are queued, and no worker runs
    them unless the test does."""
    monkeypatch.setattr(snapshots, "refresh_in_background", lambda: True)


# ---------------------------------------------------------------------------- the stale page


def test_a_page_whose_data_changed_shows_the_kept_results_at_once_with_a_notice(
    workspace: Workspace, computed: list[str], background: None
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["viewer"])
    snapshots.page_content(Scope.of(workspace.organisation))  # the whole page kept
    fresh = client.get(org_url()).content.decode()
    assert computed == ["organisation"] and queued_refreshes() == []
    assert "These results are not the latest" not in fresh
    assert "htmx.min.js" not in fresh  # only a stale page polls
    kept = EvaluationSnapshot.objects.get()

    respond(workspace.post, "NEW1AA", answers(6))
    stale = client.get(org_url()).content.decode()

    assert computed == ["organisation"]  # nothing computed in the request
    assert "These results are not the latest" in stale
    shown_at = kept.created_at.astimezone(LONDON)
    worked_out = f"{shown_at:%H:%M} on {shown_at.day} {shown_at:%B %Y}"
    assert f"These results were worked out at {worked_out}." in words(stale)
    assert f'datetime="{shown_at.isoformat()}"' in stale
    assert "This page will tell you when the new results are ready." in stale
    assert flow(stale)["Took the post-test"] == "6"  # the kept figures, not the new 7
    assert f'hx-get="{poll_url()}?shown=updating"' in stale
    assert "htmx.min.js" in stale
    # one refresh queued, holding the claim on the snapshot's row
    kept.refresh_from_db()
    assert queued_refreshes() == [(workspace.organisation.pk, "organisation", kept.refresh_claim)]
    assert kept.refresh_started_at is not None
    # a second visit while it waits queues no other
    again = client.get(org_url()).content.decode()
    assert "These results are not the latest" in again
    assert len(queued_refreshes()) == 1 and computed == ["organisation"]


def test_a_snapshot_laid_out_by_another_release_is_not_shown_while_the_new_one_is_worked_out(
    workspace: Workspace, computed: list[str], background: None
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["viewer"])
    snapshots.page_content(Scope.of(workspace.organisation))
    EvaluationSnapshot.objects.update(layout="an older release", fingerprint="old")
    page = client.get(org_url()).content.decode()
    # the summary at once (this release's), the whole page queued: not the older layout
    assert computed == ["organisation"]
    assert "These results are not the latest" not in page
    assert "The rest of the results" in page and 'id="report-summary"' in page
    row = EvaluationSnapshot.objects.get()
    assert row.partial and row.layout == snapshots._layout_key()
    assert queued_refreshes() == [(workspace.organisation.pk, "organisation", row.refresh_claim)]


def test_a_snapshot_kept_before_findings_became_data_is_computed_again(
    workspace: Workspace, computed: list[str], background: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Format 1 pages were worded by the release before issue 11; they are not shown again."""
    matched_people(workspace, 6)
    client = client_for(workspace.users["viewer"])
    with monkeypatch.context() as before:
        before.setattr(snapshots, "SNAPSHOT_FORMAT", 1)
        snapshots.page_content(Scope.of(workspace.organisation))
        format_1 = snapshots._layout_key()
    assert EvaluationSnapshot.objects.get().layout == format_1
    page = client.get(org_url()).content.decode()
    assert computed == ["organisation"] and len(queued_refreshes()) == 1
    assert "These results are not the latest" not in page
    assert EvaluationSnapshot.objects.get().layout == snapshots._layout_key() != format_1


@pytest.mark.django_db(transaction=True)
def test_the_inline_mode_computes_a_changed_page_in_the_request(
    workspace: Workspace, computed: list[str], settings: Any
) -> None:
    settings.IMHEVAL_RESULTS_REFRESH = "inline"
    matched_people(workspace, 6)
    client = client_for(workspace.users["viewer"])
    client.get(org_url())
    respond(workspace.post, "NEW1AA", answers(6))
    page = client.get(org_url()).content.decode()
    assert queued() == []
    assert computed == ["organisation", "organisation"]
    assert flow(page)["Took the post-test"] == "7"
    assert "These results are not the latest" not in page


# ---------------------------------------------------------------------------- claims


def stale_snapshot(workspace: Workspace) -> Scope:
    scope = Scope.of(workspace.organisation)
    snapshots.keep(scope, "an older fingerprint", PageContent(subtitle="Old results"))
    return scope


def test_a_claimed_refresh_stops_a_second_process_from_starting_another(
    workspace: Workspace,
) -> None:
    scope = stale_snapshot(workspace)
    first = snapshots.claim_refresh(scope)
    assert first is not None
    assert snapshots.claim_refresh(scope) is None  # the other worker
    assert snapshots.start_refresh(scope) is None
    assert queued() == []
    assert EvaluationSnapshot.objects.get().refresh_claim == first
    assert snapshots.release_refresh(scope, first)
    second = snapshots.claim_refresh(scope)
    assert second is not None and second != first
    # nothing to refresh once the snapshot matches the data
    snapshots.release_refresh(scope, second)
    assert snapshots.claim_refresh(scope, "an older fingerprint") is None
    # another scope's claim is its own
    other = Scope.of(workspace.organisation, workspace.cohort)
    snapshots.keep(other, "old", PageContent(subtitle="Old cohort results"))
    assert snapshots.claim_refresh(other) is not None
    assert snapshots.claim_refresh(scope) is not None


def test_an_expired_claim_is_taken_over_and_its_old_holder_cannot_release_it(
    workspace: Workspace,
) -> None:
    scope = stale_snapshot(workspace)
    dead = snapshots.claim_refresh(scope)
    assert dead is not None
    started = timezone.now() - snapshots.REFRESH_TIMEOUT + datetime.timedelta(minutes=1)
    EvaluationSnapshot.objects.update(refresh_started_at=started)
    assert snapshots.claim_refresh(scope) is None  # not expired yet
    started = timezone.now() - snapshots.REFRESH_TIMEOUT - datetime.timedelta(seconds=1)
    EvaluationSnapshot.objects.update(refresh_started_at=started)
    taken = snapshots.claim_refresh(scope)
    assert taken is not None
    assert not snapshots.release_refresh(scope, dead)  # the killed worker's claim is gone
    row = EvaluationSnapshot.objects.get()
    assert row.refresh_claim == taken and row.refresh_started_at > started


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_start_one_refresh(workspace: Workspace) -> None:
    scope = stale_snapshot(workspace)
    both_ready = threading.Barrier(2, timeout=30)
    tokens: dict[str, str | None] = {}
    errors: list[BaseException] = []

    def claim() -> None:
        try:
            both_ready.wait()
            tokens[threading.current_thread().name] = snapshots.claim_refresh(scope)
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=claim, name=f"worker {n}") for n in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(THREAD_TIMEOUT)
    assert errors == []
    won = [token for token in tokens.values() if token is not None]
    assert len(tokens) == 2 and len(won) == 1
    assert EvaluationSnapshot.objects.get().refresh_claim == won[0]


# ---------------------------------------------------------------------------- the refresh task


@pytest.mark.django_db(transaction=True)
def test_the_queued_refresh_is_run_by_the_worker_and_keeps_the_new_results(
    workspace: Workspace, computed: list[str]
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["evaluator"])
    scope = Scope.of(workspace.organisation)
    snapshots.page_content(scope)  # the whole page kept
    respond(workspace.post, "NEW1AA", answers(6))
    new_fingerprint = snapshots._fingerprint(scope)

    stale = client.get(org_url()).content.decode()
    assert flow(stale)["Took the post-test"] == "6"
    assert "These results are not the latest" in stale
    assert computed == ["organisation"]  # the request computed nothing
    claim = EvaluationSnapshot.objects.get().refresh_claim
    assert queued_refreshes() == [(workspace.organisation.pk, "organisation", claim)]
    waiting = client.get(poll_url(), {"shown": "updating"})
    assert waiting.status_code == 204  # still updating: nothing new to say

    [finished] = run_tasks()  # the real db worker, against the real database

    assert finished.status == "SUCCESSFUL" and finished.traceback == ""
    assert computed == ["organisation", "organisation"]
    row = EvaluationSnapshot.objects.get()
    assert row.fingerprint == new_fingerprint
    assert (row.refresh_claim, row.refresh_started_at, row.refresh_failed_at) == ("", None, None)
    ready = client.get(poll_url(), {"shown": "updating"}).content.decode()
    assert "Show the updated results" in ready
    fresh = client.get(org_url()).content.decode()
    assert flow(fresh)["Took the post-test"] == "7"
    assert "These results are not the latest" not in fresh
    assert computed == ["organisation", "organisation"]  # the refreshed snapshot was shown
    assert queued() == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_refresh_is_logged_and_leaves_the_old_snapshot(
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scope = stale_snapshot(workspace)
    before = EvaluationSnapshot.objects.get()

    def broken(scope: Scope) -> PageContent:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(snapshots, "compute_content", broken)
    with caplog.at_level(logging.ERROR, logger="imheval.web.results.snapshots"):
        assert snapshots.start_refresh(scope) is not None
        [finished] = run_tasks()

    assert finished.status == "SUCCESSFUL"  # the task caught it: the snapshot row says why
    [record] = [r for r in caplog.records if r.name == "imheval.web.results.snapshots"]
    assert record.levelname == "ERROR"
    assert "results of organisation in northern not refreshed" in record.getMessage()
    assert record.exc_info is not None and "the disk is full" in str(record.exc_info[1])
    after = EvaluationSnapshot.objects.get()
    assert (after.fingerprint, after.content, after.created_at) == (
        before.fingerprint,
        before.content,
        before.created_at,
    )
    assert after.refresh_claim == "" and after.refresh_failed_at is not None
    # the next refresh waits a while rather than failing again at every poll
    assert snapshots.claim_refresh(scope) is None
    assert snapshots.refresh_state(scope) == "failed"
    client = client_for(workspace.users["viewer"])
    told = client.get(poll_url(), {"shown": "updating"}).content.decode()
    assert "could not be worked out just now" in told
    assert f'hx-get="{poll_url()}?shown=failed"' in told  # still asking
    earlier = timezone.now() - snapshots.RETRY_AFTER - datetime.timedelta(seconds=1)
    EvaluationSnapshot.objects.update(refresh_failed_at=earlier)
    assert snapshots.claim_refresh(scope) is not None


@pytest.mark.django_db(transaction=True)
def test_a_refresh_of_a_cohort_deleted_while_it_waited_is_skipped(
    workspace: Workspace, computed: list[str]
) -> None:
    scope = Scope.of(workspace.organisation, workspace.cohort)
    snapshots.keep(scope, "old", PageContent(subtitle="Old cohort results"))
    assert snapshots.start_refresh(scope) is not None
    workspace.cohort.delete()
    [finished] = run_tasks()
    assert finished.status == "SUCCESSFUL" and computed == []


# ---------------------------------------------------------------------------- the poll


def test_the_poll_says_ready_only_when_the_snapshot_matches_the_data(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["trainer"])
    client.get(org_url())
    scope = Scope.of(workspace.organisation)

    ready = client.get(poll_url(), {"shown": "updating"})
    assert ready.status_code == 200 and ready["Cache-Control"] == "no-store"
    text = ready.content.decode()
    assert "<html" not in text  # a fragment, not a page
    assert "The new results are ready." in text
    assert f'href="{org_url()}"' in text and "hx-trigger" not in text  # polling stops

    respond(workspace.post, "NEW1AA", answers(6))
    unchanged = client.get(poll_url(), {"shown": "updating"})
    assert unchanged.status_code == 204 and unchanged.content == b""  # htmx swaps nothing
    waiting = client.get(poll_url()).content.decode()
    assert "ready" not in waiting and "Show the updated results" not in waiting
    assert 'hx-trigger="every 5s"' in waiting

    snapshots.page_content(scope)  # the new results kept (as a refresh would)
    ready = client.get(poll_url(), {"shown": "updating"}).content.decode()
    assert "Show the updated results" in ready


def test_the_poll_of_programme_and_cohort_pages_answers_for_its_own_scope(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    client = client_for(workspace.users["viewer"])
    scopes = [("programme", workspace.programme.pk), ("cohort", workspace.cohort.pk)]
    for kind, pk in scopes:
        client.get(reverse(f"results:{kind}", args=["northern", pk]))
    for kind, pk in scopes:
        url = reverse(f"results:{kind}_refresh", args=["northern", pk])
        answer = client.get(url, {"shown": "updating"}).content.decode()
        page = reverse(f"results:{kind}", args=["northern", pk])
        assert f'href="{page}"' in answer and "Show the updated results" in answer
    # another organisation's response changes neither
    respond(workspace.other_collection, "NEW1AA", answers(6))
    for kind, pk in scopes:
        url = reverse(f"results:{kind}_refresh", args=["northern", pk])
        assert "Show the updated results" in client.get(url).content.decode()
    # a response in the cohort changes both
    respond(workspace.post, "NEW1AA", answers(6))
    for kind, pk in scopes:
        url = reverse(f"results:{kind}_refresh", args=["northern", pk])
        assert client.get(url, {"shown": "updating"}).status_code == 204


# ---------------------------------------------------------------------------- in a browser


def open_section(page: Any, title: str) -> None:
    """Open one folded section of a results page, as a reader does."""
    page.locator("summary", has_text=title).click()


def _stale_then_ready(page: Any, base: str, workspace: Workspace, refused: list[str]) -> None:
    matched_people(workspace, 6)
    sign_in(page, base, workspace.users["viewer"].username)
    page.goto(f"{base}{org_url()}")
    open_section(page, "Who took part")
    expect(page.get_by_role("table", name="Participant flow")).to_contain_text("Took the post-test")
    expect(page.locator("#results-stale")).to_have_count(0)

    respond(workspace.post, "NEW1AA", answers(6))
    page.goto(f"{base}{org_url()}")
    notice = page.locator("#results-stale")
    expect(notice).to_contain_text("New responses or changes have come in since")
    open_section(page, "Who took part")
    flow_table = page.get_by_role("table", name="Participant flow")
    expect(flow_table.get_by_role("row", name="Took the post-test")).to_contain_text("6")

    link = page.get_by_role("link", name="Show the updated results")
    expect(link).to_be_visible(timeout=THREAD_TIMEOUT * 1000)
    # the report was not replaced under the reader
    expect(flow_table.get_by_role("row", name="Took the post-test")).to_contain_text("6")
    assert refused == []
    link.click()
    expect(page.locator("#results-stale")).to_have_count(0)
    open_section(page, "Who took part")
    flow_table = page.get_by_role("table", name="Participant flow")
    expect(flow_table.get_by_role("row", name="Took the post-test")).to_contain_text("7")


@pytest.mark.browser
def test_a_reader_sees_the_stale_notice_then_a_link_to_the_updated_results_under_the_csp(
    live_server: Any, browser: Any, workspace: Workspace, task_worker: Any
) -> None:
    """Without bypassing the Content-Security-Policy: htmx polls with no inline code."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    try:
        _stale_then_ready(page, live_server.url, workspace, refused)
        assert refused == []
    finally:
        context.close()


@pytest.mark.browser
def test_the_stale_notice_and_the_ready_link_are_accessible(
    live_server: Any,
    desktop: Any,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    task_worker: Any,
) -> None:
    matched_people(workspace, 6)
    sign_in(desktop, live_server.url, workspace.users["viewer"].username)
    snapshots.page_content(Scope.of(workspace.organisation))  # the whole page kept
    desktop.goto(f"{live_server.url}{org_url()}")
    # hold the refresh until the stale page has been scanned
    release = threading.Event()
    real = snapshots.compute_content

    def held(scope: Scope) -> PageContent:
        release.wait(THREAD_TIMEOUT)
        return real(scope)

    monkeypatch.setattr(snapshots, "compute_content", held)
    try:
        respond(workspace.post, "NEW1AA", answers(6))
        desktop.goto(f"{live_server.url}{org_url()}")
        expect(desktop.locator("#results-stale")).to_contain_text("not the latest")
        axe_scan(desktop, "results being updated")
        screenshot(desktop, "results-being-updated")
    finally:
        release.set()
    expect(desktop.get_by_role("link", name="Show the updated results")).to_be_visible(
        timeout=THREAD_TIMEOUT * 1000
    )
    axe_scan(desktop, "results updated")
    screenshot(desktop, "results-updated-ready")
