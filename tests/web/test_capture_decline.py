""" "I do not want to take part" on the information page: a polite end page that stores nothing
(issue 12, item 5)."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from test_capture_journey import Participant, text

from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent


def test_the_information_page_offers_not_taking_part(workspace: Any) -> None:
    page = text(Client().get(reverse("capture:start", args=[workspace.pre.token])))
    declined = reverse("capture:declined", args=[workspace.pre.token])
    assert f'<a class="nhsuk-link" href="{declined}">I do not want to take part</a>' in page


def test_declining_shows_a_polite_end_page_and_stores_nothing(workspace: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="DeclineProbe/1.0")
    client.get(reverse("capture:start", args=[workspace.pre.token]))
    events = AuditEvent.objects.count()
    response = client.get(reverse("capture:declined", args=[workspace.pre.token]))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    page = text(response)
    assert "<h1>You have chosen not to take part</h1>" in page
    assert "makes no difference to your training or your work" in page
    assert reverse("capture:start", args=[workspace.pre.token]) in page
    assert Submission.objects.count() == 0
    assert Session.objects.count() == 0
    assert AuditEvent.objects.count() == events
    assert "Solihull" not in page and "SOL-1" not in page


def test_declining_leaves_a_draft_on_the_device_alone(workspace: Any) -> None:
    person = Participant(workspace.pre)
    person.consent()
    person.make_code()
    draft = person.draft()
    assert person.client.get(person.url("declined")).status_code == 200
    assert person.draft() == draft
    assert Submission.objects.get().status == "draft"


def test_declining_works_when_closed_and_an_unknown_link_is_not_recognised(
    workspace: Any,
) -> None:
    workspace.post.open()
    workspace.post.close()
    assert Client().get(reverse("capture:declined", args=[workspace.post.token])).status_code == 200
    assert Client().get("/q/" + "z" * 43 + "/no-thank-you/").status_code == 404


def test_declining_cannot_be_posted(workspace: Any) -> None:
    response = Client().post(reverse("capture:declined", args=[workspace.pre.token]))
    assert response.status_code == 405
    assert Submission.objects.count() == 0
