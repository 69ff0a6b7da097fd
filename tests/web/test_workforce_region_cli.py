"""``imheval region create`` and ``imheval region add-organisation`` against the test database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from imheval.cli import app

pytestmark = pytest.mark.django_db


def said(result: Any) -> str:
    """The command's output (stdout and stderr) with the console's line wrapping undone."""
    return " ".join(result.output.split())


def run(*arguments: str) -> Any:
    return CliRunner().invoke(app, ["region", *arguments])


def test_create_makes_the_region_with_its_first_lead(workspace: Any) -> None:
    from imheval.web.workforce.models import Region, RegionRole

    result = run(
        "create",
        "--name",
        "  North   regional IMH group ",
        "--lead",
        "viewer-north",
        "--kind",
        "programme_board",
        "--framework",
        "aimh",
    )
    assert result.exit_code == 0, result.output
    assert (
        "Region North regional IMH group set up, at /r/north-regional-imh-group/. viewer-north "
        "is its regional lead." in said(result)
    )
    region = Region.objects.get()
    assert (region.name, region.slug, region.kind, region.framework) == (
        "North regional IMH group",
        "north-regional-imh-group",
        "programme_board",
        "aimh",
    )
    assert region.ladder().levels == ("Level 1", "Level 2", "Level 3")
    role = RegionRole.objects.get()
    assert (role.region, role.user, role.role) == (region, workspace.users["viewer"], "lead")


def test_create_takes_a_ladder_file_as_the_framework(workspace: Any, tmp_path: Path) -> None:
    from imheval.web.workforce.models import Region

    ladder = tmp_path / "ladder.yaml"
    ladder.write_text("name: Our PIMH ladder\nlevels: [Aware, Practising, Leading]\n")
    result = run("create", "--name", "West", "--lead", "admin-north", "--framework", str(ladder))
    assert result.exit_code == 0, result.output
    region = Region.objects.get()
    assert (region.framework, region.custom_name) == ("custom", "Our PIMH ladder")
    assert region.ladder().levels == ("Aware", "Practising", "Leading")


def test_two_regions_of_similar_names_get_their_own_addresses(workspace: Any) -> None:
    from imheval.web.workforce.models import Region

    assert run("create", "--name", "North", "--lead", "admin-north").exit_code == 0
    result = run("create", "--name", "North!", "--lead", "admin-north")
    assert result.exit_code == 0, result.output
    assert sorted(Region.objects.values_list("slug", flat=True)) == ["north", "north-2"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--name", "N", "--lead", "nobody"], "--lead 'nobody': no user has that name."),
        (["--name", "  ", "--lead", "admin-north"], "--name: give the region a name"),
        (
            ["--name", "N", "--lead", "admin-north", "--kind", "county"],
            "--kind 'county': use one of regional_group, programme_board, hsc_board",
        ),
        (
            ["--name", "N", "--lead", "admin-north", "--framework", "no-such-ladder"],
            "--framework 'no-such-ladder': use nes, seed000, aimh or the path of a ladder file",
        ),
    ],
)
def test_create_refuses_what_it_cannot_use_and_makes_nothing(
    workspace: Any, arguments: list[str], message: str
) -> None:
    from imheval.web.workforce.models import Region, RegionRole

    result = run("create", *arguments)
    assert result.exit_code == 1
    assert f"Error: {message}" in said(result)
    assert "Traceback" not in result.output
    assert (Region.objects.count(), RegionRole.objects.count()) == (0, 0)


def test_create_refuses_a_name_taken_whatever_its_case(workspace: Any) -> None:
    from imheval.web.workforce.models import Region

    assert run("create", "--name", "North group", "--lead", "admin-north").exit_code == 0
    result = run("create", "--name", "NORTH GROUP", "--lead", "admin-north")
    assert result.exit_code == 1
    assert "a region called 'NORTH GROUP' already exists; nothing was changed" in said(result)
    assert Region.objects.count() == 1


def test_add_organisation_invites_it_not_sharing_and_logs_it_in_its_audit_log(
    workspace: Any,
) -> None:
    from imheval.web.organisations.models import AuditEvent
    from imheval.web.workforce.models import RegionMember

    assert run("create", "--name", "North group", "--lead", "admin-north").exit_code == 0
    result = run(
        "add-organisation", "--region", "north-group", "--organisation", "northern  hsc trust"
    )
    assert result.exit_code == 0, result.output
    assert (
        "Northern HSC Trust is invited into North group. It shares nothing until one of its "
        "admins chooses to." in said(result)
    )
    member = RegionMember.objects.get()
    assert (member.organisation, member.shares) == (workspace.organisation, False)
    event = AuditEvent.objects.get(object_type="region member")
    assert (event.action, event.actor_label, event.object_label) == (
        "created",
        "imheval region add-organisation",
        "Northern HSC Trust in North group",
    )
    assert event.organisation == workspace.organisation


@pytest.mark.parametrize(
    ("region", "organisation", "message"),
    [
        ("nowhere", "Northern HSC Trust", "--region 'nowhere': no region has that short name"),
        ("north-group", "Western Trust", "--organisation 'Western Trust': no organisation has"),
        ("north-group", "Northern HSC Trust", "Northern HSC Trust is already in North group"),
    ],
)
def test_add_organisation_refuses_what_it_cannot_find_or_has(
    workspace: Any, region: str, organisation: str, message: str
) -> None:
    from imheval.web.workforce.models import Region, RegionMember

    assert run("create", "--name", "North group", "--lead", "admin-north").exit_code == 0
    RegionMember.objects.create(
        region=Region.objects.get(), organisation=workspace.organisation, shares=True
    )
    result = run("add-organisation", "--region", region, "--organisation", organisation)
    assert result.exit_code == 1
    assert message in said(result)
    assert "Traceback" not in result.output
    assert RegionMember.objects.count() == 1


@pytest.mark.parametrize("command", [[], ["create"], ["add-organisation"]])
def test_every_region_command_has_help_with_an_example(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example: imheval region " in said(result)
