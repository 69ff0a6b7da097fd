"""The workspace's forms: every rule about what may be saved lives here or in the models.

Each form that creates an object inside a parent (a cohort in a programme, a collection in a
cohort) takes that parent as a keyword argument, so it can check
names and timepoints within it. Messages follow the NHS.UK style: say what to do ("Enter ...",
"Choose ..."), not "This field is required".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from imheval.errors import InstrumentError
from imheval.instruments.loader import YAML_SUFFIXES
from imheval.web.capture.models import Submission
from imheval.web.organisations import audit
from imheval.web.organisations.models import JurisdictionChoice, Membership, Organisation, Role
from imheval.web.workspace.catalogue import catalogue
from imheval.web.workspace.models import (
    Cohort,
    Collection,
    CompletionRule,
    Delivery,
    DurationUnit,
    InstrumentFile,
    Level,
    Programme,
    Timepoint,
)

#: Largest instrument file accepted: the built-in bank's biggest file is about 20 KB.
MAX_UPLOAD_BYTES = 200 * 1024

ROLE_HINTS = {
    Role.ADMIN: "Can do everything, including adding and removing members.",
    Role.EVALUATOR: "Can do everything except manage members.",
    Role.TRAINER: "Can set up cohorts and open or close their questionnaires.",
    Role.VIEWER: "Can look at everything but change nothing.",
}


class InlineRadioSelect(forms.RadioSelect):
    """Radios shown side by side (for short answers such as hours, days, weeks)."""

    inline = True


class DayMonthYearWidget(forms.Widget):
    """The NHS.UK date input: three boxes named ``<name>-day``, ``-month`` and ``-year``."""

    parts = ("day", "month", "year")

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[str, ...]:
        return tuple(str(data.get(f"{name}-{part}", "")).strip() for part in self.parts)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(f"{name}-{part}" not in data for part in self.parts)

    def format_value(self, value: Any) -> tuple[str, ...]:
        """(day, month, year) as the boxes show them, from a date or from what was typed."""
        if isinstance(value, datetime.date):
            return (str(value.day), str(value.month), str(value.year))
        if isinstance(value, tuple | list) and len(value) == len(self.parts):
            return tuple(str(part) for part in value)
        return ("", "", "")


class DayMonthYearField(forms.Field):
    """A date typed as day, month and year, with the NHS.UK pattern's error messages."""

    widget = DayMonthYearWidget

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"required": f"Enter the {label.lower()}"})
        super().__init__(label=label, **kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date) or value is None:
            return value
        day, month, year = value
        if not (day or month or year):
            return None
        name = str(self.label)
        for part, text in zip(DayMonthYearWidget.parts, (day, month, year), strict=True):
            if not text:
                raise ValidationError(f"{name} must include a {part}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(f"{name} must be a real date, in numbers, for example 2 11 2026")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers")
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # a 20-digit day overflows C's long
            raise ValidationError(f"{name} must be a real date") from None


def _refuse_taken_name(queryset: QuerySet, instance: Any, name: str, message: str) -> str:
    """``name`` unless another object in ``queryset`` has it (ignoring case)."""
    if queryset.filter(name__iexact=name).exclude(pk=instance.pk).exists():
        raise ValidationError(message)
    return name


#: The programme's completion fields: a change to any of them re-settles its trainees.
COMPLETION_FIELDS = ("sessions", "completion_rule", "attendance_threshold")
#: The fields programmes gained as offers (issue 16): a form posted without one of them (from a
#: page made before they existed) keeps what was saved rather than failing or clearing it.
OFFER_FIELDS = ("framework_level", "funder", "places_per_year", *COMPLETION_FIELDS)
MAX_SESSIONS = 200
NO_FRAMEWORK_LEVEL = "None: it gives no level on the framework"


def framework_level_choices(organisation: Organisation, current: str = "") -> list[tuple[str, str]]:
    """The levels of ``organisation``'s workforce framework, lowest first, then "no level"; a
    ``current`` level the framework no longer has is kept as a choice, marked, so editing
    other details does not lose it."""
    from imheval.errors import CoverageError
    from imheval.web.workforce.models import WorkforceSettings

    try:
        levels = list(WorkforceSettings.for_organisation(organisation).ladder().levels)
    except CoverageError:  # a custom framework saved before its levels were checked
        levels = []
    choices = [(level, level) for level in levels]
    if current and current not in levels:
        choices.append((current, f"{current} (not on your current framework)"))
    return [*choices, ("", NO_FRAMEWORK_LEVEL)]


def _whole_number(text: str) -> int | None:
    """``text`` as a whole number written in ASCII digits (``"80"``, ``" 80% "``), else None."""
    digits = text.strip().removesuffix("%").strip()
    if not digits or not (digits.isascii() and digits.isdigit()) or len(digits) > 6:
        return None
    return int(digits)


class ProgrammeForm(forms.ModelForm):
    """A programme of the organisation given as ``organisation``, as an offer: the level it
    gives on the organisation's workforce framework, who funds it, places a year, sessions and
    what counts as completing it. Saving a change to the sessions, the rule or the threshold
    re-settles who has completed (:func:`imheval.web.workforce.completion.settle_programme`)."""

    level = forms.ChoiceField(
        choices=Level.choices,
        widget=forms.RadioSelect,
        label="Level",
        error_messages={"required": "Choose the programme's level"},
    )
    framework_level = forms.ChoiceField(
        choices=[],
        required=False,
        widget=forms.RadioSelect,
        label="Level it gives on your workforce framework",
        error_messages={"invalid_choice": "Choose a level on your framework, or none"},
        help_text="The level staff reach by completing it, for example Skilled. Coverage counts "
        "them at this level. Your framework is chosen on the workforce settings page.",
    )
    delivery = forms.ChoiceField(
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        label="How is it delivered?",
        error_messages={"required": "Choose how the programme is delivered"},
    )
    duration_value = forms.DecimalField(
        label="Length",
        help_text="A number, for example 2 or 1.5",
        min_value=Decimal("0.1"),
        max_digits=6,
        decimal_places=1,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter how long the programme is",
            "invalid": "Enter the length as a number, for example 2",
            "min_value": "The length must be more than 0",
            "max_digits": "Enter a length of at most 99999",
            "max_whole_digits": "Enter a length of at most 99999",
            "max_decimal_places": "Enter the length with at most 1 decimal place, for example 1.5",
        },
    )
    duration_unit = forms.ChoiceField(
        choices=DurationUnit.choices,
        widget=InlineRadioSelect,
        label="Length in",
        error_messages={"required": "Choose hours, days or weeks"},
    )
    places_per_year = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=1_000_000,
        label="Places funded per year (optional)",
        help_text="For example 120. You can record each year's places on the places page.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the places funded per year as a whole number, for example 120",
            "min_value": "Enter 1 or more places, or leave it blank",
            "max_value": "Enter at most 1,000,000 places",
        },
    )
    sessions = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_SESSIONS,
        label="Number of sessions",
        help_text="How many times the group meets, for example 16 for a weekly 16-week course, "
        "or 1 for a one-day course. Attendance is recorded for each session.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the number of sessions as a whole number, for example 16",
            "min_value": "A programme has at least 1 session",
            "max_value": f"Enter at most {MAX_SESSIONS} sessions",
        },
    )
    completion_rule = forms.ChoiceField(
        choices=CompletionRule.choices,
        required=False,
        widget=forms.RadioSelect,
        label="What counts as completing it?",
    )
    attendance_threshold = forms.CharField(
        required=False,
        label="Share of sessions to attend (%)",
        help_text="Only for the attendance rule. For example 80: on a 16-session course, "
        "someone completes by attending at least 13 sessions.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "provider",
            "level",
            "framework_level",
            "delivery",
            "duration_value",
            "duration_unit",
            "funder",
            "places_per_year",
            "sessions",
            "completion_rule",
            "attendance_threshold",
        ]
        labels = {
            "name": "Programme name",
            "provider": "Provider (optional)",
            "funder": "Funder (optional)",
        }
        help_texts = {
            "name": "For example, Solihull Approach foundation",
            "provider": "Who runs the training, for example the Solihull Approach team",
            "funder": "Who pays for the places, for example the health board's workforce fund",
        }
        error_messages = {"name": {"required": "Enter the programme's name"}}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        if self.instance.pk:
            self.initial["duration_value"] = f"{self.instance.duration_value.normalize():f}"
        else:
            # a new programme's form starts from the model's defaults (1 session, attendance
            # of 80%), so a person who does not run multi-session courses need not fill them in
            for name in COMPLETION_FIELDS:
                self.initial.setdefault(name, getattr(self.instance, name))
        self.fields["framework_level"].choices = framework_level_choices(  # type: ignore[attr-defined]
            organisation, self.instance.framework_level
        )
        self.fields["completion_rule"].item_hints = {  # type: ignore[attr-defined]
            CompletionRule.ATTENDANCE: "For example, at least 80% of the sessions.",
            CompletionRule.FINAL_SESSION: "The share of sessions below is not used.",
        }
        self._existed = self.instance.pk is not None
        self._completion_before = self._completion_of(self.instance)

    @staticmethod
    def _completion_of(programme: Programme) -> tuple[Any, ...]:
        return tuple(getattr(programme, name) for name in COMPLETION_FIELDS)

    def _omitted(self, name: str) -> bool:
        """True when the posted form has no ``name`` at all (a page older than the field)."""
        return self.is_bound and self[name].field.widget.value_omitted_from_data(
            self.data, self.files, self.add_prefix(name)
        )

    def clean_name(self) -> str:
        return _refuse_taken_name(
            Programme.objects.in_organisation(self.instance.organisation),
            self.instance,
            self.cleaned_data["name"],
            "There is already a programme with this name. Give this one a different name.",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in OFFER_FIELDS:
            if self._omitted(name):
                cleaned[name] = getattr(self.instance, name)
        if cleaned.get("sessions") is None and "sessions" not in self.errors:
            self.add_error("sessions", "Enter the number of sessions, for example 16")
        if not cleaned.get("completion_rule"):
            self.add_error("completion_rule", "Choose what counts as completing the programme")
            return cleaned
        if cleaned["completion_rule"] == CompletionRule.FINAL_SESSION:
            # The threshold means nothing under this rule: whatever was typed is ignored.
            cleaned["attendance_threshold"] = self.instance.attendance_threshold
            return cleaned
        threshold = cleaned.get("attendance_threshold")
        if isinstance(threshold, int):
            return cleaned
        text = str(threshold or "").strip()
        number = _whole_number(text)
        if not text:
            self.add_error(
                "attendance_threshold",
                "Enter the share of sessions someone must attend to complete, for example 80",
            )
        elif number is None:
            self.add_error(
                "attendance_threshold",
                "Enter the share of sessions as a whole number from 1 to 100, for example 80",
            )
        elif not 1 <= number <= 100:
            self.add_error("attendance_threshold", "Enter a share from 1 to 100, for example 80")
        else:
            cleaned["attendance_threshold"] = number
        return cleaned

    def save(self, commit: bool = True) -> Programme:
        """Save the programme; when its sessions, rule or threshold changed, work out again
        who has completed it (their attendance is kept, so nothing is lost either way)."""
        programme: Programme = super().save(commit=commit)
        changed = self._completion_before != self._completion_of(programme)
        if commit and self._existed and changed:
            from imheval.web.workforce.completion import settle_programme

            settle_programme(programme)
        return programme


class CohortForm(forms.ModelForm):
    """A cohort of the programme given as ``programme``."""

    start_date = DayMonthYearField(label="Start date", help_text="For example, 2 11 2026")
    end_date = DayMonthYearField(
        label="End date",
        required=False,
        help_text="The last day of the course. Leave it blank for a one-day course.",
    )

    class Meta:
        model = Cohort
        fields = ["name", "start_date", "end_date", "trainer", "venue"]
        labels = {
            "name": "Cohort name",
            "trainer": "Trainer (optional)",
            "venue": "Venue (optional)",
        }
        help_texts = {
            "name": "A short label, unique in this programme, for example SOL-2",
            "venue": "For example, Antrim Area Hospital, or Online",
        }
        error_messages = {"name": {"required": "Enter a name for the cohort"}}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.programme = programme

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        return _refuse_taken_name(
            Cohort.objects.filter(programme=self.instance.programme),
            self.instance,
            name,
            f"This programme already has a cohort called {name}. "
            "Give this cohort a different name, for example by adding a number.",
        )


def follow_up_weeks_field(label: str, help_text: str) -> forms.IntegerField:
    """How many weeks after the course a follow-up is due: one rule and one set of messages for
    every form that asks (the questionnaire form, the one-step new cohort form)."""
    return forms.IntegerField(
        required=False,
        min_value=1,
        max_value=260,
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the weeks as a whole number, for example 12",
            "min_value": "The follow-up must be at least 1 week after the course",
            "max_value": "The follow-up must be at most 260 weeks (5 years) after the course",
        },
    )


class CollectionForm(forms.ModelForm):
    """A cohort's questionnaire at one timepoint (the cohort is given as ``cohort``).

    Once anyone has started answering, the timepoint and instruments are fixed: changing them
    would mix answers to different questions in one collection.
    """

    timepoint = forms.ChoiceField(
        choices=Timepoint.choices,
        widget=forms.RadioSelect,
        label="When do people answer it?",
        error_messages={"required": "Choose when people answer this questionnaire"},
    )
    instrument_refs = forms.MultipleChoiceField(
        # Collection.clean says "Choose at least one instrument": one message, one place.
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Instruments",
        help_text="Choose one or more. People answer them in the order listed here.",
    )
    follow_up_weeks = follow_up_weeks_field(
        "Weeks after the course (follow-up only)",
        "For a follow-up: how many weeks after the course's last day it is due, for example 12. "
        "Leave blank for a pre-test or post-test.",
    )
    opens_on_due_date = forms.BooleanField(
        required=False,
        label="Open the follow-up by itself on its due date (follow-up only)",
        help_text="Checked every hour; you can still open or close it yourself at any time.",
    )

    class Meta:
        model = Collection
        fields = ["timepoint", "instrument_refs", "follow_up_weeks", "opens_on_due_date"]

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.cohort = cohort
        entries = [e for e in catalogue(cohort.programme.organisation) if e.instrument]
        field = self.fields["instrument_refs"]
        field.choices = [(entry.instrument_id, entry.title) for entry in entries]
        field.item_hints = {e.instrument_id: f"{e.instrument_id}, {e.summary}" for e in entries}

    def clean_timepoint(self) -> str:
        timepoint = self.cleaned_data["timepoint"]
        taken = Collection.objects.filter(cohort=self.instance.cohort, timepoint=timepoint)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                f"This cohort already has a {Timepoint(timepoint).label.lower()} "
                "questionnaire. Change that one instead."
            )
        return str(timepoint)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        started = self.instance.pk and Submission.objects.filter(collection=self.instance).exists()
        if started:
            # self.instance still holds the saved values: the form copies its data in later.
            for name in ("timepoint", "instrument_refs"):
                if name in cleaned and cleaned[name] != getattr(self.instance, name):
                    self.add_error(
                        name,
                        "People have already answered this questionnaire, so its "
                        f"{'timepoint' if name == 'timepoint' else 'instruments'} "
                        "can no longer change. Set up a new cohort instead.",
                    )
        return cleaned


class InstrumentUploadForm(forms.Form):
    """An instrument file (YAML) for ``organisation``; checked in full before anything is kept."""

    file = forms.FileField(
        label="Instrument file",
        help_text="A YAML file (.yaml or .yml) of at most 200 KB, written as the instruments "
        "guide describes.",
        error_messages={
            "required": "Choose an instrument file to upload",
            "empty": "The chosen file is empty",
            "invalid": "Choose an instrument file to upload",
        },
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instrument_file: InstrumentFile | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = str(upload.name)[:250]
        if not name.lower().endswith(YAML_SUFFIXES):
            raise ValidationError(f"{name} must be a YAML file, with a name ending .yaml or .yml")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"{name} is {upload.size // 1024} KB; an instrument file must be at most 200 KB"
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                f"{name} is not plain text in UTF-8. Save it as UTF-8 text and upload it again."
            ) from None
        try:
            instrument_file = InstrumentFile.from_upload(self.organisation, name, text)
        except InstrumentError as error:
            shown = [str(problem) for problem in error.problems[: error.max_listed]]
            hidden = len(error.problems) - len(shown)
            if hidden:
                shown.append(f"... and {hidden} more problems")
            raise ValidationError(shown) from None
        existing = InstrumentFile.objects.in_organisation(self.organisation).filter(
            instrument_id=instrument_file.instrument_id
        )
        if existing.exists():
            raise ValidationError(
                f"{name}: you have already uploaded an instrument with the id "
                f"'{instrument_file.instrument_id}'. Give this one its own id."
            )
        self.instrument_file = instrument_file
        return upload

    def save(self) -> InstrumentFile:
        assert self.instrument_file is not None, "save() is only for a valid form"
        self.instrument_file.save()
        return self.instrument_file


def _only_admin(membership: Membership) -> bool:
    """Whether ``membership`` is its organisation's last admin."""
    if membership.role != Role.ADMIN:
        return False
    others = Membership.objects.in_organisation(membership.organisation).filter(role=Role.ADMIN)
    return not others.exclude(pk=membership.pk).exists()


def _role_field(label: str) -> forms.ChoiceField:
    field = forms.ChoiceField(
        choices=Role.choices,
        widget=forms.RadioSelect,
        label=label,
        error_messages={"required": "Choose a role"},
    )
    field.item_hints = ROLE_HINTS
    return field


class InvitationForm(forms.Form):
    """An invitation to join as a role: nobody is added until they accept the link themselves.

    It asks for no user name, so nothing here can tell anyone which user names exist.
    """

    role = _role_field("Role")
    note = forms.CharField(
        label="Note (optional)",
        max_length=200,
        required=False,
        help_text="For you and the other admins, to tell invitations apart, e.g. who it is for.",
        widget=forms.TextInput(attrs={"class": "nhsuk-u-width-two-thirds"}),
    )


class LinkConfirmForm(forms.Form):
    """A confirmation with no fields (revoke an invitation, make a reset link): ``save`` calls
    ``action``; ``refusal``, when given, is why it cannot be done."""

    def __init__(
        self,
        *args: Any,
        action: Callable[[], None] | None = None,
        refusal: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.refusal = refusal

    def clean(self) -> dict[str, Any]:
        if self.refusal:
            raise ValidationError(self.refusal)
        return super().clean()

    def save(self) -> None:
        if self.action is not None:
            self.action()


class MemberRoleForm(forms.ModelForm):
    """Change a member's role; an organisation always keeps at least one admin."""

    role = _role_field("Role")

    class Meta:
        model = Membership
        fields = ["role"]

    def clean_role(self) -> str:
        role = str(self.cleaned_data["role"])
        if role != str(Role.ADMIN) and _only_admin(self.instance):
            raise ValidationError(
                f"{self.instance.user} is the only admin of {self.instance.organisation}. "
                "Make someone else an admin first."
            )
        return role


class MemberRemoveForm(forms.Form):
    """Confirm removing ``membership``; the last admin cannot be removed."""

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean(self) -> dict[str, Any]:
        if _only_admin(self.membership):
            raise ValidationError(
                f"{self.membership.user} is the only admin of {self.membership.organisation}, "
                "so they cannot be removed. Make someone else an admin first."
            )
        return super().clean()

    def save(self) -> None:
        self.membership.delete()


#: What each jurisdiction's questionnaires say, as a hint beside its choice.
JURISDICTION_HINTS = {
    JurisdictionChoice.ENGLAND: "Health visitor, children's social care, 999.",
    JurisdictionChoice.WALES: "Health visitor, children's services, 999.",
    JurisdictionChoice.SCOTLAND: "Health visitor, social work services, 999.",
    JurisdictionChoice.NORTHERN_IRELAND: "Health visitor, the Gateway team, 999.",
    JurisdictionChoice.IRELAND: "Public health nurse, Tusla, 112.",
}


class OrganisationSettingsForm(forms.ModelForm):
    """Where the organisation works; saving logs the change in its audit log."""

    jurisdiction = forms.ChoiceField(
        choices=JurisdictionChoice.choices,
        widget=forms.RadioSelect,
        label="Where does your organisation work?",
        help_text="Questionnaires name services, phone numbers and guidance as people there "
        "know them: for example, in Ireland a question says 'public health nurse' and '112' "
        "where in England it says 'health visitor' and '999'. Answers are scored the same.",
        error_messages={"required": "Choose where your organisation works"},
    )

    class Meta:
        model = Organisation
        fields = ["jurisdiction"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].item_hints = JURISDICTION_HINTS  # type: ignore[attr-defined]
        self.saved_jurisdiction = self.instance.jurisdiction

    def save(self, commit: bool = True) -> Organisation:
        organisation: Organisation = super().save(commit=commit)
        if commit and organisation.jurisdiction != self.saved_jurisdiction:
            audit.record_updated(
                organisation, {"jurisdiction": [self.saved_jurisdiction, organisation.jurisdiction]}
            )
        return organisation
