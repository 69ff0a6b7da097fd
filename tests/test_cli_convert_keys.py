"""``imheval convert --key`` and ``imheval analyse --from ... --key`` on a questionnaire that
scores nothing, in every system (tests/interop/convert_unscored_cases.py): the converted files
score each person as the files say, analyse counts the same points, and without keys the
command lists the questions, says how to key them and exits 1 without a traceback."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from tests.interop.convert_unscored_cases import Case, cases
from typer.testing import CliRunner

from imheval.cli import app
from imheval.instruments import load_instrument
from imheval.interop.model import System
from imheval.io.reader import read_responses
from imheval.scoring import score_items

runner = CliRunner()
SYSTEMS = [System.REDCAP, System.LIMESURVEY, System.FHIR, System.MSFORMS]


@pytest.fixture(scope="module")
def all_cases(tmp_path_factory: pytest.TempPathFactory) -> dict[System, Case]:
    return cases(tmp_path_factory.mktemp("unscored_cli"))


def reading(case: Case) -> list[str]:
    """The command line's words for reading the case's files (not the keys)."""
    words = [*(str(path) for path in case.exports), "--from", case.system.value]
    if case.structure is not None:
        words += ["--structure", str(case.structure)]
    return [*words, *case.arguments]


@pytest.mark.parametrize("system", SYSTEMS)
def test_convert_with_a_key_for_every_question_writes_files_that_score_right(
    system: System, all_cases: dict[System, Case], tmp_path: Path
) -> None:
    case = all_cases[system]
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["convert", *reading(case), *case.key_arguments(), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Without an answer key" not in result.output  # every question keyed
    instrument = load_instrument(out / "instrument.yaml")
    assert tuple(q.id for q in instrument.questions) == case.item_ids
    assert tuple((d.id, d.label) for d in instrument.domains) == case.domains
    table = read_responses(out / "responses.csv", item_columns=[q.id for q in instrument.items])
    scored = score_items(table, [instrument]).frame
    found = {
        row["participant"]: {
            domain.id: None if math.isnan(row[domain.id]) else float(row[domain.id])
            for domain in instrument.domains
        }
        for _, row in scored.iterrows()
    }
    # imheval's reader upper-cases codes
    assert found == {code.upper(): dict(domains) for code, domains in case.totals.items()}


@pytest.mark.parametrize("system", SYSTEMS)
def test_analyse_from_with_keys_counts_the_same_points(
    system: System, all_cases: dict[System, Case], tmp_path: Path
) -> None:
    case = all_cases[system]
    out = tmp_path / "evaluation.json"
    result = runner.invoke(
        app, ["analyse", *reading(case), *case.key_arguments(), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    evaluation = json.loads(out.read_text("utf-8"))
    assert [domain["id"] for domain in evaluation["domains"]] == [d for d, _ in case.domains]
    counted = {reason["domain"]: reason for reason in evaluation["zero_reasons"]}
    for domain, _ in case.domains:
        points = [totals[domain] for totals in case.totals.values()]
        # every item scores 1 point: the points scored are the correct answers counted
        assert counted[domain]["scored"] == sum(p for p in points if p is not None)
        measured = sum(1 for p in points if p is not None)
        n_items = next(d["n_items"] for d in evaluation["domains"] if d["id"] == domain)
        reasons = counted[domain]
        answers = reasons["scored"] + reasons["wrong"] + reasons["missing"] + reasons["invalid"]
        assert answers == measured * n_items
    assert evaluation["participation"]["responses"] == len(case.totals)


@pytest.mark.parametrize("command", ["convert", "analyse"])
@pytest.mark.parametrize("system", SYSTEMS)
def test_without_keys_the_command_lists_the_questions_and_exits_1(
    system: System, command: str, all_cases: dict[System, Case], tmp_path: Path
) -> None:
    case = all_cases[system]
    words = [command, *reading(case)]
    if command == "convert":
        words += ["--out", str(tmp_path / "out")]
    result = runner.invoke(app, words)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    text = " ".join(result.output.split())
    for question in case.questions:
        assert question in text
    assert "--key" in text
    assert not (tmp_path / "out").exists()


def test_a_wrong_key_is_named_and_nothing_is_written(
    all_cases: dict[System, Case], tmp_path: Path
) -> None:
    case = all_cases[System.REDCAP]
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["convert", *reading(case), "--key", "check_one___9=1", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "'check_one___9' is not one of the questions without a key; they are: " in " ".join(
        result.output.split()
    )
    assert "Traceback" not in result.output
    assert not out.exists()


def test_the_questionnaire_alone_is_converted_with_its_keys(
    all_cases: dict[System, Case], tmp_path: Path
) -> None:
    case = all_cases[System.FHIR]
    assert case.structure is not None
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "convert", "--from", "fhir", "--structure", str(case.structure),
            "--key", "k.1=a", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    instrument = load_instrument(out / "instrument.yaml")
    assert [q.id for q in instrument.questions] == ["k.1"]
    assert "Without an answer key, so left out: k.2, p1" in " ".join(result.output.split())
