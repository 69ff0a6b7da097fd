"""The workforce settings form: the framework's ladder of levels, the usual cohort size and
staff turnover.

A framework is changed only when every level the organisation already uses (programmes' framework
levels, required levels, earlier training) is a level of the new ladder; otherwise the form
lists, in plain words, what would no longer fit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count

from imheval.errors import CoverageError
from imheval.web.organisations.models import Organisation
from imheval.web.workforce.models import (
    EarlierTraining,
    Framework,
    LevelRequirement,
    WorkforceSettings,
    ladder_of,
)
from imheval.web.workspace.models import Programme
from imheval.workforce import Ladder

#: The longest level name (what a requirement's level holds).
MAX_LEVEL_NAME = 100
#: The largest usual cohort size.
MAX_COHORT_SIZE = 500


def misfits(organisation: Organisation, ladder: Ladder) -> list[str]:
    """What the organisation uses that is not a level of ``ladder``, one sentence each (three
    queries, however many records)."""
    found: list[str] = []
    where = f"which is not a level of {ladder.describe()}"
    programmes = (
        Programme.objects.in_organisation(organisation)  # type: ignore[attr-defined]
        .exclude(framework_level="")
        .order_by("name")
        .values_list("name", "framework_level")
    )
    for name, level in programmes:
        if ladder.rank(level) is None:
            found.append(f"The programme {name} gives {level}, {where}")
    requirements = (
        LevelRequirement.objects.in_organisation(organisation)  # type: ignore[attr-defined]
        .order_by("service", "profession", "level")
        .values_list("service", "profession", "level")
    )
    for service, profession, level in requirements:
        if ladder.rank(level) is None:
            found.append(f"The required level for {profession} in {service} is {level}, {where}")
    earlier = (
        EarlierTraining.objects.in_organisation(organisation)  # type: ignore[attr-defined]
        .values("level")
        .annotate(count=Count("id"))
        .order_by("level")
        .values_list("level", "count")
    )
    for level, count in earlier:
        if ladder.rank(level) is None:
            records = "record is" if count == 1 else "records are"
            found.append(f"{count:,} earlier training {records} at {level}, {where}")
    return found


class SettingsForm(forms.ModelForm):
    """The organisation's framework (built in, or its own levels) and planning figures."""

    framework = forms.ChoiceField(
        label="Framework",
        choices=Framework.choices,
        widget=forms.RadioSelect,
        help_text="The ladder of levels staff are trained to. Levels are cumulative: someone "
        "trained to a level counts towards every level below it.",
        error_messages={"required": "Choose a framework"},
    )
    custom_name = forms.CharField(
        label="Your framework's name (if you chose your own)",
        required=False,
        max_length=100,
        help_text="For example, Our Trust's IMH framework",
    )
    custom_levels = forms.CharField(
        label="Your framework's levels (if you chose your own)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One level per line, lowest first, for example Aware, Practitioner, Lead "
        "on three lines",
    )
    cohort_size = forms.IntegerField(
        label="Usual cohort size",
        min_value=1,
        max_value=MAX_COHORT_SIZE,
        help_text="How many people one cohort trains, for example 12. The coverage page uses it "
        "to say how many cohorts closing a gap takes.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the usual cohort size",
            "invalid": "Enter the cohort size as a whole number, for example 12",
            "min_value": "The cohort size must be at least 1",
            "max_value": f"The cohort size must be at most {MAX_COHORT_SIZE}",
        },
    )
    turnover_percent = forms.DecimalField(
        label="Staff turnover a year (%)",
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        help_text="The share of staff who leave each year, for example 8.5. Trained people who "
        "leave must be replaced to hold a target; use 0 if you do not know.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter the staff turnover (0 if you do not know)",
            "invalid": "Enter the turnover as a number, for example 8.5",
            "min_value": "The turnover must be 0 or more",
            "max_value": "The turnover must be at most 100",
            "max_decimal_places": "Give the turnover with at most two decimal places",
            "max_digits": "Give the turnover with at most two decimal places",
        },
    )

    class Meta:
        model = WorkforceSettings
        fields = ["framework", "custom_name", "custom_levels", "cohort_size", "turnover_percent"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        framework = cleaned.get("framework")
        if not framework:
            return cleaned
        if framework == Framework.CUSTOM:
            levels = [
                line.strip()
                for line in cleaned.get("custom_levels", "").splitlines()
                if line.strip()
            ]
            if not levels:
                self.add_error("custom_levels", "Enter your framework's levels, one per line")
                return cleaned
            long = [level for level in levels if len(level) > MAX_LEVEL_NAME]
            if long:
                self.add_error(
                    "custom_levels",
                    f"A level's name must be at most {MAX_LEVEL_NAME} characters",
                )
                return cleaned
            cleaned["custom_levels"] = "\n".join(levels)
            cleaned["custom_name"] = cleaned.get("custom_name", "").strip()
        else:
            # A built-in framework keeps no levels of its own.
            cleaned["custom_name"], cleaned["custom_levels"] = "", ""
        try:
            ladder = ladder_of(framework, cleaned["custom_name"], cleaned["custom_levels"])
        except CoverageError as error:
            self.add_error(
                "custom_levels",
                "; ".join(problem.message for problem in error.problems).capitalize(),
            )
            return cleaned
        found = misfits(self.instance.organisation, ladder)
        if found:
            first = (
                "Nothing was saved: with this framework, what follows would no longer fit. "
                "Change it first, or choose a framework that has these levels."
            )
            raise ValidationError([first, *found])
        return cleaned
