"""Importing REFI-QDA projects made elsewhere: sets kept both ways, empty codings dropped, coders
matched by GUID (never merged by name), GUIDs the study already holds replaced, flat codebooks
made codable, and speaker names that may be real names flagged before the import."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
from conftest import client_as
from qual_data import (
    FOCUS_GROUP,
    make_codebook,
    make_coder,
    make_coding,
    make_source,
    make_study,
    url,
)

from imheval.qualitative import model as core
from imheval.qualitative.refi import read_qdpx, read_qdpx_bytes
from shared_fixtures import shared_fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_waiting_folder(settings: Any, tmp_path: Any) -> None:
    """Uploads wait in this test's own folder, not beside other test runs' uploads."""
    settings.DATA_DIR = tmp_path


EXAMPLE = shared_fixture("refi-qda", "examples", "imh-focus-group.qdpx")
ATLAS = shared_fixture("refi-qda", "real", "target-atlas-project.qdpx")


def _coded_text(study: Any) -> set[tuple[str, str, str]]:
    from imheval.web.qualitative.models import Coding

    return {
        (c.source.text[c.start : c.end], c.code.name, c.coder.name)
        for c in Coding.objects.filter(source__study=study).select_related(
            "source", "code", "coder"
        )
    }


# ---------------------------------------------------------------------------- sets


def test_the_example_projects_set_is_kept_and_exported_again(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project, project_for

    study = make_study(workspace.organisation, workspace.cohort)
    summary = import_project(study, read_qdpx(EXAMPLE).project, workspace.users["evaluator"])
    assert summary.sets == 1
    assert summary.sentence().endswith("5 codings, 1 memo and 1 set.")
    (row,) = study.code_sets.all()
    assert row.name == "Theme 1 (as a code group)"
    assert row.guid == "B9D2807D-782A-5F9A-841A-60015C644815"
    assert sorted(row.codes.values_list("name", flat=True)) == [
        "Dissemination of IMH knowledge",
        "Enhanced clinical practice",
        "Increased reflective practice",
    ]
    # exported and read back: the same set, with the same members
    evaluator = client_as(workspace.users["evaluator"])
    download = evaluator.get(url("exchange_export", study=study) + "?format=qdpx")
    again = read_qdpx_bytes(download.content, "again.qdpx").project
    original = read_qdpx(EXAMPLE).project
    assert [(s.guid, s.name, sorted(s.codes), s.sources) for s in again.sets] == [
        (s.guid, s.name, sorted(s.codes), s.sources) for s in original.sets
    ]
    assert project_for(study).sets == again.sets


def test_the_codebook_page_lists_the_sets(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project

    study = make_study(workspace.organisation, workspace.cohort)
    import_project(study, read_qdpx(EXAMPLE).project, None)
    page = client_as(workspace.users["viewer"]).get(url("codebook", study=study)).content.decode()
    line = page[page.index('id="code-sets"') :]
    line = line[: line.index("</ul>")]
    assert "Theme 1 (as a code group)" in line
    assert (
        "Enhanced clinical practice, Dissemination of IMH knowledge, Increased reflective "
        "practice" in line  # in the codebook's order
    )


def test_a_set_already_in_the_study_gains_the_files_members(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project

    study = make_study(workspace.organisation, workspace.cohort)
    project = read_qdpx(EXAMPLE).project
    import_project(study, project, None)
    # the codebook again, its set now also holding a theme
    (code_set,) = project.sets
    theme = next(code for code in project.codes if code.parent is None)
    codebook = replace(
        project,
        sources=(),
        codings=(),
        cases=(),
        notes=(),
        sets=(replace(code_set, codes=(*code_set.codes, theme.guid)),),
    )
    summary = import_project(study, codebook, None)
    assert (summary.sets, summary.codes) == (0, 0)
    (row,) = study.code_sets.all()
    assert row.codes.count() == 4
    assert row.codes.filter(name=theme.name, level="theme").exists()


# ---------------------------------------------------------------------------- empty codings


def test_an_empty_coding_is_dropped_with_a_line_not_refused(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project, plan_import

    project = read_qdpx(EXAMPLE).project
    first = project.codings[0]
    empty = replace(first, guid=core.new_guid(), selection=core.new_guid(), end=first.start)
    project = replace(project, codings=(*project.codings, empty))
    study = make_study(workspace.organisation, workspace.cohort)
    plan = plan_import(study, project, "file.qdpx")
    assert plan.problems == ()
    assert plan.changes == ("1 empty coding(s) (the same start and end, so no text) are dropped",)
    assert import_project(study, project, None).codings == 5


# ---------------------------------------------------------------------------- coders


def test_a_coder_of_the_same_name_is_not_merged_but_one_of_the_same_guid_is(
    workspace: Any,
) -> None:
    from imheval.web.qualitative.adapter import import_project, plan_import

    study = make_study(workspace.organisation, workspace.cohort)
    make_source(study, FOCUS_GROUP)
    codes = make_codebook(study)
    # an account's coder who happens to share a name with the file's first coder
    mine = make_coder(study, "Coder A", user=workspace.users["evaluator"])
    make_coding(study.sources.get(), codes["never time"], mine, text="never get time")
    project = read_qdpx(EXAMPLE).project
    plan = plan_import(study, project, "imh.qdpx")
    assert (
        "1 coder(s) have the name of another coder in the study or the file, so they are kept "
        "apart under another name: 'Coder A' as 'Coder A (imported)'"
    ) in plan.changes
    summary = import_project(study, project, None)
    assert summary.coders == 2
    assert sorted(study.coders.values_list("name", flat=True)) == [
        "Coder A",
        "Coder A (imported)",
        "Reviewer B",
    ]
    mine.refresh_from_db()
    assert mine.codings.count() == 1  # the account's coder got none of the file's codings
    imported = study.coders.get(name="Coder A (imported)")
    assert imported.guid == "01B45908-8022-53CB-BA9C-5BFDFAEC285A"
    assert imported.user is None


def test_two_users_of_one_name_in_the_file_stay_two_coders(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project

    project = read_qdpx(EXAMPLE).project
    project = replace(project, users=tuple(replace(u, name="Sam") for u in project.users))
    study = make_study(workspace.organisation, workspace.cohort)
    import_project(study, project, None)
    assert sorted(study.coders.values_list("name", flat=True)) == ["Sam", "Sam (imported)"]
    assert {name for _text, _code, name in _coded_text(study)} == {"Sam", "Sam (imported)"}


def test_a_coder_is_matched_by_guid_whatever_the_name(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project, plan_import

    study = make_study(workspace.organisation, workspace.cohort)
    make_coder(study, "Ana Renamed").__class__.objects.filter(study=study).update(
        guid="01B45908-8022-53CB-BA9C-5BFDFAEC285A"
    )
    project = read_qdpx(EXAMPLE).project
    assert not any("coder(s)" in line for line in plan_import(study, project).changes)
    assert import_project(study, project, None).coders == 1  # only Reviewer B is new
    assert {name for _text, _code, name in _coded_text(study)} == {"Ana Renamed", "Reviewer B"}


# ---------------------------------------------------------------------------- GUIDs


def test_importing_again_gives_new_guids_instead_of_duplicates(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project, plan_import
    from imheval.web.qualitative.models import Coding, Source

    study = make_study(workspace.organisation, workspace.cohort)
    project = read_qdpx(EXAMPLE).project
    import_project(study, project, None)
    # the same file again, its source renamed so that the name does not clash
    again = replace(
        project, sources=tuple(replace(s, name=f"{s.name} again") for s in project.sources)
    )
    plan = plan_import(study, again)
    assert plan.problems == ()
    assert (
        "1 source(s), 5 coding(s), 5 selection(s) have GUIDs the study already holds; they are "
        "given new GUIDs, so other tools will see them as new items"
    ) in plan.changes
    import_project(study, again, None)
    guids = list(Coding.objects.filter(source__study=study).values_list("guid", flat=True))
    assert len(guids) == 10 and len(set(guids)) == 10
    assert len(set(Source.objects.filter(study=study).values_list("guid", flat=True))) == 2
    # codes and coders of the same GUID are reused, not doubled
    assert study.codes.count() == len(project.codes)
    assert study.coders.count() == 2
    # and the study still exports: no GUID twice
    download = client_as(workspace.users["evaluator"]).get(url("exchange_export", study=study))
    exported = read_qdpx_bytes(download.content, "study.qdpx").project
    assert len(exported.codings) == 10


def test_a_guid_held_by_another_kind_of_row_is_replaced(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project

    study = make_study(workspace.organisation, workspace.cohort)
    project = read_qdpx(EXAMPLE).project
    code = study.codes.create(level="theme", name="Mine", guid=project.sources[0].guid)
    import_project(study, project, None)
    source = study.sources.get()
    assert source.guid != code.guid
    assert len(_coded_text(study)) == 5


# ---------------------------------------------------------------------------- flat codebooks


def test_the_atlas_codebook_with_a_parent_code_keeps_its_shape(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project, plan_import

    project = read_qdpx(ATLAS).project
    study = make_study(workspace.organisation, workspace.cohort)
    assert plan_import(study, project).changes == ()
    import_project(study, project, None)
    assert dict(study.codes.values_list("name", "level")) == {
        "Commits": "theme",
        "2022-05-10T02:05:59Z 19e4dce": "subtheme",
        "2022-02-11T10:39:25Z cdbfd92": "subtheme",
    }


def test_a_flat_codebook_goes_under_imported_codes_and_stays_codable(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project, plan_import

    # the ATLAS.ti export with its codes all at the top level, as ATLAS.ti writes code groups
    atlas = read_qdpx(ATLAS).project
    flat = replace(atlas, codes=tuple(replace(code, parent=None) for code in atlas.codes))
    study = make_study(workspace.organisation, workspace.cohort)
    assert plan_import(study, flat).changes == (
        "3 code(s) at the top level with nothing under them ('Commits', "
        "'2022-05-10T02:05:59Z 19e4dce', '2022-02-11T10:39:25Z cdbfd92') go under a theme "
        "'Imported codes' and its sub-theme 'Imported codes', so they can still be coded; move "
        "them into your own themes on the codebook page",
    )
    summary = import_project(study, flat, None)
    assert summary.codes == 5
    theme = study.codes.get(level="theme")
    sub = study.codes.get(level="subtheme")
    assert (theme.name, sub.name, sub.parent) == ("Imported codes", "Imported codes", theme)
    assert sorted(sub.children.values_list("name", "level")) == [
        ("2022-02-11T10:39:25Z cdbfd92", "code"),
        ("2022-05-10T02:05:59Z 19e4dce", "code"),
        ("Commits", "code"),
    ]
    # a second flat file joins the same theme and sub-theme
    more = core.Project(name="More", codes=(core.Code(guid=core.new_guid(), name="Support"),))
    import_project(study, more, None)
    assert study.codes.filter(name="Imported codes").count() == 2
    assert sub.children.filter(name="Support", level="code").exists()
    # the coding page offers them
    source = make_source(study, FOCUS_GROUP)
    page = client_as(workspace.users["evaluator"]).get(url("coding", study=study, source=source))
    assert page.status_code == 200
    assert "Commits" in page.content.decode()


# ---------------------------------------------------------------------------- speaker names


def test_speaker_names_that_may_be_real_names_are_flagged_in_the_preview(
    workspace: Any,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imheval.qualitative.refi import write_qdpx

    project = read_qdpx(EXAMPLE).project
    project = replace(
        project,
        cases=(
            *project.cases,
            core.Case(guid=core.new_guid(), name="Sarah Jones"),
            core.Case(guid=core.new_guid(), name="Facilitator"),
        ),
    )
    buffer = io.BytesIO()
    write_qdpx(project, buffer)
    study = make_study(workspace.organisation, workspace.cohort)
    evaluator = client_as(workspace.users["evaluator"])
    page = evaluator.post(
        url("exchange", study=study),
        {"file": SimpleUploadedFile("names.qdpx", buffer.getvalue())},
    ).content.decode()
    assert "these speaker names may be real people&#x27;s names: Sarah Jones." in page
    assert "PX2," not in page.split("real people")[1].split("</li>")[0]


# ---------------------------------------------------------------------------- names on the preview

PREFIX = "Sarah Jones: I came with Bob from St Mary's.\n"


def _named_file() -> tuple[bytes, set[tuple[str, str, str]]]:
    """The example project with a real name speaking first (and named by others), as another
    tool might export it; and its coded text, code and coder names."""
    from imheval.qualitative.refi import write_qdpx

    project = read_qdpx(EXAMPLE).project
    (source,) = project.sources
    shift = len(PREFIX)
    sarah = core.Case(guid=core.new_guid(), name="Sarah Jones", sources=(source.guid,))
    source = replace(
        source,
        text=PREFIX + source.text,
        turns=(
            core.Turn(0, shift - 1, sarah.guid),
            *(replace(t, start=t.start + shift, end=t.end + shift) for t in source.turns),
        ),
    )
    codings = tuple(replace(c, start=c.start + shift, end=c.end + shift) for c in project.codings)
    # one more coding, on the name's sentence: after the replacement it holds the labels
    about_bob = core.Coding(
        guid=core.new_guid(),
        selection=core.new_guid(),
        source=source.guid,
        start=PREFIX.index("I came"),
        end=PREFIX.index("."),
        code=codings[0].code,
        coder=codings[0].coder,
    )
    project = replace(
        project,
        sources=(source,),
        codings=(*codings, about_bob),
        cases=(*project.cases, sarah),
    )
    buffer = io.BytesIO()
    write_qdpx(project, buffer)
    users = {u.guid: u.name for u in project.users}
    codes = {c.guid: c.name for c in project.codes}
    expected = {
        (source.text[c.start : c.end], codes[c.code], users[c.coder or ""]) for c in codings
    }
    return buffer.getvalue(), expected


def _preview_of(client: Any, study: Any, data: bytes) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url("exchange", study=study), {"file": SimpleUploadedFile("named.qdpx", data)}
    )
    assert response.status_code == 200
    return response.content.decode()


def _token(page: str) -> str:
    return page.split('name="token" value="')[1].split('"')[0]


NAMES = "Sarah Jones = PX9\nBob = PX8\nSt Mary's = [service]"


def test_names_listed_on_the_preview_are_replaced_and_codings_keep_their_words(
    workspace: Any,
) -> None:
    from imheval.web.qualitative.exchange import waiting_folder

    data, expected = _named_file()
    study = make_study(workspace.organisation, workspace.cohort)
    evaluator = client_as(workspace.users["evaluator"])
    page = _preview_of(evaluator, study, data)
    assert "these speaker names may be real people&#x27;s names: Sarah Jones." in page
    assert 'name="names"' in page
    token = _token(page)
    checked = evaluator.post(
        url("exchange_confirm", study=study), {"token": token, "action": "check", "names": NAMES}
    )
    assert checked.status_code == 200
    html = checked.content.decode()
    assert (
        "4 listed name(s) are replaced by their labels in the transcripts, speaker names, "
        "codes and memos; every coding and speaker turn keeps its words"
    ) in html
    assert "may be real people" not in html
    assert "Sarah Jones = PX9" in html  # the list stays in the box, not on the server
    done = evaluator.post(
        url("exchange_confirm", study=study),
        {"token": token, "action": "import", "names": NAMES},
        follow=True,
    )
    assert "named.qdpx: Imported 1 source, 4 speakers" in done.content.decode()
    source = study.sources.get()
    assert source.text.startswith("PX9: I came with PX8 from [service].\n")
    assert "Sarah" not in source.text and "Bob" not in source.text
    assert sorted(study.speakers.values_list("label", flat=True)) == ["PX2", "PX4", "PX7", "PX9"]
    turn = source.turns.get(speaker__label="PX9")
    assert source.text[turn.start : turn.end] == "PX9: I came with PX8 from [service]."
    coded = _coded_text(study)
    assert expected <= coded  # every coding of the file on the same words
    assert ("I came with PX8 from [service]", "Enhanced clinical practice", "Coder A") in coded
    assert len(coded) == len(expected) + 1
    assert not list(waiting_folder().glob("*.upload"))
    assert "Sarah" not in str(dict(evaluator.session))


def test_a_bad_names_line_keeps_the_file_waiting_and_says_which_line(workspace: Any) -> None:
    from imheval.web.qualitative.models import Source

    data, _ = _named_file()
    study = make_study(workspace.organisation, workspace.cohort)
    evaluator = client_as(workspace.users["evaluator"])
    token = _token(_preview_of(evaluator, study, data))
    bad = evaluator.post(
        url("exchange_confirm", study=study),
        {"token": token, "action": "import", "names": "Sarah Jones PX9"},
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "<title>Error: Check before importing named.qdpx" in page
    assert "the list of names: line 1: write a name, &#x27;=&#x27; and its label" in page
    assert not Source.objects.filter(study=study).exists()
    # names that would make two speakers one: named, nothing imported, still waiting
    clash = evaluator.post(
        url("exchange_confirm", study=study),
        {"token": token, "action": "import", "names": "Sarah Jones = PX2"},
    )
    assert clash.status_code == 400
    assert "2 cases are named &#x27;PX2&#x27;" in clash.content.decode()
    assert not Source.objects.filter(study=study).exists()
    good = evaluator.post(
        url("exchange_confirm", study=study),
        {"token": token, "action": "import", "names": "Sarah Jones = PX9"},
    )
    assert good.status_code == 302
    assert study.sources.get().text.startswith("PX9: I came with Bob")
