"""The network group pages' forms: a group's settings, its meetings and its members.

Rules about what may be saved live here: a recurrence rule is checked by the core's calendar
(``imheval.network.calendar``), membership periods may not overlap, a member leaves after they
joined. Messages say what to do, in the NHS.UK style.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from imheval.web.network import meetings as meeting_series
from imheval.web.network.models import (
    ApologiesPolicy,
    Meeting,
    Member,
    MembershipPeriod,
    NetworkGroup,
)
from imheval.web.organisations import audit
from imheval.web.organisations.models import Membership
from imheval.web.workspace.forms import DayMonthYearField

WEEKDAYS = (
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
)
ORDINALS = (("1", "first"), ("2", "second"), ("3", "third"), ("4", "fourth"), ("-1", "last"))
CUSTOM = "custom"


def _pattern_choices() -> list[tuple[str, Any]]:
    monthly = [
        (f"FREQ=MONTHLY;BYDAY={n}{code}", f"The {word} {day} of every month")
        for n, word in ORDINALS
        for code, day in WEEKDAYS
    ]
    weekly = [(f"FREQ=WEEKLY;BYDAY={code}", f"Every {day}") for code, day in WEEKDAYS]
    fortnightly = [
        (f"FREQ=WEEKLY;INTERVAL=2;BYDAY={code}", f"Every other {day}") for code, day in WEEKDAYS
    ]
    return [
        ("Once a month", monthly),
        ("Every week or two", weekly + fortnightly),
        ("Something else", [(CUSTOM, "Another pattern (write the rule below)")]),
    ]


PATTERN_CHOICES = _pattern_choices()
KNOWN_PATTERNS = {value for _, group in PATTERN_CHOICES for value, _ in group if value != CUSTOM}


def describe_pattern(rule: str) -> str:
    """A recurrence rule in words when it is one of the plain choices, else the rule itself."""
    for _, group in PATTERN_CHOICES:
        for value, label in group:
            if value == rule:
                return str(label)
    return f"Custom rule: {rule}"


class TimeField(forms.TimeField):
    """A time typed as 14:00 or 2pm-free 24-hour text, with a plain message."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%H:%M", "%H.%M", "%H%M"])
        kwargs.setdefault(
            "widget",
            forms.TimeInput(
                format="%H:%M", attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}
            ),
        )
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Enter the start time, for example 14:00",
                "invalid": "Enter the start time on the 24-hour clock, for example 14:00",
            },
        )
        super().__init__(**kwargs)


def _duration_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Length (minutes)",
        min_value=5,
        max_value=24 * 60,
        help_text="For example, 90 for an hour and a half",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter how long the meeting is, in minutes",
            "invalid": "Enter the length as a whole number of minutes, for example 90",
            "min_value": "A meeting must be at least 5 minutes long",
            "max_value": "A meeting must be at most 1440 minutes (a day) long",
        },
    )


class GroupForm(forms.ModelForm):
    """A network group of the organisation given as ``organisation``.

    Facilitators are chosen from the organisation's members, and only by those who may set up
    groups (admins and evaluators: ``may_choose_facilitators``); for anyone else the field is
    left out, so a posted list is ignored and the facilitators stay as they were. Changes to
    them are logged in the audit log here, since the signals that log other fields do not see
    many-to-many changes.
    """

    facilitators = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Facilitators (optional)",
        help_text="Members of the organisation who run the group. They can change it, "
        "whatever their role.",
    )
    target_percent = forms.DecimalField(
        label="Attendance target (%)",
        min_value=1,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text="The share of meetings each member is asked to attend, for example 80",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter the attendance target, for example 80",
            "invalid": "Enter the attendance target as a number, for example 80",
            "min_value": "The attendance target must be at least 1%%",
            "max_value": "The attendance target must be at most 100%%",
            "max_decimal_places": "Enter the target with at most 2 decimal places",
            "max_digits": "Enter the target with at most 2 decimal places",
        },
    )
    year_start = DayMonthYearField(
        label="Attendance year starts",
        help_text="The year runs from the first day of this month, for example 1 9 2025",
    )
    year_months = forms.IntegerField(
        label="Attendance year length (months)",
        min_value=1,
        max_value=36,
        initial=12,
        help_text="Usually 12",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the length of the attendance year in months, for example 12",
            "invalid": "Enter the length of the attendance year as a whole number of months",
            "min_value": "The attendance year must be at least 1 month long",
            "max_value": "The attendance year must be at most 36 months long",
        },
    )
    late_counts_as_attended = forms.TypedChoiceField(
        label="Does arriving late count as attending?",
        choices=[("yes", "Yes, late counts as attended"), ("no", "No, late counts as missed")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether arriving late counts as attending"},
    )
    apologies = forms.ChoiceField(
        label="How do apologies count?",
        choices=ApologiesPolicy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how apologies count"},
    )
    pattern = forms.ChoiceField(
        label="When does the group meet?",
        choices=PATTERN_CHOICES,
        initial="FREQ=MONTHLY;BYDAY=1TH",
        error_messages={"required": "Choose when the group meets"},
    )
    custom_rule = forms.CharField(
        label="Another pattern (optional)",
        required=False,
        max_length=300,
        help_text="Only if you chose 'Another pattern': an iCalendar rule, for example "
        "FREQ=MONTHLY;BYDAY=1TH for the first Thursday of every month",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
    )
    start_time = TimeField(label="Start time", help_text="On the 24-hour clock, for example 14:00")
    duration_minutes = _duration_field()

    class Meta:
        model = NetworkGroup
        fields = [
            "name",
            "purpose",
            "facilitators",
            "target_percent",
            "year_start",
            "year_months",
            "late_counts_as_attended",
            "apologies",
            "start_time",
            "duration_minutes",
        ]
        labels = {"name": "Group name", "purpose": "Purpose (optional)"}
        help_texts = {
            "name": "For example, Perinatal infant mental health network group",
            "purpose": "What the group is for, in a sentence or two",
        }
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"name": {"required": "Enter the group's name"}}

    def __init__(
        self,
        *args: Any,
        organisation: Any,
        may_choose_facilitators: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        if may_choose_facilitators:
            self.fields["facilitators"].queryset = (
                Membership.objects.filter(organisation=organisation)
                .select_related("user")
                .order_by("user__username")
            )
            self.fields["facilitators"].label_from_instance = lambda membership: (
                f"{membership.user.get_username()} ({membership.get_role_display()})"
            )
        else:
            del self.fields["facilitators"]
        self.fields["apologies"].item_hints = {  # type: ignore[attr-defined]
            ApologiesPolicy.MISSED: "Apologies are shown apart, but the meeting still counts.",
            ApologiesPolicy.EXCLUDED: "The meeting leaves the member's count altogether.",
        }
        instance = self.instance
        if instance.pk:
            rule = instance.recurrence
            self.initial["pattern"] = rule if rule in KNOWN_PATTERNS else CUSTOM
            self.initial["custom_rule"] = "" if rule in KNOWN_PATTERNS else rule
            self.initial["late_counts_as_attended"] = (
                "yes" if instance.late_counts_as_attended else "no"
            )
            self.initial["target_percent"] = f"{instance.target_percent.normalize():f}"
            self._facilitators_before = _names(instance.facilitators.all())
        else:
            self.initial.setdefault("late_counts_as_attended", "yes")
            self.initial.setdefault("apologies", ApologiesPolicy.MISSED)
            self.initial.setdefault("start_time", datetime.time(14, 0))
            self.initial.setdefault("duration_minutes", 90)
            self._facilitators_before = []

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        taken = NetworkGroup.objects.in_organisation(self.instance.organisation).filter(
            name__iexact=name
        )
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                "There is already a network group with this name. Give this one a different name."
            )
        return name

    def clean_custom_rule(self) -> str:
        return re.sub(r"\s+", "", str(self.cleaned_data.get("custom_rule", ""))).upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        pattern = data.get("pattern")
        rule = data.get("custom_rule", "") if pattern == CUSTOM else pattern
        if pattern == CUSTOM and not rule:
            self.add_error("custom_rule", "Write the rule for the other pattern, or choose one")
            return data
        first, start_time, duration = (
            data.get("year_start"),
            data.get("start_time"),
            data.get("duration_minutes"),
        )
        if rule and first and start_time and duration:
            problem = meeting_series.rule_problem(str(rule), first, start_time, duration)
            if problem:
                self.add_error("custom_rule" if pattern == CUSTOM else "pattern", problem)
        if rule:
            data["recurrence"] = str(rule)
        return data

    def save(self, commit: bool = True) -> NetworkGroup:
        self.instance.recurrence = self.cleaned_data["recurrence"]
        group: NetworkGroup = super().save(commit=commit)
        if "facilitators" not in self.fields:
            return group
        after = _names(self.cleaned_data.get("facilitators") or [])
        if commit and after != self._facilitators_before:
            audit.record_updated(group, {"facilitators": [self._facilitators_before, after]})
        return group


def _names(memberships: Iterable[Membership]) -> list[str]:
    return sorted(membership.user.get_username() for membership in memberships)


class MeetingForm(forms.ModelForm):
    """A meeting of the group given as ``group``: a one-off when new, or a change of date,
    time, length, topic or notes."""

    date = DayMonthYearField(label="Date", help_text="For example, 5 3 2026")
    start_time = TimeField(label="Start time", help_text="On the 24-hour clock, for example 14:00")
    duration_minutes = _duration_field()

    class Meta:
        model = Meeting
        fields = ["date", "start_time", "duration_minutes", "topic", "notes"]
        labels = {"topic": "Topic (optional)", "notes": "Facilitator notes (optional)"}
        help_texts = {
            "topic": "For example, Reflective practice: the first 1001 days",
            "notes": "Only the group's staff see these.",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, group: NetworkGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.group = group
        if not self.instance.pk:
            self.initial.setdefault("start_time", group.start_time)
            self.initial.setdefault("duration_minutes", group.duration_minutes)

    def clean_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["date"]
        others = Meeting.objects.filter(group=self.instance.group, date=day, cancelled=False)
        if others.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                f"The group already meets on {day:%-d %B %Y}. Choose another date, or change "
                "that meeting instead."
            )
        return day


class MemberForm(forms.ModelForm):
    """A member of the group given as ``group``; a new member also gives the date they joined."""

    joined = DayMonthYearField(label="Joined on", help_text="For example, 5 3 2026")

    class Meta:
        model = Member
        fields = ["name", "profession", "service"]
        labels = {
            "name": "Name",
            "profession": "Profession (optional)",
            "service": "Service (optional)",
        }
        help_texts = {
            "profession": "For example, Clinical psychologist, Health visitor",
            "service": "For example, Perinatal mental health team",
        }
        error_messages = {"name": {"required": "Enter the member's name"}}

    def __init__(self, *args: Any, group: NetworkGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.group = group
        if self.instance.pk:
            del self.fields["joined"]

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        taken = Member.objects.filter(group=self.instance.group, name__iexact=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                f"The group already has a member called {name}. Add something to tell them "
                "apart, for example their service."
            )
        return name

    def save(self, commit: bool = True) -> Member:
        member: Member = super().save(commit=commit)
        if commit and "joined" in self.cleaned_data:
            MembershipPeriod.objects.create(member=member, joined=self.cleaned_data["joined"])
        return member


def overlap_problem(
    periods: Iterable[tuple[datetime.date, datetime.date | None]],
) -> str | None:
    """Why these (joined, left) periods cannot all stand, or None: each must end after it
    starts, and no two may share a day (dates are inclusive)."""
    ordered = sorted(periods, key=lambda period: period[0])
    for joined, left in ordered:
        if left is not None and left < joined:
            return (
                f"A membership cannot end ({left:%-d %B %Y}) before it starts ({joined:%-d %B %Y})."
            )
    for (joined, left), (next_joined, next_left) in itertools.pairwise(ordered):
        if left is None or left >= next_joined:
            end = f"{next_left:%-d %B %Y}" if next_left else "now"
            was = f"{left:%-d %B %Y}" if left else "now"
            return (
                f"The membership from {joined:%-d %B %Y} to {was} overlaps the one from "
                f"{next_joined:%-d %B %Y} to {end}. A member can be in the group only once at a "
                "time: change the dates so that one ends before the other starts."
            )
    return None


class LeaveForm(forms.Form):
    """The day a member leaves (inclusive: they count for a meeting that day)."""

    left = DayMonthYearField(
        label="Left on",
        help_text="Their last day in the group. A meeting on this day still counts for them.",
    )

    def __init__(self, *args: Any, period: MembershipPeriod, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.period = period

    def clean_left(self) -> datetime.date:
        left: datetime.date = self.cleaned_data["left"]
        if left < self.period.joined:
            raise ValidationError(
                f"They joined on {self.period.joined:%-d %B %Y}: the day they left must be on "
                "or after that"
            )
        return left

    def save(self) -> MembershipPeriod:
        self.period.left = self.cleaned_data["left"]
        self.period.save()
        return self.period


class RejoinForm(forms.Form):
    """A new membership period for a member who left."""

    joined = DayMonthYearField(label="Rejoined on", help_text="For example, 5 3 2026")

    def __init__(self, *args: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_joined(self) -> datetime.date:
        joined: datetime.date = self.cleaned_data["joined"]
        periods = [(p.joined, p.left) for p in self.member.periods.all()]
        problem = overlap_problem([*periods, (joined, None)])
        if problem:
            raise ValidationError(problem)
        return joined

    def save(self) -> MembershipPeriod:
        return MembershipPeriod.objects.create(
            member=self.member, joined=self.cleaned_data["joined"]
        )


class PeriodForm(forms.ModelForm):
    """A correction to one membership period's dates."""

    joined = DayMonthYearField(label="Joined on")
    left = DayMonthYearField(
        label="Left on (optional)", required=False, help_text="Leave blank while still a member"
    )

    class Meta:
        model = MembershipPeriod
        fields = ["joined", "left"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        joined, left = data.get("joined"), data.get("left")
        if joined is None:
            return data
        others = [
            (p.joined, p.left) for p in self.instance.member.periods.exclude(pk=self.instance.pk)
        ]
        problem = overlap_problem([*others, (joined, left)])
        if problem:
            raise ValidationError(problem)
        return data
