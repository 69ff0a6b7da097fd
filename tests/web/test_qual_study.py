"""A qualitative study's pages: the studies list, starting a study on one of the organisation's
own scopes, settings, transcript upload (.txt, .vtt, .docx) with pseudonymisation and a preview,
the source page, rename and delete, speakers and the small-group rule on their breakdown, the
phase log and memos; each page for each role."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from conftest import client_as
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from qual_data import (
    FOCUS_GROUP,
    add_member,
    make_codebook,
    make_coding,
    make_source,
    make_study,
    url,
)

from imheval.web.network.models import NetworkGroup
from imheval.web.organisations.models import AuditEvent
from imheval.web.qualitative.models import Memo, PhaseEntry, Source, Speaker, Study, Turn

ALL_ROLES = ("admin", "evaluator", "analyst", "trainer", "reviewer", "viewer")
CHANGERS = {"admin", "evaluator", "analyst"}


@pytest.fixture
def people(workspace: Any) -> dict[str, Any]:
    """Every role of the northern organisation, analyst and reviewer included."""
    users = dict(workspace.users)
    users["analyst"] = add_member(workspace.organisation, "analyst")
    users["reviewer"] = add_member(workspace.organisation, "reviewer")
    return users


@pytest.fixture
def study(workspace: Any) -> Any:
    return make_study(workspace.organisation, scope=workspace.cohort)


def _pages(study: Any) -> dict[str, str]:
    source = make_source(study, speakers={"PX1": {"profession": "Midwife"}})
    book = make_codebook(study)
    speaker = study.speakers.get(label="PX1")
    phase = PhaseEntry.objects.create(study=study, phase=1, date=datetime.date(2026, 11, 20))
    memo = Memo.objects.create(study=study, text="A first thought")
    return {
        "studies": url("studies"),
        "study": url("study", study=study),
        "source": url("source", study=study, source=source),
        "speakers": url("speakers", study=study) + "?attribute=profession",
        "codebook": url("codebook", study=study),
        "code_history": url("code_history", study=study, code=book["light bulb"]),
        "phases": url("phases", study=study),
        "memos": url("memos", study=study),
        "study_create": url("study_create"),
        "study_edit": url("study_edit", study=study),
        "source_upload": url("source_upload", study=study),
        "source_edit": url("source_edit", study=study, source=source),
        "source_delete": url("source_delete", study=study, source=source),
        "speaker_edit": url("speaker_edit", study=study, speaker=speaker),
        "code_create": url("code_create", study=study) + "?level=code",
        "code_edit": url("code_edit", study=study, code=book["light bulb"]),
        "code_delete": url("code_delete", study=study, code=book["light bulb"]),
        "codes_move": url("codes_move", study=study),
        "phase_create": url("phase_create", study=study),
        "phase_edit": url("phase_edit", study=study, phase=phase),
        "memo_create": url("memo_create", study=study),
        "memo_edit": url("memo_edit", study=study, memo=memo),
        "memo_delete": url("memo_delete", study=study, memo=memo),
    }


READ_PAGES = ("studies", "study", "source", "speakers", "codebook", "code_history", "phases")
READ_PAGES += ("memos",)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_reads_every_page_and_only_changers_reach_the_forms(
    workspace: Any, people: dict[str, Any], study: Any, role: str
) -> None:
    pages = _pages(study)
    client = client_as(people[role])
    for name in READ_PAGES:
        response = client.get(pages[name])
        assert response.status_code == 200, name
        assert b"Focus groups after training" in response.content, name
    events = AuditEvent.objects.count()
    for name in set(pages) - set(READ_PAGES):
        expected = 200 if role in CHANGERS else 403
        assert client.get(pages[name]).status_code == expected, name
        if role not in CHANGERS:
            refused = client.post(pages[name], {"name": "Changed", "text": "x"})
            assert refused.status_code == 403, name
            assert b"Only the organisation&#x27;s analysts, evaluators and admins" in (
                refused.content
            ), name
    if role not in CHANGERS:
        assert AuditEvent.objects.count() == events
        assert Study.objects.get().name == "Focus groups after training"


def test_reader_sees_no_change_links(workspace: Any, people: dict[str, Any], study: Any) -> None:
    _pages(study)
    page = client_as(people["reviewer"]).get(url("study", study=study)).content.decode()
    assert "Upload a transcript" not in page and "Change<span" not in page
    page = client_as(people["analyst"]).get(url("study", study=study)).content.decode()
    assert "Upload a transcript" in page and "Change<span" in page


def test_the_study_page_links_only_to_pages_that_exist(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    from imheval.web.qualitative.views import optional_url

    source = make_source(study)
    assert optional_url("no_such_page", org="northern", study=study.pk) is None
    page = client_as(people["viewer"]).get(url("study", study=study)).content.decode()
    assert url("source", study=study, source=source) in page
    assert "Speakers</a> (4)" in page
    assert "Codebook</a> (0 themes, 0 sub-themes, 0 codes)" in page
    coding = optional_url("coding", org="northern", study=study.pk, source=source.pk)
    assert (coding is None) or (coding in page)


def test_the_navigation_links_to_the_studies(workspace: Any, people: dict[str, Any]) -> None:
    page = client_as(people["viewer"]).get("/o/northern/").content.decode()
    assert f'href="{url("studies")}"' in page and "Focus groups" in page


# ----------------------------------------------------------------------- studies


def test_studies_list_shows_scope_counts_and_approach(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    make_source(study)
    make_codebook(study)
    make_study(workspace.other_organisation, scope=workspace.other_cohort, name="Southern study")
    page = client_as(people["viewer"]).get(url("studies")).content.decode()
    assert "Cohort SOL-1" in page
    assert "Reflexive thematic analysis, with a second reviewer" in page
    assert ">1</td>" in page.replace("Sources </span>", "").replace("Codes </span>", "")
    assert "Codes </span>3</td>" in page
    assert "Southern study" not in page


def test_analyst_starts_a_study_on_a_network_group(workspace: Any, people: dict[str, Any]) -> None:
    group = NetworkGroup.objects.create(
        organisation=workspace.organisation,
        name="Perinatal network",
        year_start=datetime.date(2026, 9, 1),
    )
    client = client_as(people["analyst"])
    form = client.get(url("study_create")).content.decode()
    assert f'value="network_group:{group.pk}"' in form and "Think Family" not in form
    assert "Braun and Clarke" in form  # plain help on which approach to choose
    response = client.post(
        url("study_create"),
        {
            "name": "Network focus group",
            "scope": f"network_group:{group.pk}",
            "approach": "codebook",
        },
    )
    study = Study.objects.get(name="Network focus group")
    assert response["Location"] == url("study", study=study)
    assert (study.network_group, study.cohort, study.approach) == (group, None, "codebook")
    assert study.created_by == people["analyst"]
    assert AuditEvent.objects.filter(object_type__icontains="study", action="created").exists()


def test_a_study_cannot_evaluate_another_organisations_cohort(
    workspace: Any, people: dict[str, Any]
) -> None:
    response = client_as(people["admin"]).post(
        url("study_create"),
        {"name": "Sneaky", "scope": f"cohort:{workspace.other_cohort.pk}", "approach": "reflexive"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Study.objects.exists()


def test_study_names_are_unique_in_the_organisation(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    response = client_as(people["admin"]).post(
        url("study_create"),
        {
            "name": "focus groups AFTER training",
            "scope": f"cohort:{workspace.cohort.pk}",
            "approach": "reflexive",
        },
    )
    assert "already has a study with this name" in response.content.decode()
    assert Study.objects.count() == 1


def test_settings_change_approach_unit_blind_coding_and_reflexivity(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    response = client_as(people["evaluator"]).post(
        url("study_edit", study=study),
        {
            "name": "Renamed study",
            "approach": "codebook",
            "agreement_unit": "turn",
            "reflexivity": "The first author facilitated the group.",
        },
    )
    assert response.status_code == 302
    study.refresh_from_db()
    assert (study.name, study.approach, study.agreement_unit, study.blind_coding) == (
        "Renamed study",
        "codebook",
        "turn",
        False,
    )
    page = client_as(people["viewer"]).get(url("study", study=study)).content.decode()
    assert "The first author facilitated the group." in page
    event = AuditEvent.objects.filter(action="updated", object_label="Renamed study").last()
    assert event is not None and event.actor == people["evaluator"]
    assert "reflexivity" in event.changes


# ----------------------------------------------------------------------- sources

TRANSCRIPT = (
    "Facilitator: Welcome, Sarah and Tom.\n"
    "Sarah: I work at St Mary's with Tom.\n"
    "Tom: Sarah is right. It made sense of practice.\n"
)
NAMES = "Sarah = PX1\nTom = PX2\nSt Mary's = [service]"


def _upload(client: Any, study: Any, data: bytes, filename: str, **fields: str) -> Any:
    post = {
        "file": SimpleUploadedFile(filename, data),
        "name": "Focus group A",
        "kind": "focus_group",
        "held_on-day": "20",
        "held_on-month": "11",
        "held_on-year": "2026",
        **fields,
    }
    return client.post(url("source_upload", study=study), post)


def _everything_stored() -> str:
    """The whole database as text, and every session decoded."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    sessions = [str(session.get_decoded()) for session in Session.objects.all()]
    return out.getvalue() + "\n".join(sessions)


def test_upload_preview_and_save_a_text_transcript_with_names_replaced(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    client = client_as(people["analyst"])
    response = _upload(client, study, TRANSCRIPT.encode(), "group-a.txt", names=NAMES)
    assert response["Location"] == url("source_preview", study=study)
    assert not Source.objects.exists()  # nothing saved before the preview
    preview = client.get(response["Location"]).content.decode()
    assert 'Names replaced</dt><dd class="nhsuk-summary-list__value">7</dd>' in preview
    for label in ("Facilitator", "PX1", "PX2"):
        assert f'scope="row">{label}</th>' in preview
    assert "Welcome, PX1 and PX2." in preview and "Sarah" not in preview
    saved = client.post(url("source_preview", study=study))
    source = Source.objects.get()
    assert saved["Location"] == url("source", study=study, source=source)
    assert source.text.startswith("Facilitator: Welcome, PX1 and PX2.\nPX1: I work at [service]")
    assert (source.name, source.kind, source.held_on, source.origin) == (
        "Focus group A",
        "focus_group",
        datetime.date(2026, 11, 20),
        "group-a.txt",
    )
    turns = [(t.speaker.label, source.text[t.start : t.end]) for t in source.turns.all()]
    assert turns == [
        ("Facilitator", "Welcome, PX1 and PX2."),
        ("PX1", "I work at [service] with PX2."),
        ("PX2", "PX1 is right. It made sense of practice."),
    ]
    assert sorted(study.speakers.values_list("label", flat=True)) == ["Facilitator", "PX1", "PX2"]
    page = client.get(saved["Location"]).content.decode()
    assert '<strong class="qualitative-speaker">PX2:</strong> PX1 is right.' in page
    stored = _everything_stored()
    for name in ("Sarah", "Tom", "St Mary"):
        assert name not in stored
    for event in AuditEvent.objects.all():
        assert "Sarah" not in f"{event.object_label} {event.changes}"


def test_upload_a_vtt_with_voice_tags(workspace: Any, people: dict[str, Any], study: Any) -> None:
    captions = (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:04.000\n<v Facilitator>What helped?\n\n"
        "00:00:05.000 --> 00:00:09.000\n<v PX3>Having time to think.\n\n"
        "00:00:10.000 --> 00:00:12.000\n<v PX3>Really.\n"
    )
    client = client_as(people["admin"])
    assert _upload(client, study, captions.encode(), "captions.vtt").status_code == 302
    client.post(url("source_preview", study=study))
    source = Source.objects.get()
    turns = [(t.speaker.label, source.text[t.start : t.end]) for t in source.turns.all()]
    assert turns[0] == ("Facilitator", "What helped?")
    assert turns[1][0] == "PX3" and "Having time to think." in turns[1][1]
    assert "Really." in turns[1][1] and len(turns) == 2
    assert source.origin == "captions.vtt"


def test_upload_a_docx(workspace: Any, people: dict[str, Any], study: Any) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Facilitator: What did you learn?")
    document.add_paragraph("PX1: To read the baby's cues.")
    buffer = io.BytesIO()
    document.save(buffer)
    client = client_as(people["evaluator"])
    assert _upload(client, study, buffer.getvalue(), "group.docx").status_code == 302
    client.post(url("source_preview", study=study))
    source = Source.objects.get()
    turns = [(t.speaker.label, source.text[t.start : t.end]) for t in source.turns.all()]
    assert turns == [("Facilitator", "What did you learn?"), ("PX1", "To read the baby's cues.")]


@pytest.mark.parametrize(
    ("filename", "data", "fields", "message"),
    [
        ("notes.pdf", b"%PDF", {}, "notes.pdf must be a .txt, .docx or .vtt file"),
        ("group.txt", TRANSCRIPT.encode(), {"names": "Sarah"}, "line 1"),
        ("group.txt", TRANSCRIPT.encode(), {"speaker_pattern": "(a+)+"}, "speaker pattern"),
        ("bad.txt", b"\xff\xfe\xfa\x00\xc3", {}, "bad.txt"),
        ("captions.vtt", b"no header\n", {}, "WEBVTT"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message_and_nothing_saved(
    workspace: Any,
    people: dict[str, Any],
    study: Any,
    filename: str,
    data: bytes,
    fields: dict[str, str],
    message: str,
) -> None:
    client = client_as(people["analyst"])
    response = _upload(client, study, data, filename, **fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message.lower() in page.lower()
    assert not Source.objects.exists() and not Speaker.objects.exists()
    assert client.get(url("source_preview", study=study))["Location"] == url(
        "source_upload", study=study
    )


def test_an_upload_over_5_mb_is_refused(workspace: Any, people: dict[str, Any], study: Any) -> None:
    big = b"PX1: words words words\n" * (5 * 1024 * 1024 // 23 + 10)
    response = _upload(client_as(people["analyst"]), study, big, "huge.txt")
    assert "huge.txt is 5.0 MB; a transcript must be at most 5 MB" in response.content.decode()
    assert not Source.objects.exists()


def test_a_source_name_already_used_is_refused(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    make_source(study, name="Focus group A")
    response = _upload(client_as(people["analyst"]), study, TRANSCRIPT.encode(), "a.txt")
    assert "already has a source with this name" in response.content.decode()
    assert Source.objects.count() == 1


def test_rename_a_source(workspace: Any, people: dict[str, Any], study: Any) -> None:
    source = make_source(study)
    response = client_as(people["analyst"]).post(
        url("source_edit", study=study, source=source),
        {"name": "Focus group (November)", "kind": "interview"},
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.name, source.kind) == ("Focus group (November)", "interview")
    assert source.text == FOCUS_GROUP


def test_an_uncoded_source_is_deleted_at_once(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    source = make_source(study)
    page = client_as(people["analyst"]).get(url("source_delete", study=study, source=source))
    assert "has no codings" in page.content.decode()
    response = client_as(people["analyst"]).post(url("source_delete", study=study, source=source))
    assert response["Location"] == url("study", study=study)
    assert not Source.objects.exists() and not Turn.objects.exists()


def test_a_coded_source_is_deleted_only_with_its_codings_confirmed(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    source = make_source(study)
    book = make_codebook(study)
    make_coding(source, book["light bulb"], text="A light bulb moment")
    make_coding(source, book["never time"], text="We never get time to think.")
    client = client_as(people["analyst"])
    address = url("source_delete", study=study, source=source)
    assert "has 2 codings" in client.get(address).content.decode()
    refused = client.post(address)
    assert refused.status_code == 200
    assert "Focus group 1 has 2 codings. Tick the box" in refused.content.decode()
    assert Source.objects.filter(pk=source.pk).exists()
    client.post(address, {"confirm": "on"})
    assert not Source.objects.exists()
    assert book["light bulb"].codings.count() == 0


def test_a_source_of_another_study_is_not_found_under_this_one(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    other = make_study(workspace.organisation, scope=workspace.programme, name="Other")
    source = make_source(other)
    client = client_as(people["admin"])
    assert client.get(url("source", study=study, source=source)).status_code == 404
    assert client.post(url("source_delete", study=study, source=source)).status_code == 404
    assert Source.objects.filter(pk=source.pk).exists()


# ----------------------------------------------------------------------- speakers


def test_speaker_attributes_are_edited_with_free_extra_ones(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    make_source(study)
    speaker = study.speakers.get(label="PX2")
    client = client_as(people["analyst"])
    response = client.post(
        url("speaker_edit", study=study, speaker=speaker),
        {
            "label": "PX2",
            "profession": "Health visitor",
            "service": "Health visiting",
            "role_in_group": "Member",
            "extra": "Band = 6\n\nYears qualified = 10",
        },
    )
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert speaker.attributes == {
        "profession": "Health visitor",
        "service": "Health visiting",
        "role in the group": "Member",
        "Band": "6",
        "Years qualified": "10",
    }
    page = client.get(url("speakers", study=study)).content.decode()
    assert "Health visitor" in page and "Years qualified" in page
    bad = client.post(
        url("speaker_edit", study=study, speaker=speaker), {"label": "PX2", "extra": "Band 6"}
    )
    assert "Line 1 (Band 6) must be a name, an equals sign and a value" in bad.content.decode()


def test_speaker_labels_stay_unique(workspace: Any, people: dict[str, Any], study: Any) -> None:
    make_source(study)
    speaker = study.speakers.get(label="PX2")
    response = client_as(people["analyst"]).post(
        url("speaker_edit", study=study, speaker=speaker), {"label": "px1"}
    )
    assert "already has a speaker with this label" in response.content.decode()


def test_the_breakdown_by_attribute_hides_small_groups(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    text = "".join(f"P{n}: yes\n" for n in range(1, 15))
    professions = ["Midwife"] * 7 + ["Nurse"] * 6 + ["Psychologist"]
    make_source(
        study,
        text,
        speakers={f"P{n}": {"profession": p} for n, p in enumerate(professions, start=1)},
    )
    page = client_as(people["viewer"]).get(url("speakers", study=study) + "?attribute=profession")
    rows = page.context["breakdown"]
    # Psychologist (1) is hidden; Nurse (6) too, or 14 - 7 would give the 1 away.
    assert rows == [("Midwife", "7"), ("Nurse", "hidden"), ("Psychologist", "hidden")]
    assert "a count of fewer than 5 speakers reads" in page.content.decode()


def test_the_breakdown_shows_groups_at_the_threshold(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    text = "".join(f"P{n}: yes\n" for n in range(1, 11))
    make_source(
        study,
        text,
        speakers={f"P{n}": {"service": "A" if n <= 5 else "B"} for n in range(1, 11)},
    )
    page = client_as(people["viewer"]).get(url("speakers", study=study) + "?attribute=service")
    assert page.context["breakdown"] == [("A", "5"), ("B", "5")]
    unknown = client_as(people["viewer"]).get(url("speakers", study=study) + "?attribute=nope")
    assert unknown.status_code == 200 and unknown.context["breakdown"] == []


# ----------------------------------------------------------------------- phases and memos


def test_phase_log_entries_are_added_and_edited(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    client = client_as(people["analyst"])
    response = client.post(
        url("phase_create", study=study),
        {
            "phase": "1",
            "date-day": "21",
            "date-month": "11",
            "date-year": "2026",
            "memo": "Read both transcripts twice.",
        },
    )
    assert response["Location"] == url("phases", study=study)
    entry = PhaseEntry.objects.get()
    assert (entry.phase, entry.date, entry.author) == (
        1,
        datetime.date(2026, 11, 21),
        people["analyst"],
    )
    client.post(
        url("phase_edit", study=study, phase=entry),
        {"phase": "2", "date-day": "22", "date-month": "11", "date-year": "2026", "memo": "Coded"},
    )
    entry.refresh_from_db()
    assert (entry.phase, entry.memo) == (2, "Coded")
    page = client_as(people["viewer"]).get(url("phases", study=study)).content.decode()
    assert "2. Generating initial codes" in page and "22 Nov 2026" in page
    bad = client.post(url("phase_create", study=study), {"phase": "7", "date-day": "40"})
    assert bad.status_code == 200 and PhaseEntry.objects.count() == 1


def test_memos_on_the_study_a_code_and_a_source(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    source = make_source(study)
    book = make_codebook(study)
    client = client_as(people["analyst"])
    form = client.get(url("memo_create", study=study) + f"?about=code:{book['theme'].pk}")
    assert f'value="code:{book["theme"].pk}" selected' in form.content.decode()
    for about, text in (
        ("study", "Overall impression"),
        (f"code:{book['theme'].pk}", "Theme memo"),
        (f"source:{source.pk}", "Source memo"),
    ):
        response = client.post(url("memo_create", study=study), {"about": about, "text": text})
        assert response["Location"] == url("memos", study=study)
    theme_memo = Memo.objects.get(text="Theme memo")
    assert (theme_memo.code, theme_memo.source, theme_memo.author) == (
        book["theme"],
        None,
        people["analyst"],
    )
    assert Memo.objects.get(text="Source memo").source == source
    page = client_as(people["reviewer"]).get(url("memos", study=study)).content.decode()
    assert "On theme Space to reflect" in page and "On source Focus group 1" in page
    assert "Source memo" in client.get(url("source", study=study, source=source)).content.decode()
    client.post(url("memo_edit", study=study, memo=theme_memo), {"about": "study", "text": "Moved"})
    theme_memo.refresh_from_db()
    assert (theme_memo.text, theme_memo.code) == ("Moved", None)
    client.post(url("memo_delete", study=study, memo=theme_memo))
    assert not Memo.objects.filter(pk=theme_memo.pk).exists()
    other = make_study(workspace.organisation, scope=workspace.programme, name="Other")
    other_source = make_source(other)
    refused = client.post(
        url("memo_create", study=study), {"about": f"source:{other_source.pk}", "text": "x"}
    )
    assert refused.status_code == 200 and not Memo.objects.filter(text="x").exists()


def test_the_source_page_shows_text_outside_turns_too(
    workspace: Any, people: dict[str, Any], study: Any
) -> None:
    client = client_as(people["analyst"])
    text = "Focus group, 20 November\n\nPX1: Yes.\n[PX2] No.\n"
    _upload(client, study, text.encode(), "g.txt")
    client.post(url("source_preview", study=study))
    source = Source.objects.get()
    page = client.get(url("source", study=study, source=source))
    assert page.context["turns"] == [
        ("", "Focus group, 20 November"),
        ("PX1", "Yes."),
        ("PX2", "No."),
    ]
