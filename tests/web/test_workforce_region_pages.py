"""A region's pages (lead manages, viewer reads), the organisation's Regions page with its
share button, the signed-in home page's regions, and what each change writes to the audit log."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal
from typing import Any

import pytest
from conftest import client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from workforce_region_data import SOUTHERN_NAME, make_region

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import RegionalTarget, RegionMember, RegionRole

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"workforce:{name}", kwargs={"region": "north", **kwargs})


def text(response: Any) -> str:
    """The page's text with runs of whitespace made one space and entities read."""
    return html.unescape(" ".join(response.content.decode().split()))


def events(organisation: Any, object_type: str) -> list[Any]:
    return list(
        AuditEvent.objects.filter(organisation=organisation, object_type=object_type).order_by("id")
    )


# ----------------------------------------------------------------------- the region page


def test_the_lead_sees_every_invited_organisation_and_whether_it_shares(workspace: Any) -> None:
    world = make_region(workspace)
    page = text(client_as(world.lead).get(url("region")))
    assert "You are a regional lead of this region" in page
    assert "NES perinatal and infant mental health" in page
    assert "(Informed, Skilled, Enhanced, Specialist)" in page
    assert 'Regional leads</dt> <dd class="nhsuk-summary-list__value">lead-region</dd>' in page
    assert (
        '<th class="nhsuk-table__header" scope="row">Northern HSC Trust</th> '
        '<td class="nhsuk-table__cell">Sharing</td>' in page
    )
    assert (
        f'<th class="nhsuk-table__header" scope="row">{SOUTHERN_NAME}</th> '
        '<td class="nhsuk-table__cell">Invited, not sharing</td>' in page
    )
    assert "Invite or remove organisations" in page


def test_a_viewer_sees_the_sharing_organisations_and_only_a_count_of_the_others(
    workspace: Any,
) -> None:
    world = make_region(workspace)
    page = text(client_as(world.viewer).get(url("region")))
    assert "You are a regional viewer of this region: you read its pages and change nothing" in page
    assert "Northern HSC Trust" in page
    assert SOUTHERN_NAME not in page
    assert "1 more invited organisation does not share, so it is not named here" in page
    members = text(client_as(world.viewer).get(url("region_members")))
    assert SOUTHERN_NAME not in members and "Northern HSC Trust" in members
    assert "Invite an organisation" not in members


def test_the_region_page_links_the_regional_pages_only_when_they_exist(workspace: Any) -> None:
    from django.urls import NoReverseMatch

    world = make_region(workspace)
    page = client_as(world.viewer).get(url("region")).content.decode()
    for name in ("regional_coverage", "regional_outcomes"):
        try:
            address = url(name)
        except NoReverseMatch:
            assert f"/r/north/{name.removeprefix('regional_')}" not in page
        else:
            assert f'href="{address}"' in page


def test_the_region_page_takes_the_same_queries_whatever_the_number_of_members(
    workspace: Any, django_assert_max_num_queries: Any
) -> None:
    from imheval.web.organisations.models import Organisation

    world = make_region(workspace)
    client = client_as(world.lead)
    with django_assert_max_num_queries(8):
        client.get(url("region"))
    for number in range(20):
        organisation = Organisation.objects.create(name=f"Trust {number}", slug=f"t{number}")
        RegionMember.objects.create(region=world.region, organisation=organisation)
    with django_assert_max_num_queries(8):
        response = client.get(url("region"))
    assert text(response).count("Invited, not sharing") == 21


# ----------------------------------------------------------------------- members


def test_a_lead_invites_an_organisation_by_its_name_and_it_shares_nothing(workspace: Any) -> None:
    from imheval.web.organisations.models import Organisation

    world = make_region(workspace)
    western = Organisation.objects.create(name="Western HSC Trust", slug="western")
    client = client_as(world.lead)
    response = client.post(url("region_members"), {"name": "  western   hsc TRUST "})
    assert response.status_code == 302 and response["Location"] == url("region_members")
    member = RegionMember.objects.get(organisation=western)
    assert (member.region, member.shares) == (world.region, False)
    [event] = events(western, "region member")
    assert (event.action, event.actor, event.object_label) == (
        "created",
        world.lead,
        "Western HSC Trust in North regional IMH group",
    )
    page = text(client.get(url("region_members")))
    assert "Western HSC Trust is invited. The region sees nothing of it until" in page


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Eastern Trust", "No organisation in imheval is called Eastern Trust."),
        ("southern hsc trust", "Southern HSC Trust is already invited into North regional"),
        ("", "Enter the name of the organisation to invite"),
    ],
)
def test_an_invitation_that_cannot_be_made_says_why(
    workspace: Any, name: str, message: str
) -> None:
    world = make_region(workspace)
    response = client_as(world.lead).post(url("region_members"), {"name": name})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page and message in page
    assert RegionMember.objects.filter(region=world.region).count() == 2


def test_a_lead_removes_an_organisation_and_its_log_says_so(workspace: Any) -> None:
    world = make_region(workspace)
    response = client_as(world.lead).post(url("region_members"), {"remove": world.southern.pk})
    assert response.status_code == 302
    assert not RegionMember.objects.filter(pk=world.southern.pk).exists()
    event = events(workspace.other_organisation, "region member")[-1]
    assert (event.action, event.actor) == ("deleted", world.lead)


def test_removing_another_regions_member_is_404(workspace: Any) -> None:
    world = make_region(workspace)
    other_member = RegionMember.objects.get(region=world.other_region)
    client = client_as(world.lead)
    for value in (other_member.pk, "²", "x", ""):
        assert client.post(url("region_members"), {"remove": value}).status_code == 404
    assert RegionMember.objects.filter(pk=other_member.pk).exists()


# ----------------------------------------------------------------------- roles


def test_a_lead_gives_a_role_by_user_name_and_every_member_organisation_logs_it(
    workspace: Any,
) -> None:
    world = make_region(workspace)
    client = client_as(world.lead)
    response = client.post(url("region_roles"), {"username": "trainer-north", "role": "viewer"})
    assert response.status_code == 302
    role = RegionRole.objects.get(region=world.region, user=workspace.users["trainer"])
    assert role.role == "viewer"
    for organisation in (workspace.organisation, workspace.other_organisation):
        [event] = events(organisation, "regional role")
        assert (event.action, event.actor, event.object_label, event.changes) == (
            "created",
            world.lead,
            "North regional IMH group: trainer-north (Regional viewer)",
            {"role": [None, "viewer"], "user": [None, "trainer-north"]},
        )
    client.post(url("region_roles"), {"username": "trainer-north", "role": "lead"})
    role.refresh_from_db()
    assert role.role == "lead"
    assert [e.changes for e in events(workspace.organisation, "regional role")][1] == {
        "role": ["viewer", "lead"]
    }
    page = text(client.get(url("region")))
    assert "lead-region, trainer-north" in page


def test_a_user_name_must_match_exactly(workspace: Any) -> None:
    world = make_region(workspace)
    response = client_as(world.lead).post(
        url("region_roles"), {"username": "Trainer-North", "role": "viewer"}
    )
    assert response.status_code == 200
    assert "No one in imheval has the user name Trainer-North." in text(response)
    assert not RegionRole.objects.filter(user=workspace.users["trainer"]).exists()


def test_the_last_lead_can_be_neither_removed_nor_made_a_viewer(workspace: Any) -> None:
    world = make_region(workspace)
    client = client_as(world.lead)
    lead_role = RegionRole.objects.get(user=world.lead)
    response = client.post(url("region_roles"), {"remove": lead_role.pk}, follow=True)
    assert "lead-region is the only regional lead of North regional IMH group" in text(response)
    response = client.post(url("region_roles"), {"username": "lead-region", "role": "viewer"})
    assert response.status_code == 200
    assert "lead-region is the only regional lead of North regional IMH group. Make someone" in (
        text(response)
    )
    lead_role.refresh_from_db()
    assert lead_role.role == "lead"
    assert events(workspace.organisation, "regional role") == []


def test_with_a_second_lead_a_lead_may_remove_themselves_and_lands_home(workspace: Any) -> None:
    world = make_region(workspace)
    client = client_as(world.lead)
    client.post(url("region_roles"), {"username": "viewer-region", "role": "lead"})
    response = client.post(
        url("region_roles"), {"remove": RegionRole.objects.get(user=world.lead).pk}
    )
    assert response.status_code == 302 and response["Location"] == "/o/"
    assert not RegionRole.objects.filter(user=world.lead).exists()
    assert client.get(url("region")).status_code == 404
    [_, removed] = events(workspace.organisation, "regional role")
    assert (removed.action, removed.changes) == (
        "deleted",
        {"user": ["lead-region", None], "role": ["lead", None]},
    )


# ----------------------------------------------------------------------- targets


def test_a_lead_adds_changes_and_deletes_a_target_and_the_members_logs_say_so(
    workspace: Any,
) -> None:
    world = make_region(workspace)
    client = client_as(world.lead)
    fields = {
        "service": " Perinatal   mental health ",
        "profession": "Psychologist",
        "level": "Enhanced",
        "target_percent": "80",
        "by_date-day": "31",
        "by_date-month": "3",
        "by_date-year": "2028",
    }
    assert client.post(url("region_target_add"), fields).status_code == 302
    target = RegionalTarget.objects.get(region=world.region, profession="Psychologist")
    assert (target.service, target.level, target.target_percent, target.by_date) == (
        "Perinatal mental health",
        "Enhanced",
        Decimal("80"),
        datetime.date(2028, 3, 31),
    )
    page = text(client.get(url("region_targets")))
    assert "Perinatal mental health" in page and "80%" in page and "31 March 2028" in page
    response = client.post(
        url("region_target", target=target.pk), {**fields, "target_percent": "85.5"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.target_percent == Decimal("85.5")
    assert client.post(url("region_target_delete", target=target.pk)).status_code == 302
    assert not RegionalTarget.objects.filter(pk=target.pk).exists()
    for organisation in (workspace.organisation, workspace.other_organisation):
        logged = events(organisation, "regional target")
        assert [e.action for e in logged] == ["created", "updated", "deleted"]
        assert logged[1].changes == {"target_percent": ["80.00", "85.5"]}
        assert logged[0].object_label == (
            "North regional IMH group: Psychologist in Perinatal mental health: Enhanced "
            "(North regional IMH group)"
        )


def test_a_target_must_use_the_regions_levels_and_not_repeat_one(workspace: Any) -> None:
    world = make_region(workspace)
    client = client_as(world.lead)
    base = {
        "service": "health visiting",
        "profession": "HEALTH VISITOR",
        "level": "Skilled",
        "target_percent": "101",
        "by_date-day": "31",
        "by_date-month": "2",
        "by_date-year": "2027",
    }
    page = text(client.post(url("region_target_add"), base))
    assert "The target must be 100 or less" in page
    assert "Target date must be a real date" in page
    page = text(
        client.post(url("region_target_add"), {**base, "target_percent": "90", "by_date-day": "28"})
    )
    assert "There is already a target for HEALTH VISITOR in health visiting at Skilled" in page
    page = text(client.post(url("region_target_add"), {**base, "level": "beginner"}))
    assert "Select a valid choice" in page
    assert RegionalTarget.objects.filter(region=world.region).count() == 1


def test_another_regions_target_is_404_even_to_a_lead(workspace: Any) -> None:
    world = make_region(workspace)
    client = client_as(world.lead)
    assert client.get(url("region_target", target=world.other_target.pk)).status_code == 404
    assert client.post(url("region_target_delete", target=world.other_target.pk)).status_code == 404
    assert RegionalTarget.objects.filter(pk=world.other_target.pk).exists()


REQUIRED = (
    "service,profession,level,target_percent,by_date,refresh_years\n"
    "Health visiting,Health visitor,skilled,50%,30/09/2026,\n"
    "Health visiting,Health visitor,Skilled,90,31/03/2027,3\n"
    "Perinatal mental health,Psychologist,Enhanced,80,2028-03-31,\n"
)


def test_importing_a_required_file_replaces_the_targets_and_says_what_was_not_kept(
    workspace: Any,
) -> None:
    world = make_region(workspace)
    client = client_as(world.lead)
    upload = SimpleUploadedFile("regional targets.csv", REQUIRED.encode(), "text/csv")
    response = client.post(url("region_targets_import"), {"file": upload}, follow=True)
    page = text(response)
    assert (
        "2 targets imported from regional targets.csv, in place of the 1 there were. A "
        "region's target is one share by one date: the file's 1 interim point was not kept "
        "(its latest date is). Refresh intervals were not kept" in page
    )
    found = sorted(
        (t.service, t.profession, t.level, t.target_percent, t.by_date)
        for t in RegionalTarget.objects.filter(region=world.region)
    )
    assert found == [
        ("Health visiting", "Health visitor", "Skilled", Decimal("90"), datetime.date(2027, 3, 31)),
        (
            "Perinatal mental health",
            "Psychologist",
            "Enhanced",
            Decimal("80"),
            datetime.date(2028, 3, 31),
        ),
    ]
    [event] = events(workspace.other_organisation, "regional target")
    assert event.changes == {"targets": [1, 2], "file": [None, "regional targets.csv"]}
    download = client.get(url("region_targets_download", file_format="csv"))
    assert download["Content-Disposition"] == 'attachment; filename="regional-targets-north.csv"'
    assert download.content.decode("utf-8-sig").splitlines() == [
        "service,profession,level,target_percent,by_date",
        "Health visiting,Health visitor,Skilled,90,2027-03-31",
        "Perinatal mental health,Psychologist,Enhanced,80,2028-03-31",
    ]


def test_a_targets_file_with_problems_imports_nothing_and_lists_each(workspace: Any) -> None:
    world = make_region(workspace)
    bad = (
        "service,profession,level,target_percent,by_date\n"
        "Health visiting,Health visitor,Expert,90,31/03/2027\n"
        "Midwifery,Midwife,Informed,190,31/03/2027\n"
    )
    upload = SimpleUploadedFile("targets.csv", bad.encode(), "text/csv")
    response = client_as(world.lead).post(url("region_targets_import"), {"file": upload})
    assert response.status_code == 200
    page = text(response)
    assert "targets.csv has 2 problems, listed below. Nothing was imported" in page
    assert '<td class="nhsuk-table__cell">2</td> <td class="nhsuk-table__cell">level</td>' in page
    assert (
        '<td class="nhsuk-table__cell">3</td> <td class="nhsuk-table__cell">target_percent</td>'
        in page
    )
    assert list(RegionalTarget.objects.filter(region=world.region)) == [world.target]
    assert events(workspace.organisation, "regional target") == []


def test_a_targets_file_of_another_kind_is_refused_by_its_name(workspace: Any) -> None:
    world = make_region(workspace)
    upload = SimpleUploadedFile("targets.pdf", b"%PDF-1.7", "application/pdf")
    page = text(client_as(world.lead).post(url("region_targets_import"), {"file": upload}))
    assert "targets.pdf must be a CSV or Excel file (.csv or .xlsx)" in page


# ----------------------------------------------------------------------- the organisation's side


def regions_url(org: str = "northern") -> str:
    return reverse("workforce:regions", kwargs={"org": org})


def share_url(member: Any, org: str = "northern") -> str:
    return reverse("workforce:region_share", kwargs={"org": org, "region_member": member.pk})


def test_the_organisations_regions_page_shows_its_own_memberships_only(workspace: Any) -> None:
    make_region(workspace)
    page = text(client_as(workspace.users["viewer"]).get(regions_url()))
    assert "North regional IMH group" in page and "West programme board" in page
    assert "Regional leads: lead-region.<br>Regional viewers: viewer-region." in page
    assert SOUTHERN_NAME not in page
    assert "Your organisation's admins choose whether to share." in page
    southern = text(client_as(workspace.outsider).get(regions_url("southern")))
    assert "North regional IMH group" in southern and "West programme board" not in southern
    assert "Northern HSC Trust" not in southern


def test_an_admin_turns_sharing_on_and_off_and_the_log_records_each(workspace: Any) -> None:
    world = make_region(workspace)
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_user(username="admin-south", password="x" * 20)
    from imheval.web.organisations.models import Membership

    Membership.objects.create(user=admin, organisation=workspace.other_organisation, role="admin")
    client = client_as(admin)
    response = client.post(share_url(world.southern, "southern"), {"share": "on"}, follow=True)
    assert "Southern HSC Trust now shares with North regional IMH group" in text(response)
    world.southern.refresh_from_db()
    assert (world.southern.shares, world.southern.share_changed_by) == (True, admin)
    client.post(share_url(world.southern, "southern"), {"share": "off"})
    world.southern.refresh_from_db()
    assert world.southern.shares is False
    logged = events(workspace.other_organisation, "region member")[1:]  # after its invitation
    assert [(e.action, e.actor, e.changes) for e in logged] == [
        ("updated", admin, {"shares": [False, True]}),
        ("updated", admin, {"shares": [True, False]}),
    ]


@pytest.mark.parametrize("role", ["evaluator", "trainer", "viewer"])
def test_only_admins_share(workspace: Any, role: str) -> None:
    world = make_region(workspace)
    response = client_as(workspace.users[role]).post(share_url(world.northern), {"share": "off"})
    assert response.status_code == 403
    world.northern.refresh_from_db()
    assert world.northern.shares is True


def test_an_organisation_cannot_share_another_organisations_membership(workspace: Any) -> None:
    world = make_region(workspace)
    client = client_as(workspace.users["admin"])
    assert client.post(share_url(world.southern), {"share": "on"}).status_code == 404
    world.southern.refresh_from_db()
    assert world.southern.shares is False


def test_the_regions_page_takes_the_same_queries_whatever_the_number_of_regions(
    workspace: Any, django_assert_max_num_queries: Any
) -> None:
    from imheval.web.workforce.models import Region

    make_region(workspace)
    client = client_as(workspace.users["admin"])
    with django_assert_max_num_queries(12) as first:
        client.get(regions_url())
    for number in range(10):
        region = Region.objects.create(name=f"Region {number}", slug=f"r{number}")
        RegionMember.objects.create(region=region, organisation=workspace.organisation)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = text(client.get(regions_url()))
    assert page.count("Share with Region") == 10


# ----------------------------------------------------------------------- the home page


def test_a_regional_user_in_no_organisation_lands_on_a_page_listing_their_regions(
    workspace: Any,
) -> None:
    world = make_region(workspace)
    response = client_as(world.viewer).get("/o/")
    assert response.status_code == 200
    page = text(response)
    assert "<h1>Your organisations and regions</h1>" in page
    assert '<a href="/r/north/">North regional IMH group</a> (Regional viewer)' in page
    assert "You are not a member of any organisation: your regional role shows" in page
    assert "Northern HSC Trust" not in page


def test_a_member_with_a_regional_role_chooses_between_them(workspace: Any) -> None:
    world = make_region(workspace)
    RegionRole.objects.create(region=world.region, user=workspace.users["admin"], role="viewer")
    response = client_as(workspace.users["admin"]).get("/o/")
    assert response.status_code == 200
    page = text(response)
    assert '<a href="/o/northern/">Northern HSC Trust</a> (Admin)' in page
    assert '<a href="/r/north/">North regional IMH group</a> (Regional viewer)' in page
    assert "West programme board" not in page


def test_a_member_without_a_regional_role_still_goes_straight_in(workspace: Any) -> None:
    make_region(workspace)
    response = client_as(workspace.users["admin"]).get("/o/")
    assert response.status_code == 302 and response["Location"] == "/o/northern/"


def test_a_downloaded_workbook_of_targets_imports_back_as_it_is(workspace: Any) -> None:
    world = make_region(workspace)
    client = client_as(world.lead)
    RegionalTarget.objects.create(
        region=world.region,
        service="Perinatal mental health",
        profession="Psychologist",
        level="Specialist",
        target_percent=Decimal("62.5"),
        by_date=datetime.date(2029, 3, 31),
    )

    def kept() -> list[tuple[Any, ...]]:
        return sorted(
            (t.service, t.profession, t.level, t.target_percent, t.by_date)
            for t in RegionalTarget.objects.filter(region=world.region)
        )

    before = kept()
    workbook = client.get(url("region_targets_download", file_format="xlsx")).content
    upload = SimpleUploadedFile("regional-targets-north.xlsx", workbook)
    response = client.post(url("region_targets_import"), {"file": upload}, follow=True)
    assert "2 targets imported from regional-targets-north.xlsx, in place of the 2" in text(
        response
    )
    assert kept() == before
