"""Deeper analyses of one domain: item analysis, reliability, reliable change, the mixed model.

Also the scoring-policy comparison (:func:`policy_blocks`), shown in the methods section.
"""

from __future__ import annotations

from collections.abc import Mapping

from imheval.evaluation import DomainEvaluation
from imheval.evaluation.findings import ALPHA
from imheval.findings.wording import TOO_EASY, join_and, people
from imheval.instruments.frameworks import FRAMEWORKS
from imheval.reports.context import (
    EASY_FACILITY,
    LOW_RELIABILITY,
    ReportContext,
    ceiling_amount,
    protect_column,
)
from imheval.reports.domain_charts import facility_chart
from imheval.reports.model import Block, Callout, Heading, Number, Paragraph, Table
from imheval.reports.sections.floor_blocks import floor_warnings
from imheval.reports.sections.gains_blocks import gain_blocks
from imheval.reports.sections.mixed_blocks import mixed_model_blocks
from imheval.reports.sections.programmes_blocks import programme_blocks
from imheval.reports.sections.retrospective_blocks import retrospective_blocks
from imheval.reports.wording import (
    DASH,
    HIDDEN,
    optional_number,
    optional_prop,
    people_text,
    percent_text,
    prop,
    signed_number,
)
from imheval.stats import (
    AlphaResult,
    ConfidenceInterval,
    ItemAnalysis,
    ItemStats,
    ReliableChange,
)
from imheval.stats.apa import format_p
from imheval.stats.items import CEILING_SHARE
from imheval.suppression import suppress

POLICY_NAMES: Mapping[str, str] = {
    "seed": "Blank = 0 (zero rule)",
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
                "The zero rule could not be compared with complete cases: the data held domain "
                "scores already calculated, not the answer to each question."
            )
        )
        return blocks
    blocks.append(
        Paragraph(
            "Under the zero rule (as in the published evaluation this tool follows) a blank or "
            "invalid answer scores 0, as if it were wrong; with "
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
            rows.append((label, policy, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN))
            continue
        result = row.result
        outcome = result.apa() if result.computed else f"Not computed: {result.reason}"
        rows.append(
            (
                label,
                policy,
                Number(f"{row.n_pairs:,}"),
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
            caption="The zero rule against complete cases (participant-level paired t-test)",
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
                f"In this evaluation the rule changes the conclusion for {join_and(differ)}: "
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


def deeper_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Item analysis, reliability, reliable change and the mixed model of one domain.

    Nothing when the evaluation computed none of them; a single note when the domain has fewer
    matched people than the report may show.
    """
    extras = domain.extras
    if extras is None:
        return []
    # The retrospective pre-test stands without a real one (no matched pairs needed).
    then_now = retrospective_blocks(context, domain)
    if domain.n_pairs == 0:
        return then_now
    if context.small(domain.n_pairs):
        return [
            *then_now,
            Callout(
                "info",
                f"Item analysis, reliable change and the mixed model are not shown for "
                f"{domain.domain.label}: fewer than {context.min_group_size} people were "
                "matched, and figures for so few people could identify them.",
            ),
        ]
    blocks: list[Block] = list(then_now)
    blocks.extend(item_analysis_blocks(context, domain))
    blocks.extend(reliable_change_blocks(context, domain))
    blocks.extend(gain_blocks(context, domain))
    blocks.extend(mixed_model_blocks(context, domain))
    blocks.extend(programme_blocks(context, domain))
    return blocks


def item_analysis_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """The reliability line, ceiling warnings, the item table and the facility chart."""
    info = domain.domain
    blocks: list[Block] = [Heading(f"{info.label}: item analysis and reliability", level=2)]
    extras = domain.extras
    items = extras.items if extras is not None else None
    if items is None and extras is not None and extras.forms:
        return [
            *blocks,
            *form_item_blocks(context, domain),
            *competency_blocks(domain),
            *wrong_answer_blocks(context, domain),
        ]
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
    return blocks + competency_blocks(domain) + wrong_answer_blocks(context, domain)


def competency_blocks(domain: DomainEvaluation) -> list[Block]:
    """The item analysis by competency domain, where the instrument maps its questions to a
    framework: the mean facility of each competency domain's questions before and after."""
    entries = domain.extras.competencies if domain.extras is not None else ()
    if not entries:
        return []
    frameworks = {entry.framework for entry in entries}
    title = FRAMEWORKS[next(iter(frameworks))].title if len(frameworks) == 1 else "competency"
    rows = tuple(
        (
            entry.label,
            Number(f"{len(entry.items)}"),
            optional_prop(entry.before),
            optional_prop(entry.after),
        )
        for entry in entries
    )
    return [
        Table(
            caption=f"{domain.domain.label} by {title} domain",
            header=(
                "Competency domain",
                "Questions",
                "Mean facility before",
                "Mean facility after",
            ),
            rows=rows,
            notes=(
                "Each competency domain's questions, as the instrument maps them, with the mean "
                "of their facilities (the share who answered correctly); a question can belong "
                "to more than one domain. A domain with low facility after training is one the "
                "training may need to cover more.",
            ),
        )
    ]


def wrong_answer_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Per question, the wrong answer chosen most often before training, the misconception it
    targets (from the instrument) and the share who chose it before and after training."""
    answers = domain.extras.wrong_answers if domain.extras is not None else ()
    if not answers:
        return []
    rows = tuple(
        (
            context.evaluation.item_label(answer.item),
            f"{answer.option}: {answer.text}",
            answer.misconception or "none given",
            _share(answer.before),
            _share(answer.after),
        )
        for answer in answers
    )
    return [
        Table(
            caption=f"{domain.domain.label}: the wrong answer chosen most often, and the "
            "misconception it targets",
            header=(
                "Question",
                "Wrong answer",
                "Misconception it targets",
                "Chose it before",
                "Chose it after",
            ),
            rows=rows,
            notes=(
                "Among the matched people asked each question. A wrong answer many chose before "
                "training shows a misunderstanding the group arrived with; if fewer chose it "
                "after, the training shifted it. The misconceptions are the instrument's; "
                "participants never see them.",
            ),
            suppressed_note=context.suppressed_note
            if any(a.before is None or a.after is None for a in answers)
            else None,
        )
    ]


def _share(value: float | None) -> Number:
    return HIDDEN if value is None else Number(f"{100 * value:.0f}%")


def form_item_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Item analysis form by form, when people answered different parallel forms before and
    after training: no question was asked twice, so each form's questions are analysed among the
    people who answered that form, at each timepoint, with its own KR-20 / alpha."""
    extras = domain.extras
    forms = extras.forms if extras is not None else ()
    blocks: list[Block] = [
        Paragraph(
            "People answered different forms of these questions before and after training, so "
            "no question was asked twice and its change cannot be tested question by question. "
            "Each form's questions are analysed among the people who answered that form, before "
            "or after training. Facility is the share who answered a question correctly; "
            "item-rest r shows how well it agrees with the rest of its form."
        )
    ]
    for entry in forms:
        for when, analysis in (("before", entry.before), ("after", entry.after)):
            title = f"{domain.domain.label}, form {entry.form}, {when} training"
            if analysis is None:
                blocks.append(
                    Paragraph(
                        f"{title}: fewer than {context.min_group_size} people answered it, or "
                        "none, too few to analyse its questions."
                    )
                )
                continue
            reliability = analysis.reliability_pre
            value = _alpha_value(reliability, context.min_group_size)
            blocks.append(Paragraph(f"{title}: {reliability.name} {value}."))
            blocks.append(_form_item_table(title, analysis, context, before=when == "before"))
    return blocks


def _form_item_table(
    title: str, items: ItemAnalysis, context: ReportContext, *, before: bool
) -> Table:
    """One form at one timepoint (its figures are in the ``*_pre`` fields); "Too easy" is
    flagged only before training, where it hides change."""
    name = items.reliability_pre.name
    deleted = items.reliability_pre.alpha_if_deleted
    rows = tuple(
        (
            context.evaluation.item_label(stats.item),
            optional_prop(stats.facility_pre),
            optional_prop(stats.item_rest_pre),
            optional_prop(deleted.get(stats.item)),
            _item_flag(stats) if before else "",
        )
        for stats in items.items
    )
    return Table(
        caption=f"{title}: item analysis ({len(items.items)} questions; "
        f"{people_text(items.reliability_pre.n, context.min_group_size)} answered all of them)",
        header=("Question", "Facility", "Item-rest r", f"{name} if deleted", "Flag"),
        rows=rows,
        notes=(
            f"Facility above {prop(EASY_FACILITY)} before training marks a question as too easy "
            "to show change.",
        )
        if before
        else (),
    )


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
    text: str = prop(result.alpha)
    if result.ci_low is not None and result.ci_high is not None:
        text += f" (95% CI {prop(result.ci_low)} to {prop(result.ci_high)})"
    return (
        text + f", from {people_text(result.n, min_group_size)} who answered all {result.k} "
        "questions"
    )


def ceiling_warnings(context: ReportContext, items: ItemAnalysis) -> list[str]:
    """The ceiling flags of a domain in plain English, each with the seed's advice; then the
    floor flags (:func:`~imheval.reports.sections.floor_blocks.floor_warnings`)."""
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
        listed = join_and([f"{s.item} ({percent_text(s.facility_pre)})" for s in easy])
        texts.append(
            f"Answered correctly by more than {100 * EASY_FACILITY:.0f}% of people before "
            f"training: {listed}. {TOO_EASY.capitalize()}."
        )
    return texts + floor_warnings(context, items)


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
                context.evaluation.item_label(stats.item) if context is not None else stats.item,
                facility_cell(stats.facility_pre, stats.facility_pre_ci),
                facility_cell(stats.facility_post, stats.facility_post_ci),
                optional_prop(stats.item_rest_pre),
                mcnemar_text(stats, limit),
                Number(format_p(stats.p_holm)) if stats.p_holm is not None else DASH,
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
    if any(s.facility_pre_ci is not None for s in items.items):
        notes.append(
            "Facility is the share of people who answered correctly, with its 95% confidence "
            "interval in brackets (Wilson's score interval)."
        )
    notes.append(
        f"Facility above {prop(EASY_FACILITY)} before training marks a question as too easy "
        "to show change; below .10 after training, as too hard."
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


def facility_cell(value: float | None, ci: ConfidenceInterval | None) -> Number:
    """``.45 [.30, .61]``: a facility with its 95% CI; the facility alone without one."""
    if value is None or ci is None:
        return optional_prop(value)
    return Number(f"{prop(value)} [{prop(ci.low)}, {prop(ci.high)}]")


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
    if stats.too_hard:
        return "Too hard"
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
    if not change.computed or change.minimum_reliable_change is None or not change.n:
        return None
    counts = (change.n_improved, change.n_no_change, change.n_declined)
    if any(n is None for n in counts):
        return None
    # The same rule, on the same counts, as the table's cells (reliable_change_cells).
    decided = suppress([int(n or 0) for n in counts], context.min_group_size)
    words = []
    for index, verb in ((0, "improved"), (2, "reliably declined")):
        n = decided.counts[index]
        if not decided.hidden[index] and not decided.total_hidden:
            words.append(f"{n:,} of {decided.total:,} people ({100 * n / change.n:.0f}%) {verb}")
        elif decided.hidden[index] and not decided.primary[index]:
            words.append(f"the number who {verb} is not shown, to protect a smaller group")
        elif decided.hidden[index]:
            words.append(f"fewer than {context.min_group_size} people {verb}")
        else:
            words.append(f"{people(n)} {verb}")
    return (
        f"{words[0]} (by more than measurement error explains: at least "
        f"{change.minimum_reliable_change:.2f} points); {words[1]}."
    )


def reliable_change_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Jacobson-Truax: how many people reliably improved, did not change, or declined.

    Counts of 1 to ``min_group_size - 1`` people read "hidden", with secondary suppression
    because the total is shown.
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
    counts = [int(n or 0) for n in (change.n_improved, change.n_no_change, change.n_declined)]
    # a share is shown beside a count the table shows, never beside a hidden one
    decided = suppress(counts, context.min_group_size)
    rows = [
        (
            label,
            cell,
            HIDDEN if hide else Number(f"{100 * n / change.n:.0f}%") if change.n else DASH,
        )
        for label, n, cell, hide in zip(
            ("Reliably improved", "No reliable change", "Reliably declined"),
            counts,
            cells,
            decided.hidden,
            strict=True,
        )
    ]
    share = HIDDEN if decided.total_hidden else Number("100%") if change.n else DASH
    rows.append(("Total", total, share))
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
