"""An instrument in its default wording, for the systems that have no jurisdictions.

REDCap, LimeSurvey and FHIR each hold one wording of a question, so the exporters write every
``{term}`` (``{health_visitor}``) in its default words. :meth:`Instrument.in_jurisdiction` does
not serve: it takes a jurisdiction (the default words are not one) and keeps ``wording``.
"""

from __future__ import annotations

from typing import Any

from imheval.instruments import Instrument, KeyedItem
from imheval.instruments.model import DEFAULT_WORDING, TERM

__all__ = ["in_default_words"]


def in_default_words(instrument: Instrument) -> Instrument:
    """``instrument`` with every ``{term}`` in its title, description, domains, scale labels,
    questions and options replaced by the term's default words, and ``wording`` emptied (ids,
    codes and keys unchanged). An instrument without wording is returned as it is."""
    if not instrument.wording:
        return instrument
    words = {term: texts[DEFAULT_WORDING] for term, texts in instrument.wording.items()}

    def say(text: str) -> str:
        return TERM.sub(lambda match: words.get(match.group(1), match.group(0)), text)

    questions = []
    for question in instrument.questions:
        update: dict[str, Any] = {"text": say(question.text)}
        if isinstance(question, KeyedItem):
            update["options"] = {code: say(label) for code, label in question.options.items()}
        questions.append(question.model_copy(update=update))
    return instrument.model_copy(
        update={
            "title": say(instrument.title),
            "description": say(instrument.description),
            "domains": tuple(
                d.model_copy(update={"label": say(d.label), "description": say(d.description)})
                for d in instrument.domains
            ),
            "scales": {
                name: s.model_copy(update={"labels": {k: say(v) for k, v in s.labels.items()}})
                for name, s in instrument.scales.items()
            },
            "questions": tuple(questions),
            "wording": {},
        }
    )
