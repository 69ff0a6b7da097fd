"""The paper pages: print forms, key them in (once or twice), resolve differences, import a file.

Every page goes through :func:`organisation_page`, the shared access rules of
:func:`~imheval.web.organisations.access.organisation_views`, with the enter_responses action.
Views are thin: the rules live in forms.py, entry.py and importing.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Model, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from imheval.errors import DataFormatError, ImhevalError
from imheval.instruments import Instrument
from imheval.io.templates import template_bytes
from imheval.web.organisations.access import (
    FORM,
    POST,
    READ,
    Access,
    organisation_views,
)
from imheval.web.paper import entry, importing, interop_import, printing
from imheval.web.paper import tasks as import_jobs
from imheval.web.paper.answers import AnswerRule, answer_rules
from imheval.web.paper.forms import (
    ImportConfirmForm,
    ImportForm,
    KeyingForm,
    PrintForm,
    ResolveForm,
)
from imheval.web.paper.models import (
    ImportBatch,
    ImportStatus,
    PaperForm,
    PaperSetup,
    PaperStatus,
)
from imheval.web.queries import query_number
from imheval.web.tasks.jobs import job_url
from imheval.web.workspace.models import Cohort, Collection

#: Address parts that name an organisation's object, and the model each is loaded from.
SCOPED_OBJECTS: dict[str, type[Model]] = {
    "collection": Collection,
    "cohort": Cohort,
    "form": PaperForm,
    "batch": ImportBatch,
}
#: The template files offered for download, and their content types.
TEMPLATE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The most problems an import's error page lists.
MAX_PROBLEMS_SHOWN = 200


#: The shared access rules (organisations.access.organisation_views) for paper pages; every
#: paper page asks for the enter_responses action (admin, evaluator, trainer).
organisation_page = organisation_views(SCOPED_OBJECTS, plain_kwargs=("kind",))


def _url(name: str, access: Access, **objects: Any) -> str:
    kwargs = {key: getattr(value, "pk", value) for key, value in objects.items()}
    return reverse(f"paper:{name}", kwargs={"org": access.organisation.slug, **kwargs})


def _crumbs(access: Access, cohort: Cohort) -> list[tuple[str, str]]:
    slug = access.organisation.slug
    return [
        ("Programmes", reverse("workspace:organisation", args=[slug])),
        (cohort.programme.name, reverse("workspace:programme", args=[slug, cohort.programme_id])),
        (cohort.name, reverse("workspace:cohort", args=[slug, cohort.pk])),
    ]


def _rules(request: HttpRequest, collection: Collection) -> list[AnswerRule] | HttpResponse:
    """The collection's answer rules, or a page saying why its instruments cannot be used."""
    try:
        return answer_rules(collection.instruments(), collection.instrument_forms)
    except ImhevalError as error:
        return render(
            request,
            "paper/problem.html",
            {
                "title": "This questionnaire's instruments cannot be used",
                "lines": [str(error)],
                "crumbs": _crumbs(request.imheval_access, collection.cohort),  # type: ignore[attr-defined]
            },
            status=409,
        )


def _collection_context(access: Access, collection: Collection) -> dict[str, Any]:
    forms = PaperForm.objects.filter(collection=collection)
    tally = forms.aggregate(
        total=Count("id"),
        awaiting=Count("id", filter=Q(status=PaperStatus.AWAITING)),
        discrepant=Count("id", filter=Q(status=PaperStatus.DISCREPANT)),
    )
    return {
        "collection": collection,
        "cohort": collection.cohort,
        "programme": collection.cohort.programme,
        "crumbs": _crumbs(access, collection.cohort),
        "setup": PaperSetup.of(collection),
        "tally": tally,
    }


# ------------------------------------------------------------------------------- keying


@organisation_page("enter_responses", FORM)
def enter(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    """Key in paper forms one after another; Enter saves and brings a blank form."""
    rules = _rules(request, collection)
    if isinstance(rules, HttpResponse):
        return rules
    if request.method == "POST":
        form = KeyingForm(collection, rules, request.POST)
        if form.is_valid() and (saved := form.save(request.user)):
            messages.success(request, saved.message)
            after = saved.form.form_number
            return redirect(f"{_url('enter', access, collection=collection)}?after={after}")
    else:
        after = query_number(request, "after", minimum=1, maximum=entry.MAX_FORM_NUMBER)
        number = entry.next_form_number(collection, after)
        form = KeyingForm(collection, rules, initial={"form_number": str(number)})
    papers = (
        PaperForm.objects.filter(collection=collection)
        .select_related("submission", "first_by", "second_by")
        .order_by("-form_number")
    )
    context = _collection_context(access, collection)
    context.update(form=form, papers=papers, status=PaperStatus)
    return render(request, "paper/enter.html", context)


@organisation_page("enter_responses", FORM)
def change(request: HttpRequest, access: Access, form: PaperForm) -> HttpResponse:
    """Correct an entered form, or a first keying waiting for its second."""
    collection = form.collection
    back = _url("enter", access, collection=collection)
    if form.status == PaperStatus.DISCREPANT:
        return redirect(_url("resolve", access, form=form))
    rules = _rules(request, collection)
    if isinstance(rules, HttpResponse):
        return rules
    if request.method == "POST":
        keying_form = KeyingForm(collection, rules, request.POST, paper_form=form)
        if keying_form.is_valid() and (saved := keying_form.save(request.user)):
            messages.success(request, saved.message)
            return redirect(back)
    else:
        initial = KeyingForm.initial_for(form, form.current())
        keying_form = KeyingForm(collection, rules, initial=initial, paper_form=form)
    context = _collection_context(access, collection)
    context.update(form=keying_form, paper=form, back=back)
    return render(request, "paper/change.html", context)


@organisation_page("enter_responses", FORM)
def delete(request: HttpRequest, access: Access, form: PaperForm) -> HttpResponse:
    """Confirm, then delete a paper form and its response."""
    back = _url("enter", access, collection=form.collection)
    if request.method == "POST":
        messages.success(request, entry.delete_form(form))
        return redirect(back)
    context = _collection_context(access, form.collection)
    context.update(paper=form, back=back)
    return render(request, "paper/delete.html", context)


@organisation_page("enter_responses", POST)
def double_entry(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    """Switch double entry on or off for the questionnaire."""
    try:
        message = entry.set_double_entry(collection, request.POST.get("double_entry") == "on")
    except entry.KeyingRejectedError as rejected:
        message = rejected.message
    messages.info(request, message)
    return redirect(_url("enter", access, collection=collection))


# -------------------------------------------------------------------------- differences


@organisation_page("enter_responses", READ)
def discrepancies(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    """Every field on which two keyings of a form differ, form by form."""
    rules = _rules(request, collection)
    if isinstance(rules, HttpResponse):
        return rules
    found = [
        (paper, entry.differences(paper.first(), paper.second() or paper.first(), rules))
        for paper in PaperForm.objects.filter(
            collection=collection, status=PaperStatus.DISCREPANT
        ).select_related("first_by", "second_by")
    ]
    context = _collection_context(access, collection)
    context.update(found=found)
    return render(request, "paper/discrepancies.html", context)


@organisation_page("enter_responses", FORM)
def resolve(request: HttpRequest, access: Access, form: PaperForm) -> HttpResponse:
    """Choose, for each difference, the value the paper form really shows."""
    collection = form.collection
    back = _url("discrepancies", access, collection=collection)
    if form.status != PaperStatus.DISCREPANT:
        messages.info(request, f"Form {form.label} has no differences to resolve.")
        return redirect(back)
    rules = _rules(request, collection)
    if isinstance(rules, HttpResponse):
        return rules
    found = entry.differences(form.first(), form.second() or form.first(), rules)
    resolve_form = ResolveForm(form, found, request.POST if request.method == "POST" else None)
    if request.method == "POST" and resolve_form.is_valid() and (saved := resolve_form.save()):
        messages.success(request, saved.message)
        return redirect(back)
    context = _collection_context(access, collection)
    context.update(form=resolve_form, paper=form, back=back)
    return render(request, "paper/resolve.html", context)


# ------------------------------------------------------------------------------ printing


@organisation_page("enter_responses", READ)
def print_forms(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    """Choose numbers and download the numbered forms as one PDF."""
    setup = PaperSetup.of(collection)
    if "copies" in request.GET or "first" in request.GET:
        form = PrintForm(request.GET)
        if form.is_valid():
            first, copies = form.cleaned_data["first"], form.cleaned_data["copies"]
            try:
                pdf = printing.form_pdf(collection, first, copies)
            except ImhevalError as error:
                form.add_error(None, f"The forms cannot be made: {error}")
            else:
                last = first + copies - 1
                if last > setup.last_printed:
                    setup.last_printed = last
                    setup.save()
                name = f"imheval-forms-{collection.pk}-{first:03d}-to-{last:03d}.pdf"
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
    else:
        form = PrintForm(initial={"first": setup.last_printed + 1, "copies": 30})
    context = _collection_context(access, collection)
    context.update(form=form)
    return render(request, "paper/print.html", context)


# ------------------------------------------------------------------------------- import


def _problem_rows(error: DataFormatError) -> tuple[list[Any], int]:
    problems = list(error.problems)
    return problems[:MAX_PROBLEMS_SHOWN], max(0, len(problems) - MAX_PROBLEMS_SHOWN)


@organisation_page("enter_responses", FORM)
def import_file(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    """Upload a CSV or XLSX file of responses; a file with any problem imports nothing."""
    context: dict[str, Any] = {
        "cohort": cohort,
        "programme": cohort.programme,
        "crumbs": _crumbs(access, cohort),
        "collections": Collection.objects.filter(cohort=cohort),
        "batches": ImportBatch.objects.filter(
            cohort=cohort, status=ImportStatus.IMPORTED
        ).select_related("uploaded_by"),
    }
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if importing.checked_in_background(upload):
                job = import_jobs.start_check(cohort, upload, request.user, request.path)
                return redirect(job_url(job))
            try:
                batch = importing.check_upload(cohort, upload, request.user)
            except DataFormatError as error:
                context["problems"], context["hidden"] = _problem_rows(error)
                context["file_name"] = upload.name
                form.add_error("file", importing.refusal(len(error.problems)))
            else:
                return redirect(_url("import_preview", access, batch=batch))
    else:
        form = ImportForm()
    context["form"] = form
    return render(request, "paper/import.html", context)


def _on_their_forms(collection: Collection) -> list[Instrument]:
    """The questionnaire's instruments, each with parallel forms cut down to the one form the
    questionnaire asks (its items and the common ones), so a template has that form's columns
    and says that form in its ``form`` column."""
    asked = collection.instrument_forms or {}
    return [
        instrument.on_form(asked[instrument.id]) if instrument.id in asked else instrument
        for instrument in collection.instruments()
    ]


@organisation_page("enter_responses", READ)
def import_template(
    request: HttpRequest, access: Access, collection: Collection, kind: str
) -> HttpResponse:
    """A CSV or XLSX file (``kind``, set by the address) with the questionnaire's columns and
    one sample row, to fill in."""
    rules = _rules(request, collection)  # a page saying why, if its instruments cannot load
    if isinstance(rules, HttpResponse):
        return rules
    cohort = collection.cohort
    content = template_bytes(
        _on_their_forms(collection),
        "csv" if kind == "csv" else "xlsx",
        timepoint=collection.timepoint,
        cohort=cohort.name,
        programme=cohort.programme.name,
    )
    name = f"imheval-template-{cohort.pk}-{collection.timepoint}.{kind}"
    response = HttpResponse(content, content_type=TEMPLATE_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@organisation_page("enter_responses", FORM)
def import_preview(request: HttpRequest, access: Access, batch: ImportBatch) -> HttpResponse:
    """What the file holds, before anything is imported; Confirm imports it all."""
    back = _url("import_file", access, cohort=batch.cohort)
    if batch.status != ImportStatus.PREVIEW:
        return redirect(back)
    if interop_import.origins_of(batch):
        # converted from another system: its own preview shows the mapping, and its confirm
        # names the original files and rows
        return redirect(_url("interop_preview", access, batch=batch))
    form = ImportConfirmForm(
        batch.ignored_columns, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        if batch.row_count > importing.BACKGROUND_CONFIRM_ROWS:
            job = import_jobs.start_confirm(batch, request.user, back)
            return redirect(job_url(job))
        try:
            done = importing.confirm(batch, request.user)
        except DataFormatError as error:
            batch.delete()
            problems, hidden = _problem_rows(error)
            context = {
                "cohort": batch.cohort,
                "crumbs": _crumbs(access, batch.cohort),
                "problems": problems,
                "hidden": hidden,
                "file_name": batch.file_name,
                "back": back,
            }
            return render(request, "paper/import_failed.html", context)
        counts = ", ".join(f"{n} {label.lower()}" for label, n in done.count_list())
        messages.success(
            request,
            f"Imported {done.row_count} response{'' if done.row_count == 1 else 's'} from "
            f"{done.file_name} ({counts}).",
        )
        return redirect(back)
    context = {
        "batch": batch,
        "cohort": batch.cohort,
        "crumbs": _crumbs(access, batch.cohort),
        "back": back,
        "form": form,
    }
    return render(request, "paper/import_preview.html", context)


@organisation_page("enter_responses", POST)
def import_cancel(request: HttpRequest, access: Access, batch: ImportBatch) -> HttpResponse:
    """Forget a preview: nothing was imported."""
    back = _url("import_file", access, cohort=batch.cohort)
    if batch.status == ImportStatus.PREVIEW:
        batch.delete()
        messages.info(request, f"Cancelled: nothing from {batch.file_name} was imported.")
    return redirect(back)


@organisation_page("enter_responses", FORM)
def import_undo(request: HttpRequest, access: Access, batch: ImportBatch) -> HttpResponse:
    """Confirm, then delete an import and every response it created."""
    back = _url("import_file", access, cohort=batch.cohort)
    if batch.status != ImportStatus.IMPORTED:
        return redirect(back)
    if request.method == "POST":
        count = importing.undo(batch)
        messages.success(
            request,
            f"Deleted the import of {batch.file_name} and its {count} "
            f"response{'' if count == 1 else 's'}.",
        )
        return redirect(back)
    context = {
        "batch": batch,
        "cohort": batch.cohort,
        "crumbs": _crumbs(access, batch.cohort),
        "back": back,
    }
    return render(request, "paper/import_undo.html", context)
