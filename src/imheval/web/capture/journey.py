"""The questionnaire's steps: pages from instruments, the session's one key, "asked once", submit.

The Django session holds, per questionnaire link, only the random key of the person's draft
(``capture:<token>``), and after they submit only a marker that they did
(``capture:<token>:done``), so a refresh of the thank-you page still thanks them. Nothing else
about the person is kept in the session.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from imheval.instruments import Instrument
from imheval.instruments.model import KeyedItem, RatingItem, RatingScale
from imheval.web.capture.models import Status, Submission
from imheval.web.workspace.models import Collection, Timepoint

#: Minutes a typical question takes, for the "about N minutes" on the information page.
MINUTES_PER_QUESTION = 0.5


@dataclass(frozen=True)
class Question:
    """One item as asked: its number in the whole questionnaire and its answer choices."""

    number: int
    item: KeyedItem | RatingItem
    choices: tuple[tuple[str, str], ...]  # (stored value, label shown)

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def text(self) -> str:
        return self.item.text

    @property
    def is_rating(self) -> bool:
        return isinstance(self.item, RatingItem)


@dataclass(frozen=True)
class QuestionPage:
    """One page of questions: one domain of one instrument, items in the instrument's order."""

    number: int
    title: str
    questions: tuple[Question, ...]

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(question.id for question in self.questions)

    @property
    def all_rating(self) -> bool:
        return all(question.is_rating for question in self.questions)


def _rating_choices(scale: RatingScale) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(value), scale.labels.get(value, str(value)))
        for value in range(scale.min, scale.max + 1)
    )


def question_pages(instruments: list[Instrument]) -> list[QuestionPage]:
    """One page per domain of each instrument, in instrument order; empty domains are left out."""
    pages: list[QuestionPage] = []
    number = 0
    for instrument in instruments:
        for domain in instrument.domains:
            questions = []
            for item in instrument.items_in(domain.id):
                number += 1
                if isinstance(item, KeyedItem):
                    choices = tuple(item.options.items())
                else:
                    choices = _rating_choices(instrument.scales[item.scale])
                questions.append(Question(number, item, choices))
            if questions:
                pages.append(QuestionPage(len(pages) + 1, domain.label, tuple(questions)))
    return pages


def estimated_minutes(question_count: int) -> int:
    """Roughly how long the questionnaire takes, rounded up to whole 5 minutes (at least 5)."""
    minutes = question_count * MINUTES_PER_QUESTION
    return max(5, 5 * math.ceil(minutes / 5))


def timepoint_phrase(collection: Collection) -> str:
    """When this questionnaire is answered, in words: "before the training" and so on."""
    if collection.timepoint == Timepoint.PRE:
        return "before the training"
    if collection.timepoint == Timepoint.POST:
        return "at the end of the training"
    weeks = collection.follow_up_weeks or 0
    return f"{weeks} week{'' if weeks == 1 else 's'} after the training"


# ------------------------------------------------------------------------------------ session


def session_key(token: str) -> str:
    return f"capture:{token}"


def done_key(token: str) -> str:
    return f"capture:{token}:done"


def draft_in_session(session: SessionBase, collection: Collection) -> Submission | None:
    """The draft this session started for ``collection``, or None (none, unknown or complete)."""
    value = session.get(session_key(collection.token))
    if not value:
        return None
    try:
        key = uuid.UUID(str(value))
    except ValueError:
        return None
    return Submission.objects.filter(collection=collection, key=key, status=Status.DRAFT).first()


def submitted_in_session(session: SessionBase, collection: Collection) -> bool:
    """Whether this session's questionnaire for ``collection`` has already been submitted.

    True when the session still names its draft but that row is complete: a second tap that
    read the session before the first saved it, or a retry after the server stopped between
    committing the response and saving the session.
    """
    value = session.get(session_key(collection.token))
    if not value:
        return False
    try:
        key = uuid.UUID(str(value))
    except ValueError:
        return False
    return Submission.objects.filter(
        collection=collection, key=key, status=Status.COMPLETE
    ).exists()


def mark_done(session: SessionBase, token: str) -> None:
    """Forget the draft's key and remember only that this browser submitted."""
    session.pop(session_key(token), None)
    session[done_key(token)] = True


def start_draft(session: SessionBase, collection: Collection) -> Submission:
    """The session's draft for ``collection``, made now if there is none (a repeat reuses it)."""
    draft = draft_in_session(session, collection)
    if draft is None:
        draft = Submission.objects.create(collection=collection, status=Status.DRAFT)
    session[session_key(collection.token)] = str(draft.key)
    session.pop(done_key(collection.token), None)
    return draft


# ------------------------------------------------------------------------------- asked once


def earlier_profile(collection: Collection, code: str, *, exclude: int | None) -> Submission | None:
    """The latest complete submission in the same cohort with ``code`` and a profession, if any.

    A person who gave their profession and directorate before (at pre-test, say) is not asked
    again: their answers are copied from it.
    """
    if not code:
        return None
    earlier = Submission.objects.filter(
        collection__cohort_id=collection.cohort_id, code=code, status=Status.COMPLETE
    ).exclude(profession="")
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude)
    return earlier.order_by("-completed_at", "-id").first()


def set_code(draft: Submission, code: str) -> None:
    """Give the draft its code, copying profession and directorate from an earlier answer."""
    if code != draft.code:
        # Values copied for (or typed with) another code no longer belong to this person.
        draft.profession = ""
        draft.directorate = ""
    draft.code = code
    earlier = earlier_profile(draft.collection, code, exclude=draft.pk)
    if earlier is not None:
        draft.profession = earlier.profession
        draft.directorate = earlier.directorate
    draft.save(update_fields=["code", "profession", "directorate"])


# ---------------------------------------------------------------------------------- saving


def save_page(draft: Submission, page: QuestionPage, answers: dict[str, str]) -> bool:
    """Merge one page's answers into the draft and note the furthest page reached.

    The page's items take exactly the posted answers (a blank removes an earlier answer). Returns
    False if the submission is no longer a draft (it was submitted meanwhile).
    """
    with transaction.atomic():
        # No ORDER BY and OF self: Submission's default ordering joins its collection and
        # cohort, and FOR UPDATE would then lock those rows too, so every page save in a
        # collection would queue on one cohort row under load (seen in the load benchmark).
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .filter(pk=draft.pk)
            .order_by()
            .first()
        )
        if locked is None or locked.status != Status.DRAFT:
            return False
        merged = dict(locked.answers)
        for item_id in page.item_ids:
            if answers.get(item_id):
                merged[item_id] = answers[item_id]
            else:
                merged.pop(item_id, None)
        locked.answers = merged
        locked.page = max(locked.page, page.number)
        locked.save(update_fields=["answers", "page"])
    return True


def complete(draft: Submission) -> Submission:
    """Submit the draft exactly once; a repeat (double tap, refresh, retry) changes nothing.

    The row is locked, and only a draft becomes complete, through ``save()`` so that the audit
    log records the response (once).
    """
    with transaction.atomic():
        locked = Submission.objects.select_for_update(of=("self",)).get(pk=draft.pk)
        if locked.status == Status.DRAFT:
            locked.status = Status.COMPLETE
            locked.completed_at = timezone.now()
            locked.save()
    return locked
