"""The detail of one domain, shared by the level sections: Table 1, the tests, the breakdowns.

:func:`domain_blocks` composes the domain's findings, tables, charts and deeper analyses.
"""

from __future__ import annotations

from collections.abc import Sequence

from imheval.evaluation import COMPARISON_NAMES, Breakdown, DomainEvaluation, MeanRow, TestEntry
from imheval.findings.wording import direction_text, effect_text, plural
from imheval.reports.context import GROUPING_NAMES, ReportContext, protect_report_rows
from imheval.reports.domain_charts import changes_chart, dumbbell_chart, gains_chart
from imheval.reports.model import Block, Callout, Findings, Heading, Number, Paragraph, Table
from imheval.reports.sections.deeper import deeper_blocks
from imheval.reports.sections.retrospective_blocks import retrospective_blocks
from imheval.reports.sections.summary import domain_findings, finding_pairs
from imheval.reports.wording import DASH, EFFECT_LEGEND, HIDDEN, difference, range_text, score
from imheval.stats.apa import TEST_NAMES, format_p


def domain_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Heading, findings, Table 1, tests, breakdowns and charts for one pre/post domain."""
    info = domain.domain
    blocks: list[Block] = [Heading(info.label + range_text(domain))]
    if context.small(domain.n_pairs):
        # Tests, item flags, ceilings and counts on so few people could identify them.
        blocks.append(Callout("info", domain_findings(context, domain)[0].text))
        # The retrospective pre-test (then and now, on the post-test form) needs no matched
        # pairs: its own tables still show, with their own small-group rule.
        blocks.extend(retrospective_blocks(context, domain))
        return blocks
    blocks.append(
        Paragraph(
            f"{context.people(domain.n_pairs)} in {domain.n_cohorts:,} "
            f"cohort{plural(domain.n_cohorts)} answered this part of the questionnaire both "
            "before "
            "and after training."
        )
    )
    blocks.append(Findings(finding_pairs(domain_findings(context, domain))))
    if domain.n_pairs == 0:
        blocks.extend(retrospective_blocks(context, domain))
        return blocks
    blocks.append(table_one(context, domain))
    dumbbell = dumbbell_chart(context, domain)
    if dumbbell is not None:
        blocks.append(dumbbell)
    change_tests = [e for e in domain.tests if e.comparison == "pre_post"] + [
        e for e in domain.tests if e.comparison == "gain_by_programme" and e.unit == "cohort"
    ]
    blocks.append(tests_table(f"{info.label}: did scores change?", change_tests, context))
    changes = changes_chart(context, domain)
    if changes is not None:
        blocks.append(changes)
    for breakdown in domain.breakdowns:
        if breakdown.rows:
            blocks.append(_breakdown_table(context, domain, breakdown))
    gains = gains_chart(context, domain)
    if gains is not None:
        blocks.append(gains)
    group_tests = [
        e
        for e in domain.tests
        if e.unit == "participant" and e.comparison.startswith(("gain_by", "baseline_by"))
    ] + [e for e in domain.tests if e.comparison == "matching_bias"]
    if group_tests:
        blocks.append(tests_table(f"{info.label}: did groups differ?", group_tests, context))
    blocks.extend(deeper_blocks(context, domain))
    return blocks


def table_one(context: ReportContext, domain: DomainEvaluation) -> Table:
    """The seed study's Table 1: each cohort's mean before and after, and the difference."""
    info = domain.domain
    rows_in = protect_report_rows(context, domain.table1)
    rows = [
        (row.label, row.programme, row_count(context, row), *mean_cells(row, context))
        for row in rows_in
    ]
    overall = domain.overall
    rows.append(
        ("All matched people", "", row_count(context, overall), *mean_cells(overall, context))
    )
    notes = []
    if info.min_total is not None and info.max_total is not None:
        notes.append(
            f"Scores can range from {info.min_total:g} to {info.max_total:g}. Percentages are "
            "of that range: (score − minimum) / (maximum − minimum); the difference is in "
            "percentage points (pp)."
        )
    notes.append("n is the number of people in the cohort matched before and after training.")
    return Table(
        caption=f"Table 1. {info.label}: cohort mean scores before and after training",
        header=("Cohort", "Programme", "n", "Before (%)", "After (%)", "Difference (pp)"),
        rows=tuple(rows),
        notes=tuple(notes),
        suppressed_note=context.suppressed_note
        if any(row.suppressed for row in rows_in) or overall.suppressed
        else None,
    )


def _breakdown_table(
    context: ReportContext, domain: DomainEvaluation, breakdown: Breakdown
) -> Table:
    rows_in = protect_report_rows(context, breakdown.rows, breakdown.not_recorded)
    rows = [
        (row.label or "Not recorded", row_count(context, row), *mean_cells(row, context))
        for row in rows_in
    ]
    notes: list[str] = []
    if breakdown.not_recorded:
        notes.append(
            f"{context.people(breakdown.not_recorded)} (matched) had no {breakdown.grouping} "
            "recorded and are not in this table."
        )
    return Table(
        caption=f"{domain.domain.label} by {breakdown.grouping} (matched people)",
        header=(
            GROUPING_NAMES[breakdown.grouping],
            "n",
            "Before (%)",
            "After (%)",
            "Difference (pp)",
        ),
        rows=tuple(rows),
        notes=tuple(notes),
        suppressed_note=context.suppressed_note if any(row.suppressed for row in rows_in) else None,
    )


def row_count(context: ReportContext, row: MeanRow) -> str:
    """A row's n as shown: a hidden row's n is hidden too, or it would give a small one away."""
    return HIDDEN if row.suppressed else context.cell(row.n)


def mean_cells(row: MeanRow, context: ReportContext) -> tuple[str, str, str]:
    if row.suppressed or row.n < context.min_group_size:
        return (HIDDEN, HIDDEN, HIDDEN)
    if row.pre_mean is None or row.post_mean is None:
        return (DASH, DASH, DASH)
    return (
        score(row.pre_mean, row.pre_percent),
        score(row.post_mean, row.post_percent),
        difference(row.difference, row.difference_percent),
    )


def tests_table(
    caption: str, entries: Sequence[TestEntry], context: ReportContext, with_domain: bool = False
) -> Table:
    labels = {d.domain.id: d.domain.label for d in context.evaluation.domains}
    rows: list[tuple[str, ...]] = []
    for entry in entries:
        result = entry.result
        who = "Cohort means" if entry.unit == "cohort" else "People"
        question = COMPARISON_NAMES.get(entry.comparison, entry.comparison)
        direction = direction_text(result)
        if direction:
            question += f" ({direction})"
        unit = f"{who}, n = {result.n:,}"
        name = TEST_NAMES.get(result.test, result.test)
        if result.computed:
            outcome = result.apa()
            holm = Number(format_p(entry.p_holm)) if entry.p_holm is not None else DASH
            # A test with no effect size (Shapiro-Wilk) shows the missing-number dash,
            # right-aligned as the report has always shown it.
            effects = effect_text(result) if result.effect_sizes else DASH
        else:
            outcome = f"Not computed: {result.reason}"
            holm = DASH
            effects = DASH
        row: tuple[str, ...] = (question, unit, name, outcome, holm, effects)
        if with_domain:
            row = (labels.get(entry.domain, entry.domain), *row)
        rows.append(row)
    header: tuple[str, ...] = (
        "Question",
        "Unit",
        "Test",
        "Result",
        "Holm-adjusted p",
        "Effect sizes (95% CI)",
    )
    if with_domain:
        header = ("Domain", *header)
    used = sorted(
        {e.name for entry in entries if entry.result.computed for e in entry.result.effect_sizes}
    )
    notes = [
        "Holm-adjusted p corrects for testing several domains; significance is judged on it.",
    ]
    if used:
        notes.append(
            "Effect sizes: "
            + "; ".join(EFFECT_LEGEND[name] for name in used if name in EFFECT_LEGEND)
            + "."
        )
    notes.append(
        "Cohort-level effect sizes describe differences between cohort means and are much "
        "larger than participant-level ones; do not compare them with published values."
    )
    return Table(caption=caption, header=header, rows=tuple(rows), notes=tuple(notes))
