"""The workforce settings page (/o/<organisation>/workforce/settings/): the framework, the
usual cohort size and staff turnover. Everyone in the organisation reads them; admins and
evaluators change them (``EDIT_WORKFORCE``), audited."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from imheval.web.organisations.access import FORM, Access
from imheval.web.workforce import planning_pages as pages
from imheval.web.workforce.access import EDIT_WORKFORCE, organisation_page
from imheval.web.workforce.models import WorkforceSettings
from imheval.web.workforce.settings_forms import SettingsForm


@organisation_page(methods=FORM)
def settings(request: HttpRequest, access: Access) -> HttpResponse:
    """The settings as they are, and (for editors) the form that changes them."""
    if request.method == "POST":
        access.require(EDIT_WORKFORCE)
    saved = WorkforceSettings.for_organisation(access.organisation)
    # What is saved now, taken before a submitted form changes the instance.
    now = {
        "ladder": saved.ladder(),
        "cohort_size": saved.cohort_size,
        "turnover": pages.number_text(saved.turnover_percent),
    }
    form = None
    if pages.may_edit(access):
        form = SettingsForm(pages.data(request), instance=saved, organisation=access.organisation)
        if request.method == "POST" and form.is_valid():
            form.save()
            messages.success(request, "Workforce settings saved.")
            return redirect(pages.url("settings", access))
    context = {
        "form": form,
        **now,
        "crumbs": pages.crumbs(access),
    }
    return render(request, "workforce/settings.html", context)
