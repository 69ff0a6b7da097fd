"""imheval against the same analysis written in R, side by side on the national benchmark's file.

    python benchmarks/bench_vs_r.py --data benchmarks/output/national/200k  # bench_national's data
    python benchmarks/bench_vs_r.py --participants 20000 --repeat 3  # generate (untimed), then run
    python benchmarks/bench_vs_r.py --data benchmarks/output/national/200k --markdown  # Markdown

R runs benchmarks/r/national_analysis.R, what an analyst would write with data.table, lme4 and
lmerTest (read, score with the instrument's keys and reverse keying, match codes within cohorts,
then per domain the paired t-test and d_z, Wilcoxon, cohort means with their paired t-test and
the ANOVA of cohort gains by programme, Welch by directorate, KR-20 before and after, McNemar per
keyed item, and lmer with random cohort and participant intercepts). imheval runs
``imheval analyse --json``, which does all of that and more. Both are whole processes, timed from
start to exit, alternately (R first in odd rounds, imheval first in even ones) ``--repeat`` times
on the same file. Peak memory is each process's maximum resident set size, as ``/usr/bin/time -v``
reports it (both come from the kernel's ``wait4``); CPU seconds are user + system time, which
other work on the machine disturbs less than the wall clock.

The table shows the median of the runs, the ratios imheval / R, and the load average before each
run. Then it checks that both did the same analysis: the figures R prints (paired t, d_z,
Wilcoxon V, cohort t and ANOVA F, Welch t, KR-20, McNemar, the mixed model's effect of time and
variances) against imheval's JSON. Nothing asserts on time; the exit status is 1 when the figures
disagree or a run failed, 2 when R or an R package is missing.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
R_SCRIPT = HERE / "r" / "national_analysis.R"
R_PACKAGES = ("data.table", "lme4", "lmerTest")
DEBIAN_PACKAGES = "r-base-core r-cran-data.table r-cran-lme4 r-cran-lmertest"

# Relative tolerances of the agreement check. Closed-form statistics agree to rounding; the
# mixed model's estimates come from two optimisers (lme4's nloptwrap and imheval's own), which
# stop within their tolerances, and lmerTest's Satterthwaite df uses a numerical Hessian.
CLOSED_FORM_TOLERANCE = 1e-8
MIXED_MODEL_TOLERANCE = 1e-3


@dataclass(frozen=True, slots=True)
class Run:
    """One whole process: wall and CPU seconds, peak resident set size, load average before."""

    tool: str
    seconds: float
    cpu_seconds: float
    peak_mb: float
    load_before: float
    stdout: str
    error: str | None = None


# --------------------------------------------------------------------------------------------
# R and its packages


def r_problem() -> str | None:
    """Why R cannot run the analysis (a sentence saying what to install), or None."""
    try:
        done = subprocess.run(
            ["Rscript", "-e", _R_PACKAGE_CHECK], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return (
            f"R is not installed (no Rscript on PATH). Install: apt-get install {DEBIAN_PACKAGES}"
        )
    if done.returncode != 0:
        return f"Rscript could not run: {(done.stderr.strip() or done.stdout.strip())[-300:]}"
    missing = done.stdout.split()
    if missing:
        return (
            f"R is installed but lacks the package(s) {', '.join(missing)}. Install: "
            f"apt-get install {DEBIAN_PACKAGES}"
        )
    return None


_R_PACKAGE_CHECK = (
    "p <- c("
    + ", ".join(f'"{name}"' for name in R_PACKAGES)
    + "); cat(p[!vapply(p, requireNamespace, logical(1), quietly = TRUE)])"
)


def r_versions() -> str:
    expression = 'cat(R.version$major, R.version$minor, " ", sep = ""); ' + "; ".join(
        f'cat("{name}", as.character(packageVersion("{name}")), "")' for name in R_PACKAGES
    )
    done = subprocess.run(["Rscript", "-e", expression], capture_output=True, text=True)
    return f"R {done.stdout.strip()}" if done.returncode == 0 else "R (version unknown)"


def write_answer_key(instrument_yaml: Path, destination: Path) -> Path:
    """The instrument's answer key as a CSV the R script reads (so R needs no YAML package).

    One row per item: item, domain, kind (keyed / rating), key, reverse, min, max. Raises
    SystemExit with a message for what the R script does not handle (several keys, points
    other than 1), which the national benchmark's instrument never has.
    """
    document = yaml.safe_load(instrument_yaml.read_text(encoding="utf-8"))
    scales = document.get("scales") or {}
    rows: list[list[str]] = []
    for item in document["items"]:
        if item.get("kind", "keyed") == "keyed":
            key = item["key"]
            if not isinstance(key, str) or item.get("points", 1) != 1:
                raise SystemExit(
                    f"item {item['id']}: the R script scores one key worth 1 point; "
                    f"this item has key {key!r} and points {item.get('points', 1)!r}"
                )
            rows.append([item["id"], item["domain"], "keyed", key, "false", "0", "1"])
        else:
            scale = scales[item["scale"]]
            reverse = "true" if item.get("reverse") else "false"
            rows.append(
                [
                    item["id"],
                    item["domain"],
                    "rating",
                    "",
                    reverse,
                    str(scale["min"]),
                    str(scale["max"]),
                ]
            )
    path = destination / "answer_key.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["item", "domain", "kind", "key", "reverse", "min", "max"])
        writer.writerows(rows)
    return path


# --------------------------------------------------------------------------------------------
# Running and measuring one whole process


def load_average() -> float:
    return os.getloadavg()[0]


def run_process(tool: str, command: list[str], scratch: Path, timeout: float) -> Run:
    """Run ``command`` to its end; wall seconds, and CPU and peak memory from ``wait4``."""
    out_path, err_path = scratch / f"{tool}.out", scratch / f"{tool}.err"
    load_before = load_average()
    with out_path.open("w") as out, err_path.open("w") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        try:
            _, status, usage = _wait4(process.pid, start + timeout)
        except TimeoutError:
            process.kill()
            process.wait()
            return Run(tool, math.nan, math.nan, math.nan, load_before, "", f"over {timeout:.0f} s")
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    error = None
    if process.returncode != 0:
        tail = err_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        error = f"exit status {process.returncode}: " + (" | ".join(tail[-3:]) or "no message")
    return Run(
        tool=tool,
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        # ru_maxrss is in kilobytes on Linux (bytes on macOS).
        peak_mb=usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024),
        load_before=load_before,
        stdout=stdout,
        error=error,
    )


def _wait4(pid: int, deadline: float) -> tuple[int, int, Any]:
    """``os.wait4`` on one child, polling so that a deadline can stop it."""
    while True:
        waited, status, usage = os.wait4(pid, os.WNOHANG)
        if waited == pid:
            return waited, status, usage
        if time.perf_counter() > deadline:
            raise TimeoutError
        time.sleep(0.02)


def imheval_command(csv_path: Path, instrument: Path, json_out: Path) -> list[str]:
    return [
        sys.executable, "-m", "imheval", "analyse", str(csv_path),
        "--instrument", str(instrument), "--json", str(json_out), "--no-progress",
    ]  # fmt: skip


def r_command(csv_path: Path, key: Path) -> list[str]:
    return ["Rscript", str(R_SCRIPT), str(csv_path), str(key)]


# --------------------------------------------------------------------------------------------
# Do both give the same figures?


def r_figures(stdout: str) -> dict[tuple[str, str], float]:
    """The "FIGURE <domain> <name> <value>" lines the R script printed."""
    figures: dict[tuple[str, str], float] = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "FIGURE":
            figures[(parts[1], parts[2])] = float(parts[3])
    return figures


def r_stage_times(stdout: str) -> dict[str, float]:
    """The "TIME <stage> <seconds>" lines the R script printed."""
    times: dict[str, float] = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "TIME":
            times[parts[1]] = float(parts[2])
    return times


def imheval_figures(evaluation: dict[str, Any]) -> dict[tuple[str, str], float]:
    """The same figures as the R script prints, taken from imheval's JSON."""
    figures: dict[tuple[str, str], float] = {
        ("all", "matched_pairs"): float(evaluation["participation"]["matched_pre_post"])
    }

    def test(domain: str, unit: str, comparison: str, name: str) -> dict[str, Any]:
        for entry in evaluation["tests"]:
            if (entry["domain"], entry["unit"], entry["comparison"], entry["test"]) == (
                domain,
                unit,
                comparison,
                name,
            ):
                return dict(entry)
        raise KeyError(f"{domain}: no {unit} {comparison} {name} in imheval's JSON")

    for domain in evaluation["domains"]:
        name = domain["id"]
        paired = test(name, "participant", "pre_post", "paired_t")
        figures[(name, "paired_t")] = paired["statistic"]
        figures[(name, "paired_df")] = paired["df"]
        figures[(name, "mean_change")] = paired["estimate"]
        figures[(name, "cohen_dz")] = paired["effect_sizes"]["cohen_dz"]
        signed_rank = test(name, "participant", "pre_post", "wilcoxon")
        figures[(name, "wilcoxon_v")] = signed_rank["statistic"]
        figures[(name, "wilcoxon_p")] = signed_rank["p"]
        figures[(name, "cohort_paired_t")] = test(name, "cohort", "pre_post", "paired_t")[
            "statistic"
        ]
        figures[(name, "cohort_gain_anova_f")] = test(
            name, "cohort", "gain_by_programme", "anova_gain"
        )["statistic"]
        welch = test(name, "participant", "gain_by_directorate", "welch_t")
        figures[(name, "welch_t_directorate")] = welch["statistic"]
        figures[(name, "welch_df_directorate")] = welch["df"]
        items = domain.get("item_analysis") or {}
        if (items.get("reliability_pre") or {}).get("kr20"):
            figures[(name, "kr20_pre")] = items["reliability_pre"]["alpha"]
            figures[(name, "kr20_post")] = items["reliability_post"]["alpha"]
            for item in items["items"]:
                if item.get("mcnemar") and item["mcnemar"].get("computed"):
                    figures[(name, f"mcnemar_{item['item']}")] = item["mcnemar"]["statistic"]
        model = domain["mixed_model"]
        if model.get("computed"):
            time_effect = next(e for e in model["fixed_effects"] if e["term"] == "timepost")
            figures[(name, "lmer_time")] = time_effect["estimate"]
            figures[(name, "lmer_time_se")] = time_effect["se"]
            figures[(name, "lmer_time_df")] = time_effect["df"]
            for part in ("participant", "cohort", "residual"):
                figures[(name, f"lmer_var_{part}")] = model["variance_components"][part]
    return figures


@dataclass(frozen=True, slots=True)
class Agreement:
    """One family of figures: how many were compared and the largest relative difference."""

    family: str
    compared: int
    largest_difference: float
    worst: str
    tolerance: float
    missing: tuple[str, ...]

    @property
    def agrees(self) -> bool:
        return not self.missing and self.largest_difference <= self.tolerance


def relative_difference(a: float, b: float) -> float:
    """|a - b| relative to the larger magnitude; 0 when both are 0 (p-values below 1e-300)."""
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def _family(name: str) -> str:
    if name.startswith("mcnemar_"):
        return "mcnemar (each keyed item)"
    if name.startswith("lmer_var_"):
        return "lmer variance components"
    if name.startswith("lmer_time"):
        return "lmer effect of time (estimate, SE, df)"
    return name


def compare(r: dict[tuple[str, str], float], ours: dict[tuple[str, str], float]) -> list[Agreement]:
    """Each family of figures R printed, compared with imheval's (every domain together)."""
    families: dict[str, list[tuple[str, float, float | None]]] = {}
    for (domain, name), value in r.items():
        families.setdefault(_family(name), []).append(
            (f"{domain} {name}", value, ours.get((domain, name)))
        )
    agreements = []
    for family, rows in families.items():
        tolerance = MIXED_MODEL_TOLERANCE if family.startswith("lmer") else CLOSED_FORM_TOLERANCE
        present = [(label, a, b) for label, a, b in rows if b is not None]
        differences = [(relative_difference(a, b), label) for label, a, b in present]
        largest, worst = max(differences, default=(0.0, ""))
        agreements.append(
            Agreement(
                family=family,
                compared=len(present),
                largest_difference=largest,
                worst=worst,
                tolerance=tolerance,
                missing=tuple(label for label, _, b in rows if b is None),
            )
        )
    return agreements


# --------------------------------------------------------------------------------------------
# The driver


def median(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return statistics.median(finite) if finite else math.nan


def summary_rows(runs: list[Run]) -> list[list[str]]:
    """Per tool: median seconds, CPU seconds and peak MB of its successful runs, then ratios."""
    rows = []
    medians: dict[str, tuple[float, float, float]] = {}
    for tool in ("R", "imheval"):
        done = [run for run in runs if run.tool == tool and run.error is None]
        if not done:
            rows.append([tool, "failed", "", "", "", ""])
            continue
        seconds = median([run.seconds for run in done])
        cpu = median([run.cpu_seconds for run in done])
        peak = max(run.peak_mb for run in done)
        medians[tool] = (seconds, cpu, peak)
        spread = f"{min(r.seconds for r in done):.1f}-{max(r.seconds for r in done):.1f}"
        rows.append([tool, f"{seconds:.1f}", spread, f"{cpu:.1f}", f"{peak:,.0f}", str(len(done))])
    if len(medians) == 2:
        ratios = [
            ours / theirs for ours, theirs in zip(medians["imheval"], medians["R"], strict=True)
        ]
        rows.append(
            [
                "imheval / R",
                f"{ratios[0]:.2f}",
                "",
                f"{ratios[1]:.2f}",
                f"{ratios[2]:.2f}",
                "",
            ]
        )
    return rows


SUMMARY_HEADER = ["", "seconds (median)", "range", "CPU seconds", "peak MB (largest)", "runs"]


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        help="a folder with national.csv and bench-national.yaml (bench_national.py --keep); "
        "made with --participants when it has none",
    )
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of R and imheval")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    parser.add_argument("--results", type=Path, help="write every run and the check as JSON")
    args = parser.parse_args(argv)

    problem = r_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    if not R_SCRIPT.exists():
        print(f"The R script is missing: {R_SCRIPT}", file=sys.stderr)
        return 2

    from rich.console import Console
    from rich.table import Table

    sys.path.insert(0, str(HERE))
    import bench_national

    console = Console() if sys.stdout.isatty() else Console(width=120)
    with tempfile.TemporaryDirectory(prefix="imheval-vs-r-") as scratch_name:
        scratch = Path(scratch_name)
        data = args.data or scratch
        data.mkdir(parents=True, exist_ok=True)
        if (data / "national.csv").exists() and (data / "bench-national.yaml").exists():
            console.print(f"Reusing {data / 'national.csv'}")
        else:
            console.print(bench_national.prepare(data, args.participants, 20, 2015, console))
        csv_path, instrument = data / "national.csv", data / "bench-national.yaml"
        key = write_answer_key(instrument, scratch)
        rows = sum(1 for _ in csv_path.open("rb")) - 1
        console.print(
            f"{csv_path} ({rows:,} rows, {csv_path.stat().st_size / 1e6:.0f} MB) | "
            f"{bench_national.machine()} | {r_versions()}"
        )

        runs: list[Run] = []
        json_out = scratch / "evaluation.json"
        for round_number in range(1, max(1, args.repeat) + 1):
            order = ("R", "imheval") if round_number % 2 else ("imheval", "R")
            for tool in order:
                command = (
                    r_command(csv_path, key)
                    if tool == "R"
                    else imheval_command(csv_path, instrument, json_out)
                )
                with console.status(f"Round {round_number}: {tool} ..."):
                    run = run_process(tool, command, scratch, args.timeout)
                runs.append(run)
                outcome = run.error or (
                    f"{run.seconds:.1f} s, CPU {run.cpu_seconds:.1f} s, {run.peak_mb:,.0f} MB"
                )
                console.print(
                    f"  round {round_number} {tool:8} {outcome} (load {run.load_before:.2f})"
                )

        last_r = next((run for run in reversed(runs) if run.tool == "R" and not run.error), None)
        evaluation = json.loads(json_out.read_text()) if json_out.exists() else None

    table = Table(title=f"imheval and R on the national benchmark ({rows:,} rows)")
    for column in SUMMARY_HEADER:
        table.add_column(column, justify="left" if not column else "right")
    summary = summary_rows(runs)
    for row in summary:
        table.add_row(*row)
    console.print(table)
    loads = [run.load_before for run in runs]
    console.print(
        f"Load average (1 min) before the runs: {min(loads):.2f} to {max(loads):.2f}; "
        f"after: {load_average():.2f} on {os.cpu_count()} CPUs."
    )
    if last_r is not None:
        stages = r_stage_times(last_r.stdout)
        console.print(
            "R's own stages (last run, s): "
            + ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in stages.items())
        )

    agreements: list[Agreement] = []
    if last_r is not None and evaluation is not None:
        agreements = compare(r_figures(last_r.stdout), imheval_figures(evaluation))
        check = Table(title="Do R and imheval give the same figures? (every domain)")
        for column in ("figure", "compared", "largest relative difference", "at", "agrees"):
            check.add_column(column)
        for agreement in agreements:
            check.add_row(
                agreement.family,
                str(agreement.compared),
                f"{agreement.largest_difference:.1e}",
                agreement.worst,
                ("yes" if agreement.agrees else "NO")
                + (
                    f" (missing in imheval: {', '.join(agreement.missing)})"
                    if agreement.missing
                    else ""
                ),
            )
        console.print(check)
    else:
        console.print("[red]No successful run of both, so the figures were not compared.[/red]")

    if args.markdown:
        print()
        print(markdown_table(SUMMARY_HEADER, summary))
        print()
        print(
            markdown_table(
                ["figure", "compared", "largest relative difference", "agrees"],
                [
                    [
                        a.family,
                        str(a.compared),
                        f"{a.largest_difference:.1e}",
                        "yes" if a.agrees else "no",
                    ]
                    for a in agreements
                ],
            )
        )
    if args.results:
        args.results.write_text(
            json.dumps(
                {
                    "rows": rows,
                    "runs": [
                        {
                            k: getattr(run, k)
                            for k in (
                                "tool",
                                "seconds",
                                "cpu_seconds",
                                "peak_mb",
                                "load_before",
                                "error",
                            )
                        }
                        for run in runs
                    ],
                    "r_stages": r_stage_times(last_r.stdout) if last_r else {},
                    "agreement": [
                        {
                            "family": a.family,
                            "compared": a.compared,
                            "largest": a.largest_difference,
                            "agrees": a.agrees,
                        }
                        for a in agreements
                    ],
                },
                indent=2,
            )
        )
    failed = (
        any(run.error for run in runs) or not agreements or not all(a.agrees for a in agreements)
    )
    for run in runs:
        if run.error:
            console.print(f"[red]{run.tool} failed:[/red] {run.error}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
