"""The one small-group rule (imheval.suppression): unit cases and a brute-force property test."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.suppression import Suppression, feasible_range, suppress


def test_nothing_small_hides_nothing() -> None:
    result = suppress([0, 5, 7], 5)
    assert result.hidden == (False, False, False)
    assert not result.total_hidden and not result.any_hidden


def test_a_lone_small_count_takes_the_smallest_shown_nonzero_count() -> None:
    result = suppress([2, 0, 6, 9], 5)
    assert result.hidden == (True, False, True, False)
    assert result.primary == (True, False, False, False)
    assert result.secondary(2) and not result.total_hidden


def test_zeros_never_count_as_hiding_anything() -> None:
    # 2 + 0 + 0: the only other cells are zeros, so the (small) total is hidden instead.
    result = suppress([2, 0, 0], 5)
    assert result.hidden == (True, False, False) and result.total_hidden


def test_a_lone_small_count_among_zeros_with_a_large_total_hides_the_total() -> None:
    # 4 + 4 = 8 with both hidden: "fewer than 5" twice summing to 8 can only be 4 and 4.
    result = suppress([4, 4, 0], 5)
    assert result.hidden == (True, True, False) and result.total_hidden


def test_hidden_counts_that_together_are_small_take_another() -> None:
    assert suppress([1, 3, 8], 5).hidden == (True, True, True)


def test_hidden_counts_of_at_least_the_minimum_together_are_enough() -> None:
    result = suppress([2, 3, 8], 5)
    assert result.hidden == (True, True, False)
    assert feasible_range(result, 0) == (1, 4) and feasible_range(result, 1) == (1, 4)


def test_a_hidden_one_beside_exactly_the_minimum_takes_a_third() -> None:
    # 26 - 20 = 6 = (1 to 4) + (5 or more) has one answer: 1 + 5.
    assert suppress([1, 5, 20], 5).hidden == (True, True, True)


def test_ties_take_the_first_smallest() -> None:
    assert suppress([2, 9, 9], 5).hidden == (True, True, False)


def test_cells_hidden_by_the_caller_count_and_zeros_among_them_stay_shown() -> None:
    result = suppress([7, 0, 9, 30], 5, hidden=[0, 1])
    # 7 hidden alone is recoverable: the 9 goes with it; the zero stays a zero.
    assert result.hidden == (True, False, True, False)
    assert result.primary == (False, False, False, False)


def test_fixed_cells_are_never_picked_for_secondary_suppression() -> None:
    assert suppress([2, 6, 9], 5, fixed=[1]).hidden == (True, False, True)


def test_without_a_published_total_only_small_counts_are_hidden() -> None:
    result = suppress([2, 6, 9], 5, total_published=False)
    assert result.hidden == (True, False, False) and result.total_hidden


def test_minimum_of_one_hides_nothing() -> None:
    assert suppress([1, 2, 0], 1).hidden == (False, False, False)


@pytest.mark.parametrize("bad", [[-1, 3], [3, -2]])
def test_negative_counts_are_refused(bad: list[int]) -> None:
    with pytest.raises(ValueError, match="negative"):
        suppress(bad, 5)


def test_minimum_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        suppress([3], 0)


def test_shown_counts_have_their_own_value_as_range() -> None:
    result = suppress([2, 6, 9], 5)
    assert feasible_range(result, 2) == (9, 9)


def test_hidden_total_leaves_only_the_bounds_of_the_rule() -> None:
    result = suppress([4, 4, 0], 5)
    assert feasible_range(result, 0) == (1, 4)


# --------------------------------------------------------------------------------------------
# Property: what a reader who knows the rule can work out, by brute force


def _possible_values(result: Suppression) -> list[set[int]]:
    """For each cell, every value it could take given what is shown, by enumeration.

    The reader sees shown counts exactly, the total when it is shown, and for each hidden count
    whether it is small (1 to min - 1) or was hidden to protect another (at least min, at most
    the total).
    """
    limit = result.total
    choices: list[range] = []
    for n, hidden, primary in zip(result.counts, result.hidden, result.primary, strict=True):
        if not hidden:
            choices.append(range(n, n + 1))
        elif primary:
            choices.append(range(1, result.min_size))
        else:
            choices.append(range(result.min_size, max(limit, result.min_size) + 1))
    possible: list[set[int]] = [set() for _ in result.counts]
    for combination in itertools.product(*choices):
        if not result.total_hidden and sum(combination) != result.total:
            continue
        for index, value in enumerate(combination):
            possible[index].add(value)
    return possible


@settings(max_examples=400, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=5),
    min_size=st.integers(min_value=3, max_value=7),
)
def test_no_hidden_count_can_be_worked_out(counts: list[int], min_size: int) -> None:
    result = suppress(counts, min_size)
    # no shown count is small, and the shown total is not small
    for n, hidden in zip(result.counts, result.hidden, strict=True):
        assert hidden or not 0 < n < min_size
    assert result.total_hidden or not 0 < result.total < min_size
    possible = _possible_values(result)
    hidden_values = [n for n, h in zip(result.counts, result.hidden, strict=True) if h]
    for index, hidden in enumerate(result.hidden):
        if hidden:
            assert result.counts[index] in possible[index]
            assert len(possible[index]) >= 2, (counts, min_size, result)
            # the closed form agrees with the enumeration
            low, high = feasible_range(result, index)
            assert low == min(possible[index])
            if high is not None:
                assert high == max(possible[index])
    if hidden_values and not result.total_hidden:
        assert sum(hidden_values) >= min_size
    # zeros are never hidden
    assert not any(h and n == 0 for n, h in zip(result.counts, result.hidden, strict=True))
