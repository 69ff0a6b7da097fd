"""Properties of coverage that hold for any data (hypothesis)."""

from __future__ import annotations

import datetime
import random
from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.workforce.coverage import CoverageResult, coverage
from imheval.workforce.inputs import Post, Requirement, TrainingRecord, TrajectoryPoint
from imheval.workforce.ladder import BUILT_IN

NES = BUILT_IN["nes"]
AS_OF = datetime.date(2026, 3, 31)
ORGANISATIONS = ("North", "South")
POSTS = (("Health visiting", "Health visitor"), ("Maternity", "Midwife"))
START = datetime.date(2018, 1, 1)

# A record: organisation, person, post, level rank, days after START. One person never has two
# records on one day, so their latest record places them in one service.
record_tuples = st.lists(
    st.tuples(
        st.integers(0, 1),
        st.integers(0, 6),
        st.integers(0, 1),
        st.integers(0, 3),
        st.integers(0, 3300),
    ),
    max_size=40,
    unique_by=lambda t: (t[0], t[1], t[4]),
)
headcounts = st.lists(st.integers(0, 8), min_size=4, max_size=4)
requirement_specs = st.lists(
    st.tuples(
        st.integers(0, 1), st.integers(0, 3), st.integers(0, 100), st.sampled_from([None, 1, 3])
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda t: (t[0], t[1]),
)


def records_of(tuples: list[tuple[int, int, int, int, int]]) -> list[TrainingRecord]:
    return [
        TrainingRecord(
            person=f"p{person}",
            organisation=ORGANISATIONS[org],
            service=POSTS[post][0],
            profession=POSTS[post][1],
            level=NES.levels[rank],
            completed_on=START + datetime.timedelta(days=days),
        )
        for org, person, post, rank, days in tuples
    ]


def posts_of(counts: list[int]) -> list[Post]:
    return [
        Post(org, service, profession, counts[2 * o + p])
        for o, org in enumerate(ORGANISATIONS)
        for p, (service, profession) in enumerate(POSTS)
    ]


def requirements_of(specs: list[tuple[int, int, int, int | None]]) -> list[Requirement]:
    return [
        Requirement(
            POSTS[post][0],
            POSTS[post][1],
            NES.levels[rank],
            (TrajectoryPoint(datetime.date(2026, 1, 1), Decimal(target)),),
            refresh,
        )
        for post, rank, target, refresh in specs
    ]


def run(
    posts: list[Post], records: list[TrainingRecord], reqs: list[Requirement]
) -> CoverageResult:
    return coverage(posts, records, reqs, as_of=AS_OF, ladder=NES)


def keyed(
    result: CoverageResult,
) -> dict[tuple[str, str, str], tuple[int, object, int, object, object]]:
    return {
        (row.organisation, row.service, row.level): (
            row.trained,
            row.percent,
            row.gap_people,
            row.status,
            row.flags,
        )
        for row in result.rows
    }


@settings(max_examples=150, deadline=None)
@given(record_tuples, headcounts, requirement_specs)
def test_trained_never_exceeds_the_distinct_people(
    tuples: list[tuple[int, int, int, int, int]],
    counts: list[int],
    specs: list[tuple[int, int, int, int | None]],
) -> None:
    records = records_of(tuples)
    result = run(posts_of(counts), records, requirements_of(specs))
    for row in result.rows:
        people = {r.person for r in records if r.organisation == row.organisation}
        assert row.trained <= len(people)
        assert row.percent is None or 0 <= row.percent <= 100
        assert row.gap_people >= 0


@settings(max_examples=150, deadline=None)
@given(record_tuples, headcounts, requirement_specs, st.data())
def test_raising_a_persons_level_never_lowers_any_rows_trained(
    tuples: list[tuple[int, int, int, int, int]],
    counts: list[int],
    specs: list[tuple[int, int, int, int | None]],
    data: st.DataObject,
) -> None:
    records = records_of(tuples)
    posts, reqs = posts_of(counts), requirements_of(specs)
    before = keyed(run(posts, records, reqs))
    raisable = [i for i, r in enumerate(records) if r.level != NES.top]
    if not raisable:
        return
    index = data.draw(st.sampled_from(raisable))
    rank = NES.levels.index(records[index].level)
    higher = data.draw(st.integers(rank + 1, len(NES.levels) - 1))
    raised = list(records)
    raised[index] = replace(records[index], level=NES.levels[higher])
    after = keyed(run(posts, raised, reqs))
    for key, values in before.items():
        assert after[key][0] >= values[0]  # trained


@settings(max_examples=150, deadline=None)
@given(record_tuples, headcounts, requirement_specs, st.randoms(use_true_random=False))
def test_the_order_of_rows_does_not_matter(
    tuples: list[tuple[int, int, int, int, int]],
    counts: list[int],
    specs: list[tuple[int, int, int, int | None]],
    shuffler: random.Random,
) -> None:
    records, posts, reqs = records_of(tuples), posts_of(counts), requirements_of(specs)
    expected = keyed(run(posts, records, reqs))
    for items in (records, posts, reqs):
        shuffler.shuffle(items)
    shuffled = run(posts, records, reqs)
    assert keyed(shuffled) == expected
