"""The instrument editor: copy a built-in, edit, reorder, validate as the loader does, lock and
versions, permissions, the audit log and YAML downloads."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from django.urls import reverse

from imheval.instruments import KeyedItem, RatingItem, get_builtin, load_instrument_text
from imheval.instruments.writer import instrument_to_yaml
from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent
from imheval.web.results.analysis import Scope, data_fingerprint
from imheval.web.workspace.instrument_draft import draft_of
from imheval.web.workspace.instrument_editor import next_version
from imheval.web.workspace.models import InstrumentFile


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _form(instrument_id: str = "imh-core@1.0.0", **changes: Any) -> dict[str, Any]:
    """The editor's POST for a built-in instrument, with ``changes`` (field name -> value).

    It posts the domains, scales and items only (not parallel forms, wording or a framework), so
    it starts from imh-core 1.0.0, which has none of those; the fields test covers them."""
    draft = draft_of(get_builtin(instrument_id))
    post: dict[str, Any] = {
        "id": draft.id,
        "version": draft.version,
        "title": draft.title,
        "description": draft.description,
        "language": draft.language,
        "levels": draft.levels,
    }
    for section in ("domain", "scale", "item"):
        entries = getattr(draft, f"{section}s")
        post[f"{section}-count"] = str(len(entries))
        for index, entry in enumerate(entries):
            for name, value in vars(entry).items():
                if value is True:
                    post[f"{section}-{index}-{name}"] = "on"
                elif value is not False:
                    post[f"{section}-{index}-{name}"] = value
    post.update(changes)
    return {key: value for key, value in post.items() if value is not None}


def _copy(client: Any, **changes: Any) -> Any:
    base = {"id": "imh-core-own", "title": "IMH core (our version)", "version": "1"}
    form = _form(**(base | changes))
    return client.post(_url("instrument_copy", instrument_id="imh-core"), form)


def _saved(instrument_id: str = "imh-core-own") -> InstrumentFile:
    return InstrumentFile.objects.get(instrument_id=instrument_id)


# --- copying and editing ----------------------------------------------------------------------


def test_copy_page_prefills_an_own_id_title_and_version_and_the_built_in_is_untouched(
    workspace: Any,
) -> None:
    response = client_as(workspace.users["evaluator"]).get(
        _url("instrument_copy", instrument_id="imh-core")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="id" type="text" value="imh-core-own"' in page
    assert 'value="Infant mental health core questionnaire (our version)"' in page
    assert 'name="version" type="text" value="1"' in page
    assert "your own copy of the built-in instrument imh-core 2.0.0" in page
    assert (
        response.context["form"].items[0].fields[0].value == get_builtin("imh-core").items[0].text
    )


def test_evaluator_copies_the_built_in_changing_wording_options_key_scale_reverse_and_level(
    workspace: Any,
) -> None:
    client = client_as(workspace.users["evaluator"])
    response = _copy(
        client,
        **{
            "item-0-text": "What does a calm carer do with a baby's big feelings?",
            "item-0-options": "a: Ignores them\nb: Holds and calms them\nc: Laughs",
            "item-0-key": "b",
            "item-1-key": "a, b",
            "item-1-points": "2",
            "scale-0-max": "4",
            "scale-0-labels": "1: Not at all\n4: Completely",
            "item-14-reverse": "on",
            "item-18-reverse": None,  # S5 was reverse keyed; unticked now
            "domain-2-level": "3",
            "action": "save",
        },
    )
    saved = _saved()
    assert response.status_code == 302
    assert response["Location"] == _url("instrument_file", instrument_file=saved.pk)
    assert saved.copied_from == "imh-core 2.0.0" and saved.replaces is None
    instrument = saved.instrument()
    first, second = instrument.items[0], instrument.items[1]
    assert isinstance(first, KeyedItem) and isinstance(second, KeyedItem)
    assert first.text == "What does a calm carer do with a baby's big feelings?"
    assert first.options == {"a": "Ignores them", "b": "Holds and calms them", "c": "Laughs"}
    assert first.key == ("b",)
    assert second.key == ("a", "b") and second.points == 2.0
    assert instrument.scales["confidence"].max == 4
    assert instrument.scales["confidence"].labels == {1: "Not at all", 4: "Completely"}
    ratings = [i for i in instrument.items if isinstance(i, RatingItem)]
    assert [i.id for i in ratings if i.reverse] == ["S1"]
    assert instrument.domains[2].kirkpatrick_level == 3
    assert saved.text == instrument_to_yaml(instrument)
    # the built-in stays as it is
    assert get_builtin("imh-core@1.0.0").items[0].text.startswith("A 10-month-old falls over")


def test_buttons_add_remove_and_reorder_questions_and_domains_without_saving(
    workspace: Any,
) -> None:
    client = client_as(workspace.users["evaluator"])
    url = _url("instrument_copy", instrument_id="imh-core")
    down = client.post(url, _form(action="down-item-0")).context["form"]
    assert [entry.fields[1].value for entry in down.items[:3]] == ["K2", "K1", "K3"]
    up = client.post(url, _form(action="up-domain-1")).context["form"]
    assert [entry.fields[1].value for entry in up.domains] == [
        "risk_identification",
        "knowledge",
        "self_efficacy",
    ]
    removed = client.post(url, _form(action="remove-item-19")).context["form"]
    assert len(removed.items) == 19
    added = client.post(url, _form(action="add-item")).context["form"]
    assert len(added.items) == 21
    assert (added.items[-1].fields[1].value, added.items[-1].fields[2].value) == (
        "Q21",
        "self_efficacy",
    )
    assert len(client.post(url, _form(action="add-domain")).context["form"].domains) == 4
    assert not InstrumentFile.objects.exists()


def test_reordered_questions_are_saved_in_the_new_order(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    form = _form(id="imh-core-own", action="down-item-0")
    reordered = client.post(_url("instrument_copy", instrument_id="imh-core"), form)
    post = {"id": "imh-core-own", "action": "save"}
    items = reordered.context["form"].items
    fields = {f.name: f.value for entry in items for f in entry.fields + entry.keyed + entry.rating}
    changes = {name: ("on" if value is True else value) for name, value in fields.items()}
    changes = {k: v for k, v in changes.items() if v is not False}
    client.post(_url("instrument_copy", instrument_id="imh-core"), _form(**changes, **post))
    assert [i.id for i in _saved().instrument().items[:3]] == ["K2", "K1", "K3"]


def test_every_problem_is_listed_at_once_linked_to_its_field_and_nothing_is_saved(
    workspace: Any,
) -> None:
    response = _copy(
        client_as(workspace.users["evaluator"]),
        **{
            "id": "imh-core",
            "version": "",
            "levels": None,
            "item-0-key": "e",
            "item-1-text": "",
            "item-2-options": "a: One\nno colon here",
            "item-3-domain": "feelings",
            "scale-0-min": "one",
            "domain-0-label": "",
            "action": "save",
        },
    )
    assert response.status_code == 200
    assert not InstrumentFile.objects.exists()
    problems = [(p.anchor, p.text) for p in response.context["problems"]]
    assert problems == [
        ("id", "Id: 'imh-core' belongs to a built-in instrument; choose your own"),
        (
            "item-2-options",
            "Question 3 (K3): line 2 ('no colon here') needs a code, a colon and the words, "
            "for example 'a: Yes'",
        ),
        ("version", "Version: must not be empty"),
        ("levels", "Training levels: needs at least one entry"),
        ("domain-0-label", "Domain knowledge: label: must not be empty"),
        ("scale-0-min", "Rating scale confidence: min: 'one' is not a whole number"),
        (
            "item-0-key",
            "Question 1 (K1): key ['e'] is not among the options ['a', 'b', 'c', 'd']",
        ),
        ("item-1-text", "Question 2 (K2): text: must not be empty"),
        ("item-2-options", "Question 3 (K3): options: needs at least 2 entries"),
        (
            "item-3-domain",
            "Question 4 (K4): item 'K4' names domain 'feelings', which is not declared "
            "(declared domains: knowledge, risk_identification, self_efficacy)",
        ),
    ]
    page = response.content.decode()
    assert "There are 10 problems" in page
    assert '<a href="#item-0-key">' in page
    assert 'id="item-0-key"' in page and 'id="item-0-key-error"' in page
    assert "<title>Error: " in page


def test_check_lists_no_problems_and_saves_nothing(workspace: Any) -> None:
    response = _copy(client_as(workspace.users["evaluator"]), action="check")
    assert response.context["problems"] == []
    assert "No problems found" in response.content.decode()
    assert not InstrumentFile.objects.exists()


def test_new_instrument_from_nothing_starts_with_one_domain_and_one_question(
    workspace: Any,
) -> None:
    client = client_as(workspace.users["evaluator"])
    form = client.get(_url("instrument_new")).context["form"]
    assert (len(form.domains), len(form.items), len(form.scales)) == (1, 1, 0)
    post = {
        "id": "my-questionnaire",
        "version": "1",
        "title": "Our questions",
        "levels": ["beginner"],
        "domain-count": "1",
        "domain-0-id": "knowledge",
        "domain-0-label": "Knowledge",
        "domain-0-level": "2",
        "scale-count": "0",
        "item-count": "1",
        "item-0-id": "Q1",
        "item-0-domain": "knowledge",
        "item-0-kind": "keyed",
        "item-0-text": "Is crying a way a baby communicates?",
        "item-0-options": "yes: Yes\nno: No",
        "item-0-key": "yes",
        "action": "save",
    }
    assert client.post(_url("instrument_new"), post).status_code == 302
    instrument = _saved("my-questionnaire").instrument()
    assert instrument.items[0].key == ("yes",)  # type: ignore[union-attr]
    assert _saved("my-questionnaire").copied_from == ""


# --- versions and the lock --------------------------------------------------------------------


def _own_copy(workspace: Any) -> InstrumentFile:
    _copy(client_as(workspace.users["evaluator"]), action="save")
    return _saved()


def test_an_unlocked_instrument_is_changed_in_place_its_id_kept_and_the_change_audited(
    workspace: Any,
) -> None:
    own = _own_copy(workspace)
    client = client_as(workspace.users["evaluator"])
    page = client.get(_url("instrument_edit", instrument_file=own.pk))
    assert 'name="version" type="text" value="2"' in page.content.decode()
    assert "saving changes it as it is" in page.content.decode()
    scope = Scope.of(workspace.organisation)
    before = data_fingerprint(scope)
    events = AuditEvent.objects.filter(object_type="instrument file").count()
    changes = {"item-0-text": "Changed.", "action": "save"}
    form = _form(id="something-else", title=own.title, version="2", **changes)
    response = client.post(_url("instrument_edit", instrument_file=own.pk), form)
    own.refresh_from_db()
    assert response.status_code == 302
    assert InstrumentFile.objects.count() == 1
    assert own.instrument_id == "imh-core-own"  # the id stays
    assert (own.instrument().version, own.instrument().items[0].text) == ("2", "Changed.")
    event = AuditEvent.objects.filter(object_type="instrument file").latest("id")
    assert AuditEvent.objects.filter(object_type="instrument file").count() == events + 1
    assert (event.action, event.actor, list(event.changes)) == (
        "updated",
        workspace.users["evaluator"],
        ["edited_at"],
    )
    assert data_fingerprint(scope) != before


def test_a_locked_instrument_says_so_before_editing_and_saving_makes_a_new_version(
    workspace: Any,
) -> None:
    own = _own_copy(workspace)
    workspace.pre.instrument_refs = ["imh-core-own"]
    workspace.pre.save()
    Submission.objects.create(collection=workspace.pre, code="ABC12")
    client = client_as(workspace.users["evaluator"])
    page = client.get(_url("instrument_edit", instrument_file=own.pk)).content.decode()
    assert page.index('id="instrument-locked"') < page.index('name="domain-count"')
    assert "This version is locked" in page
    assert "Solihull Approach foundation: SOL-1" in page
    assert 'name="id" type="text" value="imh-core-own-v2"' in page
    response = client.post(
        _url("instrument_edit", instrument_file=own.pk),
        _form(id="imh-core-own-v2", version="2", **{"item-0-text": "New.", "action": "save"}),
    )
    newer = _saved("imh-core-own-v2")
    assert response["Location"] == _url("instrument_file", instrument_file=newer.pk)
    assert newer.replaces == own
    own.refresh_from_db()
    assert own.instrument().items[0].text == get_builtin("imh-core@1.0.0").items[0].text
    assert newer.instrument().items[0].text == "New."
    # lineage on both pages and in the list
    assert (
        "imh-core-own-v2"
        in client.get(_url("instrument_file", instrument_file=own.pk)).content.decode()
    )
    old_page = client.get(_url("instrument_file", instrument_file=own.pk)).content.decode()
    assert "Replaced by" in old_page
    assert (
        "Replaces" in client.get(_url("instrument_file", instrument_file=newer.pk)).content.decode()
    )
    listing = client.get(_url("instruments")).content.decode()
    assert "replaces imh-core-own" in listing and "replaced by imh-core-own-v2" in listing
    # the next locked edit of the old one offers -v3
    page = client.get(_url("instrument_edit", instrument_file=own.pk)).content.decode()
    assert 'value="imh-core-own-v3"' in page


def test_a_locked_instrument_cannot_be_saved_under_its_own_id(workspace: Any) -> None:
    own = _own_copy(workspace)
    workspace.pre.instrument_refs = ["imh-core-own"]
    workspace.pre.save()
    Submission.objects.create(collection=workspace.pre, code="ABC12")
    response = client_as(workspace.users["evaluator"]).post(
        _url("instrument_edit", instrument_file=own.pk), _form(id="imh-core-own", action="save")
    )
    assert [p.anchor for p in response.context["problems"]] == ["id"]
    assert InstrumentFile.objects.count() == 1


@pytest.mark.parametrize(
    ("version", "after"),
    [("1", "2"), ("1.0.0", "1.0.1"), ("2026-a", "2027-a"), ("draft", "draft-2"), ("v9", "v10")],
)
def test_next_version_counts_on_the_last_number(version: str, after: str) -> None:
    assert next_version(version) == after


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("instrument_new", {}), ("instrument_copy", {"instrument_id": "imh-core"})],
)
def test_a_member_who_may_not_edit_instruments_gets_403(
    workspace: Any, name: str, kwargs: dict[str, Any]
) -> None:
    client = client_as(workspace.users["viewer"])
    assert client.get(_url(name, **kwargs)).status_code == 403
    assert client.post(_url(name, **kwargs), _form(action="save")).status_code == 403
    assert not InstrumentFile.objects.exists()


def test_another_organisation_cannot_see_edit_or_download_an_instrument(workspace: Any) -> None:
    own = _own_copy(workspace)
    outsider = client_as(workspace.outsider)
    for name in ("instrument_edit", "instrument_file_yaml"):
        url = _url(name, instrument_file=own.pk)
        assert outsider.get(url).status_code == 404
    assert (
        outsider.post(_url("instrument_edit", instrument_file=own.pk), _form()).status_code == 404
    )
    southern = reverse(
        "workspace:instrument_edit", kwargs={"org": "southern", "instrument_file": own.pk}
    )
    assert outsider.get(southern).status_code == 404


def test_viewer_sees_download_but_no_edit_or_copy_buttons(workspace: Any) -> None:
    own = _own_copy(workspace)
    client = client_as(workspace.users["viewer"])
    builtin = client.get(_url("instrument_builtin", instrument_id="imh-core")).content.decode()
    file_page = client.get(_url("instrument_file", instrument_file=own.pk)).content.decode()
    assert "Download as YAML" in builtin and "Make your own copy" not in builtin
    assert "Download as YAML" in file_page and "Edit this instrument" not in file_page
    evaluator = client_as(workspace.users["evaluator"])
    page = evaluator.get(_url("instrument_builtin", instrument_id="imh-core")).content.decode()
    assert _url("instrument_copy", instrument_id="imh-core") in page


# --- YAML files -------------------------------------------------------------------------------


def test_built_in_yaml_download_is_the_writers_output_and_reloads(workspace: Any) -> None:
    response = client_as(workspace.users["viewer"]).get(
        _url("instrument_builtin_yaml", instrument_id="imh-core")
    )
    text = response.content.decode()
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="imh-core-2.0.0.yaml"'
    assert text == instrument_to_yaml(get_builtin("imh-core"))
    assert load_instrument_text(text) == get_builtin("imh-core")


def test_saved_instrument_download_equals_the_writers_output_and_reloads(workspace: Any) -> None:
    own = _own_copy(workspace)
    response = client_as(workspace.users["viewer"]).get(
        _url("instrument_file_yaml", instrument_file=own.pk)
    )
    text = response.content.decode()
    assert response["Content-Disposition"] == 'attachment; filename="imh-core-own.yaml"'
    assert text == instrument_to_yaml(own.instrument())
    assert load_instrument_text(text).id == "imh-core-own"


def test_starter_file_is_a_valid_instrument_with_one_keyed_and_one_rating_item(
    workspace: Any,
) -> None:
    client = client_as(workspace.users["viewer"])
    assert _url("instrument_starter") in client.get(_url("instruments")).content.decode()
    response = client.get(_url("instrument_starter"))
    instrument = load_instrument_text(response.content.decode(), source="starter.yaml")
    assert [type(i).__name__ for i in instrument.items] == ["KeyedItem", "RatingItem"]
    assert response.content.decode().startswith("# A starter instrument")
