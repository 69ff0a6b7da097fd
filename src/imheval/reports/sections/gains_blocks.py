"""The report blocks of ``DomainExtras.gains``: the ANCOVA beside the Welch comparison of gains,
with the note on which question each answers, and the normalised gain (Hake's g) with its
ceiling warning. Only groups the breakdown tables show are in these tables (the analysis left
the hidden ones out); a group or cohort the report's own tables hide (its group size can be
larger than the evaluation's) reads as hidden here too.
"""

from __future__ import annotations

from imheval.evaluation.gains import GainAnalyses, GroupAncova, published_normalised
from imheval.evaluation.results import DomainEvaluation
from imheval.reports.context import ReportContext, protect_report_rows
from imheval.reports.model import Block, Callout, Heading, Number, Paragraph, Table
from imheval.reports.wording import DASH, HIDDEN, optional_number, people_text, prop
from imheval.stats.apa import format_p
from imheval.stats.gain import NormalisedGain


def gain_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """The ANCOVA table and notes, then the normalised gain; nothing when not computed."""
    extras = domain.extras
    gains = extras.gains if extras is not None else None
    if gains is None or gains.reason is not None:
        return []
    label = domain.domain.label
    blocks: list[Block] = []
    if gains.groupings:
        blocks.append(Heading(f"{label}: comparing gains between groups", level=2))
        blocks.append(Paragraph(gains.note))
        blocks.append(_test_table(label, gains))
        for entry in gains.groupings:
            blocks.extend(_grouping_blocks(context, label, entry, _hidden(context, domain, entry)))
    hidden_cohorts = {
        row.label for row in protect_report_rows(context, domain.table1) if row.suppressed
    }
    blocks.extend(_normalised_blocks(context, label, gains, hidden_cohorts))
    return blocks


def _test_table(label: str, gains: GainAnalyses) -> Table:
    rows: list[tuple[str, ...]] = []
    for entry in gains.groupings:
        welch, result = entry.welch_gain, entry.ancova
        eta = result.partial_eta_squared
        rows.append(
            (
                entry.grouping.capitalize(),
                welch.apa() if welch.computed else f"Not computed: {welch.reason}",
                result.apa() if result.computed else f"Not computed: {result.reason}",
                (
                    f"[{prop(eta.ci.low)}, {prop(eta.ci.high)}]"
                    if eta is not None and eta.ci is not None
                    else DASH
                ),
                _slopes_cell(entry),
            )
        )
    notes = [
        "Welch: the test of gains (post minus pre) between the groups, not assuming equal "
        "variances (t for two groups, F for more). ANCOVA: F for the group, allowing for the "
        "score before training (post ~ pre + group against post ~ pre). Partial eta squared: "
        "the share of the variation after training, beyond what the starting score explains, "
        "that lies between groups.",
        "Slopes: the check that the link between the scores before and after training is the "
        "same in every group (the pre x group interaction), as ANCOVA assumes.",
    ]
    notes.extend(
        f"{entry.grouping.capitalize()}{entry.left_out.replace(';', ':', 1)}."
        for entry in gains.groupings
        if entry.left_out
    )
    return Table(
        caption=f"{label}: did the groups gain different amounts (Welch), and would people who "
        "started at the same level end at the same level (ANCOVA)?",
        header=(
            "Grouping",
            "Gains (Welch)",
            "Adjusted for the start (ANCOVA)",
            "Partial eta squared 95% CI",
            "Slopes parallel?",
        ),
        rows=tuple(rows),
        notes=tuple(notes),
    )


def _slopes_cell(entry: GroupAncova) -> str:
    slopes = entry.ancova.slopes
    if slopes is None or slopes.f is None or slopes.df is None or slopes.p is None:
        return DASH
    verdict = "Yes" if slopes.parallel else "No"
    return (
        f"{verdict} (F({slopes.df[0]:g}, {slopes.df[1]:g}) = {slopes.f:.2f}, {format_p(slopes.p)})"
    )


def _hidden(context: ReportContext, domain: DomainEvaluation, entry: GroupAncova) -> set[str]:
    """The groups the report's own breakdown table hides (its group size can be larger than
    the evaluation's): their rows here are hidden too."""
    for breakdown in domain.breakdowns:
        if breakdown.grouping == entry.grouping:
            rows = protect_report_rows(context, breakdown.rows, breakdown.not_recorded)
            return {row.label for row in rows if row.suppressed}
    return set()


def _grouping_blocks(
    context: ReportContext, label: str, entry: GroupAncova, hidden: set[str]
) -> list[Block]:
    result = entry.ancova
    if not result.computed or not result.adjusted_means:
        return []
    blocks: list[Block] = []
    if result.slopes is not None and result.slopes.parallel is False and result.slopes.words:
        blocks.append(Callout("warning", f"By {entry.grouping}: {result.slopes.words}"))
    rows = tuple(
        (mean.group, *([HIDDEN] * 5))
        if mean.group in hidden
        else (
            mean.group,
            context.count(mean.n),
            optional_number(mean.mean_pre),
            optional_number(mean.mean_post),
            optional_number(mean.adjusted_mean),
            Number(f"[{mean.ci.low:.2f}, {mean.ci.high:.2f}]"),
        )
        for mean in result.adjusted_means
    )
    slope = f"{result.slope:.2f}" if result.slope is not None else "unknown"
    start = f"{result.mean_pre:.2f}" if result.mean_pre is not None else "the average"
    blocks.append(
        Table(
            caption=f"{label}: mean score after training by {entry.grouping}, as it is and "
            f"adjusted to the same starting score ({start}, everyone's average before training)",
            header=("Group", "n", "Before", "After", "After, adjusted", "95% CI (adjusted)"),
            rows=rows,
            notes=(
                f"Adjusted means come from the ANCOVA: each group's predicted score after "
                f"training for someone who started at {start}; the common slope is {slope} "
                "(points after per point before).",
            ),
            suppressed_note=context.suppressed_note if hidden else None,
        )
    )
    return blocks


def _normalised_blocks(
    context: ReportContext, label: str, gains: GainAnalyses, hidden_cohorts: set[str]
) -> list[Block]:
    gain = gains.normalised
    if gain is None:
        return (
            [Paragraph(f"Normalised gain (Hake's g): not computed; {gains.normalised_reason}.")]
            if gains.normalised_reason
            else []
        )
    blocks: list[Block] = [Heading(f"{label}: normalised gain (Hake's g)", level=2)]
    if gain.mean is None or gain.median is None or context.small(gain.n_analysed):
        reason = gain.reason or (
            f"fewer than {context.min_group_size} people had room to gain, so it is not shown"
        )
        return [*blocks, Paragraph(f"Normalised gain (Hake's g): not computed; {reason}.")]
    at_max = (
        f" {people_text(gain.n_at_maximum, context.min_group_size).capitalize()} already at the "
        f"maximum ({gain.maximum:g}) before training had no room to gain and are left out of the "
        "per-person figures."
        if gain.n_at_maximum
        else ""
    )
    lost = _lost_text(context, gain)
    hake = (
        f" For the group as a whole (Hake's class-average g, from the mean scores) it was "
        f"{gain.hake_g:.2f}."
        if gain.hake_g is not None
        else ""
    )
    # With a small count at the maximum, the count analysed would give it away (the matched
    # total is published), so it is not printed.
    analysed = (
        ""
        if context.small(gain.n_at_maximum)
        else f", {people_text(gain.n_analysed, context.min_group_size)}"
    )
    blocks.append(
        Paragraph(
            "Normalised gain (Hake's g) is the share of the points a person could still gain "
            "that they did gain: (after - before) / (maximum - before). On average people "
            f"gained {gain.mean:.0%} of the room they had (mean g {gain.mean:.2f}, median "
            f"{gain.median:.2f}{analysed})."
            f"{at_max}{lost}{hake}"
        )
    )
    blocks.append(Callout("warning", f"Normalised gain (Hake's g): {gains.warning}"))
    if len(gains.cohorts) > 1:
        # hidden in the evaluation, or in the report's own Table 1 (its group size can be larger)
        hidden = {c.cohort for c in gains.cohorts if c.hidden} | hidden_cohorts
        rows = tuple(
            (cohort.cohort, HIDDEN, HIDDEN)
            if cohort.cohort in hidden
            else (cohort.cohort, context.count(cohort.n), optional_number(cohort.hake_g))
            for cohort in gains.cohorts
        )
        blocks.append(
            Table(
                caption=f"{label}: normalised gain (Hake's class-average g) by cohort",
                header=("Cohort", "n", "Hake's g"),
                rows=rows,
                notes=("Hake's g = (mean after - mean before) / (maximum - mean before).",),
                suppressed_note=context.suppressed_note if hidden else None,
            )
        )
    return blocks


def _lost_text(context: ReportContext, gain: NormalisedGain) -> str:
    """Who scored lower after training: a small count reads "fewer than N", and the lowest g is
    given only when it is the lowest of N or more people (as in the JSON,
    :func:`~imheval.evaluation.gains.published_normalised`)."""
    if not gain.n_lost:
        return ""
    shown = published_normalised(gain, context.min_group_size)
    if shown["n_lost"] is not None:
        who = people_text(gain.n_lost, context.min_group_size).capitalize()
    elif context.small(gain.n_lost):
        who = f"Fewer than {context.min_group_size} people"
    else:
        # hidden because those whose score did not fall are the small group
        who = "Most of them"
    lowest = shown["lowest"]
    detail = f"negative g; the lowest was {lowest:.2f}" if lowest is not None else "negative g"
    return f" {who} scored lower after training ({detail})."
