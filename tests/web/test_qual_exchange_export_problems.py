"""An export the REFI-QDA standard cannot carry (a source starting with a byte order mark; a
NUL character is refused the same way by the core) shows the exchange page with the problem
named, never a traceback, and downloads nothing."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from qual_data import FOCUS_GROUP, make_codebook, make_source, make_study, url

pytestmark = pytest.mark.django_db


def test_a_source_with_a_byte_order_mark_is_named_on_the_exchange_page(workspace: Any) -> None:
    study = make_study(workspace.organisation, workspace.cohort)
    make_source(study, FOCUS_GROUP, name="Focus group 1")
    make_source(study, "\ufeff" + FOCUS_GROUP, name="Focus group 2")
    make_codebook(study)
    client = client_as(workspace.users["evaluator"])

    response = client.get(url("exchange_export", study=study) + "?format=qdpx")

    assert response.status_code == 200
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert "<title>Error: Exchange with other tools" in page
    assert "The study could not be exported" in page
    assert (
        "source &#x27;Focus group 2&#x27; has a NUL character or starts with a byte order mark"
        in page
    )
    assert "Focus group 1&#x27;" not in page
    assert "Traceback" not in page
    # the codebook carries no source text, so it still downloads
    codebook = client.get(url("exchange_export", study=study) + "?format=qdc")
    assert codebook["Content-Disposition"].endswith('.qdc"')


def test_a_study_the_standard_can_carry_still_downloads(workspace: Any) -> None:
    study = make_study(workspace.organisation, workspace.cohort)
    make_source(study, FOCUS_GROUP)
    client = client_as(workspace.users["viewer"])

    response = client.get(url("exchange_export", study=study))

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.qdpx"')
    assert response.content[:2] == b"PK"
