"""Builders for the FHIR tests (tests/interop/test_fhir_*.py): sources from JSON objects,
QuestionnaireResponses and Bundles, a hand-made instrument that uses every feature the export
must carry, and what a round trip through a FHIR Questionnaire should give back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.shared_fixtures import shared_fixture

from imheval.instruments import Instrument, KeyedItem, RatingItem
from imheval.instruments.model import DEFAULT_WORDING, TERM
from imheval.interop.model import SourceFile

DATA = Path(__file__).parent / "data" / "fhir"


def real(name: str) -> SourceFile:
    """A real FHIR file from ../shared/fixtures/interop/real/fhir/, read in place."""
    return SourceFile.read(shared_fixture("interop", "real", "fhir", name))


def shared(name: str) -> SourceFile:
    """One of the small shared FHIR examples in ../shared/fixtures/interop/."""
    return SourceFile.read(shared_fixture("interop", name))


def local(name: str) -> SourceFile:
    """One of this suite's own FHIR files (tests/interop/data/fhir/)."""
    return SourceFile.read(DATA / name)


def source(name: str, resource: object) -> SourceFile:
    """A file named ``name`` holding ``resource`` as JSON."""
    return SourceFile(name=name, data=json.dumps(resource, indent=1).encode("utf-8"))


def coding(code: str, system: str | None = None, display: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"code": code}
    if system:
        value["system"] = system
    if display:
        value["display"] = display
    return {"valueCoding": value}


def response(
    answers: dict[str, dict[str, Any] | list[dict[str, Any]]],
    *,
    questionnaire: str | None = None,
    status: str = "completed",
    group: dict[str, list[str]] | None = None,
    tags: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A QuestionnaireResponse answering ``answers`` (linkId -> one answer or a list); the
    linkIds named in ``group`` (group linkId -> its items) are nested in that group."""
    grouped = {link for links in (group or {}).values() for link in links}

    def item(link: str) -> dict[str, Any]:
        given = answers[link]
        return {"linkId": link, "answer": given if isinstance(given, list) else [given]}

    items: list[dict[str, Any]] = [item(link) for link in answers if link not in grouped]
    for name, links in (group or {}).items():
        items.append({"linkId": name, "item": [item(link) for link in links if link in answers]})
    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "status": status}
    if questionnaire:
        resource["questionnaire"] = questionnaire
    if tags:
        resource["meta"] = {
            "tag": [{"system": "https://example.org/waves", "code": t} for t in tags]
        }
    resource.update(extra)
    resource["item"] = items
    return resource


def bundle(resources: list[dict[str, Any]], kind: str = "collection") -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {"fullUrl": f"urn:uuid:00000000-0000-0000-0000-{n:012d}", "resource": r}
            for n, r in enumerate(resources, start=1)
        ],
    }


def handmade() -> Instrument:
    """An instrument with what a FHIR export must carry: three domains, two scales (one with
    labels on every point, one on its ends), forward and reverse ratings on both, a 0..1 rating
    (which scores exactly like a keyed item), keyed items with one and several right answers,
    points 2 and 0.5, whole-number option codes whose scores equal the codes, open questions in
    a domain and outside any, parallel forms, concepts, and a term worded per jurisdiction."""
    return Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "hand_made.v2",
            "version": "3.1.4",
            "title": "Hand-made check for {health_visitor}s",
            "description": "Everything a FHIR export must carry.",
            "language": "en-GB",
            "levels": ["beginner", "advanced"],
            "domains": [
                {"id": "knowledge", "label": "Knowledge", "description": "What people know."},
                {"id": "confidence", "label": "Confidence", "kirkpatrick_level": 2},
                {"id": "reaction", "label": "Reaction", "kirkpatrick_level": 1},
            ],
            "scales": {
                "agree": {
                    "min": 1,
                    "max": 5,
                    "labels": {
                        1: "Strongly disagree",
                        2: "Disagree",
                        3: "Neither",
                        4: "Agree",
                        5: "Strongly agree",
                    },
                },
                "can_do": {"min": 0, "max": 10, "labels": {0: "Cannot", 10: "Certainly can"}},
                "binary": {"min": 0, "max": 1, "labels": {0: "Not yet", 1: "Yes"}},
            },
            "forms": [{"id": "A", "label": "Form A"}, {"id": "B", "label": "Form B"}],
            "wording": {"health_visitor": {"default": "health visitor", "ireland": "PHN"}},
            "items": [
                {
                    "id": "k1",
                    "domain": "knowledge",
                    "text": "Who should a {health_visitor} call first?",
                    "options": {"a": "The GP", "b": "The family", "c": "Nobody"},
                    "key": "b",
                    "concept": "first_contact",
                    "form": "A",
                },
                {
                    "id": "k2",
                    "domain": "knowledge",
                    "text": "Which are signs of stress?",
                    "options": {"a": "Looking away", "b": "Arching", "c": "Cooing", "d": "Smiling"},
                    "key": ["a", "b"],
                    "points": 2,
                    "form": "B",
                },
                {
                    "id": "k3",
                    "domain": "knowledge",
                    "text": "Is this true?",
                    "options": {"0": "False", "1": "True"},
                    "key": "1",
                    "misconceptions": {"0": "thinks it is false"},
                },
                {
                    "id": "k4",
                    "domain": "knowledge",
                    "text": "Pick the best reply",
                    "options": {"1": "One", "2": "Two", "3": "Three"},
                    "key": ["2"],
                    "points": 0.5,
                },
                {
                    "id": "open_know",
                    "kind": "open",
                    "domain": "knowledge",
                    "text": "What did you learn?",
                    "max_length": 400,
                },
                {
                    "id": "c1",
                    "domain": "confidence",
                    "text": "I can spot distress",
                    "scale": "agree",
                },
                {
                    "id": "c2",
                    "domain": "confidence",
                    "text": "I feel out of my depth",
                    "scale": "agree",
                    "reverse": True,
                },
                {"id": "c3", "domain": "confidence", "text": "I can refer on", "scale": "can_do"},
                {
                    "id": "c4",
                    "domain": "confidence",
                    "text": "I avoid the subject",
                    "scale": "can_do",
                    "reverse": True,
                },
                {
                    "id": "r1",
                    "domain": "reaction",
                    "text": "I would recommend it",
                    "scale": "binary",
                },
                {"id": "code_of_practice", "kind": "open", "text": "Which code of practice?"},
                {"id": "anything_else", "kind": "open", "text": "Anything else?"},
            ],
        }
    )


def as_exported(instrument: Instrument) -> Instrument:
    """``instrument`` as a FHIR Questionnaire carries it: terms in their default words (the
    wording itself is not carried), and no framework, competencies, evidence or
    misconceptions (FHIR has no place for them)."""
    words = {t: texts.get(DEFAULT_WORDING, t) for t, texts in instrument.wording.items()}

    def say(text: str) -> str:
        return TERM.sub(lambda match: words[match.group(1)], text)

    questions = []
    for question in instrument.questions:
        update: dict[str, Any] = {"text": say(question.text)}
        if isinstance(question, KeyedItem):
            update |= {
                "options": {code: say(label) for code, label in question.options.items()},
                "misconceptions": {},
                "competencies": (),
                "evidence": (),
            }
        elif isinstance(question, RatingItem):
            update |= {"competencies": (), "evidence": ()}
        questions.append(question.model_copy(update=update))
    return instrument.model_copy(
        update={
            "title": say(instrument.title),
            "description": say(instrument.description),
            "domains": tuple(
                d.model_copy(update={"label": say(d.label), "description": say(d.description)})
                for d in instrument.domains
            ),
            "framework": "",
            "wording": {},
            "questions": tuple(questions),
        }
    )
