"""The cohort page's count of matched people still to answer the follow-up counts a pair of codes
a reviewer accepted as one person, as the analysis does (workspace.cohort_setup.follow_up_gap)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from imheval.web.capture.models import Submission
from imheval.web.results.models import MatchDecision
from imheval.web.workspace import cohort_setup
from imheval.web.workspace.models import Collection


def _answer(collection: Collection, code: str, profession: str = "Social worker") -> None:
    Submission.objects.create(
        collection=collection, code=code, status="complete", profession=profession
    )


def _decide(workspace: Any, earlier: str, later: str, decision: str, at: str = "post") -> None:
    MatchDecision.objects.create(
        cohort=workspace.cohort,
        code_a=earlier,
        code_b=later,
        earlier_timepoint="pre",
        later_timepoint=at,
        decision=decision,
    )


def _six_matched(workspace: Any) -> None:
    for code in ("A1", "A2", "A3", "A4", "A5", "A6"):
        _answer(workspace.pre, code)
        _answer(workspace.post, code)
        _answer(workspace.followup, code)


def test_a_pair_matched_only_by_an_accepted_decision_counts_as_one_person(workspace: Any) -> None:
    _six_matched(workspace)
    _answer(workspace.pre, "MA07BE")
    _answer(workspace.post, "MA07BF")  # one character mistyped at post
    gap = cohort_setup.follow_up_gap(workspace.cohort)
    assert (gap.matched, gap.without_followup, gap.by_decision) == (6, 0, False)
    _decide(workspace, "MA07BE", "MA07BF", "accepted")
    gap = cohort_setup.follow_up_gap(workspace.cohort)
    assert (gap.matched, gap.without_followup, gap.by_decision) == (7, 1, True)
    assert gap.sentence == (
        "Of the 7 people who answered both the pre-test and the post-test with the same code, "
        "or with two codes accepted as one person on the matching page, fewer than 5 have not "
        "answered the follow-up yet."
    )
    client = Client()
    client.force_login(workspace.users["trainer"])
    page = client.get(reverse("workspace:cohort", args=["northern", workspace.cohort.pk]))
    assert "fewer than 5 have not answered the follow-up yet" in page.content.decode()
    assert "MA07BE" not in page.content.decode()


def test_a_follow_up_under_either_code_of_an_accepted_pair_counts_as_answered(
    workspace: Any,
) -> None:
    _six_matched(workspace)
    _answer(workspace.pre, "MA07BE")
    _answer(workspace.post, "MA07BF")
    _answer(workspace.followup, "MA07BF")  # the mistyped code again at follow-up
    _decide(workspace, "MA07BE", "MA07BF", "accepted")
    gap = cohort_setup.follow_up_gap(workspace.cohort)
    assert (gap.matched, gap.without_followup) == (7, 0)
    assert gap.sentence.endswith("all have answered the follow-up.")


def test_a_rejected_pair_stays_two_people(workspace: Any) -> None:
    _six_matched(workspace)
    _answer(workspace.pre, "MA07BE")
    _answer(workspace.post, "MA07BF")
    _decide(workspace, "MA07BE", "MA07BF", "rejected")
    gap = cohort_setup.follow_up_gap(workspace.cohort)
    assert (gap.matched, gap.without_followup, gap.by_decision) == (6, 0, False)


def test_a_decision_whose_response_was_deleted_joins_nothing(workspace: Any) -> None:
    _six_matched(workspace)
    _answer(workspace.pre, "MA07BE")
    _decide(workspace, "MA07BE", "MA07BF", "accepted")
    assert cohort_setup.follow_up_gap(workspace.cohort).matched == 6


def test_another_cohorts_decision_and_codes_do_not_count(workspace: Any) -> None:
    _six_matched(workspace)
    _answer(workspace.pre, "MA07BE")
    other = workspace.other_collection
    _answer(other, "MA07BF")
    MatchDecision.objects.create(
        cohort=workspace.other_cohort,
        code_a="MA07BE",
        code_b="MA07BF",
        earlier_timepoint="pre",
        later_timepoint="post",
        decision="accepted",
    )
    assert cohort_setup.follow_up_gap(workspace.cohort).matched == 6


def test_a_code_given_twice_at_one_questionnaire_is_left_out_as_in_the_analysis(
    workspace: Any,
) -> None:
    _six_matched(workspace)
    _answer(workspace.pre, "TW01CE")
    _answer(workspace.pre, "TW01CE", profession="Nurse")
    _answer(workspace.post, "TW01CE")
    gap = cohort_setup.follow_up_gap(workspace.cohort)
    assert (gap.matched, gap.without_followup) == (6, 0)
