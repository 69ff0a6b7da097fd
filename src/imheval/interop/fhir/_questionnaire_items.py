"""Walking a FHIR Questionnaire's items: which are questions, which are context (the
self-generated code, cohort, timepoint ...) or identify people, which are not carried (and
why), and reading each choice question's options. :mod:`.questionnaire` goes on from here to
decide what each question scores and to build the instrument."""

from __future__ import annotations

import re
from collections.abc import Sequence

from imheval.errors import Problem
from imheval.interop.common import fold, is_identifying, is_identifying_question
from imheval.interop.fhir._resource import (
    EXT_INSTRUMENT,
    EXT_QUESTION,
    Node,
    expression_of,
    extensions,
    flag,
    has_extension,
    is_hidden,
    nodes,
    sub_value,
    text,
    variables_message,
)
from imheval.interop.fhir._scoring import (
    CHOICE_TYPES,
    Option,
    Question,
    answer_key,
    answer_text,
    key_text,
    read_options,
    short,
)
from imheval.interop.model import Omission

#: How every omission of a calculated item begins; the responses reader finds stored totals
#: by it, to compare them with the answers' scores.
CALCULATED = "a calculated score"

_CONTEXT_NAMES = {
    "cohort": "cohort",
    "timepoint": "timepoint",
    "time point": "timepoint",
    "programme": "programme",
    "program": "programme",
    "directorate": "directorate",
    "profession": "profession",
}
_CODE_PHRASES = ("self-generated code", "self generated code", "personal code", "your code")
_NOT_CARRIED = {
    "integer": "a whole-number question: imheval scores choice questions, so its answers are "
    "not carried",
    "decimal": "a number question: imheval scores choice questions, so its answers are not carried",
    "date": "a date question: not carried (imheval does not score dates)",
    "dateTime": "a date-and-time question: not carried (imheval does not score dates)",
    "time": "a time question: not carried (imheval does not score times)",
    "url": "a web-address question: not carried",
    "attachment": "a file upload: not carried",
    "reference": "a reference to another record (a patient, a practitioner ...): not carried",
    "quantity": "a quantity (a number with a unit): not carried",
}
TEXT_TYPES = ("string", "text")


class ItemWalker:
    """The first half of reading a Questionnaire: its items walked into questions, context,
    identifying items and omissions (the reader in :mod:`.questionnaire` scores them)."""

    def __init__(self, file: str, resource: Node, others: Sequence[Node]) -> None:
        self.file = file
        self.resource = resource
        self.others = others
        self.omissions: list[Omission] = []
        self.problems: list[Problem] = []
        self.contained = {
            str(c.get("id")): c for c in nodes(resource, "contained") if c.get("id") is not None
        }
        marks = extensions(resource, EXT_INSTRUMENT)
        self.imheval: Node | None = marks[0] if marks else None
        self.groups: dict[str, Node] = {}
        self.questions: list[Question] = []
        self.code_candidates: list[str] = []
        self.context: dict[str, str] = {}
        self.identifying: list[str] = []
        self.has_key = has_extension(
            resource, "questionnaire-answerKey", "sdc-questionnaire-answerKey"
        )
        self.key, missing = answer_key(resource, [*self.contained.values(), *others])
        if missing is not None:
            self.omissions.append(
                Omission(
                    "the Questionnaire",
                    f"its SDC answer key ('{missing}') is not in this file; put the answer-key "
                    "QuestionnaireResponse in the Questionnaire's contained resources, or in the "
                    "same Bundle, to use it (or give each question's key with --key)",
                )
            )

    # --- walking the items -------------------------------------------------------------

    def _note_questionnaire(self) -> None:
        variables = extensions(self.resource, "variable")
        if variables:
            self.omissions.append(Omission("the Questionnaire", variables_message(variables)))

    def _walk(self, items: list[Node], group: str | None) -> None:
        for item in items:
            link = text(item, "linkId")
            if link is None:
                self.problems.append(
                    Problem(
                        file=self.file,
                        message=f"an item ('{short(text(item, 'text') or '?')}') has no linkId; "
                        "every FHIR item needs one",
                    )
                )
                continue
            kind = text(item, "type") or ""
            if kind == "group":
                self._group(item, link)
                self._walk(nodes(item, "item"), link)
                continue
            if kind != "display":
                self._question(item, link, kind, group)
            self._walk(nodes(item, "item"), group)

    def _group(self, item: Node, link: str) -> None:
        self.groups[link] = item
        where = f"group '{link}'"
        if has_extension(item, "questionnaire-hidden") and is_hidden(item):
            self.omissions.append(Omission(where, "hidden; its questions are read all the same"))
        self._branching(item, where)
        if flag(item.get("repeats")):
            self.omissions.append(
                Omission(where, "a repeating group: imheval reads each of its questions once")
            )
        variables = extensions(item, "variable")
        if variables:
            self.omissions.append(Omission(where, variables_message(variables)))

    def _question(self, item: Node, link: str, kind: str, group: str | None) -> None:
        where = f"item '{link}'"
        marks = extensions(item, EXT_QUESTION)
        mark = marks[0] if marks else None
        role = str(sub_value(mark, "kind")) if mark is not None else ""
        calculated = extensions(item, "sdc-questionnaire-calculatedExpression")
        variables = extensions(item, "variable")
        if variables:
            self.omissions.append(Omission(where, variables_message(variables)))
        if calculated:
            expression = expression_of(calculated[0])
            self.omissions.append(
                Omission(
                    where,
                    f"{CALCULATED} ({kind or 'untyped'} item), not a question: imheval scores "
                    f"the answers itself; its expression '{short(expression)}' is not carried",
                )
            )
            return
        if self._context(item, link, kind, role):
            return
        if is_hidden(item):
            self.omissions.append(
                Omission(where, "hidden from the people answering, so not a question; not carried")
            )
            return
        self._branching(item, where)
        question_text = (text(item, "text") or "").strip() or link
        question = Question(link, item, question_text, group, kind, marks=mark)
        if kind in CHOICE_TYPES:
            if flag(item.get("repeats")):
                self.omissions.append(
                    Omission(
                        where,
                        "allows several answers (repeats); imheval scores one answer per "
                        "question, so it is not carried",
                    )
                )
                return
            if not self._read_options(question, where):
                return
            constraint = text(item, "answerConstraint")
            if kind == "open-choice" or constraint in ("optionsOrString", "optionsOrType"):
                self.omissions.append(
                    Omission(
                        where,
                        "people may also type an answer of their own; such an answer is kept "
                        "as given and scores as invalid",
                    )
                )
        elif kind == "boolean":
            question.options = [
                Option("true", "Yes", "Yes", None),
                Option("false", "No", "No", None),
            ]
        elif kind in TEXT_TYPES:
            keyed = self.key.get(link)
            if keyed:
                self.omissions.append(
                    Omission(
                        where,
                        f"the answer key gives '{short(key_text(keyed))}' as its right answer, "
                        "but imheval scores choice questions only: kept as an open (unscored) "
                        "question",
                    )
                )
        elif kind in _NOT_CARRIED:
            message = _NOT_CARRIED[kind]
            keyed = self.key.get(link)
            if keyed:
                message += (
                    f" (the answer key gives '{short(key_text(keyed))}'; make it a choice "
                    "question to score it)"
                )
            self.omissions.append(Omission(where, message))
            return
        else:
            shown = f"type '{kind}'" if kind else "no type"
            self.omissions.append(
                Omission(where, f"an item of {shown}, which imheval does not read; not carried")
            )
            return
        self.questions.append(question)

    def _context(self, item: Node, link: str, kind: str, role: str) -> bool:
        """Whether the item is context (code, cohort, timepoint ...) or identifying, not a
        question; records it."""
        if role in ("code", "timepoint"):
            if role == "code":
                self.code_candidates.append(link)
            else:
                self.context.setdefault("timepoint", link)
            return True
        if role:
            return False
        name = fold(re.sub(r"[_\-]+", " ", link))
        if kind in TEXT_TYPES + CHOICE_TYPES and name in _CONTEXT_NAMES:
            self.context.setdefault(_CONTEXT_NAMES[name], link)
            return True
        question = text(item, "text") or ""
        # The self-generated code is decided first: its text may mention a first name ("the
        # first two letters of your mother's first name"), and it is never identifying.
        if kind in TEXT_TYPES and (
            ("code" in name and not is_identifying(link))
            or any(phrase in fold(question) for phrase in _CODE_PHRASES)
        ):
            self.code_candidates.append(link)
            return True
        if is_identifying_question(link, question):
            self.identifying.append(link)
            return True
        return False

    def _branching(self, item: Node, where: str) -> None:
        conditions = nodes(item, "enableWhen")
        expressions = extensions(item, "sdc-questionnaire-enableWhenExpression")
        if conditions:
            first = conditions[0]
            answer = next(
                (answer_text((k[6:], v)) for k, v in first.items() if k.startswith("answer")),
                "?",
            )
            more = f" (and {len(conditions) - 1} more condition(s))" if len(conditions) > 1 else ""
            self.omissions.append(
                Omission(
                    where,
                    f"shown only when item '{text(first, 'question') or '?'}' "
                    f"{text(first, 'operator') or '='} {answer}{more}; the condition is not "
                    "carried (imheval asks every question)",
                )
            )
        if expressions:
            self.omissions.append(
                Omission(
                    where,
                    f"shown only when '{short(expression_of(expressions[0]))}'; the condition is "
                    "not carried (imheval asks every question)",
                )
            )

    # --- options ---------------------------------------------------------------------------

    def _read_options(self, question: Question, where: str) -> bool:
        found = read_options(question.item, self.contained)
        if isinstance(found, str):
            self.omissions.append(Omission(where, found))
            return False
        options, value_set = found
        unique: list[Option] = []
        for option in options:
            if any(o.code == option.code for o in unique):
                self.omissions.append(
                    Omission(
                        where, f"option code '{option.code}' is listed twice; the first is kept"
                    )
                )
                continue
            unique.append(option)
        if len(unique) < 2:
            self.omissions.append(
                Omission(where, "a choice question with fewer than two options; not carried")
            )
            return False
        question.options = unique
        question.value_set = value_set
        return True
