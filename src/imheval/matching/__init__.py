"""Matching anonymous codes across pre, post and follow-up, within a cohort.

Participants choose a self-generated identification code (SGIC) from prompts only they can
answer; the same code at different timepoints of one cohort is taken to be the same person
(*exact* matching). People mistype their code, so *tolerant* mode also lists pairs of codes that
are probably one person (one character or one code part different, same profession and
directorate). Probable matches are only listed, never merged: a person confirms them (see
:func:`to_review_csv` and :func:`read_accepted_csv`) and passes them back as ``accepted``.

:func:`matching_bias` compares people who came back at post with those who did not;
:func:`published_bias` is what may be published of it (small groups hidden).

The package follows the seams of the work: :mod:`.results` (what matching returns),
:mod:`.people` (the checked table, one row per person, cohort counts), :mod:`.accepted`
(confirmed matches merged), :mod:`.tolerant` (the search for probable matches), :mod:`.bias`
(matched against unmatched) and :mod:`.review` (the review CSV). :func:`match` runs them.
"""

from __future__ import annotations

from collections.abc import Iterable

from imheval.errors import AnalysisError
from imheval.matching.accepted import _apply_renames, _resolve_accepted
from imheval.matching.bias import (
    CategoryBias,
    DomainBias,
    MatchingBias,
    PublishedBias,
    PublishedCategory,
    PublishedDomainBias,
    matching_bias,
    published_bias,
)
from imheval.matching.people import (
    _build_people,
    _cohort_summary,
    _duplicate_codes,
    _index_people,
    _validated_frame,
)
from imheval.matching.results import (
    CONFIRMED,
    ONE_CHARACTER,
    ONE_PART,
    AcceptedMatchError,
    MatchMode,
    MatchResult,
    ProbableMatch,
)
from imheval.matching.review import (
    REVIEW_COLUMNS,
    read_accepted_csv,
    review_csv_text,
    to_review_csv,
)
from imheval.matching.tolerant import (
    CODE_PART_SEPARATORS,
    _probable_matches,
    match_reason,
    one_character_apart,
    one_part_apart,
)
from imheval.scoring import ScoredTable

__all__ = [
    "CODE_PART_SEPARATORS",
    "CONFIRMED",
    "ONE_CHARACTER",
    "ONE_PART",
    "REVIEW_COLUMNS",
    "AcceptedMatchError",
    "CategoryBias",
    "DomainBias",
    "MatchMode",
    "MatchResult",
    "MatchingBias",
    "ProbableMatch",
    "PublishedBias",
    "PublishedCategory",
    "PublishedDomainBias",
    "match",
    "match_reason",
    "matching_bias",
    "one_character_apart",
    "one_part_apart",
    "published_bias",
    "read_accepted_csv",
    "review_csv_text",
    "to_review_csv",
]


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

    people, people_codes = _build_people(frame, index, domain_ids)
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
        duplicate_codes=_duplicate_codes(index),
        row_person=index.person,
        row_timepoint=frame["timepoint"].to_numpy(dtype=object),
        people_codes=people_codes,
    )
