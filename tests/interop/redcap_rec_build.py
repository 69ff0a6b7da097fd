"""Hand-built REDCap structures for the record reader's tests (test_redcap_records*.py).

``knowledge_structure()`` is the InstrumentImport of ../shared/fixtures/interop/
redcap_data_dictionary.csv as helper A's dictionary reader is meant to build it, with one
change: the checkbox ``roles`` is keyed (Health visiting is right) so that checkbox columns are
read; in the dictionary itself nothing scores it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from imheval.instruments import Instrument
from imheval.interop.model import AnswerMap, InstrumentImport, SourceFile, System

K1_OPTIONS = {
    "1": "Conception to age 3",
    "2": "Age 3 to 5",
    "3": "Age 5 to 11",
    "4": "Adolescence",
}
AGREE = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither",
    4: "Agree",
    5: "Strongly agree",
}
ROLES = {
    "1": "Adult mental health",
    "2": "Children's services",
    "3": "Health visiting",
    "4": "Midwifery",
}
K1_TEXT = "The period of most rapid brain growth is"
SE1_TEXT = "I feel confident talking to parents about their baby's emotional needs"
SE2_TEXT = "I can recognise a stressed infant"
ROLES_TEXT = "Which services do you work in?"
COMMENTS_TEXT = "Anything else?"


def codes_of(options: Mapping[str, str]) -> dict[str, str]:
    """Raw codes and labels → codes, as a dictionary reader builds an AnswerMap."""
    codes = {code: code for code in options}
    for code, label in options.items():
        codes.setdefault(label, code)
    return codes


def knowledge_instrument(*, roles: bool = True, comments: bool = False) -> Instrument:
    items: list[dict[str, object]] = [
        {
            "kind": "keyed",
            "id": "k1",
            "domain": "knowledge",
            "text": K1_TEXT,
            "options": K1_OPTIONS,
            "key": ["1"],
        },
        {
            "kind": "rating",
            "id": "se1",
            "domain": "self-efficacy",
            "text": SE1_TEXT,
            "scale": "se_grid",
        },
        {
            "kind": "rating",
            "id": "se2",
            "domain": "self-efficacy",
            "text": SE2_TEXT,
            "scale": "se_grid",
        },
    ]
    if roles:
        items.append(
            {
                "kind": "keyed",
                "id": "roles",
                "domain": "about-you",
                "text": ROLES_TEXT,
                "options": ROLES,
                "key": ["3"],
            }
        )
    if comments:
        items.append({"kind": "open", "id": "comments", "text": COMMENTS_TEXT})
    domains = [
        {"id": "knowledge", "label": "Knowledge"},
        {"id": "self-efficacy", "label": "Self-efficacy"},
    ]
    if roles:
        domains.append({"id": "about-you", "label": "About you"})
    return Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "imh_knowledge",
            "version": "1.0.0",
            "title": "imh_knowledge",
            "levels": ["beginner", "intermediate", "advanced"],
            "domains": domains,
            "scales": {"se_grid": {"min": 1, "max": 5, "labels": AGREE}},
            "items": items,
        }
    )


def knowledge_structure(
    *,
    roles: bool = True,
    comments: bool = False,
    code_field: str | None = "own_code",
    identifying: Sequence[str] = (),
    roles_columns: bool = True,
) -> InstrumentImport:
    """The shared dictionary's instrument (see the module docstring)."""
    agree = codes_of({str(k): v for k, v in AGREE.items()})
    answers = [
        AnswerMap(item="k1", source="k1", codes=codes_of(K1_OPTIONS)),
        AnswerMap(item="se1", source="se1", codes=agree),
        AnswerMap(item="se2", source="se2", codes=agree),
    ]
    if roles:
        columns = tuple(f"roles___{code}" for code in ROLES) if roles_columns else ()
        answers.append(
            AnswerMap(item="roles", source="roles", codes=codes_of(ROLES), columns=columns)
        )
    if comments:
        answers.append(AnswerMap(item="comments", source="comments"))
    return InstrumentImport(
        instrument=knowledge_instrument(roles=roles, comments=comments),
        system=System.REDCAP,
        answers=tuple(answers),
        code_field=code_field,
        identifying=tuple(identifying),
    )


def csv_source(name: str, lines: Sequence[str], *, newline: str = "\n") -> SourceFile:
    """A CSV file from its lines."""
    return SourceFile(name=name, data=(newline.join(lines) + newline).encode("utf-8"))
