"""Outcomes beside coverage: the kept evaluation figures per programme and cohort, their refresh
when the data change (in the request inside a test's transaction, else in the background), the
page (one table per level, a plain sentence per programme, downloads) and its privacy.

The data are small and written inline: knowledge (imh-core 1.0.0, 6 keyed items, 0 to 6) is the
number of knowledge items answered right, so every figure can be worked out by hand.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import statistics
from decimal import Decimal
from typing import Any

import pytest
from conftest import CORE_V1, Workspace, client_as
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from task_worker import queued, run_tasks
from test_results_pages import answers, respond

from imheval.web.results import snapshots
from imheval.web.results.analysis import Scope, analyse
from imheval.web.workforce import outcome_tasks
from imheval.web.workforce.models import CohortOutcome, PlacesYear, ProgrammeOutcome, Trainee
from imheval.web.workforce.outcomes import (
    OUTCOME_FORMAT,
    outcomes_stale,
    programme_outcomes,
    refresh_outcomes,
)
from imheval.web.workspace.models import Cohort, Collection, Programme

KNOWLEDGE_MAX = 6
#: Knowledge right before and after, per person, in two cohorts of one programme.
SOL1 = ([1, 2, 2, 3, 1, 2], [4, 5, 6, 5, 4, 6])
SOL2 = ([0, 1, 1, 2, 3, 2, 1], [3, 4, 5, 5, 6, 4, 4])
#: People of SOL-1 who also answered the follow-up.
FOLLOWED_UP = 5


def add_cohort(programme: Any, name: str, start: datetime.date, followup: bool = False) -> Any:
    cohort = Cohort.objects.create(programme=programme, name=name, start_date=start)
    core = {"instrument_refs": ["imh-core"], "instrument_versions": CORE_V1}
    made = {
        timepoint: Collection.objects.create(cohort=cohort, timepoint=timepoint, **core)
        for timepoint in ("pre", "post")
    }
    if followup:
        made["followup"] = Collection.objects.create(
            cohort=cohort, timepoint="followup", follow_up_weeks=12, **core
        )
    return cohort, made


def answer_both(pre: Any, post: Any, prefix: str, scores: tuple[list[int], list[int]]) -> None:
    """One person per score pair: knowledge right before and after; ratings varied."""
    for i, (before, after) in enumerate(zip(*scores, strict=True)):
        code = f"{prefix}{i:02d}QZ"
        respond(pre, code, answers(before, rating=2 + i % 2))
        respond(post, code, answers(after, rating=4 + i % 2))


@pytest.fixture
def two_cohorts(workspace: Workspace) -> Workspace:
    """Solihull foundation: SOL-1 (6 matched, 5 at follow-up) and SOL-2 (7 matched)."""
    answer_both(workspace.pre, workspace.post, "A", SOL1)
    for i in range(FOLLOWED_UP):
        respond(workspace.followup, f"A{i:02d}QZ", answers(SOL1[1][i] - 1, rating=4))
    _, made = add_cohort(workspace.programme, "SOL-2", datetime.date(2027, 1, 11))
    answer_both(made["pre"], made["post"], "B", SOL2)
    workspace.extra["sol2"] = Cohort.objects.get(name="SOL-2")
    return workspace


def codes() -> list[str]:
    from imheval.web.capture.models import Submission

    return sorted(set(Submission.objects.values_list("code", flat=True)))


def page(workspace: Workspace, user: str = "viewer") -> str:
    url = reverse("workforce:outcomes", args=[workspace.organisation.slug])
    response = client_as(workspace.users[user]).get(url)
    assert response.status_code == 200
    return response.content.decode()


def words(html: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())


# ------------------------------------------------------------------------- the kept figures


def test_programme_outcome_keeps_the_results_pages_effect_size_change_and_p(
    two_cohorts: Workspace,
) -> None:
    workspace = two_cohorts
    refresh_outcomes(workspace.organisation)
    content = ProgrammeOutcome.objects.get(programme=workspace.programme).content
    knowledge = next(m for m in content["measures"] if m["id"] == "knowledge")

    # the results page's own analysis of the same programme
    evaluation = analyse(Scope.of(workspace.organisation, workspace.programme)).evaluation
    assert evaluation is not None
    entry = evaluation.domain("knowledge").test("participant", "paired_t")
    assert entry is not None
    dz = entry.result.effect("cohen_dz")
    assert dz is not None and dz.ci is not None
    effect = next(e for e in knowledge["effects"] if e["name"] == "cohen_dz")
    assert effect["value"] == dz.value
    assert effect["ci"] == [dz.ci.low, dz.ci.high]
    assert effect["label"] == "Cohen's d_z (mean change / SD of change)"
    assert knowledge["p"] == entry.result.p and knowledge["p_holm"] == entry.p_holm

    # and by hand: d_z is the mean change over the SD of the changes
    gains = [b - a for a, b in zip(SOL1[0] + SOL2[0], SOL1[1] + SOL2[1], strict=True)]
    assert knowledge["n"] == 13
    assert knowledge["change"] == pytest.approx(statistics.mean(gains), rel=1e-12)
    assert effect["value"] == pytest.approx(
        statistics.mean(gains) / statistics.stdev(gains), rel=1e-12
    )
    assert knowledge["pre_mean"] == pytest.approx(statistics.mean(SOL1[0] + SOL2[0]), rel=1e-12)
    assert knowledge["significant"] is True
    assert content["main"] == "knowledge"
    assert content["format"] == OUTCOME_FORMAT
    assert {m["id"] for m in content["measures"]} == {
        "knowledge",
        "risk_identification",
        "self_efficacy",
    }


def test_follow_up_retention_and_kirkpatrick_levels(two_cohorts: Workspace) -> None:
    workspace = two_cohorts
    refresh_outcomes(workspace.organisation)
    [row] = programme_outcomes(workspace.organisation)
    assert (row.matched, row.followup_matched) == (13, FOLLOWED_UP)
    assert row.retention == pytest.approx(5 / 13)
    assert row.kirkpatrick == (2,)
    assert row.kirkpatrick_text == "2 Learning"


def test_kirkpatrick_levels_come_from_every_questionnaire_asked(two_cohorts: Workspace) -> None:
    workspace = two_cohorts
    post = workspace.post
    post.instrument_refs = ["imh-core", "imh-reaction"]
    post.save()
    refresh_outcomes(workspace.organisation)
    [row] = programme_outcomes(workspace.organisation)
    assert row.kirkpatrick == (1, 2)
    assert row.kirkpatrick_text == "1 Reaction, 2 Learning"
    assert CohortOutcome.objects.get(cohort=workspace.cohort).kirkpatrick == [1, 2]
    assert CohortOutcome.objects.get(cohort=workspace.extra["sol2"]).kirkpatrick == [2]


def test_cohort_outcome_is_the_gain_in_percent_of_the_measures_range(
    two_cohorts: Workspace,
) -> None:
    workspace = two_cohorts
    refresh_outcomes(workspace.organisation)
    for cohort, (before, after), followed in (
        (workspace.cohort, SOL1, FOLLOWED_UP),
        (workspace.extra["sol2"], SOL2, 0),
    ):
        kept = CohortOutcome.objects.get(cohort=cohort)
        gains = [(b - a) * 100 / KNOWLEDGE_MAX for a, b in zip(before, after, strict=True)]
        assert kept.measure == "Knowledge"
        assert kept.matched == len(before)
        assert kept.pre_mean == pytest.approx(statistics.mean(before) * 100 / KNOWLEDGE_MAX)
        assert kept.post_mean == pytest.approx(statistics.mean(after) * 100 / KNOWLEDGE_MAX)
        assert kept.mean_gain == pytest.approx(statistics.mean(gains), rel=1e-12)
        assert kept.sd_gain == pytest.approx(statistics.stdev(gains), rel=1e-12)
        assert kept.followup_matched == followed
        assert kept.kirkpatrick == [2]
    # SOL-1 by hand: gains 3, 3, 4, 2, 3, 4 of 6 points
    sol1 = CohortOutcome.objects.get(cohort=workspace.cohort)
    assert sol1.mean_gain == pytest.approx(19 / 6 / 6 * 100)
    assert sol1.sd_gain == pytest.approx(math.sqrt(17 / 30) / 6 * 100)


def test_small_groups_keep_no_figures(workspace: Workspace) -> None:
    """A cohort, and a programme, with 3 matched people: counts only in the cohort's row (for
    the region's own rule), nothing at all in the programme's; the page says "hidden"."""
    answer_both(workspace.pre, workspace.post, "S", ([1, 2, 3], [4, 4, 5]))
    refresh_outcomes(workspace.organisation)
    kept = CohortOutcome.objects.get(cohort=workspace.cohort)
    assert kept.matched == 3
    assert (kept.pre_mean, kept.post_mean, kept.mean_gain, kept.sd_gain) == (None,) * 4
    content = ProgrammeOutcome.objects.get(programme=workspace.programme).content
    assert content["matched"] is None and content["followup_matched"] is None
    for measure in content["measures"]:
        assert measure["suppressed"] is True and measure["n"] is None
        assert "effects" not in measure and "pre_mean" not in measure and "change" not in measure
    html = page(workspace)
    assert ">hidden<" in html
    assert (
        "Solihull Approach foundation: 0 people completed; fewer than 5 people answered both "
        "before and after training, too few to report the change." in words(html)
    )


def test_a_follow_up_of_fewer_than_five_is_hidden(workspace: Workspace) -> None:
    answer_both(workspace.pre, workspace.post, "F", SOL1)
    for i in range(3):
        respond(workspace.followup, f"F{i:02d}QZ", answers(4))
    refresh_outcomes(workspace.organisation)
    [row] = programme_outcomes(workspace.organisation)
    assert (row.matched, row.followup_matched, row.retention) == (6, None, None)
    assert CohortOutcome.objects.get(cohort=workspace.cohort).followup_matched == 3


def test_only_changed_data_are_computed_again(two_cohorts: Workspace) -> None:
    workspace = two_cohorts
    first = refresh_outcomes(workspace.organisation)
    assert set(first.programmes) == {workspace.programme.pk}
    assert set(first.cohorts) == {workspace.cohort.pk, workspace.extra["sol2"].pk}
    assert not outcomes_stale(workspace.organisation, programme_outcomes(workspace.organisation))

    again = refresh_outcomes(workspace.organisation)
    assert (again.programmes, again.cohorts) == ((), ())

    kept = ProgrammeOutcome.objects.get(programme=workspace.programme)
    respond(workspace.post, "NEW00QZ", answers(5))  # a post-test only: n stays 13
    assert outcomes_stale(workspace.organisation, programme_outcomes(workspace.organisation))
    third = refresh_outcomes(workspace.organisation)
    assert workspace.programme.pk in third.programmes
    assert workspace.cohort.pk in third.cohorts
    fresh = ProgrammeOutcome.objects.get(programme=workspace.programme)
    assert fresh.fingerprint != kept.fingerprint
    assert not outcomes_stale(workspace.organisation, programme_outcomes(workspace.organisation))

    # a row kept by an older format is computed again though its data did not change
    ProgrammeOutcome.objects.filter(pk=fresh.pk).update(fingerprint="old format")
    assert refresh_outcomes(workspace.organisation).programmes == (workspace.programme.pk,)


def test_no_code_answer_or_name_is_kept_or_shown(two_cohorts: Workspace) -> None:
    workspace = two_cohorts
    Trainee.objects.create(
        cohort=workspace.cohort,
        person="Sam Okafor",
        profession="Health visitor",
        service="Health visiting",
        completed_on=datetime.date(2026, 11, 3),
    )
    html = page(workspace)
    url = reverse("workforce:outcomes_download", args=["northern", "csv"])
    download = client_as(workspace.users["viewer"]).get(url).content.decode()
    kept = [
        str(row)
        for row in CohortOutcome.objects.values_list(
            "measure", "matched", "pre_mean", "post_mean", "mean_gain", "sd_gain", "kirkpatrick"
        )
    ]
    kept.append(str(ProgrammeOutcome.objects.get().content))
    every_code = codes()
    assert len(every_code) == 13
    for text in (html, download, *kept):
        for code in every_code:
            assert code not in text
        assert "Sam Okafor" not in text and "Health visitor" not in text
    assert "Solihull Approach foundation: 1 person completed" in words(html)
    # no answer: the cohort row holds aggregates only, its fields are these
    fields = {f.name for f in CohortOutcome._meta.get_fields()}
    assert fields == {
        "id",
        "cohort",
        "fingerprint",
        "computed_at",
        "measure",
        "matched",
        "pre_mean",
        "post_mean",
        "mean_gain",
        "sd_gain",
        "followup_matched",
        "kirkpatrick",
    }


# ------------------------------------------------------------------------- the page


def test_the_page_shows_how_many_beside_did_it_work(two_cohorts: Workspace) -> None:
    workspace = two_cohorts
    programme = workspace.programme
    programme.framework_level = "Skilled"
    programme.places_per_year = 120
    programme.save()
    PlacesYear.objects.create(programme=programme, year=2026, funded=100)
    for i in range(3):
        Trainee.objects.create(
            cohort=workspace.cohort,
            person=f"E10{i}",
            profession="Health visitor",
            service="Health visiting",
            completed_on=datetime.date(2026, 11, 3) if i < 2 else None,
        )
    Programme.objects.create(
        organisation=workspace.organisation,
        name="Online awareness",
        level="beginner",
        delivery="online",
        duration_value=Decimal("2"),
        duration_unit="hours",
        framework_level="Informed",
    )
    [informed, skilled] = programme_outcomes(
        workspace.organisation, as_of=datetime.date(2026, 12, 1)
    )
    assert (informed.programme, skilled.programme) == ("Online awareness", programme.name)
    assert (skilled.places_year, skilled.places_funded, skilled.trained) == (2026, 100, 2)
    later = programme_outcomes(workspace.organisation, as_of=datetime.date(2027, 4, 1))
    assert later[1].places_funded == 120  # no PlacesYear for 2027: the programme's figure

    html = page(workspace)  # refreshes in the request (a test runs in a transaction)
    text = words(html)
    assert '<h2 id="level-1">Informed</h2>' in html and '<h2 id="level-2">Skilled</h2>' in html
    evaluation = analyse(Scope.of(workspace.organisation, programme)).evaluation
    assert evaluation is not None
    entry = evaluation.domain("knowledge").test("participant", "paired_t")
    assert entry is not None and entry.result.estimate is not None
    dz = entry.result.effect("cohen_dz")
    assert dz is not None and dz.ci is not None
    shown = f"{dz.value:.2f} ({dz.ci.low:.2f} to {dz.ci.high:.2f})"
    assert shown in text
    assert f"+{entry.result.estimate:.2f} of 6" in text
    assert "38% (5 of 13)" in text
    assert (
        f"Solihull Approach foundation: 2 people completed; knowledge rose by "
        f"{entry.result.estimate:.1f} points of 6 (Cohen's d_z {dz.value:.2f}, 95% CI "
        f"{dz.ci.low:.2f} to {dz.ci.high:.2f}), a large change." in text
    )
    assert "Online awareness: 0 people completed; no evaluation results yet." in text
    assert "Cohen's d_z (95% CI)" in text and "Kirkpatrick levels measured" in text
    assert "being updated" not in text and "being worked out" not in text


def test_the_download_has_the_table_with_full_precision(two_cohorts: Workspace) -> None:
    workspace = two_cohorts
    refresh_outcomes(workspace.organisation)
    client = client_as(workspace.users["viewer"])
    response = client.get(reverse("workforce:outcomes_download", args=["northern", "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="outcomes-northern.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    [row] = rows
    evaluation = analyse(Scope.of(workspace.organisation, workspace.programme)).evaluation
    assert evaluation is not None
    entry = evaluation.domain("knowledge").test("participant", "paired_t")
    assert entry is not None
    dz = entry.result.effect("cohen_dz")
    assert dz is not None
    assert float(row["Effect size"]) == pytest.approx(dz.value, rel=1e-12)
    assert row["Effect size type"] == "Cohen's d_z"
    assert row["Matched before and after"] == "13"
    assert row["Matched at follow-up"] == "5"
    assert float(row["Follow-up retention (%)"]) == pytest.approx(500 / 13)
    assert row["Kirkpatrick levels measured"] == "2 Learning"
    xlsx = client.get(reverse("workforce:outcomes_download", args=["northern", "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    other = client.get(reverse("workforce:outcomes_download", args=["northern", "pdf"]))
    assert other.status_code == 404


def test_a_page_with_no_programmes_or_no_answers_says_so(workspace: Workspace) -> None:
    text = words(page(workspace))
    assert "Solihull Approach foundation: 0 people completed; no evaluation results yet." in text
    Programme.objects.all().delete()
    assert "There are no programmes yet." in words(page(workspace))


def test_outsiders_get_404_and_anonymous_visitors_sign_in(workspace: Workspace) -> None:
    for url in (
        reverse("workforce:outcomes", args=["northern"]),
        reverse("workforce:outcomes_download", args=["northern", "csv"]),
    ):
        assert client_as(workspace.outsider).get(url).status_code == 404
        anonymous = client_as().get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/sign-in/?next=")
        assert client_as(workspace.users["viewer"]).post(url).status_code == 405


# ------------------------------------------------------------------------- in the background


@pytest.fixture
def background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Background mode inside a test transaction: refreshes are queued, and no worker runs
    them unless the test does."""
    monkeypatch.setattr(snapshots, "refresh_in_background", lambda: True)


def queued_refreshes() -> list[list[Any]]:
    return [
        row.args_kwargs["args"]
        for row in queued()
        if row.task_path == outcome_tasks.refresh_outcomes_task.module_path
    ]


def test_nothing_computed_yet_is_said_plainly_and_worked_out_behind(
    two_cohorts: Workspace, background: None
) -> None:
    workspace = two_cohorts
    text = words(page(workspace))
    assert "The results are being worked out" in text
    assert "Nothing has been worked out yet for these programmes." in text
    assert "the evaluation results have not been worked out yet" in text
    assert ProgrammeOutcome.objects.count() == 0
    assert queued_refreshes() == [[workspace.organisation.pk]]
    page(workspace)  # a second visit queues no other
    assert len(queued_refreshes()) == 1

    run_tasks()
    assert queued_refreshes() == []
    text = words(page(workspace))
    assert "being worked out" not in text and "being updated" not in text
    assert "knowledge rose by" in text
    assert CohortOutcome.objects.count() == 2


def test_changed_data_show_the_kept_figures_while_they_are_updated(
    two_cohorts: Workspace, background: None
) -> None:
    workspace = two_cohorts
    refresh_outcomes(workspace.organisation)
    assert "being updated" not in words(page(workspace))
    assert queued_refreshes() == []

    answer_both(workspace.pre, workspace.post, "C", ([0, 0], [6, 6]))
    text = words(page(workspace))
    assert "These results are being updated" in text
    assert "(13 of" not in text and "38% (5 of 13)" in text  # the kept figures
    assert queued_refreshes() == [[workspace.organisation.pk]]

    run_tasks()
    text = words(page(workspace))
    assert "being updated" not in text
    assert "33% (5 of 15)" in text


def test_a_failed_refresh_is_said_and_not_retried_at_once(
    two_cohorts: Workspace, background: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = two_cohorts

    def broken(organisation: Any) -> None:
        raise RuntimeError("the worker fell over")

    monkeypatch.setattr(outcome_tasks, "refresh_outcomes", broken)
    page(workspace)
    run_tasks()
    text = words(page(workspace))
    assert "These results could not be updated" in text
    assert queued_refreshes() == []


def test_the_page_reads_kept_rows_in_a_constant_number_of_queries(
    workspace: Workspace, django_assert_max_num_queries: Any
) -> None:
    """10 programmes of 5 cohorts with registers read as fast as one programme."""

    def grow(count: int) -> None:
        start = Programme.objects.count()
        for p in range(start, start + count):
            programme = Programme.objects.create(
                organisation=workspace.organisation,
                name=f"Programme {p:02d}",
                level="beginner",
                delivery="online",
                duration_value=Decimal("1"),
                duration_unit="days",
                framework_level=("Informed", "Skilled")[p % 2],
                places_per_year=20,
            )
            PlacesYear.objects.create(programme=programme, year=2026, funded=12)
            for c in range(5):
                cohort, _ = add_cohort(programme, f"P{p}-{c}", datetime.date(2026, 5, 1 + c))
                Trainee.objects.create(
                    cohort=cohort,
                    person=f"E{p}{c}",
                    profession="Nurse",
                    service="Wards",
                    completed_on=datetime.date(2026, 6, 1),
                )
        refresh_outcomes(workspace.organisation)

    answer_both(workspace.pre, workspace.post, "Q", SOL1)
    url = reverse("workforce:outcomes", args=["northern"])
    client = client_as(workspace.users["viewer"])
    counts = []
    for added in (1, 9):
        grow(added)
        client.get(url)  # the session and the like, once
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    assert ProgrammeOutcome.objects.count() == 11 and CohortOutcome.objects.count() == 51
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(11):
        client.get(url)
