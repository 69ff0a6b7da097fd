"""The instrument editor's Barr level: a select beside the Kirkpatrick level, validated against
it, with its problem tied to its box, and round-tripped to YAML."""

from __future__ import annotations

from typing import Any

from conftest import client_as
from test_workspace_instrument_editor_fields import _url, page_post, post_of

from imheval.instruments import get_builtin
from imheval.instruments.writer import instrument_to_yaml
from imheval.web.workspace.instrument_draft import check, draft_from, draft_of
from imheval.web.workspace.models import InstrumentFile


def test_barr_levels_survive_the_draft_and_the_yaml() -> None:
    followup = get_builtin("imh-practice-followup")
    draft = draft_of(followup)
    assert [d.barr for d in draft.domains] == ["3a", "3a"]
    checked, problems = check(draft_from(post_of(draft)))
    assert problems == []
    assert checked == followup
    assert "barr_level: 3a" in instrument_to_yaml(checked)


def test_an_untagged_domain_stays_untagged() -> None:
    reaction = get_builtin("imh-reaction")
    draft = draft_of(reaction)
    assert draft.domains[0].barr == ""
    checked, problems = check(draft_from(post_of(draft)))
    assert problems == [] and checked is not None
    assert checked.domains[0].barr_level is None
    assert "barr_level" not in instrument_to_yaml(checked)


def test_a_barr_level_of_another_kirkpatrick_level_is_refused_at_its_box() -> None:
    draft = draft_of(get_builtin("imh-practice-followup"))
    draft.domains[0].level = "2"
    checked, problems = check(draft_from(post_of(draft)))
    assert checked is None
    [problem] = [p for p in problems if p.anchor.startswith("domain-0")]
    assert problem.anchor == "domain-0-barr"
    assert "barr_level '3a' is a level 3 tag, but kirkpatrick_level is 2" in problem.text


def test_an_unknown_barr_level_is_refused_at_its_box() -> None:
    draft = draft_of(get_builtin("imh-practice-followup"))
    draft.domains[1].barr = "5c"
    checked, problems = check(draft_from(post_of(draft)))
    assert checked is None
    assert [p.anchor for p in problems] == ["domain-1-barr"]
    assert problems[0].text.startswith("Domain enablers:")


def test_the_editor_page_has_a_barr_select_and_saves_a_change(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    url = _url("instrument_copy", instrument_id="imh-practice-followup")
    page = client.get(url).content.decode()
    assert '<select class="nhsuk-select' in page and 'id="domain-0-barr"' in page
    assert '<option value="3a" selected>3a: behaviour, self-reported</option>' in page
    assert ">Barr level (optional)" in page

    post = page_post(page, "save")
    post["domain-1-barr"] = ["3b"]
    assert client.post(url, post).status_code == 302

    saved = InstrumentFile.objects.get(instrument_id="imh-practice-followup-own").instrument()
    assert [d.barr_level for d in saved.domains] == ["3a", "3b"]
