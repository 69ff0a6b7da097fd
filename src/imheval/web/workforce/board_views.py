"""The board pack page: choose the financial year, write a line on each delivery-plan action if
you like, and get the pack as Word or PDF (written by a worker: :mod:`.board_tasks`)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from imheval.web.organisations.access import FORM, Access
from imheval.web.workforce.access import organisation_page
from imheval.web.workforce.board_tasks import (
    MAX_COMMENTARY,
    PACK_FORMATS,
    PACK_LABELS,
    start_board_pack,
)
from imheval.web.workforce.models import PlacesYear
from imheval.web.workforce.places_data import financial_year_of
from imheval.web.workspace.models import Cohort
from imheval.workforce.board import DELIVERY_PLAN_ACTIONS, financial_year

TRAINING, EVALUATION = DELIVERY_PLAN_ACTIONS


class BoardPackForm(forms.Form):
    year = forms.TypedChoiceField(label="Financial year", coerce=int)
    training = forms.CharField(
        label=TRAINING,
        required=False,
        max_length=MAX_COMMENTARY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional. For example: Two more cohorts booked for May; backfill agreed "
        "for health visitors.",
    )
    evaluation = forms.CharField(
        label=EVALUATION,
        required=False,
        max_length=MAX_COMMENTARY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional. For example: Follow-up questionnaires at 6 months start in June.",
    )
    format = forms.ChoiceField(
        label="File",
        choices=[(kind, PACK_LABELS[kind]) for kind in PACK_FORMATS],
        initial="docx",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(year, financial_year(year)) for year in years]
        field.initial = years[0]


def pack_years(access: Access) -> list[int]:
    """The financial years with places or cohorts, and this one, newest first."""
    organisation = access.organisation
    years = {financial_year_of(timezone.localdate())}
    years.update(
        PlacesYear.objects.filter(programme__organisation=organisation)
        .values_list("year", flat=True)
        .distinct()
    )
    years.update(
        financial_year_of(day)
        for day in Cohort.objects.filter(programme__organisation=organisation)
        .values_list("start_date", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)


@organisation_page(methods=FORM)
def board_pack(request: HttpRequest, access: Access) -> HttpResponse:
    """GET: the form; POST: start the pack and go to its job's page."""
    years = pack_years(access)
    form = BoardPackForm(request.POST or None, years=years)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        back = reverse("workforce:board_pack", args=[access.organisation.slug])
        job = start_board_pack(
            access.organisation,
            year,
            form.cleaned_data["format"],
            {
                TRAINING: form.cleaned_data["training"],
                EVALUATION: form.cleaned_data["evaluation"],
            },
            request.user,
            back_url=back,
        )
        return redirect(reverse("jobs:job", args=[access.organisation.slug, job.pk]))
    home = reverse("workforce:home", args=[access.organisation.slug])
    return render(
        request,
        "network/form.html",
        {
            "form": form,
            "title": "Board pack",
            "caption": access.organisation.name,
            "intro": (
                "One file for the board: places funded and used, coverage against the targets "
                "(counted on the year's last day, or today while the year runs), the gaps and "
                "what closing them takes, whether each programme worked, and the delivery "
                "plan's actions on training and on evaluation. Add a line on each action if "
                "you like. Writing it takes a moment; a page shows its progress, then the file."
            ),
            "submit": "Write the board pack",
            "cancel": home,
            "crumbs": [("Workforce", home)],
        },
        status=400 if request.method == "POST" else 200,
    )
