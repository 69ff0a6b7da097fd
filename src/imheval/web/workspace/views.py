"""The evaluator's and trainer's pages: programmes, cohorts, questionnaires, instruments, audit log
and members, all under /o/<organisation>/.

Every page goes through :func:`organisation_page`, which signs the user in, lets only members in
(404 for anyone else), loads each object named in the address from the organisation's own
objects (404 for anyone else's), then checks the role (403) and the HTTP method (405), in that
order, so an outsider learns nothing from any address. Views are thin: rules live in the forms
and models.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Model, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from imheval.errors import UnknownInstrumentError
from imheval.instruments import get_builtin
from imheval.instruments.lint import lint_instrument
from imheval.web.capture.models import Status
from imheval.web.organisations import links
from imheval.web.organisations.access import (
    FORM,
    POST,
    Access,
    organisation_views,
)
from imheval.web.organisations.models import AuditEvent, Invitation, Membership
from imheval.web.workforce.region_access import roles_of
from imheval.web.workspace import catalogue, cohort_setup, parallel_forms, qr
from imheval.web.workspace.attention import attention
from imheval.web.workspace.cohort_setup import NewCohortForm
from imheval.web.workspace.forms import (
    CohortForm,
    CollectionForm,
    InstrumentUploadForm,
    InvitationForm,
    LinkConfirmForm,
    MemberRemoveForm,
    MemberRoleForm,
    OrganisationSettingsForm,
    ProgrammeForm,
)
from imheval.web.workspace.models import Cohort, Collection, InstrumentFile, Programme, Timepoint

#: Address parts that name an organisation's object, and the model each is loaded from.
SCOPED_OBJECTS: dict[str, type[Model]] = {
    "programme": Programme,
    "cohort": Cohort,
    "collection": Collection,
    "instrument_file": InstrumentFile,
    "member": Membership,
    "invitation": Invitation,
}
#: Address parts that name nothing owned by an organisation (passed to the view as they are).
PLAIN_KWARGS = frozenset({"instrument_id"})

AUDIT_PAGE_SIZE = 50
COHORT_PAGE_SIZE = 100

#: The shared access rules (organisations.access.organisation_views) for workspace pages.
organisation_page = organisation_views(SCOPED_OBJECTS, PLAIN_KWARGS)


def _url(name: str, access: Access, **objects: Any) -> str:
    kwargs = {key: getattr(value, "pk", value) for key, value in objects.items()}
    return reverse(f"workspace:{name}", kwargs={"org": access.organisation.slug, **kwargs})


def _crumbs(access: Access, *path: Programme | Cohort) -> list[tuple[str, str]]:
    """Breadcrumbs from the programmes list down to ``path``'s last object."""
    crumbs = [("Programmes", _url("organisation", access))]
    for step in path:
        if isinstance(step, Programme):
            crumbs.append((step.name, _url("programme", access, programme=step)))
        else:
            crumbs.append((step.name, _url("cohort", access, cohort=step)))
    return crumbs


def _data(request: HttpRequest) -> tuple[Any, Any]:
    """(POST data, files) for a submitted form; (None, None) to show an empty one."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    submit: str,
    cancel: str,
    done: Callable[[Any], tuple[str, str]],
    crumbs: list[tuple[str, str]] | None = None,
    caption: str = "",
    intro: str = "",
    warning: bool = False,
    template: str = "workspace/form.html",
) -> HttpResponse:
    """Show ``form``, or save it and redirect: ``done(saved)`` gives (message, next address).
    Other apps' form pages use it too, with their own ``template`` (network groups)."""
    if request.method == "POST" and form.is_valid():
        message, next_url = done(form.save())
        messages.success(request, message)
        return redirect(next_url)
    context = {
        "form": form,
        "title": title,
        "submit": submit,
        "cancel": cancel,
        "crumbs": crumbs or [],
        "caption": caption,
        "intro": intro,
        "warning": warning,
    }
    return render(request, template, context)


# ----------------------------------------------------------------------- organisations


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The user's organisations and regions; straight into the only organisation when there
    is one and no region (a regional lead or viewer always lands here, to choose)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    memberships = list(Membership.objects.filter(user=request.user).select_related("organisation"))
    region_roles = roles_of(request.user)
    if len(memberships) == 1 and not region_roles:
        return redirect("workspace:organisation", org=memberships[0].organisation.slug)
    context = {"memberships": memberships, "region_roles": region_roles}
    return render(request, "workspace/home.html", context)


@organisation_page()
def organisation(request: HttpRequest, access: Access) -> HttpResponse:
    programmes = Programme.objects.in_organisation(access.organisation).annotate(
        cohort_count=Count("cohorts", filter=Q(cohorts__is_archived=False))
    )
    context = {
        "programmes": programmes.filter(is_archived=False),
        "archived": programmes.filter(is_archived=True),
        "attention": attention(access.organisation, user=request.user).for_role(access.may),
    }
    return render(request, "workspace/organisation.html", context)


@organisation_page()
def cohorts(request: HttpRequest, access: Access) -> HttpResponse:
    """Every cohort of the organisation, newest first, with its questionnaires' responses.

    Three queries whatever the number of cohorts: the count, one page of cohorts with their
    programmes, and that page's questionnaires with their complete responses counted.
    """
    questionnaires = Collection.objects.annotate(
        responses=Count("submissions", filter=Q(submissions__status=Status.COMPLETE))
    )
    found = (
        Cohort.objects.in_organisation(access.organisation)
        .filter(is_archived=False, programme__is_archived=False)
        .select_related("programme")
        .prefetch_related(Prefetch("collections", queryset=questionnaires))
        .order_by("-start_date", "-pk")
    )
    page = Paginator(found, COHORT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [_cohort_row(cohort) for cohort in page.object_list],
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "ellipsis": Paginator.ELLIPSIS,
        "timepoints": [label for _, label in Timepoint.choices],
        "badges": attention(access.organisation).badges(),
    }
    return render(request, "workspace/cohorts.html", context)


def _cohort_row(cohort: Cohort) -> dict[str, Any]:
    """A cohort and its questionnaire at each timepoint, in order (None where not set up)."""
    by_timepoint = {collection.timepoint: collection for collection in cohort.collections.all()}
    return {"cohort": cohort, "collections": [by_timepoint.get(tp) for tp in Timepoint.values]}


# ----------------------------------------------------------------------- programmes


@organisation_page("edit_programmes", FORM)
def programme_create(request: HttpRequest, access: Access) -> HttpResponse:
    post, _ = _data(request)
    return _form_page(
        request,
        ProgrammeForm(post, organisation=access.organisation),
        title="Add a programme",
        submit="Save programme",
        cancel=_url("organisation", access),
        crumbs=_crumbs(access),
        done=lambda programme: (
            f"Programme {programme} added.",
            _url("programme", access, programme=programme),
        ),
    )


@organisation_page()
def programme_detail(request: HttpRequest, access: Access, programme: Programme) -> HttpResponse:
    context = {
        "programme": programme,
        "crumbs": _crumbs(access),
        "cohorts": programme.cohorts.filter(is_archived=False),
        "archived": programme.cohorts.filter(is_archived=True),
        "badges": attention(access.organisation).badges(),
    }
    return render(request, "workspace/programme.html", context)


@organisation_page("edit_programmes", FORM)
def programme_edit(request: HttpRequest, access: Access, programme: Programme) -> HttpResponse:
    post, _ = _data(request)
    here = _url("programme", access, programme=programme)
    return _form_page(
        request,
        ProgrammeForm(post, instance=programme, organisation=access.organisation),
        title="Change programme",
        caption=programme.name,
        submit="Save changes",
        cancel=here,
        crumbs=_crumbs(access, programme),
        done=lambda saved: (f"Programme {saved} saved.", here),
    )


# ----------------------------------------------------------------------- cohorts


@organisation_page("edit_cohorts", FORM)
def cohort_create(request: HttpRequest, access: Access, programme: Programme) -> HttpResponse:
    """A cohort and its questionnaires in one form (cohort_setup.NewCohortForm)."""
    post, _ = _data(request)
    form = NewCohortForm(post, programme=programme)
    source = form.plan.source
    return _form_page(
        request,
        form,
        title="New cohort",
        caption=programme.name,
        intro=(
            f"The questionnaires start as cohort {source.name} had them"
            if source
            else "The questionnaires start with the built-in infant mental health core "
            "questionnaire"
        )
        + ": change them here if this cohort answers different ones."
        + (f" {form.plan.versions_note}" if form.plan.versions_note else ""),
        submit="Save cohort",
        cancel=_url("programme", access, programme=programme),
        crumbs=_crumbs(access, programme),
        done=lambda cohort: (
            f"Cohort {cohort.name} added with its questionnaires."
            + (
                " The pre-test is open: share its link or QR code."
                if cohort.collections.filter(timepoint=Timepoint.PRE, is_open=True).exists()
                else " Open the pre-test when people should answer it."
            ),
            _url("cohort", access, cohort=cohort),
        ),
    )


def _pinned_title(ref: str, pins: dict[str, str], titles: dict[str, str]) -> str:
    """An instrument as a cohort's page lists it: a pinned built-in with that version's title
    and its version ("Infant mental health core questionnaire (version 1.0.0)")."""
    if ref not in pins:
        return titles.get(ref, ref)
    try:
        title = get_builtin(ref, version=pins[ref]).title
    except UnknownInstrumentError:
        title = titles.get(ref, ref)
    return f"{title} (version {pins[ref]})"


@organisation_page()
def cohort_detail(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    collections = {
        collection.timepoint: collection
        for collection in cohort.collections.annotate(
            responses=Count("submissions", filter=Q(submissions__status=Status.COMPLETE))
        )
    }
    titles = catalogue.titles(access.organisation)
    timepoints = []
    for value, label in Timepoint.choices:
        collection = collections.get(value)
        refs = collection.instrument_refs if collection else []
        pins = (collection.instrument_versions or {}) if collection else {}
        timepoints.append(
            {
                "value": value,
                "label": label,
                "collection": collection,
                "instruments": [_pinned_title(ref, pins, titles) for ref in refs],
            }
        )
    context = {
        "cohort": cohort,
        "programme": cohort.programme,
        "timepoints": timepoints,
        "crumbs": _crumbs(access, cohort.programme),
        "any_open": any(collection.is_open for collection in collections.values()),
        "follow_up_gap": (
            cohort_setup.follow_up_gap(cohort) if Timepoint.FOLLOWUP in collections else None
        ),
    }
    if form_orders := parallel_forms.cohort_form_orders(cohort):
        context["form_orders"] = form_orders
        context["forms_locked"] = cohort_setup.has_answers(cohort)
    return render(request, "workspace/cohort.html", context)


@organisation_page("edit_cohorts", FORM)
def cohort_forms(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    """Change which parallel form of each instrument the cohort answers before the training
    (the other after it), until anyone answers (:mod:`parallel_forms`)."""
    post, _ = _data(request)
    here = _url("cohort", access, cohort=cohort)
    crumbs = _crumbs(access, cohort.programme, cohort)
    orders = parallel_forms.cohort_form_orders(cohort)
    if not orders:
        return render(
            request, "workspace/cohort_no_forms.html", {"cohort": cohort, "crumbs": crumbs}
        )
    return _form_page(
        request,
        parallel_forms.FormOrderForm(post, cohort=cohort, orders=orders),
        title="Change the order of forms",
        caption=f"{cohort.programme.name}: {cohort.name}",
        intro="Now: "
        + "; ".join(f"{o.title}, {o.sentence[:1].lower()}{o.sentence[1:]}" for o in orders)
        + ".",
        submit="Save order",
        cancel=here,
        crumbs=crumbs,
        done=lambda now: (
            f"Cohort {cohort.name}: " + "; ".join(order.sentence for order in now) + ".",
            here,
        ),
    )


@organisation_page("edit_cohorts", FORM)
def cohort_edit(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    post, _ = _data(request)
    here = _url("cohort", access, cohort=cohort)
    return _form_page(
        request,
        CohortForm(post, instance=cohort, programme=cohort.programme),
        title="Change cohort",
        caption=f"{cohort.programme.name}: {cohort.name}",
        submit="Save changes",
        cancel=here,
        crumbs=_crumbs(access, cohort.programme, cohort),
        done=lambda saved: (f"Cohort {saved.name} saved.", here),
    )


# ----------------------------------------------------------------------- questionnaires


@organisation_page("run_collections", FORM)
def collection_create(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    post, _ = _data(request)
    requested = request.GET.get("timepoint")
    initial = {"timepoint": requested} if requested in Timepoint.values else {}
    here = _url("cohort", access, cohort=cohort)
    return _form_page(
        request,
        CollectionForm(post, initial=initial, cohort=cohort),
        title="Set up a questionnaire",
        caption=f"{cohort.programme.name}: {cohort.name}",
        intro="Choose when people answer it and what it asks. It stays closed until you open it.",
        submit="Save questionnaire",
        cancel=here,
        crumbs=_crumbs(access, cohort.programme, cohort),
        done=lambda collection: (f"The {_lower(collection)} questionnaire is set up.", here),
    )


@organisation_page("run_collections", FORM)
def collection_edit(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    post, _ = _data(request)
    cohort = collection.cohort
    here = _url("cohort", access, cohort=cohort)
    return _form_page(
        request,
        CollectionForm(post, instance=collection, cohort=cohort),
        title=f"Change the {_lower(collection)} questionnaire",
        caption=f"{cohort.programme.name}: {cohort.name}",
        submit="Save changes",
        cancel=here,
        crumbs=_crumbs(access, cohort.programme, cohort),
        done=lambda saved: (f"The {_lower(saved)} questionnaire is saved.", here),
    )


def _lower(collection: Collection) -> str:
    return str(collection.get_timepoint_display()).lower()


def _back_from_switch(request: HttpRequest, access: Access, collection: Collection) -> str:
    """Where Open or Close returns to: the link page it was pressed on, else the cohort page
    (a named choice, never an address from the form)."""
    if request.POST.get("return_to") == "link":
        return _url("collection_link", access, collection=collection)
    return _url("cohort", access, cohort=collection.cohort)


@organisation_page("run_collections", POST)
def collection_open(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    collection.open()
    messages.success(
        request,
        f"The {_lower(collection)} questionnaire for {collection.cohort.name} is open: "
        "share its link or QR code.",
    )
    return redirect(_back_from_switch(request, access, collection))


@organisation_page("run_collections", POST)
def collection_close(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    collection.close()
    messages.success(
        request,
        f"The {_lower(collection)} questionnaire for {collection.cohort.name} is closed: "
        "its link no longer takes answers.",
    )
    return redirect(_back_from_switch(request, access, collection))


@organisation_page("run_collections", POST)
def collection_new_link(
    request: HttpRequest, access: Access, collection: Collection
) -> HttpResponse:
    collection.replace_link()
    messages.success(
        request,
        f"The {_lower(collection)} questionnaire for {collection.cohort.name} has a new link "
        "and QR code. The old ones no longer work: share the new link and print the poster again.",
    )
    return redirect(_url("collection_link", access, collection=collection))


def _link_context(request: HttpRequest, access: Access, collection: Collection) -> dict[str, Any]:
    cohort = collection.cohort
    return {
        "collection": collection,
        "cohort": cohort,
        "programme": cohort.programme,
        "url": qr.participant_url(request, collection),
        "svg_url": _url("collection_qr_svg", access, collection=collection),
        "png_url": _url("collection_qr_png", access, collection=collection),
        "qr_alt": f"QR code that opens the {_lower(collection)} questionnaire for "
        f"{cohort.programme.name}, cohort {cohort.name}",
        "crumbs": _crumbs(access, cohort.programme, cohort),
    }


@organisation_page()
def collection_link(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    context = _link_context(request, access, collection)
    context["poster_url"] = _url("collection_poster", access, collection=collection)
    if access.may("run_collections"):
        context["new_link_url"] = _url("collection_new_link", access, collection=collection)
        switch = "collection_close" if collection.is_open else "collection_open"
        context["switch_url"] = _url(switch, access, collection=collection)
    return render(request, "workspace/collection_link.html", context)


@organisation_page()
def collection_poster(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    context = _link_context(request, access, collection)
    context["link_url"] = _url("collection_link", access, collection=collection)
    return render(request, "workspace/poster.html", context)


def _qr_response(
    request: HttpRequest, collection: Collection, body: bytes, content_type: str, suffix: str
) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    if request.GET.get("download"):
        cohort = collection.cohort
        name = slugify(f"qr {cohort.programme.name} {cohort.name} {collection.timepoint}")
        response["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    return response


@organisation_page()
def collection_qr_svg(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    url = qr.participant_url(request, collection)
    body = qr.qr_svg(url, title=f"QR code for {collection}")
    return _qr_response(request, collection, body, "image/svg+xml", "svg")


@organisation_page()
def collection_qr_png(request: HttpRequest, access: Access, collection: Collection) -> HttpResponse:
    body = qr.qr_png(qr.participant_url(request, collection))
    return _qr_response(request, collection, body, "image/png", "png")


# ----------------------------------------------------------------------- instruments


@organisation_page()
def instruments(request: HttpRequest, access: Access) -> HttpResponse:
    context = {
        "built_in": catalogue.built_in_entries(),
        "uploaded": catalogue.uploaded_entries(access.organisation),
    }
    return render(request, "workspace/instruments.html", context)


@organisation_page("edit_instruments", FORM)
def instrument_upload(request: HttpRequest, access: Access) -> HttpResponse:
    post, files = _data(request)
    return _form_page(
        request,
        InstrumentUploadForm(post, files, organisation=access.organisation),
        title="Upload an instrument",
        intro="The file is checked in full first: if anything is wrong, nothing is kept and "
        "each problem is listed with the item or field it is in.",
        submit="Upload instrument",
        cancel=_url("instruments", access),
        crumbs=[("Instruments", _url("instruments", access))],
        done=lambda saved: (
            f"Instrument {saved.instrument_id} uploaded.",
            _url("instrument_file", access, instrument_file=saved),
        ),
    )


def _instrument_page(request: HttpRequest, access: Access, entry: Any) -> HttpResponse:
    context = {"entry": entry, "crumbs": [("Instruments", _url("instruments", access))]}
    if entry.instrument is not None:
        # item-writing advice for every instrument, uploaded, saved in the editor or built in
        context["advice"] = lint_instrument(entry.instrument)
    if entry.instrument is not None and entry.instrument.wording:
        # the items as the organisation's participants read them, and the page says whose words
        organisation = access.organisation
        context["entry"] = dataclasses.replace(
            entry, instrument=entry.instrument.in_jurisdiction(organisation.jurisdiction)
        )
        context["worded_for"] = organisation.get_jurisdiction_display()  # type: ignore[attr-defined]
    return render(request, "workspace/instrument.html", context)


@organisation_page()
def instrument_builtin(request: HttpRequest, access: Access, instrument_id: str) -> HttpResponse:
    try:
        instrument = get_builtin(instrument_id)
    except UnknownInstrumentError:
        raise Http404("No such instrument") from None
    return _instrument_page(request, access, catalogue.built_in_entry(instrument))


@organisation_page()
def instrument_file(
    request: HttpRequest, access: Access, instrument_file: InstrumentFile
) -> HttpResponse:
    return _instrument_page(request, access, catalogue.file_entry(instrument_file))


# ----------------------------------------------------------------------- audit log


@organisation_page("view_audit")
def audit(request: HttpRequest, access: Access) -> HttpResponse:
    events = AuditEvent.objects.in_organisation(access.organisation).order_by("-at", "-id")
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workspace/audit.html", {"page": page})


# ----------------------------------------------------------------------- members


@organisation_page()
def members(request: HttpRequest, access: Access) -> HttpResponse:
    memberships = (
        Membership.objects.in_organisation(access.organisation)
        .select_related("user")
        .order_by("user__username")
    )
    invitations = (
        links.pending_invitations(access.organisation) if access.may("invite_members") else []
    )
    return render(
        request,
        "workspace/members.html",
        {"memberships": memberships, "invitations": invitations},
    )


@organisation_page("edit_organisation", FORM)
def organisation_settings(request: HttpRequest, access: Access) -> HttpResponse:
    """Where the organisation works, which words its questionnaires use (admins; the form logs
    a change in the audit log)."""
    post, _ = _data(request)
    here = _url("organisation_settings", access)
    return _form_page(
        request,
        OrganisationSettingsForm(post, instance=access.organisation),
        title="Settings",
        caption=access.organisation.name,
        intro="Participants read every questionnaire in the words of the place chosen here: "
        "online, in the phone preview and on printed forms. Questionnaires already answered "
        "keep their answers and scores.",
        submit="Save settings",
        cancel=_url("organisation", access),
        done=lambda saved: (
            f"Questionnaires now use the words used in {saved.get_jurisdiction_display()}.",
            here,
        ),
    )


def _link_page(request: HttpRequest, access: Access, **context: Any) -> HttpResponse:
    """The page that shows a new single-use link, once: never kept by a browser or proxy."""
    here = _url("members", access)
    shown = {"crumbs": [("Members", here)], "back": here, "days": links.LINK_LIFETIME.days}
    response = render(request, "workspace/link_issued.html", {**shown, **context})
    add_never_cache_headers(response)
    return response


@organisation_page("invite_members", FORM)
def member_invite(request: HttpRequest, access: Access) -> HttpResponse:
    """Make an invitation link; whoever accepts it becomes a member (see organisations.links)."""
    post, _ = _data(request)
    here = _url("members", access)
    form = InvitationForm(post)
    if request.method == "POST" and form.is_valid():
        invitation, token = links.invite(
            access.organisation, form.cleaned_data["role"], form.cleaned_data["note"], request.user
        )
        return _link_page(
            request,
            access,
            title="Invitation link",
            what=f"an invitation to join {access.organisation} as "
            f"{invitation.get_role_display().lower()}",
            link=request.build_absolute_uri(reverse("organisations:invitation", args=[token])),
        )
    return _form_page(
        request,
        form,
        title="Invite someone",
        intro="You get a link to send them by email or message. They become a member when "
        "they open it and accept, signing in or creating an account. It works once, for "
        f"{links.LINK_LIFETIME.days} days, and you can revoke it before then.",
        submit="Make invitation link",
        cancel=here,
        crumbs=[("Members", here)],
        done=lambda _: ("", here),  # not reached: a valid form is answered above
    )


@organisation_page("invite_members", FORM)
def invitation_revoke(request: HttpRequest, access: Access, invitation: Invitation) -> HttpResponse:
    post, _ = _data(request)
    here = _url("members", access)
    if not invitation.is_usable:
        raise Http404("No such pending invitation")
    return _form_page(
        request,
        LinkConfirmForm(post, action=lambda: links.revoke(invitation)),
        title=f"Revoke the {str(invitation)[0].lower()}{str(invitation)[1:]}?",
        intro="The link will stop working. You can make a new one at any time.",
        submit="Revoke invitation",
        warning=True,
        cancel=here,
        crumbs=[("Members", here)],
        done=lambda _: ("Invitation revoked: its link no longer works.", here),
    )


@organisation_page("manage_members", FORM)
def member_edit(request: HttpRequest, access: Access, member: Membership) -> HttpResponse:
    post, _ = _data(request)
    here = _url("members", access)
    return _form_page(
        request,
        MemberRoleForm(post, instance=member),
        title=f"Change {member.user}'s role",
        submit="Save role",
        cancel=here,
        crumbs=[("Members", here)],
        done=lambda saved: (f"{saved.user} is now {saved.get_role_display().lower()}.", here),
    )


@organisation_page("manage_members", FORM)
def member_remove(request: HttpRequest, access: Access, member: Membership) -> HttpResponse:
    post, _ = _data(request)
    here = _url("members", access)
    leaving = member.user_id == request.user.pk
    return _form_page(
        request,
        MemberRemoveForm(post, membership=member),
        title=f"Remove {member.user} from {access.organisation}?",
        intro=(
            "You will no longer see this organisation's pages."
            if leaving
            else "They will no longer see this organisation's pages. Their account stays, and "
            "the audit log keeps the changes they made."
        ),
        submit="Remove member",
        warning=True,
        cancel=here,
        crumbs=[("Members", here)],
        done=lambda _: (
            f"{member.user} removed.",
            reverse("workspace:home") if leaving else here,
        ),
    )


@organisation_page("manage_members", FORM)
def member_password_reset(request: HttpRequest, access: Access, member: Membership) -> HttpResponse:
    """Make a one-time link with which a member sets a new password (organisations.links)."""
    post, _ = _data(request)
    here = _url("members", access)
    name = member.user.get_username()
    refusal = links.reset_refusal(access.organisation, member.user)
    form = LinkConfirmForm(post, refusal=refusal)
    if request.method == "POST" and form.is_valid():
        _, token = links.issue_reset(access.organisation, member.user, request.user)
        return _link_page(
            request,
            access,
            title="Password reset link",
            what=f"a link with which {name} sets a new password",
            link=request.build_absolute_uri(reverse("organisations:password_reset", args=[token])),
        )
    return _form_page(
        request,
        form,
        title=f"Make a password reset link for {name}?",
        intro=refusal
        or f"You get a link to send to {name}. It lets whoever opens it set a new password for "
        f"this account, once, within {links.LINK_LIFETIME.days} days: send it only to them. "
        "Any earlier reset link you made for them stops working.",
        submit="Make reset link",
        cancel=here,
        crumbs=[("Members", here)],
        done=lambda _: ("", here),  # not reached: a valid form is answered above
    )
