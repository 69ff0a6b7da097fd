"""Privacy of the questionnaire: no names, emails, IP addresses or user agents are kept."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.sessions.models import Session
from django.core import serializers
from django.test import Client
from test_capture_journey import ALL_ANSWERS, Participant

from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent

IP_ADDRESS = "203.0.113.77"
USER_AGENT = "PrivacyProbe/9.9 (Phone; Test)"


def test_submission_has_no_field_for_names_emails_addresses_or_user_agents() -> None:
    # The columns a response row has (reverse relations from other apps hold no data here).
    names = {field.name for field in Submission._meta.concrete_fields}
    assert names == {
        "id",
        "collection",
        "key",
        "code",
        "profession",
        "directorate",
        "answers",
        "page",
        "status",
        "source",
        "entered_by",  # the staff member who keyed in a paper form, never the participant
        "started_at",
        "saved_at",  # the last step saved: a shared phone's draft is held once it is idle
        "completed_at",
    }
    for name in names:
        for word in ("name", "email", "ip", "agent", "address", "phone", "device"):
            assert word not in name, name


def test_a_full_journey_stores_only_the_code_profile_and_answers(workspace: Any) -> None:
    client = Client(REMOTE_ADDR=IP_ADDRESS, HTTP_USER_AGENT=USER_AGENT)
    Participant(workspace.pre, client).complete(
        profession="Psychologist", directorate="Mental health"
    )
    row = Submission.objects.values().get()
    assert row["collection_id"] == workspace.pre.pk
    assert row["code"] == "MA07BE"
    assert row["profession"] == "Psychologist"
    assert row["directorate"] == "Mental health"
    assert row["answers"] == ALL_ANSWERS
    assert row["page"] == 3
    assert row["status"] == "complete"
    assert row["source"] == "web"
    assert row["entered_by_id"] is None
    assert row["started_at"] <= row["saved_at"] <= row["completed_at"]
    assert set(row) == {
        "id",
        "collection_id",
        "key",
        "code",
        "profession",
        "directorate",
        "answers",
        "page",
        "status",
        "source",
        "entered_by_id",
        "started_at",
        "saved_at",
        "completed_at",
    }
    stored = serializers.serialize(
        "json",
        [*Submission.objects.all(), *AuditEvent.objects.all(), *Session.objects.all()],
    )
    stored += json.dumps([s.get_decoded() for s in Session.objects.all()])
    assert IP_ADDRESS not in stored
    assert USER_AGENT not in stored and "PrivacyProbe" not in stored


def test_the_session_never_holds_the_code_or_answers(workspace: Any) -> None:
    person = Participant(workspace.pre)
    person.consent()
    person.make_code()
    person.about_you()
    person.answer_page(1, {"K1": "b"})
    (decoded,) = [session.get_decoded() for session in Session.objects.all()]
    starts = decoded.pop("capture-starts")  # the throttle: when this browser started, no more
    assert len(starts) == 1 and isinstance(starts[0], int)
    assert decoded == {f"capture:{workspace.pre.token}": str(Submission.objects.get().key)}
