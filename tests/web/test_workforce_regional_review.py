"""The reviewer's defects in the regional view, each pinned:

1. the organisations' own notes on their coverage (which name a non-sharing member as a
   trainee's employer, and a programme with how many of its people were not counted) never
   reach a regional page, download or report: one note naming nobody stands for them;
2. cohorts measured with different measures are never pooled or compared (outcomes are
   grouped by programme, level *and* measure);
3. a sharing organisation on another framework is left out of the regional coverage (it would
   show 0% trained), and the page says so: its name to the region's leads only;
4. one sharing organisation's bad data leaves out that organisation only, not the region.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import _user, client_as
from tests.web.task_worker import run_tasks
from tests.web.test_workforce_regional import (
    EXTRACT_ON,
    TRAINED_ON,
    heat_row,
    make_organisation,
    make_region,
    page,
    url,
)
from tests.web.workforce_places_data import make_cohort, make_programme

from imheval.workforce.regional import UNCOUNTED_NOTE

pytestmark = pytest.mark.django_db

NON_SHARING = "Secret Council"
SMALL_PROGRAMME = "Lonely Programme"


def text_of(data: bytes) -> str:
    """What a person could read in an answer: HTML or CSV as text, a workbook's or Word
    document's XML without tags, a PDF through pdftotext."""
    if data.startswith(b"%PDF"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "report.pdf"
            path.write_bytes(data)
            return subprocess.run(
                ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
            ).stdout
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = " ".join(
                archive.read(member).decode("utf-8", "replace")
                for member in archive.namelist()
                if member.endswith(".xml")
            )
        return html.unescape(re.sub(r"<[^>]+>", "", xml))
    return html.unescape(data.decode("utf-8-sig", "replace"))


def report_text(user: Any, region: Any, report_format: str) -> str:
    """The region's report in ``report_format``, asked for by ``user`` and written by the
    worker, as text."""
    from imheval.web.workforce.models import RegionalReport

    response = client_as(user).post(url("regional_report", region, report_format=report_format))
    assert response.status_code == 302
    run_tasks()
    report = RegionalReport.objects.filter(region=region, format=report_format).latest("id")
    assert report.state == "done", report.problem
    kwargs = {"region": region.slug, "regional_report": report.pk}
    from django.urls import reverse

    download = client_as(user).get(reverse("workforce:regional_report_download", kwargs=kwargs))
    assert download.status_code == 200
    return text_of(download.content)


def everything_a_region_reads(user: Any, region: Any) -> dict[str, str]:
    """Every regional page and download (each format) and the report (each format), as text."""
    found = {}
    for name in ("region", "regional_coverage", "regional_places", "regional_outcomes"):
        found[name] = html.unescape(page(user, name, region))
    for name in (
        "regional_coverage_download",
        "regional_places_download",
        "regional_outcomes_download",
    ):
        for file_format in ("csv", "xlsx"):
            response = client_as(user).get(url(name, region, file_format=file_format))
            assert response.status_code == 200, name
            found[f"{name}.{file_format}"] = text_of(response.content)
    for report_format in ("html", "pdf", "docx"):
        found[f"report.{report_format}"] = report_text(user, region, report_format)
    return found


def add_register(
    organisation: Any,
    programme_name: str,
    people: list[tuple[str, str]],
    *,
    framework_level: str = "Skilled",
    start: datetime.date = datetime.date(2025, 5, 1),
) -> Any:
    """A programme of ``organisation`` with one cohort (ending on TRAINED_ON) whose register
    holds ``people`` (identifier, employer), every one completed, health visitors."""
    from imheval.web.workforce.models import Trainee

    programme = make_programme(organisation, programme_name, framework_level=framework_level)
    cohort = make_cohort(programme, f"{programme_name} 1", start, end_date=TRAINED_ON)
    Trainee.objects.bulk_create(
        Trainee(
            cohort=cohort,
            person=person,
            profession="Health visitor",
            service="Health visiting",
            employer=employer,
            completed_on=TRAINED_ON,
            completion_by_hand=True,
        )
        for person, employer in people
    )
    return programme


# ------------------------------------------------------------------------------ 1. notes


def leaky_region() -> tuple[Any, Any, Any]:
    """Two sharing trusts and a non-sharing member, "Secret Council". Trust 01's registers hold
    a Skilled course of six, one of them employed by Secret Council (the adapter's note names
    it), and "Lonely Programme" (no level on the framework; one person, in 2019/20: its note
    gives its name with a count of 1)."""
    region, viewer = make_region()
    lead = _user("lead-region")
    from imheval.web.workforce.models import RegionRole

    RegionRole.objects.create(region=region, user=lead, role="lead")
    first = make_organisation(1, region, headcount=40, trained=12)
    make_organisation(2, region, headcount=30, trained=10)
    make_organisation(3, region, headcount=25, trained=20, shares=False, name=NON_SHARING)
    add_register(
        first,
        "Solihull Approach",
        [(f"secret-sol-{k}", "") for k in range(5)] + [("secret-sol-5", NON_SHARING)],
    )
    add_register(
        first,
        SMALL_PROGRAMME,
        [("secret-lonely", "")],
        framework_level="",
        start=datetime.date(2020, 1, 6),
    )
    return region, viewer, lead


def test_the_organisations_own_notes_reach_no_regional_page_download_or_report() -> None:
    from imheval.web.workforce.adapter import coverage_for
    from imheval.web.workforce.region_access import sharing_organisations
    from imheval.web.workforce.regional import regional_requirements

    region, viewer, lead = leaky_region()
    # the notes the region must not read exist: the adapter names both
    requirements, _ = regional_requirements(region, region.ladder())
    own = coverage_for(
        sharing_organisations(region),
        datetime.date(2026, 1, 1),
        ladder=region.ladder(),
        requirements=requirements,
    )
    assert any(NON_SHARING in note for note in own.notes)
    assert any(SMALL_PROGRAMME in note for note in own.notes)

    read = everything_a_region_reads(viewer, region)
    for name, text in read.items():
        assert NON_SHARING not in text, name
        assert "secret-" not in text, name
        if name.startswith("regional_places"):
            continue  # the places page lists each sharing organisation's programmes
        assert SMALL_PROGRAMME not in text, name
    for name in ("regional_coverage", "report.html", "report.pdf", "report.docx"):
        # the one note in their place, naming nobody (a PDF may break its line)
        assert " ".join(UNCOUNTED_NOTE.split()) in " ".join(read[name].split()), name
    # on the places page, the small programme's one person is a hidden figure, never a 1
    rows = list(csv.reader(io.StringIO(read["regional_places_download.csv"])))
    lonely = [row for row in rows if row[1] == SMALL_PROGRAMME]
    assert lonely and all(row[7:9] == ["hidden", "hidden"] for row in lonely)
    # a lead sees the invited member's name where they manage invitations, not in coverage
    assert NON_SHARING not in page(lead, "regional_coverage", region)
    assert NON_SHARING not in report_text(lead, region, "html")


def test_without_notes_the_region_reads_no_note() -> None:
    region, viewer = make_region()
    make_organisation(1, region, headcount=40, trained=12)
    make_organisation(2, region, headcount=30, trained=10)
    assert UNCOUNTED_NOTE not in page(viewer, "regional_coverage", region)


# ------------------------------------------------------------------------------ 2. measures


def test_cohorts_measured_differently_are_never_pooled_or_compared() -> None:
    from imheval.web.workforce.models import CohortOutcome

    region, viewer = make_region()
    make_organisation(1, region, outcomes=[(12, 11.0, 8.0), (10, 11.0, 9.0)])
    make_organisation(2, region, outcomes=[(11, 29.0, 7.0), (9, 29.0, 6.0)])
    CohortOutcome.objects.filter(cohort__programme__organisation__slug="trust-02").update(
        measure="Confidence"
    )
    html_page = page(viewer, "regional_outcomes", region)
    sections = html_page.split("<h2>")[1:]
    groups = {
        section[: section.index("</h2>")]: section
        for section in sections
        if section.startswith("Solihull")
    }
    # Trust 01 spells it "Solihull  approach", Trust 02 "Solihull Approach": one programme
    assert set(groups) == {
        "Solihull  approach (Skilled), measured with IMH core",
        "Solihull Approach (Skilled), measured with Confidence",
    }
    # each table holds its own organisation only, and no model sets +11 beside +29
    core = groups["Solihull  approach (Skilled), measured with IMH core"]
    confidence = groups["Solihull Approach (Skilled), measured with Confidence"]
    assert "Trust 01" in core and "Trust 02" not in core and "+11.0" in core
    assert "Trust 02" in confidence and "Trust 01" not in confidence and "+29.0" in confidence
    assert "of 2 organisations" not in html_page
    response = client_as(viewer).get(url("regional_outcomes_download", region, file_format="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Programme", "Level", "Measure", "Organisation"]
    measured = {(row[2], row[3]) for row in rows[1:]}
    assert measured == {
        ("IMH core", "Trust 01"),
        ("IMH core", "All organisations"),
        ("Confidence", "Trust 02"),
        ("Confidence", "All organisations"),
    }
    by_measure = {(row[2], row[3]): row for row in rows[1:]}
    assert by_measure[("IMH core", "All organisations")][5] == "22"
    assert float(by_measure[("Confidence", "All organisations")][6]) == pytest.approx(29.0)


# ------------------------------------------------------------------------------ 3. frameworks


def aimh_trust(region: Any) -> Any:
    """Trust 02 on the AIMH framework: 30 of its 40 health visitors trained at Level 2."""
    from imheval.web.workforce.models import EarlierTraining, WorkforceSettings

    trust = make_organisation(2, region, headcount=40, trained=0)
    WorkforceSettings.objects.create(organisation=trust, framework="aimh")
    EarlierTraining.objects.bulk_create(
        EarlierTraining(
            organisation=trust,
            person=f"aimh-{k}",
            profession="Health visitor",
            service="Health visiting",
            level="Level 2",
            completed_on=TRAINED_ON,
        )
        for k in range(30)
    )
    return trust


def test_an_organisation_on_another_framework_is_left_out_not_shown_as_none_trained() -> None:
    from imheval.web.workforce.models import RegionRole

    region, viewer = make_region()
    lead = _user("lead-region")
    RegionRole.objects.create(region=region, user=lead, role="lead")
    make_organisation(1, region, headcount=20, trained=10)
    aimh_trust(region)
    make_organisation(3, region, headcount=30, trained=20)
    seen = page(viewer, "regional_coverage", region)
    assert "1 organisation uses another framework and is not counted:" in seen
    assert "Trust 02" not in seen  # not "0% on trajectory", and not named to a viewer
    assert "60%" in heat_row(seen, "Region")  # Trust 01 and Trust 03: 30 of 50
    assert "30 of the 50 staff the targets name are trained" in seen
    led = page(lead, "regional_coverage", region)
    assert "1 organisation uses another framework and is not counted (Trust 02):" in led
    with pytest.raises(ValueError):
        heat_row(led, "Trust 02")
    response = client_as(viewer).get(url("regional_coverage_download", region, file_format="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row[2] for row in rows[1:]} == {"Trust 01", "Trust 03", "Region"}
    text = report_text(viewer, region, "html")
    assert "1 organisation uses another framework and is not counted:" in text
    assert "Trust 02" not in text


def test_the_same_levels_under_another_name_are_the_same_framework() -> None:
    from imheval.web.workforce.models import WorkforceSettings

    region, viewer = make_region()
    trust = make_organisation(1, region, headcount=20, trained=10)
    WorkforceSettings.objects.create(
        organisation=trust,
        framework="custom",
        custom_name="Our PIMH ladder",
        custom_levels="informed\nSKILLED\nEnhanced\nSpecialist",
    )
    seen = page(viewer, "regional_coverage", region)
    assert "another framework" not in seen and "50%" in heat_row(seen, "Trust 01")


# ------------------------------------------------------------------------------ 4. bad data


def test_one_organisations_bad_data_leaves_out_that_organisation_only() -> None:
    from imheval.web.workforce.models import EarlierTraining, RegionRole, WorkforceSettings

    region, viewer = make_region()
    lead = _user("lead-region")
    RegionRole.objects.create(region=region, user=lead, role="lead")
    make_organisation(1, region, headcount=20, trained=10)
    clash = make_organisation(2, region, headcount=30, trained=20)
    make_organisation(3, region, headcount=30, trained=20)
    doubled = make_organisation(4, region, headcount=30, trained=20)
    # Trust 02 places one person in two services on their latest day
    EarlierTraining.objects.create(
        organisation=clash,
        person="secret-2-0",
        profession="Health visitor",
        service="Midwifery",
        level="Skilled",
        completed_on=TRAINED_ON,
    )
    # Trust 04's own framework names a level twice
    WorkforceSettings.objects.create(
        organisation=doubled, framework="custom", custom_levels="Informed\nSkilled\nskilled"
    )
    seen = page(viewer, "regional_coverage", region)
    assert "Coverage could not be counted" not in seen
    assert "2 organisations could not be counted:" in seen
    assert "Trust 02" not in seen and "Trust 04" not in seen and "secret-" not in seen
    assert "60%" in heat_row(seen, "Region")  # Trust 01 and Trust 03: 30 of 50
    assert "66.6%" in heat_row(seen, "Trust 03")
    led = page(lead, "regional_coverage", region)
    assert "2 organisations could not be counted (Trust 02, Trust 04):" in led
    assert "secret-" not in led
    text = report_text(viewer, region, "html")
    assert "2 organisations could not be counted:" in text and "secret-" not in text
    # corrected, it is counted again at once
    EarlierTraining.objects.filter(person="secret-2-0", service="Midwifery").delete()
    again = page(viewer, "regional_coverage", region)
    assert "1 organisation could not be counted:" in again
    assert "66.6%" in heat_row(again, "Trust 02"), heat_row(again, "Trust 02")


def test_when_every_organisation_fails_the_page_says_so_without_their_words() -> None:
    from imheval.web.workforce.models import EarlierTraining

    region, viewer = make_region()
    trust = make_organisation(1, region)
    EarlierTraining.objects.create(
        organisation=trust,
        person="secret-1-0",
        profession="Health visitor",
        service="Midwifery",
        level="Skilled",
        completed_on=TRAINED_ON,
    )
    seen = page(viewer, "regional_coverage", region)
    assert "Coverage could not be counted" in seen and "secret-" not in seen
    assert "1 organisation could not be counted:" in seen


def test_a_bad_extract_date_is_no_excuse_either() -> None:
    """An organisation whose only extract is after the day is not a failure: it simply has no
    rows (its own page says so), and the others are counted."""
    from imheval.web.workforce.models import Establishment

    region, viewer = make_region()
    make_organisation(1, region, headcount=20, trained=10)
    late = make_organisation(2, region, headcount=30, trained=20)
    Establishment.objects.filter(organisation=late).update(
        as_of=EXTRACT_ON.replace(year=datetime.date.today().year + 1)
    )
    seen = page(viewer, "regional_coverage", region)
    assert "organisation could not be counted" not in seen
    assert "50%" in heat_row(seen, "Region")
    assert UNCOUNTED_NOTE in html.unescape(
        seen
    )  # its own note (no extract) stands behind the one note
