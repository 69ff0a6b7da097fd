"""The questions page names its draft for the browser's keeping of unsaved choices by a hash,
never the draft's key; the pages where a new person may begin tell the browser to forget them
(the behaviour itself is tested in Chromium: test_capture_smoother_browser.py)."""

from __future__ import annotations

from typing import Any

from test_capture_journey import Participant, text

from imheval.web.capture import journey

SCRIPT = '<script type="module" src="/static/capture/keep-answers.mjs"></script>'
FORGET = '<meta name="imheval-answers" content="forget">'


def test_the_questions_form_is_named_by_a_hash_of_the_draft_and_its_page(workspace: Any) -> None:
    person = Participant(workspace.pre)
    person.consent()
    person.make_code()
    person.about_you()
    draft = person.draft()
    page = text(person.client.get(person.url("questions", 2)))
    ref = journey.draft_ref(draft)
    assert len(ref) == 16 and ref not in str(draft.key).replace("-", "")
    assert f'data-keep-answers="{ref}:2"' in page
    assert str(draft.key) not in page
    assert SCRIPT in page and FORGET not in page


def test_each_draft_has_its_own_name(workspace: Any) -> None:
    first, second = Participant(workspace.pre), Participant(workspace.pre)
    first.consent()
    second.consent()
    assert journey.draft_ref(first.draft()) != journey.draft_ref(second.draft())


def test_start_carry_on_thank_you_and_declined_pages_tell_the_browser_to_forget(
    workspace: Any,
) -> None:
    person = Participant(workspace.pre)
    assert FORGET in text(person.client.get(person.url("start")))
    assert FORGET in text(person.client.get(person.url("declined")))
    person.complete()
    assert FORGET in text(person.client.get(person.url("thanks")))
    other = Participant(workspace.pre)
    other.consent()
    other.make_code()
    other.client.get(other.url("start"))  # holds the draft: carrying on asks for the code
    assert FORGET in text(other.client.get(other.url("resume")))
    third = Participant(workspace.pre)
    third.consent()
    code_page = text(third.client.get(third.url("code")))
    assert "Your anonymous code" in code_page and SCRIPT in code_page
    assert FORGET not in code_page
