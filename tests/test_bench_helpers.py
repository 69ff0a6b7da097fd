"""The benchmark scripts' helpers: answer key for R, figure parsing and comparison, growth table.

No timing here: these pin what the benchmarks compare and print, not how fast anything is.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench_national = _load("bench_national")
bench_vs_r = _load("bench_vs_r")


def test_size_labels_name_the_kept_folders() -> None:
    assert [bench_national.size_label(n) for n in (20_000, 50_000, 1_000_000, 12_345)] == [
        "20k",
        "50k",
        "1m",
        "12345",
    ]
    assert bench_national.parse_sizes("200000, 20000,20000") == [20_000, 200_000]


def test_answer_key_follows_the_instrument_yaml(tmp_path: Path) -> None:
    instrument = bench_national.write_instrument(tmp_path)
    document = bench_national.instrument_document()
    with bench_vs_r.write_answer_key(instrument, tmp_path).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["item"] for row in rows] == [item["id"] for item in document["items"]]
    keyed = {row["item"]: row for row in rows if row["kind"] == "keyed"}
    assert len(keyed) == 28
    # The yes/no options stay text, not YAML booleans.
    assert keyed["R1"]["key"] == "yes"
    assert keyed["K1"]["key"] == next(i["key"] for i in document["items"] if i["id"] == "K1")
    ratings = [row for row in rows if row["kind"] == "rating"]
    assert {(row["min"], row["max"]) for row in ratings} == {("1", "5")}
    assert [row["item"] for row in ratings if row["reverse"] == "true"] == ["C4", "C8", "C12"]


def test_answer_key_refuses_items_the_r_script_cannot_score(tmp_path: Path) -> None:
    path = tmp_path / "two_keys.yaml"
    path.write_text(
        "items:\n- {id: Q1, domain: d, kind: keyed, key: [a, b], options: {a: A, b: B}}\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit, match="Q1"):
        bench_vs_r.write_answer_key(path, tmp_path)


def test_r_output_lines_are_read_as_figures_and_stage_times() -> None:
    stdout = (
        "TIME read 0.469\nFIGURE all matched_pairs 20000\n"
        "FIGURE knowledge paired_t 143.2041814445812\nsomething else\nTIME total 57.4\n"
    )
    assert bench_vs_r.r_figures(stdout) == {
        ("all", "matched_pairs"): 20000.0,
        ("knowledge", "paired_t"): 143.2041814445812,
    }
    assert bench_vs_r.r_stage_times(stdout) == {"read": 0.469, "total": 57.4}


def test_comparison_holds_closed_forms_to_rounding_and_the_mixed_model_to_its_optimiser() -> None:
    r = {
        ("k", "paired_t"): 143.2041814445812,
        ("k", "mcnemar_K1"): 1645.6096640701071,
        ("k", "lmer_var_cohort"): 0.7735392155704629,
        ("k", "wilcoxon_p"): 0.0,
    }
    ours = {
        ("k", "paired_t"): 143.20418144458122,
        ("k", "mcnemar_K1"): 1645.6096640701071,
        ("k", "lmer_var_cohort"): 0.7735276263974645,  # 1.5e-5 apart: two optimisers
        ("k", "wilcoxon_p"): 0.0,
    }
    assert all(a.agrees for a in bench_vs_r.compare(r, ours))

    moved = dict(ours)
    moved[("k", "mcnemar_K1")] *= 1 + 1e-6
    verdicts = {a.family: a.agrees for a in bench_vs_r.compare(r, moved)}
    assert verdicts["mcnemar (each keyed item)"] is False
    assert verdicts["paired_t"] is True

    del moved[("k", "paired_t")]
    lost = next(a for a in bench_vs_r.compare(r, moved) if a.family == "paired_t")
    assert lost.missing == ("k paired_t",)
    assert not lost.agrees


def test_relative_difference_of_zeros_is_zero() -> None:
    assert bench_vs_r.relative_difference(0.0, 0.0) == 0.0
    assert bench_vs_r.relative_difference(2.0, 1.0) == 0.5


def test_imheval_figures_are_found_in_a_real_evaluation(tmp_path: Path) -> None:
    """Every figure the R script prints has its counterpart in imheval's JSON."""
    import json

    from imheval.evaluation import evaluate_file
    from imheval.instruments import load_instrument

    frame = bench_national.generate(participants=200, cohort_size=20, seed=1)
    frame.to_csv(tmp_path / "national.csv", index=False)
    instrument = load_instrument(bench_national.write_instrument(tmp_path))
    evaluation = json.loads(
        json.dumps(evaluate_file(tmp_path / "national.csv", [instrument]).to_dict())
    )
    figures = bench_vs_r.imheval_figures(evaluation)
    assert figures[("all", "matched_pairs")] == 200
    names = {name for domain, name in figures if domain == "knowledge"}
    assert {
        "paired_t",
        "paired_df",
        "mean_change",
        "cohen_dz",
        "wilcoxon_v",
        "wilcoxon_p",
        "cohort_paired_t",
        "cohort_gain_anova_f",
        "welch_t_directorate",
        "welch_df_directorate",
        "kr20_pre",
        "kr20_post",
        "lmer_time",
        "lmer_time_se",
        "lmer_time_df",
        "lmer_var_participant",
        "lmer_var_cohort",
        "lmer_var_residual",
    } <= names
    assert sum(name.startswith("mcnemar_") for name in names) == 16
    assert not any(name.startswith("kr20") for domain, name in figures if domain == "confidence")


def test_growth_table_shows_each_stage_and_the_cost_per_100k() -> None:
    growth: list[dict[str, Any]] = [
        {
            "participants": size,
            "rows": size * 2,
            "results": [
                {"stage": "read", "seconds": size / 1e5, "peak_rss_mb": 100.0},
                {"stage": "cli", "seconds": size / 5e4, "cpu_seconds": 0.5, "peak_rss_mb": 300.0},
            ],
        }
        for size in (20_000, 200_000)
    ]
    growth[1]["results"][0] = {"stage": "read", "error": "timed out"}
    lines = bench_national.growth_markdown(growth, ["read", "cli"]).splitlines()
    assert lines[0].startswith(
        "| participants | rows | read s (CPU s) | read MB | cli s (CPU s) | cli MB |"
    )
    assert lines[2] == "| 20,000 | 40,000 | 0.20 | 100 | 0.40 (0.50) | 300 | 2.00 |"
    assert lines[3] == "| 200,000 | 400,000 | failed |  | 4.00 (0.50) | 300 | 2.00 |"
    assert lines[5] == "- 200,000 participants, read: failed: timed out"
