"""The required-levels pages: keyed-in requirements and interim points whose targets never fall,
the REQUIRED import (every problem located; a preview of what it adds, changes and removes;
replacing all on confirmation; stale or forged previews refused), downloads that import back
unchanged, the establishment beside the requirements, roles and tenancy."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import (
    Establishment,
    EstablishmentRow,
    LevelRequirement,
    TrajectoryPoint,
    WorkforceSettings,
)

DATA = Path(__file__).parent / "data" / "workforce" / "establishment"
MARCH_2027 = datetime.date(2027, 3, 31)


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workforce:{name}", kwargs={"org": "northern", **kwargs})


def _date(name: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def _requirement(workspace: Any, **fields: Any) -> LevelRequirement:
    values = {
        "service": "Health visiting",
        "profession": "Health visitor",
        "level": "Skilled",
        "target_percent": Decimal("90"),
        "by_date": MARCH_2027,
        **fields,
    }
    return LevelRequirement.objects.create(organisation=workspace.organisation, **values)


def _form(**values: Any) -> dict[str, str]:
    data = {
        "service": "Health visiting",
        "profession": "Health visitor",
        "level": "Skilled",
        "target_percent": "90",
        "refresh_years": "",
        **_date("by_date", MARCH_2027),
    }
    data.update(values)
    return data


def _check(client: Any, name: str, content: bytes) -> Any:
    return client.post(_url("requirements_import"), {"file": SimpleUploadedFile(name, content)})


def _state(workspace: Any) -> list[tuple[Any, ...]]:
    found = LevelRequirement.objects.filter(organisation=workspace.organisation)
    return sorted(
        (
            r.service,
            r.profession,
            r.level,
            r.target_percent,
            r.by_date,
            r.refresh_years,
            tuple(r.points.order_by("by_date").values_list("by_date", "target_percent")),
        )
        for r in found
    )


# ----------------------------------------------------------------------- keyed in


def test_a_requirement_is_added_changed_and_deleted_with_an_audit_trail(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    response = client.post(_url("requirement_create"), _form(refresh_years="3"))
    assert response.status_code == 302
    saved = LevelRequirement.objects.get()
    assert (saved.level, saved.target_percent, saved.by_date, saved.refresh_years) == (
        "Skilled",
        Decimal("90.00"),
        MARCH_2027,
        3,
    )
    change = client.post(_url("requirement_edit", requirement=saved.pk), _form(target_percent="95"))
    assert change.status_code == 302
    event = AuditEvent.objects.get(object_type="level requirement", action="updated")
    assert event.changes == {"target_percent": ["90", "95"], "refresh_years": [3, None]}
    assert client.post(_url("requirement_delete", requirement=saved.pk)).status_code == 302
    assert LevelRequirement.objects.count() == 0
    page = client.get(_url("requirements")).content.decode()
    assert "No required levels yet." in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"level": "Expert"}, "Select a valid choice"),
        ({"target_percent": "0"}, "The target must be more than 0%"),
        ({"target_percent": "100.5"}, "The target must be at most 100%"),
        ({"refresh_years": "0"}, "The refresh interval must be at least 1 year"),
        (
            {"service": "health  VISITING", "profession": "health visitor"},
            "health visitor in health  VISITING already has a requirement at Skilled",
        ),
    ],
)
def test_a_keyed_in_requirement_is_checked(
    workspace: Any, values: dict[str, str], message: str
) -> None:
    _requirement(workspace)
    client = client_as(workspace.users["admin"])
    response = client.post(_url("requirement_create"), _form(**values))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert LevelRequirement.objects.count() == 1


def test_the_level_choices_are_the_organisations_framework(workspace: Any) -> None:
    WorkforceSettings.objects.create(organisation=workspace.organisation, framework="aimh")
    client = client_as(workspace.users["admin"])
    response = client.get(_url("requirement_create"))
    choices = [value for value, _ in response.context["form"].fields["level"].choices]
    assert choices == ["", "Level 1", "Level 2", "Level 3"]


def test_interim_points_are_added_and_shown_in_date_order(workspace: Any) -> None:
    requirement = _requirement(workspace)
    client = client_as(workspace.users["admin"])
    for day, target in [(datetime.date(2026, 9, 30), "50"), (datetime.date(2025, 9, 30), "25")]:
        data = {**_date("by_date", day), "target_percent": target}
        assert (
            client.post(_url("point_create", requirement=requirement.pk), data).status_code == 302
        )
    page = client.get(_url("requirements"))
    points = [p["target"] for p in page.context["lines"][0]["points"]]
    assert points == ["25%", "50%"]
    assert "90% by 31 March 2027" in page.content.decode()


@pytest.mark.parametrize(
    ("day", "target", "message"),
    [
        (MARCH_2027, "50", "An interim point comes before the target&#x27;s date, 31 March 2027"),
        (
            datetime.date(2026, 3, 31),
            "95",
            "An interim target cannot be above the final target of 90% by 31 March 2027",
        ),
        (
            datetime.date(2026, 12, 31),
            "40",
            "The target would fall: 50% by 30 September 2026 comes before it",
        ),
        (
            datetime.date(2026, 3, 31),
            "60",
            "The target would fall after it: 50% by 30 September 2026 comes later",
        ),
        (datetime.date(2026, 9, 30), "55", "There is already a point on 30 September 2026"),
    ],
)
def test_a_trajectory_never_falls_and_its_points_come_before_the_target(
    workspace: Any, day: datetime.date, target: str, message: str
) -> None:
    requirement = _requirement(workspace)
    TrajectoryPoint.objects.create(
        requirement=requirement, by_date=datetime.date(2026, 9, 30), target_percent=50
    )
    client = client_as(workspace.users["admin"])
    data = {**_date("by_date", day), "target_percent": target}
    response = client.post(_url("point_create", requirement=requirement.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert TrajectoryPoint.objects.count() == 1


def test_changing_the_target_cannot_leave_an_interim_point_after_or_above_it(
    workspace: Any,
) -> None:
    requirement = _requirement(workspace)
    TrajectoryPoint.objects.create(
        requirement=requirement, by_date=datetime.date(2026, 9, 30), target_percent=50
    )
    client = client_as(workspace.users["admin"])
    early = client.post(
        _url("requirement_edit", requirement=requirement.pk),
        _form(**_date("by_date", datetime.date(2026, 6, 30))),
    )
    assert "The target date must be after the interim points&#x27; dates" in early.content.decode()
    low = client.post(
        _url("requirement_edit", requirement=requirement.pk), _form(target_percent="40")
    )
    assert "The target must be at least 50%" in low.content.decode()
    requirement.refresh_from_db()
    assert (requirement.by_date, requirement.target_percent) == (MARCH_2027, Decimal("90.00"))


def test_a_point_of_another_requirement_is_not_found_through_this_ones_address(
    workspace: Any,
) -> None:
    one = _requirement(workspace)
    other = _requirement(workspace, level="Informed")
    point = TrajectoryPoint.objects.create(
        requirement=other, by_date=datetime.date(2026, 9, 30), target_percent=50
    )
    client = client_as(workspace.users["admin"])
    assert client.get(_url("point_edit", requirement=one.pk, point=point.pk)).status_code == 404
    assert client.post(_url("point_delete", requirement=one.pk, point=point.pk)).status_code == 404
    assert TrajectoryPoint.objects.count() == 1


# ----------------------------------------------------------------------- importing


def test_a_bad_required_file_changes_nothing_and_names_every_problem(workspace: Any) -> None:
    _requirement(workspace)
    before = _state(workspace)
    client = client_as(workspace.users["admin"])
    response = _check(client, "required_bad.csv", (DATA / "required_bad.csv").read_bytes())
    assert response.status_code == 400
    assert response.context["problems"] == [
        "required_bad.csv, row 3, column 'target_percent': the target falls from 90% by "
        "2026-09-30 (row 2) to 60% by 2027-03-31: a trajectory's targets rise or stay level",
        "required_bad.csv, row 4, column 'level': 'Expert' is not a level of NES PIMH "
        "(Informed, Skilled, Enhanced, Specialist)",
        "required_bad.csv, row 5, column 'target_percent': 'eighty' is not a percentage from 0 "
        "to 100",
        "required_bad.csv, row 6, column 'level': 'intermediate' is not a level of NES PIMH "
        "(Informed, Skilled, Enhanced, Specialist); it is a level of Seed 000: choose that "
        "framework in the workforce settings, or use your framework's levels",
    ]
    assert _state(workspace) == before


def test_a_target_of_nothing_is_refused_naming_the_requirement(workspace: Any) -> None:
    content = (
        b"service,profession,level,target_percent,by_date\nHV,Health visitor,Skilled,0,2027-03-31\n"
    )
    response = _check(client_as(workspace.users["admin"]), "r.csv", content)
    assert response.context["problems"] == [
        "r.csv, column 'target_percent': Health visitor in HV at Skilled: a target of 0% by "
        "2027-03-31 asks for nobody: give a target above 0, or leave the row out"
    ]


def test_an_import_previews_its_changes_then_replaces_all_requirements(workspace: Any) -> None:
    kept = _requirement(workspace, target_percent=Decimal("80"))  # changed by the file
    _requirement(
        workspace,
        service="Perinatal mental health",
        profession="Mental health nurse",
        level="Enhanced",
        target_percent=Decimal("100"),
    )  # the same in the file
    _requirement(workspace, service="School nursing", profession="School nurse", level="Informed")
    client = client_as(workspace.users["admin"])
    preview = _check(client, "required.csv", (DATA / "required.csv").read_bytes())
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "2 added, 1 changed, 1 removed and 1 unchanged" in page
    changed = preview.context["changed"]
    assert [(c.profession, c.before, c.after) for c in changed] == [
        (
            "Health visitor",
            "80% by 31 March 2027",
            "90% by 31 March 2027 (on the way: 50% by 30 September 2026); refresh every 3 years",
        )
    ]
    assert [(c.service, c.level) for c in preview.context["removed"]] == [
        ("School nursing", "Informed")
    ]
    assert sorted(c.service for c in preview.context["added"]) == ["Maternity", "Social work"]
    assert LevelRequirement.objects.count() == 3  # nothing changed yet

    payload = preview.context["confirm"].initial["payload"]
    done = client.post(_url("requirements_import_confirm"), {"payload": payload})
    assert done.status_code == 302
    assert _state(workspace) == [
        (
            "Health visiting",
            "Health visitor",
            "Skilled",
            Decimal("90.00"),
            MARCH_2027,
            3,
            ((datetime.date(2026, 9, 30), Decimal("50.00")),),
        ),
        ("Maternity", "Midwife", "Informed", Decimal("80.00"), MARCH_2027, None, ()),
        (
            "Perinatal mental health",
            "Mental health nurse",
            "Enhanced",
            Decimal("100.00"),
            MARCH_2027,
            None,
            (),
        ),
        ("Social work", "Social worker", "Skilled", Decimal("75.00"), MARCH_2027, None, ()),
    ]
    assert LevelRequirement.objects.filter(pk=kept.pk).exists()  # changed in place
    created = AuditEvent.objects.filter(actor_label="admin-north", action="created")
    assert sorted(created.values_list("object_type", flat=True)) == [
        "level requirement",
        "level requirement",
        "trajectory point",
    ]
    assert (
        AuditEvent.objects.filter(
            actor_label="admin-north", action="deleted", object_type="level requirement"
        ).count()
        == 1
    )
    # the same preview cannot be applied twice
    again = client.post(_url("requirements_import_confirm"), {"payload": payload})
    assert again.status_code == 302
    assert len(_state(workspace)) == 4


def test_a_preview_is_refused_when_the_requirements_changed_since(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    preview = _check(client, "required.csv", (DATA / "required.csv").read_bytes())
    payload = preview.context["confirm"].initial["payload"]
    _requirement(workspace, service="School nursing", profession="School nurse")
    response = client.post(_url("requirements_import_confirm"), {"payload": payload}, follow=True)
    assert "The required levels changed after you checked the file" in response.content.decode()
    assert LevelRequirement.objects.count() == 1


def test_a_forged_or_foreign_preview_changes_nothing(workspace: Any) -> None:
    from imheval.web.workforce.requirements import sign
    from imheval.workforce import Requirement
    from imheval.workforce import TrajectoryPoint as Point

    forged = [Requirement("HV", "Health visitor", "Skilled", (Point(MARCH_2027, Decimal(90)),))]
    southern = sign(workspace.other_organisation, "r.csv", "x", forged)
    client = client_as(workspace.users["admin"])
    for payload in ["not signed", southern, southern[:-2] + "xx"]:
        response = client.post(
            _url("requirements_import_confirm"), {"payload": payload}, follow=True
        )
        assert "The check of that file has expired: upload it again." in response.content.decode()
    assert LevelRequirement.objects.count() == 0


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_download_imports_back_with_nothing_to_change(workspace: Any, file_format: str) -> None:
    client = client_as(workspace.users["admin"])
    preview = _check(client, "required.csv", (DATA / "required.csv").read_bytes())
    payload = preview.context["confirm"].initial["payload"]
    assert client.post(_url("requirements_import_confirm"), {"payload": payload}).status_code == 302
    before = _state(workspace)
    download = client.get(_url("requirements_download", file_format=file_format))
    assert download.status_code == 200
    back = _check(client, f"back.{file_format}", download.content)
    assert back.status_code == 200, back.context.get("problems")
    assert (
        len(back.context["added"]),
        len(back.context["changed"]),
        len(back.context["removed"]),
    ) == (0, 0, 0)
    assert back.context["unchanged"] == 4
    payload = back.context["confirm"].initial["payload"]
    assert client.post(_url("requirements_import_confirm"), {"payload": payload}).status_code == 302
    assert _state(workspace) == before


# ----------------------------------------------------------------------- beside the establishment


def test_the_page_lists_staff_with_no_requirement_and_requirements_with_no_staff(
    workspace: Any,
) -> None:
    extract = Establishment.objects.create(
        organisation=workspace.organisation, as_of=datetime.date(2026, 4, 1)
    )
    for service, profession in [("Health Visiting", "health visitor"), ("Maternity", "Midwife")]:
        EstablishmentRow.objects.create(
            establishment=extract, service=service, profession=profession, headcount=10
        )
    _requirement(workspace)  # matches "Health Visiting, health visitor" ignoring case
    _requirement(workspace, service="School nursing", profession="School nurse")
    response = client_as(workspace.users["viewer"]).get(_url("requirements"))
    assert response.context["unrequired"] == [("Maternity", "Midwife")]
    assert [r.service for r in response.context["unmatched"]] == ["School nursing"]


# ----------------------------------------------------------------------- roles and tenancy


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_trainers_and_viewers_read_required_levels_but_change_nothing(
    workspace: Any, role: str
) -> None:
    requirement = _requirement(workspace)
    client = client_as(workspace.users[role])
    page = client.get(_url("requirements"))
    assert page.status_code == 200
    assert "Add a required level" not in page.content.decode()
    assert client.get(_url("requirements_download", file_format="csv")).status_code == 200
    for name, kwargs in [
        ("requirement_create", {}),
        ("requirement_edit", {"requirement": requirement.pk}),
        ("requirement_delete", {"requirement": requirement.pk}),
        ("point_create", {"requirement": requirement.pk}),
        ("requirements_import", {}),
        ("requirements_import_confirm", {}),
    ]:
        assert client.post(_url(name, **kwargs), _form()).status_code == 403, name
    assert LevelRequirement.objects.count() == 1


def test_another_organisation_neither_sees_nor_changes_these_requirements(workspace: Any) -> None:
    requirement = _requirement(workspace)
    client = client_as(workspace.outsider)
    assert client.get(_url("requirements_download", file_format="csv")).status_code == 404
    own = reverse(
        "workforce:requirement_delete", kwargs={"org": "southern", "requirement": requirement.pk}
    )
    assert client.post(own).status_code == 404
    southern = client.get(reverse("workforce:requirements", kwargs={"org": "southern"}))
    assert southern.status_code == 200
    assert southern.context["lines"] == []
    assert LevelRequirement.objects.count() == 1


def test_a_change_of_spelling_alone_is_shown_as_a_change(workspace: Any) -> None:
    _requirement(workspace, service="health visiting")
    content = (
        b"service,profession,level,target_percent,by_date\n"
        b"Health Visiting,Health visitor,skilled,90,2027-03-31\n"
    )
    preview = _check(client_as(workspace.users["admin"]), "r.csv", content)
    assert [(c.before, c.after) for c in preview.context["changed"]] == [
        (
            "90% by 31 March 2027",
            "90% by 31 March 2027 (written Health visitor in Health Visiting at Skilled)",
        )
    ]
