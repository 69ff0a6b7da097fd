"""Hostile and broken REFI-QDA files: each refused with a message naming the file, the element
and the field, and nothing returned."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_refi_read import CODE_GUID, SOURCE_GUID, USER_GUID, archive, one_source, qde, selection

from imheval.errors import ProblemsError
from imheval.qualitative.refi import RefiError, read_qdc, read_qdpx
from imheval.qualitative.refi import archive as safe_archive

TEXT = {f"sources/{SOURCE_GUID}.txt": b"Hello there"}


def messages(error: pytest.ExceptionInfo[RefiError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def test_refi_error_is_a_problems_error_and_a_value_error() -> None:
    assert issubclass(RefiError, ProblemsError)
    assert issubclass(RefiError, ValueError)


def test_zip_bomb_member_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde(one_source("")))
        zf.writestr(f"sources/{SOURCE_GUID}.txt", b"\0" * (3 * 1024 * 1024))
    with pytest.raises(RefiError) as error:
        read_qdpx(path)
    (message,) = messages(error)
    assert message.startswith(f"bomb.qdpx: member 'sources/{SOURCE_GUID}.txt' expands 3,145,728")
    assert message.endswith("(more than 200 times): a zip bomb?")


def test_archive_over_the_total_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safe_archive, "MAX_TOTAL_BYTES", 100)
    path = archive(tmp_path, qde(one_source("")), TEXT)
    with pytest.raises(RefiError, match=r"inline\.qdpx: expands to \d+ bytes; at most 100"):
        read_qdpx(path)


def test_bytes_are_counted_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = archive(tmp_path, qde(one_source("")), TEXT)
    opened = safe_archive.SafeArchive.open(str(path), "inline.qdpx")
    opened.budget = 5  # as if a forged header had understated the sizes
    with pytest.raises(RefiError, match="expands past its declared size"):
        opened.read("project.qde")
    opened.close()


@pytest.mark.parametrize(
    ("member", "why"),
    [
        ("../outside.txt", "leaves the archive ('..')"),
        ("sources/../../etc/passwd", "leaves the archive ('..')"),
        ("/etc/passwd", "is an absolute path"),
        ("C:\\Windows\\x.txt", "is an absolute path"),
    ],
)
def test_members_leaving_the_archive_are_refused(tmp_path: Path, member: str, why: str) -> None:
    path = archive(tmp_path, qde(one_source("")), {**TEXT, member: b"x"})
    with pytest.raises(RefiError) as error:
        read_qdpx(path)
    assert messages(error) == [f"inline.qdpx: member '{member}' {why}; refused"]


@pytest.mark.parametrize("path_kind", ["absolute:///etc/passwd", "relative://../secret.txt"])
def test_sources_outside_the_archive_are_refused(tmp_path: Path, path_kind: str) -> None:
    project = one_source("").replace(f"internal://{SOURCE_GUID}.txt", path_kind)
    with pytest.raises(RefiError) as error:
        read_qdpx(archive(tmp_path, qde(project)))
    (message,) = messages(error)
    assert message.startswith(
        f"inline.qdpx (project.qde), field 'plainTextPath': source 'Interview 1' is read from "
        f"'{path_kind}', outside the archive"
    )


def test_missing_source_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RefiError) as error:
        read_qdpx(archive(tmp_path, qde(one_source(""))))
    assert messages(error) == [
        f"inline.qdpx (project.qde), field 'plainTextPath': source 'Interview 1': "
        f"'internal://{SOURCE_GUID}.txt' is not in the archive's sources folder"
    ]


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    '<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"/>'
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    f'<Code guid="{CODE_GUID}" name="&x;" isCodable="true"/></Codes></CodeBook>'
)


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RefiError) as error:
        read_qdpx(archive(tmp_path, BILLION_LAUGHS))
    assert messages(error) == [
        "inline.qdpx (project.qde): has a DOCTYPE or ENTITY declaration, which REFI-QDA files "
        "never need (refused, so that no entity can be expanded)"
    ]


def test_external_entity_in_a_codebook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xxe.qdc"
    path.write_text(XXE)
    with pytest.raises(RefiError, match=r"^xxe\.qdc: has a DOCTYPE or ENTITY declaration"):
        read_qdc(path)


def test_source_not_utf8_is_named(tmp_path: Path) -> None:
    path = archive(
        tmp_path, qde(one_source("")), {f"sources/{SOURCE_GUID}.txt": "Café".encode("latin-1")}
    )
    with pytest.raises(RefiError) as error:
        read_qdpx(path)
    assert messages(error) == [
        f"inline.qdpx (project.qde): source 'Interview 1' (sources/{SOURCE_GUID}.txt) is not "
        "UTF-8 text (byte 0xE9 at byte 3); save it as UTF-8 and export again"
    ]


def test_binary_source_is_refused(tmp_path: Path) -> None:
    path = archive(tmp_path, qde(one_source("")), {f"sources/{SOURCE_GUID}.txt": b"PK\0\0x"})
    with pytest.raises(RefiError, match="is not plain text"):
        read_qdpx(path)


def test_every_problem_is_listed_and_nothing_is_returned(tmp_path: Path) -> None:
    unknown_code = "FFFFFFFF-0000-4000-8000-000000000001"
    unknown_variable = "FFFFFFFF-0000-4000-8000-000000000002"
    selections = (
        selection(0, 50, "01")  # past the end of "Hello there" (11 characters)
        + selection(6, 3, "02")  # ends before it starts
        + selection(0, 5, "03", code=unknown_code)
        + selection(0, 5, "04").replace("EEEEEEEE-0000-4000-8000-000000000004", USER_GUID)
    )
    cases = (
        '<Cases><Case guid="AAAAAAAA-1111-4000-8000-000000000001" name="PX1"><VariableValue>'
        f'<VariableRef targetGUID="{unknown_variable}"/><TextValue>Nurse</TextValue>'
        "</VariableValue></Case></Cases>"
    )
    sets = (
        '<Sets><Set guid="AAAAAAAA-2222-4000-8000-000000000001" name="Group">'
        f'<MemberCode targetGUID="{unknown_code}"/></Set></Sets>'
    )
    body = one_source(selections).replace("<Sources>", cases + "<Sources>") + sets
    with pytest.raises(RefiError) as error:
        read_qdpx(archive(tmp_path, qde(body), TEXT))
    where = "inline.qdpx (project.qde), field"
    assert messages(error) == [
        f"{where} 'guid': GUID {USER_GUID} is used twice: by User 'Ana' and by Coding",
        f"{where} 'endPosition': PlainTextSelection DDDDDDDD-0000-4000-8000-000000000001 in "
        "source 'Interview 1': positions 0 to 50 are outside the text (0 to 11)",
        f"{where} 'startPosition': PlainTextSelection DDDDDDDD-0000-4000-8000-000000000002 in "
        "source 'Interview 1': positions 6 to 3 are outside the text (0 to 11)",
        f"{where} 'VariableRef': a VariableValue of case 'PX1' refers to variable "
        f"{unknown_variable}, which is not in Variables",
        f"{where} 'MemberCode': set 'Group' has member code {unknown_code}, which is not in the "
        "codebook",
        f"{where} 'CodeRef': Coding EEEEEEEE-0000-4000-8000-000000000003 in source 'Interview "
        f"1' refers to code {unknown_code}, which is not in the codebook",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip", "inline.qdpx: is not a ZIP archive (.qdpx)"),
        (None, "inline.qdpx: has no project.qde at the top of the archive"),
    ],
)
def test_not_a_project_archive(tmp_path: Path, data: bytes | None, message: str) -> None:
    path = tmp_path / "inline.qdpx"
    if data is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("readme.txt", "hello")
    else:
        path.write_bytes(data)
    with pytest.raises(RefiError) as error:
        read_qdpx(path)
    assert messages(error)[0].startswith(message)


def test_malformed_xml_is_named(tmp_path: Path) -> None:
    with pytest.raises(RefiError, match=r"^inline\.qdpx \(project\.qde\): is not well-formed XML"):
        read_qdpx(archive(tmp_path, "<Project name='x'><Users></Project>"))


def test_wrong_root_is_named(tmp_path: Path) -> None:
    codebook = tmp_path / "project.qdc"
    codebook.write_text('<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
    with pytest.raises(RefiError, match="the root element is Project, not CodeBook"):
        read_qdc(codebook)


def test_codes_nested_past_the_parsers_depth_limit_are_refused(tmp_path: Path) -> None:
    depth = 600
    codes = "".join(
        f'<Code guid="BBBBBBBB-0000-4000-8000-{n:012X}" name="c{n}" isCodable="true">'
        for n in range(depth)
    )
    body = f"<CodeBook><Codes>{codes}{'</Code>' * depth}</Codes></CodeBook>"
    with pytest.raises(RefiError, match=r"is not well-formed XML \(Excessive depth in document"):
        read_qdpx(archive(tmp_path, qde(body)))


def test_encrypted_member_is_refused_with_a_message(tmp_path: Path) -> None:
    path = archive(tmp_path, qde(one_source("")), TEXT)
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag of every member, in local and central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (found := data.find(signature, start)) != -1:
            data[found + offset] |= 0x01
            start = found + 4
    path.write_bytes(bytes(data))
    with pytest.raises(RefiError, match=r"member 'project\.qde' cannot be read"):
        read_qdpx(path)


def test_oversized_codebook_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imheval.qualitative.refi import reader

    monkeypatch.setattr(reader, "MAX_TOTAL_BYTES", 50)
    path = tmp_path / "big.qdc"
    path.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0">' + " " * 100 + "</CodeBook>")
    with pytest.raises(RefiError, match=r"^big\.qdc: is larger than 50 bytes; refused$"):
        read_qdc(path)


def test_entity_declaration_in_utf16_is_refused(tmp_path: Path) -> None:
    data = BILLION_LAUGHS.replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    path = tmp_path / "inline.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", data.encode("utf-16"))
    with pytest.raises(RefiError, match="has a DOCTYPE or ENTITY declaration"):
        read_qdpx(path)
