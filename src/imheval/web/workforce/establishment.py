"""The establishment pages under /o/<organisation>/workforce/establishment/: how many staff
the organisation has, by service and profession, in dated extracts.

Each import of an HR extract (CSV or XLSX) makes a new :class:`Establishment` with its date; the
latest is the current establishment, the earlier ones are kept for the trend. An extract can
also be keyed in (optionally starting from the current one's rows), and the current one's rows
added to, changed or deleted; earlier extracts are kept as they were (viewed, or deleted
whole). Every change is audited; an import logs each row it creates, in one insert.

An import is all or nothing: the file is read whole and every problem is listed with its file,
row and column (:func:`read_extract`); nothing is saved until there are none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from imheval.errors import CoverageError
from imheval.web.organisations.access import FORM, Access
from imheval.web.organisations.audit import record_created
from imheval.web.organisations.models import Organisation
from imheval.web.workforce import planning_pages as pages
from imheval.web.workforce.access import EDIT_WORKFORCE, of_parent, organisation_page
from imheval.web.workforce.downloads import table_response
from imheval.web.workforce.establishment_forms import (
    EstablishmentForm,
    EstablishmentImportForm,
    EstablishmentRowForm,
)
from imheval.web.workforce.models import Establishment, EstablishmentRow
from imheval.workforce import Post
from imheval.workforce.ladder import level_key

#: The most rows an uploaded extract may have (one per service and profession: a whole health
#: board has a few hundred).
MAX_EXTRACT_ROWS = 20_000
#: The columns of the download, in the shape the import reads (so it round-trips).
DOWNLOAD_HEADER = ("organisation", "service", "profession", "headcount", "wte")
#: The longest service or profession name kept (the model's).
MAX_NAME = 120
_TWO_PLACES = Decimal("0.01")

COLUMNS = [
    ("service", "The service or team, for example Health visiting"),
    ("profession", "The profession, for example Health visitor"),
    ("headcount", "People in post: a whole number, 0 or more"),
    ("wte", "Optional: whole-time equivalents, for example 36.4 (kept to two decimal places)"),
    ("organisation", "Optional: when present, every row must name this organisation"),
]
EXAMPLE = (
    "service,profession,headcount,wte\n"
    "Health visiting,Health visitor,42,36.4\n"
    "Perinatal mental health,Mental health nurse,9,8.2"
)


# ----------------------------------------------------------------------- reading an extract


def read_extract(path: Path, organisation: str) -> tuple[Post, ...]:
    """The rows of an HR extract for ``organisation``, or :class:`CoverageError` listing every
    problem with its file, row and column.

    The core's establishment reader's rules (:func:`imheval.workforce.read_establishment`), with
    the organisation column optional: when the file has one, every row must name
    ``organisation`` (ignoring case and spaces); a service and profession listed twice is a
    problem, not added up. WTE is kept to two decimal places (rounded half up). The core's reader
    needs the organisation column, so this reads with its row reader directly; if the core's
    reader gains an ``organisation`` argument, this becomes a call to it.
    """
    from imheval.workforce.read import _Reading, _wte

    reading = _Reading(path, ("service", "profession", "headcount"), MAX_EXTRACT_ROWS)
    if not reading.rows:
        raise CoverageError(
            [
                _problem(
                    reading.file,
                    "the file has no rows of staff below its header: one row per "
                    "service and profession",
                )
            ]
        )
    named = "organisation" in reading.rows[0].cells
    wanted = level_key(organisation)
    posts: list[Post] = []
    first: dict[tuple[str, str], int] = {}
    for row in reading.rows:
        if named:
            given = reading.text(row, "organisation", "organisation")
            if given and level_key(given) != wanted:
                reading.add(
                    row,
                    "organisation",
                    f"the row is for '{given}', but this extract is being imported into "
                    f"{organisation}: import each organisation's rows into its own establishment",
                )
        service = reading.text(row, "service", "service")
        profession = reading.text(row, "profession", "profession")
        headcount = reading.whole(row, "headcount", "a headcount", 1_000_000)
        wte = _wte(reading, row)
        for column, value in (("service", service), ("profession", profession)):
            if len(value) > MAX_NAME:
                reading.add(row, column, f"the {column} is longer than {MAX_NAME} characters")
        if not (service and profession):
            continue
        key = (level_key(service), level_key(profession))
        if key in first:
            reading.add(
                row,
                "profession",
                f"'{service}', '{profession}' is listed twice (first in row {first[key]}): give "
                "each service and profession one row, with its whole headcount",
            )
            continue
        first[key] = row.number
        if headcount is not None:
            if wte is not None:
                wte = wte.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)
            posts.append(Post(organisation, service, profession, headcount, wte, row.number))
    reading.check()
    return tuple(posts)


def _problem(file: str, message: str) -> Any:
    from imheval.errors import Problem

    return Problem(file=file, message=message)


@transaction.atomic
def save_extract(
    organisation: Organisation, as_of: Any, posts: tuple[Post, ...], source_name: str
) -> Establishment:
    """A new extract of ``posts`` (all saved, or none); each row's creation is logged."""
    establishment = Establishment.objects.create(
        organisation=organisation, as_of=as_of, source_name=source_name[:250]
    )
    establishment.organisation = organisation  # the audit entries name it without a query
    rows = EstablishmentRow.objects.bulk_create(
        [
            EstablishmentRow(
                establishment=establishment,
                service=post.service,
                profession=post.profession,
                headcount=post.headcount,
                wte=post.wte,
            )
            for post in posts
        ],
        batch_size=1000,
    )
    record_created(list(rows))
    return establishment


# ----------------------------------------------------------------------- what the pages show


@dataclass(frozen=True)
class ExtractLine:
    """An extract with its totals (from one aggregate query)."""

    establishment: Establishment
    teams: int
    headcount: int
    wte: Decimal | None

    @property
    def headcount_text(self) -> str:
        return f"{self.headcount:,}"


def extract_lines(organisation: Organisation) -> list[ExtractLine]:
    """Every extract of the organisation, latest first, with its totals (1 query)."""
    found = (
        Establishment.objects.in_organisation(organisation)  # type: ignore[attr-defined]
        .annotate(teams=Count("rows"), headcount=Sum("rows__headcount"), wte=Sum("rows__wte"))
        .order_by("-as_of", "-id")
    )
    return [
        ExtractLine(extract, extract.teams, extract.headcount or 0, extract.wte)
        for extract in found
    ]


def current_extract(organisation: Organisation) -> Establishment | None:
    """The latest extract (the current establishment), or None."""
    return (
        Establishment.objects.in_organisation(organisation)  # type: ignore[attr-defined]
        .order_by("-as_of", "-id")
        .first()
    )


def _rows(establishment: Establishment) -> list[EstablishmentRow]:
    found = EstablishmentRow.objects.filter(establishment=establishment)
    return list(found.order_by("service", "profession", "id"))


def _extract_context(access: Access, line: ExtractLine, current: bool) -> dict[str, Any]:
    rows = _rows(line.establishment)
    return {
        "extract": line,
        "rows": [
            {
                "row": row,
                "wte": pages.number_text(row.wte) if row.wte is not None else "",
            }
            for row in rows
        ],
        "wte_total": pages.number_text(line.wte) if line.wte is not None else "",
        "empty_teams": [row for row in rows if row.headcount == 0],
        "editable": current and pages.may_edit(access),
        "is_current": current,
    }


# ----------------------------------------------------------------------- pages


@organisation_page()
def establishment(request: HttpRequest, access: Access) -> HttpResponse:
    """The current extract with its totals and rows, and the earlier extracts (a constant
    number of queries whatever the number of rows)."""
    lines = extract_lines(access.organisation)
    context: dict[str, Any] = {
        "lines": lines,
        "earlier": lines[1:],
        "may_edit": pages.may_edit(access),
        "crumbs": pages.crumbs(access),
    }
    if lines:
        context.update(_extract_context(access, lines[0], current=True))
    return render(request, "workforce/establishment.html", context)


@organisation_page()
def establishment_extract(
    request: HttpRequest, access: Access, establishment: Establishment
) -> HttpResponse:
    """One extract's rows; the current one's can be changed."""
    lines = extract_lines(access.organisation)
    line = next(line for line in lines if line.establishment.pk == establishment.pk)
    context = {
        **_extract_context(access, line, current=line is lines[0]),
        "may_edit": pages.may_edit(access),
        "crumbs": pages.crumbs(access, ("Establishment", pages.url("establishment", access))),
    }
    return render(request, "workforce/establishment_extract.html", context)


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def establishment_import(request: HttpRequest, access: Access) -> HttpResponse:
    """Upload an HR extract: a new extract when the whole file is right, else every problem."""
    form = EstablishmentImportForm(
        pages.data(request), pages.files(request), organisation=access.organisation
    )
    problems: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            posts = pages.read_upload(
                upload, lambda path: read_extract(path, access.organisation.name)
            )
        except CoverageError as error:
            problems = pages.problem_lines(error.problems)
        else:
            saved = save_extract(
                access.organisation, form.cleaned_data["as_of"], posts, upload.name or ""
            )
            messages.success(
                request,
                f"Extract of {saved.as_of:%-d %B %Y} imported: {len(posts):,} row"
                f"{'' if len(posts) == 1 else 's'}, {sum(p.headcount for p in posts):,} staff.",
            )
            return redirect(pages.url("establishment", access))
    context = {
        "form": form,
        "title": "Import an HR extract",
        "intro": [
            "Upload the staff figures from your HR system as a CSV or XLSX file. Each import "
            "makes a new extract with its date: the latest is your current establishment, and "
            "earlier ones are kept for the trend.",
            "The whole file is checked first. If anything is wrong, nothing is imported and "
            "every problem is listed with its row and column.",
        ],
        "columns": COLUMNS,
        "example": EXAMPLE,
        "submit": "Import the extract",
        "cancel": pages.url("establishment", access),
        "crumbs": pages.crumbs(access, ("Establishment", pages.url("establishment", access))),
        **problems,
    }
    return render(
        request, "workforce/establishment_upload.html", context, status=400 if problems else 200
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def establishment_create(request: HttpRequest, access: Access) -> HttpResponse:
    """Start a new extract by hand, empty or from the current one's rows."""
    current = current_extract(access.organisation)

    def done(saved: Establishment) -> tuple[str, str]:
        return f"Extract of {saved.as_of:%-d %B %Y} started.", pages.url(
            "establishment_extract", access, establishment=saved
        )

    form = EstablishmentForm(pages.data(request), organisation=access.organisation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            if current is not None and form.cleaned_data.get("copy_current"):
                saved.organisation = access.organisation  # the log names it without a query
                rows = EstablishmentRow.objects.bulk_create(
                    [
                        EstablishmentRow(
                            establishment=saved,
                            service=row.service,
                            profession=row.profession,
                            headcount=row.headcount,
                            wte=row.wte,
                        )
                        for row in _rows(current)
                    ],
                    batch_size=1000,
                )
                record_created(list(rows))
        message, next_url = done(saved)
        messages.success(request, message)
        return redirect(next_url)
    return pages.form_page(
        request,
        form,
        title="Key in a new extract",
        submit="Start the extract",
        cancel=pages.url("establishment", access),
        done=done,
        crumbs=pages.crumbs(access, ("Establishment", pages.url("establishment", access))),
        intro="Give the date the staff figures are for, then add a row for each service and "
        "profession. The newest extract is your current establishment.",
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def establishment_edit(
    request: HttpRequest, access: Access, establishment: Establishment
) -> HttpResponse:
    """Change an extract's date."""
    back = pages.url("establishment_extract", access, establishment=establishment)
    return pages.form_page(
        request,
        EstablishmentForm(
            pages.data(request), instance=establishment, organisation=access.organisation
        ),
        title="Change the extract's date",
        submit="Save the date",
        cancel=back,
        done=lambda saved: (f"The extract is now of {saved.as_of:%-d %B %Y}.", back),
        crumbs=pages.crumbs(access, ("Establishment", pages.url("establishment", access))),
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def establishment_delete(
    request: HttpRequest, access: Access, establishment: Establishment
) -> HttpResponse:
    """Delete an extract with its rows (one audit entry for the rows, one for the extract)."""
    count = EstablishmentRow.objects.filter(establishment=establishment).count()
    label = f"{establishment.as_of:%-d %B %Y}"

    def delete() -> tuple[str, str]:
        from imheval.web.organisations.audit import record_updated

        establishment.organisation = access.organisation
        record_updated(establishment, {"rows": [count, 0]})
        rows = EstablishmentRow.objects.filter(establishment=establishment)
        # One statement for the rows (the entry above records how many went), not a log
        # entry and a delete per row.
        rows._raw_delete(rows.db)  # type: ignore[attr-defined]
        establishment.delete()
        return f"Extract of {label} deleted.", pages.url("establishment", access)

    return pages.confirm_delete(
        request,
        title=f"Delete the extract of {label}",
        text=[
            f"Its {count:,} row{'' if count == 1 else 's'} of staff figures go with it. "
            "Coverage on dates it covered then uses the extract before it, if there is one.",
            "This cannot be undone; you can import the file again.",
        ],
        submit="Delete the extract",
        cancel=pages.url("establishment_extract", access, establishment=establishment),
        trail=pages.crumbs(access, ("Establishment", pages.url("establishment", access))),
        delete=delete,
    )


def _require_current(access: Access, establishment: Establishment) -> None:
    """403 for an earlier extract: it is kept as it was, for the trend."""
    current = current_extract(access.organisation)
    if current is None or current.pk != establishment.pk:
        raise PermissionDenied(
            "Only the current (latest) extract can be changed: earlier ones are kept as they "
            "were, for the trend. Delete an earlier extract and import it again to correct it."
        )


def _post_crumbs(access: Access, establishment: Establishment) -> list[tuple[str, str]]:
    return pages.crumbs(
        access,
        ("Establishment", pages.url("establishment", access)),
        (
            f"Extract of {establishment.as_of:%-d %B %Y}",
            pages.url("establishment_extract", access, establishment=establishment),
        ),
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def post_create(request: HttpRequest, access: Access, establishment: Establishment) -> HttpResponse:
    _require_current(access, establishment)
    back = pages.url("establishment_extract", access, establishment=establishment)
    return pages.form_page(
        request,
        EstablishmentRowForm(pages.data(request), establishment=establishment),
        title="Add a row",
        caption=f"Extract of {establishment.as_of:%-d %B %Y}",
        submit="Add the row",
        cancel=back,
        done=lambda saved: (f"{saved.profession} in {saved.service} added.", back),
        crumbs=_post_crumbs(access, establishment),
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def post_edit(
    request: HttpRequest, access: Access, establishment: Establishment, post: EstablishmentRow
) -> HttpResponse:
    of_parent(establishment, post, field="establishment_id")
    _require_current(access, establishment)
    back = pages.url("establishment_extract", access, establishment=establishment)
    return pages.form_page(
        request,
        EstablishmentRowForm(pages.data(request), instance=post, establishment=establishment),
        title="Change a row",
        caption=f"Extract of {establishment.as_of:%-d %B %Y}",
        submit="Save the row",
        cancel=back,
        done=lambda saved: (f"{saved.profession} in {saved.service} saved.", back),
        crumbs=_post_crumbs(access, establishment),
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def post_delete(
    request: HttpRequest, access: Access, establishment: Establishment, post: EstablishmentRow
) -> HttpResponse:
    of_parent(establishment, post, field="establishment_id")
    _require_current(access, establishment)
    back = pages.url("establishment_extract", access, establishment=establishment)

    def delete() -> tuple[str, str]:
        post.establishment = establishment
        establishment.organisation = access.organisation
        post.delete()
        return f"{post.profession} in {post.service} deleted.", back

    return pages.confirm_delete(
        request,
        title=f"Delete {post.profession} in {post.service}",
        caption=f"Extract of {establishment.as_of:%-d %B %Y}",
        text=[f"The row's headcount of {post.headcount:,} goes from the extract."],
        submit="Delete the row",
        cancel=back,
        trail=_post_crumbs(access, establishment),
        delete=delete,
    )


@organisation_page()
def establishment_download(
    request: HttpRequest, access: Access, establishment: Establishment, file_format: str
) -> HttpResponse:
    """The extract as CSV or XLSX, in the columns the import reads."""
    rows = [
        (access.organisation.name, row.service, row.profession, row.headcount, row.wte)
        for row in _rows(establishment)
    ]
    name = f"establishment {access.organisation.slug} {establishment.as_of.isoformat()}"
    return table_response(name, DOWNLOAD_HEADER, rows, file_format)
