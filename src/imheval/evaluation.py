"""The analysis plan: responses in, one :class:`Evaluation` out.

:func:`evaluate` scores (or takes totals), matches codes within cohorts and, for every domain,
runs the seed study's cohort-level analysis beside the participant-level analysis:

* cohort level (seed 000's unit): Table 1 of cohort means, a paired t-test on cohort means
  (df = cohorts - 1) with r from t, and a one-way ANOVA of cohort gains across programmes;
* participant level: a paired t-test with the CI of the mean change, d_z (exact CI), g_z, d_av
  and d_rm, Shapiro-Wilk on the changes and a Wilcoxon signed-rank test with rank-biserial r;
* between groups: gains and baselines by programme, directorate and profession (Welch);
* matching bias: pre-test scores of people matched at post against those who were not;
* follow-up comparisons (pre vs follow-up, post vs follow-up) where follow-up data exist.

p-values are Holm-adjusted across domains within each family of tests (same unit, test and
comparison). Descriptive cells for groups smaller than ``min_group_size`` are suppressed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from imheval._version import __version__
from imheval.errors import AnalysisError
from imheval.extended import DomainExtras, PolicyRow, compare_policies, deeper_analyses
from imheval.findings import WHICH_TO_TRUST, extra_findings, findings_for, reaction_findings
from imheval.instruments.model import Instrument
from imheval.io.reader import read_responses
from imheval.io.table import ResponseTable
from imheval.matching import (
    CategoryBias,
    MatchingBias,
    MatchMode,
    MatchResult,
    match,
    matching_bias,
)
from imheval.scoring import (
    DomainInfo,
    MissingPolicy,
    ScoredTable,
    score_items,
    scores_from_totals,
    zero_reasons,
)
from imheval.stats import (
    TestResult,
    compare_groups,
    holm,
    one_way_anova,
    paired_t,
    shapiro_wilk,
    welch_t,
    wilcoxon_signed_rank,
)
from imheval.suppression import suppress

#: Version of the JSON document written by :meth:`Evaluation.to_dict` (docs/evaluation-json.md).
SCHEMA = "imheval.evaluation/1"

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


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A complete evaluation: settings, participation, matching and per-domain results."""

    source: str
    created: str
    instruments: tuple[tuple[str, str], ...]
    options: EvaluationOptions
    scored: ScoredTable
    matched: MatchResult
    bias: MatchingBias
    domains: tuple[DomainEvaluation, ...]
    notes: tuple[str, ...]
    policy_comparison: tuple[PolicyRow, ...] = ()

    @property
    def tests(self) -> tuple[TestEntry, ...]:
        return tuple(entry for d in self.domains for entry in d.tests)

    def domain(self, domain_id: str) -> DomainEvaluation:
        for evaluation in self.domains:
            if evaluation.domain.id == domain_id:
                return evaluation
        raise KeyError(domain_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON evaluation (schema in docs/evaluation-json.md); never NaN or Infinity."""
        cohorts = self.matched.cohorts
        return {
            "schema": SCHEMA,
            "imheval_version": __version__,
            "created": self.created,
            "source": self.source,
            "instruments": [{"id": i, "version": v} for i, v in self.instruments],
            "settings": {
                "scoring_rule": _scoring_rule_text(self.scored),
                "missing_data_policy": self.options.missing_policy.value
                if self.scored.item_outcomes is not None
                else "not_applicable",
                "matching": self.options.match_mode,
                "accepted_matches": len(self.matched.accepted_matches),
                "min_group_size": self.options.min_group_size,
                "multiplicity": "Holm, across domains within each family of tests",
                "confidence_level": 0.95,
            },
            "participation": {
                "responses": len(self.scored.frame),
                "people": len(self.matched.people),
                "cohorts": _records(cohorts),
                "matched_pre_post": int(cohorts["n_matched"].sum()) if len(cohorts) else 0,
                "probable_matches": [
                    {
                        "cohort": m.cohort,
                        "earlier_timepoint": m.earlier_timepoint,
                        "earlier_code": m.earlier_code,
                        "later_timepoint": m.later_timepoint,
                        "later_code": m.later_code,
                        "reason": m.reason,
                    }
                    for m in self.matched.probable_matches
                ],
                "duplicate_codes": [
                    {"code": code, "cohorts": list(where)}
                    for code, where in self.matched.duplicate_codes
                ],
            },
            "matching_bias": _bias_dict(
                self.bias, self.options.min_group_size, {d.domain.id for d in self.domains}
            ),
            "domains": [
                {
                    "id": d.domain.id,
                    "label": d.domain.label,
                    "n_items": d.domain.n_items,
                    "min_total": d.domain.min_total,
                    "max_total": d.domain.max_total,
                    "kirkpatrick_level": d.domain.kirkpatrick_level,
                    "n_pairs": d.n_pairs,
                    "n_cohorts": d.n_cohorts,
                    "overall": d.overall.to_dict(),
                    "table1": [row.to_dict() for row in d.table1],
                    "breakdowns": {
                        b.grouping: {
                            "rows": [r.to_dict() for r in b.rows],
                            # A small count of people with no group recorded is hidden like a
                            # small row (decision 0003).
                            "not_recorded": None
                            if 0 < b.not_recorded < self.options.min_group_size
                            else b.not_recorded,
                        }
                        for b in d.breakdowns
                    },
                    "findings": list(d.findings),
                    **(d.extras.to_dict() if d.extras is not None else {}),
                }
                for d in self.domains
            ],
            "zero_reasons": _records(zero_reasons(self.scored))
            if self.scored.item_outcomes is not None
            else [],
            "tests": [entry.to_dict() for entry in self.tests],
            "policy_comparison": [row.to_dict() for row in self.policy_comparison],
            "notes": list(self.notes),
        }


def evaluate_file(
    path: str | Path,
    instruments: Sequence[Instrument] = (),
    options: EvaluationOptions | None = None,
    progress: ProgressCallback | None = None,
) -> Evaluation:
    """Read a responses file (CSV or XLSX, tidy or wide) and evaluate it.

    With ``instruments`` the item columns are scored; without, every numeric column that is not
    reserved is taken as an already-scored domain total. Raises DataFormatError (naming file,
    row and column) for bad input, before anything is analysed.
    """
    item_ids = [item.id for instrument in instruments for item in instrument.items]
    reading = _Stage(progress, "Reading " + Path(path).name)
    table = read_responses(path, item_columns=item_ids or None, progress=reading)
    return evaluate(table, instruments, options, progress)


def evaluate(
    table: ResponseTable,
    instruments: Sequence[Instrument] = (),
    options: EvaluationOptions | None = None,
    progress: ProgressCallback | None = None,
) -> Evaluation:
    """Score, match and analyse a :class:`ResponseTable`; see the module docstring."""
    options = options or EvaluationOptions()
    report = progress or _no_progress
    report("Scoring", 0, 1)
    if instruments:
        scored = score_items(table, instruments, options.missing_policy)
    else:
        scored = scores_from_totals(table, options.ranges or None)
    report("Matching codes", 0, 1)
    matched = match(scored, options.match_mode, options.accepted_matches)
    bias = matching_bias(matched, [d.id for d in scored.domains])

    notes: list[str] = list(getattr(table, "warnings", ()))
    domain_results: list[_DomainWork] = []
    # Cohorts are listed in the order the file first mentions them, as the evaluator laid it out.
    cohort_order = [str(c) for c in pd.unique(scored.frame["cohort"])]
    # A domain none of whose items appear in the file was not measured at all: say so once
    # rather than report "no one was measured before and after" for it.
    measured = [d for d in scored.domains if scored.frame[d.id].notna().any()]
    unmeasured = [d.label for d in scored.domains if d not in measured]
    if unmeasured:
        notes.append(f"Not measured in this file: {', '.join(unmeasured)}.")
    for index, info in enumerate(measured):
        report(f"Analysing {info.label}", index, len(measured))
        domain_results.append(_analyse_domain(info, matched, bias, options, cohort_order))
    report("Analysing", len(measured), len(measured))

    if not any(work.n_pairs for work in domain_results):
        notes.append(
            "No participant was matched between pre-test and post-test in any domain, so no "
            "change could be measured. Check that codes were typed the same way at both "
            "timepoints, or try --tolerant."
        )
    adjusted = _holm_by_family([e for work in domain_results for e in work.tests])
    domains = tuple(work.finish(adjusted, options) for work in domain_results)
    finished = []
    for index, domain in enumerate(domains):
        report(f"Item analysis and change: {domain.domain.label}", index, len(domains))
        extras = deeper_analyses(scored, matched, instruments, domain.domain.id)
        with_extras = replace(domain, extras=extras)
        more = extra_findings(with_extras, options.min_group_size)
        if domain.domain.kirkpatrick_level == 1:
            # Reaction is asked once, after training: describe it, don't test change.
            at_post = scored.frame.loc[scored.frame["timepoint"] == "post", domain.domain.id]
            more = reaction_findings(
                domain.domain, at_post.to_numpy(dtype=float), options.min_group_size
            )
            with_extras = replace(with_extras, findings=())
        finished.append(replace(with_extras, findings=(*with_extras.findings, *more)))
    domains = tuple(finished)
    if any(work.n_pairs for work in domain_results):
        notes.append(WHICH_TO_TRUST)
    if options.missing_policy is not MissingPolicy.SEED and instruments:
        notes.append(
            f"Missing-data policy: {options.missing_policy.value}. Totals differ from the seed "
            "study's rule (every missing or invalid answer scores 0)."
        )
    report("Comparing the seed rule with complete cases", 0, 1)
    measured_ids = {d.id for d in measured}
    policy_rows = tuple(
        row
        for row in compare_policies(
            table, instruments, (scored, matched), options.match_mode, options.accepted_matches
        )
        if row.domain in measured_ids
    )
    return Evaluation(
        policy_comparison=policy_rows,
        source=table.source,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        instruments=tuple((i.id, i.version) for i in instruments),
        options=options,
        scored=scored,
        matched=matched,
        bias=bias,
        domains=domains,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# One domain


@dataclass(slots=True)
class _DomainWork:
    """A domain's results before Holm adjustment across domains."""

    info: DomainInfo
    n_pairs: int
    n_cohorts: int
    overall: MeanRow
    table1: tuple[MeanRow, ...]
    breakdowns: tuple[Breakdown, ...]
    tests: list[TestEntry]

    def finish(
        self, adjusted: Mapping[int, float | None], options: EvaluationOptions
    ) -> DomainEvaluation:
        tests = tuple(replace(e, p_holm=adjusted.get(id(e))) for e in self.tests)
        draft = DomainEvaluation(
            domain=self.info,
            n_pairs=self.n_pairs,
            n_cohorts=self.n_cohorts,
            overall=self.overall,
            table1=self.table1,
            breakdowns=self.breakdowns,
            tests=tests,
            findings=(),
        )
        return replace(draft, findings=tuple(findings_for(draft, options.min_group_size)))


def _analyse_domain(
    info: DomainInfo,
    matched: MatchResult,
    bias: MatchingBias,
    options: EvaluationOptions,
    cohort_order: Sequence[str],
) -> _DomainWork:
    pairs = matched.pairs(info.id, "pre", "post")
    tests: list[TestEntry] = []

    def add(unit: Unit, comparison: str, result: TestResult) -> None:
        tests.append(TestEntry(info.id, unit, comparison, _protect(result, options)))

    # Cohort level, the seed's unit: each cohort's mean before and after is one pair.
    cohort_means = _cohort_means(pairs, matched.cohorts, cohort_order)
    table1 = protect_rows(
        (
            _mean_row(
                info,
                str(row["cohort"]),
                int(row["n"]),
                float(row["pre"]),
                float(row["post"]),
                float(row["sd_diff"]) if int(row["n"]) > 1 else None,
                str(row["programme"]),
                options.min_group_size,
            )
            for row in cohort_means.to_dict(orient="records")
        ),
        options.min_group_size,
    )
    n_cohorts = len(cohort_means)
    add("cohort", "pre_post", _cohort_paired_t(cohort_means))
    add("cohort", "gain_by_programme", replace(_cohort_gain_anova(cohort_means), test="anova_gain"))

    # Participant level.
    pre = pairs["pre"].to_numpy(dtype=float)
    post = pairs["post"].to_numpy(dtype=float)
    add("participant", "pre_post", paired_t(pre, post))
    add("participant", "pre_post", wilcoxon_signed_rank(pre, post))
    add("participant", "pre_post", shapiro_wilk(post - pre))

    # Between groups: where people started (baseline) and how much they gained. Each breakdown
    # row shows both, so the seed's "Adult Services started lower and closed the gap" is visible.
    gains = post - pre
    breakdowns: list[Breakdown] = []
    for grouping in GROUPINGS:
        labels = pairs[grouping].astype(str).to_numpy() if len(pairs) else np.array([], str)
        recorded = labels != ""
        breakdowns.append(
            _breakdown(info, grouping, pairs[recorded], int((~recorded).sum()), options)
        )
        # Groups hidden in the tables are left out of the tests too: a test of a group of two
        # says as much about those two people as their means would, and a test of a group
        # hidden to protect a smaller one gives its mean back, and with it the smaller one's.
        hidden_rows = [row for row in breakdowns[-1].rows if row.suppressed]
        small = {row.label for row in hidden_rows}
        tested = recorded & ~np.isin(labels, list(small))
        because = (
            f"fewer than {options.min_group_size} people"
            if all(0 < row.n < options.min_group_size for row in hidden_rows)
            else f"fewer than {options.min_group_size} people or hidden to protect such a group"
        )
        left_out = f"; left out, {because}: {len(small)} {grouping} group(s)" if small else ""
        for comparison, values in (("gain", gains), ("baseline", pre)):
            result = _group_test(values[tested], labels[tested], grouping)
            if left_out:
                result = (
                    replace(result, method=result.method + left_out)
                    if result.computed
                    else replace(result, reason=f"{result.reason}{left_out}")
                )
            add("participant", f"{comparison}_by_{grouping}", result)

    # Matching bias: did the people we could match start differently from those we could not?
    matched_pre, unmatched_pre = bias.pre_scores(info.id)
    add(
        "participant",
        "matching_bias",
        _matching_bias_test(matched_pre, unmatched_pre, options.min_group_size),
    )

    # Follow-up, when any was collected.
    for first, second in FOLLOWUP_COMPARISONS:
        follow = matched.pairs(info.id, first, second)
        if len(follow):
            add(
                "participant",
                f"{first}_{second}",
                paired_t(follow[first].to_numpy(float), follow[second].to_numpy(float)),
            )
            add(
                "participant",
                f"{first}_{second}",
                wilcoxon_signed_rank(follow[first].to_numpy(float), follow[second].to_numpy(float)),
            )

    overall = _mean_row(
        info,
        "All matched participants",
        len(pairs),
        float(pre.mean()) if len(pre) else None,
        float(post.mean()) if len(post) else None,
        float(np.std(gains, ddof=1)) if len(gains) > 1 else None,
        "",
        options.min_group_size,
    )
    return _DomainWork(
        info=info,
        n_pairs=len(pairs),
        n_cohorts=n_cohorts,
        overall=overall,
        table1=table1,
        breakdowns=tuple(breakdowns),
        tests=tests,
    )


def _protect(result: TestResult, options: EvaluationOptions) -> TestResult:
    """Drop details that would show a small group's mean.

    Group tests list each group's n and mean in ``details``; the breakdown tables already show
    those with small groups suppressed, so the test keeps none. Tests on fewer people than the
    minimum group size keep their statistic but not the group means in ``details``.
    """
    kept = {key: value for key, value in result.details.items() if "[" not in key}
    if result.n < options.min_group_size:
        kept = {k: v for k, v in kept.items() if not k.startswith(("mean", "sd"))}
    if len(kept) == len(result.details):
        return result
    return replace(result, details=kept)


def _cohort_means(
    pairs: pd.DataFrame, cohort_programmes: pd.DataFrame, cohort_order: Sequence[str]
) -> pd.DataFrame:
    """One row per cohort with matched pairs: cohort, programme, n, pre, post, sd_diff.

    A cohort's programme is the one matching settled on (its most common programme), taken
    from ``cohort_programmes`` rather than recomputed per cohort, which is slow for 10,000
    cohorts.
    """
    columns = ["cohort", "programme", "n", "pre", "post", "sd_diff"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    work = pairs[["cohort", "pre", "post"]].assign(diff=pairs["post"] - pairs["pre"])
    means = (
        work.groupby("cohort", sort=False, observed=True)
        .agg(
            n=("pre", "size"),
            pre=("pre", "mean"),
            post=("post", "mean"),
            sd_diff=("diff", "std"),
        )
        .reset_index()
    )
    programmes = cohort_programmes[["cohort", "programme"]].astype({"cohort": str})
    means = means.astype({"cohort": str}).merge(programmes, on="cohort", how="left")
    means["programme"] = means["programme"].fillna("").astype(str)
    position = {cohort: i for i, cohort in enumerate(cohort_order)}
    ordered = means.sort_values("cohort", kind="stable", key=lambda c: c.map(position))
    return ordered[columns].reset_index(drop=True)


def _cohort_paired_t(cohort_means: pd.DataFrame) -> TestResult:
    if len(cohort_means) < 2:
        return TestResult.not_computed(
            "paired_t",
            "t",
            len(cohort_means),
            "only one cohort has matched pairs; the cohort-level test needs at least two cohorts",
        )
    return paired_t(cohort_means["pre"].to_numpy(float), cohort_means["post"].to_numpy(float))


def _cohort_gain_anova(cohort_means: pd.DataFrame) -> TestResult:
    programmes = cohort_means["programme"].astype(str)
    usable = programmes != ""
    if programmes[usable].nunique() < 2:
        return TestResult.not_computed(
            "anova",
            "F",
            int(usable.sum()),
            "the cohorts with matched pairs come from fewer than two programmes, so gains "
            "cannot be compared between programmes",
        )
    gains = (cohort_means["post"] - cohort_means["pre"]).to_numpy(float)
    return one_way_anova(gains[usable.to_numpy()], programmes[usable].to_numpy())


def _group_test(values: np.ndarray, labels: np.ndarray, grouping: str) -> TestResult:
    if len(set(labels.tolist())) < 2:
        return TestResult.not_computed(
            "welch_t",
            "t",
            len(values),
            f"fewer than two {grouping} groups among the matched participants",
        )
    return compare_groups(values, labels)


def _matching_bias_test(
    matched_pre: np.ndarray, unmatched_pre: np.ndarray, min_group_size: int
) -> TestResult:
    if len(unmatched_pre) == 0:
        return TestResult.not_computed(
            "welch_t",
            "t",
            len(matched_pre),
            "everyone who took the pre-test was matched at post-test, so there is no bias to test",
        )
    if any(0 < len(group) < min_group_size for group in (matched_pre, unmatched_pre)):
        # Like a group test: a comparison with so few people gives their mean away. n is 0 (no
        # one analysed) because matched + not matched would give the small count back.
        return TestResult.not_computed(
            "welch_t",
            "t",
            0,
            f"fewer than {min_group_size} people were matched, or were not matched, so the "
            "two groups are too small to compare",
        )
    return welch_t(matched_pre, unmatched_pre)


def _breakdown(
    info: DomainInfo,
    grouping: str,
    pairs: pd.DataFrame,
    not_recorded: int,
    options: EvaluationOptions,
) -> Breakdown:
    rows: list[MeanRow] = []
    if not pairs.empty:
        work = pairs.assign(diff=pairs["post"] - pairs["pre"])
        for label, group in work.groupby(grouping, sort=True, observed=True):
            rows.append(
                _mean_row(
                    info,
                    str(label),
                    len(group),
                    float(group["pre"].mean()),
                    float(group["post"].mean()),
                    float(group["diff"].std(ddof=1)) if len(group) > 1 else None,
                    "",
                    options.min_group_size,
                )
            )
    return Breakdown(
        grouping, protect_rows(rows, options.min_group_size, not_recorded), not_recorded
    )


def protect_rows(
    rows: Iterable[MeanRow], min_group_size: int, not_recorded: int = 0
) -> tuple[MeanRow, ...]:
    """The rows with every one hidden that :func:`imheval.suppression.suppress` hides.

    The rows' n, with ``not_recorded`` (people in none of the rows, whose count is published),
    add up to the overall n, and the overall mean is published: a hidden row's n and mean
    could be worked out from them unless the hidden rows together pass the rule (at least two,
    at least ``min_group_size`` people, no n pinned). A hidden row keeps only its label,
    programme and n (never published: see :meth:`MeanRow.to_dict`).
    """
    rows = list(rows)
    counts = [row.n for row in rows] + [not_recorded]
    decided = suppress(
        counts,
        min_group_size,
        hidden=[i for i, row in enumerate(rows) if row.suppressed],
        fixed=[len(rows)],
    )
    return tuple(
        MeanRow(label=row.label, n=row.n, programme=row.programme, suppressed=True) if hide else row
        for row, hide in zip(rows, decided.hidden, strict=False)
    )


def _mean_row(
    info: DomainInfo,
    label: str,
    n: int,
    pre_mean: float | None,
    post_mean: float | None,
    difference_sd: float | None,
    programme: str,
    min_group_size: int,
) -> MeanRow:
    if 0 < n < min_group_size:
        return MeanRow(label=label, n=n, programme=programme, suppressed=True)
    if pre_mean is None or post_mean is None:
        return MeanRow(label=label, n=n, programme=programme)
    difference = post_mean - pre_mean
    pre_percent = info.percent_of_maximum(pre_mean)
    post_percent = info.percent_of_maximum(post_mean)
    difference_percent = (
        post_percent - pre_percent if pre_percent is not None and post_percent is not None else None
    )
    return MeanRow(
        label=label,
        n=n,
        programme=programme,
        pre_mean=pre_mean,
        post_mean=post_mean,
        difference=difference,
        difference_sd=difference_sd,
        pre_percent=pre_percent,
        post_percent=post_percent,
        difference_percent=difference_percent,
    )


def _holm_by_family(entries: Sequence[TestEntry]) -> dict[int, float | None]:
    """Holm-adjust p across domains within each family (unit, comparison, kind of test).

    A Welch t (two groups) and a Welch ANOVA (three or more) answer the same question, so they
    share a family. Shapiro-Wilk is an assumption check, not a finding, so it is not adjusted.
    """
    families: dict[tuple[str, str, str], list[TestEntry]] = {}
    for entry in entries:
        if entry.result.test == "shapiro_wilk":
            continue
        families.setdefault(entry.family, []).append(entry)
    adjusted: dict[int, float | None] = {}
    for members in families.values():
        for entry, p in zip(members, holm([e.result.p for e in members]), strict=True):
            adjusted[id(entry)] = p
    return adjusted


# --------------------------------------------------------------------------------------------
# Small helpers


def _bias_dict(bias: MatchingBias, min_group_size: int, analysed: set[str]) -> dict[str, Any]:
    """Matched vs unmatched people, with groups under the minimum size suppressed.

    Per variable, the categories' matched counts add up to the published number matched and
    their unmatched counts to the number not matched: each column goes through
    :func:`imheval.suppression.suppress`, a category hidden in one column is hidden in the
    other, and this repeats until neither column hides another category.
    """

    def small(n: int) -> bool:
        return 0 < n < min_group_size

    hide: dict[int, bool] = {}
    for variable in ("directorate", "profession"):
        members = [i for i, c in enumerate(bias.categories) if c.variable == variable]
        columns = (
            [bias.categories[i].n_matched for i in members],
            [bias.categories[i].n_unmatched for i in members],
        )
        hidden: set[int] = set()
        while True:
            now = set(hidden)
            for counts in columns:
                decided = suppress(counts, min_group_size, hidden=hidden)
                now |= {k for k, h in enumerate(decided.hidden) if h}
            if now == hidden:
                break
            hidden = now
        for k, i in enumerate(members):
            hide[i] = k in hidden

    return {
        "n_matched": bias.n_matched,
        "n_unmatched": bias.n_unmatched,
        "domains": [
            {
                "domain": d.domain,
                "n_matched": d.n_matched,
                "mean_matched": None if small(d.n_matched) else _num(d.mean_matched),
                "sd_matched": None if small(d.n_matched) else _num(d.sd_matched),
                "n_unmatched": d.n_unmatched,
                "mean_unmatched": None if small(d.n_unmatched) else _num(d.mean_unmatched),
                "sd_unmatched": None if small(d.n_unmatched) else _num(d.sd_unmatched),
                "mean_difference": None
                if small(d.n_matched) or small(d.n_unmatched)
                else _num(d.mean_difference),
            }
            for d in bias.domains
            if d.domain in analysed
        ],
        "categories": [_category_dict(c, hide[i]) for i, c in enumerate(bias.categories)],
    }


def _category_dict(category: CategoryBias, hide: bool) -> dict[str, Any]:
    return {
        "variable": category.variable,
        "category": category.category,
        "suppressed": hide,
        "n_matched": None if hide else category.n_matched,
        "percent_matched": None if hide else _num(category.percent_matched),
        "n_unmatched": None if hide else category.n_unmatched,
        "percent_unmatched": None if hide else _num(category.percent_unmatched),
    }


def _scoring_rule_text(scored: ScoredTable) -> str:
    if scored.item_outcomes is None:
        return "already-scored domain totals read from the file"
    return {
        MissingPolicy.SEED: "1 point per correct answer; wrong, missing or invalid answers "
        "score 0 (seed study rule); rating items summed with reverse keying",
        MissingPolicy.COMPLETE_CASE: "1 point per correct answer; a domain total only when "
        "every item has a valid answer; rating items summed with reverse keying",
        MissingPolicy.PRORATED: "1 point per correct answer; totals prorated from the valid "
        "answers when at least half the items were answered; rating items summed with "
        "reverse keying",
    }[scored.policy]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for row in frame.to_dict(orient="records"):
        records.append({str(k): _plain(v) for k, v in row.items()})
    return records


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return value


def _num(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


class _Stage:
    """Adapts a reader's progress(message) callback to progress(stage, done, total)."""

    def __init__(self, progress: ProgressCallback | None, stage: str) -> None:
        self._progress = progress
        self._stage = stage

    def __call__(self, message: str) -> None:
        if self._progress is not None:
            self._progress(f"{self._stage}: {message}", 0, 1)


def _no_progress(stage: str, done: int, total: int) -> None:
    return None
