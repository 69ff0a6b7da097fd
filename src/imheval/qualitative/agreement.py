"""Agreement between coders: percent agreement, Cohen's kappa and Krippendorff's alpha.

For codebook and coding-reliability analysis, two or more coders code the same sources blind to
each other; this module says how far they agree, per code and source and pooled per code.

The unit of comparison is chosen by the caller:

- ``"character"``: every character (Unicode code point) of a source's text is a unit. Each
  coder's codings of a code are merged first, so a character coded twice by the same coder (two
  overlapping segments) counts once; each unit is then "coded" or "not coded" by each coder.
- ``"turn"``: every speaker turn (:attr:`Source.turns`) is a unit, and a coder coded it if any of
  their codings of the code shares at least one character with it. A source without turns (an
  open-text answer, a document) has each non-blank line as a unit instead. Empty turns are not
  units.

For each (code, source) the units give, per coder, a 0/1 vector. From them:

- ``percent_agreement``: the share of units on which every coder agrees (all coded it, or none
  did). Defined whenever there is a unit.
- ``cohen_kappa`` (exactly two coders): ``(p_o - p_e) / (1 - p_e)`` with ``p_o`` the share of
  units agreed on and ``p_e = p_A p_B + (1 - p_A)(1 - p_B)``, ``p_A`` and ``p_B`` each coder's
  share of units coded (Cohen 1960; NVivo's coding comparison uses the same formula).
- ``krippendorff_alpha`` (two or more coders, nominal, every unit coded by every coder):
  ``1 - (n - 1) * sum_u j_u (m - j_u) / ((m - 1) * n_1 * n_0)``, where ``m`` is the number of
  coders, ``j_u`` how many of them coded unit ``u``, ``n = m * units`` the number of values and
  ``n_1``, ``n_0`` how many of them are "coded" and "not coded" (Krippendorff 2011, the
  coincidence-matrix form for two values).

Kappa and alpha are undefined when nobody used the code in the units compared, or when every
coder coded every unit (agreement is then trivial): they are None with a plain-English
``reason``. Pooled figures are worked out from the units of all sources together (the counts are
summed), never by averaging the per-source figures, so a long transcript weighs more than a
short one.

Checked against R's ``irr::kappa2`` and ``irr::kripp.alpha(method = "nominal")`` and
statsmodels' ``cohens_kappa`` (tests/golden/make_golden_agreement.R). Two coders whose codings
cover exactly the same text, one of whom split it into overlapping segments, agree perfectly
here (kappa 1, alpha 1, 100%), unlike tools that count a coder's overlaps twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from imheval.errors import ImhevalError
from imheval.qualitative.model import Code, Coding, Project, Source, User

__all__ = [
    "UNITS",
    "AgreementError",
    "AgreementFigures",
    "AgreementReport",
    "CodeAgreement",
    "Disagreement",
    "SourceAgreement",
    "Unit",
    "agreement",
    "disagreements",
    "to_json",
]

Unit = Literal["character", "turn"]

#: The units of comparison, as the command line and the web app offer them.
UNITS: tuple[Unit, ...] = ("character", "turn")

BoolArray = npt.NDArray[np.bool_]
_Named = TypeVar("_Named", User, Code, Source)

#: Called after each code is done with (codes done, codes in all), for a progress bar.
Progress = Callable[[int, int], None]


class AgreementError(ImhevalError, ValueError):
    """Raised when agreement cannot be asked for: fewer than two coders, an unknown coder or
    code, an unknown unit, or a coding outside its source's text."""


@dataclass(frozen=True, slots=True)
class AgreementFigures:
    """The figures for one code, in one source or pooled over all of them.

    ``units`` is how many units were compared. ``percent_agreement`` is a share from 0 to 1
    (None only when there are no units). ``cohen_kappa`` is None unless there are exactly two
    coders; either coefficient is None when undefined, and ``reason`` then says why in plain
    English (it is None when every figure is there).
    """

    units: int
    percent_agreement: float | None
    cohen_kappa: float | None
    krippendorff_alpha: float | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The figures as JSON: ``reason`` only when a figure is null."""
        document: dict[str, Any] = {
            "units": self.units,
            "percent_agreement": self.percent_agreement,
            "cohen_kappa": self.cohen_kappa,
            "krippendorff_alpha": self.krippendorff_alpha,
        }
        if self.reason is not None:
            document["reason"] = self.reason
        return document


@dataclass(frozen=True, slots=True)
class SourceAgreement:
    """One code's figures in one source."""

    source: Source
    figures: AgreementFigures


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    """One code's figures: pooled over every source, then source by source."""

    code: Code
    pooled: AgreementFigures
    sources: tuple[SourceAgreement, ...]


@dataclass(frozen=True, slots=True)
class AgreementReport:
    """Agreement between ``coders`` for each code, with the unit of comparison used.

    ``notes`` are plain-English remarks about what was left out (codings without a coder).
    """

    unit: Unit
    coders: tuple[User, ...]
    codes: tuple[CodeAgreement, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A stretch ``text[start:end]`` of a source that some coders coded and others did not.

    ``coded_by`` and ``not_coded_by`` are the coders on each side, in the order they were given.
    """

    start: int
    end: int
    text: str
    coded_by: tuple[User, ...]
    not_coded_by: tuple[User, ...]


# --------------------------------------------------------------------------------------------
# The public functions


def agreement(
    project: Project,
    *,
    unit: Unit = "character",
    coders: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> AgreementReport:
    """Agreement between coders for each code, per source and pooled over all sources.

    ``coders``, ``codes`` and ``sources`` pick by GUID or by name; by default every coder who
    made a coding (in the order of ``project.users``), every codable code and every code
    anyone used (in codebook order), and every source. Codings without a coder are left out
    and counted in ``notes``.

    Raises :class:`AgreementError` for an unknown unit, fewer than two coders, a coder, code or
    source that is not in the project, or a coding whose positions fall outside its source's
    text.

    Examples
    --------
    >>> from imheval.qualitative.model import Code, Coding, Project, Source, User
    >>> project = Project(
    ...     name="Demo",
    ...     users=(User("U1", "Coder A"), User("U2", "Coder B")),
    ...     codes=(Code("C1", "Confidence"),),
    ...     sources=(Source("S1", "Group 1", "x" * 1000),),
    ...     codings=(
    ...         Coding("K1", "T1", "S1", 0, 100, "C1", "U1"),
    ...         Coding("K2", "T2", "S1", 50, 150, "C1", "U2"),
    ...     ),
    ... )
    >>> figures = agreement(project).codes[0].pooled
    >>> figures.units, figures.percent_agreement, round(figures.cohen_kappa, 4)
    (1000, 0.9, 0.4444)
    """
    if unit not in UNITS:
        raise AgreementError(f"unknown unit {unit!r}: use 'character' or 'turn'")
    chosen_sources = _pick_sources(project, sources)
    _check_positions(project, chosen_sources)
    chosen_coders = _pick_coders(project, coders)
    chosen_codes = _pick_codes(project, codes)
    coder_index = {coder.guid: position for position, coder in enumerate(chosen_coders)}
    source_guids = {source.guid for source in chosen_sources}
    code_guids = {code.guid for code in chosen_codes}

    # (code, source) -> coder position -> [(start, end), ...]
    segments: dict[tuple[str, str], dict[int, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    without_coder = 0
    for coding in project.codings:
        if coding.code not in code_guids or coding.source not in source_guids:
            continue
        if coding.coder is None:
            without_coder += 1
            continue
        position = coder_index.get(coding.coder)
        if position is not None:
            segments[(coding.code, coding.source)][position].append((coding.start, coding.end))

    units_of = {source.guid: _Units.of(source, unit) for source in chosen_sources}
    results: list[CodeAgreement] = []
    for done, code in enumerate(chosen_codes, start=1):
        per_source: list[SourceAgreement] = []
        pooled = _Counts.empty(len(chosen_coders))
        for source in chosen_sources:
            counts = _counts(
                units_of[source.guid],
                len(chosen_coders),
                segments.get((code.guid, source.guid), {}),
            )
            pooled = pooled + counts
            per_source.append(SourceAgreement(source, counts.figures()))
        results.append(CodeAgreement(code, pooled.figures(), tuple(per_source)))
        if progress is not None:
            progress(done, len(chosen_codes))

    notes: tuple[str, ...] = ()
    if without_coder:
        notes = (
            f"{without_coder:,} coding{'s' if without_coder != 1 else ''} with no coder "
            f"recorded {'were' if without_coder != 1 else 'was'} left out.",
        )
    return AgreementReport(unit, chosen_coders, tuple(results), notes)


def disagreements(
    project: Project,
    code: str,
    source: str,
    coders: Sequence[str] | None = None,
) -> tuple[Disagreement, ...]:
    """The stretches of ``source`` where the coders differ about ``code``, in text order.

    ``code`` and ``source`` are GUIDs (or names); ``coders`` picks coders as in
    :func:`agreement` (by default everyone who made a coding). Each coder's codings of the code
    are merged first; a stretch is a longest run of characters that the same coders coded, and
    it is listed when some but not all coders coded it. Agreement (everyone or no one) is not
    listed.

    Raises :class:`AgreementError` as :func:`agreement` does.

    Examples
    --------
    >>> from imheval.qualitative.model import Code, Coding, Project, Source, User
    >>> project = Project(
    ...     name="Demo",
    ...     users=(User("U1", "Coder A"), User("U2", "Coder B")),
    ...     codes=(Code("C1", "Confidence"),),
    ...     sources=(Source("S1", "Group 1", "I feel more confident now."),),
    ...     codings=(
    ...         Coding("K1", "T1", "S1", 0, 25, "C1", "U1"),
    ...         Coding("K2", "T2", "S1", 7, 25, "C1", "U2"),
    ...     ),
    ... )
    >>> [(d.text, [c.name for c in d.coded_by]) for d in disagreements(project, "C1", "S1")]
    [('I feel ', ['Coder A'])]
    """
    (the_source,) = _pick_sources(project, [source])
    _check_positions(project, (the_source,))
    (the_code,) = _pick_codes(project, [code])
    chosen_coders = _pick_coders(project, coders)
    masks = np.zeros((len(chosen_coders), len(the_source.text)), dtype=np.bool_)
    for position, coder in enumerate(chosen_coders):
        masks[position] = _merged_mask(
            len(the_source.text),
            [
                (coding.start, coding.end)
                for coding in project.codings
                if coding.code == the_code.guid
                and coding.source == the_source.guid
                and coding.coder == coder.guid
            ],
        )
    if masks.shape[1] == 0:
        return ()
    # Each character's pattern (which coders coded it) as one integer; runs of equal patterns.
    weights = np.left_shift(np.int64(1), np.arange(len(chosen_coders), dtype=np.int64))
    patterns = (masks.astype(np.int64) * weights[:, None]).sum(axis=0)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(patterns)) + 1))
    ends = np.concatenate((starts[1:], [patterns.size]))
    everyone = int(weights.sum())
    found: list[Disagreement] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        pattern = int(patterns[start])
        if pattern in (0, everyone):
            continue
        coded = tuple(c for i, c in enumerate(chosen_coders) if pattern >> i & 1)
        not_coded = tuple(c for i, c in enumerate(chosen_coders) if not pattern >> i & 1)
        found.append(Disagreement(start, end, the_source.text[start:end], coded, not_coded))
    return tuple(found)


def to_json(report: AgreementReport) -> dict[str, Any]:
    """The report as JSON: ``{"unit", "coders", "codes": [{"code", "guid", "pooled",
    "sources": [{"source", "guid", ...figures}]}]}``, figures as :meth:`AgreementFigures.to_dict`.
    """
    return {
        "unit": report.unit,
        "coders": [coder.name for coder in report.coders],
        "codes": [
            {
                "code": result.code.name,
                "guid": result.code.guid,
                "pooled": result.pooled.to_dict(),
                "sources": [
                    {
                        "source": entry.source.name,
                        "guid": entry.source.guid,
                        **entry.figures.to_dict(),
                    }
                    for entry in result.sources
                ],
            }
            for result in report.codes
        ],
    }


# --------------------------------------------------------------------------------------------
# Units and counts


@dataclass(frozen=True, slots=True)
class _Units:
    """A source's units: its text length and, for turns or lines, their [start, end) bounds
    (None when every character is a unit)."""

    length: int
    bounds: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None

    @property
    def count(self) -> int:
        return self.length if self.bounds is None else int(self.bounds[0].size)

    @classmethod
    def of(cls, source: Source, unit: Unit) -> _Units:
        length = len(source.text)
        if unit == "character":
            return cls(length, None)
        spans = [(turn.start, turn.end) for turn in source.turns if turn.end > turn.start]
        if not source.turns:
            spans = list(_non_blank_lines(source.text))
        starts = np.array([start for start, _ in spans], dtype=np.int64)
        ends = np.array([end for _, end in spans], dtype=np.int64)
        return cls(length, (starts, ends))

    def coded(self, segments: Sequence[tuple[int, int]]) -> BoolArray:
        """Which units a coder coded, from their segments."""
        mask = _merged_mask(self.length, segments)
        if self.bounds is None:
            return mask
        starts, ends = self.bounds
        running = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
        result: BoolArray = (running[ends] - running[starts]) > 0
        return result


def _non_blank_lines(text: str) -> Iterable[tuple[int, int]]:
    """[start, end) of each line holding more than white space (the line break left out)."""
    start = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        if content.strip():
            yield start, start + len(content)
        start += len(line)


def _merged_mask(length: int, segments: Sequence[tuple[int, int]]) -> BoolArray:
    """The characters covered by any of ``segments`` (overlaps merged: a character is coded or
    not, however many segments cover it)."""
    if not segments:
        return np.zeros(length, dtype=np.bool_)
    bounds = np.asarray(segments, dtype=np.int64)
    changes = np.zeros(length + 1, dtype=np.int64)
    np.add.at(changes, bounds[:, 0], 1)
    np.add.at(changes, bounds[:, 1], -1)
    mask: BoolArray = np.cumsum(changes[:length]) > 0
    return mask


@dataclass(frozen=True, slots=True)
class _Counts:
    """What the figures need, summed over sources: units, how many units each coder coded,
    and how many units were coded by exactly j coders (j = 0..m)."""

    units: int
    coded_by_coder: tuple[int, ...]
    units_by_coders: tuple[int, ...]

    @classmethod
    def empty(cls, coders: int) -> _Counts:
        return cls(0, (0,) * coders, (0,) * (coders + 1))

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(
            self.units + other.units,
            tuple(a + b for a, b in zip(self.coded_by_coder, other.coded_by_coder, strict=True)),
            tuple(a + b for a, b in zip(self.units_by_coders, other.units_by_coders, strict=True)),
        )

    def figures(self) -> AgreementFigures:
        coders = len(self.coded_by_coder)
        units = self.units
        if units == 0:
            return AgreementFigures(0, None, None, None, "There is no text to compare here.")
        agreed = self.units_by_coders[0] + self.units_by_coders[coders]
        percent = agreed / units
        values = units * coders
        coded_values = sum(self.coded_by_coder)
        uncoded_values = values - coded_values
        reasons: list[str] = []
        kappa: float | None = None
        alpha: float | None = None
        if coded_values == 0:
            reasons.append(
                "No coder used this code here: every unit agrees trivially, so kappa and "
                "alpha cannot be worked out."
            )
        elif uncoded_values == 0:
            reasons.append(
                "Every coder coded every unit: agreement is trivial, so kappa and alpha "
                "cannot be worked out."
            )
        else:
            # Exact integer arithmetic to the last division.
            pair_disagreements = sum(
                count * j * (coders - j) for j, count in enumerate(self.units_by_coders)
            )
            alpha = 1 - (values - 1) * pair_disagreements / (
                (coders - 1) * coded_values * uncoded_values
            )
            if coders == 2:
                first, second = self.coded_by_coder
                chance = first * second + (units - first) * (units - second)
                kappa = (units * agreed - chance) / (units * units - chance)
        if coders != 2:
            reasons.append(
                f"Cohen's kappa is for two coders; with {coders} use Krippendorff's alpha."
            )
        return AgreementFigures(units, percent, kappa, alpha, " ".join(reasons) or None)


def _counts(
    units: _Units, coders: int, segments_by_coder: dict[int, list[tuple[int, int]]]
) -> _Counts:
    count = units.count
    if not segments_by_coder or count == 0:
        return _Counts(count, (0,) * coders, (count,) + (0,) * coders)
    coded = np.zeros((coders, count), dtype=np.bool_)
    for position, segments in segments_by_coder.items():
        coded[position] = units.coded(segments)
    per_unit = coded.sum(axis=0)
    return _Counts(
        count,
        tuple(int(n) for n in coded.sum(axis=1)),
        tuple(int(n) for n in np.bincount(per_unit, minlength=coders + 1)),
    )


# --------------------------------------------------------------------------------------------
# Picking coders, codes and sources


def _pick_coders(project: Project, wanted: Sequence[str] | None) -> tuple[User, ...]:
    known = {user.guid: user for user in project.users}
    used = {coding.coder for coding in project.codings if coding.coder is not None}
    if wanted is None:
        chosen = [user for user in project.users if user.guid in used]
        # A coding's creatingUser missing from Users: the GUID stands in for a name.
        chosen += [User(guid, guid) for guid in sorted(used - known.keys())]
    else:
        everyone = list(project.users) + [User(g, g) for g in sorted(used - known.keys())]
        chosen = []
        for name in wanted:
            user = _find(everyone, name, "coder", lambda u: u.name)
            if user not in chosen:
                chosen.append(user)
    if len(chosen) < 2:
        who = ", ".join(user.name for user in chosen) or "nobody"
        whose = "the project has codings by" if wanted is None else "you chose"
        raise AgreementError(f"agreement needs at least two coders; {whose} {who}")
    return tuple(chosen)


def _pick_codes(project: Project, wanted: Sequence[str] | None) -> tuple[Code, ...]:
    if wanted is None:
        used = {coding.code for coding in project.codings}
        return tuple(code for code in project.codes if code.codable or code.guid in used)
    chosen: list[Code] = []
    for name in wanted:
        code = _find(project.codes, name, "code", lambda c: c.name)
        if code not in chosen:
            chosen.append(code)
    return tuple(chosen)


def _pick_sources(project: Project, wanted: Sequence[str] | None) -> tuple[Source, ...]:
    if wanted is None:
        return project.sources
    chosen: list[Source] = []
    for name in wanted:
        source = _find(project.sources, name, "source", lambda s: s.name)
        if source not in chosen:
            chosen.append(source)
    return tuple(chosen)


def _find(
    candidates: Iterable[_Named], wanted: str, kind: str, name_of: Callable[[_Named], str]
) -> _Named:
    """The candidate with GUID ``wanted``, or else the only one named ``wanted``."""
    candidates = list(candidates)
    for candidate in candidates:
        if candidate.guid == wanted:
            return candidate
    named = [candidate for candidate in candidates if name_of(candidate) == wanted]
    if len(named) == 1:
        return named[0]
    if named:
        raise AgreementError(
            f"{len(named)} {kind}s are named {wanted!r}; give the GUID of the one you mean "
            f"({', '.join(candidate.guid for candidate in named)})"
        )
    raise AgreementError(f"there is no {kind} named {wanted!r} in the project")


def _check_positions(project: Project, sources: Iterable[Source]) -> None:
    lengths = {source.guid: len(source.text) for source in sources}
    for coding in project.codings:
        length = lengths.get(coding.source)
        if length is not None and not 0 <= coding.start <= coding.end <= length:
            raise AgreementError(_outside(coding, length))
    for source in sources:
        for turn in source.turns:
            if not 0 <= turn.start <= turn.end <= len(source.text):
                raise AgreementError(
                    f"source {source.name!r}: a speaker turn at {turn.start}-{turn.end} falls "
                    f"outside its text of {len(source.text):,} characters"
                )


def _outside(coding: Coding, length: int) -> str:
    return (
        f"coding {coding.guid}: positions {coding.start}-{coding.end} fall outside its "
        f"source's text of {length:,} characters (a start must be at least 0 and at most the "
        "end)"
    )
