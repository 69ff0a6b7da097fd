"""People: the checked table matching reads, one row per person, and each cohort's counts.

Codes and cohorts become integer ids (:class:`_PeopleIndex`) so that matching works on numbers;
a person's scores at each timepoint are spread into ``domain@timepoint`` columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from imheval.errors import DataFormatError, Problem
from imheval.io.table import RESERVED_COLUMNS, TIMEPOINTS
from imheval.scoring import ScoredTable

_META_COLUMNS: Final = ("programme", "directorate", "profession")


@dataclass(frozen=True, slots=True)
class _PeopleIndex:
    """Integer ids that let matching work on numbers instead of strings."""

    person: np.ndarray  # per row: the person's position in ``people`` (sorted cohort, code)
    person_cohort: np.ndarray  # per person: position of the cohort in ``cohorts``
    cohorts: tuple[str, ...]  # in order of first appearance
    person_codes: np.ndarray  # per person: the code (object array of str)
    person_code_rank: np.ndarray  # per person: the code's place among the codes sorted as text


def _index_people(frame: pd.DataFrame) -> _PeopleIndex:
    cohort_ids, cohort_names = pd.factorize(frame["cohort"])
    code_ids, code_names = pd.factorize(frame["participant"])
    # Rank codes alphabetically so people come out sorted by cohort, then code.
    order = np.argsort(np.asarray(code_names, dtype=str), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    n_codes = max(len(code_names), 1)
    key = cohort_ids.astype(np.int64) * n_codes + rank[code_ids]
    person_keys, person = np.unique(key, return_inverse=True)
    ranked_codes = np.asarray(code_names, dtype=object)[order]
    return _PeopleIndex(
        person=person.astype(np.int64),
        person_cohort=person_keys // n_codes,
        cohorts=tuple(str(c) for c in cohort_names),
        person_codes=ranked_codes[person_keys % n_codes],
        person_code_rank=person_keys % n_codes,
    )


def _validated_frame(
    scored: ScoredTable, domain_ids: tuple[str, ...]
) -> tuple[pd.DataFrame, _PeopleIndex]:
    """The columns matching needs, as plain text / float, after checking the contract."""
    frame = scored.frame
    source = scored.source
    missing = [c for c in (*RESERVED_COLUMNS, *domain_ids) if c not in frame.columns]
    if missing:
        raise DataFormatError(
            [Problem(source, "a column matching needs is missing", column=c) for c in missing]
        )
    work = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for column in RESERVED_COLUMNS:
        # The reader has already trimmed text; only missing values need a uniform form. Its
        # text columns are copied as they are (by position: the frame's index may differ).
        values = frame[column]
        if values.dtype != "str" or values.hasnans:
            values = pd.Series(values.to_numpy(), dtype="str").fillna("")
        work[column] = values.array.copy()
    if "source_row" in frame.columns:
        work["source_row"] = frame["source_row"].to_numpy()
    else:
        # Without the reader's row numbers, the header-is-row-1 convention still locates rows.
        work["source_row"] = np.arange(2, len(frame) + 2)
    for domain in domain_ids:
        work[domain] = pd.to_numeric(frame[domain], errors="coerce").to_numpy(dtype=np.float64)
    # each distinct timepoint text looked up once (-1: not a timepoint)
    codes, uniques = pd.factorize(work["timepoint"])
    positions = {t: i for i, t in enumerate(TIMEPOINTS)}
    known = np.array([positions.get(str(u), -1) for u in uniques] + [-1], dtype=np.int64)
    work["tp"] = known[codes]

    problems: list[Problem] = []
    for column in ("participant", "cohort"):
        for row in work.loc[work[column] == "", "source_row"]:
            problems.append(Problem(source, f"the {column} is empty", row=int(row), column=column))
    unknown = work["tp"] < 0
    for row, value in zip(
        work.loc[unknown, "source_row"], work.loc[unknown, "timepoint"], strict=True
    ):
        problems.append(
            Problem(
                source,
                f"timepoint '{value}' is not one of {', '.join(TIMEPOINTS)}",
                row=int(row),
                column="timepoint",
            )
        )
    index = _index_people(work)
    repeated = pd.Series(index.person * len(TIMEPOINTS) + work["tp"].to_numpy()).duplicated()
    repeated_rows = repeated.to_numpy() & ~unknown.to_numpy()
    for row, code, cohort, timepoint in zip(
        work.loc[repeated_rows, "source_row"],
        work.loc[repeated_rows, "participant"],
        work.loc[repeated_rows, "cohort"],
        work.loc[repeated_rows, "timepoint"],
        strict=True,
    ):
        problems.append(
            Problem(
                source,
                f"code '{code}' appears more than once at {timepoint} in cohort '{cohort}'",
                row=int(row),
                column="participant",
            )
        )
    if problems:
        raise DataFormatError(problems)
    return work, index


# --------------------------------------------------------------------------------------------
# People and cohorts
# --------------------------------------------------------------------------------------------


def _build_people(
    frame: pd.DataFrame, index: _PeopleIndex, domain_ids: tuple[str, ...]
) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """The people table, and the codes of its cohort, programme, directorate and profession
    (see :func:`_sorted_codes`)."""
    person = index.person
    n_people = len(index.person_codes)
    tp = frame["tp"].to_numpy()
    # Text columns are made by taking from their few distinct values, not from a Python string
    # per person.
    people = pd.DataFrame(
        {
            "cohort": pd.Series(_text(index.cohorts).take(index.person_cohort)),
            "participant": pd.Series(index.person_codes, dtype="str"),
        }
    )
    codes_of = {"cohort": _sorted_codes(index.person_cohort, index.cohorts)}
    # Rows by person, then timepoint: the first recorded value of a person is the earliest.
    by_person_time = np.lexsort((tp, person))
    owner = person[by_person_time]
    for column in _META_COLUMNS:
        codes, uniques = pd.factorize(frame[column])
        names = [str(u) for u in uniques]
        # a person with no recorded value takes the "" at the end
        chosen = np.full(n_people, len(names), dtype=np.int64)
        ordered = codes[by_person_time]
        recorded = ordered != names.index("") if "" in names else np.ones(len(ordered), bool)
        owners, first = np.unique(owner[recorded], return_index=True)
        chosen[owners] = ordered[recorded][first]
        people[column] = pd.Series(_text([*names, ""]).take(chosen))
        codes_of[column] = _sorted_codes(chosen, [*names, ""])

    present = np.zeros((n_people, len(TIMEPOINTS)), dtype=bool)
    present[person, tp] = True
    for position, timepoint in enumerate(TIMEPOINTS):
        people[f"present_{timepoint}"] = present[:, position]
    for domain in domain_ids:
        scores = np.full((n_people, len(TIMEPOINTS)), np.nan, dtype=np.float64)
        # (person, timepoint) is unique after validation, so this assignment has no collisions.
        scores[person, tp] = frame[domain].to_numpy(dtype=np.float64)
        for position, timepoint in enumerate(TIMEPOINTS):
            people[f"{domain}@{timepoint}"] = scores[:, position]
    return people, codes_of


def _sorted_codes(codes: np.ndarray, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``codes`` (positions in ``texts``) as codes into the texts they use, sorted as Python
    sorts text (the order of ``np.unique``), and those texts (an object array)."""
    used = np.flatnonzero(np.bincount(codes, minlength=len(texts)))
    names, order = np.unique(np.asarray(texts, dtype=object)[used], return_inverse=True)
    renumber = np.full(len(texts), -1, dtype=np.int64)
    renumber[used] = np.asarray(order, dtype=np.int64)
    return renumber[codes], np.asarray(names, dtype=object)


def _text(values: object) -> pd.api.extensions.ExtensionArray:
    """``values`` as pandas' text array (the ``str`` dtype), to take people's values from."""
    text: pd.api.extensions.ExtensionArray = pd.array(np.asarray(values, dtype=object), dtype="str")
    return text


def _cohort_summary(frame: pd.DataFrame, index: _PeopleIndex, people: pd.DataFrame) -> pd.DataFrame:
    n_cohorts = len(index.cohorts)
    person_cohort = index.person_cohort
    pre = people["present_pre"].to_numpy()
    post = people["present_post"].to_numpy()
    followup = people["present_followup"].to_numpy()
    summary = pd.DataFrame(
        {
            "cohort": pd.Series(index.cohorts, dtype="str"),
            "programme": pd.Series(_cohort_programmes(frame, index), dtype="str"),
        }
    )
    flags = {
        "n_pre": pre,
        "n_post": post,
        "n_followup": followup,
        "n_matched": pre & post,
        "n_pre_only": pre & ~post,
        "n_post_only": post & ~pre,
        "n_followup_matched": pre & post & followup,
    }
    for column, flag in flags.items():
        summary[column] = np.bincount(person_cohort[flag], minlength=n_cohorts).astype(np.int64)
    return summary


def _cohort_programmes(frame: pd.DataFrame, index: _PeopleIndex) -> list[str]:
    """Most common non-empty programme of each cohort's rows; ties go to the alphabetically
    first; "" when no row names one."""
    recorded = (frame["programme"] != "").to_numpy()
    if not recorded.any():
        return [""] * len(index.cohorts)
    cohort_of_row = index.person_cohort[index.person]
    tally = (
        pd.DataFrame({"cohort": cohort_of_row[recorded], "programme": frame["programme"][recorded]})
        .groupby(["cohort", "programme"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["cohort", "n", "programme"], ascending=[True, False, True])
        .drop_duplicates("cohort")
    )
    programmes = [""] * len(index.cohorts)
    for cohort, programme in zip(tally["cohort"], tally["programme"], strict=True):
        programmes[int(cohort)] = str(programme)
    return programmes


def _duplicate_codes(index: _PeopleIndex) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each code used in more than one cohort, with those cohorts; sorted by code, then cohort
    (as Python sorts text)."""
    rank = index.person_code_rank
    repeated = np.flatnonzero(np.bincount(rank)[rank] > 1)
    if not repeated.size:
        return ()
    cohort_names = np.asarray(index.cohorts, dtype=object)
    cohort_rank = np.empty(len(cohort_names), dtype=np.int64)
    cohort_rank[np.argsort(np.asarray(index.cohorts, dtype=str), kind="stable")] = np.arange(
        len(cohort_names)
    )
    person_cohort = index.person_cohort[repeated]
    order = np.lexsort((cohort_rank[person_cohort], rank[repeated]))
    chosen = repeated[order]
    # plain lists, as element access to arrays is slow in a loop
    codes = index.person_codes[chosen].tolist()
    cohorts = cohort_names[index.person_cohort[chosen]].tolist()
    starts = [0, *(np.flatnonzero(np.diff(rank[chosen]) != 0) + 1).tolist()]
    ends = [*starts[1:], len(chosen)]
    return tuple(
        (str(codes[start]), tuple(str(c) for c in cohorts[start:end]))
        for start, end in zip(starts, ends, strict=True)
    )


def _timepoint_names(mask: int) -> str:
    return " and ".join(t for i, t in enumerate(TIMEPOINTS) if (mask >> i) & 1)


def _lowest_timepoint(mask: int) -> int:
    return (mask & -mask).bit_length() - 1
