"""Do organisations differ? The multilevel model at a region's scale: 12 organisations, 1,500
cohorts (issue 16 part 4). Prints figures; asserts nothing.

    python benchmarks/bench_organisations.py
    python benchmarks/bench_organisations.py --cohorts 6000 --repeat 3

Simulates cohort summaries (n from 1 to 30 people, the mean and SD of their gains, with a
true difference between organisations and between cohorts), then times
:func:`imheval.stats.organisations.compare_organisations` on them: the two REML fits (with
and without the organisation term), the Satterthwaite df and the organisations' means. The fit
costs the number of cohorts per likelihood evaluation, never the number of people.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time

from imheval.stats.organisations import CohortSummary, compare_organisations


def summaries(organisations: int, cohorts: int, seed: int = 16) -> list[CohortSummary]:
    """Cohort summaries: gain = 15 + organisation (SD 5) + cohort (SD 3) + person (SD 12)."""
    rng = random.Random(seed)
    effects = [rng.gauss(0.0, 5.0) for _ in range(organisations)]
    rows = []
    for index in range(cohorts):
        k = index % organisations
        n = rng.randint(1, 30)
        centre = 15.0 + effects[k] + rng.gauss(0.0, 3.0)
        gains = [centre + rng.gauss(0.0, 12.0) for _ in range(n)]
        rows.append(
            CohortSummary(
                organisation=f"Board {k + 1:02d}",
                cohort=f"Cohort {index // organisations + 1}",
                n=n,
                mean=statistics.fmean(gains),
                sd=statistics.stdev(gains) if n > 1 else None,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=12)
    parser.add_argument("--cohorts", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cohorts = summaries(args.organisations, args.cohorts)
    people = sum(c.n for c in cohorts)
    compare_organisations(cohorts)  # warm-up: imports scipy's optimisers
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = compare_organisations(cohorts)
        times.append(time.perf_counter() - start)
    print(f"Python {platform.python_version()} on {platform.machine()}")
    print(
        f"{args.organisations} organisations, {len(cohorts):,} cohorts, {people:,} people: "
        f"median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms "
        f"over {args.repeat} runs"
    )
    print(
        f"mean gain {result.mean_gain:.2f} (df {result.df:.1f}); variances: organisation "
        f"{result.variance_organisation:.2f}, cohort {result.variance_cohort:.2f}, residual "
        f"{result.variance_residual:.2f}; p = {result.p_value:.3g}"
    )
    print(result.plain_sentence())


if __name__ == "__main__":
    main()
