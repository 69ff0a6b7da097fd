"""Section 1: the summary (key findings with their APA figures) and which result to trust.

Also the findings of one domain (:func:`domain_findings`), which the level sections repeat
under each domain, and :func:`split_apa`, which separates a finding's words from its figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from imheval.evaluation import DomainEvaluation, Evaluation
from imheval.findings import ALPHA, WHICH_TO_TRUST
from imheval.reports.context import (
    CEILING_SHARE,
    SMALL_COHORTS,
    TOO_EASY,
    TOO_FEW,
    ReportContext,
    significant,
)
from imheval.reports.model import Block, Callout, Findings, Heading, Paragraph, Section
from imheval.reports.sections.deeper import reliable_change_counts
from imheval.reports.wording import join, plural_s


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


def _singular(text: str) -> str:
    """ "1 people were" -> "1 person was" in sentences written elsewhere (imheval.findings)."""
    text = re.sub(r"\b(?<![.,])1 people were\b", "1 person was", text)
    return re.sub(r"\b(?<![.,])1 people\b", "1 person", text)
