"""A cohort's training register: who attended, their attendance per session, and who completed.

The register is a named staff training record (a staff identifier or a name, profession,
service, employer). It lives in its own tables and is never joined to, or shown with, the
cohort's anonymous questionnaire answers: no page here reads ``capture``'s submissions, and no
results page reads the register.

Attendance is a grid of people × sessions saved in one POST: the marks are read in one query
and written in at most three statements whatever the grid's size, then completion is settled
(:mod:`imheval.web.workforce.completion`) and one audit entry names each person whose
attendance or completion changed (bulk writes send no signals, so the page logs it itself).
Adding, changing and removing a person, and setting a completion by hand, are saved through
the model, so the audit log records them as it records everything else.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from imheval.web.organisations.access import FORM, Access
from imheval.web.organisations.audit import current_actor
from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce import completion
from imheval.web.workforce.access import EDIT_REGISTER, of_parent, organisation_page
from imheval.web.workforce.completion import Progress, progress_of
from imheval.web.workforce.downloads import table_response
from imheval.web.workforce.models import SessionAttendance, Trainee
from imheval.web.workforce.register_forms import (
    BY_RULE,
    COMPLETED,
    CompletionForm,
    TraineeForm,
)
from imheval.web.workspace.models import Cohort, Programme
from imheval.web.workspace.views import _form_page

#: The form field of one cell of the grid: ``present-<trainee>-<session>``.
CELL = "present-{trainee}-{session}"
#: The hidden field listing the people the grid was shown with: only they are changed, so a
#: person added by someone else while the grid was open is not marked absent throughout.
PEOPLE = "people"
#: Audit entries of the register (bulk saves and imports) carry this object type.
REGISTER_OBJECT = "training register"


# ----------------------------------------------------------------------- the register's lines


def rule_sentence(programme: Programme) -> str:
    """The programme's completion rule in words, e.g. "attending at least 80% of the 16
    sessions (13 sessions)"."""
    if programme.completion_rule == completion.FINAL_SESSION:
        return f"attending the final session (session {programme.sessions})"
    needed = progress_of(programme, 0, False).needed
    sessions = "session" if programme.sessions == 1 else f"{programme.sessions} sessions"
    return (
        f"attending at least {programme.attendance_threshold}% of the {sessions} "
        f"({needed} {'session' if needed == 1 else 'sessions'})"
    )


def status_text(trainee: Trainee, progress: Progress) -> str:
    """What the register says of a person: "Completed 31 March 2026", or why not, e.g.
    "Not completed: 11 of 16 sessions, needs 13"."""
    if trainee.completed_on is not None:
        done = f"Completed {trainee.completed_on:%-d %B %Y}"
        return f"{done} (set by hand)" if trainee.completion_by_hand else done
    if trainee.completion_by_hand:
        return "Not completed (set by hand)"
    attended = f"{progress.present} of {progress.sessions} sessions"
    if progress.needed is not None:
        return f"Not completed: {attended}, needs {progress.needed}"
    return f"Not completed: {attended}, not at the final session"


@dataclass(frozen=True)
class Cell:
    """One checkbox of the grid."""

    session: int
    name: str
    checked: bool


@dataclass(frozen=True)
class Line:
    """One person on the register: their attendance (sessions within the programme's) and
    completion."""

    trainee: Trainee
    present: frozenset[int]
    progress: Progress
    cells: tuple[Cell, ...]

    @property
    def status(self) -> str:
        return status_text(self.trainee, self.progress)

    @property
    def completed(self) -> bool:
        return self.trainee.completed_on is not None


def trainees_of(cohort: Cohort) -> list[Trainee]:
    """The cohort's register by person (1 query)."""
    return list(Trainee.objects.filter(cohort=cohort).order_by("person", "pk"))


def attendance_of(cohort: Cohort, sessions: int) -> dict[int, frozenset[int]]:
    """{trainee pk: sessions attended, 1 to ``sessions``} for the cohort (1 query)."""
    present: dict[int, set[int]] = {}
    marks = SessionAttendance.objects.filter(
        trainee__cohort=cohort, present=True, session__gte=1, session__lte=sessions
    ).values_list("trainee_id", "session")
    for trainee_id, session in marks:
        present.setdefault(trainee_id, set()).add(session)
    return {pk: frozenset(found) for pk, found in present.items()}


def lines_of(
    programme: Programme,
    trainees: Sequence[Trainee],
    present: Mapping[int, frozenset[int]],
) -> list[Line]:
    """The register's lines from loaded trainees and attendance (no query)."""
    sessions = range(1, programme.sessions + 1)
    lines = []
    for trainee in trainees:
        attended = present.get(trainee.pk, frozenset())
        progress = progress_of(programme, len(attended), programme.sessions in attended)
        cells = tuple(
            Cell(number, CELL.format(trainee=trainee.pk, session=number), number in attended)
            for number in sessions
        )
        lines.append(Line(trainee, attended, progress, cells))
    return lines


def register_lines(cohort: Cohort, programme: Programme) -> list[Line]:
    """The cohort's register with attendance and completion (2 queries)."""
    return lines_of(programme, trainees_of(cohort), attendance_of(cohort, programme.sessions))


# ----------------------------------------------------------------------- saving the grid


def parse_grid(data: QueryDict, trainees: Sequence[Trainee], sessions: int) -> dict[int, set[int]]:
    """{trainee pk: sessions ticked} for the people the submitted grid was shown with (those
    named in :data:`PEOPLE` and still on the register); anyone else is left out."""
    on_register = {trainee.pk for trainee in trainees}
    shown = {int(value) for value in data.getlist(PEOPLE) if value.isascii() and value.isdigit()}
    return {
        pk: {
            number
            for number in range(1, sessions + 1)
            if data.get(CELL.format(trainee=pk, session=number))
        }
        for pk in sorted(shown & on_register)
    }


def _sessions_text(sessions: Iterable[int]) -> str:
    ordered = sorted(sessions)
    return ", ".join(str(number) for number in ordered) if ordered else "none"


def log_event(
    organisation_id: int,
    action: str,
    object_type: str,
    object_id: object,
    label: str,
    changes: dict[str, Any],
) -> None:
    """One audit entry by the current actor, for a change saved in bulk (which sends no
    signals): ``changes`` maps what changed to ``[old, new]``, or to a count."""
    user, actor_label = current_actor.get()
    AuditEvent.objects.create(
        organisation_id=organisation_id,
        actor=user if getattr(user, "pk", None) else None,
        actor_label=actor_label[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:40],
        object_label=label[:250],
        changes=changes,
    )


def register_label(cohort: Cohort) -> str:
    return f"Training register of cohort {cohort.name}"


@transaction.atomic
def save_grid(
    cohort: Cohort,
    programme: Programme,
    trainees: Sequence[Trainee],
    chosen: Mapping[int, set[int]],
) -> int:
    """Save the ticked sessions of the people in ``chosen`` (a session not ticked is absent),
    settle their completion and log one audit entry; returns how many people's attendance or
    completion changed. A constant number of queries whatever the grid's size."""
    if not chosen:
        return 0
    by_pk = {trainee.pk: trainee for trainee in trainees if trainee.pk in chosen}
    existing: dict[tuple[int, int], tuple[int, bool]] = {}
    for pk, trainee_id, session, present in (
        SessionAttendance.objects.select_for_update()
        .filter(trainee_id__in=list(by_pk), session__gte=1, session__lte=programme.sessions)
        .order_by()
        .values_list("pk", "trainee_id", "session", "present")
    ):
        existing[(trainee_id, session)] = (pk, present)
    before: dict[int, set[int]] = {pk: set() for pk in by_pk}
    for (trainee_id, session), (_, present) in existing.items():
        if present:
            before[trainee_id].add(session)
    to_present: list[int] = []
    to_absent: list[int] = []
    new: list[SessionAttendance] = []
    for trainee_id, ticked in chosen.items():
        for number in range(1, programme.sessions + 1):
            mark = existing.get((trainee_id, number))
            wanted = number in ticked
            if mark is None:
                if wanted:
                    new.append(
                        SessionAttendance(trainee_id=trainee_id, session=number, present=True)
                    )
            elif mark[1] != wanted:
                (to_present if wanted else to_absent).append(mark[0])
    if to_present:
        SessionAttendance.objects.filter(pk__in=to_present).update(present=True)
    if to_absent:
        SessionAttendance.objects.filter(pk__in=to_absent).update(present=False)
    if new:
        SessionAttendance.objects.bulk_create(new)
    completed_before = {pk: trainee.completed_on for pk, trainee in by_pk.items()}
    completion.settle_trainees(by_pk.values())
    changes: dict[str, Any] = {}
    touched = set()
    for pk, trainee in by_pk.items():
        if before[pk] != chosen[pk]:
            changes[f"sessions attended by {trainee.person}"] = [
                _sessions_text(before[pk]),
                _sessions_text(chosen[pk]),
            ]
            touched.add(pk)
        if completed_before[pk] != trainee.completed_on:
            changes[f"completion of {trainee.person}"] = [
                _iso(completed_before[pk]),
                _iso(trainee.completed_on),
            ]
            touched.add(pk)
    if changes:
        log_event(
            programme.organisation_id,  # type: ignore[attr-defined]
            AuditEvent.Action.UPDATED,
            REGISTER_OBJECT,
            cohort.pk,
            register_label(cohort),
            changes,
        )
    return len(touched)


def _iso(day: datetime.date | None) -> str | None:
    return None if day is None else day.isoformat()


# ----------------------------------------------------------------------- pages


def _url(name: str, access: Access, cohort: Cohort, **more: Any) -> str:
    kwargs: dict[str, Any] = {"org": access.organisation.slug, "cohort": cohort.pk}
    kwargs.update({key: getattr(value, "pk", value) for key, value in more.items()})
    return reverse(f"workforce:{name}", kwargs=kwargs)


def crumbs(access: Access, cohort: Cohort, *, register: bool = True) -> list[tuple[str, str]]:
    """Breadcrumbs to the cohort's page (and, below it, to its register)."""
    org = access.organisation.slug
    found = [
        ("Home", reverse("workspace:organisation", kwargs={"org": org})),
        (
            f"Cohort {cohort.name}",
            reverse("workspace:cohort", kwargs={"org": org, "cohort": cohort.pk}),
        ),
    ]
    if register:
        found.append(("Training register", _url("register", access, cohort)))
    return found


def _programme(cohort: Cohort) -> Programme:
    """The cohort's programme (one query; the door loads the cohort alone)."""
    return Programme.objects.get(pk=cohort.programme_id)  # type: ignore[attr-defined]


@organisation_page(methods=FORM)
def register(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    """The cohort's register: everyone on it, their completion, and (for those who may change
    it) the attendance grid, saved in one POST."""
    programme = _programme(cohort)
    cohort.programme = programme
    may_edit = access.may(EDIT_REGISTER)
    if request.method == "POST":
        access.require(EDIT_REGISTER)
        trainees = trainees_of(cohort)
        chosen = parse_grid(request.POST, trainees, programme.sessions)
        changed = save_grid(cohort, programme, trainees, chosen)
        people = "person's" if changed == 1 else "people's"
        messages.success(
            request,
            f"Attendance saved. {changed} {people} attendance or completion changed."
            if changed
            else "Attendance saved. Nothing had changed.",
        )
        return redirect(_url("register", access, cohort))
    lines = register_lines(cohort, programme)
    context = {
        "cohort": cohort,
        "programme": programme,
        "lines": lines,
        "sessions": range(1, programme.sessions + 1),
        "rule": rule_sentence(programme),
        "completed": sum(1 for line in lines if line.completed),
        "may_edit": may_edit,
        "people_field": PEOPLE,
        "crumbs": crumbs(access, cohort, register=False),
    }
    return render(request, "workforce/register.html", context)


@organisation_page(EDIT_REGISTER, methods=FORM)
def register_add(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    form = TraineeForm(request.POST if request.method == "POST" else None, cohort=cohort)
    back = _url("register", access, cohort)
    return _form_page(
        request,
        form,
        title="Add a person to the register",
        caption=f"Cohort {cohort.name}",
        submit="Add person",
        cancel=back,
        done=lambda trainee: (f"{trainee.person} added to the register.", back),
        crumbs=crumbs(access, cohort),
        intro="The register is a staff training record: it is kept apart from the anonymous "
        "questionnaires and never shown with their answers.",
        template="network/form.html",
    )


@organisation_page(EDIT_REGISTER, methods=FORM)
def register_edit(
    request: HttpRequest, access: Access, cohort: Cohort, trainee: Trainee
) -> HttpResponse:
    of_parent(cohort, trainee, field="cohort_id")
    form = TraineeForm(
        request.POST if request.method == "POST" else None, instance=trainee, cohort=cohort
    )
    back = _url("register", access, cohort)
    return _form_page(
        request,
        form,
        title=f"Change {trainee.person}'s details",
        caption=f"Cohort {cohort.name}",
        submit="Save details",
        cancel=back,
        done=lambda saved: (f"{saved.person}'s details saved.", back),
        crumbs=crumbs(access, cohort),
        template="network/form.html",
    )


@organisation_page(EDIT_REGISTER, methods=FORM)
def register_remove(
    request: HttpRequest, access: Access, cohort: Cohort, trainee: Trainee
) -> HttpResponse:
    of_parent(cohort, trainee, field="cohort_id")
    back = _url("register", access, cohort)
    if request.method == "POST":
        person = trainee.person
        trainee.delete()  # the audit log records the person and each attendance mark removed
        messages.success(request, f"{person} removed from the register, with their attendance.")
        return redirect(back)
    context = {
        "cohort": cohort,
        "trainee": trainee,
        "cancel": back,
        "crumbs": crumbs(access, cohort),
    }
    return render(request, "workforce/register_remove.html", context)


@organisation_page(EDIT_REGISTER, methods=FORM)
def register_completion(
    request: HttpRequest, access: Access, cohort: Cohort, trainee: Trainee
) -> HttpResponse:
    """Set a person's completion by hand (completed on a date, or not completed), or hand it
    back to the programme's rule."""
    of_parent(cohort, trainee, field="cohort_id")
    programme = _programme(cohort)
    cohort.programme = programme
    rule = rule_sentence(programme)
    if trainee.completion_by_hand:
        status = COMPLETED if trainee.completed_on else "not_completed"
    else:
        status = BY_RULE
    initial = {
        "status": status,
        "completed_on": trainee.completed_on or cohort.end_date or cohort.start_date,
    }
    form = CompletionForm(
        request.POST if request.method == "POST" else None, initial=initial, rule=rule
    )
    back = _url("register", access, cohort)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["status"]
        if chosen == BY_RULE:
            trainee.completion_by_hand = False
            trainee.save()  # logged: no longer by hand
            completion.settle_trainees([trainee])
            trainee.refresh_from_db()
            note = "now follows the programme's rule"
        else:
            trainee.completion_by_hand = True
            trainee.completed_on = (
                form.cleaned_data["completed_on"] if chosen == COMPLETED else None
            )
            trainee.save()
            note = "set by hand"
        messages.success(request, f"{trainee.person}'s completion {note}.")
        return redirect(back)
    attended = attendance_of(cohort, programme.sessions).get(trainee.pk, frozenset())
    progress = progress_of(programme, len(attended), programme.sessions in attended)
    context = {
        "form": form,
        "cohort": cohort,
        "trainee": trainee,
        "status": status_text(trainee, progress),
        "rule": rule,
        "cancel": back,
        "crumbs": crumbs(access, cohort),
    }
    return render(request, "workforce/register_completion.html", context)


#: The download's columns before the sessions.
DOWNLOAD_HEADER = ("person", "profession", "service", "employer")


@organisation_page(EDIT_REGISTER)
def register_download(
    request: HttpRequest, access: Access, cohort: Cohort, file_format: str
) -> HttpResponse:
    """The register as CSV or XLSX: people, attendance per session (yes, or blank), the date
    they completed (blank if not) and whether that was set by hand. Its person, profession,
    service, employer and session columns read back as an import (the completion columns are
    named so that an import ignores them and decides completion by the rule again)."""
    programme = _programme(cohort)
    lines = register_lines(cohort, programme)
    header = [
        *DOWNLOAD_HEADER,
        *(f"session {number}" for number in range(1, programme.sessions + 1)),
        "sessions attended",
        "completion date",
        "completion set by hand",
    ]
    rows = [
        [
            line.trainee.person,
            line.trainee.profession,
            line.trainee.service,
            line.trainee.employer,
            *("yes" if cell.checked else "" for cell in line.cells),
            len(line.present),
            line.trainee.completed_on,
            "yes" if line.trainee.completion_by_hand else "",
        ]
        for line in lines
    ]
    name = f"register {access.organisation.slug} {cohort.name}"
    return table_response(name, header, rows, file_format)
