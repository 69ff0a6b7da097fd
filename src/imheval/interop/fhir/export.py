"""Writing an imheval instrument as a FHIR R4 Questionnaire (JSON), scored with ordinalValue.

The Questionnaire a FHIR server can run and score the way imheval does:

- ``url`` ``<base>/Questionnaire/<instrument id>``, ``version``, ``title``, ``status: active``,
  ``language``, ``description``;
- first a ``code`` string item ("Your self-generated code") and a ``timepoint`` choice item
  (pre, post, followup), which imheval's QuestionnaireResponse reader recognises;
- one ``group`` item per domain (``linkId`` the domain id, ``text`` its label) holding its
  questions; open questions without a domain come last, at the top level;
- every question's ``linkId`` is its imheval id, so reading the Questionnaire back, and reading
  responses to it, gives the same ids;
- a keyed item is a ``choice`` whose ``answerOption`` ``valueCoding`` has the option code as
  ``code`` and its text as ``display`` (``system`` ``<base>/CodeSystem/<instrument>/<item>``:
  a code means one answer of one question), and the R4 ``ordinalValue`` extension on each
  answerOption: the item's points on the key's options, 0 on the others;
- a rating item is a ``choice`` whose codes are the scale's whole numbers (``system``
  ``<base>/CodeSystem/<instrument>/scales/<scale>``), ``display`` the scale's label where it
  has one, and ordinalValue the score: the number itself, or min + max - number when reversed;
- an open question is a ``text`` item with ``maxLength``.

Scores alone are ambiguous (a rating on 0..1 scores like a keyed item with key "1"), so each
question also carries imheval's extension ``https://imheval.org/fhir/StructureDefinition/question``
(``kind`` keyed/rating/open, ``scale``, ``reverse``, ``form``, ``concept``), each group
``.../domain`` (``id``, ``description``, ``kirkpatrickLevel``) and the Questionnaire
``.../instrument`` (``id``, ``level``, ``form``). FHIR tools ignore extensions they do not know,
so the Questionnaire runs anywhere; imheval's reader uses them to give back the same instrument.

Not carried (FHIR has no place a renderer would use): misconceptions, competencies and their
framework, evidence. Terms worded per jurisdiction (``{health_visitor}``) are written in their
default words; to write another jurisdiction's, pass ``instrument.in_jurisdiction(...)``.
"""

from __future__ import annotations

import json
from typing import Any

from imheval.instruments import Instrument, KeyedItem, OpenItem, RatingItem
from imheval.instruments.model import Domain, RatingScale
from imheval.interop._wording import in_default_words
from imheval.interop.fhir._resource import (
    EXT_DOMAIN,
    EXT_INSTRUMENT,
    EXT_QUESTION,
    IMHEVAL_FHIR,
)

__all__ = ["write_questionnaire"]

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
_TIMEPOINTS = (
    ("pre", "Before the training"),
    ("post", "After the training"),
    ("followup", "Follow-up, some time after the training"),
)


def write_questionnaire(instrument: Instrument, *, canonical_base: str = IMHEVAL_FHIR) -> str:
    """The FHIR R4 Questionnaire (JSON text) of ``instrument``, with ordinalValue scores (see
    the module docstring). ``canonical_base`` is the start of the Questionnaire's ``url`` and of
    its answer codes' systems (an organisation's own, e.g. ``https://fhir.example.nhs.uk``);
    the imheval extensions keep imheval's URLs whatever it is."""
    base = canonical_base.rstrip("/")
    instrument = in_default_words(instrument)
    item_ids = {q.id.casefold() for q in instrument.questions}
    code_link = _free("code", item_ids)
    timepoint_link = _free("timepoint", item_ids)
    taken = item_ids | {code_link.casefold(), timepoint_link.casefold()}
    items: list[dict[str, Any]] = [
        {
            "extension": [_question_marks("code")],
            "linkId": code_link,
            "text": "Your self-generated code",
            "type": "string",
            "required": True,
        },
        {
            "extension": [_question_marks("timepoint")],
            "linkId": timepoint_link,
            "text": "When are you answering?",
            "type": "choice",
            "required": True,
            "answerOption": [
                {"valueCoding": {"system": f"{base}/CodeSystem/timepoint", "code": c, "display": d}}
                for c, d in _TIMEPOINTS
            ],
        },
    ]
    for domain in instrument.domains:
        questions = [q for q in instrument.questions if q.domain == domain.id]
        if not questions:
            continue
        link = _free(domain.id, taken, prefix="domain-")
        taken.add(link.casefold())
        items.append(
            {
                "extension": [_domain_marks(domain)],
                "linkId": link,
                "text": domain.label,
                "type": "group",
                "item": [_question(instrument, q, base) for q in questions],
            }
        )
    items.extend(
        _question(instrument, q, base)
        for q in instrument.questions
        if isinstance(q, OpenItem) and q.domain is None
    )
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": _resource_id(instrument.id),
        "extension": [_instrument_marks(instrument)],
        "url": f"{base}/Questionnaire/{instrument.id}",
        "version": instrument.version,
        "name": _computable_name(instrument.id),
        "title": instrument.title,
        "status": "active",
        "language": instrument.language,
    }
    if instrument.description:
        resource["description"] = instrument.description
    resource["item"] = items
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"


def _question(
    instrument: Instrument,
    question: KeyedItem | RatingItem | OpenItem,
    base: str,
) -> dict[str, Any]:
    item: dict[str, Any]
    if isinstance(question, OpenItem):
        marks = _question_marks("open", form=question.form)
        return {
            "extension": [marks],
            "linkId": question.id,
            "text": question.text,
            "type": "text",
            "maxLength": question.max_length,
        }
    if isinstance(question, KeyedItem):
        system = f"{base}/CodeSystem/{instrument.id}/{question.id}"
        options = [
            _option(system, code, label, question.points if code in question.key else 0)
            for code, label in question.options.items()
        ]
        marks = _question_marks("keyed", form=question.form, concept=question.concept)
    else:
        scale = instrument.scales[question.scale]
        system = f"{base}/CodeSystem/{instrument.id}/scales/{question.scale}"
        options = [
            _option(
                system,
                str(value),
                scale.labels.get(value),
                _score(scale, value, reverse=question.reverse),
            )
            for value in range(scale.min, scale.max + 1)
        ]
        marks = _question_marks(
            "rating",
            scale=question.scale,
            reverse=question.reverse,
            form=question.form,
            concept=question.concept,
        )
    item = {
        "extension": [marks],
        "linkId": question.id,
        "text": question.text,
        "type": "choice",
        "required": True,
        "answerOption": options,
    }
    return item


def _score(scale: RatingScale, value: int, *, reverse: bool) -> int:
    return scale.min + scale.max - value if reverse else value


def _option(system: str, code: str, display: str | None, score: float) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display is not None:
        coding["display"] = display
    return {
        "extension": [{"url": ORDINAL_VALUE, "valueDecimal": _number(score)}],
        "valueCoding": coding,
    }


def _number(value: float) -> int | float:
    """A score as JSON writes it best: 1 rather than 1.0, 0.5 as it is."""
    return int(value) if float(value).is_integer() else float(value)


def _instrument_marks(instrument: Instrument) -> dict[str, Any]:
    nested: list[dict[str, Any]] = [{"url": "id", "valueString": instrument.id}]
    nested += [{"url": "level", "valueCode": level.value} for level in instrument.levels]
    for form in instrument.forms:
        parts: list[dict[str, Any]] = [{"url": "id", "valueString": form.id}]
        if form.label:
            parts.append({"url": "label", "valueString": form.label})
        nested.append({"url": "form", "extension": parts})
    return {"url": EXT_INSTRUMENT, "extension": nested}


def _domain_marks(domain: Domain) -> dict[str, Any]:
    nested: list[dict[str, Any]] = [{"url": "id", "valueString": domain.id}]
    if domain.description:
        nested.append({"url": "description", "valueString": domain.description})
    nested.append({"url": "kirkpatrickLevel", "valueInteger": domain.kirkpatrick_level})
    if domain.barr_level is not None:
        nested.append({"url": "barrLevel", "valueString": domain.barr_level})
    return {"url": EXT_DOMAIN, "extension": nested}


def _question_marks(
    kind: str,
    *,
    scale: str | None = None,
    reverse: bool = False,
    form: str | None = None,
    concept: str = "",
) -> dict[str, Any]:
    nested: list[dict[str, Any]] = [{"url": "kind", "valueCode": kind}]
    if scale is not None:
        nested.append({"url": "scale", "valueString": scale})
        nested.append({"url": "reverse", "valueBoolean": reverse})
    if form:
        nested.append({"url": "form", "valueString": form})
    if concept:
        nested.append({"url": "concept", "valueString": concept})
    return {"url": EXT_QUESTION, "extension": nested}


def _free(name: str, taken: set[str], *, prefix: str = "imheval-") -> str:
    """``name``, or ``prefix + name`` when an item already uses it (ids compared ignoring case)."""
    candidate = name
    while candidate.casefold() in taken:
        candidate = prefix + candidate
    return candidate


def _resource_id(instrument_id: str) -> str:
    """A FHIR resource id (letters, digits, ``-`` and ``.``, at most 64) for the instrument."""
    return "".join(c if c.isalnum() or c in "-." else "-" for c in instrument_id)[:64]


def _computable_name(instrument_id: str) -> str:
    """A FHIR computable name (``ImhCore`` for ``imh-core``): a capital letter, then letters,
    digits and ``_``."""
    parts = [p for p in instrument_id.replace("-", " ").replace(".", " ").split() if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Instrument"
    return name if name[0].isalpha() else "Q" + name
