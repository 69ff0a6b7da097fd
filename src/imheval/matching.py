"""Matching anonymous codes across pre, post and follow-up, within a cohort.

Participants choose a self-generated identification code (SGIC) from prompts only they can
answer; the same code at different timepoints of one cohort is taken to be the same person
(*exact* matching). People mistype their code, so *tolerant* mode also lists pairs of codes that
are probably one person (one character or one code part different, same profession and
directorate). Probable matches are only listed, never merged: a person confirms them (see
:func:`to_review_csv` and :func:`read_accepted_csv`) and passes them back as ``accepted``.

:func:`matching_bias` compares people who came back at post with those who did not.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError, DataFormatError, ImhevalError, Problem
from imheval.io.csvsafe import neutralise_row, restore_cell
from imheval.io.table import RESERVED_COLUMNS, TIMEPOINTS, normalise_code
from imheval.scoring import DomainInfo, ScoredTable

MatchMode = Literal["exact", "tolerant"]

#: Reasons a pair of codes is listed as a probable match.
ONE_CHARACTER: Final = "one character different"
ONE_PART: Final = "one code part different"
#: Reason recorded for an accepted pair that neither rule would have proposed.
CONFIRMED: Final = "confirmed by a person"

#: Characters that split a code into parts (whitespace is already removed by normalisation).
CODE_PART_SEPARATORS: Final = "-_./"
_SEPARATOR_PATTERN: Final = r"[-_./]"

#: Earlier -> later timepoint pairs searched in tolerant mode, in this order.
_TIMEPOINT_PAIRS: Final = ((0, 1), (0, 2), (1, 2))

#: Columns of the review CSV, in order (``ambiguous`` says a code has more than one candidate).
REVIEW_COLUMNS: Final = (
    "cohort",
    "earlier_timepoint",
    "earlier_code",
    "later_timepoint",
    "later_code",
    "reason",
    "ambiguous",
    "accept",
)
_ACCEPT_YES: Final = frozenset({"yes", "y", "true", "1"})
_ACCEPT_NO: Final = frozenset({"", "no", "n", "false", "0"})

_META_COLUMNS: Final = ("programme", "directorate", "profession")


class AcceptedMatchError(ImhevalError, ValueError):
    """Raised when a confirmed match names codes that cannot be one person in that cohort."""


@dataclass(frozen=True, slots=True)
class ProbableMatch:
    """Two codes in one cohort that probably belong to one person; a person must confirm.

    ``earlier_timepoint`` / ``later_timepoint`` are the first timepoints at which each code was
    used. ``ambiguous`` is True when either code has two or more candidates, so the reviewer
    must choose (accepting two candidates for one code at the same timepoint is an error).
    """

    cohort: str
    earlier_timepoint: str
    earlier_code: str
    later_timepoint: str
    later_code: str
    reason: str  # "one character different" | "one code part different"
    profession: str
    directorate: str
    ambiguous: bool = False


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome of matching.

    ``people``: one row per person (cohort + participant code; accepted probable matches are
    merged under the earlier code), columns: cohort, participant, programme, directorate,
    profession, ``present_pre``, ``present_post``, ``present_followup`` (bool) and, for every
    domain d and timepoint t, a float column ``f"{d}@{t}"`` (NaN = not measured).
    ``cohorts``: one row per cohort: cohort, programme, n_pre, n_post, n_followup,
    n_matched (pre and post), n_pre_only, n_post_only, n_followup_matched (pre, post and
    follow-up).

    Details: programme, directorate and profession of a person come from the earliest timepoint
    at which each is non-empty ("" if never recorded). A cohort's programme is its most common
    non-empty programme (ties: alphabetical first). ``n_pre_only`` counts people present at pre
    but not at post, ``n_post_only`` those present at post but not at pre (whatever happened at
    follow-up), so ``n_pre == n_matched + n_pre_only``. Cohorts are in order of first appearance
    in the data; people are sorted by cohort, then code.

    ``row_person`` gives, for each row of the scored table (by position), the position of its
    person in ``people``; :meth:`rows_at` turns it round, so item-level answers can be paired.
    """

    people: pd.DataFrame
    cohorts: pd.DataFrame
    mode: MatchMode
    probable_matches: tuple[ProbableMatch, ...]
    accepted_matches: tuple[ProbableMatch, ...]
    duplicate_codes: tuple[tuple[str, tuple[str, ...]], ...]  # (code, cohorts it appears in)
    row_person: np.ndarray = field(
        default_factory=lambda: np.empty(0, dtype=np.int64), repr=False, compare=False
    )
    row_timepoint: np.ndarray = field(
        default_factory=lambda: np.empty(0, dtype=object), repr=False, compare=False
    )

    def rows_at(self, timepoint: str) -> np.ndarray:
        """Per person (in ``people`` order), the position of their row at ``timepoint`` in the
        scored table, or -1 when they have none."""
        rows = np.full(len(self.people), -1, dtype=np.int64)
        at = np.flatnonzero(self.row_timepoint == timepoint)
        rows[self.row_person[at]] = at
        return rows

    def pairs(self, domain: str, first: str = "pre", second: str = "post") -> pd.DataFrame:
        """Complete pairs for one domain: cohort, programme, directorate, profession,
        participant, ``first``, ``second`` (floats, no NaN).

        Only people with a score at both timepoints are returned. Raises
        :class:`~imheval.errors.AnalysisError` for an unknown domain or timepoint, or when
        ``first == second``.
        """
        for timepoint in (first, second):
            if timepoint not in TIMEPOINTS:
                raise AnalysisError(
                    f"unknown timepoint '{timepoint}': use one of {', '.join(TIMEPOINTS)}"
                )
        if first == second:
            raise AnalysisError(f"a pair needs two different timepoints, got '{first}' twice")
        first_column, second_column = f"{domain}@{first}", f"{domain}@{second}"
        if first_column not in self.people.columns:
            known = sorted({c.split("@")[0] for c in self.people.columns if "@" in c})
            raise AnalysisError(
                f"no domain '{domain}' in the matched data (domains: {', '.join(known) or 'none'})"
            )
        first_values = self.people[first_column].to_numpy(dtype=np.float64)
        second_values = self.people[second_column].to_numpy(dtype=np.float64)
        complete = ~np.isnan(first_values) & ~np.isnan(second_values)
        chosen: pd.DataFrame = self.people.loc[
            complete, ["cohort", "programme", "directorate", "profession", "participant"]
        ].reset_index(drop=True)
        chosen[first] = first_values[complete]
        chosen[second] = second_values[complete]
        return chosen


# --------------------------------------------------------------------------------------------
# match()
# --------------------------------------------------------------------------------------------


def match(
    scored: ScoredTable,
    mode: MatchMode = "exact",
    accepted: Iterable[tuple[str, str, str]] = (),
) -> MatchResult:
    """Link codes across timepoints within each cohort.

    ``accepted`` holds (cohort, earlier_code, later_code) triples a person has confirmed
    (e.g. from a previous run's probable-match list); only those are merged, under the earlier
    code. They need not have been proposed by tolerant mode.

    Raises :class:`~imheval.errors.DataFormatError` when the frame lacks a reserved column or a
    domain column, has an unknown timepoint, an empty code or cohort, or a code twice at one
    timepoint of a cohort; :class:`AcceptedMatchError` (listing every bad triple) when an
    accepted pair names a cohort or code that is not in the data, two codes used at the same
    timepoint, or an "earlier" code first used after the later one;
    :class:`~imheval.errors.AnalysisError` for an unknown ``mode``.
    """
    if mode not in ("exact", "tolerant"):
        raise AnalysisError(f"unknown matching mode '{mode}': use 'exact' or 'tolerant'")
    domain_ids = tuple(info.id for info in scored.domains)
    frame, index = _validated_frame(scored, domain_ids)

    merges = _resolve_accepted(frame, accepted)
    if merges.renames:
        frame = _apply_renames(frame, merges.renames)
        index = _index_people(frame)

    people = _build_people(frame, index, domain_ids)
    cohorts = _cohort_summary(frame, index, people)
    probable: tuple[ProbableMatch, ...] = ()
    if mode == "tolerant":
        probable = _probable_matches(frame, index, people)
    return MatchResult(
        people=people,
        cohorts=cohorts,
        mode=mode,
        probable_matches=probable,
        accepted_matches=merges.listed,
        duplicate_codes=_duplicate_codes(people),
        row_person=index.person,
        row_timepoint=frame["timepoint"].to_numpy(dtype=object),
    )


@dataclass(frozen=True, slots=True)
class _PeopleIndex:
    """Integer ids that let matching work on numbers instead of strings."""

    person: np.ndarray  # per row: the person's position in ``people`` (sorted cohort, code)
    person_cohort: np.ndarray  # per person: position of the cohort in ``cohorts``
    cohorts: tuple[str, ...]  # in order of first appearance
    person_codes: np.ndarray  # per person: the code (object array of str)


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
        # The reader has already trimmed text; only missing values need a uniform form.
        work[column] = pd.Series(frame[column].to_numpy(), dtype="str").fillna("")
    if "source_row" in frame.columns:
        work["source_row"] = frame["source_row"].to_numpy()
    else:
        # Without the reader's row numbers, the header-is-row-1 convention still locates rows.
        work["source_row"] = np.arange(2, len(frame) + 2)
    for domain in domain_ids:
        work[domain] = pd.to_numeric(frame[domain], errors="coerce").to_numpy(dtype=np.float64)
    positions = {t: i for i, t in enumerate(TIMEPOINTS)}
    work["tp"] = work["timepoint"].map(positions).fillna(-1).astype(np.int64)

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
) -> pd.DataFrame:
    person = index.person
    n_people = len(index.person_codes)
    tp = frame["tp"].to_numpy()
    people = pd.DataFrame(
        {
            "cohort": pd.Series(
                np.asarray(index.cohorts, dtype=object)[index.person_cohort],
                dtype="str",
            ),
            "participant": pd.Series(index.person_codes, dtype="str"),
        }
    )
    # Rows by person, then timepoint: the first recorded value of a person is the earliest.
    by_person_time = np.lexsort((tp, person))
    for column in _META_COLUMNS:
        values = np.full(n_people, "", dtype=object)
        text = frame[column].to_numpy(dtype=object)[by_person_time]
        owner = person[by_person_time]
        recorded = text != ""
        owners, first = np.unique(owner[recorded], return_index=True)
        values[owners] = text[recorded][first]
        people[column] = pd.Series(values, dtype="str")

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
    return people


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


def _duplicate_codes(people: pd.DataFrame) -> tuple[tuple[str, tuple[str, ...]], ...]:
    codes = people[["participant", "cohort"]]
    repeated = codes[codes["participant"].duplicated(keep=False)]
    if repeated.empty:
        return ()
    repeated = repeated.sort_values(["participant", "cohort"])
    cohorts_of: dict[str, list[str]] = {}
    for code, cohort in zip(repeated["participant"], repeated["cohort"], strict=True):
        cohorts_of.setdefault(str(code), []).append(str(cohort))
    return tuple((code, tuple(cohorts)) for code, cohorts in cohorts_of.items())


# --------------------------------------------------------------------------------------------
# Accepted matches
# --------------------------------------------------------------------------------------------


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


def _timepoint_names(mask: int) -> str:
    return " and ".join(t for i, t in enumerate(TIMEPOINTS) if (mask >> i) & 1)


def _lowest_timepoint(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


# --------------------------------------------------------------------------------------------
# Tolerant mode: probable matches
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Matching bias
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DomainBias:
    """Pre scores of one domain: people matched at post vs people seen only at pre.

    ``n_*`` count people with a pre score in this domain; means are None when a group has no
    score, SDs (sample, ddof=1) when it has fewer than two. ``mean_difference`` is matched minus
    unmatched (positive: those who came back had scored higher at pre).
    """

    domain: str
    n_matched: int
    mean_matched: float | None
    sd_matched: float | None
    n_unmatched: int
    mean_unmatched: float | None
    sd_unmatched: float | None
    mean_difference: float | None


@dataclass(frozen=True, slots=True)
class CategoryBias:
    """One directorate or profession: how many people in each group, and their percentage.

    ``category`` "" means not recorded. Percentages are of the group's people (None when the
    group is empty).
    """

    variable: str  # "directorate" | "profession"
    category: str
    n_matched: int
    percent_matched: float | None
    n_unmatched: int
    percent_unmatched: float | None


@dataclass(frozen=True, slots=True)
class MatchingBias:
    """How people present at pre who were matched at post differ from those who were not.

    ``n_matched`` / ``n_unmatched``: people present at pre with / without a post record (all
    cohorts together). ``domains``: pre-score summaries per domain. ``categories``: directorate
    and profession counts per group. :meth:`pre_scores` gives the raw arrays for a test.
    """

    n_matched: int
    n_unmatched: int
    domains: tuple[DomainBias, ...]
    categories: tuple[CategoryBias, ...]
    _pre_scores: Mapping[str, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )

    def pre_scores(self, domain: str) -> tuple[np.ndarray, np.ndarray]:
        """(matched, unmatched) pre scores of ``domain``, NaN removed, as float arrays (copies).

        Raises :class:`~imheval.errors.AnalysisError` for a domain that was not summarised.
        """
        if domain not in self._pre_scores:
            raise AnalysisError(
                f"no matching-bias summary for domain '{domain}' "
                f"(summarised: {', '.join(self._pre_scores) or 'none'})"
            )
        matched, unmatched = self._pre_scores[domain]
        return matched.copy(), unmatched.copy()


def matching_bias(result: MatchResult, domains: Iterable[str | DomainInfo]) -> MatchingBias:
    """Compare people present at pre who were matched at post with those who were not.

    ``domains``: domain ids (or :class:`~imheval.scoring.DomainInfo`) to summarise. Raises
    :class:`~imheval.errors.AnalysisError` for a domain with no ``@pre`` column.
    """
    people = result.people
    at_pre = people["present_pre"].to_numpy(dtype=bool)
    at_post = people["present_post"].to_numpy(dtype=bool)
    matched = at_pre & at_post
    unmatched = at_pre & ~at_post

    summaries: list[DomainBias] = []
    arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for entry in domains:
        domain = entry.id if isinstance(entry, DomainInfo) else str(entry)
        column = f"{domain}@pre"
        if column not in people.columns:
            raise AnalysisError(f"no domain '{domain}' in the matched data")
        pre = people[column].to_numpy(dtype=np.float64)
        scores_matched = pre[matched & ~np.isnan(pre)]
        scores_unmatched = pre[unmatched & ~np.isnan(pre)]
        arrays[domain] = (scores_matched, scores_unmatched)
        mean_m, sd_m = _mean_sd(scores_matched)
        mean_u, sd_u = _mean_sd(scores_unmatched)
        summaries.append(
            DomainBias(
                domain=domain,
                n_matched=len(scores_matched),
                mean_matched=mean_m,
                sd_matched=sd_m,
                n_unmatched=len(scores_unmatched),
                mean_unmatched=mean_u,
                sd_unmatched=sd_u,
                mean_difference=None if mean_m is None or mean_u is None else mean_m - mean_u,
            )
        )

    n_matched, n_unmatched = int(matched.sum()), int(unmatched.sum())
    categories: list[CategoryBias] = []
    for variable in ("directorate", "profession"):
        values = people[variable].fillna("").to_numpy(dtype=object)
        counts_m = pd.Series(values[matched]).value_counts()
        counts_u = pd.Series(values[unmatched]).value_counts()
        for category in sorted(set(counts_m.index) | set(counts_u.index), key=_category_order):
            in_m, in_u = int(counts_m.get(category, 0)), int(counts_u.get(category, 0))
            categories.append(
                CategoryBias(
                    variable=variable,
                    category=str(category),
                    n_matched=in_m,
                    percent_matched=_percent(in_m, n_matched),
                    n_unmatched=in_u,
                    percent_unmatched=_percent(in_u, n_unmatched),
                )
            )
    return MatchingBias(
        n_matched=n_matched,
        n_unmatched=n_unmatched,
        domains=tuple(summaries),
        categories=tuple(categories),
        _pre_scores=arrays,
    )


def _mean_sd(values: np.ndarray) -> tuple[float | None, float | None]:
    if len(values) == 0:
        return None, None
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, None
    return mean, float(np.std(values, ddof=1))


def _percent(count: int, total: int) -> float | None:
    return None if total == 0 else count / total * 100.0


def _category_order(category: object) -> tuple[bool, str]:
    return (category == "", str(category))


# --------------------------------------------------------------------------------------------
# Review CSV
# --------------------------------------------------------------------------------------------


def to_review_csv(result: MatchResult, path: str | Path) -> None:
    """Write the probable matches as a CSV for a person to review.

    Columns: see :data:`REVIEW_COLUMNS`. ``accept`` is blank; the reviewer writes ``yes`` for
    pairs that are one person, then passes the file to :func:`read_accepted_csv`. ``ambiguous``
    is ``yes`` when a code has more than one candidate. Written as UTF-8 with a byte-order mark
    so that spreadsheet programs open it correctly.
    """
    rows = (
        (
            probable.cohort,
            probable.earlier_timepoint,
            probable.earlier_code,
            probable.later_timepoint,
            probable.later_code,
            probable.reason,
            "yes" if probable.ambiguous else "",
            "",
        )
        for probable in result.probable_matches
    )
    Path(path).write_text(review_csv_text(rows), encoding="utf-8-sig", newline="")


def review_csv_text(rows: Iterable[Sequence[str]]) -> str:
    """A review CSV as text: the :data:`REVIEW_COLUMNS` header, then ``rows`` in that order.

    Shared by :func:`to_review_csv` and by writers of decisions already made (``accept`` yes or
    no), so every review file :func:`read_accepted_csv` reads has one layout. Lines end in CRLF;
    save the text as UTF-8 with a byte-order mark (``utf-8-sig``) for spreadsheet programs.
    A cell that starts like a formula (a cohort named "=...") gets an apostrophe in front
    (:func:`imheval.io.csvsafe.neutralise_cell`); :func:`read_accepted_csv` removes it.
    """
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(REVIEW_COLUMNS)
    for row in rows:
        if len(row) != len(REVIEW_COLUMNS):
            raise ValueError(f"a review row has {len(REVIEW_COLUMNS)} cells, not {len(row)}")
        writer.writerow(neutralise_row(row))
    return text.getvalue()


def match_reason(earlier: str, later: str) -> str:
    """Why two codes are listed as one person: :data:`ONE_CHARACTER`, :data:`ONE_PART`, or
    :data:`CONFIRMED` when neither rule would have proposed them."""
    if one_character_apart(earlier, later):
        return ONE_CHARACTER
    if one_part_apart(earlier, later):
        return ONE_PART
    return CONFIRMED


def read_accepted_csv(path: str | Path) -> tuple[tuple[str, str, str], ...]:
    """The (cohort, earlier_code, later_code) triples a reviewer accepted in a review CSV.

    A row is accepted when its ``accept`` cell is yes, y, true or 1 (any case); blank, no, n,
    false and 0 reject it. Codes are normalised like the data (upper case, no spaces). Needs the
    columns cohort, earlier_code, later_code and accept; others are ignored.

    Raises :class:`~imheval.errors.DataFormatError` naming the file, row and column when the file
    cannot be read, a column is missing, an ``accept`` cell is something else, or an accepted
    row has an empty cohort or code. Nothing is returned unless every row is valid.
    """
    source = str(path)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            rows = [[restore_cell(cell) for cell in row] for row in csv.reader(handle)]
    except FileNotFoundError:
        raise DataFormatError([Problem(source, "the file does not exist")]) from None
    except UnicodeDecodeError:
        raise DataFormatError(
            [Problem(source, "the file is not UTF-8 text; save it as CSV UTF-8")]
        ) from None
    except (OSError, csv.Error) as error:
        raise DataFormatError([Problem(source, f"the file cannot be read: {error}")]) from None
    if not rows:
        raise DataFormatError([Problem(source, "the file is empty; expected a header row")])

    header = [cell.strip().lower() for cell in rows[0]]
    required = ("cohort", "earlier_code", "later_code", "accept")
    missing = [column for column in required if column not in header]
    if missing:
        raise DataFormatError(
            [Problem(source, "the column is missing", row=1, column=c) for c in missing]
        )
    where = {column: header.index(column) for column in required}

    problems: list[Problem] = []
    accepted: list[tuple[str, str, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(column: str, row: list[str] = row) -> str:
            index = where[column]
            return row[index].strip() if index < len(row) else ""

        decision = cell("accept").lower()
        if decision in _ACCEPT_NO:
            continue
        if decision not in _ACCEPT_YES:
            problems.append(
                Problem(
                    source,
                    f"accept must be yes or no (or blank), not '{cell('accept')}'",
                    row=number,
                    column="accept",
                )
            )
            continue
        empty = [column for column in ("cohort", "earlier_code", "later_code") if not cell(column)]
        for column in empty:
            problems.append(
                Problem(source, "an accepted row needs a value here", row=number, column=column)
            )
        if empty:
            continue
        accepted.append(
            (
                cell("cohort"),
                normalise_code(cell("earlier_code")),
                normalise_code(cell("later_code")),
            )
        )
    if problems:
        raise DataFormatError(problems)
    return tuple(accepted)
