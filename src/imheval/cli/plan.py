"""``imheval plan``: the terminal face of :mod:`imheval.stats.power` (planning a study).

Two questions. Without ``--cohorts``: the people (and cohorts) needed for a target power, or the
power of the people enrolled (the contract for scripts, issue 18: ``--json`` writes
:meth:`~imheval.stats.power.StudyPlan.to_dict`). With ``--cohorts K --cohort-size M``: the power
of the participant-level, cohort-level and mixed-model analyses of that design and the smallest
effect each detects, optionally by seeded simulation (``--simulate N --seed S``, with a progress
bar). Inputs are checked by :func:`imheval.stats.planning.plan_input_problems`, the same checks
as the web page's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from imheval.cli.shell import app, console, err_console, run_safely, write_json
from imheval.errors import ImhevalError

if TYPE_CHECKING:
    from imheval.stats.planning import PlanInputs
    from imheval.stats.power import DesignPower, PowerProgress, StudyPlan

# The statistics and their wording are imported inside the functions that use them, so that the
# command line starts without scipy.

#: The option each input is given with, for error messages.
OPTION_NAMES = {
    "effect": "--effect",
    "power": "--power",
    "people": "--people",
    "alpha": "--alpha",
    "cohorts": "--cohorts",
    "cohort_size": "--cohort-size",
    "icc": "--icc",
    "attrition": "--attrition",
    "simulate": "--simulate",
}

#: The target power when neither --power nor --people is given.
DEFAULT_POWER = 0.8


class PlanInputError(ImhevalError, ValueError):
    """Raised when the options of ``imheval plan`` cannot answer a question."""


@app.command(
    help=(
        "Plan a study: the people and cohorts needed to detect an expected change, the power of "
        "the people you can enrol, or what a design of cohorts can detect.\n\n"
        "The effect is d_z, the mean change divided by the standard deviation of the change "
        "(the paired t-test's effect size). Two-sided tests. Without --cohorts: the people "
        "needed for --power (default 0.8) or the power of --people enrolled, for the paired "
        "t-test on people; --cohort-size with --icc (the ICC of the change scores within "
        "cohorts) allows for people in a cohort being alike, --attrition for people who do not "
        "return. With --cohorts and --cohort-size: the power of the participant-level, "
        "cohort-level (the paired t-test on cohort means) and mixed-model analyses of that "
        "design, and the smallest effect each detects with 80% power; --simulate N runs N "
        "seeded simulated studies for the mixed model.\n\n"
        "Example: imheval plan --effect 0.5 --power 0.8 --cohort-size 10 --icc 0.05 "
        "--attrition 0.15 --json plan.json\n\n"
        "Example: imheval plan --effect 0.5 --people 60\n\n"
        "Example: imheval plan --effect 0.8 --cohorts 5 --cohort-size 12 --icc 0.05 "
        "--simulate 1000 --seed 7"
    )
)
def plan(
    effect: Annotated[
        float | None,
        typer.Option(
            "--effect",
            help="The expected change as d_z (mean change / SD of the change), e.g. 0.5.",
            show_default=False,
        ),
    ] = None,
    power: Annotated[
        float | None,
        typer.Option(
            "--power",
            help="The chance of detecting the effect you want, e.g. 0.8 or 0.9 (default 0.8 "
            "when --people is not given).",
            show_default=False,
        ),
    ] = None,
    people: Annotated[
        int | None,
        typer.Option(
            "--people", help="People you can enrol: gives the power instead.", show_default=False
        ),
    ] = None,
    alpha: Annotated[float, typer.Option("--alpha", help="Two-sided significance level.")] = 0.05,
    cohorts: Annotated[
        int | None,
        typer.Option(
            "--cohorts",
            help="Number of cohorts of a design: gives the power of each analysis.",
            show_default=False,
        ),
    ] = None,
    cohort_size: Annotated[
        int | None,
        typer.Option("--cohort-size", help="People enrolled per cohort.", show_default=False),
    ] = None,
    icc: Annotated[
        float | None,
        typer.Option(
            "--icc",
            help="ICC of the change scores within cohorts (0 = people in a cohort no more "
            "alike than any others; 0.05 is a common guess). Needs --cohort-size.",
            show_default=False,
        ),
    ] = None,
    attrition: Annotated[
        float,
        typer.Option("--attrition", help="Share of people not returning: 0.15 for 15%."),
    ] = 0.0,
    simulate: Annotated[
        int,
        typer.Option(
            "--simulate",
            help="Simulated studies for the mixed model (with --cohorts); 0 for closed forms only.",
        ),
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 1,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write the answer as JSON to this file."),
    ] = None,
) -> None:
    def body() -> None:
        from imheval.stats.planning import PlanInputs, plan_input_problems
        from imheval.stats.power import plan_study

        inputs = PlanInputs(
            effect=effect,
            power=power,
            people=people,
            alpha=alpha,
            cohorts=cohorts,
            cohort_size=cohort_size,
            icc=icc,
            attrition=attrition,
            simulate=simulate,
        )
        problems = plan_input_problems(inputs)
        if problems:
            raise PlanInputError(
                "\n".join(f"{OPTION_NAMES[name]}: {text}" for name, text in problems.items())
            )
        assert effect is not None  # checked above
        try:
            render: Callable[[], None]
            if cohorts is not None and cohort_size is not None:
                design = _design(inputs, effect, cohorts, cohort_size, seed)
                render = partial(_render_design, design)
                document = design.to_dict()
            else:
                study = plan_study(
                    effect,
                    power=DEFAULT_POWER if power is None and people is None else power,
                    people=people,
                    alpha=alpha,
                    cohort_size=cohort_size,
                    icc=icc,
                    attrition=attrition,
                )
                render = partial(_render_plan, study)
                document = study.to_dict()
        except ValueError as error:
            raise PlanInputError(str(error)) from None
        # The file first: a script piping the terminal output to head must still get it.
        if json_path is not None:
            write_json(json_path, document)
        try:
            render()
        except ValueError as error:
            raise PlanInputError(str(error)) from None
        if json_path is not None:
            err_console.print(f"Wrote the plan to {json_path}")

    run_safely(body)


def _design(
    inputs: PlanInputs, effect: float, cohorts: int, cohort_size: int, seed: int
) -> DesignPower:
    from imheval.stats.power import design_power

    def compute(progress: PowerProgress | None = None) -> DesignPower:
        return design_power(
            cohorts,
            cohort_size,
            effect,
            icc=inputs.icc or 0.0,
            attrition=inputs.attrition,
            alpha=inputs.alpha,
            simulate=inputs.simulate,
            seed=seed,
            progress=progress,
        )

    if not inputs.simulate:
        return compute()
    with Progress(
        TextColumn("Simulating studies"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("studies", total=inputs.simulate)
        return compute(lambda done, total: bar.update(task, completed=done, total=total))


# --------------------------------------------------------------------------------------------
# Terminal output (rounding happens here only)


def _render_plan(study: StudyPlan) -> None:
    from imheval.reports.plan_words import (
        cohort_means_sentence,
        effect_text,
        percent,
        plan_sentence,
        power_figure,
    )
    from imheval.stats.planning import cohorts_needed

    console.rule(Text("imheval plan: the paired t-test on people", style="bold"))
    console.print(plan_sentence(study), soft_wrap=True)
    if study.target_power is not None and study.cohort_size is not None:
        needed = cohorts_needed(
            "cohort",
            study.cohort_size,
            study.effect,
            power=study.target_power,
            icc=study.icc or 0.0,
            attrition=study.attrition,
            alpha=study.alpha,
        )
        console.print(cohort_means_sentence(study, needed), soft_wrap=True)
    smallest = _smallest(study.pairs, study.alpha)
    if study.target_power is None and smallest is not None:
        console.print(
            f"The smallest change this detects with 80% power is d_z = {effect_text(smallest)}.",
            soft_wrap=True,
        )
    console.print()
    table = Table(title="The figures", title_justify="left")
    table.add_column("Figure")
    table.add_column("Value", justify="right")
    rows: list[tuple[str, str]] = [
        ("Effect (d_z)", effect_text(study.effect)),
        ("Alpha", f"{study.alpha:g}"),
    ]
    if study.target_power is not None:
        rows.append(("Target power", percent(study.target_power)))
    if study.people_given is not None:
        rows.append(("People enrolled", str(study.people_given)))
    rows.append(
        (
            "Pairs an unclustered study needs"
            if study.target_power is not None
            else "Effective pairs",
            f"{study.pairs:.2f}".rstrip("0").rstrip("."),
        )
    )
    if study.cohort_size is not None:
        rows.append(("Cohort size", str(study.cohort_size)))
        rows.append(("ICC of the change", f"{study.icc or 0:g}"))
    rows.append(("Design effect", f"{study.design_effect:.3f}"))
    rows.append(("Attrition", f"{study.attrition * 100:g}%"))
    rows.append(("People analysed", str(study.people_analysed)))
    if study.target_power is not None:
        rows.append(("People to enrol", str(study.people_needed)))
    if study.cohorts_needed is not None:
        cohorts_label = "Cohorts needed" if study.target_power is not None else "Cohorts"
        rows.append((cohorts_label, str(study.cohorts_needed)))
    rows.append(("Power", power_figure(study.power)))
    for label, value in rows:
        table.add_row(label, value)
    console.print(table)


def _smallest(pairs: float, alpha: float) -> float | None:
    if not (pairs > 1 and math.isfinite(pairs)):
        return None
    from imheval.stats.power import smallest_detectable_effect

    try:
        return smallest_detectable_effect(pairs, power=DEFAULT_POWER, alpha=alpha)
    except ValueError:
        return None


def _render_design(design: DesignPower) -> None:
    from imheval.reports.plan_words import (
        ANALYSIS_SHORT,
        design_sentences,
        effect_text,
        power_figure,
    )

    console.rule(Text("imheval plan: what a design can detect", style="bold"))
    enrolled = design.cohorts * design.cohort_size
    console.print(
        f"{design.cohorts} cohorts of {design.cohort_size} ({enrolled} people enrolled"
        + (f", {design.attrition * 100:g}% not returning" if design.attrition else "")
        + f"), ICC of the change within cohorts {design.icc:g}, two-sided alpha = "
        f"{design.alpha:g}.",
        soft_wrap=True,
    )
    for sentence in design_sentences(design):
        console.print(f"• {sentence}", soft_wrap=True)
    if design.clustering_note:
        console.print(design.clustering_note, soft_wrap=True)
    console.print()
    smallest = dict(design.smallest_detectable)
    table = Table(title=f"Power to detect d_z = {effect_text(design.effect)}", title_justify="left")
    columns = ["Analysis", "Power", "Method", "df"]
    if design.simulations:
        columns.append(f"Simulated ({design.simulations:,}, SE)")
        columns.append("False positives (no change)")
    columns.append("Smallest d_z at 80%")
    for header in columns:
        table.add_column(header, justify="left" if header in ("Analysis", "Method") else "right")
    for analysis in design.analyses:
        detectable = smallest.get(analysis.analysis)
        row = [
            ANALYSIS_SHORT.get(analysis.analysis, analysis.analysis),
            "not computed" if analysis.power is None else power_figure(analysis.power),
            analysis.method,
            "" if analysis.df is None else f"{analysis.df:.1f}".removesuffix(".0"),
        ]
        if design.simulations:
            simulated = analysis.simulated_power
            row.append(
                ""
                if simulated is None
                else f"{power_figure(simulated)} ({analysis.standard_error or 0:.3f})"
            )
            rate = analysis.false_positive_rate
            row.append("" if rate is None else f"{rate:.3f}")
        row.append("" if detectable is None else effect_text(detectable))
        table.add_row(*row)
    console.print(table)
