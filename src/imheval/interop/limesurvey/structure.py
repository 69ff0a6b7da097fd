"""Reading a LimeSurvey survey structure (.lss) into an instrument.

Accepted: a survey structure ``.lss`` from any LimeSurvey generation (old DBVersion ~177, 2.5x
~258, and 4-6 with ``*_l10ns`` tables); a question-group export ``.lsg``, read as a survey of
that one group; and LimeSurvey's tab-separated structure export (``.txt``). Refused, with a
message naming the file and what to export instead: a survey archive (``.lsa``), a response
export given as the structure, XML that is not a LimeSurvey structure, a damaged or cut-short
file, and any file declaring a DOCTYPE or ENTITY (never expanded).

How questions become items (see :mod:`._scoring` for the scoring rule):

- groups suggest the domains (id from the group name, lower case; groups of the same name are
  one domain); a domain no scored item falls in is dropped, its open questions kept without one;
- list questions (``L`` radio, ``!`` dropdown, ``O`` with comment) are keyed or rating items by
  their assessment values, or listed as unkeyed (with ``--key``); ``5`` (five-point choice) is a
  1..5 scale; ``Y`` (yes/no) and ``G`` (gender) have no assessment values and are listed as
  unkeyed;
- arrays (``F``, ``H``; ``A`` 1..5, ``B`` 1..10; ``1`` dual scale) give one item per
  subquestion (per scale for a dual scale), id ``TITLE_SQ``, source ``TITLE[SQ]``
  (``TITLE[SQ][1]`` for a dual scale); ``C`` and ``E`` arrays and multiple choice (``M``,
  ``P``: one item per box, ``Y`` ticked) are listed as unkeyed;
- free text (``T`` long, ``S`` short, ``U`` huge, and each box of ``Q`` multiple short text) are
  open questions, except the self-generated code (the one text question whose code contains
  "code"), the cohort and the timepoint question, and questions that identify a person by
  their code or by what their text asks ("What is your name?");
- everything else (numbers, dates, ranking, uploads, equations, text display, hidden questions)
  is listed as not carried, as are branching (relevance equations, conditions), "Other" answers,
  comments and the survey's other languages. Question texts are read without their HTML.

A survey written by :func:`imheval.interop.limesurvey.export.write_lss` carries a hidden text
display question holding imheval's names (:mod:`._text`); with it, the ids, option codes, scale
and domain ids, and the instrument's id and version read back exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from imheval.errors import InstrumentError, Problem
from imheval.instruments import Instrument
from imheval.interop.common import (
    fold,
    is_identifying,
    is_identifying_question,
    make_identifier,
    shared_scale,
)
from imheval.interop.limesurvey._kinds import (
    ARRAY_TYPES,
    FIXED_OPTIONS,
    NOT_CARRIED,
    TEXT_TYPES,
    TICK_OPTIONS,
    answer_codes_of,
    levels_named,
    names_listed,
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
    load_survey,
)
from imheval.interop.limesurvey._text import MAPPING_MARK, decode_mapping, html_to_text
from imheval.interop.model import (
    TIDY_COLUMNS,
    AnswerMap,
    InstrumentImport,
    KeysNeededError,
    Omission,
    PendingImport,
    SourceFile,
    System,
    UnkeyedQuestion,
)

__all__ = ["read_structure"]

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
#: Names an item may not take (the tidy layout's own columns).
_RESERVED = {*TIDY_COLUMNS, "form", "source_row"}
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


def read_structure(source: SourceFile) -> InstrumentImport:
    """The instrument a LimeSurvey .lss (or .lsg, or tab-separated structure export) describes.

    Raises :class:`~imheval.errors.InstrumentError` naming the file (and the XML element or
    row) when the file is not a LimeSurvey structure, is damaged, declares a DOCTYPE or ENTITY,
    or holds nothing imheval can score; :class:`~imheval.interop.model.KeysNeededError` (with
    what was read) when its only choice questions have no assessment values, so that answer
    keys (:func:`imheval.interop.convert.apply_keys`) can finish the import.
    """
    return _Reader(load_survey(source)).run()


@dataclass
class _Domain:
    label: str
    description: str
    scored: int = 0
    id: str = ""


@dataclass
class _Item:
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


class _Reader:
    """Turns a :class:`Survey` into an :class:`InstrumentImport`."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.file = survey.file
        self.omissions: list[Omission] = list(survey.omissions)
        self.items: list[_Item] = []
        self.taken: set[str] = set()
        self.domains: dict[str, _Domain] = {}
        self.scales: dict[tuple[Any, ...], str] = {}
        self.scale_titles: dict[tuple[Any, ...], list[str]] = {}
        self.code_candidates: list[str] = []
        self.identifying: list[str] = []
        self.cohort_field: str | None = None
        self.timepoint_field: str | None = None
        self.mapping: dict[str, Any] = {}
        self.shared_lists: dict[tuple[Any, ...], int] = {}
        self.keyed_lists: set[tuple[Any, ...]] = set()

    # -- the whole survey ------------------------------------------------------------------

    def run(self) -> InstrumentImport:
        survey = self.survey
        self._find_mapping()
        if survey.kind == "Group":
            self.omissions.append(
                Omission(
                    self.file,
                    "a question-group export (.lsg): read as a survey of that one group",
                )
            )
        others = [language for language in survey.languages if language != survey.base_language]
        if others:
            self.omissions.append(
                Omission(
                    "languages",
                    f"only the base language ({survey.base_language}) is read; the texts in "
                    f"{', '.join(others)} are not carried",
                )
            )
        groups = {group.gid: group for group in survey.groups}
        for group in survey.groups:
            label = html_to_text(group.name) or f"Group {group.order}"
            self.domains.setdefault(fold(label), _Domain(label, html_to_text(group.description)))
            if group.relevance.strip() not in ("", "1"):
                self.omissions.append(
                    Omission(
                        f"group '{label}'",
                        f"shown only when {shorten(group.relevance)}; imheval asks every "
                        "question (branching is not carried)",
                    )
                )
        self._count_shared_lists()
        for question in survey.questions:
            group = groups[question.gid]
            self._question(question, fold(html_to_text(group.name) or f"Group {group.order}"))
        return self._build()

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
        if name in _RESERVED:
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
                _Item(
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
        if isinstance(mapped, str) and _IDENTIFIER.match(mapped):
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
            _Item(
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
            _Item(
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
            _Item(
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

    def _forms(self) -> list[dict[str, str]]:
        """The parallel forms imheval wrote (its mapping's ``forms``), those well named."""
        listed = self.mapping.get("forms")
        forms: list[dict[str, str]] = []
        for form in listed if isinstance(listed, list) else []:
            if not isinstance(form, dict):
                continue
            identifier, label = form.get("id"), form.get("label", "")
            if isinstance(identifier, str) and _IDENTIFIER.match(identifier):
                forms.append({"id": identifier, "label": label if isinstance(label, str) else ""})
        return forms

    def _form_ids(self) -> set[str]:
        return {form["id"] for form in self._forms()}

    def _no_domain(self) -> set[str]:
        """The open questions imheval wrote with no domain (its mapping's ``nodomain``)."""
        listed = self.mapping.get("nodomain")
        return {str(name) for name in listed} if isinstance(listed, list) else set()

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
            and _IDENTIFIER.match(mapped)
            and mapped.casefold() not in folded
            and mapped.casefold() not in _RESERVED
        ):
            self.taken.add(mapped)
            return mapped
        candidate = make_identifier(native, self.taken)
        if candidate.casefold() in _RESERVED:
            self.taken.discard(candidate)
            candidate = make_identifier(native + "_q", self.taken)
        return candidate

    def _add(self, item: _Item) -> None:
        self.items.append(item)
        if item.kind in ("keyed", "rating"):
            self.domains[item.domain_key].scored += 1

    # -- the instrument ----------------------------------------------------------------------

    def _build(self) -> InstrumentImport:
        scored = [item for item in self.items if item.kind in ("keyed", "rating")]
        if not scored and not any(item.kind == "unkeyed" for item in self.items):
            raise InstrumentError([Problem(self.file, self._nothing_to_score())])
        domain_ids: set[str] = set()
        for domain in [d for d in self.domains.values() if d.scored]:
            domain.id = self._domain_id(domain.label, domain_ids)
        for domain in [d for d in self.domains.values() if not d.scored]:
            domain.id = self._domain_id(domain.label, domain_ids)
        if not scored:
            self._keys_needed()
        scale_ids = self._scale_ids()
        questions: list[dict[str, Any]] = []
        answers: list[AnswerMap] = []
        unkeyed: list[UnkeyedQuestion] = []
        previous: str | None = None
        for item in self.items:
            domain = self.domains[item.domain_key]
            answer_map = AnswerMap(item=item.id, source=item.source, codes=dict(item.codes))
            if item.kind == "unkeyed":
                unkeyed.append(
                    UnkeyedQuestion(
                        item=item.id,
                        source=item.source,
                        text=item.text,
                        domain=domain.id,
                        options=item.options,
                        answers=answer_map,
                        after=previous,
                        domain_label=domain.label,
                    )
                )
                continue
            entry: dict[str, Any] = {"id": item.id, "text": item.text}
            form = self._mapped("form", item.source)
            if isinstance(form, str) and form in self._form_ids():
                entry["form"] = form
            concept = self._mapped("concept", item.source)
            if item.kind != "open" and isinstance(concept, str) and concept.strip():
                entry["concept"] = concept
            if item.kind == "keyed":
                entry.update(
                    kind="keyed", domain=domain.id, options=item.options, key=list(item.key)
                )
                if item.points != 1:
                    entry["points"] = item.points
            elif item.kind == "rating":
                entry.update(kind="rating", domain=domain.id, scale=scale_ids[item.scale_key])
                if item.reverse:
                    entry["reverse"] = True
            else:
                entry.update(kind="open", max_length=item.max_length)
                if domain.scored and item.source not in self._no_domain():
                    entry["domain"] = domain.id
            questions.append(entry)
            answers.append(answer_map)
            previous = item.id
        code_field = self._code_field()
        instrument = self._instrument(questions, scale_ids)
        return InstrumentImport(
            instrument=instrument,
            system=System.LIMESURVEY,
            answers=tuple(answers),
            omissions=tuple(self.omissions),
            code_field=code_field,
            cohort_field=self.cohort_field,
            timepoint_field=self.timepoint_field,
            identifying=tuple(self.identifying),
            unkeyed=tuple(unkeyed),
        )

    def _keys_needed(self) -> None:
        """Nothing is scored but there are choice questions to key: KeysNeededError, holding
        what was read so that keys (``--key``) can finish the import."""
        unkeyed: list[UnkeyedQuestion] = []
        for item in self.items:
            if item.kind != "unkeyed":
                continue
            domain = self.domains[item.domain_key]
            unkeyed.append(
                UnkeyedQuestion(
                    item=item.id,
                    source=item.source,
                    text=item.text,
                    domain=domain.id,
                    options=item.options,
                    answers=AnswerMap(item=item.id, source=item.source, codes=dict(item.codes)),
                    domain_label=domain.label,
                )
            )
        opened = [item.source for item in self.items if item.kind == "open"]
        if opened:
            self.omissions.append(
                Omission(
                    "questions " + names_listed([f"'{name}'" for name in opened])
                    if len(opened) > 1
                    else f"question '{opened[0]}'",
                    "free text is carried only beside a scored question, and no question here "
                    "is scored yet, so it is left out",
                )
            )
        used = {question.domain for question in unkeyed}
        fields = self._instrument_fields()
        fields["domains"] = [
            {name: value for name, value in d.items() if name != "scored"}
            for d in fields["domains"]
            if d["id"] in used
        ]
        pending = PendingImport(
            fields=fields,
            system=System.LIMESURVEY,
            unkeyed=tuple(unkeyed),
            omissions=tuple(self.omissions),
            code_field=self._code_field(),
            cohort_field=self.cohort_field,
            timepoint_field=self.timepoint_field,
            identifying=tuple(self.identifying),
        )
        raise KeysNeededError([Problem(self.file, self._nothing_to_score())], pending)

    def _domain_id(self, label: str, taken: set[str]) -> str:
        mapped = self._mapped("groups", label)
        if isinstance(mapped, str) and _IDENTIFIER.match(mapped) and mapped not in taken:
            taken.add(mapped)
            return mapped
        return make_identifier(label.lower(), taken)

    def _scale_ids(self) -> dict[tuple[Any, ...], str]:
        """Each scale's id: the mapping's, else the name of the first array using it, else
        ``scale_1``, ``scale_2``..."""
        keys = list(dict.fromkeys(item.scale_key for item in self.items if item.kind == "rating"))
        arrays = {q.title for q in self.survey.questions if q.type in ARRAY_TYPES}
        ids: dict[tuple[Any, ...], str] = {}
        taken: set[str] = set()
        for key in keys:
            if key[0] == "mapped" and key[1] not in taken:
                ids[key] = key[1]
                taken.add(key[1])
        number = 1
        for key in keys:
            if key in ids:
                continue
            title = next((t for t in self.scale_titles.get(key, []) if t in arrays), None)
            if title is not None:
                ids[key] = make_identifier(title.lower(), taken)
                continue
            while f"scale_{number}" in taken:
                number += 1
            ids[key] = f"scale_{number}"
            taken.add(ids[key])
        return ids

    def _code_field(self) -> str | None:
        mapped = self.mapping.get("code")
        if isinstance(mapped, str) and mapped in self.code_candidates:
            return mapped
        if len(self.code_candidates) == 1:
            return self.code_candidates[0]
        if self.code_candidates:
            self.omissions.append(
                Omission(
                    "questions " + ", ".join(f"'{c}'" for c in self.code_candidates),
                    "each could hold the self-generated code; name the right one with --code-field",
                )
            )
        return None

    def _instrument(
        self, questions: list[dict[str, Any]], scale_ids: dict[tuple[Any, ...], str]
    ) -> Instrument:
        scales: dict[str, dict[str, Any]] = {}
        for key, scale_id in scale_ids.items():
            low, high, labels = key[-3], key[-2], key[-1]
            scales[scale_id] = {"min": low, "max": high, "labels": dict(labels)}
        fields = self._instrument_fields()
        fields["domains"] = [
            {name: value for name, value in d.items() if name != "scored"}
            for d in fields["domains"]
            if d["scored"]
        ]
        data = {**fields, "scales": scales, "items": questions}
        forms = self._forms()
        if forms and any("form" in question for question in questions):
            try:
                return Instrument.model_validate({**data, "forms": forms})
            except ValidationError as error:
                # Questions of one form deleted in LimeSurvey: read it as one form.
                details = "; ".join(str(detail["msg"]) for detail in error.errors())
                self.omissions.append(
                    Omission(
                        "parallel forms",
                        f"imheval's parallel forms could not be kept ({shorten(details)}); "
                        "every question is read as one form",
                    )
                )
                for question in questions:
                    question.pop("form", None)
        try:
            return Instrument.model_validate(data)
        except ValidationError as error:
            problems = [
                Problem(
                    self.file,
                    f"the instrument read from it is not valid: {detail['msg']} "
                    f"(at {'.'.join(str(p) for p in detail['loc'])})",
                )
                for detail in error.errors()
            ]
            raise InstrumentError(problems) from None

    def _instrument_fields(self) -> dict[str, Any]:
        """The instrument's own fields but its scales and items; each domain with ``scored``
        (whether a scored item falls in it)."""
        survey = self.survey
        meta = self.mapping.get("instrument")
        meta = meta if isinstance(meta, dict) else {}
        title = html_to_text(survey.title)
        if not title and survey.kind == "Group" and survey.groups:
            title = html_to_text(survey.groups[0].name)
        title = title or PurePath(self.file).stem
        identifier = meta.get("id")
        if not (isinstance(identifier, str) and _IDENTIFIER.match(identifier)):
            identifier = make_identifier(title).lower()
        version = meta.get("version")
        language = meta.get("language")
        return {
            "format": "imheval-instrument/1",
            "id": identifier,
            "version": version if isinstance(version, str) and version.strip() else "1.0.0",
            "title": title,
            "description": html_to_text(survey.description),
            "language": language
            if isinstance(language, str) and language
            else survey.base_language,
            "levels": levels_named(meta.get("levels")),
            "domains": [
                {
                    "id": d.id,
                    "label": d.label,
                    "description": d.description,
                    "kirkpatrick_level": self._kirkpatrick(d.id),
                    "scored": bool(d.scored),
                }
                for d in self.domains.values()
            ],
        }

    def _kirkpatrick(self, domain: str) -> int:
        level = self._mapped("kirkpatrick", domain)
        return level if level in (1, 2, 3, 4) and not isinstance(level, bool) else 2

    def _nothing_to_score(self) -> str:
        open_items = [item.source for item in self.items if item.kind == "open"]
        unkeyed = [item.source for item in self.items if item.kind == "unkeyed"]
        found = []
        if open_items:
            found.append(f"{len(open_items)} free-text question(s) ({names_listed(open_items)})")
        if unkeyed:
            found.append(
                f"{len(unkeyed)} choice question(s) with no answer key ({names_listed(unkeyed)})"
            )
        what = "; ".join(found) if found else "no question imheval can read"
        first = next((item for item in self.items if item.kind == "unkeyed"), None)
        keys = (
            f"Give the answer key of at least one with --key QUESTION=CODE (e.g. --key "
            f"{first.source}={next(iter(first.options), '')}: the right answer's code or "
            "text), or in LimeSurvey"
            if first is not None
            else "In LimeSurvey,"
        )
        return (
            f"nothing here can be scored: {what}. imheval needs at least one question it can "
            "score: a list question whose right answer has an assessment value (the other "
            f"answers 0), or questions whose answers are numbers on a scale. {keys} set the "
            "assessment values (the answer options' 'Assessment value'), export the .lss "
            "again, and import it"
        )
