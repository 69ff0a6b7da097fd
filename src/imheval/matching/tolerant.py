"""Tolerant search: pairs of codes that are probably one person, listed for a person to confirm.

Two rules: one character different (optimal string alignment distance 1) or one code part
different, within a cohort, between an earlier and a later timepoint, with the same profession and
directorate. Candidates come from deletion neighbourhoods, so the search never compares every
pair of codes.
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd

from imheval.io.table import TIMEPOINTS
from imheval.matching.people import (
    _lowest_timepoint,
    _PeopleIndex,
)
from imheval.matching.results import (
    CONFIRMED,
    ONE_CHARACTER,
    ONE_PART,
    ProbableMatch,
)

#: Characters that split a code into parts (whitespace is already removed by normalisation).
CODE_PART_SEPARATORS: Final = "-_./"
_SEPARATOR_PATTERN: Final = r"[-_./]"

#: Earlier -> later timepoint pairs searched in tolerant mode, in this order.
_TIMEPOINT_PAIRS: Final = ((0, 1), (0, 2), (1, 2))


def one_character_apart(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with one character substituted, inserted or deleted, or two
    adjacent characters swapped (optimal string alignment distance 1)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(differ) == 1:
            return True
        return (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and a[differ[0]] == b[differ[1]]
            and a[differ[1]] == b[differ[0]]
        )
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(shorter) and shorter[i] == longer[i]:
        i += 1
    return shorter[i:] == longer[i + 1 :]


def one_part_apart(a: str, b: str) -> bool:
    """True when both codes have separators (``- _ . /``), the same number of parts, and
    exactly one part differs."""
    parts_a = re.split(_SEPARATOR_PATTERN, a)
    parts_b = re.split(_SEPARATOR_PATTERN, b)
    if len(parts_a) < 2 or len(parts_a) != len(parts_b):
        return False
    return sum(int(x != y) for x, y in zip(parts_a, parts_b, strict=True)) == 1


def _comparison_key(values: pd.Series) -> pd.Series:
    """Profession / directorate as compared: case and spacing do not matter."""
    return values.str.replace(r"\s+", " ", regex=True).str.strip().str.casefold()


def _probable_matches(
    frame: pd.DataFrame, index: _PeopleIndex, people: pd.DataFrame
) -> tuple[ProbableMatch, ...]:
    """Pairs of codes (not yet linked) that are one character or one part apart.

    Candidates are found by joining on a blocking key, never by comparing all codes with all
    codes: the block is (cohort, profession, directorate), and within it the join key is either
    a code with one position deleted (its "deletion neighbourhood", which pairs substitutions,
    insertions, deletions and adjacent swaps) or the code with one part masked.
    """
    person_mask = np.zeros(len(people), dtype=np.int64)
    for position, timepoint in enumerate(TIMEPOINTS):
        person_mask |= people[f"present_{timepoint}"].to_numpy().astype(np.int64) << position
    mask = person_mask[index.person]
    tp = frame["tp"].to_numpy()

    found: list[pd.DataFrame] = []
    for order, (t1, t2) in enumerate(_TIMEPOINT_PAIRS):
        # Records at t1 whose person has nothing at t2, and the other way round.
        in_earlier = (tp == t1) & (((mask >> t2) & 1) == 0)
        in_later = (tp == t2) & (((mask >> t1) & 1) == 0)
        if not in_earlier.any() or not in_later.any():
            continue
        pool = frame.loc[
            in_earlier | in_later, ["cohort", "participant", "profession", "directorate"]
        ]
        pool["mask"] = mask[in_earlier | in_later]
        pool["is_earlier"] = in_earlier[in_earlier | in_later]
        profession_key = _comparison_key(pool["profession"])
        directorate_key = _comparison_key(pool["directorate"])
        block = pool["cohort"] + "\x1f" + profession_key + "\x1f" + directorate_key
        pool["block"] = pd.factorize(block)[0]  # joining on integers is much faster
        pool = pool[((profession_key != "") & (directorate_key != "")).to_numpy()]
        is_earlier = pool["is_earlier"].to_numpy(dtype=bool)
        earlier = pool[is_earlier]
        later = pool[~is_earlier]
        earlier = earlier[earlier["block"].isin(later["block"])]
        later = later[later["block"].isin(earlier["block"])]
        if earlier.empty or later.empty:
            continue
        candidates = _candidate_pairs(earlier, later)
        if candidates.empty:
            continue
        candidates["pair_order"] = order
        found.append(candidates)
    if not found:
        return ()
    pairs = pd.concat(found, ignore_index=True)
    # A merge must leave one record per timepoint, and the earlier code must come first.
    mask_e = pairs["mask_e"].to_numpy()
    mask_l = pairs["mask_l"].to_numpy()
    valid = ((mask_e & mask_l) == 0) & ((mask_e & -mask_e) < (mask_l & -mask_l))
    pairs = pairs[valid]
    # The joins only propose; each rule is confirmed on the (few) proposed pairs.
    rules = (one_character_apart, one_part_apart)
    confirmed = [
        rules[int(rank)](str(code_e), str(code_l))
        for code_e, code_l, rank in zip(
            pairs["code_e"], pairs["code_l"], pairs["reason_rank"], strict=True
        )
    ]
    pairs = pairs[np.array(confirmed, dtype=bool)]
    if pairs.empty:
        return ()
    pairs = pairs.sort_values(["reason_rank", "pair_order"], kind="stable").drop_duplicates(
        ["cohort", "code_e", "code_l"]
    )
    per_earlier = pairs.groupby(["cohort", "code_e"])["code_l"].transform("size")
    per_later = pairs.groupby(["cohort", "code_l"])["code_e"].transform("size")
    pairs["ambiguous"] = (per_earlier > 1) | (per_later > 1)
    pairs["cohort_rank"] = pd.Categorical(pairs["cohort"], categories=list(index.cohorts)).codes
    pairs = pairs.sort_values(["cohort_rank", "code_e", "code_l"])
    reasons = (ONE_CHARACTER, ONE_PART)
    return tuple(
        ProbableMatch(
            cohort=str(cohort),
            earlier_timepoint=TIMEPOINTS[_lowest_timepoint(int(m_e))],
            earlier_code=str(code_e),
            later_timepoint=TIMEPOINTS[_lowest_timepoint(int(m_l))],
            later_code=str(code_l),
            reason=reasons[int(rank)],
            profession=str(profession),
            directorate=str(directorate),
            ambiguous=bool(ambiguous),
        )
        for cohort, code_e, code_l, m_e, m_l, rank, profession, directorate, ambiguous in zip(
            pairs["cohort"],
            pairs["code_e"],
            pairs["code_l"],
            pairs["mask_e"],
            pairs["mask_l"],
            pairs["reason_rank"],
            pairs["profession_e"],
            pairs["directorate_e"],
            pairs["ambiguous"],
            strict=True,
        )
    )


def _candidate_pairs(earlier: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """Earlier x later record pairs within a block that one of the two rules accepts."""
    earlier = earlier.reset_index(drop=True)
    later = later.reset_index(drop=True)
    char_pairs = _one_character_pairs(earlier, later)
    char_pairs["reason_rank"] = 0
    part_pairs = _one_part_pairs(earlier, later)
    part_pairs["reason_rank"] = 1
    row_pairs = pd.concat([char_pairs, part_pairs], ignore_index=True)
    if row_pairs.empty:
        return pd.DataFrame()
    e = row_pairs["row_e"].to_numpy()
    la = row_pairs["row_l"].to_numpy()
    return pd.DataFrame(
        {
            "cohort": earlier["cohort"].to_numpy()[e],
            "code_e": earlier["participant"].to_numpy()[e],
            "code_l": later["participant"].to_numpy()[la],
            "mask_e": earlier["mask"].to_numpy()[e],
            "mask_l": later["mask"].to_numpy()[la],
            "profession_e": earlier["profession"].to_numpy()[e],
            "directorate_e": earlier["directorate"].to_numpy()[e],
            "reason_rank": row_pairs["reason_rank"].to_numpy(),
        }
    )


def _deletion_neighbourhood(records: pd.DataFrame) -> pd.DataFrame:
    """Each code itself (pos -1) and with each single position deleted (pos i), per block."""
    codes = records["participant"]
    lengths = codes.str.len().to_numpy()
    rows = np.arange(len(records))
    blocks = records["block"].to_numpy()
    parts = [pd.DataFrame({"row": rows, "pos": -1, "block": blocks, "key": codes.to_numpy()})]
    for position in range(int(lengths.max()) if len(lengths) else 0):
        long_enough = lengths > position
        subset = codes[long_enough]
        parts.append(
            pd.DataFrame(
                {
                    "row": rows[long_enough],
                    "pos": position,
                    "block": blocks[long_enough],
                    "key": (
                        subset.str.slice(0, position) + subset.str.slice(position + 1)
                    ).to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _one_character_pairs(earlier: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    joined = _deletion_neighbourhood(earlier).merge(
        _deletion_neighbourhood(later), on=["block", "key"], suffixes=("_e", "_l")
    )
    pos_e = joined["pos_e"].to_numpy()
    pos_l = joined["pos_l"].to_numpy()
    # Full code vs code with one deletion: an insertion or deletion. Same position deleted from
    # two equal-length codes: a substitution. Neighbouring positions: maybe a swap (checked).
    certain = ((pos_e == -1) != (pos_l == -1)) | ((pos_e == pos_l) & (pos_e >= 0))
    maybe_swap = (pos_e >= 0) & (pos_l >= 0) & (np.abs(pos_e - pos_l) == 1)
    swaps = joined[maybe_swap]
    codes_e = earlier["participant"].to_numpy()
    codes_l = later["participant"].to_numpy()
    swap_ok = np.array(
        [
            one_character_apart(str(codes_e[e]), str(codes_l[la]))
            for e, la in zip(swaps["row_e"], swaps["row_l"], strict=True)
        ],
        dtype=bool,
    )
    kept = pd.concat(
        [joined.loc[certain, ["row_e", "row_l"]], swaps.loc[swap_ok, ["row_e", "row_l"]]]
    )
    unique_pairs: pd.DataFrame = kept.drop_duplicates().reset_index(drop=True)
    return unique_pairs


def _one_part_pairs(earlier: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    def masked_keys(records: pd.DataFrame) -> pd.DataFrame:
        codes = records["participant"]
        has_separator = codes.str.contains(_SEPARATOR_PATTERN, regex=True).to_numpy()
        if not has_separator.any():
            return pd.DataFrame(columns=["row", "block", "position", "key", "part"])
        rows = np.arange(len(records))[has_separator]
        split = codes[has_separator].str.split(_SEPARATOR_PATTERN, regex=True, expand=True)
        n_parts = split.notna().sum(axis=1).to_numpy()
        split = split.fillna("")
        prefix = pd.Series(n_parts.astype(str), index=split.index)
        keyed: list[pd.DataFrame] = []
        for masked in split.columns:
            key = prefix
            for column in split.columns:
                # Control characters cannot be typed into a code; NUL is avoided because some
                # string hashing stops at it. Padding beyond a code's own parts is left out, so
                # keys do not depend on the longest code in the pool.
                part = split[column] if column != masked else pd.Series("\x1e", index=split.index)
                key = key + ("\x1f" + part).where(n_parts > int(column), "")
            has_part = n_parts > int(masked)
            keyed.append(
                pd.DataFrame(
                    {
                        "row": rows[has_part],
                        "block": records["block"].to_numpy()[rows[has_part]],
                        "position": int(masked),
                        "key": key[has_part].to_numpy(),
                        "part": split[masked][has_part].to_numpy(),
                    }
                )
            )
        return pd.concat(keyed, ignore_index=True)

    keys_e = masked_keys(earlier)
    keys_l = masked_keys(later)
    if keys_e.empty or keys_l.empty:
        return pd.DataFrame({"row_e": [], "row_l": []}, dtype=np.int64)
    joined = keys_e.merge(keys_l, on=["block", "position", "key"], suffixes=("_e", "_l"))
    # Same key with the same masked part means every part is equal: not one part different.
    joined = joined[joined["part_e"] != joined["part_l"]]
    return joined[["row_e", "row_l"]].drop_duplicates().reset_index(drop=True)


def match_reason(earlier: str, later: str) -> str:
    """Why two codes are listed as one person: :data:`ONE_CHARACTER`, :data:`ONE_PART`, or
    :data:`CONFIRMED` when neither rule would have proposed them."""
    if one_character_apart(earlier, later):
        return ONE_CHARACTER
    if one_part_apart(earlier, later):
        return ONE_PART
    return CONFIRMED
