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
