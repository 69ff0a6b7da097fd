"""The report blocks of ``DomainExtras.programme_model``: how alike people trained together
gained (the cohort ICC and design effect) and whether the gain differed between programmes
(the programme-by-time mixed model)."""

from __future__ import annotations

from dataclasses import replace

from imheval.evaluation.programmes import ProgrammeModel, programme_findings
from imheval.evaluation.results import DomainEvaluation
from imheval.findings.wording import join_and, people, plural
from imheval.reports.context import ReportContext, protect_report_rows
from imheval.reports.model import Block, Callout, Findings, Heading, Number, Paragraph, Table
from imheval.reports.wording import DASH
from imheval.stats.apa import format_number, format_p
from imheval.stats.mixed.interaction import ProgrammeTimeModel

_TIME_WORDS = {"post": "after training", "followup": "at follow-up"}

#: What the ICC and the design effect mean, under their table.
ICC_NOTE = (
    "The intraclass correlation (ICC) is the share of the differences in people's gains that "
    "lies between cohorts (REML, as R's lmer(gain ~ 1 + (1 | cohort))). The design effect, "
    "1 + (m - 1) x ICC with m the mean number of people a cohort, says how much a sample of "
    "cohorts is worth less than the same number of independent people; the same ICC is what "
    "'imheval plan --icc' takes when planning the next study."
)

PROGRAMME_TESTS = (
    "The change from before training is estimated for each programme by one mixed model with "
    "a programme-by-time interaction; the F test asks whether the changes differ between "
    "programmes, with Satterthwaite degrees of freedom (df) as R's lmerTest gives. With few "
    "cohorts the df are small: programmes are compared through their cohorts, not only their "
    "people."
)


def programme_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """The ICC and design effect, and the programme comparison (nothing when neither exists)."""
    extras = domain.extras
    result = extras.programme_model if extras is not None else None
    if result is None:
        return []
    info = domain.domain
    blocks: list[Block] = [
        Heading(f"{info.label}: cohorts and programmes", level=2),
    ]
    hidden = _report_hidden(context, domain, result)
    if hidden:
        # the report's group size is larger than the evaluation's: a programme its breakdown
        # hides is in the model, whose changes would give it back
        result = replace(
            result,
            model=None,
            model_reason="a programme in the comparison has too few people for this report's "
            f"group size of {context.min_group_size}, or is hidden to protect one, as in the "
            "breakdown by programme",
        )
    found = programme_findings(result, info, context.min_group_size)
    if found:
        blocks.append(Findings(tuple((f.plain, f.statistics) for f in found)))
    blocks.extend(_icc_blocks(result, info.label))
    blocks.extend(_model_blocks(result, info.label))
    return blocks


def _report_hidden(
    context: ReportContext, domain: DomainEvaluation, result: ProgrammeModel
) -> set[str]:
    """The model's programmes that the report's own breakdown by programme hides."""
    model = result.model
    if model is None:
        return set()
    for breakdown in domain.breakdowns:
        if breakdown.grouping == "programme":
            rows = protect_report_rows(context, breakdown.rows, breakdown.not_recorded)
            return {row.label for row in rows if row.suppressed} & set(model.programmes)
    return set()


def _icc_blocks(result: ProgrammeModel, label: str) -> list[Block]:
    icc = result.icc
    if not icc.computed or icc.icc is None:
        return [Callout("info", f"The ICC of cohorts could not be estimated: {icc.reason}.")]
    rows = (
        ("Cohorts", Number(f"{icc.n_cohorts:,}")),
        ("People with a change score", Number(f"{icc.n_participants:,}")),
        ("Mean people a cohort", Number(format_number(icc.mean_cohort_size or 0.0, 1))),
        ("Variance of gain between cohorts", Number(format_number(icc.cohort_variance or 0.0))),
        ("Variance of gain within cohorts", Number(format_number(icc.residual_variance or 0.0))),
        ("ICC of cohorts", Number(format_number(icc.icc))),
        ("Design effect", Number(format_number(icc.design_effect or 1.0))),
        ("Effective number of independent people", Number(f"{icc.effective_n or 0.0:.0f}")),
    )
    notes = [ICC_NOTE]
    if icc.n_cohorts < 5:
        notes.append(
            f"With only {icc.n_cohorts} cohorts the ICC is very imprecise: treat it as a rough "
            "guide."
        )
    if icc.singular:
        notes.append("The variance between cohorts was estimated at zero.")
    return [
        Table(
            caption=f"{label}: how alike people trained together gained",
            header=("Figure", "Value"),
            rows=rows,
            notes=tuple(notes),
        )
    ]


def _model_blocks(result: ProgrammeModel, label: str) -> list[Block]:
    blocks: list[Block] = []
    if result.left_out:
        reasons: dict[str, list[str]] = {}
        for item in result.left_out:
            reasons.setdefault(item.reason, []).append(f"'{item.programme}'")
        blocks.append(
            Callout(
                "info",
                "Left out of the programme comparison: "
                + "; ".join(f"{join_and(names)} ({reason})" for reason, names in reasons.items())
                + ".",
            )
        )
    if result.n_unrecorded:
        blocks.append(
            Paragraph(
                f"{people(result.n_unrecorded)[:1].upper()}{people(result.n_unrecorded)[1:]} "
                "had no programme recorded and are left out of the programme comparison."
            )
        )
    model = result.model
    if model is None:
        if result.model_reason:
            blocks.append(
                Paragraph(f"Programmes are not compared for {label}: {result.model_reason}.")
            )
        return blocks
    if not model.computed:
        blocks.append(
            Callout("info", f"The programme comparison could not be fitted: {model.reason}.")
        )
        return blocks
    blocks.append(Paragraph(_structure_text(model)))
    if result.caution is not None:
        blocks.append(Callout("warning", f"{result.caution[:1].upper()}{result.caution[1:]}."))
    blocks.append(_changes_table(model, label, result.n_matched))
    return blocks


def _structure_text(model: ProgrammeTimeModel) -> str:
    what = {
        "slopes": "each cohort's own starting level and its own gain",
        "intercepts": "each cohort's own starting level",
        "participant": "each person's repeated scores only",
    }[model.structure]
    return (
        f"The model allows for {what}, and for each person's scores being linked: "
        f"{model.structure_reason}."
    )


def _changes_table(model: ProgrammeTimeModel, label: str, n_matched: int | None) -> Table:
    rows = tuple(
        (
            change.programme,
            _TIME_WORDS.get(change.time, change.time),
            Number(f"{change.n_participants:,}"),
            Number(f"{change.estimate:+.2f}"),
            f"{change.ci.low:.2f} to {change.ci.high:.2f}",
            Number(format_number(change.df, 1)) if change.df is not None else DASH,
            Number(format_p(change.p)),
        )
        for change in model.changes
    )
    test = model.interaction
    matched = (
        f" ({n_matched:,} of them measured before and after)"
        if n_matched is not None and n_matched != model.n_participants
        else ""
    )
    notes = [
        f"Model: {model.formula}; {model.n_observations:,} scores of "
        f"{people(model.n_participants)}{matched} in {model.n_cohorts:,} "
        f"cohort{plural(model.n_cohorts)}; REML (as lme4).",
        PROGRAMME_TESTS,
    ]
    if test is not None:
        notes.insert(0, f"Did the change differ between programmes? {test.apa()}.")
    notes.extend(model.notes)
    return Table(
        caption=f"{label}: change from before training, by programme (points)",
        header=("Programme", "When", "People", "Change", "95% CI", "df", "p"),
        rows=rows,
        notes=tuple(notes),
    )
