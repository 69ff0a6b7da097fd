"""The competency coverage grid: domains against meetings, counts, totals and the gaps."""

from __future__ import annotations

import datetime

import pytest

from imheval.instruments.frameworks import (
    AIMH_UK,
    IMH_SERVICE,
    Competency,
    CompetencyDomain,
    CompetencyFramework,
)
from imheval.network.coverage import (
    CoverageError,
    CoverageMeeting,
    ReadingTags,
    coverage_grid,
)

D = datetime.date
OWN = CompetencyFramework(
    id="own",
    title="Our framework",
    source="",
    domains=(
        CompetencyDomain("rel", "Relationships", (Competency("rel-1", "Trust"),)),
        CompetencyDomain("dev", "Development"),
        CompetencyDomain("ref", "Reflection"),
    ),
)


def reading(key: str, *refs: str) -> ReadingTags:
    return ReadingTags(key, f"Reading {key}", refs)


def test_counts_per_domain_and_meeting_with_totals_and_gaps() -> None:
    meetings = [
        CoverageMeeting("m3", D(2025, 4, 3)),
        CoverageMeeting("m1", D(2025, 2, 6)),
        CoverageMeeting("m2", D(2025, 3, 6), label="March"),
    ]
    readings = {
        # Two readings at February's meeting: one touches two domains, one touches
        # Relationships through a domain and one of its competencies (it counts once).
        "m1": [reading("a", "own:rel", "own:dev"), reading("b", "own:rel", "own:rel:rel-1")],
        "m2": [reading("c", "own:dev")],
        # The same reading again in April, and one tagged only against another framework.
        "m3": [reading("a", "own:rel", "own:dev"), reading("d", "aimh-uk-imhcf:development")],
    }
    grid = coverage_grid(OWN, meetings, readings)
    assert [c.key for c in grid.columns] == ["m1", "m2", "m3"]
    assert [c.label for c in grid.columns] == ["6 Feb 2025", "March", "3 Apr 2025"]
    assert [(r.label, r.counts, r.total) for r in grid.rows] == [
        ("Relationships", (2, 0, 1), 3),
        ("Development", (1, 1, 1), 3),
        ("Reflection", (0, 0, 0), 0),
    ]
    assert grid.uncovered == (OWN.domains[2],)
    assert grid.covered == 2
    assert [r.key for r in grid.untagged] == ["d"]
    assert grid.framework_title == "Our framework"


def test_cancelled_meetings_are_left_out_with_their_readings() -> None:
    meetings = [
        CoverageMeeting("m1", D(2025, 2, 6)),
        CoverageMeeting("m2", D(2025, 3, 6), cancelled=True),
    ]
    grid = coverage_grid(OWN, meetings, {"m1": [], "m2": [reading("x", "own:ref")]})
    assert [c.key for c in grid.columns] == ["m1"]
    assert [r.counts for r in grid.rows] == [(0,), (0,), (0,)]
    assert grid.uncovered == OWN.domains


def test_uncovered_follow_the_framework_order() -> None:
    meetings = [CoverageMeeting("1", D(2025, 9, 4))]
    refs = ("imh-service-dimensions:advocacy", "imh-service-dimensions:emotional_support")
    grid = coverage_grid(IMH_SERVICE, meetings, {"1": [ReadingTags("r", "R", refs)]})
    assert [d.label for d in grid.uncovered] == [
        "Concrete assistance",
        "Developmental guidance",
        "Early relationship assessment and support",
        "Infant-parent psychotherapy",
    ]
    assert grid.covered == 2


def test_unknown_references_and_meeting_keys_count_for_nothing() -> None:
    meetings = [CoverageMeeting("1", D(2025, 9, 4))]
    readings = {
        "1": [reading("a", "own:nope", "own:rel:rel-9", "not a reference", "")],
        "99": [reading("b", "own:rel")],
    }
    grid = coverage_grid(OWN, meetings, readings)
    assert all(row.total == 0 for row in grid.rows)
    assert [r.key for r in grid.untagged] == ["a"]


def test_no_meetings_gives_an_empty_grid_with_every_domain_uncovered() -> None:
    grid = coverage_grid(AIMH_UK, [], {})
    assert grid.columns == ()
    assert [row.counts for row in grid.rows] == [()] * 7
    assert grid.uncovered == AIMH_UK.domains


def test_same_day_meetings_are_ordered_by_key() -> None:
    meetings = [CoverageMeeting("b", D(2025, 2, 6)), CoverageMeeting("a", D(2025, 2, 6))]
    assert [c.key for c in coverage_grid(OWN, meetings, {}).columns] == ["a", "b"]


def test_repeated_meeting_keys_are_refused() -> None:
    meetings = [CoverageMeeting("1", D(2025, 2, 6)), CoverageMeeting("1", D(2025, 3, 6))]
    with pytest.raises(CoverageError, match="1 is used more than once"):
        coverage_grid(OWN, meetings, {})


def test_to_dict() -> None:
    meetings = [CoverageMeeting("1", D(2025, 2, 6))]
    grid = coverage_grid(OWN, meetings, {"1": [reading("a", "own:dev"), reading("u")]})
    assert grid.to_dict() == {
        "framework": "own",
        "framework_title": "Our framework",
        "meetings": [{"key": "1", "date": "2025-02-06", "label": "6 Feb 2025"}],
        "domains": [
            {"id": "rel", "label": "Relationships", "counts": [0], "total": 0},
            {"id": "dev", "label": "Development", "counts": [1], "total": 1},
            {"id": "ref", "label": "Reflection", "counts": [0], "total": 0},
        ],
        "uncovered": ["rel", "ref"],
        "untagged": ["u"],
    }
