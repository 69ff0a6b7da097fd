"""The member profile (issue 14 §5): a group's anonymous profile questionnaire and its table.

Organisation pages, under ``/o/<org>/groups/<group>/profile/``, through the shared door
(``group_access.organisation_page``): everyone in the organisation reads the profile table;
opening or closing the questionnaire and merging categories are for the organisation's admins
and evaluators and the group's facilitators (``group_access.require_edit``, 403 otherwise).
Merged categories are kept in ``NetworkGroup.profile_collapse`` (audited as the group is).

Public pages, under ``/p/<token>/``: information and consent, one page of questions, thank
you. No sign-in, no code, and nothing about the person is kept but their answers (no name,
email, IP address or time finer than the day). An unknown link gets a plain 404 page, a closed
questionnaire a plain 410 page. Starting is limited per browser session and per link per day
(429 with a plain page), the way the capture app limits starts, without any IP address.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from imheval.errors import ImhevalError
from imheval.instruments.profile import ChoiceQuestion, Profile, get_builtin_profile
from imheval.network.profile import ProfileTable, check_collapse, profile_table
from imheval.network.retention import retention
from imheval.reports.sections.network_profile import HEADER, profile_lines
from imheval.web.capture.throttle import recent_starts, setting
from imheval.web.network import adapter
from imheval.web.network.group_access import may_edit_group, organisation_page, require_edit
from imheval.web.network.models import NetworkGroup, ProfileAnswer, ProfileSurvey
from imheval.web.network.profile_forms import ConsentForm, MergeForm, ProfileAnswersForm
from imheval.web.organisations.access import FORM, POST, READ, Access
from imheval.web.workspace import qr

#: The profile questionnaire a new survey asks.
PROFILE_REF = "imh-network-profile"

#: Longer than any token we make; longer links are not looked up.
MAX_TOKEN_LENGTH = 64

#: Session keys: the survey this browser agreed to answer, and its recent starts.
CONSENT_KEY = "profile-consent"
STARTS_KEY = "profile-starts"

DEFAULT_STARTS_PER_SESSION = 5
DEFAULT_SESSION_WINDOW_SECONDS = 10 * 60
#: A group has tens of members; a link answered more often than this in a day is being misused.
DEFAULT_ANSWERS_PER_LINK_PER_DAY = 200


# --- organisation pages -------------------------------------------------------------------------


def _url(name: str, access: Access, group: NetworkGroup) -> str:
    return reverse(f"network:{name}", kwargs={"org": access.organisation.slug, "group": group.pk})


def _crumbs(access: Access, group: NetworkGroup) -> list[tuple[str, str]]:
    groups = reverse("network:groups", kwargs={"org": access.organisation.slug})
    return [("Network groups", groups), (group.name, _url("group", access, group))]


def _survey(group: NetworkGroup) -> ProfileSurvey | None:
    return group.profile_surveys.order_by("-created_at", "-pk").first()


def _collapse(profile: Profile, group: NetworkGroup) -> tuple[dict[str, dict[str, list[str]]], str]:
    """The group's merged categories that still fit the profile, and a note if some did not."""
    stored = group.profile_collapse if isinstance(group.profile_collapse, dict) else {}
    try:
        return check_collapse(profile, stored), ""
    except (ValueError, TypeError, AttributeError):
        return {}, "The merged categories saved for this group no longer fit the questionnaire."


def membership_months(group: NetworkGroup) -> list[int] | None:
    """The current members' whole months of membership, from the register (aggregate only)."""
    try:
        as_of = adapter.as_of_date(group)
        register = adapter.group_register(group, as_of)
        held = retention(register, adapter.group_rule(group), as_of)
    except ImhevalError:
        return None
    return [member.months for member in held.months if member.current]


def _table(
    profile: Profile, survey: ProfileSurvey | None, collapse: Any, group: NetworkGroup
) -> ProfileTable:
    answers = (
        list(ProfileAnswer.objects.filter(survey=survey).values_list("answers", flat=True))
        if survey is not None
        else []
    )
    return profile_table(
        profile,
        [a if isinstance(a, dict) else {} for a in answers],
        collapse=collapse,
        membership_months=membership_months(group),
    )


def _table_context(table: ProfileTable) -> dict[str, Any]:
    return {
        "table": table,
        "header": HEADER,
        "lines": [{"is_question": q, "cells": cells} for q, cells in profile_lines(table)],
    }


def _merged_lines(
    questionnaire: Profile, collapse: dict[str, dict[str, list[str]]]
) -> list[tuple[str, str, list[str]]]:
    """(question, merged category, the categories it holds) for the page."""
    lines = []
    for question_id, groups in collapse.items():
        question = questionnaire.question(question_id)
        if isinstance(question, ChoiceQuestion):
            for label, codes in groups.items():
                lines.append((question.table_label, label, [question.options[c] for c in codes]))
    return lines


@organisation_page("view", READ)
def profile(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    survey = _survey(group)
    questionnaire = get_builtin_profile(survey.instrument_ref if survey else PROFILE_REF)
    collapse, collapse_note = _collapse(questionnaire, group)
    context: dict[str, Any] = {
        "group": group,
        "survey": survey,
        "profile": questionnaire,
        "collapse": _merged_lines(questionnaire, collapse),
        "collapse_note": collapse_note,
        "may_edit": may_edit_group(access, group),
        "crumbs": _crumbs(access, group),
        **_table_context(_table(questionnaire, survey, collapse, group)),
    }
    if survey is not None:
        path = reverse("network:profile_start", kwargs={"token": survey.token})
        context["url"] = request.build_absolute_uri(path)
        context["svg_url"] = _url("profile_qr_svg", access, group)
        context["png_url"] = _url("profile_qr_png", access, group)
    return render(request, "network/profile_group.html", context)


@organisation_page("view", POST)
def profile_open(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    require_edit(access, group)
    survey = _survey(group)
    if survey is None:
        ProfileSurvey.objects.create(
            group=group, instrument_ref=get_builtin_profile(PROFILE_REF).ref
        )
        messages.success(request, "The profile questionnaire is open. Share its link or QR code.")
    elif not survey.is_open:
        survey.is_open = True
        survey.save(update_fields=["is_open"])
        messages.success(request, "The profile questionnaire is open again, at the same link.")
    return redirect(_url("profile", access, group))


@organisation_page("view", POST)
def profile_close(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    require_edit(access, group)
    survey = _survey(group)
    if survey is not None and survey.is_open:
        survey.is_open = False
        survey.save(update_fields=["is_open"])
        messages.success(
            request, "The profile questionnaire is closed: its link no longer takes answers."
        )
    return redirect(_url("profile", access, group))


@organisation_page("view", FORM)
def profile_merge(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    """Merge categories of a question (or undo a merge), so that fewer counts are hidden."""
    require_edit(access, group)
    survey = _survey(group)
    questionnaire = get_builtin_profile(survey.instrument_ref if survey else PROFILE_REF)
    collapse, _ = _collapse(questionnaire, group)
    bound: MergeForm | None = None
    if request.method == "POST":
        if request.POST.get("undo"):
            question_id = request.POST.get("question", "")
            label = request.POST.get("undo", "")
            if label in collapse.get(question_id, {}):
                del collapse[question_id][label]
                collapse = {q: g for q, g in collapse.items() if g}
                _save_collapse(group, collapse)
                messages.success(request, f"'{label}' is split into its categories again.")
            return redirect(_url("profile_merge", access, group))
        bound = MergeForm(questionnaire, collapse, request.POST)
        if bound.is_valid():
            _save_collapse(group, bound.merged)
            messages.success(
                request, f"'{bound.cleaned_data['label'].strip()}' is shown as one category."
            )
            return redirect(_url("profile_merge", access, group))
    questions = []
    for question in questionnaire.questions:
        if not isinstance(question, ChoiceQuestion):
            continue
        is_this = bound is not None and bound.data.get("question") == question.id
        form = bound if is_this and bound is not None else MergeForm(questionnaire, collapse)
        merged_codes = {c for codes in collapse.get(question.id, {}).values() for c in codes}
        questions.append(
            {
                "question": question,
                "form": form,
                "options": [
                    (code, text, code in merged_codes) for code, text in question.options.items()
                ],
                "chosen": set(form.data.getlist("codes")) if is_this else set(),
                "merged": [
                    (label, [question.options[c] for c in codes])
                    for label, codes in collapse.get(question.id, {}).items()
                ],
            }
        )
    status = 400 if bound is not None else 200
    return render(
        request,
        "network/profile_merge.html",
        {
            "group": group,
            "questions": questions,
            "crumbs": [*_crumbs(access, group), ("Member profile", _url("profile", access, group))],
            "error_form": bound,
        },
        status=status,
    )


def _save_collapse(group: NetworkGroup, collapse: dict[str, dict[str, list[str]]]) -> None:
    group.profile_collapse = collapse
    group.save(update_fields=["profile_collapse"])


def _qr(request: HttpRequest, access: Access, group: NetworkGroup, kind: str) -> HttpResponse:
    survey = _survey(group)
    if survey is None:
        # No questionnaire, so no link to encode: the profile page says how to open one.
        return redirect(_url("profile", access, group))
    url = request.build_absolute_uri(
        reverse("network:profile_start", kwargs={"token": survey.token})
    )
    if kind == "svg":
        body, content_type = (
            qr.qr_svg(url, title=f"QR code for {group.name}'s profile questionnaire"),
            "image/svg+xml",
        )
    else:
        body, content_type = qr.qr_png(url), "image/png"
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    if request.GET.get("download"):
        name = slugify(f"qr profile {group.name}")
        response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@organisation_page("view", READ)
def profile_qr_svg(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    return _qr(request, access, group, "svg")


@organisation_page("view", READ)
def profile_qr_png(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    return _qr(request, access, group, "png")


# --- public pages -------------------------------------------------------------------------------


class _Stop(Exception):  # noqa: N818 (a control-flow signal, not an error)
    def __init__(self, response: HttpResponse) -> None:
        super().__init__()
        self.response = response


def _message(request: HttpRequest, title: str, lines: list[str], status: int) -> HttpResponse:
    return render(
        request, "network/profile_message.html", {"title": title, "lines": lines}, status=status
    )


def _public_survey(
    request: HttpRequest, token: str, *, must_be_open: bool = True
) -> tuple[ProfileSurvey, Profile]:
    survey = (
        ProfileSurvey.objects.select_related("group").filter(token=token).first()
        if len(token) <= MAX_TOKEN_LENGTH
        else None
    )
    if survey is None:
        raise _Stop(
            _message(
                request,
                "This questionnaire link is not recognised",
                ["Check the address or ask the group's facilitator."],
                404,
            )
        )
    if must_be_open and not survey.is_open:
        raise _Stop(
            _message(
                request,
                "This questionnaire is closed",
                [
                    "It is not taking answers at the moment.",
                    "If you think it should be open, ask the group's facilitator.",
                ],
                410,
            )
        )
    try:
        return survey, get_builtin_profile(survey.instrument_ref)
    except ImhevalError:
        raise _Stop(
            _message(
                request,
                "This questionnaire cannot be shown at the moment",
                ["Please tell the group's facilitator."],
                503,
            )
        ) from None


def _public(view: Any) -> Any:
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        try:
            return view(request, token)  # type: ignore[no-any-return]
        except _Stop as stop:
            return stop.response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return never_cache(require_http_methods(["GET", "POST"])(wrapper))


def refuse_start(session: SessionBase, survey: ProfileSurvey) -> tuple[str, int] | None:
    """(scope, seconds to wait) if this browser or this link may not start now, else None.

    Per browser session: at most ``IMHEVAL_PROFILE_STARTS_PER_SESSION`` (5) starts in
    ``IMHEVAL_PROFILE_SESSION_WINDOW_SECONDS`` (10 minutes). Per link: at most
    ``IMHEVAL_PROFILE_ANSWERS_PER_LINK_PER_DAY`` (200) answers a day, counted from the answers'
    dates (the only time they keep). Either set to 0 is off.
    """
    now = timezone.now()
    per_session = setting("IMHEVAL_PROFILE_STARTS_PER_SESSION", DEFAULT_STARTS_PER_SESSION)
    window = setting("IMHEVAL_PROFILE_SESSION_WINDOW_SECONDS", DEFAULT_SESSION_WINDOW_SECONDS)
    if per_session > 0:
        starts = recent_starts(session, now, window, STARTS_KEY)
        if len(starts) >= per_session:
            return "session", max(1, starts[-per_session] + window - int(now.timestamp()))
    per_day = setting("IMHEVAL_PROFILE_ANSWERS_PER_LINK_PER_DAY", DEFAULT_ANSWERS_PER_LINK_PER_DAY)
    if per_day > 0:
        today = ProfileAnswer.objects.filter(survey=survey, submitted_on=timezone.localdate())
        if today.count() >= per_day:
            return "link", 60 * 60
    return None


def _note_start(session: SessionBase) -> None:
    now = timezone.now()
    window = setting("IMHEVAL_PROFILE_SESSION_WINDOW_SECONDS", DEFAULT_SESSION_WINDOW_SECONDS)
    session[STARTS_KEY] = [*recent_starts(session, now, window, STARTS_KEY), int(now.timestamp())]


def _too_many(request: HttpRequest, scope: str, wait: int) -> HttpResponse:
    minutes = max(1, -(-wait // 60))
    when = "a minute" if minutes == 1 else f"{minutes} minutes"
    first = (
        "This questionnaire has had a great many answers today."
        if scope == "link"
        else "This phone or computer has started this questionnaire several times in the last "
        "few minutes."
    )
    response = _message(
        request, "Please try again later", [first, f"Please wait {when}, then try again."], 429
    )
    response["Retry-After"] = str(wait)
    return response


@_public
def public_start(request: HttpRequest, token: str) -> HttpResponse:
    """Information and consent."""
    survey, questionnaire = _public_survey(request, token)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        refusal = refuse_start(request.session, survey)
        if refusal is not None:
            return _too_many(request, *refusal)
        _note_start(request.session)
        request.session[CONSENT_KEY] = survey.pk
        return redirect("network:profile_questions", token=token)
    return render(
        request,
        "network/profile_start.html",
        {
            "survey": survey,
            "group": survey.group,
            "profile": questionnaire,
            "form": form,
            "token": token,
            "questions": len(questionnaire.questions),
            "errors": [("id_consent", e) for e in form.errors.get("consent", [])],
        },
        status=400 if form.errors else 200,
    )


@_public
def public_questions(request: HttpRequest, token: str) -> HttpResponse:
    """One page of questions; submitting saves the answers and nothing else."""
    survey, questionnaire = _public_survey(request, token)
    if request.session.get(CONSENT_KEY) != survey.pk:
        return redirect("network:profile_start", token=token)
    form = ProfileAnswersForm(questionnaire, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            ProfileAnswer.objects.create(survey=survey, answers=form.cleaned)
        request.session.pop(CONSENT_KEY, None)
        return redirect("network:profile_thanks", token=token)
    return render(
        request,
        "network/profile_questions.html",
        {
            "survey": survey,
            "group": survey.group,
            "profile": questionnaire,
            "form": form,
            "fields": form.fields_for_template(),
            "token": token,
            "back_url": reverse("network:profile_start", kwargs={"token": token}),
        },
        status=400 if form.errors else 200,
    )


@_public
def public_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """Thank you (shown even if the questionnaire closed meanwhile)."""
    survey, _ = _public_survey(request, token, must_be_open=False)
    return render(request, "network/profile_thanks.html", {"token": token, "open": survey.is_open})
