"""The network group pages under /o/<organisation>/groups/: the organisation's groups side by
side, a group's page, its settings, meetings, members and the register.

Every page goes through :data:`~imheval.web.network.group_access.organisation_page` (sign-in,
404 for outsiders, objects loaded from the organisation only); a meeting or member must belong
to the group in the address (``of_group``). Reading needs membership; changing a group needs
:func:`~imheval.web.network.group_access.may_edit_group`. The attendance rule is the core's,
reached through ``adapter``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from imheval.network.attendance import standings as core_standings
from imheval.network.retention import retention as core_retention
from imheval.web.network import adapter, figures, meetings, overview
from imheval.web.network import register as taking
from imheval.web.network.forms import (
    GroupForm,
    LeaveForm,
    MeetingForm,
    MemberForm,
    PeriodForm,
    RejoinForm,
    describe_pattern,
)
from imheval.web.network.group_access import (
    may_create_group,
    may_edit_group,
    of_group,
    organisation_page,
    require_create,
    require_edit,
)
from imheval.web.network.models import (
    Mark,
    Meeting,
    Member,
    MembershipPeriod,
    NetworkGroup,
    new_calendar_token,
)
from imheval.web.organisations.access import FORM, POST, Access
from imheval.web.organisations.models import Membership
from imheval.web.workspace.views import _form_page as workspace_form_page

#: Longer than any calendar token we make (43 characters); longer ones are not looked up.
MAX_CALENDAR_TOKEN_LENGTH = 64


def today() -> datetime.date:
    """Today, in the site's time zone. Standings are worked out as of
    :func:`adapter.as_of_date` instead, which is yesterday while a meeting of the group today
    has not started."""
    return timezone.localdate()


def _url(name: str, access: Access, **objects: Any) -> str:
    kwargs = {key: getattr(value, "pk", value) for key, value in objects.items()}
    return reverse(f"network:{name}", kwargs={"org": access.organisation.slug, **kwargs})


def _crumbs(access: Access, group: NetworkGroup | None = None) -> list[tuple[str, str]]:
    crumbs = [("Network groups", _url("groups", access))]
    if group is not None:
        crumbs.append((group.name, _url("group", access, group=group)))
    return crumbs


def _form_page(request: HttpRequest, form: Any, **page: Any) -> HttpResponse:
    """The workspace's form page (show, or save and redirect) with this app's template."""
    return workspace_form_page(request, form, template="network/form.html", **page)


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# ----------------------------------------------------------------------- the organisation's groups


@organisation_page()
def groups(request: HttpRequest, access: Access) -> HttpResponse:
    """Every group of the organisation side by side, in a constant number of queries."""
    day = today()
    found = list(
        NetworkGroup.objects.in_organisation(access.organisation)
        .filter(is_archived=False)
        .prefetch_related(
            Prefetch("facilitators", queryset=Membership.objects.select_related("user"))
        )
    )
    as_of = adapter.as_of_dates(found)
    kept = figures.group_lines(found, as_of, day)
    lines = [
        {
            "group": group,
            "figures": kept[group.pk].figures,
            "retention": kept[group.pk].retention,
            "facilitators": sorted(m.user.get_username() for m in group.facilitators.all()),
        }
        for group in found
    ]
    archived = NetworkGroup.objects.in_organisation(access.organisation).filter(is_archived=True)
    context = {
        "lines": lines,
        "archived": archived,
        "may_create": may_create_group(access),
        "today": day,
    }
    return render(request, "network/groups.html", context)


@organisation_page(methods=FORM)
def group_create(request: HttpRequest, access: Access) -> HttpResponse:
    require_create(access)

    def done(group: NetworkGroup) -> tuple[str, str]:
        made = meetings.generate(group)
        return (
            f"Network group {group.name} set up. {made.message()}",
            _url("group", access, group=group),
        )

    return _form_page(
        request,
        GroupForm(_data(request), organisation=access.organisation, may_choose_facilitators=True),
        title="Set up a network group",
        submit="Set up group",
        cancel=_url("groups", access),
        done=done,
        crumbs=_crumbs(access),
        intro="Meetings for the attendance year are made from the pattern you choose. "
        "You can then move, cancel or add meetings one by one.",
    )


@organisation_page(methods=FORM)
def group_edit(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    require_edit(access, group)

    def done(saved: NetworkGroup) -> tuple[str, str]:
        return (
            f"{saved.name} saved. If you changed the pattern or the year, make the meetings "
            "again from the meetings page.",
            _url("group", access, group=saved),
        )

    choose = may_create_group(access)
    return _form_page(
        request,
        GroupForm(
            _data(request),
            instance=group,
            organisation=access.organisation,
            may_choose_facilitators=choose,
        ),
        title="Change the group's settings",
        caption=group.name,
        submit="Save settings",
        cancel=_url("group", access, group=group),
        done=done,
        crumbs=_crumbs(access, group),
        intro=""
        if choose
        else "The organisation's admins and evaluators choose who facilitates the group.",
    )


# ----------------------------------------------------------------------- the group page


@organisation_page()
def group(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    """Members by state, the meetings not recorded, the chart over the year, retention."""
    as_of = adapter.as_of_date(group)
    register = adapter.group_register(group, as_of)
    rule = adapter.group_rule(group)
    found = core_standings(register, rule, as_of)
    year = rule.year(register)
    members = {member.name: member for member in register.members}
    counted = overview.year_meetings(register, rule)
    facilitators = sorted(m.user.get_username() for m in group.facilitators.select_related("user"))
    context = {
        "group": group,
        "today": today(),
        "as_of": as_of,
        "year_start": year[0],
        "year_last": year[1] - datetime.timedelta(days=1),
        "pattern": describe_pattern(group.recurrence),
        "facilitators": facilitators,
        "rows": [
            {
                "standing": standing,
                "member": members[standing.member],
                "tag": overview.STATE_TAGS[standing.state],
            }
            for standing in found
        ],
        "not_recorded": overview.not_recorded(found, register),
        "retention": core_retention(register, rule, as_of),
        "meetings": counted,
        "chart": overview.chart_svg_data(counted),
        "series": overview.SERIES,
        "may_edit": may_edit_group(access, group),
        "crumbs": _crumbs(access),
        "calendar_feed": request.build_absolute_uri(
            reverse("network:group_calendar_feed", kwargs={"token": group.calendar_token})
        ),
    }
    return render(request, "network/group.html", context)


@organisation_page()
def group_calendar(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    """The group's meetings as one .ics file, for download."""
    return _ics(group, attachment=True)


@organisation_page(methods=POST)
def group_calendar_address(
    request: HttpRequest, access: Access, group: NetworkGroup
) -> HttpResponse:
    """Replace the group's calendar subscribe address: the old one stops working at once. The
    audit log records when (``calendar_token_replaced_at``), never the token."""
    require_edit(access, group)
    group.calendar_token = new_calendar_token()
    group.calendar_token_replaced_at = timezone.now()
    group.save(update_fields=["calendar_token", "calendar_token_replaced_at"])
    messages.success(
        request,
        "There is a new subscribe address for the meetings. The old one no longer works: "
        "anyone who subscribed with it needs the new one.",
    )
    return redirect(_url("group", access, group=group) + "#calendar")


@require_GET
def group_calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The same file at an unguessable address (a random token the group's editors can
    replace) that a calendar app can subscribe to (it cannot sign in). It shows only meeting
    dates, times and topics. An unknown or replaced token is 404."""
    if not token or len(token) > MAX_CALENDAR_TOKEN_LENGTH:
        raise Http404("No such calendar")
    found = get_object_or_404(NetworkGroup, calendar_token=token, is_archived=False)
    return _ics(found, attachment=False)


def _ics(group: NetworkGroup, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(
        meetings.calendar_file(group), content_type="text/calendar; charset=utf-8"
    )
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="network-group-{group.pk}.ics"'
    return response


# ----------------------------------------------------------------------- meetings


@organisation_page()
def meeting_list(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    as_of = adapter.as_of_date(group)
    found = list(Meeting.objects.filter(group=group).order_by("date", "start_time", "pk"))
    start, end = meetings.year_of(group)
    context = {
        "group": group,
        "today": as_of,
        "in_year": [m for m in found if start <= m.date < end],
        "other": [m for m in found if not start <= m.date < end],
        "year_start": start,
        "year_last": end - datetime.timedelta(days=1),
        "pattern": describe_pattern(group.recurrence),
        "may_edit": may_edit_group(access, group),
        "crumbs": _crumbs(access, group),
    }
    return render(request, "network/meetings.html", context)


@organisation_page(methods=POST)
def meetings_generate(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    require_edit(access, group)
    messages.success(request, meetings.generate(group).message())
    return redirect(_url("meetings", access, group=group))


@organisation_page(methods=FORM)
def meeting_create(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    require_edit(access, group)
    return _form_page(
        request,
        MeetingForm(_data(request), group=group),
        title="Add a one-off meeting",
        caption=group.name,
        submit="Add meeting",
        cancel=_url("meetings", access, group=group),
        done=lambda meeting: (
            f"Meeting on {meeting.date:%-d %B %Y} added.",
            _url("meetings", access, group=group),
        ),
        crumbs=_crumbs(access, group),
        intro="For a meeting the regular pattern does not give. To move a regular meeting, "
        "change its date instead.",
    )


@organisation_page(methods=FORM)
def meeting_edit(
    request: HttpRequest, access: Access, group: NetworkGroup, meeting: Meeting
) -> HttpResponse:
    of_group(group, meeting)
    require_edit(access, group)
    form = MeetingForm(_data(request), instance=meeting, group=group)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"Meeting on {saved.date:%-d %B %Y} saved.")
        return redirect(_url("meetings", access, group=group))
    context = {
        "form": form,
        "group": group,
        "meeting": meeting,
        "crumbs": [*_crumbs(access, group), ("Meetings", _url("meetings", access, group=group))],
    }
    return render(request, "network/meeting.html", context)


@organisation_page(methods=POST)
def meeting_cancel(
    request: HttpRequest, access: Access, group: NetworkGroup, meeting: Meeting
) -> HttpResponse:
    """Cancel the meeting (it then counts for nobody), or restore it (``restore=yes``)."""
    of_group(group, meeting)
    require_edit(access, group)
    restore = request.POST.get("restore") == "yes"
    if meeting.cancelled == restore:
        meeting.cancelled = not restore
        meeting.save()
    word = "restored" if restore else "cancelled: it counts for nobody"
    messages.success(request, f"Meeting on {meeting.date:%-d %B %Y} {word}.")
    return redirect(_url("meetings", access, group=group))


@organisation_page(methods=FORM)
def register(
    request: HttpRequest, access: Access, group: NetworkGroup, meeting: Meeting
) -> HttpResponse:
    """One screen, one tap per member eligible that day; saved in one POST."""
    of_group(group, meeting)
    require_edit(access, group)
    as_of = today()
    members = taking.eligible_members(meeting)
    marks = taking.current_marks(meeting)
    problem = ""
    if request.method == "POST":
        if meeting.cancelled:
            problem = "This meeting is cancelled. Restore it before taking its register."
        else:
            try:
                chosen = taking.parse(request.POST, members, meeting.date, as_of, marks)
            except taking.RegisterInputError as error:
                problem = str(error)
            else:
                changed = taking.save(meeting, chosen)
                cleared = {pk for pk, status in chosen.items() if status == taking.CLEAR}
                written = changed - len(cleared)
                unmarked = len(members) - len((set(marks) | set(chosen)) - cleared)
                note = (
                    f" {unmarked} {'member has' if unmarked == 1 else 'members have'} no mark "
                    "yet and count as missing the meeting until you record them."
                    if unmarked > 0 and meeting.date <= as_of
                    else ""
                )
                messages.success(
                    request,
                    f"Register for {meeting.date:%-d %B %Y} saved "
                    f"({written} {'mark' if written == 1 else 'marks'} added or changed"
                    f"{f', {len(cleared)} cleared' if cleared else ''}).{note}",
                )
                return redirect(_url("group", access, group=group))
    everyone = request.method == "GET" and request.GET.get("everyone") == "present"
    lines = taking.rows(
        members, marks, request.POST if request.method == "POST" else None, everyone
    )
    context = {
        "group": group,
        "meeting": meeting,
        "lines": lines,
        "marks": Mark.choices,
        "clear": taking.CLEAR,
        "future": meeting.date > as_of,
        "problem": problem,
        "everyone": everyone,
        "crumbs": _crumbs(access, group),
    }
    return render(request, "network/register.html", context, status=400 if problem else 200)


# ----------------------------------------------------------------------- members


@organisation_page()
def member_list(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    found = Member.objects.filter(group=group).prefetch_related(
        Prefetch("periods", queryset=MembershipPeriod.objects.order_by("joined"))
    )
    as_of = today()
    lines = []
    for member in found:
        periods = list(member.periods.all())
        current = any(p.joined <= as_of and (p.left is None or as_of <= p.left) for p in periods)
        lines.append({"member": member, "periods": periods, "current": current})
    context = {
        "group": group,
        "lines": lines,
        "may_edit": may_edit_group(access, group),
        "crumbs": _crumbs(access, group),
    }
    return render(request, "network/members.html", context)


@organisation_page(methods=FORM)
def member_create(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    require_edit(access, group)
    return _form_page(
        request,
        MemberForm(_data(request), group=group),
        title="Add a member",
        caption=group.name,
        submit="Add member",
        cancel=_url("members", access, group=group),
        done=lambda member: (f"{member.name} added.", _url("members", access, group=group)),
        crumbs=_crumbs(access, group),
        intro="Members are staff, named: their attendance is a development record, never "
        "joined to the anonymous questionnaires. Meetings count for them from the day they join.",
    )


@organisation_page(methods=FORM)
def member_edit(
    request: HttpRequest, access: Access, group: NetworkGroup, group_member: Member
) -> HttpResponse:
    of_group(group, group_member)
    require_edit(access, group)
    form = MemberForm(_data(request), instance=group_member, group=group)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"{saved.name} saved.")
        return redirect(_url("members", access, group=group))
    periods = list(group_member.periods.order_by("joined"))
    context = {
        "form": form,
        "group": group,
        "member": group_member,
        "periods": periods,
        "open_period": next((p for p in periods if p.left is None), None),
        "crumbs": [*_crumbs(access, group), ("Members", _url("members", access, group=group))],
    }
    return render(request, "network/member.html", context)


def _open_period(member: Member) -> MembershipPeriod | None:
    return member.periods.filter(left__isnull=True).order_by("-joined").first()


@organisation_page(methods=FORM)
def member_leave(
    request: HttpRequest, access: Access, group: NetworkGroup, group_member: Member
) -> HttpResponse:
    of_group(group, group_member)
    require_edit(access, group)
    period = _open_period(group_member)
    back = _url("member_edit", access, group=group, group_member=group_member)
    if period is None:
        messages.success(request, f"{group_member.name} has already left the group.")
        return redirect(back)
    return _form_page(
        request,
        LeaveForm(_data(request), period=period),
        title=f"{group_member.name} leaves the group",
        caption=group.name,
        submit="Save",
        cancel=back,
        done=lambda saved: (
            f"{group_member.name} left on {saved.left:%-d %B %Y}. Meetings after that day no "
            "longer count for them.",
            back,
        ),
        crumbs=_crumbs(access, group),
    )


@organisation_page(methods=FORM)
def member_rejoin(
    request: HttpRequest, access: Access, group: NetworkGroup, group_member: Member
) -> HttpResponse:
    of_group(group, group_member)
    require_edit(access, group)
    back = _url("member_edit", access, group=group, group_member=group_member)
    if _open_period(group_member) is not None:
        messages.success(request, f"{group_member.name} is a member now: nothing to rejoin.")
        return redirect(back)
    return _form_page(
        request,
        RejoinForm(_data(request), member=group_member),
        title=f"{group_member.name} rejoins the group",
        caption=group.name,
        submit="Save",
        cancel=back,
        done=lambda saved: (
            f"{group_member.name} rejoined on {saved.joined:%-d %B %Y}.",
            back,
        ),
        crumbs=_crumbs(access, group),
    )


@organisation_page(methods=FORM)
def period_edit(
    request: HttpRequest,
    access: Access,
    group: NetworkGroup,
    group_member: Member,
    period: MembershipPeriod,
) -> HttpResponse:
    of_group(group, group_member)
    if period.member_id != group_member.pk:  # type: ignore[attr-defined]
        raise Http404("No such membership period")
    require_edit(access, group)
    back = _url("member_edit", access, group=group, group_member=group_member)
    return _form_page(
        request,
        PeriodForm(_data(request), instance=period),
        title="Correct the membership dates",
        caption=group_member.name,
        submit="Save dates",
        cancel=back,
        done=lambda saved: (f"{group_member.name}'s membership dates saved.", back),
        crumbs=_crumbs(access, group),
    )
