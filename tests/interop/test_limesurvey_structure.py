"""Reading LimeSurvey structures: every real file (three generations, a group export, the
tab-separated exports, a response export given as the structure), our own fixtures, and bad
input (wrong XML, cut short, DOCTYPE/ENTITY, archives, damaged rows)."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from imheval.errors import InstrumentError
from imheval.instruments import KeyedItem, OpenItem, RatingItem
from imheval.interop.limesurvey._text import encode_mapping, html_to_text, text_to_html
from imheval.interop.limesurvey.responses import read_responses
from imheval.interop.limesurvey.structure import read_structure
from imheval.interop.model import (
    InstrumentImport,
    KeysNeededError,
    ResponseOptions,
    SourceFile,
    System,
)
from shared_fixtures import shared_fixture

DATA = Path(__file__).parent / "data" / "limesurvey"


def real(name: str) -> SourceFile:
    return SourceFile.read(shared_fixture("interop", "real", "limesurvey", name))


def ours(name: str) -> SourceFile:
    return SourceFile.read(DATA / name)


def refused(source: SourceFile) -> str:
    with pytest.raises(InstrumentError) as caught:
        read_structure(source)
    return str(caught.value)


def omitted(structure: InstrumentImport) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for omission in structure.omissions:
        found.setdefault(omission.where, []).append(omission.message)
    return found


# --- the real files ------------------------------------------------------------------------


def test_old_lss_dbversion_177_reads_status_lists_as_a_shared_scale_and_texts_as_open() -> None:
    structure = read_structure(real("ls2_survey_981966_assessments_crlf.lss"))
    instrument = structure.instrument
    assert structure.system is System.LIMESURVEY
    assert instrument.id == "rgi_2015_test_survey"
    assert instrument.title == "RGI 2015 Test Survey"
    assert instrument.version == "1.0.0"
    assert instrument.language == "en"
    assert [(d.id, d.label) for d in instrument.domains] == [("q1", "q1"), ("q2", "q2")]
    # Four status lists share one 1..5 integer-coded list and score nothing (every assessment
    # value is 1): the shared numeric list makes them a forward scale.
    ratings = [q for q in instrument.questions if isinstance(q, RatingItem)]
    assert [q.id for q in ratings] == [
        "q1statusreviewer",
        "q1statussupervisor",
        "q2statusreviewer",
        "q2statussupervisor",
    ]
    assert {q.scale for q in ratings} == {"scale_1"}
    scale = instrument.scales["scale_1"]
    assert (scale.min, scale.max) == (1, 5)
    assert scale.labels[1] == "not reviewed"
    assert scale.labels[5] == "accepted by supervisor"
    assert not any(q.reverse for q in ratings)
    # HTML, scripts and entities are stripped from the texts; LimeSurvey expressions stay.
    assert ratings[0].text == "Current status of question '{q1researcher.question}':"
    open_items = [q for q in instrument.questions if isinstance(q, OpenItem)]
    assert len(open_items) == 17
    assert open_items[0].id == "q1researcher"
    # The file holds a script without its <script> tag: it is text, kept as the file has it.
    assert open_items[0].text == (
        "RESEARCHER: What do you think about corruption in {TOKEN:ATTRIBUTE_1}? "
        "{user.shown}'; if(user == '1') { } else { $('#question{self.qid}').hide(); } });"
    )
    assert all(q.domain in ("q1", "q2") for q in open_items)
    assert structure.answer_map("q1statusreviewer").codes["not reviewed"] == "1"
    # The yes/no legislation lists (every answer worth 1, two options) are listed for a key.
    assert [(u.item, u.domain, u.after) for u in structure.unkeyed] == [
        ("q2researcher", "q2", "q2statussupervisor"),
        ("q2reviewer", "q2", "q2statussupervisor"),
        ("q2supervisor", "q2", "q2statussupervisor"),
    ]
    assert list(structure.unkeyed[0].options) == ["1", "2"]
    notes = omitted(structure)
    assert notes["question 'user'"] == [
        "always hidden in LimeSurvey (people never see it); not carried"
    ]
    assert notes["question 'notanswered'"] == [
        "an equation (a calculation LimeSurvey makes); not carried"
    ]
    assert notes["question 'q1statusreviewer'"] == [
        'shown only when (user.NAOK == "2"); imheval asks every question (branching is not carried)'
    ]
    assert any(
        "every answer has the same assessment value (1)" in m
        for m in notes["question 'q2researcher'"]
    )
    assert any("'Other' answer" in m for m in notes["question 'q2researcher'"])
    assert structure.code_field is None


def test_the_tab_separated_export_of_the_same_survey_reads_the_same() -> None:
    from_lss = read_structure(real("ls2_survey_981966_assessments_crlf.lss"))
    from_txt = read_structure(real("ls2_survey_981966_tab_structure.txt"))
    assert from_txt.instrument == from_lss.instrument
    assert [a.source for a in from_txt.answers] == [a.source for a in from_lss.answers]
    assert [u.item for u in from_txt.unkeyed] == [u.item for u in from_lss.unkeyed]


def test_lss_2_5_with_only_free_text_is_refused_saying_nothing_can_be_scored() -> None:
    message = refused(real("ls25_survey_853735_mixed_eol.lss"))
    assert message.startswith(
        "ls25_survey_853735_mixed_eol.lss: nothing here can be scored: 3 free-text "
        "question(s) (intro, vr1, vr2)."
    )
    assert "assessment value" in message


def test_lss_6_with_one_free_text_question_is_refused() -> None:
    message = refused(real("ls6_survey_one_question_et_en.lss"))
    assert message.startswith(
        "ls6_survey_one_question_et_en.lss: nothing here can be scored: 1 free-text "
        "question(s) (Q1)."
    )


def test_tab_separated_export_with_one_unkeyed_list_is_refused_naming_it() -> None:
    message = refused(real("ls_tab_structure_one_question.txt"))
    assert message.startswith(
        "ls_tab_structure_one_question.txt: nothing here can be scored: 1 choice question(s) "
        "with no answer key (onlyQuestion)."
    )
    assert "Give the answer key of at least one with --key QUESTION=CODE (e.g. --key " in message
    assert "onlyQuestion=1: the right answer's code or text)" in message


def test_a_survey_whose_only_choice_questions_are_unkeyed_needs_keys_and_holds_them() -> None:
    with pytest.raises(KeysNeededError) as caught:
        read_structure(real("ls_tab_structure_one_question.txt"))
    pending = caught.value.pending
    assert pending.system is System.LIMESURVEY
    assert pending.fields["id"] == "simplest_survey_ever"
    assert pending.fields["title"] == "Simplest Survey Ever"
    assert [d["id"] for d in pending.fields["domains"]] == ["only_group"]
    (question,) = pending.unkeyed
    assert (question.item, question.source, question.domain, question.domain_label) == (
        "onlyQuestion",
        "onlyQuestion",
        "only_group",
        "Only group",
    )
    assert question.options == {
        "1": "This is the first answer option",
        "2": "This is the second answer option",
    }
    assert question.answers.codes["This is the second answer option"] == "2"


def test_group_export_lsg_is_read_as_a_survey_of_that_group() -> None:
    structure = read_structure(real("ls5_group_1370.lsg"))
    instrument = structure.instrument
    assert instrument.id == "group_title"
    assert instrument.title == "Group Title"
    assert [(d.id, d.label, d.description) for d in instrument.domains] == [
        ("group_title", "Group Title", "Group Description")
    ]
    # The array's rows share the integer-coded answers 1..3 with the radio list: one scale,
    # named after the array.
    assert [(q.id, q.kind) for q in instrument.questions] == [
        ("questionCode1", "rating"),
        ("questionCode2_subQuestion1", "rating"),
        ("questionCode2_subQuestion2", "rating"),
        ("questionCode2_subQuestion3", "rating"),
    ]
    assert set(instrument.scales) == {"questioncode2"}
    scale = instrument.scales["questioncode2"]
    assert (scale.min, scale.max, scale.labels) == (
        1,
        3,
        {1: "Answer option 1", 2: "Answer option 2", 3: "Answer option 3"},
    )
    assert instrument.questions[1].text == "Question 2 (array) description [Sub question 1]"
    assert (
        structure.answer_map("questionCode2_subQuestion2").source == "questionCode2[subQuestion2]"
    )
    assert structure.answer_map("questionCode1").codes == {
        "1": "1",
        "2": "2",
        "3": "3",
        "Answer option 1": "1",
        "Answer option 2": "2",
        "Answer option 3": "3",
    }
    assert omitted(structure)["ls5_group_1370.lsg"] == [
        "a question-group export (.lsg): read as a survey of that one group"
    ]


def test_response_export_given_as_the_structure_is_refused() -> None:
    message = refused(real("ls_responses_code_headings_anonymised.csv"))
    assert message == (
        "ls_responses_code_headings_anonymised.csv: is a LimeSurvey response export (it has "
        "columns such as submitdate), not the survey structure; give it as the responses, and "
        "as the structure in LimeSurvey open the survey, then Display/Export > Survey "
        "structure (.lss)"
    )
    assert "response export" in refused(real("ls_responses_fulltext_headings_bom_998192.csv"))


def test_tab_separated_export_reads_assessments_and_skips_the_translations() -> None:
    """LimeSurvey's manual: an answer's assessment value is in the relevance column (newer
    exports have an assessment_value column); the base language's rows come first, then a
    translated copy of every row per other language."""
    header = "class\ttype/scale\tname\trelevance\ttext\thelp\tlanguage\tmandatory\tother"
    lines = [
        header,
        "S\t\tlanguage\t\ten\t\t\t\t",
        "S\t\tadditional_languages\t\tnl\t\t\t\t",
        "SL\t\tsurveyls_title\t\tQuiz\t\ten\t\t",
        "SL\t\tsurveyls_title\t\tToets\t\tnl\t\t",
        "G\tG1\tKnowledge\t1\t\t\ten\t\t",
        "Q\tL\tK1\t1\tWhich is right?\t\ten\tY\tN",
        "A\t0\tA1\t0\tThis one\t\ten\t\t",
        "A\t0\tA2\t1\tThat one\t\ten\t\t",
        "G\tG1\tKennis\t1\t\t\tnl\t\t",
        "Q\tL\tK1\t1\tWat klopt?\t\tnl\tY\tN",
        "A\t0\tA1\t0\tDeze\t\tnl\t\t",
        "A\t0\tA2\t1\tDie\t\tnl\t\t",
    ]
    data = "\ufeff" + "\n".join(lines)
    structure = read_structure(SourceFile("quiz.txt", data.encode("utf-8")))
    instrument = structure.instrument
    assert instrument.title == "Quiz"
    assert [d.label for d in instrument.domains] == ["Knowledge"]
    item = instrument.questions[0]
    assert isinstance(item, KeyedItem)
    assert (item.id, item.text, item.key, item.options) == (
        "K1",
        "Which is right?",
        ("A2",),
        {"A1": "This one", "A2": "That one"},
    )
    assert omitted(structure)["languages"] == [
        "only the base language (en) is read; the texts in nl are not carried"
    ]


# --- our own fixtures ----------------------------------------------------------------------


def test_ls3_structure_with_assessments_gives_keys_scales_code_and_unkeyed_boxes() -> None:
    structure = read_structure(ours("kse_ls3_structure.lss"))
    instrument = structure.instrument
    assert instrument.title == "IMH knowledge & self-efficacy"
    assert instrument.description == "A short check before and after the training."
    assert [d.id for d in instrument.domains] == ["knowledge", "self-efficacy"]
    k1 = instrument.questions[0]
    assert isinstance(k1, KeyedItem)
    assert (k1.id, k1.key, k1.points) == ("K1", ("A1",), 1.0)
    assert k1.text == "The period of most rapid brain growth is"
    assert k1.options == {
        "A1": "Conception to age 3",
        "A2": "Age 3 to 5",
        "A3": "Age 5 to 11",
        "A4": "Adolescence",
    }
    rows = instrument.questions[1:]
    assert [q.id for q in rows] == ["SE_SQ001", "SE_SQ002"]
    assert rows[0].text == (
        "How much do you agree? [I feel confident talking to parents about their baby's feelings]"
    )
    assert instrument.scales["se"].labels[3] == "Neither agree nor disagree"
    assert structure.answer_map("SE_SQ001").codes["A4"] == "4"
    assert structure.answer_map("SE_SQ001").codes["Agree"] == "4"
    assert structure.code_field == "owncode"
    assert [(u.item, u.source, u.domain) for u in structure.unkeyed] == [
        ("ROLES_SQ001", "ROLES[SQ001]", "your_role"),
        ("ROLES_SQ002", "ROLES[SQ002]", "your_role"),
    ]
    assert omitted(structure)["question 'ROLES[SQ001]'"] == [
        "a box of a multiple choice question (Y when ticked); no answer key; give it with "
        "--key ROLES[SQ001]=<code> (codes: Y, N)"
    ]


def test_lsg_style_l10ns_with_two_languages_reads_the_base_language_only() -> None:
    structure = read_structure(ours("limonaid_998192_ls5_structure.lss"))
    instrument = structure.instrument
    assert instrument.title == "limonaid test survey 998192"
    assert [q.text for q in instrument.questions][:2] == [
        "Please  describe your current mood.",
        "Describe yourselves [Openness]",
    ]
    assert omitted(structure)["languages"] == [
        "only the base language (en) is read; the texts in nl-informal are not carried"
    ]
    mood = instrument.questions[0]
    assert isinstance(mood, OpenItem)
    # A group with no scored item is no domain: its open question has none.
    assert mood.domain is None
    assert [d.id for d in instrument.domains] == ["the_third_group"]


def test_several_code_like_text_questions_are_listed_not_guessed() -> None:
    lss = _survey_xml(
        questions=[
            ("1", "S", "owncode", "Your code"),
            ("2", "S", "postcode", "Postcode"),
            ("3", "S", "codeword", "A code word"),
            ("4", "L", "K1", "Question"),
        ],
        answers=[("4", "A1", "Yes", "1"), ("4", "A2", "No", "0")],
    )
    structure = read_structure(SourceFile("two-codes.lss", lss))
    assert structure.code_field is None
    assert structure.identifying == ("postcode",)
    assert omitted(structure)["questions 'owncode', 'codeword'"] == [
        "each could hold the self-generated code; name the right one with --code-field"
    ]
    assert [q.id for q in structure.instrument.questions] == ["K1"]


# --- bad input -----------------------------------------------------------------------------


def test_wrong_xml_is_refused_naming_its_root_element() -> None:
    xml = b'<?xml version="1.0"?><Questionnaire xmlns="http://hl7.org/fhir"/>'
    message = refused(SourceFile("questionnaire.xml", xml))
    assert message.startswith(
        "questionnaire.xml, field '<{http://hl7.org/fhir}Questionnaire>': is XML, but not a "
        "LimeSurvey survey structure: its root element is <{http://hl7.org/fhir}Questionnaire>"
    )
    assert "Display/Export > Survey structure (.lss)" in message


def test_document_without_doctype_marker_or_of_another_kind_is_refused() -> None:
    assert "has no <LimeSurveyDocType>" in refused(SourceFile("x.lss", b"<document/>"))
    question = b"<document><LimeSurveyDocType>Question</LimeSurveyDocType></document>"
    assert "is a single LimeSurvey question (.lsq)" in refused(SourceFile("q.lsq", question))
    other = b"<document><LimeSurveyDocType>Responses</LimeSurveyDocType></document>"
    assert "is a LimeSurvey 'Responses' file" in refused(SourceFile("r.lsr", other))


def test_truncated_file_is_refused_as_cut_short() -> None:
    data = real("ls2_survey_981966_assessments_crlf.lss").data
    message = refused(SourceFile("cut.lss", data[: len(data) // 2]))
    assert message.startswith("cut.lss: is not well-formed XML (")
    assert "the file may be cut short or damaged" in message


def test_doctype_and_entities_are_refused_before_any_expansion() -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE document [<!ENTITY a "SECRETSECRET">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
        b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType>"
        b"<surveys_languagesettings><rows><row><surveyls_title>&b;</surveyls_title>"
        b"</row></rows></surveys_languagesettings></document>"
    )
    message = refused(SourceFile("bomb.lss", bomb))
    assert message.startswith("bomb.lss: declares a DOCTYPE or ENTITY")
    assert "SECRET" not in message
    external = b'<!DOCTYPE document SYSTEM "file:///etc/passwd"><document/>'
    assert "declares a DOCTYPE or ENTITY" in refused(SourceFile("xxe.lss", external))


def test_archives_empty_and_binary_files_are_refused_clearly() -> None:
    archive = BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("survey_1.lss", "<document/>")
    assert "is a ZIP archive (a LimeSurvey survey archive .lsa?)" in refused(
        SourceFile("survey.lsa", archive.getvalue())
    )
    assert refused(SourceFile("empty.lss", b"  \n")).startswith("empty.lss: the file is empty")
    assert "not a text file" in refused(SourceFile("blob.lss", b"\x00\x01binary"))
    assert "is not a LimeSurvey survey structure (it is not XML)" in refused(
        SourceFile("notes.txt", b"just some notes\n")
    )


def test_a_damaged_question_row_is_named_and_nothing_is_imported() -> None:
    lss = _survey_xml(
        questions=[("1", "L", "K1", "Question"), ("2", "", "K2", "Broken")],
        answers=[("1", "A1", "Yes", "1"), ("1", "A2", "No", "0")],
    )
    message = refused(SourceFile("damaged.lss", lss))
    assert message == (
        "damaged.lss, field '<questions> row 2': a question has no type; the file is damaged. "
        "Export it again: in LimeSurvey open the survey, then Display/Export > Survey "
        "structure (.lss)"
    )


def test_an_unreadable_mapping_falls_back_to_limesurvey_codes_and_says_so() -> None:
    lss = _survey_xml(
        questions=[("1", "L", "K1", "Question"), ("9", "X", "imhevalmap", "imheval-map:@@@")],
        answers=[("1", "A1", "Yes", "1"), ("1", "A2", "No", "0")],
    )
    structure = read_structure(SourceFile("mapping.lss", lss))
    assert [q.id for q in structure.instrument.questions] == ["K1"]
    assert omitted(structure)["question 'imhevalmap'"][0].startswith(
        "imheval's hidden mapping could not be read"
    )


def test_a_mapping_with_bad_ids_is_ignored_item_by_item() -> None:
    mapping = encode_mapping({"items": {"K1": "not valid!", "K2": "participant"}})
    lss = _survey_xml(
        questions=[
            ("1", "L", "K1", "Question"),
            ("2", "L", "K2", "Other"),
            ("9", "X", "imhevalmap", mapping),
        ],
        answers=[
            ("1", "A1", "Yes", "1"),
            ("1", "A2", "No", "0"),
            ("2", "A1", "Yes", "0"),
            ("2", "A2", "No", "2"),
        ],
    )
    structure = read_structure(SourceFile("mapping.lss", lss))
    assert [q.id for q in structure.instrument.questions] == ["K1", "K2"]
    second = structure.instrument.questions[1]
    assert isinstance(second, KeyedItem)
    assert (second.key, second.points) == (("A2",), 2.0)


def test_html_text_round_trips_and_reads_like_a_browser() -> None:
    text = "A < B & {C}\n  indented  twice\tand tabbed"
    assert html_to_text(text_to_html(text)) == text.strip()
    assert html_to_text("<p>One</p>\n<p>Two&nbsp;&amp; <b>three</b></p><script>x()</script>") == (
        "One\n\nTwo & three"
    )


def _survey_xml(
    *, questions: list[tuple[str, str, str, str]], answers: list[tuple[str, str, str, str]]
) -> bytes:
    """A small old-style (.lss 2.x) survey: one group, the given questions and answers."""
    rows = "".join(
        f"<row><qid>{qid}</qid><parent_qid>0</parent_qid><sid>1</sid><gid>1</gid>"
        f"<type>{kind}</type><title>{title}</title><question><![CDATA[{text}]]></question>"
        f"<question_order>{qid}</question_order><language>en</language></row>"
        for qid, kind, title, text in questions
    )
    answer_rows = "".join(
        f"<row><qid>{qid}</qid><code>{code}</code><answer>{text}</answer>"
        f"<sortorder>{n}</sortorder><assessment_value>{value}</assessment_value>"
        f"<language>en</language><scale_id>0</scale_id></row>"
        for n, (qid, code, text, value) in enumerate(answers)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><document>'
        "<LimeSurveyDocType>Survey</LimeSurveyDocType><DBVersion>177</DBVersion>"
        "<languages><language>en</language></languages>"
        f"<answers><rows>{answer_rows}</rows></answers>"
        "<groups><rows><row><gid>1</gid><sid>1</sid><group_name>Quiz</group_name>"
        "<group_order>0</group_order><language>en</language></row></rows></groups>"
        f"<questions><rows>{rows}</rows></questions>"
        "<surveys><rows><row><sid>1</sid><language>en</language></row></rows></surveys>"
        "<surveys_languagesettings><rows><row><surveyls_survey_id>1</surveyls_survey_id>"
        "<surveyls_language>en</surveyls_language><surveyls_title>Small quiz</surveyls_title>"
        "</row></rows></surveys_languagesettings></document>"
    ).encode()


def test_questions_asking_for_a_name_or_email_are_identifying_by_their_text() -> None:
    """A text question is identifying by what it asks, whatever its code; the code question is
    decided first (its text mentions a first name), and a knowledge question that mentions a
    date of birth is still an item."""
    lss = _survey_xml(
        questions=[
            ("1", "S", "owncode", "Your code: the first two letters of your mother's first name"),
            ("2", "S", "Q1", "What is your name?"),
            ("3", "S", "Q2", "<p>Your e-mail address</p>"),
            ("4", "L", "K1", "What should a date of birth on a red book tell you?"),
            ("5", "T", "Q3", "What did you learn?"),
        ],
        answers=[("4", "A1", "Age", "1"), ("4", "A2", "Name", "0")],
    )
    structure = read_structure(SourceFile("names.lss", lss))
    assert structure.code_field == "owncode"
    assert structure.identifying == ("Q1", "Q2")
    assert [q.id for q in structure.instrument.questions] == ["K1", "Q3"]
    assert omitted(structure)["question 'Q1'"] == [
        "identifies a person; not carried, and dropped from responses"
    ]
    export = SourceFile(
        "names.csv",
        b"id,submitdate,owncode,Q1,Q2,K1,Q3\n"
        b"1,2025-01-01,AB12,Jane Smith,jane@example.org,A1,Listening\n",
    )
    result = read_responses([export], structure, ResponseOptions(timepoints={"names.csv": "pre"}))
    assert list(result.dropped) == ["Q1", "Q2"]
    assert result.frame[["participant", "K1", "Q3"]].values.tolist() == [
        ["AB12", "A1", "Listening"]
    ]
    assert "Jane Smith" not in result.frame.values
    assert "jane@example.org" not in result.frame.values


def test_an_unscored_shared_list_is_a_scale_only_by_the_common_rule() -> None:
    """3 to 11 whole-number codes, 2+ questions, none of them keyed (common.shared_scale); a
    list whose assessment values run with its codes is the source's own scale."""
    three = [("1", "Vascular"), ("2", "Heart"), ("3", "Other")]
    twelve = [(str(n), f"Point {n}") for n in range(1, 13)]
    agree = [("1", "Disagree"), ("2", "Neither"), ("3", "Agree")]
    questions = [
        ("1", "L", "K1", "Cause?"),  # keyed on the three-code list
        ("2", "L", "K2", "Cause again?"),  # the same list, unscored: options to key
        ("3", "L", "K3", "Cause once more?"),
        ("4", "L", "W1", "Wide one"),  # twelve points: too many for a scale
        ("5", "L", "W2", "Wide two"),
        ("6", "L", "S1", "Scored scale"),  # assessment values 1, 2, 3: a scale
        ("7", "L", "L1", "Likert one"),  # unscored 1..3, shared, none keyed: a scale
        ("8", "L", "L2", "Likert two"),
    ]
    answers = [("1", code, text, "1" if code == "2" else "0") for code, text in three]
    answers += [(qid, code, text, "0") for qid in ("2", "3") for code, text in three]
    answers += [(qid, code, text, "0") for qid in ("4", "5") for code, text in twelve]
    answers += [("6", code, text, code) for code, text in agree]
    answers += [(qid, code, text, "0") for qid in ("7", "8") for code, text in agree]
    structure = read_structure(
        SourceFile("lists.lss", _survey_xml(questions=questions, answers=answers))
    )
    kinds = {q.id: q.kind for q in structure.instrument.questions}
    assert kinds == {"K1": "keyed", "S1": "rating", "L1": "rating", "L2": "rating"}
    assert [q.item for q in structure.unkeyed] == ["K2", "K3", "W1", "W2"]
    assert structure.unkeyed[0].options == {"1": "Vascular", "2": "Heart", "3": "Other"}
