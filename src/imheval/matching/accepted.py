"""Accepted matches: code pairs a person confirmed, checked, then merged under the earlier code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from imheval.io.table import TIMEPOINTS, normalise_code
from imheval.matching.people import (
    _lowest_timepoint,
    _timepoint_names,
)
from imheval.matching.results import (
    AcceptedMatchError,
    ProbableMatch,
)
from imheval.matching.tolerant import match_reason


@dataclass(frozen=True, slots=True)
class _Merges:
    renames: Mapping[tuple[str, str], str]  # (cohort, code) -> code it is merged under
    listed: tuple[ProbableMatch, ...]


def _resolve_accepted(frame: pd.DataFrame, accepted: Iterable[tuple[str, str, str]]) -> _Merges:
    """Check every confirmed pair against the data and work out which codes to rename."""
    triples: list[tuple[str, str, str]] = []
    for triple in accepted:
        if len(triple) != 3:
            raise AcceptedMatchError(
                f"an accepted match must be (cohort, earlier code, later code), got {triple!r}"
            )
        cohort, earlier, later = triple
        entry = (str(cohort).strip(), normalise_code(earlier), normalise_code(later))
        if entry not in triples:
            triples.append(entry)
    if not triples:
        return _Merges({}, ())

    named = {(c, code) for c, e, la in triples for code in (e, la)}
    named_codes = {code for _, code in named}
    subset = frame.loc[
        frame["participant"].isin(named_codes),
        ["cohort", "participant", "tp", "programme", "directorate", "profession"],
    ].sort_values("tp", kind="stable")
    masks: dict[tuple[str, str], int] = {}
    meta: dict[tuple[str, str], tuple[str, str]] = {}
    for cohort, code, tp, directorate, profession in zip(
        subset["cohort"],
        subset["participant"],
        subset["tp"],
        subset["directorate"],
        subset["profession"],
        strict=True,
    ):
        key = (str(cohort), str(code))
        if key not in named:
            continue
        masks[key] = masks.get(key, 0) | (1 << int(tp))
        old_profession, old_directorate = meta.get(key, ("", ""))
        meta[key] = (old_profession or str(profession), old_directorate or str(directorate))
    cohorts = set(frame["cohort"].unique())

    root: dict[tuple[str, str], tuple[str, str]] = {}
    group_mask: dict[tuple[str, str], int] = {}

    def find(key: tuple[str, str]) -> tuple[str, str]:
        while root.get(key, key) != key:
            key = root[key]
        return key

    errors: list[str] = []
    listed: list[ProbableMatch] = []
    for cohort, earlier, later in sorted(triples):
        where = f"accepted match {earlier} -> {later} in cohort '{cohort}'"
        if cohort not in cohorts:
            errors.append(f"{where}: cohort '{cohort}' is not in the data")
            continue
        absent = [c for c in (earlier, later) if (cohort, c) not in masks]
        if absent:
            errors.append(f"{where}: code {' and '.join(absent)} does not appear in that cohort")
            continue
        if earlier == later:
            errors.append(f"{where}: the two codes are the same")
            continue
        if shared := masks[(cohort, earlier)] & masks[(cohort, later)]:
            errors.append(
                f"{where}: both codes have a record at {_timepoint_names(shared)}, "
                "so they cannot be one person"
            )
            continue
        first_earlier = _lowest_timepoint(masks[(cohort, earlier)])
        first_later = _lowest_timepoint(masks[(cohort, later)])
        if first_earlier >= first_later:
            errors.append(
                f"{where}: {earlier} is first used at {TIMEPOINTS[first_earlier]}, "
                f"not before {later} (first used at {TIMEPOINTS[first_later]})"
            )
            continue
        earlier_root, later_root = find((cohort, earlier)), find((cohort, later))
        if earlier_root == later_root:
            continue  # already linked through other accepted pairs
        earlier_mask = group_mask.get(earlier_root, masks[earlier_root])
        later_mask = group_mask.get(later_root, masks[later_root])
        clash = earlier_mask & later_mask
        if clash:
            errors.append(
                f"{where}: codes already merged with these have a record at "
                f"{_timepoint_names(clash)}, so they cannot be one person"
            )
            continue
        # The merged person keeps the code of whichever group was seen first.
        if _lowest_timepoint(later_mask) < _lowest_timepoint(earlier_mask):
            earlier_root, later_root = later_root, earlier_root
        root[later_root] = earlier_root
        group_mask[earlier_root] = earlier_mask | later_mask
        profession, directorate = meta[(cohort, earlier)]
        later_profession, later_directorate = meta[(cohort, later)]
        listed.append(
            ProbableMatch(
                cohort=cohort,
                earlier_timepoint=TIMEPOINTS[first_earlier],
                earlier_code=earlier,
                later_timepoint=TIMEPOINTS[first_later],
                later_code=later,
                reason=match_reason(earlier, later),
                profession=profession or later_profession,
                directorate=directorate or later_directorate,
            )
        )
    if errors:
        raise AcceptedMatchError("\n".join(errors))
    renames = {key: find(key)[1] for key in root}
    return _Merges(renames, tuple(listed))


def _apply_renames(frame: pd.DataFrame, renames: Mapping[tuple[str, str], str]) -> pd.DataFrame:
    affected = frame["participant"].isin({code for _, code in renames})
    rows = frame.index[affected]
    new_codes = [
        renames.get((str(cohort), str(code)), str(code))
        for cohort, code in zip(
            frame.loc[rows, "cohort"], frame.loc[rows, "participant"], strict=True
        )
    ]
    renamed = frame.copy()
    renamed.loc[rows, "participant"] = new_codes
    return renamed
