"""Names replaced in a project read from another tool, every coding and turn kept on the same
words: positions after a replaced name move by the difference in length, exactly."""

from __future__ import annotations

import unicodedata

import pytest

from imheval.qualitative.model import Case, Code, Coding, Note, Project, Source, Turn
from imheval.qualitative.refi import RefiError
from imheval.qualitative.refi.names import pseudonymise_project, replace_names_keeping_positions

TEXT = (
    "Facilitator: Welcome.\n"
    "Sarah Jones: I work with Bob at St Mary's. It helped.\n"
    "Bob: Sarah's point, yes. It   helped me too.\n"
)


def _coding(guid: str, text: str, passage: str, occurrence: int = 0) -> Coding:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(passage, start + 1)
    return Coding(guid, guid, "S", start, start + len(passage), "K", "U")


def _passages(project: Project) -> dict[str, str]:
    text = project.sources[0].text
    return {coding.guid: text[coding.start : coding.end] for coding in project.codings}


def test_codings_after_replaced_names_keep_their_words() -> None:
    codings = (
        _coding("A", TEXT, "It helped."),
        _coding("B", TEXT, "point, yes"),
        _coding("C", TEXT, "I work with Bob at St Mary's"),
        _coding("D", TEXT, "It   helped me too."),
        _coding("E", TEXT, "Welcome."),
    )
    project = Project("P", sources=(Source("S", "Group", TEXT),), codings=codings)
    names = {"Sarah Jones": "PX1", "Sarah": "PX1", "Bob": "PX22", "St Mary's": "[service]"}
    done, count = pseudonymise_project(project, names)
    assert done.sources[0].text == (
        "Facilitator: Welcome.\n"
        "PX1: I work with PX22 at [service]. It helped.\n"
        "PX22: PX1's point, yes. It   helped me too.\n"
    )
    assert count == 5
    assert _passages(done) == {
        "A": "It helped.",
        "B": "point, yes",
        "C": "I work with PX22 at [service]",
        "D": "It   helped me too.",
        "E": "Welcome.",
    }


def test_a_coding_that_starts_or_ends_inside_a_name_takes_the_whole_label() -> None:
    text = "We asked Sarah  Jones about it."
    inside = Coding("A", "A", "S", text.index("rah"), text.index("Jones") + 2, "K", None)
    project = Project("P", sources=(Source("S", "G", text),), codings=(inside,))
    done, _ = pseudonymise_project(project, {"sarah jones": "PX1"})
    assert done.sources[0].text == "We asked PX1 about it."
    assert _passages(done) == {"A": "PX1"}


def test_turns_move_with_the_text_and_case_names_are_replaced() -> None:
    first = TEXT.index("Sarah Jones:")
    second = TEXT.index("Bob:")
    turns = (
        Turn(first, second - 1, "C1"),
        Turn(second, len(TEXT) - 1, "C2"),
    )
    project = Project(
        "P",
        sources=(Source("S", "Interview with Sarah", TEXT, turns=turns),),
        cases=(
            Case("C1", "Sarah Jones", {"service": "St Mary's ward"}),
            Case("C2", "Bob"),
        ),
        codes=(Code("K", "Bob's idea", description="What Bob said"),),
        notes=(Note("N", "Memo", "Sarah was late"),),
    )
    names = {"Sarah Jones": "PX1", "Sarah": "PX1", "Bob": "PX22", "St Mary's": "[service]"}
    done, _ = pseudonymise_project(project, names)
    source = done.sources[0]
    assert [source.text[t.start : t.end] for t in source.turns] == [
        "PX1: I work with PX22 at [service]. It helped.",
        "PX22: PX1's point, yes. It   helped me too.",
    ]
    assert source.name == "Interview with PX1"
    assert [(c.name, dict(c.attributes)) for c in done.cases] == [
        ("PX1", {"service": "[service] ward"}),
        ("PX22", {}),
    ]
    assert (done.codes[0].name, done.codes[0].description) == ("PX22's idea", "What PX22 said")
    assert done.notes[0].text == "PX1 was late"


def test_text_not_in_nfc_form_is_normalised_with_positions_kept() -> None:
    text = unicodedata.normalize("NFD", "José said: Zoë helped. Renée agreed.")
    coding = _coding("A", text, unicodedata.normalize("NFD", "Renée agreed."))
    project = Project("P", sources=(Source("S", "G", text),), codings=(coding,))
    done, count = pseudonymise_project(project, {"Zoë": "PX3"})
    assert count == 1
    assert done.sources[0].text == "José said: PX3 helped. Renée agreed."
    assert _passages(done) == {"A": "Renée agreed."}


def test_a_coding_that_cuts_a_letter_from_its_accent_is_refused() -> None:
    text = unicodedata.normalize("NFD", "Zoë helped")
    cut = text.index("\u0308")  # between the e and its diaeresis
    coding = Coding("A", "A", "S", 0, cut, "K", None)
    project = Project("P", sources=(Source("S", "G", text),), codings=(coding,))
    with pytest.raises(RefiError, match="between a letter and its accent"):
        pseudonymise_project(project, {"Zoë": "PX3"}, file="x.qdpx")


def test_no_names_changes_nothing_and_marks_never_clash_with_the_text() -> None:
    project = Project("P", sources=(Source("S", "G", "Sarah"),))
    assert pseudonymise_project(project, {}) == (project, 0)
    text = "\ue000 Sarah \ue001 said 0\ue000"
    replaced, count, positions = replace_names_keeping_positions(text, {"Sarah": "PX12"})
    assert (replaced, count) == ("\ue000 PX12 \ue001 said 0\ue000", 1)
    assert positions.start(len(text)) == len(replaced)
