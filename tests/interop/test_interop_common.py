"""The helpers every interop reader shares (imheval.interop.common)."""

from __future__ import annotations

import pytest

from imheval.errors import DataFormatError
from imheval.interop.common import (
    is_identifying,
    is_identifying_question,
    make_identifier,
    read_csv_rows,
    shared_scale,
    timepoint_word,
    without_emails,
)
from imheval.interop.model import SourceFile


@pytest.mark.parametrize(
    "name",
    [
        "Email",
        "e-mail",
        "ipaddr",
        "First name",
        "token",
        "demo_last_name",
        "next_of_kin_contact_address",
        "patient_mrn",
        "What is your name?",
        "NHS number",
    ],
)
def test_identifying_names(name: str) -> None:
    assert is_identifying(name)


@pytest.mark.parametrize(
    "name", ["cohort_name", "team name", "own_code", "k1", "participant code", "profession", ""]
)
def test_names_that_do_not_identify(name: str) -> None:
    assert not is_identifying(name)


@pytest.mark.parametrize(
    ("name", "text", "identifying"),
    [
        ("q1", "What is your name?", True),
        ("q2", "What is your e-mail address?", True),
        ("ptname", "Name", True),
        ("q3", "Your date of birth (dd/mm/yyyy)", True),
        ("q4", "Phone number:", True),
        ("code", "Your code: the first two letters of your mother's first name", False),
        ("k1", "The period of most rapid brain growth is", False),
        ("s1", "I feel confident asking a parent about their baby's name for things", False),
    ],
)
def test_identifying_questions_by_what_they_ask(name: str, text: str, identifying: bool) -> None:
    assert is_identifying_question(name, text) is identifying


def test_e_mail_addresses_are_removed_and_the_rest_kept() -> None:
    assert without_emails("write to a.b+x@nhs.net or c@d.org.uk, thanks") == (
        "write to [e-mail address removed] or [e-mail address removed], thanks"
    )
    assert without_emails("no address here @ all") == "no address here @ all"


@pytest.mark.parametrize(
    ("codes", "questions", "scored", "scale"),
    [
        (["1", "2", "3", "4", "5"], 4, False, True),
        (["0", "1", "2", "3"], 2, False, True),
        (["5", "4", "3", "2", "1"], 2, False, True),
        (["1", "2", "3"], 1, False, False),  # one question is not a battery
        (["1", "2"], 5, False, False),  # yes/no is never a scale
        (["1", "2", "3"], 6, True, False),  # knowledge options a calculation scores
        (["1", "2", "4"], 3, False, False),  # not consecutive
        (["a", "b", "c"], 3, False, False),
        ([str(v) for v in range(12)], 3, False, False),  # 12 points: not a rating
        (["01", "2", "3"], 3, False, False),
    ],
)
def test_one_rule_for_when_an_unscored_list_is_a_scale(
    codes: list[str], questions: int, scored: bool, scale: bool
) -> None:
    assert shared_scale(codes, questions, scored_elsewhere=scored) is scale


def test_ids_from_other_systems_names_are_valid_unique_and_stable() -> None:
    taken: set[str] = set()
    made = [make_identifier(n, taken) for n in ("SE[SQ001]", "/44261-6", "1.1", "SE_SQ001")]
    assert made == ["SE_SQ001", "q44261-6", "q1.1", "SE_SQ001_2"]


def test_timepoint_words() -> None:
    assert [timepoint_word(w) for w in ("Pre", "follow-up", "baseline", "After", "mid")] == [
        "pre",
        "followup",
        "pre",
        "post",
        None,
    ]


def test_csv_rows_keep_spreadsheet_row_numbers_whatever_the_line_endings() -> None:
    for ending in ("\n", "\r\n", "\r"):
        text = ending.join(["a,b", '1,"two', 'lines"', "", "3,4", ""])
        rows = read_csv_rows(SourceFile("x.csv", text.encode("utf-8-sig")))
        assert rows.header == ("a", "b")
        assert rows.rows == ((2, ("1", "two" + ending + "lines")), (4, ("3", "4")))


def test_a_utf16_csv_is_read_not_called_binary() -> None:
    rows = read_csv_rows(SourceFile("u.csv", "a,b\n1,é\n".encode("utf-16")))
    assert rows.rows == ((2, ("1", "é")),)


def test_an_unclosed_quote_names_the_row_and_says_what_it_probably_is() -> None:
    data = ('a,b\n1,2\n3,"' + "x" * (17 * 1024 * 1024)).encode()
    with pytest.raises(DataFormatError) as caught:
        read_csv_rows(SourceFile("x.csv", data))
    (problem,) = caught.value.problems
    assert (problem.file, problem.row) == ("x.csv", 3)
    assert "a quote mark that is never closed" in problem.message


def test_a_row_wider_than_its_header_is_named() -> None:
    with pytest.raises(DataFormatError) as caught:
        read_csv_rows(SourceFile("x.csv", b"a,b\n1,2\n1,2,3\n"))
    assert str(caught.value) == "x.csv, row 3: this row has 3 cells but the header has 2"
