"""Kirkpatrick level 3: behaviour, and whether learning was kept at follow-up (retention)."""

from __future__ import annotations

from imheval.evaluation import COMPARISON_NAMES
from imheval.reports.context import LEVEL_TITLES, ReportContext
from imheval.reports.model import (
    Block,
    Callout,
    Findings,
    Heading,
    Number,
    Paragraph,
    Section,
    Table,
)
from imheval.reports.sections.domain import tests_table
from imheval.reports.sections.level_blocks import level_blocks
from imheval.reports.sections.summary import domain_findings, finding_pairs
from imheval.reports.wording import DASH, optional_number, percent_text, signed_number


def behaviour_section(context: ReportContext) -> Section:
    """Level 3: follow-up results (and behaviour domains), else "not measured"."""
    title = LEVEL_TITLES[3]
    blocks: list[Block] = level_blocks(context, 3)
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
                finding_pairs(
                    item
                    for item in domain_findings(context, domain)
                    if item.kind in ("followup", "followup_too_few")
                )
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
                "from each participant's supervisor. The built-in imh-practice-followup "
                "questionnaire asks the practice questions (Barr's level 3a, self-reported), for "
                "3 or 6 months after training; a supervisor's report would add 3b (observed)."
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
                Number(f"{kept.n:,}"),
                optional_number(kept.mean_pre),
                optional_number(kept.mean_post),
                optional_number(kept.mean_followup),
                signed_number(kept.gain_post),
                signed_number(kept.gain_followup),
                percent_text(kept.share_retained),
                Number(f"{100 * kept.share_ci.low:.0f}% to {100 * kept.share_ci.high:.0f}%")
                if kept.share_ci is not None
                else DASH,
            )
        )
        notes.extend(f"{label}: {note}" for note in kept.notes)
        if kept.share_ci is None and kept.share_ci_reason:
            notes.append(f"{label}: no confidence interval for the share: {kept.share_ci_reason}.")
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
        notes.insert(
            1,
            "The confidence interval of the share retained is Fieller's interval for a ratio "
            "of means (docs/methods.md, Retention at follow-up).",
        )
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
                    "95% CI (Fieller)",
                ),
                rows=tuple(rows),
                notes=tuple(notes),
            )
        )
    else:
        blocks.extend(Callout("info", note) for note in notes)
    return blocks
