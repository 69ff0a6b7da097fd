"""Pages that copy, close, archive, restore and delete cohorts and programmes.

Each goes through :data:`~imheval.web.workspace.views.organisation_page` like every workspace
page (404 for another organisation's objects, 403 for a role that may not, 405 for a wrong
method); the rules live in :mod:`~imheval.web.workspace.cohort_setup`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from imheval.web.organisations.access import FORM, POST, Access
from imheval.web.workspace import cohort_setup
from imheval.web.workspace.forms import LinkConfirmForm
from imheval.web.workspace.models import Cohort, Collection, Programme
from imheval.web.workspace.views import _crumbs, _data, _form_page, _url, organisation_page


@organisation_page("edit_cohorts", FORM)
def cohort_copy(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    post, _ = _data(request)
    return _form_page(
        request,
        cohort_setup.CopyCohortForm(post, source=cohort),
        title=f"Copy cohort {cohort.name}",
        caption=cohort.programme.name,
        intro="The new cohort gets the same trainer, venue and questionnaires (instruments, "
        "follow-up weeks and whether the follow-up opens itself). Nothing anyone answered is "
        "copied. Its questionnaires start closed, each with a new link and QR code.",
        submit="Copy cohort",
        cancel=_url("cohort", access, cohort=cohort),
        crumbs=_crumbs(access, cohort.programme, cohort),
        done=lambda copy: (
            f"Cohort {copy.name} added, with the questionnaires of {cohort.name}.",
            _url("cohort", access, cohort=copy),
        ),
    )


@organisation_page("run_collections", FORM)
def cohort_close(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    post, _ = _data(request)
    here = _url("cohort", access, cohort=cohort)
    open_now = cohort.collections.filter(is_open=True).count()
    refusal = "" if open_now else f"No questionnaire of cohort {cohort.name} is open."
    return _form_page(
        request,
        LinkConfirmForm(post, action=lambda: _close_all(cohort), refusal=refusal),
        title=f"Close every questionnaire of cohort {cohort.name}?",
        caption=cohort.programme.name,
        intro=refusal
        or f"{open_now} {'questionnaire is' if open_now == 1 else 'questionnaires are'} open. "
        "Their links stop taking answers at once; answers already given are kept. You can open "
        "each again from the cohort's page.",
        submit="Close all questionnaires",
        warning=True,
        cancel=here,
        crumbs=_crumbs(access, cohort.programme, cohort),
        done=lambda _: (f"Every questionnaire of cohort {cohort.name} is closed.", here),
    )


def _close_all(cohort: Cohort) -> None:
    cohort_setup.close_cohort(cohort)


def _open_list(open_now: list[Collection], by_cohort: bool) -> str:
    """ "pre-test and post-test", or with the cohorts named: "SOL-1 pre-test, SOL-2 post-test"."""
    names = [
        (f"{c.cohort.name} " if by_cohort else "") + str(c.get_timepoint_display()).lower()
        for c in open_now
    ]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _archive_intro(thing: Programme | Cohort, open_now: list[Collection]) -> str:
    """What archiving does, said before the user confirms: above all, which open
    questionnaires it closes."""
    if isinstance(thing, Programme):
        count = thing.cohorts.count()
        hides = (
            f"Archiving hides programme {thing.name} and its {count} "
            f"{'cohort' if count == 1 else 'cohorts'} from the lists"
        )
    else:
        hides = f"Archiving hides cohort {thing.name} from the lists"
    intro = f"{hides}; its responses and results are kept, and you can restore it from its page."
    if not open_now:
        return f"{intro} None of its questionnaires is open, so no link stops working."
    n = len(open_now)
    return (
        f"{intro} {n} {'questionnaire is' if n == 1 else 'questionnaires are'} open "
        f"({_open_list(open_now, isinstance(thing, Programme))}): archiving closes "
        f"{'it' if n == 1 else 'them'}, so {'its link stops' if n == 1 else 'their links stop'} "
        "taking answers at once; answers already given are kept. Restoring does not open "
        f"{'it' if n == 1 else 'them'} again."
    )


def _archive_page(
    request: HttpRequest,
    access: Access,
    thing: Programme | Cohort,
    *,
    crumbs: list[tuple[str, str]],
    cancel: str,
    next_url: str,
) -> HttpResponse:
    """Ask first (saying which open questionnaires archiving closes), then archive."""
    post, _ = _data(request)
    what = "programme" if isinstance(thing, Programme) else "cohort"
    open_now = cohort_setup.open_questionnaires(thing)
    refusal = f"{what.capitalize()} {thing.name} is already archived." if thing.is_archived else ""
    closed: list[int] = []

    def message(_: object) -> tuple[str, str]:
        text = (
            f"{what.capitalize()} {thing.name} archived: it is listed under Archived and can "
            "be restored."
        )
        if closed and closed[0]:
            were = "questionnaire was" if closed[0] == 1 else "questionnaires were"
            text += f" {closed[0]} open {were} closed."
        return text, next_url

    return _form_page(
        request,
        LinkConfirmForm(
            post,
            action=lambda: closed.append(cohort_setup.set_archived(thing, True)),
            refusal=refusal,
        ),
        title=f"Archive {what} {thing.name}?",
        caption=thing.programme.name if isinstance(thing, Cohort) else "",
        intro=refusal or _archive_intro(thing, open_now),
        submit=f"Archive {what}" + (" and close its questionnaires" if open_now else ""),
        cancel=cancel,
        crumbs=crumbs,
        done=message,
    )


def _restore(request: HttpRequest, thing: Programme | Cohort, next_url: str) -> HttpResponse:
    cohort_setup.set_archived(thing, False)
    what = "Programme" if isinstance(thing, Programme) else "Cohort"
    messages.success(request, f"{what} {thing.name} restored.")
    return redirect(next_url)


@organisation_page("edit_cohorts", FORM)
def cohort_archive(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    return _archive_page(
        request,
        access,
        cohort,
        crumbs=_crumbs(access, cohort.programme, cohort),
        cancel=_url("cohort", access, cohort=cohort),
        next_url=_url("programme", access, programme=cohort.programme),
    )


@organisation_page("edit_cohorts", POST)
def cohort_restore(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    return _restore(request, cohort, _url("cohort", access, cohort=cohort))


@organisation_page("edit_programmes", FORM)
def programme_archive(request: HttpRequest, access: Access, programme: Programme) -> HttpResponse:
    return _archive_page(
        request,
        access,
        programme,
        crumbs=_crumbs(access, programme),
        cancel=_url("programme", access, programme=programme),
        next_url=_url("organisation", access),
    )


@organisation_page("edit_programmes", POST)
def programme_restore(request: HttpRequest, access: Access, programme: Programme) -> HttpResponse:
    return _restore(request, programme, _url("programme", access, programme=programme))


def _refusal(thing: Programme | Cohort) -> str:
    if not cohort_setup.has_answers(thing):
        return ""
    return (
        f"{thing.name} cannot be deleted, because people have answered its questionnaires. "
        "Archive it instead: it is hidden from the lists and can be restored."
    )


@organisation_page("edit_cohorts", FORM)
def cohort_delete(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    post, _ = _data(request)
    refusal = _refusal(cohort)
    back = _url("programme", access, programme=cohort.programme)
    return _form_page(
        request,
        LinkConfirmForm(
            post, action=lambda: cohort_setup.delete_unanswered(cohort), refusal=refusal
        ),
        title=f"Delete cohort {cohort.name}?",
        caption=cohort.programme.name,
        intro=refusal
        or "Nobody has answered its questionnaires. The cohort and its questionnaires are "
        "deleted, and their links stop working; the audit log keeps a record that they existed "
        "and who deleted them.",
        submit="Delete cohort",
        warning=True,
        cancel=_url("cohort", access, cohort=cohort),
        crumbs=_crumbs(access, cohort.programme, cohort),
        done=lambda _: (f"Cohort {cohort.name} deleted.", back),
    )


@organisation_page("edit_programmes", FORM)
def programme_delete(request: HttpRequest, access: Access, programme: Programme) -> HttpResponse:
    post, _ = _data(request)
    refusal = _refusal(programme)
    count = programme.cohorts.count()
    return _form_page(
        request,
        LinkConfirmForm(
            post, action=lambda: cohort_setup.delete_unanswered(programme), refusal=refusal
        ),
        title=f"Delete programme {programme.name}?",
        intro=refusal
        or f"Nobody has answered its questionnaires. The programme, its {count} "
        f"{'cohort' if count == 1 else 'cohorts'} and their questionnaires are deleted; the "
        "audit log keeps a record that they existed and who deleted them.",
        submit="Delete programme",
        warning=True,
        cancel=_url("programme", access, programme=programme),
        crumbs=_crumbs(access, programme),
        done=lambda _: (f"Programme {programme.name} deleted.", _url("organisation", access)),
    )
