"""The last privacy guards of ``convert``, whatever the system: a column the person names as the
code, cohort or timepoint field that identifies people is refused before any reader runs, and
e-mail addresses in open questions' answers are replaced and counted, never kept or quoted."""

from __future__ import annotations

import pytest

from imheval.errors import DataFormatError
from imheval.instruments import OpenItem
from imheval.interop.convert import convert
from imheval.interop.model import ResponseOptions, System
from interop.msforms_build import Asked, download, xlsx

CODES = ["AB12", "CD34", "EF56", "GH78"]
ROLES = {
    "cohort_field": "the cohort",
    "timepoint_field": "the timepoint",
    "code_field": "the self-generated code",
}
ADDRESSES = [
    "My manager is Ada Lovelace in the north team",
    "You can ask my manager at ada@example.org",
    "g.hopper+imh@nhs.example.net is my manager's address",
    "My manager is Alan Turing, who leads the service",
]


def _download() -> Asked:
    return download(
        [
            Asked("Your self-generated code", CODES),
            Asked("Cohort", ["Leeds", "Leeds", "York", "York"]),
            Asked("Which age matters most?", ["0-3", "5-11", "0-3", "0-3"], [1, 0, 1, 1]),
            Asked("Who is your manager?", ADDRESSES),
            Asked(
                "What will you do differently?",
                [
                    "Watch the still-face video; write to me at kofi@example.org about it",
                    "Talk with fathers more about their own worries and hopes",
                    "Use the case studies in team meetings every month",
                    "Ask about repair after a rupture at every visit",
                ],
            ),
        ],
        emails=["ada@example.org", "grace@example.org", "anonymous", "alan@example.org"],
        names=["Ada Lovelace", "Grace Hopper", "", "Alan Turing"],
    )  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("option", "given", "flag"),
    [
        ("cohort_field", "Email", "--cohort-field"),
        ("cohort_field", "What is your name?", "--cohort-field"),
        ("cohort_field", "token", "--cohort-field"),
        ("timepoint_field", "Name", "--timepoint-field"),
        ("code_field", "Your e-mail address:", "--code-field"),
    ],
)
def test_a_named_field_that_identifies_people_is_refused(
    option: str, given: str, flag: str
) -> None:
    source = xlsx(_download(), "forms.xlsx")
    options = ResponseOptions(timepoints={"forms.xlsx": "pre"}, **{option: given})
    with pytest.raises(DataFormatError) as caught:
        convert([source], System.MSFORMS, options=options)
    role = ROLES[option]
    assert str(caught.value) == (
        f"forms.xlsx, column '{given}': '{given}' ({flag}) identifies people, so imheval never "
        f"reads it or stores it as {role}; name the column that holds {role} instead"
    )


def test_a_code_field_with_the_word_code_is_not_refused() -> None:
    source = xlsx(_download(), "forms.xlsx")
    options = ResponseOptions(
        timepoints={"forms.xlsx": "pre"}, code_field="Your self-generated code"
    )
    conversion = convert([source], System.MSFORMS, options=options)
    assert conversion.responses is not None
    assert list(conversion.responses.frame["participant"]) == CODES
    assert list(conversion.responses.frame["cohort"]) == ["Leeds", "Leeds", "York", "York"]


def test_addresses_in_open_answers_are_replaced_and_counted() -> None:
    source = xlsx(_download(), "forms.xlsx")
    conversion = convert(
        [source], System.MSFORMS, options=ResponseOptions(timepoints={"forms.xlsx": "pre"})
    )
    responses = conversion.responses
    assert responses is not None
    questions = {q.text: q for q in conversion.structure.instrument.questions}
    manager = questions["Who is your manager?"]
    plans = questions["What will you do differently?"]
    assert isinstance(manager, OpenItem) and isinstance(plans, OpenItem)
    frame = responses.frame
    assert list(frame[manager.id]) == [
        "My manager is Ada Lovelace in the north team",
        "You can ask my manager at [e-mail address removed]",
        "[e-mail address removed] is my manager's address",
        "My manager is Alan Turing, who leads the service",
    ]
    assert frame[plans.id][0] == (
        "Watch the still-face video; write to me at [e-mail address removed] about it"
    )
    assert list(frame[plans.id][1:]) == [
        "Talk with fathers more about their own worries and hopes",
        "Use the case studies in team meetings every month",
        "Ask about repair after a rupture at every visit",
    ]
    assert (
        f"2 answers to the open question '{manager.id}' held an e-mail address; imheval "
        'replaced each address with "[e-mail address removed]"'
    ) in responses.notes
    assert (
        f"1 answer to the open question '{plans.id}' held an e-mail address; imheval "
        'replaced each address with "[e-mail address removed]"'
    ) in responses.notes
    everything = " ".join([*map(str, frame.to_numpy().ravel()), *responses.notes])
    assert "@" not in everything


def test_a_short_answered_question_holding_an_address_is_not_listed_as_options() -> None:
    built = download(
        [
            Asked("Your self-generated code", CODES),
            Asked("Who is your manager?", ["Ada", "ada@example.org", "Alan", "Ada"]),
            Asked("Which age matters most?", ["0-3", "5-11", "0-3", "0-3"], [1, 0, 1, 1]),
        ]
    )
    conversion = convert(
        [xlsx(built, "forms.xlsx")],
        System.MSFORMS,
        options=ResponseOptions(timepoints={"forms.xlsx": "pre"}),
    )
    structure = conversion.structure
    assert structure.unkeyed == ()
    assert [q.text for q in structure.instrument.questions] == ["Which age matters most?"]
    left_out = [o for o in structure.omissions if o.where == "question 'Who is your manager?'"]
    assert [o.message for o in left_out] == [
        "some of its answers hold an e-mail address, so imheval neither lists nor reads its "
        "answers: left out"
    ]
    assert "ada@example.org" not in repr(structure)
