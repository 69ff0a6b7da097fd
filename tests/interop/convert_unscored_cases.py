"""Questionnaires that score nothing, one per system, for the tests of keys given on the command
line (tests/interop/test_convert_unscored.py, tests/test_cli_convert_keys.py): the files (real
ones read in place; a LimeSurvey structure and a FHIR Questionnaire written into a folder), the
key of every question, how to read the responses, and each person's domain totals worked out
here from the files themselves, not by imheval.

- REDCap: redcapr's checkbox project (a real dictionary with no calc field, and its records):
  nine checkbox options, keyed as "these boxes ticked, those not".
- LimeSurvey: the hand-made structure of the real accent-recognition export
  (tests/interop/data/limesurvey/) with its two assessment values set to 0, so nothing scores,
  and that real export (62 finished responses).
- FHIR: a small R4 Questionnaire without ordinalValue (three choice questions in two groups, a
  free-text question) and a Bundle of QuestionnaireResponses.
- Microsoft Forms: the shared survey download (not a quiz).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.interop.fhir_build import bundle, coding, response
from tests.shared_fixtures import shared_fixture

from imheval.interop.model import ResponseOptions, System

LIMESURVEY_DATA = Path(__file__).parent / "data" / "limesurvey"

#: A person's domain totals (None: the domain was not measured, every answer blank).
Totals = Mapping[str, Mapping[str, float | None]]


@dataclass(frozen=True)
class Case:
    """One system's questionnaire that scores nothing, and what keying it must give."""

    system: System
    exports: tuple[Path, ...]
    structure: Path | None
    keys: Mapping[str, tuple[str, ...]]
    options: ResponseOptions
    #: The command line's options for ``options`` (not the keys).
    arguments: tuple[str, ...]
    #: The source names of the questions the refusal must list.
    questions: tuple[str, ...]
    #: The keyed instrument's question ids and domains (id, label), in order.
    item_ids: tuple[str, ...]
    domains: tuple[tuple[str, str], ...]
    totals: Totals
    #: Each keyed item's key, as the instrument holds it.
    item_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def key_arguments(self) -> list[str]:
        return [f"--key={name}={code}" for name, codes in self.keys.items() for code in codes]


def real(*parts: str) -> Path:
    return shared_fixture("interop", *parts)


# ---------------------------------------------------------------------------------------------
# REDCap


def redcap_case() -> Case:
    records = real("real", "redcap", "redcapr_checkboxes_records.csv")
    ticked = {"check_one___1", "check_two___a", "check_two___c"}
    boxes = [f"check_one___{n}" for n in range(1, 5)] + [f"check_two___{c}" for c in "abcde"]
    keys = {box: ("1" if box in ticked else "Not ticked",) for box in boxes}
    # Records 1 and 3 are complete (2 and 4 are left out as incomplete). Record 1 ticked
    # check_one___1, check_two___a and check_two___c: every box as keyed, 9. Record 3 ticked
    # check_one___1..4 and nothing of check_two: check_one___1 and check_two b, d, e right, 4.
    return Case(
        system=System.REDCAP,
        exports=(records,),
        structure=real("real", "redcap", "redcapr_checkboxes_dictionary.csv"),
        keys=keys,
        options=ResponseOptions(timepoints={records.name: "pre"}, code_field="record_id"),
        arguments=("--timepoint", f"{records.name}=pre", "--code-field", "record_id"),
        questions=tuple(boxes),
        item_ids=tuple(boxes),
        domains=(("form_2", "Form 2"),),
        totals={"1": {"form_2": 9.0}, "3": {"form_2": 4.0}},
        item_keys={box: ("1" if box in ticked else "0",) for box in boxes},
    )


# ---------------------------------------------------------------------------------------------
# LimeSurvey

_LIMESURVEY_KEYS = {
    "vr1004": ("A1",),  # Daan, by its code
    "vr1005": ("Sanne",),  # by its text
    "Geslacht": ("vrouw",),
    "opleiding": ("A3",),  # WO
    "Eindvraag": ("Y",),
}
#: The answer each key names, as the export writes it (its text).
_LIMESURVEY_RIGHT = {
    "vr1004": ("stemmen", "Daan"),
    "vr1005": ("stemmen", "Sanne"),
    "Geslacht": ("over_jou", "vrouw"),
    "opleiding": ("over_jou", "WO"),
    # The export writes Dutch Ja/Nee (LimeSurvey's Yes/No in nl): Ja is Y.
    "Eindvraag": ("einde", "Ja"),
}


def limesurvey_case(folder: Path) -> Case:
    lss = (LIMESURVEY_DATA / "accent_recognition_ls25_structure.lss").read_text("utf-8")
    scoring = "<assessment_value><![CDATA[1]]></assessment_value>"
    assert lss.count(scoring) == 2  # vr1004's and vr1005's right answers
    structure = folder / "accent_no_assessments.lss"
    structure.write_text(
        lss.replace(scoring, "<assessment_value><![CDATA[0]]></assessment_value>"), "utf-8"
    )
    export = real("real", "limesurvey", "ls_responses_code_headings_anonymised.csv")
    with export.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["submitdate"].strip()]
    totals: dict[str, dict[str, float | None]] = {}
    for row in rows:
        person: dict[str, float | None] = {}
        for domain in ("stemmen", "over_jou", "einde"):
            questions = [q for q, (d, _) in _LIMESURVEY_RIGHT.items() if d == domain]
            if all(not row[q].strip() for q in questions):
                person[domain] = None
            else:
                person[domain] = float(
                    sum(row[q].strip() == _LIMESURVEY_RIGHT[q][1] for q in questions)
                )
        totals[row["id"]] = person
    return Case(
        system=System.LIMESURVEY,
        exports=(export,),
        structure=structure,
        keys=_LIMESURVEY_KEYS,
        options=ResponseOptions(code_field="id", timepoints={export.name: "post"}),
        arguments=("--code-field", "id", "--timepoint", f"{export.name}=post"),
        questions=("Geslacht", "opleiding", "vr1004", "vr1005", "Eindvraag"),
        item_ids=("Geslacht", "opleiding", "vr1004", "vr1005", "Eindvraag"),
        domains=(("over_jou", "Over jou"), ("stemmen", "Stemmen"), ("einde", "Einde")),
        totals=totals,
        item_keys={
            "vr1004": ("A1",),
            "vr1005": ("A1",),
            "Geslacht": ("A2",),
            "opleiding": ("A3",),
            "Eindvraag": ("Y",),
        },
    )


# ---------------------------------------------------------------------------------------------
# FHIR

FHIR_URL = "https://fhir.example.org/Questionnaire/imh-quiz"


def fhir_questionnaire() -> dict[str, Any]:
    """Three choice questions in two groups and a free-text one; no scores anywhere."""

    def choice(link: str, text: str, options: list[tuple[str, str]]) -> dict[str, Any]:
        return {
            "linkId": link,
            "type": "choice",
            "text": text,
            "answerOption": [coding(code, display=label) for code, label in options],
        }

    return {
        "resourceType": "Questionnaire",
        "url": FHIR_URL,
        "version": "2",
        "name": "IMHQuiz",
        "title": "IMH quiz",
        "status": "active",
        "item": [
            {"linkId": "code", "type": "string", "text": "Your self-generated code"},
            {
                "linkId": "g-knowledge",
                "type": "group",
                "text": "Knowledge",
                "item": [
                    choice(
                        "k.1",
                        "The period of most rapid brain growth is",
                        [("a", "Conception to age 3"), ("b", "Age 3 to 5"), ("c", "Age 5 to 11")],
                    ),
                    choice("k.2", "Serve and return builds the brain", [("y", "Yes"), ("n", "No")]),
                ],
            },
            {
                "linkId": "g-practice",
                "type": "group",
                "text": "Practice",
                "item": [
                    choice(
                        "p1",
                        "When a baby turns away, the parent should",
                        [("x", "Try harder"), ("z", "Pause and wait")],
                    )
                ],
            },
            {"linkId": "why", "type": "text", "text": "Why did you come?"},
        ],
    }


#: (code, k.1, k.2, p1) of each response; "" unanswered.
FHIR_ANSWERS = (
    ("AB12", "a", "y", "z"),
    ("CD34", "b", "y", "x"),
    ("EF56", "c", "n", ""),
)


def fhir_case(folder: Path) -> Case:
    structure = folder / "imh-quiz-questionnaire.json"
    structure.write_text(json.dumps(fhir_questionnaire(), indent=1), "utf-8")
    displays = {"a": "Conception to age 3", "b": "Age 3 to 5", "c": "Age 5 to 11"}
    responses = []
    for code, k1, k2, p1 in FHIR_ANSWERS:
        answers: dict[str, Any] = {
            "code": {"valueString": code},
            # k.1 answered by its coding, k.2 by its display only, p1 by its code
            "k.1": coding(k1, display=displays[k1]),
            "k.2": {"valueCoding": {"display": {"y": "Yes", "n": "No"}[k2]}},
        }
        if p1:
            answers["p1"] = coding(p1)
        responses.append(
            response(
                answers,
                questionnaire=f"{FHIR_URL}|2",
                group={"g-knowledge": ["k.1", "k.2"], "g-practice": ["p1"]},
            )
        )
    export = folder / "responses-bundle.json"
    export.write_text(json.dumps(bundle(responses), indent=1), "utf-8")
    # Keys: k.1 a, k.2 Yes, p1 z. AB12: knowledge 2, practice 1; CD34: 1, 0; EF56: 0, not
    # measured (p1 blank).
    return Case(
        system=System.FHIR,
        exports=(export,),
        structure=structure,
        keys={"k.1": ("a",), "k.2": ("Yes",), "p1": ("Pause and wait",)},
        options=ResponseOptions(timepoints={export.name: "pre"}),
        arguments=("--timepoint", f"{export.name}=pre"),
        questions=("k.1", "k.2", "p1"),
        item_ids=("k.1", "k.2", "p1"),
        domains=(("knowledge", "Knowledge"), ("practice", "Practice")),
        totals={
            "AB12": {"knowledge": 2.0, "practice": 1.0},
            "CD34": {"knowledge": 1.0, "practice": 0.0},
            "EF56": {"knowledge": 0.0, "practice": None},
        },
        item_keys={"k.1": ("a",), "k.2": ("y",), "p1": ("z",)},
    )


# ---------------------------------------------------------------------------------------------
# Microsoft Forms

_SERVICES = "Which services do you work in?"


def forms_case() -> Case:
    export = real("msforms_export_survey.csv")
    brain = "The period of most rapid brain growth is"
    confident = "I feel confident talking to parents about their baby's emotional needs"
    keys = {
        brain: ("Conception to age 3",),
        confident: ("Agree",),
        f"{_SERVICES}: Adult mental health": ("0",),
        f"{_SERVICES}: Children's services": ("1",),
        f"{_SERVICES}: Health visiting": ("1",),
    }
    # M0367: brain right, Agree right, adult mental health ticked (keyed not ticked: wrong),
    # children's services ticked (right), health visiting not ticked (wrong): 3.
    # K1122: brain wrong, "Neither agree nor disagree" wrong, adult mental health not ticked
    # (right), children's services not ticked (wrong), health visiting ticked (right): 2.
    return Case(
        system=System.MSFORMS,
        exports=(export,),
        structure=None,
        keys=keys,
        options=ResponseOptions(timepoints={export.name: "pre"}),
        arguments=("--timepoint", f"{export.name}=pre"),
        questions=tuple(keys),
        item_ids=("q2", "q3", "q4_1", "q4_2", "q4_3"),
        domains=(("msforms_export_survey", "msforms_export_survey"),),
        totals={"M0367": {"msforms_export_survey": 3.0}, "K1122": {"msforms_export_survey": 2.0}},
    )


def cases(folder: Path) -> dict[System, Case]:
    """Every system's case, its written files in ``folder``."""
    return {
        System.REDCAP: redcap_case(),
        System.LIMESURVEY: limesurvey_case(folder),
        System.FHIR: fhir_case(folder),
        System.MSFORMS: forms_case(),
    }
