"""The participant's questionnaire pages: no sign-in, reached by the collection's link.

Steps, each a page: information and consent (``start``), the anonymous code, profession and
directorate, one page per domain, check, thank you. Every request first finds the collection by
its token: an unknown link gets a plain "not recognised" page (404), a collection never opened
a plain "not open yet, come back" page (200, with the date it is expected to open if known), and
one opened and then closed a plain "closed" page (410, Gone; the same link works again if the
trainer reopens it). Neither page says anything else about the collection. Pages after consent
need the draft remembered in the session; without one they go back to the start.

Shared phones: the start page holds an earlier draft that has a code, and every step holds one
left unsaved for longer than the idle limit (see :mod:`~imheval.web.capture.journey`), so the
next person sees nothing of it: carrying on asks
for the code (``resume``), "I am someone else" (``someone_else``) forgets it, and consent always
starts afresh. No page depends on whether a code was used before by anyone. Starting is limited
per link and per browser (:mod:`~imheval.web.capture.throttle`; 429 with a plain page).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from imheval.errors import ImhevalError
from imheval.web.capture import journey, throttle
from imheval.web.capture.codes import CODE_EXAMPLE, CODE_RECIPE
from imheval.web.capture.forms import (
    AboutYouForm,
    CodeForm,
    ConsentForm,
    QuestionsForm,
    ResumeForm,
)
from imheval.web.capture.models import Status, Submission
from imheval.web.workspace.models import Collection, Timepoint

#: Longer than any token we make (43 characters); longer links are not looked up.
MAX_TOKEN_LENGTH = 64

#: Status of the "closed" page: 410 Gone tells browsers and link checkers the questionnaire is
#: not available, while the page itself explains in plain words.
CLOSED_STATUS = 410


class _Stop(Exception):  # noqa: N818 (a control-flow signal, not an error)
    """Raised inside a step to answer with ``response`` instead (not found, closed, restart)."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__()
        self.response = response


StepView = Callable[..., HttpResponse]


def participant_step(view: StepView) -> StepView:
    """GET and POST only, never cached (shared phones), and a :class:`_Stop` becomes its page."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, token, **kwargs)
        except _Stop as stop:
            return stop.response

    return never_cache(require_http_methods(["GET", "POST"])(wrapper))


def _message(request: HttpRequest, title: str, lines: list[str], status: int) -> HttpResponse:
    return render(request, "capture/message.html", {"title": title, "lines": lines}, status=status)


def _too_many(request: HttpRequest, refusal: throttle.Refusal) -> HttpResponse:
    """429 with a plain page saying when to try again (and Retry-After for the browser)."""
    minutes = max(1, -(-refusal.retry_after // 60))
    wait = "a minute" if minutes == 1 else f"{minutes} minutes"
    if refusal.scope == "link":
        lines = [
            "A lot of people are starting this questionnaire at the moment.",
            f"Please wait {wait}, then try again.",
        ]
    else:
        lines = [
            "This phone or computer has started this questionnaire several times in the last "
            "few minutes.",
            f"Please wait {wait}, then try again.",
        ]
    response = _message(request, "Please try again in a moment", lines, 429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


def _closed(request: HttpRequest) -> _Stop:
    return _Stop(
        _message(
            request,
            "This questionnaire is closed",
            [
                "It is not taking answers at the moment.",
                "If you think it should be open, ask your trainer.",
            ],
            CLOSED_STATUS,
        )
    )


def _not_open_yet(request: HttpRequest, collection: Collection) -> _Stop:
    """For a questionnaire never opened: come back later (with the expected date if known).

    Like the closed page, it names nothing about the programme or cohort; a date is harmless.
    """
    lines = [
        "It will open soon. Please come back then: this link and its QR code will work.",
        "If you think it should be open now, ask your trainer.",
    ]
    expected = journey.opens_on(collection, timezone.localdate())
    if expected == timezone.localdate():
        lines.insert(1, "It is due to open today.")
    elif expected is not None:
        lines.insert(1, f"It is due to open on {journey.long_date(expected)}.")
    return _Stop(_message(request, "This questionnaire is not open yet", lines, 200))


def _not_open(request: HttpRequest, collection: Collection) -> _Stop:
    """The page for a questionnaire that is not open: not yet (never opened), or closed."""
    if collection.opened_at is None:
        return _not_open_yet(request, collection)
    return _closed(request)


def _not_recognised(request: HttpRequest) -> _Stop:
    return _Stop(
        _message(
            request,
            "This questionnaire link is not recognised",
            ["Check the address or ask your trainer."],
            404,
        )
    )


def _collection(request: HttpRequest, token: str) -> Collection:
    """The collection this link names, open or not; stops with the not-recognised page."""
    collection = journey.find_collection(token) if len(token) <= MAX_TOKEN_LENGTH else None
    if collection is None:
        raise _not_recognised(request)
    return collection


def _find(
    request: HttpRequest, token: str, *, must_be_open: bool = True, lock: bool = False
) -> tuple[Collection, Submission | None]:
    """The collection this link names and this session's submission for it (any status).

    One query when the session names a submission; with ``lock`` (inside :func:`_saving`) the
    submission's row stays locked until the step ends. Stops with the not-recognised page, or
    the not-open-yet or closed page if ``must_be_open`` and the collection is not open.
    """
    collection, submission = None, None
    if len(token) <= MAX_TOKEN_LENGTH:
        collection, submission = journey.find(request.session, token, lock=lock)
    if collection is None:
        raise _not_recognised(request)
    if must_be_open and not collection.is_open:
        raise _not_open(request, collection)
    return collection, submission


def _saving(request: HttpRequest) -> AbstractContextManager[Any]:
    """For a POST, one transaction for the whole step: the draft is read under its row lock
    and saved in it, so the page save and the submit read the row once."""
    return transaction.atomic() if request.method == "POST" else nullcontext()


def _pages(request: HttpRequest, collection: Collection) -> tuple[journey.QuestionPage, ...]:
    try:
        return journey.collection_pages(collection)
    except ImhevalError:
        # An uploaded instrument was removed or changed: the trainer must fix the collection.
        raise _Stop(
            _message(
                request,
                "This questionnaire cannot be shown at the moment",
                ["Please tell your trainer, so that they can check how it is set up."],
                503,
            )
        ) from None


def _as_draft(submission: Submission | None) -> Submission | None:
    return submission if submission is not None and submission.status == Status.DRAFT else None


def _draft(
    request: HttpRequest, collection: Collection, submission: Submission | None
) -> Submission:
    """The session's draft; without one (none, or already submitted) back to the start, and
    while it is held, or it has been idle long enough to be held now (someone else may be
    holding the phone), to the page that asks its code."""
    draft = _as_draft(submission)
    if draft is None:
        raise _Stop(redirect("capture:start", token=collection.token))
    if journey.hold_if_idle(request.session, collection.token, draft):
        raise _Stop(redirect("capture:resume", token=collection.token))
    return draft


def _url(name: str, token: str, *args: Any) -> str:
    return reverse(f"capture:{name}", args=[token, *args])


def _next_step(collection: Collection, draft: Submission, pages: Sequence[Any]) -> str:
    """Where a returning participant carries on: the first step not yet done."""
    token = collection.token
    if not draft.code:
        return _url("code", token)
    if not draft.profession:
        return _url("about_you", token)
    if draft.page < len(pages):
        return _url("questions", token, draft.page + 1)
    return _url("check", token)


def _require_code_and_profile(collection: Collection, draft: Submission) -> None:
    if not draft.code:
        raise _Stop(redirect("capture:code", token=collection.token))
    if not draft.profession:
        raise _Stop(redirect("capture:about_you", token=collection.token))


def _context(collection: Collection, **extra: Any) -> dict[str, Any]:
    return {
        "collection": collection,
        "programme": collection.cohort.programme,
        "when": journey.timepoint_phrase(collection),
        "token": collection.token,
        **extra,
    }


@participant_step
def start(request: HttpRequest, token: str) -> HttpResponse:
    """What the questionnaire is, that it is anonymous and voluntary; consent starts a draft.

    Consent always starts a new, empty draft (a throttled one answers 429). An earlier draft
    of this browser is offered, held if it has a code: carrying on asks for that code.
    """
    collection, submission = _find(request, token)
    pages = _pages(request, collection)
    started = _as_draft(submission)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        refusal = throttle.refuse_start(request.session, collection)
        if refusal is not None:
            return _too_many(request, refusal)
        draft = journey.start_draft(request.session, collection)
        throttle.note_start(request.session)
        return HttpResponseRedirect(_next_step(collection, draft, pages))
    resume_url = None
    if started is not None:
        if started.code:
            journey.hold(request.session, token)
            resume_url = _url("resume", token)
        else:
            resume_url = _next_step(collection, started, pages)
    questions = sum(len(page.questions) for page in pages)
    return render(
        request,
        "capture/start.html",
        _context(
            collection,
            form=form,
            questions=questions,
            page_count=len(pages),
            minutes=journey.estimated_minutes(questions),
            resume_url=resume_url,
            forget_answers=True,
        ),
    )


@never_cache
@require_http_methods(["GET"])
def declined(request: HttpRequest, token: str) -> HttpResponse:
    """ "I do not want to take part": a polite end page that stores nothing and changes nothing.

    Reached by a plain link from the information page, so nothing is posted: no draft, no
    session, no count; a draft someone else left on this device is neither shown nor forgotten.
    Shown whether or not the questionnaire is open (someone may decline after it closes).
    """
    try:
        collection = _collection(request, token)
    except _Stop as stop:
        return stop.response
    return render(
        request, "capture/declined.html", {"token": collection.token, "forget_answers": True}
    )


@participant_step
def resume(request: HttpRequest, token: str) -> HttpResponse:
    """Carry on with a held draft: only its code, typed again, shows it (a shared phone)."""
    collection, submission = _find(request, token)
    started = _as_draft(submission)
    if started is None:
        return redirect("capture:start", token=token)
    pages = _pages(request, collection)
    if not journey.hold_if_idle(request.session, token, started):
        return HttpResponseRedirect(_next_step(collection, started, pages))
    form = ResumeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome = journey.try_resume(request.session, started, form.cleaned_data["code"])
        if outcome == "resumed":
            return HttpResponseRedirect(_next_step(collection, started, pages))
        if outcome == "forgotten":
            return redirect("capture:start", token=token)
        form.add_error(
            "code",
            "This is not the code these answers were started with. Check it, or if you are "
            "someone else, start again",
        )
    return render(
        request,
        "capture/resume.html",
        _context(
            collection,
            form=form,
            recipe=CODE_RECIPE,
            back_url=_url("start", token),
            forget_answers=True,
        ),
    )


@never_cache
@require_POST
def someone_else(request: HttpRequest, token: str) -> HttpResponse:
    """ "I am someone else": this browser forgets its draft and starts afresh (a shared phone).

    The draft stays in the database, unreachable, until the housekeeping purge deletes it.
    """
    try:
        _collection(request, token)
    except _Stop as stop:
        return stop.response
    journey.forget_draft(request.session, token)
    return redirect("capture:start", token=token)


@participant_step
def code(request: HttpRequest, token: str) -> HttpResponse:
    """The anonymous code, made from the recipe and typed twice."""
    collection, submission = _find(request, token)
    draft = _draft(request, collection, submission)
    pages = _pages(request, collection)
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            journey.set_code(draft, form.cleaned_data["code"])
            return HttpResponseRedirect(_next_step(collection, draft, pages))
    else:
        # Never filled in from the draft: whoever holds the phone types their own code.
        form = CodeForm()
    return render(
        request,
        "capture/code.html",
        _context(
            collection,
            form=form,
            recipe=CODE_RECIPE,
            example=CODE_EXAMPLE,
            remind=collection.timepoint != Timepoint.PRE,
            back_url=_url("start", token),
        ),
    )


@participant_step
def about_you(request: HttpRequest, token: str) -> HttpResponse:
    """Profession and directorate, asked at every questionnaire whatever the code (a page that
    differed for a code used before would tell that the code exists)."""
    collection, submission = _find(request, token)
    draft = _draft(request, collection, submission)
    pages = _pages(request, collection)
    if not draft.code:
        return redirect("capture:code", token=token)
    if request.method == "POST":
        form = AboutYouForm(request.POST)
        if form.is_valid():
            draft.profession = form.cleaned_data["profession"]
            draft.directorate = form.cleaned_data["directorate"]
            draft.save(update_fields=["profession", "directorate", "saved_at"])
            return HttpResponseRedirect(_next_step(collection, draft, pages))
    else:
        initial = {"profession": draft.profession, "directorate": draft.directorate}
        form = AboutYouForm(initial={k: v for k, v in initial.items() if v})
    return render(
        request,
        "capture/about_you.html",
        _context(collection, form=form, back_url=_url("code", token)),
    )


@participant_step
def questions(request: HttpRequest, token: str, number: int) -> HttpResponse:
    """One page of questions; its answers are saved into the draft on Continue."""
    with _saving(request):
        collection, submission = _find(request, token, lock=request.method == "POST")
        draft = _draft(request, collection, submission)
        pages = _pages(request, collection)
        _require_code_and_profile(collection, draft)
        if not 1 <= number <= len(pages):
            return redirect("capture:check", token=token)
        page = pages[number - 1]
        if request.method == "POST":
            form = QuestionsForm(page, request.POST)
            if form.is_valid():
                journey.save_locked_page(draft, page, form.answers())
                if number < len(pages):
                    return redirect("capture:questions", token=token, number=number + 1)
                return redirect("capture:check", token=token)
        else:
            form = QuestionsForm(
                page, initial={k: v for k, v in draft.answers.items() if k in page.item_ids}
            )
    back_url = _url("questions", token, number - 1) if number > 1 else _url("about_you", token)
    return render(
        request,
        "capture/questions.html",
        _context(
            collection,
            form=form,
            page=page,
            page_count=len(pages),
            back_url=back_url,
            keep_answers=f"{journey.draft_ref(draft)}:{page.number}",
        ),
    )


@participant_step
def check(request: HttpRequest, token: str) -> HttpResponse:
    """A summary to check; submitting it completes the response exactly once.

    A draft with no answers at all is not submitted on the first Submit: the page asks once
    whether that is meant, and "Submit without answers" records it as empty (not complete).
    """
    with _saving(request):
        post = request.method == "POST"
        collection, submission = _find(request, token, must_be_open=False, lock=post)
        # A double tap or retry after the first submit went through: thank them again. The
        # session still names a submission that is complete (the second tap read the session
        # before the first saved it, or the server stopped before saving it), or it says that
        # this browser submitted and names no draft.
        if request.method == "POST" and (
            (submission is not None and submission.status != Status.DRAFT)
            or (request.session.get(journey.done_key(token)) and _as_draft(submission) is None)
        ):
            was_empty = (submission is not None and submission.status == Status.EMPTY) or (
                request.session.get(journey.done_key(token)) == "empty"
            )
            journey.mark_done(request.session, token, empty=was_empty)
            return redirect("capture:thanks", token=token)
        if not collection.is_open:
            raise _not_open(request, collection)
        draft = _draft(request, collection, submission)
        pages = _pages(request, collection)
        _require_code_and_profile(collection, draft)
        # With no answers at all, the first Submit asks once whether that is meant.
        ask_empty = post and not draft.answers and request.POST.get("empty") != "yes"
        if post and not ask_empty:
            journey.complete_locked(draft)  # read under its row lock by _find
            journey.mark_done(request.session, token, empty=draft.status == Status.EMPTY)
            return redirect("capture:thanks", token=token)
    rows = [
        {
            "title": page.title,
            "answered": sum(1 for item_id in page.question_ids if draft.answers.get(item_id)),
            "total": len(page.questions),
            "url": _url("questions", token, page.number),
        }
        for page in pages
    ]
    return render(
        request,
        "capture/check.html",
        _context(
            collection,
            draft=draft,
            rows=rows,
            ask_empty=ask_empty,
            first_page_url=_url("questions", token, 1) if pages else "",
            back_url=_url("questions", token, len(pages)) if pages else _url("code", token),
        ),
    )


@participant_step
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation, shown after submitting (and on a refresh); offers a fresh start."""
    # Someone who has submitted is thanked even if the trainer has closed the questionnaire since.
    collection = _collection(request, token)
    if not request.session.get(journey.done_key(token)):
        return redirect("capture:start", token=token)
    return render(
        request,
        "capture/thanks.html",
        _context(
            collection,
            is_pre=collection.timepoint == Timepoint.PRE,
            forget_answers=True,
            empty=request.session.get(journey.done_key(token)) == "empty",
        ),
    )
