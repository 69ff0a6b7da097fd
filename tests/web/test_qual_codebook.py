"""The codebook's pages and rules: three levels (theme > sub-theme > code), rows added at each
level, renamed, moved and defined with history (who, when, before and after), moves refused with
a reason when a row would sit at the wrong level, a bulk move of codes, deletion only of unused
rows."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from qual_data import (
    add_member,
    make_code,
    make_codebook,
    make_coding,
    make_source,
    make_study,
    url,
)

from imheval.web.organisations.models import AuditEvent
from imheval.web.qualitative.models import Code, CodeChange


@pytest.fixture
def study(workspace: Any) -> Any:
    return make_study(workspace.organisation, scope=workspace.cohort)


@pytest.fixture
def analyst(workspace: Any) -> Any:
    return client_as(add_member(workspace.organisation, "analyst"))


def _changes(code: Any) -> list[tuple[str, str, str]]:
    return [(c.kind, c.before, c.after) for c in CodeChange.objects.filter(code=code)]


def test_rows_are_added_at_each_level_with_created_history(
    workspace: Any, study: Any, analyst: Any
) -> None:
    analyst.post(
        url("code_create", study=study) + "?level=theme",
        {"name": "Space to reflect", "definition": "Time to think.", "colour": "#005eb8"},
    )
    theme = Code.objects.get(name="Space to reflect")
    assert (theme.level, theme.parent, theme.colour) == ("theme", None, "#005EB8")
    form = analyst.get(url("code_create", study=study) + f"?level=subtheme&parent={theme.pk}")
    assert f'<option value="{theme.pk}" selected>Space to reflect</option>' in (
        form.content.decode()
    )
    analyst.post(
        url("code_create", study=study) + "?level=subtheme",
        {"name": "Time to think", "parent": theme.pk},
    )
    sub = Code.objects.get(name="Time to think")
    analyst.post(
        url("code_create", study=study) + "?level=code", {"name": "Never time", "parent": sub.pk}
    )
    code = Code.objects.get(name="Never time")
    assert (sub.level, sub.parent, code.level, code.parent) == ("subtheme", theme, "code", sub)
    assert _changes(code) == [("created", "", "Space to reflect > Time to think > Never time")]
    assert CodeChange.objects.get(code=code).changed_by.username == "analyst-northern"
    page = client_as(workspace.users["viewer"]).get(url("codebook", study=study))
    text = page.content.decode()
    assert text.index("Space to reflect") < text.index("Time to think") < text.index("Never time")
    assert 'fill="#005EB8"' in text and 'style="' not in text.split("<main")[1]


def test_a_code_must_sit_under_a_sub_theme(workspace: Any, study: Any, analyst: Any) -> None:
    book = make_codebook(study)
    response = analyst.post(
        url("code_create", study=study) + "?level=code",
        {"name": "Loose code", "parent": book["theme"].pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()  # themes are not offered
    missing = analyst.post(url("code_create", study=study) + "?level=code", {"name": "Loose"})
    assert "Choose the sub-theme it sits under" in missing.content.decode()
    assert not Code.objects.filter(name__startswith="Loose").exists()


def test_colours_must_be_hex(workspace: Any, study: Any, analyst: Any) -> None:
    response = analyst.post(
        url("code_create", study=study) + "?level=theme", {"name": "T", "colour": "blue"}
    )
    assert "Enter the colour as #RRGGBB, for example #005EB8" in response.content.decode()


def test_names_are_unique_under_one_parent(workspace: Any, study: Any, analyst: Any) -> None:
    book = make_codebook(study)
    response = analyst.post(
        url("code_create", study=study) + "?level=code",
        {"name": "light bulb MOMENT", "parent": book["sense"].pk},
    )
    assert "Space to reflect &gt; Making sense already has a code called light bulb MOMENT" in (
        response.content.decode()
    )
    theme = analyst.post(
        url("code_create", study=study) + "?level=theme", {"name": "space to reflect"}
    )
    assert "The codebook already has a theme called space to reflect" in theme.content.decode()
    same_name_elsewhere = analyst.post(
        url("code_create", study=study) + "?level=code",
        {"name": "Light bulb moment", "parent": book["thinking"].pk},
    )
    assert same_name_elsewhere.status_code == 302


def test_rename_move_and_define_leave_history_shown_on_the_history_page(
    workspace: Any, study: Any, analyst: Any
) -> None:
    book = make_codebook(study)
    code = book["light bulb"]
    response = analyst.post(
        url("code_edit", study=study, code=code),
        {
            "name": "Aha moment",
            "parent": book["thinking"].pk,
            "definition": "When practice suddenly made sense.",
            "colour": "",
        },
    )
    assert response["Location"] == url("codebook", study=study)
    code.refresh_from_db()
    assert (code.name, code.parent) == ("Aha moment", book["thinking"])
    assert _changes(code)[1:] == [
        ("renamed", "Light bulb moment", "Aha moment"),
        ("defined", "", "When practice suddenly made sense."),
        ("moved", "Space to reflect > Making sense", "Space to reflect > Time to think"),
    ]
    page = client_as(workspace.users["viewer"]).get(url("code_history", study=study, code=code))
    text = page.content.decode()
    assert "Renamed from Light bulb moment to Aha moment by analyst-northern on" in text
    assert (
        "Moved from Space to reflect &gt; Making sense to Space to reflect &gt; Time to think"
        in (text)
    )
    event = AuditEvent.objects.filter(object_label="Aha moment", action="updated").last()
    assert event is not None and "name" in event.changes


def test_saving_without_changes_adds_no_history(workspace: Any, study: Any, analyst: Any) -> None:
    book = make_codebook(study)
    code = book["readings"]
    analyst.post(
        url("code_edit", study=study, code=code),
        {"name": code.name, "parent": code.parent.pk, "definition": "", "colour": ""},
    )
    assert [kind for kind, _, _ in _changes(code)] == ["created"]


def test_a_sub_theme_moves_to_another_theme_but_not_under_a_sub_theme(
    workspace: Any, study: Any, analyst: Any
) -> None:
    book = make_codebook(study)
    other = make_code(study, "Confidence")
    sub = book["sense"]
    wrong = analyst.post(
        url("code_edit", study=study, code=sub),
        {"name": sub.name, "parent": book["thinking"].pk, "definition": "", "colour": ""},
    )
    assert wrong.status_code == 200 and "Select a valid choice" in wrong.content.decode()
    analyst.post(
        url("code_edit", study=study, code=sub),
        {"name": sub.name, "parent": other.pk, "definition": "", "colour": ""},
    )
    sub.refresh_from_db()
    assert sub.parent == other
    assert _changes(sub)[-1] == ("moved", "Space to reflect", "Confidence")
    assert book["light bulb"].parent == sub  # its codes go with it


def test_a_theme_has_no_parent_to_choose(workspace: Any, study: Any, analyst: Any) -> None:
    book = make_codebook(study)
    page = analyst.get(url("code_edit", study=study, code=book["theme"])).content.decode()
    assert 'name="parent"' not in page
    analyst.post(
        url("code_edit", study=study, code=book["theme"]),
        {"name": "Room to reflect", "parent": book["sense"].pk, "definition": "", "colour": ""},
    )
    book["theme"].refresh_from_db()
    assert (book["theme"].name, book["theme"].parent) == ("Room to reflect", None)


def test_rules_refuse_moves_to_the_wrong_level_with_a_reason(workspace: Any, study: Any) -> None:
    from imheval.web.qualitative.forms import refuse_move

    book = make_codebook(study)
    other_study = make_study(workspace.organisation, scope=workspace.programme, name="Other")
    assert refuse_move(book["light bulb"], book["theme"]) == "A code can only sit under a sub-theme"
    assert refuse_move(book["light bulb"], None) == "A code can only sit under a sub-theme"
    assert refuse_move(book["sense"], book["thinking"]) == "A sub-theme can only sit under a theme"
    assert refuse_move(book["theme"], book["theme"]) == (
        "A theme sits at the top of the codebook, not under a row"
    )
    foreign = make_code(other_study, "Other sub", parent=make_code(other_study, "Other theme"))
    assert refuse_move(book["light bulb"], foreign) == "Choose a row of this study's codebook"


def test_bulk_move_of_codes_to_one_sub_theme(workspace: Any, study: Any, analyst: Any) -> None:
    book = make_codebook(study)
    response = analyst.post(
        url("codes_move", study=study),
        {"codes": [book["light bulb"].pk, book["readings"].pk], "target": book["thinking"].pk},
    )
    assert response["Location"] == url("codebook", study=study)
    assert set(book["thinking"].children.values_list("name", flat=True)) == {
        "Never time",
        "Light bulb moment",
        "Readings helped",
    }
    assert _changes(book["readings"])[-1] == (
        "moved",
        "Space to reflect > Making sense",
        "Space to reflect > Time to think",
    )


def test_bulk_move_refuses_a_name_clash_and_moves_nothing(
    workspace: Any, study: Any, analyst: Any
) -> None:
    book = make_codebook(study)
    make_code(study, "Never time", parent=book["sense"])
    clash = Code.objects.get(name="Never time", parent=book["sense"])
    response = analyst.post(
        url("codes_move", study=study),
        {"codes": [clash.pk, book["readings"].pk], "target": book["thinking"].pk},
    )
    assert response.status_code == 200
    assert "Space to reflect &gt; Time to think already has a code called Never time" in (
        response.content.decode()
    )
    book["readings"].refresh_from_db()
    assert book["readings"].parent == book["sense"]
    nothing = analyst.post(url("codes_move", study=study), {"target": book["thinking"].pk})
    assert "Choose at least one code to move" in nothing.content.decode()


def test_only_unused_rows_are_deleted(workspace: Any, study: Any, analyst: Any) -> None:
    book = make_codebook(study)
    source = make_source(study)
    make_coding(source, book["light bulb"], text="A light bulb moment")
    used = url("code_delete", study=study, code=book["light bulb"])
    page = analyst.get(used).content.decode()
    assert "Only an unused row can be deleted, and it has 1 coding." in page
    assert analyst.post(used).status_code == 200
    parent = url("code_delete", study=study, code=book["sense"])
    assert "2 rows sit under it" in analyst.get(parent).content.decode()
    analyst.post(parent)
    assert Code.objects.filter(pk=book["sense"].pk).exists()
    response = analyst.post(url("code_delete", study=study, code=book["readings"]))
    assert response["Location"] == url("codebook", study=study)
    assert not Code.objects.filter(pk=book["readings"].pk).exists()
    assert Code.objects.filter(pk=book["light bulb"].pk).exists()


def test_codebook_rows_of_another_study_are_not_found(
    workspace: Any, study: Any, analyst: Any
) -> None:
    other = make_study(workspace.organisation, scope=workspace.programme, name="Other")
    theirs = make_codebook(other)
    assert analyst.get(url("code_edit", study=study, code=theirs["theme"])).status_code == 404
    assert analyst.get(url("code_history", study=study, code=theirs["theme"])).status_code == 404
    book = make_codebook(study)
    response = analyst.post(
        url("codes_move", study=study),
        {"codes": [theirs["readings"].pk], "target": book["thinking"].pk},
    )
    assert response.status_code == 200
    theirs["readings"].refresh_from_db()
    assert theirs["readings"].parent == theirs["sense"]


@pytest.mark.parametrize("role", ["viewer", "reviewer", "trainer"])
def test_readers_cannot_change_the_codebook(workspace: Any, study: Any, role: str) -> None:
    book = make_codebook(study)
    user = workspace.users.get(role) or add_member(workspace.organisation, role)
    client = client_as(user)
    assert client.get(url("codebook", study=study)).status_code == 200
    for address, data in (
        (url("code_create", study=study), {"name": "New"}),
        (url("code_edit", study=study, code=book["theme"]), {"name": "Renamed"}),
        (url("code_delete", study=study, code=book["readings"]), {}),
        (url("codes_move", study=study), {"codes": [book["readings"].pk]}),
    ):
        response = client.post(address, data)
        assert response.status_code == 403
        assert "Your role is" in response.content.decode()
    assert Code.objects.count() == 6 and CodeChange.objects.count() == 6
    assert not Code.objects.filter(name__in=["New", "Renamed"]).exists()


@pytest.mark.parametrize("parent", ["²", "9" * 30, "-1", "abc", "\x00"])
def test_a_strange_parent_in_the_address_is_ignored(
    workspace: Any, study: Any, analyst: Any, parent: str
) -> None:
    make_codebook(study)
    response = analyst.get(url("code_create", study=study), {"level": "code", "parent": parent})
    assert response.status_code == 200
    assert response.context["form"].fields["parent"].initial is None
