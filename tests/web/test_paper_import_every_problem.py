"""An import lists every problem of the file in one go (the reader's and the cohort's), names
the columns imheval does not know, and imports them only once the person confirms ignoring them.

The workspace's cohort SOL-1 has pre, post and follow-up questionnaires, each imh-core.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_paper_entry import client_for, url
from test_paper_import import upload

from imheval.web.capture.models import Submission
from imheval.web.paper.models import ImportBatch

pytestmark = pytest.mark.django_db

# Seven problems, found by two different checks: an empty code (row 2) and an unknown timepoint
# (row 3) by the reader; an answer that is not an option (row 4), a rating off the scale
# (row 5), another cohort's row (row 6) and a code with other characters (row 7) by the
# cohort's checks; and the column 'notes', which imheval does not know.
SEVEN_PROBLEMS = """participant,cohort,timepoint,K1,S1,notes
,SOL-1,pre,a,3,
AB12CD,SOL-1,mid,a,3,
EF34GH,SOL-1,pre,z,3,came late
IJ56KL,SOL-1,pre,a,9,
MN78OP,SOL-2,pre,a,3,
QR-90!,SOL-1,pre,a,3,
ST12UV,SOL-1,post,b,4,
"""


def test_a_file_with_seven_problems_shows_all_seven_and_imports_nothing(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])

    page = upload(client, workspace, "seven.csv", SEVEN_PROBLEMS).content.decode()

    assert "The file has 7 problems, so nothing was imported" in page
    table = page[page.index('id="problems"') : page.index("</table>", page.index('id="problems"'))]
    rows = [
        [cell.split(">", 1)[1] for cell in row.split("</td>")[:-1]]
        for row in table.split('<tr class="nhsuk-table__row">')[2:]
    ]
    located = [(row[0].strip(), row[1].strip()) for row in rows]
    assert located == [
        ("1", "notes"),
        ("2", "participant"),
        ("3", "timepoint"),
        ("4", "K1"),
        ("5", "S1"),
        ("6", "cohort"),
        ("7", "participant"),
    ]
    assert "This column is not a question of this cohort" in rows[0][2]
    assert "Unknown timepoint &#x27;mid&#x27;" in rows[2][2]
    assert "cohort &#x27;SOL-2&#x27;" in rows[5][2]
    assert not ImportBatch.objects.exists()
    assert not Submission.objects.exists()


def test_an_unknown_column_is_named_and_imported_only_once_confirmed(workspace: Any) -> None:
    client = client_for(workspace.users["evaluator"])
    csv = "participant,timepoint,K1,notes,Room\nAB12CD,pre,a,late,4\nEF34GH,pre,b,,5\n"

    response = upload(client, workspace, "notes.csv", csv)
    batch = ImportBatch.objects.get()
    assert batch.ignored_columns == ["notes", "Room"]
    preview = client.get(response["Location"]).content.decode()
    assert "Columns imheval does not know" in preview
    assert "<code>notes</code>, <code>Room</code>" in preview
    assert "column(s) ignored" not in preview  # named once, in the confirmation

    refused = client.post(url("import_preview", workspace, batch=batch.pk))
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "There is a problem" in page
    assert "Confirm that the columns imheval does not know (notes, Room) are to be ignored" in page
    assert not Submission.objects.exists()

    done = client.post(
        url("import_preview", workspace, batch=batch.pk), {"ignore_columns": "on"}, follow=True
    )
    assert "Imported 2 responses from notes.csv" in done.content.decode()
    answers = {s.code: s.answers for s in Submission.objects.all()}
    assert answers == {"AB12CD": {"K1": "a"}, "EF34GH": {"K1": "b"}}


def test_a_file_without_unknown_columns_needs_no_confirmation(workspace: Any) -> None:
    client = client_for(workspace.users["evaluator"])
    upload(client, workspace, "plain.csv", "participant,timepoint,K1\nAB12CD,pre,a\n")
    batch = ImportBatch.objects.get()
    assert batch.ignored_columns == []
    preview = client.get(url("import_preview", workspace, batch=batch.pk)).content.decode()
    assert "Columns imheval does not know" not in preview
    client.post(url("import_preview", workspace, batch=batch.pk))
    assert Submission.objects.count() == 1
