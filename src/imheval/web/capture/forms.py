"""The participant's forms: consent, the anonymous code, profession and directorate, questions.

Each form also describes itself for the templates (``radio_group``, ``error_list``), so the
NHS.UK markup is written once, in ``capture/_radios.html`` and ``capture/_error_summary.html``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from imheval.instruments.model import OpenItem
from imheval.web.capture.codes import (
    CODE_EXAMPLE,
    CODE_PARTS,
    DIRECTORATES,
    PROFESSIONS,
    fold,
    normalise_part,
)
from imheval.web.capture.journey import QuestionPage


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    id: str
    checked: bool


@dataclass(frozen=True)
class TextBox:
    """One open question as the template draws it (NHS.UK character count)."""

    name: str
    label: str
    hint: str
    error: str
    value: str
    max_length: int


#: The hint under every open question: answers may be read by the evaluation team and quoted.
OPEN_HINT = "Do not write names of people or places."


class OpenAnswerField(forms.CharField):
    """Text in the participant's own words: line endings as one character each (a browser
    sends CRLF, which its character count counts as one), surrounding spaces removed."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class RadioGroup:
    """One radio question as the template draws it (a fieldset with a legend)."""

    name: str
    legend: str
    hint: str
    error: str
    options: tuple[Option, ...]

    @property
    def first_id(self) -> str:
        return self.options[0].id if self.options else f"id_{self.name}"


#: The two legends of a retrospective question on the post-test form, and the hint above them.
THEN_LEGEND = "Before the training (thinking back)"
NOW_LEGEND = "Now"
THEN_NOW_HINT = (
    "Answer twice: how you would have answered before the training, thinking back now, and "
    "how you would answer today."
)


@dataclass(frozen=True)
class ThenNow:
    """A retrospective question on the post-test form as the template draws it: a fieldset with
    the question as its legend, holding two radio groups, then and now."""

    name: str
    legend: str
    hint: str
    then: RadioGroup
    now: RadioGroup


class ParticipantForm(forms.Form):
    """Shared helpers: every error with the id of the field it belongs to, for the summary."""

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor id, message) for each error, in field order."""
        found: list[tuple[str, str]] = []
        for name in self.fields:
            for message in self.errors.get(name, []):
                found.append((self.anchor(name), str(message)))
        return found

    def anchor(self, name: str) -> str:
        return f"id_{name}"

    def first_error(self, name: str) -> str:
        messages = self.errors.get(name)
        return str(messages[0]) if messages else ""

    def radio_group(self, name: str, legend: str, hint: str = "") -> RadioGroup:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        current = self[name].value()
        # The blank choice (an optional question) is not drawn, nor numbered: the first radio
        # drawn is id_<name>, the one the error summary links to.
        choices = [(value, label) for value, label in field.choices if value != ""]
        options = tuple(
            Option(
                value=str(value),
                label=str(label),
                id=f"id_{name}" if index == 0 else f"id_{name}-{index + 1}",
                checked=current is not None and str(current) == str(value),
            )
            for index, (value, label) in enumerate(choices)
        )
        return RadioGroup(name, legend, hint, self.first_error(name), options)


class ConsentForm(ParticipantForm):
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": "Tick the box to say that you agree to take part"},
    )


class CodeForm(ParticipantForm):
    """The code's parts, typed one by one, then the whole code typed again to confirm it.

    Each part is made as the recipe wants from what is typed (:func:`normalise_part`: "Newry"
    gives NE, 7 gives 07). Whenever the code typed again is not the code the parts make, the
    page comes back with the parts as made, the code shown (``made_code``) and the last box
    empty: nobody carries on without having seen and typed the exact code they will need again.
    """

    confirm = forms.CharField(
        required=False,
        max_length=40,
        label="Type your whole code again",
        help_text=(
            f"Put your answers together in order, for example {CODE_EXAMPLE}. Typing it twice "
            "helps you remember it for next time."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        confirm = self.fields.pop("confirm")  # the parts come first, the whole code last
        for part in CODE_PARTS:
            self.fields[part.name] = forms.CharField(
                required=False, max_length=20, label=part.label, help_text=part.hint
            )
        self.fields["confirm"] = confirm
        #: The code the parts make, once all of them are right (shown if not yet confirmed).
        self.made_code = ""
        self._made_parts: dict[str, str] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        pieces = []
        for part in CODE_PARTS:
            try:
                piece = normalise_part(part, cleaned.get(part.name) or "")
            except ValueError as problem:
                self.add_error(part.name, str(problem))
            else:
                pieces.append(piece)
                self._made_parts[part.name] = piece
        if len(pieces) == len(CODE_PARTS):
            self.made_code = "".join(pieces)
        confirm = fold(cleaned.get("confirm") or "")
        if not confirm:
            self.add_error(
                "confirm",
                f"Type your whole code again: your answers make {self.made_code}"
                if self.made_code
                else "Type your whole code again",
            )
        elif self.made_code and confirm != self.made_code:
            self.add_error(
                "confirm",
                "The code you typed again does not match your answers above, which make "
                f"{self.made_code}: check both",
            )
        if not self.errors:
            cleaned["code"] = self.made_code
        return cleaned

    def _shown_value(self, name: str) -> str:
        """A part as made (7 shows as 07) once the code is made; the last box then empty."""
        if self.made_code and self.errors:
            return self._made_parts.get(name, "")
        return str(self[name].value() or "")

    def inputs(self) -> list[dict[str, Any]]:
        """The text inputs, in order, for the template."""
        return [
            {
                "name": name,
                "id": self.anchor(name),
                "label": field.label,
                "hint": field.help_text,
                "value": self._shown_value(name),
                "error": self.first_error(name),
                "width": 10 if name == "confirm" else 2,
            }
            for name, field in self.fields.items()
        ]


class ResumeForm(ParticipantForm):
    """The whole code, typed again to carry on with answers started on this device."""

    code = forms.CharField(
        required=False,
        max_length=40,
        label="Your anonymous code",
        help_text=f"The code you made when you started, for example {CODE_EXAMPLE}.",
    )

    def clean_code(self) -> str:
        code = fold(self.cleaned_data.get("code") or "")
        if not code:
            raise forms.ValidationError("Type the code you made when you started")
        return code


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


class AboutYouForm(ParticipantForm):
    profession = forms.ChoiceField(
        choices=_choices(PROFESSIONS),
        error_messages={
            "required": "Select your profession",
            "invalid_choice": "Select your profession from the list",
        },
    )
    directorate = forms.ChoiceField(
        choices=_choices(DIRECTORATES),
        error_messages={
            "required": "Select the directorate you work in",
            "invalid_choice": "Select the directorate you work in from the list",
        },
    )

    def groups(self) -> list[RadioGroup]:
        return [
            self.radio_group("profession", "What is your profession?"),
            self.radio_group(
                "directorate",
                "Which directorate do you work in?",
                "The part of your organisation your service belongs to.",
            ),
        ]


class QuestionsForm(ParticipantForm):
    """One page of questions; every answer is optional, but must be one of the choices."""

    def __init__(self, page: QuestionPage, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page = page
        for question in page.questions:
            if isinstance(question.item, OpenItem):
                limit = question.item.max_length
                self.fields[question.id] = OpenAnswerField(
                    required=False,
                    max_length=limit,
                    error_messages={
                        "max_length": f"Your answer must be {limit:,} characters or fewer",
                        "null_characters_not_allowed": "Your answer has a character that "
                        "cannot be saved; type it again without pasting",
                    },
                )
                continue
            for name in question.answer_ids:  # the then answer first, as it is asked
                self.fields[name] = forms.ChoiceField(
                    required=False,
                    choices=[("", ""), *question.choices],
                    error_messages={"invalid_choice": "Choose one of the answers given"},
                )

    def groups(self) -> list[RadioGroup]:
        """The questions answered by choosing (every one but the open questions)."""
        found: list[RadioGroup] = []
        for _kind, entry in self.entries():
            if isinstance(entry, ThenNow):
                found.extend((entry.then, entry.now))
            elif isinstance(entry, RadioGroup):
                found.append(entry)
        return found

    def entries(self) -> list[tuple[str, RadioGroup | TextBox | ThenNow]]:
        """Every question in page order, as ("radio", group), ("open", text box) or
        ("then_now", the two groups of a retrospective question on the post-test form)."""
        found: list[tuple[str, RadioGroup | TextBox | ThenNow]] = []
        for question in self.page.questions:
            legend = f"{question.number}. {question.text}"
            if question.then_and_now:
                pair = ThenNow(
                    question.id,
                    legend,
                    THEN_NOW_HINT,
                    self.radio_group(question.then_id, THEN_LEGEND),
                    self.radio_group(question.id, NOW_LEGEND),
                )
                found.append(("then_now", pair))
                continue
            if isinstance(question.item, OpenItem):
                value = self[question.id].value()
                box = TextBox(
                    question.id,
                    legend,
                    OPEN_HINT,
                    self.first_error(question.id),
                    "" if value is None else str(value),
                    question.item.max_length,
                )
                found.append(("open", box))
            else:
                found.append(("radio", self.radio_group(question.id, legend)))
        return found

    def answers(self) -> dict[str, str]:
        return {name: str(value) for name, value in self.cleaned_data.items() if value}
