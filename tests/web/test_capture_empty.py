"""A questionnaire submitted with no answers at all asks once to confirm, and is recorded as
empty, not complete: results, counts and matching never see it (issue 12, item 5)."""

from __future__ import annotations

from typing import Any

import pytest
from test_capture_journey import PAGE_ANSWERS, Participant, text

from imheval.instruments import get_builtin
from imheval.web.capture import journey
from imheval.web.capture.models import Status, Submission
from imheval.web.organisations.models import AuditEvent
from imheval.web.results.adapter import response_table


@pytest.fixture
def blank(workspace: Any) -> Participant:
    """Someone who gave consent, a code and their work, and skipped every question."""
    person = Participant(workspace.pre)
    person.consent()
    person.make_code()
    person.about_you()
    for number in range(1, len(PAGE_ANSWERS) + 1):
        assert person.answer_page(number, {}).status_code == 302
    return person


def test_the_first_submit_with_no_answers_asks_to_confirm(blank: Participant) -> None:
    response = blank.submit()
    assert response.status_code == 200
    page = text(response)
    assert "You have not answered any questions" in page
    assert "It is not used in the results." in page
    assert f'<a class="nhsuk-link" href="{blank.url("questions", 1)}">Answer the questions</a>' in (
        page
    )
    assert '<input type="hidden" name="empty" value="yes">' in page
    assert "Submit without answers" in page
    assert blank.draft().status == Status.DRAFT


def test_the_check_page_before_submitting_does_not_ask(blank: Participant) -> None:
    page = text(blank.client.get(blank.url("check")))
    assert "You have not answered any questions" not in page
    assert "Submit your answers" in page


def test_confirming_records_it_as_empty_and_thanks_without_saying_answers_were_saved(
    blank: Participant,
) -> None:
    key = blank.draft().key
    blank.submit()
    response = blank.client.post(blank.url("check"), {"empty": "yes"})
    assert response.status_code == 302 and response.url == blank.url("thanks")
    row = Submission.objects.get(key=key)
    assert row.status == Status.EMPTY and row.completed_at is not None
    assert row.answers == {} and not row.is_complete
    page = text(blank.client.get(blank.url("thanks")))
    assert "Your questionnaire was sent with no answers." in page
    assert "Your answers have been saved." not in page
    # A double tap is thanked again and changes nothing.
    assert blank.client.post(blank.url("check"), {"empty": "yes"}).url == blank.url("thanks")
    assert Submission.objects.filter(status=Status.EMPTY).count() == 1
    assert "sent with no answers" in text(blank.client.get(blank.url("thanks")))
    # Recorded in the audit log once, like any submitted response (never the answers).
    assert AuditEvent.objects.filter(object_type="submission").count() == 1


def test_an_empty_response_is_not_read_by_the_results(workspace: Any, blank: Participant) -> None:
    blank.submit()
    blank.client.post(blank.url("check"), {"empty": "yes"})
    Participant(workspace.pre).complete(code=("QU", "19", "XK"))
    assert Submission.objects.filter(status=Status.EMPTY).count() == 1
    table = response_table(
        Submission.objects.filter(collection=workspace.pre), [get_builtin("imh-core")], "test"
    )
    assert table.n_rows == 1


def test_one_answer_is_enough_to_submit_at_once_as_complete(blank: Participant) -> None:
    blank.answer_page(1, {"K1": "b"})
    response = blank.submit()
    assert response.status_code == 302
    assert Submission.objects.get().status == Status.COMPLETE


def test_complete_locked_makes_a_draft_without_answers_empty(workspace: Any) -> None:
    draft = Submission.objects.create(collection=workspace.pre, code="MA07BE")
    assert journey.complete(draft).status == Status.EMPTY
