"""The participant's questionnaire, page by page, through Django's test client.

``Participant`` is one person on one device (one client, so one session); the tests walk the
steps: information and consent, the anonymous code, profession and directorate, the question
pages (imh-core: knowledge, risk identification, self-efficacy), check, thank you.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from imheval.web.capture.codes import CODE_RECIPE
from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent
from imheval.web.workspace.models import Collection

#: Every imh-core answer, one dict per page (knowledge, risk identification, self-efficacy).
PAGE_ANSWERS: list[dict[str, str]] = [
    {"K1": "b", "K2": "c", "K3": "a", "K4": "b", "K5": "c", "K6": "d"},
    {"R1": "yes", "R2": "no", "R3": "yes", "R4": "b", "R5": "c", "R6": "a", "R7": "b", "R8": "c"},
    {"S1": "4", "S2": "3", "S3": "5", "S4": "2", "S5": "4", "S6": "1"},
]
ALL_ANSWERS = {item: value for page in PAGE_ANSWERS for item, value in page.items()}


class Participant:
    """One person answering one collection on one device."""

    def __init__(self, collection: Collection, client: Client | None = None) -> None:
        self.collection = collection
        self.client = client or Client()

    def url(self, name: str, *args: Any) -> str:
        return str(reverse(f"capture:{name}", args=[self.collection.token, *args]))

    def consent(self) -> Any:
        return self.client.post(self.url("start"), {"consent": "yes"})

    def make_code(
        self, mother: str = "MA", day: str = "07", town: str = "BE", confirm: str | None = None
    ) -> Any:
        if confirm is None:
            confirm = mother + day + town
        return self.client.post(
            self.url("code"), {"mother": mother, "day": day, "town": town, "confirm": confirm}
        )

    def about_you(
        self, profession: str = "Health visitor", directorate: str = "Children's Services"
    ) -> Any:
        return self.client.post(
            self.url("about_you"), {"profession": profession, "directorate": directorate}
        )

    def answer_page(self, number: int, answers: dict[str, str]) -> Any:
        return self.client.post(self.url("questions", number), answers)

    def submit(self) -> Any:
        return self.client.post(self.url("check"))

    def complete(self, code: tuple[str, str, str] = ("MA", "07", "BE"), **profile: str) -> Any:
        """Every step with the usual answers; returns the submit's response."""
        assert self.consent().status_code == 302
        response = self.make_code(*code)
        assert response.status_code == 302
        if response.url == self.url("about_you"):
            assert self.about_you(**profile).status_code == 302
        for number, answers in enumerate(PAGE_ANSWERS, start=1):
            assert self.answer_page(number, answers).status_code == 302
        return self.submit()

    def draft(self) -> Submission:
        key = str(self.client.session[f"capture:{self.collection.token}"])
        draft: Submission = Submission.objects.get(key=key)
        return draft


def text(response: Any) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def person(workspace: Any) -> Participant:
    return Participant(workspace.pre)


# ------------------------------------------------------------------ unknown and closed links


def test_unknown_link_says_it_is_not_recognised_with_status_404(db: None) -> None:
    response = Client().get("/q/" + "x" * 43 + "/")
    assert response.status_code == 404
    assert "This questionnaire link is not recognised" in text(response)
    assert "Check the address or ask your trainer." in text(response)
    assert response.templates[0].name == "capture/message.html"


def test_overlong_and_unknown_links_on_later_steps_are_not_recognised(db: None) -> None:
    client = Client()
    assert client.get("/q/" + "y" * 200 + "/").status_code == 404
    assert client.post("/q/nope/code/", {"mother": "MA"}).status_code == 404
    assert client.get("/q/nope/questions/1/").status_code == 404


def test_closed_link_says_closed_with_status_410_and_nothing_else(workspace: Any) -> None:
    workspace.post.open()
    workspace.post.close()
    response = Client().get(reverse("capture:start", args=[workspace.post.token]))
    assert response.status_code == 410
    page = text(response)
    assert "This questionnaire is closed" in page
    assert "ask your trainer" in page
    for secret in ("Solihull", "SOL-1", "Northern", "Antrim", "Dr A Trainer", "after the training"):
        assert secret not in page


def test_consent_to_a_closed_collection_makes_no_submission(workspace: Any) -> None:
    workspace.post.open()
    workspace.post.close()
    response = Participant(workspace.post).consent()
    assert response.status_code == 410
    assert Submission.objects.count() == 0


def test_consent_to_a_collection_not_open_yet_makes_no_submission(workspace: Any) -> None:
    response = Participant(workspace.post).consent()
    assert response.status_code == 200
    assert "This questionnaire is not open yet" in text(response)
    assert Submission.objects.count() == 0


def test_a_reopened_collection_works_again_with_the_same_link(workspace: Any) -> None:
    workspace.post.open()
    assert Client().get(reverse("capture:start", args=[workspace.post.token])).status_code == 200


def test_a_collection_whose_instrument_is_missing_shows_a_plain_page(workspace: Any) -> None:
    workspace.pre.instrument_refs = ["no-such-instrument"]
    workspace.pre.save()
    response = Client().get(reverse("capture:start", args=[workspace.pre.token]))
    assert response.status_code == 503
    assert "This questionnaire cannot be shown at the moment" in text(response)
    assert "no-such-instrument" not in text(response)


# ----------------------------------------------------------------- information and consent


def test_information_page_says_what_when_how_long_and_that_it_is_anonymous(
    person: Participant,
) -> None:
    response = person.client.get(person.url("start"))
    page = text(response)
    assert response.status_code == 200
    assert "Solihull Approach foundation" in page
    assert "Questionnaire before the training" in page
    assert "It has 20 questions on 3 pages and takes most people about 10 minutes." in page
    assert "We do not ask for your name or email address" in page
    assert "we do not record your IP address" in page
    assert "You do not have to take part" in page
    assert "anonymous code" in page
    assert 'type="checkbox"' in page and 'id="id_consent"' in page


@pytest.mark.parametrize(
    ("timepoint", "words"),
    [("post", "Questionnaire at the end of the training"), ("followup", "12 weeks after")],
)
def test_information_page_names_the_timepoint(workspace: Any, timepoint: str, words: str) -> None:
    collection = getattr(workspace, timepoint)
    collection.open()
    assert words in text(Client().get(reverse("capture:start", args=[collection.token])))


def test_consent_is_required(person: Participant) -> None:
    response = person.client.post(person.url("start"), {})
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert '<a href="#id_consent">Tick the box to say that you agree to take part</a>' in page
    assert "nhsuk-form-group--error" in page
    assert "<title>Error: Questionnaire before the training" in page
    assert Submission.objects.count() == 0
    assert dict(person.client.session) == {}


def test_consent_starts_a_draft_and_the_session_holds_only_its_key(person: Participant) -> None:
    response = person.consent()
    assert response.status_code == 302
    assert response.url == person.url("code")
    draft = Submission.objects.get()
    assert draft.status == "draft"
    assert (draft.code, draft.profession, draft.answers, draft.page) == ("", "", {}, 0)
    session = dict(person.client.session)
    starts = session.pop("capture-starts")  # the throttle's start times, nothing else
    assert len(starts) == 1 and isinstance(starts[0], int)
    assert session == {f"capture:{person.collection.token}": str(draft.key)}


def test_consenting_again_starts_a_new_empty_draft(person: Participant) -> None:
    person.consent()
    person.make_code()
    first = person.draft()
    response = person.consent()
    assert response.url == person.url("code")
    assert Submission.objects.count() == 2
    second = person.draft()
    assert second.pk != first.pk and second.code == "" and second.answers == {}
    start = text(person.client.get(person.url("start")))
    assert "Someone has already started this questionnaire on this device." in start


def test_later_steps_without_consent_go_back_to_the_start(person: Participant) -> None:
    for name, args in (("code", ()), ("about_you", ()), ("questions", (1,)), ("check", ())):
        response = person.client.get(person.url(name, *args))
        assert response.status_code == 302, name
        assert response.url == person.url("start")
    assert person.client.post(person.url("check")).url == person.url("start")
    assert Submission.objects.count() == 0


# -------------------------------------------------------------------------- anonymous code


def test_code_is_made_from_the_parts_and_normalised(person: Participant) -> None:
    person.consent()
    response = person.make_code("ma", "07", "Bé", confirm=" ma 07-be ")
    assert response.status_code == 302
    assert person.draft().code == "MA07BE"


@pytest.mark.parametrize(
    ("parts", "field", "message"),
    [
        (("", "07", "BE"), "mother", "Enter the first 2 letters of your mother&#x27;s first name"),
        (("M", "07", "BE"), "mother", "Enter 2 letters for your mother&#x27;s first name"),
        (("M1", "07", "BE"), "mother", "Enter 2 letters for your mother&#x27;s first name"),
        (("MA", "", "BE"), "day", "Enter the day of the month you were born, as 2 digits"),
        (("MA", "7x", "BE"), "day", "Enter the day you were born as 2 digits from 01 to 31"),
        (("MA", "32", "BE"), "day", "Enter the day you were born as 2 digits from 01 to 31"),
        (("MA", "00", "BE"), "day", "Enter the day you were born as 2 digits from 01 to 31"),
        (("MA", "07", "B3L"), "town", "Enter 2 letters for the town where you were born"),
    ],
)
def test_code_parts_in_the_wrong_format_are_shown_in_the_summary_and_inline(
    person: Participant, parts: tuple[str, str, str], field: str, message: str
) -> None:
    person.consent()
    response = person.make_code(*parts, confirm="MA07BE")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<li><a href="#id_{field}">{message}' in page
    assert f'<span class="nhsuk-error-message" id="id_{field}-error">' in page
    assert f'aria-describedby="id_{field}-hint id_{field}-error"' in page
    assert person.draft().code == ""


def test_code_typed_again_must_match(person: Participant) -> None:
    person.consent()
    response = person.make_code("MA", "07", "BE", confirm="MA07BF")
    assert response.status_code == 200
    assert (
        '<a href="#id_confirm">The code you typed again does not match your answers above'
        in response.content.decode()
    )
    assert person.draft().code == ""


def test_code_typed_again_is_required(person: Participant) -> None:
    person.consent()
    response = person.make_code("MA", "07", "BE", confirm="")
    assert (
        '<a href="#id_confirm">Type your whole code again: your answers make MA07BE</a>'
        in response.content.decode()
    )


def test_code_page_is_never_filled_in_from_the_draft(person: Participant) -> None:
    """Whoever holds the phone types their own code: an earlier one is never shown."""
    person.consent()
    person.make_code("qu", "19", "xk")
    page = person.client.get(person.url("code")).content.decode()
    assert "QU19XK" not in page and 'value="QU"' not in page and 'value="19"' not in page
    assert page.count('type="text" value=""') == 4


def test_recipe_reminder_is_shown_at_post_test_and_follow_up_only(workspace: Any) -> None:
    pre = Participant(workspace.pre)
    pre.consent()
    assert "Make the same code you made before the training" not in text(
        pre.client.get(pre.url("code"))
    )
    for collection in (workspace.post, workspace.followup):
        collection.open()
        later = Participant(collection)
        later.consent()
        page = text(later.client.get(later.url("code")))
        reminder = f"Make the same code you made before the training: {CODE_RECIPE}."
        assert escape(reminder) in page


# ------------------------------------------------------- profession, asked at every questionnaire


def test_profession_is_asked_at_pre_test(person: Participant) -> None:
    person.consent()
    assert person.make_code().url == person.url("about_you")
    page = text(person.client.get(person.url("about_you")))
    assert "<legend" in page and "What is your profession?" in page
    assert "Family support worker" in page and "Maternity" in page
    person.about_you("Midwife", "Maternity")
    draft = person.draft()
    assert (draft.profession, draft.directorate) == ("Midwife", "Maternity")


def test_profession_and_directorate_are_required(person: Participant) -> None:
    person.consent()
    person.make_code()
    response = person.client.post(person.url("about_you"), {"profession": "Astronaut"})
    page = response.content.decode()
    assert '<a href="#id_profession">Select your profession from the list</a>' in page
    assert '<a href="#id_directorate">Select the directorate you work in</a>' in page
    assert person.draft().profession == ""


def test_profession_is_asked_again_at_post_test_and_stored_as_answered(workspace: Any) -> None:
    """Asked every time (a skipped page would tell that the code was used before); each
    response keeps its own answer, and the analysis takes the earliest (matching.py)."""
    Participant(workspace.pre).complete(profession="Midwife", directorate="Maternity")
    workspace.post.open()
    post = Participant(workspace.post)
    post.consent()
    assert post.make_code("ma", "07", "be").url == post.url("about_you")
    page = text(post.client.get(post.url("about_you")))
    assert " checked>" not in page  # nothing copied from the pre-test
    assert "As you told us before" not in page
    post.about_you("GP", "Primary care")
    draft = post.draft()
    assert (draft.profession, draft.directorate) == ("GP", "Primary care")
    check = text(post.client.get(post.url("check")))
    assert "GP" in check and "Midwife" not in check
    assert "As you told us before" not in check


# ------------------------------------------------------------------------- question pages


def _ready(person: Participant) -> None:
    person.consent()
    person.make_code()
    person.about_you()


def test_question_pages_follow_the_instrument_domains_with_progress(person: Participant) -> None:
    _ready(person)
    first = text(person.client.get(person.url("questions", 1)))
    assert "Page 1 of 3" in first and "Knowledge</h1>" in first
    assert 'name="K1" type="radio" value="b"' in first
    second = text(person.client.get(person.url("questions", 2)))
    assert "Page 2 of 3" in second and "Risk identification</h1>" in second
    third = text(person.client.get(person.url("questions", 3)))
    assert "Page 3 of 3" in third and "Self-efficacy</h1>" in third
    assert "15. " in third  # numbering runs across pages: S1 is question 15
    assert 'value="1">' in third and "Not at all true of me</label>" in third
    assert third.count('<fieldset class="nhsuk-fieldset"') == 6
    assert third.count("<legend") == 6


def test_saved_answers_are_shown_again_after_a_refresh_or_going_back(
    person: Participant,
) -> None:
    _ready(person)
    response = person.answer_page(1, PAGE_ANSWERS[0])
    assert response.url == person.url("questions", 2)
    page = person.client.get(person.url("questions", 1)).content.decode()
    for item, value in PAGE_ANSWERS[0].items():
        assert f'name="{item}" type="radio" value="{value}" checked>' in page
    assert page.count(" checked>") == 6
    draft = person.draft()
    assert draft.answers == PAGE_ANSWERS[0]
    assert draft.page == 1


def test_each_page_merges_into_the_answers_and_blanks_are_allowed(person: Participant) -> None:
    _ready(person)
    person.answer_page(1, {"K1": "a", "K2": "c"})
    person.answer_page(3, {"S1": "5"})
    person.answer_page(1, {"K1": "b"})  # K2 now left blank
    draft = person.draft()
    assert draft.answers == {"K1": "b", "S1": "5"}
    assert draft.page == 3


def test_an_answer_that_is_not_a_choice_is_refused(person: Participant) -> None:
    _ready(person)
    response = person.answer_page(1, {"K1": "z", "K2": "c"})
    assert response.status_code == 200
    assert '<a href="#id_K1">Choose one of the answers given</a>' in response.content.decode()
    assert person.draft().answers == {}


def test_question_pages_need_a_code_and_profession_first(person: Participant) -> None:
    person.consent()
    assert person.client.get(person.url("questions", 1)).url == person.url("code")
    person.make_code()
    assert person.client.get(person.url("questions", 1)).url == person.url("about_you")
    person.about_you()
    assert person.client.get(person.url("questions", 9)).url == person.url("check")


def test_carrying_on_with_the_code_goes_to_the_first_unanswered_page(person: Participant) -> None:
    _ready(person)
    person.answer_page(1, PAGE_ANSWERS[0])
    start = person.client.get(person.url("start")).content.decode()
    assert f'href="{person.url("resume")}"' in start
    response = person.client.post(person.url("resume"), {"code": "ma 07-be"})
    assert response.url == person.url("questions", 2)
    page = person.client.get(person.url("questions", 1)).content.decode()
    assert page.count(" checked>") == 6


# ---------------------------------------------------------------------- check and submit


def test_check_page_counts_answers_and_links_back(person: Participant) -> None:
    _ready(person)
    person.answer_page(1, {"K1": "a"})
    page = text(person.client.get(person.url("check")))
    assert "MA07BE" in page
    assert "Health visitor" in page and "Children&#x27;s Services" in page
    assert "1 of 6 answered" in page and "0 of 8 answered" in page
    assert f'href="{person.url("questions", 2)}"' in page


def test_submit_completes_once_thanks_and_frees_the_device(person: Participant) -> None:
    response = person.complete()
    assert response.url == person.url("thanks")
    submission = Submission.objects.get()
    assert submission.status == "complete"
    assert submission.completed_at is not None
    thanks = person.client.get(person.url("thanks"))
    assert "Thank you" in text(thanks) and "Your answers have been saved." in text(thanks)
    assert "Start again for another person" in text(thanks)
    assert "MA07BE" not in text(thanks)
    session = dict(person.client.session)
    session.pop("capture-starts")
    assert session == {f"capture:{person.collection.token}:done": True}
    start = text(person.client.get(person.url("start")))
    assert "already started" not in start


def test_double_submit_makes_exactly_one_complete_response(person: Participant) -> None:
    first = person.complete()
    second = person.submit()
    third = person.submit()
    assert first.url == second.url == third.url == person.url("thanks")
    assert Submission.objects.filter(status="complete").count() == 1
    assert Submission.objects.count() == 1
    assert text(person.client.get(person.url("thanks"))).count("Your answers have been saved.") == 1


def test_a_retry_with_the_old_session_does_not_complete_twice(person: Participant) -> None:
    """A second tap that left before the first changed the session still finds one response."""
    _ready(person)
    for number, answers in enumerate(PAGE_ANSWERS, start=1):
        person.answer_page(number, answers)
    old_session = dict(person.client.session)
    person.submit()
    session = person.client.session
    session.update(old_session)  # as if the second request had read the session first
    session.save()
    assert person.submit().url == person.url("thanks")
    assert Submission.objects.filter(status="complete").count() == 1
    assert AuditEvent.objects.filter(object_type="submission").count() == 1


def test_completion_is_audited_once_as_the_anonymous_participant(person: Participant) -> None:
    _ready(person)
    person.answer_page(1, PAGE_ANSWERS[0])
    assert AuditEvent.objects.filter(object_type="submission").count() == 0  # drafts not logged
    person.submit()
    person.submit()
    event = AuditEvent.objects.get(object_type="submission")
    submission = Submission.objects.get()
    assert event.actor is None
    assert event.actor_label == "participant (anonymous)"
    assert event.action == "created"
    assert event.object_id == str(submission.pk)
    assert set(event.changes.values()) == {"changed"}
    assert {"code", "answers", "status"} <= set(event.changes)
    assert "MA07BE" not in str(event.changes) and '"b"' not in str(event.changes)


def test_starting_again_for_another_person_makes_a_new_draft(person: Participant) -> None:
    person.complete()
    person.consent()
    assert Submission.objects.filter(status="complete").count() == 1
    assert Submission.objects.filter(status="draft").count() == 1
    assert person.client.get(person.url("thanks")).url == person.url("start")
    assert person.client.get(person.url("code")).status_code == 200


def test_thanks_page_without_submitting_goes_to_the_start(person: Participant) -> None:
    assert person.client.get(person.url("thanks")).url == person.url("start")


# --------------------------------------------------------------------- closing mid-way


def test_closing_mid_way_shows_the_closed_page_and_keeps_the_draft(person: Participant) -> None:
    _ready(person)
    person.answer_page(1, PAGE_ANSWERS[0])
    person.collection.close()
    response = person.answer_page(2, PAGE_ANSWERS[1])
    assert response.status_code == 410
    assert "This questionnaire is closed" in text(response)
    assert person.submit().status_code == 410
    assert person.client.get(person.url("questions", 1)).status_code == 410
    draft = Submission.objects.get()
    assert draft.status == "draft"
    assert draft.answers == PAGE_ANSWERS[0]


def test_thanks_still_shows_after_the_collection_closes(person: Participant) -> None:
    person.complete()
    person.collection.close()
    assert person.client.get(person.url("thanks")).status_code == 200
    assert person.submit().url == person.url("thanks")


def test_pages_are_not_cached_on_shared_devices(person: Participant) -> None:
    response = person.client.get(person.url("start"))
    assert "no-store" in response["Cache-Control"]


def test_a_submit_resent_after_the_server_stopped_before_saving_the_session_is_thanked(
    person: Participant,
) -> None:
    """The response was committed but the session still names the draft: thank, don't restart."""
    from imheval.web.capture import journey

    _ready(person)
    for number, answers in enumerate(PAGE_ANSWERS, start=1):
        person.answer_page(number, answers)
    journey.complete(Submission.objects.get())  # committed; the session was never updated
    assert person.client.session.get(f"capture:{person.collection.token}:done") is None
    response = person.submit()
    assert response.url == person.url("thanks")
    assert Submission.objects.filter(status="complete").count() == 1
    assert Submission.objects.count() == 1
    session = dict(person.client.session)
    session.pop("capture-starts")
    assert session == {f"capture:{person.collection.token}:done": True}
