"""The paper import does not take a retrospective item's 'thinking back' answers
(``<item>@then``) yet: a file with them is refused naming the column, never imported with them
silently left out (docs/data-format.md)."""

from __future__ import annotations

from typing import Any

import pytest
from test_paper_entry import client_for
from test_paper_import import upload

from imheval.web.capture.models import Submission
from imheval.web.paper.models import ImportBatch

pytestmark = pytest.mark.django_db

WITH_THEN = """participant,cohort,timepoint,profession,directorate,K1,K2,R1,S1,S1@then
MA07BE,SOL-1,post,Midwife,Maternity,B,c,Yes,5,2
"""


def test_then_answers_are_refused_by_the_paper_import(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])
    response = upload(client, workspace, "sol-1.csv", WITH_THEN)
    page = response.content.decode()
    assert response.status_code == 200
    assert "S1@then" in page and "thinking back to before the training" in page
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()
