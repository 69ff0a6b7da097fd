"""Paper forms keyed in by trainers (once, or twice with double entry) and imported files.

A :class:`PaperForm` is one numbered printed questionnaire. Its keyings are kept as typed: the
first, and with double entry the second. A form becomes a response (a capture ``Submission``
with source "paper") when it is keyed once with double entry off, when two keyings agree, or
when an evaluator has resolved their differences; until then it is not analysed.

An :class:`ImportBatch` is one uploaded CSV or XLSX file: while it is being previewed it holds
the parsed rows; once confirmed it holds the responses it created (source "import") and no rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models

from imheval.web.capture.models import Submission
from imheval.web.organisations.models import Organisation, scoped_manager
from imheval.web.workspace.models import Cohort, Collection, Timepoint


def form_label(collection_id: int, number: int) -> str:
    """The form number as printed on every page, e.g. ``12-007`` (questionnaire 12, sheet 7)."""
    return f"{collection_id}-{number:03d}"


@dataclass(frozen=True)
class Keying:
    """One typing of one paper form: the code, profession, directorate and answers.

    ``answers`` maps item ids to stored answers (option codes, or whole numbers on a rating
    scale); unanswered items are left out.
    """

    code: str
    profession: str = ""
    directorate: str = ""
    answers: dict[str, str] = field(default_factory=dict)


class PaperSetup(models.Model):
    """How one questionnaire's paper forms are entered: double entry on or off."""

    collection = models.OneToOneField(
        Collection, on_delete=models.CASCADE, related_name="paper_setup"
    )
    double_entry = models.BooleanField(
        default=False,
        help_text="Each form is keyed twice and only agreed or resolved forms are responses.",
    )
    last_printed = models.PositiveIntegerField(
        default=0, help_text="The highest form number printed so far (the next print starts after)."
    )

    objects = scoped_manager("collection__cohort__programme__organisation")
    AUDIT_FIELDS = ("double_entry",)

    class Meta:
        verbose_name = "paper entry setting"

    def __str__(self) -> str:
        state = "on" if self.double_entry else "off"
        return f"double entry {state} for {self.collection}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.collection.cohort.programme.organisation

    @classmethod
    def of(cls, collection: Collection) -> PaperSetup:
        """The collection's setting; unsaved, with double entry off, until someone changes it."""
        return cls.objects.filter(collection=collection).first() or cls(collection=collection)


class PaperStatus(models.TextChoices):
    SINGLE = "single", "Entered"
    AWAITING = "awaiting", "Waiting for second keying"
    AGREED = "agreed", "Keyed twice, agreed"
    DISCREPANT = "discrepant", "Keyed twice, differences to resolve"
    RESOLVED = "resolved", "Differences resolved"


#: Statuses in which the form is a response (has its Submission).
ENTERED = (PaperStatus.SINGLE, PaperStatus.AGREED, PaperStatus.RESOLVED)


class PaperForm(models.Model):
    """One numbered paper questionnaire and its keyings; see the module docstring."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="paper_forms")
    form_number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=PaperStatus.choices)

    first_code = models.CharField(max_length=32)
    first_profession = models.CharField(max_length=100, blank=True)
    first_directorate = models.CharField(max_length=100, blank=True)
    first_answers = models.JSONField(default=dict, blank=True)
    first_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_at = models.DateTimeField(auto_now_add=True)

    second_code = models.CharField(max_length=32, blank=True)
    second_profession = models.CharField(max_length=100, blank=True)
    second_directorate = models.CharField(max_length=100, blank=True)
    second_answers = models.JSONField(null=True, blank=True)
    second_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    second_at = models.DateTimeField(null=True, blank=True)

    #: The response this form became; deleting the response deletes the form's record too.
    submission = models.OneToOneField(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="paper_form"
    )

    objects = scoped_manager("collection__cohort__programme__organisation")
    AUDIT_FIELDS = (
        "form_number",
        "status",
        "first_code",
        "first_profession",
        "first_directorate",
        "first_answers",
        "second_code",
        "second_profession",
        "second_directorate",
        "second_answers",
    )
    # Like responses: the log names changed fields but never copies codes or answers.
    AUDIT_VALUES = False

    class Meta:
        ordering = ["collection", "form_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "form_number"], name="paper_form_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"paper form {self.label}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.collection.cohort.programme.organisation

    @property
    def label(self) -> str:
        return form_label(self.collection_id, self.form_number)

    @property
    def is_entered(self) -> bool:
        return self.status in ENTERED

    def first(self) -> Keying:
        return Keying(
            self.first_code,
            self.first_profession,
            self.first_directorate,
            dict(self.first_answers or {}),
        )

    def second(self) -> Keying | None:
        if self.second_answers is None:
            return None
        return Keying(
            self.second_code,
            self.second_profession,
            self.second_directorate,
            dict(self.second_answers),
        )

    def set_first(self, keying: Keying) -> None:
        self.first_code = keying.code
        self.first_profession = keying.profession
        self.first_directorate = keying.directorate
        self.first_answers = dict(keying.answers)

    def set_second(self, keying: Keying) -> None:
        self.second_code = keying.code
        self.second_profession = keying.profession
        self.second_directorate = keying.directorate
        self.second_answers = dict(keying.answers)

    def current(self) -> Keying:
        """The values a change starts from: the response's, else the first keying."""
        if self.submission is not None:
            return keying_of(self.submission)
        return self.first()


def keying_of(submission: Submission) -> Keying:
    return Keying(
        submission.code,
        submission.profession,
        submission.directorate,
        {str(k): str(v) for k, v in (submission.answers or {}).items()},
    )


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", "Checked, waiting for confirmation"
    IMPORTED = "imported", "Imported"


class ImportBatch(models.Model):
    """One uploaded responses file for a cohort; see the module docstring.

    ``rows`` (while previewing) holds one dict per response: ``row`` (spreadsheet row),
    ``timepoint``, ``code``, ``profession``, ``directorate`` and ``answers`` (item id to the
    stored answer). ``counts`` maps each timepoint to its number of responses.
    ``ignored_columns`` names the file's columns imheval does not know: the person confirms,
    on the preview, that they are to be ignored before anything is imported.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="import_batches")
    file_name = models.CharField(max_length=250)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW
    )
    layout = models.CharField(max_length=10, help_text="tidy or wide, as the reader found it")
    row_count = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)
    rows = models.JSONField(default=list, blank=True)
    submissions = models.ManyToManyField(Submission, blank=True, related_name="import_batches")
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_manager("cohort__programme__organisation")
    AUDIT_FIELDS = ("file_name", "status", "row_count")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "imported file"

    def __str__(self) -> str:
        return f"{self.file_name} into {self.cohort.name}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.cohort.programme.organisation

    def audit_skip(self) -> bool:
        """A preview is not yet anything: the log starts when the import is confirmed."""
        return self.status == ImportStatus.PREVIEW

    def count_list(self) -> list[tuple[str, int]]:
        """(timepoint label, responses) in the order timepoints happen."""
        return [
            (str(label), int(self.counts[value]))
            for value, label in Timepoint.choices
            if self.counts.get(value)
        ]

    def preview_rows(self, limit: int = 10) -> list[dict[str, Any]]:
        return list(self.rows[:limit])
