"""A region's forms: inviting an organisation, giving a regional role, a regional target, and
importing targets from a REQUIRED file (the core's reader, so the file is read exactly as
``imheval coverage --requirements`` reads it).

Organisations and users are found by their exact names (case and repeated spaces aside for an
organisation): nothing lists the site's organisations or users to a region.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from imheval.errors import CoverageError, Problem
from imheval.web.organisations.models import Organisation
from imheval.web.paper.importing import upload_name
from imheval.web.workforce.models import (
    Region,
    RegionalTarget,
    RegionMember,
    RegionRole,
    RegionRoleName,
)
from imheval.web.workspace.forms import DayMonthYearField
from imheval.workforce import Requirement, read_requirements

#: Largest targets file accepted (a region's targets are a few hundred rows at most).
MAX_TARGETS_BYTES = 2_000_000
TARGET_SUFFIXES = (".csv", ".xlsx")


def _one_spaced(text: str) -> str:
    return " ".join(text.split())


class InviteForm(forms.Form):
    """Invite an organisation into ``region`` by its exact name."""

    name = forms.CharField(
        label="Organisation's name",
        max_length=200,
        help_text="Its name exactly as it is in imheval, for example Northern HSC Trust. "
        "Ask the organisation if you are not sure.",
        error_messages={"required": "Enter the name of the organisation to invite"},
    )

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        self.organisation: Organisation | None = None

    def clean_name(self) -> str:
        typed = _one_spaced(self.cleaned_data["name"])
        found = Organisation.objects.filter(name__iexact=typed).first()
        if found is None:
            raise ValidationError(
                f"No organisation in imheval is called {typed}. Check its exact name with the "
                "organisation."
            )
        if RegionMember.objects.filter(region=self.region, organisation=found).exists():
            raise ValidationError(f"{found.name} is already invited into {self.region.name}")
        self.organisation = found
        return typed

    def save(self) -> RegionMember:
        assert self.organisation is not None  # is_valid() found it
        return RegionMember.objects.create(region=self.region, organisation=self.organisation)


class RoleForm(forms.Form):
    """Give a user, by exact user name, the lead or viewer role in ``region`` (or change it).
    The last lead cannot be made a viewer: the region would have nobody to manage it."""

    username = forms.CharField(
        label="User name",
        max_length=150,
        help_text="Their exact user name in imheval, for example j.okafor. Everyone sees their "
        "own at the top of every page.",
        error_messages={"required": "Enter the user name of the person"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=RegionRoleName.choices,
        widget=forms.RadioSelect,
        help_text="A regional lead invites organisations, gives roles and sets the regional "
        "targets. A regional viewer reads the region's pages and changes nothing.",
        error_messages={"required": "Choose the role to give"},
    )

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        self.user: Any = None
        self.existing: RegionRole | None = None

    def clean_username(self) -> str:
        typed = self.cleaned_data["username"].strip()
        user_model = get_user_model()
        found = user_model._default_manager.filter(
            **{user_model.USERNAME_FIELD: typed}, is_active=True
        ).first()
        if found is None:
            raise ValidationError(
                f"No one in imheval has the user name {typed}. Check it with them: user names "
                "must match exactly, capitals included."
            )
        self.user = found
        self.existing = RegionRole.objects.filter(region=self.region, user=found).first()
        return typed

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        existing = self.existing
        if (
            existing is not None
            and existing.role == RegionRoleName.LEAD
            and cleaned.get("role") == RegionRoleName.VIEWER
            and lead_count(self.region) <= 1
        ):
            self.add_error(
                "role",
                f"{existing.user.get_username()} is the only regional lead of "
                f"{self.region.name}. Make someone else a lead first.",
            )
        return cleaned

    def save(self) -> tuple[RegionRole, str | None]:
        """The saved role, and the role it had before (None for a new one)."""
        role = self.cleaned_data["role"]
        if self.existing is None:
            return RegionRole.objects.create(region=self.region, user=self.user, role=role), None
        before = str(self.existing.role)
        if before != role:
            self.existing.role = role
            self.existing.save(update_fields=["role"])
        return self.existing, before


def lead_count(region: Region) -> int:
    return RegionRole.objects.filter(region=region, role=RegionRoleName.LEAD).count()


class TargetForm(forms.ModelForm):
    """A regional target of ``region``: a level from the region's framework, a share of staff,
    a date."""

    level = forms.ChoiceField(
        label="Level",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the level staff need"},
    )
    target_percent = forms.DecimalField(
        label="Target (%)",
        help_text="The share of these staff to be trained to the level, for example 90",
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-4", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter the target as a percentage, for example 90",
            "invalid": "Enter the target as a number, for example 90",
            "min_value": "The target must be more than 0",
            "max_value": "The target must be 100 or less",
            "max_digits": "The target must be 100 or less",
            "max_whole_digits": "The target must be 100 or less",
            "max_decimal_places": "Enter the target with at most 2 decimal places",
        },
    )
    by_date = DayMonthYearField(label="Target date", help_text="For example, 31 3 2027")

    class Meta:
        model = RegionalTarget
        fields = ["service", "profession", "level", "target_percent", "by_date"]
        labels = {"service": "Service", "profession": "Profession"}
        help_texts = {
            "service": "As the organisations' establishments name it, for example Health visiting",
            "profession": "For example, Health visitor",
        }
        error_messages = {
            "service": {"required": "Enter the service"},
            "profession": {"required": "Enter the profession"},
        }

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.region = region
        self.region = region
        levels = region.ladder().levels
        self.fields["level"].choices = [(level, level) for level in levels]
        self.fields["level"].help_text = f"From the region's framework: {', '.join(levels)}."

    def clean_service(self) -> str:
        return _one_spaced(self.cleaned_data["service"])

    def clean_profession(self) -> str:
        return _one_spaced(self.cleaned_data["profession"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        service, profession, level = (cleaned.get(k) for k in ("service", "profession", "level"))
        if service and profession and level:
            same = RegionalTarget.objects.filter(
                region=self.region,
                service__iexact=service,
                profession__iexact=profession,
                level=level,
            ).exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error(
                    "level",
                    f"There is already a target for {profession} in {service} at {level}. "
                    "Change that one instead.",
                )
        return cleaned

    def validate_unique(self) -> None:
        """Checked in :meth:`clean`, ignoring case, with a message that says what to do."""


class TargetImportForm(forms.Form):
    """A REQUIRED file (service, profession, level, target_percent, by_date), read with the
    region's ladder by the core's reader. Every problem is kept in :attr:`problems`."""

    file = forms.FileField(
        label="Targets file",
        help_text="A CSV or Excel (.xlsx) file with the columns service, profession, level, "
        "target_percent and by_date, one row a target, for example: Health visiting, Health "
        "visitor, Skilled, 90, 31/03/2027. The file replaces the region's targets.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={
            "required": "Choose a targets file to import",
            "empty": "The chosen file is empty",
            "invalid": "Choose a targets file to import",
        },
    )

    def __init__(self, *args: Any, region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        self.problems: tuple[Problem, ...] = ()
        self.requirements: tuple[Requirement, ...] = ()
        self.file_name = ""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload_name(upload)
        self.file_name = name
        if not name.lower().endswith(TARGET_SUFFIXES):
            raise ValidationError(f"{name} must be a CSV or Excel file (.csv or .xlsx)")
        if upload.size > MAX_TARGETS_BYTES:
            raise ValidationError(
                f"{name} is {upload.size // 1000:,} KB; a targets file must be at most "
                f"{MAX_TARGETS_BYTES // 1000:,} KB"
            )
        with tempfile.TemporaryDirectory(prefix="imheval-targets-") as folder:
            path = Path(folder) / name
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                self.requirements = read_requirements(path, self.region.ladder())
            except CoverageError as error:
                self.problems = error.problems
                count = len(error.problems)
                raise ValidationError(
                    f"{name} has {count} problem{'s' if count != 1 else ''}, listed below. "
                    "Nothing was imported: correct the file and import it again."
                ) from None
        if not self.requirements:
            raise ValidationError(f"{name} has no targets in it. Nothing was imported.")
        return upload
