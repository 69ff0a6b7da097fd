"""Section 7: methods and limitations, written for the data at hand."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from imheval._version import __version__
from imheval.evaluation import DomainEvaluation, ZeroReasonRow
from imheval.evaluation.findings import ALPHA, WHICH_TO_TRUST
from imheval.findings.wording import TOO_EASY, join_and, plural
from imheval.reports.context import (
    EASY_FACILITY,
    LOW_RELIABILITY,
    SMALL_COHORTS,
    SMALL_PAIRS,
    ReportContext,
    ceiling_amount,
    significant,
    stage_counts,
)
from imheval.reports.model import Block, Callout, Heading, Number, Paragraph, Section, Table
from imheval.reports.sections.deeper import policy_blocks
from imheval.reports.wording import HIDDEN, prop
from imheval.stats.items import CEILING_SHARE


def _reliability_limitations(context: ReportContext) -> list[str]:
    """Low reliability (< .70) and ceilings before training, from the item analysis."""
    texts: list[str] = []
    easy: list[str] = []
    for domain in context.evaluation.domains:
        extras = domain.extras
        items = extras.items if extras is not None else None
        if items is None or not domain.n_pairs or context.small(domain.n_pairs):
            continue
        label = domain.domain.label
        low = [
            f"{when} training {prop(result.alpha)}"
            for when, result in (
                ("before", items.reliability_pre),
                ("after", items.reliability_post),
            )
            if result is not None and result.alpha is not None and result.alpha < LOW_RELIABILITY
        ]
        if low:
            texts.append(
                f"Low reliability in {label}: {items.reliability_pre.name} {' and '.join(low)}, "
                f"below the usual {prop(LOW_RELIABILITY)}. The questions may measure different "
                "things, individual scores are imprecise, and a larger change is needed to "
                "count as reliable change."
            )
        ceiling = items.ceiling_pre
        if ceiling.flagged and ceiling.share is not None:
            texts.append(
                f"Ceiling before training in {label}: {ceiling_amount(context, ceiling)} "
                "already scored the maximum before training, so they could not show any "
                f"gain: {TOO_EASY}."
            )
        easy.extend(
            f"{s.item} ({label})"
            for s in items.items
            if s.facility_pre is not None and s.facility_pre > EASY_FACILITY
        )
    if easy:
        texts.append(
            f"Questions answered correctly by more than {100 * EASY_FACILITY:.0f}% of people "
            f"before training: {join_and(easy)}; {TOO_EASY}."
        )
    return texts


def methods_section(context: ReportContext) -> Section:
    """How the data were scored, matched and tested, and what limits the conclusions."""
    evaluation = context.evaluation
    settings = context.evaluation.settings
    blocks: list[Block] = [Heading("Data and scoring")]
    instruments = ", ".join(f"{i} (version {v})" for i, v in evaluation.instruments)
    blocks.append(
        Paragraph(
            f"Data: {Path(evaluation.source).name}, {len(evaluation.scored.frame):,} "
            "questionnaires (one per person per timepoint)"
            + (f", scored with {instruments}" if instruments else "")
            + ". Analysed with "
            + f"imheval {__version__}."
        )
    )
    blocks.append(Paragraph(f"Scoring rule: {settings.scoring_rule}."))
    blocks.append(Paragraph(_missing_text(settings.missing_data_policy)))
    reasons = context.evaluation.zero_reasons
    if reasons:
        blocks.append(_zero_reasons_table(context, reasons))
    blocks.extend(policy_blocks(context))

    blocks.append(Paragraph(LEVELS_METHODS))
    once = [s.label for s in evaluation.single_timepoint]
    if once:
        blocks.append(
            Paragraph(
                f"Asked at one timepoint only: {join_and(once)}. Nothing can change within one "
                "timepoint, so these are described (people, mean, SD and median of the total, "
                "by programme and cohort, and how many gave each answer to each question), not "
                "tested."
            )
        )

    blocks.append(Heading("Matching"))
    blocks.append(Paragraph(_matching_text(context)))
    bias = _matching_bias_text(context)
    if bias:
        blocks.append(Paragraph(bias))
    followup = evaluation.followup_bias
    if followup is not None and followup.computed:
        blocks.append(Paragraph(FOLLOWUP_BIAS_METHODS))

    blocks.append(Heading("Statistics"))
    blocks.append(
        Paragraph(
            "Each domain is analysed at two levels. At cohort level, as in the published "
            "evaluation this tool follows, "
            "each cohort's mean before and after training is one pair, compared with a paired "
            "t-test (degrees of freedom = cohorts − 1), and cohort gains are compared between "
            "programmes with a one-way ANOVA. At participant level every matched person is one "
            "pair: a paired t-test with the 95% confidence interval of the mean change, and a "
            "Wilcoxon signed-rank test that does not assume normally distributed changes. "
            "Groups (programme, directorate, profession) are compared with Welch tests, which "
            "allow unequal group sizes and spreads."
        )
    )
    blocks.append(
        Paragraph(
            "Effect sizes are named by type. d_z (and its small-sample correction g_z) divides "
            "the mean change by the spread of people's changes; d_av divides it by the average "
            "spread of scores before and after, and is closer to the d of studies comparing "
            "two groups. r is computed from t. Confidence intervals for d_z and g_z are exact "
            "(noncentral t). p-values are two-sided; "
            f"{settings.multiplicity} (Holm's method), so a finding is called significant "
            f"when its Holm-adjusted p is below {ALPHA:g}."
        )
    )
    deeper = deeper_methods_text(context)
    if deeper:
        blocks.append(Paragraph(deeper))
    normality = _normality_text(context)
    if normality:
        blocks.append(Paragraph(normality))

    blocks.append(Heading("Limitations"))
    limitations = _limitations(context)
    blocks.extend(Callout("warning", text) for text in limitations)
    ceiling = _ceiling_table(context)
    if ceiling is not None:
        blocks.append(ceiling)

    blocks.append(Heading("Privacy"))
    blocks.append(
        Paragraph(
            f"Groups of fewer than {context.min_group_size} people are not shown in any table "
            "or chart: their means, and counts below that size, are replaced by a note, and "
            "where hidden figures could be worked out from a total, or together would still "
            "count so few people, the next smallest is hidden too. The statistics still use "
            "everyone. Participant codes never appear in this report."
        )
    )
    notes = [note for note in evaluation.notes if note != WHICH_TO_TRUST]
    if notes:
        blocks.append(Heading("Notes from the analysis"))
        blocks.extend(Paragraph(note) for note in notes)
    return Section("methods", "Methods and limitations", None, tuple(blocks))


LEVELS_METHODS = (
    "Each part of the questionnaire is placed in Kirkpatrick's model (1 reaction, 2 learning, 3 "
    "behaviour, 4 results) and, where its instrument says so, in Barr's adaptation for health "
    "and social care education (Barr et al., 2005): 2a attitudes and perceptions, 2b knowledge "
    "and skills, 3a self-reported and 3b observed behaviour, 4a organisational practice and 4b "
    "benefit to babies and families. The summary names the levels measured and those not."
)


FOLLOWUP_BIAS_METHODS = (
    "Matching at follow-up: of the people matched before and after training, those who "
    "answered at follow-up are compared with those who did not, on their scores before "
    "training and their gains (Welch t-tests), so that follow-up results can be read knowing "
    "who they speak for."
)


ITEM_METHODS = (
    "Item analysis uses the matched people: facility is the mean item score as a share of its "
    "range (the proportion correct for right/wrong questions); discrimination is the corrected "
    "item-rest correlation; change on each right/wrong question is McNemar's test, exact when "
    "fewer than 25 people changed their answer, Holm-adjusted across the domain's questions. "
    "Reliability is KR-20 (right/wrong questions) or Cronbach's alpha, with the Feldt 95% "
    "confidence interval."
)


RELIABLE_CHANGE_METHODS = (
    "Reliable change follows Jacobson and Truax (1991), using the domain's reliability and "
    "spread of scores before training."
)


MIXED_MODEL_METHODS = (
    "The linear mixed model is score ~ time + (1 | cohort) + (1 | cohort:participant), people "
    "nested in cohorts; with 2 to 4 cohorts cohort is a fixed effect instead (score ~ time + "
    "cohort + (1 | participant)), because so few cohorts cannot show how much cohorts vary, and "
    "with one cohort it is score ~ time + (1 | participant). It is fitted by REML as R's lme4 "
    "fits it (imheval's own fitter, checked against lme4), with statsmodels only as a fallback "
    "should that fit fail. Its fixed effects are tested with t-tests on Satterthwaite degrees "
    "of freedom, as in R's lmerTest."
)


def deeper_methods_text(context: ReportContext) -> str:
    """The methods of the deeper analyses this evaluation ran, and only those.

    Data of domain totals (no answer to each question) have no item analysis, so it is not
    described; "" when none ran.
    """
    reported = [
        d.extras
        for d in context.evaluation.domains
        if d.extras is not None and d.n_pairs and not context.small(d.n_pairs)
    ]
    parts = []
    if any(extras.items is not None for extras in reported):
        parts.append(ITEM_METHODS)
    if any(extras.reliable_change.computed for extras in reported):
        parts.append(RELIABLE_CHANGE_METHODS)
    if any(extras.mixed_model.computed for extras in reported):
        parts.append(MIXED_MODEL_METHODS)
    return " ".join(parts)


def _missing_text(policy: str) -> str:
    return {
        "seed": "Missing data: as in the published evaluation this tool follows, a question "
        "left blank or answered "
        "invalidly scores 0, the same as a wrong answer. This can understate the scores of "
        "people who skipped questions; the table below shows how often it happened.",
        "complete_case": "Missing data: a domain score is used only when every question of "
        "the domain has a valid answer (complete cases).",
        "prorated": "Missing data: when at least half of a domain's questions have valid "
        "answers, the score is prorated from them; otherwise it is missing.",
        "not_applicable": "Missing data: the file held domain scores already calculated, so "
        "no answers were scored here; a missing score means the domain was not measured.",
    }.get(policy, f"Missing data: {policy}.")


def _zero_reasons_table(context: ReportContext, reasons: Sequence[ZeroReasonRow]) -> Table:
    """Answer counts per domain and timepoint; a timepoint answered by fewer than
    ``min_group_size`` people is hidden, as its counts would show those people's answers."""
    labels = {d.domain.id: d.domain.label for d in context.evaluation.domains}
    timepoints = {"pre": "Before", "post": "After", "followup": "Follow-up"}
    frame = context.evaluation.scored.frame
    # A domain asked once by design (practice at follow-up) lists only the timepoint it was asked
    # at: rows of nothing at the others would read as answers lost.
    once = {s.domain: s for s in context.evaluation.single_timepoint}
    rows: list[tuple[str, ...]] = []
    hidden = False
    for row in reasons:
        label = labels.get(row.domain, row.domain)
        when = timepoints.get(row.timepoint, row.timepoint)
        single = once.get(row.domain)
        if (
            single is not None
            and row.timepoint != single.timepoint
            and not (row.scored or row.wrong or row.missing or row.invalid)
        ):
            continue
        # The people who answered this domain at this timepoint (a blank domain has no score).
        at = frame["timepoint"] == row.timepoint
        if row.domain in frame.columns:
            at &= frame[row.domain].notna()
        if context.small(int(at.sum())):
            hidden = True
            rows.append((label, when, HIDDEN, HIDDEN, HIDDEN, HIDDEN))
            continue
        rows.append(
            (
                label,
                when,
                Number(f"{row.scored:,}"),
                Number(f"{row.wrong:,}"),
                Number(f"{row.missing:,}"),
                Number(f"{row.invalid:,}"),
            )
        )
    return Table(
        caption="How the answers were scored (counts of answers, not people)",
        header=("Domain", "Timepoint", "Correct or rated", "Wrong", "Blank", "Invalid"),
        rows=tuple(rows),
        notes=(
            "Under the zero rule, wrong, blank and invalid answers all score 0.",
            *(
                f"{s.label} was asked at one timepoint only ({s.when}), so only that one is listed."
                for s in once.values()
            ),
        ),
        suppressed_note=context.suppressed_note if hidden else None,
    )


def _matching_text(context: ReportContext) -> str:
    evaluation = context.evaluation
    total = stage_counts(evaluation.matched.people)
    rate = total["matched"] / total["pre"] if total["pre"] else None
    mode = {
        "exact": "codes had to be identical at both timepoints of a cohort (exact matching)",
        "tolerant": "codes had to be identical at both timepoints of a cohort; codes one "
        "character or one part apart were listed for the evaluator to confirm (tolerant "
        "matching)",
    }.get(evaluation.options.match_mode, evaluation.options.match_mode)
    text = f"People were matched by their personal code within each cohort: {mode}. "
    if rate is not None and context.small(total["pre"]):
        text += f"Fewer than {context.min_group_size} people took the pre-test."
    elif rate is not None and context.small(total["matched"]):
        text += (
            f"Fewer than {context.min_group_size} of the {total['pre']:,} people who took the "
            "pre-test were matched at the post-test."
        )
    elif rate is not None:
        text += (
            f"{total['matched']:,} of the {context.people(total['pre'])} who took the pre-test "
            f"{'was' if total['matched'] == 1 else 'were'} matched at the post-test (a matching "
            f"rate of {100 * rate:.0f}%)."
        )
    else:
        text += "No one took the pre-test, so no one could be matched."
    probable = len(evaluation.matched.probable_matches)
    if probable:
        text += (
            f" {probable:,} probable match(es) were found but not merged; confirming them "
            "would raise the matching rate."
        )
    accepted = len(evaluation.matched.accepted_matches)
    if accepted:
        text += f" {accepted:,} probable match(es) confirmed by the evaluator were merged."
    return text


def _matching_bias_text(context: ReportContext) -> str:
    differed: list[str] = []
    tested: list[str] = []
    for domain in context.evaluation.domains:
        entry = domain.test("participant", "welch_t", "matching_bias")
        if entry is None or not entry.result.computed:
            continue
        tested.append(domain.domain.label)
        if significant(entry):
            differed.append(f"{domain.domain.label} ({entry.result.apa()})")
    if not tested:
        return ""
    if differed:
        return (
            "People who were matched had started differently from those who took only the "
            f"pre-test in {join_and(differed)}, so the matched people may not represent everyone "
            "trained."
        )
    return (
        "People who were matched did not start clearly differently from those who took only "
        f"the pre-test ({join_and(tested)}; Welch t-tests on pre-test scores), so the unmatched "
        "people are unlikely to bias the results much."
    )


def _normality_text(context: ReportContext) -> str:
    skewed = []
    for domain in context.evaluation.domains:
        entry = domain.test("participant", "shapiro_wilk")
        if entry is not None and entry.result.computed and (entry.result.p or 1) < ALPHA:
            skewed.append(domain.domain.label)
    if not skewed:
        return ""
    return (
        f"In {join_and(skewed)} the changes were not normally distributed (Shapiro-Wilk "
        "p < .05). The t-test is robust to this with many pairs; the Wilcoxon signed-rank "
        "test, which does not assume normality, is reported beside it."
    )


def _limitations(context: ReportContext) -> list[str]:
    evaluation = context.evaluation
    texts: list[str] = []
    small = [
        f"{d.domain.label} ({context.people(d.n_pairs)}, {d.n_cohorts} cohort{plural(d.n_cohorts)})"
        for d in evaluation.domains
        if d.n_pairs and (d.n_pairs < SMALL_PAIRS or d.n_cohorts < SMALL_COHORTS)
    ]
    if small:
        texts.append(
            f"Small samples: {join_and(small)}. With fewer than {SMALL_PAIRS} matched people or "
            f"fewer than {SMALL_COHORTS} cohorts, estimates are imprecise (wide confidence "
            "intervals) and the cohort-level test has little power."
        )
    # A domain asked once by design (described, not tested) is not a failure to measure change.
    once = {s.domain for s in evaluation.single_timepoint}
    unmeasured = [
        d.domain.label for d in evaluation.domains if not d.n_pairs and d.domain.id not in once
    ]
    if unmeasured:
        texts.append(
            f"No one was measured both before and after training in {join_and(unmeasured)}, "
            "so change could not be assessed there."
        )
    total = stage_counts(evaluation.matched.people)
    if (
        total["pre"]
        and total["matched"] / total["pre"] < 0.8
        and not context.small(total["matched"])
        and not context.small(total["pre"])
    ):
        texts.append(
            f"Only {100 * total['matched'] / total['pre']:.0f}% of the people who took the "
            "pre-test were matched at the post-test; the results describe those who were."
        )
    texts.append(
        "There is no comparison group of people who were not trained, so a change cannot be "
        "attributed to the training alone (for example, answering the same questions twice "
        "can raise scores)."
    )
    texts.extend(_reliability_limitations(context))
    for domain, share, n in _ceilings(context):
        if share > CEILING_SHARE and not context.small(n):
            # A share of a small count would give the count away: then say only "more than 15%".
            amount = (
                f"more than {100 * CEILING_SHARE:.0f}%"
                if context.small(round(share * n))
                else f"{100 * share:.0f}%"
            )
            texts.append(
                f"Ceiling effect in {domain.domain.label}: {amount} of people scored the "
                "maximum after training, so the questions are too easy to show further change; "
                "add harder items."
            )
    return texts


def _ceilings(context: ReportContext) -> list[tuple[DomainEvaluation, float, int]]:
    """Per domain with a known maximum: the share of post-test scores at the maximum, and n."""
    people = context.evaluation.matched.people
    shares: list[tuple[DomainEvaluation, float, int]] = []
    for domain in context.evaluation.domains:
        info = domain.domain
        column = f"{info.id}@post"
        if info.max_total is None or column not in people.columns:
            continue
        values = people[column].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        if len(values):
            at_max = np.isclose(values, info.max_total)
            shares.append((domain, float(at_max.mean()), len(values)))
    return shares


def _ceiling_table(context: ReportContext) -> Table | None:
    rows: list[tuple[str, str, str, str]] = []
    hidden = False
    for domain, share, n in _ceilings(context):
        info = domain.domain
        at_max = round(share * n)
        if context.small(n):
            # Whether one of so few people scored the maximum would identify them.
            hidden = True
            rows.append((info.label, HIDDEN, HIDDEN, HIDDEN))
            continue
        if context.small(at_max):
            hidden = True
            shown = HIDDEN
        else:
            shown = Number(f"{at_max:,} ({100 * share:.0f}%)")
        flag = "Yes" if share > CEILING_SHARE else "No"
        rows.append((info.label, Number(f"{n:,}"), shown, flag))
    if not rows:
        return None
    return Table(
        caption="Ceiling: people at the maximum score after training",
        header=("Domain", "People with a post-test score", "At the maximum", "Ceiling effect"),
        rows=tuple(rows),
        notes=(
            f"A ceiling effect is flagged when more than {100 * CEILING_SHARE:.0f}% of people "
            "score the maximum: the questions are then too easy to show change.",
        ),
        suppressed_note=context.suppressed_note if hidden else None,
    )
