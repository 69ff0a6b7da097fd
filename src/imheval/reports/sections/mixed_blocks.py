"""The linear mixed model of one domain in the report: time effects with CIs, variance
components, the formula, and why cohort is fixed when it is (moved out of
:mod:`imheval.reports.sections.deeper`, which calls :func:`mixed_model_blocks`)."""

from __future__ import annotations

from collections.abc import Mapping

from imheval.evaluation import DomainEvaluation
from imheval.evaluation.findings import ALPHA
from imheval.findings.wording import plural
from imheval.reports.context import (
    ReportContext,
)
from imheval.reports.model import Block, Callout, Heading, Number, Paragraph, Table
from imheval.reports.wording import (
    DASH,
    people_text,
)
from imheval.stats import (
    MixedModelResult,
    VarianceComponents,
)
from imheval.stats.apa import format_p

POLICY_NAMES: Mapping[str, str] = {
    "seed": "Blank = 0 (zero rule)",
    "complete_case": "Complete cases",
}


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
            Number(
                f"{effect.estimate:+.2f}"
                if effect.term != "(Intercept)"
                else f"{effect.estimate:.2f}"
            ),
            f"{effect.ci.low:.2f} to {effect.ci.high:.2f}",
            Number(f"{effect.statistic:.2f}"),
            Number(effect.df_text()) if effect.df_text() else DASH,
            Number(format_p(effect.p)),
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
                f"cohort{plural(model.n_cohorts)}; {model.method}.",
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
            Number(f"{value:.2f}") if value is not None else DASH,
            Number(f"{100 * value / total:.0f}%") if value is not None and total > 0 else DASH,
            comment,
        )
        for name, value, comment in values
    )
    notes = [
        "A variance is how much scores differ for that reason; the share is of the three "
        "together. A large cohort share means people trained together score alike."
    ]
    notes.extend(
        note[:1].upper() + note[1:] + ("" if note.endswith(".") else ".") for note in model.notes
    )
    return Table(
        caption=f"{label}: where the differences in scores lie (variance components)",
        header=("Source", "Variance", "Share", "Note"),
        rows=rows,
        notes=tuple(notes),
    )
