"""Reading a FHIR R4/R5 Questionnaire (JSON, or FHIR XML) into an imheval instrument.

What becomes what:

- Question items are read by ``linkId`` (the item id is ``make_identifier(linkId)``; the
  :class:`~imheval.interop.model.AnswerMap` keeps the linkId). Group items suggest domains (the
  innermost group of a question is its domain); questions outside any group go to one domain
  named after the Questionnaire. Domains left with no scored item are dropped.
- Choice questions (R4 ``choice``/``open-choice``, R5 ``coding``) take their options from
  ``answerOption`` (``valueCoding``, ``valueString`` or ``valueInteger``) or from a *contained*
  ValueSet named by ``answerValueSet: "#id"`` (an external ValueSet cannot be fetched: imheval
  reads files only). An option's score is the ``ordinalValue`` (R4) or ``itemWeight`` (R5, the
  extensions pack) extension on the answerOption, on its Coding, or on the ValueSet's concept.
- Keyed or rating, the same rule as every system (docs/interoperability.md): scores of 0 on
  every option but the right one(s), all with the same score p, make a KEYED item (key = those
  codes, points = p); scores that are a run of consecutive whole numbers make a RATING item (the
  answer is the score; with whole-number codes running against their scores, ``reverse``). The
  SDC answer key (``questionnaire-answerKey``, a QuestionnaireResponse with the right answers,
  contained or in the same Bundle) keys choice and boolean questions that have no scores. A
  choice question nothing scores is listed in ``unkeyed`` (give its key with ``--key``), unless
  its options are a shared scale by the rule every system follows
  (:func:`~imheval.interop.common.shared_scale`: 3 to 11 consecutive whole-number codes, the
  same list used by two or more questions, none of them keyed): those are forward ratings. So
  yes/no questions coded 1/2 are never a scale.
- ``string``/``text`` questions become open (unscored) questions, except the self-generated code
  (a linkId containing "code"), cohort, timepoint, programme, directorate and profession, which
  are context, and items that identify people, listed in ``identifying`` (never questions;
  their answers are dropped): by linkId or by what their text asks ("What is your name?",
  "E-mail", "Date of birth"; :func:`~imheval.interop.common.is_identifying_question`). The
  code item is decided first and is never identifying.
- Not carried, each listed as an omission with the reason: calculated items
  (``calculatedExpression``: a total score is not a question; imheval scores the answers
  itself), FHIRPath variables, ``enableWhen`` conditions (the question is kept; imheval asks
  every question), hidden items, number, date, time, URL, attachment, reference and quantity
  questions, multiple-answer (``repeats``) choice questions, translations.
- imheval's own export (:mod:`.export`) marks the Questionnaire, its groups and its questions
  with imheval extensions (``https://imheval.org/fhir/StructureDefinition/...``) stating each
  question's kind, scale and reverse keying, so reading it back gives the same instrument even
  where the scores alone are ambiguous (a 0..1 rating looks like a keyed item).
- Versions: FHIR R4 and R5 are read; an STU3 or DSTU2 resource (``options``/``option`` instead
  of ``answerValueSet``/``answerOption``, a stated older version) is refused, saying what to
  export. A resource that is not a Questionnaire (or a Bundle holding one) is refused, naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from imheval.errors import InstrumentError, Problem, ProblemsError
from imheval.instruments import Instrument
from imheval.instruments.model import (
    BARR_LEVELS,
    MAX_OPEN_MAX_LENGTH,
    CrossReferenceError,
    TrainingLevel,
)
from imheval.interop.common import make_identifier, shared_scale
from imheval.interop.fhir._questionnaire_items import CALCULATED, TEXT_TYPES, ItemWalker
from imheval.interop.fhir._resource import (
    EXT_DOMAIN,
    Node,
    a_resource,
    extensions,
    flag,
    has_translations,
    load_resource,
    nodes,
    number,
    sub_extension,
    sub_value,
    text,
    version_problem,
)
from imheval.interop.fhir._scoring import (
    WHOLE,
    Question,
    Scored,
    is_run,
    key_code,
    key_text,
    list_signature,
    make_keyed,
    make_rating,
    name_scales,
    option_answers,
    plain,
    rating_from_scores,
    short,
)
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

__all__ = ["CALCULATED", "read_questionnaire"]

#: Item ids that are columns of the tidy layout, never questions.
_RESERVED = (*TIDY_COLUMNS, "participant", "form", "source_row")


def read_questionnaire(source: SourceFile) -> InstrumentImport:
    """The instrument a FHIR R4 or R5 Questionnaire describes (JSON, or FHIR XML; a Bundle
    holding one Questionnaire is read too), with how each question appears in it and what could
    not be carried (see the module docstring).

    The result's ``canonical`` is the Questionnaire's ``url|version`` (``url`` alone when it
    has no version), which the QuestionnaireResponse reader checks each response's
    ``questionnaire`` against.

    Raises :class:`~imheval.errors.InstrumentError`, naming the file, when it is not valid JSON
    or XML, is not a Questionnaire (naming what it is), is FHIR STU3 or older, or holds nothing
    imheval can score; :class:`~imheval.interop.model.KeysNeededError` (with what was read)
    when its only choice questions are unscored, so that answer keys
    (:func:`imheval.interop.convert.apply_keys`) can finish the import.
    """
    resource = load_resource(source, _error)
    others: list[Node] = []
    if resource.get("resourceType") == "Bundle":
        resource, others = _questionnaire_in_bundle(resource, source.name)
    kind = str(resource.get("resourceType"))
    if kind != "Questionnaire":
        raise _error([Problem(file=source.name, message=_not_a_questionnaire(kind))])
    problem = version_problem(resource)
    if problem is not None:
        raise _error([Problem(file=source.name, message=problem)])
    return _Reader(source.name, resource, others).read()


def _error(problems: list[Problem]) -> ProblemsError:
    return InstrumentError(problems)


def _not_a_questionnaire(kind: str) -> str:
    if kind == "QuestionnaireResponse":
        return (
            "this is a QuestionnaireResponse (answers), not a Questionnaire; give the "
            "Questionnaire as the structure (--structure) and the QuestionnaireResponse files "
            "as the sources"
        )
    return (
        f"this is {a_resource(kind)} resource, not a Questionnaire; export the Questionnaire "
        "(GET [base]/Questionnaire/[id]) and give that"
    )


def _questionnaire_in_bundle(bundle: Node, file: str) -> tuple[Node, list[Node]]:
    resources = [
        entry["resource"]
        for entry in nodes(bundle, "entry")
        if isinstance(entry.get("resource"), dict)
    ]
    found = [r for r in resources if r.get("resourceType") == "Questionnaire"]
    if len(found) == 1:
        return found[0], [r for r in resources if r is not found[0]]
    if not found:
        kinds = sorted({str(r.get("resourceType")) for r in resources})
        held = ", ".join(kinds) if kinds else "no resources"
        message = f"this Bundle holds no Questionnaire (it holds {held}); give the Questionnaire"
    else:
        names = ", ".join(text(r, "url") or text(r, "id") or "?" for r in found[:5])
        message = (
            f"this Bundle holds {len(found)} Questionnaires ({names}); give the one the "
            "responses answer, on its own (GET [base]/Questionnaire/[id])"
        )
    raise _error([Problem(file=file, message=message)])


@dataclass(frozen=True)
class _Found:
    """What the questions were named: each question's item id (by its place in the list),
    each group's domain id (None: the Questionnaire's own domain), each domain's label."""

    ids: dict[int, str]
    domain_of: dict[str | None, str]
    labels: dict[str, str]


class _Reader(ItemWalker):
    """Reads a Questionnaire: the items walked (:class:`._questionnaire_items.ItemWalker`), then
    each question scored and the instrument built."""

    def read(self) -> InstrumentImport:
        self._note_questionnaire()
        self._walk(nodes(self.resource, "item"), None)
        scored = self._classify()
        if self.problems:
            raise _error(self.problems)
        return self._build(scored)

    # --- keyed, rating, open or unkeyed -------------------------------------------------------

    def _classify(self) -> list[Scored]:
        scored = [self._scored(q) for q in self.questions]
        # An unscored choice list is a rating scale by the rule every system follows
        # (common.shared_scale): 3 to 11 consecutive whole-number codes, shared by two or more
        # questions, none of them keyed (by the SDC answer key).
        shared: dict[object, list[Scored]] = {}
        for entry in scored:
            signature = list_signature(entry)
            if signature is not None:
                shared.setdefault(signature, []).append(entry)
        for users in shared.values():
            listed = [o.code for o in users[0].question.options]
            keyed = any(entry.kind != "unkeyed" for entry in users)
            if not shared_scale(listed, len(users), scored_elsewhere=keyed):
                continue
            for entry in users:
                values = {o.code: int(o.code) for o in entry.question.options}
                make_rating(entry, values, reverse=False)
        for entry in scored:
            if entry.kind == "unkeyed":
                question = entry.question
                codes = ", ".join(o.code for o in question.options[:6])
                self.omissions.append(
                    Omission(
                        f"item '{question.link}'",
                        "no answer key: nothing in the Questionnaire (ordinalValue, itemWeight "
                        "or an SDC answer key) says which answer scores; give it with --key "
                        f"{question.link}=<code> (its codes: {codes})",
                    )
                )
        return scored

    def _scored(self, question: Question) -> Scored:
        entry = Scored(question, "unkeyed")
        where = f"item '{question.link}'"
        if question.kind in TEXT_TYPES:
            entry.kind = "open"
            limit = number(question.item.get("maxLength"))
            if limit is not None and limit > 0:
                entry.max_length = min(int(limit), MAX_OPEN_MAX_LENGTH)
            return entry
        mark = question.marks
        declared = str(sub_value(mark, "kind")) if mark is not None else ""
        options = question.options
        scores = [o.score for o in options]
        if declared == "keyed":
            if not make_keyed(entry, scores):
                self.problems.append(
                    Problem(
                        file=self.file,
                        message=f"{where}: imheval's extension says it is keyed, but its "
                        "ordinalValue scores are not 0 on every option but the right one(s)",
                    )
                )
            return entry
        if declared == "rating":
            self._declared_rating(entry, mark or {}, where)
            return entry
        if any(score is not None for score in scores):
            if make_keyed(entry, scores):
                return entry
            if all(score is not None for score in scores) and is_run(scores):
                rating_from_scores(entry)
                return entry
            shown = ", ".join(plain(s) for s in scores)
            self.omissions.append(
                Omission(
                    where,
                    f"its scores ({shown}) are neither one right answer (0 for the other options) "
                    "nor a scale of consecutive whole numbers, so imheval cannot score it as it "
                    "stands",
                )
            )
            return entry
        keyed = self.key.get(question.link)
        if keyed:
            matched = [key_code(options, value) for value in keyed]
            codes = tuple(dict.fromkeys(c for c in matched if c is not None))
            if codes and len(codes) < len(options) and None not in matched:
                entry.kind, entry.key = "keyed", codes
                entry.answers = option_answers(options)
                return entry
            self.omissions.append(
                Omission(
                    where,
                    f"the answer key's answer '{short(key_text(keyed))}' is not one of its "
                    "options (or keys them all), so it is not used",
                )
            )
        entry.answers = option_answers(options)
        return entry

    def _declared_rating(self, entry: Scored, mark: Node, where: str) -> None:
        options = entry.question.options
        values = {o.code: int(o.code) for o in options if WHOLE.match(o.code)}
        reverse = flag(sub_value(mark, "reverse")) is True
        if len(values) != len(options) or not is_run([Decimal(v) for v in values.values()]):
            self.problems.append(
                Problem(
                    file=self.file,
                    message=f"{where}: imheval's extension says it is a rating, but its codes "
                    "are not consecutive whole numbers",
                )
            )
            return
        low, high = min(values.values()), max(values.values())
        for option in options:
            expected = low + high - values[option.code] if reverse else values[option.code]
            if option.score is not None and option.score != expected:
                self.problems.append(
                    Problem(
                        file=self.file,
                        message=f"{where}: option '{option.code}' scores {plain(option.score)}, "
                        f"but a {'reverse ' if reverse else ''}rating on {low}..{high} scores it "
                        f"{expected}",
                    )
                )
                return
        make_rating(entry, values, reverse=reverse)
        scale = sub_value(mark, "scale")
        entry.scale_name = str(scale) if scale else None

    # --- the instrument ----------------------------------------------------------------------

    def _build(self, scored: list[Scored]) -> InstrumentImport:
        resource = self.resource
        title = (
            text(resource, "title") or text(resource, "name") or text(resource, "id") or ""
        ).strip()
        url = text(resource, "url")
        version = text(resource, "version")
        mark = self.imheval
        if mark is not None and sub_value(mark, "id"):
            instrument_id = str(sub_value(mark, "id"))
        else:
            name = (
                text(resource, "name")
                or text(resource, "id")
                or (url or "").rstrip("/").split("/")[-1]
                or title
            )
            instrument_id = make_identifier(name or "questionnaire").lower()
        title = title or instrument_id
        canonical = f"{url}|{version}" if url and version else url
        nothing_scored = not any(entry.kind in ("keyed", "rating") for entry in scored)
        if nothing_scored and not any(entry.kind == "unkeyed" for entry in scored):
            raise _error([Problem(file=self.file, message=self._nothing_scored(scored))])

        taken: set[str] = set(_RESERVED)
        ids: dict[int, str] = {}
        for index, entry in enumerate(scored):
            ids[index] = make_identifier(entry.question.link, taken)

        domains, domain_of = self._domains(scored, title, instrument_id)
        labels = self._domain_labels(domain_of, title)
        if nothing_scored:
            found = _Found(ids, domain_of, labels)
            self._keys_needed(scored, found, instrument_id, title, canonical)
        scales, scale_of = name_scales(scored)
        items: list[dict[str, Any]] = []
        answers: list[AnswerMap] = []
        unkeyed: list[UnkeyedQuestion] = []
        previous: str | None = None
        kept_domains = {d["id"] for d in domains}
        for index, entry in enumerate(scored):
            question, item_id = entry.question, ids[index]
            domain = domain_of[question.group]
            extra = self._marks(question)
            if entry.kind == "keyed":
                item = {
                    "kind": "keyed",
                    "id": item_id,
                    "domain": domain,
                    "text": question.text,
                    "options": {o.code: o.label for o in question.options},
                    "key": list(entry.key),
                    **({"points": entry.points} if entry.points != 1 else {}),
                    **extra,
                }
            elif entry.kind == "rating":
                item = {
                    "kind": "rating",
                    "id": item_id,
                    "domain": domain,
                    "text": question.text,
                    "scale": scale_of[index],
                    "reverse": entry.reverse,
                    **extra,
                }
            elif entry.kind == "open":
                item = {
                    "kind": "open",
                    "id": item_id,
                    "domain": domain if domain in kept_domains else None,
                    "text": question.text,
                    **({"max_length": entry.max_length} if entry.max_length else {}),
                    **({"form": extra["form"]} if "form" in extra else {}),
                }
            else:
                unkeyed.append(
                    UnkeyedQuestion(
                        item=item_id,
                        source=question.link,
                        text=question.text,
                        domain=domain,
                        options={o.code: o.label for o in question.options},
                        answers=AnswerMap(item=item_id, source=question.link, codes=entry.answers),
                        after=previous,
                        domain_label=labels[domain],
                    )
                )
                continue
            items.append(item)
            answers.append(AnswerMap(item=item_id, source=question.link, codes=entry.answers))
            previous = item_id
        data: dict[str, Any] = {
            **self._fields(instrument_id, title, domains),
            "scales": scales,
            "forms": self._forms(),
            "items": items,
        }
        try:
            instrument = Instrument.model_validate(data)
        except (ValidationError, CrossReferenceError) as problem:
            raise _error(
                [
                    Problem(
                        file=self.file,
                        message="the instrument read from it is not valid "
                        f"({_first_line(problem)})",
                    )
                ]
            ) from None
        code_field = self._last_omissions()
        return InstrumentImport(
            instrument=instrument,
            system=System.FHIR,
            answers=tuple(answers),
            omissions=tuple(self.omissions),
            code_field=code_field,
            cohort_field=self.context.get("cohort"),
            timepoint_field=self.context.get("timepoint"),
            identifying=tuple(self.identifying),
            unkeyed=tuple(unkeyed),
            canonical=canonical,
        )

    def _fields(
        self, instrument_id: str, title: str, domains: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The instrument's own fields but its scales, forms and items."""
        resource = self.resource
        return {
            "format": "imheval-instrument/1",
            "id": instrument_id,
            "version": text(resource, "version") or "1.0.0",
            "title": title,
            "description": (text(resource, "description") or "").strip(),
            "language": text(resource, "language") or "en-GB",
            "levels": self._levels(),
            "domains": domains,
        }

    def _last_omissions(self) -> str | None:
        """The omissions noted once the questions are read (translations, several code
        items), and the item holding the self-generated code (None: none, or several)."""
        if has_translations(self.resource):
            self.omissions.append(
                Omission(
                    "the Questionnaire",
                    "it has translations; only the base language is read",
                )
            )
        if len(self.code_candidates) > 1:
            self.omissions.append(
                Omission(
                    "the Questionnaire",
                    f"several items could hold the self-generated code "
                    f"({', '.join(self.code_candidates)}); name it with --code-field",
                )
            )
        return self.code_candidates[0] if len(self.code_candidates) == 1 else None

    def _domain_labels(self, domain_of: dict[str | None, str], own: str) -> dict[str, str]:
        """Each domain id's label: its group's text (else linkId), the title for its own."""
        labels = {domain_of[None]: own}
        for link, group in self.groups.items():
            labels[domain_of[link]] = (text(group, "text") or "").strip() or link
        return labels

    def _keys_needed(
        self,
        scored: list[Scored],
        found: _Found,
        instrument_id: str,
        title: str,
        canonical: str | None,
    ) -> None:
        """Nothing is scored but there are choice questions to key: KeysNeededError, holding
        what was read so that keys (``--key``) can finish the import."""
        problem = Problem(file=self.file, message=self._nothing_scored(scored))
        ids, domain_of, labels = found.ids, found.domain_of, found.labels
        unkeyed: list[UnkeyedQuestion] = []
        for index, entry in enumerate(scored):
            if entry.kind != "unkeyed":
                continue
            question, item_id = entry.question, ids[index]
            domain = domain_of[question.group]
            unkeyed.append(
                UnkeyedQuestion(
                    item=item_id,
                    source=question.link,
                    text=question.text,
                    domain=domain,
                    options={o.code: o.label for o in question.options},
                    answers=AnswerMap(item=item_id, source=question.link, codes=entry.answers),
                    domain_label=labels[domain],
                )
            )
        opened = [entry.question.link for entry in scored if entry.kind == "open"]
        if opened:
            shown = ", ".join(f"'{link}'" for link in opened[:10])
            more = f" and {len(opened) - 10} more" if len(opened) > 10 else ""
            self.omissions.append(
                Omission(
                    f"items {shown}{more}" if len(opened) > 1 else f"item {shown}",
                    "free text is carried only beside a scored question, and no question here "
                    "is scored yet, so it is left out",
                )
            )
        code_field = self._last_omissions()
        used = list(dict.fromkeys(question.domain for question in unkeyed))
        domains = [{"id": domain, "label": labels[domain]} for domain in used]
        pending = PendingImport(
            fields=self._fields(instrument_id, title, domains),
            system=System.FHIR,
            unkeyed=tuple(unkeyed),
            omissions=tuple(self.omissions),
            code_field=code_field,
            cohort_field=self.context.get("cohort"),
            timepoint_field=self.context.get("timepoint"),
            identifying=tuple(self.identifying),
            canonical=canonical,
        )
        raise KeysNeededError([problem], pending)

    def _domains(
        self, scored: list[Scored], title: str, instrument_id: str
    ) -> tuple[list[dict[str, Any]], dict[str | None, str]]:
        """The domains (groups with scored items, in document order, then the Questionnaire's
        own for questions outside any group) and each group's domain id."""
        used = {e.question.group for e in scored if e.kind in ("keyed", "rating")}
        taken: set[str] = set()
        domain_of: dict[str | None, str] = {}
        domains: list[dict[str, Any]] = []
        for link, group in self.groups.items():
            label = (text(group, "text") or "").strip() or link
            marks = extensions(group, EXT_DOMAIN)
            if marks and sub_value(marks[0], "id"):
                domain_id = str(sub_value(marks[0], "id"))
                taken.add(domain_id)
            else:
                domain_id = _domain_id(label, taken)
            domain_of[link] = domain_id
            if link in used:
                domain: dict[str, Any] = {"id": domain_id, "label": label}
                if marks:
                    description = sub_value(marks[0], "description")
                    level = number(sub_value(marks[0], "kirkpatrickLevel"))
                    if description:
                        domain["description"] = str(description)
                    if level is not None:
                        domain["kirkpatrick_level"] = int(level)
                    barr = sub_value(marks[0], "barrLevel")
                    if isinstance(barr, str) and barr in BARR_LEVELS:
                        domain["barr_level"] = barr
                domains.append(domain)
        own = _domain_id(title or instrument_id, taken)
        domain_of[None] = own
        if None in used:
            domains.append({"id": own, "label": title or instrument_id})
        return domains, domain_of

    def _marks(self, question: Question) -> dict[str, Any]:
        """What imheval's extension adds to a question: its form and concept."""
        mark = question.marks
        if mark is None:
            return {}
        extra: dict[str, Any] = {}
        form = sub_value(mark, "form")
        concept = sub_value(mark, "concept")
        if form:
            extra["form"] = str(form)
        if concept:
            extra["concept"] = str(concept)
        return extra

    def _levels(self) -> list[str]:
        if self.imheval is not None:
            levels = [str(e.get("valueCode")) for e in sub_extension(self.imheval, "level")]
            if levels:
                return levels
        return [level.value for level in TrainingLevel]

    def _forms(self) -> list[dict[str, str]]:
        if self.imheval is None:
            return []
        forms = []
        for form in sub_extension(self.imheval, "form"):
            form_id = sub_value(form, "id")
            if form_id:
                forms.append({"id": str(form_id), "label": str(sub_value(form, "label") or "")})
        return forms

    def _nothing_scored(self, scored: list[Scored]) -> str:
        open_count = sum(1 for e in scored if e.kind == "open")
        unkeyed = [e.question.link for e in scored if e.kind == "unkeyed"]
        found = []
        if open_count:
            found.append(f"{open_count} free-text question(s)")
        if unkeyed:
            found.append(
                f"{len(unkeyed)} choice question(s) with no answer key ({', '.join(unkeyed[:5])}"
                f"{' ...' if len(unkeyed) > 5 else ''})"
            )
        listed = {f"item '{link}'" for link in unkeyed}
        others = sum(
            1 for o in self.omissions if o.where.startswith("item '") and o.where not in listed
        )
        if others:
            found.append(f"{others} item(s) not carried (numbers, dates, calculations ...)")
        held = "; it has " + ", ".join(found) if found else ""
        key = ""
        if self.has_key:
            key = (
                " An SDC answer key can score only choice and yes/no questions, not free text "
                "or numbers."
            )
        first = next((e.question for e in scored if e.kind == "unkeyed"), None)
        keys = (
            " Give the answer key of at least one with --key LINKID=CODE (e.g. --key "
            f"{first.link}={first.options[0].code}: the right answer's code or text), or make"
            if first is not None and first.options
            else " Make"
        )
        return (
            "nothing in this Questionnaire can be scored: imheval scores choice questions whose "
            "options carry scores (ordinalValue or itemWeight: 1 on the right answer and 0 on "
            f"the others, or a rating scale) or an SDC answer key{held}.{key}{keys} the "
            "questions choice questions with scored answerOptions and export it again"
        )


def _domain_id(label: str, taken: set[str]) -> str:
    base = make_identifier(label).lower().rstrip("_.-") or "domain"
    candidate, number_ = base, 2
    while candidate in taken:
        suffix = f"_{number_}"
        candidate, number_ = base[: 64 - len(suffix)] + suffix, number_ + 1
    taken.add(candidate)
    return candidate


def _first_line(problem: Exception) -> str:
    return str(problem).strip().splitlines()[0] if str(problem).strip() else type(problem).__name__
