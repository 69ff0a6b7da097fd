"""Hostile-file benchmark: the time and memory of reading each file shape of issue 10's attack.

    python benchmarks/bench_hostile_files.py                       # this checkout
    python benchmarks/bench_hostile_files.py --src ../old/src      # another source tree, e.g.
        # git archive <commit> src | tar -x -C ../old   (a "before" run)

Each shape is built at the size of the original attack by tests/io/hostile_files.py (the same
builders the regression tests use, at small sizes) and read by ``read_responses`` in a fresh
Python process, which is stopped after ``--timeout`` seconds. A row gives the wall time, the
peak resident memory of that process and what the reader said (rows read, or the start of its
refusal). Nothing asserts on time; the figures go into docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "io"))

from hostile_files import (  # noqa: E402  (the builders live beside the tests that use them)
    repeated_code_csv,
    tall_sparse_xlsx,
    wide_csv,
    xfd_xlsx,
    zip_bomb_xlsx,
)

SHAPES = {
    "wide CSV: 3,000 blank header cells": lambda folder: wide_csv(folder, 3_000, rows=2),
    "XLSX: one cell at XFD1": lambda folder: xfd_xlsx(folder, rows=3),
    "XLSX: XFD1 + 20,000 rows": lambda folder: tall_sparse_xlsx(folder, rows=20_000),
    "XLSX zip bomb: 120 KB -> 30 MB XML": lambda folder: zip_bomb_xlsx(folder, rows=200_000),
    "CSV: one code on 200,000 rows": lambda folder: repeated_code_csv(folder, rows=200_000),
}

_CHILD = """
import resource, sys, time
from imheval.errors import ImhevalError
from imheval.io import read_responses
start = time.perf_counter()
try:
    outcome = f"read {read_responses(sys.argv[1]).n_rows:,} rows"
except ImhevalError as error:
    text = str(error)
    outcome = f"refused ({len(text):,} chars): " + text.splitlines()[0][:90]
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{seconds:.2f}\\t{peak:.0f}\\t{outcome}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="source tree to run")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before stopping")
    args = parser.parse_args()
    environment = dict(os.environ, PYTHONPATH=str(args.src.resolve()))
    print(f"source: {args.src}   timeout: {args.timeout:.0f} s")
    print(f"{'shape':<38} {'size':>9} {'seconds':>8} {'peak MB':>8}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name, build in SHAPES.items():
            shape_folder = Path(folder) / str(len(os.listdir(folder)))
            shape_folder.mkdir()
            path = build(shape_folder)
            size = f"{path.stat().st_size / 1000:,.0f} KB"
            started = time.perf_counter()
            try:
                done = subprocess.run(
                    [sys.executable, "-c", _CHILD, str(path)],
                    env=environment,
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                print(
                    f"{name:<38} {size:>9} {'>' + format(args.timeout, '.0f'):>8} {'':>8}  stopped"
                )
                continue
            if done.returncode != 0:
                lines = (done.stderr.strip().splitlines() or ["?"])[-1]
                wall = time.perf_counter() - started
                print(f"{name:<38} {size:>9} {wall:>8.2f} {'':>8}  crashed: {lines[:90]}")
                continue
            seconds, peak, outcome = done.stdout.strip().split("\t", 2)
            print(f"{name:<38} {size:>9} {seconds:>8} {peak:>8}  {outcome}")


if __name__ == "__main__":
    main()
