"""imheval instruments out as REDCap data dictionaries and instrument ZIPs
(imheval.interop.redcap.export), and back in again unchanged.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

import pytest
from tests.interop.redcap_dict_build import HEADERS as TEST_HEADERS

from imheval.instruments import Instrument, KeyedItem, OpenItem, RatingItem, list_builtin
from imheval.instruments.model import DEFAULT_WORDING, TERM
from imheval.interop.model import SourceFile
from imheval.interop.redcap.dictionary import read_dictionary
from imheval.interop.redcap.export import (
    HEADERS,
    redcap_answer_maps,
    write_dictionary,
    write_instrument_zip,
)


def hand_made() -> Instrument:
    """Reverse ratings, two scales (one with the same points as another), multi-code keys,
    points 2 and 0.5, option codes REDCap cannot hold, open questions (one in no domain), three
    domains (one mixing keyed and rating items), ids with capitals, hyphens and dots, ids that
    meet REDCap's own names, and texts with HTML, entities, ``|`` and line breaks."""
    return Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "Hand-Made.1",
            "version": "2.1 beta",
            "title": "A <hand> made & tested | one",
            "description": "For evaluators:\nnot shown to participants",
            "language": "en-US",
            "levels": ["advanced"],
            "framework": "aimh-uk-imhcf",
            "domains": [
                {"id": "Know-1", "label": "Knowledge & facts", "description": "Facts."},
                {"id": "conf.2", "label": "Confidence", "kirkpatrick_level": 3},
                {"id": "mixed", "label": "Mixed <b>bold</b>"},
            ],
            "scales": {
                "Agree-5": {
                    "min": 1,
                    "max": 5,
                    "labels": {1: "Strongly disagree", 5: "Strongly agree"},
                },
                "conf.0-10": {"min": 0, "max": 10, "labels": {0: "None", 10: "Total"}},
                "same": {
                    "min": 1,
                    "max": 5,
                    "labels": {1: "Strongly disagree", 5: "Strongly agree"},
                },
            },
            "items": [
                {
                    "kind": "keyed",
                    "id": "K1",
                    "domain": "Know-1",
                    "text": "Pick a | b?\nSecond line",
                    "concept": "picking",
                    "options": {"a": "A | one", "b": "B &amp; two", "c": "<i>C</i>"},
                    "key": ["a", "c"],
                    "points": 2,
                    "competencies": ["development"],
                },
                {
                    "kind": "open",
                    "id": "code",
                    "domain": "Know-1",
                    "text": "Why?",
                    "max_length": 300,
                },
                {
                    "kind": "rating",
                    "id": "S-1",
                    "domain": "conf.2",
                    "text": "Rate",
                    "scale": "Agree-5",
                },
                {
                    "kind": "rating",
                    "id": "S.2",
                    "domain": "conf.2",
                    "text": "Rate reversed",
                    "scale": "Agree-5",
                    "reverse": True,
                },
                {
                    "kind": "keyed",
                    "id": "K2",
                    "domain": "Know-1",
                    "text": "Second",
                    "options": {"x y": "X", "z,1": "Z", "-1": "Minus one"},
                    "key": ["z,1"],
                    "points": 0.5,
                },
                {
                    "kind": "rating",
                    "id": "C1",
                    "domain": "mixed",
                    "text": "Confident?",
                    "scale": "conf.0-10",
                    "reverse": True,
                },
                {
                    "kind": "keyed",
                    "id": "record_id",
                    "domain": "mixed",
                    "text": "Yes or no",
                    "options": {"1": "Yes", "0": "No"},
                    "key": ["1"],
                },
                {
                    "kind": "rating",
                    "id": "S3",
                    "domain": "conf.2",
                    "text": "Other scale",
                    "scale": "same",
                },
                {"kind": "open", "id": "O2", "text": "Anything else? Ã© stays"},
            ],
        }
    )


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def by_name(text: str) -> dict[str, dict[str, str]]:
    header, *rows = rows_of(text)
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def read_back(data: bytes, name: str = "written.csv") -> Any:
    return read_dictionary(SourceFile(name=name, data=data))


def as_exported(instrument: Instrument) -> Instrument:
    """What a dictionary can hold of ``instrument``: its text in the default wording, without
    misconceptions and evidence."""
    words = {term: texts[DEFAULT_WORDING] for term, texts in instrument.wording.items()}

    def say(text: str) -> str:
        return TERM.sub(lambda match: words[match.group(1)], text)

    document = instrument.model_dump(by_alias=True, mode="json")
    document["wording"] = {}
    document["title"] = say(document["title"])
    for item in document["items"]:
        item["text"] = say(item["text"])
        if item["kind"] == "keyed":
            item["options"] = {code: say(label) for code, label in item["options"].items()}
            item["misconceptions"] = {}
        item.pop("evidence", None)
    return Instrument.model_validate(document)


# ---------------------------------------------------------------------------------------------
# The file


def test_headers_bom_and_line_endings_are_redcaps() -> None:
    text = write_dictionary(hand_made())
    assert HEADERS == TEST_HEADERS
    first = text.split("\n", 1)[0]
    assert first == (
        '\ufeff"Variable / Field Name","Form Name","Section Header","Field Type","Field Label",'
        '"Choices, Calculations, OR Slider Labels","Field Note","Text Validation Type OR Show '
        'Slider Number","Text Validation Min","Text Validation Max",Identifier?,"Branching Logic '
        '(Show field only if...)","Required Field?","Custom Alignment","Question Number (surveys '
        'only)","Matrix Group Name","Matrix Ranking?","Field Annotation"'
    )
    assert "\r" not in text
    assert all(len(row) == 18 for row in rows_of(text))


def test_record_id_then_code_then_questions_then_scores() -> None:
    _header, *rows = rows_of(write_dictionary(hand_made()))
    assert [(row[0], row[3]) for row in rows] == [
        ("record_id", "text"),
        ("code", "text"),
        ("description", "descriptive"),
        ("k1", "radio"),
        ("code_2", "notes"),
        ("s_1", "radio"),
        ("s_2", "radio"),
        ("k2", "radio"),
        ("c1", "radio"),
        ("record_id_2", "radio"),
        ("s3", "radio"),
        ("o2", "notes"),
        ("know_1_score", "calc"),
        ("conf_2_score", "calc"),
        ("mixed_score", "calc"),
    ]
    assert {row[1] for row in rows} == {"hand_made_1"}


def test_field_names_are_what_redcap_accepts_and_annotations_keep_the_ids() -> None:
    fields = by_name(write_dictionary(hand_made()))
    for name in fields:
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,99}", name), name
        assert "__" not in name
    assert fields["s_2"]["Field Annotation"] == (
        "@IMHEVAL-ID=S.2 @IMHEVAL-DOMAIN=conf.2 @IMHEVAL-SCALE=Agree-5"
    )
    assert fields["code"]["Field Annotation"] == (
        "@IMHEVAL-INSTRUMENT=Hand-Made.1 @IMHEVAL-VERSION=2.1%20beta @IMHEVAL-LANGUAGE=en-US "
        "@IMHEVAL-LEVELS=advanced @IMHEVAL-FRAMEWORK=aimh-uk-imhcf"
    )
    assert fields["code"]["Section Header"] == "A &lt;hand&gt; made &amp; tested | one"
    assert fields["code"]["Field Label"] == "Your self-generated code"


def test_keyed_items_are_radio_fields_scored_by_a_calc_per_domain() -> None:
    fields = by_name(write_dictionary(hand_made()))
    assert fields["k1"]["Choices, Calculations, OR Slider Labels"] == (
        "a, A &#124; one | b, B &amp;amp; two | c, &lt;i&gt;C&lt;/i&gt;"
    )
    # Codes REDCap cannot hold are written 1, 2, 3 and kept in a tag.
    assert fields["k2"]["Choices, Calculations, OR Slider Labels"] == "1, X | 2, Z | 3, Minus one"
    assert "@IMHEVAL-CODES=x%2520y,z%252C1,-1" in fields["k2"]["Field Annotation"]
    score = fields["know_1_score"]
    assert score["Choices, Calculations, OR Slider Labels"] == (
        "if([k1]='a' or [k1]='c',2,0)+if([k2]='2',0.5,0)"
    )
    assert score["Field Label"] == "Knowledge & facts score"
    assert score["Field Note"] == "Facts."
    assert score["Field Annotation"] == (
        "@HIDDEN-SURVEY @IMHEVAL-DOMAIN=Know-1 @IMHEVAL-KIRKPATRICK=2"
    )


def test_ratings_are_matrix_groups_per_scale_and_reversed_in_the_calc() -> None:
    fields = by_name(write_dictionary(hand_made()))
    assert fields["s_1"]["Choices, Calculations, OR Slider Labels"] == (
        "1, Strongly disagree | 2, 2 | 3, 3 | 4, 4 | 5, Strongly agree"
    )
    assert [fields[n]["Matrix Group Name"] for n in ("s_1", "s_2", "s3", "c1")] == [
        "agree_5",
        "agree_5",
        "same",
        "conf_0_10",
    ]
    assert fields["conf_2_score"]["Choices, Calculations, OR Slider Labels"] == (
        "[s_1]+(6-[s_2])+[s3]"
    )
    assert fields["mixed_score"]["Choices, Calculations, OR Slider Labels"] == (
        "(10-[c1])+if([record_id_2]='1',1,0)"
    )


def test_section_headers_where_the_domain_changes() -> None:
    fields = by_name(write_dictionary(hand_made()))
    headers = {name: f["Section Header"] for name, f in fields.items() if f["Section Header"]}
    assert headers == {
        "code": "A &lt;hand&gt; made &amp; tested | one",
        "k1": "Knowledge & facts",
        "s_1": "Confidence",
        "k2": "Knowledge & facts",
        "c1": "Mixed &lt;b&gt;bold&lt;/b&gt;",
        "s3": "Confidence",
    }


def test_open_questions_are_notes_with_a_char_limit() -> None:
    fields = by_name(write_dictionary(hand_made()))
    assert fields["code_2"]["Field Type"] == "notes"
    assert fields["code_2"]["Field Annotation"] == (
        "@IMHEVAL-ID=code @IMHEVAL-DOMAIN=Know-1 @CHARLIMIT=300"
    )
    assert fields["o2"]["Field Annotation"] == "@IMHEVAL-ID=O2 @CHARLIMIT=1000"
    assert fields["description"]["Field Annotation"] == "@HIDDEN @IMHEVAL-DESCRIPTION"


def test_a_matrix_group_is_never_split_and_never_repeated() -> None:
    """REDCap wants a matrix group's fields together, with the same choices."""
    for instrument in [hand_made(), *list_builtin()]:
        _header, *rows = rows_of(write_dictionary(instrument))
        seen: dict[str, tuple[int, str]] = {}
        last = ""
        for position, row in enumerate(rows):
            group = row[15]
            if group:
                if group in seen:
                    assert last == group, f"{instrument.id}: group {group} is split"
                    assert seen[group][1] == row[5]
                else:
                    seen[group] = (position, row[5])
            last = group


def test_calcs_name_only_fields_of_the_dictionary() -> None:
    for instrument in [hand_made(), *list_builtin()]:
        fields = by_name(write_dictionary(instrument))
        for name, row in fields.items():
            if row["Field Type"] == "calc":
                named = re.findall(
                    r"\[([a-z0-9_]+)\]", row["Choices, Calculations, OR Slider Labels"]
                )
                assert named and set(named) <= set(fields), name


# ---------------------------------------------------------------------------------------------
# Round trips


def test_hand_made_instrument_round_trips_exactly() -> None:
    instrument = hand_made()
    imported = read_back(write_dictionary(instrument).encode("utf-8"))
    assert imported.instrument == instrument
    assert imported.omissions == ()
    assert imported.unkeyed == ()
    assert imported.code_field == "code"
    assert imported.answer_map("S.2").source == "s_2"
    assert imported.answer_map("K2").codes == {
        "1": "x y",
        "2": "z,1",
        "3": "-1",
        "X": "x y",
        "Z": "z,1",
        "Minus one": "-1",
    }


def test_hand_made_instrument_round_trips_through_the_zip() -> None:
    instrument = hand_made()
    imported = read_back(write_instrument_zip(instrument), name="hand.zip")
    assert imported.instrument == instrument
    assert imported.omissions == ()


@pytest.mark.parametrize("instrument", list_builtin(), ids=lambda i: i.id)
def test_every_built_in_instrument_round_trips(instrument: Instrument) -> None:
    expected = as_exported(instrument)
    for data, name in (
        (write_dictionary(instrument).encode("utf-8"), "bank.csv"),
        (write_instrument_zip(instrument), "bank.zip"),
    ):
        imported = read_back(data, name)
        assert imported.instrument == expected
        assert imported.omissions == ()
        assert imported.unkeyed == ()
        assert [a.item for a in imported.answers] == [q.id for q in instrument.questions]


def test_imh_core_keeps_its_parallel_forms_and_default_wording() -> None:
    core = next(i for i in list_builtin() if i.id == "imh-core")
    imported = read_back(write_dictionary(core).encode("utf-8")).instrument
    assert [f.id for f in imported.forms] == ["A", "B"]
    assert [q.form for q in imported.questions] == [q.form for q in core.questions]
    assert {q.form for q in imported.questions} == {"A", "B", None}
    assert not any("{" in q.text for q in imported.questions)
    assert imported.scales["can_do"] == core.scales["can_do"]


def test_what_a_dictionary_cannot_hold_is_only_misconceptions_evidence_and_wording() -> None:
    for instrument in list_builtin():
        imported = read_back(write_dictionary(instrument).encode("utf-8")).instrument
        assert imported.framework == instrument.framework
        assert [d.model_dump() for d in imported.domains] == [
            d.model_dump() for d in as_exported(instrument).domains
        ]
        for before, after in zip(instrument.items, imported.items, strict=True):
            assert (after.id, after.concept, after.competencies) == (
                before.id,
                before.concept,
                before.competencies,
            )


# ---------------------------------------------------------------------------------------------
# The ZIP


def test_instrument_zip_holds_instrument_csv_with_bom_and_origin() -> None:
    data = write_instrument_zip(hand_made())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["instrument.csv", "OriginID.txt"]
        csv_bytes = archive.read("instrument.csv")
        assert archive.read("OriginID.txt") == b"imheval"
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    rows = rows_of(csv_bytes.decode("utf-8"))
    # No record id: the instrument joins a project that has its own.
    assert rows[1][0] == "code"
    assert write_instrument_zip(hand_made()) == data  # the same bytes each time


def test_items_and_options_are_checked_against_the_written_rows() -> None:
    instrument = hand_made()
    fields = by_name(write_dictionary(instrument))
    questions = {q.id: q for q in instrument.questions}
    for row in fields.values():
        tag = re.search(r"@IMHEVAL-ID=(\S+)", row["Field Annotation"])
        if not tag:
            continue
        question = questions[tag.group(1)]
        if isinstance(question, KeyedItem):
            assert row["Field Type"] == "radio"
            assert len(row["Choices, Calculations, OR Slider Labels"].split(" | ")) == len(
                question.options
            )
        elif isinstance(question, RatingItem):
            scale = instrument.scales[question.scale]
            assert (
                len(row["Choices, Calculations, OR Slider Labels"].split(" | "))
                == scale.max - scale.min + 1
            )
        else:
            assert isinstance(question, OpenItem) and row["Field Type"] == "notes"


def test_answer_maps_for_records_of_a_project_built_from_the_dictionary() -> None:
    instrument = hand_made()
    maps = redcap_answer_maps(instrument)
    assert maps.instrument is instrument
    assert maps.code_field == "code"
    assert [(a.item, a.source) for a in maps.answers] == [
        ("K1", "k1"),
        ("code", "code_2"),
        ("S-1", "s_1"),
        ("S.2", "s_2"),
        ("K2", "k2"),
        ("C1", "c1"),
        ("record_id", "record_id_2"),
        ("S3", "s3"),
        ("O2", "o2"),
    ]
    assert maps.answer_map("K2").codes["2"] == "z,1"
    assert maps.answer_map("C1").codes["Total"] == "10"
    core = next(i for i in list_builtin() if i.id == "imh-core")
    assert redcap_answer_maps(core).answer_map("KA01").source == "ka01"
