"""The questions ``imheval plan`` and the web planning page ask of :mod:`imheval.stats.power`.

Both faces take the same inputs (the expected effect, the target power or the people enrolled,
alpha, cohorts, cohort size, ICC, attrition, simulated studies), so they are checked here once:
:func:`plan_input_problems` returns each problem in plain English under the input's name, and
the command line prints them with its option names while the web form shows them beside its
fields. :func:`power_by_cohorts` gives the numbers of the chart of power against the number of
cohorts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from imheval.stats.power import design_power

#: The most simulated studies a request may ask for (the command line allows more).
MAX_SIMULATIONS = 100_000

#: The fewest cohorts a design may have: the cohort-level t-test needs at least two means.
MIN_COHORTS = 2


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """The inputs of a planning question, as the user gave them (``None``: not given).

    ``power`` and ``people`` are the two ways round (at most one); ``cohorts`` asks for the
    power of a design of ``cohorts`` x ``cohort_size`` people.
    """

    effect: float | None
    power: float | None = None
    people: int | None = None
    alpha: float = 0.05
    cohorts: int | None = None
    cohort_size: int | None = None
    icc: float | None = None
    attrition: float = 0.0
    simulate: int = 0


def plan_input_problems(
    inputs: PlanInputs, *, max_simulations: int = MAX_SIMULATIONS
) -> dict[str, str]:
    """Each input that cannot be used, by its name (``"effect"``, ``"cohort_size"`` ...), with
    what is wrong in plain English; an empty dict when the question can be answered.

    The names are the :class:`PlanInputs` fields; the command line turns them into its options
    (``--cohort-size``) and the web form into its fields.
    """
    problems: dict[str, str] = {}
    effect = inputs.effect
    if effect is None:
        problems["effect"] = "Give the expected effect, as d_z (e.g. 0.5)."
    elif not math.isfinite(effect) or effect <= 0:
        problems["effect"] = (
            "The expected effect must be a number above 0, e.g. 0.5 (the tests are two-sided, "
            "so a fall is planned for like a rise of the same size)."
        )
    elif abs(effect) > 10:
        problems["effect"] = (
            "An effect above 10 standard deviations of the change is not plausible; d_z is "
            "usually between 0.2 and 1.5."
        )
    if not (math.isfinite(inputs.alpha) and 0 < inputs.alpha < 1):
        problems["alpha"] = "Alpha must be between 0 and 1 (e.g. 0.05)."
    if inputs.power is not None and inputs.people is not None:
        problems["people"] = (
            "Give either the power you want (to find the people needed) or the people enrolled "
            "(to find the power), not both."
        )
    if inputs.power is not None and not (
        math.isfinite(inputs.power) and inputs.alpha < inputs.power < 1
    ):
        problems.setdefault(
            "power", "The power must be between alpha and 1, e.g. 0.8 for 80% or 0.9 for 90%."
        )
    if inputs.people is not None and inputs.people < 2:
        problems.setdefault("people", "The people enrolled must be at least 2.")
    if inputs.cohort_size is not None and inputs.cohort_size < 1:
        problems["cohort_size"] = "The cohort size must be at least 1 person."
    if inputs.icc is not None:
        if not (math.isfinite(inputs.icc) and 0 <= inputs.icc < 1):
            problems["icc"] = "The ICC must be at least 0 and below 1 (e.g. 0.05)."
        elif inputs.cohort_size is None:
            problems["icc"] = (
                "The ICC is about people in the same cohort: give the cohort size with it."
            )
    if not (math.isfinite(inputs.attrition) and 0 <= inputs.attrition < 1):
        problems["attrition"] = (
            "Attrition is the share of people who do not return, from 0 up to (not including) "
            "1: 0.15 for 15%."
        )
    if inputs.cohorts is not None:
        if inputs.cohorts < MIN_COHORTS:
            problems["cohorts"] = (
                f"A design needs at least {MIN_COHORTS} cohorts (the cohort-level t-test "
                "compares cohort means)."
            )
        if inputs.cohort_size is None:
            problems.setdefault("cohort_size", "Give the cohort size with the number of cohorts.")
        if inputs.people is not None:
            problems.setdefault(
                "people",
                "With cohorts, the people enrolled are cohorts x cohort size: leave out the "
                "people enrolled.",
            )
        if inputs.power is not None:
            problems.setdefault(
                "power",
                "With cohorts, the answer is the power of that design (and the smallest effect "
                "it detects with 80% power): leave out the target power.",
            )
    if inputs.simulate < 0:
        problems["simulate"] = "The number of simulated studies cannot be negative."
    elif inputs.simulate > max_simulations:
        problems["simulate"] = f"Simulate at most {max_simulations:,} studies here."
    elif inputs.simulate and inputs.cohorts is None:
        problems["simulate"] = (
            "Simulation is for a design: give the number of cohorts and their size with it."
        )
    return problems


@dataclass(frozen=True, slots=True)
class PowerByCohorts:
    """The closed-form power of the participant-level and cohort-level analyses of designs with
    ``cohorts[i]`` cohorts of ``cohort_size`` people (``None`` where it cannot be computed)."""

    cohort_size: int
    effect: float
    icc: float
    attrition: float
    alpha: float
    cohorts: tuple[int, ...]
    participant: tuple[float | None, ...]
    cohort: tuple[float | None, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cohort_size": self.cohort_size,
            "effect": self.effect,
            "icc": self.icc,
            "attrition": self.attrition,
            "alpha": self.alpha,
            "cohorts": list(self.cohorts),
            "participant": list(self.participant),
            "cohort": list(self.cohort),
        }


def power_by_cohorts(
    cohort_size: int,
    effect: float,
    *,
    icc: float = 0.0,
    attrition: float = 0.0,
    alpha: float = 0.05,
    most_cohorts: int = 12,
) -> PowerByCohorts:
    """Power against the number of cohorts, 2 to ``most_cohorts``, by closed forms only."""
    counts = tuple(range(MIN_COHORTS, max(most_cohorts, MIN_COHORTS) + 1))
    participant: list[float | None] = []
    cohort: list[float | None] = []
    for count in counts:
        design = design_power(count, cohort_size, effect, icc=icc, attrition=attrition, alpha=alpha)
        by_analysis = {analysis.analysis: analysis.power for analysis in design.analyses}
        participant.append(by_analysis.get("participant"))
        cohort.append(by_analysis.get("cohort"))
    return PowerByCohorts(
        cohort_size=cohort_size,
        effect=effect,
        icc=icc,
        attrition=attrition,
        alpha=alpha,
        cohorts=counts,
        participant=tuple(participant),
        cohort=tuple(cohort),
    )


#: The most cohorts :func:`cohorts_needed` looks for.
MAX_COHORTS_SEARCHED = 10_000


def cohorts_needed(
    analysis: str,
    cohort_size: int,
    effect: float,
    *,
    power: float = 0.8,
    icc: float = 0.0,
    attrition: float = 0.0,
    alpha: float = 0.05,
) -> int | None:
    """The fewest cohorts of ``cohort_size`` whose ``analysis`` ("participant" or "cohort")
    reaches ``power`` by the closed forms of :func:`design_power`; None beyond
    :data:`MAX_COHORTS_SEARCHED` cohorts.

    Power rises with the number of cohorts, so the search doubles until the target is reached
    and then halves the interval.
    """

    def reaches(count: int) -> bool:
        design = design_power(count, cohort_size, effect, icc=icc, attrition=attrition, alpha=alpha)
        value = next(row.power for row in design.analyses if row.analysis == analysis)
        return value is not None and value >= power

    high = MIN_COHORTS
    while not reaches(high):
        if high >= MAX_COHORTS_SEARCHED:
            return None
        high = min(high * 2, MAX_COHORTS_SEARCHED)
    low = max(MIN_COHORTS, high // 2)
    if reaches(low):
        return low
    while high - low > 1:  # reaches(high) and not reaches(low)
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return high
