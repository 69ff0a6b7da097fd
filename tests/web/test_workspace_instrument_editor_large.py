"""A long questionnaire saves from the browser editor: its form posts more fields than Django's
default limit of 1,000, so the site allows as many as the editor can show."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from django.conf import settings
from test_workspace_instrument_editor import _form as editor_form
from test_workspace_instrument_editor import _saved, _url

pytestmark = pytest.mark.django_db


def test_a_copy_of_the_core_questionnaire_with_60_more_questions_saves(workspace: Any) -> None:
    form = editor_form(id="imh-core-long", title="IMH core (long)", version="1", action="save")
    first = {
        key.removeprefix("item-0-"): value
        for key, value in form.items()
        if key.startswith("item-0-")
    }
    count = int(form["item-count"])
    for index in range(count, count + 60):
        for name, value in first.items():
            form[f"item-{index}-{name}"] = value
        form[f"item-{index}-id"] = f"X{index}"
    form["item-count"] = str(count + 60)
    assert len(form) > 1_000  # Django's default DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert len(form) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS

    response = client_as(workspace.users["evaluator"]).post(
        _url("instrument_copy", instrument_id="imh-core"), form
    )

    assert response.status_code == 302
    instrument = _saved("imh-core-long").instrument()
    assert len(instrument.items) == count + 60
    assert instrument.items[-1].id == f"X{count + 59}"
