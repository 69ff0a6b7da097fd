"""The organisation's side of regions (/o/<organisation>/workforce/regions/): the regions it is
invited into, what sharing gives each, who reads it there, and its admins' share / stop
sharing button.

The page shows the organisation's own memberships only: never another member organisation
(not even its name). Sharing is off until an admin turns it on; turning it off takes the
organisation out of every regional page at once (they read
:func:`~imheval.web.workforce.region_access.sharing_organisations` on each request). Each change
is logged in the organisation's audit log (RegionMember is audited).
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from imheval.web.organisations.access import POST, Access
from imheval.web.workforce.access import SHARE_WITH_REGION, organisation_page
from imheval.web.workforce.models import RegionMember, RegionRole


@organisation_page()
def regions(request: HttpRequest, access: Access) -> HttpResponse:
    """The organisation's regions, in three queries whatever their number."""
    memberships = list(
        RegionMember.objects.in_organisation(access.organisation)  # type: ignore[attr-defined]
        .select_related("region", "share_changed_by")
        .order_by("region__name")
    )
    readers: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"lead": [], "viewer": []})
    for role in (
        RegionRole.objects.filter(region__in=[m.region_id for m in memberships])
        .select_related("user")
        .order_by("user__username")
    ):
        readers[role.region_id][role.role].append(role.user.get_username())
    lines = [
        {
            "member": member,
            "leads": readers[member.region_id]["lead"],
            "viewers": readers[member.region_id]["viewer"],
        }
        for member in memberships
    ]
    context = {
        "lines": lines,
        "may_share": access.may(SHARE_WITH_REGION),
    }
    return render(request, "workforce/sharing.html", context)


@organisation_page(SHARE_WITH_REGION, POST)
def region_share(request: HttpRequest, access: Access, region_member: RegionMember) -> HttpResponse:
    """Turn sharing with the region on (``share=on``) or off (anything else)."""
    share = request.POST.get("share") == "on"
    region = region_member.region
    if region_member.shares != share:
        region_member.shares = share
        region_member.share_changed_at = timezone.now()
        region_member.share_changed_by = request.user  # type: ignore[assignment]
        region_member.save(update_fields=["shares", "share_changed_at", "share_changed_by"])
    if share:
        message = (
            f"{access.organisation.name} now shares with {region.name}: its leads and viewers "
            "see your coverage, places and evaluation results as totals, with small groups "
            "hidden. You can stop at any time."
        )
    else:
        message = (
            f"{access.organisation.name} does not share with {region.name}: the region's pages "
            "show nothing of it from now on."
        )
    messages.success(request, message)
    return redirect(reverse("workforce:regions", kwargs={"org": access.organisation.slug}))
