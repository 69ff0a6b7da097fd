"""The coders' comparison: closed until opened, then agreement figures per code and source and
pooled (checked against the research notes' vectors, cross-checked with R's irr and
statsmodels), disagreements side by side, the unit switch, and the reflexive caution."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from qual_data import add_member, make_code, make_coder, make_coding, make_source, make_study, url

pytestmark = pytest.mark.django_db

#: 1,000 characters: the research notes' golden vectors use N = 1000.
TEXT = "x" * 1000


def _two_coders(workspace: Any, approach: str = "codebook", opened: bool = True) -> dict[str, Any]:
    from django.utils import timezone

    study = make_study(
        workspace.organisation,
        workspace.cohort,
        approach=approach,
        comparison_opened_at=timezone.now() if opened else None,
    )
    source = make_source(study, TEXT, name="Group 1")
    confidence = make_code(study, "Confidence")
    split = make_code(study, "Split but same")
    a, b = make_coder(study, "Coder A"), make_coder(study, "Coder B")
    make_coding(source, confidence, a, start=0, end=100)
    make_coding(source, confidence, b, start=50, end=150)
    # the same text, one coder in two overlapping segments: perfect agreement
    make_coding(source, split, a, start=0, end=100)
    make_coding(source, split, a, start=50, end=150)
    make_coding(source, split, b, start=0, end=150)
    return {"study": study, "source": source, "confidence": confidence, "split": split}


def _row(page: str, code: Any) -> str:
    row = page[page.index(f'<tr id="code-{code.pk}">') :]
    return row[: row.index("</tr>")]


def test_the_open_comparison_gives_the_golden_figures(workspace: Any) -> None:
    data = _two_coders(workspace)
    page = client_as(workspace.users["viewer"]).get(url("comparison", study=data["study"]))
    assert page.status_code == 200
    html = page.content.decode()
    # 90% agreement, kappa 0.4444, alpha 0.4447 (research notes, statsmodels cohens_kappa)
    confidence = _row(html, data["confidence"])
    cells = [c.split(">")[-1] for c in confidence.split("</td>")[:-1]]
    assert cells == ["All sources", "1,000", "90.0%", "0.444", "0.445", ""]
    split = _row(html, data["split"])
    assert [c.split(">")[-1] for c in split.split("</td>")[:-1]] == [
        "All sources",
        "1,000",
        "100.0%",
        "1.000",
        "1.000",
        "",
    ]
    assert "Coders compared: Coder A, Coder B." in html
    assert "braun-clarke" not in html


def test_disagreements_are_listed_side_by_side(workspace: Any) -> None:
    data = _two_coders(workspace)
    client = client_as(workspace.users["viewer"])
    html = client.get(
        url("comparison", study=data["study"]) + f"?code={data['confidence'].pk}"
    ).content.decode()
    assert "Where the coders differ on Confidence" in html
    assert f"<tr><td>{'x' * 50}</td><td>Coder A</td><td>Coder B</td></tr>" in html
    assert f"<tr><td>{'x' * 50}</td><td>Coder B</td><td>Coder A</td></tr>" in html
    same = client.get(
        url("comparison", study=data["study"]) + f"?code={data['split'].pk}"
    ).content.decode()
    assert "The coders agree throughout this source." in same


def test_the_turn_unit_counts_turns(workspace: Any) -> None:
    from django.utils import timezone

    text = "PX1: one two\nPX2: three four\nPX3: five six\nPX1: seven\n"
    study = make_study(
        workspace.organisation, workspace.cohort, comparison_opened_at=timezone.now()
    )
    source = make_source(study, text)
    code = make_code(study, "Numbers")
    a, b = make_coder(study, "Coder A"), make_coder(study, "Coder B")
    make_coding(source, code, a, text="one two")
    make_coding(source, code, b, text="two")
    make_coding(source, code, b, text="five")
    html = (
        client_as(workspace.users["viewer"])
        .get(url("comparison", study=study) + "?unit=turn")
        .content.decode()
    )
    cells = [c.split(">")[-1] for c in _row(html, code).split("</td>")[:-1]]
    # 4 turns; A coded turn 1, B turns 1 and 3: agreement 3/4; kappa (0.75-0.5)/(1-0.5) = 0.5
    assert cells[:4] == ["All sources", "4", "75.0%", "0.500"]
    assert "Every speaker turn is a unit" in html


def test_an_undefined_figure_is_explained(workspace: Any) -> None:
    from django.utils import timezone

    study = make_study(
        workspace.organisation, workspace.cohort, comparison_opened_at=timezone.now()
    )
    source = make_source(study, TEXT, name="Group 1")
    used = make_code(study, "Used")
    unused = make_code(study, "Nobody used", parent=used)  # codable: a sub-theme
    a, b = make_coder(study, "Coder A"), make_coder(study, "Coder B")
    make_coding(source, used, a, start=0, end=10)
    make_coding(source, used, b, start=0, end=10)
    html = client_as(workspace.users["viewer"]).get(url("comparison", study=study)).content.decode()
    row = _row(html, unused)
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells[2:5] == ["100.0%", "not defined", "not defined"]
    assert cells[5]  # a plain-English reason


def test_the_comparison_stays_closed_until_an_analyst_opens_it(workspace: Any) -> None:
    data = _two_coders(workspace, opened=False)
    study = data["study"]
    viewer = client_as(workspace.users["viewer"])
    closed = viewer.get(url("comparison", study=study)).content.decode()
    assert "The comparison is closed" in closed
    assert "x" * 50 not in closed and 'id="agreement"' not in closed
    assert '<tr><td>Coder A</td><td class="nhsuk-table__cell--numeric">3</td></tr>' in closed
    assert viewer.post(url("comparison_open", study=study)).status_code == 403
    reviewer = client_as(add_member(workspace.organisation, "reviewer"))
    assert reviewer.post(url("comparison_open", study=study)).status_code == 403
    analyst = client_as(add_member(workspace.organisation, "analyst"))
    assert analyst.post(url("comparison_open", study=study)).status_code == 302
    study.refresh_from_db()
    assert study.comparison_opened_at is not None
    assert 'id="agreement"' in viewer.get(url("comparison", study=study)).content.decode()


def test_a_reflexive_study_is_warned_and_one_coder_is_not_enough(workspace: Any) -> None:
    from django.utils import timezone

    study = make_study(
        workspace.organisation,
        workspace.cohort,
        approach="reflexive",
        comparison_opened_at=timezone.now(),
    )
    source = make_source(study, TEXT)
    make_coding(source, make_code(study, "Alone"), make_coder(study, "Coder A"), start=0, end=5)
    html = client_as(workspace.users["viewer"]).get(url("comparison", study=study)).content.decode()
    assert "Braun and Clarke advise against agreement statistics" in html
    assert "Agreement cannot be worked out yet:" in html


def test_an_outsider_cannot_reach_the_comparison(workspace: Any) -> None:
    data = _two_coders(workspace)
    outsider = client_as(workspace.outsider)
    assert outsider.get(url("comparison", study=data["study"])).status_code == 404
    assert outsider.post(url("comparison_open", study=data["study"])).status_code == 404


@pytest.mark.parametrize("value", ["²", "9" * 30, "9" * 5000, "-1", "\x00", " 1 ", "x" * 10_000])
def test_odd_query_values_are_harmless(workspace: Any, value: str) -> None:
    data = _two_coders(workspace)
    client = client_as(workspace.users["viewer"])
    for name, query in (
        ("comparison", {"unit": value, "code": value}),
        ("exchange_export", {"format": value}),
        ("outputs_export", {"file": value, "format": value}),
    ):
        response = client.get(url(name, study=data["study"]), query)
        assert response.status_code in {200, 404}, (name, value)
