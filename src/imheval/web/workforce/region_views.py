"""A region's own pages under /r/<region>/: what the region is, its members, its roles and its
targets. Leads manage; viewers read.

Every page goes through :func:`~imheval.web.workforce.region_access.region_page` (sign-in, 404
without a role in the region, a target loaded from the region only, 403 for a viewer's
change). What the pages show of organisations: the names of those that share; for a lead,
also the names of those invited that do not share (to manage the invitations), and nothing
else of them. No page here shows any organisation's figures: the coverage and outcomes pages
(``regional_*``) read the sharing organisations' aggregates.

Changes are logged in the member organisations' audit logs (:mod:`.region_audit`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from imheval.web.organisations.access import FORM, POST
from imheval.web.workforce.downloads import table_response
from imheval.web.workforce.models import RegionalTarget, RegionMember, RegionRole, RegionRoleName
from imheval.web.workforce.region_access import (
    MANAGE_REGION,
    RegionAccess,
    not_sharing_count,
    region_page,
    visible_members,
)
from imheval.web.workforce.region_audit import (
    REGIONAL_ROLE,
    REGIONAL_TARGET,
    record_region_change,
)
from imheval.web.workforce.region_forms import (
    InviteForm,
    RoleForm,
    TargetForm,
    TargetImportForm,
    lead_count,
)
from imheval.web.workspace.views import _form_page

#: The regional pages other parts build, linked from the region's page when they exist.
REGIONAL_PAGES = (
    ("regional_coverage", "Coverage by organisation and level against the regional targets"),
    ("regional_places", "Places funded, taken and completed by organisation"),
    ("regional_outcomes", "Outcomes of the programmes the organisations deliver"),
)
#: A target's fields, in the order of the REQUIRED file (``imheval coverage --requirements``).
TARGET_FIELDS = ("service", "profession", "level", "target_percent", "by_date")


def _url(name: str, access: RegionAccess, **kwargs: Any) -> str:
    return reverse(f"workforce:{name}", kwargs={"region": access.region.slug, **kwargs})


def _optional_url(name: str, access: RegionAccess) -> str | None:
    """The address of another part's regional page, or None while it does not exist."""
    try:
        return _url(name, access)
    except NoReverseMatch:
        return None


def _regional_pages(access: RegionAccess) -> list[tuple[str, str]]:
    """(address, label) of the regional pages that exist."""
    found = ((_optional_url(name, access), label) for name, label in REGIONAL_PAGES)
    return [(url, label) for url, label in found if url is not None]


def _crumbs(access: RegionAccess, *more: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        ("Your organisations and regions", reverse("workspace:home")),
        (access.region.name, _url("region", access)),
        *more,
    ]


def _posted_number(request: HttpRequest, name: str) -> int:
    """A whole number posted as ``name`` (an object's key); 404 for anything else."""
    text = str(request.POST.get(name, ""))
    if not (text.isascii() and text.isdigit() and len(text) < 12):
        raise Http404("No such object")
    return int(text)


# ----------------------------------------------------------------------- the region


@region_page()
def region(request: HttpRequest, access: RegionAccess) -> HttpResponse:
    """What the region is, who is in it and what it sees, and its pages."""
    members = visible_members(access)
    leads = sorted(
        role.user.get_username()
        for role in RegionRole.objects.filter(
            region=access.region, role=RegionRoleName.LEAD
        ).select_related("user")
    )
    context = {
        "region": access.region,
        "access": access,
        "ladder": access.region.ladder(),
        "members": members,
        "sharing": sum(member.shares for member in members),
        "hidden_count": 0 if access.is_lead else not_sharing_count(access.region),
        "leads": leads,
        "pages": _regional_pages(access),
        "crumbs": [("Your organisations and regions", reverse("workspace:home"))],
    }
    return render(request, "workforce/region.html", context)


# ----------------------------------------------------------------------- members


@region_page(methods=FORM)
def region_members(request: HttpRequest, access: RegionAccess) -> HttpResponse:
    """The member organisations; a lead invites one by its exact name, or removes one."""
    form = InviteForm(region=access.region)
    if request.method == "POST":
        access.require(MANAGE_REGION)
        if "remove" in request.POST:
            member = (
                RegionMember.objects.filter(
                    region=access.region, pk=_posted_number(request, "remove")
                )
                .select_related("organisation")
                .first()
            )
            if member is None:
                raise Http404("No such member")
            member.delete()  # logged in the organisation's audit log (RegionMember is audited)
            messages.success(
                request,
                f"{member.organisation.name} is no longer in {access.region.name}: the "
                "region sees nothing of it.",
            )
            return redirect(_url("region_members", access))
        form = InviteForm(request.POST, region=access.region)
        if form.is_valid():
            member = form.save()
            messages.success(
                request,
                f"{member.organisation.name} is invited. The region sees nothing of it until "
                "one of its admins chooses to share, on its Regions page.",
            )
            return redirect(_url("region_members", access))
    context = {
        "region": access.region,
        "access": access,
        "members": visible_members(access),
        "hidden_count": 0 if access.is_lead else not_sharing_count(access.region),
        "form": form,
        "crumbs": _crumbs(access),
    }
    return render(request, "workforce/region_members.html", context)


# ----------------------------------------------------------------------- roles


@region_page(methods=FORM)
def region_roles(request: HttpRequest, access: RegionAccess) -> HttpResponse:
    """Who has which regional role; a lead gives, changes or takes one (never the last lead's)."""
    form = RoleForm(region=access.region)
    if request.method == "POST":
        access.require(MANAGE_REGION)
        with transaction.atomic():
            # Lock the region's leads, so two leads removing each other at once leave one.
            list(
                RegionRole.objects.select_for_update().filter(
                    region=access.region, role=RegionRoleName.LEAD
                )
            )
            if "remove" in request.POST:
                return _remove_role(request, access, _posted_number(request, "remove"))
            form = RoleForm(request.POST, region=access.region)
            if form.is_valid():
                role, before = form.save()
                _log_role(access, role, before)
                name = role.user.get_username()
                if before is None:
                    message = f"{name} is now {role.get_role_display().lower()}."
                elif before == role.role:
                    message = f"{name} was already {role.get_role_display().lower()}."
                else:
                    message = f"{name} is now {role.get_role_display().lower()}."
                messages.success(request, message)
                if role.pk == access.role.pk and role.role != RegionRoleName.LEAD:
                    return redirect(_url("region", access))
                return redirect(_url("region_roles", access))
    roles = list(
        RegionRole.objects.filter(region=access.region)
        .select_related("user")
        .order_by("role", "user__username")
    )
    context = {
        "region": access.region,
        "access": access,
        "roles": roles,
        "lead_count": sum(role.role == RegionRoleName.LEAD for role in roles),
        "form": form,
        "crumbs": _crumbs(access),
    }
    return render(request, "workforce/region_roles.html", context)


def _remove_role(request: HttpRequest, access: RegionAccess, pk: int) -> HttpResponse:
    role = RegionRole.objects.filter(region=access.region, pk=pk).select_related("user").first()
    if role is None:
        raise Http404("No such role")
    name = role.user.get_username()
    if role.role == RegionRoleName.LEAD and lead_count(access.region) <= 1:
        messages.error(
            request,
            f"{name} is the only regional lead of {access.region.name}, so the role stays. "
            "Make someone else a lead first.",
        )
        return redirect(_url("region_roles", access))
    record_region_change(
        access.region,
        action="deleted",
        object_type=REGIONAL_ROLE,
        object_id=role.pk,
        label=f"{name} ({role.get_role_display()})",
        changes={"user": [name, None], "role": [role.role, None]},
    )
    role.delete()
    messages.success(
        request, f"{name} no longer has a role in {access.region.name} and sees none of it."
    )
    if role.user_id == request.user.pk:  # type: ignore[attr-defined]
        return redirect("workspace:home")
    return redirect(_url("region_roles", access))


def _log_role(access: RegionAccess, role: RegionRole, before: str | None) -> None:
    if before == role.role:
        return
    name = role.user.get_username()
    record_region_change(
        access.region,
        action="created" if before is None else "updated",
        object_type=REGIONAL_ROLE,
        object_id=role.pk,
        label=f"{name} ({role.get_role_display()})",
        changes={"role": [before, role.role], **({"user": [None, name]} if before is None else {})},
    )


# ----------------------------------------------------------------------- targets


def _target_values(target: RegionalTarget) -> dict[str, str]:
    return {field: str(getattr(target, field)) for field in TARGET_FIELDS}


@region_page()
def region_targets(request: HttpRequest, access: RegionAccess) -> HttpResponse:
    """The regional targets: a service and profession's staff at a level, by a date."""
    context = {
        "region": access.region,
        "access": access,
        "targets": list(RegionalTarget.objects.filter(region=access.region)),
        "ladder": access.region.ladder(),
        "crumbs": _crumbs(access),
    }
    return render(request, "workforce/region_targets.html", context)


@region_page()
def region_targets_download(
    request: HttpRequest, access: RegionAccess, file_format: str
) -> HttpResponse:
    """The targets in the REQUIRED file's shape, so a download imports back as it is."""
    rows = [
        [target.service, target.profession, target.level, target.target_percent, target.by_date]
        for target in RegionalTarget.objects.filter(region=access.region)
    ]
    return table_response(
        f"regional targets {access.region.slug}", list(TARGET_FIELDS), rows, file_format
    )


@region_page(MANAGE_REGION, FORM)
def region_target_add(request: HttpRequest, access: RegionAccess) -> HttpResponse:
    def done(target: RegionalTarget) -> tuple[str, str]:
        record_region_change(
            access.region,
            action="created",
            object_type=REGIONAL_TARGET,
            object_id=target.pk,
            label=str(target),
            changes={field: [None, value] for field, value in _target_values(target).items()},
        )
        return (f"Target for {target.profession} in {target.service} added.", back)

    back = _url("region_targets", access)
    return _form_page(
        request,
        TargetForm(request.POST if request.method == "POST" else None, region=access.region),
        title="Add a regional target",
        caption=access.region.name,
        submit="Save target",
        cancel=back,
        done=done,
        crumbs=_crumbs(access, ("Targets", back)),
        intro="A share of a service's staff of one profession trained to a level by a date, "
        "across the organisations that share with the region. For example: 90% of health "
        "visitors in Health visiting at Skilled by 31 March 2027.",
    )


@region_page(MANAGE_REGION, FORM)
def region_target(
    request: HttpRequest, access: RegionAccess, target: RegionalTarget
) -> HttpResponse:
    before = _target_values(target)

    def done(saved: RegionalTarget) -> tuple[str, str]:
        after = _target_values(saved)
        changes = {field: [before[field], after[field]] for field in after}
        changes = {field: pair for field, pair in changes.items() if pair[0] != pair[1]}
        if changes:
            record_region_change(
                access.region,
                action="updated",
                object_type=REGIONAL_TARGET,
                object_id=saved.pk,
                label=str(saved),
                changes=changes,
            )
        return (f"Target for {saved.profession} in {saved.service} saved.", back)

    back = _url("region_targets", access)
    return _form_page(
        request,
        TargetForm(
            request.POST if request.method == "POST" else None,
            instance=target,
            region=access.region,
        ),
        title="Change a regional target",
        caption=access.region.name,
        submit="Save target",
        cancel=back,
        done=done,
        crumbs=_crumbs(access, ("Targets", back)),
        template="workforce/region_target_form.html",
    )


@region_page(MANAGE_REGION, POST)
def region_target_delete(
    request: HttpRequest, access: RegionAccess, target: RegionalTarget
) -> HttpResponse:
    record_region_change(
        access.region,
        action="deleted",
        object_type=REGIONAL_TARGET,
        object_id=target.pk,
        label=str(target),
        changes={field: [value, None] for field, value in _target_values(target).items()},
    )
    target.delete()
    messages.success(request, f"Target for {target.profession} in {target.service} deleted.")
    return redirect(_url("region_targets", access))


@region_page(MANAGE_REGION, FORM)
def region_targets_import(request: HttpRequest, access: RegionAccess) -> HttpResponse:
    """Replace the region's targets with a REQUIRED file's, all or nothing."""
    back = _url("region_targets", access)
    form = TargetImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        region=access.region,
    )
    if request.method == "POST" and form.is_valid():
        message = _replace_targets(access, form)
        messages.success(request, message)
        return redirect(back)
    context = {
        "region": access.region,
        "form": form,
        "problems": form.problems[:500],
        "hidden": max(0, len(form.problems) - 500),
        "file_name": form.file_name,
        "levels": access.region.ladder().levels,
        "cancel": back,
        "crumbs": _crumbs(access, ("Targets", back)),
    }
    return render(request, "workforce/region_targets_import.html", context)


def _replace_targets(access: RegionAccess, form: TargetImportForm) -> str:
    """Save the file's targets in place of the region's (one transaction, one log entry per
    member organisation); the message saying what was kept and what was not."""
    requirements = form.requirements
    with transaction.atomic():
        removed = RegionalTarget.objects.filter(region=access.region).delete()[0]
        RegionalTarget.objects.bulk_create(
            RegionalTarget(
                region=access.region,
                service=requirement.service,
                profession=requirement.profession,
                level=requirement.level,
                target_percent=requirement.target_percent,
                by_date=requirement.by_date,
            )
            for requirement in requirements
        )
        record_region_change(
            access.region,
            action="updated",
            object_type=REGIONAL_TARGET,
            object_id="import",
            label=f"targets imported from {form.file_name}",
            changes={"targets": [removed, len(requirements)], "file": [None, form.file_name]},
        )
    interim = sum(len(requirement.points) - 1 for requirement in requirements)
    refresh = sum(requirement.refresh_years is not None for requirement in requirements)
    count = len(requirements)
    message = (
        f"{count} target{'s' if count != 1 else ''} imported from {form.file_name}, in place of "
        f"the {removed} there were."
    )
    if interim:
        message += (
            f" A region's target is one share by one date: the file's {interim} interim "
            f"point{'s were' if interim != 1 else ' was'} not kept (its latest date is)."
        )
    if refresh:
        message += (
            " Refresh intervals were not kept: each organisation's own requirements say "
            "when training lapses."
        )
    return message
