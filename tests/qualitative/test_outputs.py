"""The qualitative outputs: Table 3, quotes, the code-by-speaker matrix and its files, the
breakdown by speaker attributes, and the joint display, on a project modelled on seed 002."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pyreadstat
import pytest

from imheval.errors import DataFormatError
from imheval.findings import Stats, finding
from imheval.qualitative.model import Case, Code, Coding, Level, Project, Source, Turn
from imheval.qualitative.outputs import (
    LinkableFinding,
    attribute_quote,
    code_speaker_matrix,
    finding_key,
    joint_display,
    keyed_findings,
    quote_text,
    quotes_by_subtheme,
    speakers_by_attribute,
    table3,
)
from imheval.qualitative.outputs_section import Approach, PhaseEntry, qualitative_section
from imheval.qualitative.outputs_write import (
    matrix_csv_bytes,
    spss_names,
    table3_csv_bytes,
    write_matrix,
)
from qual_seed_project import CHILDHOOD, seed_project

T1 = "Bringing the knowledge out: influences on clinical practice and service delivery"
S11 = f"{T1} > Enhanced clinical practice"


@pytest.fixture(scope="module")
def project() -> Project:
    return seed_project()


def test_table3_lists_themes_then_their_subthemes_in_codebook_order(project: Project) -> None:
    rows = table3(project)
    assert len(rows) == 4 + 13
    assert [row.level for row in rows[:5]] == [
        Level.THEME,
        Level.SUBTHEME,
        Level.SUBTHEME,
        Level.SUBTHEME,
        Level.THEME,
    ]
    assert rows[1].name == "Enhanced clinical practice"
    assert rows[1].path == S11
    assert rows[1].definition == "Definition of Enhanced clinical practice."
    assert CHILDHOOD not in [row.name for row in rows]  # codes count towards their sub-theme


def test_table3_counts_sources_speakers_and_codings_by_hand(project: Project) -> None:
    counted = {
        row.name: (row.source_count, row.speaker_count, row.codings) for row in table3(project)
    }
    # Theme 1: codings 1, 2, 3, 8 (the facilitator's), 11 (coder B) and 12 (spanning PX6, PX7).
    assert counted[T1] == (1, 3, 6)
    assert counted["Enhanced clinical practice"] == (1, 2, 4)
    assert counted["Dissemination of IMH knowledge"] == (0, 0, 0)
    assert counted["Increased reflective practice"] == (1, 2, 2)
    assert counted["The benefits of group-based learning for developing IMH knowledge"] == (1, 3, 3)
    assert counted["External factors that facilitate the PIMH-NG"] == (1, 2, 2)
    # Theme 4 is supported in the focus group and in PX3's follow-up interview.
    assert counted["Barriers to carrying out the work of the PIMH-NG"] == (2, 2, 3)
    assert counted["Staff movement"] == (2, 2, 2)
    assert counted["Supervision"] == (1, 1, 1)


def test_the_facilitator_is_not_a_supporting_speaker(project: Project) -> None:
    row = table3(project)[1]  # Enhanced clinical practice, coded on the facilitator's question
    assert row.speakers == ("case-PX2", "case-PX6")
    assert row.codings == 4


def test_table3_counts_one_coder_when_asked(project: Project) -> None:
    row = table3(project, coders={"B"})[1]
    assert (row.source_count, row.speaker_count, row.codings) == (1, 1, 1)


def test_quotes_put_exemplars_first_then_text_order(project: Project) -> None:
    groups = {group.name: group for group in quotes_by_subtheme(project)}
    assert list(groups) == [
        "Enhanced clinical practice",
        "Increased reflective practice",
        "Continuous learning",
        "Reflective group discussion",
        "Organisational structure of the group",
        "IMH Masterclass",
        "Management support",
        "Staff movement",
        "Supervision",
    ]
    enhanced = groups["Enhanced clinical practice"].quotes
    # PX2's passage was coded by A (the code beneath) and B (the sub-theme): quoted once.
    assert [(q.attribution, q.exemplar) for q in enhanced] == [
        ("PX6", True),
        ("Facilitator", False),
        ("PX2", False),
    ]
    assert enhanced[0].text == (
        "Sometimes people need to develop a little bit of insight that can evoke change."
    )
    staff = groups["Staff movement"].quotes
    assert [(q.attribution, q.source) for q in staff] == [
        ("PX1", "src-Focus group 1"),
        ("PX3", "src-Follow-up interview"),
    ]


def test_a_quote_spanning_turns_is_attributed_to_several_speakers(project: Project) -> None:
    reflective = next(g for g in quotes_by_subtheme(project) if g.name.startswith("Increased"))
    spanning = reflective.quotes[1]
    assert spanning.attribution == "Several speakers"
    # White space tidied: the line break between the turns is one space.
    assert spanning.text == (
        "Sometimes people need to develop a little bit of insight that can evoke change. "
        "PX7: It's very easy to get caught up in that whereas if you can take the step back."
    )


def test_role_attribution_names_a_shared_role_and_hides_a_unique_one(project: Project) -> None:
    # By default a role is named only when five speakers of the group share it (the
    # small-group rule): focus group 1's four nurses are not enough.
    default = {g.name: g for g in quotes_by_subtheme(project, attribution="role")}
    assert default["Management support"].quotes[0].attribution == "Participant – Focus group 1"
    groups = {g.name: g for g in quotes_by_subtheme(project, attribution="role", min_role_size=4)}
    # Four nurses spoke in focus group 1; PX5 is its only psychologist.
    assert groups["Management support"].quotes[0].attribution == "Nurse – Focus group 1"
    assert groups["IMH Masterclass"].quotes[0].attribution == "Participant – Focus group 1"
    # PX3 is the only speaker of the interview, so her role is not shown either.
    assert groups["Supervision"].quotes[0].attribution == "Participant – Follow-up interview"
    source = project.sources[0]
    start = source.text.index("The masterclass")
    shown = attribute_quote(project, source, start, start + 5, attribution="role", min_role_size=1)
    assert shown == "Psychologist – Focus group 1"  # PX5's turn: any role, when allowed


def test_word_limit_cuts_a_quote_and_says_so(project: Project) -> None:
    reflective = next(
        g for g in quotes_by_subtheme(project, word_limit=5) if g.name.startswith("Increased")
    )
    first = reflective.quotes[0]
    assert (first.text, first.truncated) == ("It's very easy to get …", True)
    assert quote_text("  two\n words ", 5) == ("two words", False)
    with pytest.raises(ValueError, match="at least 1"):
        quote_text("x", 0)


def test_matrix_marks_who_supports_each_subtheme_and_code(project: Project) -> None:
    matrix = code_speaker_matrix(project)
    assert matrix.speakers == ("PX1", "PX2", "PX3", "PX4", "PX5", "PX6", "PX7")
    assert len(matrix.columns) == 13 + 1  # sub-themes and the one code; no themes
    assert matrix.columns[1].path == f"{S11} > {CHILDHOOD}"
    assert matrix.columns[1].level is Level.CODE
    assert matrix.value("PX2", S11) == 1
    assert matrix.value("PX2", f"{S11} > {CHILDHOOD}") == 1
    assert matrix.value("PX6", S11) == 1
    assert matrix.value("PX6", f"{S11} > {CHILDHOOD}") == 0
    assert matrix.value("PX6", f"{T1} > Increased reflective practice") == 1  # the spanning one
    assert [sum(row) for row in matrix.values] == [2, 3, 3, 1, 1, 2, 1]
    with_facilitator = code_speaker_matrix(project, include_facilitator=True)
    assert with_facilitator.speakers[-1] == "Facilitator"
    assert with_facilitator.value("Facilitator", S11) == 1


def test_matrix_files_read_back_the_same_values(project: Project, tmp_path: Path) -> None:
    matrix = code_speaker_matrix(project)
    paths = [column.path for column in matrix.columns]
    from_csv = pd.read_csv(write_matrix(matrix, tmp_path / "m.csv"), encoding="utf-8-sig")
    assert list(from_csv.columns) == ["speaker", *paths]
    assert from_csv["speaker"].tolist() == list(matrix.speakers)
    assert from_csv[paths].to_numpy().tolist() == [list(row) for row in matrix.values]

    sheet = openpyxl.load_workbook(write_matrix(matrix, tmp_path / "m.xlsx"))["matrix"]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0] == ["speaker", *paths]
    assert cells[2] == ["PX2", *matrix.values[1]]

    frame, meta = pyreadstat.read_sav(str(write_matrix(matrix, tmp_path / "m.sav")))
    names = spss_names(paths)
    assert list(frame.columns) == ["speaker", *names]
    assert names[0] == "Enhanced_clinical_practice"
    assert names[6] == "The_network_group_as_a_secure_base"
    assert meta.column_names_to_labels[names[1]] == f"{S11} > {CHILDHOOD}"
    assert meta.variable_value_labels[names[0]] == {0.0: "Not coded", 1.0: "Coded"}
    assert frame[list(names)].astype(int).to_numpy().tolist() == [
        list(row) for row in matrix.values
    ]


def test_spss_names_are_valid_and_unique() -> None:
    names = spss_names(["A > 1st go", "B > 1st go", "C > with", "D > Ünïcode név", "E > !!!"])
    assert names == ("c_1st_go", "c_1st_go_2", "with_", "Unicode_nev", "code")


def test_matrix_csv_cannot_run_a_formula(tmp_path: Path) -> None:
    project = Project(
        "p",
        codes=(Code("T", "=SUM(1)"), Code("S", "x", "T")),
        sources=(Source("s", "g", "@PX1: hello", (Turn(0, 11, "c"),)),),
        codings=(Coding("k", "k", "s", 7, 12, "S", None),),
        cases=(Case("c", "@PX1"),),
    )
    text = matrix_csv_bytes(code_speaker_matrix(project)).decode("utf-8-sig")
    assert text.splitlines() == ["speaker,'=SUM(1) > x", "'@PX1,1"]
    with pytest.raises(DataFormatError, match=r"use \.csv, \.xlsx or \.sav"):
        write_matrix(code_speaker_matrix(project), tmp_path / "m.txt")
    assert not (tmp_path / "m.txt").exists()


def test_table3_csv(project: Project) -> None:
    lines = table3_csv_bytes(table3(project)).decode("utf-8-sig").splitlines()
    assert lines[0] == "level,theme or sub-theme,definition,sources,speakers,codings"
    assert lines[2] == f"subtheme,{S11},Definition of Enhanced clinical practice.,1,2,4"


def test_a_breakdown_by_profession_hides_small_groups(project: Project) -> None:
    breakdown = speakers_by_attribute(project, "Profession")
    assert breakdown.values == ("Nurse", "Psychologist", "Social worker")
    theme1 = breakdown.rows[0]
    # 2 nurses, no psychologist, 1 social worker: both counts small, the total (3) too.
    assert theme1.counts == (None, 0, None)
    assert theme1.total is None
    assert breakdown.any_hidden
    shown = speakers_by_attribute(project, "profession", min_group_size=1)
    assert shown.rows[0].counts == (2, 0, 1)
    assert shown.rows[0].total == 3
    assert not shown.any_hidden


def test_a_breakdown_protects_a_small_count_beside_a_published_total() -> None:
    # Six nurses and one social worker support the theme: the 1 is hidden, and so is the 6
    # (the total 7 would give the 1 away).
    nurses = tuple(Case(f"c{n}", f"PX{n}", {"profession": "Nurse"}) for n in range(6))
    cases = (*nurses, Case("c6", "PX6", {"profession": "Social worker"}))
    text = "x" * 70
    turns = tuple(Turn(10 * n, 10 * n + 10, f"c{n}") for n in range(7))
    project = Project(
        "p",
        codes=(Code("T", "Theme"),),
        sources=(Source("s", "g", text, turns),),
        codings=(Coding("k", "k", "s", 0, 70, "T", None),),
        cases=cases,
    )
    row = speakers_by_attribute(project, "profession").rows[0]
    assert row.counts == (None, None)
    assert row.total == 7
    assert row.suppression.primary == (False, True)


def test_finding_keys_are_domain_kind_comparison_with_an_ordinal_for_repeats() -> None:
    rose = finding(
        "participant_test",
        "knowledge",
        "Knowledge scores rose",
        Stats("t(4) = 21.68, p < .001"),
        ".",
        comparison="pre_post",
    )
    ceiling_before = finding("ceiling", "confidence", "Many scored the maximum before.")
    ceiling_after = finding("ceiling", "confidence", "Many scored the maximum after.")
    overall = finding("headline", "", "Training worked.")
    keyed = keyed_findings([rose, ceiling_before, ceiling_after, overall])
    assert [item.key for item in keyed] == [
        "knowledge/participant_test/pre_post",
        "confidence/ceiling/-",
        "confidence/ceiling/-/2",
        "evaluation/headline/-",
    ]
    assert keyed[0] == LinkableFinding(
        "knowledge/participant_test/pre_post",
        "Knowledge scores rose.",
        "t(4) = 21.68, p < .001",
        "knowledge",
        "participant_test",
    )
    assert finding_key(finding("x y", "a/b", "z")) == "a_b/x_y/-"


def test_joint_display_sets_linked_quotes_beside_each_finding(project: Project) -> None:
    rose = finding(
        "participant_test",
        "knowledge",
        "Knowledge scores rose",
        Stats("t(4) = 21.68, p < .001"),
        ".",
        comparison="pre_post",
    )
    quiet = finding("groups_quiet", "knowledge", "Groups did not differ.")
    links = {
        "knowledge/participant_test/pre_post": ["coding-3", "coding-7", "coding-unknown"],
        "knowledge/too_few/-": ["coding-1"],
    }
    display = joint_display([rose, quiet, ("own", "A sentence.", "")], links, project)
    assert len(display.rows) == 1
    row = display.rows[0]
    assert (row.sentence, row.statistic) == ("Knowledge scores rose.", "t(4) = 21.68, p < .001")
    assert [(q.coding, q.attribution) for q in row.quotes] == [
        ("coding-3", "PX7"),
        ("coding-7", "PX5"),
    ]
    assert display.unmatched == ("knowledge/too_few/-",)
    everything = joint_display([rose, quiet], links, project, include_unlinked=True)
    assert [len(r.quotes) for r in everything.rows] == [2, 0]


def test_qualitative_section_holds_method_and_outputs(project: Project) -> None:
    import datetime

    section = qualitative_section(
        project,
        study="PIMH network group",
        scope="North network group",
        approach="reflexive",
        phases=[
            PhaseEntry(3, datetime.date(2026, 3, 2), "Themes drafted."),
            PhaseEntry(1, datetime.date(2026, 2, 1), "Read twice."),
        ],
        reflexivity="  I facilitate the group.  ",
    )
    assert section.approach is Approach.REFLEXIVE
    assert (section.sources, section.speakers) == (2, 7)
    assert [p.phase for p in section.phases] == [1, 3]
    assert section.phases[0].name == "Familiarising yourself with the data"
    assert section.reflexivity == "I facilitate the group."
    assert len(section.table3) == 17
    assert section.joint.rows == ()


def test_a_theme_coded_directly_has_its_own_quotes_before_its_subthemes() -> None:
    text = "PX1: the whole thing helped\nPX1: reading in advance"
    project = Project(
        "p",
        codes=(Code("T", "Theme"), Code("S", "Sub", "T")),
        sources=(Source("s", "g", text, (Turn(0, 27, "c"), Turn(28, len(text), "c"))),),
        codings=(
            Coding("k2", "k2", "s", 33, len(text), "S", None),
            Coding("k1", "k1", "s", 5, 27, "T", None),
            Coding("k0", "k0", "s", 5, 5, "T", None),  # an empty passage is not a quote
        ),
        cases=(Case("c", "PX1"),),
    )
    groups = quotes_by_subtheme(project)
    assert [(g.name, [q.text for q in g.quotes]) for g in groups] == [
        ("Theme", ["the whole thing helped"]),
        ("Sub", ["reading in advance"]),
    ]
