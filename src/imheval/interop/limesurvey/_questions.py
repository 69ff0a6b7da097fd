"""Reading a LimeSurvey survey's questions into items: keyed, rating, open or unkeyed.

The first half of :func:`imheval.interop.limesurvey.structure.read_structure` (whose module
docstring says how questions become items): :class:`QuestionReader` reads each question,
noting what is not carried; the reader in :mod:`.structure` then assembles the instrument.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from imheval.interop.common import (
    fold,
    is_identifying,
    is_identifying_question,
    make_identifier,
    shared_scale,
)
from imheval.interop.limesurvey._kinds import (
    FIXED_OPTIONS,
    NOT_CARRIED,
    TEXT_TYPES,
    TICK_OPTIONS,
    answer_codes_of,
    row_text,
    shorten,
    signature,
)
from imheval.interop.limesurvey._scoring import (
    Keyed,
    Rating,
    Unscored,
    Verdict,
    integer_run,
    judge,
)
from imheval.interop.limesurvey._survey import (
    Answer,
    Question,
    Survey,
)
from imheval.interop.limesurvey._text import MAPPING_MARK, decode_mapping, html_to_text
from imheval.interop.model import (
    TIDY_COLUMNS,
    Omission,
)

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
#: Names an item may not take (the tidy layout's own columns).
RESERVED = {*TIDY_COLUMNS, "form", "source_row"}
#: Choice questions (lists, yes/no, arrays, multiple choice) and text displays: never
#: identifying by their text.
_CHOICE_TYPES = {
    "L",
    "!",
    "O",
    "5",
    "Y",
    "G",
    "F",
    "H",
    "A",
    "B",
    "C",
    "E",
    "1",
    "M",
    "P",
    "R",
    "X",
}
_DEFAULT_OPEN_LENGTH = 1000
_MAX_OPEN_LENGTH = 5000


@dataclass
class Domain:
    label: str
    description: str
    scored: int = 0
    id: str = ""


@dataclass
class Item:
    """An item (or open or unkeyed question) before the instrument is built."""

    kind: str  # keyed, rating, open, unkeyed
    id: str
    source: str
    text: str
    domain_key: str
    codes: dict[str, str]
    options: dict[str, str] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    points: float = 1.0
    scale_key: tuple[Any, ...] = ()
    reverse: bool = False
    max_length: int = _DEFAULT_OPEN_LENGTH


class QuestionReader:
    """The questions of a :class:`Survey` read into items (the state the reader shares)."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.file = survey.file
        self.omissions: list[Omission] = list(survey.omissions)
        self.items: list[Item] = []
        self.taken: set[str] = set()
        self.domains: dict[str, Domain] = {}
        self.scales: dict[tuple[Any, ...], str] = {}
        self.scale_titles: dict[tuple[Any, ...], list[str]] = {}
        self.code_candidates: list[str] = []
        self.identifying: list[str] = []
        self.cohort_field: str | None = None
        self.timepoint_field: str | None = None
        self.mapping: dict[str, Any] = {}
        self.shared_lists: dict[tuple[Any, ...], int] = {}
        self.keyed_lists: set[tuple[Any, ...]] = set()

    def _find_mapping(self) -> None:
        for question in self.survey.questions:
            if question.type == "X" and MAPPING_MARK in question.text:
                try:
                    self.mapping = decode_mapping(question.text) or {}
                except ValueError as error:
                    self.omissions.append(
                        Omission(
                            f"question '{question.title}'",
                            f"imheval's hidden mapping could not be read ({error}); ids were "
                            "made from LimeSurvey's codes instead",
                        )
                    )
                question.type = "imheval-mapping"
                return

    def _mapped(self, section: str, name: str) -> Any:
        table = self.mapping.get(section)
        return table.get(name) if isinstance(table, dict) else None

    def _count_shared_lists(self) -> None:
        """How many unscored questions share each whole-number option list (see _scoring), and
        the lists a keyed question uses (answer options, not a scale: see shared_scale)."""
        for question in self.survey.questions:
            if question.type in ("L", "!", "O", "F", "H"):
                answers = [a for a in question.answers if a.scale == 0]
                verdict = judge(answers)
                if isinstance(verdict, Keyed):
                    self.keyed_lists.add(signature(answers))
                elif isinstance(verdict, Unscored) and integer_run(answers):
                    shared = signature(answers)
                    weight = 2 if question.type in ("F", "H") else 1
                    self.shared_lists[shared] = self.shared_lists.get(shared, 0) + weight

    # -- one question ----------------------------------------------------------------------

    def _question(self, question: Question, domain_key: str) -> None:
        title, kind = question.title, question.type
        where = f"question '{title}'"
        if kind == "imheval-mapping":
            return
        if self._role(question):
            return
        if question.attributes.get("hidden", "").strip() == "1":
            self.omissions.append(
                Omission(where, "always hidden in LimeSurvey (people never see it); not carried")
            )
            return
        if kind in NOT_CARRIED:
            self.omissions.append(Omission(where, NOT_CARRIED[kind]))
            return
        if question.relevance.strip() not in ("", "1"):
            self.omissions.append(
                Omission(
                    where,
                    f"shown only when {shorten(question.relevance)}; imheval asks every "
                    "question (branching is not carried)",
                )
            )
        if question.qid in self.survey.conditioned:
            self.omissions.append(
                Omission(where, "has conditions (branching); imheval asks every question")
            )
        if question.other and kind not in ("M", "P"):
            self.omissions.append(
                Omission(
                    where,
                    "its 'Other' answer is not an option imheval scores: people who chose it "
                    "count as an invalid answer, and what they wrote is not carried",
                )
            )
        text = html_to_text(question.text) or title
        if kind in ("L", "!", "O"):
            if kind == "O":
                self.omissions.append(Omission(where, "its comment box is not carried"))
            answers = [a for a in question.answers if a.scale == 0]
            self._choice(title, title, text, domain_key, answers, scale_title=None)
        elif kind == "5":
            self._fixed_scale(title, title, text, domain_key, 1, 5)
        elif kind in ("Y", "G"):
            self._unkeyed(title, title, text, domain_key, dict(FIXED_OPTIONS[kind]), "")
        elif kind in ("F", "H", "A", "B", "C", "E", "1"):
            self._array(question, text, domain_key)
        elif kind in ("M", "P"):
            self._multiple(question, text, domain_key)
        elif kind in TEXT_TYPES:
            self._open(title, title, text, domain_key, question)
        elif kind == "Q":
            for sub in question.subquestions:
                self._open(
                    f"{title}[{sub.title}]",
                    f"{title}_{sub.title}",
                    row_text(text, html_to_text(sub.text) or sub.title),
                    domain_key,
                    question,
                )
        else:
            self.omissions.append(
                Omission(
                    where, f"a question of LimeSurvey type '{kind}', which imheval does not read"
                )
            )

    def _role(self, question: Question) -> bool:
        """Whether the question is the code, cohort, timepoint or identifying data (not an
        item); records it."""
        title = question.title
        name = fold(title)
        where = f"question '{title}'"
        code = self.mapping.get("code")
        if question.type in TEXT_TYPES and isinstance(code, str) and title == code:
            self.code_candidates.append(title)  # imheval's own code question
            return True
        if is_identifying(title):
            return self._identifying(question)
        timepoint = self.mapping.get("timepoint")
        if title == timepoint or (
            timepoint is None and "timepoint" in name and self.timepoint_field is None
        ):
            self.timepoint_field = title
            return True
        if name == "cohort" and self.cohort_field is None:
            self.cohort_field = title
            return True
        if name in RESERVED:
            self.omissions.append(
                Omission(
                    where,
                    f"'{title}' is one of imheval's own column names; read it as that "
                    "column, not as a question",
                )
            )
            return True
        if question.type in TEXT_TYPES and not isinstance(code, str) and "code" in name:
            self.code_candidates.append(title)
            return True
        # What the question asks ("What is your name?"), for the questions a person writes or
        # types into; never a choice question, whose text may well mention a date of birth.
        if question.type not in _CHOICE_TYPES and is_identifying_question(
            title, html_to_text(question.text)
        ):
            return self._identifying(question)
        return False

    def _identifying(self, question: Question) -> bool:
        """Record ``question`` as identifying: not carried, its columns dropped from responses."""
        title = question.title
        self.identifying.append(title)
        # A multiple short text question's boxes are columns of their own (TITLE[SQ]).
        self.identifying.extend(f"{title}[{sub.title}]" for sub in question.subquestions)
        self.omissions.append(
            Omission(
                f"question '{title}'",
                "identifies a person; not carried, and dropped from responses",
            )
        )
        return True

    def _choice(
        self,
        source: str,
        native: str,
        text: str,
        domain_key: str,
        answers: list[Answer],
        *,
        scale_title: str | None,
        in_array: bool = False,
    ) -> None:
        where = f"question '{source}'"
        parent = scale_title or source
        scale_hint = self._mapped("scales", parent) is not None
        verdict: Verdict = judge(answers, scale_hint=scale_hint)
        if isinstance(verdict, Unscored):
            run = integer_run(answers)
            listed = signature(answers)
            shared = shared_scale(
                [a.code for a in answers],
                self.shared_lists.get(listed, 0),
                scored_elsewhere=listed in self.keyed_lists,
            )
            if run is not None and (in_array or shared):
                verdict = run
        if isinstance(verdict, Keyed):
            option_map = self._option_map(parent)
            options = {
                option_map.get(a.code, a.code): html_to_text(a.text) or a.code for a in answers
            }
            codes = answer_codes_of(
                {a.code: option_map.get(a.code, a.code) for a in answers}, answers
            )
            points = float(verdict.points)
            exact = self._mapped("points", parent)
            if (
                isinstance(exact, int | float)
                and not isinstance(exact, bool)
                and exact > 0
                and max(1, round(exact)) == verdict.points
            ):
                points = float(exact)
            self._add(
                Item(
                    kind="keyed",
                    id=self._item_id(source, native),
                    source=source,
                    text=text,
                    domain_key=domain_key,
                    codes=codes,
                    options=options,
                    key=tuple(option_map.get(code, code) for code in verdict.key),
                    points=points,
                )
            )
        elif isinstance(verdict, Rating):
            self._rating(source, native, text, domain_key, verdict, parent)
        else:
            option_map = self._option_map(parent)
            options = {
                option_map.get(a.code, a.code): html_to_text(a.text) or a.code for a in answers
            }
            if len(options) < 2:
                self.omissions.append(Omission(where, f"{verdict.why}; not carried"))
                return
            codes = answer_codes_of(
                {a.code: option_map.get(a.code, a.code) for a in answers}, answers
            )
            self._unkeyed(source, native, text, domain_key, options, verdict.why, codes)

    def _rating(
        self, source: str, native: str, text: str, domain_key: str, verdict: Rating, parent: str
    ) -> None:
        mapped = self._mapped("scales", parent)
        if isinstance(mapped, str) and IDENTIFIER.match(mapped):
            scale_key: tuple[Any, ...] = (
                "mapped",
                mapped,
                verdict.low,
                verdict.high,
                verdict.labels,
            )
        else:
            scale_key = ("found", verdict.low, verdict.high, verdict.labels)
        self.scale_titles.setdefault(scale_key, []).append(parent)
        codes: dict[str, str] = {}
        for code, number in verdict.values.items():
            codes[code] = str(number)
        for number, label in verdict.labels:
            codes.setdefault(label, str(number))
        self._add(
            Item(
                kind="rating",
                id=self._item_id(source, native),
                source=source,
                text=text,
                domain_key=domain_key,
                codes=codes,
                scale_key=scale_key,
                reverse=verdict.reverse,
            )
        )

    def _fixed_scale(
        self, source: str, native: str, text: str, domain_key: str, low: int, high: int
    ) -> None:
        values = {str(n): n for n in range(low, high + 1)}
        self._rating(source, native, text, domain_key, Rating(low, high, values, False, ()), source)

    def _array(self, question: Question, text: str, domain_key: str) -> None:
        title, kind = question.title, question.type
        rows = [sub for sub in question.subquestions if sub.scale == 0]
        if not rows:
            self.omissions.append(
                Omission(f"question '{title}'", "an array with no rows; not carried")
            )
            return
        scales = [0, 1] if kind == "1" else [0]
        for sub in rows:
            joined = row_text(text, html_to_text(sub.text) or sub.title)
            for scale in scales:
                source = f"{title}[{sub.title}]" + (f"[{scale + 1}]" if kind == "1" else "")
                native = f"{title}_{sub.title}" + (f"_{scale + 1}" if kind == "1" else "")
                # imheval's own arrays hold one item per row: the row's text is the item's.
                own = self._mapped("items", source) is not None
                item_text = (html_to_text(sub.text) if own else joined) or sub.title
                if kind == "A":
                    self._fixed_scale(source, native, item_text, domain_key, 1, 5)
                elif kind == "B":
                    self._fixed_scale(source, native, item_text, domain_key, 1, 10)
                elif kind in ("C", "E"):
                    self._unkeyed(
                        source, native, item_text, domain_key, dict(FIXED_OPTIONS[kind]), ""
                    )
                else:
                    answers = [a for a in question.answers if a.scale == scale]
                    self._choice(
                        source,
                        native,
                        item_text,
                        domain_key,
                        answers,
                        scale_title=title,
                        in_array=True,
                    )

    def _multiple(self, question: Question, text: str, domain_key: str) -> None:
        title = question.title
        if question.other:
            self.omissions.append(
                Omission(f"question '{title}[other]'", "the 'Other' box's text is not carried")
            )
        if question.type == "P":
            self.omissions.append(
                Omission(f"question '{title}'", "the comments beside the boxes are not carried")
            )
        for sub in question.subquestions:
            source = f"{title}[{sub.title}]"
            codes = {"Y": "Y", "Yes": "Y", "N": "N", "No": "N"}
            self._unkeyed(
                source,
                f"{title}_{sub.title}",
                row_text(text, html_to_text(sub.text) or sub.title),
                domain_key,
                dict(TICK_OPTIONS),
                "a box of a multiple choice question (Y when ticked)",
                codes,
            )

    def _open(
        self, source: str, native: str, text: str, domain_key: str, question: Question
    ) -> None:
        limit = question.attributes.get("maximum_chars", "").strip()
        length = (
            int(limit)
            if limit.isdigit() and 0 < int(limit) <= _MAX_OPEN_LENGTH
            else _DEFAULT_OPEN_LENGTH
        )
        self._add(
            Item(
                kind="open",
                id=self._item_id(source, native),
                source=source,
                text=text,
                domain_key=domain_key,
                codes={},
                max_length=length,
            )
        )

    def _unkeyed(
        self,
        source: str,
        native: str,
        text: str,
        domain_key: str,
        options: dict[str, str],
        why: str,
        codes: dict[str, str] | None = None,
    ) -> None:
        if codes is None:
            codes = {}
            for code, label in options.items():
                codes[code] = code
                codes.setdefault(label, code)
        self._add(
            Item(
                kind="unkeyed",
                id=self._item_id(source, native),
                source=source,
                text=text,
                domain_key=domain_key,
                codes=codes,
                options=options,
            )
        )
        reason = f"{why}; " if why else ""
        self.omissions.append(
            Omission(
                f"question '{source}'",
                f"{reason}no answer key; give it with --key {source}=<code> "
                f"(codes: {', '.join(options)})",
            )
        )

    def _option_map(self, parent: str) -> dict[str, str]:
        table = self._mapped("options", parent)
        if not isinstance(table, dict):
            return {}
        return {str(k): str(v) for k, v in table.items() if isinstance(v, str) and v.strip()}

    def _item_id(self, source: str, native: str) -> str:
        mapped = self._mapped("items", source)
        folded = {t.casefold() for t in self.taken}
        if (
            isinstance(mapped, str)
            and IDENTIFIER.match(mapped)
            and mapped.casefold() not in folded
            and mapped.casefold() not in RESERVED
        ):
            self.taken.add(mapped)
            return mapped
        candidate = make_identifier(native, self.taken)
        if candidate.casefold() in RESERVED:
            self.taken.discard(candidate)
            candidate = make_identifier(native + "_q", self.taken)
        return candidate

    def _add(self, item: Item) -> None:
        self.items.append(item)
        if item.kind in ("keyed", "rating"):
            self.domains[item.domain_key].scored += 1
