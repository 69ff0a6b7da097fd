"""Tenancy proofs for regions (issue 16, part 4): a region sees only shared aggregates, and an
organisation never sees another's data through a region.

The walk requests EVERY ``r/`` URL pattern of the site (found from the resolver, as the
organisation walk in test_workspace_access does, so a regional page added later is covered
at once), each download and report format included:

* anonymous visitors go to sign-in; a user with no role in the region gets 404 (an admin of a
  member organisation too, and a lead of another region); a target of another region is 404;
* a viewer gets 403 from every lead's change and changes nothing;
* no regional page, in any format, shows a trainee's name, an anonymous code or an answer's
  text, or anything of an organisation that does not share (a lead alone sees its NAME, on the
  region's page and its members page, as invited); turning sharing off takes the organisation
  off every regional page at once;
* the organisation's own Regions page shows its own memberships, never another member.
"""

from __future__ import annotations

import html
import io
import itertools
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import client_as
from django.urls import NoReverseMatch, get_resolver, reverse
from test_workspace_access import _patterns
from workforce_region_data import (
    ANONYMOUS_CODE,
    ANSWER_TEXT,
    SOUTHERN_NAME,
    SOUTHERN_SERVICE,
    TRAINEE_NAMES,
    RegionWorld,
    make_region,
)

from imheval.web.organisations.models import AuditEvent, Membership
from imheval.web.workforce.models import RegionalTarget, RegionMember, RegionRole

pytestmark = pytest.mark.django_db

#: The only address parts a region's route may have (brief: region, target, formats, and a
#: regional report of the region).
REGION_PARTS = {"region", "target", "file_format", "report_format", "regional_report"}
#: Every value each format part takes, so each download and report is walked.
FORMATS = {"file_format": ("csv", "xlsx"), "report_format": ("html", "pdf", "docx")}
#: The region's changes, lead-only: a viewer's POST (and GET of a change's form) is 403.
LEAD_ONLY_POSTS = {
    "workforce:region_members",
    "workforce:region_roles",
    "workforce:region_target_add",
    "workforce:region_target",
    "workforce:region_target_delete",
    "workforce:region_targets_import",
}
LEAD_ONLY_FORMS = {
    "workforce:region_target_add",
    "workforce:region_target",
    "workforce:region_targets_import",
}
#: POSTs any role may make that change no data of the region: asking for the regional report
#: (it leads to the report's progress page).
READING_POSTS = {"workforce:regional_report"}
#: Pages where a lead may see the NAME of an organisation invited that does not share.
INVITATION_PAGES = {"workforce:region", "workforce:region_members"}
#: What no regional page may ever contain, whoever shares.
NEVER = (*TRAINEE_NAMES, ANONYMOUS_CODE, ANSWER_TEXT)


def _region_routes() -> list[tuple[str, str, set[str]]]:
    routes = [entry for entry in _patterns(get_resolver()) if entry[0].startswith("r/")]
    for route, name, converters in routes:
        assert name, f"regional route {route!r} has no name"
        assert converters <= REGION_PARTS, (
            f"regional route {route!r} has address parts {sorted(converters - REGION_PARTS)}: "
            f"a region's routes may use only {sorted(REGION_PARTS)}"
        )
        assert "region" in converters, f"{route!r} is under r/ but names no region"
    return routes


def _report(world: RegionWorld) -> Any:
    """A finished regional report of ``world``'s region (made once, from what it shares at the
    time, as a worker writes it), so its progress page and file are walked too."""
    from imheval.web.workforce.models import RegionalReport
    from imheval.web.workforce.regional_reports import run_report

    found = RegionalReport.objects.filter(region=world.region).first()
    if found is None:
        found = RegionalReport.objects.create(
            region=world.region, requested_by=world.lead, format="html"
        )
        run_report(found.pk)
        found.refresh_from_db()
        assert found.state == "done", found.problem
    return found


def _urls(world: RegionWorld, region: str = "north", target: Any = None) -> list[tuple[str, str]]:
    """(name, address) of every regional page of ``region``, each format separately."""
    chosen = target if target is not None else world.target
    found = []
    for _, name, converters in _region_routes():
        fixed = {"region": region, "target": chosen.pk}
        if "regional_report" in converters:
            fixed["regional_report"] = _report(world).pk
        formats = [part for part in sorted(converters) if part in FORMATS]
        for values in itertools.product(*(FORMATS[part] for part in formats)):
            kwargs = {part: fixed[part] for part in converters if part in fixed}
            kwargs.update(zip(formats, values, strict=True))
            found.append((name, reverse(name, kwargs=kwargs)))
    return found


def _state() -> tuple[int, ...]:
    """Counts that any change through a regional page would move."""
    return (
        AuditEvent.objects.count(),
        RegionMember.objects.count(),
        RegionMember.objects.filter(shares=True).count(),
        RegionRole.objects.count(),
        RegionRole.objects.filter(role="lead").count(),
        RegionalTarget.objects.count(),
    )


def _content(response: Any) -> str:
    """Everything a person could read in the answer: HTML or CSV as text, a workbook's or Word
    document's XML without tags, a PDF through pdftotext."""
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if data.startswith(b"%PDF"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "page.pdf"
            path.write_bytes(data)
            return subprocess.run(
                ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
            ).stdout
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = " ".join(
                archive.read(member).decode("utf-8", "replace")
                for member in archive.namelist()
                if member.endswith(".xml")
            )
        return html.unescape(re.sub(r"<[^>]+>", "", xml))
    return html.unescape(data.decode("utf-8", "replace"))


def _read_all(client: Any, urls: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Each regional page's content as ``client`` gets it (only answers of 200)."""
    pages = {}
    for name, address in urls:
        response = client.get(address)
        assert response.status_code < 500, address
        if response.status_code == 200:
            pages[(name, address)] = _content(response)
    return pages


# ----------------------------------------------------------------------- the walk itself


def test_the_walk_finds_every_regional_page_and_fills_each_address(workspace: Any) -> None:
    world = make_region(workspace)
    names = {name for name, _ in _urls(world)}
    assert {
        "workforce:region",
        "workforce:region_members",
        "workforce:region_roles",
        "workforce:region_targets",
        "workforce:region_targets_download",
        *LEAD_ONLY_POSTS,
    } <= names
    for other in ("regional_coverage", "regional_outcomes"):
        try:
            reverse(f"workforce:{other}", kwargs={"region": "north"})
        except NoReverseMatch:
            continue  # not built yet: walked as soon as it is
        assert f"workforce:{other}" in names


# ----------------------------------------------------------------------- who reaches a region


def test_anonymous_visitors_are_sent_to_sign_in_from_every_regional_page(workspace: Any) -> None:
    world = make_region(workspace)
    client = client_as(None)
    before = _state()
    for _, address in _urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(address)
            assert response.status_code == 302, (method, address)
            assert response["Location"] == f"/sign-in/?next={address}", address
    assert _state() == before


@pytest.mark.parametrize(
    "who",
    ["member_admin", "member_viewer", "outsider", "no_organisation", "other_region_lead"],
)
def test_without_a_role_in_the_region_every_regional_page_is_404(workspace: Any, who: str) -> None:
    """Being an admin of a member organisation gives nothing of the region; nor does a role
    in another region (its lead is refused the whole of this one)."""
    world = make_region(workspace, southern_shares=True)
    from conftest import _user

    users = {
        "member_admin": workspace.users["admin"],
        "member_viewer": workspace.users["viewer"],
        "outsider": workspace.outsider,
        "no_organisation": _user("nobody-anywhere"),
        "other_region_lead": world.other_lead,
    }
    client = client_as(users[who])
    before = _state()
    answers = {}
    for _, address in _urls(world):
        for method in ("get", "post"):
            answers[(method, address)] = getattr(client, method)(address).status_code
    assert {request: status for request, status in answers.items() if status != 404} == {}
    assert _state() == before


def test_a_lead_of_another_region_reaches_their_own_region_only(workspace: Any) -> None:
    world = make_region(workspace)
    client = client_as(world.other_lead)
    assert client.get(reverse("workforce:region", kwargs={"region": "west"})).status_code == 200
    assert client.get(reverse("workforce:region", kwargs={"region": "north"})).status_code == 404


def test_another_regions_target_is_404_at_every_address_that_names_one(workspace: Any) -> None:
    world = make_region(workspace)
    client = client_as(world.lead)
    before = _state()
    named = [name for _, name, converters in _region_routes() if "target" in converters]
    assert len(named) >= 2
    for name in named:
        address = reverse(name, kwargs={"region": "north", "target": world.other_target.pk})
        assert client.get(address).status_code == 404, address
        assert client.post(address).status_code == 404, address
    assert _state() == before


def test_a_viewer_is_refused_every_change_and_changes_nothing(workspace: Any) -> None:
    world = make_region(workspace)
    client = client_as(world.viewer)
    before = _state()
    refused = {}
    for name, address in _urls(world):
        status = client.post(
            address, {"name": "Southern HSC Trust", "remove": world.northern.pk, "share": "on"}
        ).status_code
        refused[name] = status
        if name in READING_POSTS:
            assert status == 302 and "/reports/" in client.post(address)["Location"], address
            continue
        assert status in {403, 405}, (name, status)  # never a change, whatever the page
        if name in LEAD_ONLY_FORMS:
            assert client.get(address).status_code == 403, address
    assert {name for name, status in refused.items() if status == 403} >= LEAD_ONLY_POSTS
    assert _state() == before


# ----------------------------------------------------------------------- what a region sees


@pytest.mark.parametrize("who", ["lead", "viewer"])
def test_no_regional_page_shows_a_name_a_code_an_answer_or_a_non_sharing_organisation(
    workspace: Any, who: str
) -> None:
    world = make_region(workspace)  # Southern invited, not sharing
    pages = _read_all(client_as(getattr(world, who)), _urls(world))
    assert {name for name, _ in pages} >= {"workforce:region", "workforce:region_targets"}
    for (name, address), content in pages.items():
        for secret in NEVER:
            assert secret not in content, (address, secret)
        assert SOUTHERN_SERVICE not in content, address
        if who == "viewer" or name not in INVITATION_PAGES:
            assert SOUTHERN_NAME not in content, address
    if who == "lead":
        assert "Invited, not sharing" in pages[("workforce:region", "/r/north/")]


def test_turning_sharing_off_takes_the_organisation_off_every_regional_page_at_once(
    workspace: Any,
) -> None:
    world = make_region(workspace, southern_shares=True)
    viewer, lead = client_as(world.viewer), client_as(world.lead)
    urls = _urls(world)
    sharing = _read_all(viewer, urls)
    assert SOUTHERN_NAME in sharing[("workforce:region", "/r/north/")]
    coverage = [c for (name, _), c in sharing.items() if name == "workforce:regional_coverage"]
    try:
        reverse("workforce:regional_coverage", kwargs={"region": "north"})
    except NoReverseMatch:
        assert coverage == []
    else:  # the regional coverage page shows Southern's row while it shares
        assert len(coverage) == 1 and SOUTHERN_NAME in coverage[0]
    for content in sharing.values():
        for secret in NEVER:
            assert secret not in content

    from conftest import _user

    southern_admin = _user("admin-south")
    Membership.objects.create(
        user=southern_admin, organisation=workspace.other_organisation, role="admin"
    )
    stop = reverse(
        "workforce:region_share", kwargs={"org": "southern", "region_member": world.southern.pk}
    )
    assert client_as(southern_admin).post(stop, {"share": "off"}).status_code == 302

    for (_, address), content in _read_all(viewer, urls).items():
        assert SOUTHERN_NAME not in content, address
        assert SOUTHERN_SERVICE not in content, address
    for (name, address), content in _read_all(lead, urls).items():
        assert SOUTHERN_SERVICE not in content, address
        if name not in INVITATION_PAGES:
            assert SOUTHERN_NAME not in content, address
    assert "Invited, not sharing" in _content(lead.get("/r/north/"))


# ----------------------------------------------------------------------- the organisation's side


def test_an_organisation_sees_its_own_memberships_only_never_another_member(
    workspace: Any,
) -> None:
    world = make_region(workspace, southern_shares=True)
    regions = reverse("workforce:regions", kwargs={"org": "northern"})
    for role in ("admin", "viewer"):
        page = _content(client_as(workspace.users[role]).get(regions))
        assert "North regional IMH group" in page
        assert SOUTHERN_NAME not in page and SOUTHERN_SERVICE not in page
        for secret in (TRAINEE_NAMES[1], ANSWER_TEXT):
            assert secret not in page
    # another organisation's membership, named in northern's address: 404, as if absent
    share = reverse(
        "workforce:region_share", kwargs={"org": "northern", "region_member": world.southern.pk}
    )
    client = client_as(workspace.users["admin"])
    assert client.post(share, {"share": "off"}).status_code == 404
    world.southern.refresh_from_db()
    assert world.southern.shares is True
