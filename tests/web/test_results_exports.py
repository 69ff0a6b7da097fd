"""Response exports: CSV and XLSX read back by the CLI's reader give the page's evaluation; the
SPSS file carries item text, option labels, invalid answers as user-missing and the source."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyreadstat
import pytest
from conftest import Workspace
from django.urls import reverse
from test_results_adapter import _assert_same
from test_results_pages import CORE, answers, client_for, matched_people, respond

from imheval import evaluate_file
from imheval.web.results.analysis import Scope, analyse


def _study(workspace: Workspace) -> None:
    """Eight matched people, two seen only before, one only after; one paper form; an invalid
    answer, a blank one, and a profession that looks like a spreadsheet formula."""
    matched_people(workspace, 8)
    odd = answers(3)
    odd["K1"] = "z"  # not an option: scored as invalid
    del odd["K2"]  # blank
    respond(workspace.pre, "ONLY1PRE", odd, profession="=1+2", source="paper")
    respond(workspace.pre, "ONLY2PRE", answers(1, rating=1), directorate="Adult Services")
    respond(workspace.post, "ONLY3POST", answers(5, rating=5))


def _export(workspace: Workspace, kind: str, role: str = "trainer") -> bytes:
    url = reverse("results:cohort_export", args=["northern", workspace.cohort.pk])
    response = client_for(workspace.users[role]).get(url, {"format": kind})
    assert response.status_code == 200, response.content[:300]
    return bytes(response.content)


def _same_evaluation(exported: Path, workspace: Workspace) -> None:
    page = analyse(Scope.of(workspace.organisation, workspace.cohort)).evaluation
    assert page is not None
    from_file = evaluate_file(exported, [CORE])
    assert from_file.to_dict()["participation"]["responses"] == 19
    _assert_same(
        json.loads(json.dumps(from_file.to_dict())), json.loads(json.dumps(page.to_dict()))
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_read_back_by_the_cli_gives_the_pages_evaluation(
    workspace: Workspace, kind: str, tmp_path: Path
) -> None:
    _study(workspace)
    exported = tmp_path / f"northern-SOL-1-responses.{kind}"
    exported.write_bytes(_export(workspace, kind))
    _same_evaluation(exported, workspace)


def test_the_csv_has_the_tidy_columns_the_cli_reads(workspace: Workspace) -> None:
    _study(workspace)
    url = reverse("results:cohort_export", args=["northern", workspace.cohort.pk])
    response = client_for(workspace.users["evaluator"]).get(url, {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="northern-SOL-1-responses.csv"'
    )
    lines = response.content.decode("utf-8-sig").splitlines()
    items = [item.id for item in CORE.items]
    assert lines[0].split(",") == [
        "participant",
        "cohort",
        "programme",
        "timepoint",
        "directorate",
        "profession",
        *items,
    ]
    assert len(lines) == 20
    paper = next(line for line in lines if line.startswith("ONLY1PRE,"))
    assert paper.startswith("ONLY1PRE,SOL-1,Solihull Approach foundation,pre,")
    assert ",z,," in paper  # the invalid answer as given, the blank as empty


#: Values a spreadsheet would run as formulas, one per text column of the export.
_ATTACKS = {
    "participant": "@SUM(1)",
    "directorate": "+cmd|' /C calc'!A0",
    "profession": '=HYPERLINK("http://evil.example","x")',
}


def _attacked(workspace: Workspace) -> None:
    """A response whose code, directorate and profession start like formulas, a programme named
    like one, a tab- and a CR-led value, and a rating answered "-1" (a number, kept as one)."""
    workspace.programme.name = "-1+1"
    workspace.programme.save()
    given = answers(3)
    given["R1"] = "-1"
    respond(
        workspace.pre,
        _ATTACKS["participant"],
        given,
        profession=_ATTACKS["profession"],
        directorate=_ATTACKS["directorate"],
    )
    respond(workspace.post, "TAB01", answers(4), profession="\t=1+1", directorate="\r@x")


def test_csv_cells_that_start_like_formulas_get_an_apostrophe_and_numbers_stay_numbers(
    workspace: Workspace,
) -> None:
    import csv
    import io

    _attacked(workspace)
    rows = list(csv.reader(io.StringIO(_export(workspace, "csv").decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    for row in body:
        for column, cell in zip(header, row, strict=True):
            try:
                float(cell)
            except ValueError:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    attacked = next(dict(zip(header, row, strict=True)) for row in body if row[0] == "'@SUM(1)")
    assert {column: attacked[column] for column in _ATTACKS} == {
        column: "'" + value for column, value in _ATTACKS.items()
    }
    assert attacked["programme"] == "'-1+1"
    assert attacked["R1"] == "-1"
    tabbed = next(dict(zip(header, row, strict=True)) for row in body if row[0] == "TAB01")
    assert (tabbed["profession"], tabbed["directorate"]) == ("'\t=1+1", "'\r@x")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_formula_like_values_read_back_by_imhevals_reader_exactly_as_stored(
    workspace: Workspace, kind: str, tmp_path: Path
) -> None:
    from imheval.io import read_responses

    _attacked(workspace)
    path = tmp_path / f"responses.{kind}"
    path.write_bytes(_export(workspace, kind))
    frame = read_responses(path, item_columns=[item.id for item in CORE.items]).frame
    attacked = frame[frame["participant"] == _ATTACKS["participant"]].iloc[0]
    assert {column: attacked[column] for column in _ATTACKS} == _ATTACKS
    assert attacked["programme"] == "-1+1"
    assert attacked["R1"] == "-1"
    tabbed = frame[frame["participant"] == "TAB01"].iloc[0]
    # the reader trims surrounding whitespace from these columns, in any file
    assert (tabbed["profession"], tabbed["directorate"]) == ("=1+1", "@x")


def test_xlsx_cells_are_text_so_nothing_becomes_a_formula(
    workspace: Workspace, tmp_path: Path
) -> None:
    import openpyxl

    _study(workspace)
    path = tmp_path / "responses.xlsx"
    path.write_bytes(_export(workspace, "xlsx"))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    professions = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "=1+2" in professions
    cell = next(c for c in sheet["F"] if c.value == "=1+2")
    assert cell.data_type == "s"
    # and in the file itself: a shared or inline string, never a <f> formula element
    import zipfile

    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_spss_file_has_item_text_option_labels_and_the_source(
    workspace: Workspace, tmp_path: Path
) -> None:
    _study(workspace)
    url = reverse("results:cohort_export", args=["northern", workspace.cohort.pk])
    response = client_for(workspace.users["admin"]).get(url, {"format": "sav"})
    assert response["Content-Type"] == "application/x-spss-sav"
    assert response["Content-Disposition"] == (
        'attachment; filename="northern-SOL-1-responses.sav"'
    )
    path = tmp_path / "responses.sav"
    path.write_bytes(response.content)
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)

    assert list(frame.columns[:7]) == [
        "participant",
        "cohort",
        "programme",
        "timepoint",
        "directorate",
        "profession",
        "source",
    ]
    assert len(frame) == 19
    k1 = CORE.items[0]
    assert meta.column_names_to_labels["K1"] == k1.text
    options = list(k1.options)
    assert meta.variable_value_labels["K1"][1.0] == f"a) {k1.options['a']}"
    key_code = float(options.index(k1.key[0]) + 1)
    assert meta.variable_value_labels["K1"][key_code].endswith("[correct]")
    assert meta.variable_value_labels["K1"][999.0] == "Not one of the options (scored as invalid)"
    assert meta.missing_ranges["K1"] == [{"lo": 999.0, "hi": 999.0}]
    assert meta.variable_value_labels["S1"][1.0] == "Not at all true of me"
    assert meta.variable_measure["K1"] == "nominal" and meta.variable_measure["S1"] == "ordinal"

    paper = frame.loc[frame["participant"] == "ONLY1PRE"].iloc[0]
    assert paper["source"] == "paper"
    assert paper["profession"] == "=1+2"
    assert paper["K1"] == 999.0  # "z": invalid, user-missing
    assert np.isnan(paper["K2"])  # blank: system-missing
    assert paper["K3"] == float(options.index(CORE.items[2].key[0]) + 1)
    assert paper["S1"] == 3.0
    assert set(frame["source"]) == {"web", "paper"}
    first = frame.loc[(frame["participant"] == "P00XY") & (frame["timepoint"] == "post")].iloc[0]
    assert first["S1"] == 4.0


def test_viewers_get_no_row_level_export_at_any_scope(workspace: Workspace) -> None:
    _study(workspace)
    client = client_for(workspace.users["viewer"])
    for url in (
        reverse("results:cohort_export", args=["northern", workspace.cohort.pk]),
        reverse("results:programme_export", args=["northern", workspace.programme.pk]),
        reverse("results:organisation_export", args=["northern"]),
    ):
        for kind in ("csv", "xlsx", "sav"):
            response = client.get(url, {"format": kind})
            assert response.status_code == 403, url
            assert b"ONLY1PRE" not in response.content


def test_organisation_export_names_the_file_after_the_organisation(
    workspace: Workspace,
) -> None:
    _study(workspace)
    response = client_for(workspace.users["trainer"]).get(
        reverse("results:organisation_export", args=["northern"]), {"format": "xlsx"}
    )
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="northern-responses.xlsx"'
