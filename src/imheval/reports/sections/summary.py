"""Section 1: the summary (key findings with their APA figures) and which result to trust.

Also the findings of one domain as the report may print them (:func:`domain_findings`), which
the level sections repeat under each domain. A finding is shown as its plain words with its
statistics beside them (:func:`finding_pairs`), as the evaluation wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable

from imheval.evaluation import DomainEvaluation, Evaluation
from imheval.evaluation.findings import (
    ALPHA,
    FOLLOWUP_KINDS,
    FOLLOWUP_WORDING,
    WHICH_TO_TRUST,
    missing_timepoint_advice,
)
from imheval.evaluation.findings_deeper import (
    ceiling_finding,
    floor_finding,
    reliable_change_lead,
)
from imheval.findings import Finding, finding
from imheval.findings.wording import join_and, plural
from imheval.reports.context import (
    SMALL_COHORTS,
    ReportContext,
    significant,
)
from imheval.reports.domain_charts import domains_chart
from imheval.reports.model import Block, Callout, Findings, Heading, Paragraph, Section
from imheval.reports.sections.deeper import reliable_change_counts
from imheval.suppression import suppress


def summary_section(context: ReportContext) -> Section:
    """One page: the headline per domain and a chart of all of them, then the key findings.

    The headline says, per domain, what changed, by how much and how sure we can be, in words a
    board reads; the figures behind each sentence stand beside it. Which result to trust
    follows on its own page.
    """
    evaluation = context.evaluation
    blocks: list[Block] = [
        Paragraph(
            "What changed, in brief: the chart shows each part of the questionnaire before and "
            "after training, and each sentence says what changed, by how much and how sure we "
            "can be, with the figures behind it beside it."
        )
    ]
    chart = domains_chart(context)
    if chart is not None:
        blocks.append(chart)
    blocks.append(
        Findings(finding_pairs(headline(context, domain) for domain in evaluation.domains))
    )
    if not any(d.n_pairs for d in evaluation.domains):
        blocks.append(Callout("warning", nothing_matched_advice(evaluation)))
    # After the headlines, so the chart and what changed stay at the top of the page.
    levels = levels_callout(context)
    if levels is not None:
        blocks.append(levels)
    blocks.append(Heading("In more detail"))
    blocks.append(
        Paragraph("The main results in plain English, with the statistics beside each sentence.")
    )
    for domain in evaluation.domains:
        blocks.append(Heading(domain.domain.label, level=2))
        blocks.append(Findings(finding_pairs(_key_findings(context, domain))))
    return Section("summary", "Summary of findings", None, tuple(blocks))


def levels_callout(context: ReportContext) -> Callout | None:
    """Which of Kirkpatrick's levels and Barr's sub-levels were measured and which were not,
    in plain words (the evaluation's ``levels``); None for an evaluation built without it."""
    levels = context.evaluation.levels
    if levels is None:
        return None
    return Callout("info", "Levels of evaluation. " + levels.statement)


def headline(context: ReportContext, domain: DomainEvaluation) -> Finding:
    """The domain's headline, or the note that replaces it for a group too small to report."""
    if context.small(domain.n_pairs) or domain.headline is None:
        note = context.too_few(domain.domain.label, "were matched before and after training")
        return finding("headline", domain.domain.id, note)
    return domain.headline


def nothing_matched_advice(evaluation: Evaluation) -> str:
    """Why no change could be measured, with advice that fits the data."""
    return missing_timepoint_advice(evaluation.scored.frame["timepoint"].astype(str)) or (
        "No one was matched between pre-test and post-test, so change could not be "
        "measured. Check that codes were typed the same way at both timepoints."
    )


def finding_pairs(findings: Iterable[Finding]) -> tuple[tuple[str, str], ...]:
    """Each finding as (plain words, statistics), as a :class:`Findings` block shows it."""
    return tuple((item.plain, item.statistics) for item in findings)


def trust_section(context: ReportContext) -> Section | None:
    """Which result to trust: the cohort-level, participant-level and mixed-model views.

    Its own page after the summary, so the summary stays on one page.
    """
    evaluation = context.evaluation
    if not any(d.n_pairs and not context.small(d.n_pairs) for d in evaluation.domains):
        return None
    blocks: list[Block] = [
        Paragraph(WHICH_TO_TRUST),
        Paragraph(which_to_trust_here(evaluation, context.min_group_size)),
    ]
    mixed = mixed_model_summary(evaluation, context.min_group_size)
    if mixed:
        blocks.append(Paragraph(mixed))
    return Section("trust", "Which result to trust", None, tuple(blocks))


#: The findings the one-page summary gives under each domain, besides the first (the change).
KEY_KINDS = ("cohort_test", "participant_test", "followup")


def _key_findings(context: ReportContext, domain: DomainEvaluation) -> list[Finding]:
    """The descriptive finding and those on the key tests (before vs after, follow-up).

    Chosen by kind, not by position, so new kinds of finding elsewhere in the list do not change
    the summary. Tests that could not be run are explained in the detail, not on the one-page
    summary; a group too small to report gives only its note.
    """
    findings = domain_findings(context, domain)
    if not findings or context.small(domain.n_pairs):
        return findings
    return [findings[0]] + [
        item
        for item in findings[1:]
        if (item.kind in KEY_KINDS and item.figures.get("computed", True))
        or item.kind == "followup_too_few"
    ]


def domain_findings(context: ReportContext, domain: DomainEvaluation) -> list[Finding]:
    """The evaluation's findings on ``domain`` as the report may print them.

    The report may protect groups the evaluation did not (its ``min_group_size`` can be larger):
    a domain with fewer than ``min_group_size`` matched people gives only a note; a follow-up
    comparison of so few people is replaced by a note; ceiling, floor and reliable-change
    findings are written again so a count of 1 to ``min_group_size - 1`` people (or a share
    that implies one) reads "fewer than N", consistently with the tables.
    """
    key = domain.domain.id
    if context.small(domain.n_pairs):
        note = context.too_few(domain.domain.label, "were matched before and after training")
        return [finding("too_few", key, note, figures={"min_group_size": context.min_group_size})]
    extras = domain.extras
    items = extras.items if extras is not None else None
    found: list[Finding] = []
    for item in domain.findings:
        if item.kind in FOLLOWUP_KINDS:
            entry = domain.test("participant", "paired_t", item.comparison)
            if entry is not None and context.small(entry.result.n):
                first, second = FOLLOWUP_WORDING[item.comparison]
                note = context.too_few("Follow-up", f"were measured both {first} and {second}")
                if all(earlier.text != note for earlier in found):
                    found.append(
                        finding(
                            "followup_too_few",
                            key,
                            note,
                            comparison=item.comparison,
                            figures={"min_group_size": context.min_group_size},
                        )
                    )
                continue
        if item.kind == "ceiling" and items is not None:
            when = item.figure("when")
            result = items.ceiling_pre if when == "before" else items.ceiling_post
            if result is not None and result.share is not None and context.small(result.n_at_max):
                item = ceiling_finding(
                    key, str(when), result.share, result.n_at_max, result.n, context.min_group_size
                )
        elif item.kind == "floor" and items is not None:
            when = item.figure("when")
            low = items.floor_pre if when == "before" else items.floor_post
            if low is not None and low.share is not None and context.small(low.n_at_min):
                item = floor_finding(
                    key, str(when), low.share, low.n_at_min, low.n, context.min_group_size
                )
        elif item.kind == "reliable_change" and extras is not None:
            counts = reliable_change_counts(context, extras.reliable_change)
            if counts:
                # the counts the report hides (the one rule, as in its table) are not kept as
                # figures either
                change = extras.reliable_change
                counts_of = (change.n_improved, change.n_no_change, change.n_declined)
                hidden = suppress([n or 0 for n in counts_of], context.min_group_size).hidden
                figures = dict(item.figures)
                for name, hide in zip(("improved", "no_change", "declined"), hidden, strict=True):
                    if hide and name in figures:
                        figures[name] = None
                item = finding(
                    "reliable_change",
                    key,
                    f"{reliable_change_lead(items)}: {counts}",
                    people=item.people,
                    figures=figures,
                )
        found.append(item)
    return found


def which_to_trust_here(evaluation: Evaluation, min_group_size: int = 1) -> str:
    """What the cohort-level and participant-level results mean for this evaluation.

    Domains with fewer than ``min_group_size`` matched people are not reported, so not named.
    """
    measured = [d for d in evaluation.domains if d.n_pairs >= max(min_group_size, 1)]
    n_cohorts = max((d.n_cohorts for d in measured), default=0)
    parts = [
        f"In this evaluation, {n_cohorts} cohort{plural(n_cohorts)} had people measured before "
        "and after training."
    ]
    if n_cohorts < SMALL_COHORTS:
        parts.append(
            f"With fewer than {SMALL_COHORTS} cohorts the cohort-level test has very little "
            "power: a real change can easily fail to reach significance, so a non-significant "
            "cohort-level result is weak evidence of no change."
        )
    agree: list[str] = []
    only_people: list[str] = []
    only_cohorts: list[str] = []
    neither: list[str] = []
    no_cohort_test: list[str] = []
    for domain in measured:
        cohort = domain.test("cohort", "paired_t")
        people = domain.test("participant", "paired_t")
        name = domain.domain.label
        if cohort is None or not cohort.result.computed:
            no_cohort_test.append(name)
            continue
        cohort_sig = significant(cohort)
        people_sig = people is not None and people.result.computed and significant(people)
        same_direction = (
            people is not None and (cohort.result.estimate or 0) * (people.result.estimate or 0) > 0
        )
        if cohort_sig and people_sig and same_direction:
            agree.append(name)
        elif people_sig and not cohort_sig:
            only_people.append(name)
        elif cohort_sig and not people_sig:
            only_cohorts.append(name)
        else:
            neither.append(name)
    if agree:
        parts.append(
            f"For {join_and(agree)}, both levels agree that scores changed, so "
            f"{'this finding does' if len(agree) == 1 else 'these findings do'} not hang on "
            "the unit of analysis."
        )
    if only_people:
        parts.append(
            f"For {join_and(only_people)}, only the participant-level test is significant: report "
            "it with the caveat that it treats people as independent although people trained "
            "together may be alike."
        )
    if only_cohorts:
        parts.append(
            f"For {join_and(only_cohorts)}, only the cohort-level test is significant; the "
            "participant-level test, which uses every matched person, does not confirm it, so "
            "treat the change with caution."
        )
    if neither:
        parts.append(f"For {join_and(neither)}, neither level shows a clear change.")
    if no_cohort_test:
        parts.append(
            f"For {join_and(no_cohort_test)}, the cohort-level test could not be run (it needs at "
            "least two cohorts with matched people), so only the participant-level result is "
            "available; it treats people as independent, so read it with that caveat."
        )
    return " ".join(parts)


def mixed_model_summary(evaluation: Evaluation, min_group_size: int = 1) -> str:
    """One sentence for "which result to trust" on the mixed models, or "" without them."""
    fitted = [
        (d, d.extras.mixed_model)
        for d in evaluation.domains
        if d.extras is not None
        and d.extras.mixed_model.computed
        and d.n_pairs >= max(min_group_size, 1)
    ]
    if not fitted:
        return ""
    differ = []
    for domain, model in fitted:
        post = model.fixed_effect("timepost")
        people = domain.test("participant", "paired_t")
        if post is None or people is None or not people.result.computed:
            continue
        if (post.p < ALPHA) != ((people.result.p or 1.0) < ALPHA):
            differ.append(domain.domain.label)
    text = (
        "A linear mixed model, which uses every person and allows for clustering (people "
        'trained in the same cohort being alike), is given for each domain under "allowing '
        'for clustering" in Level 2.'
    )
    if differ:
        text += (
            f" For {join_and(differ)} it disagrees with the participant-level test; trust the "
            "mixed model there."
        )
    else:
        text += " It agrees with the participant-level test wherever both could be computed."
    return text
