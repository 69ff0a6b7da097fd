"""Readings, competency frameworks and the coverage grid of a network group.

- Readings belong to the organisation (a citation, a DOI or web address, notes, and the
  competencies it is mapped to); a group's pages tag them against the group's framework.
- A meeting's readings are chosen from the organisation's, with the date they were sent.
- An organisation imports its own framework, as YAML or as Moodle's competency framework CSV,
  through the core's loaders (:mod:`imheval.instruments.frameworks`): the whole file is read
  and checked first, and nothing is saved unless all of it is good; the loader's messages name
  the file, row and column.
- The coverage grid: the framework's domains against the year's meetings, with the number of
  readings touching each, and the domains not yet covered (:mod:`imheval.network.coverage`).

Reading is open to every member of the organisation; changing needs :func:`require_edit` (the
group's facilitators, the organisation's admins and evaluators). Readings and imported frameworks
belong to the whole organisation, so a group's facilitators may not change a reading another
group's meetings use (:func:`groups_elsewhere`), and importing a framework needs the
organisation role that changes instruments (admins and evaluators); choosing the group's
framework stays with whoever may change the group.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from imheval.errors import ImhevalError
from imheval.findings.wording import join_and
from imheval.instruments import frameworks
from imheval.instruments.frameworks import CompetencyFramework
from imheval.network import coverage
from imheval.network.attendance import Register
from imheval.network.coverage import CoverageGrid
from imheval.web.network import adapter
from imheval.web.network.group_access import (
    EDIT_ALL_GROUPS,
    may_edit_group,
    of_group,
    require_edit,
)
from imheval.web.network.models import (
    CompetencyFrameworkFile,
    Meeting,
    MeetingReading,
    NetworkGroup,
    Reading,
)
from imheval.web.organisations.access import FORM, Access, organisation_views
from imheval.web.organisations.models import Organisation

#: The reading pages' objects: the group's, plus a reading of the organisation.
SCOPED_OBJECTS: dict[str, type[Model]] = {
    "group": NetworkGroup,
    "meeting": Meeting,
    "reading": Reading,
}
organisation_page = organisation_views(SCOPED_OBJECTS)

#: The organisation's action that imports frameworks (they are shared by all its groups).
IMPORT_FRAMEWORKS = "edit_instruments"

#: Largest framework file accepted (a framework of a few hundred competencies is ~100 kB).
MAX_FRAMEWORK_BYTES = 2_000_000


# ------------------------------------------------------------------------------ frameworks


def organisation_frameworks(organisation: Organisation) -> dict[str, CompetencyFramework]:
    """The built-in frameworks and the organisation's own, by id (its own read from the text
    kept when it was imported)."""
    found = dict(frameworks.BUILT_IN)
    for saved in CompetencyFrameworkFile.objects.in_organisation(organisation):
        try:
            found[saved.framework_id] = frameworks.load_framework(
                saved.text, saved.source_name, saved.source_format
            )
        except ImhevalError:
            continue  # it was checked when imported; a later loader change must not break pages
    return found


def load_framework(text: str, source_name: str) -> CompetencyFramework:
    """Read a framework file: Moodle's CSV export when the name ends in .csv, else YAML.

    Raises :class:`imheval.instruments.frameworks.FrameworkError` with every problem found.
    """
    return frameworks.load_framework(text, source_name, source_format(source_name))


def source_format(source_name: str) -> str:
    """ "moodle-csv" for a .csv file, else "yaml"."""
    return "moodle-csv" if source_name.lower().endswith(".csv") else "yaml"


def group_framework(group: NetworkGroup) -> CompetencyFramework:
    """The framework the group's readings are mapped to (the AIMH UK framework when the
    group names one that no longer exists)."""
    available = organisation_frameworks(group.organisation)
    return available.get(group.framework) or frameworks.AIMH_UK


def tag_choices(framework: CompetencyFramework) -> list[tuple[str, str]]:
    """The references a reading can be tagged with: each domain, and each competency under it."""
    choices = []
    for domain in framework.domains:
        choices.append((f"{framework.id}:{domain.id}", domain.label))
        for competency in domain.competencies:
            choices.append(
                (
                    f"{framework.id}:{domain.id}:{competency.id}",
                    f"{domain.label}: {competency.label}",
                )
            )
    return choices


def touched_domains(framework: CompetencyFramework, references: list[str]) -> set[str]:
    """The ids of ``framework``'s domains that ``references`` name (directly or through one of
    their competencies); references to other frameworks are ignored."""
    found = set()
    for reference in references:
        parts = str(reference).split(":")
        if len(parts) >= 2 and parts[0] == framework.id and framework.domain(parts[1]):
            found.add(parts[1])
    return found


# ------------------------------------------------------------------------------ coverage


def group_coverage(group: NetworkGroup, register: Register | None = None) -> CoverageGrid:
    """The coverage grid of the group's attendance year (the core's
    :func:`imheval.network.coverage.coverage_grid`)."""
    framework = group_framework(group)
    register = register or adapter.group_register(group, adapter.as_of_date(group))
    start, end = adapter.group_rule(group).year(register)
    meetings = list(
        Meeting.objects.filter(group=group, date__gte=start, date__lt=end, cancelled=False)
    )
    by_meeting: dict[str, list[Any]] = defaultdict(list)
    for link in MeetingReading.objects.filter(meeting__in=meetings).select_related("reading"):
        by_meeting[str(link.meeting_id)].append(  # type: ignore[attr-defined]
            coverage.ReadingTags(
                key=str(link.reading_id),  # type: ignore[attr-defined]
                title=link.reading.title,
                competencies=tuple(link.reading.competencies),
            )
        )
    columns = [
        coverage.CoverageMeeting(key=str(m.pk), date=m.date, label=f"{m.date.day} {m.date:%b %Y}")
        for m in meetings
    ]
    return coverage.coverage_grid(framework, columns, by_meeting)


# ------------------------------------------------------------------------------ forms


class ReadingForm(forms.ModelForm):  # type: ignore[type-arg]
    """A reading's citation, where to find it, notes and competencies."""

    url = forms.URLField(label="Web address", required=False, max_length=500, assume_scheme="https")
    competencies = forms.MultipleChoiceField(
        label="Competencies it covers",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose the domains, or competencies within them, the reading helps develop.",
    )

    class Meta:
        model = Reading
        fields = ["authors", "year", "title", "source", "doi", "url", "notes", "competencies"]
        labels = {"authors": "Authors", "year": "Year", "title": "Title", "source": "Source"}
        help_texts = {
            "authors": "As in a reference list, e.g. Fraiberg, S., Adelson, E., & Shapiro, V.",
            "doi": "For example 10.1016/S0002-7138(09)61442-4 (no files are stored).",
        }

    def __init__(self, *args: Any, framework: CompetencyFramework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.fields["competencies"].choices = tag_choices(framework)
        self.fields["notes"].widget = forms.Textarea(attrs={"rows": 3})
        if self.instance.pk:
            # references to another framework are kept, untouched, when the form is saved
            self.kept = [
                ref
                for ref in self.instance.competencies
                if not str(ref).startswith(f"{framework.id}:")
            ]
        else:
            self.kept = []

    def clean_doi(self) -> str:
        doi = str(self.cleaned_data.get("doi", "")).strip()
        for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
            if doi.lower().startswith(prefix):
                doi = doi[len(prefix) :]
        if doi and not doi.startswith("10."):
            raise forms.ValidationError("A DOI starts with 10., for example 10.1002/imhj.21740")
        return doi

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["competencies"] = self.kept + list(cleaned.get("competencies") or [])
        return cleaned


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(
        label="Framework file",
        help_text=(
            "YAML (imheval-framework/1, see the guide) or Moodle's competency framework CSV "
            "export (.csv). Nothing is imported unless the whole file is correct."
        ),
    )


class MeetingReadingsForm(forms.Form):
    readings = forms.ModelMultipleChoiceField(
        label="Readings for this meeting",
        queryset=Reading.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sent_on = forms.DateField(
        label="Date sent to members",
        required=False,
        help_text="Leave blank if not sent yet. For example 2026-02-20.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["readings"].queryset = Reading.objects.in_organisation(organisation)  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ sharing


def groups_elsewhere(
    group: NetworkGroup, reading: Reading | None = None
) -> dict[int, dict[int, str]]:
    """{reading pk: {group pk: group name}}: the other groups whose meetings use each reading
    (only ``reading`` when given), in one query."""
    links = MeetingReading.objects.exclude(meeting__group=group).filter(
        meeting__group__organisation_id=group.organisation_id  # type: ignore[attr-defined]
    )
    if reading is not None:
        links = links.filter(reading=reading)
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for reading_id, group_id, name in links.values_list(
        "reading_id", "meeting__group_id", "meeting__group__name"
    ):
        found[reading_id][group_id] = name
    return dict(found)


def not_editable(access: Access, groups: dict[int, str]) -> dict[int, str]:
    """Those of ``groups`` ({pk: name}) that ``access`` may not change: none for the
    organisation's admins and evaluators; a facilitator changes only the groups they facilitate."""
    if not groups or access.may(EDIT_ALL_GROUPS):
        return {}
    own = set(
        NetworkGroup.objects.filter(
            pk__in=list(groups), facilitators=access.membership
        ).values_list("pk", flat=True)
    )
    return {pk: name for pk, name in groups.items() if pk not in own}


def used_elsewhere_message(reading: Reading, names: list[str], then: str) -> str:
    """Why ``reading`` cannot be changed or removed from this group's pages: the other groups
    whose meetings use it, by name, and ``then``, what can be done."""
    return f"{reading} is set for meetings of {join_and(names)}: {then}"


# ------------------------------------------------------------------------------ pages


def _url(name: str, access: Access, group: NetworkGroup, **more: Any) -> str:
    kwargs = {"org": access.organisation.slug, "group": group.pk}
    kwargs.update({key: getattr(value, "pk", value) for key, value in more.items()})
    return reverse(f"network:{name}", kwargs=kwargs)


def _crumbs(access: Access, group: NetworkGroup, *more: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        ("Network groups", reverse("network:groups", kwargs={"org": access.organisation.slug})),
        (
            group.name,
            reverse("network:group", kwargs={"org": access.organisation.slug, "group": group.pk}),
        ),
        *more,
    ]


@organisation_page("view", FORM)
def reading_list(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    """The organisation's readings with their competencies in the group's framework; a form to
    add one (for those who may change the group)."""
    framework = group_framework(group)
    editable = may_edit_group(access, group)
    form = ReadingForm(framework=framework)
    if request.method == "POST":
        require_edit(access, group)
        form = ReadingForm(request.POST, framework=framework)
        if form.is_valid():
            reading = form.save(commit=False)
            reading.organisation = access.organisation
            reading.competencies = form.cleaned_data["competencies"]
            reading.save()
            messages.success(request, f"Added: {reading}.")
            return redirect(_url("readings", access, group))
    labels = dict(tag_choices(framework))
    # readings other groups use, which this user may not change: named instead of a link
    elsewhere = groups_elsewhere(group) if editable else {}
    every_group = {pk: name for groups in elsewhere.values() for pk, name in groups.items()}
    blocked = not_editable(access, every_group)
    locked = {
        pk: sorted(name for group_pk, name in groups.items() if group_pk in blocked)
        for pk, groups in elsewhere.items()
    }
    readings = [
        (
            reading,
            [labels[ref] for ref in reading.competencies if ref in labels],
            locked.get(reading.pk, []),
        )
        for reading in Reading.objects.in_organisation(access.organisation)
    ]
    start, end = adapter.group_rule(group).year(Register((), ()))
    meetings = (
        Meeting.objects.filter(group=group, date__gte=start, date__lt=end)
        .annotate(reading_count=Count("meeting_readings"))
        .order_by("date", "start_time")
    )
    context = {
        "group": group,
        "framework": framework,
        "readings": readings,
        "meetings": meetings,
        "form": form if editable else None,
        "may_edit": editable,
        "crumbs": _crumbs(access, group),
    }
    return render(request, "network/readings.html", context)


@organisation_page("view", FORM)
def reading_edit(
    request: HttpRequest, access: Access, group: NetworkGroup, reading: Reading
) -> HttpResponse:
    require_edit(access, group)
    others = sorted(
        not_editable(access, groups_elsewhere(group, reading).get(reading.pk, {})).values()
    )
    if others:
        whose = "that group's" if len(others) == 1 else "those groups'"
        messages.error(
            request,
            used_elsewhere_message(
                reading,
                others,
                f"only {whose} facilitators, "
                "or the organisation's admins and evaluators, can change it. Add a reading of "
                "your own for this group instead.",
            ),
        )
        return redirect(_url("readings", access, group))
    framework = group_framework(group)
    form = ReadingForm(request.POST or None, instance=reading, framework=framework)
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        changed.competencies = form.cleaned_data["competencies"]
        changed.save()
        messages.success(request, f"Saved: {changed}.")
        return redirect(_url("readings", access, group))
    context = {
        "form": form,
        "title": "Change a reading",
        "caption": group.name,
        "submit": "Save the reading",
        "cancel": _url("readings", access, group),
        "delete_url": _url("reading_delete", access, group, reading=reading),
        "crumbs": _crumbs(access, group, ("Readings", _url("readings", access, group))),
    }
    return render(request, "network/reading_form.html", context)


@organisation_page("view", FORM)
def reading_delete(
    request: HttpRequest, access: Access, group: NetworkGroup, reading: Reading
) -> HttpResponse:
    """Remove a reading from the organisation's list (and from this group's meetings). A reading
    set for another group's meetings is refused: that group's facilitators decide for it."""
    require_edit(access, group)
    elsewhere = sorted(groups_elsewhere(group, reading).get(reading.pk, {}).values())
    here = MeetingReading.objects.filter(reading=reading, meeting__group=group).count()
    cancel = _url("reading_edit", access, group, reading=reading)
    if elsewhere:
        messages.error(
            request,
            used_elsewhere_message(
                reading,
                elsewhere,
                "it can be removed once "
                + ("that group no longer uses it." if len(elsewhere) == 1 else "")
                + ("those groups no longer use it." if len(elsewhere) > 1 else ""),
            ),
        )
        # the readings list, not the reading's page: that may be refused to this user too
        return redirect(_url("readings", access, group))
    if request.method == "POST":
        label = str(reading)
        reading.delete()  # its meeting links go with it (audited, like the reading)
        messages.success(request, f"Removed: {label}.")
        return redirect(_url("readings", access, group))
    used = (
        f" It is set for {here} of this group's meetings, which will no longer list it."
        if here
        else ""
    )
    context = {
        "form": forms.Form(),
        "title": "Remove this reading?",
        "caption": group.name,
        "intro": f"{reading}.{used} Meetings keep their topics and notes.",
        "submit": "Remove the reading",
        "warning": True,
        "cancel": cancel,
        "crumbs": _crumbs(access, group, ("Readings", _url("readings", access, group))),
    }
    return render(request, "network/reading_form.html", context)


@organisation_page("view", FORM)
def meeting_readings(
    request: HttpRequest, access: Access, group: NetworkGroup, meeting: Meeting
) -> HttpResponse:
    """Choose the readings set for a meeting and the date they were sent."""
    of_group(group, meeting)
    current = list(MeetingReading.objects.filter(meeting=meeting).select_related("reading"))
    sent = next((link.sent_on for link in current if link.sent_on), None)
    initial = {"readings": [link.reading for link in current], "sent_on": sent}
    form = MeetingReadingsForm(
        request.POST or None, initial=initial, organisation=access.organisation
    )
    if request.method == "POST":
        require_edit(access, group)
        if form.is_valid():
            chosen = {reading.pk: reading for reading in form.cleaned_data["readings"]}
            sent_on: datetime.date | None = form.cleaned_data["sent_on"]
            with transaction.atomic():
                for link in current:
                    if link.reading_id not in chosen:  # type: ignore[attr-defined]
                        link.delete()
                    elif link.sent_on != sent_on:
                        link.sent_on = sent_on
                        link.save(update_fields=["sent_on"])
                kept = {link.reading_id for link in current}  # type: ignore[attr-defined]
                for pk, reading in chosen.items():
                    if pk not in kept:
                        MeetingReading.objects.create(
                            meeting=meeting, reading=reading, sent_on=sent_on
                        )
            messages.success(
                request, f"Saved the readings for {meeting.date.day} {meeting.date:%B %Y}."
            )
            return redirect(_url("meeting_readings", access, group, meeting=meeting))
    context = {
        "group": group,
        "meeting": meeting,
        "form": form,
        "current": current,
        "may_edit": may_edit_group(access, group),
        "readings_url": _url("readings", access, group),
        "crumbs": _crumbs(access, group),
    }
    return render(request, "network/reading_meeting.html", context)


@organisation_page("view", FORM)
def framework_list(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    """The frameworks available, which one the group uses, and an import form.

    POST ``action=use`` with ``framework`` sets the group's framework (whoever may change the
    group); a file upload imports one for the whole organisation (admins and evaluators only;
    all or nothing, with the loader's problems listed when it is refused).
    """
    available = organisation_frameworks(access.organisation)
    problems: list[str] = []
    form = FrameworkUploadForm()
    if request.method == "POST":
        if request.POST.get("action") == "use":
            require_edit(access, group)
            chosen = request.POST.get("framework", "")
            if chosen in available:
                group.framework = chosen
                group.save(update_fields=["framework"])
                messages.success(
                    request, f"{group.name} now maps readings to {available[chosen].title}."
                )
                return redirect(_url("frameworks", access, group))
            problems = ["Choose one of the frameworks listed."]
        else:
            access.require(IMPORT_FRAMEWORKS)
            form = FrameworkUploadForm(request.POST, request.FILES)
            if form.is_valid():
                saved, problems = import_framework(access.organisation, form.cleaned_data["file"])
                if saved is not None:
                    domains = len(load_framework(saved.text, saved.source_name).domains)
                    messages.success(request, f"Imported {saved.title}: {domains} domains.")
                    return redirect(_url("frameworks", access, group))
    context = {
        "group": group,
        "frameworks": sorted(available.values(), key=lambda f: f.title),
        "own": {
            f.framework_id
            for f in CompetencyFrameworkFile.objects.in_organisation(access.organisation)
        },
        "form": form,
        "problems": problems,
        "may_edit": may_edit_group(access, group),
        "may_import": access.may(IMPORT_FRAMEWORKS),
        "crumbs": _crumbs(access, group),
    }
    return render(request, "network/framework_list.html", context, status=400 if problems else 200)


def import_framework(
    organisation: Organisation, upload: Any
) -> tuple[CompetencyFrameworkFile | None, list[str]]:
    """Read, check and keep an uploaded framework file; (the saved file, []) or (None, the
    problems). A framework with the id of one already imported replaces it; a built-in id is
    refused."""
    name = str(upload.name)[:250]
    if upload.size > MAX_FRAMEWORK_BYTES:
        return None, [f"{name}: the file is larger than 2 MB; is it the right file?"]
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [f"{name}: the file is not UTF-8 text; save it as UTF-8 CSV or YAML."]
    try:
        framework = load_framework(text, name)
    except ImhevalError as error:
        found = getattr(error, "problems", None)
        return None, [str(p) for p in found] if found else [str(error)]
    if framework.id in frameworks.BUILT_IN:
        return None, [
            f"{name}: the id '{framework.id}' is a built-in framework's; give yours another id."
        ]
    with transaction.atomic():
        saved, _ = CompetencyFrameworkFile.objects.update_or_create(
            organisation=organisation,
            framework_id=framework.id,
            defaults={
                "title": framework.title[:250],
                "source_name": name,
                "source_format": source_format(name),
                "text": text,
            },
        )
    return saved, []


@organisation_page()
def coverage_page(request: HttpRequest, access: Access, group: NetworkGroup) -> HttpResponse:
    """The coverage grid for the attendance year: domains against meetings, with counts, and
    the domains not yet covered (for planning)."""
    grid = group_coverage(group)
    context = {
        "group": group,
        "grid": grid,
        "crumbs": _crumbs(access, group),
        "frameworks_url": _url("frameworks", access, group),
        "readings_url": _url("readings", access, group),
    }
    return render(request, "network/coverage.html", context)
