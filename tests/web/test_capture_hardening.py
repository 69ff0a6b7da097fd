"""Attacks on the participant pages, each performed here, and the defences that stop them.

* A shared phone: the next person to open the link must see nothing of the last person's
  unfinished answers (code, profile, answers), and can start afresh.
* Existence of a code: every page is the same whether or not a code was used before.
* Unbounded creation: starts are limited per browser and per link; stale drafts and expired
  sessions are purged.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from test_capture_journey import ALL_ANSWERS, PAGE_ANSWERS, Participant, text
from typer.testing import CliRunner

from imheval.cli import app
from imheval.web.capture import throttle
from imheval.web.capture.housekeeping import purge_stale
from imheval.web.capture.models import Source, Status, Submission
from imheval.web.workspace.models import Collection

#: The first person's code: not the recipe's example (MA07BE), which every code page shows.
FIRST = ("QU", "19", "XK")
FIRST_CODE = "".join(FIRST)

# ------------------------------------------------------------------------ shared phones


def _half_complete(person: Participant) -> Submission:
    """Consent, code, profile and the first page of answers; returns the draft."""
    assert person.consent().status_code == 302
    assert person.make_code(*FIRST).status_code == 302
    assert person.about_you("Psychologist", "Mental health").status_code == 302
    assert person.answer_page(1, PAGE_ANSWERS[0]).status_code == 302
    return person.draft()


def _nothing_of_the_first_person(response: Any) -> None:
    """No code, no chosen profile or answer, no count of answers in the body."""
    body = response.content.decode()
    where = response.request["PATH_INFO"]
    assert FIRST_CODE not in body, where
    assert 'value="QU"' not in body and 'value="19"' not in body, where
    assert " checked" not in body, where  # a chosen profession, directorate or answer
    assert "6 of 6 answered" not in body and "Mental health</dd>" not in body, where


def test_the_next_person_on_a_shared_phone_sees_nothing_of_the_last_ones_answers(
    workspace: Any,
) -> None:
    first = Participant(workspace.pre)
    draft = _half_complete(first)
    second = Participant(workspace.pre, first.client)  # the same phone, the same session

    start = second.client.get(second.url("start"))
    responses = [start]
    links = re.findall(r'href="(/q/[^"]+)"', start.content.decode())
    responses += [second.client.get(link, follow=True) for link in links]
    for name, args in (
        ("code", ()),
        ("about_you", ()),
        ("questions", (1,)),
        ("questions", (2,)),
        ("check", ()),
        ("thanks", ()),
    ):
        responses.append(second.client.get(second.url(name, *args), follow=True))
    # Saving a page and submitting blind, then the page that asks for the code, and a guess.
    responses.append(second.client.post(second.url("questions", 2), PAGE_ANSWERS[1], follow=True))
    responses.append(second.client.post(second.url("check"), follow=True))
    carry_on = f"/q/{workspace.pre.token}/carry-on/"
    responses.append(second.client.get(carry_on, follow=True))
    responses.append(second.client.post(carry_on, {"code": "AB01CD"}, follow=True))
    for response in responses:
        assert response.status_code == 200, response.request["PATH_INFO"]
        _nothing_of_the_first_person(response)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.answers == PAGE_ANSWERS[0]
    assert "Someone has already started this questionnaire on this device." in text(start)
    assert second.url("resume") in links

    # "I am someone else": a fresh start, and the first draft stays (for the purge).
    fresh = second.client.post(second.url("someone_else"), follow=True)
    assert fresh.redirect_chain == [(second.url("start"), 302)]
    assert "already started" not in text(fresh)
    _nothing_of_the_first_person(fresh)
    assert second.consent().url == second.url("code")
    for name in ("code", "about_you"):
        _nothing_of_the_first_person(second.client.get(second.url(name), follow=True))
    assert second.make_code("JO", "21", "LI").url == second.url("about_you")
    about = second.client.get(second.url("about_you"))
    _nothing_of_the_first_person(about)
    second.about_you("GP", "Primary care")
    for number in (1, 2, 3):
        _nothing_of_the_first_person(second.client.get(second.url("questions", number)))
    _nothing_of_the_first_person(second.client.get(second.url("check")))
    for number, answers in enumerate(PAGE_ANSWERS, start=1):
        second.answer_page(number, answers)
    assert second.submit().url == second.url("thanks")
    mine = Submission.objects.get(status=Status.COMPLETE)
    assert (mine.code, mine.profession, mine.answers) == ("JO21LI", "GP", ALL_ANSWERS)
    draft.refresh_from_db()
    assert (draft.status, draft.code, draft.answers) == (Status.DRAFT, FIRST_CODE, PAGE_ANSWERS[0])


def test_giving_consent_again_starts_afresh_and_shows_nothing_earlier(workspace: Any) -> None:
    first = Participant(workspace.pre)
    draft = _half_complete(first)
    second = Participant(workspace.pre, first.client)
    response = second.consent()
    assert response.url == second.url("code")
    assert second.draft().pk != draft.pk
    for name, args in (("code", ()), ("about_you", ()), ("questions", (1,)), ("check", ())):
        _nothing_of_the_first_person(second.client.get(second.url(name, *args), follow=True))


def test_the_first_person_carries_on_by_typing_their_code_again(workspace: Any) -> None:
    person = Participant(workspace.pre)
    _half_complete(person)
    person.client.get(person.url("start"))  # the start page holds the draft
    assert person.client.get(person.url("questions", 1)).url == person.url("resume")
    wrong = person.client.post(person.url("resume"), {"code": "QU19XL"})
    assert wrong.status_code == 200
    assert "This is not the code these answers were started with" in text(wrong)
    assert person.client.post(person.url("resume"), {"code": "qu 19-xk"}).url == person.url(
        "questions", 2
    )
    page = person.client.get(person.url("questions", 1)).content.decode()
    assert page.count(" checked>") == 6


def test_five_wrong_codes_forget_the_draft_so_a_code_cannot_be_found_by_trying(
    workspace: Any,
) -> None:
    person = Participant(workspace.pre)
    draft = _half_complete(person)
    person.client.get(person.url("start"))
    for attempt in range(4):
        response = person.client.post(person.url("resume"), {"code": f"AB{attempt + 10}CD"})
        assert response.status_code == 200
    assert person.client.post(person.url("resume"), {"code": "AB99CD"}).url == person.url("start")
    # Even the right code no longer opens it: this browser has forgotten the draft.
    assert person.client.post(person.url("resume"), {"code": FIRST_CODE}).url == person.url("start")
    assert f"capture:{workspace.pre.token}" not in person.client.session
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_someone_else_is_a_post_only_and_needs_a_known_link(workspace: Any) -> None:
    person = Participant(workspace.pre)
    _half_complete(person)
    assert person.client.get(person.url("someone_else")).status_code == 405
    assert f"capture:{workspace.pre.token}" in person.client.session
    assert person.client.post("/q/" + "x" * 43 + "/someone-else/").status_code == 404


def _idle(draft: Submission, minutes: float) -> None:
    """As if the draft's last save was ``minutes`` ago (nobody touched the phone since)."""
    Submission.objects.filter(pk=draft.pk).update(
        saved_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


def test_an_idle_draft_is_held_on_every_step_not_only_the_start_page(workspace: Any) -> None:
    """Finding N4: the next person skipped the start page (history, the back button) and went
    straight to a later step, which showed the last person's code, profile and answers."""
    first = Participant(workspace.pre)
    draft = _half_complete(first)
    _idle(draft, 21)
    second = Participant(workspace.pre, first.client)  # the same phone, the same session
    resume = second.url("resume")
    for name, args in (("check", ()), ("questions", (1,)), ("about_you", ()), ("code", ())):
        response = second.client.get(second.url(name, *args))
        assert (response.status_code, response.url) == (302, resume), name
        shown = second.client.get(second.url(name, *args), follow=True)
        assert shown.redirect_chain == [(resume, 302)], name
        assert "Carry on where you left off" in text(shown), name
        _nothing_of_the_first_person(shown)
    # Saving into the draft or submitting it blind is refused the same way.
    for response in (
        second.client.post(second.url("questions", 2), PAGE_ANSWERS[1]),
        second.client.post(second.url("about_you"), {"profession": "GP", "directorate": "x"}),
        second.client.post(second.url("check")),
    ):
        assert (response.status_code, response.url) == (302, resume)
    draft.refresh_from_db()
    assert (draft.status, draft.profession, draft.answers) == (
        Status.DRAFT,
        "Psychologist",
        PAGE_ANSWERS[0],
    )
    # The first person comes back: their code carries on where they left off, and the steps
    # show their answers again without asking once more.
    assert first.client.post(resume, {"code": FIRST_CODE}).url == first.url("questions", 2)
    page = first.client.get(first.url("questions", 1))
    assert page.status_code == 200 and page.content.decode().count(" checked>") == 6
    assert first.answer_page(2, PAGE_ANSWERS[1]).url == first.url("questions", 3)
    check = first.client.get(first.url("check")).content.decode()
    assert f'<span class="imheval-code">{FIRST_CODE}</span>' in check


def test_a_person_within_the_idle_limit_is_not_interrupted(workspace: Any) -> None:
    person = Participant(workspace.pre)
    draft = _half_complete(person)
    _idle(draft, 19)
    check = person.client.get(person.url("check"))
    assert check.status_code == 200
    assert f'<span class="imheval-code">{FIRST_CODE}</span>' in check.content.decode()
    # Each save starts the idle time again: 19 minutes per page, 38 in all, and no break.
    assert person.answer_page(2, PAGE_ANSWERS[1]).url == person.url("questions", 3)
    draft.refresh_from_db()
    assert timezone.now() - draft.saved_at < datetime.timedelta(minutes=1)
    _idle(draft, 19)
    assert person.answer_page(3, PAGE_ANSWERS[2]).url == person.url("check")
    assert person.submit().url == person.url("thanks")
    draft.refresh_from_db()
    assert draft.status == Status.COMPLETE and draft.answers == ALL_ANSWERS


def test_the_idle_limit_is_a_setting_and_a_draft_without_a_code_is_never_held(
    workspace: Any, settings: Any
) -> None:
    settings.IMHEVAL_CAPTURE_IDLE_MINUTES = 5
    person = Participant(workspace.pre)
    draft = _half_complete(person)
    _idle(draft, 4)
    assert person.client.get(person.url("check")).status_code == 200
    _idle(draft, 6)
    assert person.client.get(person.url("check")).url == person.url("resume")

    # Nothing of anyone to hide before a code is typed: the code page is simply shown.
    fresh = Participant(workspace.pre)
    fresh.consent()
    _idle(fresh.draft(), 60)
    assert fresh.client.get(fresh.url("code")).status_code == 200

    settings.IMHEVAL_CAPTURE_IDLE_MINUTES = 0  # off
    other = Participant(workspace.pre)
    _idle(_half_complete(other), 600)
    assert other.client.get(other.url("check")).status_code == 200


def test_the_carry_on_page_holds_an_idle_draft_it_is_opened_for(workspace: Any) -> None:
    person = Participant(workspace.pre)
    _idle(_half_complete(person), 30)
    page = person.client.get(person.url("resume"))
    assert page.status_code == 200
    _nothing_of_the_first_person(page)
    assert person.client.get(person.url("check")).url == person.url("resume")


def test_every_participant_page_and_redirect_is_never_stored_by_the_browser(
    workspace: Any,
) -> None:
    """The back button must not show a stored copy of someone else's answers."""
    person = Participant(workspace.pre)
    responses = [person.client.get(person.url("start")), person.consent()]
    responses += [person.client.get(person.url("code")), person.make_code(*FIRST)]
    responses += [person.client.get(person.url("about_you")), person.about_you()]
    for number, answers in enumerate(PAGE_ANSWERS, start=1):
        responses.append(person.client.get(person.url("questions", number)))
        responses.append(person.answer_page(number, answers))
    responses += [person.client.get(person.url("check")), person.submit()]
    responses.append(person.client.get(person.url("thanks")))
    other = Participant(workspace.pre)
    _idle(_half_complete(other), 30)
    responses += [other.client.get(other.url("check")), other.client.get(other.url("resume"))]
    responses.append(other.client.post(other.url("resume"), {"code": "AB01CD"}))
    responses.append(other.client.post(other.url("someone_else")))
    responses.append(other.client.get("/q/" + "x" * 43 + "/check/"))
    assert {response.status_code for response in responses} == {200, 302, 404}
    for response in responses:
        where = response.request["PATH_INFO"]
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"no-store", "no-cache", "private", "max-age=0"} <= cache_control, where


# --------------------------------------------------------------------- a code's existence


def _pages_for_code(collection: Collection, code: tuple[str, str, str]) -> list[str]:
    """Every redirect and page one person sees with ``code``, tokens and the code removed."""
    person = Participant(collection)
    seen: list[str] = []

    def keep(response: Any) -> None:
        if response.status_code == 302:
            seen.append(f"redirect {response.url}")
            return
        body = response.content.decode().replace("".join(code), "<code>")
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
        # Each draft's name for the browser's unsaved choices: random per draft, like the token.
        seen.append(re.sub(r'data-keep-answers="[0-9a-f]{16}:', 'data-keep-answers="', body))

    keep(person.consent())
    keep(person.client.get(person.url("code")))
    keep(person.make_code(*code))
    keep(person.client.get(person.url("about_you")))
    keep(person.about_you())
    for number, answers in enumerate(PAGE_ANSWERS, start=1):
        keep(person.client.get(person.url("questions", number)))
        keep(person.answer_page(number, answers))
    keep(person.client.get(person.url("check")))
    keep(person.submit())
    keep(person.client.get(person.url("thanks")))
    return seen


@pytest.mark.parametrize("timepoint", ["pre", "post"])
def test_a_code_used_before_gives_exactly_the_same_pages_as_a_new_code(
    workspace: Any, timepoint: str
) -> None:
    Participant(workspace.pre).complete(("KN", "07", "WN"), profession="Midwife")
    collection = getattr(workspace, timepoint)
    collection.open()
    known = _pages_for_code(collection, ("KN", "07", "WN"))
    unknown = _pages_for_code(collection, ("UN", "07", "KN"))
    assert len(known) == len(unknown) == 14
    for step, (with_known, with_unknown) in enumerate(zip(known, unknown, strict=True)):
        assert with_known == with_unknown, f"step {step} differs"
    assert not any("As you told us before" in page or "Midwife</dd>" in page for page in known)


# ------------------------------------------------------------------------------ throttle


def test_one_browser_starts_at_most_five_questionnaires_in_ten_minutes(workspace: Any) -> None:
    """The attack: 40 consent posts in a second made 40 drafts. Now 5, then a plain 429."""
    person = Participant(workspace.pre)
    statuses = [person.consent().status_code for _ in range(40)]
    assert statuses == [302] * 5 + [429] * 35
    assert Submission.objects.count() == 5
    assert Session.objects.count() == 1
    refused = person.consent()
    assert refused.status_code == 429
    assert refused["Retry-After"].isdecimal() and 1 <= int(refused["Retry-After"]) <= 600
    page = text(refused)
    assert "Please try again in a moment" in page
    assert "This phone or computer has started this questionnaire several times" in page
    assert "Please wait 10 minutes, then try again." in page
    assert "nhsuk-header" in page and "no-store" in refused["Cache-Control"]


def test_a_browser_may_start_again_once_its_window_has_passed(workspace: Any) -> None:
    session = SessionStore()
    now = timezone.now()
    for _ in range(5):
        throttle.note_start(session, now=now)
    assert throttle.refuse_start(session, workspace.pre, now=now) == throttle.Refusal(
        "session", 600
    )
    later = now + datetime.timedelta(seconds=601)
    assert throttle.refuse_start(session, workspace.pre, now=later) is None


def test_a_room_of_thirty_scanning_one_code_all_get_in_and_the_link_allows_sixty_a_minute(
    workspace: Any,
) -> None:
    room = [Participant(workspace.pre).consent().status_code for _ in range(30)]
    assert room == [302] * 30
    more = [Participant(workspace.pre).consent().status_code for _ in range(30)]
    assert more == [302] * 30
    sessions = Session.objects.count()
    refused = Participant(workspace.pre).consent()
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "A lot of people are starting this questionnaire at the moment." in text(refused)
    assert Submission.objects.count() == 60
    assert Session.objects.count() == sessions  # a refused start makes no session either
    # Another link is not affected; and after a minute this one takes new starts again.
    assert Participant(workspace.other_collection).consent().status_code == 302
    Submission.objects.filter(collection=workspace.pre).update(
        started_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    assert Participant(workspace.pre).consent().status_code == 302


def test_the_link_limit_can_be_raised_or_turned_off(workspace: Any, settings: Any) -> None:
    settings.IMHEVAL_CAPTURE_STARTS_PER_LINK_PER_MINUTE = 2
    assert [Participant(workspace.pre).consent().status_code for _ in range(3)] == [302, 302, 429]
    settings.IMHEVAL_CAPTURE_STARTS_PER_LINK_PER_MINUTE = 0
    settings.IMHEVAL_CAPTURE_STARTS_PER_SESSION = 0
    person = Participant(workspace.pre)
    assert {person.consent().status_code for _ in range(8)} == {302}


# ---------------------------------------------------------------------------- the purge


def _started(collection: Collection, days_ago: float, **fields: Any) -> Submission:
    submission = Submission.objects.create(collection=collection, **fields)
    Submission.objects.filter(pk=submission.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return submission


def test_purge_deletes_week_old_drafts_and_expired_sessions_only(workspace: Any) -> None:
    stale = _started(workspace.pre, 8, code="AB01CD")
    fresh = _started(workspace.pre, 6)
    old_complete = _started(
        workspace.pre, 400, code="CD02EF", status=Status.COMPLETE, completed_at=timezone.now()
    )
    old_paper = _started(
        workspace.pre, 400, status=Status.COMPLETE, source=Source.PAPER, completed_at=timezone.now()
    )
    expired, live = SessionStore(), SessionStore()
    expired["capture:x"] = "y"
    expired.set_expiry(timezone.now() - datetime.timedelta(minutes=1))
    expired.save()
    live["capture:x"] = "y"
    live.save()

    report = purge_stale()
    assert (report.drafts, report.sessions) == (1, 1)
    assert "Deleted 1 unfinished questionnaire started before" in report.summary()
    assert "1 expired session." in report.summary()
    kept = set(Submission.objects.values_list("pk", flat=True))
    assert kept == {fresh.pk, old_complete.pk, old_paper.pk}
    assert stale.pk not in kept
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    again = purge_stale()
    assert (again.drafts, again.sessions) == (0, 0)


def test_purge_takes_now_from_the_caller(workspace: Any) -> None:
    draft = _started(workspace.pre, 1)
    assert purge_stale().drafts == 0
    report = purge_stale(now=timezone.now() + datetime.timedelta(days=7))
    assert report.drafts == 1
    assert not Submission.objects.filter(pk=draft.pk).exists()


def test_purge_command_and_cli_report_what_they_deleted(workspace: Any, capsys: Any) -> None:
    _started(workspace.pre, 10)
    call_command("purge_stale")
    assert "Deleted 1 unfinished questionnaire" in capsys.readouterr().out
    _started(workspace.pre, 10)
    _started(workspace.pre, 10)
    result = CliRunner().invoke(app, ["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 unfinished questionnaires" in " ".join(result.output.split())
    assert Submission.objects.count() == 0
