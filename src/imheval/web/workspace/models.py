"""Programmes, cohorts, uploaded instruments and collections (one per cohort and timepoint)."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from imheval.errors import InstrumentError, Problem, UnknownInstrumentError
from imheval.instruments import Instrument
from imheval.instruments.bank import VERSION_MARK, builtin_ids, get_builtin, split_ref
from imheval.instruments.loader import load_instrument_text
from imheval.scoring import check_scored_together
from imheval.web.organisations.models import Organisation, scoped_manager


class Level(models.TextChoices):
    """Training level (seed 000: Think Family, Solihull and Anna Freud courses)."""

    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Delivery(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    ONLINE = "online", "Online"
    BLENDED = "blended", "Blended"


class DurationUnit(models.TextChoices):
    HOURS = "hours", "hours"
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"


class CompletionRule(models.TextChoices):
    """What counts as completing a programme (the training register applies it)."""

    ATTENDANCE = "attendance", "Attending at least a share of the sessions"
    FINAL_SESSION = "final_session", "Attending the final session"


class Timepoint(models.TextChoices):
    """When a questionnaire is answered; the values are the core's timepoint names."""

    PRE = "pre", "Pre-test"
    POST = "post", "Post-test"
    FOLLOWUP = "followup", "Follow-up"


def new_token() -> str:
    """An unguessable link token: 32 random bytes (256 bits), URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class Programme(models.Model):
    """A training offer, e.g. "Solihull Approach foundation", delivered in many cohorts."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=20, choices=Level.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    duration_value = models.DecimalField(
        "duration", max_digits=6, decimal_places=1, help_text="For example 2 (days)."
    )
    duration_unit = models.CharField(max_length=10, choices=DurationUnit.choices)
    # The programme as an offer (issue 16): the level it gives on the organisation's workforce
    # framework (imheval.web.workforce.models.WorkforceSettings), who pays, how many places a
    # year, and what counts as completing it.
    framework_level = models.CharField(
        max_length=100,
        blank=True,
        help_text="The level it gives on your workforce framework, for example Skilled.",
    )
    funder = models.CharField(max_length=200, blank=True, help_text="Who pays for the places.")
    places_per_year = models.PositiveIntegerField("places funded per year", null=True, blank=True)
    #: Sessions in one delivery (16 for a 16-week course met weekly); attendance is kept per
    #: session in the training register.
    sessions = models.PositiveSmallIntegerField(default=1)
    completion_rule = models.CharField(
        max_length=20, choices=CompletionRule.choices, default=CompletionRule.ATTENDANCE
    )
    #: With the attendance rule: the share of sessions, in percent, a person must attend.
    attendance_threshold = models.PositiveSmallIntegerField(default=80)
    #: Hidden from the lists (shown under "Archived" instead); nothing is deleted.
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = (
        "name",
        "provider",
        "level",
        "delivery",
        "duration_value",
        "duration_unit",
        "framework_level",
        "funder",
        "places_per_year",
        "sessions",
        "completion_rule",
        "attendance_threshold",
        "is_archived",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="programme_name_unique_in_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation

    @property
    def duration(self) -> str:
        value = self.duration_value.normalize()
        return f"{value:f} {self.get_duration_unit_display()}"


class InstrumentFile(models.Model):
    """An instrument uploaded by an organisation (YAML, validated by the core's loader)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="instrument_files"
    )
    instrument_id = models.CharField(max_length=64)
    title = models.CharField(max_length=250)
    source_name = models.CharField(max_length=250, help_text="The uploaded file's name.")
    text = models.TextField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Lineage (see workspace/instrument_editor.py): a locked file is never changed; its new
    # version is a new file, with its own id, that replaces it.
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    copied_from = models.CharField(
        max_length=100, blank=True, help_text="The built-in instrument copied, e.g. imh-core 1.0.0."
    )
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("instrument_id", "title", "source_name", "replaces", "copied_from", "edited_at")

    class Meta:
        ordering = ["instrument_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instrument_id"], name="instrument_id_unique_in_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id}: {self.title}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation

    def clean(self) -> None:
        # The upload form checks this too (from_upload); here for the admin. Capture relies on
        # it: a collection of built-in instruments does not look for uploads on every page.
        if self.instrument_id in builtin_ids():
            raise ValidationError(
                {"instrument_id": "This id belongs to a built-in instrument; choose another."}
            )

    def instrument(self) -> Instrument:
        """The validated instrument (raises InstrumentError with located problems)."""
        return load_instrument_text(self.text, source=self.source_name)

    @classmethod
    def from_upload(cls, organisation: Organisation, name: str, text: str) -> InstrumentFile:
        """A new, unsaved file; raises InstrumentError if the text is not a valid instrument."""
        instrument = load_instrument_text(text, source=name)
        if instrument.id in builtin_ids():
            raise InstrumentError(
                [
                    Problem(
                        file=name,
                        field="id",
                        message=f"the id {instrument.id!r} belongs to a built-in instrument; "
                        "give your instrument its own id",
                    )
                ]
            )
        return cls(
            organisation=organisation,
            instrument_id=instrument.id,
            title=instrument.title,
            source_name=name,
            text=text,
        )


def instrument_uploads(organisation_id: int, refs: Iterable[str]) -> dict[str, InstrumentFile]:
    """The organisation's uploaded files among ``refs`` (ids, or ``id@version`` for a pinned
    built-in), by instrument id (one query)."""
    ids = [split_ref(ref)[0] for ref in refs]
    files = InstrumentFile.objects.filter(
        organisation_id=organisation_id, instrument_id__in=ids
    ).order_by()
    return {file.instrument_id: file for file in files}


def current_builtin_version(instrument_id: str) -> str | None:
    """The version the bank holds now of the built-in ``instrument_id``; None for any other id."""
    return get_builtin(instrument_id).version if instrument_id in builtin_ids() else None


def pinned_refs(refs: Iterable[str], versions: Mapping[str, str]) -> list[str]:
    """``refs`` with each pinned built-in as ``id@version`` (``imh-core@1.0.0``); the others as
    they are. ``versions`` is a questionnaire's ``instrument_versions``."""
    return [f"{ref}{VERSION_MARK}{versions[ref]}" if ref in versions else ref for ref in refs]


def resolve_instruments(
    organisation: Organisation,
    refs: list[str],
    *,
    uploads: Mapping[str, InstrumentFile] | None = None,
    as_asked: bool = False,
) -> list[Instrument]:
    """The instruments named by ``refs``: the organisation's uploads first, then the bank.

    A ref is an id, or ``id@version`` for a built-in pinned to a version (a questionnaire's
    :meth:`Collection.pinned_refs`); a built-in named by id alone is the bank's current version.
    ``uploads`` are the organisation's files among ``refs`` if the caller has read them already
    (:func:`instrument_uploads`). ``as_asked`` gives them in the words the organisation's
    participants read (its jurisdiction's wording, ``Instrument.in_jurisdiction``): ids, codes
    and keys are the same either way. Raises UnknownInstrumentError naming the first ref that is
    neither.
    """
    if uploads is None:
        uploads = instrument_uploads(organisation.pk, refs)
    instruments = []
    for ref in refs:
        if (instrument_id := split_ref(ref)[0]) in uploads:
            instruments.append(uploads[instrument_id].instrument())
        else:
            try:
                instruments.append(get_builtin(ref))
            except UnknownInstrumentError:
                raise UnknownInstrumentError(
                    f"instrument {ref!r} is neither uploaded to {organisation.name} nor built in"
                ) from None
    if as_asked:
        return [instrument.in_jurisdiction(organisation.jurisdiction) for instrument in instruments]
    return instruments


def form_at(timepoint: str, first: str, form_ids: tuple[str, ...]) -> str:
    """The parallel form a questionnaire at ``timepoint`` asks when its cohort answers ``first``
    before the training: the post-test the next form (A then B, B then A), the follow-up the
    pre-test's form again (months later; A and B never share an item, and a third form would
    be compared with neither, so the follow-up repeats the pre-test's questions)."""
    if timepoint != "post" or first not in form_ids:
        return first
    return form_ids[(form_ids.index(first) + 1) % len(form_ids)]


def first_form(timepoint: str, form: str, form_ids: tuple[str, ...]) -> str:
    """The form asked before the training by a cohort whose questionnaire at ``timepoint``
    asks ``form`` (the inverse of :func:`form_at`)."""
    if timepoint != "post" or form not in form_ids:
        return form
    return form_ids[(form_ids.index(form) - 1) % len(form_ids)]


class Cohort(models.Model):
    """One delivery of a programme to one group (the seed study's "replicate group")."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=60, help_text="A short label, for example SOL-2.")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    trainer = models.CharField(max_length=200, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    #: Hidden from the lists (shown under "Archived" instead); nothing is deleted.
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("programme__organisation")
    AUDIT_FIELDS = (
        "programme",
        "name",
        "start_date",
        "end_date",
        "trainer",
        "venue",
        "is_archived",
    )

    class Meta:
        ordering = ["start_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="cohort_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.programme.name})"

    @property
    def audit_organisation(self) -> Organisation:
        return self.programme.organisation

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})


class Collection(models.Model):
    """Questionnaire capture for one cohort at one timepoint, reached by an unguessable link.

    ``instrument_refs`` lists instrument ids: the organisation's uploads or the built-in bank.
    ``instrument_versions`` pins each built-in's version ({id: version}), so the questionnaire
    keeps asking (and its answers keep being scored with) the questions it was set up with when
    the bank's current version changes: see :meth:`pinned_versions`. An upload needs no pin (a
    new version of an upload has its own id). ``instrument_forms`` says which parallel form of
    each instrument that declares forms the questionnaire asks ({id: form}), counterbalanced
    across the cohort's timepoints and the programme's cohorts: see :meth:`assigned_forms`. A
    follow-up names the weeks after the course it is due (``follow_up_weeks``).
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="collections")
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    instrument_refs = models.JSONField(default=list)
    instrument_versions = models.JSONField(default=dict, blank=True)
    instrument_forms = models.JSONField(default=dict, blank=True)
    follow_up_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    #: A follow-up that the hourly housekeeping opens on its due date (see schedule.py).
    opens_on_due_date = models.BooleanField(default=False)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    is_open = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: When the link was last replaced by a new one (the token itself is never logged).
    link_replaced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_manager("cohort__programme__organisation")
    AUDIT_FIELDS = (
        "cohort",
        "timepoint",
        "instrument_refs",
        "instrument_versions",
        "instrument_forms",
        "follow_up_weeks",
        "opens_on_due_date",
        "is_open",
        "link_replaced_at",
    )

    class Meta:
        ordering = ["cohort", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "timepoint"], name="one_collection_per_tp")
        ]

    def __str__(self) -> str:
        return f"{self.get_timepoint_display()} for {self.cohort}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.cohort.programme.organisation

    @property
    def organisation(self) -> Organisation:
        return self.cohort.programme.organisation

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.timepoint == Timepoint.FOLLOWUP and not self.follow_up_weeks:
            errors["follow_up_weeks"] = "Say how many weeks after the course the follow-up is."
        if self.timepoint != Timepoint.FOLLOWUP and self.follow_up_weeks:
            errors["follow_up_weeks"] = "Only a follow-up has a number of weeks."
        if self.timepoint != Timepoint.FOLLOWUP and self.opens_on_due_date:
            errors["opens_on_due_date"] = "Only a follow-up can open itself on its due date."
        if not self.instrument_refs:
            errors["instrument_refs"] = "Choose at least one instrument."
        elif clash := self._instrument_clash():
            errors["instrument_refs"] = clash
        if errors:
            raise ValidationError(errors)

    def _instrument_clash(self) -> str | None:
        """Why the chosen instruments cannot be answered together, or None.

        Answers are kept by question id, so two instruments with a question (or a domain) of the
        same id would mix their answers.
        """
        try:
            check_scored_together(self.instruments())
        except InstrumentError as error:
            details = "; ".join(problem.message for problem in error.problems)
            return (
                "These instruments cannot be used in one questionnaire, because they share "
                f"question or domain ids ({details}). Change the ids in the uploaded file "
                "and upload it again, or choose other instruments."
            )
        except UnknownInstrumentError as error:
            return str(error)
        return None

    def pinned_versions(self) -> dict[str, str]:
        """The version of each built-in instrument this questionnaire asks, {id: version}.

        A pin, once made, stays while the instrument stays chosen. A built-in chosen anew takes
        the version another questionnaire of the same cohort pinned (so the pre-test, post-test
        and follow-up ask the same questions), else the bank's current version. Uploads are not
        pinned. Reads the cohort's other questionnaires only when a built-in is chosen anew.
        """
        refs = list(self.instrument_refs or [])
        kept = {ref: v for ref, v in (self.instrument_versions or {}).items() if ref in refs}
        new = [ref for ref in refs if ref not in kept and ref in builtin_ids()]
        if new and self.cohort_id is not None:
            siblings = Collection.objects.filter(cohort_id=self.cohort_id).exclude(pk=self.pk)
            for versions in siblings.values_list("instrument_versions", flat=True):
                for ref in new:
                    if ref in (versions or {}) and ref not in kept:
                        kept[ref] = versions[ref]
        for ref in new:
            if ref not in kept and (current := current_builtin_version(ref)) is not None:
                kept[ref] = current
        return {ref: kept[ref] for ref in refs if ref in kept}

    def pinned_refs(self) -> list[str]:
        """The instrument refs with each built-in at its pinned version: ``imh-core@1.0.0``."""
        return pinned_refs(self.instrument_refs or [], self.pinned_versions())

    def assigned_forms(self) -> dict[str, str]:
        """The parallel form this questionnaire asks of each instrument that declares forms,
        {id: form}, counterbalanced.

        A form, once recorded, stays while the instrument stays chosen (the trainer changes the
        order for the whole cohort, :func:`imheval.web.workspace.parallel_forms.set_first_form`).
        An instrument chosen anew follows the order the cohort's other questionnaires set (the
        pre-test's form before the training, the next form after it, :func:`form_at`); in a
        cohort that has none yet, the form that fewest of the programme's other cohorts asked
        before the training comes first (a tie goes to the earlier form), so the programme's
        cohorts alternate A then B, B then A. Reads the instruments and, for a new one, the
        cohort's and programme's questionnaires; an instrument that cannot be read gets none.
        """
        refs = list(self.instrument_refs or [])
        kept = {ref: f for ref, f in (self.instrument_forms or {}).items() if ref in refs}
        if self.cohort_id is None or all(ref in kept for ref in refs):
            return {ref: kept[ref] for ref in refs if ref in kept}
        try:
            instruments = resolve_instruments(self.organisation, self.pinned_refs())
        except (InstrumentError, UnknownInstrumentError):
            return {ref: kept[ref] for ref in refs if ref in kept}
        for instrument in instruments:
            if instrument.forms and instrument.id not in kept:
                first = self._first_form(instrument.id, instrument.form_ids)
                kept[instrument.id] = form_at(self.timepoint, first, instrument.form_ids)
        return {ref: kept[ref] for ref in refs if ref in kept}

    def _first_form(self, instrument_id: str, form_ids: tuple[str, ...]) -> str:
        siblings = Collection.objects.filter(cohort_id=self.cohort_id).exclude(pk=self.pk)
        for timepoint, forms in siblings.values_list("timepoint", "instrument_forms"):
            if instrument_id in (forms or {}):
                return first_form(timepoint, forms[instrument_id], form_ids)
        firsts: dict[int, str] = {}
        others = (
            Collection.objects.filter(cohort__programme_id=self.cohort.programme_id)
            .exclude(cohort_id=self.cohort_id)
            .order_by("timepoint")
        )
        for cohort_id, timepoint, forms in others.values_list(
            "cohort_id", "timepoint", "instrument_forms"
        ):
            if instrument_id in (forms or {}):
                form = first_form(timepoint, forms[instrument_id], form_ids)
                firsts.setdefault(cohort_id, form)
        uses = {form: list(firsts.values()).count(form) for form in form_ids}
        return min(form_ids, key=lambda form: (uses[form], form_ids.index(form)))

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "instrument_refs" in update_fields:
            self.instrument_versions = self.pinned_versions()
            self.instrument_forms = self.assigned_forms()
            if update_fields is not None:
                kwargs["update_fields"] = {
                    *update_fields,
                    "instrument_versions",
                    "instrument_forms",
                }
        super().save(*args, **kwargs)

    def instruments(self) -> list[Instrument]:
        """The instruments this questionnaire asks, at their pinned versions, in the words of
        the organisation's jurisdiction (as participants read them; ids and keys unchanged).
        Which items it asks of an instrument with forms: :attr:`instrument_forms`."""
        return resolve_instruments(self.organisation, self.pinned_refs(), as_asked=True)

    def open(self) -> None:
        self.is_open = True
        self.opened_at = timezone.now()
        self.closed_at = None
        self.save()

    def close(self) -> None:
        self.is_open = False
        self.closed_at = timezone.now()
        self.save()

    def replace_link(self) -> None:
        """Give the questionnaire a new link: the old link and its QR codes stop working at
        once (they answer "not recognised"), for a link that reached people it should not."""
        self.token = new_token()
        self.link_replaced_at = timezone.now()
        self.save()

    def due_date(self) -> datetime.date | None:
        """For a follow-up: the cohort's last day plus ``follow_up_weeks``."""
        return follow_up_due_date(
            self.timepoint, self.follow_up_weeks, self.cohort.start_date, self.cohort.end_date
        )


def follow_up_due_date(
    timepoint: str,
    follow_up_weeks: int | None,
    start_date: datetime.date,
    end_date: datetime.date | None,
) -> datetime.date | None:
    """When a questionnaire at ``timepoint`` of a cohort running from ``start_date`` to
    ``end_date`` is due: for a follow-up, the cohort's last day plus ``follow_up_weeks``; None
    for any other timepoint or a follow-up without weeks (:meth:`Collection.due_date`)."""
    if timepoint != str(Timepoint.FOLLOWUP) or not follow_up_weeks:
        return None
    return (end_date or start_date) + datetime.timedelta(weeks=follow_up_weeks)


class MatchCounts(models.Model):
    """Each cohort's number of probable matches still to decide, kept for the to-do list.

    One row per organisation. ``counts`` maps a cohort's id (as text) to ``[key, count]``: the
    key is a short hash of what the count was worked out from (the cohort's complete responses
    per questionnaire: their number, the sum and the last of their ids, their last save and
    last completion; its match decisions; the core's version and ``MATCH_COUNT_RULES``), so
    the to-do list (``workspace.attention``) runs the tolerant matching again only for cohorts
    whose key has changed. Not audited: it is a cache, nobody's work.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="match_counts"
    )
    counts = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = scoped_manager("organisation")

    def __str__(self) -> str:
        return f"probable-match counts of organisation {self.organisation_id}"
