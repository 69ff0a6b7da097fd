"""Completion from the register: the programme's rule applied to attendance, in exact integers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imheval.web.workforce.completion import progress_of, settle_programme, settle_trainees
from imheval.web.workforce.models import SessionAttendance, Trainee
from imheval.web.workspace.models import Cohort

END = datetime.date(2026, 11, 3)


def _sixteen_weeks(workspace: Any, rule: str = "attendance", threshold: int = 80) -> None:
    programme = workspace.programme
    programme.sessions = 16
    programme.completion_rule = rule
    programme.attendance_threshold = threshold
    programme.save()


def _trainee(cohort: Any, person: str, present: set[int], **fields: Any) -> Trainee:
    trainee = Trainee.objects.create(
        cohort=cohort, person=person, profession="Health visitor", service="0-19", **fields
    )
    SessionAttendance.objects.bulk_create(
        SessionAttendance(trainee=trainee, session=number, present=number in present)
        for number in range(1, 17)
    )
    return trainee


def _completed_on(trainee: Trainee) -> datetime.date | None:
    return Trainee.objects.get(pk=trainee.pk).completed_on


def test_eighty_percent_of_sixteen_sessions_needs_thirteen(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    thirteen = _trainee(workspace.cohort, "E1", set(range(1, 14)))
    twelve = _trainee(workspace.cohort, "E2", set(range(1, 13)))
    settle_trainees([thirteen, twelve])
    assert _completed_on(thirteen) == END
    assert _completed_on(twelve) is None
    assert thirteen.completed_on == END  # the objects passed in are updated too
    assert progress_of(workspace.programme, 12, False).needed == 13


def test_needed_rounds_up_and_exact_share_is_enough(workspace: Any) -> None:
    _sixteen_weeks(workspace, threshold=75)  # 75% of 16 is exactly 12
    twelve = _trainee(workspace.cohort, "E1", set(range(1, 13)))
    eleven = _trainee(workspace.cohort, "E2", set(range(1, 12)))
    settle_trainees([twelve, eleven])
    assert _completed_on(twelve) == END
    assert _completed_on(eleven) is None
    assert progress_of(workspace.programme, 0, False).needed == 12
    workspace.programme.attendance_threshold = 70  # 11.2 sessions: 12 needed
    assert progress_of(workspace.programme, 11, False).needed == 12
    assert not progress_of(workspace.programme, 11, False).complete


def test_final_session_rule_needs_the_last_session_only(workspace: Any) -> None:
    _sixteen_weeks(workspace, rule="final_session")
    last_only = _trainee(workspace.cohort, "E1", {16})
    all_but_last = _trainee(workspace.cohort, "E2", set(range(1, 16)))
    settle_trainees([last_only, all_but_last])
    assert _completed_on(last_only) == END
    assert _completed_on(all_but_last) is None
    assert progress_of(workspace.programme, 1, True).needed is None


def test_completion_by_hand_is_never_changed(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    by_hand_done = _trainee(
        workspace.cohort,
        "E1",
        set(),
        completion_by_hand=True,
        completed_on=datetime.date(2026, 12, 1),
    )
    by_hand_not = _trainee(workspace.cohort, "E2", set(range(1, 17)), completion_by_hand=True)
    settle_trainees([by_hand_done, by_hand_not])
    assert _completed_on(by_hand_done) == datetime.date(2026, 12, 1)
    assert _completed_on(by_hand_not) is None


def test_completion_date_is_end_date_else_start_date(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    open_ended = Cohort.objects.create(
        programme=workspace.programme, name="SOL-2", start_date=datetime.date(2027, 1, 11)
    )
    ended = _trainee(workspace.cohort, "E1", set(range(1, 17)))
    not_ended = _trainee(open_ended, "E1", set(range(1, 17)))
    settle_trainees([ended, not_ended])
    assert _completed_on(ended) == datetime.date(2026, 11, 3)
    assert _completed_on(not_ended) == datetime.date(2027, 1, 11)


def test_a_completion_is_withdrawn_when_attendance_falls_short(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    trainee = _trainee(workspace.cohort, "E1", set(range(1, 17)))
    settle_trainees([trainee])
    assert _completed_on(trainee) == END
    SessionAttendance.objects.filter(trainee=trainee, session__lte=4).update(present=False)
    settle_trainees([trainee])
    assert _completed_on(trainee) is None


def test_settle_programme_after_its_rule_changes(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    twelve = _trainee(workspace.cohort, "E1", set(range(1, 13)))
    settle_programme(workspace.programme)
    assert _completed_on(twelve) is None
    workspace.programme.attendance_threshold = 75
    workspace.programme.save()
    settle_programme(workspace.programme)
    assert _completed_on(twelve) == END
    # Fewer sessions: marks beyond the programme's sessions no longer count.
    workspace.programme.sessions = 10
    workspace.programme.attendance_threshold = 100
    workspace.programme.save()
    settle_programme(workspace.programme)
    assert _completed_on(twelve) == END  # sessions 1-10 all attended
    workspace.programme.sessions = 14
    workspace.programme.save()
    settle_programme(workspace.programme)
    assert _completed_on(twelve) is None  # 12 of 14


def test_settle_programme_leaves_other_programmes_alone(workspace: Any) -> None:
    other = Trainee.objects.create(
        cohort=workspace.other_cohort, person="S1", profession="Nurse", service="Community"
    )
    SessionAttendance.objects.create(trainee=other, session=1, present=True)
    settle_programme(workspace.programme)
    assert _completed_on(other) is None


@pytest.mark.parametrize("people", [3, 30])
def test_settling_takes_a_constant_number_of_queries(workspace: Any, people: int) -> None:
    _sixteen_weeks(workspace)
    trainees = [_trainee(workspace.cohort, f"E{n}", set(range(1, 17))) for n in range(people)]
    with CaptureQueriesContext(connection) as queries:
        settle_trainees(trainees)
    assert len(queries) <= 3  # read with counts, one bulk update (maybe batched by SQLite)
    assert Trainee.objects.filter(completed_on=END).count() == people
    with CaptureQueriesContext(connection) as queries:
        settle_programme(workspace.programme)  # nothing changed: no write
    assert len(queries) == 2


def test_nothing_to_settle_takes_no_query(workspace: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        settle_trainees([])
    assert len(queries) == 0


def test_rule_names_are_the_programme_choices() -> None:
    from imheval.web.workforce import completion
    from imheval.web.workspace.models import CompletionRule

    assert {completion.ATTENDANCE, completion.FINAL_SESSION} == set(CompletionRule.values)
