"""What an evaluation is made of: the options, and the results of one domain.

:class:`EvaluationOptions` (the choices that change the analysis), :class:`MeanRow` (means
before and after for one cohort or group), :class:`TestEntry` (one test and what it compared),
:class:`Breakdown` (mean change by one grouping) and :class:`DomainEvaluation` (everything
computed for one domain), with the names the tables and reports use for them. The whole
:class:`~imheval.evaluation.plan.Evaluation` sits above these, beside the plan that makes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from imheval.errors import AnalysisError
from imheval.evaluation.deeper import DomainExtras
from imheval.matching import MatchMode
from imheval.scoring import DomainInfo, MissingPolicy
from imheval.stats import TestResult

Unit = Literal["cohort", "participant"]
#: Called as progress(stage, done, total) while an evaluation runs.
ProgressCallback = Callable[[str, int, int], None]

GROUPINGS = ("programme", "directorate", "profession")

#: Plain names of the comparisons a TestEntry can make, for tables and reports.
COMPARISON_NAMES: Mapping[str, str] = {
    "pre_post": "Before vs after",
    "gain_by_programme": "Gains by programme",
    "gain_by_directorate": "Gains by directorate",
    "gain_by_profession": "Gains by profession",
    "baseline_by_programme": "Starting scores by programme",
    "baseline_by_directorate": "Starting scores by directorate",
    "baseline_by_profession": "Starting scores by profession",
    "matching_bias": "Matched vs not matched (pre-test scores)",
    "pre_followup": "Before vs follow-up",
    "post_followup": "After vs follow-up",
}
FOLLOWUP_COMPARISONS = (("pre", "followup"), ("post", "followup"))


@dataclass(frozen=True, slots=True)
class EvaluationOptions:
    """Choices that change the analysis; every one is recorded in the output.

    ``ranges`` gives (min, max) per domain for already-scored totals, so percentages can be
    shown; with an instrument the ranges come from the instrument.
    """

    missing_policy: MissingPolicy = MissingPolicy.SEED
    match_mode: MatchMode = "exact"
    accepted_matches: tuple[tuple[str, str, str], ...] = ()
    min_group_size: int = 5
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.min_group_size < 1:
            raise AnalysisError("the minimum group size must be at least 1")


@dataclass(frozen=True, slots=True)
class MeanRow:
    """Mean scores before and after for one cohort or group of matched people.

    ``suppressed`` rows (fewer than the minimum group size) carry no means, only the reason.
    Percentages are of the domain's range, None when the range is unknown.
    """

    label: str
    n: int
    programme: str = ""
    pre_mean: float | None = None
    post_mean: float | None = None
    difference: float | None = None
    difference_sd: float | None = None
    pre_percent: float | None = None
    post_percent: float | None = None
    difference_percent: float | None = None
    suppressed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "programme": self.programme,
            # A hidden row hides its size too: a small n next to a published total is itself
            # identifying (decision 0003).
            "n": None if self.suppressed else self.n,
            "suppressed": self.suppressed,
            "pre_mean": _num(self.pre_mean),
            "post_mean": _num(self.post_mean),
            "difference": _num(self.difference),
            "difference_sd": _num(self.difference_sd),
            "pre_percent": _num(self.pre_percent),
            "post_percent": _num(self.post_percent),
            "difference_percent": _num(self.difference_percent),
        }


@dataclass(frozen=True, slots=True)
class TestEntry:
    """One test in the evaluation: what it compared, on which unit, and its result.

    ``comparison`` is e.g. "pre_post", "gain_by_programme", "baseline_by_directorate",
    "matching_bias", "pre_followup". ``p_holm`` is the Holm-adjusted p across the domains of the
    same family (unit, test, comparison).
    """

    __test__ = False  # not a pytest test class

    domain: str
    unit: Unit
    comparison: str
    result: TestResult
    p_holm: float | None = None

    @property
    def family(self) -> tuple[str, str, str]:
        """Tests adjusted together by Holm: same unit, comparison and kind of test."""
        kind = "welch" if self.result.test in ("welch_t", "welch_anova") else self.result.test
        return (self.unit, self.comparison, kind)

    def to_dict(self) -> dict[str, Any]:
        body = self.result.to_dict()
        return {
            "domain": self.domain,
            "unit": self.unit,
            "comparison": self.comparison,
            "test": body.pop("test"),
            "statistic": body.pop("statistic"),
            "df": body.pop("df"),
            "p": body.pop("p"),
            "p_holm": _num(self.p_holm),
            "n": body.pop("n"),
            "effect_sizes": body.pop("effect_sizes"),
            **body,
        }


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Mean change by one grouping (programme, directorate or profession) with its tests."""

    grouping: str
    rows: tuple[MeanRow, ...]
    not_recorded: int  # matched people with no value for this grouping


@dataclass(frozen=True, slots=True)
class DomainEvaluation:
    """Everything computed for one domain."""

    domain: DomainInfo
    n_pairs: int
    n_cohorts: int
    overall: MeanRow
    table1: tuple[MeanRow, ...]
    breakdowns: tuple[Breakdown, ...]
    tests: tuple[TestEntry, ...]
    findings: tuple[str, ...]
    extras: DomainExtras | None = None

    def test(self, unit: Unit, test: str, comparison: str = "pre_post") -> TestEntry | None:
        """The entry for one test, or None if it was not run."""
        for entry in self.tests:
            if (entry.unit, entry.result.test, entry.comparison) == (unit, test, comparison):
                return entry
        return None


def _num(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
