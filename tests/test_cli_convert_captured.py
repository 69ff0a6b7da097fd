"""``imheval convert -i`` and ``imheval analyse --from ... -i``: data captured in each system
with an imheval instrument whose ids and codes that system had to rename (see
tests/interop/convert_captured_build.py), read back with the instrument file: every answer
exactly, and the analysis runs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from tests.interop.convert_captured_build import (
    expected_rows,
    fhir_bundle,
    forms_downloads,
    limesurvey_responses,
    odd_instrument,
    redcap_records,
)
from typer.testing import CliRunner

from imheval.cli import app
from imheval.instruments.writer import instrument_to_yaml
from imheval.interop.model import SourceFile, System

runner = CliRunner()


def exports(system: System) -> tuple[list[SourceFile], list[str]]:
    """The system's export files of the captured data, and the options to read them."""
    instrument = odd_instrument()
    if system is System.REDCAP:
        return [redcap_records(instrument)], []
    if system is System.LIMESURVEY:
        return [limesurvey_responses(instrument)], []
    if system is System.FHIR:
        return [fhir_bundle(instrument)], []
    return forms_downloads(instrument), [
        "--timepoint",
        "pre.xlsx=pre",
        "--timepoint",
        "post.xlsx=post",
    ]


@pytest.mark.parametrize("system", [System.REDCAP, System.LIMESURVEY, System.FHIR, System.MSFORMS])
def test_convert_with_the_instrument_file_gives_every_answer(
    system: System, tmp_path: Path
) -> None:
    instrument = odd_instrument()
    yaml_path = tmp_path / "odd.yaml"
    yaml_path.write_text(instrument_to_yaml(instrument), "utf-8")
    files, options = exports(system)
    paths = []
    for source in files:
        path = tmp_path / source.name
        path.write_bytes(source.data)
        paths.append(str(path))
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "convert",
            *paths,
            "--from",
            system.value,
            "-i",
            str(yaml_path),
            *options,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with (out / "responses.csv").open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle))
    columns = ["participant", "timepoint", *(q.id for q in instrument.questions)]
    assert [[row[c] for c in columns] for row in written] == expected_rows(instrument)
    assert (out / "instrument.yaml").read_text("utf-8") == instrument_to_yaml(instrument)

    evaluation = tmp_path / "evaluation.json"
    result = runner.invoke(
        app,
        [
            "analyse",
            *paths,
            "--from",
            system.value,
            "-i",
            str(yaml_path),
            *options,
            "--json",
            str(evaluation),
        ],
    )
    assert result.exit_code == 0, result.output
    analysed = json.loads(evaluation.read_text("utf-8"))
    assert analysed["instruments"] == [{"id": "IMH-Odd.v2", "version": "1.2.0"}]
    assert analysed["participation"]["responses"] == 3
    assert analysed["participation"]["matched_pre_post"] == 1
