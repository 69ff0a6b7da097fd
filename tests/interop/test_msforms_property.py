"""Microsoft Forms: the reader on generated downloads (Hypothesis).

Each download has random questions and answers, Forms' metadata titled in a random language
(or one imheval does not know), a quiz or not, Last modified time or not, Excel or a re-saved
CSV, and maybe questions that ask who people are, titled "Email", "Name", "What is your
name?", "Your e-mail address:", "Phone number" and the like. Whatever is generated, the frame holds
exactly the generated answers of the questions that became items (keyed answers read back
through the inferred options), every quiz key is the answers that scored, and no address or
name appears anywhere in the frame, the notes or the inferred questionnaire.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imheval.instruments import KeyedItem, OpenItem, RatingItem
from imheval.interop.model import ResponseOptions
from imheval.interop.msforms.responses import read_responses
from interop.msforms_build import METADATA, Asked, csv_file, download, xlsx

LABELS = (
    "Conception to age 3",
    "Age 3 to 5",
    "Health visitor",
    "GP",
    "Attachment",
    "Still face",
    "Yes",
    "No",
    "Not sure",
    "Rupture and repair",
)
WORDS = ("Ada", "Grace", "Alan", "Mary", "Kofi", "Priya", "Sven", "Olu")
SENTENCES = (
    "I will try the still-face video with parents next week.",
    "More time on attachment and on talking with fathers, please.",
    "The case studies helped me think about my own home visits.",
    "It would help to have the slides before the session starts.",
    "Talking in small groups made it easier to ask questions.",
    "I want to learn more about repair after a rupture.",
    "The trainer's examples from practice were the best part.",
    "Please add something on working with interpreters.",
    "The day felt rushed after lunch; fewer topics would help.",
)


@dataclass
class Generated:
    kind: str  # "quiz", "rating", "open", "choice", "email", "name", "phone"
    asked: Asked
    key: frozenset[str] = frozenset()
    worth: float = 1.0


@dataclass
class Case:
    language: str
    quiz: bool
    last_modified: bool
    codes: list[str]
    generated: list[Generated]
    emails: list[str]
    names: list[str]
    as_csv: bool

    @property
    def rows(self) -> int:
        return len(self.codes)


_CODES = st.from_regex(r"[A-Z]{2}[0-9]{2}", fullmatch=True)
_KINDS = ("quiz", "rating", "open", "choice", "email", "name", "phone")
_IDENTIFYING = ("email", "name", "phone")
#: Titles of questions that ask who people are, as forms word them.
_TITLES = {
    "email": ("Email", "Your e-mail address:", "E-mail address?", "What is your email?"),
    "name": ("Name", "What is your name?", "Your full name:", "Please give your full name"),
    "phone": ("Phone number", "Your mobile number?", "Telephone", "What is your phone number?"),
}


@st.composite
def downloads(draw: st.DrawFn) -> Case:
    quiz = draw(st.booleans())
    rows = draw(st.integers(min_value=2, max_value=7))
    word = st.sampled_from(WORDS)
    kinds = draw(st.lists(st.sampled_from(_KINDS), max_size=5))
    kinds = ["choice" if kind == "quiz" and not quiz else kind for kind in kinds]
    kinds.insert(draw(st.integers(0, len(kinds))), "quiz" if quiz else "rating")
    generated = [_question(draw, kind, number, rows, quiz) for number, kind in enumerate(kinds)]
    return Case(
        language=draw(st.sampled_from(sorted(METADATA))),
        quiz=quiz,
        last_modified=draw(st.booleans()),
        codes=draw(st.lists(_CODES, min_size=rows, max_size=rows, unique=True)),
        generated=generated,
        emails=[
            draw(st.sampled_from(["anonymous", f"{draw(word).lower()}{i}@example.org"]))
            for i in range(rows)
        ],
        names=[draw(st.sampled_from(["", f"Zed {draw(word)}{i}"])) for i in range(rows)],
        as_csv=draw(st.booleans()),
    )


def _question(draw: st.DrawFn, kind: str, number: int, rows: int, quiz: bool) -> Generated:
    if kind in _TITLES:
        title = draw(st.sampled_from(_TITLES[kind]))
    else:
        title = f"{draw(st.sampled_from(LABELS))} question {number}?"
    if kind == "quiz":
        labels = draw(st.lists(st.sampled_from(LABELS), min_size=2, max_size=4, unique=True))
        keyed = st.lists(st.sampled_from(labels), min_size=1, max_size=len(labels) - 1, unique=True)
        key = frozenset(draw(keyed))
        wrong = [label for label in labels if label not in key]
        answers = [draw(st.sampled_from(sorted(key))), draw(st.sampled_from(wrong))]
        answers += [draw(st.sampled_from([*labels, ""])) for _ in range(rows - 2)]
        worth = draw(st.sampled_from([1.0, 2.0, 10.0, 0.5]))
        points = [None if not a else (worth if a in key else 0.0) for a in answers]
        return Generated(kind, Asked(title, answers, points), key, worth)
    if kind == "rating":
        low = draw(st.integers(1, 4))
        more = st.sampled_from(["", "1", "2", "3", "4", "5"])
        answers = [str(low), str(low + 1)] + [draw(more) for _ in range(rows - 2)]
    elif kind == "open":
        answers = draw(
            st.lists(st.sampled_from(SENTENCES), min_size=rows, max_size=rows, unique=True)
        )
    elif kind == "choice":
        answers = [draw(st.sampled_from(LABELS[:4])) for _ in range(rows)]
        return Generated(kind, Asked(title, answers, [0.0] * rows if quiz else None))
    elif kind == "email":
        answers = [f"{draw(st.sampled_from(WORDS)).lower()}.q{i}@example.net" for i in range(rows)]
    elif kind == "phone":
        answers = [f"07700 900{i:03d}" for i in range(rows)]
    else:
        answers = [f"Zed {draw(st.sampled_from(WORDS))} Q{i}" for i in range(rows)]
    return Generated(kind, Asked(title, answers, companions=quiz))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(downloads())
def test_generated_downloads_give_exactly_their_answers_and_no_identity(case: Case) -> None:
    code = Asked("Your self-generated code", case.codes, companions=case.quiz)
    generated, rows, codes = case.generated, case.rows, case.codes
    built = download(
        [code, *(g.asked for g in generated)],
        language=case.language,
        quiz=case.quiz,
        last_modified=case.last_modified,
        emails=case.emails,
        names=case.names,
    )
    source = csv_file(built, "forms.csv") if case.as_csv else xlsx(built, "forms.xlsx")
    conversion = read_responses([source], None, ResponseOptions(timepoints={source.name: "post"}))
    responses = conversion.responses
    assert responses is not None
    structure = conversion.structure
    instrument = structure.instrument
    frame = responses.frame
    assert list(frame["participant"]) == codes
    assert set(frame["timepoint"]) == {"post"}
    assert responses.origins == tuple((source.name, row) for row in range(2, rows + 2))
    questions = {q.id: q for q in instrument.questions}
    expected_items = []
    for number, g in enumerate(generated, start=2):
        item = f"q{number}"
        answers = [a.strip() for a in g.asked.answers]
        seen = {a for a in answers if a}
        if g.kind == "quiz":
            question = questions[item]
            assert isinstance(question, KeyedItem)
            assert set(question.options.values()) == seen
            assert {question.options[c] for c in question.key} == g.key & seen
            assert question.points == g.worth
            assert [question.options.get(v, "") for v in frame[item]] == answers
        elif g.kind == "rating":
            question = questions[item]
            assert isinstance(question, RatingItem)
            scale = instrument.scales[question.scale]
            values = sorted(int(a) for a in seen)
            assert (scale.min, scale.max) == (values[0], values[-1])
            assert list(frame[item]) == answers
        elif g.kind == "open" and rows >= 3:
            assert isinstance(questions[item], OpenItem)
            assert list(frame[item]) == list(g.asked.answers)
        elif g.kind in _IDENTIFYING:
            assert item not in frame.columns
            continue
        else:  # a choice nothing scores (or too little free text to tell it from one)
            assert item not in frame.columns
            if len(seen) >= 2:
                assert any(u.item == item for u in structure.unkeyed)
            continue
        expected_items.append(item)
    assert list(frame.columns[6:]) == expected_items
    block = METADATA[case.language]
    dropped = [block[3], block[4]]
    for g in generated:
        if g.kind in _IDENTIFYING:
            dropped.append(g.asked.title + (" (a question)" if g.asked.title in dropped else ""))
    assert responses.dropped == tuple(dict.fromkeys(dropped))
    secrets = [e for e in case.emails if "@" in e] + [n for n in case.names if n]
    secrets += [a for g in generated if g.kind in _IDENTIFYING for a in g.asked.answers]
    everything = " | ".join(
        [str(v) for v in frame.to_numpy().ravel()]
        + list(responses.notes)
        + [str(o) for o in (*responses.left_out, *structure.omissions)]
        + [instrument.model_dump_json()]
        + [repr(u) for u in structure.unkeyed]
    )
    assert not [secret for secret in secrets if secret in everything]
    assert not any("Total points" in note for note in responses.notes)
