"""Item analysis, reliability, reliable change, the zero rule, retention and the mixed model.

Expected values are computed from the Evaluation (the demo data may be regenerated), or by hand
from small inline data.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from docx import Document

from imheval.evaluation import DomainEvaluation, Evaluation, evaluate_file
from imheval.reports import Report, build_report
from imheval.reports.docx import write_docx
from imheval.reports.html import render_html
from imheval.reports.model import Callout, Chart, Heading, Paragraph, Section, Table

ADVICE = "too easy to show change; add harder items"


def blocks_of(report: Report, section_id: str, label: str) -> list[object]:
    """The blocks of one domain: from its heading to the next domain heading."""
    section = report.section(section_id)
    found: list[object] = []
    inside = False
    for block in section.blocks:
        if isinstance(block, Heading) and block.level == 1:
            inside = block.text.split(" (")[0] == label
            continue
        if inside:
            found.append(block)
    assert found, label
    return found


def domain_table(report: Report, domain: DomainEvaluation, caption_start: str) -> Table:
    found = [
        b
        for b in blocks_of(report, "level-2", domain.domain.label)
        if isinstance(b, Table) and b.caption.startswith(caption_start)
    ]
    assert len(found) == 1, caption_start
    return found[0]


def apa_proportion(value: float) -> str:
    """Two decimals without the leading zero, as APA writes values bounded by 1."""
    return re.sub(r"^(-?)0\.", r"\1.", f"{value:.2f}")


def text_of(section: Section) -> str:
    parts: list[str] = []
    for block in section.blocks:
        if isinstance(block, Paragraph | Callout | Heading):
            parts.append(block.text)
        elif isinstance(block, Table):
            parts.extend([block.caption, *(" | ".join(r) for r in block.rows), *block.notes])
    return "\n".join(parts)


def measured(evaluation: Evaluation) -> list[DomainEvaluation]:
    return [d for d in evaluation.domains if d.extras is not None and d.n_pairs >= 5]


def test_item_analysis_table_gives_every_item_of_every_domain(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    checked = 0
    for domain in measured(demo_evaluation):
        assert domain.extras is not None
        items = domain.extras.items
        assert items is not None
        rendered = domain_table(demo_report, domain, f"{domain.domain.label}: item analysis")
        name = items.reliability_pre.name
        assert rendered.header == (
            "Question",
            "Facility before",
            "Facility after",
            "Item-rest r before",
            "Change (McNemar)",
            "Holm-adjusted p",
            f"{name} if deleted",
            "Flag",
        )
        # each question is named by its short wording beside its id
        assert [row[0] for row in rendered.rows] == [
            demo_evaluation.item_label(s.item) for s in items.items
        ]
        pairs = zip(items.items, rendered.rows, strict=True)
        assert all(row[0].startswith(f"{s.item}: ") for s, row in pairs)
        for stats, row in zip(items.items, rendered.rows, strict=True):
            assert stats.facility_pre is not None and stats.facility_post is not None
            # facility with its Wilson 95% CI: ".45 [.30, .61]"
            for cell, value, ci in (
                (row[1], stats.facility_pre, stats.facility_pre_ci),
                (row[2], stats.facility_post, stats.facility_post_ci),
            ):
                if ci is None:  # a rating item: no right answer, no binomial CI
                    assert not stats.binary and cell == apa_proportion(value)
                    continue
                assert ci.low <= value <= ci.high
                assert cell == (
                    f"{apa_proportion(value)} [{apa_proportion(ci.low)}, {apa_proportion(ci.high)}]"
                )
            if stats.item_rest_pre is not None:
                assert row[3] == apa_proportion(stats.item_rest_pre)
            deleted = items.reliability_pre.alpha_if_deleted[stats.item]
            assert deleted is not None and row[6] == apa_proportion(deleted)
            assert row[7] == ("Too easy" if stats.facility_pre > 0.90 else "")
            test = stats.mcnemar
            if test is None:
                assert row[4] == "not applicable" and not stats.binary
                continue
            # b and c count people: 1 to 4 of them read "fewer than 5"
            b = "b fewer than 5" if 0 < test.b < 5 else f"b = {test.b}"
            c = "c fewer than 5" if 0 < test.c < 5 else f"c = {test.c}"
            assert row[4].startswith(f"{b}, {c}; ")
            if test.p is None:
                assert "not computed" in row[4]
            elif test.b + test.c < 25:
                assert "; exact, p " in row[4]
            else:
                assert "χ²(1) = " in row[4]
            checked += 1
    assert checked > 10


def test_reliability_line_gives_both_timepoints_with_the_feldt_interval(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    for domain in measured(demo_evaluation):
        assert domain.extras is not None and domain.extras.items is not None
        pre = domain.extras.items.reliability_pre
        post = domain.extras.items.reliability_post
        assert pre.alpha is not None and pre.ci_low is not None and pre.ci_high is not None
        line = next(
            b.text
            for b in blocks_of(demo_report, "level-2", domain.domain.label)
            if isinstance(b, Paragraph) and b.text.startswith("Internal consistency")
        )
        assert f"({pre.name}, with the Feldt 95% confidence interval)" in line
        assert (
            f"before training {apa_proportion(pre.alpha)} (95% CI "
            f"{apa_proportion(pre.ci_low)} to {apa_proportion(pre.ci_high)})" in line
        )
        if post is not None and post.alpha is not None:
            assert f"after training {apa_proportion(post.alpha)}" in line
        assert ("This is low" in line) == (
            pre.alpha < 0.70 or (post is not None and (post.alpha or 1) < 0.70)
        )


def test_ceiling_flags_are_warnings_with_the_seeds_advice(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    flagged = 0
    for domain in measured(demo_evaluation):
        assert domain.extras is not None and domain.extras.items is not None
        items = domain.extras.items
        warnings = [
            b.text
            for b in blocks_of(demo_report, "level-2", domain.domain.label)
            if isinstance(b, Callout) and b.kind == "warning"
        ]
        for when, ceiling in (("before", items.ceiling_pre), ("after", items.ceiling_post)):
            matching = [w for w in warnings if w.startswith(f"Ceiling effect {when} training")]
            assert len(matching) == (1 if ceiling is not None and ceiling.flagged else 0)
            if matching:
                flagged += 1
                assert matching[0].endswith(ADVICE + ".")
        easy = [s.item for s in items.items if (s.facility_pre or 0) > 0.90]
        easy_warnings = [w for w in warnings if w.startswith("Answered correctly by more")]
        assert len(easy_warnings) == (1 if easy else 0)
        for item in easy:
            assert item in easy_warnings[0] and ADVICE.capitalize() in easy_warnings[0]
    assert flagged > 0  # the demo has ceilings; otherwise this test checks nothing


def test_a_small_count_at_the_ceiling_is_not_given_away(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    for domain in measured(demo_evaluation):
        assert domain.extras is not None and domain.extras.items is not None
        for ceiling in (domain.extras.items.ceiling_pre, domain.extras.items.ceiling_post):
            if ceiling is None or not ceiling.flagged or not 0 < ceiling.n_at_max < 5:
                continue
            text = "\n".join(
                b.text
                for b in blocks_of(demo_report, "level-2", domain.domain.label)
                if isinstance(b, Callout)
            )
            assert f"({ceiling.n_at_max} of {ceiling.n})" not in text
            assert "more than 15% of people scored the maximum" in text


def test_item_facility_chart_per_domain_with_numbers_in_its_alt_text(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    for domain in measured(demo_evaluation):
        assert domain.extras is not None and domain.extras.items is not None
        chart = next(
            b
            for b in blocks_of(demo_report, "level-2", domain.domain.label)
            if isinstance(b, Chart) and b.id.endswith("-items")
        )
        for stats in domain.extras.items.items[:12]:
            assert stats.facility_pre is not None and stats.facility_post is not None
            assert (
                f"{stats.item}: {100 * stats.facility_pre:.0f}% before, "
                f"{100 * stats.facility_post:.0f}% after" in chart.alt_text
            )
        assert "dashed line at 90%" in chart.alt_text
        assert chart.svg.startswith("<svg") and "<title" in chart.svg


def test_reliable_change_counts_and_minimum_change(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    for domain in measured(demo_evaluation):
        assert domain.extras is not None
        change = domain.extras.reliable_change
        assert change.computed and change.minimum_reliable_change is not None
        assert change.n_improved is not None and change.n_declined is not None
        rendered = domain_table(demo_report, domain, f"{domain.domain.label}: reliable change")
        rows = {row[0]: row for row in rendered.rows}
        assert change.n_no_change is not None
        truth = {
            "Reliably improved": change.n_improved,
            "No reliable change": change.n_no_change,
            "Reliably declined": change.n_declined,
        }
        assert rows["Total"][1] == f"{change.n}"
        assert sum(truth.values()) == change.n
        hidden = [label for label in truth if not rows[label][1].isdigit()]
        # A lone hidden count could be worked out from the total.
        assert len(hidden) != 1
        for label, n in truth.items():
            if 0 < n < 5:
                assert label in hidden
            if label in hidden:
                assert rows[label][1:] == ("hidden", "hidden")
            else:
                assert rows[label][1:] == (f"{n}", f"{100 * n / change.n:.0f}%")
        assert f"{change.minimum_reliable_change:.2f} points" in rendered.notes[0]
        assert change.reliability is not None
        assert f"= {apa_proportion(change.reliability)}" in rendered.notes[0]


def test_mixed_model_gives_time_effect_variances_formula_and_clustering(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    for domain in measured(demo_evaluation):
        assert domain.extras is not None
        model = domain.extras.mixed_model
        assert model.computed
        post = model.fixed_effect("timepost")
        assert post is not None
        fixed = domain_table(demo_report, domain, f"{domain.domain.label}: linear mixed model")
        row = next(r for r in fixed.rows if r[0] == "Change from pre to post")
        assert row[1] == f"{post.estimate:+.2f}"
        assert row[2] == f"{post.ci.low:.2f} to {post.ci.high:.2f}"
        assert model.formula in fixed.notes[0]
        variances = domain_table(demo_report, domain, f"{domain.domain.label}: where the")
        assert model.variance_components is not None
        participant = next(r for r in variances.rows if r[0].startswith("Participant"))
        assert participant[1] == f"{model.variance_components.participant:.2f}"
        text = "\n".join(
            b.text
            for b in blocks_of(demo_report, "level-2", domain.domain.label)
            if isinstance(b, Paragraph)
        )
        assert "allows for clustering" in text
        if model.cohort_effect_reason:
            assert model.cohort_effect_reason in text
    trust = text_of(demo_report.section("trust"))
    assert "allows for clustering" in trust


def test_zero_rule_is_compared_with_complete_cases_in_methods(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    methods = demo_report.section("methods")
    assert any(
        isinstance(b, Heading) and b.text == "Does the zero rule matter?" for b in methods.blocks
    )
    rendered = next(t for t in methods.tables() if t.caption.startswith("The zero rule"))
    assert len(rendered.rows) == len(demo_evaluation.policy_comparison) > 0
    for policy_row, row in zip(demo_evaluation.policy_comparison, rendered.rows, strict=True):
        assert row[1] == (
            "Blank = 0 (zero rule)" if policy_row.policy.value == "seed" else "Complete cases"
        )
        assert row[2] == f"{policy_row.n_pairs:,}"
        assert policy_row.pre_mean is not None and row[3] == f"{policy_row.pre_mean:.2f}"
        assert row[6] == policy_row.result.apa()
    assert "complete cases a person counts only if" in text_of(methods)


def test_methods_name_low_reliability_and_early_ceilings(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    text = text_of(demo_report.section("methods"))
    for domain in measured(demo_evaluation):
        assert domain.extras is not None and domain.extras.items is not None
        items = domain.extras.items
        alpha = items.reliability_pre.alpha
        assert alpha is not None
        low = alpha < 0.70 or (
            items.reliability_post is not None and (items.reliability_post.alpha or 1) < 0.70
        )
        assert (f"Low reliability in {domain.domain.label}:" in text) == low
        assert (f"Ceiling before training in {domain.domain.label}:" in text) == (
            items.ceiling_pre.flagged
        )
        for stats in items.items:
            if (stats.facility_pre or 0) > 0.90:
                assert f"{stats.item} ({domain.domain.label})" in text
    assert "Jacobson and Truax" in text


# --------------------------------------------------------------------------------------------
# Inline data: domain totals with follow-up in 3 cohorts (no item answers)

PRE = [2, 3, 1, 2, 4, 3]
POST = [5, 5, 4, 4, 6, 5]
FOLLOW = [4, 5, 3, 4, 5, 4]


@pytest.fixture(scope="module")
def totals_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    lines = ["participant,cohort,programme,timepoint,knowledge"]
    for cohort, shift in (("C1", 0), ("C2", 1), ("C3", 0)):
        for i in range(6):
            lines += [
                f"{cohort}x{i},{cohort},P,pre,{PRE[i] + shift}",
                f"{cohort}x{i},{cohort},P,post,{POST[i] + shift}",
                f"{cohort}x{i},{cohort},P,followup,{FOLLOW[i] + shift}",
            ]
    path = tmp_path_factory.mktemp("totals") / "totals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return build_report(evaluate_file(path))


def test_not_computed_parts_say_why(totals_report: Report) -> None:
    level2 = text_of(totals_report.section("level-2"))
    assert "Item analysis not computed: the data held domain scores" in level2
    assert "Reliable change not computed: no reliability estimate for this domain" in level2
    methods = text_of(totals_report.section("methods"))
    assert "The zero rule could not be compared with complete cases" in methods
    assert not any(
        t.caption.startswith("The zero rule") for t in totals_report.section("methods").tables()
    )


def test_three_cohorts_make_cohort_fixed_and_the_report_says_why(totals_report: Report) -> None:
    level2 = text_of(totals_report.section("level-2"))
    assert "Cohort is a fixed effect in this model, not a random one: with fewer than 5" in level2
    assert "with only 3 cohorts there are too few" in level2
    assert "score ~ time + cohort + (1 | participant)" in level2
    assert "Cohort | – | – | fixed effect (see above)" in level2
    assert "Change from pre to follow-up" in level2


def test_retention_at_follow_up_by_hand(totals_report: Report) -> None:
    level3 = totals_report.section("level-3")
    rendered = next(t for t in level3.tables() if t.caption.startswith("Retention"))
    # 18 people, C2 one point up throughout. Sums: pre 3 * 15 + 6 = 51 (mean 2.83), post
    # 3 * 29 + 6 = 93 (5.17), follow-up 3 * 25 + 6 = 81 (4.50). Gains 42 / 18 = +2.33 and
    # 30 / 18 = +1.67; retained 30 / 42 = 71%.
    (row,) = rendered.rows
    assert row[:8] == ("Knowledge", "18", "2.83", "5.17", "4.50", "+2.33", "+1.67", "71%")
    # Fieller's 95% CI of the share (checked against R in tests/golden) brackets the 71%
    low, high = (int(end.rstrip("%")) for end in row[8].split(" to "))
    assert rendered.header[8] == "95% CI (Fieller)" and low <= 71 <= high
    assert next(b.text for b in level3.blocks if isinstance(b, Heading)).startswith("Retention")
    assert any(t.caption.startswith("Follow-up tests") for t in level3.tables())


def test_too_few_people_hide_the_deeper_analyses(tmp_path: Path) -> None:
    lines = ["participant,cohort,timepoint,knowledge"]
    for i in range(4):
        lines += [f"Q{i},C1,pre,{i}", f"Q{i},C1,post,{i + 2}"]
    path = tmp_path / "small.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = build_report(evaluate_file(path))
    level2 = report.section("level-2")
    text = text_of(level2)
    assert (
        "Knowledge: fewer than 5 people were matched before and after training, too few to "
        "report" in text
    )
    assert not any("linear mixed model" in t.caption for t in level2.tables())
    assert not any("reliable change" in t.caption for t in level2.tables())


# --------------------------------------------------------------------------------------------
# The same blocks in every format


def test_new_blocks_reach_the_html(demo_evaluation: Evaluation, demo_report: Report) -> None:
    html = render_html(demo_report)
    assert "<h4>Knowledge: item analysis and reliability</h4>" in html
    assert "<caption>The zero rule against complete cases" in html
    assert 'id="figure-knowledge-items"' in html
    for domain in measured(demo_evaluation):
        label = domain.domain.label
        assert f"<h4>{label}: reliable change for each person</h4>" in html
        assert f"<h4>{label}: allowing for clustering</h4>" in html


def test_new_tables_are_real_word_tables(demo_report: Report, demo_docx: Path) -> None:
    document = Document(str(demo_docx))
    level3 = [p.text for p in document.paragraphs if p.style.name == "Heading 3"]
    assert "Knowledge: item analysis and reliability" in level3
    assert "Knowledge: allowing for clustering" in level3
    expected = [
        t
        for s in demo_report.sections
        for t in s.tables()
        if t.caption.startswith("The zero rule")
        or "item analysis" in t.caption
        or "reliable change" in t.caption
        or "mixed model" in t.caption
    ]
    assert len(expected) >= 7
    word = [(tuple(c.text for c in t.rows[0].cells), t) for t in document.tables]
    for table in expected:
        found = [
            t
            for header, t in word
            if header == table.header
            and [tuple(c.text for c in row.cells) for row in t.rows[1:]] == list(table.rows)
        ]
        assert found, table.caption


def test_not_computed_reasons_reach_word(totals_report: Report, tmp_path: Path) -> None:
    document = Document(str(write_docx(totals_report, tmp_path / "t.docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Item analysis not computed" in text
    assert "Reliable change not computed" in text
    assert "Cohort is a fixed effect in this model" in text


def test_new_blocks_reach_the_pdf_text(demo_pdf: Path) -> None:
    text = subprocess.run(
        ["pdftotext", str(demo_pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    for phrase in (
        "item analysis and reliability",
        "Does the zero rule matter?",
        "reliable change for each person",
        "allowing for clustering",
        "Feldt 95% confidence interval",
        ADVICE,
    ):
        assert phrase in flat, phrase
