"""Workforce coverage at a region's scale: 12 organisations, 40,000 staff, about 60,000 training
records (the core part of issue 16's benchmark). Prints figures; asserts nothing.

    python benchmarks/bench_coverage.py
    python benchmarks/bench_coverage.py --staff 4000 --keep benchmarks/output/coverage

It writes three CSV files (the establishment: 12 organisations x 6 services x 4 professions;
training: about 1.5 records per member of staff, at the four NES levels, some people moved
service; requirements: 24 service-profession-level targets, some with a refresh interval and an
interim point), then times reading each file and computing coverage, in this process, with the
peak resident memory of the process at the end.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import random
import tempfile
import time
from pathlib import Path

from imheval.workforce.coverage import coverage
from imheval.workforce.ladder import BUILT_IN
from imheval.workforce.read import read_establishment, read_requirements, read_training

ORGANISATIONS = [f"Board {n:02d}" for n in range(1, 13)]
SERVICES = [
    "Health visiting",
    "Maternity",
    "Perinatal mental health",
    "Neonatal",
    "Early years",
    "Infant mental health",
]
PROFESSIONS = ["Nurse", "Midwife", "Psychologist", "Support worker"]
LEVELS = BUILT_IN["nes"].levels
AS_OF = datetime.date(2027, 3, 31)


def write_inputs(folder: Path, staff: int, seed: int = 16) -> tuple[Path, Path, Path, int]:
    """The three files; returns their paths and the number of training records."""
    rng = random.Random(seed)
    posts = [(o, s, p) for o in ORGANISATIONS for s in SERVICES for p in PROFESSIONS]
    weights = [rng.uniform(0.5, 1.5) for _ in posts]
    total = sum(weights)
    headcounts = [max(1, round(staff * w / total)) for w in weights]
    establishment = folder / "establishment.csv"
    with establishment.open("w", encoding="utf-8") as out:
        out.write("organisation,service,profession,headcount\n")
        for (o, s, p), h in zip(posts, headcounts, strict=True):
            out.write(f"{o},{s},{p},{h}\n")
    training = folder / "training.csv"
    records = 0
    with training.open("w", encoding="utf-8") as out:
        out.write("person,organisation,service,profession,level,completed_on\n")
        for (o, s, p), h in zip(posts, headcounts, strict=True):
            for n in range(h):
                person = f"{s[:3]}{p[:3]}{n}"
                # ~1.5 records per person on average: 0 to 3 courses, rising levels.
                courses = rng.choices((0, 1, 2, 3), weights=(15, 35, 35, 15))[0]
                level = rng.randrange(len(LEVELS))
                day = AS_OF - datetime.timedelta(days=rng.randrange(6 * 365))
                for _ in range(courses):
                    service = s if rng.random() > 0.05 else rng.choice(SERVICES)
                    out.write(f"{person},{o},{service},{p},{LEVELS[level]},{day.isoformat()}\n")
                    records += 1
                    level = min(level + 1, len(LEVELS) - 1)
                    day = day + datetime.timedelta(days=rng.randrange(1, 400))
    requirements = folder / "required.csv"
    with requirements.open("w", encoding="utf-8") as out:
        out.write("service,profession,level,target_percent,by_date,refresh_years\n")
        for i, (s, p) in enumerate((s, p) for s in SERVICES for p in PROFESSIONS):
            level = LEVELS[i % len(LEVELS)]
            refresh = "3" if i % 3 == 0 else ""
            out.write(f"{s},{p},{level},90,2028-03-31,{refresh}\n")
            if i % 2 == 0:
                out.write(f"{s},{p},{level},60,2027-03-31,{refresh}\n")
    return establishment, training, requirements, records


def peak_rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=40_000)
    parser.add_argument("--keep", type=Path, default=None, help="write the files here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        establishment, training, requirements, records = write_inputs(folder, args.staff)
        ladder = BUILT_IN["nes"]
        timings: list[tuple[str, float]] = []

        start = time.perf_counter()
        posts = read_establishment(establishment)
        timings.append(("read establishment", time.perf_counter() - start))
        start = time.perf_counter()
        training_records = read_training(training, ladder)
        timings.append(("read training", time.perf_counter() - start))
        start = time.perf_counter()
        required = read_requirements(requirements, ladder)
        timings.append(("read requirements", time.perf_counter() - start))
        start = time.perf_counter()
        result = coverage(posts, training_records, required, as_of=AS_OF, ladder=ladder)
        timings.append(("coverage", time.perf_counter() - start))
        start = time.perf_counter()
        result.to_dict()
        timings.append(("to_dict", time.perf_counter() - start))

    staff = sum(post.headcount for post in posts)
    print(
        f"{len(ORGANISATIONS)} organisations, {len(posts)} establishment rows, {staff:,} staff, "
        f"{records:,} training records, {len(required)} requirements -> {len(result.rows):,} rows"
    )
    print(f"Python {platform.python_version()} on {platform.machine()}")
    for name, seconds in timings:
        print(f"  {name:<20} {seconds * 1000:9.1f} ms")
    total = sum(seconds for _, seconds in timings)
    print(f"  {'total':<20} {total * 1000:9.1f} ms")
    print(f"  peak RSS {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
