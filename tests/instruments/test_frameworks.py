"""Competency frameworks: the built-in ones, references, and an organisation's own (YAML and
Moodle's competency framework CSV export), with the message for each way a file can be wrong."""

from __future__ import annotations

import textwrap

import pytest

from imheval.instruments.frameworks import (
    AIMH_UK,
    BUILT_IN,
    FRAMEWORKS,
    IMH_SERVICE,
    MI_AIMH,
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    FrameworkError,
    load_framework,
    load_framework_yaml,
    load_moodle_competency_csv,
    reference,
    resolve,
)
from shared_fixtures import shared_fixture

MOODLE_FIXTURE = shared_fixture("network", "competency_framework_moodle_lpimportcsv.csv")
HEADER = (
    "Parent ID number,ID number,Short name,Description,Description format,Scale values,"
    "Scale configuration,Rule type (optional),Rule outcome (optional),Rule config (optional),"
    "Cross-referenced competency ID numbers,Exported ID (optional),Is framework,Taxonomy"
)


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join((header, *rows)) + "\r\n"


def problems_of(error: pytest.ExceptionInfo[FrameworkError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


# --- Built in ---------------------------------------------------------------------------


def test_service_dimensions_are_seed_002_table_1_in_order() -> None:
    assert IMH_SERVICE.id == "imh-service-dimensions"
    assert [d.label for d in IMH_SERVICE.domains] == [
        "Concrete assistance",
        "Emotional support",
        "Developmental guidance",
        "Early relationship assessment and support",
        "Advocacy",
        "Infant-parent psychotherapy",
    ]
    assert "Weatherston" in IMH_SERVICE.source


def test_built_in_holds_all_three_and_instruments_still_name_the_two() -> None:
    assert list(BUILT_IN) == ["aimh-uk-imhcf", "mi-aimh", "imh-service-dimensions"]
    assert list(FRAMEWORKS) == ["aimh-uk-imhcf", "mi-aimh"]
    assert len(AIMH_UK.domains) == 7
    assert len(MI_AIMH.domains) == 8
    # The existing API is unchanged: a domain built with two arguments has no competencies.
    assert CompetencyDomain("x", "X").competencies == ()
    assert AIMH_UK.label("development") == "Normal and atypical development"
    assert AIMH_UK.label("nonexistent") == "nonexistent"


# --- References -------------------------------------------------------------------------

OWN = CompetencyFramework(
    id="trust",
    title="Trust framework",
    source="",
    domains=(
        CompetencyDomain("rel", "Relationships", (Competency("rel-1", "Builds trust"),)),
        CompetencyDomain("dev", "Development"),
    ),
)


def test_resolve_domain_and_competency_references() -> None:
    assert resolve(OWN, "trust:rel") == OWN.domains[0]
    assert resolve(OWN, "trust:rel:rel-1") == OWN.domains[0]
    assert resolve(OWN, " trust:dev ") == OWN.domains[1]
    assert resolve(AIMH_UK, "aimh-uk-imhcf:reflective_practice") == AIMH_UK.domains[5]


@pytest.mark.parametrize(
    "ref",
    ["mi-aimh:rel", "trust:nope", "trust:rel:rel-9", "trust:dev:rel-1", "trust", "", "a:b:c:d"],
)
def test_resolve_gives_none_for_what_the_framework_lacks(ref: str) -> None:
    assert resolve(OWN, ref) is None


def test_reference_builds_what_resolve_reads() -> None:
    assert reference(OWN, "rel") == "trust:rel"
    assert reference(OWN, "rel", "rel-1") == "trust:rel:rel-1"
    assert resolve(OWN, reference(OWN, "rel", "rel-1")) == OWN.domains[0]


# --- Moodle CSV -------------------------------------------------------------------------


def test_moodle_fixture_gives_the_eight_mi_aimh_domains() -> None:
    framework = load_moodle_competency_csv(
        MOODLE_FIXTURE.read_text(encoding="utf-8"), MOODLE_FIXTURE.name
    )
    assert framework.id == "MI-AIMH"
    assert framework.title == "MI-AIMH Competency Guidelines (domains only)"
    assert framework.source.startswith("Eight domains; detailed competencies are copyrighted")
    assert framework.domain_ids == ("TF", "LRP", "SE", "DSS", "WWO", "COM", "THI", "REF")
    assert [d.label for d in framework.domains] == [
        "Theoretical Foundations",
        "Law, Regulation & Agency Policy",
        "Systems Expertise",
        "Direct Service Skills",
        "Working with Others",
        "Communicating",
        "Thinking",
        "Reflection",
    ]
    assert all(d.competencies == () for d in framework.domains)
    assert resolve(framework, "MI-AIMH:LRP") == framework.domains[1]


def test_moodle_competencies_nest_under_their_domain_at_any_depth() -> None:
    text = csv_text(
        ",FW,My framework,About it,1,,,,,,,,1,domain",
        "FW,D1,Relationships,,1,,,,,,,,,",
        "D1,C1,Builds trust,,1,,,,,,,,,",
        "C1,C1a,Keeps appointments,,1,,,,,,,,,",
        ",D2,Development,,1,,,,,,,,,",
        "D2,C2,Knows milestones,,1,,,,,,,,,",
    )
    framework = load_moodle_competency_csv("\ufeff" + text, "fw.csv")
    assert framework.domain_ids == ("D1", "D2")
    assert framework.domains[0].competencies == (
        Competency("C1", "Builds trust"),
        Competency("C1a", "Keeps appointments"),
    )
    assert framework.domains[1].competencies == (Competency("C2", "Knows milestones"),)
    assert resolve(framework, "FW:D1:C1a") == framework.domains[0]


def test_moodle_headers_are_matched_by_name_in_any_order() -> None:
    text = "is framework,short name,id number,parent id number\n1,Mine,M,\n,Only domain,D,M\n"
    framework = load_moodle_competency_csv(text, "mine.csv")
    assert framework.id == "M"
    assert framework.domains == (CompetencyDomain("D", "Only domain"),)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            (",FW,Mine,,1,,,,,,,,,", "FW,D1,Domain,,1,,,,,,,,,"),
            "fw.csv, column 'Is framework': no row has 'Is framework' set to 1",
        ),
        (
            (",FW,Mine,,1,,,,,,,,1,", "FW,,Domain,,1,,,,,,,,,"),
            "fw.csv, row 3, column 'ID number': is blank",
        ),
        (
            (",FW,Mine,,1,,,,,,,,1,", "FW,D1,Domain,,1,,,,,,,,,", "FW,D1,Again,,1,,,,,,,,,"),
            "fw.csv, row 4, column 'ID number': 'D1' is already the ID number of row 3",
        ),
        (
            (",FW,Mine,,1,,,,,,,,1,", "FW,D1,Domain,,1,,,,,,,,,", "D9,C1,Comp,,1,,,,,,,,,"),
            "fw.csv, row 4, column 'Parent ID number': 'D9' is not the ID number of the "
            "framework or of any row",
        ),
        (
            (",FW,Mine,,1,,,,,,,,1,", "FW,D1,,,1,,,,,,,,,"),
            "fw.csv, row 3, column 'Short name': is blank",
        ),
        (
            (",FW,Mine,,1,,,,,,,,1,", ",FW2,Other,,1,,,,,,,,1,", "FW,D1,Domain,,1,,,,,,,,,"),
            "fw.csv, column 'Is framework': rows 2, 3 each say they are a framework",
        ),
        (
            (",FW,Mine,,1,,,,,,,,1,", "FW,D:1,Domain,,1,,,,,,,,,"),
            "fw.csv, row 3, column 'ID number': 'D:1' contains ':'",
        ),
        (
            (",FW,Mine,,1,,,,,,,,1,", "C2,C1,A,,1,,,,,,,,,", "C1,C2,B,,1,,,,,,,,,"),
            "fw.csv, row 3, column 'Parent ID number': 'C1' is its own ancestor",
        ),
        ((",FW,Mine,,1,,,,,,,,1,",), "fw.csv, column 'Parent ID number': no row has the"),
        (
            ("X,FW,Mine,,1,,,,,,,,1,", "FW,D1,Domain,,1,,,,,,,,,"),
            "fw.csv, row 2, column 'Parent ID number': should be blank on the framework's own",
        ),
    ],
)
def test_bad_moodle_files_name_the_row_and_column(rows: tuple[str, ...], expected: str) -> None:
    with pytest.raises(FrameworkError) as caught:
        load_moodle_competency_csv(csv_text(*rows), "fw.csv")
    assert any(message.startswith(expected) for message in problems_of(caught)), problems_of(caught)


def test_bad_moodle_file_lists_every_problem_at_once() -> None:
    text = csv_text(
        ",FW,Mine,,1,,,,,,,,1,",
        "FW,,Blank id,,1,,,,,,,,,",
        "FW,D1,,,1,,,,,,,,,",
        "NOPE,C1,Comp,,1,,,,,,,,,",
    )
    with pytest.raises(FrameworkError) as caught:
        load_moodle_competency_csv(text, "fw.csv")
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (3, "ID number"),
        (4, "Short name"),
        (5, "Parent ID number"),
    ]


def test_moodle_file_without_its_columns_is_refused() -> None:
    with pytest.raises(FrameworkError) as caught:
        load_moodle_competency_csv("id,name\n1,x\n", "other.csv")
    assert problems_of(caught)[0] == (
        "other.csv, row 1, column 'Parent ID number': has no 'Parent ID number' column; is "
        "this Moodle's competency framework export?"
    )
    assert len(caught.value.problems) == 4
    with pytest.raises(FrameworkError, match=r"empty\.csv: is empty"):
        load_moodle_competency_csv("\r\n\r\n", "empty.csv")


# --- YAML -------------------------------------------------------------------------------

GOOD_YAML = textwrap.dedent(
    """\
    format: imheval-framework/1
    id: north-cork
    title: North Cork IMH competencies
    source: Facilitators' own list, 2025
    domains:
      - id: relationships
        label: Relationship-based practice
        competencies:
          - id: rel-1
            label: Builds a working relationship with parents
          - id: rel-2
            label: Notices the baby in the room
      - id: "07"
        label: Reflective practice
    """
)


def test_yaml_framework_with_domains_and_competencies() -> None:
    framework = load_framework_yaml(GOOD_YAML, "cork.yaml")
    assert framework == CompetencyFramework(
        id="north-cork",
        title="North Cork IMH competencies",
        source="Facilitators' own list, 2025",
        domains=(
            CompetencyDomain(
                "relationships",
                "Relationship-based practice",
                (
                    Competency("rel-1", "Builds a working relationship with parents"),
                    Competency("rel-2", "Notices the baby in the room"),
                ),
            ),
            CompetencyDomain("07", "Reflective practice"),
        ),
    )
    assert load_framework(GOOD_YAML, "cork.yaml", "yaml") == framework


def test_yaml_keeps_ids_as_written() -> None:
    text = "id: f\ntitle: T\ndomains:\n  - id: 007\n    label: yes\n"
    framework = load_framework_yaml(text, "f.yaml")
    assert framework.domains == (CompetencyDomain("007", "yes"),)
    assert framework.source == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "f.yaml: is empty"),
        ("id: [unclosed\n", "f.yaml: is not valid YAML at line"),
        ("- a\n- b\n", "f.yaml: should be a set of 'name: value' lines (line 1)"),
        (
            "id: f\ntitle: T\n",
            "f.yaml, field 'domains': is missing; a framework needs at least one domain",
        ),
        ("title: T\ndomains:\n  - id: a\n    label: A\n", "f.yaml, field 'id': is missing"),
        (
            "id: f\ntitle: T\ndomains: []\n",
            "f.yaml, field 'domains': is empty; a framework needs a domain (line 3)",
        ),
        (
            "id: f\ntitle: T\ndomains:\n  - id: a\n",
            "f.yaml, field 'domains[1].label': is missing (line 4)",
        ),
        (
            "id: f\ntitle: T\ndomains:\n  - id: a\n    label: A\n  - id: a\n    label: B\n",
            "f.yaml, field 'domains[2].id': 'a' is already the id of domains[1] (line 6)",
        ),
        (
            "id: f\ntitle: T\ndomains:\n  - id: a\n    label: A\n    competencies:\n"
            "      - id: a\n        label: Same as its domain\n",
            "f.yaml, field 'domains[1].competencies[1].id': 'a' is already the id of domains[1]",
        ),
        (
            "id: f\ntitle: T\ndomains:\n  - id: a\n    lable: A\n",
            "f.yaml, field 'domains[1].lable': is not a field here; the fields are id, label, "
            "competencies (line 5)",
        ),
        (
            "id: f:g\ntitle: T\ndomains:\n  - id: a\n    label: A\n",
            "f.yaml, field 'id': 'f:g' contains ':'",
        ),
        (
            "format: imheval-instrument/1\nid: f\ntitle: T\ndomains:\n  - id: a\n    label: A\n",
            "f.yaml, field 'format': should be imheval-framework/1 (line 1)",
        ),
        (
            "id: f\ntitle:\ndomains:\n  - id: a\n    label: A\n",
            "f.yaml, field 'title': is blank (line 2)",
        ),
        (
            "id: f\ntitle: T\ndomains:\n  a: A\n",
            "f.yaml, field 'domains': should be a list",
        ),
        (
            "id: f\nid: g\ntitle: T\ndomains:\n  - id: a\n    label: A\n",
            "f.yaml, field 'id': is given twice (line 2)",
        ),
    ],
)
def test_bad_yaml_frameworks_name_the_field_and_line(text: str, expected: str) -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework_yaml(text, "f.yaml")
    assert any(message.startswith(expected) for message in problems_of(caught)), problems_of(caught)


def test_bad_yaml_lists_every_problem_at_once() -> None:
    text = "id: f\ndomains:\n  - label: A\n  - id: b\n"
    with pytest.raises(FrameworkError) as caught:
        load_framework_yaml(text, "f.yaml")
    assert [p.field for p in caught.value.problems] == [
        "title",
        "domains[1].id",
        "domains[2].label",
    ]


def test_deeply_nested_or_aliased_yaml_is_refused_without_expanding() -> None:
    with pytest.raises(FrameworkError, match="is nested too deeply"):
        load_framework_yaml("[" * 5000, "deep.yaml")
    # An alias is the node it names: reusing a domain is a repeated id, not an expansion.
    text = "id: f\ntitle: T\ndomains:\n  - &d {id: a, label: A}\n  - *d\n"
    with pytest.raises(FrameworkError, match="'a' is already the id of domains"):
        load_framework_yaml(text, "alias.yaml")


def test_load_framework_refuses_an_unknown_format() -> None:
    with pytest.raises(FrameworkError, match="'xml' is not a framework format"):
        load_framework("", "f.xml", "xml")
