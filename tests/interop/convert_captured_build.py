"""Data captured in another system with an imheval instrument that system had to rename, for the
tests of reading it back with the instrument (``convert(..., instrument=...)``, ``-i``):
tests/interop/test_convert_captured.py and tests/test_cli_convert_captured.py.

The instrument's ids have upper case, hyphens and dots (REDCap lower-cases field names and has
no ``-`` or ``.``; LimeSurvey codes are letters and digits); its option codes have spaces,
hyphens, dots and are long (REDCap writes them 1..n, LimeSurvey A1..); its scale runs -2..2
(LimeSurvey writes ``m2``); one option's label is written the same as another option's code (a
Forms download holds the label, which must win).

Each system's export is built from the file imheval exported for it, read here with csv, json
and lxml, never with imheval's readers: an answer is found by its label (keyed) or number
(rating), as the person saw it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from tests.interop.fhir_build import bundle, coding, response
from tests.interop.limesurvey_helpers import limesurvey_export
from tests.interop.msforms_build import Asked, download, xlsx

from imheval.instruments import Instrument, KeyedItem, RatingItem
from imheval.interop.convert import export_instrument
from imheval.interop.model import SourceFile, System


def odd_instrument() -> Instrument:
    """Every name another system must change (see the module docstring)."""
    return Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "IMH-Odd.v2",
            "version": "1.2.0",
            "title": "Odd names",
            "levels": ["beginner", "intermediate", "advanced"],
            "domains": [
                {"id": "Know-ledge", "label": "Knowledge"},
                {"id": "self.efficacy", "label": "Self-efficacy"},
            ],
            "scales": {
                "Agree-5": {
                    "min": -2,
                    "max": 2,
                    "labels": {-2: "Strongly disagree", 2: "Strongly agree"},
                }
            },
            "items": [
                {
                    "id": "KA-01.a",
                    "domain": "Know-ledge",
                    "text": "Brain growth is fastest",
                    "options": {
                        "a-1": "Conception to age 3",
                        "b.2": "Age 3 to 5",
                        # labelled as the first option's code
                        "Later_years": "a-1",
                    },
                    "key": "a-1",
                },
                {
                    "id": "KB.02",
                    "domain": "Know-ledge",
                    "text": "Which is a sign of distress?",
                    "options": {
                        "Gaze aversion": "Turning away",
                        "Arching": "Arching the back",
                        "Smiling": "Smiling",
                    },
                    "key": ["Gaze aversion", "Arching"],
                    "points": 2,
                },
                {
                    "kind": "rating",
                    "id": "SE-1",
                    "domain": "self.efficacy",
                    "text": "I feel confident",
                    "scale": "Agree-5",
                },
                {
                    "kind": "rating",
                    "id": "SE.2",
                    "domain": "self.efficacy",
                    "text": "I feel lost",
                    "scale": "Agree-5",
                    "reverse": True,
                },
                {"kind": "open", "id": "Why.Not", "text": "Anything else?"},
            ],
        }
    )


#: Who answered what, in imheval's terms: (code, timepoint, answers by item id).
PEOPLE: tuple[tuple[str, str, Mapping[str, str]], ...] = (
    (
        "AB12",
        "pre",
        {"KA-01.a": "a-1", "KB.02": "Arching", "SE-1": "2", "SE.2": "-2", "Why.Not": "Lots"},
    ),
    (
        "CD34",
        "pre",
        {"KA-01.a": "Later_years", "KB.02": "Gaze aversion", "SE-1": "-1", "SE.2": "0"},
    ),
    (
        "AB12",
        "post",
        {"KA-01.a": "b.2", "KB.02": "Smiling", "SE-1": "0", "SE.2": "1", "Why.Not": 'a, "b"'},
    ),
)


def expected_rows(instrument: Instrument) -> list[list[str]]:
    """The tidy frame's participant, timepoint and item columns the reading must give."""
    ids = [question.id for question in instrument.questions]
    return [[code, tp, *(answers.get(i, "") for i in ids)] for code, tp, answers in PEOPLE]


def _shown(instrument: Instrument, item: str, answer: str) -> str:
    """What the person saw and chose: a keyed option's label, a rating's label or number."""
    question = next(q for q in instrument.questions if q.id == item)
    if isinstance(question, KeyedItem):
        return question.options[answer]
    if isinstance(question, RatingItem):
        return instrument.scales[question.scale].labels.get(int(answer), answer)
    return answer


# ---------------------------------------------------------------------------------------------
# REDCap: a flat record export, raw codes (or labels), events for the timepoints


def redcap_records(instrument: Instrument, *, labels: bool = False) -> SourceFile:
    dictionary = export_instrument(instrument, System.REDCAP).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(dictionary)))
    fields: list[tuple[str, str, dict[str, str]]] = []  # name, label, choice label -> raw
    form = rows[1][1]
    for row in rows[1:]:
        name, kind, label, choices = row[0], row[3], row[4], row[5]
        if kind in ("calc", "descriptive") or name == "record_id":
            continue
        options = {}
        for choice in choices.split(" | ") if kind == "radio" else []:
            raw, _, text = choice.partition(", ")
            options[text] = raw
        fields.append((name, label, options))
    by_text = {q.text: q.id for q in instrument.questions}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["record_id", "redcap_event_name", *(f[0] for f in fields), f"{form}_complete"])
    records = {"AB12": "1", "CD34": "2"}
    for code, timepoint, answers in PEOPLE:
        cells = [records[code], f"{timepoint}_arm_1"]
        for name, label, options in fields:
            if name == "code":
                cells.append(code)
                continue
            item = by_text[label]
            answer = answers.get(item, "")
            if answer and options:
                shown = _shown(instrument, item, answer)
                cells.append(shown if labels else options[shown])
            else:
                cells.append(answer)
        writer.writerow([*cells, "Complete" if labels else "2"])
    return SourceFile("records.csv", out.getvalue().encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# LimeSurvey: a response export (code headings, or full-text headings and answer texts)


def limesurvey_responses(instrument: Instrument, *, full_text: bool = False) -> SourceFile:
    lss = export_instrument(instrument, System.LIMESURVEY).data.decode("utf-8")
    responses = [
        {"code": code, "timepoint": timepoint, **answers} for code, timepoint, answers in PEOPLE
    ]
    data = limesurvey_export(lss, instrument, responses, full_text=full_text)
    return SourceFile("results-survey.csv", data)


# ---------------------------------------------------------------------------------------------
# FHIR: a Bundle of QuestionnaireResponses answering the exported Questionnaire


def _items(items: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for item in items:
        found[item["linkId"]] = item
        found.update(_items(item.get("item", [])))
    return found


def fhir_bundle(instrument: Instrument) -> SourceFile:
    questionnaire = json.loads(export_instrument(instrument, System.FHIR).data)
    items = _items(questionnaire["item"])
    groups = {
        item["linkId"]: [child["linkId"] for child in item.get("item", [])]
        for item in questionnaire["item"]
        if item["type"] == "group"
    }
    canonical = f"{questionnaire['url']}|{questionnaire['version']}"
    resources = []
    for code, timepoint, answers in PEOPLE:
        given: dict[str, Any] = {"code": {"valueString": code}}
        timepoints = items["timepoint"]["answerOption"]
        given["timepoint"] = next(o for o in timepoints if o["valueCoding"]["code"] == timepoint)
        for item, answer in answers.items():
            if not answer:
                continue
            options = items[item].get("answerOption")
            if not options:
                given[item] = {"valueString": answer}
                continue
            shown = _shown(instrument, item, answer)
            chosen = next(
                o["valueCoding"]
                for o in options
                if o["valueCoding"].get("display", o["valueCoding"]["code"]) == shown
            )
            given[item] = coding(chosen["code"], chosen["system"], chosen.get("display"))
        grouped = {
            name: [link for link in links if link in given] for name, links in groups.items()
        }
        resources.append(response(given, questionnaire=canonical, group=grouped))
    data = json.dumps(bundle(resources), indent=1).encode("utf-8")
    return SourceFile("responses.json", data)


# ---------------------------------------------------------------------------------------------
# Microsoft Forms: one download per timepoint, answers as the labels people chose


def forms_downloads(instrument: Instrument) -> list[SourceFile]:
    files = []
    for timepoint in ("pre", "post"):
        people = [(code, answers) for code, tp, answers in PEOPLE if tp == timepoint]
        asked = [Asked("Your self-generated code", [code for code, _ in people])]
        for question in instrument.questions:
            asked.append(
                Asked(
                    question.text,
                    [
                        _shown(instrument, question.id, answers.get(question.id, ""))
                        if answers.get(question.id)
                        else ""
                        for _, answers in people
                    ],
                )
            )
        files.append(xlsx(download(asked), f"{timepoint}.xlsx"))
    return files
