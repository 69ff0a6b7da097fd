"""The anonymous code recipe: one place for the questions, the reminder and the checks."""

from __future__ import annotations

import pytest

from imheval.io.table import normalise_code
from imheval.web.capture.codes import (
    CODE_EXAMPLE,
    CODE_PARTS,
    CODE_RECIPE,
    DIRECTORATES,
    PROFESSIONS,
    check_part,
    fold,
)
from imheval.web.capture.forms import CodeForm


def test_recipe_example_and_reminder_come_from_the_same_parts() -> None:
    assert [part.name for part in CODE_PARTS] == ["mother", "day", "town"]
    assert CODE_EXAMPLE == "MA07BE"
    assert CODE_RECIPE == (
        "the first 2 letters of your mother's first name, then the day of the month you were "
        "born, as 2 digits, then the first 2 letters of the town where you were born"
    )


def test_fold_drops_accents_spaces_and_hyphens_like_normalise_code() -> None:
    assert fold(" ma-07 bé ") == "MA07BE"
    assert fold("Ó") == "O"
    assert fold("ab 12k") == normalise_code("ab 12k") == "AB12K"


@pytest.mark.parametrize(("value", "expected"), [("ma", "MA"), (" M a", "MA"), ("Ér", "ER")])
def test_letter_parts_accept_two_letters(value: str, expected: str) -> None:
    assert check_part(CODE_PARTS[0], value) == expected


@pytest.mark.parametrize("value", ["M", "MAR", "M1", "12", "ßa"])
def test_letter_parts_refuse_other_shapes(value: str) -> None:
    with pytest.raises(ValueError, match="Enter 2 letters for your mother's first name"):
        check_part(CODE_PARTS[0], value)


@pytest.mark.parametrize("value", ["7", "007", "00", "32", "ab"])
def test_day_must_be_two_digits_from_01_to_31(value: str) -> None:
    with pytest.raises(ValueError, match="as 2 digits from 01 to 31"):
        check_part(CODE_PARTS[1], value)


def test_day_accepts_01_and_31() -> None:
    assert check_part(CODE_PARTS[1], "01") == "01"
    assert check_part(CODE_PARTS[1], "31") == "31"


def test_code_form_gives_the_normalised_code_when_both_typings_match() -> None:
    form = CodeForm({"mother": "ma", "day": "07", "town": "be", "confirm": "Ma07bE"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["code"] == "MA07BE"


def test_code_form_reports_every_wrong_part_at_once() -> None:
    form = CodeForm({"mother": "", "day": "99", "town": "B", "confirm": ""})
    assert not form.is_valid()
    assert [anchor for anchor, _ in form.error_list()] == [
        "id_mother",
        "id_day",
        "id_town",
        "id_confirm",
    ]


def test_profession_and_directorate_lists_are_fixed() -> None:
    assert PROFESSIONS[0] == "Health visitor" and PROFESSIONS[-1] == "Other"
    assert len(PROFESSIONS) == 12
    assert DIRECTORATES == (
        "Adult Services",
        "Children's Services",
        "Maternity",
        "Primary care",
        "Mental health",
        "Other",
    )
