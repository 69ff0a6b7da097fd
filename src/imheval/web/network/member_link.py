"""A member's own link: their attendance, their standing, and apologies for a coming meeting.

A facilitator makes a personal link for a member (:func:`issue`); the token in it (256 random
bits, :func:`imheval.web.organisations.tokens.new_token`) is shown once, and only its SHA-256
digest is kept, so a copy of the database holds no working link. Making a new link revokes the
member's earlier ones; a link can be revoked outright (:func:`revoke`).

The page at ``/m/<token>/`` needs no sign-in. It shows that member and nobody else: their
meetings this attendance year with their own marks, their standing in plain English, the
meetings to come, and a button to send (or withdraw) apologies for each coming meeting. A
revoked or unknown token gets the site's plain 404 page, which says nothing about why. Every
answer is ``no-store`` (a shared computer keeps no copy), ``noindex``, and sends its address as
referrer to no other site (the token is in the address, so a link followed from the page must
not carry it away).

Apologies sent here are marks like any other (``AttendanceMark``, audited, ``by_member=True``,
the actor "member's own link"). A member cannot change a mark the facilitators recorded, and
cannot send or withdraw apologies once the meeting has started.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from imheval.network.attendance import Standing, State, standing
from imheval.reports.network import long_date
from imheval.web.network import adapter
from imheval.web.network.group_access import (
    may_edit_group,
    of_group,
    organisation_page,
    require_edit,
)
from imheval.web.network.models import (
    AttendanceMark,
    Mark,
    Meeting,
    Member,
    MemberLink,
    NetworkGroup,
)
from imheval.web.organisations import tokens
from imheval.web.organisations.access import FORM, Access
from imheval.web.organisations.audit import acting_as

#: Longer than any token we make (43 characters); longer ones are not looked up.
MAX_TOKEN_LENGTH = 64
#: Who the audit log names for changes made through a member's own link.
ACTOR_LABEL = "member's own link"


# ------------------------------------------------------------------------------ the links


def issue(member: Member) -> tuple[MemberLink, str]:
    """A new link for ``member`` and its token; the member's earlier links stop working."""
    with transaction.atomic():
        for earlier in MemberLink.objects.filter(member=member, revoked_at__isnull=True):
            earlier.revoked_at = timezone.now()
            earlier.save(update_fields=["revoked_at"])
        token, digest = tokens.new_token()
        link = MemberLink.objects.create(member=member, token_digest=digest)
    return link, token


def revoke(member: Member) -> int:
    """Stop every working link of ``member``; the number revoked."""
    revoked = 0
    for link in MemberLink.objects.filter(member=member, revoked_at__isnull=True):
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        revoked += 1
    return revoked


def active_link(member: Member) -> MemberLink | None:
    return MemberLink.objects.filter(member=member, revoked_at__isnull=True).first()


def member_for(token: str) -> Member | None:
    """The member whose working link has ``token``; None for any other token alike."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    link = (
        MemberLink.objects.select_related("member__group__organisation")
        .filter(token_digest=tokens.digest(token), revoked_at__isnull=True)
        .first()
    )
    return link.member if link is not None else None


# ------------------------------------------------------------------------------ what the page shows


@dataclass(frozen=True)
class MyMeeting:
    """One meeting as the member's own page shows it."""

    meeting: Meeting
    status: str  # the member's mark's label, "Not recorded yet", "Cancelled" or "Coming"
    by_member: bool
    can_send: bool
    can_withdraw: bool
    started: bool


def meeting_started(meeting: Meeting, now: datetime.datetime | None = None) -> bool:
    """True once the meeting's start time has passed (the server's local time)."""
    now = timezone.localtime(now or timezone.now())
    start = datetime.datetime.combine(meeting.date, meeting.start_time)
    return now.replace(tzinfo=None) >= start


def _eligible(member: Member, day: datetime.date) -> bool:
    return any(
        period.joined <= day and (period.left is None or day <= period.left)
        for period in member.periods.all()
    )


def my_meetings(
    member: Member, group: NetworkGroup, year: tuple[datetime.date, datetime.date]
) -> list[MyMeeting]:
    """The meetings of the attendance year while ``member`` was (or will be) a member."""
    start, end = year
    marks = {mark.meeting_id: mark for mark in AttendanceMark.objects.filter(member=member)}  # type: ignore[attr-defined]
    rows = []
    for meeting in Meeting.objects.filter(group=group, date__gte=start, date__lt=end).order_by(
        "date", "start_time"
    ):
        if not _eligible(member, meeting.date):
            continue
        mark = marks.get(meeting.pk)
        started = meeting_started(meeting)
        if meeting.cancelled:
            status = "Cancelled"
        elif mark is not None:
            status = mark.get_status_display()
        else:
            status = "Not recorded yet" if started else "Coming"
        mine = mark is not None and mark.by_member and mark.status == Mark.APOLOGIES
        open_for_me = not meeting.cancelled and not started
        rows.append(
            MyMeeting(
                meeting=meeting,
                status=status,
                by_member=mine,
                can_send=open_for_me and mark is None,
                can_withdraw=open_for_me and mine,
                started=started,
            )
        )
    return rows


def your_standing(result: Standing, target: str) -> str:
    """The member's standing in the second person, e.g. 'You may miss 1 more meeting this
    year and still reach the 80% target.'"""
    if result.held == 0 and result.remaining == 0:
        return "No meeting of this attendance year falls within your membership, so none counts."
    if result.state is State.MAY_MISS:
        meetings = "meeting" if result.may_miss == 1 else "meetings"
        return (
            f"You may miss {result.may_miss} more {meetings} this year and still reach the "
            f"{target}% target."
        )
    return {
        State.MUST_ATTEND_ALL: (
            f"To reach the {target}% target, you need to attend every remaining meeting this year."
        ),
        State.CANNOT_REACH: (
            f"You can no longer reach the {target}% target this year, even by attending every "
            "remaining meeting. Your facilitators can talk this through with you."
        ),
        State.MET: f"You reached the {target}% target for the year.",
        State.NOT_MET: f"You did not reach the {target}% target for the year.",
    }[result.state]


# ------------------------------------------------------------------------------ public pages


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Not "no-referrer": browsers then send "Origin: null" with the page's own forms, which
    # Django's CSRF check refuses. Same-origin sends the address (and its token) nowhere else.
    response["Referrer-Policy"] = "same-origin"
    return response


MemberView = Callable[..., HttpResponse]


def member_page_view(view: MemberView) -> MemberView:
    """Find the member by the token (404 for any unknown or revoked one); private headers."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        member = member_for(token)
        if member is None:
            raise Http404("No such page")
        return _private(view(request, member, token, **kwargs))

    return wrapper


def _target_text(group: NetworkGroup) -> str:
    return format(group.target_percent.normalize(), "f")


@require_GET
@member_page_view
def member_page(request: HttpRequest, member: Member, token: str) -> HttpResponse:
    group = member.group
    today = adapter.as_of_date(group)
    register = adapter.group_register(group, today)
    rule = adapter.group_rule(group)
    year = rule.year(register)
    core_member = next(m for m in register.members if m.key == str(member.pk))
    result = standing(core_member, register, rule, today)
    rows = my_meetings(member, group, year)
    context = {
        "member": member,
        "group": group,
        "token": token,
        "standing": result,
        "standing_text": your_standing(result, _target_text(group)),
        "percentage": None
        if result.percentage_so_far is None
        else f"{result.percentage_so_far:.0f}",
        "past": [row for row in rows if row.started],
        "coming": [row for row in rows if not row.started],
        "coming_apologies": sum(1 for row in rows if not row.started and row.status == "Apologies"),
        "year_start": year[0],
        "year_last": year[1] - datetime.timedelta(days=1),
        "target": _target_text(group),
        "apologies_excluded": group.apologies == "excluded",
    }
    return render(request, "network/member_page.html", context)


@require_POST
@member_page_view
def member_apologies(
    request: HttpRequest, member: Member, token: str, meeting: int
) -> HttpResponse:
    """Send (``action=send``) or withdraw (``action=withdraw``) apologies for a coming meeting.

    Refused with a plain message, and nothing changed, for a meeting that has started, is
    cancelled, falls outside the membership, or has a mark the facilitators recorded.
    """
    action = request.POST.get("action", "")
    page = reverse("network:member_page", kwargs={"token": token})
    with transaction.atomic():
        target = (
            Meeting.objects.select_for_update()
            .filter(pk=meeting, group_id=member.group_id)  # type: ignore[attr-defined]
            .first()
        )
        if (
            target is None
            or not _eligible(member, target.date)
            or action not in ("send", "withdraw")
        ):
            raise Http404("No such meeting")
        if target.cancelled or meeting_started(target):
            messages.error(
                request,
                "That meeting has already started or was cancelled, so it cannot be changed here.",
            )
            return redirect(page)
        mark = AttendanceMark.objects.filter(meeting=target, member=member).first()
        with acting_as(None, ACTOR_LABEL):
            if action == "send":
                if mark is not None:
                    messages.error(
                        request,
                        "Your facilitators have already recorded this meeting; "
                        "ask them to change it."
                        if not mark.by_member
                        else "Your apologies for this meeting were already sent.",
                    )
                    return redirect(page)
                AttendanceMark.objects.create(
                    meeting=target, member=member, status=Mark.APOLOGIES, by_member=True
                )
                messages.success(request, f"Apologies sent for {long_date(target.date)}.")
            else:
                if mark is None or not mark.by_member or mark.status != Mark.APOLOGIES:
                    messages.error(
                        request, "There are no apologies of yours to withdraw for that meeting."
                    )
                    return redirect(page)
                mark.delete()
                messages.success(request, f"Apologies withdrawn for {long_date(target.date)}.")
    return redirect(page)


# ------------------------------------------------------------------------------ facilitators


def _link_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("network:member_page", kwargs={"token": token}))


@organisation_page("view", FORM)
def member_link(
    request: HttpRequest, access: Access, group: NetworkGroup, group_member: Member
) -> HttpResponse:
    """The member's link: whether one works, and buttons to make (or replace) and revoke it.

    POST ``action=make`` makes a new link (revoking the old) and shows it once; ``revoke``
    stops it.
    """
    of_group(group, group_member)
    if request.method == "POST":
        require_edit(access, group)
        action = request.POST.get("action", "")
        if action == "make":
            _, token = issue(group_member)
            response = render(
                request,
                "network/member_link_issued.html",
                {
                    "group": group,
                    "member": group_member,
                    "link": _link_url(request, token),
                    "back": request.path,
                    "crumbs": _crumbs(access, group),
                },
            )
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private"
            return response
        if action == "revoke":
            if revoke(group_member):
                messages.success(request, f"{group_member.name}'s link no longer works.")
            return redirect(request.path)
        raise Http404("No such action")
    context = {
        "group": group,
        "member": group_member,
        "link": active_link(group_member),
        "crumbs": _crumbs(access, group),
        "may_edit": may_edit_group(access, group),
    }
    return render(request, "network/member_link.html", context)


def _crumbs(access: Access, group: NetworkGroup) -> list[tuple[str, str]]:
    org = access.organisation.slug
    crumbs = []
    for name, label, kwargs in (
        ("groups", "Network groups", {"org": org}),
        ("group", group.name, {"org": org, "group": group.pk}),
    ):
        try:
            crumbs.append((label, reverse(f"network:{name}", kwargs=kwargs)))
        except NoReverseMatch:  # the group pages are another part's: not there yet
            continue
    return crumbs
