"""The to-do list's probable matches are counted once and kept (workspace.models.MatchCounts):
a later visit reads no codes, and a cohort is counted again exactly when what its count depends
on changes (a response completed, corrected, moved or deleted, a match decision, a new release
of the core or of the counting's rules), while the other cohorts keep their counts. Query
counts, never times."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import Workspace
from django.db import connection
from django.test.utils import CaptureQueriesContext
from test_results_pages import answers, matched_people, respond

from imheval import _version
from imheval.web.capture import journey
from imheval.web.results.models import MatchDecision
from imheval.web.workspace import attention as attention_module
from imheval.web.workspace.attention import attention
from imheval.web.workspace.models import Cohort, Collection, MatchCounts

TODAY = datetime.date(2027, 8, 1)


def _typo_pair(workspace: Workspace, earlier: str, later: str, cohort: str = "") -> None:
    """One person who typed ``earlier`` before and ``later`` after (a probable match)."""
    pre, post = _collections(workspace, cohort)
    respond(pre, earlier, answers(2), profession="Health visitor")
    respond(post, later, answers(6), profession="Health visitor")


def _collections(workspace: Workspace, cohort: str = "") -> tuple[Collection, Collection]:
    if not cohort:
        return workspace.pre, workspace.post
    found = workspace.extra[cohort]
    return found.collections.get(timepoint="pre"), found.collections.get(timepoint="post")


def _second_cohort(workspace: Workspace) -> Cohort:
    """SOL-2 in the same programme, with a pre-test and a post-test and three matched people."""
    cohort = Cohort.objects.create(
        programme=workspace.programme, name="SOL-2", start_date=datetime.date(2026, 11, 10)
    )
    for timepoint in ("pre", "post"):
        Collection.objects.create(cohort=cohort, timepoint=timepoint, instrument_refs=["imh-core"])
    workspace.extra["SOL-2"] = cohort
    pre, post = _collections(workspace, "SOL-2")
    for code in ("QQ01AB", "QQ02AB", "QQ03AB"):
        respond(pre, code, answers(3))
        respond(post, code, answers(5))
    return cohort


def _counts(workspace: Workspace) -> dict[int, int]:
    return {
        item.cohort.pk: item.undecided for item in attention(workspace.organisation, TODAY).matches
    }


def _codes_read(queries: CaptureQueriesContext) -> int:
    """How many of ``queries`` read the responses' codes (the counting's only read)."""
    return sum('"capture_submission"."code"' in q["sql"] for q in queries.captured_queries)


@pytest.fixture
def recounted(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """The cohorts of each run of the tolerant matching, in order."""
    runs: list[set[int]] = []
    count = attention_module._undecided_everywhere

    def spy(frame: Any, decided: Any) -> Any:
        runs.append({int(c) for c in frame["cohort_id"].unique()})
        return count(frame, decided)

    monkeypatch.setattr(attention_module, "_undecided_everywhere", spy)
    return runs


def test_counts_are_kept_and_a_later_visit_reads_no_codes(
    workspace: Workspace, recounted: list[set[int]]
) -> None:
    matched_people(workspace, 6)
    _typo_pair(workspace, "MA07BE", "MA07BF")
    with CaptureQueriesContext(connection) as first:
        assert _counts(workspace) == {workspace.cohort.pk: 1}
    kept = MatchCounts.objects.get(organisation=workspace.organisation).counts
    assert kept[str(workspace.cohort.pk)][1] == 1
    with CaptureQueriesContext(connection) as later:
        assert _counts(workspace) == {workspace.cohort.pk: 1}
    assert (_codes_read(first), _codes_read(later)) == (1, 0)
    assert len(later) == len(first) - 4  # no read, no write (nor its savepoint)
    assert recounted == [{workspace.cohort.pk}]


def test_what_is_kept_is_what_is_shown(workspace: Workspace) -> None:
    """The kept count is shown as it is while its key matches (so the cache is really used),
    and counted again once its key does not."""
    matched_people(workspace, 6)
    _typo_pair(workspace, "MA07BE", "MA07BF")
    _counts(workspace)
    row = MatchCounts.objects.get(organisation=workspace.organisation)
    key, _ = row.counts[str(workspace.cohort.pk)]
    row.counts = {str(workspace.cohort.pk): [key, 7]}
    row.save()
    assert _counts(workspace) == {workspace.cohort.pk: 7}
    row.counts = {str(workspace.cohort.pk): ["0000000000000000", 7]}
    row.save()
    assert _counts(workspace) == {workspace.cohort.pk: 1}


def test_a_new_response_counts_again_only_its_own_cohort(
    workspace: Workspace, recounted: list[set[int]]
) -> None:
    second = _second_cohort(workspace)
    matched_people(workspace, 6)
    _typo_pair(workspace, "MA07BE", "MA07BF")
    assert _counts(workspace) == {workspace.cohort.pk: 1}
    assert recounted == [{workspace.cohort.pk, second.pk}]
    _typo_pair(workspace, "RT11QQ", "RT11QO", cohort="SOL-2")
    assert _counts(workspace) == {workspace.cohort.pk: 1, second.pk: 1}
    assert recounted[1:] == [{second.pk}]
    _counts(workspace)
    assert len(recounted) == 2


def test_a_corrected_code_is_counted_again(workspace: Workspace) -> None:
    """Correcting a code changes neither the number of responses nor the last id: the last
    save (``saved_at``) tells."""
    matched_people(workspace, 6)
    _typo_pair(workspace, "MA07BE", "MA07BF")
    assert _counts(workspace) == {workspace.cohort.pk: 1}
    typo = workspace.post.submissions.get(code="MA07BF")
    typo.code = "MA07BE"
    typo.save()
    assert _counts(workspace) == {}


def test_a_response_deleted_or_moved_is_counted_again(workspace: Workspace) -> None:
    matched_people(workspace, 6)
    _typo_pair(workspace, "MA07BE", "MA07BF")
    _typo_pair(workspace, "ZX12CD", "ZX12CE")
    assert _counts(workspace) == {workspace.cohort.pk: 2}
    workspace.post.submissions.get(code="ZX12CE").delete()
    assert _counts(workspace) == {workspace.cohort.pk: 1}
    moved = workspace.post.submissions.get(code="MA07BF")
    moved.collection = workspace.pre
    moved.save()
    assert _counts(workspace) == {}


def test_a_decision_is_counted_again(workspace: Workspace) -> None:
    matched_people(workspace, 6)
    _typo_pair(workspace, "MA07BE", "MA07BF")
    _typo_pair(workspace, "ZX12CD", "ZX12CE")
    assert _counts(workspace) == {workspace.cohort.pk: 2}
    decision = MatchDecision.objects.create(
        cohort=workspace.cohort,
        code_a="MA07BE",
        code_b="MA07BF",
        earlier_timepoint="pre",
        later_timepoint="post",
        decision="rejected",
    )
    assert _counts(workspace) == {workspace.cohort.pk: 1}
    decision.decision = "accepted"
    decision.save()
    assert _counts(workspace) == {workspace.cohort.pk: 1}
    decision.delete()
    assert _counts(workspace) == {workspace.cohort.pk: 2}


def test_a_new_release_of_the_core_counts_again(
    workspace: Workspace, recounted: list[set[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    matched_people(workspace, 6)
    _typo_pair(workspace, "MA07BE", "MA07BF")
    _counts(workspace)
    monkeypatch.setattr(_version, "__version__", "99.0.0")
    assert _counts(workspace) == {workspace.cohort.pk: 1}
    assert len(recounted) == 2


def test_new_rules_for_the_counts_count_again(
    workspace: Workspace, recounted: list[set[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to the tolerant matching deployed without a release bumps MATCH_COUNT_RULES:
    every kept count is worked out again, once."""
    matched_people(workspace, 6)
    _typo_pair(workspace, "MA07BE", "MA07BF")
    _counts(workspace)
    _counts(workspace)
    assert len(recounted) == 1
    monkeypatch.setattr(
        attention_module, "MATCH_COUNT_RULES", attention_module.MATCH_COUNT_RULES + 1
    )
    assert _counts(workspace) == {workspace.cohort.pk: 1}
    assert len(recounted) == 2
    _counts(workspace)
    assert len(recounted) == 2


def test_a_draft_submitted_after_a_deletion_is_counted_again(workspace: Workspace) -> None:
    """A response deleted (neither the last id nor the last save) and an older draft then
    submitted online (which stamps completed_at, not saved_at) leave the questionnaire's
    number of responses, highest id and last save as they were: the count must still be
    worked out again, and agree with a count from nothing."""
    respond(workspace.pre, "MA07BE", answers(2), profession="Health visitor")
    draft = respond(
        workspace.post, "MA07BF", answers(6), profession="Health visitor", status="draft"
    )
    deleted = respond(workspace.post, "ZX12CD", answers(6))
    matched_people(workspace, 6)  # later ids and saves than both
    assert _counts(workspace) == {}
    deleted.delete()
    journey.complete(draft)
    draft.refresh_from_db()
    assert draft.status == "complete"
    assert _counts(workspace) == {workspace.cohort.pk: 1}
    MatchCounts.objects.all().delete()
    assert _counts(workspace) == {workspace.cohort.pk: 1}


def test_a_count_read_while_a_response_arrives_is_counted_again_next_time(
    workspace: Workspace, recounted: list[set[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys and the codes are separate reads: a response that arrives between them is in
    the count kept under the older key, and the next visit counts again (the counts heal
    themselves; see attention._matches)."""
    matched_people(workspace, 6)
    _typo_pair(workspace, "MA07BE", "MA07BF")
    recount = attention_module._recount

    def arriving(*args: Any) -> Any:
        monkeypatch.setattr(attention_module, "_recount", recount)
        _typo_pair(workspace, "ZX12CD", "ZX12CE")
        return recount(*args)

    monkeypatch.setattr(attention_module, "_recount", arriving)
    assert _counts(workspace) == {workspace.cohort.pk: 2}
    assert _counts(workspace) == {workspace.cohort.pk: 2}
    assert len(recounted) == 2
    _counts(workspace)
    assert len(recounted) == 2


def test_an_archived_cohort_is_left_out_and_counted_again_when_back(workspace: Workspace) -> None:
    second = _second_cohort(workspace)
    _typo_pair(workspace, "RT11QQ", "RT11QO", cohort="SOL-2")
    assert _counts(workspace) == {second.pk: 1}
    second.is_archived = True
    second.save()
    assert _counts(workspace) == {}
    assert str(second.pk) not in MatchCounts.objects.get().counts
    second.is_archived = False
    second.save()
    assert _counts(workspace) == {second.pk: 1}


def test_a_cohort_answered_at_one_questionnaire_only_is_not_read(
    workspace: Workspace, recounted: list[set[int]]
) -> None:
    respond(workspace.pre, "MA07BE", answers(2))
    respond(workspace.pre, "ZX12CD", answers(2))
    with CaptureQueriesContext(connection) as queries:
        assert _counts(workspace) == {}
    assert _codes_read(queries) == 0
    assert recounted == []
    assert MatchCounts.objects.get().counts[str(workspace.cohort.pk)][1] == 0


def test_many_cohorts_counted_again_are_read_through_the_organisation(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past RECOUNT_BY_ID cohorts the read names the organisation's cohorts, not their ids:
    the same counts."""
    second = _second_cohort(workspace)
    matched_people(workspace, 6)
    _typo_pair(workspace, "MA07BE", "MA07BF")
    _typo_pair(workspace, "RT11QQ", "RT11QO", cohort="SOL-2")
    respond(workspace.other_collection, "MA07BE", answers(2))
    monkeypatch.setattr(attention_module, "RECOUNT_BY_ID", 1)
    with CaptureQueriesContext(connection) as queries:
        assert _counts(workspace) == {workspace.cohort.pk: 1, second.pk: 1}
    [read] = [
        q["sql"] for q in queries.captured_queries if '"capture_submission"."code"' in q["sql"]
    ]
    assert "organisation_id" in read


def test_counting_again_costs_the_same_queries_for_1_cohort_as_for_12(workspace: Workspace) -> None:
    _typo_pair(workspace, "MA07BE", "MA07BF")
    with CaptureQueriesContext(connection) as few:
        attention(workspace.organisation, TODAY)
    for index in range(11):
        cohort = Cohort.objects.create(
            programme=workspace.programme,
            name=f"M-{index}",
            start_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=index),
        )
        pre = Collection.objects.create(cohort=cohort, timepoint="pre", instrument_refs=["x"])
        post = Collection.objects.create(cohort=cohort, timepoint="post", instrument_refs=["x"])
        respond(pre, f"AB{index:02d}CD", answers(2))
        respond(post, f"AB{index:02d}CE", answers(2))
    with CaptureQueriesContext(connection) as many:
        found = attention(workspace.organisation, TODAY)
    assert len(found.matches) == 12
    assert len(many) == len(few)
