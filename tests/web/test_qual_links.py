"""The coding page and the open-text answers page are reached from the study hub and the
source page: "Code this transcript" for those who may code, "Read the codings" for others; the
answers page for a cohort's or programme's study (a network group's has no questionnaires)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import client_as
from qual_data import FOCUS_GROUP, add_member, make_source, make_study, url

pytestmark = pytest.mark.django_db


def _coding_link(source: Any, words: str) -> str:
    return f'<a href="{url("coding", study=source.study, source=source)}">{words}'


@pytest.mark.parametrize(
    ("role", "words"),
    [
        ("evaluator", "Code this transcript"),
        ("admin", "Code this transcript"),
        ("analyst", "Code this transcript"),
        ("viewer", "Read the codings"),
        ("reviewer", "Read the codings"),
        ("trainer", "Read the codings"),
    ],
)
def test_the_hub_and_the_source_page_link_each_source_to_its_coding_page(
    workspace: Any, role: str, words: str
) -> None:
    study = make_study(workspace.organisation, workspace.cohort)
    first = make_source(study, FOCUS_GROUP, name="Focus group 1")
    second = make_source(study, FOCUS_GROUP, name="Focus group 2")
    user = workspace.users.get(role) or add_member(workspace.organisation, role)
    client = client_as(user)

    hub = client.get(url("study", study=study)).content.decode()
    page = client.get(url("source", study=study, source=second)).content.decode()

    for source in (first, second):
        assert _coding_link(source, words) in hub
        assert f'<span class="nhsuk-u-visually-hidden"> of {source.name}</span>' in hub
    assert _coding_link(second, words) in page
    assert client.get(url("coding", study=study, source=second)).status_code == 200


@pytest.mark.parametrize("scope", ["cohort", "programme"])
def test_the_hub_links_a_cohorts_or_programmes_study_to_its_open_text_answers(
    workspace: Any, scope: str
) -> None:
    study = make_study(workspace.organisation, getattr(workspace, scope))

    hub = client_as(workspace.users["viewer"]).get(url("study", study=study)).content.decode()

    assert f'<a href="{url("answers", study=study)}">Open-text answers' in hub


def test_a_network_groups_study_has_no_link_to_open_text_answers(workspace: Any) -> None:
    from imheval.web.network.models import NetworkGroup

    group = NetworkGroup.objects.create(
        organisation=workspace.organisation,
        name="North IMH",
        year_start=datetime.date(2026, 9, 1),
    )
    study = make_study(workspace.organisation, group)

    hub = client_as(workspace.users["evaluator"]).get(url("study", study=study)).content.decode()

    assert url("answers", study=study) not in hub
    assert "Open-text answers" not in hub
