"""The anonymous code recipe, and the fixed lists of professions and directorates.

A participant makes their code from answers only they know (:data:`CODE_PARTS`, in order), so
the same person makes the same code before the training, at its end and at follow-up, and their
answers can be linked without anyone knowing who they are. The recipe lives here once: the code
page's questions, the reminder shown at post-test and follow-up, and the checks all read it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from imheval.io.table import normalise_code


@dataclass(frozen=True, slots=True)
class CodePart:
    """One part of the code: a question, its hint, and the shape its answer must have."""

    name: str
    label: str
    hint: str
    phrase: str  # the part in one phrase, for the recipe reminder
    kind: Literal["letters", "digits"]
    length: int
    example: str
    missing: str
    invalid: str


#: The recipe, in the order the parts make the code (for example MA + 07 + BE = MA07BE).
CODE_PARTS: tuple[CodePart, ...] = (
    CodePart(
        name="mother",
        label="The first 2 letters of your mother's first name",
        hint="For example, Mary gives MA. If you do not know it, type XX.",
        phrase="the first 2 letters of your mother's first name",
        kind="letters",
        length=2,
        example="MA",
        missing="Enter the first 2 letters of your mother's first name",
        invalid="Enter 2 letters for your mother's first name, for example MA",
    ),
    CodePart(
        name="day",
        label="The day of the month you were born, as 2 digits",
        hint="For example, if you were born on 7 March, type 07.",
        phrase="the day of the month you were born, as 2 digits",
        kind="digits",
        length=2,
        example="07",
        missing="Enter the day of the month you were born, as 2 digits",
        invalid="Enter the day you were born as 2 digits from 01 to 31, for example 07",
    ),
    CodePart(
        name="town",
        label="The first 2 letters of the town where you were born",
        hint="For example, Belfast gives BE. If you do not know it, type XX.",
        phrase="the first 2 letters of the town where you were born",
        kind="letters",
        length=2,
        example="BE",
        missing="Enter the first 2 letters of the town where you were born",
        invalid="Enter 2 letters for the town where you were born, for example BE",
    ),
)

#: An example whole code, made from the parts' examples.
CODE_EXAMPLE = "".join(part.example for part in CODE_PARTS)

#: The recipe in one phrase, for the reminder at post-test and follow-up.
CODE_RECIPE = ", then ".join(part.phrase for part in CODE_PARTS)

CODE_LENGTH = sum(part.length for part in CODE_PARTS)

#: Professions a participant chooses from (asked at every questionnaire).
PROFESSIONS: tuple[str, ...] = (
    "Health visitor",
    "Midwife",
    "Social worker",
    "Mental health nurse",
    "Nurse (other)",
    "GP",
    "Family support worker",
    "Children's centre staff",
    "Psychologist",
    "Occupational therapist",
    "Addictions worker",
    "Other",
)

#: Directorates (the service a participant works in), asked with the profession.
DIRECTORATES: tuple[str, ...] = (
    "Adult Services",
    "Children's Services",
    "Maternity",
    "Primary care",
    "Mental health",
    "Other",
)

#: The alphabet of a code imported from a file (upper case, spaces already dropped): letters A-Z
#: and digits, with hyphens or underscores between them (MA07BE, AD-14-K, P_001). Nothing else,
#: so a code can never start like a spreadsheet formula (=, +, -, @) or hold control characters.
IMPORTED_CODE = re.compile(r"[A-Z0-9]+(?:[-_][A-Z0-9]+)*")
IMPORTED_CODE_RULE = (
    "a code is letters A to Z and digits 0 to 9, with hyphens or underscores only between them "
    f"(for example {CODE_EXAMPLE} or AD-14-K)"
)

_LETTERS = re.compile(r"[A-Z]+")
_DIGITS = re.compile(r"[0-9]+")


def fold(text: str) -> str:
    """``text`` as a code is compared: accents dropped (É is E), no spaces or hyphens, upper case.

    Uses :func:`imheval.io.table.normalise_code`, so a code made here matches codes read from
    spreadsheets and paper forms.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return normalise_code(plain.replace("-", ""))


def check_part(part: CodePart, value: str) -> str:
    """The folded answer to one part; raises ValueError with the part's message if it is wrong."""
    answer = fold(value)
    if not answer:
        raise ValueError(part.missing)
    pattern = _LETTERS if part.kind == "letters" else _DIGITS
    if len(answer) != part.length or not pattern.fullmatch(answer):
        raise ValueError(part.invalid)
    if part.kind == "digits" and not 1 <= int(answer) <= 31:
        raise ValueError(part.invalid)
    return answer


#: A day typed as a number, perhaps with its ordinal ending: 7, 07, 7th, 21st.
_DAY_TYPED = re.compile(r"([0-9]{1,2})(?:ST|ND|RD|TH)?")
#: Marks inside names and place names that are not letters: O'Neill, St. Albans.
_NAME_MARKS = str.maketrans("", "", "'\u2018\u2019`.")


def normalise_part(part: CodePart, value: str) -> str:
    """One part made from what a person types on the questionnaire's code page.

    More forgiving than :func:`check_part` (which paper keying uses on the boxes of a code): a
    whole name gives its first letters (Newry gives NE, O'Neill gives ON, St. Albans gives ST),
    and a day may have one digit or an ordinal ending (7 and 7th give 07). Digits in a name, a
    day out of 1 to 31 or a single letter still raise ValueError with the part's message.
    """
    answer = fold(value).translate(_NAME_MARKS)
    if part.kind == "letters":
        if len(answer) > part.length and _LETTERS.fullmatch(answer):
            answer = answer[: part.length]
    elif typed_day := _DAY_TYPED.fullmatch(answer):
        answer = typed_day.group(1).zfill(part.length)
    return check_part(part, answer)
