"""Writing LimeSurvey .lss files: the LimeSurvey 6 shape, codes LimeSurvey accepts, assessment
values that score the instrument, and round trips (write, read back: the same instrument) of
every built-in instrument and a hand-made one."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from imheval.instruments import Instrument, KeyedItem, OpenItem, RatingItem
from imheval.instruments.bank import builtin_ids, get_builtin
from imheval.interop.limesurvey._text import decode_mapping
from imheval.interop.limesurvey.export import write_lss
from imheval.interop.limesurvey.structure import read_structure
from imheval.interop.model import SourceFile
from interop.limesurvey_helpers import as_limesurvey_keeps, handmade_instrument


def _rows(root: etree._Element, table: str) -> list[dict[str, str]]:
    return [
        {cell.tag: cell.text or "" for cell in row} for row in root.iterfind(f"{table}/rows/row")
    ]


def _round_trip(instrument: Instrument) -> Instrument:
    lss = write_lss(instrument)
    return read_structure(SourceFile(f"{instrument.id}.lss", lss.encode("utf-8"))).instrument


@pytest.mark.parametrize("instrument_id", builtin_ids())
def test_every_builtin_instrument_reads_back_the_same(instrument_id: str) -> None:
    instrument = get_builtin(instrument_id)
    back = _round_trip(instrument)
    assert as_limesurvey_keeps(back) == as_limesurvey_keeps(instrument)
    assert len(back.questions) == len(instrument.questions)


def test_parallel_forms_and_concepts_read_back_exactly() -> None:
    """imh-core has forms A and B: read back, each form asks its own 13 knowledge questions (a
    survey read as one form would score knowledge out of 26)."""
    instrument = get_builtin("imh-core")
    assert instrument.form_ids == ("A", "B")
    back = _round_trip(instrument)
    assert back.forms == instrument.forms
    assert [(q.id, q.form) for q in back.questions] == [
        (q.id, q.form) for q in instrument.questions
    ]
    assert [q.concept for q in back.items] == [q.concept for q in instrument.items]
    assert back.items[0].concept == "containment_after_pain"
    assert back.domain_range("knowledge", "A") == (0.0, 13.0)
    assert back.domain_range("knowledge", "B") == (0.0, 13.0)
    assert back.domain_range("knowledge", "A") == instrument.domain_range("knowledge", "A")
    assert [q.id for q in back.form_items("A")] == [q.id for q in instrument.form_items("A")]


def test_forms_cut_apart_in_limesurvey_read_as_one_form() -> None:
    """A survey whose form B questions were deleted in LimeSurvey cannot keep forms A and B
    (the knowledge domain would have nothing on form B): it is read as one form, and said."""
    instrument = get_builtin("imh-core")
    kept = [q for q in instrument.questions if q.form != "B"]
    lss = write_lss(instrument.model_copy(update={"items": tuple(kept)}))
    read = read_structure(SourceFile("cut.lss", lss.encode("utf-8")))
    assert read.instrument.forms == ()
    assert all(q.form is None for q in read.instrument.questions)
    assert read.instrument.domain_range("knowledge") == (0.0, 13.0)
    assert any(
        o.where == "parallel forms" and "read as one form" in o.message for o in read.omissions
    )


def test_the_builtin_bank_is_all_tested() -> None:
    assert builtin_ids() == [
        "imh-advanced-knowledge",
        "imh-core",
        "imh-practice-followup",
        "imh-reaction",
    ]


def test_handmade_instrument_reads_back_the_same() -> None:
    instrument = handmade_instrument()
    back = _round_trip(instrument)
    assert as_limesurvey_keeps(back) == as_limesurvey_keeps(instrument)
    # Spelled out, the things a LimeSurvey code or answer code cannot hold:
    assert [q.id for q in back.questions] == [
        "k-1.a",
        "k_1a",
        "c1",
        "c2",
        "c3",
        "k3",
        "att.1",
        "att.2",
        "att.3",
        "o1",
        "o2",
        "c4",
    ]
    k_1a = back.questions[1]
    assert isinstance(k_1a, KeyedItem)
    assert k_1a.key == ("opt-1", "3")
    assert k_1a.points == 2.0
    assert list(k_1a.options) == ["opt-1", "opt 2", "3", "x"]
    k3 = back.questions[5]
    assert isinstance(k3, KeyedItem)
    assert (k3.key, k3.points, list(k3.options)) == (("a",), 1.5, ["A", "a", "b"])
    c2 = back.questions[3]
    assert isinstance(c2, RatingItem) and c2.reverse
    yes_no = back.questions[7]
    assert isinstance(yes_no, RatingItem) and yes_no.scale == "yes_no"
    assert back.scales["bipolar"].min == -2
    o1, o2 = back.questions[9], back.questions[10]
    assert isinstance(o1, OpenItem) and isinstance(o2, OpenItem)
    assert o1.text == "First line\nSecond  line {with braces}"
    assert (o1.domain, o2.domain, o2.max_length) == ("knowledge", None, 300)
    assert back.title == "Hand-made <test> & check"
    assert back.levels == instrument.levels
    assert back.domains[1].kirkpatrick_level == 3


def test_the_file_is_a_limesurvey_6_survey_with_l10n_tables() -> None:
    lss = write_lss(handmade_instrument())
    assert lss.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<document>')
    root = etree.fromstring(lss.encode("utf-8"))
    assert root.findtext("LimeSurveyDocType") == "Survey"
    assert root.findtext("DBVersion") == "630"
    assert [e.text for e in root.iterfind("languages/language")] == ["en"]
    assert [child.tag for child in root if child.find("rows") is not None] == [
        "answers",
        "answer_l10ns",
        "groups",
        "group_l10ns",
        "questions",
        "subquestions",
        "question_l10ns",
        "question_attributes",
        "surveys",
        "surveys_languagesettings",
    ]
    survey = _rows(root, "surveys")[0]
    # Anonymous, no tracking; LimeSurvey's own assessment totals switched on.
    settings = ("anonymized", "ipaddr", "refurl", "datestamp", "assessments")
    assert {k: survey[k] for k in settings} == {
        "anonymized": "Y",
        "ipaddr": "N",
        "refurl": "N",
        "datestamp": "N",
        "assessments": "Y",
    }
    # Every text value is CDATA, as LimeSurvey writes them.
    assert "<title><![CDATA[code]]></title>" in lss


def test_codes_are_ones_limesurvey_accepts() -> None:
    root = etree.fromstring(write_lss(handmade_instrument()).encode("utf-8"))
    titles = [row["title"] for row in _rows(root, "questions")]
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,19}", title) for title in titles), titles
    assert len({t.casefold() for t in titles}) == len(titles)
    rows = [row["title"] for row in _rows(root, "subquestions")]
    assert all(re.fullmatch(r"[A-Za-z0-9]{1,20}", title) for title in rows), rows
    codes = [row["code"] for row in _rows(root, "answers")]
    assert all(re.fullmatch(r"[A-Za-z0-9]{1,5}", code) for code in codes), codes
    assert titles[:3] == ["code", "timepoint", "imhevalmap"]
    # Ids that fit stay as they are; others lose their dots and hyphens, and a clash is numbered.
    assert "k1a" in titles and "k1a2" in titles and "c1" not in titles


def test_keyed_items_score_their_key_and_ratings_their_numbers() -> None:
    instrument = handmade_instrument()
    root = etree.fromstring(write_lss(instrument).encode("utf-8"))
    questions = {row["qid"]: row for row in _rows(root, "questions")}
    texts = {row["aid"]: row["answer"] for row in _rows(root, "answer_l10ns")}
    answers: dict[str, list[tuple[str, str, int]]] = {}
    for row in _rows(root, "answers"):
        title = questions[row["qid"]]["title"]
        answers.setdefault(title, []).append(
            (row["code"], texts[row["aid"]], int(row["assessment_value"]))
        )
    # k_1a: multi-code key worth 2; its codes "opt-1" and "opt 2" cannot be answer codes.
    assert answers["k1a2"] == [
        ("A1", "A &lt; B", 2),
        ("A2", "B &amp; C", 0),
        ("3", "Three", 2),
        ("x", "None", 0),
    ]
    # k3: 1.5 points is held by LimeSurvey as 2; "A" and "a" clash in LimeSurvey.
    assert answers["k3"] == [("A", "Upper", 0), ("A1", "Lower", 2), ("b", "Other", 0)]
    # The forward agreement array is worth the numbers, the reverse one min + max - number.
    arrays = [t for t in answers if t.startswith("agree5grid")]
    assert [[v for _, _, v in answers[t]] for t in arrays] == [
        [1, 2, 3, 4, 5],
        [5, 4, 3, 2, 1],
        [1, 2, 3, 4, 5],
    ]
    assert [(c, label) for c, label, _ in answers[arrays[0]]] == [
        ("1", "Strongly disagree"),
        ("2", "Disagree"),
        ("3", "Neither"),
        ("4", "Agree"),
        ("5", "Strongly agree"),
    ]
    assert [c for c, _, _ in answers["bipolargrid"]] == ["m2", "m1", "0", "1", "2"]
    assert answers["timepoint"] == [
        ("pre", "Before the training", 0),
        ("post", "After the training", 0),
        ("fu", "Follow-up", 0),
    ]


def test_groups_follow_the_domains_in_question_order() -> None:
    root = etree.fromstring(write_lss(handmade_instrument()).encode("utf-8"))
    names = [row["group_name"] for row in _rows(root, "group_l10ns")]
    assert names == [
        "Before you start",
        "Knowledge &amp; skills",
        "Confidence",
        "Knowledge &amp; skills",
        "Attitudes",
        "Knowledge &amp; skills",
        "Other questions",
        "Confidence",
    ]
    hidden = [row for row in _rows(root, "question_attributes") if row["attribute"] == "hidden"]
    assert len(hidden) == 1
    limits = {
        row["qid"]: row["value"]
        for row in _rows(root, "question_attributes")
        if row["attribute"] == "maximum_chars"
    }
    assert sorted(limits.values()) == ["1000", "300"]


def test_the_hidden_mapping_names_what_limesurvey_cannot_hold() -> None:
    root = etree.fromstring(write_lss(handmade_instrument()).encode("utf-8"))
    texts = [row["question"] for row in _rows(root, "question_l10ns")]
    mapping = next(decode_mapping(t) for t in texts if "imheval-map:" in t)
    assert mapping is not None
    assert "{" not in next(t for t in texts if "imheval-map:" in t)
    assert mapping["instrument"] == {
        "id": "hand-made.test",
        "version": "3.1.4",
        "language": "en-GB",
        "levels": ["intermediate", "advanced"],
    }
    assert mapping["items"]["k1a"] == "k-1.a"
    assert mapping["items"]["agree5grid[c1]"] == "c1"
    assert mapping["options"]["k1a2"] == {"A1": "opt-1", "A2": "opt 2"}
    assert mapping["points"] == {"k3": 1.5}
    assert mapping["scales"]["yesnogrid"] == "yes_no"
    assert mapping["groups"]["Attitudes"] == "att.itude"
    assert mapping["nodomain"] == ["o2"]


def test_without_the_mapping_limesurvey_alone_still_scores_the_same() -> None:
    """A survey whose hidden mapping was deleted in LimeSurvey still reads as an instrument
    that scores the same: keys, points (rounded), reverse keying and scales survive; only
    imheval's names are lost."""
    lss = write_lss(handmade_instrument())
    stripped = re.sub(r"imheval-map:[A-Za-z0-9+/=]+", "", lss)
    back = read_structure(SourceFile("no-mapping.lss", stripped.encode("utf-8"))).instrument
    by_text = {q.text: q for q in back.questions}
    # Without the mapping an array row reads as LimeSurvey heads it: "question [row]".
    by_row = {q.text.rsplit(" [", 1)[-1].rstrip("]"): q for q in back.questions}
    k = by_text["Pick both right answers: A < B & C"]
    assert isinstance(k, KeyedItem)
    assert (k.id, k.key, k.points) == ("k1a2", ("A1", "3"), 2.0)
    reverse = by_row["I avoid hard talks."]
    assert isinstance(reverse, RatingItem) and reverse.reverse
    assert back.scales[reverse.scale].labels[1] == "Strongly disagree"
    # 0..1 read without the mapping's word is a key (1 point for "Yes"), as the rule says.
    agreed = by_row["Agreed?"]
    assert isinstance(agreed, KeyedItem) and agreed.key == ("1",)
