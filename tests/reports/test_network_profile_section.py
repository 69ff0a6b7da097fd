"""The member profile as a report part: Table 2's layout, "hidden" cells, notes and the flag."""

from __future__ import annotations

from imheval.instruments.profile import get_builtin_profile
from imheval.network.profile import profile_table
from imheval.reports.html import render_html
from imheval.reports.model import Callout, Number, Report, Table
from imheval.reports.sections.network_profile import network_profile_section

PROFILE = get_builtin_profile("imh-network-profile")


def _answers() -> list[dict[str, object]]:
    answers: list[dict[str, object]] = []
    for index in range(12):
        answers.append(
            {
                "own_children": "yes" if index < 6 else "no",
                "years_in_service": 2.0 if index % 2 else 4.0,
                "experience_ages": ["age_0_3", "age_4_6"] if index < 7 else ["age_0_3"],
                "discipline": "psychology" if index < 10 else "nursing",
            }
        )
    return answers


def _rows(table: Table) -> dict[str, tuple[str, ...]]:
    """Each row's cells by its label; the first row of a label ("Yes" is in several questions)."""
    rows: dict[str, tuple[str, ...]] = {}
    for row in table.rows:
        rows.setdefault(row[0], row[1:])
    return rows


def test_the_section_lays_out_table_2_with_counts_shares_and_means() -> None:
    section = network_profile_section(profile_table(PROFILE, _answers()))
    assert (section.id, section.title, section.kirkpatrick_level) == (
        "network-profile",
        "Who the members are",
        None,
    )
    (table,) = section.tables()
    assert table.caption == "Who the members are (12 people answered)"
    assert table.header == ("Question and answer", "People (n)", "Share (%)", "Mean (range)")
    rows = _rows(table)
    at = [row[0] for row in table.rows].index("Own children")
    assert table.rows[at : at + 4] == (
        ("Own children", "12", "", ""),
        ("Yes", "6", "50%", ""),
        ("No", "6", "50%", ""),
        ("Prefer not to say", "0", "0%", ""),
    )
    # Nobody answered gender: zeros, and a dash for a share of nobody.
    assert rows["Gender"] == ("0", "", "")
    assert rows["Woman"] == ("0", "–", "")
    # Ends shared by 6 people each: the range is shown.
    assert rows["Years working in your current service"] == ("12", "", "3.00 (2 to 4)")
    assert rows["Experience with children and young people (tick all that apply)"][0] == "12"
    assert rows["0 to 3 years"] == ("12", "100%", "")
    assert rows["4 to 6 years"] == ("7", "58%", "")
    # 10 psychology and 2 nursing: the 2 is hidden, and then the 10 (12 - 10 would give it).
    assert rows["Psychology"] == ("hidden", "hidden", "")
    assert rows["Nursing"] == ("hidden", "hidden", "")
    assert isinstance(table.rows[1][1], Number)
    assert table.suppressed_note is not None and "fewer than 5 people" in table.suppressed_note
    assert any(note.startswith("Discipline: 1 category is hidden") for note in table.notes)
    assert not any(isinstance(block, Callout) for block in section.blocks)


def test_a_range_of_single_people_reads_range_hidden_and_a_flag_becomes_a_warning() -> None:
    answers = [{"years_in_service": float(y), "discipline": "psychology"} for y in range(2, 9)]
    answers[0]["discipline"] = ["psychology", "nursing"]
    section = network_profile_section(profile_table(PROFILE, answers))
    (table,) = section.tables()
    rows = _rows(table)
    assert rows["Years working in your current service"] == ("7", "", "5.00 (range hidden)")
    (warning,) = [block for block in section.blocks if isinstance(block, Callout)]
    assert warning.kind == "warning"
    assert warning.text.startswith("Discipline: the counts add up to more than")


def test_the_section_renders_in_a_report() -> None:
    section = network_profile_section(profile_table(PROFILE, _answers()))
    html = render_html(Report("Group", "Profile", "2026-12-07T10:00:00", (section,)))
    assert "Who the members are (12 people answered)" in html
    assert "hidden" in html
