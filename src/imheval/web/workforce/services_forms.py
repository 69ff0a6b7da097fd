"""Service data on the web: the adapter between the database and :mod:`imheval.services`, and
the forms (one figure, a training date, an import).

The adapter is the one place these rows cross into the core: stored figures become the cells
the core's reader checks (:func:`imheval.services.rows_from_cells`), so a figure typed in a
form, imported from a file or read by the command line passes the same checks and the same
analysis.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db import transaction

from imheval.errors import DataFormatError
from imheval.services import CATALOGUE, ServiceRow, rows_from_cells
from imheval.web.organisations.models import Organisation
from imheval.web.workforce.planning_pages import UploadField
from imheval.web.workforce.services_models import ServiceFigure, ServiceTraining

OTHER = "other"
TEXT = {"class": "nhsuk-input--width-20"}
SHORT = {"class": "nhsuk-input--width-10"}


def _stored_measure(row: ServiceRow) -> dict[str, Any]:
    if row.measure.key in CATALOGUE:
        return {"measure": row.measure.key, "kind": "", "barr_level": "", "unit": ""}
    return {
        "measure": row.measure.label,
        "kind": row.measure.kind,
        "barr_level": row.measure.barr_level,
        "unit": row.measure.unit,
    }


def save_rows(organisation: Organisation, rows: Iterable[ServiceRow]) -> tuple[int, int]:
    """Save ``rows`` in one transaction: a figure for a service, measure and period already
    kept is replaced. Returns (added, replaced)."""
    added = replaced = 0
    with transaction.atomic():
        existing = {
            (f.service, f.measure, f.period): f
            for f in ServiceFigure.objects.in_organisation(organisation)  # type: ignore[attr-defined]
        }
        new: list[ServiceFigure] = []
        changed: list[ServiceFigure] = []
        for row in rows:
            stored = _stored_measure(row)
            key = (row.service, stored["measure"], row.period.label)
            figure = existing.get(key)
            if figure is None:
                figure = ServiceFigure(
                    organisation=organisation, service=row.service, period=row.period.label
                )
                new.append(figure)
            else:
                changed.append(figure)
            figure.value = row.value
            figure.denominator = row.denominator
            for name, value in stored.items():
                setattr(figure, name, value)
        ServiceFigure.objects.bulk_create(new)
        fields = ["value", "denominator", "kind", "barr_level", "unit"]
        ServiceFigure.objects.bulk_update(changed, fields)
        added, replaced = len(new), len(changed)
    return added, replaced


class ServiceFigureForm(forms.Form):
    """One figure, checked by the core exactly as a row of a file is."""

    service = forms.CharField(
        label="Service",
        max_length=200,
        help_text="For example, Health visiting North",
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": "Enter the service"},
    )
    period = forms.CharField(
        label="Period",
        max_length=10,
        help_text="A month as 2025-04 or a quarter as 2025-Q2",
        widget=forms.TextInput(attrs=SHORT),
        error_messages={"required": "Enter the period, for example 2025-04"},
    )
    measure = forms.ChoiceField(
        label="Measure",
        choices=[
            *((m.key, f"{m.label} (Barr {m.barr_level}, {m.kind})") for m in CATALOGUE.values()),
            (OTHER, "Another measure (describe it below)"),
        ],
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    other_measure = forms.CharField(
        label="Another measure's name",
        required=False,
        max_length=200,
        help_text="Only for another measure, for example Video feedback sessions offered",
        widget=forms.TextInput(attrs=TEXT),
    )
    kind = forms.ChoiceField(
        label="Another measure's kind",
        required=False,
        choices=[
            ("", "Not another measure"),
            ("count", "Count"),
            ("proportion", "Proportion"),
            ("mean", "Mean"),
        ],
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    barr_level = forms.ChoiceField(
        label="Another measure's Barr level",
        required=False,
        choices=[
            ("", "Not another measure"),
            ("4a", "4a: organisational practice"),
            ("4b", "4b: benefit to babies and families"),
        ],
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    unit = forms.CharField(
        label="Another measure's unit",
        required=False,
        max_length=60,
        help_text="For example, sessions",
        widget=forms.TextInput(attrs=SHORT),
    )
    value = forms.CharField(
        label="Value",
        help_text="The count, the numerator of a proportion, or the mean",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "inputmode": "decimal"}),
        error_messages={"required": "Enter the value"},
    )
    denominator = forms.CharField(
        label="Denominator (if any)",
        required=False,
        help_text="What a proportion is out of (all assessments), or how many a mean is over",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.row: ServiceRow | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        measure = data.get("measure", "")
        cells = {
            "service": data.get("service", "").strip(),
            "period": data.get("period", "").strip(),
            "measure": data.get("other_measure", "").strip() if measure == OTHER else measure,
            "value": data.get("value", "").strip(),
            "denominator": data.get("denominator", "").strip(),
            "kind": data.get("kind", "") if measure == OTHER else "",
            "barr_level": data.get("barr_level", "") if measure == OTHER else "",
            "unit": data.get("unit", "").strip() if measure == OTHER else "",
        }
        try:
            (self.row,) = rows_from_cells([(1, cells)], "the form")
        except DataFormatError as error:
            for problem in error.problems:
                field = problem.column or "service"
                if field == "measure" and measure == OTHER:
                    field = "other_measure"
                self.add_error(field if field in self.fields else None, problem.message)
        return data

    def save(self) -> ServiceRow:
        assert self.row is not None  # a valid form has its row
        save_rows(self.organisation, [self.row])
        return self.row


class ServiceTrainingForm(forms.ModelForm):
    """When training began in one service."""

    service = forms.CharField(
        label="Service",
        max_length=200,
        help_text="As written in the service data, for example Health visiting North",
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": "Enter the service"},
    )
    trained_on = forms.DateField(
        label="Training began",
        help_text="The date, for example 2025-09-01 or 01/09/2025",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.TextInput(attrs=SHORT),
        error_messages={
            "required": "Enter the date training began",
            "invalid": "Enter the date as 2025-09-01 or 01/09/2025",
        },
    )

    class Meta:
        model = ServiceTraining
        fields = ["service", "trained_on"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation

    def clean_service(self) -> str:
        service: str = self.cleaned_data["service"].strip()
        others = ServiceTraining.objects.filter(
            organisation=self.instance.organisation, service__iexact=service
        )
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                f"{service} already has a training date: change that one instead"
            )
        return service

    def clean_trained_on(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["trained_on"]
        if not datetime.date(1990, 1, 1) <= date <= datetime.date(2200, 1, 1):
            raise forms.ValidationError("Enter a date from 1990 to 2200")
        return date


class ServiceImportForm(forms.Form):
    """A service-data file (CSV or XLSX)."""

    file = UploadField(
        label="Service-data file",
        help_text="A CSV or XLSX file with the columns below, at most 5 MB",
    )
