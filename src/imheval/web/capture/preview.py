"""A preview of a questionnaire as a participant sees it, for any member of its organisation.

The preview shows the participant's own pages (the same templates, in the same order: consent,
code, about you, each page of questions, check, thank you) in a phone-sized frame
(:func:`collection_frame`, :func:`instrument_frame`), for a cohort's questionnaire whether it is
open, closed or not open yet, and for an instrument no cohort uses yet.

Nothing typed into a preview is kept on the server: no submission, no session entry, no audit
entry, so live counts never change. What a previewer has typed so far travels in the address
instead: the preview's ``token`` is a signed value (:mod:`django.core.signing`) holding the
organisation, what is previewed and the answers given. The participant templates reverse their
links as ``capture:<step>`` with ``token``; the preview's addresses are a second instance of the
``capture`` URL namespace (``capture-preview``, under /preview/), so the same templates link
within the preview. Every request checks again that the signed-in user is a member of the
organisation named in the token: anyone else gets 404.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Literal

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from imheval.errors import ImhevalError, UnknownInstrumentError
from imheval.web.capture import journey
from imheval.web.capture.codes import CODE_EXAMPLE, CODE_RECIPE
from imheval.web.capture.forms import AboutYouForm, CodeForm, ConsentForm, QuestionsForm
from imheval.web.organisations.access import Access, member_of, organisation_views
from imheval.web.organisations.middleware import CONTENT_SECURITY_POLICY
from imheval.web.organisations.models import Organisation
from imheval.web.workspace.models import (
    Collection,
    InstrumentFile,
    Timepoint,
    resolve_instruments,
)

#: The URL namespace instance of the preview's participant pages (application namespace
#: ``capture``, so ``{% url 'capture:code' token %}`` in a participant template stays inside).
NAMESPACE = "capture-preview"

#: Keeps preview tokens apart from any other signed value of the site.
SALT = "imheval.capture.preview"

#: The frame the participant pages are shown in: a common phone's CSS pixels.
PHONE_WIDTH = 360
PHONE_HEIGHT = 740

#: Shown where the participant sees the programme's name, when an instrument is previewed alone.
STAND_IN_PROGRAMME = "Your programme"

#: Participant pages may be framed by our own preview page only (the site's policy is 'none').
FRAMEABLE_POLICY = CONTENT_SECURITY_POLICY.replace(
    "frame-ancestors 'none'", "frame-ancestors 'self'"
)

Kind = Literal["collection", "instrument"]


@dataclass(frozen=True)
class PreviewState:
    """What is previewed, and what the previewer has typed so far (never stored)."""

    org: str
    kind: Kind
    ref: str  # a collection's id, or an instrument's id
    code: str = ""
    profession: str = ""
    directorate: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    done: bool = False

    def token(self) -> str:
        return signing.dumps(dataclasses.asdict(self), salt=SALT, compress=True)

    def fresh(self) -> PreviewState:
        """The same questionnaire with nothing typed: a new participant."""
        return PreviewState(self.org, self.kind, self.ref)

    def but(self, **changes: Any) -> PreviewState:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class _Programme:
    name: str


@dataclass(frozen=True)
class Preview:
    """A preview request: its state, and the questionnaire's pages and wording."""

    state: PreviewState
    access: Access
    pages: tuple[journey.QuestionPage, ...]
    programme: Any
    when: str
    later_timepoint: bool

    def url(self, step: str, state: PreviewState | None = None, *args: Any) -> str:
        token = (state or self.state).token()
        return reverse(f"capture:{step}", args=[token, *args], current_app=NAMESPACE)

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "when": self.when,
            "token": self.state.token(),
            "preview": True,
            **extra,
        }


def _load_state(token: str) -> PreviewState:
    try:
        data = signing.loads(token, salt=SALT)
        return PreviewState(**data)
    except (signing.BadSignature, TypeError, ValueError):
        raise Http404("No such preview") from None


def _questionnaire(state: PreviewState, organisation: Organisation) -> dict[str, Any]:
    """The pages and wording of what ``state`` previews; 404 if it is not the organisation's."""
    if state.kind == "collection":
        collection = (
            Collection.objects.in_organisation(organisation)  # type: ignore[attr-defined]
            .select_related("cohort__programme__organisation")
            .filter(pk=int(state.ref) if state.ref.isdigit() else 0)
            .first()
        )
        if collection is None:
            raise Http404("No such questionnaire")
        return {
            "pages": journey.collection_pages(collection),
            "programme": collection.cohort.programme,
            "when": journey.timepoint_phrase(collection),
            "later_timepoint": collection.timepoint != Timepoint.PRE,
        }
    try:
        instruments = resolve_instruments(organisation, [state.ref], as_asked=True)
    except UnknownInstrumentError:
        raise Http404("No such instrument") from None
    # an instrument with parallel forms is previewed as its first form asks it
    first_forms = {i.id: i.form_ids[0] for i in instruments if i.form_ids}
    return {
        "pages": tuple(journey.question_pages(instruments, first_forms)),
        "programme": _Programme(STAND_IN_PROGRAMME),
        "when": journey.timepoint_phrase(Collection(timepoint=Timepoint.PRE)),
        "later_timepoint": False,
    }


PreviewView = Callable[..., HttpResponse]


def preview_step(view: PreviewView) -> PreviewView:
    """A preview page: members only (404 otherwise), never cached, framable by our own pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        state = _load_state(token)
        access = member_of(request, state.org)
        try:
            questionnaire = _questionnaire(state, access.organisation)
        except ImhevalError:
            return render(
                request,
                "capture/message.html",
                {
                    "title": "This questionnaire cannot be shown at the moment",
                    "lines": [
                        "One of its instruments is missing or no longer reads. Check the "
                        "instruments it uses on the Instruments page."
                    ],
                },
                status=503,
            )
        response = view(request, Preview(state, access, **questionnaire), **kwargs)
        response["Content-Security-Policy"] = FRAMEABLE_POLICY
        return response

    return never_cache(xframe_options_sameorigin(require_http_methods(["GET", "POST"])(wrapper)))


def _next_step(preview: Preview, state: PreviewState) -> str:
    """Where the participant goes next: the first step not yet done (as on the live pages)."""
    if not state.code:
        return preview.url("code", state)
    if not state.profession:
        return preview.url("about_you", state)
    return preview.url("questions", state, 1) if preview.pages else preview.url("check", state)


# ------------------------------------------------------------------------ participant pages


@preview_step
def start(request: HttpRequest, preview: Preview) -> HttpResponse:
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return HttpResponseRedirect(_next_step(preview, preview.state.fresh()))
    questions = sum(len(page.questions) for page in preview.pages)
    return render(
        request,
        "capture/start.html",
        preview.context(
            form=form,
            questions=questions,
            page_count=len(preview.pages),
            minutes=journey.estimated_minutes(questions),
            resume_url=None,
            forget_answers=True,
        ),
    )


@preview_step
def declined(request: HttpRequest, preview: Preview) -> HttpResponse:
    return render(
        request,
        "capture/declined.html",
        preview.context(token=preview.state.fresh().token(), forget_answers=True),
    )


@preview_step
def someone_else(request: HttpRequest, preview: Preview) -> HttpResponse:
    return HttpResponseRedirect(preview.url("start", preview.state.fresh()))


@preview_step
def resume(request: HttpRequest, preview: Preview) -> HttpResponse:
    # A preview never holds a draft: there is nothing to carry on with.
    return HttpResponseRedirect(preview.url("start", preview.state.fresh()))


@preview_step
def code(request: HttpRequest, preview: Preview) -> HttpResponse:
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            state = preview.state.but(code=form.cleaned_data["code"])
            return HttpResponseRedirect(_next_step(preview, state))
    else:
        form = CodeForm()
    return render(
        request,
        "capture/code.html",
        preview.context(
            form=form,
            recipe=CODE_RECIPE,
            example=CODE_EXAMPLE,
            remind=preview.later_timepoint,
            back_url=preview.url("start"),
        ),
    )


@preview_step
def about_you(request: HttpRequest, preview: Preview) -> HttpResponse:
    state = preview.state
    if not state.code:
        return HttpResponseRedirect(preview.url("code"))
    if request.method == "POST":
        form = AboutYouForm(request.POST)
        if form.is_valid():
            state = state.but(
                profession=form.cleaned_data["profession"],
                directorate=form.cleaned_data["directorate"],
            )
            return HttpResponseRedirect(_next_step(preview, state))
    else:
        initial = {"profession": state.profession, "directorate": state.directorate}
        form = AboutYouForm(initial={k: v for k, v in initial.items() if v})
    return render(
        request,
        "capture/about_you.html",
        preview.context(form=form, back_url=preview.url("code")),
    )


@preview_step
def questions(request: HttpRequest, preview: Preview, number: int) -> HttpResponse:
    state, pages = preview.state, preview.pages
    if not state.code or not state.profession:
        return HttpResponseRedirect(_next_step(preview, state))
    if not 1 <= number <= len(pages):
        return HttpResponseRedirect(preview.url("check"))
    page = pages[number - 1]
    if request.method == "POST":
        form = QuestionsForm(page, request.POST)
        if form.is_valid():
            answers = {k: v for k, v in state.answers.items() if k not in page.item_ids}
            answers.update({k: v for k, v in form.answers().items() if v})
            state = state.but(answers=answers)
            if number < len(pages):
                return HttpResponseRedirect(preview.url("questions", state, number + 1))
            return HttpResponseRedirect(preview.url("check", state))
    else:
        form = QuestionsForm(
            page, initial={k: v for k, v in state.answers.items() if k in page.item_ids}
        )
    back_url = (
        preview.url("questions", None, number - 1) if number > 1 else preview.url("about_you")
    )
    return render(
        request,
        "capture/questions.html",
        preview.context(
            form=form,
            page=page,
            page_count=len(pages),
            back_url=back_url,
            keep_answers=f"preview:{page.number}",
        ),
    )


@preview_step
def check(request: HttpRequest, preview: Preview) -> HttpResponse:
    state, pages = preview.state, preview.pages
    if not state.code or not state.profession:
        return HttpResponseRedirect(_next_step(preview, state))
    post = request.method == "POST"
    ask_empty = post and not state.answers and request.POST.get("empty") != "yes"
    if post and not ask_empty:
        return HttpResponseRedirect(preview.url("thanks", state.but(done=True)))
    rows = [
        {
            "title": page.title,
            "answered": sum(1 for item_id in page.question_ids if state.answers.get(item_id)),
            "total": len(page.questions),
            "url": preview.url("questions", None, page.number),
        }
        for page in pages
    ]
    draft = {"code": state.code, "profession": state.profession, "directorate": state.directorate}
    return render(
        request,
        "capture/check.html",
        preview.context(
            draft=draft,
            rows=rows,
            ask_empty=ask_empty,
            first_page_url=preview.url("questions", None, 1) if pages else "",
            back_url=preview.url("questions", None, len(pages)) if pages else preview.url("code"),
        ),
    )


@preview_step
def thanks(request: HttpRequest, preview: Preview) -> HttpResponse:
    state = preview.state
    if not state.done:
        return HttpResponseRedirect(preview.url("start", state.fresh()))
    return render(
        request,
        "capture/thanks.html",
        preview.context(
            token=state.fresh().token(),
            is_pre=not preview.later_timepoint,
            forget_answers=True,
            empty=not state.answers,
        ),
    )


#: The participant pages again, under /preview/<token>/, as the ``capture-preview`` instance.
participant_urlpatterns = [
    path("<str:token>/", start, name="start"),
    path("<str:token>/no-thank-you/", declined, name="declined"),
    path("<str:token>/carry-on/", resume, name="resume"),
    path("<str:token>/someone-else/", someone_else, name="someone_else"),
    path("<str:token>/code/", code, name="code"),
    path("<str:token>/about-you/", about_you, name="about_you"),
    path("<str:token>/questions/<int:number>/", questions, name="questions"),
    path("<str:token>/check/", check, name="check"),
    path("<str:token>/thank-you/", thanks, name="thanks"),
]


# ------------------------------------------------------------------------ the phone frame

organisation_page = organisation_views(
    {"collection": Collection, "instrument_file": InstrumentFile}, {"instrument_id"}
)


def start_url(organisation: Organisation, kind: Kind, ref: str) -> str:
    """The preview's first page (information and consent) for a collection or instrument."""
    state = PreviewState(organisation.slug, kind, ref)
    return reverse("capture:start", args=[state.token()], current_app=NAMESPACE)


def _frame(
    request: HttpRequest, *, title: str, caption: str, src: str, crumbs: list[tuple[str, str]]
) -> HttpResponse:
    return render(
        request,
        "capture/preview_frame.html",
        {
            "title": title,
            "caption": caption,
            "src": src,
            "crumbs": crumbs,
            "width": PHONE_WIDTH,
            "height": PHONE_HEIGHT,
        },
    )


def _workspace(name: str, access: Access, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": access.organisation.slug, **kwargs})


@organisation_page()
def collection_frame(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    """A cohort's questionnaire in a phone frame, open, closed or not open yet."""
    cohort = collection.cohort
    return _frame(
        request,
        title=f"Preview: {collection.get_timepoint_display().lower()} questionnaire",  # type: ignore[attr-defined]
        caption=f"{cohort.programme.name}: {cohort.name}",
        src=start_url(access.organisation, "collection", str(collection.pk)),
        crumbs=[
            ("Programmes", _workspace("organisation", access)),
            (cohort.programme.name, _workspace("programme", access, programme=cohort.programme.pk)),
            (cohort.name, _workspace("cohort", access, cohort=cohort.pk)),
        ],
    )


@organisation_page()
def instrument_frame(request: HttpRequest, access: Access, instrument_id: str) -> HttpResponse:
    """One instrument as a questionnaire of its own, in a phone frame (no cohort needed)."""
    try:
        (instrument,) = resolve_instruments(access.organisation, [instrument_id], as_asked=True)
    except UnknownInstrumentError:
        raise Http404("No such instrument") from None
    except ImhevalError:
        instrument = None
    return _frame(
        request,
        title=f"Preview: {instrument.title if instrument else instrument_id}",
        caption="Instrument",
        src=start_url(access.organisation, "instrument", instrument_id),
        crumbs=[("Instruments", _workspace("instruments", access))],
    )


app_name = "preview"

#: The frame pages, under /o/<organisation>/.
urlpatterns = [
    path(
        "<slug:org>/questionnaires/<int:collection>/preview/",
        collection_frame,
        name="collection",
    ),
    path(
        "<slug:org>/instruments/preview/<str:instrument_id>/",
        instrument_frame,
        name="instrument",
    ),
]
