"""The questionnaire's steps: pages from instruments, the session's key, shared phones, submit.

The Django session holds, per questionnaire link, only the random key of the person's draft
(``capture:<token>``), and after they submit only a marker that they did
(``capture:<token>:done``), so a refresh of the thank-you page still thanks them. Nothing else
about the person is kept in the session (the throttle adds the times of recent starts, see
:mod:`imheval.web.capture.throttle`).

A phone may be shared. Whoever opens the link next is a stranger until they show otherwise, so
a draft that has a code is *held* (``capture:<token>:held``, the number of wrong tries) when the
start page is shown, and by any step once it has not been saved for
``IMHEVAL_CAPTURE_IDLE_MINUTES`` (:func:`hold_if_idle`: the next person may skip the start page
through the history or the back button). No step shows a held draft, or saves into it, until its
code is typed again (:func:`try_resume`). Giving consent always starts a new, empty draft, and
"I am someone else" forgets this browser's draft (:func:`forget_draft`); a draft left behind is
deleted later by :func:`imheval.web.capture.housekeeping.purge_stale`.

A participant page does little database work (the load benchmark has 100 phones at once): the
collection and the session's submission come from one query (:func:`find`), a page save or
the submit reads and locks that row in the same query, and the question pages are built once
per process (:func:`collection_pages`). Whether the collection is open is read every time.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from imheval.instruments import Instrument
from imheval.instruments.bank import builtin_ids, split_ref
from imheval.instruments.model import KeyedItem, OpenItem, RatingItem, RatingScale
from imheval.io.table import then_column
from imheval.web.capture.models import Status, Submission
from imheval.web.organisations import audit
from imheval.web.workspace.models import (
    Collection,
    InstrumentFile,
    Timepoint,
    instrument_uploads,
    resolve_instruments,
)

#: Minutes a typical question takes, for the "about N minutes" on the information page.
MINUTES_PER_QUESTION = 0.5


@dataclass(frozen=True)
class Question:
    """One item as asked: its number in the whole questionnaire and its answer choices (none
    for an open question, answered in the participant's own words)."""

    number: int
    item: KeyedItem | RatingItem | OpenItem
    choices: tuple[tuple[str, str], ...]  # (stored value, label shown)
    #: A retrospective rating item on the post-test form: asked twice, "Before the training
    #: (thinking back)" (stored as ``then_id``, ``<item>@then``) and "Now" (stored as ``id``).
    then_and_now: bool = False

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def then_id(self) -> str:
        """The answer key of the "thinking back" answer (``<item>@then``)."""
        return then_column(self.item.id)

    @property
    def answer_ids(self) -> tuple[str, ...]:
        """The answers this question stores: its id, and ``then_id`` when asked then and now."""
        return (self.then_id, self.id) if self.then_and_now else (self.id,)

    @property
    def text(self) -> str:
        return self.item.text

    @property
    def is_rating(self) -> bool:
        return isinstance(self.item, RatingItem)

    @property
    def is_open(self) -> bool:
        return isinstance(self.item, OpenItem)


#: What a rating scale asks, judged from its labels (and its id when it has no labels).
ScaleKind = Literal["agreement", "truth", "confidence", "frequency", "other"]

#: The words above a page of questions: for keyed questions, and for each kind of rating scale.
#: Every one ends by saying that any question may be left out, as on paper.
InstructionKey = ScaleKind | Literal["keyed", "mixed", "open"]
INSTRUCTIONS: dict[InstructionKey, str] = {
    "keyed": "Choose the one best answer to each question. If you are not sure, choose the answer "
    "you think is most likely.",
    "agreement": "Say how much you agree or disagree with each statement.",
    "truth": "Say how true each statement is of you.",
    "confidence": "Say how confident you feel about each statement.",
    "frequency": "Say how often each statement is true for you.",
    "other": "Choose the answer on the scale that best fits you for each statement.",
    "mixed": "Choose one answer to each question or statement.",
    "open": "Answer in your own words.",
}

#: The title of the page of an instrument's open questions that belong to no domain.
OPEN_PAGE_TITLE = "In your own words"
LEAVE_OUT = "You can leave out any you do not want to answer."

_KIND_WORDS: tuple[tuple[ScaleKind, tuple[str, ...]], ...] = (
    ("agreement", ("agree",)),
    ("truth", ("true",)),
    ("confidence", ("confident", "confidence")),
    ("frequency", ("never", "always", "often", "sometimes", "rarely")),
)


def scale_kind(scale: RatingScale, scale_id: str = "") -> ScaleKind:
    """What ``scale`` asks: agreement, how true of you, confidence, frequency, or other.

    Read from its labels ("Strongly disagree": agreement; "Not at all true of me": truth), and
    from its id only when it has no labels, since an id ("confidence") may name what the scale
    measures rather than what it asks.
    """
    words = " ".join(scale.labels.values()).casefold() if scale.labels else scale_id.casefold()
    for kind, markers in _KIND_WORDS:
        if any(marker in words for marker in markers):
            return kind
    return "other"


@dataclass(frozen=True)
class QuestionPage:
    """One page of questions: one domain of one instrument, items in the instrument's order.

    ``instruction`` is the sentence above the questions, fitted to them (see
    :data:`INSTRUCTIONS`).
    """

    number: int
    title: str
    questions: tuple[Question, ...]
    instruction: str = f"{INSTRUCTIONS['keyed']} {LEAVE_OUT}"

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Every answer the page stores: the item ids, and ``<item>@then`` for a question asked
        then and now (:attr:`Question.answer_ids`)."""
        return tuple(key for question in self.questions for key in question.answer_ids)

    @property
    def question_ids(self) -> tuple[str, ...]:
        """One id per question (its item's), for counting the questions answered."""
        return tuple(question.id for question in self.questions)


def _rating_choices(scale: RatingScale) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(value), scale.labels.get(value, str(value)))
        for value in range(scale.min, scale.max + 1)
    )


def question_pages(
    instruments: list[Instrument],
    forms: Mapping[str, str] | None = None,
    *,
    post_test: bool = False,
) -> list[QuestionPage]:
    """One page per domain of each instrument, in instrument order; empty domains are left out.
    A domain's open questions are on its page in file order; an instrument's open questions of
    no domain are on a page of their own (:data:`OPEN_PAGE_TITLE`) after its domains.

    ``forms`` names the parallel form asked of each instrument that has forms ({id: form}, a
    questionnaire's ``instrument_forms``): only that form's items (and those common to every
    form) are asked, numbered from 1 as the questionnaire shows them. An instrument not named
    asks all its items.

    On the ``post_test`` form a retrospective rating item is asked then and now
    (:attr:`Question.then_and_now`); pre-test and follow-up forms ask it once.
    """
    forms = forms or {}
    pages: list[QuestionPage] = []
    number = 0
    for instrument in instruments:
        asked = instrument.form_questions(forms.get(instrument.id))
        groups = [
            (domain.label, [q for q in asked if q.domain == domain.id])
            for domain in instrument.domains
        ]
        groups.append((OPEN_PAGE_TITLE, [q for q in asked if q.domain is None]))
        for title, items in groups:
            questions = []
            kinds: set[InstructionKey] = set()
            for item in items:
                number += 1
                if isinstance(item, OpenItem):
                    choices: tuple[tuple[str, str], ...] = ()
                elif isinstance(item, KeyedItem):
                    choices = tuple(item.options.items())
                    kinds.add("keyed")
                else:
                    scale = instrument.scales[item.scale]
                    choices = _rating_choices(scale)
                    kinds.add(scale_kind(scale, item.scale))
                then_and_now = post_test and isinstance(item, RatingItem) and item.retrospective
                questions.append(Question(number, item, choices, then_and_now))
            if questions:
                # Open questions carry their own hint; the words above fit the scored ones.
                kind: InstructionKey = (
                    "open" if not kinds else kinds.pop() if len(kinds) == 1 else "mixed"
                )
                instruction = f"{INSTRUCTIONS[kind]} {LEAVE_OUT}"
                pages.append(QuestionPage(len(pages) + 1, title, tuple(questions), instruction))
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


def opens_on(collection: Collection, today: datetime.date) -> datetime.date | None:
    """When a questionnaire that has never been opened is expected to open, if known and not past.

    A follow-up is due on its due date; a pre-test on the training's first day and a post-test on
    its last. Only a guide for the participant: the trainer opens it. None when the date has
    passed (the trainer is late, not the participant early) or is not known.
    """
    if collection.timepoint == Timepoint.FOLLOWUP:
        expected = collection.due_date()
    elif collection.timepoint == Timepoint.PRE:
        expected = collection.cohort.start_date
    else:
        expected = collection.cohort.end_date or collection.cohort.start_date
    return expected if expected is not None and expected >= today else None


def long_date(day: datetime.date) -> str:
    """A date as the NHS writes it: "Monday 2 November 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


# ------------------------------------------------------------------------------------ session


def session_key(token: str) -> str:
    return f"capture:{token}"


def done_key(token: str) -> str:
    return f"capture:{token}:done"


def held_key(token: str) -> str:
    return f"capture:{token}:held"


#: Wrong codes typed to carry on with a held draft before this browser forgets the draft.
MAX_RESUME_TRIES = 5

#: Minutes a draft with a code may go unsaved before a step holds it, unless
#: ``IMHEVAL_CAPTURE_IDLE_MINUTES`` says otherwise (0 turns it off). A page of questions takes a
#: few minutes; someone who pauses longer types their code again and loses nothing saved.
DEFAULT_IDLE_MINUTES = 20


def _key_in_session(session: SessionBase, token: str) -> uuid.UUID | None:
    value = session.get(session_key(token))
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _first(queryset: QuerySet[Any]) -> Any:
    """The first row of an unordered query, or None: no ORDER BY (the default orderings of
    collections and submissions join other tables and sort; a unique key needs neither)."""
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None


def find_collection(token: str) -> Collection | None:
    """The collection with this link token, with its cohort, programme and organisation (whose
    jurisdiction words the questions), in one query."""
    return _first(  # type: ignore[no-any-return]
        Collection.objects.select_related("cohort__programme__organisation").filter(token=token)
    )


def find(
    session: SessionBase, token: str, *, lock: bool = False
) -> tuple[Collection | None, Submission | None]:
    """The collection with this link token and the submission this session started for it.

    The submission is returned whatever its status (a complete one means this session has
    already submitted); it is None if the session names none, or one that is not there. When
    the session names a submission, both come from one query (its ``collection`` is the
    collection returned, with cohort and programme); otherwise the collection alone is read.
    Open or closed is read from the database on every call.

    ``lock`` (inside ``transaction.atomic``) locks the submission's row, and only that row, until
    the transaction ends, for :func:`save_locked_page` and :func:`complete_locked`.
    """
    key = _key_in_session(session, token)
    if key is not None:
        submissions = Submission.objects.select_related(
            "collection__cohort__programme__organisation"
        )
        if lock:
            # OF self: FOR UPDATE would otherwise lock the joined collection, cohort and
            # programme rows too, and every participant of a collection would queue on them.
            submissions = submissions.select_for_update(of=("self",))
        submission = _first(submissions.filter(key=key, collection__token=token))
        if submission is not None:
            return submission.collection, submission
    return find_collection(token), None


def draft_ref(draft: Submission) -> str:
    """A short name for ``draft`` that the browser may keep (a hash, not its key): the questions
    page's unsaved answers are kept in the tab under it, so another draft never gets them."""
    return hashlib.sha256(f"imheval-answers:{draft.key}".encode()).hexdigest()[:16]


def mark_done(session: SessionBase, token: str, *, empty: bool = False) -> None:
    """Forget the draft's key and remember only that this browser submitted (and whether it
    submitted no answers, for the thank-you page's words)."""
    session.pop(session_key(token), None)
    session.pop(held_key(token), None)
    session[done_key(token)] = "empty" if empty else True


def start_draft(session: SessionBase, collection: Collection) -> Submission:
    """A new, empty draft for ``collection``, now this session's (consent was given).

    Always new: whoever gives consent may not be the person who started the session's earlier
    draft (a shared phone), so that draft is forgotten here, never carried on. It stays in the
    database until :func:`~imheval.web.capture.housekeeping.purge_stale` deletes it.
    """
    draft = Submission.objects.create(collection=collection, status=Status.DRAFT)
    forget_draft(session, collection.token)
    session[session_key(collection.token)] = str(draft.key)
    return draft


def forget_draft(session: SessionBase, token: str) -> None:
    """Forget this browser's draft (and submitted marker) for ``token``: "I am someone else"."""
    for key in (session_key(token), held_key(token), done_key(token)):
        session.pop(key, None)


def hold(session: SessionBase, token: str) -> None:
    """Hide the session's draft until its code is typed again (see the module docstring)."""
    if held_key(token) not in session:
        session[held_key(token)] = 0


def is_held(session: SessionBase, token: str) -> bool:
    return held_key(token) in session


def idle_limit() -> datetime.timedelta | None:
    """How long a draft may go unsaved before a step holds it; None when the setting is 0."""
    minutes = int(getattr(settings, "IMHEVAL_CAPTURE_IDLE_MINUTES", DEFAULT_IDLE_MINUTES))
    return datetime.timedelta(minutes=minutes) if minutes > 0 else None


def hold_if_idle(
    session: SessionBase, token: str, draft: Submission, *, now: datetime.datetime | None = None
) -> bool:
    """Hold ``draft`` if it has a code and was last saved more than :func:`idle_limit` ago.

    Returns whether the draft is held (now, or already before). A draft without a code is never
    held: it has no profile or answers yet, so it shows nothing of anyone. Reads only the row the
    step has loaded (``saved_at``), so it adds no query; ``now`` is for tests.
    """
    if is_held(session, token):
        return True
    limit = idle_limit()
    if not draft.code or limit is None:
        return False
    if (now or timezone.now()) - draft.saved_at <= limit:
        return False
    hold(session, token)
    return True


ResumeOutcome = Literal["resumed", "wrong", "forgotten"]


def try_resume(session: SessionBase, draft: Submission, typed_code: str) -> ResumeOutcome:
    """Carry on with the held ``draft`` if ``typed_code`` (folded) is its code.

    Returns "resumed" (the draft is shown again), "wrong" (try again) or "forgotten": after
    :data:`MAX_RESUME_TRIES` wrong codes the browser forgets the draft, so its code cannot be
    found by trying codes. The answer compares with this draft only; no other code is read.
    """
    token = draft.collection.token
    if hmac.compare_digest(typed_code.encode(), draft.code.encode()):
        session.pop(held_key(token), None)
        # The idle time starts again, or the next step would hold the draft at once.
        draft.save(update_fields=["saved_at"])
        return "resumed"
    tries = int(session.get(held_key(token), 0)) + 1
    if tries >= MAX_RESUME_TRIES:
        forget_draft(session, token)
        return "forgotten"
    session[held_key(token)] = tries
    return "wrong"


# ------------------------------------------------------------------------------ question pages

#: Question pages by (organisation id, instrument refs, uploaded files' ids and text hashes,
#: jurisdiction, forms): built once per process, shared read-only by every request (pages and
#: questions are frozen and never changed). Changed refs, a changed or replaced upload, another
#: jurisdiction or another form make a new key.
_PAGES: dict[tuple[Any, ...], tuple[QuestionPage, ...]] = {}
#: (organisation id, refs) of built-in instruments that an upload stands in for (see below).
_SHADOWED: set[tuple[int, tuple[str, ...]]] = set()
#: Entries kept before the cache starts again (each is a few kilobytes).
PAGES_CACHE_SIZE = 256


@cache
def _builtin_ids() -> frozenset[str]:
    return frozenset(builtin_ids())


def _fingerprint(uploads: dict[str, InstrumentFile]) -> tuple[tuple[str, int, str], ...]:
    return tuple(
        (ref, file.pk, hashlib.sha256(file.text.encode()).hexdigest())
        for ref, file in sorted(uploads.items())
    )


def collection_pages(collection: Collection) -> tuple[QuestionPage, ...]:
    """The question pages of ``collection``'s instruments, built once per process.

    A collection that names an uploaded instrument reads the organisation's files on every
    call (one query), so a changed upload is seen at once. One whose instruments are all built
    in needs no query once its pages are built: when they are built, the organisation's files
    are read as well, because an upload comes first (the upload form and the admin refuse a
    built-in id, so only a file saved some other way, or a release adding a built-in instrument
    with an uploaded file's id, could make one; an organisation found to have one is read on
    every call from then on). Raises ImhevalError if an instrument is neither uploaded nor
    built in, or no longer reads.
    """
    refs = tuple(collection.pinned_refs())  # built-ins at their pinned versions
    organisation = collection.organisation
    organisation_id = organisation.pk
    # whose words, and which parallel forms: part of the key, as they change the pages
    asked = (organisation.jurisdiction, tuple(sorted((collection.instrument_forms or {}).items())))
    all_builtin = all(split_ref(ref)[0] in _builtin_ids() for ref in refs)
    uploads: dict[str, InstrumentFile] | None = None
    if not all_builtin or (organisation_id, refs) in _SHADOWED:
        uploads = instrument_uploads(organisation_id, refs)
        key = (organisation_id, refs, _fingerprint(uploads), asked)
    else:
        key = (organisation_id, refs, (), asked)
    pages = _PAGES.get(key)
    if pages is None:
        if uploads is None:
            uploads = instrument_uploads(organisation_id, refs)
            if uploads:
                _SHADOWED.add((organisation_id, refs))
                key = (organisation_id, refs, _fingerprint(uploads), asked)
        instruments = resolve_instruments(organisation, list(refs), uploads=uploads, as_asked=True)
        pages = tuple(question_pages(instruments, collection.instrument_forms))
        if len(_PAGES) >= PAGES_CACHE_SIZE:
            _PAGES.clear()
        _PAGES[key] = pages
    if collection.timepoint == Timepoint.POST:
        return _post_test_pages(pages)
    return pages


def _post_test_pages(pages: tuple[QuestionPage, ...]) -> tuple[QuestionPage, ...]:
    """``pages`` as the post-test form asks them: retrospective rating items then and now (as
    :func:`question_pages` with ``post_test``). Made from the cached pages, with no query;
    the same pages when no item is retrospective."""
    if not any(_retrospective(q) for page in pages for q in page.questions):
        return pages
    return tuple(
        dataclasses.replace(
            page,
            questions=tuple(
                dataclasses.replace(q, then_and_now=True) if _retrospective(q) else q
                for q in page.questions
            ),
        )
        for page in pages
    )


def _retrospective(question: Question) -> bool:
    return isinstance(question.item, RatingItem) and question.item.retrospective


# ------------------------------------------------------------------------------------ code


def set_code(draft: Submission, code: str) -> None:
    """Give the draft its code. Nothing is looked up by code: whether a code was used before
    is never read here, so no page can differ for a code someone else has used."""
    draft.code = code
    draft.save(update_fields=["code", "saved_at"])


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
        locked = _first(Submission.objects.select_for_update(of=("self",)).filter(pk=draft.pk))
        if locked is None or locked.status != Status.DRAFT:
            return False
        save_locked_page(locked, page, answers)
    draft.answers, draft.page, draft.saved_at = locked.answers, locked.page, locked.saved_at
    return True


def save_locked_page(draft: Submission, page: QuestionPage, answers: dict[str, str]) -> None:
    """:func:`save_page` for a draft read under its row lock in the current transaction."""
    merged = dict(draft.answers)
    for item_id in page.item_ids:
        if answers.get(item_id):
            merged[item_id] = answers[item_id]
        else:
            merged.pop(item_id, None)
    draft.answers = merged
    draft.page = max(draft.page, page.number)
    draft.save(update_fields=["answers", "page", "saved_at"])


def complete(draft: Submission) -> Submission:
    """Submit the draft exactly once; a repeat (double tap, refresh, retry) changes nothing.

    The row is locked, and only a draft becomes complete (see :func:`complete_locked`).
    """
    with transaction.atomic():
        locked = Submission.objects.select_for_update(of=("self",)).get(pk=draft.pk)
        if Submission.collection.is_cached(draft):  # type: ignore[attr-defined]
            locked.collection = draft.collection  # the audit names it: no need to read it again
        complete_locked(locked)
    return locked


def complete_locked(submission: Submission) -> None:
    """Make ``submission``, read under its row lock in the current transaction, complete.

    A draft with no answers at all becomes ``empty`` instead: it is kept as submitted but never
    analysed or counted as a response. Only a draft changes, through ``save()`` so that the
    audit log records the response (once); the log compares with the row as read under the lock.
    """
    if submission.status == Status.DRAFT:
        audit.remember_loaded(submission)
        submission.status = Status.COMPLETE if submission.answers else Status.EMPTY
        submission.completed_at = timezone.now()
        submission.save(update_fields=["status", "completed_at"])
