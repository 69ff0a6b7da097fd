"""Posted fields: whatever a member sends in a qualitative form, no page answers with a
server error.

The attack: the coding page took ``codes=²`` ("²".isdigit() is true, int("²") raises) and
answered 500; so did the turn, the passage page and the joint display's quote and link. For
every qualitative address that takes a POST, each field its forms hold (read from the page
itself, so a new form cannot be missed) and each field its module reads from ``request.POST``
is set, one at a time, to each of the query fuzz test's nasty values, the other fields keeping
the form's own values; every answer must be below 500. Each post is rolled back, so a delete
or an import does not take the objects away from the next.
"""

from __future__ import annotations

import inspect
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from conftest import client_as
from django.db import transaction
from django.urls import reverse
from test_query_fuzz import NASTY
from test_workspace_access import _northern_qualitative

from imheval.web.qualitative import urls as qualitative_urls
from imheval.web.qualitative.models import FindingLink, Review
from imheval.web.qualitative.numbers import posted_pk

pytestmark = pytest.mark.django_db

#: Reads of posted fields in a view module's source.
POSTED = re.compile(r"request\.POST\.(?:get|getlist)\(\s*\"(\w+)\"")
#: Fields the client fills itself, not the form.
SKIPPED = {"csrfmiddlewaretoken"}
#: Fields that must be among those sent (so a page whose form is no longer found fails).
EXPECTED = {
    "coding": {"codes", "start", "end", "turn", "memo"},
    "coding_passage": {"codes", "action"},
    "joint": {"action", "finding", "coding", "link"},
    "review_theme": {"decision", "coding"},
    "review_respond": {"response", "apply"},
    "codes_move": {"codes", "target"},
    "code_edit": {"parent"},
    "memo_create": {"about"},
    "source_upload": {"file", "names"},
    "exchange_confirm": {"token", "action"},
}


class _Forms(HTMLParser):
    """Each ``<form method="post">`` of a page: its action and its fields' first values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        name = found.get("name", "")
        if tag == "form" and found.get("method", "").lower() == "post":
            self._fields = {}
            self.forms.append((found.get("action", ""), self._fields))
        if self._fields is None:
            return
        if tag == "input" and name and name not in SKIPPED:
            kind = found.get("type", "text")
            if kind in {"checkbox", "radio"}:
                values = self._fields.setdefault(name, [])
                if not values or kind == "checkbox":
                    values.append(found.get("value", "on"))
            elif kind != "submit" or name not in self._fields:
                self._fields.setdefault(name, [found.get("value", "")])
        elif tag in {"textarea", "button"} and name:
            self._fields.setdefault(name, [found.get("value", "text")])
        elif tag == "select" and name:
            self._select = name
            self._fields.setdefault(name, [])
        elif tag == "option" and self._select and not self._fields[self._select]:
            self._fields[self._select].append(found.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None


def _posting_routes() -> list[tuple[str, Any]]:
    return [(pattern.name or "", pattern.callback) for pattern in qualitative_urls.urlpatterns]


def _address(name: str, organisation: Any, objects: dict[str, Any]) -> str:
    pattern = next(p for p in qualitative_urls.urlpatterns if p.name == name)
    kwargs = {"org": organisation.slug}
    kwargs |= {key: objects[key] for key in pattern.pattern.converters if key != "org"}  # type: ignore[attr-defined]
    return reverse(f"qualitative:{name}", kwargs=kwargs)


def _forms_on(client: Any, page_address: str) -> list[tuple[str, dict[str, list[str]]]]:
    """The post forms of a page, each with the address it posts to."""
    page = client.get(page_address)
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return []
    parser = _Forms()
    parser.feed(page.content.decode())
    return [(action or page_address, fields) for action, fields in parser.forms]


def _complete(name: str, objects: dict[str, Any]) -> dict[str, list[str]]:
    """Values that make a form whole where the page leaves them to the person (a selection in
    the text; a quote beside a finding the cohort has no results for yet), so every other
    field's nasty value reaches the save."""
    if name == "coding":
        return {"start": ["0"], "end": ["3"], "codes": [str(objects["code"])]}
    if name == "joint":
        return {"action": ["add"], "finding": ["a finding"], "coding": [str(objects["coding"])]}
    return {}


@pytest.fixture
def objects(workspace: Any) -> dict[str, Any]:
    """The access walk's objects; the review proposes a change, so the log offers an answer."""
    found = _northern_qualitative(workspace)
    Review.objects.filter(pk=found["review"]).update(decision="propose", proposed_name="Renamed")
    return found


@pytest.mark.parametrize(("name", "view"), _posting_routes(), ids=[n for n, _ in _posting_routes()])
def test_no_posted_value_gives_a_server_error(
    workspace: Any, objects: dict[str, Any], name: str, view: Any
) -> None:
    address = _address(name, workspace.organisation, objects)
    client = client_as(workspace.users["admin"])
    # a page's own forms; a view that only takes a POST has its form on another page
    only_post = client.get(address).status_code == 405
    hosts = [_address(other, workspace.organisation, objects) for other, _ in _posting_routes()]
    forms = [
        (action, fields)
        for host in (hosts if only_post else [address])
        for action, fields in _forms_on(client, host)
        if action == address
    ] or [(address, {})]
    forms = [(action, {**fields, **_complete(name, objects)}) for action, fields in forms]
    module = inspect.getsource(inspect.getmodule(view))  # type: ignore[arg-type]
    read = set(POSTED.findall(module))

    sent = {field for _, fields in forms for field in fields} | read
    assert EXPECTED.get(name, set()) <= sent, f"{name}'s form was not found"
    for action, fields in forms:
        with transaction.atomic():
            assert client.post(action, fields).status_code < 500, (name, "as the form holds")
            transaction.set_rollback(True)
        for field in sorted((set(fields) | read) - SKIPPED):
            for value in NASTY:
                data = {**fields, field: [value]}
                with transaction.atomic():
                    response = client.post(action, data)
                    transaction.set_rollback(True)
                assert response.status_code < 500, (name, field, value[:20])


@pytest.mark.parametrize(
    ("value", "number"),
    [("12", 12), (" 7 ", 7), ("0", 0), ("9" * 18, int("9" * 18))]
    + [(bad, None) for bad in ("²", "٣", "１", "9" * 19, "-1", "+1", "1e9", "", "1\x00", "x")],
)
def test_posted_pk_reads_ascii_digits_only(value: str, number: int | None) -> None:
    assert posted_pk(value) == number


def test_a_unicode_digit_in_the_coding_forms_is_refused_with_a_reason(
    workspace: Any, objects: dict[str, Any]
) -> None:
    client = client_as(workspace.users["admin"])
    coding = _address("coding", workspace.organisation, objects)
    passage = _address("coding_passage", workspace.organisation, objects)
    code = str(objects["code"])

    by_codes = client.post(coding, {"start": "0", "end": "3", "codes": ["²"]})
    by_turn = client.post(coding, {"turn": "²", "codes": [code]})
    by_start = client.post(coding, {"start": "²", "end": "3", "codes": [code]})
    on_passage = client.post(passage, {"codes": ["٣"]})

    assert by_codes.status_code == by_turn.status_code == by_start.status_code == 400
    assert "Choose codes or sub-themes of this study" in by_codes.content.decode()
    assert "There is no such turn in Focus group 1" in by_turn.content.decode()
    assert "Start must be a whole number, like 120." in by_start.content.decode()
    assert on_passage.status_code == 400
    assert "Choose codes or sub-themes of this study" in on_passage.content.decode()


def test_a_nul_in_a_memo_or_a_finding_is_refused_not_saved(
    workspace: Any, objects: dict[str, Any]
) -> None:
    client = client_as(workspace.users["admin"])
    coding = _address("coding", workspace.organisation, objects)
    joint = _address("joint", workspace.organisation, objects)
    code = str(objects["code"])

    memo = client.post(coding, {"start": "0", "end": "3", "codes": [code], "memo": "a\x00b"})
    client.post(joint, {"action": "add", "finding": "f\x00", "coding": str(objects["coding"])})

    assert memo.status_code == 400
    assert "The memo holds a NUL character" in memo.content.decode()
    assert not FindingLink.objects.exists()
