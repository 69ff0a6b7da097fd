"""The required-levels pages under /o/<organisation>/workforce/requirements/: for each service
and profession, the level staff need, the target share and its date, interim points and an
optional refresh interval.

Requirements are keyed in one by one, or imported from a REQUIRED file (CSV or XLSX, read by
the core's :func:`imheval.workforce.read_requirements` with the organisation's ladder). **An
import replaces all the requirements**: the file is the whole plan. Before anything changes,
the page shows what the file would add, change and remove; the person confirms, and it is
applied in one transaction (every change audited). The checked requirements travel from the
preview to the confirmation signed (nothing is stored in between), with a fingerprint of the
requirements as they were, so a confirmation after someone else changed them is refused.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from imheval.errors import CoverageError, Problem
from imheval.web.organisations.access import FORM, POST, Access
from imheval.web.organisations.audit import record_created
from imheval.web.organisations.models import Organisation
from imheval.web.workforce import planning_pages as pages
from imheval.web.workforce.access import EDIT_WORKFORCE, of_parent, organisation_page
from imheval.web.workforce.downloads import table_response
from imheval.web.workforce.establishment import current_extract
from imheval.web.workforce.models import (
    EstablishmentRow,
    LevelRequirement,
    TrajectoryPoint,
    WorkforceSettings,
)
from imheval.web.workforce.requirement_forms import (
    RequirementConfirmForm,
    RequirementForm,
    RequirementImportForm,
    TrajectoryPointForm,
)
from imheval.workforce import Ladder, Requirement, read_requirements
from imheval.workforce import TrajectoryPoint as Point
from imheval.workforce.ladder import level_key

#: The columns of the download, in the shape the import reads (one row per point, so it
#: round-trips).
DOWNLOAD_HEADER = ("service", "profession", "level", "target_percent", "by_date", "refresh_years")
#: How long a preview may wait for its confirmation.
PREVIEW_SECONDS = 24 * 60 * 60
_SALT = "imheval.workforce.requirements.import"
MAX_NAME = 120
_HUNDREDTH = Decimal("0.01")

COLUMNS = [
    ("service", "The service, as your establishment names it, for example Health visiting"),
    ("profession", "The profession, for example Health visitor"),
    ("level", "The level its staff need, a level of your framework, for example Skilled"),
    ("target_percent", "The share to be trained, above 0 and up to 100, for example 90"),
    ("by_date", "The target's date, for example 2027-03-31 or 31/03/2027"),
    ("refresh_years", "Optional: training older than this many whole years no longer counts"),
]
EXAMPLE = (
    "service,profession,level,target_percent,by_date\n"
    "Health visiting,Health visitor,Skilled,50,2026-09-30\n"
    "Health visiting,Health visitor,Skilled,90,2027-03-31\n"
    "Perinatal mental health,Mental health nurse,Enhanced,100,2027-03-31"
)


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def organisation_ladder(organisation: Organisation) -> Ladder:
    return WorkforceSettings.for_organisation(organisation).ladder()


def saved_requirements(organisation: Organisation) -> list[LevelRequirement]:
    """The organisation's requirements with their interim points (2 queries)."""
    return list(
        LevelRequirement.objects.in_organisation(organisation)  # type: ignore[attr-defined]
        .prefetch_related("points")
        .order_by("service", "profession", "level", "id")
    )


def as_core(requirement: LevelRequirement) -> Requirement:
    """A saved requirement as the core's (its interim points, then the target)."""
    points = sorted(requirement.points.all(), key=lambda point: point.by_date)
    return Requirement(
        requirement.service,
        requirement.profession,
        requirement.level,
        (
            *(Point(point.by_date, point.target_percent) for point in points),
            Point(requirement.by_date, requirement.target_percent),
        ),
        requirement.refresh_years,
    )


def describe(requirement: Requirement) -> str:
    """ "90% by 31 March 2027 (on the way: 50% by 30 September 2026); refresh every 3 years"."""
    text = f"{pages.percent_text(requirement.target_percent)} by {_day(requirement.by_date)}"
    if len(requirement.points) > 1:
        interim = ", ".join(
            f"{pages.percent_text(p.target_percent)} by {_day(p.by_date)}"
            for p in requirement.points[:-1]
        )
        text += f" (on the way: {interim})"
    if requirement.refresh_years:
        years = requirement.refresh_years
        text += f"; refresh every {years} year{'' if years == 1 else 's'}"
    return text


def _key(service: str, profession: str, level: str) -> tuple[str, str, str]:
    return (level_key(service), level_key(profession), level_key(level))


# ----------------------------------------------------------------------- importing


def check_for_saving(requirements: Sequence[Requirement], file: str) -> list[Problem]:
    """What the core accepts but the pages cannot keep: a target of 0% (it asks for nobody), a
    target with more than two decimal places, a name longer than the database holds."""
    problems = []
    for requirement in requirements:
        name = f"{requirement.profession} in {requirement.service} at {requirement.level}"
        for point in requirement.points:
            if point.target_percent <= 0:
                problems.append(
                    Problem(
                        file=file,
                        column="target_percent",
                        message=f"{name}: a target of 0% by {point.by_date.isoformat()} asks "
                        "for nobody: give a target above 0, or leave the row out",
                    )
                )
            elif point.target_percent != point.target_percent.quantize(_HUNDREDTH):
                problems.append(
                    Problem(
                        file=file,
                        column="target_percent",
                        message=f"{name}: give the target {point.target_percent} with at most "
                        "two decimal places",
                    )
                )
        for column, value in (
            ("service", requirement.service),
            ("profession", requirement.profession),
        ):
            if len(value) > MAX_NAME:
                problems.append(
                    Problem(
                        file=file,
                        column=column,
                        message=f"'{value[:40]}...' is longer than {MAX_NAME} characters",
                    )
                )
    return problems


def read_file(path: Path, ladder: Ladder) -> tuple[Requirement, ...]:
    """The file's requirements (the core's reader, then :func:`check_for_saving`); raises
    CoverageError listing every problem."""
    try:
        found = read_requirements(path, ladder)
    except CoverageError as error:
        raise CoverageError(
            sorted((_for_the_web(p) for p in error.problems), key=lambda p: p.row or 0)
        ) from None
    problems = check_for_saving(found, path.name)
    if problems:
        raise CoverageError(problems)
    if not found:
        raise CoverageError(
            [Problem(file=path.name, message="the file has no requirements below its header")]
        )
    return found


def _for_the_web(problem: Problem) -> Problem:
    """The core's hint for the command line ("use --framework seed000") as the web says it."""
    hint = "; it is a level of "
    if hint in problem.message and ": use --framework " in problem.message:
        other = problem.message.split(hint, 1)[1].split(": use --framework ", 1)[0]
        message = (
            f"{problem.message.split(hint, 1)[0]}; it is a level of {other}: choose that "
            "framework in the workforce settings, or use your framework's levels"
        )
        return dataclasses.replace(problem, message=message)
    return problem


def fingerprint(saved: Sequence[LevelRequirement]) -> str:
    """A digest of the requirements as they are (their ids, levels, targets and points)."""
    text = json.dumps(
        [[r.pk, *_encode(as_core(r))] for r in saved], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _encode(requirement: Requirement) -> list[Any]:
    return [
        requirement.service,
        requirement.profession,
        requirement.level,
        requirement.refresh_years,
        [[p.by_date.isoformat(), str(p.target_percent)] for p in requirement.points],
    ]


def _decode(row: list[Any]) -> Requirement:
    service, profession, level, refresh, points = row
    return Requirement(
        service,
        profession,
        level,
        tuple(Point(datetime.date.fromisoformat(d), Decimal(t)) for d, t in points),
        refresh,
    )


def sign(organisation: Organisation, file: str, before: str, found: Sequence[Requirement]) -> str:
    payload = {
        "organisation": organisation.pk,
        "file": file,
        "before": before,
        "rows": [_encode(r) for r in found],
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def unsign(organisation: Organisation, text: str) -> tuple[str, str, list[Requirement]] | None:
    """(file, fingerprint before, requirements) of a signed preview of this organisation, or
    None when it is not one, or is older than :data:`PREVIEW_SECONDS`."""
    try:
        payload = signing.loads(text, salt=_SALT, max_age=PREVIEW_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or payload.get("organisation") != organisation.pk:
        return None
    return payload["file"], payload["before"], [_decode(row) for row in payload["rows"]]


@dataclass(frozen=True)
class Change:
    """One line of an import's preview."""

    kind: str  # "added", "changed", "removed" or "unchanged"
    service: str
    profession: str
    level: str
    before: str
    after: str


@dataclass(frozen=True)
class Plan:
    """What an import would do: the file's requirements matched to the saved ones."""

    changes: tuple[Change, ...]
    added: tuple[Requirement, ...]
    changed: tuple[tuple[LevelRequirement, Requirement], ...]
    removed: tuple[LevelRequirement, ...]

    def of_kind(self, kind: str) -> list[Change]:
        return [change for change in self.changes if change.kind == kind]

    @property
    def unchanged(self) -> int:
        return len(self.of_kind("unchanged"))


def plan(saved: Sequence[LevelRequirement], found: Sequence[Requirement]) -> Plan:
    """Match the file's requirements to the saved ones by service, profession and level
    (ignoring case and spaces): new ones are added, differing ones changed, unmatched saved
    ones removed."""
    by_key = {_key(r.service, r.profession, r.level): r for r in saved}
    changes: list[Change] = []
    added: list[Requirement] = []
    changed: list[tuple[LevelRequirement, Requirement]] = []
    seen: set[tuple[str, str, str]] = set()
    for new in found:
        key = _key(new.service, new.profession, new.level)
        seen.add(key)
        old = by_key.get(key)
        if old is None:
            added.append(new)
            changes.append(Change("added", *_names(new), "", describe(new)))
            continue
        before = as_core(old)
        if _same(before, new):
            changes.append(Change("unchanged", *_names(new), describe(before), describe(new)))
        else:
            changed.append((old, new))
            after = describe(new)
            if after == describe(before):  # only the names' spelling differs
                after += f" (written {new.profession} in {new.service} at {new.level})"
            changes.append(Change("changed", *_names(new), describe(before), after))
    removed = [r for key, r in by_key.items() if key not in seen]
    for old in removed:
        changes.append(Change("removed", *_names(as_core(old)), describe(as_core(old)), ""))
    return Plan(tuple(changes), tuple(added), tuple(changed), tuple(removed))


def _same(one: Requirement, other: Requirement) -> bool:
    """Whether two requirements are spelt and set alike (90 and 90.00 are one target)."""
    return one == other  # frozen dataclasses of str, dates, Decimals (compared by value), ints


def _names(requirement: Requirement) -> tuple[str, str, str]:
    return requirement.service, requirement.profession, requirement.level


def apply(organisation: Organisation, the_plan: Plan) -> None:
    """Carry out an import's plan (call inside a transaction). Every change is audited: removed
    and changed requirements through their own saves and deletes, new ones and the points in
    one insert each with their log entries."""
    for old in the_plan.removed:
        old.organisation = organisation
        old.delete()
    new_points: list[TrajectoryPoint] = []
    changed_ids = [old.pk for old, _ in the_plan.changed]
    TrajectoryPoint.objects.filter(requirement_id__in=changed_ids).delete()
    for old, new in the_plan.changed:
        old.organisation = organisation
        old.service, old.profession, old.level = new.service, new.profession, new.level
        old.target_percent, old.by_date = new.target_percent, new.by_date
        old.refresh_years = new.refresh_years
        old.save()
        new_points += _interim(old, new)
    made = LevelRequirement.objects.bulk_create(
        [
            LevelRequirement(
                organisation=organisation,
                service=new.service,
                profession=new.profession,
                level=new.level,
                target_percent=new.target_percent,
                by_date=new.by_date,
                refresh_years=new.refresh_years,
            )
            for new in the_plan.added
        ]
    )
    record_created(list(made))
    for requirement, new in zip(made, the_plan.added, strict=True):
        new_points += _interim(requirement, new)
    record_created(list(TrajectoryPoint.objects.bulk_create(new_points)))


def _interim(requirement: LevelRequirement, new: Requirement) -> list[TrajectoryPoint]:
    return [
        TrajectoryPoint(requirement=requirement, by_date=p.by_date, target_percent=p.target_percent)
        for p in new.points[:-1]
    ]


# ----------------------------------------------------------------------- pages


def _crumbs(access: Access) -> list[tuple[str, str]]:
    return pages.crumbs(access, ("Required levels", pages.url("requirements", access)))


@organisation_page()
def requirements(request: HttpRequest, access: Access) -> HttpResponse:
    """Every requirement with its trajectory, and where the establishment and the requirements
    do not meet (a constant number of queries)."""
    saved = saved_requirements(access.organisation)
    extract = current_extract(access.organisation)
    posts = (
        list(
            EstablishmentRow.objects.filter(establishment=extract)
            .order_by("service", "profession")
            .values_list("service", "profession")
        )
        if extract is not None
        else []
    )
    required = {(level_key(r.service), level_key(r.profession)) for r in saved}
    in_post = {(level_key(s), level_key(p)) for s, p in posts}
    lines = [
        {
            "requirement": requirement,
            "target": pages.percent_text(requirement.target_percent),
            "points": [
                {"point": point, "target": pages.percent_text(point.target_percent)}
                for point in sorted(requirement.points.all(), key=lambda p: p.by_date)
            ],
            "matched": (level_key(requirement.service), level_key(requirement.profession))
            in in_post,
        }
        for requirement in saved
    ]
    context = {
        "lines": lines,
        "ladder": organisation_ladder(access.organisation),
        "extract": extract,
        "unrequired": [(s, p) for s, p in posts if (level_key(s), level_key(p)) not in required],
        "unmatched": [line["requirement"] for line in lines if not line["matched"]],
        "may_edit": pages.may_edit(access),
        "crumbs": pages.crumbs(access),
    }
    return render(request, "workforce/requirements.html", context)


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def requirement_create(request: HttpRequest, access: Access) -> HttpResponse:
    back = pages.url("requirements", access)
    return pages.form_page(
        request,
        RequirementForm(
            pages.data(request),
            organisation=access.organisation,
            ladder=organisation_ladder(access.organisation),
        ),
        title="Add a required level",
        submit="Add the requirement",
        cancel=back,
        done=lambda saved: (
            f"{saved.profession} in {saved.service} at {saved.level} added. Add interim "
            "points from the list if the target has a trajectory.",
            back,
        ),
        crumbs=_crumbs(access),
        intro="The level the staff of one service and profession need, and the share of them "
        "to be trained by a date: for example all health visitors Skilled, 90% by 31 March.",
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def requirement_edit(
    request: HttpRequest, access: Access, requirement: LevelRequirement
) -> HttpResponse:
    back = pages.url("requirements", access)
    return pages.form_page(
        request,
        RequirementForm(
            pages.data(request),
            instance=requirement,
            organisation=access.organisation,
            ladder=organisation_ladder(access.organisation),
        ),
        title="Change a required level",
        caption=f"{requirement.profession} in {requirement.service}",
        submit="Save the requirement",
        cancel=back,
        done=lambda saved: (f"{saved.profession} in {saved.service} at {saved.level} saved.", back),
        crumbs=_crumbs(access),
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def requirement_delete(
    request: HttpRequest, access: Access, requirement: LevelRequirement
) -> HttpResponse:
    back = pages.url("requirements", access)
    name = f"{requirement.profession} in {requirement.service} at {requirement.level}"

    def delete() -> tuple[str, str]:
        requirement.organisation = access.organisation
        requirement.delete()
        return f"The requirement for {name} deleted.", back

    return pages.confirm_delete(
        request,
        title=f"Delete the requirement for {name}",
        text=["Its target and interim points go; coverage no longer reports against it."],
        submit="Delete the requirement",
        cancel=back,
        trail=_crumbs(access),
        delete=delete,
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def point_create(
    request: HttpRequest, access: Access, requirement: LevelRequirement
) -> HttpResponse:
    back = pages.url("requirements", access)
    return pages.form_page(
        request,
        TrajectoryPointForm(pages.data(request), requirement=requirement),
        title="Add an interim point",
        caption=f"{requirement.profession} in {requirement.service} at {requirement.level}",
        submit="Add the point",
        cancel=back,
        done=lambda saved: (
            f"{pages.percent_text(saved.target_percent)} by {_day(saved.by_date)} added.",
            back,
        ),
        crumbs=_crumbs(access),
        intro=f"A target on the way to {pages.percent_text(requirement.target_percent)} by "
        f"{_day(requirement.by_date)}: an earlier date, and a target no higher. Between points "
        "the coverage page says whether the team is on its trajectory.",
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def point_edit(
    request: HttpRequest, access: Access, requirement: LevelRequirement, point: TrajectoryPoint
) -> HttpResponse:
    of_parent(requirement, point, field="requirement_id")
    back = pages.url("requirements", access)
    return pages.form_page(
        request,
        TrajectoryPointForm(pages.data(request), instance=point, requirement=requirement),
        title="Change an interim point",
        caption=f"{requirement.profession} in {requirement.service} at {requirement.level}",
        submit="Save the point",
        cancel=back,
        done=lambda saved: (
            f"{pages.percent_text(saved.target_percent)} by {_day(saved.by_date)} saved.",
            back,
        ),
        crumbs=_crumbs(access),
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def point_delete(
    request: HttpRequest, access: Access, requirement: LevelRequirement, point: TrajectoryPoint
) -> HttpResponse:
    of_parent(requirement, point, field="requirement_id")
    back = pages.url("requirements", access)
    words = f"{pages.percent_text(point.target_percent)} by {_day(point.by_date)}"

    def delete() -> tuple[str, str]:
        requirement.organisation = access.organisation
        point.requirement = requirement
        point.delete()
        return f"The interim point {words} deleted.", back

    return pages.confirm_delete(
        request,
        title=f"Delete the interim point {words}",
        caption=f"{requirement.profession} in {requirement.service} at {requirement.level}",
        text=["The final target and the other points stay."],
        submit="Delete the point",
        cancel=back,
        trail=_crumbs(access),
        delete=delete,
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def requirements_import(request: HttpRequest, access: Access) -> HttpResponse:
    """Upload a REQUIRED file: every problem, or a preview of what it would change."""
    form = RequirementImportForm(pages.data(request), pages.files(request))
    problems: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        ladder = organisation_ladder(access.organisation)
        try:
            found = pages.read_upload(upload, lambda path: read_file(path, ladder))
        except CoverageError as error:
            problems = pages.problem_lines(error.problems)
        else:
            saved = saved_requirements(access.organisation)
            file = Path(upload.name or "").name
            return _preview(
                request,
                access,
                plan(saved, found),
                sign(access.organisation, file, fingerprint(saved), found),
                file,
            )
    context = {
        "form": form,
        "title": "Import required levels",
        "intro": [
            "Upload your required levels as a CSV or XLSX file, one row per service, profession "
            "and level. For a trajectory, give further rows for the same service, profession "
            "and level with earlier dates: the latest is the target, the earlier ones interim "
            "points, and the targets may not fall.",
            "The file replaces all your required levels. Before anything changes you see what "
            "it would add, change and remove, and confirm.",
        ],
        "columns": COLUMNS,
        "example": EXAMPLE,
        "submit": "Check the file",
        "cancel": pages.url("requirements", access),
        "crumbs": _crumbs(access),
        **problems,
    }
    return render(
        request, "workforce/establishment_upload.html", context, status=400 if problems else 200
    )


def _preview(
    request: HttpRequest, access: Access, the_plan: Plan, payload: str, file: str
) -> HttpResponse:
    context = {
        "file": file,
        "added": the_plan.of_kind("added"),
        "changed": the_plan.of_kind("changed"),
        "removed": the_plan.of_kind("removed"),
        "unchanged": the_plan.unchanged,
        "confirm": RequirementConfirmForm(initial={"payload": payload}),
        "cancel": pages.url("requirements", access),
        "crumbs": _crumbs(access),
    }
    return render(request, "workforce/requirement_import_confirm.html", context)


@organisation_page(EDIT_WORKFORCE, methods=POST)
def requirements_import_confirm(request: HttpRequest, access: Access) -> HttpResponse:
    """Apply a previewed import, unless the preview is stale or the requirements changed."""
    form = RequirementConfirmForm(request.POST)
    preview = unsign(access.organisation, form.cleaned_data["payload"]) if form.is_valid() else None
    again = pages.url("requirements_import", access)
    if preview is None:
        messages.error(request, "The check of that file has expired: upload it again.")
        return redirect(again)
    file, before, found = preview
    with transaction.atomic():
        # Two confirmations of one preview cannot both apply it: the second waits here, then
        # finds the fingerprint changed.
        list(LevelRequirement.objects.select_for_update().filter(organisation=access.organisation))
        saved = saved_requirements(access.organisation)
        if fingerprint(saved) != before:
            messages.error(
                request,
                "The required levels changed after you checked the file: upload it again to "
                "see what it would change now.",
            )
            return redirect(again)
        the_plan = plan(saved, found)
        apply(access.organisation, the_plan)
    messages.success(
        request,
        f"Required levels imported from {file}: {len(the_plan.added)} added, "
        f"{len(the_plan.changed)} changed, {len(the_plan.removed)} removed, "
        f"{the_plan.unchanged} unchanged.",
    )
    return redirect(pages.url("requirements", access))


@organisation_page()
def requirements_download(request: HttpRequest, access: Access, file_format: str) -> HttpResponse:
    """The requirements as CSV or XLSX, one row per point, in the columns the import reads."""
    rows = [
        (
            requirement.service,
            requirement.profession,
            requirement.level,
            point.target_percent,
            point.by_date,
            requirement.refresh_years,
        )
        for requirement in map(as_core, saved_requirements(access.organisation))
        for point in requirement.points
    ]
    name = f"required levels {access.organisation.slug}"
    return table_response(name, DOWNLOAD_HEADER, rows, file_format)
