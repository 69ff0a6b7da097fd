"""Writing REFI-QDA files: schema-valid, deterministic, and read back to the same project."""

from __future__ import annotations

import dataclasses
import datetime
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from imheval.qualitative.model import (
    Case,
    Code,
    CodeSet,
    Coding,
    Note,
    Project,
    Source,
    Turn,
    User,
    stable_guid,
)
from imheval.qualitative.refi import (
    RefiError,
    codebook_xml,
    project_xml,
    read_qdc,
    read_qdpx,
    write_qdc,
    write_qdpx,
)
from shared_fixtures import shared_fixture

FIXTURES = [
    ("examples", "imh-focus-group.qdpx"),
    ("real", "nvivo15-mac-project.qdpx"),
    ("real", "blank-atlas-project.qdpx"),
    ("real", "target-atlas-project.qdpx"),
]


def schema(name: str) -> Any:
    return etree.XMLSchema(etree.parse(str(shared_fixture("refi-qda", "schemas", name))))


def assert_valid(data: bytes, xsd: str) -> None:
    validator = schema(xsd)
    valid = validator.validate(etree.fromstring(data))
    assert valid, str(validator.error_log)


def coded_text(project: Project) -> list[tuple[str | None, str, str, str]]:
    """(coder name, code name, source name, coded text) for every coding, sorted."""
    users = {user.guid: user.name for user in project.users}
    codes = {code.guid: code.name for code in project.codes}
    sources = {source.guid: source for source in project.sources}
    return sorted(
        (
            users.get(coding.coder) if coding.coder else None,
            codes[coding.code],
            sources[coding.source].name,
            sources[coding.source].text[coding.start : coding.end],
        )
        for coding in project.codings
    )


def in_order(project: Project) -> Project:
    """``project`` with its codings and each note's targets sorted: the writer orders
    selections by position, and a note's targets come back in the file's order."""
    notes = tuple(
        dataclasses.replace(note, targets=tuple(sorted(note.targets))) for note in project.notes
    )
    codings = tuple(sorted(project.codings, key=repr))
    return dataclasses.replace(project, codings=codings, notes=notes)


def round_trip(project: Project) -> Project:
    buffer = io.BytesIO()
    write_qdpx(project, buffer, origin=project.origin)
    return read_qdpx(io.BytesIO(buffer.getvalue())).project


WHEN = datetime.datetime(2025, 3, 4, 10, 30, tzinfo=datetime.UTC)
ANA, BO = User(stable_guid("user", "Ana"), "Ana"), User(stable_guid("user", "Bo"), "Bo")
THEME = Code(stable_guid("code", "T"), "Theme 1: Support", codable=False, color="#1F77B4")
SUBTHEME = Code(stable_guid("code", "S"), "Peer support", parent=THEME.guid, description="d")
CODE = Code(stable_guid("code", "C"), "Being heard", parent=SUBTHEME.guid, color="#00FF00")
TEXT = "Facilitator: How was it?\nPX1: I felt heard – truly.\nPX2: Same for me, ünd more.\n"
SOURCE = stable_guid("source", "FG1")
PX1, PX2 = stable_guid("case", "PX1"), stable_guid("case", "PX2")


def rich_project() -> Project:
    """Everything imheval keeps: turns, attributes, exemplars, memos, notes, sets."""
    px1 = TEXT.index("PX1")
    px2 = TEXT.index("PX2")
    heard = TEXT.index("I felt heard")
    same = TEXT.index("Same for me")
    codings = (
        Coding(
            stable_guid("coding", "1"),
            stable_guid("selection", "1"),
            SOURCE,
            heard,
            heard + len("I felt heard – truly."),
            CODE.guid,
            ANA.guid,
            memo="Clear statement",
            exemplar=True,
            created=WHEN,
        ),
        Coding(
            stable_guid("coding", "2"),
            stable_guid("selection", "1"),
            SOURCE,
            heard,
            heard + len("I felt heard – truly."),
            SUBTHEME.guid,
            ANA.guid,
            memo="Clear statement",
            created=WHEN,
        ),
        Coding(
            stable_guid("coding", "3"),
            stable_guid("selection", "3"),
            SOURCE,
            same,
            same + len("Same for me, ünd more."),
            CODE.guid,
            BO.guid,
        ),
        Coding(
            stable_guid("coding", "4"),
            stable_guid("selection", "4"),
            SOURCE,
            heard,
            heard + 6,
            CODE.guid,
            None,
        ),
    )
    return Project(
        name="Focus group 1",
        users=(ANA, BO),
        codes=(THEME, SUBTHEME, CODE),
        sources=(
            Source(
                SOURCE,
                "Focus group 1",
                TEXT,
                turns=(
                    Turn(px1, TEXT.index("\n", px1), PX1),
                    Turn(px2, TEXT.index("\n", px2), PX2),
                ),
                description="One hour, seven members",
                creating_user=ANA.guid,
                created=WHEN,
            ),
        ),
        codings=codings,
        cases=(
            Case(PX1, "PX1", {"profession": "Health visitor", "role": "member"}, (SOURCE,)),
            Case(PX2, "PX2", {"profession": "Nurse"}, (SOURCE,)),
        ),
        notes=(
            Note(stable_guid("note", "reflexive"), "Reflexivity", "I was a member.", ()),
            Note(stable_guid("note", "code"), "On the code", "Defined late.", (CODE.guid,)),
            Note(stable_guid("note", "source"), "On the source", "Noisy room.", (SOURCE,)),
            Note(
                stable_guid("note", "coding"),
                "On a coding",
                "Check.",
                (codings[2].guid, stable_guid("selection", "4")),
            ),
            Note(stable_guid("note", "case"), "On PX1", "Joined late.", (PX1,), ANA.guid, WHEN),
        ),
        sets=(CodeSet(stable_guid("set", "1"), "Support", (SUBTHEME.guid, CODE.guid), (SOURCE,)),),
        description="Seed 002's focus group",
        origin="imheval test",
    )


@pytest.mark.parametrize(("folder", "name"), FIXTURES)
def test_every_fixture_writes_schema_valid_and_round_trips(folder: str, name: str) -> None:
    project = read_qdpx(shared_fixture("refi-qda", folder, name)).project
    data, _files, losses = project_xml(project)
    assert_valid(data, "Project-mrt2019.xsd")
    assert losses == ()
    again = round_trip(project)
    assert coded_text(again) == coded_text(project)
    assert in_order(again) == in_order(project)
    if project.codes:
        codebook, _ = codebook_xml(project)
        assert_valid(codebook, "Codebook-reconstructed.xsd")


def test_example_round_trip_keeps_each_coders_text() -> None:
    project = read_qdpx(shared_fixture("refi-qda", "examples", "imh-focus-group.qdpx")).project
    again = round_trip(project)
    assert coded_text(again)[3] == (
        "Reviewer B",
        "Enhanced clinical practice",
        "Focus group 1 transcript",
        "you're asking more, what happened to them",
    )


def test_rich_project_is_schema_valid_and_comes_back_whole(tmp_path: Path) -> None:
    project = rich_project()
    data, files, losses = project_xml(project)
    assert_valid(data, "Project-mrt2019.xsd")
    assert losses == ()
    assert files[f"sources/{SOURCE}.txt"] == TEXT.encode("utf-8")
    path = tmp_path / "rich.qdpx"
    write_qdpx(project, path, origin="imheval test")
    read = read_qdpx(path)
    assert read.losses == (
        "1 coding(s) have no coder (no creatingUser); they are kept without one",
    )
    assert in_order(read.project) == in_order(project)
    exemplar = [c for c in read.project.codings if c.exemplar]
    assert [(c.guid, c.memo) for c in exemplar] == [(stable_guid("coding", "1"), "Clear statement")]
    assert read.project.sources[0].turns == project.sources[0].turns
    assert read.project.cases[0].attributes == {"profession": "Health visitor", "role": "member"}


def test_turns_are_case_selections_without_codings() -> None:
    data, _files, _losses = project_xml(rich_project())
    root = etree.fromstring(data)
    ns = {"q": "urn:QDA-XML:project:1.0"}
    (case,) = root.xpath("//q:Case[@name='PX2']", namespaces=ns)
    (ref,) = case.xpath("q:SelectionRef/@targetGUID", namespaces=ns)
    (turn,) = root.xpath(f"//q:PlainTextSelection[@guid='{ref}']", namespaces=ns)
    assert turn.get("name") == "PX2: Same for me, ünd more."
    assert turn.xpath("q:Coding", namespaces=ns) == []


def test_output_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    write_qdpx(rich_project(), first)
    write_qdpx(rich_project(), second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist()[0] == "project.qde"
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_codebook_is_schema_valid_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "codebook.qdc"
    losses = write_qdc(rich_project(), path)
    assert_valid(path.read_bytes(), "Codebook-reconstructed.xsd")
    assert losses == (
        "sources in set 'Support' are not in a codebook",
        "1 note(s) on codes are not in a codebook (.qdc); a project (.qdpx) keeps them",
    )
    read = read_qdc(path)
    assert read.project.codes == (THEME, SUBTHEME, CODE)
    assert read.project.sets == (
        CodeSet(stable_guid("set", "1"), "Support", (SUBTHEME.guid, CODE.guid)),
    )


def test_codebook_fixture_round_trips() -> None:
    read = read_qdc(shared_fixture("refi-qda", "examples", "codebook.qdc"))
    data, losses = codebook_xml(read.project)
    assert losses == ()
    assert_valid(data, "Codebook-reconstructed.xsd")
    assert read_qdc(io.BytesIO(data)).project.codes == read.project.codes


def test_codebook_without_codes_is_refused() -> None:
    with pytest.raises(RefiError, match="has no codes"):
        codebook_xml(Project(name="Empty"))


def test_no_empty_sets_or_users_elements() -> None:
    data, _files, _losses = project_xml(Project(name="Empty"))
    assert_valid(data, "Project-mrt2019.xsd")
    assert b"<Sets" not in data and b"<Users" not in data


def test_bad_colour_and_control_characters_are_not_written() -> None:
    code = Code(stable_guid("code", "x"), "Odd\x0bname", color="teal")
    data, _files, losses = project_xml(Project(name="Odd", codes=(code,)))
    assert_valid(data, "Project-mrt2019.xsd")
    assert b'name="Oddname"' in data
    assert losses == ("colour 'teal' of code 'Odd\x0bname' is not written",)


def test_codings_sharing_a_selection_with_different_memos_are_said() -> None:
    project = rich_project()
    first, second, *rest = project.codings
    changed = dataclasses.replace(second, memo="Another view")
    _data, _files, losses = project_xml(
        dataclasses.replace(project, codings=(first, changed, *rest))
    )
    assert losses == (
        f"codings sharing selection {first.selection} have different memos; they are written "
        "together as the selection's description",
    )


def test_project_qde_fixture_is_the_one_in_the_example_archive() -> None:
    loose = shared_fixture("refi-qda", "examples", "project.qde").read_bytes()
    with zipfile.ZipFile(shared_fixture("refi-qda", "examples", "imh-focus-group.qdpx")) as zf:
        assert zf.read("project.qde") == loose
    assert_valid(loose, "Project-mrt2019.xsd")


def test_nvivo_crlf_import_round_trips_to_the_same_text(tmp_path: Path) -> None:
    from test_refi_read import SOURCE_GUID, archive, one_source, qde, selection

    text = "PX1: one\r\nPX2: two – ünd 🙂 three\r\nPX3: four"
    start = text.index("two")
    end = text.index("three") + len("three")
    path = archive(tmp_path, qde(one_source(selection(start, end)), origin="NVivo 14"), {
        f"sources/{SOURCE_GUID}.txt": text.encode()
    })  # fmt: skip
    project = read_qdpx(path).project
    assert coded_text(project)[0][3] == "two – ünd 🙂 three"
    again = round_trip(project)
    assert coded_text(again) == coded_text(project)
    assert again.sources[0].text == "PX1: one\nPX2: two – ünd 🙂 three\nPX3: four"


@settings(max_examples=40, deadline=None)
@given(
    text=st.text(st.characters(codec="utf-8"), min_size=1, max_size=200)
    | st.sampled_from(["\x00a", "\ufeffa", "a\r\nb", "\x0b\x1f\U0001f642"]),
    spans=st.lists(
        st.tuples(st.integers(0, 200), st.integers(0, 200), st.booleans(), st.booleans()),
        max_size=12,
    ),
)
def test_any_codings_round_trip_exactly(
    text: str, spans: list[tuple[int, int, bool, bool]]
) -> None:
    # imheval stores text with \n line ends; NUL and a leading BOM are refused (tested below).
    text = text.replace("\r", "").replace("\x00", "").lstrip("\ufeff") or "x"
    codings = tuple(
        Coding(
            stable_guid("coding", str(n)),
            stable_guid("selection", str(n // 2)) if shared else stable_guid("sel", str(n)),
            SOURCE,
            min(a, b, len(text)),
            min(max(a, b), len(text)),
            CODE.guid if n % 2 else SUBTHEME.guid,
            ANA.guid if first_coder else BO.guid,
            exemplar=first_coder and not shared,
        )
        for n, (a, b, first_coder, shared) in enumerate(spans)
    )
    project = Project(
        name="Generated",
        users=(ANA, BO),
        codes=(THEME, SUBTHEME, CODE),
        sources=(Source(SOURCE, "Generated", text),),
        codings=codings,
    )
    data, _files, _losses = project_xml(project)
    assert_valid(data, "Project-mrt2019.xsd")
    again = round_trip(project)
    assert coded_text(again) == coded_text(project)
    assert sorted(c.exemplar for c in again.codings) == sorted(c.exemplar for c in codings)


@pytest.mark.parametrize("text", ["a\x00b", "\ufeffHello"])
def test_text_a_file_cannot_carry_back_is_refused(tmp_path: Path, text: str) -> None:
    project = Project(name="Odd", sources=(Source(SOURCE, "Odd", text),))
    with pytest.raises(RefiError, match="source 'Odd' has a NUL character or starts with a byte"):
        write_qdpx(project, tmp_path / "odd.qdpx")
    assert not (tmp_path / "odd.qdpx").exists()
