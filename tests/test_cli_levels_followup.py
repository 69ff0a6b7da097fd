"""`imheval analyse` in the terminal says which levels were measured and who answered at
follow-up (issue 18), as the report and the JSON do."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from imheval.cli import app

runner = CliRunner()


def _study(tmp_path: Path) -> Path:
    """12 people before and after, the first 6 also at follow-up (no group under 5)."""
    rows = ["participant,cohort,timepoint,knowledge"]
    for i in range(12):
        pre = 2 + i % 4
        rows += [f"P{i},C1,pre,{pre}", f"P{i},C1,post,{pre + 2 + i % 3}"]
        if i < 6:
            rows.append(f"P{i},C1,followup,{pre + 1 + i % 2}")
    path = tmp_path / "study.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_terminal_names_levels_and_the_followup_wave(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyse", str(_study(tmp_path))], terminal_width=200)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    levels = next(line for line in lines if line.startswith("Levels: "))
    assert "Measured: level 2 learning." in levels
    assert "Not measured: level 1 reaction" in levels
    assert "Who answered at follow-up" in result.output
    assert "6 people who answered at follow-up" in result.output
    # equal gains (+3.00 each): neither "more" nor "less"
    assert "had gained about as much as the 6 who did not" in " ".join(result.output.split())
    assert "gained less" not in result.output and "gained more" not in result.output
