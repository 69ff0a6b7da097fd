"""Helpers for the LimeSurvey tests: a hand-made instrument that uses everything a writer must
keep, the instrument as a LimeSurvey survey shows it, and response exports in LimeSurvey's shape
built from a written .lss (read here with lxml, not with imheval's reader)."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from imheval.instruments import Instrument, KeyedItem
from imheval.instruments.model import DEFAULT_WORDING, TERM

LIMESURVEY_DATA = "tests/interop/data/limesurvey"


def handmade_instrument() -> Instrument:
    """Reverse ratings, four scales (one negative, one 0..1), multi-code keys, points 2 and
    1.5, option codes LimeSurvey cannot hold, ids with dots and hyphens that clash once made
    alphanumeric, interleaved domains, open questions with and without a domain, and texts with
    HTML characters, braces, line breaks and double spaces."""
    return Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "hand-made.test",
            "version": "3.1.4",
            "title": "Hand-made <test> & check",
            "description": "Two lines:\nthe second  with two spaces.",
            "language": "en-GB",
            "levels": ["intermediate", "advanced"],
            "domains": [
                {
                    "id": "knowledge",
                    "label": "Knowledge & skills",
                    "description": "What they know.",
                },
                {"id": "confidence", "label": "Confidence", "kirkpatrick_level": 3},
                {"id": "att.itude", "label": "Attitudes"},
            ],
            "scales": {
                "agree5": {
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
                "certainty": {"min": 0, "max": 10, "labels": {0: "Not sure", 10: "Certain"}},
                "bipolar": {"min": -2, "max": 2, "labels": {-2: "Much worse", 2: "Much better"}},
                "yes_no": {"min": 0, "max": 1, "labels": {0: "No", 1: "Yes"}},
            },
            "items": [
                {
                    "id": "k-1.a",
                    "domain": "knowledge",
                    "text": "Which age is {Not a term}?",
                    "options": {"a": "Birth", "b": "One", "c": "Two", "d": "Three"},
                    "key": "b",
                },
                {
                    "id": "k_1a",
                    "domain": "knowledge",
                    "text": "Pick both right answers: A < B & C",
                    "options": {"opt-1": "A < B", "opt 2": "B & C", "3": "Three", "x": "None"},
                    "key": ["opt-1", "3"],
                    "points": 2,
                },
                {"id": "c1", "domain": "confidence", "text": "I can listen.", "scale": "agree5"},
                {
                    "id": "c2",
                    "domain": "confidence",
                    "text": "I avoid hard talks.",
                    "scale": "agree5",
                    "reverse": True,
                },
                {"id": "c3", "domain": "confidence", "text": "I can ask.", "scale": "agree5"},
                {
                    "id": "k3",
                    "domain": "knowledge",
                    "text": "Case matters",
                    "options": {"A": "Upper", "a": "Lower", "b": "Other"},
                    "key": "a",
                    "points": 1.5,
                },
                {"id": "att.1", "domain": "att.itude", "text": "Change", "scale": "bipolar"},
                {"id": "att.2", "domain": "att.itude", "text": "Agreed?", "scale": "yes_no"},
                {
                    "id": "att.3",
                    "domain": "att.itude",
                    "text": "How sure?",
                    "scale": "certainty",
                    "reverse": True,
                },
                {
                    "kind": "open",
                    "id": "o1",
                    "domain": "knowledge",
                    "text": "First line\nSecond  line {with braces}",
                },
                {"kind": "open", "id": "o2", "text": "Anything else?", "max_length": 300},
                {"id": "c4", "domain": "confidence", "text": "Sure overall?", "scale": "certainty"},
            ],
        }
    )


def as_limesurvey_keeps(instrument: Instrument) -> dict[str, Any]:
    """What a LimeSurvey round trip must give back, to compare: the instrument with wording
    terms in their default words, without the fields LimeSurvey has no place for (an instrument
    read back has them empty); parallel forms and concepts are kept."""
    words = {term: texts[DEFAULT_WORDING] for term, texts in instrument.wording.items()}

    def say(text: str) -> str:
        return TERM.sub(lambda m: words.get(m.group(1), m.group(0)), text) if words else text

    data = instrument.model_dump(
        exclude={"framework", "wording"},
        by_alias=True,
    )
    data["title"] = say(data["title"])
    data["description"] = say(data["description"])
    for domain in data["domains"]:
        domain["label"] = say(domain["label"])
        domain["description"] = say(domain["description"])
    for scale in data["scales"].values():
        scale["labels"] = {k: say(v) for k, v in scale["labels"].items()}
    for item in data["items"]:
        for lost in ("misconceptions", "competencies", "evidence"):
            item.pop(lost, None)
        item["text"] = say(item["text"])
        if item["kind"] == "keyed":
            item["options"] = {k: say(v) for k, v in item["options"].items()}
    return data


def _cdata(row: Any, name: str) -> str:
    return row.findtext(name) or ""


def survey_layout(lss: str) -> dict[str, Any]:
    """The written survey as LimeSurvey holds it: its columns in a response export (code
    headings and full-text headings, in order) and each question's answers (code, text)."""
    root = etree.fromstring(lss.encode("utf-8"))
    texts = {
        _cdata(r, "qid"): _cdata(r, "question") for r in root.iterfind("question_l10ns/rows/row")
    }
    answer_text = {
        _cdata(r, "aid"): _cdata(r, "answer") for r in root.iterfind("answer_l10ns/rows/row")
    }
    answers: dict[str, list[tuple[str, str]]] = {}
    for row in sorted(root.iterfind("answers/rows/row"), key=lambda r: int(_cdata(r, "sortorder"))):
        answers.setdefault(_cdata(row, "qid"), []).append(
            (_cdata(row, "code"), plain(answer_text[_cdata(row, "aid")]))
        )
    groups = {
        _cdata(r, "gid"): int(_cdata(r, "group_order")) for r in root.iterfind("groups/rows/row")
    }
    parents = sorted(
        root.iterfind("questions/rows/row"),
        key=lambda r: (groups[_cdata(r, "gid")], int(_cdata(r, "question_order"))),
    )
    subs: dict[str, list[Any]] = {}
    for row in root.iterfind("subquestions/rows/row"):
        subs.setdefault(_cdata(row, "parent_qid"), []).append(row)
    columns: list[dict[str, Any]] = []
    for row in parents:
        qid, kind, title = _cdata(row, "qid"), _cdata(row, "type"), _cdata(row, "title")
        if kind == "X":
            continue
        stem = plain(texts[qid])
        options = answers.get(qid, [])
        rows = sorted(subs.get(qid, []), key=lambda r: int(_cdata(r, "question_order")))
        if rows:
            for sub in rows:
                columns.append(
                    {
                        "code": f"{title}[{_cdata(sub, 'title')}]",
                        "text": f"{stem} [{plain(texts[_cdata(sub, 'qid')])}]",
                        "options": options,
                    }
                )
        else:
            columns.append({"code": title, "text": stem, "options": options})
    return {"columns": columns}


def plain(value: str) -> str:
    """LimeSurvey's flattened text of HTML (as its exports head columns)."""
    text = re.sub(r"<br\s*/?>", " ", value)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(html.unescape(text).replace("\xa0", " ").split())


def limesurvey_export(
    lss: str,
    instrument: Instrument,
    responses: Sequence[Mapping[str, str]],
    *,
    full_text: bool = False,
    extra: Mapping[str, Sequence[str]] | None = None,
) -> bytes:
    """A CSV response export of the survey ``lss`` (written from ``instrument``), as LimeSurvey
    writes one: its own columns first, then one column per question; each response gives
    ``code``, ``timepoint`` (pre/post/fu), ``submitted`` ("" for not finished) and the imheval
    answer of each item (an option code, a rating number, a text). With ``full_text`` the
    headings are the question texts and the answers their texts (the "R (data file)" way)."""
    layout = survey_layout(lss)["columns"]
    system = ["id", "submitdate", "lastpage", "startlanguage", "seed", "token", "ipaddr"]
    if full_text:
        system = [
            "Response ID",
            "Date submitted",
            "Last page",
            "Start language",
            "Seed",
            "Token",
            "IP address",
        ]
    heading = "text" if full_text else "code"
    header = system + [column[heading] for column in layout] + ["interviewtime"]
    extra = extra or {}
    header += list(extra)
    items = list(instrument.questions)
    # The first two columns are the code and the timepoint; then one per question, in order.
    question_columns = layout[2:]
    assert len(question_columns) == len(items)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for number, response in enumerate(responses, start=1):
        cells = [
            str(number),
            response.get("submitted", "2026-03-04 10:00:00"),
            "3",
            "en",
            str(1000 + number),
            f"tok{number}",
            "192.0.2.7",
        ]
        cells.append(_as_exported(layout[0], response["code"], full_text))
        cells.append(_as_exported(layout[1], response["timepoint"], full_text))
        for column, item in zip(question_columns, items, strict=True):
            cells.append(_exported_answer(column, item, response.get(item.id, ""), full_text))
        cells.append("123.4")
        cells += [values[number - 1] for values in extra.values()]
        writer.writerow(cells)
    writer.writerow([])
    return out.getvalue().encode("utf-8")


def _as_exported(column: Mapping[str, Any], value: str, full_text: bool) -> str:
    if not column["options"] or not full_text:
        return value
    return dict(column["options"]).get(value, value)


def _exported_answer(column: Mapping[str, Any], item: Any, answer: str, full_text: bool) -> str:
    if answer == "" or not column["options"]:
        return answer
    options: list[tuple[str, str]] = column["options"]
    if isinstance(item, KeyedItem):
        position = list(item.options).index(answer)
    else:
        first = options[0][0]
        low = -int(first[1:]) if first.startswith("m") else int(first)
        position = int(answer) - low
    code, text = options[position]
    return text if full_text else code
