"""Section 2: who took part, by group: enrolled -> pre-test -> post-test -> matched -> follow-up."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from imheval.evaluation.single_time import suppress_nested
from imheval.reports.charts import FlowSpec
from imheval.reports.context import GROUPING_NAMES, ReportContext, protect_column, stage_counts
from imheval.reports.domain_charts import svg_chart
from imheval.reports.model import Block, Number, Paragraph, Section, Table
from imheval.reports.sections.followup_bias_blocks import followup_bias_blocks
from imheval.reports.wording import DASH, HIDDEN
from imheval.suppression import suppress


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
    nested = _nested_hiding(context, people)
    for grouping in ("programme", "directorate", "profession"):
        blocks.append(
            _group_count_table(
                context, people, grouping, nested[0] if grouping == "programme" else None
            )
        )
    blocks.append(_cohort_count_table(context, nested[1]))
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


#: The cohort table's columns, and the programme table's columns they add up to.
_COHORT_COLUMNS = ("n_pre", "n_post", "n_matched", "n_followup")
_NESTED_COLUMNS = dict(zip(_COHORT_COLUMNS, ("pre", "post", "matched", "followup"), strict=True))

#: Hidden cells by (row, column) of the programme table and of the cohort table; None: each
#: column on its own.
_Hiding = dict[tuple[int, str], bool] | None


def _nested_hiding(context: ReportContext, people: pd.DataFrame) -> tuple[_Hiding, _Hiding]:
    """Hidden cells of the programme and cohort tables, decided together.

    Cohorts are nested in programmes, so a programme's count is the margin of its cohorts' (a
    hidden cohort is its programme's count minus the cohorts shown):
    :func:`~imheval.evaluation.single_time.suppress_nested` decides each column of both tables.
    When some person's programme is not their cohort's, the tables do not nest: every cohort
    count of a column with anything hidden is then hidden (the column total stays).
    """
    cohorts = context.evaluation.matched.cohorts
    if not len(cohorts) or not len(people):
        return None, None
    labels = sorted({str(g) for g in people["programme"].astype(str)})
    position = {label: i for i, label in enumerate(labels)}
    of_cohort = dict(
        zip(cohorts["cohort"].astype(str), cohorts["programme"].astype(str), strict=True)
    )
    person_cohort = people["cohort"].astype(str).to_numpy()
    person_programme = people["programme"].astype(str).to_numpy()
    nested = all(
        of_cohort.get(c) == p for c, p in zip(person_cohort, person_programme, strict=True)
    )
    programme_hide: dict[tuple[int, str], bool] = {}
    cohort_hide: dict[tuple[int, str], bool] = {}
    pre = people["present_pre"].to_numpy(dtype=bool)
    post = people["present_post"].to_numpy(dtype=bool)
    present = {
        "pre": pre,
        "post": post,
        "matched": pre & post,
        "followup": people["present_followup"].to_numpy(dtype=bool),
    }
    for column, stage in _NESTED_COLUMNS.items():
        cohort_counts = [int(n) for n in cohorts[column]]
        programme_counts = [
            int((present[stage] & (person_programme == label)).sum()) for label in labels
        ]
        by_people = [
            int((present[stage] & (person_cohort == str(c))).sum()) for c in cohorts["cohort"]
        ]
        if nested and by_people == cohort_counts:
            hide_programme, hide_cohort = suppress_nested(
                programme_counts,
                [position[of_cohort[str(c)]] for c in cohorts["cohort"]],
                cohort_counts,
                context.min_group_size,
            )
        else:
            hide_programme = suppress(programme_counts, context.min_group_size).hidden
            alone = suppress(cohort_counts, context.min_group_size)
            hide_cohort = tuple(alone.any_hidden and n > 0 for n in cohort_counts)
        programme_hide.update({(i, stage): h for i, h in enumerate(hide_programme)})
        cohort_hide.update({(i, column): h for i, h in enumerate(hide_cohort)})
    return programme_hide, cohort_hide


def _group_count_table(
    context: ReportContext, people: pd.DataFrame, grouping: str, hiding: _Hiding = None
) -> Table:
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
    cells, totals, hidden = _protected_counts(context, counts, _COUNT_COLUMNS, hiding)
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


def _cohort_count_table(context: ReportContext, hiding: _Hiding = None) -> Table:
    cohorts = context.evaluation.matched.cohorts
    columns = _COHORT_COLUMNS
    counts = [[int(row[c]) for c in columns] for row in cohorts.to_dict(orient="records")]
    cells, totals, hidden = _protected_counts(context, counts, columns, hiding)
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
    context: ReportContext,
    counts: Sequence[Sequence[int]],
    names: Sequence[str],
    hiding: _Hiding = None,
) -> tuple[list[list[str]], list[str], bool]:
    """Counts as text with small ones hidden column by column (see :func:`protect_column`).

    ``hiding`` (from :func:`_nested_hiding`) overrides which cells of its columns are hidden.
    Returns the rows of cells, the column totals as text, and whether anything was hidden.
    """
    columns = [protect_column(context, [row[c] for row in counts]) for c in range(len(names))]
    cells = [[columns[c][0][r] for c in range(len(names))] for r in range(len(counts))]
    hidden = any(column[2] for column in columns)
    if hiding is not None:
        for c, name in enumerate(names):
            if columns[c][1] == HIDDEN:
                continue  # the total itself is hidden: protect_column hid everything it must
            for r, row in enumerate(counts):
                if (r, name) in hiding:
                    cells[r][c] = HIDDEN if hiding[(r, name)] else Number(f"{row[c]:,}")
                    hidden = hidden or hiding[(r, name)]
    return cells, [column[1] for column in columns], hidden
