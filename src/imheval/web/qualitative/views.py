"""A qualitative study's pages under /o/<organisation>/qualitative/: the organisation's studies,
a study's hub and settings, its sources (transcript upload with pseudonymisation and a preview),
speakers and their attributes, the codebook and its history, the phase log and memos.

Every page goes through :data:`~imheval.web.qualitative.study_access.organisation_page`
(sign-in, 404 for outsiders, objects loaded from the organisation only); an object in the
address must belong to the study in the address (``of_study``). Reading needs membership;
changing anything needs ``code_qualitative`` (:func:`study_access.require`, 403 with a reason).
Changes are audited by the models' ``AUDIT_FIELDS``; the codebook keeps its own history too.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from imheval import EvaluationOptions
from imheval.qualitative.transcripts import Transcript
from imheval.suppression import suppress
from imheval.web.organisations.access import FORM, Access
from imheval.web.qualitative import forms as qforms
from imheval.web.qualitative.models import (
    Code,
    Level,
    Memo,
    PhaseEntry,
    Source,
    Speaker,
    Study,
    Turn,
)
from imheval.web.qualitative.numbers import posted_pk
from imheval.web.qualitative.study_access import (
    CODE,
    may,
    of_study,
    organisation_page,
    require,
    seen_codings,
)
from imheval.web.workspace.views import _form_page as workspace_form_page

#: The network pages' one-column form (its fields as the network forms draw them, files too).
FORM_TEMPLATE = "network/form.html"
#: The session key holding one upload's pseudonymised result between upload and preview.
UPLOAD_KEY = "qualitative-upload-{study}"
#: How much of a transcript the preview shows.
PREVIEW_CHARACTERS = 1500


def _url(name: str, access: Access, **objects: Any) -> str:
    kwargs = {key: getattr(value, "pk", value) for key, value in objects.items()}
    return reverse(f"qualitative:{name}", kwargs={"org": access.organisation.slug, **kwargs})


def optional_url(name: str, **kwargs: Any) -> str | None:
    """The address of ``qualitative:<name>``, or None while that page does not exist yet (the
    coding, review and output pages are added by other parts of the app)."""
    try:
        return reverse(f"qualitative:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return None


def _crumbs(access: Access, study: Study | None = None) -> list[tuple[str, str]]:
    crumbs = [("Focus groups", _url("studies", access))]
    if study is not None:
        crumbs.append((study.name, _url("study", access, study=study)))
    return crumbs


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _study_form(request: HttpRequest, form: Any, **page: Any) -> HttpResponse:
    """The workspace's form page (show, or save and redirect) with this app's template."""
    return workspace_form_page(request, form, template=FORM_TEMPLATE, **page)


def min_group_size() -> int:
    return EvaluationOptions().min_group_size


# ----------------------------------------------------------------------- studies


@organisation_page()
def studies(request: HttpRequest, access: Access) -> HttpResponse:
    found = (
        Study.objects.in_organisation(access.organisation)  # type: ignore[attr-defined]
        .select_related("cohort", "programme", "network_group")
        .annotate(
            source_count=Count("sources", distinct=True),
            code_count=Count("codes", filter=Q(codes__level=Level.CODE), distinct=True),
        )
    )
    context = {"studies": found, "may_change": may(access, CODE), "crumbs": []}
    return render(request, "qualitative/studies.html", context)


@organisation_page(methods=FORM)
def study_create(request: HttpRequest, access: Access) -> HttpResponse:
    require(access, CODE)
    return _study_form(
        request,
        qforms.StudyCreateForm(_data(request), organisation=access.organisation, user=request.user),
        title="Start a study",
        submit="Start the study",
        cancel=_url("studies", access),
        crumbs=_crumbs(access),
        intro="A study holds the focus groups or interviews of one cohort, programme or "
        "network group, and their analysis.",
        done=lambda study: (f"Study {study.name} started.", _url("study", access, study=study)),
    )


def scope_of(study: Study) -> str:
    if study.cohort_id:  # type: ignore[attr-defined]
        return f"Cohort {study.cohort}"
    if study.programme_id:  # type: ignore[attr-defined]
        return f"Programme {study.programme}"
    return f"Network group {study.network_group}"


@organisation_page()
def study(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """The hub: sources, speakers, codebook, phase log, memos, and the other parts' pages."""
    org = access.organisation.slug
    seen = Q(codings__in=seen_codings(study, request.user))
    sources = study.sources.annotate(coding_count=Count("codings", filter=seen)).defer("text")
    pages = ["review", "comparison", "outputs", "exchange"]
    if study.network_group_id is None:  # type: ignore[attr-defined]
        pages.append("answers")  # a network group's study has no questionnaires of its own
    links = {name: optional_url(name, org=org, study=study.pk) for name in pages}
    context = {
        "study": study,
        "scope": scope_of(study),
        "crumbs": _crumbs(access),
        "sources": [
            (source, optional_url("coding", org=org, study=study.pk, source=source.pk))
            for source in sources
        ],
        "speaker_count": study.speakers.count(),
        "level_counts": Counter(study.codes.values_list("level", flat=True)),
        "phases": study.phases.all(),
        "memo_count": study.memos.count(),
        "links": links,
        "may_change": may(access, CODE),
    }
    return render(request, "qualitative/study.html", context)


@organisation_page(methods=FORM)
def study_edit(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    require(access, CODE)
    return _study_form(
        request,
        qforms.StudySettingsForm(_data(request), instance=study),
        title="Study settings",
        caption=study.name,
        submit="Save settings",
        cancel=_url("study", access, study=study),
        crumbs=_crumbs(access, study),
        done=lambda saved: ("Settings saved.", _url("study", access, study=saved)),
    )


# ----------------------------------------------------------------------- sources


def _preview(transcript: Transcript) -> dict[str, Any]:
    """What the session keeps between upload and save: pseudonymised text and turns only (the
    names typed on the form are not in it)."""
    return {
        "text": transcript.text,
        "turns": [[turn.speaker, turn.start, turn.end] for turn in transcript.turns],
        "replacements": transcript.replaced,
        "warnings": list(transcript.warnings),
    }


@organisation_page(methods=FORM)
def source_upload(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """Step 1: the file, its details and the names to replace; nothing is saved yet."""
    require(access, CODE)
    form = qforms.SourceUploadForm(_data(request), request.FILES or None, study=study)
    if request.method == "POST" and form.is_valid():
        held_on = form.cleaned_data["held_on"]
        request.session[UPLOAD_KEY.format(study=study.pk)] = {
            "name": form.cleaned_data["name"],
            "kind": form.cleaned_data["kind"],
            "held_on": held_on.isoformat() if held_on else "",
            "origin": form.origin,
            **_preview(form.transcript),
        }
        return redirect(_url("source_preview", access, study=study))
    context = {
        "form": form,
        "study": study,
        "crumbs": _crumbs(access, study),
        "cancel": _url("study", access, study=study),
    }
    return render(request, "qualitative/source_upload.html", context)


@organisation_page(methods=FORM)
def source_preview(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """Step 2: the pseudonymised text, speakers found and replacements made; saving creates
    the source, its speakers and turns in one transaction."""
    require(access, CODE)
    key = UPLOAD_KEY.format(study=study.pk)
    upload = request.session.get(key)
    if upload is None:
        messages.info(request, "Upload the transcript first.")
        return redirect(_url("source_upload", access, study=study))
    if request.method == "POST":
        if study.sources.filter(name__iexact=upload["name"]).exists():
            messages.error(request, f"The study already has a source called {upload['name']}.")
            return redirect(_url("source_upload", access, study=study))
        source = _save_upload(study, upload)
        del request.session[key]
        messages.success(
            request,
            f"{source.name} saved with {len(upload['turns'])} turns by "
            f"{len({turn[0] for turn in upload['turns']})} speakers.",
        )
        return redirect(_url("source", access, study=study, source=source))
    speakers = Counter(turn[0] for turn in upload["turns"])
    context = {
        "study": study,
        "upload": upload,
        "excerpt": upload["text"][:PREVIEW_CHARACTERS],
        "more": max(0, len(upload["text"]) - PREVIEW_CHARACTERS),
        "speakers": sorted(speakers.items()),
        "crumbs": _crumbs(access, study),
        "cancel": _url("study", access, study=study),
        "again": _url("source_upload", access, study=study),
    }
    return render(request, "qualitative/source_preview.html", context)


@transaction.atomic
def _save_upload(study: Study, upload: dict[str, Any]) -> Source:
    held_on = upload["held_on"]
    source = Source.objects.create(
        study=study,
        name=upload["name"],
        kind=upload["kind"],
        held_on=datetime.date.fromisoformat(held_on) if held_on else None,
        text=upload["text"],
        origin=upload["origin"],
    )
    speakers = {speaker.label: speaker for speaker in study.speakers.all()}
    for label in sorted({turn[0] for turn in upload["turns"]} - set(speakers)):
        speakers[label] = Speaker.objects.create(study=study, label=label)
    Turn.objects.bulk_create(
        Turn(source=source, speaker=speakers[label], start=start, end=end)
        for label, start, end in upload["turns"]
    )
    return source


def passages(source: Source) -> list[tuple[str, str]]:
    """The source's text as (speaker label, words) in order; text outside every turn (a title,
    a note between turns) as ("", words), so nothing of the text is left out."""
    found: list[tuple[str, str]] = []
    at = 0
    for turn in source.turns.select_related("speaker"):
        before = source.text[at : turn.start]
        # The turn's own line up to its words is the label as written ("PX1:", "[PX1]"):
        # shown as the label instead.
        head, newline, line = before.rpartition("\n")
        if turn.speaker.label in line:
            before = head + newline
        found.append(("", before))
        found.append((turn.speaker.label, source.text[turn.start : turn.end]))
        at = turn.end
    found.append(("", source.text[at:]))
    return [(label, words.strip()) for label, words in found if words.strip()]


@organisation_page()
def source(request: HttpRequest, access: Access, study: Study, source: Source) -> HttpResponse:
    of_study(study, source)
    context = {
        "study": study,
        "source": source,
        "turns": passages(source),
        "coding_count": seen_codings(study, request.user).filter(source=source).count(),
        "memos": source.memos.all(),
        "coding_url": optional_url(
            "coding", org=access.organisation.slug, study=study.pk, source=source.pk
        ),
        "crumbs": _crumbs(access, study),
        "may_change": may(access, CODE),
    }
    return render(request, "qualitative/source.html", context)


@organisation_page(methods=FORM)
def source_edit(request: HttpRequest, access: Access, study: Study, source: Source) -> HttpResponse:
    of_study(study, source)
    require(access, CODE)
    return _study_form(
        request,
        qforms.SourceForm(_data(request), instance=source),
        title="Rename the source",
        caption=study.name,
        submit="Save",
        cancel=_url("source", access, study=study, source=source),
        crumbs=_crumbs(access, study),
        done=lambda saved: (
            f"{saved.name} saved.",
            _url("source", access, study=study, source=saved),
        ),
    )


@organisation_page(methods=FORM)
def source_delete(
    request: HttpRequest, access: Access, study: Study, source: Source
) -> HttpResponse:
    """A coded source is deleted only with a ticked box that says its codings go too."""
    of_study(study, source)
    require(access, CODE)
    form = qforms.SourceDeleteForm(_data(request), source=source)
    if request.method == "POST" and form.is_valid():
        name = source.name
        with transaction.atomic():
            source.codings.all().delete()
            source.delete()
        messages.success(request, f"{name} deleted.")
        return redirect(_url("study", access, study=study))
    context = {
        "form": form,
        "study": study,
        "source": source,
        "crumbs": _crumbs(access, study),
        "cancel": _url("source", access, study=study, source=source),
    }
    return render(request, "qualitative/source_delete.html", context)


# ----------------------------------------------------------------------- speakers


def breakdown(speakers: list[Speaker], attribute: str, min_size: int) -> list[tuple[str, str]]:
    """Speakers counted by their value of ``attribute`` ("Not given" for none), each count shown
    only when the small-group rule allows (otherwise "hidden")."""
    counts = Counter(str(speaker.attributes.get(attribute) or "Not given") for speaker in speakers)
    values = sorted(counts)
    decided = suppress([counts[value] for value in values], min_size)
    return [
        (value, "hidden" if hidden else str(counts[value]))
        for value, hidden in zip(values, decided.hidden, strict=True)
    ]


@organisation_page()
def speakers(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    found = list(study.speakers.annotate(turn_count=Count("turns")))
    attributes = sorted(
        set(qforms.SPEAKER_ATTRIBUTES) | {key for speaker in found for key in speaker.attributes}
    )
    chosen = request.GET.get("attribute", "")
    chosen = chosen if chosen in attributes else ""
    size = min_group_size()
    context = {
        "study": study,
        "speakers": [
            (speaker, [(key, speaker.attributes.get(key, "")) for key in attributes])
            for speaker in found
        ],
        "attributes": attributes,
        "chosen": chosen,
        "breakdown": breakdown(found, chosen, size) if chosen else [],
        "min_group_size": size,
        "crumbs": _crumbs(access, study),
        "may_change": may(access, CODE),
    }
    return render(request, "qualitative/speakers.html", context)


@organisation_page(methods=FORM)
def speaker_edit(
    request: HttpRequest, access: Access, study: Study, speaker: Speaker
) -> HttpResponse:
    of_study(study, speaker)
    require(access, CODE)
    return _study_form(
        request,
        qforms.SpeakerForm(_data(request), instance=speaker),
        title=f"Speaker {speaker.label}",
        caption=study.name,
        submit="Save",
        cancel=_url("speakers", access, study=study),
        crumbs=[*_crumbs(access, study), ("Speakers", _url("speakers", access, study=study))],
        intro="Use labels and roles only: never a person's name.",
        done=lambda saved: (f"{saved.label} saved.", _url("speakers", access, study=study)),
    )


# ----------------------------------------------------------------------- codebook


def _codebook_crumbs(access: Access, study: Study) -> list[tuple[str, str]]:
    return [*_crumbs(access, study), ("Codebook", _url("codebook", access, study=study))]


@organisation_page()
def codebook(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """Themes, their sub-themes and codes, with definitions and how often each is used (while
    coding is blind, in the member's own codings)."""
    seen = Q(codings__in=seen_codings(study, request.user))
    rows = list(study.codes.annotate(coding_count=Count("codings", filter=seen)))
    children: dict[int | None, list[Code]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)  # type: ignore[attr-defined]
    tree = [
        (theme, [(sub, children.get(sub.pk, [])) for sub in children.get(theme.pk, [])])
        for theme in children.get(None, [])
    ]
    context = {
        "study": study,
        "tree": tree,
        "code_total": sum(1 for row in rows if row.level == Level.CODE),
        "crumbs": _crumbs(access, study),
        "may_change": may(access, CODE),
    }
    return render(request, "qualitative/codebook.html", context)


@organisation_page(methods=FORM)
def code_create(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """A new theme, sub-theme or code (``?level=``, and ``?parent=`` to preselect)."""
    require(access, CODE)
    level = request.GET.get("level", "")
    level = level if level in qforms.PARENT_LEVEL else qforms.THEME
    parent_pk = request.GET.get("parent", "")
    wanted = posted_pk(parent_pk)
    parent = study.codes.filter(pk=wanted).first() if wanted is not None else None
    words = qforms.LEVEL_WORDS[level]
    return _study_form(
        request,
        qforms.CodeForm(_data(request), study=study, level=level, user=request.user, parent=parent),
        title=f"Add a {words}",
        caption=study.name,
        submit=f"Add the {words}",
        cancel=_url("codebook", access, study=study),
        crumbs=_codebook_crumbs(access, study),
        done=lambda code: (f"{code.name} added.", _url("codebook", access, study=study)),
    )


@organisation_page(methods=FORM)
def code_edit(request: HttpRequest, access: Access, study: Study, code: Code) -> HttpResponse:
    """Rename, move, define or colour a row; each change goes into its history."""
    of_study(study, code)
    require(access, CODE)
    words = qforms.LEVEL_WORDS[code.level]
    return _study_form(
        request,
        qforms.CodeForm(
            _data(request), instance=code, study=study, level=code.level, user=request.user
        ),
        title=f"Change the {words}",
        caption=qforms.path_of(code),
        submit="Save",
        cancel=_url("codebook", access, study=study),
        crumbs=_codebook_crumbs(access, study),
        done=lambda saved: (f"{saved.name} saved.", _url("codebook", access, study=study)),
    )


@organisation_page(methods=FORM)
def code_delete(request: HttpRequest, access: Access, study: Study, code: Code) -> HttpResponse:
    """Only an unused row is deleted: no codings and nothing under it."""
    of_study(study, code)
    require(access, CODE)
    codings = code.codings.count()
    below = code.children.count()
    reasons = []
    if codings:
        reasons.append(f"it has {codings} coding{'s' if codings != 1 else ''}")
    if below:
        reasons.append(f"{below} row{'s sit' if below != 1 else ' sits'} under it")
    if request.method == "POST" and not reasons:
        name = code.name
        code.delete()
        messages.success(request, f"{name} deleted.")
        return redirect(_url("codebook", access, study=study))
    context = {
        "study": study,
        "code": code,
        "path": qforms.path_of(code),
        "reasons": reasons,
        "crumbs": _codebook_crumbs(access, study),
        "cancel": _url("codebook", access, study=study),
    }
    return render(request, "qualitative/code_delete.html", context, status=200)


@organisation_page()
def code_history(request: HttpRequest, access: Access, study: Study, code: Code) -> HttpResponse:
    of_study(study, code)
    context = {
        "study": study,
        "code": code,
        "path": qforms.path_of(code),
        "changes": code.history.select_related("changed_by"),
        "memos": code.memos.all(),
        "crumbs": _codebook_crumbs(access, study),
    }
    return render(request, "qualitative/code_history.html", context)


@organisation_page(methods=FORM)
def codes_move(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    require(access, CODE)
    return _study_form(
        request,
        qforms.BulkMoveForm(_data(request), study=study, user=request.user),
        title="Move codes to a sub-theme",
        caption=study.name,
        submit="Move the codes",
        cancel=_url("codebook", access, study=study),
        crumbs=_codebook_crumbs(access, study),
        done=lambda moved: (
            f"{len(moved)} code{'s' if len(moved) != 1 else ''} moved.",
            _url("codebook", access, study=study),
        ),
    )


# ----------------------------------------------------------------------- phases and memos


@organisation_page()
def phases(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    context = {
        "study": study,
        "phases": study.phases.select_related("author"),
        "crumbs": _crumbs(access, study),
        "may_change": may(access, CODE),
    }
    return render(request, "qualitative/phases.html", context)


def _phase_form(
    request: HttpRequest, access: Access, study: Study, entry: PhaseEntry
) -> HttpResponse:
    form = qforms.PhaseForm(_data(request), instance=entry)

    def done(saved: PhaseEntry) -> tuple[str, str]:
        return (f"{saved.get_phase_display()} saved.", _url("phases", access, study=study))  # type: ignore[attr-defined]

    return _study_form(
        request,
        form,
        title="Phase log entry",
        caption=study.name,
        submit="Save",
        cancel=_url("phases", access, study=study),
        crumbs=[*_crumbs(access, study), ("Phase log", _url("phases", access, study=study))],
        intro="Braun and Clarke's six phases: note what you did in each, and when.",
        done=done,
    )


@organisation_page(methods=FORM)
def phase_create(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    require(access, CODE)
    return _phase_form(request, access, study, PhaseEntry(study=study, author=request.user))


@organisation_page(methods=FORM)
def phase_edit(
    request: HttpRequest, access: Access, study: Study, phase: PhaseEntry
) -> HttpResponse:
    of_study(study, phase)
    require(access, CODE)
    return _phase_form(request, access, study, phase)


@organisation_page()
def memos(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    context = {
        "study": study,
        "memos": study.memos.select_related("code", "source", "author"),
        "crumbs": _crumbs(access, study),
        "may_change": may(access, CODE),
    }
    return render(request, "qualitative/memos.html", context)


def _memo_form(request: HttpRequest, access: Access, study: Study, memo: Memo) -> HttpResponse:
    form = qforms.MemoForm(_data(request), instance=memo, study=study)
    about = request.GET.get("about", "")
    if not memo.pk and about:
        form.fields["about"].initial = about
    return _study_form(
        request,
        form,
        title="Memo",
        caption=study.name,
        submit="Save the memo",
        cancel=_url("memos", access, study=study),
        crumbs=[*_crumbs(access, study), ("Memos", _url("memos", access, study=study))],
        done=lambda saved: ("Memo saved.", _url("memos", access, study=study)),
    )


@organisation_page(methods=FORM)
def memo_create(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    require(access, CODE)
    return _memo_form(request, access, study, Memo(study=study, author=request.user))


@organisation_page(methods=FORM)
def memo_edit(request: HttpRequest, access: Access, study: Study, memo: Memo) -> HttpResponse:
    of_study(study, memo)
    require(access, CODE)
    return _memo_form(request, access, study, memo)


@organisation_page(methods=FORM)
def memo_delete(request: HttpRequest, access: Access, study: Study, memo: Memo) -> HttpResponse:
    of_study(study, memo)
    require(access, CODE)
    if request.method == "POST":
        memo.delete()
        messages.success(request, "Memo deleted.")
        return redirect(_url("memos", access, study=study))
    context = {
        "study": study,
        "memo": memo,
        "crumbs": [*_crumbs(access, study), ("Memos", _url("memos", access, study=study))],
        "cancel": _url("memos", access, study=study),
    }
    return render(request, "qualitative/memo_delete.html", context)
