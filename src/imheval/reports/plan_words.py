"""Planning a study in plain English: the sentences ``imheval plan`` prints and the web planning
page shows, from the typed results of :mod:`imheval.stats.power` (rounding happens here only).
"""

from __future__ import annotations

import math

from imheval.stats.power import SIMULATION, AnalysisPower, DesignPower, StudyPlan

#: How each analysis is named to a reader.
ANALYSIS_WORDS = {
    "participant": "Paired t-test on people (clustering allowed for by the design effect)",
    "cohort": "Paired t-test on cohort means (the seed's method)",
    "mixed": "Mixed model with a random effect of cohort",
}


#: The analyses' names in a narrow table.
ANALYSIS_SHORT = {
    "participant": "People (paired t, design effect)",
    "cohort": "Cohort means (paired t)",
    "mixed": "Mixed model",
}


def percent(value: float) -> str:
    """A power or a share as a whole percentage ("79%"); "more than 99%" rather than "100%"
    (also for a simulated power of 1: every simulated study found the change)."""
    if value > 0.995:
        return "more than 99%"
    if value < 0.005 and value > 0:
        return "less than 1%"
    return f"{value * 100:.0f}%"


def effect_text(value: float) -> str:
    """A d_z for presentation: two decimals."""
    return f"{value:.2f}"


def a_chance(value: float) -> str:
    """The chance in words: "an 80% chance", "a 79% chance", "a chance of more than 99%"."""
    text = percent(value)
    if not text[0].isdigit():
        return f"a chance of {text}"
    return ("an " if text.startswith(("8", "11", "18")) else "a ") + text + " chance"


def power_figure(value: float) -> str:
    """A power for a table: three decimals, "> .999" rather than a rounded 1.000."""
    if value >= 0.9995:
        return "> .999"
    return f"{value:.3f}"


def _clustering_words(study: StudyPlan) -> str:
    if study.cohort_size is None or not study.icc:
        return ""
    return (
        f" This allows for people in a cohort of {study.cohort_size} being alike (ICC = "
        f"{study.icc:g}): the design effect {study.design_effect:.2f} means each person counts "
        f"as {1 / study.design_effect:.2f} of an independent one."
    )


def plan_sentence(study: StudyPlan) -> str:
    """The answer in plain English (shared by the terminal and the tests)."""
    detect = f"a change of d_z = {effect_text(study.effect)} (two-sided, alpha = {study.alpha:g})"
    lost = f"{study.attrition * 100:g}% not returning"
    if study.target_power is not None:
        text = (
            f"To have {a_chance(study.target_power)} of detecting {detect} you need "
            f"{study.people_analysed} people analysed"
        )
        if study.people_needed != study.people_analysed:
            text += f"; enrol {study.people_needed} to allow for {lost}"
        if study.cohorts_needed is not None and study.cohort_size is not None:
            text += f": {study.cohorts_needed} cohorts of {study.cohort_size}"
        return text + "." + _clustering_words(study)
    enrolled = study.people_given if study.people_given is not None else study.people_needed
    text = f"With {enrolled} people enrolled"
    if study.attrition:
        text += f" and {lost}, {study.people_analysed} are analysed"
    text += f": the chance of detecting {detect} is {percent(study.power)}."
    return text + _clustering_words(study)


def design_sentences(design: DesignPower) -> list[str]:
    """One plain-English sentence per analysis of a design (shared with the tests)."""
    smallest = dict(design.smallest_detectable)
    sentences = []
    for analysis in design.analyses:
        name = ANALYSIS_WORDS.get(analysis.analysis, analysis.analysis)
        if analysis.power is None:
            why = f" {analysis.reason[:1].upper()}{analysis.reason[1:]}." if analysis.reason else ""
            sentences.append(f"{name}: not computed.{why}")
            continue
        chance = a_chance(analysis.power)
        text = f"{name}: {chance} of detecting d_z = {effect_text(design.effect)}"
        detectable = smallest.get(analysis.analysis)
        if detectable is not None:
            text += f"; with 80% power it detects d_z = {effect_text(detectable)} or more"
        sentences.append(text + "." + _false_positive_words(design, analysis))
    return sentences


def _false_positive_words(design: DesignPower, analysis: AnalysisPower) -> str:
    """For a power found only by simulation: how often the same simulated studies, with no
    true change, found one; and whether that makes the power dishonest."""
    rate = analysis.false_positive_rate
    if analysis.method != SIMULATION or rate is None or design.effect == 0:
        return ""
    nominal = f"{design.alpha * 100:g}%"
    text = (
        f" With no true change, the same {design.simulations:,} simulated studies found one "
        f"{percent(rate)} of the time (an honest test: {nominal})"
    )
    # above alpha by more than two Monte Carlo SEs of a rate that is alpha
    margin = 2.0 * math.sqrt(design.alpha * (1.0 - design.alpha) / max(design.simulations, 1))
    if rate > design.alpha + margin:
        return (
            text + f", so its {percent(analysis.power or 0.0)} is not an honest power: it finds "
            "changes that are not there too often. Use the two t-tests' figures."
        )
    return text + "."


def cohort_means_sentence(study: StudyPlan, cohorts: int | None) -> str:
    """What the seed's method (the paired t-test on cohort means) needs for the plan's power."""
    if study.target_power is None or study.cohort_size is None:
        return ""
    method = "The paired t-test on cohort means (the seed's method)"
    chance = a_chance(study.target_power)
    if cohorts is None:
        return f"{method} cannot reach {chance} with cohorts of {study.cohort_size}."
    return (
        f"{method} needs {cohorts} cohorts of {study.cohort_size} ({cohorts * study.cohort_size} "
        f"people enrolled) for {chance}: its t-test has one degree of freedom fewer than it "
        "has cohorts."
    )
