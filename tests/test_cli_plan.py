"""``imheval plan``: the JSON contract for scripts (issue 18, 4), the design mode, and errors.

The expected values are computed here from the issue's arithmetic with scipy's noncentral t,
not copied from imheval's output.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from scipy import stats
from typer.testing import CliRunner

from imheval.cli import app

runner = CliRunner()


def power_by_hand(pairs: float, effect: float, alpha: float = 0.05) -> float:
    """Two-sided paired t-test power: noncentral t with df = pairs - 1, ncp = d_z sqrt(pairs)."""
    df = pairs - 1
    critical = stats.t.ppf(1 - alpha / 2, df)
    ncp = effect * math.sqrt(pairs)
    return float(stats.nct.sf(critical, df, ncp) + stats.nct.cdf(-critical, df, ncp))


def pairs_by_hand(effect: float, target: float, alpha: float = 0.05) -> int:
    n = 2
    while power_by_hand(n, effect, alpha) < target:
        n += 1
    return n


def run_plan(tmp_path: Path, *options: str) -> dict[str, object]:
    out = tmp_path / "plan.json"
    result = runner.invoke(app, ["plan", *options, "--json", str(out)], terminal_width=200)
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return document


def test_people_needed_without_clustering_matches_the_noncentral_t(tmp_path: Path) -> None:
    document = run_plan(tmp_path, "--effect", "0.5", "--power", "0.8")
    n = pairs_by_hand(0.5, 0.8)
    assert n == 34  # pwr.t.test(d = 0.5, power = 0.8, type = "paired"): n = 33.37 -> 34
    assert document["people_analysed"] == n
    assert document["people_needed"] == n
    assert document["design_effect"] == pytest.approx(1.0)
    assert document["cohorts_needed"] is None
    assert document["power"] == pytest.approx(power_by_hand(n, 0.5), abs=1e-9)


def test_people_needed_with_clustering_and_attrition_follow_the_issue_arithmetic(
    tmp_path: Path,
) -> None:
    document = run_plan(
        tmp_path,
        "--effect", "0.5", "--power", "0.9", "--cohort-size", "10", "--icc", "0.05",
        "--attrition", "0.15",
    )  # fmt: skip
    n = pairs_by_hand(0.5, 0.9)
    design_effect = 1 + (10 - 1) * 0.05
    people_analysed = math.ceil(n * design_effect)
    people_needed = math.ceil(people_analysed / (1 - 0.15))
    assert document["design_effect"] == pytest.approx(design_effect)
    assert document["people_analysed"] == people_analysed
    assert document["people_needed"] == people_needed
    assert document["cohorts_needed"] == math.ceil(people_needed / 10)
    assert isinstance(document["power"], float) and document["power"] >= 0.9


def test_power_of_people_enrolled_divides_the_analysed_pairs_by_the_design_effect(
    tmp_path: Path,
) -> None:
    document = run_plan(
        tmp_path,
        "--effect", "0.4", "--people", "60", "--cohort-size", "12", "--icc", "0.1",
        "--attrition", "0.2",
    )  # fmt: skip
    analysed = math.floor(60 * (1 - 0.2))
    design_effect = 1 + (12 - 1) * 0.1
    assert document["people_analysed"] == analysed
    assert document["design_effect"] == pytest.approx(design_effect)
    assert document["power"] == pytest.approx(
        power_by_hand(analysed / design_effect, 0.4), abs=1e-9
    )


def test_the_answer_is_in_plain_english_with_the_figures_beside(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["plan", "--effect", "0.5", "--cohort-size", "10", "--attrition", "0.15"],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "To have an 80% chance of detecting a change of d_z = 0.50" in text
    assert (
        "you need 34 people analysed; enrol 40 to allow for 15% not returning: 4 cohorts of 10"
        in text
    )
    assert "People to enrol" in result.output and "Cohorts needed" in result.output
    # the seed's method for the same power, by the design_power closed form it uses
    needed = next(
        count
        for count in range(2, 50)
        if power_by_hand(count, 0.5 / math.sqrt(1 / (10 * 0.85))) >= 0.8
    )
    assert needed == 6
    assert f"The paired t-test on cohort means (the seed's method) needs {needed} cohorts" in text


def test_design_mode_gives_each_analysis_and_the_cohort_level_t_on_cohort_means(
    tmp_path: Path,
) -> None:
    document = run_plan(tmp_path, "--effect", "0.5", "--cohorts", "5", "--cohort-size", "12")
    analyses = {entry["analysis"]: entry for entry in document["analyses"]}  # type: ignore[attr-defined]
    assert set(analyses) == {"participant", "cohort", "mixed"}
    # ICC 0: the participant level is the paired t-test on 60 people.
    assert analyses["participant"]["power"] == pytest.approx(power_by_hand(60, 0.5), abs=1e-6)
    # The cohort means have SD sigma / sqrt(12) when the ICC is 0: d_z of the means is
    # 0.5 sqrt(12), tested with df = 4.
    assert analyses["cohort"]["power"] == pytest.approx(
        power_by_hand(5, 0.5 * math.sqrt(12)), abs=1e-6
    )
    smallest = {entry["analysis"]: entry["effect"] for entry in document["smallest_detectable"]}  # type: ignore[attr-defined]
    assert smallest["cohort"] > smallest["participant"]


def test_design_mode_prints_a_sentence_per_analysis() -> None:
    result = runner.invoke(
        app,
        ["plan", "--effect", "0.5", "--cohorts", "5", "--cohort-size", "12", "--icc", "0.05"],
        terminal_width=200,
    )
    assert result.exit_code == 0, result.output
    assert "5 cohorts of 12 (60 people enrolled)" in result.output
    assert "Paired t-test on cohort means (the seed's method)" in result.output
    assert "with 80% power it detects d_z =" in result.output


def test_simulation_is_seeded_and_repeatable(tmp_path: Path) -> None:
    options = ["--effect", "0.5", "--cohorts", "3", "--cohort-size", "5", "--icc", "0.05"]
    first = run_plan(tmp_path, *options, "--simulate", "6", "--seed", "3")
    second = run_plan(tmp_path, *options, "--simulate", "6", "--seed", "3")
    assert first == second
    mixed = next(entry for entry in first["analyses"] if entry["analysis"] == "mixed")  # type: ignore[attr-defined]
    assert mixed["method"] == "simulation"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--power", "0.8"], "--effect: Give the expected effect"),
        (["--effect", "0.5", "--power", "0.8", "--people", "40"], "not both"),
        (["--effect", "0.5", "--icc", "0.05"], "give the cohort size with it"),
        (["--effect", "0.5", "--attrition", "15"], "0.15 for 15%"),
        (["--effect", "0", "--power", "0.8"], "above 0"),
        (["--effect", "-0.5", "--power", "0.8"], "above 0"),
        (["--effect", "0.5", "--power", "80"], "0.8 for 80%"),
        (["--effect", "0.5", "--cohorts", "5"], "--cohort-size: Give the cohort size"),
        (["--effect", "0.5", "--cohorts", "1", "--cohort-size", "9"], "at least 2 cohorts"),
        (["--effect", "0.5", "--simulate", "100"], "Simulation is for a design"),
        (["--effect", "0.5", "--people", "1"], "at least 2"),
    ],
)
def test_bad_options_give_a_message_and_exit_1_without_a_traceback(
    options: list[str], message: str
) -> None:
    result = runner.invoke(app, ["plan", *options], terminal_width=200)
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


@pytest.mark.parametrize("mode", [["--power", "0.8"], ["--cohorts", "3", "--cohort-size", "6"]])
def test_the_json_is_written_before_the_terminal_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: list[str]
) -> None:
    # `imheval plan ... --json out.json | head -1` closes stdout while printing: the file must
    # already be there (review of issue 18, 14).
    import imheval.cli.plan as plan_cli

    def broken_pipe(*_args: object) -> None:
        raise BrokenPipeError("head closed the pipe")

    monkeypatch.setattr(plan_cli, "_render_plan", broken_pipe)
    monkeypatch.setattr(plan_cli, "_render_design", broken_pipe)
    out = tmp_path / "plan.json"
    runner.invoke(app, ["plan", "--effect", "0.5", *mode, "--json", str(out)])
    assert json.loads(out.read_text(encoding="utf-8"))["effect"] == 0.5


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--cohorts", "2", "--cohort-size", "3", "--icc", "0.05"], "about 6% of the time, not 5%"),
        (["--cohorts", "3", "--cohort-size", "4", "--icc", "0"], ""),
        (["--cohorts", "5", "--cohort-size", "12", "--icc", "0.05", "--attrition", "0.95"], ""),
    ],
)
def test_the_clustering_note_of_the_review_designs(
    tmp_path: Path, options: list[str], expected: str
) -> None:
    document = run_plan(tmp_path, "--effect", "0.5", *options)
    note = document["clustering_note"]
    assert isinstance(note, str)
    if expected:
        assert expected in note
    else:
        assert note == ""
    result = runner.invoke(app, ["plan", "--effect", "0.5", *options], terminal_width=200)
    assert "not there" in result.output if expected else "not there" not in result.output
    assert "more often than 5%" not in result.output


def test_a_simulation_reports_the_false_positive_rate_beside_the_power(tmp_path: Path) -> None:
    options = ["--effect", "0.5", "--cohorts", "3", "--cohort-size", "5", "--icc", "0.1"]
    document = run_plan(tmp_path, *options, "--simulate", "6", "--seed", "3")
    rows = document["analyses"]
    assert isinstance(rows, list)
    assert all(isinstance(row["false_positive_rate"], float) for row in rows)
    result = runner.invoke(app, ["plan", *options, "--simulate", "6"], terminal_width=200)
    assert "False" in result.output  # the table's column (its header wraps at 80 columns)
    assert "With no true change, the same 6 simulated studies found one" in result.output
