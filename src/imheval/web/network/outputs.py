"""What leaves imheval about a network group: its report, the register exports, CPD statements.

- The group report (HTML, PDF, Word) is :func:`imheval.reports.network.group_report` over the
  group's register, coverage grid, retention, member profile and readings; it names no member.
  Anyone in the organisation may read it, as they may read the group page.
- The register exports (a tidy CSV and a wide XLSX, the core's writers in
  :mod:`imheval.network.register`) name members, so only those who may change the group get
  them: its facilitators and the organisation's admins and evaluators. They hold the register
  only: no questionnaire answer is ever joined to it.
- A CPD statement (PDF) is one member's own record, for the facilitators to hand over, and for
  the member from their own link (:mod:`imheval.web.network.member_link`).
"""

from __future__ import annotations

import datetime
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from imheval.instruments.profile import get_builtin_profile
from imheval.network.attendance import Register
from imheval.network.profile import check_collapse, profile_table
from imheval.network.register import write_tidy_csv, write_wide_xlsx
from imheval.network.retention import retention
from imheval.reports import write_report
from imheval.reports.model import Report, Section
from imheval.reports.network import Citation, GroupFacts, cpd_statement, group_report
from imheval.reports.sections.network_profile import network_profile_section
from imheval.web.network import adapter, readings
from imheval.web.network.group_access import (
    may_edit_group,
    of_group,
    organisation_page,
    require_edit,
)
from imheval.web.network.member_link import member_page_view
from imheval.web.network.models import (
    MeetingReading,
    Member,
    MemberLink,
    NetworkGroup,
    ProfileAnswer,
    Reading,
)
from imheval.web.network.profile_views import membership_months
from imheval.web.organisations.access import Access
from imheval.web.qualitative.outputs import sections_for_scope

#: ?format= of the group report, and the file type each gives.
REPORT_FORMATS = {
    "html": (".html", "text/html; charset=utf-8"),
    "pdf": (".pdf", "application/pdf"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
#: The policy for the HTML report shown in the browser: its own inline CSS and data: images.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def person_name(membership: Any) -> str:
    user = membership.user
    return str(user.get_full_name() or user.get_username())


def group_facts(group: NetworkGroup) -> GroupFacts:
    facilitators = tuple(sorted(person_name(m) for m in group.facilitators.select_related("user")))
    return GroupFacts(
        name=group.name,
        organisation=group.organisation.name,
        purpose=group.purpose,
        facilitators=facilitators,
    )


def citation(reading: Reading) -> Citation:
    return Citation(
        authors=reading.authors,
        year=reading.year,
        title=reading.title,
        source=reading.source,
        doi=reading.doi,
        url=reading.url,
    )


def readings_by_meeting(group: NetworkGroup) -> dict[str, list[Citation]]:
    """{str(meeting pk): the readings set for it}, in one query."""
    found: dict[str, list[Citation]] = defaultdict(list)
    for link in MeetingReading.objects.filter(meeting__group=group).select_related("reading"):
        found[str(link.meeting_id)].append(citation(link.reading))  # type: ignore[attr-defined]
    return dict(found)


def year_readings(group: NetworkGroup, register: Register) -> list[Citation]:
    """The readings set for meetings of the attendance year, each once, in order of first use."""
    start, end = adapter.group_rule(group).year(register)
    seen: dict[int, Citation] = {}
    for link in (
        MeetingReading.objects.filter(meeting__group=group, meeting__date__gte=start)
        .filter(meeting__date__lt=end, meeting__cancelled=False)
        .select_related("reading")
        .order_by("meeting__date", "reading__authors", "pk")
    ):
        seen.setdefault(link.reading_id, citation(link.reading))  # type: ignore[attr-defined]
    return list(seen.values())


def _optional_parts(
    group: NetworkGroup, register: Register, as_of: datetime.date
) -> dict[str, Any]:
    """The coverage grid, retention and (once anyone answered it) the member profile."""
    parts: dict[str, Any] = {
        "coverage": readings.group_coverage(group, register),
        "retention": retention(register, adapter.group_rule(group), as_of),
    }
    profile = _profile_section(group)
    if profile is not None:
        parts["profile"] = profile
    return parts


def _profile_section(group: NetworkGroup) -> Section | None:
    """The member profile table (seed 002 Table 2) as the report's section, with the group's
    merged categories; None when the questionnaire was never opened or nobody answered."""
    survey = group.profile_surveys.order_by("-created_at", "-pk").first()
    if survey is None:
        return None
    answers = list(ProfileAnswer.objects.filter(survey=survey).values_list("answers", flat=True))
    if not answers:
        return None
    questionnaire = get_builtin_profile(survey.instrument_ref)
    try:
        collapse = check_collapse(questionnaire, group.profile_collapse or {})
    except (ValueError, TypeError, AttributeError):
        collapse = {}  # the profile page says so; the report shows the categories as answered
    table = profile_table(
        questionnaire,
        [a if isinstance(a, dict) else {} for a in answers],
        collapse=collapse,
        membership_months=membership_months(group),
    )
    return network_profile_section(table)


def build_group_report(group: NetworkGroup, as_of: datetime.date) -> Report:
    register = adapter.group_register(group, as_of)
    return group_report(
        group_facts(group),
        register,
        adapter.group_rule(group),
        as_of,
        readings=year_readings(group, register),
        focus_groups=sections_for_scope(group),
        **_optional_parts(group, register, as_of),
    )


def rendered(report: Report, extension: str) -> bytes:
    """The report as a file's bytes, through the report machinery (write_report)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report{extension}"
        write_report(report, path)
        return path.read_bytes()


def _file(
    content: bytes | str, content_type: str, filename: str, inline: bool = False
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _stem(group: NetworkGroup) -> str:
    return slugify(group.name) or "network-group"


@organisation_page()
def report(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    """The group's outputs page (reports, downloads, members' links and CPD statements), or,
    with ``?format=html`` (shown in the browser), ``pdf`` or ``docx``, the group report."""
    kind = request.GET.get("format", "")
    if not kind:
        return _outputs_page(request, access, group)
    if kind not in REPORT_FORMATS:
        raise Http404("No such report format")
    extension, content_type = REPORT_FORMATS[kind]
    content = rendered(build_group_report(group, adapter.as_of_date(group)), extension)
    response = _file(
        content,
        content_type,
        f"{_stem(group)}-report-{timezone.localdate().isoformat()}{extension}",
        inline=kind == "html",
    )
    if kind == "html":
        # The report is one self-contained file with its CSS inline and no script: the site's
        # policy (style-src 'self') would show it unstyled. This one allows that and no more.
        response["Content-Security-Policy"] = REPORT_CSP
    return response


def _outputs_page(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    org = access.organisation.slug
    working = set(
        MemberLink.objects.filter(member__group=group, revoked_at__isnull=True).values_list(
            "member_id", flat=True
        )
    )
    context = {
        "group": group,
        "may_edit": may_edit_group(access, group),
        "members": [
            (member, member.pk in working) for member in Member.objects.filter(group=group)
        ],
        "crumbs": [
            ("Network groups", reverse("network:groups", kwargs={"org": org})),
            (group.name, reverse("network:group", kwargs={"org": org, "group": group.pk})),
        ],
    }
    return render(request, "network/report.html", context)


@organisation_page()
def register_export(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    """The register as a tidy CSV (``?format=csv``) or a wide XLSX (``?format=xlsx``):
    facilitators, admins and evaluators only (it names members)."""
    require_edit(access, group)
    kind = request.GET.get("format", "")
    if kind not in ("csv", "xlsx"):
        raise Http404("No such export format")
    as_of = adapter.as_of_date(group)
    register = adapter.group_register(group, as_of)
    rule = adapter.group_rule(group)
    name = f"{_stem(group)}-register-{timezone.localdate().isoformat()}"
    if kind == "csv":
        return _file(
            write_tidy_csv(register, rule, as_of).encode("utf-8"),
            "text/csv; charset=utf-8",
            f"{name}.csv",
        )
    return _file(write_wide_xlsx(register, rule, as_of), XLSX, f"{name}.xlsx")


def cpd_pdf(member: Member, made_on: datetime.date) -> bytes:
    """``member``'s CPD statement as a PDF, made on ``made_on`` (today), from the register as
    of the group's as-of date (a meeting today counts once it has started)."""
    group = member.group
    register = adapter.group_register(group, adapter.as_of_date(group))
    core_member = next(m for m in register.members if m.key == str(member.pk))
    statement = cpd_statement(
        group_facts(group),
        core_member,
        register,
        made_on=made_on,
        readings_by_meeting=readings_by_meeting(group),
    )
    return rendered(statement, ".pdf")


def _cpd_name(member: Member, made_on: datetime.date) -> str:
    return f"cpd-{slugify(member.name) or 'member'}-{made_on.isoformat()}.pdf"


@organisation_page()
def member_cpd(
    request: HttpRequest, access: Access, group: NetworkGroup, group_member: Member
) -> HttpResponse:
    """A member's CPD statement, for the facilitators (and admins, evaluators) to hand over."""
    of_group(group, group_member)
    require_edit(access, group)
    today = timezone.localdate()
    return _file(cpd_pdf(group_member, today), "application/pdf", _cpd_name(group_member, today))


@require_GET
@member_page_view
def own_cpd(request: HttpRequest, member: Member, token: str) -> HttpResponse:
    """The member's own CPD statement, from their link (only theirs)."""
    today = timezone.localdate()
    return _file(cpd_pdf(member, today), "application/pdf", _cpd_name(member, today))
