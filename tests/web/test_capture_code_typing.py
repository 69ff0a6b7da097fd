"""The code page takes what people type and makes the code as the recipe wants, showing it
before they carry on (issue 12, item 5)."""

from __future__ import annotations

from typing import Any

import pytest
from test_capture_journey import Participant, text

from imheval.web.capture.codes import CODE_PARTS, CodePart, check_part, normalise_part
from imheval.web.capture.forms import CodeForm

MOTHER, DAY, TOWN = CODE_PARTS


@pytest.fixture
def person(workspace: Any) -> Participant:
    return Participant(workspace.pre)


@pytest.mark.parametrize(
    ("part", "typed", "made"),
    [
        (TOWN, "Newry", "NE"),
        (TOWN, "newry", "NE"),
        (TOWN, "St. Albans", "ST"),
        (MOTHER, "O'Neill", "ON"),
        (MOTHER, "Mary-Ann", "MA"),
        (MOTHER, "Zoë", "ZO"),
        (MOTHER, "ma", "MA"),
        (DAY, "7", "07"),
        (DAY, " 7 ", "07"),
        (DAY, "7th", "07"),
        (DAY, "21st", "21"),
        (DAY, "31", "31"),
        (DAY, "07", "07"),
    ],
)
def test_parts_are_made_from_what_people_type(part: CodePart, typed: str, made: str) -> None:
    assert normalise_part(part, typed) == made


@pytest.mark.parametrize(
    ("part", "typed", "message"),
    [
        (TOWN, "", "Enter the first 2 letters of the town where you were born"),
        (TOWN, "N", "Enter 2 letters for the town where you were born"),
        (TOWN, "Newry2", "Enter 2 letters for the town where you were born"),
        (DAY, "0", "as 2 digits from 01 to 31"),
        (DAY, "32", "as 2 digits from 01 to 31"),
        (DAY, "007", "as 2 digits from 01 to 31"),
        (DAY, "seven", "as 2 digits from 01 to 31"),
    ],
)
def test_parts_that_cannot_be_made_still_say_what_is_wrong(
    part: CodePart, typed: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        normalise_part(part, typed)


def test_paper_keying_keeps_the_strict_check_on_each_box() -> None:
    with pytest.raises(ValueError):
        check_part(TOWN, "NEW")
    with pytest.raises(ValueError):
        check_part(DAY, "7")


def test_a_code_typed_again_as_made_carries_on() -> None:
    form = CodeForm({"mother": "Mary", "day": "7", "town": "Newry", "confirm": "ma07ne"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["code"] == "MA07NE"


def test_the_page_shows_the_code_made_and_the_parts_as_made_before_carrying_on(
    person: Participant,
) -> None:
    person.consent()
    response = person.make_code("Mary", "7", "Newry", confirm="")
    assert response.status_code == 200
    page = text(response)
    assert 'Your answers make the code <strong class="imheval-code">MA07NE</strong>.' in page
    assert '<a href="#id_confirm">Type your whole code again: your answers make MA07NE</a>' in page
    for name, value in (("mother", "MA"), ("day", "07"), ("town", "NE")):
        assert f'id="id_{name}" name="{name}" type="text" value="{value}"' in page
    assert 'id="id_confirm" name="confirm" type="text" value=""' in page
    assert person.draft().code == ""
    # Typing the code shown carries on, with the code as made.
    response = person.make_code("MA", "07", "NE", confirm="MA07NE")
    assert response.status_code == 302 and response.url == person.url("about_you")
    assert person.draft().code == "MA07NE"


def test_a_code_typed_again_as_first_typed_is_refused_with_the_code_made(
    person: Participant,
) -> None:
    person.consent()
    response = person.make_code("ma", "7", "be", confirm="ma7be")
    page = text(response)
    assert (
        "The code you typed again does not match your answers above, which make MA07BE: "
        "check both" in page
    )
    assert 'id="made-code"' in page
    assert person.draft().code == ""


def test_no_code_is_shown_while_a_part_is_wrong(person: Participant) -> None:
    person.consent()
    page = text(person.make_code("M", "7", "Newry", confirm=""))
    assert 'id="made-code"' not in page
    assert '<a href="#id_confirm">Type your whole code again</a>' in page
