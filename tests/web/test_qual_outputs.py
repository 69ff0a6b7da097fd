"""Outputs of a study: Table 3 on the page and as CSV, Excel and Word, quotes by sub-theme,
the code-by-speaker matrix (CSV, Excel, SPSS), the joint display (link, reorder, remove), and
the focus-group section in the evaluation report and the network group report."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import client_as
from qual_data import (
    FOCUS_GROUP,
    add_member,
    make_codebook,
    make_coder,
    make_coding,
    make_source,
    make_study,
    url,
)
from test_results_pages import matched_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded(workspace: Any) -> dict[str, Any]:
    study = make_study(workspace.organisation, workspace.cohort)
    source = make_source(study, FOCUS_GROUP)
    codes = make_codebook(study)
    coder = make_coder(study, "Analyst A")
    light = make_coding(
        source, codes["light bulb"], coder, text="A light bulb moment", exemplar=True
    )
    make_coding(source, codes["readings"], coder, text="the readings made sense too")
    never = make_coding(source, codes["never time"], coder, text="We never get time to think.")
    return {"study": study, "codes": codes, "light": light, "never": never}


def _download(client: Any, study: Any, query: str) -> Any:
    return client.get(url("outputs_export", study=study) + query)


def test_table_3_on_the_page_counts_sources_and_speakers(
    workspace: Any, coded: dict[str, Any]
) -> None:
    page = client_as(workspace.users["viewer"]).get(url("outputs", study=coded["study"]))
    assert page.status_code == 200
    html = page.content.decode()
    table = html[html.index('id="table3"') : html.index("</table>", html.index('id="table3"'))]
    rows = [
        [cell.split(">")[-1] for cell in row.replace("</th>", "</td>").split("</td>")[:-1]]
        for row in table.split("<tr>")[2:]
    ]
    assert rows == [
        ["Theme 1: Space to reflect", "Time away from the ward to think.", "1", "2", "3"],
        ["1.1 Making sense", "–", "1", "1", "2"],
        ["1.2 Time to think", "–", "1", "1", "1"],
    ]
    # quotes by sub-theme: the exemplar first, attributed by speaker label
    quotes = html[html.index('id="quotes"') :]
    assert quotes.index("A light bulb moment") < quotes.index("the readings made sense too")
    assert "<q>A light bulb moment</q> (PX1)" in quotes


def test_table_3_downloads_as_csv_excel_and_word(workspace: Any, coded: dict[str, Any]) -> None:
    from docx import Document
    from openpyxl import load_workbook

    client = client_as(workspace.users["viewer"])
    study = coded["study"]
    csv = _download(client, study, "?file=table3&format=csv")
    assert csv["Content-Disposition"] == (
        'attachment; filename="focus-groups-after-training-table-3.csv"'
    )
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[1:] == [
        "theme,Space to reflect,Time away from the ward to think.,1,2,3",
        "subtheme,Space to reflect > Making sense,,1,1,2",
        "subtheme,Space to reflect > Time to think,,1,1,1",
    ]
    sheet = load_workbook(
        io.BytesIO(_download(client, study, "?file=table3&format=xlsx").content)
    ).active
    assert [c.value for c in sheet[2]] == [
        "theme",
        "Space to reflect",
        "Time away from the ward to think.",
        1,
        2,
        3,
    ]
    word = Document(io.BytesIO(_download(client, study, "?file=table3&format=docx").content))
    cells = [[c.text for c in row.cells] for table in word.tables for row in table.rows]
    assert [
        "Theme 1: Space to reflect",
        "Time away from the ward to think.",
        "1",
        "2",
        "3",
    ] in cells
    assert _download(client, study, "?file=table3&format=pdf").status_code == 404


def test_the_matrix_downloads_as_csv_excel_and_spss(workspace: Any, coded: dict[str, Any]) -> None:
    import pyreadstat

    client = client_as(workspace.users["viewer"])
    csv = _download(client, coded["study"], "?file=matrix&format=csv").content.decode("utf-8-sig")
    assert csv.splitlines() == [
        "speaker,Space to reflect > Making sense,Space to reflect > Making sense > Light bulb "
        "moment,Space to reflect > Making sense > Readings helped,Space to reflect > Time to "
        "think,Space to reflect > Time to think > Never time",
        "PX1,1,1,1,0,0",
        "PX2,0,0,0,1,1",
        "PX3,0,0,0,0,0",
    ]
    sav = _download(client, coded["study"], "?file=matrix&format=sav").content
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.sav"
        path.write_bytes(sav)
        frame, _meta = pyreadstat.read_sav(str(path))
    assert list(frame["speaker"]) == ["PX1", "PX2", "PX3"]
    assert _download(client, coded["study"], "?file=matrix&format=xlsx").status_code == 200


def test_the_joint_display_links_reorders_and_removes_quotes(
    workspace: Any, coded: dict[str, Any]
) -> None:
    from imheval.web.qualitative.models import FindingLink

    matched_people(workspace, 12)
    study = coded["study"]
    analyst = client_as(add_member(workspace.organisation, "analyst"))
    page = analyst.get(url("joint", study=study)).content.decode()
    key = page.split(
        '<select class="nhsuk-select" id="link-finding" name="finding"><option value="'
    )[1].split('"')[0]
    assert key.startswith("knowledge/")
    for coding in (coded["light"], coded["never"]):
        response = analyst.post(
            url("joint", study=study), {"action": "add", "finding": key, "coding": coding.pk}
        )
        assert response.status_code == 302
    links = list(FindingLink.objects.filter(study=study))
    assert [(link.coding, link.position) for link in links] == [
        (coded["light"], 1),
        (coded["never"], 2),
    ]
    analyst.post(url("joint", study=study), {"action": "up", "link": links[1].pk})
    assert [link.coding for link in FindingLink.objects.filter(study=study)] == [
        coded["never"],
        coded["light"],
    ]
    html = analyst.get(url("joint", study=study)).content.decode()
    assert html.index("We never get time to think.") < html.index("A light bulb moment")
    # the section shows the quotes beside the finding, in that order
    section = _download(analyst, study, "?file=section&format=html").content.decode()
    section = section[section.index("findings and what people said") :]
    assert section.index("We never get time to think.") < section.index("A light bulb moment")
    analyst.post(url("joint", study=study), {"action": "remove", "link": links[0].pk})
    assert [link.coding for link in FindingLink.objects.filter(study=study)] == [coded["never"]]
    viewer = client_as(workspace.users["viewer"])
    assert (
        viewer.post(
            url("joint", study=study), {"action": "remove", "link": links[1].pk}
        ).status_code
        == 403
    )
    assert (
        "Set a quote beside a finding" not in viewer.get(url("joint", study=study)).content.decode()
    )


def test_a_network_group_study_has_no_findings_to_link(workspace: Any) -> None:
    import datetime

    from imheval.web.network.models import NetworkGroup

    group = NetworkGroup.objects.create(
        organisation=workspace.organisation, name="Perinatal", year_start=datetime.date(2026, 9, 1)
    )
    study = make_study(workspace.organisation, group)
    html = client_as(workspace.users["viewer"]).get(url("joint", study=study)).content.decode()
    assert "A network group has no questionnaire results to set quotes beside." in html


def test_the_evaluation_report_and_the_group_report_include_the_study(
    workspace: Any, coded: dict[str, Any]
) -> None:
    import datetime

    from imheval.web.network.models import NetworkGroup
    from imheval.web.network.outputs import build_group_report
    from imheval.web.results.analysis import Scope
    from imheval.web.results.tasks import report_file

    matched_people(workspace, 12)
    html = report_file(Scope.of(workspace.organisation, workspace.cohort), "html").decode()
    assert "Focus group: Focus groups after training" in html
    assert "Space to reflect" in html
    group = NetworkGroup.objects.create(
        organisation=workspace.organisation, name="Perinatal", year_start=datetime.date(2026, 9, 1)
    )
    group_study = make_study(workspace.organisation, group, name="Group voices")
    make_codebook(group_study)
    report = build_group_report(group, datetime.date(2026, 12, 1))
    assert "Focus group: Group voices" in [section.title for section in report.sections]


def test_outsiders_get_nothing(workspace: Any, coded: dict[str, Any]) -> None:
    outsider = client_as(workspace.outsider)
    study = coded["study"]
    for name in ("outputs", "joint"):
        assert outsider.get(url(name, study=study)).status_code == 404
    assert _download(outsider, study, "?file=table3&format=csv").status_code == 404
