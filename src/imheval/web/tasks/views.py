"""A job's progress page, its status fragment (polled by htmx) and its file.

Every address goes through :func:`organisation_page`, the shared access rules of
:func:`~imheval.web.organisations.access.organisation_views`: an outsider gets 404, and the job
is loaded from the member's own organisation. A job is then shown only to the member who
started it (anyone else gets 404 too: a report file or an import's problems are that person's).
The page works without JavaScript (a "Check again" link) and, with it, asks every 2 seconds
with htmx, under the site's CSP (no inline script).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from imheval.web.organisations.access import Access, organisation_views
from imheval.web.tasks.jobs import state_of
from imheval.web.tasks.models import Job, JobKind, JobState

#: The shared access rules (organisations.access.organisation_views) for job pages.
organisation_page = organisation_views({"job": Job})


def _own(request: HttpRequest, job: Job) -> Job:
    if job.requested_by_id != request.user.pk:
        raise Http404("No such job")
    return job


def _context(access: Access, job: Job) -> dict[str, object]:
    slug = access.organisation.slug
    return {
        "job": job,
        "state": state_of(job),
        "kinds": JobKind,
        "status_url": reverse("jobs:status", args=[slug, job.pk]),
        "page_url": reverse("jobs:job", args=[slug, job.pk]),
        "download_url": reverse("jobs:download", args=[slug, job.pk]),
        "crumbs": [("Back", job.back_url)] if job.back_url else [],
    }


@organisation_page()
def job(request: HttpRequest, access: Access, job: Job) -> HttpResponse:
    """The progress page; a finished import check goes straight on to its preview."""
    job = _own(request, job)
    context = _context(access, job)
    if context["state"] == JobState.DONE and job.next_url:
        return redirect(job.next_url)
    response = render(request, "tasks/job.html", context)
    response["Cache-Control"] = "no-store"
    return response


@organisation_page()
def status(request: HttpRequest, access: Access, job: Job) -> HttpResponse:
    """The fragment htmx swaps in: 204 while the state is the one shown (``?shown=``), a
    redirect (``HX-Redirect``) to an import's preview when it is ready, else the new state."""
    job = _own(request, job)
    context = _context(access, job)
    if context["state"] == request.GET.get("shown"):
        response = HttpResponse(status=204)
    elif context["state"] == JobState.DONE and job.next_url:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = job.next_url
    else:
        response = render(request, "tasks/status.html", context)
    response["Cache-Control"] = "no-store"
    return response


@organisation_page()
def download(request: HttpRequest, access: Access, job: Job) -> HttpResponse:
    """The file a finished report job made; 404 until then (the page links it when ready)."""
    job = _own(request, job)
    if job.state != JobState.DONE or job.output is None:
        raise Http404("The file is not ready")
    response = HttpResponse(bytes(job.output), content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    response["Cache-Control"] = "no-store"
    return response
