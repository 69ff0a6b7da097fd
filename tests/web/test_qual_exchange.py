"""REFI-QDA exchange in the web app: the adapter (rows <-> the core's Project), the export
downloads, and the import (upload, preview of what is lost, confirm, all or nothing)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import client_as
from qual_data import (
    FOCUS_GROUP,
    add_member,
    make_codebook,
    make_coder,
    make_coding,
    make_source,
    make_study,
    url,
)

from imheval.web.qualitative.exchange import waiting_folder
from shared_fixtures import shared_fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_waiting_folder(settings: Any, tmp_path: Any) -> None:
    """Uploads wait in this test's own folder, not beside other test runs' uploads."""
    settings.DATA_DIR = tmp_path


def _coded_study(workspace: Any) -> tuple[Any, dict[str, Any]]:
    from imheval.web.qualitative.models import Memo, PhaseEntry

    study = make_study(
        workspace.organisation, workspace.cohort, reflexivity="I trained as a nurse."
    )
    source = make_source(study, FOCUS_GROUP, speakers={"PX1": {"profession": "Midwife"}})
    codes = make_codebook(study)
    analyst = make_coder(study, "Analyst A")
    second = make_coder(study, "Reviewer B")
    make_coding(source, codes["light bulb"], analyst, text="A light bulb moment", exemplar=True)
    make_coding(source, codes["never time"], analyst, text="We never get time to think.")
    make_coding(source, codes["never time"], second, text="never get time", memo="short")
    make_coding(source, codes["readings"], second, text="the readings made sense too")
    Memo.objects.create(study=study, code=codes["theme"], text="Strongest theme.")
    PhaseEntry.objects.create(
        study=study, phase=3, date=datetime.date(2026, 11, 5), memo="Sorted codes into themes."
    )
    return study, codes


def _codings(study: Any) -> set[tuple[str, str, str, str, bool, str]]:
    from imheval.web.qualitative.models import Coding

    return {
        (
            c.source.text[c.start : c.end],
            c.code.name,
            c.code.level,
            c.coder.name,
            c.exemplar,
            c.memo,
        )
        for c in Coding.objects.filter(source__study=study).select_related(
            "source", "code", "coder"
        )
    }


def test_project_for_gives_the_core_project(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import project_for

    study, _ = _coded_study(workspace)
    project = project_for(study)
    assert project.name == "Focus groups after training"
    assert sorted(u.name for u in project.users) == ["Analyst A", "Reviewer B"]
    assert [c.name for c in project.codes] == [
        "Space to reflect",
        "Making sense",
        "Light bulb moment",
        "Readings helped",
        "Time to think",
        "Never time",
    ]  # the codebook's order (position, then name), parents first
    theme = next(c for c in project.codes if c.name == "Space to reflect")
    assert theme.parent is None and theme.description == "Time away from the ward to think."
    assert not theme.codable  # a theme nobody coded directly is a category
    sub = next(c for c in project.codes if c.name == "Time to think")
    assert sub.parent == theme.guid and project.code_level(sub.guid).value == "subtheme"
    assert len(project.codings) == 4
    exemplar = next(c for c in project.codings if c.exemplar)
    assert project.sources[0].text[exemplar.start : exemplar.end] == "A light bulb moment"
    assert {case.name for case in project.cases} == {"Facilitator", "PX1", "PX2", "PX3"}
    px1 = next(case for case in project.cases if case.name == "PX1")
    assert px1.attributes == {"profession": "Midwife"}
    assert px1.sources == (project.sources[0].guid,)
    assert len(project.sources[0].turns) == 5
    names = {note.name for note in project.notes}
    assert names == {
        "Reflexivity statement",
        "Phase 3 (2026-11-05): Searching for themes",
        "Memo on Space to reflect",
    }


def test_a_study_exported_and_imported_has_the_same_codings(workspace: Any) -> None:
    from imheval.web.qualitative.adapter import import_project, project_for
    from imheval.web.qualitative.models import Code, CodeChange, PhaseEntry, Turn

    study, _ = _coded_study(workspace)
    copy = make_study(workspace.organisation, workspace.programme, name="Copy")
    summary = import_project(copy, project_for(study), workspace.users["evaluator"])
    assert summary.sentence() == (
        "Imported 1 source, 4 speakers, 6 codes, 2 coders, 4 codings and 1 memo."
    )
    assert _codings(copy) == _codings(study)
    assert copy.reflexivity == "I trained as a nurse."
    entry = PhaseEntry.objects.get(study=copy)
    assert (entry.phase, entry.date, entry.memo) == (
        3,
        datetime.date(2026, 11, 5),
        "Sorted codes into themes.",
    )
    assert copy.memos.get().code.name == "Space to reflect"
    assert Turn.objects.filter(source__study=copy).count() == 5
    assert set(Code.objects.filter(study=copy).values_list("guid", flat=True)) == set(
        Code.objects.filter(study=study).values_list("guid", flat=True)
    )
    assert CodeChange.objects.filter(code__study=copy, kind="created").count() == 6


def test_an_import_that_clashes_imports_nothing(workspace: Any) -> None:
    from dataclasses import replace

    from imheval.web.qualitative.adapter import ImportConflictError, import_project, project_for
    from imheval.web.qualitative.models import Code, Coding, Source

    study, _ = _coded_study(workspace)
    project = project_for(study)
    broken = replace(
        project,
        codings=(*project.codings, replace(project.codings[0], guid="X", start=5, end=9999)),
    )
    copy = make_study(workspace.organisation, workspace.programme, name="Copy")
    with pytest.raises(ImportConflictError) as caught:
        import_project(copy, broken, None, file="focus.qdpx")
    assert str(caught.value) == (
        "focus.qdpx, field 'coding X': positions 5 to 9999 lie outside 'Focus group 1' "
        f"({len(FOCUS_GROUP)} characters)"
    )
    # importing into the study it came from clashes on the source's name
    with pytest.raises(ImportConflictError, match="already has a source named 'Focus group 1'"):
        import_project(study, project, None)
    assert not Source.objects.filter(study=copy).exists()
    assert not Code.objects.filter(study=copy).exists()
    assert Coding.objects.filter(source__study=study).count() == 4


def test_the_plan_lists_what_is_kept_differently(workspace: Any) -> None:
    from dataclasses import replace

    from imheval.qualitative import model as core
    from imheval.web.qualitative.adapter import plan_import, project_for

    study, _ = _coded_study(workspace)
    project = project_for(study)
    project = replace(
        project,
        codes=tuple(
            replace(c, color="rgb(1,2,3)") if c.parent is None else c for c in project.codes
        ),
        codings=tuple(replace(c, coder=None) for c in project.codings[:1]) + project.codings[1:],
        sets=(core.CodeSet(guid="S", name="Theme set"),),
    )
    copy = make_study(workspace.organisation, workspace.programme, name="Copy")
    add_member(workspace.organisation, "analyst")
    plan = plan_import(copy, project)
    assert plan.problems == ()
    assert plan.changes == (
        "1 colour(s) not in #RRGGBB form are dropped: Space to reflect",
        "1 coding(s) name no coder and are given to 'Unknown coder'",
    )  # sets are kept, so they are not listed


# ---------------------------------------------------------------------------- the pages

EXAMPLE = shared_fixture("refi-qda", "examples", "imh-focus-group.qdpx")


def _upload(client: Any, study: Any, name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url("exchange", study=study), {"file": SimpleUploadedFile(name, data)})


def _token(page: str) -> str:
    return page.split('name="token" value="')[1].split('"')[0]


def test_a_web_export_imported_again_gives_the_same_codings(workspace: Any) -> None:
    study, _ = _coded_study(workspace)
    evaluator = client_as(workspace.users["evaluator"])
    download = evaluator.get(url("exchange_export", study=study) + "?format=qdpx")
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        'attachment; filename="focus-groups-after-training.qdpx"'
    )
    copy = make_study(workspace.organisation, workspace.programme, name="Copy")
    preview = _upload(evaluator, copy, "round.qdpx", download.content)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Check before importing round.qdpx" in page
    confirmed = evaluator.post(
        url("exchange_confirm", study=copy),
        {"token": _token(page), "action": "import"},
        follow=True,
    )
    assert (
        "round.qdpx: Imported 1 source, 4 speakers, 6 codes, 2 coders, 4 codings and 1 memo."
        in confirmed.content.decode()
    )
    assert _codings(copy) == _codings(study)
    copy.refresh_from_db()
    assert copy.reflexivity == "I trained as a nurse."
    assert not list(waiting_folder().glob("*.upload"))


def test_the_example_project_imports_and_shows_its_coders_agreement(workspace: Any) -> None:
    from imheval.web.qualitative.models import Coding

    study = make_study(workspace.organisation, workspace.cohort, approach="codebook")
    analyst = client_as(add_member(workspace.organisation, "analyst"))
    preview = _upload(analyst, study, "imh-focus-group.qdpx", EXAMPLE.read_bytes()).content.decode()
    assert "set(s)" not in preview  # its set is kept
    analyst.post(url("exchange_confirm", study=study), {"token": _token(preview)})
    assert Coding.objects.filter(source__study=study).count() == 5
    assert set(study.coders.values_list("name", flat=True)) == {"Coder A", "Reviewer B"}
    themes = list(study.codes.filter(level="theme").values_list("name", flat=True))
    assert themes == [
        "Theme 1: Bringing the knowledge out",
        "Theme 2: The benefits of group-based learning",
    ]
    assert study.codes.filter(level="subtheme").count() == 7
    analyst.post(url("comparison_open", study=study))
    html = analyst.get(url("comparison", study=study)).content.decode()
    code = study.codes.get(name="Enhanced clinical practice")
    row = html[html.index(f'<tr id="code-{code.pk}">') :]
    cells = [c.split(">")[-1] for c in row[: row.index("</tr>")].split("</td>")[:-1]]
    # the core's figures for this file: 290 of 353 characters agreed, kappa 0.4787, alpha 0.4540
    assert cells[:5] == ["All sources", "353", "82.2%", "0.479", "0.454"]


def test_a_bad_archive_imports_nothing_and_says_why(workspace: Any) -> None:
    import io
    import zipfile

    from imheval.web.qualitative.models import Source

    study = make_study(workspace.organisation, workspace.cohort)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", "<Project/>")
        archive.writestr("../escape.txt", "out")
    evaluator = client_as(workspace.users["evaluator"])
    response = _upload(evaluator, study, "evil.qdpx", buffer.getvalue())
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "evil.qdpx" in page and "Traceback" not in page
    not_zip = _upload(evaluator, study, "plain.qdpx", b"not a zip at all")
    assert not_zip.status_code == 400 and "plain.qdpx" in not_zip.content.decode()
    wrong = _upload(evaluator, study, "notes.txt", b"hello")
    assert "notes.txt is not a .qdpx or .qdc file" in wrong.content.decode()
    assert not Source.objects.filter(study=study).exists()
    assert not list(waiting_folder().glob("*.upload"))


def test_cancelling_a_preview_imports_nothing(workspace: Any) -> None:
    from imheval.web.qualitative.models import Coding

    study = make_study(workspace.organisation, workspace.cohort)
    evaluator = client_as(workspace.users["evaluator"])
    preview = _upload(evaluator, study, "imh.qdpx", EXAMPLE.read_bytes()).content.decode()
    response = evaluator.post(
        url("exchange_confirm", study=study),
        {"token": _token(preview), "action": "cancel"},
        follow=True,
    )
    assert "Nothing was imported from imh.qdpx." in response.content.decode()
    assert not Coding.objects.filter(source__study=study).exists()
    again = evaluator.post(
        url("exchange_confirm", study=study), {"token": _token(preview)}, follow=True
    )
    assert "That upload is no longer waiting" in again.content.decode()


def test_a_codebook_goes_out_and_comes_in(workspace: Any) -> None:
    study, _ = _coded_study(workspace)
    evaluator = client_as(workspace.users["evaluator"])
    codebook = evaluator.get(url("exchange_export", study=study) + "?format=qdc")
    assert codebook["Content-Type"] == "application/xml"
    assert b"Space to reflect" in codebook.content
    fresh = make_study(workspace.organisation, workspace.programme, name="Fresh")
    preview = _upload(evaluator, fresh, "book.qdc", codebook.content).content.decode()
    evaluator.post(url("exchange_confirm", study=fresh), {"token": _token(preview)})
    assert dict(fresh.codes.values_list("name", "level")) == {
        "Space to reflect": "theme",
        "Time to think": "subtheme",
        "Making sense": "subtheme",
        "Never time": "code",
        "Light bulb moment": "code",
        "Readings helped": "code",
    }


def test_viewers_export_but_do_not_import(workspace: Any) -> None:
    study, _ = _coded_study(workspace)
    viewer = client_as(workspace.users["viewer"])
    page = viewer.get(url("exchange", study=study)).content.decode()
    assert "Download the whole project (.qdpx)" in page
    assert "Check the file" not in page
    assert viewer.get(url("exchange_export", study=study)).status_code == 200
    assert _upload(viewer, study, "x.qdpx", EXAMPLE.read_bytes()).status_code == 403
    assert viewer.post(url("exchange_confirm", study=study), {"token": "x"}).status_code == 403
    outsider = client_as(workspace.outsider)
    assert outsider.get(url("exchange_export", study=study)).status_code == 404
