"""Earlier training: training staff completed outside imheval's registers (before it, or
elsewhere), imported in the shape of the command line's training file, so it counts towards
coverage like a completion on a register.

Columns (matched on letters and digits, without regard to case): ``person``, ``service``,
``profession``, ``level`` (a level of the organisation's framework, as on the workforce
settings page), ``completed_on``; optionally ``programme`` and ``organisation`` (when given, it
must name this organisation: a region's file is split before it is imported here). All rows or
none are saved, every problem listed with file, row and column.

An import is saved with ``bulk_create`` and removed (by its file name, "remove this import")
with one delete statement: each is logged as one audit entry naming the file and how many
records, since bulk statements send no per-row signals. Deleting a single record goes through
the model, so it is logged as usual. These are named staff training records: like the
registers, they are never shown with anonymous questionnaire answers.
"""

from __future__ import annotations

from typing import Final

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from imheval.errors import CoverageError, DataFormatError, Problem
from imheval.web.organisations.access import FORM, POST, Access
from imheval.web.organisations.models import AuditEvent, Organisation
from imheval.web.paper.importing import upload_name
from imheval.web.workforce.access import EDIT_WORKFORCE, organisation_page
from imheval.web.workforce.downloads import table_response
from imheval.web.workforce.models import EarlierTraining, WorkforceSettings
from imheval.web.workforce.register import log_event
from imheval.web.workforce.register_forms import EarlierImportForm
from imheval.web.workforce.register_import import SHOWN_PROBLEMS, SheetReading, read_upload
from imheval.workforce import Ladder
from imheval.workforce.ladder import level_key

#: The columns an earlier-training file must have (``programme`` and ``organisation`` are
#: optional).
REQUIRED: Final = ("person", "service", "profession", "level", "completed_on")
#: The most rows one file may have below its header (a large trust's whole history).
MAX_ROWS: Final = 100_000
#: Records shown per page of the list.
PER_PAGE: Final = 100
#: Audit entries of imports and their removal carry this object type.
EARLIER_OBJECT = "earlier training import"


def _names_organisation(text: str, organisation: Organisation) -> bool:
    key = level_key(text)
    return key in (level_key(organisation.name), level_key(organisation.slug))


def read_earlier(
    reading: SheetReading, organisation: Organisation, ladder: Ladder
) -> list[EarlierTraining]:
    """The file's records for ``organisation`` (unsaved), levels spelled as ``ladder`` spells
    them; raises :class:`DataFormatError` listing every problem."""
    records = []
    for row in reading.rows:
        person = reading.text(row, "person", "person", 120)
        service = reading.text(row, "service", "service", 120)
        profession = reading.text(row, "profession", "profession", 120)
        level_text = row.get("level")
        level = ladder.canonical(level_text) if level_text else None
        if not level_text:
            reading.add(row, "level", f"the level is blank (use one of {', '.join(ladder.levels)})")
        elif level is None:
            reading.add(
                row,
                "level",
                f"'{level_text[:40]}' is not a level of your framework, {ladder.describe()} "
                "(the framework is chosen on the workforce settings page)",
            )
        completed_on = reading.date(row, "completedon", required=True)
        programme = reading.optional_text(row, "programme", "programme", 200)
        named = row.get("organisation")
        if "organisation" in reading.columns and not _names_organisation(named, organisation):
            shown = f"'{named[:60]}'" if named else "blank"
            reading.add(
                row,
                "organisation",
                f"{shown} is not {organisation.name}: import only your own organisation's "
                "training here",
            )
        if person and service and profession and level and completed_on:
            records.append(
                EarlierTraining(
                    organisation=organisation,
                    person=person,
                    service=service,
                    profession=profession,
                    level=level,
                    completed_on=completed_on,
                    programme=programme,
                    source_name=reading.file,
                )
            )
    reading.check()
    return records


def import_earlier(organisation: Organisation, reading: SheetReading) -> int:
    """Check and save a file's records, all or none; returns how many were saved. A file of
    the same name imported before is a problem (remove that import first)."""
    try:
        ladder = WorkforceSettings.for_organisation(organisation).ladder()
    except CoverageError:
        raise DataFormatError(
            [
                Problem(
                    file=reading.file,
                    message="your framework's levels are not set up correctly: fix them on the "
                    "workforce settings page first",
                )
            ]
        ) from None
    records = read_earlier(reading, organisation, ladder)
    with transaction.atomic():
        if EarlierTraining.objects.filter(
            organisation=organisation, source_name=reading.file
        ).exists():
            raise DataFormatError(
                [
                    Problem(
                        file=reading.file,
                        message="a file of this name was imported before: remove that import "
                        "first, or rename this file if it holds other records",
                    )
                ]
            )
        EarlierTraining.objects.bulk_create(records, batch_size=1000)
        log_event(
            organisation.pk,
            AuditEvent.Action.CREATED,
            EARLIER_OBJECT,
            "",
            reading.file,
            {"file": reading.file, "records": len(records)},
        )
    return len(records)


def remove_import(organisation: Organisation, source_name: str) -> int:
    """Delete every record an import saved (by its file name), in one statement, and log it
    once; returns how many went."""
    with transaction.atomic():
        found = EarlierTraining.objects.filter(organisation=organisation, source_name=source_name)
        count = found.count()
        if count:
            # One statement, no per-row signals (the records have no dependants); the one
            # audit entry below names the file and the count.
            found._raw_delete(found.db)  # type: ignore[attr-defined]
            log_event(
                organisation.pk,
                AuditEvent.Action.DELETED,
                EARLIER_OBJECT,
                "",
                source_name,
                {"file": source_name, "records": count},
            )
    return count


# ----------------------------------------------------------------------- pages


def _url(name: str, access: Access, **kwargs: object) -> str:
    return reverse(f"workforce:{name}", kwargs={"org": access.organisation.slug, **kwargs})


def _crumbs(access: Access) -> list[tuple[str, str]]:
    org = access.organisation.slug
    return [("Home", reverse("workspace:organisation", kwargs={"org": org}))]


@organisation_page(methods=FORM)
def earlier(request: HttpRequest, access: Access) -> HttpResponse:
    """Earlier training: the imports, the records (a page at a time) and the upload."""
    organisation = access.organisation
    may_edit = access.may(EDIT_WORKFORCE)
    form = EarlierImportForm()
    problems: tuple[Problem, ...] = ()
    file_name = ""
    if request.method == "POST":
        access.require(EDIT_WORKFORCE)
        form = EarlierImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            file_name = upload_name(upload)
            try:
                reading = read_upload(upload, REQUIRED, MAX_ROWS)
                saved = import_earlier(organisation, reading)
            except DataFormatError as error:
                problems = error.problems
            else:
                messages.success(
                    request,
                    f"{saved} {'record' if saved == 1 else 'records'} of earlier training "
                    f"imported from {file_name}.",
                )
                return redirect(_url("earlier", access))
    records = EarlierTraining.objects.in_organisation(organisation).order_by(  # type: ignore[attr-defined]
        "person", "completed_on", "pk"
    )
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    imports = list(
        EarlierTraining.objects.in_organisation(organisation)  # type: ignore[attr-defined]
        .order_by()
        .values("source_name")
        .annotate(records=Count("pk"), imported_at=Max("imported_at"))
        .order_by("-imported_at", "source_name")
    )
    context = {
        "page": page,
        "imports": imports,
        "form": form,
        "may_edit": may_edit,
        "problems": problems[:SHOWN_PROBLEMS],
        "hidden": max(0, len(problems) - SHOWN_PROBLEMS),
        "problem_count": len(problems),
        "file_name": file_name,
        "crumbs": _crumbs(access),
    }
    return render(request, "workforce/earlier.html", context, status=400 if problems else 200)


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def earlier_delete(request: HttpRequest, access: Access, earlier: EarlierTraining) -> HttpResponse:
    """Delete one record (logged through the model)."""
    back = _url("earlier", access)
    if request.method == "POST":
        label = str(earlier)
        earlier.delete()
        messages.success(request, f"Earlier training deleted: {label}.")
        return redirect(back)
    context = {
        "record": earlier,
        "cancel": back,
        "crumbs": [*_crumbs(access), ("Earlier training", back)],
    }
    return render(request, "workforce/earlier_delete.html", context)


@organisation_page(EDIT_WORKFORCE, methods=POST)
def earlier_remove_import(request: HttpRequest, access: Access) -> HttpResponse:
    """Remove every record of one import: asked from the list (shows what will go), then
    confirmed (removes it)."""
    source_name = str(request.POST.get("source_name", ""))[:250]
    found = EarlierTraining.objects.in_organisation(access.organisation).filter(  # type: ignore[attr-defined]
        source_name=source_name
    )
    count = found.count()
    if not count:
        raise Http404("No such import")
    back = _url("earlier", access)
    if request.POST.get("confirm") == "yes":
        removed = remove_import(access.organisation, source_name)
        messages.success(
            request,
            f"The import of {source_name or 'records with no file name'} was removed "
            f"({removed} {'record' if removed == 1 else 'records'}).",
        )
        return redirect(back)
    context = {
        "source_name": source_name,
        "count": count,
        "cancel": back,
        "crumbs": [*_crumbs(access), ("Earlier training", back)],
    }
    return render(request, "workforce/earlier_remove_import.html", context)


#: The download's columns: the command line's TRAINING file (``imheval coverage``), which this
#: page also imports.
EARLIER_HEADER = (
    "person",
    "organisation",
    "service",
    "profession",
    "level",
    "completed_on",
    "programme",
)


@organisation_page(EDIT_WORKFORCE)
def earlier_download(request: HttpRequest, access: Access, file_format: str) -> HttpResponse:
    """Every earlier training record as CSV or XLSX, in the shape the import reads (a staff
    training record: for the roles that change it)."""
    name = access.organisation.name
    records = (
        EarlierTraining.objects.in_organisation(access.organisation)  # type: ignore[attr-defined]
        .order_by("person", "completed_on", "pk")
        .values_list("person", "service", "profession", "level", "completed_on", "programme")
    )
    rows = [(person, name, *rest) for person, *rest in records]
    return table_response(
        f"earlier training {access.organisation.slug}", EARLIER_HEADER, rows, file_format
    )
