"""The matching review: the core's probable matches listed for evaluators, decisions stored,
audited without codes, and fed to the analysis as accepted matches."""

from __future__ import annotations

import re

from conftest import Workspace
from django.urls import reverse
from test_results_pages import answers, client_for, matched_people, respond

from imheval.web.organisations.models import AuditEvent
from imheval.web.results.analysis import Scope, analyse, review_matches
from imheval.web.results.models import MatchDecision


def _typo_pair(workspace: Workspace) -> None:
    """Six people matched exactly, and one who typed MA07BE before and MA07BF after."""
    matched_people(workspace, 6)
    respond(workspace.pre, "MA07BE", answers(2), profession="Health visitor")
    respond(workspace.post, "MA07BF", answers(6), profession="Health visitor")


def _url(workspace: Workspace) -> str:
    return reverse("results:cohort_matching", args=["northern", workspace.cohort.pk])


def test_the_review_lists_the_cores_probable_matches_with_their_codes(
    workspace: Workspace,
) -> None:
    _typo_pair(workspace)
    page = client_for(workspace.users["evaluator"]).get(_url(workspace)).content.decode()
    assert '<span class="imheval-code">MA07BE</span>' in page
    assert '<span class="imheval-code">MA07BF</span>' in page
    assert "One character different" in page
    assert "Health visitor" in page
    assert "1 possible match<" in page


def test_accepting_a_match_changes_the_matched_count_of_every_scope(
    workspace: Workspace,
) -> None:
    _typo_pair(workspace)
    cohort = Scope.of(workspace.organisation, workspace.cohort)
    before = analyse(cohort)
    assert before.evaluation is not None and before.evaluation.options.accepted_matches == ()
    assert before.matched_pairs == 6
    response = client_for(workspace.users["evaluator"]).post(
        _url(workspace), {"code_a": "MA07BE", "code_b": "MA07BF", "decision": "accepted"}
    )
    assert response.status_code == 302 and response["Location"] == _url(workspace)
    decision = MatchDecision.objects.get()
    assert (decision.code_a, decision.code_b, decision.decision) == ("MA07BE", "MA07BF", "accepted")
    assert (decision.earlier_timepoint, decision.later_timepoint) == ("pre", "post")
    assert decision.decided_by == workspace.users["evaluator"]
    after = analyse(cohort)
    assert after.evaluation is not None
    assert after.evaluation.options.accepted_matches == (("SOL-1", "MA07BE", "MA07BF"),)
    assert after.matched_pairs == 7
    assert after.evaluation.to_dict()["settings"]["accepted_matches"] == 1
    assert analyse(Scope.of(workspace.organisation)).matched_pairs == 7
    assert analyse(Scope.of(workspace.organisation, workspace.programme)).matched_pairs == 7
    # merged now, so no longer a probable match; listed under accepted matches instead
    page = client_for(workspace.users["evaluator"]).get(_url(workspace)).content.decode()
    assert "There are no possible matches to check in this cohort." in page
    assert "Undo: two people" in page


def test_decisions_are_audited_without_the_codes(workspace: Workspace) -> None:
    _typo_pair(workspace)
    client = client_for(workspace.users["admin"])
    client.post(_url(workspace), {"code_a": "MA07BE", "code_b": "MA07BF", "decision": "accepted"})
    client.post(_url(workspace), {"code_a": "MA07BE", "code_b": "MA07BF", "decision": "rejected"})
    events = AuditEvent.objects.filter(object_type="match decision").order_by("at", "id")
    assert [(e.action, e.actor, e.changes.get("decision")) for e in events] == [
        ("created", workspace.users["admin"], [None, "accepted"]),
        ("updated", workspace.users["admin"], ["accepted", "rejected"]),
    ]
    assert events[0].organisation == workspace.organisation
    assert events[0].changes["cohort"] == [None, workspace.cohort.pk]
    for event in events:
        assert "MA07" not in f"{event.object_label} {event.changes}"
    assert analyse(Scope.of(workspace.organisation, workspace.cohort)).matched_pairs == 6


def test_a_rejected_pair_stays_listed_with_the_decision_and_counts_as_two_people(
    workspace: Workspace,
) -> None:
    _typo_pair(workspace)
    client = client_for(workspace.users["evaluator"])
    client.post(_url(workspace), {"code_a": "MA07BE", "code_b": "MA07BF", "decision": "rejected"})
    page = client.get(_url(workspace)).content.decode()
    assert "Rejected by evaluator-north" in page
    assert analyse(Scope.of(workspace.organisation, workspace.cohort)).matched_pairs == 6


def test_a_pair_that_is_not_proposed_cannot_be_decided(workspace: Workspace) -> None:
    _typo_pair(workspace)
    response = client_for(workspace.users["evaluator"]).post(
        _url(workspace), {"code_a": "P00XY", "code_b": "P01XY", "decision": "accepted"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "nhsuk-error-summary" in page
    assert "not a possible match in this cohort" in page
    assert not MatchDecision.objects.exists()


def test_once_one_candidate_is_accepted_the_other_is_no_longer_offered(
    workspace: Workspace,
) -> None:
    """MA07BE before has two candidates after; accepting both would join three codes."""
    _typo_pair(workspace)
    respond(workspace.post, "MA07BG", answers(5), profession="Health visitor")
    review = review_matches(Scope.of(workspace.organisation, workspace.cohort))
    assert review.result is not None
    pairs = {(m.earlier_code, m.later_code, m.ambiguous) for m in review.result.probable_matches}
    assert {("MA07BE", "MA07BF", True), ("MA07BE", "MA07BG", True)} <= pairs
    client = client_for(workspace.users["evaluator"])
    first = client.post(
        _url(workspace), {"code_a": "MA07BE", "code_b": "MA07BF", "decision": "accepted"}
    )
    assert first.status_code == 302
    second = client.post(
        _url(workspace), {"code_a": "MA07BE", "code_b": "MA07BG", "decision": "accepted"}
    )
    assert second.status_code == 400
    assert "not a possible match in this cohort any more" in second.content.decode()
    assert MatchDecision.objects.count() == 1
    page = client.get(_url(workspace)).content.decode()
    assert '<span class="imheval-code">MA07BG</span>' not in page


def test_the_core_refuses_an_acceptance_that_contradicts_an_accepted_one(
    workspace: Workspace,
) -> None:
    _typo_pair(workspace)
    respond(workspace.post, "MA07BG", answers(5), profession="Health visitor")
    client_for(workspace.users["evaluator"]).post(
        _url(workspace), {"code_a": "MA07BE", "code_b": "MA07BF", "decision": "accepted"}
    )
    review = review_matches(Scope.of(workspace.organisation, workspace.cohort))
    reason = review.check("MA07BE", "MA07BG")
    assert reason == (
        "accepted match MA07BE -> MA07BG in cohort 'SOL-1': codes already merged with these "
        "have a record at post, so they cannot be one person"
    )
    assert review.check("P00XY", "P01XY") != ""  # both measured at pre and post already
    respond(workspace.pre, "QQ11QQ", answers(3))  # someone seen only before training
    review = review_matches(Scope.of(workspace.organisation, workspace.cohort))
    assert review.check("QQ11QQ", "MA07BG") == ""


def test_a_decision_whose_response_was_deleted_no_longer_joins_anything(
    workspace: Workspace,
) -> None:
    from imheval.web.capture.models import Submission

    _typo_pair(workspace)
    client_for(workspace.users["evaluator"]).post(
        _url(workspace), {"code_a": "MA07BE", "code_b": "MA07BF", "decision": "accepted"}
    )
    Submission.objects.filter(code="MA07BF").delete()
    analysis = analyse(Scope.of(workspace.organisation, workspace.cohort))
    assert analysis.problem == ""
    assert analysis.matched_pairs == 6


def test_trainers_and_viewers_cannot_see_codes_or_decide(workspace: Workspace) -> None:
    _typo_pair(workspace)
    for role in ("trainer", "viewer"):
        client = client_for(workspace.users[role])
        assert client.get(_url(workspace)).status_code == 403
        posted = client.post(
            _url(workspace), {"code_a": "MA07BE", "code_b": "MA07BF", "decision": "accepted"}
        )
        assert posted.status_code == 403
        assert not re.search("MA07B[EF]", posted.content.decode())
    assert not MatchDecision.objects.exists()
