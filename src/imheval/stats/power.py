"""Planning a study: power, people and cohorts needed, smallest detectable effect.

SKELETON (issue 18, helper A implements; helper H builds ``imheval plan`` and the web page on
it). The signatures and the fields below are pinned: extend, do not rename.

The contract of ``imheval plan --json`` (issue 18, 4) is :meth:`StudyPlan.to_dict`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: progress(done, total) for the simulation.
PowerProgress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class StudyPlan:
    """The answer of :func:`plan_study`: either people needed for a target power, or the power
    of a given number of people (``people_given``)."""

    effect: float
    alpha: float
    target_power: float | None
    people_given: int | None
    cohort_size: int | None
    icc: float | None
    attrition: float
    #: analysed pairs the unclustered paired t-test needs (power mode), or the effective pairs
    #: N * (1 - A) / design_effect (people mode, unrounded).
    pairs: float
    design_effect: float
    people_analysed: int
    people_needed: int
    cohorts_needed: int | None
    power: float

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class AnalysisPower:
    """The power of one analysis of a given design.

    ``analysis``: "participant" (paired t on people, clustering allowed for through the design
    effect), "cohort" (paired t on cohort means, the seed's method) or "mixed" (the mixed model
    with random cohort effects); ``method``: "noncentral t" or "simulation".
    """

    analysis: str
    power: float | None
    method: str
    df: float | None = None
    #: the Monte Carlo standard error of a simulated power
    standard_error: float | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class DesignPower:
    """What a design of ``cohorts`` x ``cohort_size`` people can detect, by analysis."""

    cohorts: int
    cohort_size: int
    effect: float
    icc: float
    attrition: float
    alpha: float
    analyses: tuple[AnalysisPower, ...]
    #: the smallest d_z each analysis detects with 80% power (same order as ``analyses``)
    smallest_detectable: tuple[tuple[str, float | None], ...]

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError


def paired_power(pairs: float, effect: float, alpha: float = 0.05) -> float:
    """Power of the two-sided paired t-test with ``pairs`` pairs (df = pairs - 1, noncentrality
    effect * sqrt(pairs)); ``pairs`` may be fractional."""
    raise NotImplementedError


def plan_study(
    effect: float,
    *,
    power: float | None = None,
    people: int | None = None,
    alpha: float = 0.05,
    cohort_size: int | None = None,
    icc: float | None = None,
    attrition: float = 0.0,
) -> StudyPlan:
    """People (and cohorts) needed for ``power``, or the power of ``people`` enrolled; exactly
    one of the two. Raises ValueError with a plain message for impossible inputs."""
    raise NotImplementedError


def design_power(
    cohorts: int,
    cohort_size: int,
    effect: float,
    *,
    icc: float = 0.0,
    attrition: float = 0.0,
    alpha: float = 0.05,
    simulate: int = 0,
    seed: int = 1,
    progress: PowerProgress | None = None,
) -> DesignPower:
    """The power of the participant-level, cohort-level and mixed-model analyses of a design.
    ``simulate`` > 0 runs that many seeded simulated studies for the mixed model (and checks the
    closed forms); 0 uses closed forms only."""
    raise NotImplementedError


def smallest_detectable_effect(
    pairs: float, *, power: float = 0.8, alpha: float = 0.05
) -> float:
    """The smallest d_z the paired t-test with ``pairs`` pairs detects with ``power``."""
    raise NotImplementedError
