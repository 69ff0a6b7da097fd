"""Readings, their competencies, a meeting's readings, importing a framework (all or nothing)
and the coverage grid."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from test_network_member_link import days, make_group

from imheval.web.network.models import (
    CompetencyFrameworkFile,
    Meeting,
    MeetingReading,
    NetworkGroup,
    Reading,
)
from imheval.web.organisations.models import AuditEvent, Membership
from shared_fixtures import shared_fixture

pytestmark = pytest.mark.django_db

MOODLE = shared_fixture("network", "competency_framework_moodle_lpimportcsv.csv")

OWN_FRAMEWORK = """\
format: imheval-framework/1
id: north-cork
title: North Cork IMH competencies
domains:
  - id: relationships
    label: Relationship-based practice
    competencies:
      - id: rel-1
        label: Builds a working relationship with parents
  - id: reflection
    label: Reflective practice
"""


def _url(name: str, made: Any, **more: Any) -> str:
    return reverse(f"network:{name}", kwargs={"org": "northern", "group": made.group.pk, **more})


def _reading(made: Any, title: str, competencies: list[str]) -> Reading:
    return Reading.objects.create(
        organisation=made.group.organisation,
        authors="Slade, A.",
        year=2005,
        title=title,
        competencies=competencies,
    )


def test_facilitator_adds_a_reading_tagged_with_domains_audited(workspace: Any) -> None:
    made = make_group(workspace)
    client = client_as(workspace.users["trainer"])
    response = client.post(
        _url("readings", made),
        {
            "authors": "Slade, A.",
            "year": "2005",
            "title": "Parental reflective functioning: an introduction",
            "source": "Attachment & Human Development",
            "doi": "https://doi.org/10.1080/14616730500245906",
            "competencies": [
                "aimh-uk-imhcf:reflective_practice",
                "aimh-uk-imhcf:relationship_based_practice",
            ],
        },
    )
    assert response.status_code == 302
    reading = Reading.objects.get()
    assert reading.doi == "10.1080/14616730500245906"
    assert sorted(reading.competencies) == [
        "aimh-uk-imhcf:reflective_practice",
        "aimh-uk-imhcf:relationship_based_practice",
    ]
    event = AuditEvent.objects.filter(object_type="reading").get()
    assert event.actor == workspace.users["trainer"] and event.action == "created"
    page = client.get(_url("readings", made)).content.decode()
    assert "Parental reflective functioning" in page and "Reflective practice" in page


def test_a_bad_doi_and_an_unknown_competency_are_refused(workspace: Any) -> None:
    made = make_group(workspace)
    response = client_as(workspace.users["admin"]).post(
        _url("readings", made),
        {"authors": "A", "title": "T", "doi": "not-a-doi", "competencies": ["made-up:x"]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A DOI starts with 10." in page
    assert "Select a valid choice" in page
    assert not Reading.objects.exists()


def test_viewers_read_readings_but_cannot_add(workspace: Any) -> None:
    made = make_group(workspace)
    viewer = client_as(workspace.users["viewer"])
    page = viewer.get(_url("readings", made)).content.decode()
    assert "Add a reading" not in page
    assert viewer.post(_url("readings", made), {"authors": "A", "title": "T"}).status_code == 403
    assert client_as(workspace.outsider).get(_url("readings", made)).status_code == 404


def test_set_readings_for_a_meeting_with_the_date_sent(workspace: Any) -> None:
    made = make_group(workspace)
    first = _reading(made, "Ghosts in the nursery", [])
    second = _reading(made, "Angels in the nursery", [])
    meeting = made.meetings[2]
    url = _url("meeting_readings", made, meeting=meeting.pk)
    client = client_as(workspace.users["trainer"])
    sent = days(20).isoformat()
    client.post(url, {"readings": [first.pk, second.pk], "sent_on": sent})
    assert sorted(
        MeetingReading.objects.filter(meeting=meeting).values_list("reading__title", "sent_on")
    ) == [("Angels in the nursery", days(20)), ("Ghosts in the nursery", days(20))]
    client.post(url, {"readings": [second.pk], "sent_on": sent})
    assert list(
        MeetingReading.objects.filter(meeting=meeting).values_list("reading__title", flat=True)
    ) == ["Angels in the nursery"]
    assert "(sent " in client.get(url).content.decode()


def test_moodle_framework_import_and_use_for_the_group(workspace: Any) -> None:
    made = make_group(workspace)
    client = client_as(workspace.users["evaluator"])
    upload = SimpleUploadedFile(MOODLE.name, MOODLE.read_bytes(), content_type="text/csv")
    response = client.post(_url("frameworks", made), {"file": upload})
    assert response.status_code == 302
    saved = CompetencyFrameworkFile.objects.get()
    assert (saved.framework_id, saved.source_format) == ("MI-AIMH", "moodle-csv")
    client.post(_url("frameworks", made), {"action": "use", "framework": "MI-AIMH"})
    made.group.refresh_from_db()
    assert made.group.framework == "MI-AIMH"
    page = client.get(_url("readings", made)).content.decode()
    assert "Theoretical Foundations" in page and "Working with Others" in page


def test_a_bad_framework_file_imports_nothing_and_names_the_problem(workspace: Any) -> None:
    made = make_group(workspace)
    bad = OWN_FRAMEWORK.replace("id: reflection", "id: relationships")
    upload = SimpleUploadedFile("ours.yaml", bad.encode(), content_type="application/x-yaml")
    response = client_as(workspace.users["admin"]).post(_url("frameworks", made), {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "ours.yaml" in page and "relationships" in page
    assert not CompetencyFrameworkFile.objects.exists()


def test_own_framework_tags_competencies_and_coverage_lists_gaps(workspace: Any) -> None:
    made = make_group(workspace)
    client = client_as(workspace.users["admin"])
    upload = SimpleUploadedFile("ours.yaml", OWN_FRAMEWORK.encode())
    assert client.post(_url("frameworks", made), {"file": upload}).status_code == 302
    client.post(_url("frameworks", made), {"action": "use", "framework": "north-cork"})
    page = client.get(_url("readings", made)).content.decode()
    assert "Relationship-based practice: Builds a working relationship with parents" in page
    reading = _reading(made, "Working with parents", ["north-cork:relationships:rel-1"])
    MeetingReading.objects.create(meeting=made.meetings[0], reading=reading)
    MeetingReading.objects.create(meeting=made.meetings[2], reading=reading)
    coverage = client_as(workspace.users["viewer"]).get(_url("coverage", made))
    assert coverage.status_code == 200
    text = coverage.content.decode()
    grid = text.split('id="coverage"')[1].split("</table>")[0]
    relationships = grid.split("Relationship-based practice")[1].split("</tr>")[0]
    assert relationships.count(">1<") == 2 and relationships.count(">0<") == 2
    assert relationships.rstrip().endswith('numeric">2</td>')
    uncovered = text.split('id="uncovered"')[1].split("</div>")[0]
    assert "Reflective practice" in uncovered and "Relationship-based" not in uncovered
    assert 'id="untagged"' not in text
    untagged = _reading(made, "Untagged reading", ["aimh-uk-imhcf:reflective_practice"])
    MeetingReading.objects.create(meeting=made.meetings[1], reading=untagged)
    text = client_as(workspace.users["viewer"]).get(_url("coverage", made)).content.decode()
    assert "Untagged reading" in text.split('id="untagged"')[1].split("</ul>")[0]


def test_a_built_in_framework_id_cannot_be_imported(workspace: Any) -> None:
    made = make_group(workspace)
    text = OWN_FRAMEWORK.replace("id: north-cork", "id: aimh-uk-imhcf")
    upload = SimpleUploadedFile("ours.yaml", text.encode())
    response = client_as(workspace.users["admin"]).post(_url("frameworks", made), {"file": upload})
    assert response.status_code == 400 and "built-in" in response.content.decode()


def test_a_reading_is_removed_after_a_confirmation_and_the_removal_is_audited(
    workspace: Any,
) -> None:
    made = make_group(workspace)
    reading = _reading(made, "Ghosts in the nursery", [])
    MeetingReading.objects.create(meeting=made.meetings[0], reading=reading)
    url = _url("reading_delete", made, reading=reading.pk)
    # Viewers may read the list but not remove from it.
    assert client_as(workspace.users["viewer"]).post(url).status_code == 403
    client = client_as(workspace.users["trainer"])
    edit = client.get(_url("reading_edit", made, reading=reading.pk)).content.decode()
    assert url in edit
    confirm = client.get(url).content.decode()
    assert "Remove this reading?" in confirm
    assert "It is set for 1 of this group&#x27;s meetings" in confirm
    assert Reading.objects.filter(pk=reading.pk).exists()  # a GET removes nothing
    assert client.post(url).status_code == 302
    assert not Reading.objects.filter(pk=reading.pk).exists()
    assert not MeetingReading.objects.filter(meeting=made.meetings[0]).exists()
    removed = AuditEvent.objects.filter(object_type="reading", action="deleted")
    assert [event.object_label for event in removed] == ["Slade, A. (2005). Ghosts in the nursery"]


def test_a_reading_another_group_uses_is_not_removed(workspace: Any) -> None:
    made = make_group(workspace)
    other_group = NetworkGroup.objects.create(
        organisation=made.group.organisation, name="Second network", year_start=days(-90)
    )
    other_meeting = Meeting.objects.create(
        group=other_group, date=days(-10), start_time=datetime.time(10, 0), duration_minutes=60
    )
    reading = _reading(made, "Ghosts in the nursery", [])
    MeetingReading.objects.create(meeting=other_meeting, reading=reading)
    response = client_as(workspace.users["trainer"]).post(
        _url("reading_delete", made, reading=reading.pk), follow=True
    )
    assert f"set for meetings of {other_group.name}" in response.content.decode()
    assert Reading.objects.filter(pk=reading.pk).exists()


def _second_group(made: Any, reading: Reading) -> NetworkGroup:
    """Another group of the organisation (facilitated by nobody in the test) whose meeting
    uses ``reading``."""
    other_group = NetworkGroup.objects.create(
        organisation=made.group.organisation, name="Second network", year_start=days(-90)
    )
    other_meeting = Meeting.objects.create(
        group=other_group, date=days(-10), start_time=datetime.time(10, 0), duration_minutes=60
    )
    MeetingReading.objects.create(meeting=other_meeting, reading=reading)
    return other_group


def test_a_facilitator_cannot_change_a_reading_another_group_uses(workspace: Any) -> None:
    # The trainer facilitates the first group only; the reading is set for the second's meeting.
    made = make_group(workspace)
    reading = _reading(made, "Ghosts in the nursery", [])
    other_group = _second_group(made, reading)
    client = client_as(workspace.users["trainer"])
    url = _url("reading_edit", made, reading=reading.pk)
    for response in (
        client.get(url, follow=True),
        client.post(url, {"authors": "Changed, A.", "title": "Changed"}, follow=True),
    ):
        assert response.redirect_chain == [(_url("readings", made), 302)]
        page = response.content.decode()
        assert f"set for meetings of {other_group.name}: only that group&#x27;s" in page
    reading.refresh_from_db()
    assert (reading.authors, reading.title) == ("Slade, A.", "Ghosts in the nursery")
    # The list names the other group instead of offering a link that would be refused.
    listing = client.get(_url("readings", made)).content.decode()
    assert url not in listing
    assert f"Also used by {other_group.name}" in listing


def test_a_reading_shared_with_groups_one_may_change_can_be_changed(workspace: Any) -> None:
    made = make_group(workspace)
    reading = _reading(made, "Ghosts in the nursery", [])
    other_group = _second_group(made, reading)
    url = _url("reading_edit", made, reading=reading.pk)
    changes = {"authors": "Slade, A.", "year": "2005", "title": "Angels in the nursery"}
    # An evaluator changes every group, so may change a reading they share.
    evaluator = client_as(workspace.users["evaluator"])
    assert url in evaluator.get(_url("readings", made)).content.decode()
    assert evaluator.post(url, changes).status_code == 302
    reading.refresh_from_db()
    assert reading.title == "Angels in the nursery"
    # So may a trainer who facilitates both groups.
    trainer = Membership.objects.get(user=workspace.users["trainer"])
    other_group.facilitators.add(trainer)
    response = client_as(workspace.users["trainer"]).post(url, {**changes, "title": "Ghosts"})
    assert response.status_code == 302
    reading.refresh_from_db()
    assert reading.title == "Ghosts"


def test_only_admins_and_evaluators_import_a_framework(workspace: Any) -> None:
    # A trainer facilitating the group may choose its framework but not import one: imported
    # frameworks are the organisation's, and importing one with the same id replaces it.
    made = make_group(workspace)
    client = client_as(workspace.users["trainer"])
    upload = SimpleUploadedFile("ours.yaml", OWN_FRAMEWORK.encode())
    response = client.post(_url("frameworks", made), {"file": upload})
    assert response.status_code == 403
    assert "cannot change instruments" in response.content.decode()
    assert not CompetencyFrameworkFile.objects.exists()
    page = client.get(_url("frameworks", made)).content.decode()
    assert "Import the framework" not in page
    assert "Only the organisation's admins and evaluators can import a framework" in page
    # Once an admin has imported it, the facilitator can choose it for the group.
    admin = client_as(workspace.users["admin"])
    upload = SimpleUploadedFile("ours.yaml", OWN_FRAMEWORK.encode())
    assert admin.post(_url("frameworks", made), {"file": upload}).status_code == 302
    response = client.post(_url("frameworks", made), {"action": "use", "framework": "north-cork"})
    assert response.status_code == 302
    made.group.refresh_from_db()
    assert made.group.framework == "north-cork"
