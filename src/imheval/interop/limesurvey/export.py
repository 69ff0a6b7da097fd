"""Writing an imheval instrument as a LimeSurvey survey structure (.lss).

The file is a LimeSurvey 6 survey structure (DBVersion 630, as LimeSurvey 6 exports it: texts in
``group_l10ns``, ``question_l10ns`` and ``answer_l10ns``), for Create survey > Import. The
survey is anonymous (no tokens, no IP address, no referrer, no dates) and scores itself with
assessment values:

- a first page, "Before you start", asks the self-generated code (a short-text question
  ``code``) and the timepoint (a list question ``timepoint``: ``pre`` before the training,
  ``post`` after it, ``fu`` follow-up), and holds a hidden text display question with imheval's
  names (below);
- each domain is a question group (its label and description); questions keep the
  instrument's order, so a domain whose questions are interleaved with another's is split into
  several groups of the same name, which the reader joins again;
- a keyed item is a list (radio) question: each option an answer, worth its ``points`` (rounded
  to a whole number, which is all LimeSurvey holds; the exact points are kept in the mapping) if
  it is in the key and 0 otherwise;
- consecutive rating items of one domain on one scale and keying are one array question, each
  item a row; the answers are the scale's numbers (code = the number the person chose, ``m2``
  for -2), labelled with the scale's labels, worth the number (forward) or ``min + max -
  number`` (reverse);
- an open question is a long free text question (its ``max_length`` as "Maximum characters").

LimeSurvey's codes are narrower than imheval's ids (letters and digits, at most 20; answer codes
at most 5): an id that fits is the code itself (``KA01``), any other becomes a code of its
letters and digits (``k-1.2`` -> ``k12``), numbered if two clash; an option code that does not
fit becomes ``A1``, ``A2``... The hidden question's text holds, as base64 of JSON
(``imheval-map:...``; JSON's braces would be read by LimeSurvey's ExpressionScript), the
instrument's id, version, language and levels, the domains' Kirkpatrick levels, each
question's imheval id by its LimeSurvey code (``code`` or ``ARRAY[ROW]``), the option codes
that differ, each array's scale id, exact points, the domain of each group name, the open
questions with no domain, the parallel forms (ids and labels), each question's form and each
item's concept.
:func:`imheval.interop.limesurvey.structure.read_structure` restores them, so an instrument
written and read back is the same (jurisdiction wording, misconceptions, competencies and
evidence are not carried; wording terms are written with their default words). A survey of an
instrument with parallel forms asks every form's questions on one page after another:
LimeSurvey does not choose the form; people answer the form they are given and leave the other
blank (imheval scores each person on the form they answered).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from imheval.instruments import Instrument, KeyedItem, OpenItem, RatingItem
from imheval.interop._wording import in_default_words
from imheval.interop.limesurvey._text import (
    answer_codes,
    encode_mapping,
    ls_code,
    text_to_html,
    value_code,
)
from imheval.interop.limesurvey.structure import read_structure
from imheval.interop.model import InstrumentImport, SourceFile

__all__ = ["DB_VERSION", "survey_structure", "write_lss"]

#: The DBVersion of a LimeSurvey 6 export (LimeSurvey 6.x writes 6xx).
DB_VERSION = "630"
#: The first page's group name and the labels of the timepoint question's answers.
FIRST_GROUP = "Before you start"
NO_DOMAIN_GROUP = "Other questions"
TIMEPOINT_ANSWERS = (
    ("pre", "Before the training"),
    ("post", "After the training"),
    ("fu", "Follow-up"),
)

_QUESTION_FIELDS = (
    "qid",
    "parent_qid",
    "sid",
    "gid",
    "type",
    "title",
    "preg",
    "other",
    "mandatory",
    "encrypted",
    "question_order",
    "scale_id",
    "same_default",
    "relevance",
    "question_theme_name",
    "modulename",
    "same_script",
)
_THEMES = {
    "L": "listradio",
    "F": "arrays/array",
    "S": "shortfreetext",
    "T": "longfreetext",
    "X": "boilerplate",
}


@dataclass
class _Tables:
    """The rows of each table, and the next id of each kind."""

    sid: int
    language: str
    answers: list[dict[str, str]] = field(default_factory=list)
    answer_l10ns: list[dict[str, str]] = field(default_factory=list)
    groups: list[dict[str, str]] = field(default_factory=list)
    group_l10ns: list[dict[str, str]] = field(default_factory=list)
    questions: list[dict[str, str]] = field(default_factory=list)
    subquestions: list[dict[str, str]] = field(default_factory=list)
    question_l10ns: list[dict[str, str]] = field(default_factory=list)
    question_attributes: list[dict[str, str]] = field(default_factory=list)
    next_qid: int = 1
    order_in_group: int = 0

    def group(self, name: str, description: str) -> str:
        gid = str(len(self.groups) + 1)
        self.groups.append(
            {
                "gid": gid,
                "sid": str(self.sid),
                "group_order": str(len(self.groups) + 1),
                "randomization_group": "",
                "grelevance": "1",
            }
        )
        self.group_l10ns.append(
            {
                "id": gid,
                "gid": gid,
                "group_name": text_to_html(name),
                "description": text_to_html(description),
                "language": self.language,
            }
        )
        self.order_in_group = 0
        return gid

    def question(
        self,
        gid: str,
        kind: str,
        title: str,
        text: str,
        *,
        help_text: str = "",
        mandatory: bool = False,
        parent: str | None = None,
        order: int | None = None,
    ) -> str:
        qid = str(self.next_qid)
        self.next_qid += 1
        if parent is None:
            self.order_in_group += 1
        row = {
            "qid": qid,
            "parent_qid": parent or "0",
            "sid": str(self.sid),
            "gid": gid,
            # LimeSurvey writes an array's rows with type T, as here.
            "type": "T" if parent else kind,
            "title": title,
            "preg": "",
            "other": "N",
            "mandatory": "Y" if mandatory else "N",
            "encrypted": "N",
            "question_order": str(order if order is not None else self.order_in_group),
            "scale_id": "0",
            "same_default": "0",
            "relevance": "1",
            "question_theme_name": _THEMES["T" if parent else kind],
            "modulename": "",
            "same_script": "0",
        }
        (self.subquestions if parent else self.questions).append(row)
        self.question_l10ns.append(
            {
                "id": str(len(self.question_l10ns) + 1),
                "qid": qid,
                "question": text,
                "help": help_text,
                "script": "",
                "language": self.language,
            }
        )
        return qid

    def answer(self, qid: str, code: str, label: str, order: int, value: int) -> None:
        aid = str(len(self.answers) + 1)
        self.answers.append(
            {
                "aid": aid,
                "qid": qid,
                "code": code,
                "sortorder": str(order),
                "assessment_value": str(value),
                "scale_id": "0",
            }
        )
        self.answer_l10ns.append(
            {"id": aid, "aid": aid, "answer": text_to_html(label), "language": self.language}
        )

    def attribute(self, qid: str, name: str, value: str) -> None:
        self.question_attributes.append(
            {"qid": qid, "attribute": name, "value": value, "language": ""}
        )


def write_lss(instrument: Instrument) -> str:
    """The .lss (XML text) of ``instrument``, with assessment values that score it (see the
    module's description for the layout and the names it keeps)."""
    instrument = in_default_words(instrument)
    language = instrument.language.split("-")[0].lower() or "en"
    sid = 100000 + zlib.crc32(instrument.id.encode("utf-8")) % 900000
    tables = _Tables(sid=sid, language=language)
    taken: set[str] = set()
    code_title = ls_code("code", taken)
    timepoint_title = ls_code("timepoint", taken)
    mapping_title = ls_code("imhevalmap", taken)
    mapping: dict[str, Any] = {
        "format": 1,
        "instrument": {
            "id": instrument.id,
            "version": instrument.version,
            "language": instrument.language,
            "levels": [level.value for level in instrument.levels],
        },
        "kirkpatrick": {domain.id: domain.kirkpatrick_level for domain in instrument.domains},
        "code": code_title,
        "timepoint": timepoint_title,
        "groups": {},
        "items": {},
        "options": {},
        "scales": {},
        "points": {},
        "nodomain": [],
        "forms": [{"id": form.id, "label": form.label} for form in instrument.forms],
        "form": {},
        "concept": {},
    }
    barr = {d.id: d.barr_level for d in instrument.domains if d.barr_level is not None}
    if barr:
        # Only when some domain is tagged, so files of untagged instruments stay as they were.
        mapping["barr"] = barr
    first = tables.group(FIRST_GROUP, "")
    tables.question(
        first,
        "S",
        code_title,
        text_to_html("Your self-generated code"),
        help_text=text_to_html(
            "Use the same code every time you answer, so that your answers before and after "
            "the training can be put together without your name."
        ),
        mandatory=True,
    )
    timepoint = tables.question(
        first,
        "L",
        timepoint_title,
        text_to_html("Timepoint: when are you answering?"),
        mandatory=True,
    )
    for order, (code, label) in enumerate(TIMEPOINT_ANSWERS):
        tables.answer(timepoint, code, label, order, 0)
    hidden = tables.question(first, "X", mapping_title, "")
    tables.attribute(hidden, "hidden", "1")
    _write_questions(instrument, tables, taken, mapping)
    tables.question_l10ns[int(hidden) - 1]["question"] = (
        "<p>imheval: this hidden question keeps the questionnaire's names, so that imheval can "
        "read the survey and its responses back. Please leave it as it is.</p><p>"
        + encode_mapping(mapping)
        + "</p>"
    )
    return _document(instrument, tables)


def survey_structure(instrument: Instrument) -> InstrumentImport:
    """How LimeSurvey's response exports of ``write_lss(instrument)`` name its questions and
    answers: the structure to read them with when the data were captured with an imheval
    instrument rather than a .lss in hand. It knows the codes the writer chose (``A1`` for an
    option code LimeSurvey cannot hold, ``m2`` for -2, ``GRID[ITEM]`` columns) and gives the
    instrument's own ids."""
    lss = write_lss(instrument).encode("utf-8")
    return read_structure(SourceFile(f"{instrument.id}.lss", lss))


def _write_questions(
    instrument: Instrument, tables: _Tables, taken: set[str], mapping: dict[str, Any]
) -> None:
    labels = {domain.id: domain for domain in instrument.domains}
    described: set[str] = set()
    group_domain: str | bool | None = False  # False: no group yet
    gid = ""
    array: tuple[str, str, bool, str, str] | None = None  # domain, scale, reverse, qid, title
    for question in instrument.questions:
        domain = question.domain
        if domain != group_domain or not gid:
            if domain is None:
                gid = tables.group(NO_DOMAIN_GROUP, "")
            else:
                info = labels[domain]
                gid = tables.group(info.label, "" if domain in described else info.description)
                described.add(domain)
                mapping["groups"][info.label] = domain
            group_domain = domain
            array = None
        if isinstance(question, RatingItem):
            key = (question.domain, question.scale, question.reverse)
            if array is None or array[:3] != key:
                array = (*key, *_array(instrument, question, tables, gid, taken, mapping))
            parent, parent_title = array[3], array[4]
            row = ls_code(question.id, taken, subquestion=True)
            tables.question(
                gid,
                "F",
                row,
                text_to_html(question.text),
                parent=parent,
                order=sum(1 for r in tables.subquestions if r["parent_qid"] == parent),
            )
            _name(mapping, f"{parent_title}[{row}]", question)
            continue
        array = None
        title = ls_code(question.id, taken)
        _name(mapping, title, question)
        if isinstance(question, KeyedItem):
            _keyed(question, tables, gid, title, mapping)
        elif isinstance(question, OpenItem):
            qid = tables.question(gid, "T", title, text_to_html(question.text))
            tables.attribute(qid, "maximum_chars", str(question.max_length))
            if question.domain is None:
                mapping["nodomain"].append(title)


def _name(
    mapping: dict[str, Any], source: str, question: KeyedItem | RatingItem | OpenItem
) -> None:
    """Keep ``question``'s id, parallel form and concept under its LimeSurvey name ``source``."""
    mapping["items"][source] = question.id
    if question.form is not None:
        mapping["form"][source] = question.form
    if not isinstance(question, OpenItem) and question.concept:
        mapping["concept"][source] = question.concept


def _keyed(item: KeyedItem, tables: _Tables, gid: str, title: str, mapping: dict[str, Any]) -> None:
    qid = tables.question(gid, "L", title, text_to_html(item.text))
    codes = answer_codes(list(item.options))
    worth = int(item.points) if float(item.points).is_integer() else max(1, round(item.points))
    if worth != item.points:
        mapping["points"][title] = item.points
    changed = {ls: code for code, ls in codes.items() if ls != code}
    if changed:
        mapping["options"][title] = changed
    for order, (code, label) in enumerate(item.options.items()):
        tables.answer(qid, codes[code], label, order, worth if code in item.key else 0)


def _array(
    instrument: Instrument,
    item: RatingItem,
    tables: _Tables,
    gid: str,
    taken: set[str],
    mapping: dict[str, Any],
) -> tuple[str, str]:
    """The array question for ``item`` and the rating items after it: (qid, code)."""
    scale = instrument.scales[item.scale]
    title = ls_code(item.scale + "grid", taken)
    mapping["scales"][title] = item.scale

    def named(value: int) -> str:
        label = scale.labels.get(value)
        return f"{value} ({label})" if label else str(value)

    prompt = f"Please answer each statement from {named(scale.min)} to {named(scale.max)}."
    qid = tables.question(gid, "F", title, text_to_html(prompt))
    for order, value in enumerate(range(scale.min, scale.max + 1)):
        worth = scale.min + scale.max - value if item.reverse else value
        tables.answer(qid, value_code(value), scale.labels.get(value, str(value)), order, worth)
    return qid, title


# --- the XML document ----------------------------------------------------------------------


def _table(root: Any, name: str, fields: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    if not rows:
        return
    table = etree.SubElement(root, name)
    names = etree.SubElement(table, "fields")
    for field_name in fields:
        etree.SubElement(names, "fieldname").text = field_name
    body = etree.SubElement(table, "rows")
    for row in rows:
        element = etree.SubElement(body, "row")
        for field_name in fields:
            cell = etree.SubElement(element, field_name)
            value = row.get(field_name, "")
            if value:
                cell.text = etree.CDATA(value) if "]]>" not in value else value


def _document(instrument: Instrument, tables: _Tables) -> str:
    root = etree.Element("document")
    etree.SubElement(root, "LimeSurveyDocType").text = "Survey"
    etree.SubElement(root, "DBVersion").text = DB_VERSION
    languages = etree.SubElement(root, "languages")
    etree.SubElement(languages, "language").text = tables.language
    _table(
        root,
        "answers",
        ("aid", "qid", "code", "sortorder", "assessment_value", "scale_id"),
        tables.answers,
    )
    _table(root, "answer_l10ns", ("id", "aid", "answer", "language"), tables.answer_l10ns)
    _table(
        root,
        "groups",
        ("gid", "sid", "group_order", "randomization_group", "grelevance"),
        tables.groups,
    )
    _table(
        root,
        "group_l10ns",
        ("id", "gid", "group_name", "description", "language"),
        tables.group_l10ns,
    )
    _table(root, "questions", _QUESTION_FIELDS, tables.questions)
    _table(root, "subquestions", _QUESTION_FIELDS, tables.subquestions)
    _table(
        root,
        "question_l10ns",
        ("id", "qid", "question", "help", "script", "language"),
        tables.question_l10ns,
    )
    _table(
        root,
        "question_attributes",
        ("qid", "attribute", "value", "language"),
        tables.question_attributes,
    )
    survey = _survey_row(tables)
    _table(root, "surveys", tuple(survey), [survey])
    settings = _language_row(instrument, tables)
    _table(root, "surveys_languagesettings", tuple(settings), [settings])
    body = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(body)


def _survey_row(tables: _Tables) -> dict[str, str]:
    """The survey's settings: anonymous, no tokens, no IP address, referrer, dates or timings;
    assessments on (so LimeSurvey totals the scores); one group per page."""
    return {
        "sid": str(tables.sid),
        "gsid": "1",
        "admin": "inherit",
        "adminemail": "inherit",
        "anonymized": "Y",
        "format": "G",
        "savetimings": "N",
        "template": "inherit",
        "language": tables.language,
        "additional_languages": "",
        "datestamp": "N",
        "usecookie": "N",
        "allowregister": "N",
        "allowsave": "N",
        "autonumber_start": "0",
        "autoredirect": "N",
        "allowprev": "Y",
        "printanswers": "N",
        "ipaddr": "N",
        "ipanonymize": "Y",
        "refurl": "N",
        "showsurveypolicynotice": "0",
        "publicstatistics": "N",
        "publicgraphs": "N",
        "listpublic": "N",
        "htmlemail": "Y",
        "sendconfirmation": "N",
        "tokenanswerspersistence": "N",
        "assessments": "Y",
        "usecaptcha": "N",
        "usetokens": "N",
        "bounce_email": "inherit",
        "emailresponseto": "inherit",
        "emailnotificationto": "inherit",
        "tokenlength": "15",
        "showxquestions": "N",
        "showgroupinfo": "B",
        "shownoanswer": "I",
        "showqnumcode": "X",
        "bounceprocessing": "N",
        "showwelcome": "I",
        "showprogress": "Y",
        "questionindex": "0",
        "navigationdelay": "0",
        "nokeyboard": "N",
        "alloweditaftercompletion": "N",
    }


def _language_row(instrument: Instrument, tables: _Tables) -> dict[str, str]:
    invitation = (
        "Dear participant,<br />\n<br />\nYou are invited to answer the survey "
        '"{SURVEYNAME}":<br />\n{SURVEYURL}<br />\n<br />\n{ADMINNAME}'
    )
    return {
        "surveyls_survey_id": str(tables.sid),
        "surveyls_language": tables.language,
        "surveyls_title": text_to_html(instrument.title),
        "surveyls_description": text_to_html(instrument.description),
        "surveyls_welcometext": "",
        "surveyls_endtext": text_to_html("Thank you for your answers."),
        "surveyls_url": "",
        "surveyls_urldescription": "",
        "surveyls_email_invite_subj": "Invitation to participate in a survey",
        "surveyls_email_invite": invitation,
        "surveyls_email_remind_subj": "Reminder to participate in a survey",
        "surveyls_email_remind": invitation,
        "surveyls_email_register_subj": "Survey registration confirmation",
        "surveyls_email_register": invitation,
        "surveyls_email_confirm_subj": "Confirmation of your participation in our survey",
        "surveyls_email_confirm": "Thank you for answering {SURVEYNAME}.",
        "surveyls_dateformat": "9",
        "email_admin_notification_subj": "Response submission for survey {SURVEYNAME}",
        "email_admin_notification": "A new response was submitted for {SURVEYNAME}.",
        "email_admin_responses_subj": "Response submission for survey {SURVEYNAME}",
        "email_admin_responses": "A new response was submitted for {SURVEYNAME}.",
        "surveyls_numberformat": "0",
    }
