"""LimeSurvey's survey structure files read into one plain shape, whatever their generation.

A ``.lss`` (and a ``.lsg`` question-group export) is XML: ``<document>`` holds
``<LimeSurveyDocType>`` (``Survey`` or ``Group``), ``<DBVersion>``, ``<languages>``, then one
element per database table, each ``<fields><fieldname>..</fields><rows><row>..</row></rows>``
with one child per column. Three generations are read:

- old (DBVersion ~140-180, LimeSurvey 1.9x-2.0) and 2.5x (~250-260): texts and a ``language``
  column live in the base tables (``groups``, ``questions``, ``answers``), one row per language;
  subquestions are ``questions`` rows with a ``parent_qid``;
- modern (DBVersion >= ~400, LimeSurvey 4-6): the texts moved to ``group_l10ns``,
  ``question_l10ns`` and ``answer_l10ns`` (an answer's text found by its ``aid``), and
  subquestions have their own ``subquestions`` table.

LimeSurvey's tab-separated structure export (``.txt``) holds the same survey as rows of a
``class`` (``S`` survey setting, ``SL`` survey text, ``G`` group, ``Q`` question, ``SQ``
subquestion, ``A`` answer) in order, each question's subquestions and answers after it.

Only the survey's base language is kept; the others are listed. XML is parsed with entities,
DTDs and the network switched off, and a file declaring a DOCTYPE or ENTITY is refused.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from imheval.errors import DataFormatError, InstrumentError, Problem
from imheval.interop.common import decode_text, fold
from imheval.interop.model import Omission, SourceFile

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_EXPORT_STEPS = "in LimeSurvey open the survey, then Display/Export > Survey structure (.lss)"


@dataclass
class Answer:
    """One answer option of a list or array question (text as HTML)."""

    code: str
    text: str
    order: int
    assessment: int | None
    scale: int = 0


@dataclass
class Sub:
    """One subquestion (an array's row, a multiple choice's box)."""

    title: str
    text: str
    order: int
    scale: int = 0


@dataclass
class Question:
    """One question (texts as HTML, in the base language)."""

    qid: str
    gid: str
    type: str
    title: str
    text: str
    help: str
    order: int
    relevance: str
    other: bool
    attributes: dict[str, str] = field(default_factory=dict)
    subquestions: list[Sub] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    #: Where the question is in the file, for messages.
    where: str = ""


@dataclass
class Group:
    """One question group (a page)."""

    gid: str
    name: str
    description: str
    order: int
    relevance: str


@dataclass
class Survey:
    """A survey structure file read into plain values."""

    file: str
    #: ``Survey``, ``Group`` or ``tab-separated``.
    kind: str
    db_version: str
    base_language: str
    languages: tuple[str, ...]
    title: str
    description: str
    groups: list[Group]
    #: The questions (not subquestions), in the survey's order: by group, then question order.
    questions: list[Question]
    #: The qids of questions with old-style conditions (``conditions`` table).
    conditioned: set[str] = field(default_factory=set)
    omissions: list[Omission] = field(default_factory=list)


def _int(value: str, default: int = 0) -> int:
    try:
        return int(value.strip())
    except ValueError:
        return default


def _problem(file: str, message: str, where: str | None = None) -> Problem:
    return Problem(file=file, message=message, field=where)


# --- .lss / .lsg ---------------------------------------------------------------------------


def _parse_xml(source: SourceFile) -> Any:
    data = source.data
    declared = InstrumentError(
        [
            _problem(
                source.name,
                "declares a DOCTYPE or ENTITY, which LimeSurvey files never do; it was refused "
                "unread (so that no entity can be expanded). Export the survey again: "
                + _EXPORT_STEPS,
            )
        ]
    )
    if _DECLARATION.search(data):
        raise declared
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise InstrumentError(
            [
                _problem(
                    source.name,
                    f"is not well-formed XML ({error.msg}, line {error.lineno}); the file may "
                    "be cut short or damaged. Export it again: " + _EXPORT_STEPS,
                )
            ]
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise declared
    return root


def _rows(root: Any, table: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row of ``table`` as (row number from 1, column -> text)."""
    element = root.find(table)
    if element is None:
        return
    for number, row in enumerate(element.iterfind("rows/row"), start=1):
        values: dict[str, str] = {}
        for cell in row:
            if isinstance(cell.tag, str):
                values[cell.tag] = cell.text or ""
        yield number, values


def _pick_language(rows: list[dict[str, str]], base: str) -> dict[str, str]:
    """The row in the base language, else one without a language, else the first."""
    for row in rows:
        if row.get("language", "") == base:
            return row
    for row in rows:
        if not row.get("language"):
            return row
    return rows[0]


def read_lss(source: SourceFile) -> Survey:
    """The survey in a ``.lss`` or ``.lsg`` file; InstrumentError naming the file (and the
    element) for anything that is not a LimeSurvey survey or group structure."""
    root = _parse_xml(source)
    file = source.name
    if root.tag != "document":
        raise InstrumentError(
            [
                _problem(
                    file,
                    f"is XML, but not a LimeSurvey survey structure: its root element is "
                    f"<{root.tag}>, not <document>. Export the survey's structure: "
                    + _EXPORT_STEPS,
                    f"<{root.tag}>",
                )
            ]
        )
    kind = (root.findtext("LimeSurveyDocType") or "").strip()
    if kind not in ("Survey", "Group"):
        if not kind:
            message = "has no <LimeSurveyDocType>, so it is not a LimeSurvey structure file"
        elif kind == "Question":
            message = (
                "is a single LimeSurvey question (.lsq), not a survey; export the whole survey"
            )
        else:
            message = (
                f"is a LimeSurvey '{kind}' file, not a survey structure (.lss) or question "
                "group (.lsg)"
            )
        raise InstrumentError(
            [_problem(file, f"{message}: {_EXPORT_STEPS}", "<LimeSurveyDocType>")]
        )
    problems: list[Problem] = []
    listed = tuple(
        (element.text or "").strip()
        for element in root.iterfind("languages/language")
        if (element.text or "").strip()
    )
    survey_rows = [row for _, row in _rows(root, "surveys")]
    base = survey_rows[0].get("language", "").strip() if survey_rows else ""
    base = base or (listed[0] if listed else "en")
    extra = survey_rows[0].get("additional_languages", "").split() if survey_rows else []
    languages = tuple(dict.fromkeys([base, *listed, *extra]))
    title = description = ""
    texts = [row for _, row in _rows(root, "surveys_languagesettings")]
    if texts:
        chosen = next((r for r in texts if r.get("surveyls_language") == base), texts[0])
        title = chosen.get("surveyls_title", "")
        description = chosen.get("surveyls_description", "")

    groups = _groups(root, base)
    questions = _questions(root, base, file, problems)
    if problems:
        raise InstrumentError(problems)
    conditioned = {row.get("qid", "") for _, row in _rows(root, "conditions")}
    return _assemble(
        Survey(
            file=file,
            kind=kind,
            db_version=(root.findtext("DBVersion") or "").strip(),
            base_language=base,
            languages=languages,
            title=title,
            description=description,
            groups=groups,
            questions=questions,
            conditioned=conditioned - {""},
        )
    )


def _groups(root: Any, base: str) -> list[Group]:
    by_gid: dict[str, list[dict[str, str]]] = {}
    for _, row in _rows(root, "groups"):
        by_gid.setdefault(row.get("gid", ""), []).append(row)
    names: dict[str, list[dict[str, str]]] = {}
    for _, row in _rows(root, "group_l10ns"):
        names.setdefault(row.get("gid", ""), []).append(row)
    groups = []
    for gid, rows in by_gid.items():
        row = _pick_language(rows, base)
        text = _pick_language(names[gid], base) if gid in names else row
        groups.append(
            Group(
                gid=gid,
                name=text.get("group_name", ""),
                description=text.get("description", ""),
                order=_int(row.get("group_order", "")),
                relevance=row.get("grelevance", ""),
            )
        )
    return groups


def _questions(root: Any, base: str, file: str, problems: list[Problem]) -> list[Question]:
    rows: list[tuple[str, int, dict[str, str]]] = [
        ("questions", n, row) for n, row in _rows(root, "questions")
    ] + [("subquestions", n, row) for n, row in _rows(root, "subquestions")]
    by_qid: dict[str, list[tuple[str, int, dict[str, str]]]] = {}
    for table, number, row in rows:
        missing = [name for name in ("qid", "type", "title") if not row.get(name, "").strip()]
        if missing and not (table == "subquestions" and missing == ["type"]):
            problems.append(
                _problem(
                    file,
                    f"a question has no {' or '.join(missing)}; the file is damaged. Export it "
                    "again: " + _EXPORT_STEPS,
                    f"<{table}> row {number}",
                )
            )
            continue
        by_qid.setdefault(row["qid"].strip(), []).append((table, number, row))
    l10ns: dict[str, list[dict[str, str]]] = {}
    for _, row in _rows(root, "question_l10ns"):
        l10ns.setdefault(row.get("qid", "").strip(), []).append(row)
    attributes: dict[str, dict[str, str]] = {}
    for _, row in _rows(root, "question_attributes"):
        if row.get("language", "") in ("", base):
            attributes.setdefault(row.get("qid", "").strip(), {})[row.get("attribute", "")] = (
                row.get("value", "")
            )
    parents: dict[str, Question] = {}
    subs: list[tuple[str, Sub]] = []
    for qid, found in by_qid.items():
        table, number, row = found[0]
        row = _pick_language([r for _, _, r in found], base)
        text = _pick_language(l10ns[qid], base) if qid in l10ns else row
        parent = row.get("parent_qid", "0").strip() or "0"
        if parent != "0":
            subs.append(
                (
                    parent,
                    Sub(
                        title=row["title"].strip(),
                        text=text.get("question", ""),
                        order=_int(row.get("question_order", "")),
                        scale=_int(row.get("scale_id", "")),
                    ),
                )
            )
            continue
        parents[qid] = Question(
            qid=qid,
            gid=row.get("gid", "").strip(),
            type=row["type"].strip(),
            title=row["title"].strip(),
            text=text.get("question", ""),
            help=text.get("help", ""),
            order=_int(row.get("question_order", "")),
            relevance=row.get("relevance", ""),
            other=row.get("other", "N").strip().upper() == "Y",
            attributes=attributes.get(qid, {}),
            where=f"<{table}> row {number}",
        )
    for parent, sub in subs:
        if parent in parents:
            parents[parent].subquestions.append(sub)
    _answers(root, base, parents)
    for question in parents.values():
        question.subquestions.sort(key=lambda s: (s.scale, s.order))
        question.answers.sort(key=lambda a: (a.scale, a.order))
    return list(parents.values())


def _answers(root: Any, base: str, parents: dict[str, Question]) -> None:
    texts: dict[str, list[dict[str, str]]] = {}
    for _, row in _rows(root, "answer_l10ns"):
        texts.setdefault(row.get("aid", "").strip(), []).append(row)
    seen: dict[tuple[str, str, int], list[dict[str, str]]] = {}
    for _, row in _rows(root, "answers"):
        key = (
            row.get("qid", "").strip(),
            row.get("code", "").strip(),
            _int(row.get("scale_id", "")),
        )
        seen.setdefault(key, []).append(row)
    for (qid, code, scale), found in seen.items():
        if qid not in parents or not code:
            continue
        row = _pick_language(found, base)
        aid = row.get("aid", "").strip()
        text = _pick_language(texts[aid], base) if aid in texts else row
        value = row.get("assessment_value", "").strip()
        parents[qid].answers.append(
            Answer(
                code=code,
                text=text.get("answer", ""),
                order=_int(row.get("sortorder", "")),
                assessment=_int(value) if re.fullmatch(r"-?\d+", value) else None,
                scale=scale,
            )
        )


def _assemble(survey: Survey) -> Survey:
    """``survey`` with its groups and questions in the survey's order; questions in a group the
    file does not hold are left out and listed."""
    survey.groups.sort(key=lambda g: g.order)
    known = {group.gid: position for position, group in enumerate(survey.groups)}
    kept = []
    for question in survey.questions:
        if question.gid in known:
            kept.append(question)
        else:
            survey.omissions.append(
                Omission(
                    f"question '{question.title}'",
                    f"it belongs to group {question.gid}, which the file does not hold; left out",
                )
            )
    kept.sort(key=lambda q: (known[q.gid], q.order))
    survey.questions = kept
    return survey


# --- tab-separated structure export ------------------------------------------------------------


def looks_tab_separated(text: str) -> bool:
    """Whether ``text`` starts with the header of LimeSurvey's tab-separated structure export."""
    first = text.split("\n", 1)[0].split("\t")
    names = {name.strip().strip('"').casefold() for name in first}
    return {"class", "type/scale", "name", "text"} <= names


def read_tsv(source: SourceFile) -> Survey:
    """The survey in LimeSurvey's tab-separated structure export (both the LimeSurvey 2 header
    ``class, type/scale, name, ...`` and the later ``id, related_id, class, ...``)."""
    text = decode_text(source)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
    header = [name.strip() for name in records[0]]
    column = {name: position for position, name in enumerate(header)}

    def cell(record: list[str], name: str) -> str:
        position = column.get(name)
        return record[position] if position is not None and position < len(record) else ""

    settings: dict[str, str] = {}
    texts: list[tuple[str, str, str]] = []
    rows: list[tuple[int, list[str]]] = []
    for number, record in enumerate(records[1:], start=2):
        kind = cell(record, "class").strip()
        if kind == "S":
            settings[cell(record, "name").strip()] = cell(record, "text")
        elif kind == "SL":
            texts.append(
                (cell(record, "language"), cell(record, "name").strip(), cell(record, "text"))
            )
        elif kind in ("G", "Q", "SQ", "A"):
            rows.append((number, record))
    base = settings.get("language", "").strip() or "en"
    languages = tuple(dict.fromkeys([base, *settings.get("additional_languages", "").split()]))
    survey_text = {name: value for language, name, value in texts if language in ("", base)}
    standard = {
        "id",
        "related_id",
        "class",
        "type/scale",
        "name",
        "relevance",
        "text",
        "help",
        "language",
        "validation",
        "mandatory",
        "other",
        "default",
        "same_default",
    }
    groups: list[Group] = []
    questions: list[Question] = []
    current: Question | None = None
    for number, record in rows:
        if cell(record, "language").strip() not in ("", base):
            continue
        kind = cell(record, "class").strip()
        scale_text = cell(record, "type/scale").strip()
        if kind == "G":
            gid = str(len(groups) + 1)
            groups.append(
                Group(
                    gid=gid,
                    name=cell(record, "name"),
                    description=cell(record, "text"),
                    order=len(groups),
                    relevance=cell(record, "relevance"),
                )
            )
            current = None
        elif kind == "Q" and groups:
            current = Question(
                qid=f"t{number}",
                gid=groups[-1].gid,
                type=scale_text,
                title=cell(record, "name").strip(),
                text=cell(record, "text"),
                help=cell(record, "help"),
                order=len(questions),
                relevance=cell(record, "relevance"),
                other=cell(record, "other").strip().upper() == "Y",
                attributes={
                    name: cell(record, name)
                    for name in header
                    if name not in standard and cell(record, name).strip()
                },
                where=f"row {number}",
            )
            questions.append(current)
        elif kind == "SQ" and current is not None:
            current.subquestions.append(
                Sub(
                    title=cell(record, "name").strip(),
                    text=cell(record, "text"),
                    order=len(current.subquestions),
                    scale=_int(scale_text),
                )
            )
        elif kind == "A" and current is not None:
            # Newer exports give an answer's assessment value its own column; older ones put
            # it in the relevance column (LimeSurvey's manual, "Tab Separated Value survey
            # structure").
            value = cell(record, "assessment_value").strip() or cell(record, "relevance").strip()
            current.answers.append(
                Answer(
                    code=cell(record, "name").strip(),
                    text=cell(record, "text"),
                    order=len(current.answers),
                    assessment=_int(value) if re.fullmatch(r"-?\d+", value) else None,
                    scale=_int(scale_text),
                )
            )
    if not groups:
        raise InstrumentError(
            [
                _problem(
                    source.name,
                    "looks like LimeSurvey's tab-separated structure export but holds no "
                    "question group; export the survey's structure: " + _EXPORT_STEPS,
                )
            ]
        )
    return _assemble(
        Survey(
            file=source.name,
            kind="tab-separated",
            db_version="",
            base_language=base,
            languages=languages,
            title=survey_text.get("surveyls_title", ""),
            description=survey_text.get("surveyls_description", ""),
            groups=groups,
            questions=questions,
        )
    )


# --- any structure file ----------------------------------------------------------------


def load_survey(source: SourceFile) -> Survey:
    """The survey in a structure file of any kind LimeSurvey writes (.lss, .lsg, tab-separated
    .txt); InstrumentError naming the file for anything else (an .lsa archive, a response
    export, a file that is not XML)."""
    data = source.data
    body = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not body:
        raise InstrumentError([Problem(source.name, "the file is empty; " + _EXPORT_STEPS)])
    if body.startswith(b"PK"):
        raise InstrumentError(
            [
                Problem(
                    source.name,
                    "is a ZIP archive (a LimeSurvey survey archive .lsa?), not a survey "
                    "structure; give the .lss inside it, or " + _EXPORT_STEPS,
                )
            ]
        )
    if body.startswith(b"<"):
        return read_lss(source)
    try:
        text = decode_text(source)
    except DataFormatError as error:
        raise InstrumentError(list(error.problems)) from None
    if looks_tab_separated(text):
        return read_tsv(source)
    first = fold(text.split("\n", 1)[0])
    if any(mark in first for mark in ("submitdate", "response id", "date submitted", "lastpage")):
        message = (
            "is a LimeSurvey response export (it has columns such as submitdate), not the "
            "survey structure; give it as the responses, and as the structure " + _EXPORT_STEPS
        )
    else:
        message = "is not a LimeSurvey survey structure (it is not XML); " + _EXPORT_STEPS
    raise InstrumentError([Problem(source.name, message)])
