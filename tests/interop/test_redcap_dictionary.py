"""REDCap data dictionaries in (imheval.interop.redcap.dictionary): what becomes what.

The main fixture, tests/interop/data/redcap_dict/scored_knowledge.csv, has one field of every
kind the reader treats differently: keyed choices scored by calc fields written every way REDCap
projects write them, a matrix group of ratings with a reversed one and a missing-data code, a
shared choice list, an unscored choice, the code, cohort and timepoint fields, an identifying
field, free text, a date, display text and calcs that do not score.
"""

from __future__ import annotations

import json

import pytest
from tests.interop.redcap_dict_build import dictionary, dictionary_text, field, local, zipped

from imheval.errors import InstrumentError
from imheval.instruments import KeyedItem, OpenItem, RatingItem
from imheval.interop.model import InstrumentImport, KeysNeededError, SourceFile, System
from imheval.interop.redcap._calc import KeyTerm, Ref, ValueTerm, score_terms
from imheval.interop.redcap._dict_text import clean_label, escape_label, parse_choices
from imheval.interop.redcap.dictionary import read_dictionary


@pytest.fixture(scope="module")
def scored() -> InstrumentImport:
    return read_dictionary(local("scored_knowledge.csv"))


def keyed(imported: InstrumentImport, item_id: str) -> KeyedItem:
    item = next(q for q in imported.instrument.questions if q.id == item_id)
    assert isinstance(item, KeyedItem)
    return item


def rating(imported: InstrumentImport, item_id: str) -> RatingItem:
    item = next(q for q in imported.instrument.questions if q.id == item_id)
    assert isinstance(item, RatingItem)
    return item


def where(imported: InstrumentImport) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for omission in imported.omissions:
        found.setdefault(omission.where, []).append(omission.message)
    return found


# ---------------------------------------------------------------------------------------------
# The instrument


def test_instrument_is_named_after_the_form_with_imported_defaults(
    scored: InstrumentImport,
) -> None:
    instrument = scored.instrument
    assert scored.system is System.REDCAP
    assert (instrument.id, instrument.title, instrument.version) == (
        "imh_scored",
        "Imh scored",
        "1.0.0",
    )
    assert instrument.language == "en-GB"
    assert [level.value for level in instrument.levels] == ["beginner", "intermediate", "advanced"]


def test_questions_in_dictionary_order_with_section_headers_as_domains(
    scored: InstrumentImport,
) -> None:
    instrument = scored.instrument
    assert [q.id for q in instrument.questions] == [
        "k1", "k2", "k3", "k4", "k5___1", "k5___2", "k5___3",
        "se1", "se2", "se3", "r1", "r2", "comments",
    ]  # fmt: skip
    assert [(d.id, d.label) for d in instrument.domains] == [
        ("knowledge", "Knowledge"),
        ("self-efficacy", "Self-efficacy"),
        ("reaction", "Reaction"),
    ]
    assert [q.domain for q in instrument.items] == ["knowledge"] * 7 + ["self-efficacy"] * 3 + [
        "reaction"
    ] * 2


def test_html_is_stripped_from_labels_and_headers(scored: InstrumentImport) -> None:
    assert keyed(scored, "k1").text == "The period of most rapid brain growth is"
    assert scored.instrument.domains[0].label == "Knowledge"


def test_calc_if_quoted_scores_a_radio(scored: InstrumentImport) -> None:
    item = keyed(scored, "k1")
    assert item.options == {
        "1": "Conception to age 3",
        "2": "Age 3 to 5",
        "3": "Age 5 to 11",
        "4": "Adolescence",
    }
    assert (item.key, item.points) == (("1",), 1.0)


def test_calc_with_double_quotes_or_and_points_gives_a_multi_code_key(
    scored: InstrumentImport,
) -> None:
    item = keyed(scored, "k2")
    assert (item.key, item.points) == (("a", "c"), 2.0)


def test_yesno_added_as_is_is_keyed_yes(scored: InstrumentImport) -> None:
    item = keyed(scored, "k3")
    assert (item.options, item.key) == ({"1": "Yes", "0": "No"}, ("1",))
    assert scored.answer_map("k3").codes == {"1": "1", "0": "0", "Yes": "1", "No": "0"}


def test_truefalse_keyed_by_an_unquoted_code(scored: InstrumentImport) -> None:
    item = keyed(scored, "k4")
    assert (item.options, item.key) == ({"1": "True", "0": "False"}, ("0",))


def test_checkbox_options_become_items_keyed_by_calc_terms(scored: InstrumentImport) -> None:
    assert [
        (keyed(scored, i).text, keyed(scored, i).key) for i in ("k5___1", "k5___2", "k5___3")
    ] == [
        ("Who can refer to the service?: Health visitor", ("1",)),
        ("Who can refer to the service?: GP", ("1",)),
        ("Who can refer to the service?: Neighbour", ("0",)),
    ]
    assert keyed(scored, "k5___1").options == {"1": "Ticked", "0": "Not ticked"}
    answers = scored.answer_map("k5___3")
    assert (answers.source, answers.columns) == ("k5", ("k5___3",))
    assert answers.codes["Checked"] == "1" and answers.codes["Unchecked"] == "0"


def test_matrix_group_is_a_shared_rating_scale_with_a_reversed_item(
    scored: InstrumentImport,
) -> None:
    scale = scored.instrument.scales["se_grid"]
    assert (scale.min, scale.max) == (1, 5)
    assert scale.labels == {
        1: "Strongly disagree",
        2: "Disagree",
        3: "Neither",
        4: "Agree",
        5: "Strongly agree",
    }
    assert [
        (rating(scored, i).scale, rating(scored, i).reverse) for i in ("se1", "se2", "se3")
    ] == [
        ("se_grid", False),
        ("se_grid", False),
        ("se_grid", True),
    ]
    assert scored.answer_map("se1").codes["Agree"] == "4"
    assert "999" not in scored.answer_map("se1").codes


def test_missing_data_codes_are_not_options_and_are_said_once_per_matrix(
    scored: InstrumentImport,
) -> None:
    assert where(scored)["matrix group 'se_grid'"] == [
        "the missing-data codes 999 (Don't know) are not options: an answer of 999 is read as "
        "not one of the options (scored 'invalid')"
    ]


def test_a_shared_whole_number_list_without_a_calc_is_a_rating_scale(
    scored: InstrumentImport,
) -> None:
    assert rating(scored, "r1").scale == rating(scored, "r2").scale == "scale_1"
    scale = scored.instrument.scales["scale_1"]
    assert (scale.min, scale.max, scale.labels[3]) == (0, 3, "Very")


def test_free_text_is_an_open_question_with_its_char_limit(scored: InstrumentImport) -> None:
    comments = scored.instrument.open_items[0]
    assert isinstance(comments, OpenItem)
    assert (comments.id, comments.text, comments.max_length) == ("comments", "Anything else?", 500)
    # Its section has no scored question, so it is asked after the scored ones.
    assert comments.domain is None


def test_code_cohort_timepoint_and_identifying_fields_are_recognised(
    scored: InstrumentImport,
) -> None:
    assert scored.code_field == "own_code"
    assert scored.cohort_field == "cohort"
    assert scored.timepoint_field == "timepoint"
    assert scored.identifying == ("email",)
    ids = {q.id for q in scored.instrument.questions}
    assert not ids & {"record_id", "own_code", "cohort", "timepoint", "email"}


def test_unscored_choices_are_listed_to_be_keyed(scored: InstrumentImport) -> None:
    assert [(q.item, q.source, q.domain, q.domain_label, q.after) for q in scored.unkeyed] == [
        ("k6", "k6", "knowledge", "Knowledge", "k5___3"),
        ("r3", "r3", "reaction", "Reaction", "r2"),
    ]
    assert scored.unkeyed[1].options == {"1": "Yes", "0": "No"}
    assert where(scored)["field 'k6'"] == [
        "a choice question with no answer key (no calculation scores it), so it is left out; "
        "to score it, give its key with --key k6=CODE (its options: 1 = A; 2 = B)"
    ]


def test_what_is_not_carried_is_listed_with_the_reason(scored: InstrumentImport) -> None:
    found = where(scored)
    assert found["field 'email'"] == [
        "it identifies a person (Identifier? = y, or its name or validation says so), so it is "
        "never imported"
    ]
    assert found["field 'r3'"][0] == (
        "it is shown only when [r1] > 0; the condition is not carried (imheval asks every question)"
    )
    assert found["field 'visit_date'"] == [
        "a date or time field (date_dmy); imheval scores choices and keeps free text, not dates "
        "or numbers"
    ]
    assert found["field 'thanks'"] == ["display text, not a question"]
    assert found["field 'ratio'"] == [
        "the calculation round([k_total]/[se_total],1) is not carried: it is not a sum of "
        "answers or of if(...) scores of choice questions"
    ]
    assert found["field 'se1_clean'"][0].startswith(
        "the calculation if(([se1] = '777' OR [se1] = '999'), '', [se1]) is not carried: it "
        "handles missing-data codes"
    )
    # The scoring calcs are carried (as the key), so they are not listed.
    assert "field 'k_total'" not in found and "field 'se_total'" not in found
    assert len(scored.omissions) == 9


def test_answers_follow_the_instrument_order(scored: InstrumentImport) -> None:
    assert [a.item for a in scored.answers] == [q.id for q in scored.instrument.questions]
    assert scored.answer_map("k2").codes["Arching"] == "c"


# ---------------------------------------------------------------------------------------------
# Every vintage and wrapping of the same dictionary


def _variants() -> dict[str, bytes]:
    data = local("scored_knowledge.csv").data
    text = data.decode("utf-8")
    return {
        "bom_crlf": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
        "cr_only": text.replace("\n", "\r").encode("utf-8"),
        "trailing_blank_lines": data + b"\n\n,,,,,,,,,,,,,,,,,\n",
        "semicolons": text.replace('","', '";"').encode("utf-8"),
        "windows_1252": text.encode("cp1252"),
    }


@pytest.mark.parametrize("variant", sorted(_variants()))
def test_line_endings_bom_encoding_and_blank_lines_read_the_same(
    variant: str, scored: InstrumentImport
) -> None:
    data = _variants()[variant]
    if variant == "semicolons":
        import csv
        import io

        rows = list(csv.reader(io.StringIO(local("scored_knowledge.csv").data.decode())))
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
        data = buffer.getvalue().encode("utf-8")
    imported = read_dictionary(SourceFile(name=f"{variant}.csv", data=data))
    assert imported.instrument == scored.instrument
    assert imported.unkeyed == scored.unkeyed


def test_legacy_14_column_dictionary_with_cr_line_endings() -> None:
    imported = read_dictionary(local("legacy_14col_scored_cr.csv"))
    assert [(q.id, getattr(q, "key", None)) for q in imported.instrument.questions] == [
        ("k1", ("1",)),
        ("k2", ("a", "c")),
        ("k3", ("1",)),
        ("comments", None),
    ]
    assert keyed(imported, "k2").points == 2.0
    assert imported.identifying == ("email",)
    assert [q.source for q in imported.unkeyed] == ["k6"]


def test_transitional_headers_with_crlf() -> None:
    imported = read_dictionary(local("transitional_scored.csv"))
    assert [q.id for q in imported.instrument.items] == ["k1", "k2", "k3"]
    assert keyed(imported, "k1").options["4"] == "Adolescence"
    assert imported.instrument.domains[0].label == "Knowledge"


def test_api_metadata_as_json() -> None:
    imported = read_dictionary(local("api_metadata.json"))
    assert [q.id for q in imported.instrument.items] == ["k1", "k2", "se1", "se2", "se3"]
    assert keyed(imported, "k2").key == ("a", "c")
    assert rating(imported, "se3").reverse is True
    assert imported.code_field == "own_code"


def test_instrument_zip_reads_instrument_csv() -> None:
    source = zipped(
        {
            "instrument.csv": b"\xef\xbb\xbf" + local("scored_knowledge.csv").data,
            "OriginID.txt": b"redcap.example.org",
            "attachments/thanks/logo.png": b"\x89PNG not really",
        }
    )
    imported = read_dictionary(source)
    assert imported.instrument == read_dictionary(local("scored_knowledge.csv")).instrument


def test_instrument_zip_of_a_later_form_keeps_its_first_field() -> None:
    # A ZIP of any form but the project's first has no record id: its first field is a question.
    rows = [
        field("q1", "radio", "First question", "a, Right | b, Wrong"),
        field("score", "calc", "Score", "if([q1]='a',1,0)"),
    ]
    source = zipped({"instrument.csv": dictionary_text(rows).encode()})
    imported = read_dictionary(source)
    assert [q.id for q in imported.instrument.questions] == ["q1"]
    assert imported.instrument.domains[0].id == "score"  # named by the calc that scores it


def test_project_xml_metadata_with_checkbox_calc_and_matrix() -> None:
    imported = read_dictionary(local("scored_project_odm.xml"))
    instrument = imported.instrument
    assert [(q.id, getattr(q, "key", None)) for q in instrument.questions] == [
        ("k1", ("1",)),
        ("roles___1", ("1",)),
        ("roles___2", ("0",)),
        ("se1", None),
        ("se2", None),
        ("comments", None),
    ]
    assert keyed(imported, "k1").options == {"1": "Conception to age 3", "2": "Age 3 to 5 | later"}
    assert keyed(imported, "roles___2").text == "Who can refer a baby?: Neighbour"
    assert instrument.scales["se_grid"].labels == {1: "Disagree", 2: "Neither", 3: "Agree"}
    assert [d.id for d in instrument.domains] == ["knowledge", "self-efficacy"]
    assert imported.code_field == "own_code"
    assert imported.omissions == ()


def test_project_xml_with_a_doctype_or_broken_is_refused_unread() -> None:
    data = local("scored_project_odm.xml").data
    hostile = data.replace(
        b'<?xml version="1.0" encoding="UTF-8" ?>',
        b'<?xml version="1.0"?><!DOCTYPE ODM [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    )
    with pytest.raises(InstrumentError) as refused:
        read_dictionary(SourceFile(name="project.xml", data=hostile))
    assert str(refused.value) == (
        "project.xml: the XML declares a DOCTYPE or entities, which REDCap's project XML never "
        "does; it was refused unread"
    )
    with pytest.raises(InstrumentError) as broken:
        read_dictionary(SourceFile(name="project.xml", data=data[: len(data) // 2]))
    assert "this XML cannot be read (" in str(broken.value)
    with pytest.raises(InstrumentError) as other:
        read_dictionary(SourceFile(name="other.xml", data=b"<document><a/></document>"))
    assert str(other.value).startswith(
        "other.xml: this is an XML file, not a REDCap data dictionary (a CSV file)"
    )


def test_r_written_na_cells_are_blank() -> None:
    text = (
        '"field_name","form_name","section_header","field_type","field_label",'
        '"select_choices_or_calculations","field_note","text_validation_type_or_show_slider_number",'
        '"text_validation_min","text_validation_max","identifier","branching_logic",'
        '"required_field","custom_alignment","question_number","matrix_group_name",'
        '"matrix_ranking","field_annotation"\n'
        '"record_id","quiz",NA,"text","ID",NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA\n'
        '"q1","quiz",NA,"radio","Q one","1, Yes | 0, No",NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA\n'
        '"total","quiz",NA,"calc","Total","if([q1]=\'1\',1,0)",NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA\n'
    )
    imported = read_dictionary(SourceFile(name="metadata.csv", data=text.encode()))
    assert imported.omissions == ()
    assert keyed(imported, "q1").key == ("1",)
    assert imported.instrument.domains[0].label == "Total"


def test_mojibake_and_entities_in_labels_are_mended() -> None:
    source = dictionary(
        [
            field("q1", "radio", "CafÃ© &amp; crÃ¨che?", "1, Oui\u00c2\u00a0| 2, Non"),
            field("total", "calc", "Total", "if([q1]='1',1,0)"),
        ]
    )
    item = keyed(read_dictionary(source), "q1")
    assert item.text == "Café & crèche?"
    assert item.options == {"1": "Oui", "2": "Non"}


# ---------------------------------------------------------------------------------------------
# Domains without section headers, several forms, keys given while reading


def test_without_headers_a_scoring_calc_names_the_domain() -> None:
    source = dictionary(
        [
            field("a1", "radio", "A one", "1, x | 2, y"),
            field("a2", "radio", "A two", "1, x | 2, y"),
            field("b1", "yesno", "B one"),
            field(
                "a_total", "calc", "Attachment (total score)", "if([a1]='1',1,0)+if([a2]='2',1,0)"
            ),
            field("b_total", "calc", "Bonding score", "[b1]"),
        ]
    )
    imported = read_dictionary(source)
    assert [(d.id, d.label) for d in imported.instrument.domains] == [
        ("attachment", "Attachment"),
        ("bonding", "Bonding"),
    ]
    assert [q.domain for q in imported.instrument.items] == ["attachment", "attachment", "bonding"]


def test_several_forms_become_domains_and_the_file_names_the_instrument() -> None:
    source = dictionary(
        [
            field("a1", "radio", "A one", "1, x | 2, y | 3, z", form="first_form"),
            field("a2", "radio", "A two", "1, x | 2, y | 3, z", form="first_form"),
            field("b1", "radio", "B one", "1, x | 2, y | 3, z", form="second_form"),
        ],
        name="My project_DataDictionary_2025-01-01.csv",
    )
    instrument = read_dictionary(source).instrument
    assert instrument.id == "my_project_datadictionary_2025-01-01"
    assert [(d.id, d.label) for d in instrument.domains] == [
        ("first_form", "First form"),
        ("second_form", "Second form"),
    ]


def test_a_dictionary_that_scores_nothing_is_read_with_keys_given() -> None:
    source = dictionary(
        [
            field("q1", "radio", "Q one", "1, Right | 2, Wrong"),
            field("q2", "checkbox", "Q two", "a, Tick me | b, Not me"),
        ]
    )
    with pytest.raises(KeysNeededError) as refused:
        read_dictionary(source)
    assert "no question in this dictionary is scored" in str(refused.value)
    assert "'q1', 'q2___a', 'q2___b'" in str(refused.value)
    # What was read waits for the keys (imheval.interop.convert.apply_keys finishes it).
    pending = refused.value.pending
    assert (pending.system, pending.fields["id"], pending.fields["title"]) == (
        System.REDCAP,
        "quiz",
        "Quiz",
    )
    assert pending.fields["domains"] == [{"id": "quiz", "label": "Quiz"}]
    assert [(q.source, q.domain, q.domain_label, q.after) for q in pending.unkeyed] == [
        ("q1", "quiz", "Quiz", None),
        ("q2___a", "quiz", "Quiz", None),
        ("q2___b", "quiz", "Quiz", None),
    ]
    imported = read_dictionary(source, keys={"q1": ["Right"], "q2___b": ["0"]})
    assert [(q.id, q.key) for q in imported.instrument.items if isinstance(q, KeyedItem)] == [
        ("q1", ("1",)),
        ("q2___b", ("0",)),
    ]
    assert [q.source for q in imported.unkeyed] == ["q2___a"]


def test_keys_that_name_nothing_are_refused_together() -> None:
    source = dictionary([field("q1", "radio", "Q one", "1, Right | 2, Wrong")])
    with pytest.raises(InstrumentError) as refused:
        read_dictionary(source, keys={"q9": ["1"], "q1": ["3"]})
    messages = [p.message for p in refused.value.problems]
    assert messages == [
        "'q9' is not one of the choice questions without a key in dictionary.csv; they are: 'q1'",
        "q1=3: '3' is not one of the options of 'q1', which are: 1 (Right); 2 (Wrong)",
    ]


def test_a_calc_that_reverses_against_another_scale_is_not_read() -> None:
    source = dictionary(
        [
            field("s1", "radio", "S one", "1, a | 2, b | 3, c", matrix="grid"),
            field("total", "calc", "Total", "(5-[s1])"),
        ]
    )
    imported = read_dictionary(source)
    assert rating(imported, "s1").reverse is False  # still a rating: it is in a matrix group
    assert where(imported)["field 'total'"] == [
        "the calculation (5-[s1]) is not carried: (5-[s1]) does not reverse the scale 1 to 3 "
        "(that would be (4-[s1]))"
    ]


def test_two_calcs_that_disagree_keep_the_first() -> None:
    source = dictionary(
        [
            field("q1", "radio", "Q one", "a, x | b, y | c, z"),
            field("t1", "calc", "Total", "if([q1]='a',1,0)"),
            field("t2", "calc", "Other total", "if([q1]='b',1,0)"),
        ]
    )
    imported = read_dictionary(source)
    assert keyed(imported, "q1").key == ("a",)
    assert where(imported)["field 't2'"] == [
        "it scores 'q1' differently from calc 't1'; the scoring of 't1' was used"
    ]


def test_hidden_fields_and_action_tags() -> None:
    source = dictionary(
        [
            field("lang", "radio", "Language", "en, English | cy, Welsh", annotation="@HIDDEN"),
            field("q1", "radio", "Q one", "1, x | 2, y", annotation='@DEFAULT="1" @READONLY'),
            field("t", "calc", "Total", "if([q1]='1',1,0)"),
        ]
    )
    found = where(read_dictionary(source))
    assert found["field 'lang'"] == [
        "it is hidden from participants (@HIDDEN), so it is not a question they answer"
    ]
    assert found["field 'q1'"] == ["its action tags @DEFAULT, @READONLY are not carried"]


def test_several_code_fields_are_left_for_the_person_to_name() -> None:
    source = dictionary(
        [
            field("own_code", "text", "Your code"),
            field("trust_code", "text", "Trust code"),
            field("q1", "yesno", "Q one"),
            field("t", "calc", "Total", "[q1]"),
        ]
    )
    imported = read_dictionary(source)
    assert imported.code_field is None
    assert where(imported)["fields 'own_code', 'trust_code'"] == [
        "each could hold the self-generated code; name the one that does with --code-field when "
        "converting the records"
    ]


# ---------------------------------------------------------------------------------------------
# The calc reader and the label helpers on their own


@pytest.mark.parametrize(
    ("expression", "terms"),
    [
        ("if([k1]='1',1,0)", [KeyTerm(Ref("k1"), ("1",), 1.0)]),
        ("if([k1] = 1, 1, 0)", [KeyTerm(Ref("k1"), ("1",), 1.0)]),
        ('IF([K1]="b",2,0)', [KeyTerm(Ref("k1"), ("b",), 2.0)]),
        ("if(or([k]='a',[k]='b'),1,0)", [KeyTerm(Ref("k"), ("a", "b"), 1.0)]),
        ("if([k]<>'a',0,1)", [KeyTerm(Ref("k"), ("a",), 1.0)]),
        ("if([f(2)]='1',1,0)", [KeyTerm(Ref("f", "2"), ("1",), 1.0)]),
        ("[a]+[b]", [ValueTerm(Ref("a")), ValueTerm(Ref("b"))]),
        ("sum([a], (6 - [b]))", [ValueTerm(Ref("a")), ValueTerm(Ref("b"), 6.0)]),
        ("(-3-[s])", [ValueTerm(Ref("s"), -3.0)]),
    ],
)
def test_calc_expressions_read_as_scoring_terms(expression: str, terms: list[object]) -> None:
    assert list(score_terms(expression) or ()) == terms


@pytest.mark.parametrize(
    "expression",
    [
        "3+4",
        "round(([weight]*10000)/(([height])^(2)),1)",
        "if(([x] = '777' OR [x] = '999'), '', [x])",
        "if([x] > 0, 1, 0)",
        "$('#x-tr select option:nth(1)').prop('selected',true)",
        "[event_1_arm_1][k1]",
        "if([k1]='1' or [k2]='1',1,0)",
        "2*[a]",
        "",
    ],
)
def test_calc_expressions_that_do_not_score(expression: str) -> None:
    assert score_terms(expression) is None


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ('<div class="rich-text-field-label"><p>Hello <b>world</b></p></div>', "Hello world"),
        ("Line one<br>Line two", "Line one\nLine two"),
        ("Under 3 months <3 and > 1", "Under 3 months <3 and > 1"),
        ("A &amp; B", "A & B"),
        ("<script>alert(1)</script>Shown", "Shown"),
        ("  spaced  ", "spaced"),
    ],
)
def test_labels_are_cleaned_to_plain_text(raw: str, text: str) -> None:
    assert clean_label(raw) == text


@pytest.mark.parametrize("text", ["Use <b>bold</b>", "Tom &amp; Jerry", "Ã© stays", "plain"])
def test_escaped_labels_read_back_exactly(text: str) -> None:
    assert clean_label(escape_label(text)) == text


def test_choices_without_spaces_or_with_commas_in_labels() -> None:
    assert parse_choices("1, one|2, two, three| 3 ,x") == [
        ("1", "one"),
        ("2", "two, three"),
        ("3", "x"),
    ]
    assert parse_choices("a, A &#124; B") == [("a", "A | B")]


def test_json_that_is_not_metadata_is_refused() -> None:
    source = SourceFile(name="x.json", data=json.dumps([{"record_id": "1"}]).encode())
    with pytest.raises(InstrumentError) as refused:
        read_dictionary(source)
    assert "this JSON file is not REDCap metadata" in str(refused.value)


def test_a_scoring_calc_of_two_thousand_questions_is_read() -> None:
    rows = [field(f"q{i}", "radio", f"Q {i}", "1, a | 2, b | 3, c") for i in range(2000)]
    total = "+".join(f"if([q{i}]='1' or [q{i}]='3',1,0)" for i in range(2000))
    rows.append(field("total", "calc", "Total", total))
    imported = read_dictionary(dictionary(rows))
    assert len(imported.instrument.items) == 2000
    assert keyed(imported, "q1999").key == ("1", "3")
    assert imported.omissions == ()


def test_deeply_nested_calcs_are_not_read_and_do_not_crash() -> None:
    assert score_terms("(" * 5000 + "[a]" + ")" * 5000) is None
    assert score_terms("sum(" * 3000 + "[a]" + ")" * 3000) is None


def test_free_text_beside_nothing_scored_is_named_as_left_out() -> None:
    source = dictionary(
        [
            field("q1", "radio", "Q one", "1, Right | 2, Wrong", section="About the training"),
            field("why", "notes", "Why?"),
        ]
    )
    with pytest.raises(KeysNeededError) as refused:
        read_dictionary(source)
    pending = refused.value.pending
    assert pending.fields["domains"] == [
        {"id": "about_the_training", "label": "About the training"}
    ]
    assert [str(o) for o in pending.omissions] == [
        "field 'q1': a choice question with no answer key (no calculation scores it), so it is "
        "left out; to score it, give its key with --key q1=CODE (its options: 1 = Right; 2 = "
        "Wrong)",
        "field 'why': free text is carried only beside a scored question, and no question here "
        "is scored yet, so it is left out",
    ]
