"""Setting up and tidying away cohorts: a cohort with its questionnaires in one step, a copy of a
cohort, closing a whole cohort, archiving, deleting while nothing is answered, follow-ups that
open themselves on their due date, and how many matched people have still to do the follow-up.

The forms here build on :class:`~imheval.web.workspace.forms.CohortForm`, so a cohort's name and
dates are checked in one place. Everything a form saves is saved in one transaction: a cohort is
never left without the questionnaires the form promised.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from imheval import EvaluationOptions
from imheval.errors import ImhevalError
from imheval.instruments.bank import get_builtin
from imheval.web.capture.models import Status, Submission
from imheval.web.organisations.audit import acting_as
from imheval.web.results.models import MatchDecision
from imheval.web.workspace.catalogue import catalogue
from imheval.web.workspace.code_match import match_codes
from imheval.web.workspace.forms import CohortForm, follow_up_weeks_field
from imheval.web.workspace.models import (
    Cohort,
    Collection,
    Programme,
    Timepoint,
    current_builtin_version,
)

logger = logging.getLogger(__name__)

#: The questionnaires a programme's first cohort starts with: the built-in core questionnaire.
DEFAULT_INSTRUMENTS = ["imh-core"]
DEFAULT_FOLLOW_UP_WEEKS = 12
#: Label in the audit log of what the housekeeping opens by itself.
SCHEDULE_ACTOR = "scheduled opening"


@dataclass(frozen=True, slots=True)
class QuestionnairePlan:
    """What a new cohort's questionnaires start as: instrument ids per timepoint ([] for none),
    the follow-up's weeks and whether it opens itself, and where that came from.

    A new cohort asks the bank's current version of each built-in instrument, even when the
    cohort it starts from asked an earlier one; ``older_versions`` says which, as
    (title, the source's version, the current version), for the note on the form.
    """

    refs: dict[str, list[str]]
    follow_up_weeks: int
    opens_on_due_date: bool
    source: Cohort | None
    older_versions: tuple[tuple[str, str, str], ...] = ()

    @property
    def versions_note(self) -> str:
        """A sentence for the form when the source cohort asked an earlier version, else ""."""
        if self.source is None or not self.older_versions:
            return ""
        named = "; ".join(
            f"{title}: cohort {self.source.name} asked version {old}, this cohort will ask "
            f"version {current}"
            for title, old, current in self.older_versions
        )
        return (
            f"The built-in instruments have a newer version ({named}). The questions differ, so "
            "answers to the two versions are not compared with each other. To ask exactly the "
            f"questions cohort {self.source.name} asked, copy that cohort instead."
        )


def questionnaire_plan(programme: Programme) -> QuestionnairePlan:
    """The questionnaires of ``programme``'s most recently added cohort that has any, or the
    built-in core questionnaire at every timepoint (12-week follow-up) for a first cohort.

    The built-ins are taken at the bank's current version (a new group answers the current
    questions); copying a cohort (:class:`CopyCohortForm`) keeps its versions instead."""
    last = (
        Cohort.objects.filter(programme=programme, collections__isnull=False)
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None:
        refs = {timepoint: list(DEFAULT_INSTRUMENTS) for timepoint in Timepoint.values}
        return QuestionnairePlan(refs, DEFAULT_FOLLOW_UP_WEEKS, False, None)
    collections = {collection.timepoint: collection for collection in last.collections.all()}
    followup = collections.get(Timepoint.FOLLOWUP)
    older: dict[str, tuple[str, str, str]] = {}
    for collection in collections.values():
        for ref, version in (collection.instrument_versions or {}).items():
            current = current_builtin_version(ref)
            if current is not None and version != current and ref not in older:
                older[ref] = (get_builtin(ref).title, version, current)
    return QuestionnairePlan(
        {
            tp: list(c.instrument_refs) if (c := collections.get(tp)) else []
            for tp in Timepoint.values
        },
        (followup.follow_up_weeks if followup else None) or DEFAULT_FOLLOW_UP_WEEKS,
        bool(followup and followup.opens_on_due_date),
        last,
        tuple(older[ref] for ref in sorted(older)),
    )


def _instrument_field(label: str, help_text: str, *, required: bool) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        required=required,
        widget=forms.CheckboxSelectMultiple,
        label=label,
        help_text=help_text,
        error_messages={"required": f"Choose at least one instrument for the {label.lower()}"},
    )


class NewCohortForm(CohortForm):
    """A cohort of ``programme`` with its pre-test, post-test and (optional) follow-up, all in
    one form; the instruments start as the programme's last cohort had them
    (:func:`questionnaire_plan`), and the pre-test opens at once unless unticked."""

    pre_refs = _instrument_field(
        "Pre-test",
        "Answered before the training starts. People answer the instruments in the order listed.",
        required=True,
    )
    post_refs = _instrument_field(
        "Post-test",
        "Answered at the end of the training, for example on its last day.",
        required=True,
    )
    followup_refs = _instrument_field(
        "Follow-up",
        "Answered some weeks after the course. Untick every instrument for no follow-up.",
        required=False,
    )
    follow_up_weeks = follow_up_weeks_field(
        "Weeks after the course for the follow-up",
        "How many weeks after the course's last day the follow-up is due, for example 12",
    )
    opens_on_due_date = forms.BooleanField(
        required=False,
        label="Open the follow-up by itself on its due date",
        help_text="Checked every hour; you can still open or close it yourself at any time.",
    )
    open_pre_now = forms.BooleanField(
        required=False,
        label="Open the pre-test now",
        help_text="Untick this to open it later from the cohort's page. Until it opens, people "
        "who use its link are told to come back later.",
    )

    TIMEPOINT_FIELDS: dict[str, str] = {
        str(Timepoint.PRE): "pre_refs",
        str(Timepoint.POST): "post_refs",
        str(Timepoint.FOLLOWUP): "followup_refs",
    }

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, programme=programme, **kwargs)
        entries = [e for e in catalogue(programme.organisation) if e.instrument]
        hints = {e.instrument_id: f"{e.instrument_id}, {e.summary}" for e in entries}
        choices = [(entry.instrument_id, entry.title) for entry in entries]
        for name in self.TIMEPOINT_FIELDS.values():
            self.fields[name].choices = choices
            self.fields[name].item_hints = hints  # type: ignore[attr-defined]
        plan = questionnaire_plan(programme)
        for timepoint, name in self.TIMEPOINT_FIELDS.items():
            self.initial.setdefault(name, plan.refs[timepoint])
        self.initial.setdefault("follow_up_weeks", plan.follow_up_weeks)
        self.initial.setdefault("opens_on_due_date", plan.opens_on_due_date)
        self.initial.setdefault("open_pre_now", True)
        self.plan = plan

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        weeks_missing = cleaned.get("followup_refs") and not cleaned.get("follow_up_weeks")
        if weeks_missing and "follow_up_weeks" not in self.errors:
            self.add_error(
                "follow_up_weeks", "Enter how many weeks after the course the follow-up is"
            )
        for collection in self._collections():
            name = self.TIMEPOINT_FIELDS[str(collection.timepoint)]
            if name not in self.errors and (clash := collection._instrument_clash()):
                self.add_error(name, clash)
        return cleaned

    def _collections(self) -> list[Collection]:
        """The unsaved questionnaires the form describes (none for an empty follow-up)."""
        cleaned = self.cleaned_data
        made = []
        for timepoint, name in self.TIMEPOINT_FIELDS.items():
            refs = cleaned.get(name) or []
            if not refs:
                continue
            followup = timepoint == str(Timepoint.FOLLOWUP)
            made.append(
                Collection(
                    cohort=self.instance,
                    timepoint=timepoint,
                    instrument_refs=list(refs),
                    follow_up_weeks=cleaned.get("follow_up_weeks") if followup else None,
                    opens_on_due_date=bool(cleaned.get("opens_on_due_date")) and followup,
                )
            )
        return made

    def save(self, commit: bool = True) -> Cohort:
        with transaction.atomic():
            cohort: Cohort = super().save()
            for collection in self._collections():
                collection.cohort = cohort
                collection.save()
                if collection.timepoint == Timepoint.PRE and self.cleaned_data["open_pre_now"]:
                    collection.open()
        return cohort


class CopyCohortForm(CohortForm):
    """A new cohort like ``source``: the same trainer, venue and questionnaires (instruments at
    the same versions, follow-up weeks and opening), with its own name and dates. Nothing
    answered is copied and every questionnaire starts closed, with a new link."""

    def __init__(self, *args: Any, source: Cohort, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"trainer": source.trainer, "venue": source.venue})
        super().__init__(*args, programme=source.programme, **kwargs)
        self.source = source

    def save(self, commit: bool = True) -> Cohort:
        with transaction.atomic():
            cohort: Cohort = super().save()
            for collection in self.source.collections.all():
                Collection.objects.create(
                    cohort=cohort,
                    timepoint=collection.timepoint,
                    instrument_refs=list(collection.instrument_refs),
                    # the copy asks the same questions: the same versions of built-ins
                    instrument_versions=dict(collection.instrument_versions or {}),
                    follow_up_weeks=collection.follow_up_weeks,
                    opens_on_due_date=collection.opens_on_due_date,
                )
        return cohort


def close_cohort(cohort: Cohort) -> int:
    """Close every open questionnaire of ``cohort``; how many were open."""
    open_now = list(cohort.collections.filter(is_open=True))
    with transaction.atomic():
        for collection in open_now:
            collection.close()
    return len(open_now)


def _cohorts_of(thing: Programme | Cohort) -> Any:
    if isinstance(thing, Programme):
        return Cohort.objects.filter(programme=thing)
    return Cohort.objects.filter(pk=thing.pk)


def open_questionnaires(thing: Programme | Cohort) -> list[Collection]:
    """The open questionnaires of a cohort, or of every cohort of a programme (archived ones
    included), in cohort and timepoint order."""
    found = Collection.objects.filter(cohort__in=_cohorts_of(thing), is_open=True).select_related(
        "cohort"
    )
    order = {timepoint: index for index, timepoint in enumerate(Timepoint.values)}
    return sorted(found, key=lambda c: (c.cohort.start_date, c.cohort_id, order[c.timepoint]))


def set_archived(thing: Programme | Cohort, archived: bool) -> int:
    """Archive (hide from the lists) or restore a programme or cohort; how many questionnaires
    archiving closed.

    Archiving closes every open questionnaire of the cohort (of each of the programme's cohorts),
    in the same transaction: an archived cohort is off every list, so a link still taking
    answers there would go unwatched. The audit log records each closing. Restoring opens
    nothing again.
    """
    with transaction.atomic():
        closed = 0
        if archived:
            for collection in open_questionnaires(thing):
                collection.close()
                closed += 1
        thing.is_archived = archived
        thing.save(update_fields=["is_archived"])
    return closed


def has_answers(thing: Programme | Cohort) -> bool:
    """Whether anything has been answered in ``thing``: a response (online, keyed or imported),
    a paper form keyed once, or a spreadsheet waiting to be imported. Such data is never deleted
    here; archive it instead."""
    cohorts = _cohorts_of(thing)
    collections = Collection.objects.filter(cohort__in=cohorts)
    return (
        collections.filter(submissions__isnull=False).exists()
        or collections.filter(paper_forms__isnull=False).exists()
        or cohorts.filter(import_batches__isnull=False).exists()
    )


def delete_unanswered(thing: Programme | Cohort) -> None:
    """Delete a programme or cohort (with its cohorts and questionnaires); the audit log keeps a
    "deleted" entry for each, with its name. Raises ValidationError if anything is answered."""
    with transaction.atomic():
        if has_answers(thing):
            raise ValidationError(
                "People have answered its questionnaires, so it cannot be deleted. "
                "Archive it instead: it is hidden from the lists and can be restored."
            )
        thing.delete()


def due_followups(today: datetime.date) -> list[Collection]:
    """Follow-ups set to open themselves whose due date has come, that were never opened or
    closed by hand, of cohorts not archived (nor of an archived programme)."""
    candidates = Collection.objects.filter(
        timepoint=Timepoint.FOLLOWUP,
        opens_on_due_date=True,
        is_open=False,
        opened_at__isnull=True,
        closed_at__isnull=True,
        cohort__is_archived=False,
        cohort__programme__is_archived=False,
    ).select_related("cohort")
    return [c for c in candidates if (due := c.due_date()) is not None and due <= today]


def open_due_followups(today: datetime.date | None = None) -> int:
    """Open every follow-up of :func:`due_followups` (a periodic housekeeping job); how many.

    The audit log names the opening "scheduled opening"."""
    opened = 0
    with acting_as(None, SCHEDULE_ACTOR):
        for collection in due_followups(today or timezone.localdate()):
            collection.open()
            opened += 1
    if opened:
        logger.info("opened %d follow-up questionnaires on their due date", opened)
    return opened


@dataclass(frozen=True, slots=True)
class FollowUpGap:
    """People matched before and after the course, and how many of them have no follow-up yet.

    ``by_decision`` tells whether a possible match a reviewer accepted made any of them (their
    two codes counted as one person, as in the analysis). Counts of anonymous codes only, never
    which codes; ``shown`` hides a small count."""

    matched: int
    without_followup: int
    min_group_size: int
    by_decision: bool = False

    def shown(self, count: int) -> str:
        """ "12", or "fewer than 5" for 1 to min_group_size - 1."""
        if 0 < count < self.min_group_size:
            return f"fewer than {self.min_group_size}"
        return str(count)

    @property
    def sentence(self) -> str:
        if self.matched == 0:
            return "Nobody has answered both the pre-test and the post-test with the same code yet."
        how = (
            "with the same code, or with two codes accepted as one person on the matching page"
            if self.by_decision
            else "with the same code"
        )
        matched = (
            f"Of the {self.shown(self.matched)} people who answered both the pre-test and the "
            f"post-test {how}"
        )
        if self.without_followup == 0:
            return f"{matched}, all have answered the follow-up."
        return (
            f"{matched}, {self.shown(self.without_followup)} have not answered the follow-up yet."
        )


def follow_up_gap(cohort: Cohort) -> FollowUpGap:
    """How many people of ``cohort`` answered the pre-test and the post-test, and how many of
    those have no complete follow-up.

    People are matched as the analysis matches them (:mod:`.code_match`): the same code, or two
    codes whose possible match a reviewer accepted. Two queries: the complete responses' codes
    (no answers) and the cohort's decisions. If the decisions no longer fit the data, exact
    codes alone are counted.
    """
    rows = list(
        Submission.objects.filter(collection__cohort=cohort, status=Status.COMPLETE).values_list(
            "collection__timepoint", "code", "profession", "directorate"
        )
    )
    decisions = list(
        MatchDecision.objects.filter(cohort=cohort).values_list("code_a", "code_b", "decision")
    )
    size = EvaluationOptions().min_group_size
    if not rows:
        return FollowUpGap(0, 0, size)
    try:
        result = match_codes(str(cohort.pk), rows, decisions, "exact")
    except ImhevalError:
        decisions = []
        result = match_codes(str(cohort.pk), rows, decisions, "exact")
    people = result.people
    matched = people["present_pre"] & people["present_post"]
    without = matched & ~people["present_followup"]
    return FollowUpGap(
        int(matched.sum()), int(without.sum()), size, by_decision=bool(result.accepted_matches)
    )
