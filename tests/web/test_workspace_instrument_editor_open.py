"""The instrument editor keeps open questions (``kind: open``): they are shown with their
wording, domain, form and longest answer, saving the page unchanged keeps them, and a question
can be made open on the page."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from conftest import client_as
from django.urls import reverse

from imheval.instruments import OpenItem, load_instrument_text
from imheval.web.organisations.models import Organisation
from imheval.web.workspace.instrument_draft import check, draft_from, draft_of
from imheval.web.workspace.models import InstrumentFile

sys.path.insert(0, str(Path(__file__).parents[1] / "instruments"))
from test_open_items import text_with
from test_workspace_instrument_editor_fields import page_post, post_of


def _own(text: str) -> InstrumentFile:
    return InstrumentFile.objects.create(
        organisation=Organisation.objects.get(slug="northern"),
        instrument_id="demo",
        title="Demo questionnaire",
        source_name="demo.yaml",
        text=text,
    )


def _edit_url(own: InstrumentFile) -> str:
    return reverse(
        "workspace:instrument_edit", kwargs={"org": "northern", "instrument_file": own.pk}
    )


def test_open_questions_survive_draft_post_and_check() -> None:
    instrument = load_instrument_text(text_with(), source="demo.yaml")

    draft = draft_of(instrument)
    checked, problems = check(draft_from(post_of(draft)))

    assert [(item.id, item.kind) for item in draft.items] == [
        ("Q1", "keyed"),
        ("Q1why", "open"),
        ("Q2", "rating"),
        ("comments", "open"),
    ]
    assert problems == []
    assert checked == instrument
    assert checked is not None and checked.open_items == (
        OpenItem(kind="open", id="Q1why", domain="knowledge",
                 text="What made you choose that answer?"),
        OpenItem(kind="open", id="comments", domain=None,
                 text="Is there anything else you would like to tell us?", max_length=400),
    )  # fmt: skip


def test_an_open_questions_bad_longest_answer_links_to_its_box() -> None:
    draft = draft_of(load_instrument_text(text_with(), source="demo.yaml"))
    draft.items[3].max_length = "9000"

    checked, problems = check(draft_from(post_of(draft)))

    assert checked is None
    assert [p.anchor for p in problems] == ["item-3-max_length"]
    assert problems[0].text.startswith("Question 4 (comments): ")
    assert "5000" in problems[0].text


def test_the_edit_page_shows_open_questions_and_saving_it_unchanged_keeps_them(
    workspace: Any,
) -> None:
    own = _own(text_with())
    client = client_as(workspace.users["evaluator"])
    url = _edit_url(own)
    page = client.get(url).content.decode()

    assert 'id="item-1-kind-open" name="item-1-kind" type="radio" value="open" checked' in page
    assert 'id="item-3-max_length"' in page
    assert 'value="400"' in page
    assert "In their own words (never scored)" in page

    response = client.post(url, page_post(page, "save"))

    assert response.status_code == 302
    own.refresh_from_db()
    saved = own.instrument()
    original = load_instrument_text(text_with(), source="demo.yaml")
    assert saved == original.model_copy(update={"version": saved.version})
    assert [q.id for q in saved.open_items] == ["Q1why", "comments"]


def test_a_question_added_on_the_page_can_be_made_open(workspace: Any) -> None:
    own = _own(text_with())
    client = client_as(workspace.users["evaluator"])
    url = _edit_url(own)
    page = client.get(url).content.decode()
    added = client.post(url, page_post(page, "add-item")).content.decode()
    post = page_post(added, "save")
    post |= {
        "item-4-kind": ["open"],
        "item-4-id": ["later"],
        "item-4-domain": [""],
        "item-4-text": ["What would you like to learn next?"],
    }
    checked = client.post(url, post | {"action": ["check"]}).content.decode()
    # the box for its longest answer appears once the page knows the question is open
    assert 'id="item-4-max_length"' in checked
    assert 'id="item-0-max_length"' not in checked
    post = page_post(checked, "save") | {"item-4-max_length": ["250"]}

    assert client.post(url, post).status_code == 302

    own.refresh_from_db()
    assert own.instrument().open_items[-1] == OpenItem(
        kind="open", id="later", text="What would you like to learn next?", max_length=250
    )
