"""Reading a data dictionary's fields into questions: keyed, rating, open or unkeyed.

The first half of :func:`imheval.interop.redcap.dictionary.read_dictionary` (whose module
docstring says what becomes what): :class:`QuestionReader` turns each field into one or more
:class:`Question` (a checkbox, one per option), noting what is not carried; the builder
in :mod:`.dictionary` then places them in domains and assembles the instrument.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NotRequired, TypedDict

from imheval.errors import InstrumentError, Problem
from imheval.instruments.model import (
    DEFAULT_OPEN_MAX_LENGTH,
    MAX_OPEN_MAX_LENGTH,
)
from imheval.interop.common import fold, make_identifier, shared_scale
from imheval.interop.model import (
    AnswerMap,
    Omission,
)
from imheval.interop.redcap._calc import references
from imheval.interop.redcap._dict_fields import (
    Field,
    Role,
)
from imheval.interop.redcap._dict_rows import DictionaryFile
from imheval.interop.redcap._dict_scoring import CalcReading, Scoring, integer_run
from imheval.interop.redcap._dict_text import action_tags, char_limit

#: Column names of imheval's tidy layout, never an item id.
RESERVED_IDS = (
    "participant",
    "cohort",
    "programme",
    "timepoint",
    "directorate",
    "profession",
    "form",
    "source_row",
)
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
#: Answers a REDCap labelled export writes for a checkbox option.
_TICKED = {"1": ("Checked", "Ticked"), "0": ("Unchecked", "Not ticked")}


@dataclass
class Question:
    """A question on its way into the instrument (or into the unkeyed list)."""

    origin: Field
    kind: Literal["keyed", "rating", "open", "unkeyed"]
    item_id: str
    text: str
    answers: AnswerMap
    option: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    key: tuple[str, ...] = ()
    points: float = 1.0
    scale: str = ""
    reverse: bool = False
    max_length: int = DEFAULT_OPEN_MAX_LENGTH
    domain: str | None = None

    @property
    def scored(self) -> bool:
        return self.kind in ("keyed", "rating")

    @property
    def source(self) -> str:
        """The name a person gives for it (--key): the field, or a checkbox option's column."""
        return self.answers.columns[0] if self.answers.columns else self.answers.source


class _Base(TypedDict):
    origin: Field
    text: str
    item_id: str
    option: NotRequired[str]


@dataclass(frozen=True)
class _Scale:
    min: int
    max: int
    labels: tuple[tuple[int, str], ...]


class QuestionReader:
    """The fields of a dictionary read into questions (the state the builder shares)."""

    def __init__(self, dictionary: DictionaryFile, fields: list[Field], calcs: CalcReading):
        self.dictionary = dictionary
        self.file = dictionary.file
        self.fields = fields
        self.calcs = calcs
        self.omissions: list[Omission] = []
        self.taken: set[str] = set(RESERVED_IDS)
        self.scales: dict[str, _Scale] = {}
        self.scale_names: dict[_Scale, str] = {}
        self.questions: list[Question] = []
        self.ours = next((f for f in fields if "INSTRUMENT" in f.tags), None)
        listed = [f for f in fields if f.role is Role.CHOICE and f.kind in ("radio", "dropdown")]
        # Questions (by their different texts: the same question asked again on another form,
        # "What was the cause of hospitalization?" each month, is not a battery) per list.
        self.shared_lists = Counter(
            signature for signature, _ in {(_list_signature(f), fold(f.text)) for f in listed}
        )
        # Lists some question of which a calc keys, or names (read or not) other than as a
        # rating: the answer options of knowledge questions, never a scale inferred from the
        # list alone.
        in_calcs = {
            ref.field for f in fields if f.kind == "calc" for ref in references(f.row.choices)
        }
        self.scored_lists = {
            _list_signature(f) for f in listed if self._keyed_or_named(f, in_calcs)
        }
        self.ranked_groups: set[str] = set()
        self.missing_groups: set[str] = set()
        self.domain_labels: dict[str, str] = {}
        self.unnamed_scales = 0

    def _keyed_or_named(self, item: Field, in_calcs: set[str]) -> bool:
        """Whether a calc keys the question, or names it without reading it as a rating."""
        scoring = self.calcs.scorings.get((item.name, None))
        if scoring is not None:
            return not scoring.rating
        return item.name.casefold() in in_calcs

    # -----------------------------------------------------------------------------------------
    # Questions

    def _new_id(self, item: Field, name: str) -> str:
        wanted = item.tags.get("ID", "")
        if IDENTIFIER.match(wanted) and wanted.casefold() not in {t.casefold() for t in self.taken}:
            self.taken.add(wanted)
            return wanted
        return make_identifier(name, self.taken)

    def _choice(self, item: Field) -> None:
        if item.kind == "checkbox":
            for code, label in item.choices:
                self._checkbox_option(item, code, label)
            return
        self._note_question(item)
        choices = item.choices
        originals = self._original_codes(item)
        options = {originals.get(code, code): label or code for code, label in choices}
        scoring = self.calcs.scorings.get((item.name, None))
        run = integer_run(choices)
        base = _Base(origin=item, text=item.text, item_id=self._new_id(item, item.name))
        if scoring is not None and scoring.key:
            key = tuple(originals.get(code, code) for code in scoring.key)
            question = self._keyed(item, options, key, scoring, base)
        elif run is not None and (
            (scoring is not None and scoring.rating)
            or item.row.matrix_group
            or "SCALE" in item.tags
            or shared_scale(
                [code for code, _ in choices],
                self.shared_lists[_list_signature(item)],
                scored_elsewhere=_list_signature(item) in self.scored_lists,
            )
        ):
            reverse = scoring.reverse if scoring is not None else False
            question = self._rating(item, run, reverse, base)
        else:
            question = self._unkeyed_question(item, options, base)
        self.questions.append(question)

    def _original_codes(self, item: Field) -> dict[str, str]:
        """imheval's own option codes that REDCap could not hold (``@IMHEVAL-CODES``)."""
        listed = item.tags.get("CODES")
        if not listed:
            return {}
        from urllib.parse import unquote

        originals = [unquote(code) for code in listed.split(",")]
        written = [code for code, _ in item.choices]
        if len(originals) != len(written) or len(set(originals)) != len(originals):
            return {}
        return dict(zip(written, originals, strict=True))

    def _answer_codes(self, item: Field, originals: Mapping[str, str]) -> dict[str, str]:
        codes: dict[str, str] = {}
        for code, _ in item.choices:
            codes[code] = originals.get(code, code)
        for code, label in item.choices:
            if label:
                codes.setdefault(label, originals.get(code, code))
        return codes

    def _keyed(
        self,
        item: Field,
        options: dict[str, str],
        key: tuple[str, ...],
        scoring: Scoring,
        base: _Base,
    ) -> Question:
        answers = AnswerMap(
            item=base["item_id"],
            source=item.name,
            codes=self._answer_codes(item, self._original_codes(item)),
        )
        problem = _key_problem(options, key)
        if problem:
            self.omissions.append(
                Omission(
                    where=f"field '{scoring.calc}'",
                    message=f"its key for '{item.name}' cannot be used ({problem})",
                )
            )
            return Question(kind="unkeyed", answers=answers, options=options, **base)
        return Question(
            kind="keyed", answers=answers, options=options, key=key, points=scoring.points, **base
        )

    def _rating(self, item: Field, run: tuple[int, int], reverse: bool, base: _Base) -> Question:
        labels = tuple(
            (int(code), label)
            for code, label in sorted(item.choices, key=lambda choice: int(choice[0]))
            if label and label != code and label != str(int(code))
        )
        scale = self._scale(item, _Scale(run[0], run[1], labels))
        codes: dict[str, str] = {}
        for code, _ in item.choices:
            codes[code] = str(int(code))
        for code, label in item.choices:
            if label:
                codes.setdefault(label, str(int(code)))
        answers = AnswerMap(item=base["item_id"], source=item.name, codes=codes)
        return Question(kind="rating", answers=answers, scale=scale, reverse=reverse, **base)

    def _scale(self, item: Field, scale: _Scale) -> str:
        wanted = item.tags.get("SCALE", "")
        if IDENTIFIER.match(wanted):
            if self.scales.get(wanted, scale) == scale:
                self.scales[wanted] = scale
                return wanted
        elif scale in self.scale_names:
            return self.scale_names[scale]
        group = item.row.matrix_group
        if group and not IDENTIFIER.match(wanted):
            name = make_identifier(group)
        else:
            self.unnamed_scales += 1
            name = f"scale_{self.unnamed_scales}"
        number = 2
        base_name = name
        while name in self.scales:
            name, number = f"{base_name}_{number}", number + 1
        self.scales[name] = scale
        self.scale_names.setdefault(scale, name)
        return name

    def _unkeyed_question(self, item: Field, options: dict[str, str], base: _Base) -> Question:
        answers = AnswerMap(
            item=base["item_id"],
            source=item.name,
            codes=self._answer_codes(item, self._original_codes(item)),
        )
        return Question(kind="unkeyed", answers=answers, options=options, **base)

    def _checkbox_option(self, item: Field, code: str, label: str) -> None:
        column = f"{item.name}___{_column_code(code)}"
        item_id = self._new_id(item, f"{item.name}___{code}")
        text = f"{item.text}: {label or code}"
        options = {"1": "Ticked", "0": "Not ticked"}
        codes = {"1": "1", "0": "0"}
        for value, words in _TICKED.items():
            for word in words:
                codes[word] = value
        answers = AnswerMap(item=item_id, source=item.name, codes=codes, columns=(column,))
        scoring = self.calcs.scorings.get((item.name, code))
        base = _Base(origin=item, text=text, item_id=item_id, option=code)
        if scoring is not None and scoring.key:
            question = Question(
                kind="keyed",
                answers=answers,
                options=options,
                key=scoring.key,
                points=scoring.points,
                **base,
            )
        else:
            question = Question(kind="unkeyed", answers=answers, options=options, **base)
        if code == item.choices[0][0]:
            self._note_question(item)
        self.questions.append(question)

    def _open(self, item: Field) -> None:
        self._note_question(item)
        item_id = self._new_id(item, item.name)
        limit = char_limit(item.row.annotation)
        max_length = (
            min(max(limit, 1), MAX_OPEN_MAX_LENGTH)
            if limit is not None
            else DEFAULT_OPEN_MAX_LENGTH
        )
        self.questions.append(
            Question(
                origin=item,
                kind="open",
                item_id=item_id,
                text=item.text,
                answers=AnswerMap(item=item_id, source=item.name),
                max_length=max_length,
            )
        )

    def _note_question(self, item: Field) -> None:
        """Omissions for what a carried question has that imheval does not carry."""
        row = item.row
        where = f"field '{item.name}'"
        if row.branching_logic:
            self.omissions.append(
                Omission(
                    where=where,
                    message=f"it is shown only when {row.branching_logic}; the condition is not "
                    "carried (imheval asks every question)",
                )
            )
        tags = [tag for tag in action_tags(row.annotation) if tag not in ("@HIDDEN-SURVEY",)]
        if tags and "ID" not in item.tags:
            self.omissions.append(
                Omission(
                    where=where,
                    message=f"its action tags {', '.join(tags)} are not carried",
                )
            )
        group = row.matrix_group
        if fold(row.matrix_ranking) == "y" and group not in self.ranked_groups:
            self.ranked_groups.add(group)
            self.omissions.append(
                Omission(
                    where=f"matrix group '{group}'",
                    message="matrix ranking (each answer used once) is not carried; each "
                    "question is read on its own",
                )
            )
        if item.missing:
            listed = ", ".join(f"{code} ({label})" for code, label in item.missing)
            codes = " or ".join(code for code, _ in item.missing)
            if group:
                if group in self.missing_groups:
                    return
                self.missing_groups.add(group)
                where = f"matrix group '{group}'"
            self.omissions.append(
                Omission(
                    where=where,
                    message=f"the missing-data codes {listed} are not options: an answer of "
                    f"{codes} is read as not one of the options (scored 'invalid')",
                )
            )
        if "\ufffd" in item.label:
            self.omissions.append(
                Omission(
                    where=where,
                    message="its label holds characters that could not be read (shown as "
                    "\ufffd); check the question text",
                )
            )

    def _apply_keys(self, keys: Mapping[str, Sequence[str]]) -> None:
        problems: list[Problem] = []
        unkeyed = [q for q in self.questions if q.kind == "unkeyed"]
        for name, given in keys.items():
            wanted = fold(name)
            question = next((q for q in unkeyed if fold(q.source) == wanted), None) or next(
                (q for q in unkeyed if fold(q.item_id) == wanted), None
            )
            if question is None:
                listed = ", ".join(f"'{q.source}'" for q in unkeyed[:20]) or "none"
                problems.append(
                    Problem(
                        file="--key",
                        message=f"'{name}' is not one of the choice questions without a key in "
                        f"{self.file}; they are: {listed}",
                    )
                )
                continue
            key: list[str] = []
            for answer in given:
                code = _option_named(question, str(answer).strip())
                if code is None:
                    options = "; ".join(f"{c} ({label})" for c, label in question.options.items())
                    problems.append(
                        Problem(
                            file="--key",
                            message=f"{name}={answer}: '{answer}' is not one of the options of "
                            f"'{question.source}', which are: {options}",
                        )
                    )
                else:
                    key.append(code)
            key = list(dict.fromkeys(key))
            if key and not _key_problem(question.options, key):
                question.kind, question.key = "keyed", tuple(key)
            elif key:
                problems.append(
                    Problem(file="--key", message=f"{name}: {_key_problem(question.options, key)}")
                )
        if problems:
            raise InstrumentError(problems)


def _option_named(question: Question, text: str) -> str | None:
    """The option code ``text`` names: a code, a REDCap raw code or label, or an option label
    (case ignored)."""
    if text in question.options:
        return text
    for code in question.options:
        if fold(code) == fold(text):
            return code
    for raw, code in question.answers.codes.items():
        if fold(raw) == fold(text) and code in question.options:
            return code
    for code, label in question.options.items():
        if fold(label) == fold(text):
            return code
    return None


def _key_problem(options: Mapping[str, str], key: Sequence[str]) -> str:
    if len(options) < 2:
        return "a question needs at least two options"
    if not key:
        return "no answer is keyed"
    if len(set(key)) >= len(options):
        return "every option is keyed correct, so the question cannot tell who knows the answer"
    return ""


def _list_signature(item: Field) -> tuple[tuple[str, str], ...]:
    return tuple((code, fold(label)) for code, label in item.choices)


def _column_code(code: str) -> str:
    """A checkbox option's code as REDCap writes it in an export column: lower case, with
    characters other than letters, digits and ``_`` written ``_``."""
    return re.sub(r"[^a-z0-9_]", "_", code.casefold())
