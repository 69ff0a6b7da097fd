"""Small hand-built imports for the convert tests (helper F): an instrument with questions the
source did not key, and a conversion of a few responses, without any system's reader."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from imheval.instruments import Instrument
from imheval.interop.common import tidy_frame
from imheval.interop.model import (
    AnswerMap,
    Conversion,
    InstrumentImport,
    Omission,
    ResponsesImport,
    System,
    UnkeyedQuestion,
)

OPTIONS = {"1": "Conception to age 3", "2": "Age 3 to 5", "3": "Age 5 to 11"}


def instrument() -> Instrument:
    """Two keyed questions (k1, k3), a rating (se1) and an open question (why)."""
    return Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "imh-knowledge",
            "version": "1.0.0",
            "title": "IMH knowledge",
            "levels": ["beginner", "intermediate", "advanced"],
            "domains": [
                {"id": "knowledge", "label": "Knowledge"},
                {"id": "confidence", "label": "Confidence"},
            ],
            "scales": {"agree": {"min": 1, "max": 5, "labels": {1: "Disagree", 5: "Agree"}}},
            "items": [
                {
                    "id": "k1",
                    "domain": "knowledge",
                    "text": "Brain growth?",
                    "options": OPTIONS,
                    "key": "1",
                },
                {
                    "id": "k3",
                    "domain": "knowledge",
                    "text": "Serve and return?",
                    "options": {"1": "Yes", "2": "No"},
                    "key": "1",
                },
                {"id": "se1", "domain": "confidence", "text": "I feel confident", "scale": "agree"},
                {"kind": "open", "id": "why", "text": "Why did you come?"},
            ],
        }
    )


def unkeyed(
    item: str,
    source: str,
    after: str | None,
    domain: str = "knowledge",
    options: Mapping[str, str] | None = None,
    raw: Mapping[str, str] | None = None,
) -> UnkeyedQuestion:
    options = dict(options or {"1": "Always", "2": "Sometimes", "3": "Never"})
    codes = dict(raw or {})
    for code, label in options.items():
        codes.setdefault(code, code)
        codes.setdefault(label, code)
    return UnkeyedQuestion(
        item=item,
        source=source,
        text=f"Question {source}?",
        domain=domain,
        options=options,
        answers=AnswerMap(item=item, source=source, codes=codes),
        after=after,
    )


def structure(unkeyed_questions: Sequence[UnkeyedQuestion] = ()) -> InstrumentImport:
    """The instrument as a REDCap dictionary would give it, with these questions unkeyed."""
    form = instrument()
    answers = tuple(
        AnswerMap(item=q.id, source=q.id.upper() if q.id == "se1" else q.id, codes={})
        for q in form.questions
    )
    omissions = tuple(
        Omission(
            where=f"field '{q.source}'",
            message=f"no answer key; give it with --key {q.source}=<code>",
        )
        for q in unkeyed_questions
    )
    return InstrumentImport(
        instrument=form,
        system=System.REDCAP,
        answers=answers,
        omissions=(
            Omission(where="field 'bmi'", message="a calculation imheval does not read"),
            *omissions,
        ),
        code_field="own_code",
        cohort_field="group",
        unkeyed=tuple(unkeyed_questions),
    )


def conversion(
    rows: Sequence[Mapping[str, str]],
    origins: Sequence[tuple[str, int]] | None = None,
    **responses: object,
) -> Conversion:
    """A conversion of ``rows`` (tidy records) read with :func:`structure`."""
    imported = structure()
    frame = tidy_frame(rows, [q.id for q in imported.instrument.questions])
    where = (
        tuple(origins)
        if origins is not None
        else tuple(("records.csv", n + 2) for n in range(len(rows)))
    )
    return Conversion(
        structure=imported,
        responses=ResponsesImport(frame=frame, origins=where, **responses),  # type: ignore[arg-type]
    )
