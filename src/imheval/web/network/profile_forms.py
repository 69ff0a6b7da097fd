"""Forms of the member profile: the public questionnaire's one page, consent, and merging
categories in the profile table.

The questionnaire form is built from the profile file (``imheval.instruments.profile``): every
question is optional, and each answer is checked by the core's
:func:`~imheval.instruments.profile.clean_answers`, so the web app and any file import agree on
what an answer may be. The template draws NHS.UK radios, checkboxes and number inputs from
:meth:`ProfileAnswersForm.fields_for_template`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict

from imheval.instruments.profile import (
    Answer,
    ChoiceQuestion,
    NumberQuestion,
    Profile,
    clean_answers,
)
from imheval.network.profile import check_collapse

#: The longest a number answer may be typed (a year count needs 4 characters; "12.5" is 4).
MAX_NUMBER_LENGTH = 10


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": "Tick the box to say you agree to take part"},
    )


@dataclass
class OptionView:
    id: str
    value: str
    label: str
    checked: bool
    exclusive: bool = False


@dataclass
class QuestionView:
    """What the template needs to draw one question."""

    name: str
    kind: str  # "radios", "checkboxes" or "number"
    legend: str
    hint: str
    error: str
    options: list[OptionView] = field(default_factory=list)
    value: str = ""
    unit: str = ""
    integer: bool = True


class ProfileAnswersForm:
    """One person's answers to a profile, from a POST (or empty, to show the page)."""

    def __init__(self, profile: Profile, data: QueryDict | None = None) -> None:
        self.profile = profile
        self.data = data
        self.errors: dict[str, str] = {}
        self.cleaned: dict[str, Answer] = {}

    def _raw(self, question: ChoiceQuestion | NumberQuestion) -> Any:
        if self.data is None:
            return None
        if isinstance(question, ChoiceQuestion) and question.multiple:
            return [code for code in self.data.getlist(question.id) if code]
        return self.data.get(question.id, "").strip()

    def is_valid(self) -> bool:
        """True when every answer given fits its question (any may be left out)."""
        self.errors, self.cleaned = {}, {}
        for question in self.profile.questions:
            raw = self._raw(question)
            if isinstance(raw, str) and len(raw) > MAX_NUMBER_LENGTH * 10:
                self.errors[question.id] = _message(question)
                continue
            try:
                self.cleaned.update(clean_answers(self.profile, {question.id: raw}))
            except ValueError as exc:
                self.errors[question.id] = _message(question, str(exc))
        return not self.errors

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in question order."""
        return [(_first_id(self.profile.question(q)), m) for q, m in self.errors.items()]

    def fields_for_template(self) -> list[QuestionView]:
        views = []
        for question in self.profile.questions:
            raw = self._raw(question)
            error = self.errors.get(question.id, "")
            if isinstance(question, NumberQuestion):
                views.append(
                    QuestionView(
                        name=question.id,
                        kind="number",
                        legend=question.text,
                        hint=question.hint,
                        error=error,
                        value=raw or "",
                        unit=question.unit,
                        integer=question.integer,
                    )
                )
                continue
            chosen = set(raw) if isinstance(raw, list) else {raw} if raw else set()
            views.append(
                QuestionView(
                    name=question.id,
                    kind="checkboxes" if question.multiple else "radios",
                    legend=question.text,
                    hint=question.hint,
                    error=error,
                    options=[
                        OptionView(
                            id=f"{question.id}-{index}",
                            value=code,
                            label=label,
                            checked=code in chosen,
                            exclusive=code in question.exclusive,
                        )
                        for index, (code, label) in enumerate(question.options.items(), 1)
                    ],
                )
            )
        return views


def _first_id(question: ChoiceQuestion | NumberQuestion) -> str:
    return question.id if isinstance(question, NumberQuestion) else f"{question.id}-1"


def _message(question: ChoiceQuestion | NumberQuestion, problem: str = "") -> str:
    """A plain message for a person answering (the core's names the question's id)."""
    if isinstance(question, NumberQuestion):
        whole = "a whole number" if question.integer else "a number"
        unit = f" {question.unit}" if question.unit else ""
        return (
            f"Enter {whole} from {question.min:g} to {question.max:g}{unit}, or leave the "
            f"question out ({question.table_label.lower()})"
        )
    if "cannot be chosen with another option" in problem:
        alone = next(iter(question.exclusive), "")
        return (
            f"'{question.options.get(alone, '')}' cannot be ticked with another answer "
            f"({question.table_label.lower()})"
        )
    if question.multiple:
        return f"Tick the answers that apply ({question.table_label.lower()})"
    return f"Choose one answer ({question.table_label.lower()})"


class MergeForm(forms.Form):
    """Merge categories of one question into one, shown under a new name."""

    question = forms.CharField(widget=forms.HiddenInput)
    label = forms.CharField(
        label="Name of the merged category",
        max_length=100,
        error_messages={"required": "Enter a name for the merged category"},
    )
    codes = forms.MultipleChoiceField(
        label="Categories to merge",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least two categories to merge"},
    )

    def __init__(
        self, profile: Profile, collapse: dict[str, dict[str, list[str]]], *args: Any, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.profile = profile
        self.collapse = collapse
        question_id = str(self.data.get("question", "")) if self.is_bound else ""
        try:
            question = profile.question(question_id)
        except KeyError:
            question = None
        options = question.options if isinstance(question, ChoiceQuestion) else {}
        self.fields["codes"].choices = list(options.items())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        question_id = cleaned.get("question", "")
        codes = cleaned.get("codes") or []
        label = (cleaned.get("label") or "").strip()
        if not question_id or self.errors:
            return cleaned
        proposed = {q: dict(groups) for q, groups in self.collapse.items()}
        groups = proposed.setdefault(question_id, {})
        if label in groups:
            self.add_error("label", f"There is already a merged category called '{label}'")
            return cleaned
        groups[label] = list(codes)
        try:
            self.merged = check_collapse(self.profile, proposed)
        except ValueError as exc:
            message = str(exc).split(": ", 1)[-1]
            self.add_error("codes", message[:1].upper() + message[1:])
        return cleaned
