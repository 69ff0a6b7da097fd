"""Readable terminal tables for an :class:`Evaluation` (rounding happens here, nowhere earlier)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from imheval.evaluation import COMPARISON_NAMES, DomainEvaluation, Evaluation, MeanRow, TestEntry
from imheval.findings.wording import direction_text, effect_text
from imheval.stats.apa import TEST_NAMES, format_p

#: Missing-data policies in words, for the settings line and the policy comparison.
POLICY_NAMES = {"seed": "zero rule (missing = 0)", "complete_case": "complete cases"}
#: The one word for a figure hidden to protect a small group, as in the report's tables.
HIDDEN = "hidden"

#: Cohort-by-cohort tables show this many rows on screen; the JSON always holds every cohort.
MAX_COHORT_ROWS = 40
#: Probable matches and repeated codes listed on screen before "... and N more".
MAX_LISTED = 20


def render_evaluation(evaluation: Evaluation, console: Console) -> None:
    """Print the whole evaluation: settings, participation, then every domain."""
    settings = evaluation.settings
    console.rule(Text("imheval evaluation", style="bold"))
    console.print(f"Data: {evaluation.source}")
    if evaluation.instruments:
        console.print(
            "Instruments: " + ", ".join(f"{i} (version {v})" for i, v in evaluation.instruments)
        )
    console.print(f"Scoring: {settings.scoring_rule}")
    policy = settings.missing_data_policy
    console.print(
        f"Missing data: {POLICY_NAMES.get(policy, policy)}; "
        f"matching: {settings.matching}; "
        f"groups under {settings.min_group_size} hidden; p-values Holm-adjusted across "
        "domains."
    )
    if evaluation.levels is not None:
        console.print(f"Levels: {evaluation.levels.statement}")
    console.print()
    _participation(evaluation, console)
    _matching_bias(evaluation, console)
    if evaluation.followup_bias_findings:
        console.rule("Who answered at follow-up")
        for item in evaluation.followup_bias_findings:
            console.print(f"• {item.text}")
    _zero_reasons(evaluation, console)
    for domain in evaluation.domains:
        _domain(domain, console, evaluation.options.min_group_size)
    _policy_comparison(evaluation, console)
    if evaluation.notes:
        console.rule("Notes")
        for note in evaluation.notes:
            console.print(f"• {note}")


def _participation(evaluation: Evaluation, console: Console) -> None:
    cohorts = evaluation.matched.cohorts
    table = Table(title="Who took part (codes matched within each cohort)", title_justify="left")
    for header in (
        "Cohort",
        "Programme",
        "Pre",
        "Post",
        "Follow-up",
        "Matched",
        "Pre only",
        "Post only",
    ):
        table.add_column(header, justify="left" if header in ("Cohort", "Programme") else "right")
    for row in cohorts.head(MAX_COHORT_ROWS).itertuples(index=False):
        table.add_row(
            str(row.cohort),
            str(row.programme),
            str(row.n_pre),
            str(row.n_post),
            str(row.n_followup),
            str(row.n_matched),
            str(row.n_pre_only),
            str(row.n_post_only),
        )
    if len(cohorts):
        table.add_row(
            "Total",
            "",
            *(
                str(int(cohorts[c].sum()))
                for c in ("n_pre", "n_post", "n_followup", "n_matched", "n_pre_only", "n_post_only")
            ),
            style="bold",
        )
    console.print(table)
    _more_rows(len(cohorts), console)
    probable = evaluation.matched.probable_matches
    if probable:
        console.print(
            f"{len(probable)} probable match(es) found but NOT merged; review them with "
            "--review-matches FILE and confirm with --accept-matches FILE:"
        )
        for m in probable[:MAX_LISTED]:
            console.print(
                f"  cohort {m.cohort}: {m.earlier_code} ({m.earlier_timepoint}) ~ "
                f"{m.later_code} ({m.later_timepoint}): {m.reason}"
                + (" (one of several candidates)" if m.ambiguous else "")
            )
        if len(probable) > MAX_LISTED:
            console.print(
                f"  ... and {len(probable) - MAX_LISTED:,} more; --review-matches writes them all."
            )
    duplicates = evaluation.matched.duplicate_codes
    if duplicates:
        codes = ", ".join(code for code, _ in duplicates[:MAX_LISTED])
        more = f" and {len(duplicates) - MAX_LISTED:,} more" if len(duplicates) > MAX_LISTED else ""
        console.print(
            f"{len(duplicates):,} code(s) appear in more than one cohort; they are kept apart "
            f"(matching is within a cohort): {codes}{more}."
        )
    console.print()


def _matching_bias(evaluation: Evaluation, console: Console) -> None:
    """Pre-test scores and make-up of people matched at post against those who were not.

    Reads the published bias, in which small groups are already hidden.
    """
    bias = evaluation.matching_bias
    if not bias.n_unmatched:
        return
    table = Table(
        title=(
            f"Matching bias: the {bias.n_matched} people matched at post-test against the "
            f"{bias.n_unmatched} who took the pre-test only"
        ),
        title_justify="left",
    )
    for header in ("Pre-test score", "Matched", "Not matched", "Difference", "Welch t-test"):
        table.add_column(header, justify="left" if header == "Pre-test score" else "right")
    for row in bias.domains:
        entry = evaluation.domain(row.domain).test("participant", "welch_t", "matching_bias")
        test_text = ""
        if entry is not None:
            test_text = entry.result.apa() if entry.result.computed else "not computed"
        table.add_row(
            evaluation.domain(row.domain).domain.label,
            _mean_n(row.mean_matched, row.n_matched),
            _mean_n(row.mean_unmatched, row.n_unmatched),
            "–" if row.mean_difference is None else f"{row.mean_difference:+.2f}",
            test_text,
        )
    console.print(table)
    table = Table(title="Who was matched, by directorate and profession", title_justify="left")
    for header in ("Group", "Matched", "Not matched"):
        table.add_column(header, justify="left" if header == "Group" else "right")
    for category in bias.categories:
        label = f"{category.variable.capitalize()}: {category.category or 'not recorded'}"
        if category.suppressed:
            table.add_row(label, HIDDEN, HIDDEN)
        else:
            table.add_row(
                label,
                _count_percent(category.n_matched, category.percent_matched),
                _count_percent(category.n_unmatched, category.percent_unmatched),
            )
    console.print(table)
    console.print()


def _zero_reasons(evaluation: Evaluation, console: Console) -> None:
    """How every item answer was scored, so readers see how much the zero rule matters."""
    reasons = evaluation.zero_reasons
    if not reasons:
        return
    policy = evaluation.options.missing_policy.value
    table = Table(
        title="How the answers were scored (item answers, all rows)", title_justify="left"
    )
    for header in ("Domain", "Timepoint", "Correct or rated", "Wrong", "Missing", "Invalid"):
        table.add_column(header, justify="left" if header in ("Domain", "Timepoint") else "right")
    labels = {d.domain.id: d.domain.label for d in evaluation.domains}
    for row in reasons:
        table.add_row(
            labels.get(row.domain, row.domain),
            row.timepoint,
            f"{row.scored:,}",
            f"{row.wrong:,}",
            f"{row.missing:,}",
            f"{row.invalid:,}",
        )
    console.print(table)
    if policy == "seed":
        console.print(
            "  Zero rule: wrong, missing and invalid answers all score 0. Try --missing "
            "complete_case or --missing prorated to see how much that rule matters."
        )
    else:
        console.print(
            f"  Missing-data policy: {policy}; missing and invalid answers are not counted as 0."
        )
    console.print()


def _policy_comparison(evaluation: Evaluation, console: Console) -> None:
    """The seed's zero rule against complete cases, so readers see how much the rule matters."""
    rows = evaluation.policy_comparison
    if not rows:
        return
    console.rule(Text("Does the zero rule matter?", style="bold"))
    table = Table(
        title="Participant-level change under the zero rule and under complete cases",
        title_justify="left",
    )
    for header in ("Domain", "Rule", "Pairs", "Before", "After", "Change", "Paired t-test"):
        table.add_column(header, justify="left" if header in ("Domain", "Rule") else "right")
    labels = {d.domain.id: d.domain.label for d in evaluation.domains}
    for row in rows:
        hidden = 0 < row.n_pairs < evaluation.options.min_group_size
        table.add_row(
            labels.get(row.domain, row.domain),
            POLICY_NAMES.get(row.policy.value, row.policy.value),
            HIDDEN if hidden else str(row.n_pairs),
            HIDDEN if hidden else "–" if row.pre_mean is None else f"{row.pre_mean:.2f}",
            HIDDEN if hidden else "–" if row.post_mean is None else f"{row.post_mean:.2f}",
            HIDDEN if hidden else "–" if row.difference is None else f"{row.difference:+.2f}",
            HIDDEN
            if hidden
            else row.result.apa()
            if row.result.computed
            else f"not computed: {row.result.reason}",
        )
    console.print(table)
    console.print(
        "  Complete cases leave out anyone with a missing or invalid answer in the domain. If the "
        "two rows of a domain tell different stories, the zero rule is driving the result."
    )
    console.print()


def _more_rows(total: int, console: Console) -> None:
    if total > MAX_COHORT_ROWS:
        console.print(
            f"  ... and {total - MAX_COHORT_ROWS:,} more cohorts, not shown here; every cohort is "
            "in the JSON file (--json PATH)."
        )


def _count_percent(count: int | None, percent: float | None) -> str:
    if count is None:
        return HIDDEN
    return str(count) if percent is None else f"{count} ({percent:.0f}%)"


def _mean_n(mean: float | None, n: int) -> str:
    return f"n = {n}" if mean is None else f"{mean:.2f} (n = {n})"


def _domain(domain: DomainEvaluation, console: Console, min_group_size: int) -> None:
    info = domain.domain
    span = (
        f" (range {info.min_total:g}–{info.max_total:g}"
        + (f", {info.n_items} items" if info.n_items else "")
        + ")"
        if info.min_total is not None and info.max_total is not None
        else ""
    )
    console.rule(Text(f"{info.label}{span}", style="bold"))
    if info.kirkpatrick_level == 1:
        # Reaction is asked once, after training: there is no before/after table to show.
        for item in domain.findings:
            console.print(f"• {item.text}")
        console.print()
        return
    table = Table(
        title=f"Table 1. Cohort mean {info.label.lower()} scores before and after training",
        title_justify="left",
    )
    for header in ("Cohort", "Programme", "n", "Before", "After", "Difference"):
        table.add_column(header, justify="left" if header in ("Cohort", "Programme") else "right")
    for row in domain.table1[:MAX_COHORT_ROWS]:
        table.add_row(row.label, row.programme, _n_text(row), *_mean_cells(row))
    table.add_row("All", "", _n_text(domain.overall), *_mean_cells(domain.overall), style="bold")
    console.print(table)
    _more_rows(len(domain.table1), console)
    if info.min_total is not None and info.max_total is not None:
        console.print(
            f"  Percentages are of the possible range ({info.min_total:g} to {info.max_total:g}): "
            "(score - minimum) / (maximum - minimum); differences are in percentage points."
        )

    tests = Table(title="Tests", title_justify="left")
    for header in ("Comparison", "Test", "Result", "Effect sizes", "Holm p"):
        tests.add_column(header)
    for entry in domain.tests:
        tests.add_row(*_test_cells(entry))
    console.print(tests)

    for breakdown in domain.breakdowns:
        if not breakdown.rows:
            continue
        table = Table(title=f"By {breakdown.grouping} (matched participants)", title_justify="left")
        table.add_column(breakdown.grouping.capitalize())
        for header in ("n", "Before", "After", "Change"):
            table.add_column(header, justify="right")
        for row in breakdown.rows:
            table.add_row(row.label, _n_text(row), *_mean_cells(row))
        console.print(table)
        if breakdown.not_recorded:
            limit = min_group_size
            count = (
                f"fewer than {limit}"
                if breakdown.not_recorded < limit
                else str(breakdown.not_recorded)
            )
            console.print(f"  ({count} with no {breakdown.grouping} recorded)")

    if domain.findings:
        console.print(Text("In plain English", style="bold"))
        for item in domain.findings:
            console.print(f"• {item.text}")
    console.print()


def _n_text(row: MeanRow) -> str:
    return HIDDEN if row.suppressed else str(row.n)


def _mean_cells(row: MeanRow) -> tuple[str, str, str]:
    if row.suppressed:
        return (HIDDEN, HIDDEN, HIDDEN)
    return (
        _score(row.pre_mean, row.pre_percent),
        _score(row.post_mean, row.post_percent),
        _score(row.difference, row.difference_percent, signed=True),
    )


def _score(value: float | None, percent: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:+.2f}" if signed else f"{value:.2f}"
    if percent is not None:
        text += f" ({percent:+.0f}%)" if signed else f" ({percent:.0f}%)"
    return text


def _test_cells(entry: TestEntry) -> tuple[str, str, str, str, str]:
    result = entry.result
    name = TEST_NAMES.get(result.test, result.test)
    comparison = COMPARISON_NAMES.get(entry.comparison, entry.comparison).lower()
    who = "Cohort means" if entry.unit == "cohort" else "People"
    what = f"{who} (n = {result.n}): {comparison}"
    direction = direction_text(result)
    if direction:
        what += f" ({direction})"
    if not result.computed:
        return (what, name, f"not computed: {result.reason}", "", "")
    effects = effect_text(entry.result)
    holm = format_p(entry.p_holm).removeprefix("p ") if entry.p_holm is not None else ""
    return (what, name, result.apa(), effects, holm)
