"""The results page's Level 4 shows the organisation's own service figures (entered on the
workforce service-data pages), and a new figure makes the page be worked out again."""

from __future__ import annotations

import datetime

from conftest import Workspace
from django.urls import reverse
from test_results_pages import client_for, matched_people

from imheval.web.results.analysis import Scope, data_fingerprint, service_fingerprint
from imheval.web.workforce.services_models import ServiceFigure, ServiceTraining


def _figures(organisation: object, service: str) -> None:
    for i in range(18):
        year, month = 2024 + i // 12, i % 12 + 1
        ServiceFigure.objects.create(
            organisation=organisation,
            service=service,
            measure="referrals_parent_infant",
            period=f"{year}-{month:02d}",
            value=10 + i // 3,
        )
    ServiceTraining.objects.create(
        organisation=organisation, service=service, trained_on=datetime.date(2024, 9, 1)
    )


def test_level_4_shows_service_figures_of_this_organisation_only(workspace: Workspace) -> None:
    from imheval.web.organisations.models import Organisation

    southern = Organisation.objects.get(slug="southern")
    matched_people(workspace, 8)
    client = client_for(workspace.users["evaluator"])
    url = reverse("results:organisation", args=["northern"])
    scope = Scope.of(workspace.organisation)
    before = data_fingerprint(scope), service_fingerprint(workspace.organisation)
    page = client.get(url).content.decode()  # worked out, and kept
    assert "Referrals to parent-infant services" not in page
    _figures(southern, "Southern visiting")  # another organisation's figures
    assert (data_fingerprint(scope), service_fingerprint(workspace.organisation)) == before
    _figures(workspace.organisation, "Northern visiting")
    # the service figures' fingerprint moves (an import adds figures in bulk, without an
    # audit event per figure), so the kept page is worked out again
    assert service_fingerprint(workspace.organisation) != before[1]
    page = client.get(url).content.decode()
    assert "Northern visiting: Referrals to parent-infant services" in page
    assert "Southern visiting" not in page
    # the levels statement counts them: 4a measured
    assert "4a organisational practice" in page.split("Not measured:")[0]
