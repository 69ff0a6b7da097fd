"""Which cohorts are answering an instrument, for the notice on the instrument's page.

A questionnaire's instruments are fixed once anyone has started answering it (the same rule as
the questionnaire form, workspace/forms.py), so the instrument page says so before anyone
thinks of changing the file.
"""

from __future__ import annotations

from django import template

from imheval.web.organisations.models import Organisation
from imheval.web.workspace.models import Cohort, Collection

register = template.Library()


@register.simple_tag
def cohorts_answering(organisation: Organisation, instrument_id: str) -> list[Cohort]:
    """``organisation``'s cohorts with a questionnaire that asks ``instrument_id`` and has been
    started by anyone, in the order cohorts are listed; empty if none (two queries)."""
    started = (
        Collection.objects.filter(
            cohort__programme__organisation=organisation, submissions__isnull=False
        )
        .select_related("cohort__programme")
        .distinct()
    )
    cohorts = {c.cohort for c in started if instrument_id in (c.instrument_refs or [])}
    return sorted(cohorts, key=lambda cohort: (cohort.programme.name, cohort.name))
