"""The command line: help with examples, clean errors, tables and the JSON file."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from imheval.cli import app

runner = CliRunner()


def all_commands() -> list[tuple[str, click.Command]]:
    root = typer.main.get_command(app)
    found: list[tuple[str, click.Command]] = []

    def walk(command: click.Command, path: str) -> None:
        found.append((path, command))
        # duck-typed: Typer's groups are not always instances of the installed click.Group
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(root, "imheval")
    assert len(found) > 5, "the walk found no subcommands"
    return found


@pytest.mark.parametrize("path,command", all_commands(), ids=lambda v: str(v))
def test_every_command_has_help_with_an_example(path: str, command: click.Command) -> None:
    args = [*path.split()[1:], "--help"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Example: imheval" in result.output, f"{path} has no example in its help"


def test_analyse_demo_prints_table1_for_each_domain() -> None:
    result = runner.invoke(app, ["analyse", "--demo"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Table 1. Cohort mean knowledge scores" in result.output
    assert "Table 1. Cohort mean risk identification scores" in result.output
    for cohort in ("TF1", "TF2", "TF3", "S1", "S2", "AF1"):
        assert cohort in result.output
    assert "t(4) = " in result.output  # knowledge: five cohorts (no knowledge test for AF1)
    assert "t(5) = " in result.output  # self-efficacy: all six cohorts
    assert "How the answers were scored" in result.output
    assert "Zero rule: wrong, missing and invalid answers all score 0" in result.output


def test_analyse_writes_json_with_a_tests_list(tmp_path: Path) -> None:
    out = tmp_path / "out" / "evaluation.json"
    result = runner.invoke(app, ["analyse", "--demo", "--json", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    units = {(t["domain"], t["unit"], t["test"]) for t in document["tests"]}
    assert ("knowledge", "cohort", "paired_t") in units
    assert ("knowledge", "participant", "wilcoxon") in units
    assert ("self_efficacy", "cohort", "anova_gain") in units


def test_bad_data_gives_file_row_and_column_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "participant,cohort,timepoint,knowledge\nA1,C1,pre,2\nA1,C1,during,4\nA2,C1,pre,lots\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["analyse", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "bad.csv" in result.output
    assert "row 3" in result.output and "timepoint" in result.output
    assert "row 4" in result.output and "knowledge" in result.output


def test_every_problem_of_a_file_is_listed_at_once(tmp_path: Path) -> None:
    # 27 rows with a score that is not a number: the terminal lists all 27, not the first 20.
    rows = [f"A{i},C1,pre,lots{i}" for i in range(27)]
    path = tmp_path / "many.csv"
    path.write_text("participant,cohort,timepoint,knowledge\n" + "\n".join(rows) + "\n")
    result = runner.invoke(app, ["analyse", str(path)])
    assert result.exit_code == 1
    listed = [line for line in result.output.splitlines() if "column 'knowledge'" in line]
    assert len(listed) == 27
    assert "row 2," in listed[0] and "row 28," in listed[-1]
    assert "27 problems found; fix them and run the command again." in result.output
    assert "more problem" not in result.output


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyse", str(tmp_path / "nowhere.csv")])
    assert result.exit_code == 1
    assert "nowhere.csv" in result.output
    assert "Traceback" not in result.output


def test_unknown_instrument_lists_the_built_in_ones(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("participant,cohort,timepoint,K1\nA,C,pre,a\n", encoding="utf-8")
    result = runner.invoke(app, ["analyse", str(path), "--instrument", "no-such-form"])
    assert result.exit_code == 1
    assert "no-such-form" in result.output
    assert "imh-core" in result.output


def test_max_option_must_name_a_domain_and_a_range(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("participant,cohort,timepoint,knowledge\nA,C,pre,1\n", encoding="utf-8")
    result = runner.invoke(app, ["analyse", str(path), "--max", "knowledge"])
    assert result.exit_code == 1
    assert "DOMAIN=MAX" in result.output


def test_max_option_gives_percentages_for_bare_totals(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    rows = ["participant,cohort,timepoint,knowledge"]
    for i, (pre, post) in enumerate([(2, 4), (3, 5), (1, 4), (2, 3), (3, 6)]):
        rows += [f"P{i},C1,pre,{pre}", f"P{i},C1,post,{post}"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "e.json"
    result = runner.invoke(app, ["analyse", str(path), "--max", "knowledge=6", "--json", str(out)])
    assert result.exit_code == 0, result.output
    overall = json.loads(out.read_text())["domains"][0]["overall"]
    assert overall["pre_mean"] == pytest.approx(11 / 5)
    assert overall["pre_percent"] == pytest.approx(11 / 5 / 6 * 100)


def test_tolerant_matching_lists_probable_matches_for_review(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    rows = ["participant,cohort,timepoint,profession,directorate,knowledge"]
    for code, post_code in [("AB-12-C", "AB-12-C"), ("XY-03-D", "XY-08-D")]:
        rows.append(f"{code},C1,pre,Nurse,Adult Services,2")
        rows.append(f"{post_code},C1,post,Nurse,Adult Services,4")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    review = tmp_path / "review.csv"
    result = runner.invoke(
        app, ["analyse", str(path), "--tolerant", "--review-matches", str(review)]
    )
    assert result.exit_code == 0, result.output
    assert "XY-03-D" in result.output and "XY-08-D" in result.output
    text = review.read_text(encoding="utf-8")
    assert "XY-03-D" in text and "XY-08-D" in text
    # confirm it, and the pair is merged: two matched people instead of one
    lines = text.splitlines()
    header = lines[0].split(",")
    accept_at = header.index("accept")
    fields = lines[1].split(",")
    fields[accept_at] = "yes"
    review.write_text("\n".join([lines[0], ",".join(fields)]) + "\n", encoding="utf-8")
    out = tmp_path / "e.json"
    result = runner.invoke(
        app, ["analyse", str(path), "--accept-matches", str(review), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["participation"]["matched_pre_post"] == 2


def test_version_flag() -> None:
    from imheval import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "imheval", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "analyse" in done.stdout


def test_square_brackets_in_data_print_as_written(tmp_path: Path) -> None:
    """Cohort and profession names are data, never rich markup."""
    path = tmp_path / "d.csv"
    rows = ["participant,cohort,timepoint,profession,knowledge"]
    for i in range(6):
        rows += [f"P{i},[C1],pre,[/x] nurse,{i % 3}", f"P{i},[C1],post,[/x] nurse,{i % 3 + 2}"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["analyse", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "[/x] nurse" in result.output and "[C1]" in result.output


def test_emoji_codes_in_data_print_as_written(tmp_path: Path) -> None:
    """A name with rich's emoji code (":cat:") is data: printed as written, not as a picture."""
    path = tmp_path / "d.csv"
    rows = ["participant,cohort,timepoint,profession,knowledge"]
    for i in range(6):
        rows += [
            f"P{i},:cat:,pre,nurse :smile:,{i % 3}",
            f"P{i},:cat:,post,nurse :smile:,{i % 3 + 2}",
        ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["analyse", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert ":cat:" in result.output and "nurse :smile:" in result.output
    assert (
        "\N{CAT FACE}" not in result.output
        and "\N{SMILING FACE WITH OPEN MOUTH AND SMILING EYES}" not in result.output
    )


def test_a_bad_cell_that_looks_like_markup_is_reported_not_crashed_on(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("participant,cohort,timepoint,knowledge\nA1,C1,[/x],2\n", encoding="utf-8")
    result = runner.invoke(app, ["analyse", str(path)])
    assert result.exit_code == 1
    assert "unknown timepoint '[/x]'" in result.output
    assert "Traceback" not in result.output


def test_missing_policy_option_is_recorded_and_changes_totals(tmp_path: Path) -> None:
    from imheval.demo import demo_path

    seed_json, complete_json = tmp_path / "seed.json", tmp_path / "complete.json"
    common = [
        "analyse",
        str(demo_path()),
        "-i",
        "imh-core@1.0.0",
        "-i",
        "imh-advanced-knowledge@1.0.0",
    ]
    assert runner.invoke(app, [*common, "--json", str(seed_json)]).exit_code == 0
    result = runner.invoke(
        app, [*common, "--missing", "complete_case", "--json", str(complete_json)]
    )
    assert result.exit_code == 0, result.output
    seed = json.loads(seed_json.read_text())
    complete = json.loads(complete_json.read_text())
    assert seed["settings"]["missing_data_policy"] == "seed"
    assert complete["settings"]["missing_data_policy"] == "complete_case"
    # the demo has blank answers, so complete cases leave fewer knowledge pairs
    pairs = {d["id"]: d["n_pairs"] for d in seed["domains"]}
    complete_pairs = {d["id"]: d["n_pairs"] for d in complete["domains"]}
    assert complete_pairs["knowledge"] < pairs["knowledge"]


def test_many_cohorts_are_capped_on_screen_but_all_in_the_json(tmp_path: Path) -> None:
    from imheval.cli.render import MAX_COHORT_ROWS

    n_cohorts = MAX_COHORT_ROWS + 5
    rows = ["participant,cohort,timepoint,knowledge"]
    for c in range(n_cohorts):
        for p in range(2):
            rows += [f"P{p},K{c:03d},pre,{p + 1}", f"P{p},K{c:03d},post,{p + 3}"]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "e.json"
    result = runner.invoke(app, ["analyse", str(path), "--json", str(out)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "K000" in result.output and f"K{MAX_COHORT_ROWS - 1:03d}" in result.output
    assert f"K{MAX_COHORT_ROWS:03d}" not in result.output
    assert "and 5 more cohorts" in result.output
    document = json.loads(out.read_text())
    assert len(document["participation"]["cohorts"]) == n_cohorts
    assert len(document["domains"][0]["table1"]) == n_cohorts


EDGE_CASES = {
    "one person": "P1,C1,pre,a,b,c,d,a,b\nP1,C1,post,b,b,c,d,c,b\n",
    "no post-test": "P1,C1,pre,a,b,c,d,a,b\nP2,C1,pre,b,b,c,d,c,b\n",
    "two cohorts of one": "P1,C1,pre,a,b,c,d,a,b\nP1,C1,post,b,b,c,d,c,b\n"
    "P2,C2,pre,a,a,c,d,a,b\nP2,C2,post,b,b,a,d,c,b\n",
    "follow-up only for one": "P1,C1,pre,a,b,c,d,a,b\nP1,C1,post,b,b,c,d,c,b\n"
    "P1,C1,followup,b,b,c,d,c,b\nP2,C1,pre,a,a,c,d,a,b\nP2,C1,post,b,b,a,d,c,b\n",
}


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_tiny_and_lopsided_data_never_crash_and_never_show_numbers(
    case: str, tmp_path: Path
) -> None:
    """With fewer people than the minimum group size, imheval says so instead of reporting."""
    path = tmp_path / "edge.csv"
    path.write_text("participant,cohort,timepoint,K1,K2,K3,K4,K5,K6\n" + EDGE_CASES[case])
    out = tmp_path / "e.json"
    result = runner.invoke(
        app,
        [
            "analyse",
            str(path),
            "-i",
            "imh-core@1.0.0",
            "-i",
            "imh-advanced-knowledge@1.0.0",
            "--json",
            str(out),
            "--report",
            str(tmp_path / "r.html"),
        ],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output
    document = json.loads(out.read_text())
    for domain in document["domains"]:
        assert all(row["pre_mean"] is None for row in domain["table1"])
        assert domain["overall"]["pre_mean"] is None or domain["n_pairs"] >= 5
    if case != "no post-test":
        assert "too few to report" in result.output


def test_a_small_group_with_no_profession_recorded_is_not_counted_on_screen(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.csv"
    rows = ["participant,cohort,timepoint,profession,knowledge"]
    for i in range(14):
        profession = "" if i < 2 else ("Nurse" if i < 8 else "Midwife")
        rows += [f"P{i},C1,pre,{profession},{i % 3}", f"P{i},C1,post,{profession},{i % 3 + 2}"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["analyse", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "(fewer than 5 with no profession recorded)" in result.output
    assert "(2 with no profession recorded)" not in result.output


DEEP_INSTRUMENT = "format: imheval-instrument/1\nid: " + "[" * 500 + "]" * 500 + "\n"


def test_analyse_with_a_deeply_nested_instrument_is_a_clean_problem(tmp_path: Path) -> None:
    instrument = tmp_path / "deep.yaml"
    instrument.write_text(DEEP_INSTRUMENT, encoding="utf-8")
    data = tmp_path / "r.csv"
    data.write_text("participant,timepoint,Q1\np1,pre,a\n", encoding="utf-8")

    result = runner.invoke(app, ["analyse", str(data), "-i", str(instrument)])

    assert result.exit_code == 1, result.output
    assert "Internal error" not in result.output
    assert f"{instrument}: is nested too deeply (more than 50 levels, at line 2)" in result.output


def test_instruments_validate_with_a_deeply_nested_file_is_a_clean_problem(
    tmp_path: Path,
) -> None:
    instrument = tmp_path / "deep.yaml"
    instrument.write_text(DEEP_INSTRUMENT, encoding="utf-8")

    result = runner.invoke(app, ["instruments", "validate", str(instrument)])

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "is nested too deeply (more than 50 levels, at line 2)" in result.output


def test_analyse_refuses_a_file_too_large_for_memory_saying_how_large_can_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMHEVAL_READ_MEMORY_MB", "0.5")
    data = tmp_path / "big.csv"
    data.write_text("participant,timepoint,knowledge\n" + "p1,pre,3\n" * 5_000, encoding="utf-8")

    result = runner.invoke(app, ["analyse", str(data)], terminal_width=300)

    assert result.exit_code == 1, result.output
    assert "Error: big.csv: is too large to read with the memory available" in result.output
    assert "so CSV files up to about 0 MB can be read" in result.output
