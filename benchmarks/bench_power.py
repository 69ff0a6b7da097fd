"""Planning benchmark: the time of ``plan_study`` and of simulated studies (``design_power``).

    python benchmarks/bench_power.py                          # plans, then 1,000 studies of 5 x 20
    python benchmarks/bench_power.py --studies 200 --cohorts 8 --cohort-size 12
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_power.py   # one BLAS thread (see below)

It times ``plan_study`` over a grid of designs (effect, power, cohort size, ICC, attrition;
both modes), and ``design_power`` with ``--studies`` simulated studies of ``--cohorts`` cohorts
of ``--cohort-size`` people (ICC 0.05, attrition 20%, d_z 0.5), which fits imheval's mixed model
once per study. It prints wall and CPU time (CPU is steadier on a shared machine) and the
simulated powers with their Monte Carlo SEs beside the closed forms. Nothing asserts on time.

Each mixed-model fit is many small matrix operations; on a machine with few cores and other
work, OpenBLAS's threads spin against each other and a fit takes several times longer. Setting
``OPENBLAS_NUM_THREADS=1`` (before Python starts) avoids that.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time

from imheval.stats.power import design_power, plan_study


def _time_plans(repeats: int) -> tuple[int, float, float]:
    grid = list(
        itertools.product(
            (0.2, 0.35, 0.5, 0.8),  # effect
            (0.8, 0.9),  # power
            (None, 12, 20),  # cohort size
            (0.0, 0.05, 0.1),  # icc (with a cohort size)
            (0.0, 0.2),  # attrition
        )
    )
    wall, cpu = time.perf_counter(), time.process_time()
    count = 0
    for _ in range(repeats):
        for effect, power, size, icc, attrition in grid:
            kwargs = {"cohort_size": size, "icc": icc if size else None, "attrition": attrition}
            plan = plan_study(effect, power=power, **kwargs)  # type: ignore[arg-type]
            plan_study(effect, people=plan.people_needed, **kwargs)  # type: ignore[arg-type]
            count += 2
    return count, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=1000, help="simulated studies")
    parser.add_argument("--cohorts", type=int, default=5)
    parser.add_argument("--cohort-size", type=int, default=20)
    parser.add_argument("--plan-repeats", type=int, default=5, help="passes over the plan grid")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}")
    count, wall, cpu = _time_plans(args.plan_repeats)
    print(
        f"plan_study: {count} plans in {wall:.2f} s wall, {cpu:.2f} s CPU "
        f"({1000 * wall / count:.2f} ms wall per plan)"
    )

    wall, cpu = time.perf_counter(), time.process_time()
    design = design_power(
        args.cohorts,
        args.cohort_size,
        0.5,
        icc=0.05,
        attrition=0.2,
        simulate=args.studies,
        seed=args.seed,
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"design_power: {args.studies} simulated studies of {args.cohorts} x {args.cohort_size} "
        f"in {wall:.1f} s wall, {cpu:.1f} s CPU ({1000 * wall / max(args.studies, 1):.0f} ms "
        "wall per study)"
    )
    for row in design.analyses:
        closed = f"closed form {row.power:.4f}, " if row.method != "simulation" else ""
        print(
            f"  {row.analysis:<12} {closed}simulated {row.simulated_power:.4f} "
            f"(MC SE {row.standard_error:.4f}; failed {row.failed_simulations})"
        )


if __name__ == "__main__":
    main()
