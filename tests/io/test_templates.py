"""Template files: the instruments' columns in tidy layout and one sample row, which the
reader reads back as one valid response."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from imheval.cli import app
from imheval.instruments import resolve_instrument
from imheval.io import read_responses
from imheval.io.templates import SAMPLE_CODE, response_template, template_bytes
from imheval.scoring import ItemOutcome, MissingPolicy, score_items

CORE = resolve_instrument("imh-core@1.0.0")
ADVANCED = resolve_instrument("imh-advanced-knowledge@1.0.0")


def test_the_template_has_the_reserved_columns_then_every_item() -> None:
    table = response_template([CORE, ADVANCED], timepoint="post", cohort="SOL-1")
    expected_items = [i.id for i in CORE.items] + [
        i.id for i in ADVANCED.items if i.id not in {c.id for c in CORE.items}
    ]
    assert table.item_columns == tuple(expected_items)
    row = table.frame.iloc[0]
    assert (row["participant"], row["cohort"], row["timepoint"]) == (SAMPLE_CODE, "SOL-1", "post")
    assert (row["K1"], row["R1"], row["S1"]) == ("a", "yes", "3")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_template_file_reads_back_as_one_valid_response(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"template.{kind}"
    path.write_bytes(template_bytes([CORE], kind, timepoint="pre"))  # type: ignore[arg-type]

    table = read_responses(path, item_columns=[i.id for i in CORE.items])

    assert table.warnings == ()  # every column known, none missing
    assert table.n_rows == 1
    assert table.frame.loc[0, "participant"] == SAMPLE_CODE
    scored = score_items(table, [CORE], MissingPolicy.SEED)
    assert scored.item_outcomes is not None
    outcomes = set(scored.item_outcomes.iloc[0].tolist())
    assert outcomes <= {ItemOutcome.SCORED, ItemOutcome.WRONG}  # every answer valid


def test_a_template_needs_an_instrument_and_a_known_timepoint() -> None:
    with pytest.raises(ValueError, match="at least one instrument"):
        response_template([])
    with pytest.raises(ValueError, match="timepoint must be one of pre, post, followup"):
        response_template([CORE], timepoint="during")
    with pytest.raises(ValueError, match="csv or xlsx"):
        template_bytes([CORE], "ods")  # type: ignore[arg-type]


def test_the_template_command_writes_csv_and_xlsx(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "responses.csv"
    result = runner.invoke(app, ["template", "--instrument", "imh-core@1.0.0", str(target)])
    assert result.exit_code == 0, result.output
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("participant,cohort,programme,timepoint,directorate,profession,K1")
    assert lines[1].startswith(f"{SAMPLE_CODE},Cohort 1,,pre,,,a")
    assert len(lines) == 2
    book = tmp_path / "post.xlsx"
    result = runner.invoke(
        app, ["template", "-i", "imh-core@1.0.0", "--timepoint", "post", str(book)]
    )
    assert result.exit_code == 0, result.output
    table = read_responses(book, item_columns=[i.id for i in CORE.items])
    assert table.frame["timepoint"].tolist() == ["post"]


def test_the_template_command_refuses_other_formats_and_timepoints(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["template", "-i", "imh-core", str(tmp_path / "t.ods")])
    assert result.exit_code == 1
    assert "t.ods: a template is a .csv or .xlsx file" in result.output
    result = runner.invoke(
        app, ["template", "-i", "imh-core", "--timepoint", "mid", str(tmp_path / "t.csv")]
    )
    assert result.exit_code == 1
    assert "--timepoint 'mid': use one of pre, post, followup" in result.output
    assert not (tmp_path / "t.csv").exists()
