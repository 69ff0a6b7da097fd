"""National-scale benchmark: read -> score -> match -> evaluate on a synthetic national file.

    python benchmarks/bench_national.py                    # 200,000 participants (400k rows)
    python benchmarks/bench_national.py --participants 20000
    python benchmarks/bench_national.py --profile evaluate # cProfile one stage, top functions
    python benchmarks/bench_national.py --sizes 20000,50000,200000,1000000 \
        --keep benchmarks/output/national --chart docs/performance-growth.png  # growth

It builds a 40-item instrument (3 domains: 16 keyed knowledge items, 12 keyed risk items,
12 ratings 1-5 of which 3 are reverse keyed) and a tidy CSV in which ``--participants`` people
answer both the pre- and the post-test (2 rows each) and another 3% + 3% answer only one, in
cohorts of about 20 (10,000 cohorts at full size) over 12 programmes, 2 directorates and
8 professions, with about 3% of answers missing: 412,000 rows x 46 columns at full size.
Generating and writing the file is not part of any measurement.

Each stage then runs in a fresh Python process, so its peak memory is its own: the process does
the earlier stages untimed, times its stage, and reports the peak resident set size (VmHWM) of
the whole process. Nothing here asserts on time; it prints figures (docs/performance.md).

With ``--sizes``, it does that for each number of participants (by default for the stages read,
evaluate, end_to_end and cli), keeping each data set in ``<--keep>/<20k, 50k, 200k, 1m, ...>``,
and prints one table of seconds and peak memory per stage and size, also as Markdown; ``--chart``
draws both against the number of participants (matplotlib PNG) and ``--results`` keeps the
figures as JSON, from which ``--chart-from`` draws the chart again without measuring.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

STAGES: dict[str, str] = {
    "import": "import imheval (baseline memory)",
    "read": "read_responses (CSV -> ResponseTable)",
    "score": "score_items (40 items, seed rule)",
    "match": "match, exact",
    "match_tolerant": "match, tolerant (typo search)",
    "evaluate": "evaluate (score + match + all statistics)",
    "end_to_end": "evaluate_file + to_dict + JSON",
    "cli": "imheval analyse --json, whole process",
}
HEADLINE = "end_to_end"
GROWTH_STAGES = ("read", "evaluate", "end_to_end", "cli")

N_PROGRAMMES = 12
PROFESSIONS = (
    ("Health visitor", 0.20),
    ("Social worker", 0.22),
    ("Mental health nurse", 0.16),
    ("Midwife", 0.12),
    ("Family support worker", 0.14),
    ("GP", 0.06),
    ("Speech and language therapist", 0.05),
    ("Psychologist", 0.05),
)
KNOWLEDGE_ITEMS, RISK_ITEMS, RATING_ITEMS = 16, 12, 12
MISSING_RATE = 0.03
PRE_ONLY_RATE = POST_ONLY_RATE = 0.03


# --------------------------------------------------------------------------------------------
# The synthetic instrument and data set


def instrument_document() -> dict[str, Any]:
    """A 40-item, 3-domain instrument in imheval's YAML format."""
    rng = np.random.default_rng(40)
    items: list[dict[str, Any]] = []
    for number in range(1, KNOWLEDGE_ITEMS + 1):
        items.append(
            {
                "id": f"K{number}",
                "domain": "knowledge",
                "text": f"Knowledge question {number}",
                "options": {code: f"Option {code}" for code in "abcd"},
                "key": "abcd"[int(rng.integers(0, 4))],
            }
        )
    for number in range(1, RISK_ITEMS + 1):
        yes_no = number % 2 == 1
        options = {"yes": "Yes", "no": "No"} if yes_no else {c: f"Option {c}" for c in "abc"}
        items.append(
            {
                "id": f"R{number}",
                "domain": "risk",
                "text": f"Risk vignette {number}",
                "options": options,
                "key": ("yes" if number % 4 == 1 else "no") if yes_no else "abc"[number % 3],
            }
        )
    for number in range(1, RATING_ITEMS + 1):
        items.append(
            {
                "id": f"C{number}",
                "kind": "rating",
                "domain": "confidence",
                "scale": "agree",
                "reverse": number % 4 == 0,
                "text": f"Confidence statement {number}",
            }
        )
    for item in items:
        item.setdefault("kind", "keyed")
    return {
        "format": "imheval-instrument/1",
        "id": "bench-national",
        "version": "1.0.0",
        "title": "National benchmark instrument (synthetic)",
        "levels": ["beginner", "intermediate", "advanced"],
        "domains": [
            {"id": "knowledge", "label": "Knowledge"},
            {"id": "risk", "label": "Risk identification"},
            {"id": "confidence", "label": "Confidence"},
        ],
        "scales": {"agree": {"min": 1, "max": 5}},
        "items": items,
    }


def write_instrument(directory: Path) -> Path:
    path = directory / "bench-national.yaml"
    # Quote everything: plain YAML 1.1 would read the yes/no option codes as booleans.
    path.write_text(yaml.safe_dump(instrument_document(), sort_keys=False), encoding="utf-8")
    return path


def generate(participants: int, cohort_size: int, seed: int) -> pd.DataFrame:
    """The national data set as a tidy frame of text cells (vectorised; no per-row loops)."""
    rng = np.random.default_rng(seed)
    document = instrument_document()
    n_cohorts = max(1, participants // cohort_size)
    # ``participants`` people answer both tests (2 rows each); on top, 3% of that number answer
    # only the pre-test and 3% only the post-test, as people who drop out or mistype a code.
    pre_only = round(participants * PRE_ONLY_RATE)
    post_only = round(participants * POST_ONLY_RATE)
    people = participants + pre_only + post_only
    status = np.repeat([0, 1, 2], [participants, pre_only, post_only])
    has_pre = status != 2
    has_post = status != 1

    cohort = rng.integers(0, n_cohorts, people)
    programme_of_cohort = rng.integers(0, N_PROGRAMMES, n_cohorts)
    programme = programme_of_cohort[cohort]
    names, weights = zip(*PROFESSIONS, strict=True)
    profession = rng.choice(len(names), people, p=np.array(weights) / sum(weights))
    codes = _unique_codes(rng, cohort)

    ability = rng.normal(0.0, 1.0, people) + rng.normal(0.0, 0.3, n_cohorts)[cohort]
    gain = 0.8 + 0.2 * (programme % 3) + rng.normal(0.0, 0.4, people)

    frames = []
    for timepoint, present, shift in (("pre", has_pre, 0.0), ("post", has_post, 1.0)):
        who = np.flatnonzero(present)
        latent = ability[who] + shift * gain[who]
        frame = pd.DataFrame(
            {
                "participant": codes[who],
                "cohort": np.char.add("C", cohort[who].astype(str)),
                "programme": np.char.add("Programme ", (programme[who] + 1).astype(str)),
                "timepoint": timepoint,
                "directorate": np.where(
                    programme[who] < N_PROGRAMMES // 2, "Adult Services", "Children's Services"
                ),
                "profession": np.asarray(names, dtype=object)[profession[who]],
            }
        )
        answers = _answers(rng, document["items"], latent)
        frames.append(pd.concat([frame, answers], axis=1))
    # Forms arrive in no particular order.
    tidy = pd.concat(frames, ignore_index=True)
    return tidy.iloc[rng.permutation(len(tidy))].reset_index(drop=True)


def _unique_codes(rng: np.random.Generator, cohort: np.ndarray) -> np.ndarray:
    """Self-generated codes like "MA-14-K", unique within each cohort."""
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))

    def draw(n: int) -> np.ndarray:
        first = letters[rng.integers(0, 26, n)]
        second = letters[rng.integers(0, 26, n)]
        day = np.char.zfill(rng.integers(1, 32, n).astype(str), 2)
        last = letters[rng.integers(0, 26, n)]
        return np.char.add(
            np.char.add(np.char.add(np.char.add(first, second), "-"), np.char.add(day, "-")), last
        )

    codes = draw(len(cohort)).astype(object)
    while True:
        clash = pd.DataFrame({"c": cohort, "k": codes}).duplicated().to_numpy()
        if not clash.any():
            return codes
        codes[clash] = draw(int(clash.sum()))


def _answers(
    rng: np.random.Generator, items: list[dict[str, Any]], latent: np.ndarray
) -> pd.DataFrame:
    n = len(latent)
    columns: dict[str, np.ndarray] = {}
    for index, item in enumerate(items):
        if item["kind"] == "keyed":
            options = np.array(list(item["options"]), dtype=object)
            key = item["key"]
            wrong = options[options != key]
            easiness = (index % 7 - 3) * 0.35
            correct = rng.random(n) < 1.0 / (1.0 + np.exp(-(latent + easiness)))
            values = np.where(correct, key, wrong[rng.integers(0, len(wrong), n)])
        else:
            rating = np.clip(np.rint(3.0 + 0.8 * latent + rng.normal(0.0, 0.8, n)), 1, 5)
            if item["reverse"]:
                rating = 6 - rating
            values = rating.astype(int).astype(str).astype(object)
        values = values.astype(object)
        values[rng.random(n) < MISSING_RATE] = ""
        columns[item["id"]] = values
    return pd.DataFrame(columns)


# --------------------------------------------------------------------------------------------
# One stage, in a fresh process


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (VmHWM on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def run_stage(stage: str, data: Path, profile: bool) -> dict[str, Any]:
    """Do the earlier stages untimed, then time ``stage``; returns the figures as a dict."""
    # Import only what the stage needs, so stages that exist can be measured before the rest.
    from imheval.instruments import load_instrument
    from imheval.io.reader import read_responses

    csv = data / "national.csv"
    instrument = load_instrument(data / "bench-national.yaml")
    item_ids = [item.id for item in instrument.items]
    rows = sum(1 for _ in csv.open("rb")) - 1

    if stage == "cli":
        return run_cli(csv, data)

    # The reader refuses files over its row limit (a guard against hostile files: 5,000,000
    # rows by default, 2,000,000 before issue 19, when a million participants, 2,060,000 rows,
    # were refused). Over it, the library stages raise the limit to the file's rows, so that
    # they measure the work, and say so; the cli stage measures what a user gets.
    default_limit = inspect.signature(read_responses).parameters["max_rows"].default
    limit = max(int(default_limit), rows)
    note = (
        f"max_rows raised from the reader's default {default_limit:,} to {rows:,}"
        + (" (read_responses + evaluate, as evaluate_file does)" if stage == "end_to_end" else "")
        if rows > default_limit and stage != "import"
        else None
    )

    def read() -> Any:
        return read_responses(csv, item_columns=item_ids, max_rows=limit)

    timed: Callable[[], Any]
    if stage == "import":
        timed = lambda: None  # noqa: E731
    elif stage == "read":
        timed = read
    elif stage == "end_to_end":
        from imheval.evaluation import evaluate, evaluate_file

        def timed() -> Any:
            if note is None:
                evaluation = evaluate_file(csv, [instrument])
            else:
                evaluation = evaluate(read(), [instrument])
            return json.dumps(evaluation.to_dict())

    else:
        table = read()
        if stage == "evaluate":
            from imheval.evaluation import evaluate

            timed = lambda: evaluate(table, [instrument])  # noqa: E731
        else:
            from imheval.matching import MatchMode, match
            from imheval.scoring import score_items

            if stage == "score":
                timed = lambda: score_items(table, [instrument])  # noqa: E731
            elif stage in ("match", "match_tolerant"):
                scored = score_items(table, [instrument])
                mode: MatchMode = "exact" if stage == "match" else "tolerant"
                timed = lambda: match(scored, mode)  # noqa: E731
            else:
                raise SystemExit(f"unknown stage {stage!r}")

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = timed()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    if profiler is not None:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
    del result
    figures = {
        "stage": stage,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "rows": rows,
        "peak_rss_mb": peak_rss_mb(),
    }
    return figures | ({"note": note} if note else {})


def run_cli(csv: Path, data: Path) -> dict[str, Any]:
    """Time the command a user would type, including Python start-up and imports."""
    command = [
        sys.executable, "-m", "imheval", "analyse", str(csv),
        "--instrument", str(data / "bench-national.yaml"),
        "--json", str(data / "evaluation.json"), "--no-progress",
    ]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        message = " ".join(done.stderr.split())  # one line: measure() keeps the last
        raise SystemExit(f"imheval analyse failed: {message[-400:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rows = sum(1 for _ in csv.open("rb")) - 1
    return {
        "stage": "cli",
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "rows": rows,
        "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def measure(stage: str, data: Path, profile: bool, timeout: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", stage, "--data", str(data)]
    if profile:
        command.append("--profile-worker")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"stage": stage, "error": f"did not finish within {timeout:.0f} s"}
    if profile:
        sys.stderr.write(done.stderr)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        return {"stage": stage, "error": last}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --------------------------------------------------------------------------------------------
# The driver


def fastest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest successful run, with the slowest time and the largest peak seen."""
    done = [run for run in runs if "error" not in run]
    if not done:
        return runs[-1]
    best = dict(min(done, key=lambda run: run["seconds"]))
    best["slowest"] = max(run["seconds"] for run in done)
    best["peak_rss_mb"] = max(run["peak_rss_mb"] for run in done)
    return best


def machine() -> str:
    import scipy

    return (
        f"{platform.node()} | {platform.system()} {platform.machine()} | "
        f"{os.cpu_count()} CPU(s) | Python {platform.python_version()} | "
        f"numpy {np.__version__} | pandas {pd.__version__} | scipy {scipy.__version__} | "
        f"load average {load_average()}"
    )


def load_average() -> str:
    """The 1-minute load average: other work on the machine slows every stage down."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def prepare(data: Path, participants: int, cohort_size: int, seed: int, console: Any) -> str:
    """Write the instrument and the CSV into ``data`` (reused if made with the same settings)."""
    settings = {"participants": participants, "cohort_size": cohort_size, "seed": seed}
    stamp = data / "settings.json"
    csv = data / "national.csv"
    if stamp.exists() and csv.exists() and json.loads(stamp.read_text()) == settings:
        return f"Reusing {csv} ({csv.stat().st_size / 1e6:.0f} MB)"
    with console.status(f"Generating {participants:,} participants ..."):
        start = time.perf_counter()
        write_instrument(data)
        frame = generate(participants, cohort_size, seed)
        frame.to_csv(csv, index=False, lineterminator="\n")
        stamp.write_text(json.dumps(settings))
        return (
            f"{len(frame):,} rows x {frame.shape[1]} columns, "
            f"{frame['cohort'].nunique():,} cohorts, {csv.stat().st_size / 1e6:.0f} MB CSV "
            f"(generated and written in {time.perf_counter() - start:.1f} s, not timed)"
        )


# --------------------------------------------------------------------------------------------
# Growth: the same stages at several sizes


def size_label(participants: int) -> str:
    """The folder name of a size: 20000 -> "20k", 1000000 -> "1m", 12345 -> "12345"."""
    if participants % 1_000_000 == 0:
        return f"{participants // 1_000_000}m"
    if participants % 1_000 == 0:
        return f"{participants // 1_000}k"
    return str(participants)


def parse_sizes(text: str) -> list[int]:
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("--sizes takes positive whole numbers, e.g. 20000,200000")
    return sorted(set(sizes))


def growth_markdown(growth: list[dict[str, Any]], stages: list[str]) -> str:
    """One row per size: rows, then seconds and peak MB of each stage, and cli per 100k."""
    header = ["participants", "rows"]
    for stage in stages:
        header += [f"{stage} s (CPU s)", f"{stage} MB"]
    last = stages[-1]
    header.append(f"{last} s per 100,000 participants")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    for size in growth:
        by_stage = {result["stage"]: result for result in size["results"]}
        cells = [f"{size['participants']:,}", f"{size['rows']:,}"]
        for stage in stages:
            result = by_stage.get(stage, {"error": "not run"})
            if "error" in result:
                cells += ["failed", ""]
            else:
                cpu = result.get("cpu_seconds")
                cells += [
                    f"{result['seconds']:.2f}" + (f" ({cpu:.2f})" if cpu is not None else ""),
                    f"{result['peak_rss_mb']:,.0f}",
                ]
        tail = by_stage.get(last, {"error": ""})
        cells.append(
            f"{tail['seconds'] / size['participants'] * 100_000:.2f}" if "error" not in tail else ""
        )
        lines.append("| " + " | ".join(cells) + " |")
    remarks = [
        f"- {size['participants']:,} participants, {result['stage']}: "
        + (f"failed: {result['error']}" if "error" in result else result["note"])
        for size in growth
        for result in size["results"]
        if "error" in result or result.get("note")
    ]
    return "\n".join(lines + (["", *remarks] if remarks else []))


def draw_growth_chart(growth: list[dict[str, Any]], stages: list[str], path: Path) -> None:
    """Seconds and peak memory of each stage against participants, both axes logarithmic.

    A dotted line through the smallest size's figure, slope 1, shows where strictly linear
    growth would put each larger size.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullLocator

    sizes = [size["participants"] for size in growth]
    # Issue 19's targets for a million participants: under 30 s and under 3 GB.
    target = {"seconds": 30.0, "peak_rss_mb": 3000.0}
    target_text = {"seconds": "target at 1m: 30 s", "peak_rss_mb": "target at 1m: 3 GB"}
    figure, axes = plt.subplots(1, 2, figsize=(11, 5.2), constrained_layout=True)
    markers = "osD^v<>"
    for position, (key, label, axis) in enumerate(
        (("seconds", "seconds", axes[0]), ("peak_rss_mb", "peak memory (MB)", axes[1]))
    ):
        for index, stage in enumerate(stages):
            points = [
                (size["participants"], result[key])
                for size in growth
                for result in size["results"]
                if result["stage"] == stage and "error" not in result
            ]
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            line = axis.plot(
                xs, ys, marker=markers[index % len(markers)], label=f"{stage}: {STAGES[stage]}"
            )[0]
            if position == 0 and len(xs) > 1:
                axis.plot(
                    [xs[0], xs[-1]],
                    [ys[0], ys[0] * xs[-1] / xs[0]],
                    linestyle=":",
                    color=line.get_color(),
                    linewidth=1,
                )
        axis.axhline(target[key], color="grey", linestyle="--", linewidth=1)
        axis.annotate(
            target_text[key],
            (sizes[0], target[key]),
            textcoords="offset points",
            xytext=(2, 3),
            fontsize=8,
            color="grey",
        )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xticks(sizes)
        axis.xaxis.set_minor_locator(NullLocator())
        axis.set_xticklabels([size_label(size) for size in sizes])
        axis.set_xlabel("participants (each answers a pre- and a post-test; log scale)")
        axis.set_ylabel(f"{label} (log scale)")
        axis.grid(True, which="both", alpha=0.3)
        axis.yaxis.set_major_formatter(FuncFormatter(_plain_number))
        axis.yaxis.set_minor_formatter(FuncFormatter(_two_and_five))
    axes[0].set_title("Time per stage (dotted: linear growth from the smallest size)")
    axes[1].set_title("Peak resident memory of the process")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    loads = [
        float(size["load_average_after"])
        for size in growth
        if str(size.get("load_average_after", "")).replace(".", "", 1).isdigit()
    ]
    during = f", 1-min load average {min(loads):.1f} to {max(loads):.1f}" if loads else ""
    figure.suptitle(
        f"imheval national benchmark, 40 items, cohorts of 20 "
        f"({growth[0].get('machine', '')}{during})",
        fontsize=9,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _plain_number(value: float, _: object = None) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def _two_and_five(value: float, _: object = None) -> str:
    """Label the minor ticks 2 and 5 of each decade of a log axis, leaving the others bare."""
    if value <= 0:
        return ""
    mantissa = round(value / 10 ** math.floor(math.log10(value)), 6)
    return _plain_number(value) if mantissa in (2.0, 5.0) else ""


def run_growth(args: argparse.Namespace, stages: list[str], console: Any) -> None:
    """Measure ``stages`` at each of ``args.sizes``; print the table, draw the chart."""
    from rich.table import Table

    growth: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="imheval-bench-") as scratch:
        base = args.keep or Path(scratch)
        for participants in args.sizes:
            data = base / size_label(participants)
            data.mkdir(parents=True, exist_ok=True)
            console.print(prepare(data, participants, args.cohort_size, args.seed, console))
            results = []
            for stage in stages:
                runs = []
                for attempt in range(1, max(1, args.repeat) + 1):
                    with console.status(f"{participants:,}: {stage} ({attempt}) ..."):
                        runs.append(measure(stage, data, False, args.timeout))
                best = fastest(runs)
                results.append(best)
                outcome = best.get("error") or (
                    f"{best['seconds']:.2f} s (CPU {best.get('cpu_seconds', math.nan):.2f} s), "
                    f"{best['peak_rss_mb']:,.0f} MB"
                )
                console.print(f"  {participants:>9,} {stage:11} {outcome} (load {load_average()})")
            rows = sum(1 for _ in (data / "national.csv").open("rb")) - 1
            growth.append(
                {
                    "participants": participants,
                    "rows": rows,
                    "results": results,
                    "load_average_after": load_average(),
                    "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
                }
            )

    table = Table(title="imheval national benchmark: growth (seconds / peak RSS MB)")
    table.add_column("participants", justify="right")
    table.add_column("rows", justify="right")
    for stage in stages:
        table.add_column(stage, justify="right")
    for size in growth:
        by_stage = {result["stage"]: result for result in size["results"]}
        cells = []
        for stage in stages:
            result = by_stage[stage]
            cells.append(
                "failed"
                if "error" in result
                else f"{result['seconds']:.2f} s / {result['peak_rss_mb']:,.0f} MB"
            )
        table.add_row(f"{size['participants']:,}", f"{size['rows']:,}", *cells)
    console.print(table)
    console.print(f"Load average after the run: {load_average()}")
    for size in growth:
        for result in size["results"]:
            if "error" in result:
                console.print(
                    f"[red]{size['participants']:,} {result['stage']} failed:[/red] "
                    f"{result['error']}"
                )
    print()
    print(growth_markdown(growth, stages))
    if args.results:
        args.results.write_text(json.dumps({"stages": stages, "growth": growth}, indent=2))
    if args.chart:
        draw_growth_chart(growth, stages, args.chart)
        console.print(f"Chart: {args.chart}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=200_000)
    parser.add_argument("--cohort-size", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument(
        "--stages",
        help=f"comma-separated, from {', '.join(STAGES)} (default: all; with --sizes: "
        f"{','.join(GROWTH_STAGES)})",
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        help="measure at each of these numbers of participants (comma-separated, e.g. "
        "20000,50000,200000,1000000); with --keep DIR the data go in DIR/20k, DIR/1m, ...",
    )
    parser.add_argument("--chart", type=Path, help="with --sizes: draw the growth chart (PNG)")
    parser.add_argument("--results", type=Path, help="with --sizes: keep the figures as JSON")
    parser.add_argument(
        "--chart-from", type=Path, help="draw --chart from a --results file, measuring nothing"
    )
    parser.add_argument("--profile", metavar="STAGE", help="cProfile this stage (to stderr)")
    parser.add_argument(
        "--keep", type=Path, help="write the data here and keep it (reused by the next run)"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per stage")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure each stage this many times (each in a fresh process); the table shows "
        "the fastest run, the least disturbed by other work on the machine",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(run_stage(args.worker, args.data, args.profile_worker)))
        return

    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=110)  # a readable table when the output goes to a file
    default_stages = GROWTH_STAGES if args.sizes or args.chart_from else tuple(STAGES)
    stages = [s.strip() for s in (args.stages or ",".join(default_stages)).split(",") if s.strip()]
    unknown = [s for s in stages if s not in STAGES]
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; choose from {', '.join(STAGES)}")
    if args.chart_from:
        if not args.chart:
            parser.error("--chart-from needs --chart PATH")
        kept = json.loads(args.chart_from.read_text())
        print(growth_markdown(kept["growth"], kept["stages"]))
        draw_growth_chart(kept["growth"], kept["stages"], args.chart)
        return
    if args.sizes:
        if args.profile:
            parser.error("--profile measures one size; leave out --sizes")
        run_growth(args, stages, console)
        return
    if args.profile:
        stages = [args.profile]

    with tempfile.TemporaryDirectory(prefix="imheval-bench-") as scratch:
        data = args.keep or Path(scratch)
        data.mkdir(parents=True, exist_ok=True)
        summary = prepare(data, args.participants, args.cohort_size, args.seed, console)
        console.print(summary)
        console.print(machine())

        results = []
        for stage in stages:
            runs = []
            for attempt in range(1, max(1, args.repeat) + 1):
                with console.status(f"Measuring {stage} in a fresh process ({attempt}) ..."):
                    runs.append(measure(stage, data, args.profile == stage, args.timeout))
            results.append(fastest(runs))

    table = Table(title=f"imheval national benchmark ({args.participants:,} participants)")
    table.add_column("stage")
    table.add_column("what")
    table.add_column("seconds", justify="right")
    table.add_column("CPU s", justify="right")
    if args.repeat > 1:
        table.add_column("slowest", justify="right")
    table.add_column("rows/s", justify="right")
    table.add_column("peak RSS MB", justify="right")
    for result in results:
        if "error" in result:
            table.add_row(result["stage"], STAGES[result["stage"]], "failed")
            continue
        seconds = result["seconds"]
        rate = (
            f"{result['rows'] / seconds:,.0f}"
            if seconds > 0 and result["stage"] != "import"
            else ""
        )
        slowest = [f"{result['slowest']:.2f}"] if args.repeat > 1 else []
        table.add_row(
            result["stage"],
            STAGES[result["stage"]],
            f"{seconds:.2f}",
            f"{result.get('cpu_seconds', math.nan):.2f}",
            *slowest,
            rate,
            f"{result['peak_rss_mb']:.0f}",
        )
    console.print(table)
    console.print(f"Load average after the run: {load_average()}")
    for result in results:
        if "error" in result:
            console.print(f"[red]{result['stage']} failed:[/red] {result['error']}")
        elif result.get("note"):
            console.print(f"{result['stage']}: {result['note']}")
    headline = next((r for r in results if r["stage"] == HEADLINE and "error" not in r), None)
    if headline is not None:
        console.print(
            f"End to end: {headline['seconds']:.1f} s (target < 20 s), peak "
            f"{headline['peak_rss_mb']:.0f} MB (target < 2048 MB)."
        )


if __name__ == "__main__":
    main()
