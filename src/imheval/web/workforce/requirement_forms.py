"""Forms of the required-levels pages: a requirement (the level a service and profession need,
the target and its date, an optional refresh interval), an interim point on its trajectory,
and the REQUIRED file's upload.

A trajectory's targets never fall as the dates go on, and its interim points come before the
target's date: both forms check it against what is saved, with messages saying what to do.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms

from imheval.web.organisations.models import Organisation
from imheval.web.workforce.models import LevelRequirement, TrajectoryPoint
from imheval.web.workforce.planning_pages import UploadField, percent_text
from imheval.web.workspace.forms import DayMonthYearField
from imheval.workforce import Ladder
from imheval.workforce.ladder import level_key

#: The longest refresh interval, in years (the core reader's).
MAX_REFRESH_YEARS = 50


def target_field(label: str, example: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        help_text=f"A percentage of the staff, for example {example}",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter the target, a percentage",
            "invalid": f"Enter the target as a number, for example {example}",
            "min_value": "The target must be more than 0%%",
            "max_value": "The target must be at most 100%%",
            "max_decimal_places": "Give the target with at most two decimal places",
            "max_digits": "Give the target with at most two decimal places",
        },
    )


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


class RequirementForm(forms.ModelForm):
    """The level a service and profession need, with the target; the interim points already
    saved must stay before the target's date and at or below its target."""

    level = forms.ChoiceField(
        label="Level staff need",
        help_text="Levels are cumulative: staff trained to a higher level count too.",
        error_messages={"required": "Choose the level staff need"},
    )
    target_percent = target_field("Target (%)", "90")
    by_date = DayMonthYearField(label="Target date", help_text="For example, 31 3 2027")
    refresh_years = forms.IntegerField(
        label="Refresh training every (years, optional)",
        required=False,
        min_value=1,
        max_value=MAX_REFRESH_YEARS,
        help_text="Training older than this no longer counts, for example 3. Leave it blank when "
        "training does not lapse.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the refresh interval as whole years, for example 3",
            "min_value": "The refresh interval must be at least 1 year",
            "max_value": f"The refresh interval must be at most {MAX_REFRESH_YEARS} years",
        },
    )

    class Meta:
        model = LevelRequirement
        fields = ["service", "profession", "level", "target_percent", "by_date", "refresh_years"]
        labels = {"service": "Service", "profession": "Profession"}
        help_texts = {
            "service": "As your establishment names it, for example Health visiting",
            "profession": "As your establishment names it, for example Health visitor",
        }
        error_messages = {
            "service": {"required": "Enter the service"},
            "profession": {"required": "Enter the profession"},
        }

    def __init__(
        self, *args: Any, organisation: Organisation, ladder: Ladder, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.ladder = ladder
        self.fields["level"].choices = [("", "Choose a level")] + [
            (level, level) for level in ladder.levels
        ]
        if self.instance.pk:
            self.initial["level"] = ladder.canonical(self.instance.level) or self.instance.level

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        service = (cleaned.get("service") or "").strip()
        profession = (cleaned.get("profession") or "").strip()
        level = cleaned.get("level")
        if service and profession and level:
            cleaned["service"], cleaned["profession"] = service, profession
            key = (level_key(service), level_key(profession), level_key(level))
            others = LevelRequirement.objects.filter(
                organisation=self.instance.organisation
            ).exclude(pk=self.instance.pk)
            if any(
                (level_key(o.service), level_key(o.profession), level_key(o.level)) == key
                for o in others.only("service", "profession", "level")
            ):
                self.add_error(
                    "level",
                    f"{profession} in {service} already has a requirement at {level}: change "
                    "that one instead",
                )
        if self.instance.pk:
            self._check_points(cleaned)
        return cleaned

    def _check_points(self, cleaned: dict[str, Any]) -> None:
        points = list(TrajectoryPoint.objects.filter(requirement=self.instance))
        by_date, target = cleaned.get("by_date"), cleaned.get("target_percent")
        if not points:
            return
        latest = max(points, key=lambda point: point.by_date)
        if by_date is not None and by_date <= latest.by_date:
            self.add_error(
                "by_date",
                f"The target date must be after the interim points' dates (the latest is "
                f"{_day(latest.by_date)}): move or delete that point first",
            )
        highest = max(points, key=lambda point: point.target_percent)
        if target is not None and target < highest.target_percent:
            self.add_error(
                "target_percent",
                f"The target must be at least {percent_text(highest.target_percent)}, the "
                f"interim target by {_day(highest.by_date)}: targets rise or stay level",
            )


class TrajectoryPointForm(forms.ModelForm):
    """An interim target on a requirement's way: before its date, and never above a later
    target nor below an earlier one."""

    by_date = DayMonthYearField(label="Date", help_text="For example, 30 9 2026")
    target_percent = target_field("Target by then (%)", "50")

    class Meta:
        model = TrajectoryPoint
        fields = ["by_date", "target_percent"]

    def __init__(self, *args: Any, requirement: LevelRequirement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.requirement = requirement

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        by_date, target = cleaned.get("by_date"), cleaned.get("target_percent")
        if by_date is None or target is None:
            return cleaned
        requirement = self.instance.requirement
        if by_date >= requirement.by_date:
            self.add_error(
                "by_date",
                f"An interim point comes before the target's date, {_day(requirement.by_date)}: "
                "choose an earlier date, or change the target itself",
            )
            return cleaned
        if target > requirement.target_percent:
            self.add_error(
                "target_percent",
                f"An interim target cannot be above the final target of "
                f"{percent_text(requirement.target_percent)} by {_day(requirement.by_date)}: "
                "targets rise or stay level",
            )
            return cleaned
        others = TrajectoryPoint.objects.filter(requirement=requirement).exclude(
            pk=self.instance.pk
        )
        for other in others:
            if other.by_date == by_date:
                self.add_error(
                    "by_date", f"There is already a point on {_day(by_date)}: change that one"
                )
                break
            if other.by_date < by_date and other.target_percent > target:
                self.add_error(
                    "target_percent",
                    f"The target would fall: {percent_text(other.target_percent)} by "
                    f"{_day(other.by_date)} comes before it. Targets rise or stay level",
                )
                break
            if other.by_date > by_date and other.target_percent < target:
                self.add_error(
                    "target_percent",
                    f"The target would fall after it: {percent_text(other.target_percent)} by "
                    f"{_day(other.by_date)} comes later. Targets rise or stay level",
                )
                break
        return cleaned


class RequirementImportForm(forms.Form):
    """A REQUIRED file (CSV or XLSX)."""

    file = UploadField(
        label="Required levels file",
        help_text="A .csv or .xlsx file with the columns service, profession, level, "
        "target_percent and by_date (refresh_years is optional).",
    )


class RequirementConfirmForm(forms.Form):
    """The checked file's requirements, signed, carried from the preview to the confirmation."""

    payload = forms.CharField(widget=forms.HiddenInput)
