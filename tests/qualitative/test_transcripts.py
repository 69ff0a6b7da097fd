"""Transcripts: .txt, .docx and WebVTT, speaker turns, pseudonymisation, open-text answers."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.errors import ImhevalError, TranscriptError
from imheval.qualitative.model import stable_guid
from imheval.qualitative.transcripts import (
    MAX_LABEL_CHARS,
    MAX_TRANSCRIPT_BYTES,
    SpeakerTurn,
    Transcript,
    answers_source,
    case_guid,
    compile_speaker_pattern,
    find_turns,
    is_speaker_label,
    parse_names,
    pseudonymise,
    read_transcript,
    to_cases,
    to_source,
)

DATA = Path(__file__).parent / "data"
NAMES = {"Sarah": "PX1", "Leeds": "[place]", "St Mary's": "[service]", "Sarah Jones": "PX1"}


def spoken(transcript: Transcript) -> list[tuple[str, str]]:
    """Each turn as (speaker, the exact words its offsets cover)."""
    return [(turn.speaker, transcript.text[turn.start : turn.end]) for turn in transcript.turns]


def txt(text: str, **options: object) -> Transcript:
    return read_transcript(text.encode("utf-8"), "t.txt", **options)  # type: ignore[arg-type]


def docx_bytes(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- .txt ------------------------------------------------------------------------------------


def test_text_file_turns_cover_the_words_after_each_label_and_names_are_replaced() -> None:
    transcript = read_transcript((DATA / "focus-group.txt").read_bytes(), "fg.txt", names=NAMES)

    assert spoken(transcript) == [
        ("Facilitator", "Welcome, everyone. PX1, would you start?"),
        (
            "PX1",
            "Thanks. PX1's the name, and I work at [service] in [place].\n"
            "The group helped me a lot.",
        ),
        ("PX2", "I agree - 10:30 on a Tuesday suits me.\nNote: that was before the move."),
        ("PX3", "Me too. Annabel and I went together."),
        ("Facilitator", "Thank you all."),
    ]
    assert transcript.speakers == ("Facilitator", "PX1", "PX2", "PX3")
    assert transcript.replaced == 5  # Sarah x3 (one a label), St Mary's, Leeds
    assert "Sarah" not in transcript.text and "Leeds" not in transcript.text
    assert transcript.text.startswith("Focus group 2, network group members\nDate: 14 March")
    assert transcript.warnings == (
        "2 line(s) before the first speaker label belong to no speaker.",
    )


@pytest.mark.parametrize(
    ("line", "speaker", "words"),
    [
        ("PX2: I think so", "PX2", "I think so"),
        ("[PX2] I think so", "PX2", "I think so"),
        ("[PX2]: I think so", "PX2", "I think so"),
        ("Facilitator: I think so", "Facilitator", "I think so"),
        ("PX2 - I think so", "PX2", "I think so"),
        ("PX2 – I think so", "PX2", "I think so"),
        ("  Participant 3:   I think so  ", "Participant 3", "I think so"),
        ("Dr. Okafor: I think so", "Dr. Okafor", "I think so"),
    ],
)
def test_each_label_style_starts_a_turn(line: str, speaker: str, words: str) -> None:
    transcript = txt(line)
    assert spoken(transcript) == [(speaker, words)]


@pytest.mark.parametrize(
    "line",
    [
        "Note: the recorder stopped",
        "NOTE: the recorder stopped",
        "10:30 we started",
        "At 10:30: we started",
        "What I mean is: it helped",
        "So - I think it helped",
        "[Laughter] it helped",
        "[inaudible] it helped",
        "[00:12:30] it helped",
        "One Two Three Four Five: too many words",
        "A" * (MAX_LABEL_CHARS + 1) + ": too long",
        "PX2:no space after the colon",
        "Time: 10:30",
    ],
)
def test_lines_that_only_look_like_labels_do_not_start_turns(line: str) -> None:
    transcript = txt("PX1: first\n" + line)
    assert spoken(transcript) == [("PX1", "first\n" + line.strip())]


def test_a_time_before_a_label_is_passed_over() -> None:
    transcript = txt("00:01:23 PX1: hello\n[00:01:30] [PX2] hi\n(1:02) Facilitator: ok")
    assert spoken(transcript) == [("PX1", "hello"), ("PX2", "hi"), ("Facilitator", "ok")]


def test_a_label_alone_before_a_time_takes_the_lines_below() -> None:
    transcript = txt("Speaker 1  0:03\nHello there.\nMore.\n\nSpeaker 2  0:10\nHi.\n")
    assert spoken(transcript) == [("Speaker 1", "Hello there.\nMore."), ("Speaker 2", "Hi.")]


def test_the_label_rule_is_explicit() -> None:
    assert [is_speaker_label(x) for x in ("PX2", "Facilitator", "Speaker 1", "Q")] == [True] * 4
    assert [is_speaker_label(x) for x in ("Note", "10", "what I mean", "")] == [False] * 4


def test_a_label_alone_on_its_line_takes_the_next_lines_as_its_words() -> None:
    transcript = txt("Facilitator:\n\nWhat helped?\n\nPX1:\nThe peers.\n")
    assert spoken(transcript) == [("Facilitator", "What helped?"), ("PX1", "The peers.")]


def test_a_label_with_nothing_said_is_dropped_with_a_warning() -> None:
    transcript = txt("PX1:\nPX2: yes")
    assert spoken(transcript) == [("PX2", "yes")]
    assert transcript.warnings == ("Line 1: PX1 has a label but says nothing.",)


def test_text_without_labels_has_no_turns_and_says_so() -> None:
    transcript = txt("just some notes\nmore notes")
    assert transcript.turns == () and transcript.speakers == ()
    assert transcript.warnings[0].startswith("No speaker labels were found")


def test_crlf_and_lone_cr_become_newlines_and_offsets_follow() -> None:
    transcript = read_transcript(b"PX1: one\r\ntwo\rPX2: three\r\n", "t.txt")
    assert transcript.text == "PX1: one\ntwo\nPX2: three\n"
    assert spoken(transcript) == [("PX1", "one\ntwo"), ("PX2", "three")]


def test_utf8_byte_order_mark_is_dropped() -> None:
    transcript = read_transcript("\ufeffPX1: café".encode(), "t.txt")
    assert transcript.text == "PX1: café"
    assert spoken(transcript) == [("PX1", "café")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_with_a_byte_order_mark_is_read(encoding: str) -> None:
    text = "PX1: naïve\r\nPX2: 😀 ok"
    data = text.encode(encoding)
    if encoding != "utf-16":  # the -le/-be codecs write no byte order mark
        data = ("\ufeff" + text).encode(encoding)
    transcript = read_transcript(data, "t.txt")
    assert spoken(transcript) == [("PX1", "naïve"), ("PX2", "😀 ok")]


def test_offsets_are_code_points_not_bytes_or_utf16_units() -> None:
    transcript = txt("PX1: 😀😀 é\nPX2: after")
    assert transcript.turns == (SpeakerTurn(5, 9, "PX1"), SpeakerTurn(15, 20, "PX2"))


def test_decomposed_accents_are_composed_so_names_still_match() -> None:
    transcript = txt("PX1: Zoe\u0308 said so", names={"Zoë": "PX4"})
    assert spoken(transcript) == [("PX1", "PX4 said so")]


def test_text_that_is_not_utf8_names_the_file_and_line() -> None:
    data = "PX1: fine\nPX2: café\n".encode("latin-1")
    with pytest.raises(TranscriptError) as caught:
        read_transcript(data, "group.txt")
    assert str(caught.value).startswith("group.txt: line 2: is not UTF-8 text (byte 0xE9)")
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, ImhevalError)


def test_broken_utf16_names_the_file_and_line() -> None:
    data = "PX1: a\nPX2: b".encode("utf-16") + b"\x00\xd8"  # a lone high surrogate at the end
    with pytest.raises(TranscriptError, match=r"^g\.txt: line 2: is not valid UTF-16 text"):
        read_transcript(data, "g.txt")


def test_a_binary_file_is_refused() -> None:
    with pytest.raises(TranscriptError, match=r"^g\.txt: line 2: holds a NUL character"):
        read_transcript(b"PX1: a\n\x00\x01", "g.txt")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("notes.pdf", "notes.pdf: imheval reads transcripts from .txt, .docx and .vtt files"),
        ("old.doc", "old.doc: imheval reads transcripts from .txt, .docx and .vtt files (save"),
    ],
)
def test_other_kinds_of_file_are_refused(name: str, message: str) -> None:
    with pytest.raises(TranscriptError) as caught:
        read_transcript(b"PX1: hi", name)
    assert str(caught.value).startswith(message)


def test_a_file_too_large_is_refused() -> None:
    with pytest.raises(TranscriptError, match=r"^big\.txt: is 20\.0 MB; a transcript may be"):
        read_transcript(b"a" * (MAX_TRANSCRIPT_BYTES + 1), "big.txt")


def test_upper_case_file_extensions_are_read() -> None:
    assert spoken(read_transcript(b"PX1: hi", "T.TXT")) == [("PX1", "hi")]


# --- a user's speaker pattern ------------------------------------------------------------------


def test_a_user_pattern_replaces_the_built_in_styles() -> None:
    text = "<PX1> hello\nPX2: not a label now\n<Facilitator>thanks"
    transcript = txt(text, speaker_pattern=r"<(\w+)>\s*")
    assert spoken(transcript) == [
        ("PX1", "hello\nPX2: not a label now"),
        ("Facilitator", "thanks"),
    ]


def test_a_user_pattern_label_still_obeys_the_length_rule() -> None:
    transcript = txt("PX1 said: yes\nand then all of them said: no", speaker_pattern=r"(.+?) said:")
    assert spoken(transcript) == [("PX1", "yes\nand then all of them said: no")]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(", "is not a valid regular expression (missing ), unterminated subpattern"),
        (r"\w+:", "needs exactly one group in brackets, the speaker's label"),
        (r"(\w+)(:)", "needs exactly one group in brackets, the speaker's label"),
        (r"((a+)+)", "needs exactly one group"),
        (r"(a+)+", "repeats a part that itself repeats"),
        (r"(?:(\w)|\d)*", "repeats a part that itself repeats"),
        (r"(\w+(?: \w+){0,3}):", "repeats a part that itself repeats"),
        ("(" + "a" * 200 + ")", "is 202 characters; at most 200"),
    ],
)
def test_a_bad_user_pattern_is_refused_with_a_reason(pattern: str, message: str) -> None:
    with pytest.raises(TranscriptError) as caught:
        compile_speaker_pattern(pattern)
    assert str(caught.value).startswith("the speaker pattern: " + message)
    with pytest.raises(TranscriptError):
        txt("PX1: hi", speaker_pattern=pattern)


@pytest.mark.parametrize("pattern", [r"\[?(\w+)\]?:", r"((?:\[|<)?\w+)", r"([A-Z][\w ]{0,30}):"])
def test_ordinary_user_patterns_are_accepted(pattern: str) -> None:
    assert compile_speaker_pattern(pattern).groups == 1


def test_a_user_pattern_sees_only_the_start_of_a_long_line() -> None:
    line = "x" * 10_000 + " PX1: hidden far away"
    assert txt(line, speaker_pattern=r".*?(PX\d):").turns == ()


# --- .docx -------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_document_order() -> None:
    transcript = read_transcript(
        (DATA / "interview.docx").read_bytes(), "interview.docx", names=NAMES
    )
    assert transcript.text == (
        "Interview 1\n"
        "Interviewer: How did the training go?\n"
        "PX1: Well.\nIt was good.\n"
        "Interviewer: And the network?\n"
        "PX1: It met monthly in [place].\n"
        "PX1: One more thing after the table."
    )
    assert spoken(transcript) == [
        ("Interviewer", "How did the training go?"),
        ("PX1", "Well.\nIt was good."),
        ("Interviewer", "And the network?"),
        ("PX1", "It met monthly in [place]."),
        ("PX1", "One more thing after the table."),
    ]
    assert transcript.replaced == 1


def test_docx_table_without_speakers_gives_its_cells_as_lines() -> None:
    table = [["Theme", "Count"], ["peer support", "4"], ["Training", ""]]
    transcript = read_transcript(docx_bytes("PX1: before", table=table), "t.docx")
    assert transcript.text == "PX1: before\nTheme\nCount\npeer support\n4\nTraining"
    assert spoken(transcript) == [("PX1", "before\nTheme\nCount\npeer support\n4\nTraining")]


def test_docx_transcript_table_with_a_header_row() -> None:
    table = [["Time", "Speaker", "Words"], ["0:01", "PX1", "Yes."], ["0:02", "PX2", "No."]]
    transcript = read_transcript(docx_bytes(table=table), "t.docx")
    assert transcript.text == "Time\nSpeaker\nWords\nPX1: Yes.\nPX2: No."
    assert spoken(transcript) == [("PX1", "Yes."), ("PX2", "No.")]


def test_docx_that_is_not_a_zip_is_refused() -> None:
    with pytest.raises(TranscriptError, match=r"^t\.docx: is not a Word document \(\.docx\)"):
        read_transcript(b"PX1: plain text with the wrong name", "t.docx")


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(TranscriptError, match=r"^t\.docx: cannot be read as a Word document"):
        read_transcript(out.getvalue(), "t.docx")


def test_a_docx_zip_bomb_is_refused_before_it_is_opened() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * 5_000_000)
    with pytest.raises(TranscriptError, match=r"part 'word/document\.xml' expands [\d,]+ times"):
        read_transcript(out.getvalue(), "bomb.docx")


def test_a_docx_with_an_entity_bomb_is_refused() -> None:
    original = zipfile.ZipFile(io.BytesIO(docx_bytes("PX1: hello LOL")))
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w") as archive:
        for entry in original.infolist():
            data = original.read(entry.filename)
            if entry.filename == "word/document.xml":
                xml = data.decode()
                end_of_declaration = xml.index("?>") + 2
                xml = (
                    xml[:end_of_declaration]
                    + f"<!DOCTYPE w:document [{entities}]>"
                    + xml[end_of_declaration:].replace("LOL", "&lol9;")
                )
                data = xml.encode()
            archive.writestr(entry, data)
    with pytest.raises(
        TranscriptError, match=r"^lol\.docx: cannot be read as a Word document.*entit"
    ):
        read_transcript(hostile.getvalue(), "lol.docx")


# --- WebVTT ------------------------------------------------------------------------------------


def test_vtt_voice_tags_name_speakers_and_cues_of_one_speaker_merge() -> None:
    transcript = read_transcript((DATA / "captions.vtt").read_bytes(), "c.vtt", names=NAMES)
    assert transcript.text == (
        "PX1: Hello, I am in [place]. Still me & my team.\n\n"
        "Facilitator: Thanks, PX1. and welcome.\n\n"
        "PX2: Hi all."
    )
    assert spoken(transcript) == [
        ("PX1", "Hello, I am in [place]. Still me & my team."),
        ("Facilitator", "Thanks, PX1. and welcome."),
        ("PX2", "Hi all."),
    ]
    # Leeds and Sarah in the words, and "Sarah Jones" in the one label written for her turn.
    assert transcript.replaced == 3
    assert "00:00" not in transcript.text and "yellow" not in transcript.text


def test_vtt_speaker_prefixes_and_crlf() -> None:
    data = (
        b"WEBVTT\r\n\r\n1\r\n00:00:01.000 --> 00:00:02.000\r\nPX1: one\r\n\r\n"
        b"2\r\n00:00:02.000 --> 00:00:03.000\r\ntwo\r\n\r\n"
        b"3\r\n00:00:03.000 --> 00:00:04.000\r\nPX2: three\r\n"
    )
    assert spoken(read_transcript(data, "z.vtt")) == [("PX1", "one two"), ("PX2", "three")]


def test_vtt_two_voices_in_one_cue_are_two_turns() -> None:
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v PX1>Yes?</v> <v PX2>No.</v>\n"
    assert spoken(read_transcript(data, "z.vtt")) == [("PX1", "Yes?"), ("PX2", "No.")]


def test_vtt_voice_tag_wins_over_a_colon_in_the_words() -> None:
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v PX1>Yes: I agree\nAnd: more\n"
    assert spoken(read_transcript(data, "z.vtt")) == [("PX1", "Yes: I agree And: more")]


def test_vtt_without_its_header_is_refused() -> None:
    with pytest.raises(TranscriptError, match=r"^z\.vtt: line 1: a WebVTT \(\.vtt\) file must"):
        read_transcript(b"00:01.000 --> 00:02.000\nhi\n", "z.vtt")


def test_vtt_block_that_is_not_a_cue_names_its_line() -> None:
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n\njust text\nmore\n"
    with pytest.raises(TranscriptError, match=r"^z\.vtt: line 6: this block is not a cue"):
        read_transcript(data, "z.vtt")


def test_vtt_without_speakers_warns() -> None:
    transcript = read_transcript(b"WEBVTT\n\n00:01.000 --> 00:02.000\nhello\n", "z.vtt")
    assert transcript.text == "hello" and transcript.turns == ()
    assert transcript.warnings == (
        "No speakers were found in the captions' <v> tags or 'Speaker:' prefixes.",
    )


def test_vtt_voice_names_left_unreplaced_draw_a_warning() -> None:
    data = b"WEBVTT\n\n00:01.000 --> 00:02.000\n<v Tom Baker>hello\n"
    transcript = read_transcript(data, "z.vtt")
    assert spoken(transcript) == [("Tom Baker", "hello")]
    assert transcript.warnings[0].startswith(
        "Check that these speaker labels are not real names: Tom Baker."
    )


# --- pseudonymisation --------------------------------------------------------------------------


def test_names_are_replaced_as_whole_words_in_any_case_with_possessives() -> None:
    text = "Anna met Annabel and ANNA's friend anna; Joanna stayed. Anna-Marie too."
    assert pseudonymise(text, {"Anna": "PX1"}) == (
        "PX1 met Annabel and PX1's friend PX1; Joanna stayed. PX1-Marie too.",
        4,
    )


def test_a_name_after_an_apostrophe_is_replaced_too() -> None:
    # Replacing too much is the safe side: "O'Ann" and "d'Ann" lose the name.
    assert pseudonymise("O'Ann and d’Ann", {"Ann": "PX1"}) == ("O'PX1 and d’PX1", 2)


def test_names_in_any_script_and_odd_capitals_are_replaced() -> None:
    names = {"İlkay": "PX1", "Zoë": "PX2", "Ólafur": "PX3"}
    text, count = pseudonymise("İLKAY, ilkay? İlkay's; ZOË zoë ólafur", names)
    assert text == "PX1, PX1? PX1's; PX2 PX2 PX3" and count == 6


def test_longest_names_first_and_labels_never_replaced_again() -> None:
    names = {"Sarah": "PX1", "Sarah Jones": "PX2", "PX1": "PX9"}
    assert pseudonymise("Sarah Jones and Sarah", names) == ("PX2 and PX1", 2)


def test_names_with_spaces_and_apostrophes_match_flexibly() -> None:
    names = {"St Mary's": "[service]"}
    assert pseudonymise("at st  mary’s and St Mary's", names) == ("at [service] and [service]", 2)


def test_no_names_changes_nothing() -> None:
    assert pseudonymise("Sarah", {}) == ("Sarah", 0)
    assert pseudonymise("Sarah", {"  ": "X"}) == ("Sarah", 0)


def test_speaker_labels_are_pseudonymised_before_they_are_read() -> None:
    transcript = txt("Sarah: hi\nsarah jones: hello", names={"Sarah": "PX1", "Sarah Jones": "PX2"})
    assert spoken(transcript) == [("PX1", "hi"), ("PX2", "hello")]
    assert transcript.replaced == 2


def test_the_key_is_not_in_the_result() -> None:
    transcript = txt("Sarah: hi from Leeds", names={"Sarah": "PX1", "Leeds": "[place]"})
    assert "Sarah" not in repr(transcript) and "Leeds" not in repr(transcript)


def test_parse_names_reads_lines_and_skips_blanks_and_comments() -> None:
    text = "Sarah = PX1\r\n\n# places\n  Leeds=[place]\nSt Mary's = [service]\nsarah = PX1\n"
    assert parse_names(text) == {"Sarah": "PX1", "Leeds": "[place]", "St Mary's": "[service]"}


def test_parse_names_lists_every_bad_line_by_number() -> None:
    text = "Sarah = PX1\nTom\n= PX3\nLeeds =\nAb = B = C\nSARAH = PX2\n" + "x" * 101 + " = X\nJ = X"
    with pytest.raises(TranscriptError) as caught:
        parse_names(text)
    assert str(caught.value).splitlines() == [
        "the list of names: line 2: write a name, '=' and its label",
        "the list of names: line 3: there is no name before '='",
        "the list of names: line 4: there is no label after '='",
        "the list of names: line 5: write one '=' per line",
        "the list of names: line 6: this name is already given the label 'PX1' on line 1",
        "the list of names: line 7: the name is longer than 100 characters",
        "the list of names: line 8: a name of one character would replace every such letter",
    ]


def test_parse_names_refuses_a_label_too_long() -> None:
    with pytest.raises(TranscriptError, match="line 1: the label is longer than 40 characters"):
        parse_names("Sarah = " + "P" * 41)


# --- open-text answers -------------------------------------------------------------------------


def test_answers_become_one_turn_each_separated_by_blank_lines() -> None:
    source = answers_source(
        [("R1", "More time\r\nfor practice"), ("R2", "   "), ("R3", "Sarah was great")],
        names={"Sarah": "[trainer]"},
    )
    assert source.text == "R1: More time\nfor practice\n\nR3: [trainer] was great"
    assert spoken(source) == [("R1", "More time\nfor practice"), ("R3", "[trainer] was great")]
    assert source.speakers == ("R1", "R3") and source.replaced == 1


def test_answers_with_a_bad_label_are_refused() -> None:
    with pytest.raises(TranscriptError, match=r"^the answers: answer 2: a respondent label"):
        answers_source([("R1", "ok"), (" ", "no label")])


def test_no_answers_give_an_empty_source() -> None:
    assert answers_source([]) == Transcript("", (), ())


# --- the core's types --------------------------------------------------------------------------


def test_to_source_and_cases_use_stable_case_guids() -> None:
    transcript = txt("PX1: a\nPX2: b\nPX1: c")
    source = to_source(transcript, "Focus group 1", guid="S-1")
    assert source.guid == "S-1" and source.text == transcript.text
    assert [(t.start, t.end, t.speaker) for t in source.turns] == [
        (5, 6, stable_guid("Focus group 1", "PX1")),
        (12, 13, stable_guid("Focus group 1", "PX2")),
        (19, 20, stable_guid("Focus group 1", "PX1")),
    ]
    cases = to_cases(transcript, source)
    assert [(c.name, c.guid, c.sources) for c in cases] == [
        ("PX1", case_guid("Focus group 1", "PX1"), ("S-1",)),
        ("PX2", case_guid("Focus group 1", "PX2"), ("S-1",)),
    ]


def test_to_source_makes_a_guid_when_none_is_given() -> None:
    guid = to_source(txt("PX1: a"), "x").guid
    assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", guid)


# --- properties --------------------------------------------------------------------------------

_LABELS = st.sampled_from(["PX1: ", "[PX2] ", "Facilitator: ", "PX3 - ", "", "", "Note: "])
_WORDS = st.text(alphabet=st.sampled_from(list("abc XYZ:-[]'é😀\t")), min_size=0, max_size=30)
_LINES = st.lists(st.tuples(_LABELS, _WORDS), max_size=12)
_ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


def _assert_turns_are_sound(transcript: Transcript) -> None:
    previous_end = 0
    for start, end, speaker in transcript.turns:
        assert 0 <= previous_end <= start < end <= len(transcript.text)
        words = transcript.text[start:end]
        assert words == words.strip() and words
        previous_end = end
        assert speaker in transcript.speakers


@settings(max_examples=300, deadline=None)
@given(_LINES, _ENDINGS)
def test_turns_lie_inside_the_text_in_order_without_overlap(
    lines: list[tuple[str, str]], ending: str
) -> None:
    text = ending.join(label + words for label, words in lines)
    transcript = read_transcript(text.encode("utf-8"), "t.txt")
    _assert_turns_are_sound(transcript)
    assert transcript.speakers == tuple(dict.fromkeys(t.speaker for t in transcript.turns))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["PX1", "Facilitator", None]), _WORDS), max_size=8))
def test_vtt_turns_lie_inside_the_text_without_overlap(
    cues: list[tuple[str | None, str]],
) -> None:
    blocks = ["WEBVTT"]
    for number, (speaker, words) in enumerate(cues):
        voice = f"<v {speaker}>" if speaker else ""
        blocks.append(f"00:00:{number:02d}.000 --> 00:00:{number + 1:02d}.000\n{voice}{words}x")
    transcript = read_transcript("\n\n".join(blocks).encode(), "c.vtt")
    _assert_turns_are_sound(transcript)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["R1", "R2", "R 3"]), _WORDS), max_size=8),
)
def test_answer_turns_lie_inside_the_text_without_overlap(answers: list[tuple[str, str]]) -> None:
    _assert_turns_are_sound(answers_source(answers))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Ana nbel'sANXé-")), max_size=40))
def test_no_listed_name_survives_as_a_whole_word(text: str) -> None:
    result, _count = pseudonymise(text, {"Anna": "PX1", "Ann": "PX2"})
    assert not re.search(r"(?<!\w)(?:anna|ann)(?!\w)", result, re.IGNORECASE)


def test_find_turns_on_plain_text() -> None:
    turns, warnings = find_turns("PX1: a\n  b  \nPX2 - c")
    assert turns == (SpeakerTurn(5, 10, "PX1"), SpeakerTurn(19, 20, "PX2"))
    assert warnings == ()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(categories=["L"]), min_size=2, max_size=8))
def test_any_name_of_letters_is_replaced_with_its_possessive(name: str) -> None:
    assert pseudonymise(f"{name}, {name}'s.", {name: "PX1"}) == ("PX1, PX1's.", 2)
