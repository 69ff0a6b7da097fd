"""The organisation's home page as a to-do list (workspace.attention): each item appears when its
condition holds and goes when dealt with, another organisation's never appears, the cohort lists
carry the same as badges, and the page costs the same few queries for 3 cohorts as for 30."""

from __future__ import annotations

import datetime

from conftest import Workspace
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from test_results_pages import answers, client_for, matched_people, respond

from imheval.web.paper.models import ImportBatch, ImportStatus, PaperForm, PaperStatus
from imheval.web.results.models import MatchDecision, ResultsView
from imheval.web.workspace.attention import attention, overdue_text, shown
from imheval.web.workspace.models import Cohort, Collection

TODAY = datetime.date(2027, 8, 1)
#: Before SOL-1's follow-up is due (26 January 2027) or near it.
BEFORE_DUE = datetime.date(2026, 12, 1)


def _home(workspace: Workspace, role: str = "evaluator") -> str:
    client = client_for(workspace.users[role])
    return client.get(reverse("workspace:organisation", args=["northern"])).content.decode()


def test_overdue_text_says_how_long_in_words() -> None:
    assert overdue_text(0) == "due today"
    assert overdue_text(-10) == "due in 10 days"
    assert overdue_text(1) == "1 day overdue"
    assert overdue_text(20) == "2 weeks overdue"
    assert overdue_text(152) == "5 months overdue"
    assert overdue_text(800) == "2 years overdue"


def test_small_counts_of_people_are_hidden() -> None:
    assert shown(0) == "0"
    assert shown(3) == "fewer than 5"
    assert shown(5) == "5"


def test_open_questionnaire_is_listed_with_live_counts_linking_to_the_counts_page(
    workspace: Workspace,
) -> None:
    respond(workspace.pre, "AA01XY", answers(3))
    respond(workspace.pre, "BB02XY", answers(3))
    respond(workspace.pre, "CC03XY", {}, status="draft")
    found = attention(workspace.organisation, TODAY).open_questionnaires
    assert [(q.collection.pk, q.completed, q.started) for q in found] == [(workspace.pre.pk, 2, 1)]
    page = _home(workspace)
    assert reverse("results:cohort_counts", args=["northern", workspace.cohort.pk]) in page
    assert "2 completed, 1 started" in page
    workspace.pre.close()
    assert attention(workspace.organisation, TODAY).open_questionnaires == ()


def test_a_follow_up_never_opened_is_overdue_in_months_and_goes_once_opened_and_answered(
    workspace: Workspace,
) -> None:
    # SOL-1 ended on 3 November 2026; its follow-up was due 12 weeks later, 26 January 2027.
    today = datetime.date(2027, 6, 28)
    [item] = attention(workspace.organisation, today).follow_ups
    assert item.due == datetime.date(2027, 1, 26)
    assert item.when == "5 months overdue"
    assert item.state == "not opened"
    assert attention(workspace.organisation, today).badges() == {
        workspace.cohort.pk: ["Follow-up overdue"]
    }
    codes = matched_people(workspace, 4)
    workspace.followup.open()
    [item] = attention(workspace.organisation, today).follow_ups
    assert item.state == "open, 0 of 4 answered"
    for code in codes[:2]:
        respond(workspace.followup, code, answers(5))
    assert attention(workspace.organisation, today).follow_ups == ()


def test_a_follow_up_due_soon_is_listed_but_not_as_overdue(workspace: Workspace) -> None:
    [item] = attention(workspace.organisation, datetime.date(2027, 1, 20)).follow_ups
    assert item.when == "due in 6 days"
    assert not item.overdue
    assert attention(workspace.organisation, datetime.date(2027, 1, 20)).badges() == {}
    assert attention(workspace.organisation, datetime.date(2026, 12, 1)).follow_ups == ()


def _ended_weeks_ago(workspace: Workspace, weeks: int) -> None:
    """SOL-1 ended ``weeks`` weeks before today (its follow-up is due 12 weeks after)."""
    workspace.cohort.end_date = timezone.localdate() - datetime.timedelta(weeks=weeks)
    workspace.cohort.start_date = workspace.cohort.end_date
    workspace.cohort.save()


def test_the_home_page_says_how_long_a_follow_up_is_overdue(workspace: Workspace) -> None:
    _ended_weeks_ago(workspace, 12 + 22)
    page = _home(workspace)
    assert "<strong>5 months overdue</strong>" in page
    assert "not opened" in page
    assert reverse("workspace:collection_link", args=["northern", workspace.followup.pk]) in page


def test_a_probable_match_is_listed_per_cohort_until_decided(workspace: Workspace) -> None:
    matched_people(workspace, 6)
    respond(workspace.pre, "MA07BE", answers(2), profession="Health visitor")
    respond(workspace.post, "MA07BF", answers(6), profession="Health visitor")
    [item] = attention(workspace.organisation, TODAY).matches
    assert (item.cohort.pk, item.undecided, item.count_text) == (
        workspace.cohort.pk,
        1,
        "fewer than 5",
    )
    page = _home(workspace)
    assert reverse("results:cohort_matching", args=["northern", workspace.cohort.pk]) in page
    assert "fewer than 5 to check" in page
    assert "MA07BE" not in page
    assert (
        "Matches to check" in attention(workspace.organisation, TODAY).badges()[workspace.cohort.pk]
    )
    client_for(workspace.users["evaluator"]).post(
        reverse("results:cohort_matching", args=["northern", workspace.cohort.pk]),
        {"code_a": "MA07BE", "code_b": "MA07BF", "decision": "rejected"},
    )
    assert MatchDecision.objects.count() == 1
    assert attention(workspace.organisation, TODAY).matches == ()


def test_an_import_waiting_and_paper_differences_are_listed_until_finished(
    workspace: Workspace,
) -> None:
    batch = ImportBatch.objects.create(
        cohort=workspace.cohort, file_name="march.csv", layout="tidy"
    )
    paper = PaperForm.objects.create(
        collection=workspace.post,
        form_number=3,
        status=PaperStatus.DISCREPANT,
        first_code="MA07BE",
        second_code="MA07BF",
    )
    found = attention(workspace.organisation, BEFORE_DUE)
    assert [i.batch.pk for i in found.imports] == [batch.pk]
    assert [(d.collection.pk, d.forms) for d in found.differences] == [(workspace.post.pk, 1)]
    assert found.badges()[workspace.cohort.pk] == ["Import to finish"]
    page = _home(workspace)
    assert reverse("paper:import_preview", args=["northern", batch.pk]) in page
    assert reverse("paper:discrepancies", args=["northern", workspace.post.pk]) in page
    assert "1 paper form keyed twice with differences to resolve" in page
    batch.status = ImportStatus.IMPORTED
    batch.save()
    paper.status = PaperStatus.RESOLVED
    paper.save()
    found = attention(workspace.organisation, BEFORE_DUE)
    assert (found.imports, found.differences, found.badges()) == ((), (), {})


def test_results_changed_since_the_user_last_viewed_them_are_listed(workspace: Workspace) -> None:
    evaluator = workspace.users["evaluator"]
    respond(workspace.pre, "AA01XY", answers(3))
    assert attention(workspace.organisation, TODAY, user=evaluator).results_changed == ()  # never
    seen = ResultsView.objects.create(
        user=evaluator,
        cohort=workspace.cohort,
        viewed_at=timezone.now(),
        results_as_of=timezone.now() + datetime.timedelta(minutes=1),
    )
    assert attention(workspace.organisation, TODAY, user=evaluator).results_changed == ()
    seen.results_as_of = timezone.now() - datetime.timedelta(days=1)
    seen.save()
    [item] = attention(workspace.organisation, TODAY, user=evaluator).results_changed
    assert (item.cohort.pk, item.viewed_at) == (workspace.cohort.pk, seen.viewed_at)
    assert reverse("results:cohort", args=["northern", workspace.cohort.pk]) in _home(workspace)


def test_another_organisations_items_never_appear(workspace: Workspace) -> None:
    other = workspace.other_collection
    respond(other, "ZZ99XY", answers(3))
    ImportBatch.objects.create(cohort=workspace.other_cohort, file_name="theirs.csv", layout="t")
    PaperForm.objects.create(
        collection=other, form_number=1, status=PaperStatus.DISCREPANT, first_code="Z"
    )
    Collection.objects.create(
        cohort=workspace.other_cohort,
        timepoint="followup",
        instrument_refs=["imh-core"],
        follow_up_weeks=1,
    )
    found = attention(workspace.organisation, TODAY)
    assert [q.collection.pk for q in found.open_questionnaires] == [workspace.pre.pk]
    assert [f.collection.pk for f in found.follow_ups] == [workspace.followup.pk]
    assert (found.imports, found.differences) == ((), ())
    page = _home(workspace)
    assert "theirs.csv" not in page
    assert "TF-9" not in page
    assert workspace.other_cohort.pk not in found.badges()


def test_archived_cohorts_need_no_attention(workspace: Workspace) -> None:
    workspace.cohort.is_archived = True
    workspace.cohort.save()
    found = attention(workspace.organisation, TODAY)
    assert (found.open_questionnaires, found.follow_ups) == ((), ())


def test_the_cohort_lists_show_the_badges(workspace: Workspace) -> None:
    _ended_weeks_ago(workspace, 20)
    ImportBatch.objects.create(cohort=workspace.cohort, file_name="march.csv", layout="tidy")
    client = client_for(workspace.users["trainer"])
    for url in (
        reverse("workspace:cohorts", args=["northern"]),
        reverse("workspace:programme", args=["northern", workspace.programme.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Import to finish</strong>" in page
        assert "Follow-up overdue</strong>" in page


def _cohorts(workspace: Workspace, n: int, first: int = 0) -> None:
    """``n`` cohorts, each with an open pre and post, one exact and one probable match, a
    follow-up overdue, an import waiting and results the evaluator last saw yesterday."""
    for i in range(first, first + n):
        cohort = Cohort.objects.create(
            programme=workspace.programme, name=f"C-{i}", start_date=datetime.date(2026, 1, 1)
        )
        for timepoint in ("pre", "post"):
            collection = Collection.objects.create(
                cohort=cohort, timepoint=timepoint, instrument_refs=["imh-core"]
            )
            collection.open()
            respond(collection, f"P{i:02d}XY", answers(3))
            respond(collection, "MA07BE" if timepoint == "pre" else "MA07BF", answers(3))
        Collection.objects.create(
            cohort=cohort, timepoint="followup", instrument_refs=["imh-core"], follow_up_weeks=4
        )
        ImportBatch.objects.create(cohort=cohort, file_name=f"{i}.csv", layout="tidy")
        yesterday = timezone.now() - datetime.timedelta(days=1)
        ResultsView.objects.create(
            user=workspace.users["evaluator"],
            cohort=cohort,
            viewed_at=yesterday,
            results_as_of=yesterday,
        )


def _home_queries(workspace: Workspace) -> int:
    client = client_for(workspace.users["evaluator"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("workspace:organisation", args=["northern"]))
    assert response.status_code == 200
    return len(queries)


def test_the_home_page_costs_the_same_queries_for_3_cohorts_as_for_30(
    workspace: Workspace,
) -> None:
    _cohorts(workspace, 3)
    few = _home_queries(workspace)
    assert len(attention(workspace.organisation).imports) == 3
    _cohorts(workspace, 27, first=3)
    many = _home_queries(workspace)
    found = attention(workspace.organisation, user=workspace.users["evaluator"])
    assert len(found.imports) == 30
    assert len(found.results_changed) == 30
    assert len(found.matches) == 30
    assert len(found.follow_ups) == 30  # SOL-1's is not due yet
    assert many == few
    assert few <= 20
