"""Forms of the training register: a person on a cohort's register, a completion set by hand,
and the uploads (a cohort's register, earlier training)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from imheval.web.workforce.models import Trainee
from imheval.web.workspace.forms import DayMonthYearField
from imheval.web.workspace.models import Cohort
from imheval.workforce.ladder import level_key

#: The file types the uploads take (the core's reader: CSV and XLSX).
ACCEPT = ".csv,.tsv,.txt,.xlsx,.xlsm"


def person_key(person: str) -> str:
    """A person's identifier or name as matched: without regard to case or repeated spaces
    (as coverage matches them: ``imheval.workforce``)."""
    return level_key(person)


class TraineeForm(forms.ModelForm):
    """One person on the register of the cohort given as ``cohort``."""

    class Meta:
        model = Trainee
        fields = ["person", "profession", "service", "employer"]
        labels = {
            "person": "Staff identifier or name",
            "profession": "Profession",
            "service": "Service",
            "employer": "Employer (optional)",
        }
        help_texts = {
            "person": "The same identifier as in your staff list, for example E104523, or their "
            "name, for example Sam Okafor",
            "profession": "As in your establishment, for example Health visitor",
            "service": "As in your establishment, for example 0-19 Children's Services",
            "employer": "Only if another organisation employs them, for example Northern "
            "Council. Leave it blank for your own staff",
        }
        error_messages = {
            "person": {"required": "Enter their staff identifier or name"},
            "profession": {"required": "Enter their profession, for example Health visitor"},
            "service": {"required": "Enter their service, for example 0-19 Children's Services"},
        }

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.cohort = cohort

    def clean_person(self) -> str:
        person = " ".join(str(self.cleaned_data["person"]).split())
        key = person_key(person)
        others = Trainee.objects.filter(cohort=self.instance.cohort).exclude(pk=self.instance.pk)
        for other in others.values_list("person", flat=True):
            if person_key(other) == key:
                raise ValidationError(
                    f"{other} is already on this cohort's register. Each person is listed once."
                )
        return person

    def clean_profession(self) -> str:
        return " ".join(str(self.cleaned_data["profession"]).split())

    def clean_service(self) -> str:
        return " ".join(str(self.cleaned_data["service"]).split())

    def clean_employer(self) -> str:
        return " ".join(str(self.cleaned_data["employer"]).split())


#: The choices of :class:`CompletionForm`.
BY_RULE = "rule"
COMPLETED = "completed"
NOT_COMPLETED = "not_completed"


class CompletionForm(forms.Form):
    """Whether a person completed: by the programme's rule, or set by hand (completed on a
    date, or not completed whatever their attendance)."""

    status = forms.ChoiceField(
        label="Has this person completed the course?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether they completed the course"},
    )
    completed_on = DayMonthYearField(
        label="Date completed",
        required=False,
        help_text="Only if you chose Completed. For example, 31 3 2027",
    )

    def __init__(self, *args: Any, rule: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (BY_RULE, f"Decide from their attendance ({rule})"),
            (COMPLETED, "Completed, whatever their attendance"),
            (NOT_COMPLETED, "Not completed, whatever their attendance"),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("status") == COMPLETED
            and not cleaned.get("completed_on")
            and "completed_on" not in self.errors
        ):
            self.add_error("completed_on", "Enter the date they completed, for example 31 3 2027")
        completed_on = cleaned.get("completed_on")
        if isinstance(completed_on, datetime.date) and completed_on.year < 1900:
            self.add_error("completed_on", "Enter a date after 1900, for example 31 3 2027")
        return cleaned


class RegisterImportForm(forms.Form):
    """A cohort's register as a spreadsheet, and whether it replaces the register."""

    file = forms.FileField(
        label="Register file",
        help_text=(
            "A CSV or Excel file with columns person, profession, service; optionally employer, "
            "one column per session (session 1, session 2 ... or s1, s2 ...: yes or no) and "
            "completed_on. Nothing is imported unless the whole file is correct."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": "Choose the file to import"},
    )
    replace = forms.BooleanField(
        label="Replace the register: remove everyone on it now, with their attendance, first",
        required=False,
    )


class EarlierImportForm(forms.Form):
    """Training completed before the registers, in the shape of the command line's file."""

    file = forms.FileField(
        label="Training file",
        help_text=(
            "A CSV or Excel file with columns person, service, profession, level, completed_on; "
            "optionally programme and organisation. Nothing is imported unless the whole file "
            "is correct."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": "Choose the file to import"},
    )
