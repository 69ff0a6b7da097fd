"""Section 2: who took part, by group: enrolled -> pre-test -> post-test -> matched -> follow-up."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from imheval.reports.charts import FlowSpec
from imheval.reports.context import GROUPING_NAMES, ReportContext, protect_column, stage_counts
from imheval.reports.domain_charts import svg_chart
from imheval.reports.model import Block, Number, Paragraph, Section, Table
from imheval.reports.sections.followup_bias_blocks import followup_bias_blocks
from imheval.reports.wording import DASH, HIDDEN


def participation_section(context: ReportContext) -> Section:
    """The CONSORT-like flow, and counts by programme, directorate, profession and cohort."""
    evaluation = context.evaluation
    cohorts = evaluation.matched.cohorts
    people = evaluation.matched.people
    total = stage_counts(people)
    pre_only = int(cohorts["n_pre_only"].sum()) if len(cohorts) else 0
    post_only = int(cohorts["n_post_only"].sum()) if len(cohorts) else 0
    not_at_pre = total["enrolled"] - total["pre"]
    stages: list[tuple[str, int, str]] = [
        ("Enrolled (seen at any timepoint)", total["enrolled"], ""),
        (
            "Took the pre-test",
            total["pre"],
            f"{context.count(not_at_pre)} not at the pre-test" if not_at_pre else "",
        ),
        ("Took the post-test", total["post"], ""),
        (
            "Matched before and after",
            total["matched"],
            f"{context.count(pre_only)} pre-test only, {context.count(post_only)} post-test only",
        ),
        ("Followed up", total["followup"], ""),
    ]
    rows = tuple(
        (
            label,
            context.cell(n),
            HIDDEN
            if context.small(n)
            else DASH
            if not total["enrolled"]
            else Number(f"{100 * n / total['enrolled']:.0f}%"),
        )
        for label, n, _ in stages
    )
    any_small = any(context.small(n) for _, n, _ in stages) or any(
        context.small(n) for n in (not_at_pre, pre_only, post_only)
    )
    blocks: list[Block] = [
        Paragraph(
            "People answered anonymously and chose a personal code, which links their answers "
            "before and after training within a cohort. The flow below shows how many people "
            "took part at each point; only people matched before and after training can show "
            "change."
        ),
        Table(
            caption="Participant flow",
            header=("Stage", "People", "Share of those enrolled"),
            rows=rows,
            notes=(
                "Enrolled counts everyone who answered at any timepoint. Matched people "
                "answered both the pre-test and the post-test in the same cohort.",
            ),
            suppressed_note=context.suppressed_note if any_small else None,
        ),
    ]
    flow = FlowSpec(
        title="How many people took part at each point",
        stages=tuple((label, context.count(n), note) for label, n, note in stages),
    )
    alt = "Flow diagram: " + "; ".join(
        f"{label}: {context.count(n)}" + (f" ({note})" if note else "") for label, n, note in stages
    )
    blocks.append(svg_chart("participation-flow", flow, alt))
    for grouping in ("programme", "directorate", "profession"):
        blocks.append(_group_count_table(context, people, grouping))
    blocks.append(_cohort_count_table(context))
    matched = evaluation.matched
    extra: list[str] = []
    if matched.probable_matches:
        extra.append(
            f"{len(matched.probable_matches):,} pair(s) of codes that probably belong to one "
            "person (one character or one part different) were found but not merged, so those "
            "people count as unmatched unless the evaluator confirms them."
        )
    if matched.accepted_matches:
        extra.append(
            f"{len(matched.accepted_matches):,} probable match(es) confirmed by the evaluator "
            "were merged."
        )
    if matched.duplicate_codes:
        extra.append(
            f"{len(matched.duplicate_codes):,} code(s) appear in more than one cohort; they are "
            "kept apart, because matching is within a cohort."
        )
    blocks.extend(Paragraph(text) for text in extra)
    blocks.extend(followup_bias_blocks(context))
    return Section("participation", "Who took part", None, tuple(blocks))


_COUNT_COLUMNS = ("enrolled", "pre", "post", "matched", "followup")


_COUNT_HEADER = ("Enrolled", "Pre-test", "Post-test", "Matched", "Follow-up")


def _group_count_table(context: ReportContext, people: pd.DataFrame, grouping: str) -> Table:
    pre = people["present_pre"].to_numpy(dtype=bool)
    post = people["present_post"].to_numpy(dtype=bool)
    work = pd.DataFrame(
        {
            "group": people[grouping].astype(str).to_numpy(),
            "enrolled": 1,
            "pre": pre.astype(int),
            "post": post.astype(int),
            "matched": (pre & post).astype(int),
            "followup": people["present_followup"].to_numpy(dtype=bool).astype(int),
        }
    )
    sums = work.groupby("group", sort=True).sum()
    labels = [str(g) if str(g) else "Not recorded" for g in sums.index]
    counts = [[int(sums.iloc[i][c]) for c in _COUNT_COLUMNS] for i in range(len(sums))]
    cells, totals, hidden = _protected_counts(context, counts, len(_COUNT_COLUMNS))
    rows = [(label, *row) for label, row in zip(labels, cells, strict=True)]
    rows.append(("Total", *totals))
    name = GROUPING_NAMES[grouping]
    return Table(
        caption=f"People taking part by {grouping}",
        header=(name, *_COUNT_HEADER),
        rows=tuple(rows),
        notes=(f"A person's {grouping} is the first one they recorded.",),
        suppressed_note=context.suppressed_note if hidden else None,
    )


def _cohort_count_table(context: ReportContext) -> Table:
    cohorts = context.evaluation.matched.cohorts
    columns = ("n_pre", "n_post", "n_matched", "n_followup")
    counts = [[int(row[c]) for c in columns] for row in cohorts.to_dict(orient="records")]
    cells, totals, hidden = _protected_counts(context, counts, len(columns))
    rows = [
        (str(row["cohort"]), str(row["programme"]), *cell)
        for row, cell in zip(cohorts.to_dict(orient="records"), cells, strict=True)
    ]
    if len(cohorts):
        rows.append(("Total", "", *totals))
    return Table(
        caption="People taking part by cohort",
        header=("Cohort", "Programme", "Pre-test", "Post-test", "Matched", "Follow-up"),
        rows=tuple(rows),
        notes=("A cohort is one delivery of a programme to one group of people.",),
        suppressed_note=context.suppressed_note if hidden else None,
    )


def _protected_counts(
    context: ReportContext, counts: Sequence[Sequence[int]], n_columns: int
) -> tuple[list[list[str]], list[str], bool]:
    """Counts as text with small ones hidden column by column (see :func:`protect_column`).

    Returns the rows of cells, the column totals as text, and whether anything was hidden.
    """
    columns = [protect_column(context, [row[c] for row in counts]) for c in range(n_columns)]
    cells = [[columns[c][0][r] for c in range(n_columns)] for r in range(len(counts))]
    return cells, [column[1] for column in columns], any(column[2] for column in columns)
