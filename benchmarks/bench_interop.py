"""How long converting another system's export takes: REDCap, LimeSurvey, FHIR, Microsoft Forms.

    python benchmarks/bench_interop.py                  # the demo study x 100 (15,400 responses)
    python benchmarks/bench_interop.py --copies 10      # a quicker run
    python benchmarks/bench_interop.py --systems redcap,fhir

The files are the demo study's own fixtures (tests/interop/data/demo/make_demo_fixtures.py:
the demo's answers written as each system exports them), made from ``--copies`` copies of the
demo (each copy's codes and cohorts renamed, so every response is distinct). Generating them is
not timed. Each system is then converted in its own fresh Python process, which times
``imheval.interop.convert`` (reading, mapping, the tidy frame) and, apart, the check that
``imheval analyse`` would make of the converted rows (``conversion_table``), and reports the
peak resident memory (VmHWM) of the process. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
MAKER = ROOT / "tests" / "interop" / "data" / "demo" / "make_demo_fixtures.py"
SYSTEMS = ("redcap", "limesurvey", "fhir", "msforms")


def _maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo_fixtures", MAKER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_files(folder: Path, copies: int) -> int:
    """Write every system's files for ``copies`` copies of the demo into ``folder``."""
    maker = _maker()
    maker.HERE = folder
    instrument = maker.demo_instrument()
    demo = maker.demo_rows()
    rows = []
    for copy in range(copies):
        for row in demo:
            renamed = dict(row)
            renamed["participant"] = f"{row['participant']}-{copy}" if row["participant"] else ""
            renamed["cohort"] = f"{row['cohort']}-{copy}"
            rows.append(renamed)
    printing = maker.print if hasattr(maker, "print") else None
    maker.print = lambda *args, **kwargs: None  # the maker lists each file it writes
    for make in (maker.redcap, maker.limesurvey, maker.fhir, maker.msforms):
        make(instrument, rows)
    if printing is not None:
        maker.print = printing
    (folder / "imh-demo.yaml").write_text(maker.instrument_to_yaml(instrument), encoding="utf-8")
    return len(rows)


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_stage(system: str, folder: Path) -> dict[str, float | int | str]:
    """Convert ``system``'s files in ``folder`` (in this process); the figures."""
    from imheval.instruments import load_instrument
    from imheval.interop import ResponseOptions, SourceFile, System, convert
    from imheval.interop.output import conversion_table

    sources: list[SourceFile]
    structure: SourceFile | None = None
    instrument = None
    options = ResponseOptions()
    if system == "redcap":
        sources = [SourceFile.read(folder / "redcap" / "records-longitudinal.csv")]
        structure = SourceFile.read(folder / "redcap" / "imh-demo-dictionary.csv")
    elif system == "limesurvey":
        sources = [SourceFile.read(folder / "limesurvey" / "responses-codes.csv")]
        structure = SourceFile.read(folder / "limesurvey" / "imh-demo.lss")
    elif system == "fhir":
        sources = [SourceFile.read(folder / "fhir" / "imh-demo-responses.json")]
        structure = SourceFile.read(folder / "fhir" / "imh-demo-questionnaire.json")
    else:
        sources = [
            SourceFile.read(folder / "msforms" / "pre.xlsx"),
            SourceFile.read(folder / "msforms" / "post.xlsx"),
        ]
        instrument = load_instrument(folder / "imh-demo.yaml")
        options = ResponseOptions(timepoints={"pre.xlsx": "pre", "post.xlsx": "post"})
    size = sum(len(source.data) for source in sources)
    started = time.perf_counter()
    conversion = convert(
        sources, System(system), structure=structure, instrument=instrument, options=options
    )
    converted = time.perf_counter() - started
    started = time.perf_counter()
    conversion_table(conversion)
    checked = time.perf_counter() - started
    responses = conversion.responses
    count = 0 if responses is None else len(responses.frame)
    return {
        "system": system,
        "megabytes": size / 1e6,
        "responses": count,
        "convert_s": converted,
        "check_s": checked,
        "peak_mb": _peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.folder)))
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        rows = make_files(folder, args.copies)
        print(
            f"{args.copies} copies of the demo: {rows:,} responses; Python "
            f"{platform.python_version()}, {platform.machine()}"
        )
        print(
            f"{'system':<11} {'MB':>6} {'responses':>10} {'convert s':>10} {'check s':>8} "
            f"{'peak MB':>8}"
        )
        for system in args.systems.split(","):
            out = subprocess.run(
                [sys.executable, __file__, "--stage", system, "--folder", str(folder)],
                capture_output=True,
                text=True,
            )
            if out.returncode:
                sys.exit(f"{system} failed:\n{out.stderr}")
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{figures['system']:<11} {figures['megabytes']:>6.1f} "
                f"{figures['responses']:>10,} {figures['convert_s']:>10.2f} "
                f"{figures['check_s']:>8.2f} {figures['peak_mb']:>8.0f}"
            )


if __name__ == "__main__":
    main()
