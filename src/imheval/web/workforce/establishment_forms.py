"""Forms of the establishment pages: an extract's date (keyed in, or with an uploaded HR
extract) and one row of staff (a service and profession's headcount and WTE).

Names are compared as the core compares them (``level_key``: case and repeated spaces do not
matter), so "Health Visiting" and "health  visiting" are one service.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from imheval.web.organisations.models import Organisation
from imheval.web.workforce.models import Establishment, EstablishmentRow
from imheval.web.workforce.planning_pages import UploadField
from imheval.web.workspace.forms import DayMonthYearField
from imheval.workforce.ladder import level_key

#: The largest headcount of one row (the core reader's limit).
MAX_HEADCOUNT = 1_000_000


def check_free_date(organisation: Organisation, as_of: datetime.date, instance: Any = None) -> None:
    """ValidationError when another extract of the organisation has the date ``as_of``: the
    trend needs one extract per date."""
    others = Establishment.objects.filter(organisation=organisation, as_of=as_of)
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    if others.exists():
        raise ValidationError(
            f"There is already an extract of {as_of:%-d %B %Y}: change that one, or delete it first"
        )


class EstablishmentForm(forms.ModelForm):
    """A new extract keyed in by hand (optionally starting from the current one's rows), or a
    change of an extract's date."""

    as_of = DayMonthYearField(
        label="Date of the extract",
        help_text="The day the staff figures are for, for example 1 4 2026",
    )
    copy_current = forms.BooleanField(
        required=False,
        label="Start from the current extract's rows",
        help_text="Its services, professions, headcounts and WTE are copied; change them after.",
    )

    class Meta:
        model = Establishment
        fields = ["as_of"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        if self.instance.pk or not Establishment.objects.filter(organisation=organisation).exists():
            del self.fields["copy_current"]

    def clean_as_of(self) -> datetime.date:
        as_of: datetime.date = self.cleaned_data["as_of"]
        check_free_date(self.instance.organisation, as_of, self.instance)
        return as_of


class EstablishmentImportForm(forms.Form):
    """An HR extract (CSV or XLSX) and the date it is for."""

    as_of = DayMonthYearField(
        label="Date of the extract",
        help_text="The day the staff figures are for, for example 1 4 2026",
    )
    file = UploadField(
        label="HR extract",
        help_text="A .csv or .xlsx file with the columns service, profession and headcount "
        "(wte and organisation are optional), one row per service and profession.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_as_of(self) -> datetime.date:
        as_of: datetime.date = self.cleaned_data["as_of"]
        check_free_date(self.organisation, as_of)
        return as_of


class EstablishmentRowForm(forms.ModelForm):
    """One service and profession of an extract: headcount, and WTE when known."""

    headcount = forms.IntegerField(
        label="Headcount",
        min_value=0,
        max_value=MAX_HEADCOUNT,
        help_text="People in post, for example 42 (0 is allowed: the coverage page flags it)",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the headcount",
            "invalid": "Enter the headcount as a whole number, for example 42",
            "min_value": "The headcount must be 0 or more",
            "max_value": f"The headcount must be at most {MAX_HEADCOUNT:,}",
        },
    )
    wte = forms.DecimalField(
        label="Whole-time equivalents (optional)",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal(MAX_HEADCOUNT),
        max_digits=9,
        decimal_places=2,
        help_text="For example 36.4",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "decimal"}),
        error_messages={
            "invalid": "Enter the WTE as a number, for example 36.4",
            "min_value": "The WTE must be 0 or more",
            "max_value": f"The WTE must be at most {MAX_HEADCOUNT:,}",
            "max_decimal_places": "Give the WTE with at most two decimal places",
            "max_digits": "Give the WTE with at most two decimal places",
        },
    )

    class Meta:
        model = EstablishmentRow
        fields = ["service", "profession", "headcount", "wte"]
        labels = {"service": "Service", "profession": "Profession"}
        help_texts = {
            "service": "For example, Health visiting",
            "profession": "For example, Health visitor",
        }
        error_messages = {
            "service": {"required": "Enter the service"},
            "profession": {"required": "Enter the profession"},
        }

    def __init__(self, *args: Any, establishment: Establishment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.establishment = establishment

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        service = (cleaned.get("service") or "").strip()
        profession = (cleaned.get("profession") or "").strip()
        if service and profession:
            key = (level_key(service), level_key(profession))
            others = EstablishmentRow.objects.filter(
                establishment=self.instance.establishment
            ).exclude(pk=self.instance.pk)
            if any(
                (level_key(row.service), level_key(row.profession)) == key
                for row in others.only("service", "profession")
            ):
                self.add_error(
                    "profession",
                    f"{profession} in {service} already has a row in this extract: change "
                    "that row instead",
                )
            cleaned["service"], cleaned["profession"] = service, profession
        return cleaned
