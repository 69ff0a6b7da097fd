"""A region's views: coverage by organisation and level, outcomes side by side with the model,
and their downloads (regional_views; places and the report have their own test files). Only
sharing organisations are read, only as aggregates, with the small-group rule across the
region."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.web.conftest import _user, client_as

pytestmark = pytest.mark.django_db

TRAINED_ON = datetime.date(2025, 6, 1)
EXTRACT_ON = datetime.date(2025, 1, 1)
BY_DATE = datetime.date(2030, 3, 31)


def make_organisation(
    index: int,
    region: Any,
    *,
    headcount: int = 40,
    trained: int = 12,
    shares: bool = True,
    outcomes: Sequence[tuple[int, float, float]] = (),
    name: str | None = None,
) -> Any:
    """An organisation in ``region`` with health visitors (``headcount``), ``trained`` of them
    Skilled (earlier training), and one cohort of the Solihull programme per outcome
    ``(matched, mean gain, SD of gains)``."""
    from imheval.web.organisations.models import Organisation
    from imheval.web.workforce import models as wf
    from imheval.web.workspace.models import Cohort, Programme

    organisation = Organisation.objects.create(
        name=name or f"Trust {index:02d}", slug=f"trust-{index:02d}"
    )
    wf.RegionMember.objects.create(region=region, organisation=organisation, shares=shares)
    extract = wf.Establishment.objects.create(organisation=organisation, as_of=EXTRACT_ON)
    wf.EstablishmentRow.objects.create(
        establishment=extract,
        service="Health visiting",
        profession="Health visitor",
        headcount=headcount,
    )
    wf.EarlierTraining.objects.bulk_create(
        wf.EarlierTraining(
            organisation=organisation,
            person=f"secret-{index}-{k}",
            profession="Health visitor",
            service="Health visiting",
            level="Skilled",
            completed_on=TRAINED_ON,
        )
        for k in range(trained)
    )
    if outcomes:
        programme = Programme.objects.create(
            organisation=organisation,
            name="Solihull  approach" if index % 2 else "Solihull Approach",
            level="intermediate",
            delivery="face_to_face",
            duration_value=Decimal("2"),
            duration_unit="days",
            framework_level="Skilled",
        )
        for j, (matched, mean, sd) in enumerate(outcomes):
            cohort = Cohort.objects.create(
                programme=programme, name=f"SOL-{j}", start_date=datetime.date(2026, 1, 5)
            )
            wf.CohortOutcome.objects.create(
                cohort=cohort,
                fingerprint="x",
                computed_at=timezone.now(),
                measure="IMH core",
                matched=matched,
                pre_mean=50.0,
                post_mean=50.0 + mean,
                mean_gain=mean,
                sd_gain=sd,
                kirkpatrick=[1, 2],
            )
    return organisation


def make_region(role: str = "viewer") -> tuple[Any, Any]:
    """A region (NES framework) with one target (Health visitors Skilled, 90% by 2030), and a
    user with ``role`` in it."""
    from imheval.web.workforce import models as wf

    region = wf.Region.objects.create(name="Northern region", slug="northern-region")
    wf.RegionalTarget.objects.create(
        region=region,
        service="Health visiting",
        profession="Health visitor",
        level="Skilled",
        target_percent=Decimal("90"),
        by_date=BY_DATE,
    )
    user = _user(f"{role}-region")
    wf.RegionRole.objects.create(region=region, user=user, role=role)
    return region, user


def url(name: str, region: Any, **kwargs: Any) -> str:
    return reverse(f"workforce:{name}", kwargs={"region": region.slug, **kwargs})


def page(user: Any, name: str, region: Any, **kwargs: Any) -> str:
    response = client_as(user).get(url(name, region, **kwargs))
    assert response.status_code == 200, response.content[:500]
    return str(response.content.decode())


def heat_row(html: str, organisation: str) -> str:
    """The heat map row of ``organisation`` (its header cell to the end of the row)."""
    start = html.index(f'<th scope="row" class="nhsuk-table__header">{organisation}</th>')
    return html[start : html.index("</tr>", start)]


# ------------------------------------------------------------------------------ coverage


def test_coverage_hides_a_small_organisation_and_a_second_so_the_total_gives_nothing_away() -> None:
    region, viewer = make_region()
    make_organisation(1, region, headcount=20, trained=3)
    make_organisation(2, region, headcount=30, trained=10)
    make_organisation(3, region, headcount=40, trained=12)
    html = page(viewer, "regional_coverage", region)
    assert "hidden" in heat_row(html, "Trust 01")
    assert "hidden" in heat_row(html, "Trust 02")  # else 25 - 12 - 10 gives Trust 01's 3
    west = heat_row(html, "Trust 03")
    assert "30%" in west and "on trajectory" in west
    region_row = heat_row(html, "Region")
    assert "27.7%" in region_row  # 25 of 90, rounded down
    assert "secret-" not in html  # no staff identifier ever reaches a region


def test_the_region_row_and_gaps_add_up_every_sharing_organisation() -> None:
    region, viewer = make_region()
    make_organisation(1, region, headcount=20, trained=10)
    make_organisation(2, region, headcount=30, trained=20)
    html = page(viewer, "regional_coverage", region)
    assert "60%" in heat_row(html, "Region")  # 30 of 50
    gaps = html[html.index('id="gaps"') :]
    # 90% of 50 is 45 people: 15 still to train
    assert ">15</td>" in gaps[: gaps.index("</table>")]
    assert "30 of the 50 staff the targets name are trained" in html


def test_an_organisation_that_does_not_share_is_counted_never_named_and_never_added() -> None:
    region, viewer = make_region()
    make_organisation(1, region, headcount=20, trained=10)
    make_organisation(2, region, headcount=30, trained=20)
    make_organisation(3, region, headcount=100, trained=90, shares=False, name="Quiet Trust")
    html = page(viewer, "regional_coverage", region)
    assert "1 invited organisation does not share and is not included." in html
    assert "Quiet Trust" not in html
    assert "60%" in heat_row(html, "Region")


def test_turning_sharing_off_changes_the_page_at_once() -> None:
    from imheval.web.workforce.models import RegionMember

    region, viewer = make_region()
    make_organisation(1, region, headcount=20, trained=10)
    second = make_organisation(2, region, headcount=30, trained=20)
    assert "Trust 02" in page(viewer, "regional_coverage", region)
    RegionMember.objects.filter(organisation=second).update(shares=False)
    html = page(viewer, "regional_coverage", region)
    assert "Trust 02" not in html
    assert "50%" in heat_row(html, "Region")  # Trust 01 alone: 10 of 20


def test_a_change_no_audit_event_records_still_changes_the_kept_page_at_once() -> None:
    from imheval.web.workforce.models import EarlierTraining

    region, viewer = make_region()
    first = make_organisation(1, region, headcount=20, trained=10)
    make_organisation(2, region, headcount=30, trained=20)
    assert "60%" in heat_row(page(viewer, "regional_coverage", region), "Region")
    # bulk_create sends no signal and writes no audit event
    EarlierTraining.objects.bulk_create(
        EarlierTraining(
            organisation=first,
            person=f"late-{k}",
            profession="Health visitor",
            service="Health visiting",
            level="Skilled",
            completed_on=TRAINED_ON,
        )
        for k in range(5)
    )
    assert "70%" in heat_row(page(viewer, "regional_coverage", region), "Region")  # 35 of 50


def test_a_completion_settled_without_an_audit_event_changes_the_page_at_once(
    workspace: Any,
) -> None:
    from imheval.web.workforce.models import RegionMember, Trainee

    region, viewer = make_region()
    make_organisation(1, region, headcount=20, trained=10)
    RegionMember.objects.create(region=region, organisation=workspace.organisation, shares=True)
    from imheval.web.workforce.models import Establishment, EstablishmentRow

    extract = Establishment.objects.create(organisation=workspace.organisation, as_of=EXTRACT_ON)
    EstablishmentRow.objects.create(
        establishment=extract, service="Health visiting", profession="Health visitor", headcount=10
    )
    workspace.programme.framework_level = "Skilled"
    workspace.programme.save()
    workspace.cohort.end_date = TRAINED_ON
    workspace.cohort.save()
    Trainee.objects.bulk_create(
        Trainee(
            cohort=workspace.cohort,
            person=f"north-{k}",
            profession="Health visitor",
            service="Health visiting",
        )
        for k in range(6)
    )
    assert "33.3%" in heat_row(page(viewer, "regional_coverage", region), "Region")  # 10 of 30
    # as completion.settle_trainees does: one bulk update, no signal, no audit event
    Trainee.objects.filter(cohort=workspace.cohort).update(completed_on=TRAINED_ON)
    assert "53.3%" in heat_row(page(viewer, "regional_coverage", region), "Region")  # 16 of 30


def test_coverage_without_targets_or_sharing_organisations_says_so() -> None:
    from imheval.web.workforce.models import RegionalTarget

    region, viewer = make_region()
    html = page(viewer, "regional_coverage", region)
    assert "No organisation shares with the region yet." in html
    RegionalTarget.objects.all().delete()
    make_organisation(1, region)
    assert "The region has no targets" in page(viewer, "regional_coverage", region)


def test_a_coverage_error_is_reported_without_its_words(monkeypatch: pytest.MonkeyPatch) -> None:
    from imheval.errors import CoverageError
    from imheval.web.workforce import regional

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise CoverageError("person secret-1-1 has two latest records")

    monkeypatch.setattr(regional, "coverage_on", broken)
    region, viewer = make_region()
    make_organisation(1, region)
    html = page(viewer, "regional_coverage", region)
    assert "Coverage could not be counted" in html and "secret-1-1" not in html


def test_coverage_downloads_say_hidden_and_never_the_hidden_number() -> None:
    region, viewer = make_region()
    make_organisation(1, region, headcount=20, trained=3)
    make_organisation(2, region, headcount=30, trained=10)
    make_organisation(3, region, headcount=40, trained=12)
    response = client_as(viewer).get(url("regional_coverage_download", region, file_format="csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Service", "Profession", "Organisation", "Level"]
    by_organisation = {row[2]: row for row in rows[1:]}
    assert by_organisation["Trust 01"][4:7] == ["hidden", "hidden", "hidden"]
    assert by_organisation["Trust 02"][5] == "hidden"
    assert by_organisation["Trust 03"][4:6] == ["40", "12"]
    assert by_organisation["Region"][4:6] == ["90", "25"]
    xlsx = client_as(viewer).get(url("regional_coverage_download", region, file_format="xlsx"))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].endswith("spreadsheetml.sheet")
    bad = client_as(viewer).get(url("regional_coverage_download", region, file_format="pdf"))
    assert bad.status_code == 404


# ------------------------------------------------------------------------------ tenancy


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("regional_coverage", {}),
        ("regional_outcomes", {}),
        ("regional_coverage_download", {"file_format": "csv"}),
        ("regional_outcomes_download", {"file_format": "csv"}),
        ("regional_places", {}),
        ("regional_places_download", {"file_format": "csv"}),
    ],
)
def test_only_the_regions_people_reach_its_views(
    workspace: Any, name: str, kwargs: dict[str, Any]
) -> None:
    region, viewer = make_region()
    make_organisation(1, region)
    address = url(name, region, **kwargs)
    assert client_as(viewer).get(address).status_code == 200
    # an organisation's admin, even of a sharing member, has no role in the region
    assert client_as(workspace.users["admin"]).get(address).status_code == 404
    anonymous = client_as().get(address)
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous["Location"]
    assert client_as(viewer).post(address).status_code == 405


# ------------------------------------------------------------------------------ outcomes


def test_outcomes_side_by_side_with_the_model_and_a_small_organisation_hidden() -> None:
    region, viewer = make_region()
    make_organisation(1, region, outcomes=[(12, 10.0, 8.0), (10, 14.0, 9.0)])
    make_organisation(2, region, outcomes=[(11, 6.0, 7.0), (9, 7.0, 6.0)])
    make_organisation(3, region, outcomes=[(14, 12.0, 8.0), (8, 11.0, 7.5)])
    make_organisation(4, region, outcomes=[(3, 30.0, 2.0)])
    html = page(viewer, "regional_outcomes", region)
    # one programme: the names match without regard to case and spacing
    assert html.count("<h2>Solihull") == 1
    table = html[html.index("change by organisation") : html.index("</table>")]
    assert "Trust 04" in table and ">22</td>" in table  # Trust 01's 22 matched people
    trust4 = table[table.index("Trust 04") :]
    assert "hidden" in trust4[: trust4.index("</tr>")]
    # 67 in all is published: with Trust 04 hidden alone, 67 - 22 - 20 - 22 gives its 3
    trust2 = table[table.index("Trust 02") :]
    assert "hidden" in trust2[: trust2.index("</tr>")]
    assert ">67</td>" in table
    assert "Do organisations differ?" in html
    assert "Fitted on" in html and "44 people in 4 cohorts of 2 organisations" in html
    assert "left out of the model" in html
    assert "REML" in html


def test_outcomes_download_hides_as_the_page_does() -> None:
    region, viewer = make_region()
    make_organisation(1, region, outcomes=[(12, 10.0, 8.0)])
    make_organisation(2, region, outcomes=[(3, 30.0, 2.0)])
    response = client_as(viewer).get(url("regional_outcomes_download", region, file_format="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_organisation = {row[3]: row for row in rows[1:]}
    assert by_organisation["Trust 02"][2] == "IMH core"
    assert by_organisation["Trust 02"][5:] == ["hidden"] * 6
    assert by_organisation["Trust 01"][5:] == ["hidden"] * 6  # 15 - 12 would give 3
    assert by_organisation["All organisations"][5] == "15"


def test_a_changed_outcome_changes_the_kept_page_at_once() -> None:
    from imheval.web.workforce.models import CohortOutcome

    region, viewer = make_region()
    make_organisation(1, region, outcomes=[(12, 10.0, 8.0)])
    make_organisation(2, region, outcomes=[(10, 6.0, 7.0)])
    assert "+10.0" in page(viewer, "regional_outcomes", region)
    CohortOutcome.objects.filter(cohort__programme__organisation__slug="trust-01").update(
        mean_gain=4.0
    )
    html = page(viewer, "regional_outcomes", region)
    assert "+10.0" not in html and "+4.0" in html


def test_no_outcomes_yet() -> None:
    region, viewer = make_region()
    make_organisation(1, region)
    assert 'id="no-outcomes"' in page(viewer, "regional_outcomes", region)


# ------------------------------------------------------------------------------ queries


def _queries(user: Any, address: str) -> int:
    client = client_as(user)
    client.get(address)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("name", ["regional_coverage", "regional_outcomes"])
def test_pages_run_the_same_number_of_queries_for_2_and_5_organisations(name: str) -> None:
    region, viewer = make_region()
    for index in (1, 2):
        make_organisation(index, region, outcomes=[(12, 10.0, 8.0), (9, 8.0, 7.0)])
    two = _queries(viewer, url(name, region))
    for index in (3, 4, 5):
        make_organisation(index, region, outcomes=[(12, 10.0, 8.0), (9, 8.0, 7.0)])
    five = _queries(viewer, url(name, region))
    assert two == five
    assert five == PINNED[name]


#: The pages' queries, warm: sign-in (session, user), the regional role, the sharing
#: organisations and the count of those not sharing, then the page's own (coverage: the targets,
#: the organisations' frameworks (one on another framework than the region's is not counted)
#: and the fingerprint's four, the adapter's six only when nothing is kept; outcomes: the
#: cohorts' stored outcomes, the fingerprint itself).
PINNED = {"regional_coverage": 11, "regional_outcomes": 6}
