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

from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from imheval.errors import InstrumentError, Problem
from imheval.instruments import Instrument
from imheval.instruments.model import BARR_LEVELS
from imheval.interop.common import (
    fold,
    make_identifier,
)
from imheval.interop.limesurvey._kinds import (
    ARRAY_TYPES,
    levels_named,
    names_listed,
    shorten,
)
from imheval.interop.limesurvey._questions import IDENTIFIER, Domain, QuestionReader
from imheval.interop.limesurvey._survey import (
    load_survey,
)
from imheval.interop.limesurvey._text import html_to_text
from imheval.interop.model import (
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


def read_structure(source: SourceFile) -> InstrumentImport:
    """The instrument a LimeSurvey .lss (or .lsg, or tab-separated structure export) describes.

    Raises :class:`~imheval.errors.InstrumentError` naming the file (and the XML element or
    row) when the file is not a LimeSurvey structure, is damaged, declares a DOCTYPE or ENTITY,
    or holds nothing imheval can score; :class:`~imheval.interop.model.KeysNeededError` (with
    what was read) when its only choice questions have no assessment values, so that answer
    keys (:func:`imheval.interop.convert.apply_keys`) can finish the import.
    """
    return _Reader(load_survey(source)).run()


class _Reader(QuestionReader):
    """Turns a :class:`Survey` into an :class:`InstrumentImport`."""

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
            self.domains.setdefault(fold(label), Domain(label, html_to_text(group.description)))
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

    def _forms(self) -> list[dict[str, str]]:
        """The parallel forms imheval wrote (its mapping's ``forms``), those well named."""
        listed = self.mapping.get("forms")
        forms: list[dict[str, str]] = []
        for form in listed if isinstance(listed, list) else []:
            if not isinstance(form, dict):
                continue
            identifier, label = form.get("id"), form.get("label", "")
            if isinstance(identifier, str) and IDENTIFIER.match(identifier):
                forms.append({"id": identifier, "label": label if isinstance(label, str) else ""})
        return forms

    def _form_ids(self) -> set[str]:
        return {form["id"] for form in self._forms()}

    def _no_domain(self) -> set[str]:
        """The open questions imheval wrote with no domain (its mapping's ``nodomain``)."""
        listed = self.mapping.get("nodomain")
        return {str(name) for name in listed} if isinstance(listed, list) else set()

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
        if isinstance(mapped, str) and IDENTIFIER.match(mapped) and mapped not in taken:
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
        if not (isinstance(identifier, str) and IDENTIFIER.match(identifier)):
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
                    **self._barr(d.id),
                }
                for d in self.domains.values()
            ],
        }

    def _kirkpatrick(self, domain: str) -> int:
        level = self._mapped("kirkpatrick", domain)
        return level if level in (1, 2, 3, 4) and not isinstance(level, bool) else 2

    def _barr(self, domain: str) -> dict[str, str]:
        """The domain's Barr level from the mapping, when it names one that fits its
        Kirkpatrick level (anything else is left out rather than refused)."""
        level = self._mapped("barr", domain)
        fits = isinstance(level, str) and level in BARR_LEVELS
        if fits and level[0] == str(self._kirkpatrick(domain)):
            return {"barr_level": level}
        return {}

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
