"""Evaluation -> :class:`~imheval.reports.model.Report`, one builder function per section.

The sections follow Kirkpatrick's levels, framed by a summary and by methods:

1. Summary: findings in plain English with their APA figures, and which result to trust;
2. Who took part: enrolled -> pre-test -> post-test -> matched -> follow-up, by group;
3. Level 1 reaction; 4. Level 2 learning (per domain: Table 1, tests, breakdowns, charts);
5. Level 3 behaviour (follow-up); 6. Level 4 results;
7. Methods and limitations, written for the data at hand.

A section builder takes a :class:`ReportContext` and returns a :class:`Section`; adding a
section (item analysis, reliability, a mixed model) is one more function in
:data:`SECTION_BUILDERS`, or ``build_report(..., builders=...)``.

Privacy: every count or mean of fewer than ``min_group_size`` people is replaced by a note, with
secondary suppression so a hidden value cannot be recovered from a published total; participant
codes never enter the report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from imheval._version import __version__
from imheval.evaluation import (
    COMPARISON_NAMES,
    Breakdown,
    DomainEvaluation,
    Evaluation,
    MeanRow,
    TestEntry,
)
from imheval.findings import ALPHA, WHICH_TO_TRUST
from imheval.reports._gc import cyclic_gc_paused
from imheval.reports.charts import FlowSpec
from imheval.reports.context import (
    CEILING_SHARE,
    DEFAULT_TITLE,
    EASY_FACILITY,
    GROUPING_NAMES,
    LEVEL_TITLES,
    LOW_RELIABILITY,
    SMALL_COHORTS,
    SMALL_PAIRS,
    TOO_EASY,
    TOO_FEW,
    ReportContext,
    SectionBuilder,
    ceiling_amount,
    hidden_text,
    protect_column,
    protect_report_rows,
    significant,
    stage_counts,
)
from imheval.reports.domain_charts import (
    changes_chart,
    dumbbell_chart,
    facility_chart,
    gains_chart,
    svg_chart,
)
from imheval.reports.model import (
    Block,
    Callout,
    Findings,
    Heading,
    Paragraph,
    Report,
    Section,
    Table,
)
from imheval.reports.wording import (
    DASH,
    EFFECT_LEGEND,
    difference,
    effect_text,
    join,
    optional_number,
    optional_prop,
    people_text,
    percent_text,
    plural_s,
    prop,
    range_text,
    score,
    signed_number,
)
from imheval.stats import (
    AlphaResult,
    ItemAnalysis,
    ItemStats,
    MixedModelResult,
    ReliableChange,
    VarianceComponents,
)
from imheval.stats.apa import TEST_NAMES, format_p
from imheval.suppression import suppress


def build_report(
    evaluation: Evaluation,
    *,
    title: str | None = None,
    min_group_size: int | None = None,
    builders: Sequence[SectionBuilder] | None = None,
) -> Report:
    """The report for ``evaluation``: a frozen :class:`Report` every renderer reads.

    ``min_group_size`` defaults to the evaluation's; a smaller value cannot reveal what the
    evaluation already suppressed, so the larger of the two is used. ``builders`` replaces
    :data:`SECTION_BUILDERS` (e.g. to add a section). Raises AnalysisError only through the
    evaluation's own checks; a domain with no matched pair is reported as such, not an error.
    """
    size = max(min_group_size or 0, evaluation.options.min_group_size)
    context = ReportContext(evaluation, size, evaluation.to_dict())
    with cyclic_gc_paused():  # the charts: see imheval.reports._gc
        built = [builder(context) for builder in (builders or SECTION_BUILDERS)]
    sections = tuple(section for section in built if section is not None)
    people = len(evaluation.matched.people)
    cohorts = len(evaluation.matched.cohorts)
    programmes = _programmes(evaluation)
    subtitle = (
        f"{context.people(people)} in {cohorts:,} cohort{plural_s(cohorts)}"
        + (f" of {len(programmes)} programme{plural_s(len(programmes))}" if programmes else "")
        + f"; data: {Path(evaluation.source).name}"
    )
    return Report(
        title=title or DEFAULT_TITLE,
        subtitle=subtitle,
        generated=evaluation.created,
        sections=sections,
        software=f"imheval {__version__}",
    )


def summary_section(context: ReportContext) -> Section:
    """One page: the key findings per domain with APA figures (which to trust follows it)."""
    evaluation = context.evaluation
    blocks: list[Block] = [
        Paragraph("The main results in plain English, with the statistics beside each sentence.")
    ]
    for domain in evaluation.domains:
        blocks.append(Heading(domain.domain.label))
        blocks.append(Findings(tuple(split_apa(line) for line in _key_findings(context, domain))))
    if not any(d.n_pairs for d in evaluation.domains):
        blocks.append(
            Callout(
                "warning",
                "No one was matched between pre-test and post-test, so change could not be "
                "measured. Check that codes were typed the same way at both timepoints.",
            )
        )
    return Section("summary", "Summary of findings", None, tuple(blocks))


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


def _key_findings(context: ReportContext, domain: DomainEvaluation) -> list[str]:
    """The descriptive sentence and the sentences on the key tests (before vs after, follow-up).

    Chosen by the figures they quote, not by position, so new kinds of finding elsewhere in the
    list do not change the summary. A group too small to report gives only its note.
    """
    findings = domain_findings(context, domain)
    if not findings or context.small(domain.n_pairs):
        return findings
    marks: list[str] = []
    for unit, comparison in (
        ("cohort", "pre_post"),
        ("participant", "pre_post"),
        ("participant", "pre_followup"),
        ("participant", "post_followup"),
    ):
        entry = domain.test(unit, "paired_t", comparison)  # type: ignore[arg-type]
        # Tests that could not be run are explained in the detail, not on the one-page summary.
        if entry is not None and entry.result.computed:
            marks.append(entry.result.apa())
    chosen = [findings[0]]
    chosen.extend(
        line
        for line in findings[1:]
        if any(mark and mark in line for mark in marks) or TOO_FEW in line
    )
    return chosen


#: The wording of the follow-up findings (imheval.findings), to find them by comparison.
FOLLOWUP_WORDING: Mapping[str, tuple[str, str]] = {
    "pre_followup": ("before training", "at follow-up"),
    "post_followup": ("straight after training", "at follow-up"),
}


_CEILING_FINDING = re.compile(r"^\d+% of people scored the maximum (before|after) training")


_RELIABLE_FINDING = re.compile(r"^(Reliable change \(Jacobson-Truax[^:]*\)): ")


def domain_findings(context: ReportContext, domain: DomainEvaluation) -> list[str]:
    """The evaluation's findings on ``domain`` as the report may print them.

    A domain with fewer than ``min_group_size`` matched people gives only a note; a follow-up
    comparison of so few people is replaced by a note; ceiling and reliable-change sentences are
    rewritten so a count of 1 to ``min_group_size - 1`` people (or a share that implies one)
    reads "fewer than N", consistently with the tables.
    """
    if context.small(domain.n_pairs):
        return [context.too_few(domain.domain.label, "were matched before and after training")]
    hidden: dict[str, str] = {}
    for comparison, (first, second) in FOLLOWUP_WORDING.items():
        entry = domain.test("participant", "paired_t", comparison)
        if entry is not None and context.small(entry.result.n):
            note = context.too_few("Follow-up", f"were measured both {first} and {second}")
            for start in (
                f"Follow-up: for the {entry.result.n} people measured both {first} and",
                f"Follow-up: fewer than {context.min_group_size} people were measured both "
                f"{first} and",
                f"{first.capitalize()} vs {second}:",
            ):
                hidden[start] = note
    extras = domain.extras
    items = extras.items if extras is not None else None
    lines: list[str] = []
    for line in map(_singular, domain.findings):
        replaced = next((note for start, note in hidden.items() if line.startswith(start)), None)
        ceiling = _CEILING_FINDING.match(line)
        if replaced is not None:
            if replaced not in lines:
                lines.append(replaced)
        elif ceiling is not None and items is not None:
            result = items.ceiling_pre if ceiling.group(1) == "before" else items.ceiling_post
            if result is not None and context.small(result.n_at_max):
                line = (
                    f"More than {100 * CEILING_SHARE:.0f}% of people scored the maximum "
                    f"{ceiling.group(1)} training: {TOO_EASY}."
                )
            lines.append(line)
        elif (reliable := _RELIABLE_FINDING.match(line)) and extras is not None:
            counts = reliable_change_counts(context, extras.reliable_change)
            lines.append(f"{reliable.group(1)}: {counts}" if counts else line)
        else:
            lines.append(line)
    return lines


def which_to_trust_here(evaluation: Evaluation, min_group_size: int = 1) -> str:
    """What the cohort-level and participant-level results mean for this evaluation.

    Domains with fewer than ``min_group_size`` matched people are not reported, so not named.
    """
    measured = [d for d in evaluation.domains if d.n_pairs >= max(min_group_size, 1)]
    n_cohorts = max((d.n_cohorts for d in measured), default=0)
    parts = [
        f"In this evaluation, {n_cohorts} cohort{plural_s(n_cohorts)} had people measured before "
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
            f"For {join(agree)}, both levels agree that scores changed, so "
            f"{'this finding does' if len(agree) == 1 else 'these findings do'} not hang on "
            "the unit of analysis."
        )
    if only_people:
        parts.append(
            f"For {join(only_people)}, only the participant-level test is significant: report "
            "it with the caveat that it treats people as independent although people trained "
            "together may be alike."
        )
    if only_cohorts:
        parts.append(
            f"For {join(only_cohorts)}, only the cohort-level test is significant; the "
            "participant-level test, which uses every matched person, does not confirm it, so "
            "treat the change with caution."
        )
    if neither:
        parts.append(f"For {join(neither)}, neither level shows a clear change.")
    if no_cohort_test:
        parts.append(
            f"For {join(no_cohort_test)}, the cohort-level test could not be run (it needs at "
            "least two cohorts with matched people), so only the participant-level result is "
            "available; it treats people as independent, so read it with that caveat."
        )
    return " ".join(parts)


_P_VALUE = re.compile(r"\bp [<=>]")


_TRAILING_APA = re.compile(r",\s+((?:t|F|V|W)(?:\([^)]*\))? = [^,]+, p [<=>] ?\.\d+.*?)\.?$")


def split_apa(sentence: str) -> tuple[str, str]:
    """A finding split into its plain words and its APA figures.

    Figures are the top-level parentheses that quote a p-value (nested parentheses such as
    ``t(4)`` are kept together), or a trailing ", t(8) = 3.00, p = .017"; what is left is the
    plain sentence. A sentence without figures comes back with "".
    """
    pieces: list[str] = []
    figures: list[str] = []
    depth = 0
    start = 0
    last = 0
    for index, char in enumerate(sentence):
        if char == "(":
            if depth == 0:
                start = index
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                inner = sentence[start + 1 : index]
                if _P_VALUE.search(inner):
                    pieces.append(sentence[last:start])
                    figures.append(inner)
                    last = index + 1
    pieces.append(sentence[last:])
    plain = "".join(pieces)
    if not figures:
        trailing = _TRAILING_APA.search(plain)
        if trailing:
            figures.append(trailing.group(1))
            plain = plain[: trailing.start()] + "."
    # punctuation left behind by a removed "(...)"; not the point of a number like ".65"
    plain = re.sub(r"\s+([.,;:])(?!\d)", r"\1", plain)
    # findings.py writes a bounded r as "r = > .99"; APA reads "r > .99".
    figures = [re.sub(r"= ([<>]) ", r"\1 ", figure) for figure in figures]
    plain = re.sub(r"\s{2,}", " ", plain).strip()
    return plain, "; ".join(figures)


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
            context.count(n),
            DASH
            if context.small(n) or not total["enrolled"]
            else f"{100 * n / total['enrolled']:.0f}%",
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


def reaction_section(context: ReportContext) -> Section:
    """Level 1: satisfaction domains where the instrument has them, else "not measured"."""
    domains = context.domains_at_level(1)
    title = LEVEL_TITLES[1]
    if not domains:
        return Section(
            "level-1",
            title,
            1,
            (
                Callout("info", "Not measured: the questionnaire has no reaction items."),
                Paragraph(
                    "What would measure it: a short reaction questionnaire at the end of each "
                    "session, asking how relevant the training was to the participant's work, "
                    "how confident they feel to apply it, and whether they would recommend it "
                    "to a colleague (each rated, for example, 1 to 5)."
                ),
            ),
        )
    blocks: list[Block] = [
        Paragraph(
            "Reaction is usually asked once, at the end of training, so it is summarised from "
            "the post-test answers of everyone who gave them (matched or not)."
        )
    ]
    for domain in domains:
        blocks.append(Heading(domain.domain.label))
        blocks.append(_post_only_table(context, domain))
    return Section("level-1", title, 1, tuple(blocks))


def _post_only_table(context: ReportContext, domain: DomainEvaluation) -> Table:
    info = domain.domain
    frame = context.evaluation.scored.frame
    at_post = frame[(frame["timepoint"] == "post") & frame[info.id].notna()]
    rows: list[tuple[str, str, str]] = []
    hidden = False
    groups = at_post.groupby("programme", sort=True)[info.id]
    entries = [(str(label) or "Not recorded", values) for label, values in groups]
    # The overall mean and n are shown: hidden groups must not be recoverable from them.
    decided = suppress([len(values) for _, values in entries], context.min_group_size)
    for index, (label, values) in enumerate(entries):
        if decided.hidden[index]:
            hidden = True
            count = hidden_text(context, len(values), decided.primary[index])
            rows.append((label, count, "suppressed (small group)"))
        else:
            mean = float(values.mean())
            rows.append((label, f"{len(values):,}", score(mean, info.percent_of_maximum(mean))))
    if len(at_post):
        mean = float(at_post[info.id].mean())
        rows.append(("All", f"{len(at_post):,}", score(mean, info.percent_of_maximum(mean))))
    return Table(
        caption=f"{info.label}: mean score at the end of training, by programme",
        header=("Programme", "People", "Mean (% of possible range)"),
        rows=tuple(rows),
        suppressed_note=context.suppressed_note if hidden else None,
    )


def learning_section(context: ReportContext) -> Section:
    """Level 2: every learning domain, before and after training."""
    domains = context.domains_at_level(2)
    title = LEVEL_TITLES[2]
    if not domains:
        return Section(
            "level-2",
            title,
            2,
            (
                Callout("info", "Not measured: no domain of the questionnaire measures learning."),
                Paragraph(
                    "What would measure it: knowledge, risk identification and self-efficacy "
                    "questions asked before and after training, with a personal code so each "
                    "person's answers can be matched."
                ),
            ),
        )
    blocks: list[Block] = [
        Paragraph(
            "Learning was measured by asking the same questions before and after training. For "
            "each domain: the seed study's Table 1 of cohort means, the tests at cohort level "
            "and at participant level with effect sizes, the results by programme, directorate "
            "and profession, and charts."
        )
    ]
    for domain in domains:
        blocks.extend(domain_blocks(context, domain))
    return Section("level-2", title, 2, tuple(blocks))


def behaviour_section(context: ReportContext) -> Section:
    """Level 3: follow-up results (and behaviour domains), else "not measured"."""
    title = LEVEL_TITLES[3]
    blocks: list[Block] = []
    for domain in context.domains_at_level(3):
        blocks.extend(domain_blocks(context, domain))
    everything = [
        entry
        for entry in context.evaluation.tests
        if entry.comparison in ("pre_followup", "post_followup")
    ]
    followup = [entry for entry in everything if not context.small(entry.result.n)]
    labels = {d.domain.id: d.domain.label for d in context.evaluation.domains}
    too_few = sorted(
        {
            context.too_few(
                f"{labels.get(entry.domain, entry.domain)}, "
                f"{COMPARISON_NAMES.get(entry.comparison, entry.comparison).lower()}",
                "were measured at both timepoints",
            )
            for entry in everything
            if context.small(entry.result.n)
        }
    )
    blocks.extend(retention_blocks(context))
    if everything and not followup:
        blocks.append(Heading("Follow-up: were gains kept?"))
        blocks.extend(Callout("info", note) for note in too_few)
    if followup:
        blocks.append(Heading("Follow-up: were gains kept?"))
        blocks.append(
            Paragraph(
                "People answered the questionnaire again some weeks after training. Scores at "
                "follow-up are compared with scores before and straight after training; a "
                "retained gain shows as a higher score than before and little drop since the "
                "end of training."
            )
        )
        blocks.append(
            tests_table(
                "Follow-up tests (people measured at both timepoints)",
                followup,
                context,
                with_domain=True,
            )
        )
        blocks.extend(Callout("info", note) for note in too_few)
        items: list[tuple[str, str]] = []
        for domain in context.evaluation.domains:
            if context.small(domain.n_pairs):
                continue
            items.extend(
                split_apa(line)
                for line in domain_findings(context, domain)
                if line.startswith("Follow-up:")
            )
        if items:
            blocks.append(Findings(tuple(items)))
    if not blocks:
        blocks = [
            Callout("info", "Not measured: no follow-up data were collected."),
            Paragraph(
                "What would measure it: the same questionnaire again 8 to 12 weeks after "
                "training (with the same personal code), questions about what people now do "
                "differently in practice (for example, asking parents about their baby's "
                "feelings, or referring a family they are worried about), and a short report "
                "from each participant's supervisor."
            ),
        ]
    return Section("level-3", title, 3, tuple(blocks))


def retention_blocks(context: ReportContext) -> list[Block]:
    """Means before, after and at follow-up per domain, and the share of the gain retained."""
    present = [
        (d, d.extras.retention)
        for d in context.evaluation.domains
        if d.extras is not None and d.extras.retention is not None and d.n_pairs
    ]
    if not present:
        return []
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for domain, kept in present:
        label = domain.domain.label
        if not kept.computed:
            notes.append(f"{label}: retention not computed: {kept.reason}.")
            continue
        if context.small(kept.n):
            notes.append(
                context.too_few(f"{label}, retention", "were measured at all three timepoints")
            )
            continue
        rows.append(
            (
                label,
                f"{kept.n:,}",
                optional_number(kept.mean_pre),
                optional_number(kept.mean_post),
                optional_number(kept.mean_followup),
                signed_number(kept.gain_post),
                signed_number(kept.gain_followup),
                percent_text(kept.share_retained),
            )
        )
        notes.extend(f"{label}: {note}" for note in kept.notes)
    blocks: list[Block] = [
        Heading("Retention: how much of the gain remained at follow-up"),
        Paragraph(
            "For the people measured before training, straight after and at follow-up, the "
            "share of gain retained is the gain at follow-up divided by the gain straight "
            "after training: 100% means all of it was kept, 0% that scores fell back to where "
            "they started, and above 100% that they kept rising."
        ),
    ]
    if rows:
        notes.insert(0, "Means are in score points, for the same people at all three times.")
        blocks.append(
            Table(
                caption="Retention at follow-up (people measured at all three timepoints)",
                header=(
                    "Domain",
                    "People",
                    "Before",
                    "After",
                    "Follow-up",
                    "Gain after training",
                    "Gain at follow-up",
                    "Share of gain retained",
                ),
                rows=tuple(rows),
                notes=tuple(notes),
            )
        )
    else:
        blocks.extend(Callout("info", note) for note in notes)
    return blocks


POLICY_NAMES: Mapping[str, str] = {
    "seed": "Blank = 0 (seed rule)",
    "complete_case": "Complete cases",
}


def policy_blocks(context: ReportContext) -> list[Block]:
    """The seed's missing = 0 rule against complete cases, per domain, side by side."""
    evaluation = context.evaluation
    blocks: list[Block] = [Heading("Does the zero rule matter?")]
    rows_in = evaluation.policy_comparison
    if not rows_in:
        blocks.append(
            Paragraph(
                "The seed rule could not be compared with complete cases: the data held domain "
                "scores already calculated, not the answer to each question."
            )
        )
        return blocks
    blocks.append(
        Paragraph(
            "Under the seed rule a blank or invalid answer scores 0, as if it were wrong; with "
            "complete cases a person counts only if they answered every question of the domain "
            "before and after. If the two rows of a domain tell the same story, the rule does "
            "not change the conclusion."
        )
    )
    labels = {d.domain.id: d.domain.label for d in evaluation.domains}
    rows: list[tuple[str, ...]] = []
    hidden = False
    verdicts: dict[str, list[bool]] = {}
    for row in rows_in:
        label = labels.get(row.domain, row.domain)
        policy = POLICY_NAMES.get(row.policy.value, row.policy.value)
        if context.small(row.n_pairs):
            hidden = True
            rows.append((label, policy, context.count(row.n_pairs), DASH, DASH, DASH, "suppressed"))
            continue
        result = row.result
        outcome = result.apa() if result.computed else f"Not computed: {result.reason}"
        rows.append(
            (
                label,
                policy,
                f"{row.n_pairs:,}",
                optional_number(row.pre_mean),
                optional_number(row.post_mean),
                signed_number(row.difference),
                outcome,
            )
        )
        if result.computed and result.p is not None:
            verdicts.setdefault(label, []).append(result.p < ALPHA)
    blocks.append(
        Table(
            caption="The seed rule against complete cases (participant-level paired t-test)",
            header=("Domain", "Missing answers", "Pairs", "Before", "After", "Change", "Paired t"),
            rows=tuple(rows),
            notes=("Means and changes are in score points; p-values are not Holm-adjusted.",),
            suppressed_note=context.suppressed_note if hidden else None,
        )
    )
    compared = {label: v for label, v in verdicts.items() if len(v) == 2}
    differ = [label for label, v in compared.items() if v[0] != v[1]]
    if compared:
        if differ:
            text = (
                f"In this evaluation the rule changes the conclusion for {join(differ)}: "
                "whether the change is statistically significant depends on how blanks are "
                "treated, so report both."
            )
        else:
            text = (
                "In this evaluation the rule does not change any conclusion: every domain is "
                "significant, or not, under both."
            )
        blocks.append(Paragraph(text))
    return blocks


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
            f"before training: {join(easy)}; {TOO_EASY}."
        )
    return texts


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
            f" For {join(differ)} it disagrees with the participant-level test; trust the "
            "mixed model there."
        )
    else:
        text += " It agrees with the participant-level test wherever both could be computed."
    return text


def results_section(context: ReportContext) -> Section:
    """Level 4: service outcomes; imheval has none yet, so it says what would measure them."""
    title = LEVEL_TITLES[4]
    domains = context.domains_at_level(4)
    if domains:
        blocks: list[Block] = []
        for domain in domains:
            blocks.extend(domain_blocks(context, domain))
        return Section("level-4", title, 4, tuple(blocks))
    return Section(
        "level-4",
        title,
        4,
        (
            Callout("info", "Not measured: no service outcomes were collected."),
            Paragraph(
                "What would measure it: service outcomes before and after the workforce was "
                "trained, such as the number and appropriateness of referrals to perinatal and "
                "infant mental health services, and an audit of case records for signs that "
                "infant mental health was assessed and acted on."
            ),
        ),
    )


def domain_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Heading, findings, Table 1, tests, breakdowns and charts for one pre/post domain."""
    info = domain.domain
    blocks: list[Block] = [Heading(info.label + range_text(domain))]
    if context.small(domain.n_pairs):
        # Tests, item flags, ceilings and counts on so few people could identify them.
        blocks.append(Callout("info", domain_findings(context, domain)[0]))
        return blocks
    blocks.append(
        Paragraph(
            f"{context.people(domain.n_pairs)} in {domain.n_cohorts:,} "
            f"cohort{plural_s(domain.n_cohorts)} answered this part of the questionnaire both "
            "before "
            "and after training."
        )
    )
    blocks.append(Findings(tuple(split_apa(line) for line in domain_findings(context, domain))))
    if domain.n_pairs == 0:
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
        (row.label, row.programme, _row_count(context, row), *_mean_cells(row, context))
        for row in rows_in
    ]
    overall = domain.overall
    rows.append(
        ("All matched people", "", context.count(overall.n), *_mean_cells(overall, context))
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
        (row.label or "Not recorded", _row_count(context, row), *_mean_cells(row, context))
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


def _row_count(context: ReportContext, row: MeanRow) -> str:
    """A row's n as shown: a hidden row's n is hidden too, or it would give a small one away."""
    if row.suppressed:
        return hidden_text(context, row.n, context.small(row.n))
    return context.count(row.n)


def _mean_cells(row: MeanRow, context: ReportContext) -> tuple[str, str, str]:
    if row.suppressed or row.n < context.min_group_size:
        return (DASH, DASH, "suppressed (small group)")
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
        direction = re.search(r"\('([^']*)' minus '([^']*)'\)", result.method)
        if direction:
            question += f" ({direction.group(1)} minus {direction.group(2)})"
        unit = f"{who}, n = {result.n:,}"
        name = TEST_NAMES.get(result.test, result.test)
        if result.computed:
            outcome = result.apa()
            holm = format_p(entry.p_holm) if entry.p_holm is not None else DASH
            effects = effect_text(entry)
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


def deeper_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Item analysis, reliability, reliable change and the mixed model of one domain.

    Nothing when the evaluation computed none of them; a single note when the domain has fewer
    matched people than the report may show.
    """
    extras = domain.extras
    if extras is None or domain.n_pairs == 0:
        return []
    if context.small(domain.n_pairs):
        return [
            Callout(
                "info",
                f"Item analysis, reliable change and the mixed model are not shown for "
                f"{domain.domain.label}: fewer than {context.min_group_size} people were "
                "matched, and figures for so few people could identify them.",
            )
        ]
    blocks: list[Block] = []
    blocks.extend(item_analysis_blocks(context, domain))
    blocks.extend(reliable_change_blocks(context, domain))
    blocks.extend(mixed_model_blocks(context, domain))
    return blocks


def item_analysis_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """The reliability line, ceiling warnings, the item table and the facility chart."""
    info = domain.domain
    blocks: list[Block] = [Heading(f"{info.label}: item analysis and reliability", level=2)]
    extras = domain.extras
    items = extras.items if extras is not None else None
    if items is None:
        blocks.append(
            Callout(
                "info",
                "Item analysis not computed: the data held domain scores, not the answer to "
                "each question, so facility, discrimination and reliability cannot be worked "
                "out.",
            )
        )
        return blocks
    blocks.append(
        Paragraph(
            "Facility is the share of people who answered a question correctly (for rated "
            "questions, the average rating as a share of its range). Item-rest r shows how well "
            "a question agrees with the rest of the domain: low or negative values mark a "
            "question that measures something else. McNemar's test asks whether more people "
            "got a question right after training than got it wrong."
        )
    )
    blocks.append(Paragraph(reliability_text(items, context.min_group_size)))
    blocks.extend(Callout("warning", text) for text in ceiling_warnings(context, items))
    blocks.append(item_table(info.label, items, context))
    chart = facility_chart(domain, items)
    if chart is not None:
        blocks.append(chart)
    return blocks


def reliability_text(items: ItemAnalysis, min_group_size: int = 0) -> str:
    """KR-20 / alpha with its Feldt CI before and after training, and what it means.

    A count of 1 to ``min_group_size - 1`` people reads "fewer than N people".
    """
    pre = items.reliability_pre
    post = items.reliability_post
    name = pre.name
    parts = [f"Internal consistency ({name}, with the Feldt 95% confidence interval):"]
    parts.append(f"before training {_alpha_value(pre, min_group_size)}")
    if post is not None:
        parts[-1] += ";"
        parts.append(f"after training {_alpha_value(post, min_group_size)}.")
    else:
        parts[-1] += "."
    low = [
        when
        for when, result in (("before", pre), ("after", post))
        if result is not None and result.alpha is not None and result.alpha < LOW_RELIABILITY
    ]
    if low:
        parts.append(
            f"This is low {' and '.join(low)} training (below the usual {prop(LOW_RELIABILITY)} "
            "for comparing groups): the questions may measure several different things, and an "
            "individual's score is imprecise."
        )
    elif pre.alpha is not None:
        parts.append(
            f"At {prop(LOW_RELIABILITY)} or more, this is acceptable for comparing groups."
        )
    parts.append(
        f"The last column of the table gives the {name} of the other questions if that one were "
        "dropped; a value above the domain's own marks a question that weakens the total."
    )
    return " ".join(parts)


def _alpha_value(result: AlphaResult, min_group_size: int = 0) -> str:
    if result.alpha is None:
        return f"not computed ({result.reason})"
    text = prop(result.alpha)
    if result.ci_low is not None and result.ci_high is not None:
        text += f" (95% CI {prop(result.ci_low)} to {prop(result.ci_high)})"
    return (
        text + f", from {people_text(result.n, min_group_size)} who answered all {result.k} "
        "questions"
    )


def ceiling_warnings(context: ReportContext, items: ItemAnalysis) -> list[str]:
    """The ceiling flags of a domain in plain English, each with the seed's advice."""
    texts: list[str] = []
    for when, ceiling in (("before", items.ceiling_pre), ("after", items.ceiling_post)):
        if ceiling is None or not ceiling.flagged or ceiling.share is None:
            continue
        threshold = (
            "" if context.small(ceiling.n_at_max) else f", more than {100 * CEILING_SHARE:.0f}%"
        )
        texts.append(
            f"Ceiling effect {when} training: {ceiling_amount(context, ceiling)} scored the "
            f"maximum possible ({ceiling.maximum:g}){threshold}. The questions cannot show "
            f"improvement for them: {TOO_EASY}."
        )
    easy = [s for s in items.items if s.facility_pre is not None and s.facility_pre > EASY_FACILITY]
    if easy:
        listed = join([f"{s.item} ({percent_text(s.facility_pre)})" for s in easy])
        texts.append(
            f"Answered correctly by more than {100 * EASY_FACILITY:.0f}% of people before "
            f"training: {listed}. {TOO_EASY.capitalize()}."
        )
    return texts


def item_table(label: str, items: ItemAnalysis, context: ReportContext | None = None) -> Table:
    """One row per question: facility, item-rest r, McNemar change, alpha if deleted, flag.

    With ``context``, McNemar's b and c (counts of people) of 1 to ``min_group_size - 1`` read
    "fewer than N".
    """
    limit = context.min_group_size if context is not None else 0
    name = items.reliability_pre.name
    deleted = items.reliability_pre.alpha_if_deleted
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for stats in items.items:
        rows.append(
            (
                stats.item,
                optional_prop(stats.facility_pre),
                optional_prop(stats.facility_post),
                optional_prop(stats.item_rest_pre),
                mcnemar_text(stats, limit),
                format_p(stats.p_holm) if stats.p_holm is not None else DASH,
                optional_prop(deleted.get(stats.item)),
                _item_flag(stats),
            )
        )
        for field_name, reason in stats.reasons.items():
            if field_name in ("facility_pre", "facility_post", "item_rest_pre"):
                notes.append(f"{stats.item}: {reason}.")
    if any(s.mcnemar is not None for s in items.items):
        notes.append(
            "Change: b = people right before and wrong after, c = wrong before and right "
            "after; the exact (binomial) test is used when b + c is below 25, otherwise the "
            "chi-square test with continuity correction. Holm-adjusted p corrects for testing "
            "every question of the domain."
        )
    if any(s.mcnemar is None and not s.binary for s in items.items):
        notes.append("McNemar's test is for questions scored right or wrong, not ratings.")
    notes.append(
        f"Facility above {prop(EASY_FACILITY)} before training marks a question as too easy "
        "to show change."
    )
    return Table(
        caption=f"{label}: item analysis ({len(items.items)} questions; "
        f"{people_text(items.reliability_pre.n, limit)} answered all of them before "
        "training)",
        header=(
            "Question",
            "Facility before",
            "Facility after",
            "Item-rest r before",
            "Change (McNemar)",
            "Holm-adjusted p",
            f"{name} if deleted",
            "Flag",
        ),
        rows=tuple(rows),
        notes=tuple(notes),
    )


def mcnemar_text(stats: ItemStats, min_group_size: int = 0) -> str:
    """``b = 0, c = 22; exact, p < .001``; ``b = 0, c = 25; χ²(1) = 23.04, p < .001``.

    b and c count people: one of 1 to ``min_group_size - 1`` reads ``b fewer than 5``.
    """
    result = stats.mcnemar
    if result is None:
        return "not applicable" if not stats.binary else DASH

    def count(name: str, n: int) -> str:
        return f"{name} fewer than {min_group_size}" if 0 < n < min_group_size else f"{name} = {n}"

    counts = f"{count('b', result.b)}, {count('c', result.c)}"
    if not result.computed or result.p is None:
        return f"{counts}; not computed: {result.reason or 'no p-value'}"
    if result.statistic is None:
        return f"{counts}; exact, {format_p(result.p)}"
    return f"{counts}; {result.apa()}"


def _item_flag(stats: ItemStats) -> str:
    if stats.facility_pre is not None and stats.facility_pre > EASY_FACILITY:
        return "Too easy"
    if stats.flags:
        return "See note"
    return ""


def reliable_change_cells(
    context: ReportContext, change: ReliableChange
) -> tuple[list[str], str, bool] | None:
    """Improved, no change and declined as text, protected like any column of counts.

    None when reliable change was not computed. The same cells feed the table and the
    sentence, so a count hidden in one is hidden in the other.
    """
    counts = (change.n_improved, change.n_no_change, change.n_declined)
    if not change.computed or any(n is None for n in counts):
        return None
    return protect_column(context, [int(n or 0) for n in counts])


def reliable_change_counts(context: ReportContext, change: ReliableChange) -> str | None:
    """How many reliably improved and declined, in words, hiding what the table hides.

    None when reliable change was not computed.
    """
    cells = reliable_change_cells(context, change)
    if cells is None or change.minimum_reliable_change is None:
        return None
    (improved, _, declined), total, _ = cells
    counts = (change.n_improved or 0, change.n_declined or 0)
    words = []
    for cell, n, verb in zip(
        (improved, declined), counts, ("improved", "reliably declined"), strict=True
    ):
        if cell[:1].isdigit() and total[:1].isdigit():
            words.append(f"{cell} of {total} people ({100 * n / change.n:.0f}%) {verb}")
        elif cell == "suppressed":
            words.append(f"the number who {verb} is not shown, to protect a smaller group")
        else:
            words.append(f"{cell} {'person' if cell == '1' else 'people'} {verb}")
    return (
        f"{words[0]} (by more than measurement error explains: at least "
        f"{change.minimum_reliable_change:.2f} points); {words[1]}."
    )


def reliable_change_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Jacobson-Truax: how many people reliably improved, did not change, or declined.

    Counts of 1 to ``min_group_size - 1`` people read "fewer than N", with secondary
    suppression because the total is shown.
    """
    info = domain.domain
    extras = domain.extras
    if extras is None:
        return []
    change = extras.reliable_change
    blocks: list[Block] = [Heading(f"{info.label}: reliable change for each person", level=2)]
    if (
        not change.computed
        or change.minimum_reliable_change is None
        or change.n_improved is None
        or change.n_no_change is None
        or change.n_declined is None
    ):
        blocks.append(
            Callout("info", f"Reliable change not computed: {change.reason or 'no estimate'}.")
        )
        return blocks
    blocks.append(
        Paragraph(
            "Some of any person's change is measurement error. The reliable change index "
            "(Jacobson and Truax) counts a change as real only when it is larger than "
            f"measurement error explains: here at least {change.minimum_reliable_change:.2f} "
            "points, up or down."
        )
    )
    protected = reliable_change_cells(context, change)
    if protected is None:
        return blocks
    cells, total, hidden = protected
    counts = (change.n_improved, change.n_no_change, change.n_declined)
    rows = [
        (
            label,
            cell,
            f"{100 * n / change.n:.0f}%" if change.n and cell[:1].isdigit() else DASH,
        )
        for label, n, cell in zip(
            ("Reliably improved", "No reliable change", "Reliably declined"),
            (int(n or 0) for n in counts),
            cells,
            strict=True,
        )
    ]
    rows.append(("Total", total, "100%" if change.n and total[:1].isdigit() else DASH))
    reliability = (
        f"{_reliability_name(domain)} before training = {prop(change.reliability)}"
        if change.reliability is not None
        else "not given"
    )
    notes = [
        f"Minimum reliable change: {change.minimum_reliable_change:.2f} points "
        f"(1.96 × √2 × SD before training × √(1 − reliability)); SD before training "
        f"{optional_number(change.sd_pre)} ({change.sd_pre_source}); reliability used: "
        f"{reliability}.",
    ]
    blocks.append(
        Table(
            caption=f"{info.label}: reliable change (Jacobson-Truax), matched people",
            header=("Outcome", "People", "Share"),
            rows=tuple(rows),
            notes=tuple(notes),
            suppressed_note=context.suppressed_note if hidden else None,
        )
    )
    return blocks


def _reliability_name(domain: DomainEvaluation) -> str:
    extras = domain.extras
    if extras is not None and extras.items is not None:
        return extras.items.reliability_pre.name
    return "reliability"


def mixed_model_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """The linear mixed model: time effects with CIs, variance components, the formula, and
    why cohort is fixed when it is."""
    info = domain.domain
    extras = domain.extras
    if extras is None:
        return []
    model = extras.mixed_model
    blocks: list[Block] = [Heading(f"{info.label}: allowing for clustering", level=2)]
    if not model.computed:
        blocks.append(Callout("info", f"The mixed model could not be fitted: {model.reason}."))
        return blocks
    blocks.append(Paragraph(mixed_model_text(domain, model)))
    if model.cohort_effect_reason:
        blocks.append(Paragraph(cohort_effect_text(model)))
    rows = tuple(
        (
            effect.label[:1].upper() + effect.label[1:],
            f"{effect.estimate:+.2f}" if effect.term != "(Intercept)" else f"{effect.estimate:.2f}",
            f"{effect.ci.low:.2f} to {effect.ci.high:.2f}",
            f"{effect.statistic:.2f}",
            DASH if effect.df is None else f"{effect.df:.2f}",
            format_p(effect.p),
        )
        for effect in model.fixed_effects
    )
    blocks.append(
        Table(
            caption=f"{info.label}: linear mixed model, fixed effects (points)",
            header=("Term", "Estimate", "95% CI", "t", "df", "p"),
            rows=rows,
            notes=(
                f"Model: {model.formula}; {model.n_observations:,} scores of "
                f"{people_text(model.n_participants, 0)} in {model.n_cohorts:,} "
                f"cohort{plural_s(model.n_cohorts)}; {model.method}.",
                MIXED_MODEL_TESTS,
            ),
        )
    )
    components = model.variance_components
    if components is not None:
        blocks.append(_variance_table(info.label, model, components))
    return blocks


#: How the mixed model's p-values are found, in plain English (under its table).
MIXED_MODEL_TESTS = (
    "Each p-value is a t-test (t = estimate / standard error) with Satterthwaite degrees of "
    "freedom (df), as R's lmerTest package gives. The df say how much independent information "
    "an estimate rests on: an estimate that compares cohorts has few when there are few "
    "cohorts, so its p-value and interval are wider than the number of people suggests."
)


def mixed_model_text(domain: DomainEvaluation, model: MixedModelResult) -> str:
    """The "which result to trust" companion for one domain."""
    parts = [
        "The cohort-level test weights every cohort equally and has few degrees of freedom; the "
        "participant-level test uses every person but treats them as independent. A linear "
        "mixed model uses every person and allows for clustering: people trained in the same "
        "cohort may be more alike than people in different cohorts, and each person's scores "
        "before and after are linked."
    ]
    for term, what in (("timepost", "straight after training"), ("timefollowup", "follow-up")):
        effect = model.fixed_effect(term)
        if effect is None:
            continue
        verdict = "statistically significant" if effect.p < ALPHA else "not statistically clear"
        parts.append(
            f"It estimates the change from before training to {what} as "
            f"{effect.estimate:+.2f} points (95% CI {effect.ci.low:.2f} to "
            f"{effect.ci.high:.2f}, {effect.apa()}), which is {verdict}."
        )
    post = model.fixed_effect("timepost")
    people = domain.test("participant", "paired_t")
    if post is not None and people is not None and people.result.computed:
        same = (post.p < ALPHA) == ((people.result.p or 1.0) < ALPHA)
        if same:
            parts.append(
                "It agrees with the participant-level test, so allowing for clustering does "
                "not change the conclusion."
            )
        else:
            parts.append(
                "It does not agree with the participant-level test on whether scores changed; "
                "as it allows for clustering, trust the mixed model here."
            )
    return " ".join(parts)


def cohort_effect_text(model: MixedModelResult) -> str:
    """Why cohort is not a random effect, in plain English."""
    if model.cohort_effect == "none":
        return (
            f"Cohort is not in this model: {model.cohort_effect_reason}. Differences between "
            "people are still allowed for."
        )
    return (
        f"Cohort is a fixed effect in this model, not a random one: {model.cohort_effect_reason}. "
        f"In plain English: with only {model.n_cohorts} cohorts there are too few to estimate "
        "how much cohorts vary in general, so the model instead allows for each cohort's own "
        "average. The change it estimates is the change within cohorts; it says nothing about "
        "cohorts that were not in this evaluation."
    )


def _variance_table(label: str, model: MixedModelResult, components: VarianceComponents) -> Table:
    values: list[tuple[str, float | None, str]] = [
        (
            "Cohort",
            components.cohort,
            "fixed effect (see above)"
            if model.cohort_effect == "fixed"
            else "not in the model (one cohort)"
            if model.cohort_effect == "none"
            else "",
        ),
        ("Participant (within cohort)", components.participant, ""),
        ("Residual (within person)", components.residual, ""),
    ]
    total = sum(v for _, v, _ in values if v is not None)
    rows = tuple(
        (
            name,
            f"{value:.2f}" if value is not None else DASH,
            f"{100 * value / total:.0f}%" if value is not None and total > 0 else DASH,
            comment,
        )
        for name, value, comment in values
    )
    notes = [
        "A variance is how much scores differ for that reason; the share is of the three "
        "together. A large cohort share means people trained together score alike."
    ]
    notes.extend(
        note[:1].upper() + note[1:] + ("" if note.endswith(".") else ".")
        for note in model.notes
        if not note.startswith("statsmodels:")
    )
    return Table(
        caption=f"{label}: where the differences in scores lie (variance components)",
        header=("Source", "Variance", "Share", "Note"),
        rows=rows,
        notes=tuple(notes),
    )


def methods_section(context: ReportContext) -> Section:
    """How the data were scored, matched and tested, and what limits the conclusions."""
    evaluation = context.evaluation
    settings = context.document["settings"]
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
    blocks.append(Paragraph(f"Scoring rule: {settings['scoring_rule']}."))
    blocks.append(Paragraph(_missing_text(settings["missing_data_policy"])))
    reasons = context.document["zero_reasons"]
    if reasons:
        blocks.append(_zero_reasons_table(context, reasons))
    blocks.extend(policy_blocks(context))

    blocks.append(Heading("Matching"))
    blocks.append(Paragraph(_matching_text(context)))
    bias = _matching_bias_text(context)
    if bias:
        blocks.append(Paragraph(bias))

    blocks.append(Heading("Statistics"))
    blocks.append(
        Paragraph(
            "Each domain is analysed at two levels. At cohort level, as in the seed study, "
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
            f"{settings['multiplicity']} (Holm's method), so a finding is called significant "
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
    "The linear mixed model is score ~ time + (1 | cohort) + (1 | participant), fitted by REML "
    "with statsmodels; with fewer than 5 cohorts cohort is a fixed effect instead, because so "
    "few cohorts cannot show how much cohorts vary. Its fixed effects are tested with t-tests "
    "on Satterthwaite degrees of freedom, as in R's lmerTest."
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
        "seed": "Missing data: as in the seed study, a question left blank or answered "
        "invalidly scores 0, the same as a wrong answer. This can understate the scores of "
        "people who skipped questions; the table below shows how often it happened.",
        "complete_case": "Missing data: a domain score is used only when every question of "
        "the domain has a valid answer (complete cases).",
        "prorated": "Missing data: when at least half of a domain's questions have valid "
        "answers, the score is prorated from them; otherwise it is missing.",
        "not_applicable": "Missing data: the file held domain scores already calculated, so "
        "no answers were scored here; a missing score means the domain was not measured.",
    }.get(policy, f"Missing data: {policy}.")


def _zero_reasons_table(context: ReportContext, reasons: list[dict[str, Any]]) -> Table:
    """Answer counts per domain and timepoint; a timepoint answered by fewer than
    ``min_group_size`` people is hidden, as its counts would show those people's answers."""
    labels = {d.domain.id: d.domain.label for d in context.evaluation.domains}
    timepoints = {"pre": "Before", "post": "After", "followup": "Follow-up"}
    frame = context.evaluation.scored.frame
    rows: list[tuple[str, ...]] = []
    hidden = False
    for row in reasons:
        label = labels.get(row["domain"], row["domain"])
        when = timepoints.get(row["timepoint"], row["timepoint"])
        # The people who answered this domain at this timepoint (a blank domain has no score).
        at = frame["timepoint"] == row["timepoint"]
        if row["domain"] in frame.columns:
            at &= frame[row["domain"]].notna()
        if context.small(int(at.sum())):
            hidden = True
            rows.append((label, when, DASH, DASH, DASH, "suppressed (small group)"))
            continue
        rows.append(
            (
                label,
                when,
                f"{row['scored']:,}",
                f"{row['wrong']:,}",
                f"{row['missing']:,}",
                f"{row['invalid']:,}",
            )
        )
    return Table(
        caption="How the answers were scored (counts of answers, not people)",
        header=("Domain", "Timepoint", "Correct or rated", "Wrong", "Blank", "Invalid"),
        rows=tuple(rows),
        notes=("Under the seed rule, wrong, blank and invalid answers all score 0.",),
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
            f"pre-test in {join(differed)}, so the matched people may not represent everyone "
            "trained."
        )
    return (
        "People who were matched did not start clearly differently from those who took only "
        f"the pre-test ({join(tested)}; Welch t-tests on pre-test scores), so the unmatched "
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
        f"In {join(skewed)} the changes were not normally distributed (Shapiro-Wilk "
        "p < .05). The t-test is robust to this with many pairs; the Wilcoxon signed-rank "
        "test, which does not assume normality, is reported beside it."
    )


def _limitations(context: ReportContext) -> list[str]:
    evaluation = context.evaluation
    texts: list[str] = []
    small = [
        f"{d.domain.label} ({context.people(d.n_pairs)}, "
        f"{d.n_cohorts} cohort{plural_s(d.n_cohorts)})"
        for d in evaluation.domains
        if d.n_pairs and (d.n_pairs < SMALL_PAIRS or d.n_cohorts < SMALL_COHORTS)
    ]
    if small:
        texts.append(
            f"Small samples: {join(small)}. With fewer than {SMALL_PAIRS} matched people or "
            f"fewer than {SMALL_COHORTS} cohorts, estimates are imprecise (wide confidence "
            "intervals) and the cohort-level test has little power."
        )
    unmeasured = [d.domain.label for d in evaluation.domains if not d.n_pairs]
    if unmeasured:
        texts.append(
            f"No one was measured both before and after training in {join(unmeasured)}, "
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
            rows.append((info.label, context.count(n), DASH, DASH))
            continue
        if context.small(at_max):
            hidden = True
            shown = f"fewer than {context.min_group_size}"
        else:
            shown = f"{at_max:,} ({100 * share:.0f}%)"
        flag = "Yes" if share > CEILING_SHARE else "No"
        rows.append((info.label, f"{n:,}", shown, flag))
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


#: The sections, in report order; add a builder here to add a section.
SECTION_BUILDERS: tuple[SectionBuilder, ...] = (
    summary_section,
    trust_section,
    participation_section,
    reaction_section,
    learning_section,
    behaviour_section,
    results_section,
    methods_section,
)


def _programmes(evaluation: Evaluation) -> list[str]:
    programmes = evaluation.matched.cohorts["programme"].astype(str)
    return sorted({p for p in programmes if p})


def _singular(text: str) -> str:
    """ "1 people were" -> "1 person was" in sentences written elsewhere (imheval.findings)."""
    text = re.sub(r"\b(?<![.,])1 people were\b", "1 person was", text)
    return re.sub(r"\b(?<![.,])1 people\b", "1 person", text)
