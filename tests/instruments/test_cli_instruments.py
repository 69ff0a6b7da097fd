"""``imheval instruments list | show | validate``, invoked on the sub-app directly."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from imheval.cli.instruments import app

runner = CliRunner()

VALID = """\
format: imheval-instrument/1
id: trainer-form
version: 2.1.0
title: Trainer's own form
levels: [beginner]
domains:
  - id: knowledge
    label: Knowledge
  - id: confidence
    label: Confidence
scales:
  agree: {min: 1, max: 4, labels: {1: Disagree, 4: Agree}}
items:
  - id: Q1
    domain: knowledge
    text: Which is true?
    options: {yes: "Yes", no: "No"}
    key: no
  - id: Q2
    domain: confidence
    scale: agree
    reverse: true
    text: I feel out of my depth.
  - id: Q3
    domain: confidence
    scale: agree
    text: I feel confident.
"""


@pytest.fixture
def valid_file(tmp_path: Path) -> Path:
    path = tmp_path / "trainer-form.yaml"
    path.write_text(VALID, encoding="utf-8")
    return path


def test_list_shows_each_builtin_with_version_levels_and_item_counts():
    result = runner.invoke(app, ["list"])

    assert result.exit_code == 0
    assert "imh-core" in result.stdout
    assert "imh-advanced-knowledge" in result.stdout
    assert "2.0.0" in result.stdout and "1.1.0" in result.stdout  # the current versions
    # with parallel forms, the questions one person answers (a form), and all the items there are
    wide = runner.invoke(app, ["list"], env={"COLUMNS": "200"}).stdout
    for expected in [
        "knowledge (13 a form)",
        "risk_identification (15 a form)",
        "self_efficacy (10 a form)",  # common to both forms
        "total: 38 items a form (2 forms, 66 in all)",
        "total: 9 items a form (2 forms, 18 in all)",
        "total: 6 items",
    ]:
        assert expected in wide
    for level in ["beginner", "intermediate", "advanced"]:
        assert level in result.stdout


def test_show_builtin_lists_every_item_and_marks_each_key_once():
    result = runner.invoke(app, ["show", "imh-core@1.0.0"])

    assert result.exit_code == 0
    assert "imh-core 1.0.0: " in result.stdout
    for item_id in ["K1", "K6", "R1", "R8", "S1", "S6"]:
        assert f"\n{item_id}  concept:" in result.stdout
    # 14 keyed items (K1-K6, R1-R8), each with exactly one key
    assert result.stdout.count("(key)") == 14
    # S5 is the only reverse-keyed rating; 1 + 5 = 6
    assert result.stdout.count("REVERSE KEYED") == 1
    assert "scored as 6 - answer" in result.stdout
    assert "6 to 30" in result.stdout


def test_show_reads_a_file_and_marks_its_key(valid_file: Path):
    result = runner.invoke(app, ["show", str(valid_file)])

    assert result.exit_code == 0
    assert "trainer-form 2.1.0: Trainer's own form" in result.stdout
    option_lines = [line.split() for line in result.stdout.splitlines()]
    assert ["no)", "No", "(key)"] in option_lines
    assert ["yes)", "Yes"] in option_lines
    # 1 + 4 = 5
    assert "scored as 5 - answer" in result.stdout


def test_show_unknown_reference_is_a_clean_error():
    result = runner.invoke(app, ["show", "imh-cor"])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "built-in instruments: imh-advanced-knowledge, imh-core" in result.stderr
    assert result.stdout == ""


def test_validate_valid_file_reports_counts(valid_file: Path):
    result = runner.invoke(app, ["validate", str(valid_file)])

    assert result.exit_code == 0
    assert result.stdout.strip() == "valid: trainer-form 2.1.0, 2 domains, 3 items"


def test_validate_counts_a_single_domain_and_item_in_the_singular(tmp_path: Path):
    path = tmp_path / "one.yaml"
    one = (
        VALID.split("  - id: confidence")[0]
        + "items:"
        + VALID.split("items:")[1].split("  - id: Q2")[0]
    )
    path.write_text(one, encoding="utf-8")

    result = runner.invoke(app, ["validate", str(path)])

    assert result.stdout.strip() == "valid: trainer-form 2.1.0, 1 domain, 1 item"


def test_show_prints_text_with_brackets_literally(tmp_path: Path):
    path = tmp_path / "brackets.yaml"
    path.write_text(VALID.replace("Which is true?", "Which is [red]true[/red]?"), encoding="utf-8")

    result = runner.invoke(app, ["show", str(path)])

    assert "Which is [red]true[/red]?" in result.stdout


def test_validate_invalid_file_lists_problems_and_exits_1(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    broken = VALID.replace("key: no", "key: maybe").replace(
        "scale: agree\n    text: I feel confident", "scale: agre\n    text: I feel confident"
    )
    path.write_text(broken, encoding="utf-8")

    result = runner.invoke(app, ["validate", str(path)])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "is not a valid instrument (2 problems)" in result.stderr
    assert f"{path}, item 'Q1': key ['maybe'] is not among the options ['no', 'yes']" in (
        result.stderr
    )
    assert f"{path}, item 'Q3': item 'Q3' names scale 'agre', which is not declared" in (
        result.stderr
    )


def test_validate_yaml_syntax_error_gives_line(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text(VALID.replace("levels: [beginner]", "levels: [beginner"), encoding="utf-8")

    result = runner.invoke(app, ["validate", str(path)])

    assert result.exit_code == 1
    assert "is not valid YAML at line 6" in result.stderr
    assert "Traceback" not in result.output


def test_validate_missing_file_is_a_clean_error(tmp_path: Path):
    path = tmp_path / "absent.yaml"

    result = runner.invoke(app, ["validate", str(path)])

    assert result.exit_code == 1
    assert f"{path}: file not found" in result.stderr


@pytest.mark.parametrize("command", [[], ["list"], ["show"], ["validate"]])
def test_every_command_help_has_an_example(command: list[str]):
    result = runner.invoke(app, [*command, "--help"])

    assert result.exit_code == 0
    assert "Example: imheval instruments " in result.stdout


CUED = """\
format: imheval-instrument/1
id: cue-form
version: "1"
title: Cue form
levels: [beginner]
domains: [{id: knowledge, label: Knowledge}]
items:
  - id: Q1
    domain: knowledge
    text: When do babies cry?
    options: {a: They always cry at night, b: They never cry, c: Often when hungry}
    key: c
"""


def test_validate_prints_item_writing_advice_as_warnings_after_valid(tmp_path: Path):
    path = tmp_path / "cued.yaml"
    path.write_text(CUED, encoding="utf-8")

    result = runner.invoke(app, ["validate", str(path)])

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "valid: cue-form 1, 1 domain, 1 item",
        "1 warning (item-writing advice; docs/instruments.md, 'Item-writing advice'):",
        "  - item 'Q1' [absolute-in-distractor]: option c is the only one without 'always' or "
        "'never'; test-wise readers will find it",
    ]


def test_validate_strict_exits_1_on_advice_and_0_without(tmp_path: Path, valid_file: Path):
    path = tmp_path / "cued.yaml"
    path.write_text(CUED, encoding="utf-8")

    cued = runner.invoke(app, ["validate", "--strict", str(path)])
    clean = runner.invoke(app, ["validate", "--strict", str(valid_file)])

    assert cued.exit_code == 1
    assert "[absolute-in-distractor]" in cued.stdout
    assert clean.exit_code == 0
    assert clean.stdout.strip() == "valid: trainer-form 2.1.0, 2 domains, 3 items"


def test_validate_help_explains_the_warnings_and_strict():
    result = runner.invoke(app, ["validate", "--help"])

    assert "--strict" in result.stdout
    assert "printed as warnings" in " ".join(result.stdout.split())


def test_show_gives_a_domain_s_range_on_each_form_not_both_added() -> None:
    result = runner.invoke(app, ["show", "imh-core"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "38 items a form (2 forms, 66 in all)" in result.stdout
    knowledge = next(line for line in result.stdout.splitlines() if line.startswith("│ knowledge"))
    assert "13 a form" in knowledge and "0 to 13 on each form" in knowledge
    efficacy = next(line for line in result.stdout.splitlines() if "│ self_efficacy" in line)
    assert "0 to 100 on each form" in efficacy  # ten ratings of 0 to 10
