"""Reading REFI-QDA files: the shared fixtures (imheval's example, real NVivo and ATLAS.ti
exports) and each quirk, built inline."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from imheval.qualitative.model import Level, Project
from imheval.qualitative.refi import RefiError, read_qdc, read_qdpx, read_qdpx_bytes
from shared_fixtures import shared_fixture

CODER_A = "01B45908-8022-53CB-BA9C-5BFDFAEC285A"
REVIEWER_B = "4D0CB6A6-A9F0-585D-A759-798D1894AFED"
ENHANCED_PRACTICE = "75E2678A-4B25-5463-B9A8-1BFB9E7EBE68"
SOURCE_GUID = "AAAAAAAA-0000-4000-8000-000000000001"
CODE_GUID = "BBBBBBBB-0000-4000-8000-000000000001"
USER_GUID = "CCCCCCCC-0000-4000-8000-000000000001"


def coded_text(project: Project) -> list[tuple[str | None, str, str]]:
    """(coder name, code name, coded text) for every coding, sorted."""
    users = {user.guid: user.name for user in project.users}
    codes = {code.guid: code.name for code in project.codes}
    texts = {source.guid: source.text for source in project.sources}
    return sorted(
        (
            users.get(coding.coder) if coding.coder else None,
            codes[coding.code],
            texts[coding.source][coding.start : coding.end],
        )
        for coding in project.codings
    )


def qde(body: str, *, origin: str = "Test tool 1.0") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="Inline" origin="{origin}">{body}'
        "</Project>"
    )


def archive(tmp_path: Path, project: str, members: dict[str, bytes] | None = None) -> Path:
    path = tmp_path / "inline.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", project)
        for name, data in (members or {}).items():
            zf.writestr(name, data)
    return path


def one_source(selections: str, *, codes: str | None = None, users: bool = True) -> str:
    """A project with one user, one code and one source ``sources/<GUID>.txt``."""
    user = f'<Users><User guid="{USER_GUID}" name="Ana" id="AN"/></Users>' if users else ""
    codebook = codes or f'<Code guid="{CODE_GUID}" name="Support" isCodable="true"/>'
    return (
        f"{user}<CodeBook><Codes>{codebook}</Codes></CodeBook><Sources>"
        f'<TextSource guid="{SOURCE_GUID}" name="Interview 1" '
        f'plainTextPath="internal://{SOURCE_GUID}.txt">{selections}</TextSource></Sources>'
    )


def selection(start: int, end: int, guid_tail: str = "01", *, code: str = CODE_GUID) -> str:
    return (
        f'<PlainTextSelection guid="DDDDDDDD-0000-4000-8000-0000000000{guid_tail}" '
        f'startPosition="{start}" endPosition="{end}" creatingUser="{USER_GUID}">'
        f'<Coding guid="EEEEEEEE-0000-4000-8000-0000000000{guid_tail}">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


# -- the fixtures ---------------------------------------------------------------------------


def test_imheval_example_reads_coders_codes_and_coded_text() -> None:
    read = read_qdpx(shared_fixture("refi-qda", "examples", "imh-focus-group.qdpx"))
    project = read.project
    assert project.name == "PIMH-NG focus group"
    assert [user.name for user in project.users] == ["Coder A", "Reviewer B"]
    assert len(project.codes) == 9
    assert project.code_level("00907485-72CC-5B0D-9D5C-9C2F9404E790") is Level.THEME
    assert project.code_level(ENHANCED_PRACTICE) is Level.SUBTHEME
    assert coded_text(project) == [
        ("Coder A", "Enhanced clinical practice", "you're asking more, what happened to them, "
         "what went on in their life rather than what's wrong with them"),
        ("Coder A", "Organisational structure of the group",
         "it's brilliant like having articles kind of provided for you"),
        ("Coder A", "Reflective group discussion", "I could see a different perspective"),
        ("Reviewer B", "Enhanced clinical practice", "you're asking more, what happened to them"),
        ("Reviewer B", "Reflective group discussion", "I could see a different perspective"),
    ]  # fmt: skip
    assert [case.name for case in project.cases] == ["PX2", "PX4", "PX7"]
    assert project.cases[0].sources == ("C178A93E-7A85-51F2-BE4B-F8FB18C07D6D",)
    (memo,) = project.notes
    assert memo.name == "Reflexive positioning memo"
    assert memo.text == "Author previously worked in perinatal mental health research."
    assert memo.targets == ()
    assert project.sets[0].name == "Theme 1 (as a code group)"
    assert len(project.sets[0].codes) == 3
    assert read.losses == ()


def test_nvivo_export_names_guid_sources_and_flattens_deep_codes() -> None:
    read = read_qdpx(shared_fixture("refi-qda", "real", "nvivo15-mac-project.qdpx"))
    project = read.project
    assert project.origin == "NVivo for Mac 15.0.0"
    assert [user.name for user in project.users] == ["chrisp", "cp"]
    # NVivo writes lower-case GUIDs; imheval keeps REFI-QDA's upper-case form.
    assert project.users[0].guid == "1B0B1791-BE46-4557-9957-7333544CFAF2"
    assert [source.name for source in project.sources] == ["Source 1", "Source 2"]
    assert [source.text for source in project.sources] == ["\n", "\n"]
    assert len(project.codes) == 262
    assert project.codings == ()
    levels = {project.code_level(code.guid) for code in project.codes}
    assert levels == {Level.THEME, Level.SUBTHEME, Level.CODE}
    names = {code.name: code for code in project.codes}
    # rq1_definition > defining_education > restructuring_high_school > restructure_curriculum
    deep = names["restructuring_high_school > restructure_curriculum"]
    assert project.code_level(deep.guid) is Level.CODE
    assert {code.guid: code.name for code in project.codes}[deep.parent or ""] == (
        "defining_education"
    )
    assert read.losses == (
        "source '66653866-6334-3535-3435-366637306566' has no readable name; it is called "
        "'Source 1'",
        "source '33663939-3636-3632-3038-613431643463' has no readable name; it is called "
        "'Source 2'",
        "129 code(s) nested deeper than theme > sub-theme > code are kept as codes under their "
        "sub-theme, named by their path below it",
        "rich-text copies (.docx) of 2 source(s) are not kept; their plain text is",
        "'sources/.root' (a marker file some tools write) is ignored",
    )


def test_atlas_exports_read_users_and_codes() -> None:
    blank = read_qdpx(shared_fixture("refi-qda", "real", "blank-atlas-project.qdpx")).project
    assert [user.name for user in blank.users] == ["Enric Llagostera", "ATLAS.ti"]
    assert blank.codes == () and blank.sources == ()
    target = read_qdpx(shared_fixture("refi-qda", "real", "target-atlas-project.qdpx")).project
    assert target.origin == "ATLAS.ti for Windows 23.2.3.27778"
    assert [(code.name, code.parent is None) for code in target.codes] == [
        ("Commits", True),
        ("2022-05-10T02:05:59Z 19e4dce", False),
        ("2022-02-11T10:39:25Z cdbfd92", False),
    ]


def test_codebook_fixture_reads_themes_and_set() -> None:
    read = read_qdc(shared_fixture("refi-qda", "examples", "codebook.qdc"))
    codes = read.project.codes
    assert len(codes) == 9
    assert [code.name for code in codes if code.parent is None] == [
        "Theme 1: Bringing the knowledge out",
        "Theme 2: The benefits of group-based learning",
    ]
    assert not codes[0].codable and codes[1].codable
    (theme_set,) = read.project.sets
    assert theme_set.codes == (ENHANCED_PRACTICE,)
    assert read.losses == ()


def test_reading_from_bytes_names_the_upload_in_messages() -> None:
    with pytest.raises(RefiError, match=r"^focus\.qdpx: is not a ZIP archive"):
        read_qdpx_bytes(b"not a zip", name="focus.qdpx")
    data = shared_fixture("refi-qda", "examples", "imh-focus-group.qdpx").read_bytes()
    assert len(read_qdpx_bytes(data).project.codings) == 5


# -- quirks -------------------------------------------------------------------------------


def test_crlf_positions_from_nvivo_count_two_code_points(tmp_path: Path) -> None:
    text = "PX1: first line\r\nPX2: second line\r\nPX3: third"
    start = text.index("second")
    project = one_source(selection(start, start + len("second line")))
    path = archive(tmp_path, qde(project, origin="NVivo 14"), {
        f"sources/{SOURCE_GUID}.txt": text.encode()
    })  # fmt: skip
    read = read_qdpx(path)
    assert read.project.sources[0].text == "PX1: first line\nPX2: second line\nPX3: third"
    assert coded_text(read.project) == [("Ana", "Support", "second line")]
    assert any("Windows line endings" in loss for loss in read.losses)


def test_crlf_positions_from_atlas_count_one_code_point(tmp_path: Path) -> None:
    text = "PX1: first line\r\nPX2: second line\r\nPX3: third"
    start = text.replace("\r\n", "\n").index("third")
    project = one_source(selection(start, start + len("third")))
    path = archive(tmp_path, qde(project, origin="ATLAS.ti for Windows 23.2"), {
        f"sources/{SOURCE_GUID}.txt": text.encode()
    })  # fmt: skip
    assert coded_text(read_qdpx(path).project) == [("Ana", "Support", "third")]


def test_bom_is_dropped_and_positions_count_from_the_text(tmp_path: Path) -> None:
    project = one_source(selection(0, 5))
    path = archive(tmp_path, qde(project), {
        f"sources/{SOURCE_GUID}.txt": "\ufeffHello there".encode()
    })  # fmt: skip
    assert coded_text(read_qdpx(path).project) == [("Ana", "Support", "Hello")]


@pytest.mark.parametrize(
    ("written", "read_as"),
    [("#abc", "#AABBCC"), ("rgb(1,2,3)", "#010203"), ("#11223344", "#112233"), ("255", "#0000FF")],
)
def test_colours_not_in_rrggbb_form_are_normalised(
    tmp_path: Path, written: str, read_as: str
) -> None:
    codes = f'<Code guid="{CODE_GUID}" name="Support" isCodable="true" color="{written}"/>'
    path = archive(tmp_path, qde(one_source("", codes=codes)), {
        f"sources/{SOURCE_GUID}.txt": b"text"
    })  # fmt: skip
    read = read_qdpx(path)
    assert read.project.codes[0].color == read_as
    assert f"colour '{written}' of code 'Support' read as {read_as}" in read.losses


def test_unreadable_colour_is_dropped_and_said(tmp_path: Path) -> None:
    codes = f'<Code guid="{CODE_GUID}" name="Support" isCodable="true" color="teal"/>'
    path = archive(tmp_path, qde(one_source("", codes=codes)), {
        f"sources/{SOURCE_GUID}.txt": b"text"
    })  # fmt: skip
    read = read_qdpx(path)
    assert read.project.codes[0].color is None
    assert "colour 'teal' of code 'Support' cannot be read; dropped" in read.losses


def test_empty_sets_element_is_ignored(tmp_path: Path) -> None:
    codebook = (
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette"><Codes>'
        f'<Code guid="{CODE_GUID}" name="Support" isCodable="true"/></Codes><Sets/></CodeBook>'
    )
    path = tmp_path / "taguette.qdc"
    path.write_text(codebook)
    read = read_qdc(path)
    assert read.project.sets == ()
    assert read.losses == ("an empty Sets element is ignored",)


def test_non_codable_code_with_codings_is_kept_and_said(tmp_path: Path) -> None:
    codes = f'<Code guid="{CODE_GUID}" name="Support" isCodable="false"/>'
    path = archive(tmp_path, qde(one_source(selection(0, 4), codes=codes)), {
        f"sources/{SOURCE_GUID}.txt": b"text"
    })  # fmt: skip
    read = read_qdpx(path)
    assert read.project.codes[0].codable is False
    assert coded_text(read.project) == [("Ana", "Support", "text")]
    assert "1 coding(s) of non-codable code 'Support' are kept" in read.losses


def test_coding_without_any_user_has_no_coder(tmp_path: Path) -> None:
    selections = (
        '<PlainTextSelection guid="DDDDDDDD-0000-4000-8000-000000000001" startPosition="0" '
        'endPosition="4"><Coding guid="EEEEEEEE-0000-4000-8000-000000000001">'
        f'<CodeRef targetGUID="{CODE_GUID}"/></Coding></PlainTextSelection>'
    )
    path = archive(tmp_path, qde(one_source(selections)), {
        f"sources/{SOURCE_GUID}.txt": b"text"
    })  # fmt: skip
    read = read_qdpx(path)
    assert coded_text(read.project) == [(None, "Support", "text")]
    assert "1 coding(s) have no coder (no creatingUser); they are kept without one" in read.losses


def test_coding_user_wins_over_selection_user(tmp_path: Path) -> None:
    other = "CCCCCCCC-0000-4000-8000-000000000002"
    selections = (
        '<PlainTextSelection guid="DDDDDDDD-0000-4000-8000-000000000001" startPosition="0" '
        f'endPosition="4" creatingUser="{USER_GUID}">'
        f'<Coding guid="EEEEEEEE-0000-4000-8000-000000000001" creatingUser="{other}">'
        f'<CodeRef targetGUID="{CODE_GUID}"/></Coding></PlainTextSelection>'
    )
    users = f'<Users><User guid="{USER_GUID}" name="Ana"/><User guid="{other}" name="Bo"/></Users>'
    project = users + one_source(selections, users=False)
    path = archive(tmp_path, qde(project), {f"sources/{SOURCE_GUID}.txt": b"text"})
    assert coded_text(read_qdpx(path).project) == [("Bo", "Support", "text")]


def test_reading_1500_codings_is_fast(tmp_path: Path) -> None:
    text = "word " * 20_000
    selections = "".join(
        f'<PlainTextSelection guid="DDDDDDDD-0000-4000-8000-{n:012X}" startPosition="{n * 10}" '
        f'endPosition="{n * 10 + 9}" creatingUser="{USER_GUID}">'
        f'<Coding guid="EEEEEEEE-0000-4000-8000-{n:012X}"><CodeRef targetGUID="{CODE_GUID}"/>'
        "</Coding></PlainTextSelection>"
        for n in range(1500)
    )
    path = archive(tmp_path, qde(one_source(selections)), {
        f"sources/{SOURCE_GUID}.txt": text.encode()
    })  # fmt: skip
    began = time.perf_counter()
    project = read_qdpx(path).project
    elapsed = time.perf_counter() - began
    assert len(project.codings) == 1500
    # Printed, not asserted (no timing assertions): run with -s to see it.
    print(f"read 1,500 codings in {elapsed:.3f} s")


def test_file_object_is_read(tmp_path: Path) -> None:
    path = archive(tmp_path, qde(one_source(selection(0, 4))), {
        f"sources/{SOURCE_GUID}.txt": b"text"
    })  # fmt: skip
    assert len(read_qdpx(io.BytesIO(path.read_bytes())).project.codings) == 1


# -- other tools' structures ----------------------------------------------------------------


def test_uncoded_case_selections_become_turns_and_coded_ones_stay_codings(tmp_path: Path) -> None:
    turn = (
        '<PlainTextSelection guid="DDDDDDDD-0000-4000-8000-0000000000A1" startPosition="0" '
        'endPosition="5"/>'
    )
    loose = (
        '<PlainTextSelection guid="DDDDDDDD-0000-4000-8000-0000000000A2" startPosition="6" '
        'endPosition="11"/>'
    )
    cases = (
        '<Variables><Variable guid="AAAAAAAA-3333-4000-8000-000000000001" name="profession" '
        'typeOfVariable="Text"/></Variables><Cases>'
        '<Case guid="AAAAAAAA-1111-4000-8000-000000000001" name="PX1">'
        '<VariableValue><VariableRef targetGUID="AAAAAAAA-3333-4000-8000-000000000001"/>'
        "<TextValue>Nurse</TextValue></VariableValue>"
        '<SelectionRef targetGUID="DDDDDDDD-0000-4000-8000-0000000000A1"/>'
        '<SelectionRef targetGUID="DDDDDDDD-0000-4000-8000-000000000001"/></Case></Cases>'
    )
    body = one_source(turn + selection(6, 11) + loose).replace("<Sources>", cases + "<Sources>")
    read = read_qdpx(archive(tmp_path, qde(body), {f"sources/{SOURCE_GUID}.txt": b"Hello there"}))
    (source,) = read.project.sources
    assert [(t.start, t.end, t.speaker) for t in source.turns] == [
        (0, 5, "AAAAAAAA-1111-4000-8000-000000000001")
    ]
    assert coded_text(read.project) == [("Ana", "Support", "there")]
    (case,) = read.project.cases
    assert case.attributes == {"profession": "Nurse"}
    assert case.sources == (SOURCE_GUID,)
    assert read.losses == ("1 selection(s) with no code and no speaker are not kept",)


def test_lower_case_and_braced_guids_are_normalised(tmp_path: Path) -> None:
    body = one_source(selection(0, 5)).replace(CODE_GUID, "{" + CODE_GUID.lower() + "}")
    read = read_qdpx(archive(tmp_path, qde(body), {f"sources/{SOURCE_GUID}.txt": b"Hello"}))
    assert read.project.codes[0].guid == CODE_GUID
    assert read.project.codings[0].code == CODE_GUID


def test_whole_source_coding_graphs_links_and_pdf_sources_are_said(tmp_path: Path) -> None:
    whole = (
        '<Coding guid="EEEEEEEE-0000-4000-8000-0000000000F1">'
        f'<CodeRef targetGUID="{CODE_GUID}"/></Coding>'
    )
    body = one_source(whole).replace(
        "</Sources>",
        '<PDFSource guid="AAAAAAAA-4444-4000-8000-000000000001" name="Leaflet.pdf"/></Sources>'
        '<Links><Link guid="AAAAAAAA-5555-4000-8000-000000000001" '
        f'originGUID="{CODE_GUID}" targetGUID="{SOURCE_GUID}"/></Links>'
        '<Graphs><Graph guid="AAAAAAAA-6666-4000-8000-000000000001"/>'
        '<Graph guid="AAAAAAAA-6666-4000-8000-000000000002"/></Graphs>',
    )
    read = read_qdpx(archive(tmp_path, qde(body), {f"sources/{SOURCE_GUID}.txt": b"Hello"}))
    assert coded_text(read.project) == [(None, "Support", "Hello")]
    assert read.losses == (
        "PDF, picture, audio and video sources are not kept: Leaflet.pdf",
        "2 graph(s) are not kept",
        "1 coding(s) of a whole source are kept as codings of all its text",
        "1 link(s) between items other than notes are not kept",
        "1 coding(s) have no coder (no creatingUser); they are kept without one",
    )


def test_notes_on_codes_sources_and_through_links_keep_their_targets(tmp_path: Path) -> None:
    note_guids = [f"AAAAAAAA-7777-4000-8000-00000000000{n}" for n in range(1, 4)]
    codes = (
        f'<Code guid="{CODE_GUID}" name="Support" isCodable="true">'
        f'<NoteRef targetGUID="{note_guids[0]}"/></Code>'
    )
    body = one_source(f'<NoteRef targetGUID="{note_guids[1]}"/>', codes=codes)
    notes = "".join(
        f'<Note guid="{guid}" name="Memo {n}"><PlainTextContent>Text {n}</PlainTextContent></Note>'
        for n, guid in enumerate(note_guids, 1)
    )
    link = (
        f'<Links><Link guid="AAAAAAAA-5555-4000-8000-000000000001" originGUID="{note_guids[2]}" '
        f'targetGUID="{CODE_GUID}"/></Links>'
    )
    body += f"<Notes>{notes}</Notes>{link}"
    read = read_qdpx(archive(tmp_path, qde(body), {f"sources/{SOURCE_GUID}.txt": b"Hello"}))
    assert [(note.name, note.text, note.targets) for note in read.project.notes] == [
        ("Memo 1", "Text 1", (CODE_GUID,)),
        ("Memo 2", "Text 2", (SOURCE_GUID,)),
        ("Memo 3", "Text 3", (CODE_GUID,)),
    ]


def test_unlisted_coder_is_named_from_the_guid(tmp_path: Path) -> None:
    body = one_source(selection(0, 5), users=False)
    read = read_qdpx(archive(tmp_path, qde(body), {f"sources/{SOURCE_GUID}.txt": b"Hello"}))
    assert coded_text(read.project) == [("User CCCCCCCC", "Support", "Hello")]
    assert "1 coder(s) are not listed in Users; they are named 'User CCCCCCCC'" in read.losses


def test_plain_text_moves_positions_after_each_crlf() -> None:
    from imheval.qualitative.refi.text import PlainText

    raw = "ab\r\ncd\r\nef"
    two = PlainText.read(raw, "NVivo 14")
    assert two.text == "ab\ncd\nef"
    assert two.limit == len(raw)
    assert [two.position(p) for p in (0, 2, 4, 6, 8, 10)] == [0, 2, 3, 5, 6, 8]
    one = PlainText.read(raw, "ATLAS.ti 23")
    assert one.limit == len(one.text)
    assert [one.position(p) for p in (0, 3, 6, 8)] == [0, 3, 6, 8]


def test_lower_case_colour_is_not_reported_as_changed(tmp_path: Path) -> None:
    codes = f'<Code guid="{CODE_GUID}" name="Support" isCodable="true" color="#1f77b4"/>'
    path = archive(tmp_path, qde(one_source("", codes=codes)), {
        f"sources/{SOURCE_GUID}.txt": b"text"
    })  # fmt: skip
    read = read_qdpx(path)
    assert read.project.codes[0].color == "#1F77B4"
    assert read.losses == ()


# -- one problem per unreadable source, and a missing file said plainly ----------------------


def _cases_on(*sources: str) -> str:
    return (
        "<Cases>"
        + "".join(
            f'<Case guid="AAAAAAAA-1111-4000-8000-00000000000{n}" name="PX{n}">'
            + "".join(f'<SourceRef targetGUID="{source}"/>' for source in sources)
            + "</Case>"
            for n in (1, 2, 3)
        )
        + "</Cases>"
    )


def test_an_unreadable_source_is_one_problem_not_one_per_case(tmp_path: Path) -> None:
    body = one_source(selection(0, 5)) + _cases_on(SOURCE_GUID)
    body += (
        '<Sets><Set guid="AAAAAAAA-2222-4000-8000-000000000001" name="Group A">'
        f'<MemberSource targetGUID="{SOURCE_GUID}"/></Set></Sets>'
    )
    # the source's text file is missing from the archive
    with pytest.raises(RefiError) as caught:
        read_qdpx(archive(tmp_path, qde(body)))
    assert [problem.message for problem in caught.value.problems] == [
        f"source 'Interview 1': 'internal://{SOURCE_GUID}.txt' is not in the archive's sources "
        "folder"
    ]


def test_a_case_on_a_dropped_pdf_source_is_not_a_problem(tmp_path: Path) -> None:
    pdf = "AAAAAAAA-4444-4000-8000-000000000001"
    body = one_source(selection(0, 5)).replace(
        "</Sources>", f'<PDFSource guid="{pdf}" name="Leaflet.pdf"/></Sources>'
    ) + _cases_on(SOURCE_GUID, pdf)
    read = read_qdpx(archive(tmp_path, qde(body), {f"sources/{SOURCE_GUID}.txt": b"Hello"}))
    assert [case.sources for case in read.project.cases] == [(SOURCE_GUID,)] * 3
    assert read.losses == ("PDF, picture, audio and video sources are not kept: Leaflet.pdf",)


def test_a_missing_file_is_said_not_to_exist(tmp_path: Path) -> None:
    missing = tmp_path / "missing.qdpx"
    with pytest.raises(RefiError) as caught:
        read_qdpx(missing)
    assert str(caught.value) == f"missing.qdpx: does not exist (looked for {missing})"
    with pytest.raises(RefiError, match=r"^book\.qdc: does not exist"):
        read_qdc(tmp_path / "book.qdc")
    with pytest.raises(RefiError, match=r"^folder\.qdpx: is a folder, not a REFI-QDA file"):
        (tmp_path / "folder.qdpx").mkdir()
        read_qdpx(tmp_path / "folder.qdpx")
