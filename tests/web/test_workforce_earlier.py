"""Earlier training: imported in the command line's training shape (levels on the
organisation's framework, its own organisation only), listed, deleted one by one or an
import at a time; all or nothing; audited."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from conftest import client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import EarlierTraining, WorkforceSettings

DATA = Path(__file__).parent / "data" / "workforce"
URL = "/o/northern/workforce/earlier/"


def _upload(workspace: Any, name: str, content: bytes, role: str = "evaluator") -> Any:
    return client_as(workspace.users[role]).post(URL, {"file": SimpleUploadedFile(name, content)})


def _problems(response: Any) -> list[tuple[str, str, str]]:
    html = response.content.decode()
    body = html[html.index('id="problems"') :]
    body = body[: body.index("</table>")]
    cells = re.findall(r'<td class="nhsuk-table__cell[^"]*">(.*?)</td>', body, re.S)
    return [(cells[i], cells[i + 1], cells[i + 2]) for i in range(0, len(cells), 3)]


def test_the_address_is_the_one_the_brief_names() -> None:
    assert reverse("workforce:earlier", kwargs={"org": "northern"}) == URL


def test_a_good_file_is_imported_with_levels_as_the_framework_spells_them(
    workspace: Any,
) -> None:
    before = AuditEvent.objects.count()
    response = _upload(
        workspace, "earlier_northern.csv", (DATA / "earlier_northern.csv").read_bytes()
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    found = list(
        EarlierTraining.objects.order_by("person").values_list(
            "person", "service", "profession", "level", "completed_on", "programme", "source_name"
        )
    )
    assert found == [
        (
            "E104523",
            "0-19 Children's Services",
            "Health visitor",
            "Skilled",
            datetime.date(2024, 6, 30),
            "Solihull foundation",
            "earlier_northern.csv",
        ),
        (
            "E104599",
            "Maternity",
            "Midwife",
            "Informed",
            datetime.date(2023, 9, 30),
            "",
            "earlier_northern.csv",
        ),
    ]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type) == ("created", "earlier training import")
    assert event.changes == {"file": "earlier_northern.csv", "records": 2}
    page = client_as(workspace.users["viewer"]).get(URL).content.decode()
    assert "E104523" in page and "30 June 2024" in page and "Remove this import" not in page


def test_every_problem_is_named_and_nothing_is_imported(workspace: Any) -> None:
    response = _upload(
        workspace, "earlier_problems.csv", (DATA / "earlier_problems.csv").read_bytes()
    )
    assert response.status_code == 400
    assert _problems(response) == [
        (
            "2",
            "organisation",
            "&#x27;Southern HSC Trust&#x27; is not Northern HSC Trust: import only your own "
            "organisation&#x27;s training here",
        ),
        (
            "3",
            "level",
            "&#x27;Advanced&#x27; is not a level of your framework, NES PIMH (Informed, Skilled, "
            "Enhanced, Specialist) (the framework is chosen on the workforce settings page)",
        ),
        ("4", "profession", "The profession is blank"),
        (
            "4",
            "completed_on",
            "&#x27;06/30/2024&#x27; is not a date (write it as 2026-03-31 or 31/03/2026)",
        ),
    ]
    assert not EarlierTraining.objects.exists()


def test_levels_follow_the_organisations_framework(workspace: Any) -> None:
    WorkforceSettings.objects.create(organisation=workspace.organisation, framework="seed000")
    content = (
        b"person,service,profession,level,completed_on\nE1,HV,Health visitor,Advanced,2024-01-31\n"
    )
    assert _upload(workspace, "seed.csv", content).status_code == 302
    assert EarlierTraining.objects.get().level == "advanced"
    content = (
        b"person,service,profession,level,completed_on\nE2,HV,Health visitor,Skilled,2024-01-31\n"
    )
    response = _upload(workspace, "nes.csv", content)
    assert response.status_code == 400
    assert "is not a level of your framework, Seed 000" in response.content.decode()


def test_the_organisation_column_is_optional(workspace: Any) -> None:
    content = (
        b"Person,Service,Profession,Level,Completed on\nE1,HV,Health visitor,informed,31/01/2024\n"
    )
    assert _upload(workspace, "no-organisation.csv", content).status_code == 302
    assert EarlierTraining.objects.get().organisation == workspace.organisation


def test_the_same_file_twice_is_refused(workspace: Any) -> None:
    content = (DATA / "earlier_northern.csv").read_bytes()
    assert _upload(workspace, "earlier_northern.csv", content).status_code == 302
    response = _upload(workspace, "earlier_northern.csv", content)
    assert response.status_code == 400
    assert "a file of this name was imported before" in response.content.decode().lower()
    assert EarlierTraining.objects.count() == 2


def test_delete_one_record(workspace: Any) -> None:
    _upload(workspace, "earlier_northern.csv", (DATA / "earlier_northern.csv").read_bytes())
    record = EarlierTraining.objects.get(person="E104599")
    url = reverse("workforce:earlier_delete", kwargs={"org": "northern", "earlier": record.pk})
    client = client_as(workspace.users["admin"])
    assert "Delete E104599's Informed training?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert list(EarlierTraining.objects.values_list("person", flat=True)) == ["E104523"]
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type) == ("deleted", "earlier training")


def test_remove_an_import_asks_then_removes_it_all(workspace: Any) -> None:
    _upload(workspace, "earlier_northern.csv", (DATA / "earlier_northern.csv").read_bytes())
    content = (
        b"person,service,profession,level,completed_on\nE9,HV,Health visitor,Skilled,2024-01-31\n"
    )
    _upload(workspace, "other.csv", content)
    url = reverse("workforce:earlier_remove_import", kwargs={"org": "northern"})
    client = client_as(workspace.users["evaluator"])
    asked = client.post(url, {"source_name": "earlier_northern.csv"})
    assert asked.status_code == 200
    assert "All 2 records of earlier training imported from this file" in asked.content.decode()
    assert EarlierTraining.objects.count() == 3
    done = client.post(url, {"source_name": "earlier_northern.csv", "confirm": "yes"})
    assert done.status_code == 302
    assert list(EarlierTraining.objects.values_list("person", flat=True)) == ["E9"]
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type) == ("deleted", "earlier training import")
    assert event.changes == {"file": "earlier_northern.csv", "records": 2}
    assert client.post(url, {"source_name": "nothing.csv"}).status_code == 404


def test_another_organisations_import_cannot_be_removed_by_name(workspace: Any) -> None:
    EarlierTraining.objects.create(
        organisation=workspace.other_organisation,
        person="S1",
        service="HV",
        profession="Nurse",
        level="Skilled",
        completed_on=datetime.date(2024, 1, 1),
        source_name="shared-name.csv",
    )
    url = reverse("workforce:earlier_remove_import", kwargs={"org": "northern"})
    response = client_as(workspace.users["admin"]).post(
        url, {"source_name": "shared-name.csv", "confirm": "yes"}
    )
    assert response.status_code == 404
    assert EarlierTraining.objects.count() == 1


def test_only_admins_and_evaluators_change_earlier_training(workspace: Any) -> None:
    content = (DATA / "earlier_northern.csv").read_bytes()
    for role in ("trainer", "viewer"):
        assert _upload(workspace, "earlier_northern.csv", content, role=role).status_code == 403
        assert client_as(workspace.users[role]).get(URL).status_code == 200
    assert not EarlierTraining.objects.exists()


def test_the_list_pages_a_hundred_at_a_time(workspace: Any) -> None:
    EarlierTraining.objects.bulk_create(
        EarlierTraining(
            organisation=workspace.organisation,
            person=f"E{n:03d}",
            service="HV",
            profession="Health visitor",
            level="Informed",
            completed_on=datetime.date(2024, 1, 1),
            source_name="big.csv",
        )
        for n in range(150)
    )
    client = client_as(workspace.users["viewer"])
    first = client.get(URL).content.decode()
    assert "E099" in first and "E100" not in first and "Page 2" in first
    second = client.get(URL, {"page": "2"}).content.decode()
    assert "E149" in second and "E099" not in second
    assert client.get(URL, {"page": "²"}).status_code == 200
