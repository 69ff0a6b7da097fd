"""The instrument editor keeps every field of the file format (parallel forms, framework,
jurisdiction wording; a question's form, misconceptions, competencies and evidence), ties their
problems to their boxes, and lists item-writing advice after Check without blocking Save."""

from __future__ import annotations

import sys
from dataclasses import fields
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import client_as
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from imheval.instruments import (
    Instrument,
    OpenItem,
    get_builtin,
    list_builtin,
    load_instrument_text,
)
from imheval.instruments.bank import builtin_ids, builtin_versions
from imheval.instruments.frameworks import AIMH_UK
from imheval.web.organisations.models import Organisation
from imheval.web.workspace.instrument_draft import (
    SECTIONS,
    Draft,
    apply_action,
    check,
    draft_from,
    draft_of,
)
from imheval.web.workspace.models import InstrumentFile

sys.path.insert(0, str(Path(__file__).parents[1] / "instruments"))
from test_forms_wording_competencies import BASE


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def post_of(draft: Draft) -> MultiValueDict[str, Any]:
    """What the editor's form posts for ``draft``: every field by its name."""
    post: MultiValueDict[str, Any] = MultiValueDict()
    for name in ("id", "version", "title", "description", "language", "forms", "framework"):
        post[name] = getattr(draft, name)
    post.setlist("levels", draft.levels)
    for section in SECTIONS:
        entries = getattr(draft, f"{section}s")
        post[f"{section}-count"] = str(len(entries))
        for index, entry in enumerate(entries):
            for part in fields(entry):
                value, name = getattr(entry, part.name), f"{section}-{index}-{part.name}"
                if isinstance(value, list):
                    post.setlist(name, value)
                elif isinstance(value, bool):
                    if value:
                        post[name] = "on"
                else:
                    post[name] = value
    return post


class _FormFields(HTMLParser):
    """The values a browser would submit from the page's post form (no button pressed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: list[tuple[str, str]] = []
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method") == "post":
            self._in_form = True
        if not self._in_form or "name" not in a:
            if tag == "option" and self._select is not None and "selected" in a:
                self.values.append((self._select, a["value"]))
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("text", "hidden") or (kind in ("checkbox", "radio") and "checked" in a):
                self.values.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []
        elif tag == "select":
            self._select = a["name"]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            self.values.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "select":
            self._select = None


def page_post(page: str, action: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(page)
    post: dict[str, list[str]] = {}
    for name, value in parser.values:
        post.setdefault(name, []).append(value)
    return post | {"action": [action]}


def base() -> Instrument:
    return load_instrument_text(BASE, source="forms.yaml")


# --- round trips ------------------------------------------------------------------------------


BANK = [f"{i}@{v}" for i in builtin_ids() for v in builtin_versions(i)]


@pytest.mark.parametrize("ref", [*BANK, "forms-test"])
def test_every_field_survives_draft_post_and_check(ref: str) -> None:
    instrument = base() if ref == "forms-test" else get_builtin(ref)
    checked, problems = check(draft_from(post_of(draft_of(instrument))))
    assert problems == []
    assert checked == instrument


def test_the_edit_page_shows_every_new_field_and_saving_it_unchanged_keeps_them(
    workspace: Any,
) -> None:
    own = InstrumentFile.objects.create(
        organisation=Organisation.objects.get(slug="northern"),
        instrument_id="forms-test",
        title="Forms test",
        source_name="forms.yaml",
        text=BASE,
    )
    client = client_as(workspace.users["evaluator"])
    url = _url("instrument_edit", instrument_file=own.pk)
    page = client.get(url).content.decode()
    for shown in (
        'id="forms"',
        'id="framework"',
        'id="term-0-id"',
        'id="term-1-ireland"',
        'id="item-0-form"',
        'id="item-0-misconceptions"',
        'id="item-0-competencies"',
        'id="item-0-evidence"',
        ">Assessment of caregiving</label>",
    ):
        assert shown in page, shown

    response = client.post(url, page_post(page, "save"))

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.instrument() == base().model_copy(update={"version": "2.0.1"})


@pytest.mark.parametrize("instrument_id", [i.id for i in list_builtin()])
def test_a_copy_of_each_built_in_saved_from_the_page_unchanged_equals_it(
    workspace: Any, instrument_id: str
) -> None:
    client = client_as(workspace.users["evaluator"])
    url = _url("instrument_copy", instrument_id=instrument_id)
    page = client.get(url).content.decode()

    assert client.post(url, page_post(page, "save")).status_code == 302

    saved = InstrumentFile.objects.get(instrument_id=f"{instrument_id}-own").instrument()
    builtin = next(i for i in list_builtin() if i.id == instrument_id)
    # the page ticks an item's competencies in the framework's order, whatever the file's order
    order = {domain.id: n for n, domain in enumerate(AIMH_UK.domains)}
    # every question, open ones too (imh-practice-followup asks one)
    items = tuple(
        item
        if isinstance(item, OpenItem)
        else item.model_copy(
            update={"competencies": tuple(sorted(item.competencies, key=order.get))}
        )
        for item in builtin.questions
    )
    assert saved == builtin.model_copy(
        update={
            "id": saved.id,
            "title": f"{builtin.title} (our version)",
            "version": "1",
            "items": items,
        }
    )


# --- problems with the new fields -------------------------------------------------------------


def test_problems_with_forms_wording_and_misconceptions_link_to_their_boxes() -> None:
    draft = draft_of(base())
    draft.items[2].form = "C"  # KB1
    draft.items[0].misconceptions += "\nno colon here"
    draft.terms[1].default = ""  # emergency
    draft.framework = "nhs-ksf"

    _, problems = check(draft_from(post_of(draft)))

    found = [(p.anchor, p.text) for p in problems]
    assert (
        "item-0-misconceptions",
        "Question 1 (KA1): line 3 ('no colon here') needs a code, a colon and the words, for "
        "example 'b: Babies cannot feel stress'",
    ) in found
    assert (
        "item-2-form",
        "Question 3 (KB1): item 'KB1' names form 'C', which is not declared (declared forms: A, B)",
    ) in found
    assert ("term-1-default", "Wording: wording term 'emergency' has no 'default' words") in found
    assert (
        "framework",
        "Competency framework: framework 'nhs-ksf' is not known; use one of: aimh-uk-imhcf, "
        "mi-aimh",
    ) in found


def test_a_term_is_added_and_removed_by_its_buttons() -> None:
    draft = draft_of(base())
    added = apply_action(draft, "add-term")
    assert [t.id for t in added.terms] == ["health_visitor", "emergency", "term"]
    assert [t.id for t in apply_action(added, "remove-term-0").terms] == ["emergency", "term"]


# --- item-writing advice ----------------------------------------------------------------------

CUED = {
    "id": "cued",
    "version": "1",
    "title": "Cued",
    "levels": ["beginner"],
    "domain-count": "1",
    "domain-0-id": "knowledge",
    "domain-0-label": "Knowledge",
    "domain-0-level": "2",
    "scale-count": "0",
    "item-count": "2",
    "item-0-id": "Q1",
    "item-0-domain": "knowledge",
    "item-0-kind": "keyed",
    "item-0-text": "When do babies cry?",
    "item-0-options": "a: They always cry at night\nb: They never cry\nc: When hungry",
    "item-0-key": "c",
    "item-1-id": "Q2",
    "item-1-domain": "knowledge",
    "item-1-kind": "keyed",
    "item-1-text": "Is crying a way a baby communicates?",
    "item-1-options": "yes: Yes\nno: No",
    "item-1-key": "yes",
}


def test_check_lists_item_writing_advice_linked_to_the_question_and_saves_nothing(
    workspace: Any,
) -> None:
    client = client_as(workspace.users["evaluator"])

    response = client.post(_url("instrument_new"), CUED | {"action": "check"})

    assert response.context["problems"] == []
    assert [(a.anchor, a.text) for a in response.context["advised"]] == [
        (
            "item-0-options",
            "Question 1 (Q1): option c is the only one without 'always' or 'never'; test-wise "
            "readers will find it",
        )
    ]
    page = response.content.decode()
    assert 'class="nhsuk-warning-callout" id="advice"' in page
    assert '<a href="#item-0-options">Question 1 (Q1): option c is the only one' in page
    assert "No problems found" in page
    assert not InstrumentFile.objects.filter(instrument_id="cued").exists()


def test_advice_never_blocks_saving_and_the_saved_page_says_how_many(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])

    response = client.post(_url("instrument_new"), CUED | {"action": "save"}, follow=True)

    assert InstrumentFile.objects.filter(instrument_id="cued").exists()
    page = response.content.decode()
    assert "It has 1 piece of item-writing advice" in page


def test_an_instrument_without_cues_shows_no_advice(workspace: Any) -> None:
    clean = CUED | {"item-0-options": "a: At night\nb: Not very often\nc: When hungry"}
    response = client_as(workspace.users["evaluator"]).post(
        _url("instrument_new"), clean | {"action": "check"}
    )
    assert response.context["advised"] == []
    assert 'id="advice"' not in response.content.decode()
