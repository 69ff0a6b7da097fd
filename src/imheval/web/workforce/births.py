"""Births a year in the organisation's area (/o/<organisation>/workforce/births/): the input to
seed 004's rule of thumb, which the coverage page checks against the specialist practitioners
the organisation has. This page keeps the figures; everyone reads them, admins and evaluators
change them (audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from imheval.web.organisations.access import FORM, Access
from imheval.web.organisations.models import Organisation
from imheval.web.workforce import planning_pages as pages
from imheval.web.workforce.access import EDIT_WORKFORCE, organisation_page
from imheval.web.workforce.downloads import table_response
from imheval.web.workforce.models import BirthsYear

#: Seed 004's rule of thumb: above this many births a year, specialist infant mental health
#: practitioners should be located in several services (the core's ``coverage`` checks it).
BIRTHS_THRESHOLD = 3_000
#: The largest number of births a year taken (the core reader's limit).
MAX_BIRTHS = 10_000_000
RULE = (
    "More than 3,000 births a year: specialist infant mental health practitioners in several "
    "services."
)


class BirthsForm(forms.ModelForm):
    """One year's births; a year is given once."""

    year = forms.IntegerField(
        label="Year",
        min_value=2000,
        max_value=2100,
        help_text="The calendar or financial year the figure is for, for example 2025",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the year",
            "invalid": "Enter the year as four numbers, for example 2025",
            "min_value": "Enter a year from 2000 to 2100",
            "max_value": "Enter a year from 2000 to 2100",
        },
    )
    births = forms.IntegerField(
        label="Births",
        min_value=0,
        max_value=MAX_BIRTHS,
        help_text="Live births in your area that year, for example 3200",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of births",
            "invalid": "Enter the births as a whole number, for example 3200",
            "min_value": "The number of births must be 0 or more",
            "max_value": f"The number of births must be at most {MAX_BIRTHS:,}",
        },
    )

    class Meta:
        model = BirthsYear
        fields = ["year", "births"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        others = BirthsYear.objects.filter(organisation=self.instance.organisation, year=year)
        if others.exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"{year} already has a figure: change that one instead")
        return year


def _crumbs(access: Access) -> list[tuple[str, str]]:
    return pages.crumbs(access, ("Births", pages.url("births", access)))


@organisation_page()
def births(request: HttpRequest, access: Access) -> HttpResponse:
    """Every year's births, latest first, and what the rule says of the latest."""
    years = list(BirthsYear.objects.in_organisation(access.organisation).order_by("-year"))  # type: ignore[attr-defined]
    latest = years[0] if years else None
    context = {
        "years": [{"year": y, "births": f"{y.births:,}"} for y in years],
        "latest": latest,
        "applies": latest is not None and latest.births > BIRTHS_THRESHOLD,
        "rule": RULE,
        "may_edit": pages.may_edit(access),
        "crumbs": pages.crumbs(access),
    }
    return render(request, "workforce/births.html", context)


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def births_create(request: HttpRequest, access: Access) -> HttpResponse:
    back = pages.url("births", access)
    return pages.form_page(
        request,
        BirthsForm(pages.data(request), organisation=access.organisation),
        title="Add a year's births",
        submit="Add the year",
        cancel=back,
        done=lambda saved: (f"{saved.births:,} births in {saved.year} added.", back),
        crumbs=_crumbs(access),
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def births_edit(request: HttpRequest, access: Access, births: BirthsYear) -> HttpResponse:
    back = pages.url("births", access)
    return pages.form_page(
        request,
        BirthsForm(pages.data(request), instance=births, organisation=access.organisation),
        title=f"Change the births of {births.year}",
        submit="Save the year",
        cancel=back,
        done=lambda saved: (f"{saved.births:,} births in {saved.year} saved.", back),
        crumbs=_crumbs(access),
    )


@organisation_page(EDIT_WORKFORCE, methods=FORM)
def births_delete(request: HttpRequest, access: Access, births: BirthsYear) -> HttpResponse:
    back = pages.url("births", access)

    def delete() -> tuple[str, str]:
        births.organisation = access.organisation
        births.delete()
        return f"The births of {births.year} deleted.", back

    return pages.confirm_delete(
        request,
        title=f"Delete the births of {births.year}",
        text=[f"The figure of {births.births:,} births goes."],
        submit="Delete the year",
        cancel=back,
        trail=_crumbs(access),
        delete=delete,
    )


#: The births download's columns: the command line's births file, with the year.
BIRTHS_HEADER = ("organisation", "year", "births_per_year")


@organisation_page()
def births_download(request: HttpRequest, access: Access, file_format: str) -> HttpResponse:
    """Every year's births as CSV or XLSX (``imheval coverage --births`` reads the latest)."""
    years = BirthsYear.objects.in_organisation(access.organisation).order_by("-year")  # type: ignore[attr-defined]
    name = access.organisation.name
    return table_response(
        f"births {access.organisation.slug}",
        BIRTHS_HEADER,
        [(name, line.year, line.births) for line in years],
        file_format,
    )
