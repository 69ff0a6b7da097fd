"""Keying paper forms: first and second keyings, comparison, resolution, changes and deletion.

Each function works inside one transaction and locks the form it changes, so two people keying
the same form number at once cannot both win. A rule a keying breaks is raised as
:class:`KeyingRejectedError` naming the form field to show the message on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from imheval.web.capture.models import Source, Status, Submission
from imheval.web.paper.answers import AnswerRule
from imheval.web.paper.models import (
    Keying,
    PaperForm,
    PaperSetup,
    PaperStatus,
    form_label,
)
from imheval.web.workspace.models import Collection

#: The biggest form number a sheet can carry.
MAX_FORM_NUMBER = 99_999


class KeyingRejectedError(Exception):
    """A keying that cannot be saved; ``field`` is the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Saved:
    """What saving did, for the page: the form and a sentence for the person keying."""

    form: PaperForm
    message: str


@dataclass(frozen=True)
class Difference:
    """One field two keyings of a form disagree on."""

    field: str  # "code", "profession", "directorate" or an item id
    label: str  # "Anonymous code", "Question 3 (K3)"
    first: str
    second: str


def differences(first: Keying, second: Keying, rules: Sequence[AnswerRule]) -> list[Difference]:
    """The fields on which two keyings differ, in the order of the form."""
    found = []
    for name, label in (
        ("code", "Anonymous code"),
        ("profession", "Profession"),
        ("directorate", "Directorate"),
    ):
        a, b = getattr(first, name), getattr(second, name)
        if a != b:
            found.append(Difference(name, label, a, b))
    labels = {rule.item_id: rule.name for rule in rules}
    # Items no longer in the instruments still count: the keyings must agree on everything.
    extra = sorted((set(first.answers) | set(second.answers)) - set(labels))
    for item_id in [*labels, *extra]:
        a, b = first.answers.get(item_id, ""), second.answers.get(item_id, "")
        if a != b:
            found.append(Difference(item_id, labels.get(item_id, item_id), a, b))
    return found


def next_form_number(collection: Collection, after: int | None = None) -> int:
    """The number to offer for the next form: one after ``after``, else after the highest."""
    if after is not None and 0 < after < MAX_FORM_NUMBER:
        return after + 1
    highest = PaperForm.objects.filter(collection=collection).aggregate(top=Max("form_number"))
    return int(highest["top"] or 0) + 1


def codes_in_use(collection: Collection, exclude: PaperForm | None = None) -> dict[str, str]:
    """Each code already used at ``collection``, with a sentence saying where.

    Counts responses (online, imported or from paper) and paper forms still waiting for a second
    keying or a resolution; ``exclude`` leaves one paper form (and its response) out.
    """
    used: dict[str, str] = {}
    responses = Submission.objects.filter(collection=collection, status=Status.COMPLETE)
    forms = PaperForm.objects.filter(collection=collection)
    if exclude is not None:
        forms = forms.exclude(pk=exclude.pk)
        if exclude.submission_id is not None:
            responses = responses.exclude(pk=exclude.submission_id)
    for code in responses.filter(paper_form__isnull=True).values_list("code", flat=True):
        used[code] = (
            f"The code {code} already has a response to this questionnaire "
            "(answered online or imported)"
        )
    waiting = [PaperStatus.AWAITING, PaperStatus.DISCREPANT]
    for number, first_code, status, response_code in forms.values_list(
        "form_number", "first_code", "status", "submission__code"
    ):
        code = first_code if status in waiting else response_code
        if code:
            label = form_label(collection.pk, number)
            used.setdefault(
                code, f"The code {code} is already on form {label} of this questionnaire"
            )
    return used


def code_clash(collection: Collection, code: str, exclude: PaperForm | None = None) -> str | None:
    """Why ``code`` cannot be used again at ``collection`` (another response has it), or None.

    A code used twice at one questionnaire cannot be matched across timepoints, so both
    responses would be left out of the analysis.
    """
    return codes_in_use(collection, exclude).get(code)


def _check_code(collection: Collection, keying: Keying, exclude: PaperForm | None) -> None:
    clash = code_clash(collection, keying.code, exclude)
    if clash:
        raise KeyingRejectedError("code", clash)


def _new_submission(collection: Collection, keying: Keying, user: Any) -> Submission:
    return Submission.objects.create(
        collection=collection,
        code=keying.code,
        profession=keying.profession,
        directorate=keying.directorate,
        answers=dict(keying.answers),
        status=Status.COMPLETE,
        source=Source.PAPER,
        entered_by=user,
        completed_at=timezone.now(),
    )


def _update_submission(submission: Submission, keying: Keying) -> None:
    submission.code = keying.code
    submission.profession = keying.profession
    submission.directorate = keying.directorate
    submission.answers = dict(keying.answers)
    submission.save()


def key_form(
    collection: Collection,
    number: int,
    keying: Keying,
    user: Any,
    rules: Sequence[AnswerRule],
) -> Saved:
    """Save a keying of form ``number``: its first, or (double entry) its second.

    With double entry off, a first keying becomes a response at once. With it on, the first
    keying waits; the second is compared with it field by field: if they agree the form becomes
    a response, else it waits for someone to resolve the differences.
    """
    label = form_label(collection.pk, number)
    try:
        with transaction.atomic():
            existing = (
                PaperForm.objects.select_for_update()
                .filter(collection=collection, form_number=number)
                .first()
            )
            if existing is None:
                return _first_keying(collection, number, keying, user)
            if existing.status == PaperStatus.AWAITING:
                return _second_keying(existing, keying, user, rules)
    except IntegrityError:
        raise KeyingRejectedError(
            "form_number",
            f"Form {label} was saved by someone else a moment ago: check the list of forms",
        ) from None
    if existing.status == PaperStatus.DISCREPANT:
        raise KeyingRejectedError(
            "form_number",
            f"Form {label} has been keyed twice and its differences are waiting to be "
            "resolved: resolve them from the list of differences",
        )
    raise KeyingRejectedError(
        "form_number",
        f"Form {label} is already entered: to correct it, choose Change beside it in the "
        "list of forms",
    )


def _first_keying(collection: Collection, number: int, keying: Keying, user: Any) -> Saved:
    _check_code(collection, keying, None)
    form = PaperForm(collection=collection, form_number=number, first_by=user)
    form.set_first(keying)
    if PaperSetup.of(collection).double_entry:
        form.status = PaperStatus.AWAITING
        form.save()
        return Saved(
            form, f"Form {form.label} saved. Double entry is on: key it again to check it."
        )
    form.status = PaperStatus.SINGLE
    form.submission = _new_submission(collection, keying, user)
    form.save()
    return Saved(form, f"Form {form.label} saved as a response.")


def _second_keying(
    form: PaperForm, keying: Keying, user: Any, rules: Sequence[AnswerRule]
) -> Saved:
    _check_code(form.collection, keying, form)
    form.set_second(keying)
    form.second_by = user
    form.second_at = timezone.now()
    found = differences(form.first(), keying, rules)
    if found:
        form.status = PaperStatus.DISCREPANT
        form.save()
        fields = "1 field differs" if len(found) == 1 else f"{len(found)} fields differ"
        return Saved(
            form,
            f"Form {form.label} keyed a second time: {fields} from the first keying. "
            "Resolve the differences before it counts as a response.",
        )
    form.status = PaperStatus.AGREED
    form.submission = _new_submission(form.collection, form.first(), form.first_by)
    form.save()
    return Saved(
        form, f"Form {form.label} keyed a second time: both keyings agree. Saved as a response."
    )


def change_form(form: PaperForm, number: int, keying: Keying) -> Saved:
    """Correct an entered form (its response), or a first keying still waiting for its second.

    Keyings are kept as typed; a correction changes the response (and, for a form keyed only
    once, its keying). A form with differences to resolve is changed by resolving them.
    """
    with transaction.atomic():
        locked = PaperForm.objects.select_for_update().get(pk=form.pk)
        if locked.status == PaperStatus.DISCREPANT:
            raise KeyingRejectedError(
                "form_number", f"Form {locked.label} has differences to resolve first"
            )
        if number != locked.form_number:
            taken = PaperForm.objects.filter(
                collection_id=locked.collection_id, form_number=number
            ).exists()
            if taken:
                raise KeyingRejectedError(
                    "form_number",
                    f"Form {form_label(locked.collection_id, number)} is already in the list: "
                    "each form number is used once",
                )
            locked.form_number = number
        _check_code(locked.collection, keying, locked)
        if locked.status in (PaperStatus.SINGLE, PaperStatus.AWAITING):
            locked.set_first(keying)
        locked.save()
        if locked.submission is not None:
            _update_submission(locked.submission, keying)
    return Saved(locked, f"Form {locked.label} changed.")


def resolve_form(form: PaperForm, final: Keying) -> Saved:
    """Make a form whose keyings differed a response, with the values chosen for it."""
    with transaction.atomic():
        locked = PaperForm.objects.select_for_update().get(pk=form.pk)
        if locked.status != PaperStatus.DISCREPANT:
            raise KeyingRejectedError("form", f"Form {locked.label} has no differences to resolve")
        _check_code(locked.collection, final, locked)
        locked.status = PaperStatus.RESOLVED
        locked.submission = _new_submission(locked.collection, final, locked.first_by)
        locked.save()
    return Saved(locked, f"Form {locked.label} resolved and saved as a response.")


def delete_form(form: PaperForm) -> str:
    """Delete a paper form and the response it became; returns a sentence saying so."""
    label = form.label
    with transaction.atomic():
        submission = form.submission
        if submission is not None:
            # Deleting the response deletes its paper form too (and both are audited).
            submission.delete()
        else:
            form.delete()
    return f"Form {label} deleted."


def set_double_entry(collection: Collection, on: bool) -> str:
    """Switch double entry on or off; KeyingRejectedError if forms still wait for a keying."""
    with transaction.atomic():
        setup = PaperSetup.objects.select_for_update().filter(collection=collection).first()
        setup = setup or PaperSetup(collection=collection)
        if not on:
            waiting = PaperForm.objects.filter(
                collection=collection, status=PaperStatus.AWAITING
            ).count()
            if waiting:
                forms = "1 form is" if waiting == 1 else f"{waiting} forms are"
                raise KeyingRejectedError(
                    "double_entry",
                    f"{forms} waiting for a second keying: key them again, or delete them, "
                    "before switching double entry off",
                )
        setup.double_entry = on
        setup.save()
    if on:
        return "Double entry is on: each form must be keyed twice before it counts."
    return "Double entry is off: each form counts as soon as it is keyed."
