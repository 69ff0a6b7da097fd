"""Resolving double entry: besides either keying, "neither: leave blank" when the paper shows
neither value (offered only where both keyings typed something, and never for the code)."""

from __future__ import annotations

from typing import Any

import pytest
from test_paper_entry import client_for, double_entry_on, enter_url, form_data, url

from imheval.web.capture.models import Submission
from imheval.web.paper.models import PaperForm

pytestmark = pytest.mark.django_db


def discrepant_form(workspace: Any) -> tuple[Any, PaperForm]:
    double_entry_on(workspace)
    client = client_for(workspace.users["trainer"])
    client.post(enter_url(workspace), form_data(3, K1="b", K2="c", S1="3"))
    client.post(enter_url(workspace), form_data(3, profession="3", K1="d", K2="c"))
    paper = PaperForm.objects.get()
    assert paper.status == "discrepant"
    return client, paper


def test_neither_is_offered_only_where_both_keyings_typed_a_value(workspace: Any) -> None:
    client, paper = discrepant_form(workspace)
    page = client.get(url("resolve", workspace, form=paper.pk)).content.decode()
    # K1 (b or d) and the profession can be left blank; S1 (3 or blank) already has a blank side
    assert 'id="id_pick_K1-3" name="pick_K1" type="radio" value="neither"' in page
    assert 'name="pick_profession" type="radio" value="neither"' in page
    assert 'name="pick_S1" type="radio" value="neither"' not in page
    assert page.count("Neither: leave blank") == 2


def test_neither_leaves_the_answer_and_the_profession_blank(workspace: Any) -> None:
    client, paper = discrepant_form(workspace)
    resolve = url("resolve", workspace, form=paper.pk)

    client.post(resolve, {"pick_profession": "neither", "pick_K1": "neither", "pick_S1": "first"})

    paper.refresh_from_db()
    assert paper.status == "resolved"
    assert paper.submission is not None
    assert paper.submission.answers == {"K2": "c", "S1": "3"}
    assert paper.submission.profession == ""
    assert Submission.objects.count() == 1


def test_neither_is_refused_where_it_is_not_offered(workspace: Any) -> None:
    client, paper = discrepant_form(workspace)
    resolve = url("resolve", workspace, form=paper.pk)

    page = client.post(
        resolve, {"pick_profession": "first", "pick_K1": "first", "pick_S1": "neither"}
    ).content.decode()

    assert "There is a problem" in page
    assert not Submission.objects.exists()
    paper.refresh_from_db()
    assert paper.status == "discrepant"
