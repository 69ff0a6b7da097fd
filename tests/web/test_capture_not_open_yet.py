"""A questionnaire never opened says "not open yet, come back" (with the expected date), not
"closed"; one opened and then closed still says closed (issue 12, item 2)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from imheval.web.capture import journey
from imheval.web.workspace.models import Collection


def _page(collection: Collection, step: str = "start") -> tuple[int, str]:
    response = Client().get(reverse(f"capture:{step}", args=[collection.token]))
    return response.status_code, " ".join(response.content.decode().split())


def _move_training(collection: Collection, start: datetime.date, end: datetime.date) -> None:
    cohort = collection.cohort
    cohort.start_date, cohort.end_date = start, end
    cohort.save()


def test_a_questionnaire_never_opened_says_not_open_yet_and_to_come_back(workspace: Any) -> None:
    status, page = _page(workspace.post)
    assert status == 200
    assert "This questionnaire is not open yet" in page
    assert "Please come back then: this link and its QR code will work." in page
    assert "closed" not in page
    # Like the closed page, nothing about the programme, cohort, trainer or venue.
    for secret in ("Solihull", "SOL-1", "Northern", "Antrim", "Dr A Trainer", "after the training"):
        assert secret not in page


def test_not_open_yet_gives_the_follow_up_due_date(workspace: Any) -> None:
    today = timezone.localdate()
    _move_training(workspace.followup, today - datetime.timedelta(days=1), today)
    status, page = _page(workspace.followup)
    due = today + datetime.timedelta(weeks=12)
    assert status == 200
    assert f"It is due to open on {due:%A} {due.day} {due:%B %Y}." in page


def test_not_open_yet_gives_the_training_day_and_today_when_it_is_today(workspace: Any) -> None:
    today = timezone.localdate()
    start = today + datetime.timedelta(days=10)
    _move_training(workspace.post, start, start + datetime.timedelta(days=1))
    workspace.pre.is_open, workspace.pre.opened_at = False, None
    workspace.pre.save()
    assert f"It is due to open on {journey.long_date(start)}." in _page(workspace.pre)[1]
    _move_training(workspace.post, today - datetime.timedelta(days=3), today)
    assert "It is due to open today." in _page(workspace.post)[1]


def test_a_date_already_past_is_not_given(workspace: Any) -> None:
    # The demo's cohort ran in November 2026 and the follow-up was due long ago: the
    # participant is told only that it opens soon, not a date in the past.
    _move_training(workspace.followup, datetime.date(2020, 1, 6), datetime.date(2020, 1, 7))
    page = _page(workspace.followup)[1]
    assert "This questionnaire is not open yet" in page
    assert "due to open" not in page


def test_opened_then_closed_still_says_closed(workspace: Any) -> None:
    workspace.followup.open()
    workspace.followup.close()
    status, page = _page(workspace.followup)
    assert status == 410
    assert "This questionnaire is closed" in page and "not open yet" not in page


def test_later_steps_of_a_questionnaire_not_open_yet_say_not_open_yet(workspace: Any) -> None:
    for step in ("code", "about_you", "check"):
        status, page = _page(workspace.post, step)
        assert (status, "This questionnaire is not open yet" in page) == (200, True), step


@pytest.mark.parametrize(
    ("timepoint", "expected"),
    [
        ("pre", datetime.date(2030, 5, 6)),
        ("post", datetime.date(2030, 5, 7)),
        ("followup", datetime.date(2030, 7, 30)),
    ],
)
def test_opens_on_takes_the_training_days_and_the_follow_up_due_date(
    workspace: Any, timepoint: str, expected: datetime.date
) -> None:
    collection = {"pre": workspace.pre, "post": workspace.post, "followup": workspace.followup}[
        timepoint
    ]
    _move_training(collection, datetime.date(2030, 5, 6), datetime.date(2030, 5, 7))
    assert journey.opens_on(collection, datetime.date(2030, 1, 1)) == expected
    assert journey.opens_on(collection, expected + datetime.timedelta(days=1)) is None


def test_long_date_is_written_as_the_nhs_writes_it() -> None:
    assert journey.long_date(datetime.date(2026, 11, 2)) == "Monday 2 November 2026"
