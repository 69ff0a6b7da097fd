"""The form that records a programme's places in one financial year: funded and offered.

Taken and completed are never keyed in here: they are counted from the training register.
"""

from __future__ import annotations

from typing import Any

from django import forms

from imheval.web.organisations.models import Organisation
from imheval.web.workforce.models import PlacesYear
from imheval.web.workforce.places_data import financial_year_label
from imheval.web.workspace.models import Programme

FIRST_YEAR = 2000
LAST_YEAR = 2100
MOST_PLACES = 1_000_000


def _places_field(label: str, *, required: bool, help_text: str) -> forms.IntegerField:
    what = label.lower().removesuffix(" (optional)")
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=MOST_PLACES,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
        error_messages={
            "required": f"Enter the {what}, for example 120",
            "invalid": f"Enter the {what} as a whole number, for example 120",
            "min_value": f"The {what} cannot be below 0",
            "max_value": f"Enter at most {MOST_PLACES:,} {what}",
        },
    )


class PlacesYearForm(forms.ModelForm):
    """A programme's funded and offered places in one financial year, for a programme of the
    organisation given as ``organisation`` (one record per programme and year)."""

    programme = forms.ModelChoiceField(
        queryset=Programme.objects.none(),
        label="Programme",
        empty_label="Choose a programme",
        error_messages={
            "required": "Choose the programme",
            "invalid_choice": "Choose one of your programmes",
        },
    )
    year = forms.IntegerField(
        label="Financial year starting in",
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text="The year its April falls in: 2026 for April 2026 to March 2027 (2026/27).",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the year the financial year starts in, for example 2026",
            "invalid": "Enter the year as 4 numbers, for example 2026",
            "min_value": f"Enter a year from {FIRST_YEAR} to {LAST_YEAR}",
            "max_value": f"Enter a year from {FIRST_YEAR} to {LAST_YEAR}",
        },
    )
    funded = _places_field(
        "Places funded", required=True, help_text="How many places were paid for, for example 120."
    )
    offered = _places_field(
        "Places offered (optional)",
        required=False,
        help_text="How many places were offered to staff, when it differs from those funded.",
    )

    class Meta:
        model = PlacesYear
        fields = ["programme", "year", "funded", "offered"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        current = self.instance.programme_id if self.instance.pk else None  # type: ignore[attr-defined]
        programmes = Programme.objects.in_organisation(organisation)  # type: ignore[attr-defined]
        # Archived programmes are not offered for new records, but one already recorded keeps
        # its programme.
        field.queryset = programmes.exclude(is_archived=True) | programmes.filter(pk=current)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        programme, year = cleaned.get("programme"), cleaned.get("year")
        if programme is not None and year is not None:
            taken = PlacesYear.objects.filter(programme=programme, year=year).exclude(
                pk=self.instance.pk
            )
            if taken.exists():
                self.add_error(
                    "year",
                    f"Places for {programme.name} in {financial_year_label(year)} are already "
                    "recorded. Change that record instead.",
                )
        return cleaned

    def validate_unique(self) -> None:
        # clean() says it in words; the constraint's own message would repeat it.
        pass
