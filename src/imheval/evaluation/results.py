"""What an evaluation is made of: the options, and the results of one domain.

:class:`EvaluationOptions` (the choices that change the analysis), :class:`MeanRow` (means
before and after for one cohort or group), :class:`TestEntry` (one test and what it compared),
:class:`Breakdown` (mean change by one grouping) and :class:`DomainEvaluation` (everything
computed for one domain), with the names the tables and reports use for them. The whole
:class:`~imheval.evaluation.plan.Evaluation` sits above these, beside the plan that makes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from math import isfinite
from typing import Any, Literal

from imheval.errors import AnalysisError
from imheval.evaluation.deeper import DomainExtras
from imheval.findings import Finding
from imheval.matching import MatchMode, MatchResult
from imheval.scoring import (
    ZERO_REASON_COLUMNS,
    DomainInfo,
    MissingPolicy,
    ScoredTable,
    zero_reasons,
)
from imheval.stats import TestResult
from imheval.stats._common import finite_or_none

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
class Settings:
    """The settings an evaluation ran with, as its JSON ``settings`` records them.

    ``missing_data_policy`` is "not_applicable" for already-scored totals; ``matching`` is
    "exact" or "tolerant"; ``accepted_matches`` counts the confirmed matches merged.
    """

    scoring_rule: str
    missing_data_policy: str
    matching: str
    accepted_matches: int
    min_group_size: int
    multiplicity: str
    confidence_level: float

    @classmethod
    def of(cls, scored: ScoredTable, matched: MatchResult, options: EvaluationOptions) -> Settings:
        """The settings of an evaluation that scored ``scored`` and matched ``matched``."""
        return cls(
            scoring_rule=_scoring_rule_text(scored),
            missing_data_policy=options.missing_policy.value
            if scored.item_outcomes is not None
            else "not_applicable",
            matching=options.match_mode,
            accepted_matches=len(matched.accepted_matches),
            min_group_size=options.min_group_size,
            multiplicity="Holm, across domains within each family of tests",
            confidence_level=0.95,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scoring_rule": self.scoring_rule,
            "missing_data_policy": self.missing_data_policy,
            "matching": self.matching,
            "accepted_matches": self.accepted_matches,
            "min_group_size": self.min_group_size,
            "multiplicity": self.multiplicity,
            "confidence_level": self.confidence_level,
        }


@dataclass(frozen=True, slots=True)
class ZeroReasonRow:
    """Item answers of one domain at one timepoint: how many scored, and why the rest did not.

    The counts of :func:`imheval.scoring.zero_reasons` (its ``ZERO_REASON_COLUMNS``).
    """

    domain: str
    timepoint: str
    wrong: int
    missing: int
    invalid: int
    not_administered: int
    scored: int

    @classmethod
    def rows_of(cls, scored: ScoredTable) -> tuple[ZeroReasonRow, ...]:
        """One row per domain and timepoint; empty without item outcomes (bare totals)."""
        if scored.item_outcomes is None:
            return ()
        return tuple(
            cls(
                domain=str(record["domain"]),
                timepoint=str(record["timepoint"]),
                **{name: int(record[name]) for name in ZERO_REASON_COLUMNS},
            )
            for record in zero_reasons(scored).to_dict(orient="records")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "timepoint": self.timepoint,
            "wrong": self.wrong,
            "missing": self.missing,
            "invalid": self.invalid,
            "not_administered": self.not_administered,
            "scored": self.scored,
        }


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
            "pre_mean": _finite(self.pre_mean),
            "post_mean": _finite(self.post_mean),
            "difference": _finite(self.difference),
            "difference_sd": _finite(self.difference_sd),
            "pre_percent": _finite(self.pre_percent),
            "post_percent": _finite(self.post_percent),
            "difference_percent": _finite(self.difference_percent),
        }


def _finite(value: float | None) -> float | None:
    """:func:`finite_or_none`, answered without a call for the usual finite float (a national
    file's JSON holds 30,000 Table 1 rows of seven figures each)."""
    if type(value) is float and isfinite(value):
        return value
    return finite_or_none(value)


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
            "p_holm": finite_or_none(self.p_holm),
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
    findings: tuple[Finding, ...]
    extras: DomainExtras | None = None
    #: One sentence a board member can read: what changed, by how much, how sure we are.
    headline: Finding | None = None

    def test(self, unit: Unit, test: str, comparison: str = "pre_post") -> TestEntry | None:
        """The entry for one test, or None if it was not run."""
        for entry in self.tests:
            if (entry.unit, entry.result.test, entry.comparison) == (unit, test, comparison):
                return entry
        return None


def _scoring_rule_text(scored: ScoredTable) -> str:
    if scored.item_outcomes is None:
        return "already-scored domain totals read from the file"
    return {
        MissingPolicy.SEED: "1 point per correct answer; wrong, missing or invalid answers "
        "score 0 (the zero rule of the published evaluation this tool follows); rating items "
        "summed with reverse keying",
        MissingPolicy.COMPLETE_CASE: "1 point per correct answer; a domain total only when "
        "every item has a valid answer; rating items summed with reverse keying",
        MissingPolicy.PRORATED: "1 point per correct answer; totals prorated from the valid "
        "answers when at least half the items were answered; rating items summed with "
        "reverse keying",
    }[scored.policy]
