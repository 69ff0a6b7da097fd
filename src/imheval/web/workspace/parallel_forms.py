"""Parallel forms on a cohort's page: which form each questionnaire asks, and changing the order.

An instrument with parallel forms (imh-core 2.0.0: forms A and B, which never share an item) is
asked on one form before the training and the other after it, so nobody answers the same
questions twice. :meth:`Collection.assigned_forms` records each questionnaire's form when it is
set up, alternating the order across a programme's cohorts (A then B, B then A, ...), so the
difference between the forms can be estimated and equated by the core. The trainer can change a
cohort's order here until anyone answers (then it is fixed, like the version asked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from imheval.errors import ImhevalError
from imheval.web.workspace.cohort_setup import has_answers
from imheval.web.workspace.models import Cohort, Collection, first_form, form_at

#: How each timepoint is said after its form: "Form A before, form B after".
_WHEN: dict[str, str] = {
    "pre": "before",
    "post": "after",
    "followup": "at follow-up",
}


@dataclass(frozen=True, slots=True)
class FormOrder:
    """The forms one instrument is asked on in one cohort: ``forms`` {timepoint: form}."""

    instrument_id: str
    title: str
    form_ids: tuple[str, ...]
    forms: dict[str, str]

    @property
    def first(self) -> str:
        """The form asked before the training (worked out from the post-test if there is none)."""
        for timepoint in ("pre", "followup", "post"):
            if timepoint in self.forms:
                return first_form(timepoint, self.forms[timepoint], self.form_ids)
        return self.form_ids[0]

    @property
    def sentence(self) -> str:
        """ "Form A before, form B after" (with ", form A at follow-up" when there is one)."""
        parts = [
            f"form {self.forms[timepoint]} {words}"
            for timepoint, words in _WHEN.items()
            if timepoint in self.forms
        ]
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]


def order_sentence(first: str, form_ids: tuple[str, ...]) -> str:
    """The order that starts with ``first``, in words: "Form B before, form A after"."""
    return f"Form {first} before, form {form_at('post', first, form_ids)} after"


def cohort_form_orders(cohort: Cohort) -> list[FormOrder]:
    """Each instrument with parallel forms that the cohort's questionnaires ask, with the form
    each questionnaire asks, in the order the instruments are first met (pre, post, follow-up).
    An instrument that cannot be read is left out (the questionnaire's own page says why)."""
    collections = sorted(
        Collection.objects.filter(cohort=cohort).select_related("cohort__programme__organisation"),
        key=lambda c: list(_WHEN).index(str(c.timepoint)),
    )
    orders: dict[str, FormOrder] = {}
    for collection in collections:
        if not collection.instrument_forms:
            continue
        try:
            instruments = {i.id: i for i in collection.instruments()}
        except ImhevalError:
            continue
        for instrument_id, form in collection.instrument_forms.items():
            instrument = instruments.get(instrument_id)
            if instrument is None or not instrument.form_ids:
                continue
            order = orders.setdefault(
                instrument_id,
                FormOrder(instrument_id, instrument.title, instrument.form_ids, {}),
            )
            order.forms[collection.timepoint] = form
    return list(orders.values())


def set_first_form(cohort: Cohort, instrument_id: str, first: str) -> None:
    """Ask ``first`` before the training (and the next form after it) in every questionnaire of
    ``cohort`` that asks ``instrument_id``; each change is logged. Raises ValidationError once
    anyone has answered the cohort's questionnaires: their answers are on the forms they had."""
    with transaction.atomic():
        if has_answers(cohort):
            raise ValidationError(
                "People have already answered this cohort's questionnaires, so the forms they "
                "ask can no longer change."
            )
        for order in cohort_form_orders(cohort):
            if order.instrument_id != instrument_id:
                continue
            if first not in order.form_ids:
                raise ValidationError(f"Choose one of forms {', '.join(order.form_ids)}.")
            for collection in Collection.objects.filter(cohort=cohort):
                if instrument_id not in (collection.instrument_forms or {}):
                    continue
                collection.instrument_forms = {
                    **collection.instrument_forms,
                    instrument_id: form_at(collection.timepoint, first, order.form_ids),
                }
                collection.save(update_fields=["instrument_forms"])


class FormOrderForm(forms.Form):
    """Which form of each instrument in ``orders`` the cohort answers before the training: one
    field per instrument, named by its id."""

    HELP = (
        "People answer the other form after the training, so nobody sees the same questions "
        "twice, and the follow-up asks the same form as the pre-test. The cohorts of a "
        "programme take turns, so the two forms can be compared: keep the order unless you "
        "have a reason, for example a cohort that was given the wrong paper forms."
    )

    def __init__(self, *args: Any, cohort: Cohort, orders: list[FormOrder], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.orders = orders
        for order in orders:
            self.fields[order.instrument_id] = forms.ChoiceField(
                choices=[(form, order_sentence(form, order.form_ids)) for form in order.form_ids],
                initial=order.first,
                widget=forms.RadioSelect,
                label=(
                    "Which form do people answer before the training?"
                    if len(orders) == 1
                    else f"{order.title}: which form do people answer before the training?"
                ),
                help_text=self.HELP,
                error_messages={"required": "Choose which form people answer before the training"},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if has_answers(self.cohort):
            raise ValidationError(
                "People have already answered this cohort's questionnaires, so the forms they "
                "ask can no longer change. Set up a new cohort to use another order."
            )
        return cleaned

    def save(self) -> list[FormOrder]:
        """Apply the chosen orders; returns the cohort's orders as they now are."""
        with transaction.atomic():
            for order in self.orders:
                chosen = self.cleaned_data[order.instrument_id]
                if chosen != order.first:
                    set_first_form(self.cohort, order.instrument_id, chosen)
        return cohort_form_orders(self.cohort)
