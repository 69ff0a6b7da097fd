"""Open-text answers of the study's own questionnaires, added as sources to code.

A study of a cohort or a programme lists the open questions (``kind: open``) its questionnaires
ask, by timepoint, with how many people answered each. "Add the answers as a source" makes one
:class:`~imheval.web.qualitative.models.Source` per question and timepoint: each answer one turn,
its speaker an anonymous respondent label (made by
:func:`imheval.qualitative.transcripts.answers_source`, which also replaces the names listed).

What a respondent label may not tell, and how it is made sure of:

* **Not the participant's code.** Codes are never read here (only each response's random
  ``key`` and its answers), never stored with the source, never shown.
* **Not who answered first.** Answers are ordered by a hash of each response's random key, so
  the order is fixed for the same responses but follows neither the code, nor the order the
  responses arrived (which a trainer might remember), nor the paper forms' numbers.
* **Not the same person across questions.** Labels go on from the highest ``Answer R<n>`` (or
  ``R<n>``) the study already has, so each source's respondents are new speakers: two answers
  of one person to two questions are never joined into one case (together they could pick a
  person out).
* **Not a transcript's speaker.** A label reads "Answer R8", not "R8": speakers are the
  study's, matched by label, so a focus group's "R8" (a respondent, in many transcripts) would
  otherwise become the same case as an answer's respondent.

A question that fewer people answered than the small-group minimum (1 to ``min_size - 1``,
the first rule of :mod:`imheval.suppression`) is not added: its quotes could be told apart by
anyone who knows the few who answered. Counts of 1 to ``min_size - 1`` are shown as "fewer
than N", as every other count is.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from imheval.errors import ImhevalError, TranscriptError
from imheval.instruments.model import OpenItem
from imheval.qualitative import transcripts
from imheval.web.capture.journey import timepoint_phrase
from imheval.web.capture.models import Status, Submission
from imheval.web.organisations.access import FORM, Access
from imheval.web.qualitative.models import Source, SourceKind, Speaker, Study, Turn
from imheval.web.qualitative.study_access import CODE, may, organisation_page, require
from imheval.web.qualitative.views import _crumbs, _url, min_group_size
from imheval.web.workspace.models import Collection, Timepoint

#: The start of every respondent label ("Answer R8"): unlike a transcript's "R8".
RESPONDENT_PREFIX = "Answer R"
#: A label whose number the next respondent label goes on from: a respondent label, or a
#: transcript's "R" and a number (so that "Answer R7" and a transcript's "R7" never coexist).
RESPONDENT = re.compile(r"(?:Answer )?R(\d+)")
_TIMEPOINT_ORDER = {value: index for index, value in enumerate(Timepoint.values)}


@dataclass(frozen=True)
class OpenQuestion:
    """One open question at one timepoint of the study's scope, with its answers counted."""

    key: str  # "post/learned", "followup-12/learned": the form's value
    item: OpenItem
    instrument: str
    when: str  # "at the end of the training"
    collection_ids: tuple[int, ...]
    answered: int
    source: Source | None

    @property
    def origin(self) -> str:
        return origin_of(self.key)

    @property
    def source_name(self) -> str:
        return f"{self.item.id}: answers {self.when}"[:200]


def origin_of(key: str) -> str:
    """What the source made from a question's answers records as its origin (and how it is
    found again): "questionnaire answers: post/learned"."""
    return f"questionnaire answers: {key}"[:200]


def study_collections(study: Study) -> list[Collection]:
    """The questionnaires of the study's scope (none for a network group), cohorts in the order
    they ran, then pre, post and follow-up."""
    if study.cohort_id is not None:  # type: ignore[attr-defined]
        found = Collection.objects.filter(cohort_id=study.cohort_id)  # type: ignore[attr-defined]
    elif study.programme_id is not None:  # type: ignore[attr-defined]
        found = Collection.objects.filter(cohort__programme_id=study.programme_id)  # type: ignore[attr-defined]
    else:
        return []
    found = found.filter(cohort__programme__organisation=study.organisation)
    return sorted(
        found.select_related("cohort__programme__organisation"),
        key=lambda c: (
            _TIMEPOINT_ORDER.get(c.timepoint, 9),
            c.follow_up_weeks or 0,
            c.cohort.start_date,
            c.cohort_id,
        ),
    )


def _timepoint_key(collection: Collection) -> str:
    if collection.timepoint == Timepoint.FOLLOWUP:
        return f"{collection.timepoint}-{collection.follow_up_weeks or 0}"
    return str(collection.timepoint)


def open_questions(study: Study) -> tuple[list[OpenQuestion], list[str]]:
    """The open questions of the study's questionnaires, each with its answers counted, and a
    sentence for each questionnaire whose instruments cannot be read now."""
    asked: dict[str, tuple[OpenItem, str, str, list[int]]] = {}
    problems: list[str] = []
    for collection in study_collections(study):
        try:
            instruments = collection.instruments()
        except ImhevalError:
            problems.append(
                f"The {collection.get_timepoint_display().lower()} questionnaire of cohort "
                f"{collection.cohort.name} cannot be read now, so its questions are not listed."
            )
            continue
        forms_asked = collection.instrument_forms or {}
        for instrument in instruments:
            for question in instrument.form_questions(forms_asked.get(instrument.id)):
                if not isinstance(question, OpenItem):
                    continue
                key = f"{_timepoint_key(collection)}/{question.id}"
                if key not in asked:
                    asked[key] = (question, instrument.title, timepoint_phrase(collection), [])
                asked[key][3].append(collection.pk)
    answered = _answer_counts(asked)
    made = {
        source.origin: source
        for source in study.sources.filter(kind=SourceKind.OPEN_ANSWERS).defer("text")
    }
    found = [
        OpenQuestion(
            key, item, title, when, tuple(collections), answered[key], made.get(origin_of(key))
        )
        for key, (item, title, when, collections) in asked.items()
    ]
    return found, problems


def _answer_counts(asked: dict[str, tuple[OpenItem, str, str, list[int]]]) -> dict[str, int]:
    by_collection: dict[int, list[str]] = defaultdict(list)
    for key, (_, _, _, collections) in asked.items():
        for collection_id in collections:
            by_collection[collection_id].append(key)
    counts = dict.fromkeys(asked, 0)
    if not by_collection:
        return counts
    rows = Submission.objects.filter(
        collection_id__in=list(by_collection), status=Status.COMPLETE
    ).values_list("collection_id", "answers")
    for collection_id, answers in rows:
        for key in by_collection[collection_id]:
            if _text((answers or {}).get(asked[key][0].id)):
                counts[key] += 1
    return counts


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def respondent_answers(question: OpenQuestion) -> list[str]:
    """The non-blank answers to ``question``, in the order of a hash of each response's random
    key (see the module docstring); codes are not read."""
    rows = Submission.objects.filter(
        collection_id__in=question.collection_ids, status=Status.COMPLETE
    ).values_list("key", "answers")
    keyed = []
    for key, answers in rows:
        text = _text((answers or {}).get(question.item.id))
        if text:
            order = hashlib.sha256(f"imheval-respondent:{key}".encode()).hexdigest()
            keyed.append((order, text))
    return [text for _, text in sorted(keyed)]


def next_respondent_number(study: Study) -> int:
    """The first respondent number above every ``Answer R<n>`` and ``R<n>`` speaker of the study
    (1 for a study with none)."""
    numbers = [
        int(match.group(1))
        for label in study.speakers.values_list("label", flat=True)
        if (match := RESPONDENT.fullmatch(label))
    ]
    return max(numbers, default=0) + 1


@transaction.atomic
def add_answers_source(study: Study, question: OpenQuestion, names: dict[str, str]) -> Source:
    """Make the source of ``question``'s answers (see the module docstring), with its speakers
    and turns, in one transaction; ``names`` are replaced in the text before it is stored."""
    texts = respondent_answers(question)
    first = next_respondent_number(study)
    labelled = [(f"{RESPONDENT_PREFIX}{first + n}", text) for n, text in enumerate(texts)]
    transcript = transcripts.answers_source(labelled, names=names)
    source = Source.objects.create(
        study=study,
        name=question.source_name,
        kind=SourceKind.OPEN_ANSWERS,
        text=transcript.text,
        origin=question.origin,
    )
    speakers = {
        label: Speaker.objects.create(study=study, label=label) for label in transcript.speakers
    }
    Turn.objects.bulk_create(
        Turn(source=source, speaker=speakers[turn.speaker], start=turn.start, end=turn.end)
        for turn in transcript.turns
    )
    return source


class AddAnswersForm(forms.Form):
    """Which question's answers to add, and the names to replace in them (never kept)."""

    question = forms.ChoiceField(
        label="Which answers?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the question whose answers to add",
            "invalid_choice": "Choose one of the questions listed",
        },
    )
    names = forms.CharField(
        label="Names to replace (optional)",
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line, the name and its label, for example Sarah = [trainer]. People, "
        "places and services named in the answers are replaced before anything is saved. "
        "This list is not kept.",
    )

    def __init__(self, *args: Any, questions: list[OpenQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = {question.key: question for question in questions}
        self.fields["question"].choices = [  # type: ignore[attr-defined]
            (q.key, f"{q.item.text} ({q.when})") for q in questions
        ]

    def clean_names(self) -> dict[str, str]:
        try:
            return transcripts.parse_names(self.cleaned_data.get("names") or "")
        except TranscriptError as error:
            shown = [str(problem) for problem in error.problems[: error.max_listed]]
            raise forms.ValidationError(shown) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        question = self.questions.get(cleaned.get("question") or "")
        if question is None:
            return cleaned
        minimum = min_group_size()
        if question.source is not None:
            self.add_error("question", f"These answers are already the source {question.source}")
        elif question.answered == 0:
            self.add_error("question", "Nobody has answered this question yet")
        elif question.answered < minimum:
            self.add_error(
                "question",
                f"Fewer than {minimum} people have answered this question, so their answers "
                "cannot be added: quotes from so few could be told apart",
            )
        cleaned["chosen"] = question
        return cleaned


def shown_count(count: int, minimum: int) -> str:
    """A count of people as pages show it: "fewer than 5" for 1 to ``minimum - 1``."""
    return f"fewer than {minimum}" if 0 < count < minimum else f"{count:,}"


@organisation_page(methods=FORM)
def answers(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """The open questions of the study's questionnaires and their answer counts; for analysts,
    evaluators and admins, "Add the answers as a source"."""
    questions, problems = open_questions(study)
    may_change = may(access, CODE)
    addable = [q for q in questions if q.source is None]
    form = AddAnswersForm(request.POST if request.method == "POST" else None, questions=addable)
    if request.method == "POST":
        require(access, CODE)
        if form.is_valid():
            chosen: OpenQuestion = form.cleaned_data["chosen"]
            source = add_answers_source(study, chosen, form.cleaned_data["names"])
            messages.success(
                request,
                f"{source.name} added with {source.turns.count()} answers, each from its own "
                "respondent label.",
            )
            return redirect(_url("source", access, study=study, source=source))
    minimum = min_group_size()
    rows = [
        {
            "question": question,
            "answered": shown_count(question.answered, minimum),
            "source_url": _url("source", access, study=study, source=question.source)
            if question.source is not None
            else "",
        }
        for question in questions
    ]
    context = {
        "study": study,
        "rows": rows,
        "problems": problems,
        "form": form,
        "may_change": may_change,
        "has_addable": bool(addable),
        "network_group": study.network_group_id is not None,  # type: ignore[attr-defined]
        "min_group_size": minimum,
        "crumbs": _crumbs(access, study),
    }
    return render(request, "qualitative/answers.html", context)
