"""Attacks on the web import: codes outside the code alphabet, and arbitrary files.

Whatever is uploaded, the answer is a page listing problems or a preview, never a server error,
and a refused file leaves the database as it was (no preview, no response). A preview that is
confirmed imports every row it listed or none.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from test_paper_entry import client_for, url

from imheval.web.capture.models import Submission
from imheval.web.paper.models import ImportBatch, ImportStatus

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def upload(client: Any, workspace: Any, name: str, content: bytes) -> Any:
    return client.post(
        url("import_file", workspace, cohort=workspace.cohort.pk),
        {"file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    "code",
    ["=1+1", "+MA07BE", "-MA07BE", "@SUM(A1)", "MA07BE-", "MA 07;BE", "MA07BÉ", "MA/07.BE"],
)
def test_a_code_outside_the_code_alphabet_is_refused_naming_row_and_column(
    workspace: Any, code: str
) -> None:
    content = f"participant,timepoint,K1\nJO12DE,pre,a\n{code},pre,b\n".encode()
    client = client_for(workspace.users["trainer"])

    response = upload(client, workspace, "codes.csv", content)

    page = response.content.decode()
    assert response.status_code == 200, page[:300]
    assert (
        '<td class="nhsuk-table__cell">3</td>\n'
        '      <td class="nhsuk-table__cell">participant</td>\n'
        '      <td class="nhsuk-table__cell">The code has other characters: a code is letters A '
        "to Z and digits 0 to 9"
    ) in page
    assert not ImportBatch.objects.exists()
    assert not Submission.objects.exists()


@pytest.mark.parametrize("code", ["ma07be", "AD-14-K", "P_001", "AB 12 CD"])
def test_codes_in_the_alphabet_are_previewed(workspace: Any, code: str) -> None:
    content = f"participant,timepoint,K1\n{code},pre,a\n".encode()
    client = client_for(workspace.users["trainer"])

    response = upload(client, workspace, "codes.csv", content)

    assert response.status_code == 302
    assert ImportBatch.objects.get().row_count == 1


# ----------------------------------------------------------------------------- fuzzing

HEADERS = [
    "participant",
    "cohort",
    "timepoint",
    "profession",
    "directorate",
    "K1",
    "K2",
    "R1",
    "S1",
    "pre_K1",
    "post_S1",
    "",
    "x",
]
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "MA07BE",
            "JO12DE",
            "pre",
            "post",
            "follow-up",
            "SOL-1",
            "a",
            "b",
            "yes",
            "3",
            "²",
            "-1",
            "1e309",
            "=1+1",
            "'=1",
            '"',
            ",",
            ";",
            "\t",
            "\n",
            "\x00",
            "Midwife",
            "9" * 40,
        ]
    ),
    st.text(max_size=12),
)


def _csv_text(header: list[str], rows: list[list[str]], separator: str) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


csv_files = st.builds(
    _csv_text,
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    st.lists(st.lists(CELLS, max_size=9), max_size=6),
    st.sampled_from([",", ";", "\t"]),
)

xlsx_values = st.one_of(
    CELLS.filter(lambda text: "\x00" not in text and text.isprintable()),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)


def _xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        # a workbook cannot hold control characters: a real file never has them either
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


xlsx_files = st.builds(
    _xlsx_bytes,
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    st.lists(st.lists(xlsx_values, max_size=9), max_size=6),
)


def _upload_and_check(workspace: Any, name: str, content: bytes) -> bool:
    """Upload, then: no error page; a refusal changes nothing; a confirmed preview is whole.
    True when the file was previewed."""
    client = client_for(workspace.users["trainer"])
    responses = Submission.objects.count()
    previews = ImportBatch.objects.filter(status=ImportStatus.PREVIEW).count()

    response = upload(client, workspace, name, content)

    assert response.status_code < 500, (name, content[:200])
    assert b"Traceback" not in response.content
    assert Submission.objects.count() == responses  # nothing before a person confirms
    if response.status_code == 302:
        batch = ImportBatch.objects.filter(status=ImportStatus.PREVIEW).latest("pk")
        assert client.get(response["Location"]).status_code == 200
        confirmed = client.post(response["Location"])
        assert confirmed.status_code < 500
        batch.refresh_from_db()
        imported = Submission.objects.count() - responses
        assert imported == (batch.row_count if batch.status == ImportStatus.IMPORTED else 0)
        return True
    assert response.status_code == 200
    assert ImportBatch.objects.filter(status=ImportStatus.PREVIEW).count() == previews
    return False


@FUZZ
@given(content=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".tsv"]))
def test_arbitrary_bytes_are_refused_cleanly(workspace: Any, content: bytes, suffix: str) -> None:
    _upload_and_check(workspace, "junk" + suffix, content)


@FUZZ
@given(text=csv_files, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
def test_arbitrary_csv_files_give_problems_or_a_preview(
    workspace: Any, text: str, encoding: str
) -> None:
    _upload_and_check(workspace, "fuzz.csv", text.encode(encoding, errors="replace"))


@FUZZ
@given(content=xlsx_files)
def test_arbitrary_xlsx_files_give_problems_or_a_preview(workspace: Any, content: bytes) -> None:
    _upload_and_check(workspace, "fuzz.xlsx", content)


#: Rows that are nearly right: real codes, timepoints and answers, now and then a wrong one.
plausible_rows = st.lists(
    st.tuples(
        st.one_of(st.from_regex(r"[A-Z]{2}[0-9]{2}[A-Z]{2}", fullmatch=True), CELLS),
        st.sampled_from(["pre", "post", "followup", "later", ""]),
        st.sampled_from(["a", "b", "c", "d", "", "e", "=1"]),
        st.sampled_from(["1", "3", "5", "", "9", "²", "-1"]),
    ).map(list),
    min_size=1,
    max_size=6,
)


def test_nearly_right_files_are_previewed_and_imported_whole_or_refused(workspace: Any) -> None:
    previewed = []

    @FUZZ
    @given(rows=plausible_rows, xlsx=st.booleans())
    def attempt(rows: list[list[str]], xlsx: bool) -> None:
        header = ["participant", "timepoint", "K1", "S1"]
        if xlsx:
            previewed.append(_upload_and_check(workspace, "n.xlsx", _xlsx_bytes(header, rows)))
        else:
            text = _csv_text(header, rows, ",")
            previewed.append(_upload_and_check(workspace, "n.csv", text.encode()))

    attempt()
    assert any(previewed) and not all(previewed)  # both paths were really taken
