"""Report benchmark: time to build each report format for the demo and a 100-cohort study.

    python benchmarks/bench_reports.py              # demo study and 102 cohorts, 2 repeats
    python benchmarks/bench_reports.py --repeat 3 --cohort-copies 17

The demo study is the packaged one (6 cohorts, 86 people, 4 domains). The large study repeats
the demo's design with fresh people: ``--cohort-copies`` copies of the 6 demo cohorts, each
generated with another seed and renamed (17 copies = 102 cohorts, about 1,450 people).
Evaluation is done once, untimed; each format is then timed from the Evaluation to the written
file (``build_report`` + render + write), best of ``--repeat`` runs in one warm process
(WeasyPrint, python-docx and matplotlib already imported; their import times are printed
separately). "pdf: WeasyPrint only" times the PDF from an already built Report, so the PDF's
time splits into drawing the charts (``build_report``) and WeasyPrint. Each row gives the wall
time and the process's CPU time of its best run: on a shared machine the CPU time is the
steadier of the two. Nothing asserts on time; the figures go into docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per format; best is kept")
    parser.add_argument("--cohort-copies", type=int, default=17, help="copies of 6 cohorts")
    args = parser.parse_args()

    import_times = {
        module: _import_seconds(module)
        for module in ("imheval", "imheval.reports", "weasyprint", "docx", "matplotlib.pyplot")
    }

    from imheval import evaluate_file
    from imheval.demo import demo_instruments, demo_path
    from imheval.demo.generate import generate_demo, write_csv
    from imheval.reports import build_report, write_report
    from imheval.reports.pdf import write_pdf

    instruments = list(demo_instruments())
    with tempfile.TemporaryDirectory() as folder:
        large_csv = Path(folder) / "large.csv"
        frames = []
        for copy in range(args.cohort_copies):
            frame = generate_demo(seed=1000 + copy)
            frames.append(frame.assign(cohort=frame["cohort"] + f"-{copy + 1:02d}"))
        write_csv(pd.concat(frames, ignore_index=True), large_csv)
        studies = {
            "demo": evaluate_file(demo_path(), instruments),
            "large": evaluate_file(large_csv, instruments),
        }
        rows: list[tuple[str, str, tuple[float, float], str]] = []
        for name, evaluation in studies.items():
            cohorts = len(evaluation.matched.cohorts)
            people = len(evaluation.matched.people)
            label = f"{name} ({cohorts} cohorts, {people:,} people)"
            rows.append(
                (label, "build_report", _best(partial(build_report, evaluation), args.repeat), "")
            )
            for extension in (".html", ".pdf", ".docx"):
                target = Path(folder) / f"{name}{extension}"
                seconds = _best(partial(write_report, evaluation, target), args.repeat)
                rows.append((label, extension, seconds, _size(target)))
            report = build_report(evaluation)
            target = Path(folder) / f"{name}-only.pdf"
            seconds = _best(partial(write_pdf, report, target), args.repeat)
            rows.append((label, "pdf: WeasyPrint only", seconds, _size(target)))

    print(
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print()
    print("| module | import seconds (fresh process) |")
    print("|---|---:|")
    for module, import_seconds in import_times.items():
        print(f"| {module} | {import_seconds:.2f} |")
    print()
    print(f"| study | format | seconds (best of {args.repeat}) | CPU seconds | file size |")
    print("|---|---|---:|---:|---:|")
    for label, kind, (wall, cpu), size in rows:
        print(f"| {label} | {kind} | {wall:.2f} | {cpu:.2f} | {size} |")


def _best(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Wall and CPU seconds of the fastest of ``repeat`` runs."""
    best = (float("inf"), float("inf"))
    for _ in range(max(repeat, 1)):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        best = min(best, (time.perf_counter() - start, time.process_time() - start_cpu))
    return best


def _import_seconds(module: str) -> float:
    code = f"import time; s = time.perf_counter(); import {module}; print(time.perf_counter() - s)"
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return float(result.stdout.strip())


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1024:,.0f} KB" if path.exists() else "-"


if __name__ == "__main__":
    main()
