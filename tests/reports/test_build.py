"""The report model built from an evaluation: structure, Table 1, wording and suppression."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from imheval.evaluation import Evaluation, EvaluationOptions, evaluate_file
from imheval.reports import SECTION_BUILDERS, Report, ReportContext, Section, build_report
from imheval.reports.model import Callout, Chart, Findings, Heading, Paragraph, Table


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tables(section: Section) -> list[Table]:
    return [b for b in section.blocks if isinstance(b, Table)]


def table(report: Report, caption_start: str) -> Table:
    found = [t for s in report.sections for t in tables(s) if t.caption.startswith(caption_start)]
    assert len(found) == 1, [t.caption for s in report.sections for t in tables(s)]
    return found[0]


def text_of(section: Section) -> str:
    parts: list[str] = []
    for block in section.blocks:
        if isinstance(block, Paragraph | Callout | Heading):
            parts.append(block.text)
        elif isinstance(block, Findings):
            parts.extend(f"{s} {a}" for s, a in block.items)
        elif isinstance(block, Table):
            parts.append(block.caption)
            parts.extend(" | ".join(row) for row in block.rows)
            parts.extend(block.notes)
            parts.append(block.suppressed_note or "")
        elif isinstance(block, Chart):
            parts.append(block.title + " " + block.alt_text)
    return "\n".join(parts)


def test_sections_follow_kirkpatrick_order(demo_report: Report) -> None:
    assert [s.id for s in demo_report.sections] == [
        "summary",
        "trust",
        "participation",
        "level-1",
        "level-2",
        "level-3",
        "level-4",
        "methods",
    ]
    assert [s.kirkpatrick_level for s in demo_report.sections] == [
        None,
        None,
        None,
        1,
        2,
        3,
        4,
        None,
    ]


def test_table_one_reproduces_the_seed_table(demo_report: Report) -> None:
    knowledge = table(demo_report, "Table 1. Knowledge")
    assert knowledge.header == (
        "Cohort",
        "Programme",
        "n",
        "Before (%)",
        "After (%)",
        "Difference (pp)",
    )
    # Seed 000, Table 1: "1 (TF1) 2.00 (33%) 4.14 (69%) +2.14 (36%)"; the demo reproduces it.
    assert knowledge.rows[0] == (
        "TF1",
        "Think Family",
        "14",
        "2.00 (33%)",
        "4.14 (69%)",
        "+2.14 (+36 pp)",
    )
    assert knowledge.rows[2][4] == "5.56 (93%)"  # TF3, the highest post score in the seed
    assert knowledge.rows[-1][0] == "All matched people"


def test_table_one_rows_equal_the_evaluation(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    for domain in demo_evaluation.domains:
        rendered = table(demo_report, f"Table 1. {domain.domain.label}:")
        assert len(rendered.rows) == len(domain.table1) + 1
        for row, cells in zip(domain.table1, rendered.rows, strict=False):
            assert cells[0] == row.label and cells[1] == row.programme
            assert cells[2] == str(row.n)
            assert row.pre_mean is not None and row.pre_percent is not None
            assert cells[3] == f"{row.pre_mean:.2f} ({round(row.pre_percent)}%)"
            assert row.difference is not None
            assert float(cells[5].split()[0]) == pytest.approx(row.difference, abs=0.005)


def test_levels_without_data_say_not_measured_and_what_would_measure_them(
    demo_report: Report,
) -> None:
    expected = {
        "level-1": "would recommend",
        "level-3": "8 to 12 weeks",
        "level-4": "referrals to perinatal",
    }
    for section_id, measure in expected.items():
        section = demo_report.section(section_id)
        callouts = [b for b in section.blocks if isinstance(b, Callout)]
        assert callouts and callouts[0].text.startswith("Not measured")
        assert measure in text_of(section)
        assert not section.tables() and not section.charts()


def test_learning_level_has_every_domain_with_tests_and_charts(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    section = demo_report.section("level-2")
    headings = [b.text for b in section.blocks if isinstance(b, Heading) and b.level == 1]
    assert [h.split(" (")[0] for h in headings] == [d.domain.label for d in demo_evaluation.domains]
    assert "Knowledge (scores 0 to 6, 6 questions)" in headings
    chart_ids = {c.id for c in section.charts()}
    assert {"knowledge-cohorts", "knowledge-changes", "knowledge-gains"} <= chart_ids
    change = table(demo_report, "Knowledge: did scores change?")
    by_unit = {(row[1], row[2]): row for row in change.rows}
    cohort = by_unit[("Cohort means, n = 5", "Paired t-test")]
    assert cohort[3] == "t(4) = 21.68, p < .001"
    assert "r > .99" in cohort[5]  # .9958 must not read "1.00"
    knowledge = demo_evaluation.domain("knowledge")
    entry = knowledge.test("participant", "paired_t")
    assert entry is not None
    d_z = entry.result.effect("cohen_dz")
    assert d_z is not None and d_z.ci is not None
    people = by_unit[(f"People, n = {knowledge.n_pairs}", "Paired t-test")]
    assert f"d_z = {d_z.value:.2f}, 95% CI [{d_z.ci.low:.2f}, {d_z.ci.high:.2f}]" in people[5]
    for name in ("g_z = ", "d_av = ", "r = ."):
        assert name in people[5]
    anova = next(row for row in change.rows if row[2] == "One-way ANOVA of cohort gains")
    assert anova[3] == "F(1, 3) = 1.07, p = .378"
    assert "η²_p = .26" in anova[5] and "η² = " not in anova[5]  # shown once, not twice


def test_summary_puts_apa_figures_beside_plain_sentences(demo_report: Report) -> None:
    summary = demo_report.section("summary")
    findings = [b for b in summary.blocks if isinstance(b, Findings)]
    headlines = findings[0].items
    assert [sentence for sentence, _ in headlines] == [
        "Knowledge rose from 41% to 78% of answers correct, a large change; this is very "
        "unlikely to be chance.",
        "Risk identification rose from 77% to 85% of answers correct, a small change; this is "
        "unlikely to be chance.",
        "Self-efficacy rose from 16.8 to 22.3 on a scale of 6 to 30, a large change; this is "
        "very unlikely to be chance.",
        "Advanced knowledge went from 56% to 68% of answers correct; a change this size could "
        "be chance. With only 9 people, how large the change is remains uncertain.",
    ]
    # the figures behind each headline stand beside it, never in it
    assert headlines[0][1] == (
        "59 people; mean change +2.24 points (95% CI 1.81 to 2.66); t(58) = 10.52, p < .001; "
        "Cohen's d_z = 1.37"
    )
    assert not any("p <" in sentence or "p =" in sentence for sentence, _ in headlines)
    chart = next(b for b in summary.blocks if isinstance(b, Chart))
    assert chart.id == "all-domains"
    assert "Knowledge: 41% before, 78% after" in chart.alt_text
    knowledge = findings[1].items
    assert knowledge[0][0].startswith("Knowledge: the 59 people matched")
    cohort = next(item for item in knowledge if item[0].startswith("Across 5 cohorts"))
    assert cohort[0].endswith("there was a statistically significant change.")
    assert cohort[1].startswith("t(4) = 21.68, p < .001") and "r > .99" in cohort[1]
    # Group comparisons belong to the detail, not the one-page summary.
    assert not any("differ" in sentence for items in findings for sentence, _ in items.items)


def test_which_to_trust_is_written_for_this_data(demo_report: Report) -> None:
    text = text_of(demo_report.section("trust"))
    assert "6 cohorts had people measured" in text
    assert "For Knowledge, Risk identification and Self-efficacy, both levels agree" in text
    assert "For Advanced knowledge, the cohort-level test could not be run" in text


def test_participant_flow_counts_every_stage(
    demo_evaluation: Evaluation, demo_report: Report
) -> None:
    flow = table(demo_report, "Participant flow")
    people = demo_evaluation.matched.people
    enrolled = len(people)
    pre = int(people["present_pre"].sum())
    post = int(people["present_post"].sum())
    matched = int((people["present_pre"] & people["present_post"]).sum())
    assert [row[1] for row in flow.rows] == [str(enrolled), str(pre), str(post), str(matched), "0"]
    assert (enrolled, pre, post, matched) == (86, 80, 74, 68)
    assert flow.rows[3][2] == "79%"  # 68 / 86


def test_small_professions_show_neither_means_nor_counts(demo_report: Report) -> None:
    professions = table(demo_report, "People taking part by profession")
    therapist = next(row for row in professions.rows if row[0] == "Occupational therapist")
    assert set(therapist[1:5]) == {"hidden"}
    assert professions.suppressed_note is not None
    knowledge = table(demo_report, "Knowledge by profession")
    therapist = next(row for row in knowledge.rows if row[0] == "Occupational therapist")
    assert therapist[1:] == ("hidden", "hidden", "hidden", "hidden")


def test_a_lone_small_count_takes_the_next_smallest_with_it(tmp_path: Path) -> None:
    # Directorate A has 3 people, B 6, C 8: hiding only A would let the total give it away.
    lines = ["participant,cohort,programme,timepoint,directorate,knowledge"]
    for directorate, size in (("A", 3), ("B", 6), ("C", 8)):
        for i in range(size):
            code = f"{directorate}{i}"
            lines.append(f"{code},K1,P,pre,{directorate},{i % 4}")
            lines.append(f"{code},K1,P,post,{directorate},{i % 4 + 2}")
    evaluation = evaluate_file(write_csv(tmp_path / "d.csv", lines))
    report = build_report(evaluation)
    counts = table(report, "People taking part by directorate")
    rows = {row[0]: row for row in counts.rows}
    assert rows["A"][1] == "hidden"
    assert rows["B"][1] == "hidden"  # the next smallest, hidden to protect A
    assert rows["C"][1] == "8"
    assert rows["Total"][1] == "17"


def test_a_larger_group_size_suppresses_more(demo_evaluation: Evaluation) -> None:
    report = build_report(demo_evaluation, min_group_size=10)
    knowledge = table(report, "Table 1. Knowledge")
    rows = {row[0]: row for row in knowledge.rows}
    assert rows["TF3"][2:] == ("hidden",) * 4
    # TF3 alone hidden could be recovered from the overall mean: S2 (11) is hidden with it.
    assert rows["S2"][2:] == ("hidden",) * 4
    assert rows["TF1"][3] == "2.00 (33%)"
    chart = next(c for c in report.section("level-2").charts() if c.id == "knowledge-cohorts")
    assert "TF3" not in chart.alt_text and "S2" not in chart.alt_text


def test_a_smaller_group_size_cannot_reveal_what_the_evaluation_hid(
    demo_evaluation: Evaluation,
) -> None:
    report = build_report(demo_evaluation, min_group_size=1)
    knowledge = table(report, "Knowledge by profession")
    therapist = next(row for row in knowledge.rows if row[0] == "Occupational therapist")
    assert therapist[1:] == ("hidden",) * 4


def test_follow_up_results_replace_not_measured(tmp_path: Path) -> None:
    pre = [2, 3, 1, 2, 4, 3, 2, 1]
    post = [5, 5, 4, 4, 6, 5, 4, 4]
    follow = [4, 5, 3, 4, 5, 4, 3, 4]
    lines = ["participant,cohort,timepoint,knowledge"]
    for i in range(8):
        lines += [
            f"P{i},C1,pre,{pre[i]}",
            f"P{i},C1,post,{post[i]}",
            f"P{i},C1,followup,{follow[i]}",
        ]
    evaluation = evaluate_file(write_csv(tmp_path / "fu.csv", lines))
    report = build_report(evaluation)
    section = report.section("level-3")
    assert not any(isinstance(b, Callout) and "Not measured" in b.text for b in section.blocks)
    followup = table(report, "Follow-up tests")
    comparisons = {row[1] for row in followup.rows}
    assert comparisons == {"Before vs follow-up", "After vs follow-up"}
    paired = next(
        r for r in followup.rows if r[1] == "Before vs follow-up" and r[3] == "Paired t-test"
    )
    # t = mean(d) / (sd(d) / sqrt(n)) on follow - pre = [2,2,2,2,1,1,1,3]: mean 1.75, sd 0.7071
    assert paired[4] == "t(7) = 7.00, p < .001"
    assert "Followed up: 8" in next(c for c in report.section("participation").charts()).alt_text


def test_ceiling_is_flagged_with_the_seeds_advice(demo_report: Report) -> None:
    ceiling = table(demo_report, "Ceiling")
    knowledge = next(row for row in ceiling.rows if row[0] == "Knowledge")
    assert knowledge[3] == "Yes"
    text = text_of(demo_report.section("methods"))
    assert "too easy to show further change; add harder items" in text
    assert "matching rate of 85%" in text  # 68 of 80 pre-tests


def test_report_parts_are_frozen_and_changes_return_copies(demo_report: Report) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        demo_report.title = "changed"  # type: ignore[misc]
    extra = Section("item-analysis", "Item analysis", 2, (Paragraph("later"),))
    longer = demo_report.with_section(extra, after="level-2")
    assert [s.id for s in longer.sections][4:6] == ["level-2", "item-analysis"]
    assert len(demo_report.sections) == 8
    with pytest.raises(KeyError):
        demo_report.with_section(extra, after="no-such-section")
    with pytest.raises(ValueError, match="cells"):
        Table("t", ("a", "b"), (("only one",),))


def test_a_new_section_is_one_more_builder(demo_evaluation: Evaluation) -> None:
    def reliability(context: ReportContext) -> Section:
        n = len(context.evaluation.domains)
        return Section("reliability", "Reliability", None, (Paragraph(f"{n} domains"),))

    report = build_report(demo_evaluation, builders=(*SECTION_BUILDERS[:1], reliability))
    assert [s.id for s in report.sections] == ["summary", "reliability"]
    assert report.section("reliability").blocks == (Paragraph("4 domains"),)


def test_totals_without_ranges_still_build_without_percentages(tmp_path: Path) -> None:
    lines = ["participant,cohort,programme,timepoint,knowledge"]
    for cohort in ("K1", "K2"):
        for i in range(6):
            lines += [
                f"{cohort}{i},{cohort},P,pre,{10 + i}",
                f"{cohort}{i},{cohort},P,post,{13 + i}",
            ]
    evaluation = evaluate_file(write_csv(tmp_path / "t.csv", lines))
    report = build_report(evaluation, title="Pilot")
    assert report.title == "Pilot"
    rows = table(report, "Table 1.").rows
    assert rows[0][3:] == ("12.50", "15.50", "+3.00")
    chart = next(c for c in report.section("level-2").charts() if c.id == "knowledge-cohorts")
    assert "percentage" not in chart.alt_text and "12.50 before, 15.50 after" in chart.alt_text
    assert EvaluationOptions().min_group_size == 5
