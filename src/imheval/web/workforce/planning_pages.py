"""What the planning pages (settings, establishment, required levels, births) share: addresses,
breadcrumbs, the form page, and reading an uploaded spreadsheet with the core's readers.

An uploaded file is written to a temporary folder under its own (made safe) name, so every
problem the core's reader finds names the file the person chose, its row and its column.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from imheval.errors import Problem
from imheval.web.organisations.access import Access
from imheval.web.paper.importing import upload_name
from imheval.web.workforce.access import EDIT_WORKFORCE
from imheval.web.workspace.views import _form_page as workspace_form_page

#: The largest spreadsheet the planning pages take (an establishment of thousands of rows is
#: well under 1 MB).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: File types the readers take.
UPLOAD_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
#: How many problems an import page lists before saying how many more there are.
SHOWN_PROBLEMS = 100

T = TypeVar("T")


def url(name: str, access: Access, **objects: Any) -> str:
    """The address of the workforce page ``name`` in the member's organisation."""
    kwargs = {key: getattr(value, "pk", value) for key, value in objects.items()}
    return reverse(f"workforce:{name}", kwargs={"org": access.organisation.slug, **kwargs})


def crumbs(access: Access, *more: tuple[str, str]) -> list[tuple[str, str]]:
    """The organisation, its workforce overview (once that page exists), then ``more``."""
    trail = [
        (
            access.organisation.name,
            reverse("workspace:organisation", kwargs={"org": access.organisation.slug}),
        )
    ]
    # The overview page is another part's; the trail works without it.
    with contextlib.suppress(NoReverseMatch):
        trail.append(("Workforce", url("home", access)))
    return [*trail, *more]


def may_edit(access: Access) -> bool:
    return access.may(EDIT_WORKFORCE)


def data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def form_page(request: HttpRequest, form: Any, **page: Any) -> HttpResponse:
    """The workspace's form page (show, or save and redirect) with the generic form template."""
    return workspace_form_page(request, form, template="network/form.html", **page)


def percent_text(value: Decimal | None) -> str:
    """A stored percentage as typed: 90.00 as "90%", 87.50 as "87.5%"."""
    if value is None:
        return ""
    return f"{number_text(value)}%"


def number_text(value: Decimal) -> str:
    """A stored decimal without trailing zeros: 12.50 as "12.5", 90.00 as "90"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class UploadField(forms.FileField):
    """A CSV or XLSX file of at most :data:`MAX_UPLOAD_BYTES`, with plain messages."""

    def __init__(self, *, label: str, help_text: str) -> None:
        super().__init__(
            label=label,
            help_text=help_text,
            widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
            error_messages={
                "required": "Choose a CSV or XLSX file to upload",
                "empty": "The chosen file is empty",
                "invalid": "Choose a CSV or XLSX file to upload",
            },
        )

    def clean(self, *args: Any, **kwargs: Any) -> Any:
        upload = super().clean(*args, **kwargs)
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            hint = (
                " Save it from your spreadsheet as .xlsx or .csv."
                if suffix in (".xls", ".ods", ".numbers")
                else ""
            )
            raise forms.ValidationError(
                f"The file must be a CSV or XLSX file (.csv or .xlsx), not "
                f"'{suffix or 'a file with no extension'}'.{hint}"
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 5 MB")
        return upload


def read_upload(upload: UploadedFile, reader: Callable[[Path], T]) -> T:
    """``reader`` applied to the uploaded file, saved under its own safe name in a temporary
    folder that is removed afterwards (the readers raise ``CoverageError`` naming it)."""
    with tempfile.TemporaryDirectory(prefix="imheval-workforce-") as folder:
        path = Path(folder) / upload_name(upload)
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return reader(path)


def problem_lines(problems: tuple[Problem, ...] | list[Problem]) -> dict[str, Any]:
    """The problems an import page shows (the first :data:`SHOWN_PROBLEMS`, each as "file, row
    7, column 'headcount': message") and how many more there are."""
    return {
        "problems": [str(problem) for problem in problems[:SHOWN_PROBLEMS]],
        "hidden_problems": max(0, len(problems) - SHOWN_PROBLEMS),
    }


def confirm_delete(
    request: HttpRequest,
    *,
    title: str,
    text: list[str],
    submit: str,
    cancel: str,
    trail: list[tuple[str, str]],
    delete: Callable[[], tuple[str, str]],
    caption: str = "",
) -> HttpResponse:
    """A page asking to confirm a deletion; on POST ``delete()`` runs (in a transaction) and
    gives (message, next address)."""
    from django.contrib import messages
    from django.db import transaction
    from django.shortcuts import redirect, render

    if request.method == "POST":
        with transaction.atomic():
            message, next_url = delete()
        messages.success(request, message)
        return redirect(next_url)
    context = {
        "title": title,
        "caption": caption,
        "text": text,
        "submit": submit,
        "cancel": cancel,
        "crumbs": trail,
    }
    return render(request, "workforce/establishment_delete.html", context)
