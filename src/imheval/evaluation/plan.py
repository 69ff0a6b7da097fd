"""The analysis plan: responses in, one :class:`Evaluation` out.

:func:`evaluate` scores (or takes totals), matches codes within cohorts, runs every domain's
analysis (:func:`~imheval.evaluation.domain.analyse_domain`), Holm-adjusts p across domains
within each family of tests, adds the findings and the deeper analyses
(:mod:`~imheval.evaluation.deeper`) and compares the scoring policies
(:mod:`~imheval.evaluation.policies`). An analysis of the whole evaluation rather than of one
domain is a function in its own module and one line here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from imheval.evaluation.deeper import deeper_analyses
from imheval.evaluation.domain import DomainWork, analyse_domain
from imheval.evaluation.findings import (
    WHICH_TO_TRUST,
    headline_finding,
    missing_timepoint_advice,
)
from imheval.evaluation.findings_deeper import extra_findings, reaction_findings
from imheval.evaluation.followup_bias import followup_bias_findings
from imheval.evaluation.forms import FormComparison, compare_forms, form_findings
from imheval.evaluation.levels import LevelsMeasured, levels_measured
from imheval.evaluation.policies import PolicyRow, compare_policies
from imheval.evaluation.results import (
    DomainEvaluation,
    EvaluationOptions,
    ProgressCallback,
    Settings,
    TestEntry,
    ZeroReasonRow,
)
from imheval.evaluation.serialise import evaluation_dict
from imheval.evaluation.single_time import (
    SingleTimepoint,
    describe_single_timepoint,
    single_timepoint_findings,
    timepoints_measured,
)
from imheval.evaluation.tables import holm_by_family
from imheval.findings import Finding
from imheval.instruments.model import Instrument, short_wording
from imheval.io.reader import read_responses
from imheval.io.table import ResponseTable
from imheval.matching import (
    MatchingBias,
    MatchResult,
    PublishedBias,
    match,
    matching_bias,
    published_bias,
)
from imheval.matching.bias import FollowupBias, followup_bias
from imheval.scoring import MissingPolicy, ScoredTable, score_items, scores_from_totals

#: The findings of the retrospective pre-test (evaluation.retrospective), kept for domains
#: that are described rather than tested.
RETROSPECTIVE_KINDS = ("retrospective_change", "response_shift")


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A complete evaluation: settings, participation, matching and per-domain results.

    ``bias`` is the raw matching-bias summary (every count, for tests and internal use);
    ``matching_bias`` is what may be published of it, small groups already hidden.
    ``settings``, ``zero_reasons`` and ``matching_bias`` are what the JSON's keys of those
    names record, as typed values: code that presents an evaluation reads these.
    """

    source: str
    created: str
    instruments: tuple[tuple[str, str], ...]
    options: EvaluationOptions
    scored: ScoredTable
    matched: MatchResult
    bias: MatchingBias
    domains: tuple[DomainEvaluation, ...]
    notes: tuple[str, ...]
    settings: Settings
    zero_reasons: tuple[ZeroReasonRow, ...]
    matching_bias: PublishedBias
    policy_comparison: tuple[PolicyRow, ...] = ()
    #: Each item's id and its short wording (instruments.model.short_wording), for tables.
    item_wording: tuple[tuple[str, str], ...] = ()
    #: Each domain's parallel forms compared (the form difference, and whether scores were
    #: equated); empty when nobody answered different forms (see evaluation.forms).
    forms: tuple[FormComparison, ...] = ()
    #: Each domain's Barr level (2a ... 4b) where its instrument tags one: (domain id, tag).
    barr_levels: tuple[tuple[str, str], ...] = ()
    #: Which Kirkpatrick levels and Barr sub-levels were measured and which were not (the
    #: JSON's ``levels``); None only for an evaluation built by hand.
    levels: LevelsMeasured | None = None
    #: Domains asked at one timepoint only (reaction at post, practice at follow-up),
    #: described rather than tested (the JSON's ``single_timepoint``).
    single_timepoint: tuple[SingleTimepoint, ...] = ()
    #: Matching bias at follow-up: of those matched before and after training, who answered
    #: at follow-up and how they differed (the JSON's ``followup_bias``), small groups hidden.
    followup_bias: FollowupBias | None = None
    #: The findings on :attr:`followup_bias`, in words.
    followup_bias_findings: tuple[Finding, ...] = ()

    def barr_level(self, domain_id: str) -> str | None:
        """The domain's Barr level ("3a"), or None when its instrument does not tag one."""
        return dict(self.barr_levels).get(domain_id)

    def measured_also(self, tags: Sequence[str]) -> Evaluation:
        """This evaluation with levels measured another way counted in :attr:`levels` (e.g.
        ("4a",) from service data: imheval.services.ServiceSummary.levels)."""
        if not tags:
            return self
        barr = dict(self.barr_levels)
        levels = levels_measured(
            (
                (d.domain.id, d.domain.kirkpatrick_level, barr.get(d.domain.id))
                for d in self.domains
            ),
            also_measured=tags,
        )
        return replace(self, levels=levels)

    def single(self, domain_id: str) -> SingleTimepoint | None:
        """The description of a domain asked at one timepoint only, else None."""
        return next((s for s in self.single_timepoint if s.domain == domain_id), None)

    def item_label(self, item_id: str) -> str:
        """ "K1: attachment containment", or the id alone when its wording is unknown."""
        wording = dict(self.item_wording).get(item_id)
        return f"{item_id}: {wording}" if wording else item_id

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
        document = evaluation_dict(self)
        document["levels"] = self.levels.to_dict() if self.levels is not None else None
        document["single_timepoint"] = [s.to_dict() for s in self.single_timepoint]
        document["followup_bias"] = (
            {
                **self.followup_bias.to_dict(),
                "findings": [f.to_dict() for f in self.followup_bias_findings],
            }
            if self.followup_bias is not None
            else None
        )
        return document


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
    # Open questions too: their columns are read (and not scored) rather than reported as
    # columns nobody asked for; their answers are coded in a qualitative study.
    item_ids = [item.id for instrument in instruments for item in instrument.questions]
    reading = _Stage(progress, "Reading " + Path(path).name)
    table = read_responses(path, item_columns=item_ids or None, progress=reading)
    return evaluate(table, instruments, options, progress)


def evaluate(
    table: ResponseTable,
    instruments: Sequence[Instrument] = (),
    options: EvaluationOptions | None = None,
    progress: ProgressCallback | None = None,
    *,
    deeper: bool = True,
) -> Evaluation:
    """Score, match and analyse a :class:`ResponseTable`; see the module docstring.

    ``deeper=False`` leaves out the deeper analyses (item analysis, reliable change, retention,
    the mixed model: each domain's ``extras`` is None, with their findings) and the comparison
    of scoring policies. What remains (participation, matching, every domain's means, tests and
    headline) is identical to the full evaluation's, in a fraction of the time: what a summary
    needs while the rest is worked out (the web app's first view of a results page).
    """
    options = options or EvaluationOptions()
    report = progress or _no_progress
    report("Scoring", 0, 1)
    if instruments:
        scored = score_items(table, instruments, options.missing_policy)
    else:
        scored = scores_from_totals(table, options.ranges or None)
    # Scores on another form are equated onto the reference form's scale before matching, so
    # every comparison below reads them as they are.
    scored, form_comparisons = compare_forms(scored, options.min_group_size)
    report("Matching codes", 0, 1)
    matched = match(scored, options.match_mode, options.accepted_matches)
    bias = matching_bias(matched, [d.id for d in scored.domains])

    notes: list[str] = list(getattr(table, "warnings", ()))
    domain_results: list[DomainWork] = []
    # Cohorts are listed in the order the file first mentions them, as the evaluator laid it out.
    cohort_order = [str(c) for c in pd.unique(scored.frame["cohort"])]
    # A domain none of whose items appear in the file was not measured at all: say so once
    # rather than report "no one was measured before and after" for it.
    measured = [d for d in scored.domains if scored.frame[d.id].notna().any()]
    unmeasured = [d.label for d in scored.domains if d not in measured]
    if unmeasured:
        notes.append(f"Not measured in this file: {', '.join(unmeasured)}.")
    for info in measured:
        if info.scale == "percent_of_maximum":
            notes.append(
                f"{info.label}: people answered different forms ("
                + ", ".join(r.form for r in info.forms)
                + "), so scores are percentages of the maximum of the form each person answered "
                "(0 to 100), and change is compared on that scale."
            )
    for index, info in enumerate(measured):
        report(f"Analysing {info.label}", index, len(measured))
        domain_results.append(analyse_domain(info, matched, bias, options, cohort_order))
    report("Analysing", len(measured), len(measured))

    if not any(work.n_pairs for work in domain_results):
        notes.append(
            missing_timepoint_advice(scored.frame["timepoint"].astype(str))
            or "No participant was matched between pre-test and post-test in any domain, so no "
            "change could be measured. Check that codes were typed the same way at both "
            "timepoints, or try --tolerant."
        )
    adjusted = holm_by_family([e for work in domain_results for e in work.tests])
    domains = tuple(work.finish(adjusted, options) for work in domain_results)
    # A domain with answers at one timepoint only (reaction at post, practice at follow-up)
    # is described, not tested: nothing can change within one timepoint. A learning domain
    # answered only before (or only after) training is waiting for its other wave, so it keeps
    # the before/after analysis and its advice on the missing timepoint.
    single: dict[str, SingleTimepoint] = {}
    for info in measured:
        times = timepoints_measured(scored, info.id)
        if len(times) == 1 and (info.kirkpatrick_level != 2 or times[0] == "followup"):
            single[info.id] = describe_single_timepoint(
                scored, info, times[0], instruments, options.min_group_size
            )
    finished = []
    for index, domain in enumerate(domains):
        report(f"Item analysis and change: {domain.domain.label}", index, len(domains))
        extras = (
            deeper_analyses(
                scored,
                matched,
                instruments,
                domain.domain.id,
                min_group_size=options.min_group_size,
                table=table,
            )
            if deeper
            else None
        )
        with_extras = replace(domain, extras=extras)
        more = extra_findings(with_extras, options.min_group_size)
        # then against now (the retrospective pre-test) is asked once, on the post-test form:
        # it stays beside a description of the domain
        then_now = [f for f in more if f.kind in RETROSPECTIVE_KINDS]
        if domain.domain.kirkpatrick_level == 1:
            # Reaction is asked once, after training: describe it, don't test change.
            at_post = scored.frame.loc[scored.frame["timepoint"] == "post", domain.domain.id]
            more = [
                *reaction_findings(
                    domain.domain, at_post.to_numpy(dtype=float), options.min_group_size
                ),
                *then_now,
            ]
            with_extras = replace(with_extras, findings=())
        elif domain.domain.id in single:
            more = [
                *single_timepoint_findings(single[domain.domain.id], options.min_group_size),
                *then_now,
            ]
            with_extras = replace(with_extras, findings=())
        on_forms = tuple(
            f
            for comparison in form_comparisons
            if comparison.domain == domain.domain.id
            for f in form_findings(comparison, domain.domain.label)
        )
        every = (*with_extras.findings, *on_forms, *more)
        headline = (
            more[0]
            if domain.domain.kirkpatrick_level == 1 or domain.domain.id in single
            else headline_finding(with_extras, options.min_group_size)
        )
        finished.append(replace(with_extras, findings=every, headline=headline))
    domains = tuple(finished)
    if any(work.n_pairs for work in domain_results):
        notes.append(WHICH_TO_TRUST)
    if options.missing_policy is not MissingPolicy.SEED and instruments:
        notes.append(
            f"Missing-data policy: {options.missing_policy.value}. Totals differ from the zero "
            "rule of the published evaluation this tool follows (every missing or invalid "
            "answer scores 0)."
        )
    report("Comparing the zero rule with complete cases", 0, 1)
    # the zero rule's effect on change: only for domains measured before and after (a domain
    # asked once has no change for the rule to move)
    measured_ids = {d.id for d in measured} - set(single)
    policy_rows = (
        tuple(
            row
            for row in compare_policies(
                table, instruments, (scored, matched), options.match_mode, options.accepted_matches
            )
            if row.domain in measured_ids
        )
        if deeper
        else ()
    )
    barr = {d.id: d.barr_level for i in instruments for d in i.domains if d.barr_level}
    levels = levels_measured(
        (d.domain.id, d.domain.kirkpatrick_level, barr.get(d.domain.id)) for d in domains
    )
    labels = {d.domain.id: d.domain.label for d in domains}
    at_followup = followup_bias(
        matched, [d.domain.id for d in domains if d.domain.id not in single], options.min_group_size
    )
    return Evaluation(
        barr_levels=tuple((d.domain.id, barr[d.domain.id]) for d in domains if d.domain.id in barr),
        levels=levels,
        single_timepoint=tuple(single[d.domain.id] for d in domains if d.domain.id in single),
        followup_bias=at_followup,
        followup_bias_findings=tuple(followup_bias_findings(at_followup, labels)),
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
        settings=Settings.of(scored, matched, options),
        zero_reasons=ZeroReasonRow.rows_of(scored),
        matching_bias=published_bias(bias, options.min_group_size, {d.domain.id for d in domains}),
        item_wording=tuple(
            (item.id, short_wording(item))
            for instrument in instruments
            for item in instrument.items
        ),
        forms=form_comparisons,
    )


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
