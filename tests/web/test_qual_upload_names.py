"""A transcript upload's own name and file name go through the names list too: the typed
source name and the file's name (kept as the source's origin and shown on its page) are
pseudonymised like the text, and nothing of the listed names is stored."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from qual_data import add_member, make_study, url

from imheval.web.qualitative.forms import pseudonymised_file_name
from imheval.web.qualitative.models import Source

pytestmark = pytest.mark.django_db

TRANSCRIPT = "Facilitator: Welcome.\nSarah: I work with Tom.\n"
NAMES = "Sarah Jones = PX1\nSarah = PX1\nTom = PX2"


def test_source_name_and_file_name_are_pseudonymised_before_they_are_stored(
    workspace: Any,
) -> None:
    analyst = add_member(workspace.organisation, "analyst")
    study = make_study(workspace.organisation, workspace.cohort)
    client = client_as(analyst)
    response = client.post(
        url("source_upload", study=study),
        {
            "file": SimpleUploadedFile("sarah-jones_interview.txt", TRANSCRIPT.encode()),
            "name": "Interview with Sarah and Tom",
            "kind": "interview",
            "names": NAMES,
        },
    )
    assert response.status_code == 302, response.content.decode()
    preview = client.get(response["Location"]).content.decode()
    assert "PX1 interview.txt" in preview
    assert "Sarah" not in preview and "sarah" not in preview
    client.post(url("source_preview", study=study))
    source = Source.objects.get()
    assert (source.name, source.origin) == ("Interview with PX1 and PX2", "PX1 interview.txt")
    assert source.text == "Facilitator: Welcome.\nPX1: I work with PX2.\n"
    page = client.get(url("source", study=study, source=source)).content.decode()
    assert "Made from PX1 interview.txt." in page
    assert "sarah" not in page.lower() and "Tom" not in page


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("sarah-jones.docx", "PX1.docx"),
        ("SARAH_JONES.vtt", "PX1.vtt"),
        ("notes.from.sarah.txt", "notes from PX1.txt"),
        ("focus-group-1.txt", "focus-group-1.txt"),  # nothing listed: kept as it is
        ("sarah", "PX1"),
    ],
)
def test_file_name_words_joined_by_hyphens_underscores_or_dots_are_replaced(
    file_name: str, expected: str
) -> None:
    names = {"Sarah Jones": "PX1", "Sarah": "PX1"}
    assert pseudonymised_file_name(file_name, names) == expected
