"""What a region may see of its organisations' coverage and outcomes: aggregates with the
small-group rule applied across the region (issue 16, part 4).

A region's pages and its report read only the values built here, from core types
(:class:`~imheval.workforce.coverage.CoverageResult` of the sharing organisations against the
region's targets, and each cohort's stored outcome aggregates), so the page, the downloads and
the report hide exactly the same figures.

**The threat model.** Organisations share with each other through the region, so everything a
region sees follows decision 0003 (``imheval.suppression``): a count of 1 to ``min_size - 1``
people is hidden with every figure derived from it, and secondary suppression stops a hidden
count being worked out from a published total.

Coverage (:func:`regional_coverage`), one team (service and profession) at a time:

- An organisation's team is hidden or shown *whole*: its headcount and, at every level, its
  trained people, share, gap and status. Hiding one level's count but showing the next would
  let a reader bound it from cumulative levels (trained at Skilled is at least trained at
  Enhanced) and from the shared headcount.
- The region's total per team (headcount) and per team and level (trained) is published, so
  each column of counts (the organisations' headcounts; their trained people at each level) goes
  through :func:`~imheval.suppression.suppress` against its total, with the rows already hidden
  passed on; this repeats until no column hides another row. A total the rule cannot protect
  is hidden itself (and so are the share, gap and status worked out from it).
- An organisation's team that must be checked (more people trained than staff, or no staff) is
  left out of the region's totals: its counts are in no published total, so only the primary
  rule applies to them.
- The summary per level adds up only the totals that are shown, so it reveals nothing the
  tables do not.

Outcomes (:func:`outcome_groups`): cohorts of "the same programme" measured with the same
measure across organisations are grouped (:func:`outcome_key`); each organisation's matched
people are a count against the group's published total, suppressed the same way; a hidden
organisation's change and effect are hidden with its count, and its people are left out of the
model that compares organisations (so nothing the model reports can be set beside the table to
work them out).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from imheval.errors import AnalysisError
from imheval.stats.distributions import t_ppf
from imheval.stats.organisations import CohortSummary, OrganisationComparison, compare_organisations
from imheval.stats.results import ConfidenceInterval
from imheval.suppression import suppress
from imheval.workforce.coverage import CoverageResult, CoverageRow, Flag, Status
from imheval.workforce.ladder import Ladder, level_key

__all__ = [
    "ALL_ORGANISATIONS",
    "MIN_GROUP_SIZE",
    "UNCOUNTED_NOTE",
    "CohortOutcomeSummary",
    "LevelSummary",
    "OrganisationOutcome",
    "OutcomeGroup",
    "RegionalCoverage",
    "RegionalFigure",
    "RegionalGap",
    "RegionalTeam",
    "hide_rows",
    "outcome_groups",
    "outcome_key",
    "programme_key",
    "regional_coverage",
    "regional_status",
]

#: The smallest group a region sees a figure of (decision 0003).
MIN_GROUP_SIZE = 5

#: What a region reads in place of the organisations' own notes on their coverage. Those notes
#: name the organisations' programmes with how many of their people were not counted, their
#: staff's employers (members that do not share included) and their teams, so a region gets
#: this one sentence, naming nobody, whenever there were any.
UNCOUNTED_NOTE = (
    "Some training records could not be counted; each organisation's own coverage page says which."
)


@dataclass(frozen=True, slots=True)
class RegionalFigure:
    """One team at one level, for one organisation or for the region as a whole.

    ``hidden`` is True when the small-group rule hides the figure: then ``trained``,
    ``percent``, ``gap_people`` and ``status`` are None (and ``headcount`` too, unless it is a
    region total whose headcount is shown). ``percent`` is ``100 * trained / headcount``
    unrounded, None as well when it cannot be computed (see ``flags``).
    """

    headcount: int | None
    trained: int | None
    percent: float | None
    gap_people: int | None
    status: Status | None
    flags: tuple[Flag, ...] = ()
    hidden: bool = False


HIDDEN = RegionalFigure(None, None, None, None, None, (), True)


@dataclass(frozen=True, slots=True)
class RegionalTeam:
    """One service and profession across the region: a row per organisation with staff in
    it, a column per level the region requires of it.

    ``cells[i][j]`` is organisation ``organisations[i]`` at ``levels[j]`` (None when the
    organisation has no row at that level); ``totals[j]`` is the region's.
    ``in_totals[i]`` is False for an organisation's team left out of the region's totals
    because its data must be checked. ``headcount_total`` is None when it is hidden.
    """

    service: str
    profession: str
    levels: tuple[str, ...]
    targets: tuple[tuple[Fraction, datetime.date], ...]
    organisations: tuple[str, ...]
    cells: tuple[tuple[RegionalFigure | None, ...], ...]
    in_totals: tuple[bool, ...]
    totals: tuple[RegionalFigure, ...]
    headcount_total: int | None

    @property
    def hidden_organisations(self) -> int:
        """How many organisations' rows of this team are hidden."""
        return sum(1 for row in self.cells if any(cell is not None and cell.hidden for cell in row))


@dataclass(frozen=True, slots=True)
class LevelSummary:
    """One level across the teams whose region totals are shown (``teams_hidden`` are not)."""

    level: str
    headcount: int
    trained: int
    teams: int
    teams_hidden: int
    met: int
    on_trajectory: int
    behind: int

    @property
    def percent(self) -> float | None:
        return 100 * self.trained / self.headcount if self.headcount else None


@dataclass(frozen=True, slots=True)
class RegionalGap:
    """A team's gap at a level across the region: people still to train to the target."""

    service: str
    profession: str
    level: str
    gap_people: int
    trained: int
    headcount: int
    status: Status


@dataclass(frozen=True, slots=True)
class RegionalCoverage:
    """Coverage a region may see, on ``as_of``: each team's table, a summary per level, the
    biggest gaps, and the organisations that took part (the sharing ones with rows).

    ``notes`` is never the organisations' own notes: at most :data:`UNCOUNTED_NOTE`."""

    as_of: datetime.date
    ladder: Ladder
    organisations: tuple[str, ...]
    teams: tuple[RegionalTeam, ...]
    levels: tuple[LevelSummary, ...]
    gaps: tuple[RegionalGap, ...]
    min_size: int
    notes: tuple[str, ...] = ()

    @property
    def any_hidden(self) -> bool:
        return any(
            team.hidden_organisations
            or team.headcount_total is None
            or any(total.hidden for total in team.totals)
            for team in self.teams
        )


def regional_status(
    trained: int,
    headcount: int,
    target_percent: Fraction,
    by_date: datetime.date,
    as_of: datetime.date,
) -> tuple[int, Status]:
    """The region's gap and status against a regional target (one final point, no interim
    ones): the gap is ``max(0, ceil(target * headcount / 100) - trained)``, exact; met when no
    gap is left, on trajectory before the target's date (it falls due on the date), else
    behind: the core's rule for a requirement without interim points."""
    gap = max(0, math.ceil(target_percent * headcount / 100) - trained)
    if gap == 0:
        return gap, Status.MET
    return gap, Status.ON_TRAJECTORY if as_of < by_date else Status.BEHIND


def regional_coverage(
    result: CoverageResult, *, min_size: int = MIN_GROUP_SIZE
) -> RegionalCoverage:
    """What a region may see of ``result`` (the sharing organisations against its targets),
    with the small-group rule applied across the region (see the module's docstring).

    Teams come in the order of their first row; levels in the ladder's order; organisations in
    the result's order. The result's notes are not passed on (they name programmes, employers
    and teams with small counts): :data:`UNCOUNTED_NOTE` stands for them when there are any.
    """
    by_team: dict[tuple[str, str], list[CoverageRow]] = {}
    spelling: dict[tuple[str, str], tuple[str, str]] = {}
    for row in result.rows:
        key = (level_key(row.service), level_key(row.profession))
        by_team.setdefault(key, []).append(row)
        spelling.setdefault(key, (row.service, row.profession))
    ranks = {level_key(level): rank for rank, level in enumerate(result.ladder.levels)}
    teams = tuple(
        _team(spelling[key], rows, ranks, result.as_of, min_size) for key, rows in by_team.items()
    )
    return RegionalCoverage(
        as_of=result.as_of,
        ladder=result.ladder,
        organisations=result.organisations,
        teams=teams,
        levels=_level_summaries(teams, result.ladder),
        gaps=_gaps(teams),
        min_size=min_size,
        notes=(UNCOUNTED_NOTE,) if result.notes else (),
    )


def _team(
    names: tuple[str, str],
    rows: Sequence[CoverageRow],
    ranks: dict[str, int],
    as_of: datetime.date,
    min_size: int,
) -> RegionalTeam:
    level_of = {level_key(row.level): row.level for row in rows}
    levels = tuple(sorted(level_of.values(), key=lambda level: ranks.get(level_key(level), 0)))
    organisations = tuple(dict.fromkeys(row.organisation for row in rows))
    grid = {(row.organisation, level_key(row.level)): row for row in rows}
    targets = []
    for level in levels:
        first = next(row for row in rows if level_key(row.level) == level_key(level))
        targets.append((Fraction(first.target_percent), first.by_date))
    headcounts = [
        next(row.headcount for row in rows if row.organisation == name) for name in organisations
    ]
    trained = [
        [
            grid[(name, level_key(level))].trained if (name, level_key(level)) in grid else 0
            for name in organisations
        ]
        for level in levels
    ]
    in_totals = [
        not any(row.flags for row in rows if row.organisation == name) for name in organisations
    ]
    hidden, headcount_total_hidden, totals_hidden = _hide(headcounts, trained, in_totals, min_size)
    cells: list[tuple[RegionalFigure | None, ...]] = []
    for i, name in enumerate(organisations):
        cells.append(
            tuple(
                None
                if (name, level_key(level)) not in grid
                else HIDDEN
                if hidden[i]
                else _figure(grid[(name, level_key(level))])
                for level in levels
            )
        )
    headcount_total = sum(h for h, inside in zip(headcounts, in_totals, strict=True) if inside)
    totals = []
    for j, (target, by_date) in enumerate(targets):
        if headcount_total_hidden or totals_hidden[j]:
            totals.append(
                RegionalFigure(
                    None if headcount_total_hidden else headcount_total,
                    None,
                    None,
                    None,
                    None,
                    (),
                    True,
                )
            )
            continue
        total = sum(n for n, inside in zip(trained[j], in_totals, strict=True) if inside)
        gap, status = regional_status(total, headcount_total, target, by_date, as_of)
        flags: tuple[Flag, ...] = ()
        percent: float | None = None
        if headcount_total == 0:
            flags = (Flag.NO_HEADCOUNT,)
        else:
            percent = 100 * total / headcount_total
        totals.append(RegionalFigure(headcount_total, total, percent, gap, status, flags))
    return RegionalTeam(
        service=names[0],
        profession=names[1],
        levels=levels,
        targets=tuple(targets),
        organisations=organisations,
        cells=tuple(cells),
        in_totals=tuple(in_totals),
        totals=tuple(totals),
        headcount_total=None if headcount_total_hidden else headcount_total,
    )


def _figure(row: CoverageRow) -> RegionalFigure:
    return RegionalFigure(
        row.headcount, row.trained, row.percent, row.gap_people, row.status, row.flags
    )


def _hide(
    headcounts: Sequence[int],
    trained: Sequence[Sequence[int]],
    in_totals: Sequence[bool],
    min_size: int,
) -> tuple[list[bool], bool, list[bool]]:
    """Which organisations' rows of a team to hide, and whether the headcount total and each
    level's trained total are hidden: every column suppressed against its total, the rows
    hidden so far passed on to the next, until nothing changes."""
    inside = [i for i, keep in enumerate(in_totals) if keep]
    outside = [i for i, keep in enumerate(in_totals) if not keep]
    hidden = [False] * len(headcounts)
    # A team left out of the totals is in no published sum: the primary rule alone.
    for i in outside:
        counts = [headcounts[i], *(column[i] for column in trained)]
        hidden[i] = any(0 < n < min_size for n in counts)
    headcount_total_hidden = False
    totals_hidden = [False] * len(trained)
    columns = [list(headcounts), *(list(column) for column in trained)]
    changed = True
    while changed:
        changed = False
        outcome = []
        for column in columns:
            decided = suppress(
                [column[i] for i in inside],
                min_size,
                hidden=[k for k, i in enumerate(inside) if hidden[i]],
            )
            outcome.append(decided.total_hidden)
            for k, i in enumerate(inside):
                # A zero is never hidden by the rule, but a row is hidden whole; a hidden zero
                # hides nothing more, so only non-zero counts spread the hiding.
                if decided.hidden[k] and not hidden[i]:
                    hidden[i] = True
                    changed = True
        headcount_total_hidden = outcome[0]
        totals_hidden = outcome[1:]
    return hidden, headcount_total_hidden, totals_hidden


def hide_rows(
    columns: Sequence[Sequence[int]],
    min_size: int = MIN_GROUP_SIZE,
    in_totals: Sequence[bool] | None = None,
) -> tuple[list[bool], list[bool]]:
    """The small-group rule across the region for a table of rows (organisations, professions)
    by columns of counts of people, each column's total published: which rows are hidden
    *whole*, and which columns' totals are hidden. Each column goes through
    :func:`~imheval.suppression.suppress` with the rows already hidden passed on, until nothing
    changes (as coverage hides a team's rows). ``in_totals[i]`` False leaves row ``i`` out of
    every total (the primary rule alone applies to it). ``columns`` must not be empty."""
    if not columns:
        raise ValueError("a table needs at least one column of counts")
    rows = len(columns[0])
    if any(len(column) != rows for column in columns):
        raise ValueError("every column needs one count per row")
    hidden, first_hidden, others_hidden = _hide(
        columns[0], columns[1:], in_totals if in_totals is not None else [True] * rows, min_size
    )
    return hidden, [first_hidden, *others_hidden]


def _level_summaries(teams: Sequence[RegionalTeam], ladder: Ladder) -> tuple[LevelSummary, ...]:
    summaries = []
    for level in ladder.levels:
        key = level_key(level)
        shown: list[RegionalFigure] = []
        hidden = 0
        for team in teams:
            for name, total in zip(team.levels, team.totals, strict=True):
                if level_key(name) != key:
                    continue
                if total.hidden or total.trained is None or total.headcount is None:
                    hidden += 1
                elif total.percent is not None:
                    shown.append(total)
        if not shown and not hidden:
            continue
        summaries.append(
            LevelSummary(
                level=level,
                headcount=sum(total.headcount or 0 for total in shown),
                trained=sum(total.trained or 0 for total in shown),
                teams=len(shown),
                teams_hidden=hidden,
                met=sum(1 for total in shown if total.status is Status.MET),
                on_trajectory=sum(1 for total in shown if total.status is Status.ON_TRAJECTORY),
                behind=sum(1 for total in shown if total.status is Status.BEHIND),
            )
        )
    return tuple(summaries)


def _gaps(teams: Sequence[RegionalTeam]) -> tuple[RegionalGap, ...]:
    """Every shown regional total with a gap, largest first (equal gaps keep the teams' order)."""
    gaps = [
        RegionalGap(
            team.service,
            team.profession,
            level,
            total.gap_people,
            total.trained,
            total.headcount,
            total.status,
        )
        for team in teams
        for level, total in zip(team.levels, team.totals, strict=True)
        if total.gap_people
        and total.trained is not None
        and total.headcount is not None
        and total.status is not None
    ]
    return tuple(sorted(gaps, key=lambda gap: -gap.gap_people))


# ------------------------------------------------------------------------------ outcomes


@dataclass(frozen=True, slots=True)
class CohortOutcomeSummary:
    """One cohort's stored outcome, as aggregates: ``matched`` people answered before and
    after; ``mean_gain`` and ``sd_gain`` are of their gains (post minus pre, percent of the
    measure's maximum). ``programme`` and ``level`` name the programme as its organisation
    does (``level``: the framework level it gives)."""

    organisation: str
    programme: str
    level: str
    cohort: str
    matched: int
    mean_gain: float
    sd_gain: float | None
    measure: str = ""
    kirkpatrick: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class OrganisationOutcome:
    """One organisation's people on a programme (or the region's, ``organisation`` then
    :data:`ALL_ORGANISATIONS`): the matched change over its people, each counted once.

    ``hidden`` is True when the small-group rule hides it: then ``matched``, ``mean_gain``,
    ``sd_gain``, ``ci`` and ``effect_dz`` are None; ``primary`` says the count itself is
    small (a sentence may say "fewer than 5"), not hidden to protect another.
    ``effect_dz`` is Cohen's d_z (mean change / SD of change); ``ci`` the t interval of the
    mean change.
    """

    organisation: str
    cohorts: int
    matched: int | None
    mean_gain: float | None
    sd_gain: float | None
    ci: ConfidenceInterval | None
    effect_dz: float | None
    hidden: bool = False
    primary: bool = False


#: The name of a group's row for the region as a whole.
ALL_ORGANISATIONS = "All organisations"


@dataclass(frozen=True, slots=True)
class OutcomeGroup:
    """ "The same programme" measured with the same measure, delivered by several organisations
    (:func:`outcome_key`): each organisation side by side, the region's total, and the model
    comparing the organisations shown (None when fewer than one is shown). ``measure`` is the
    measure as the group's first cohort spells it ('' when its cohorts name none);
    ``modelled`` names the organisations the model was fitted on; ``notes`` explain what was
    left out of it."""

    programme: str
    level: str
    measure: str
    organisations: tuple[OrganisationOutcome, ...]
    total: OrganisationOutcome
    comparison: OrganisationComparison | None
    modelled: tuple[str, ...]
    measures: tuple[str, ...]
    kirkpatrick: tuple[int, ...]
    min_size: int
    notes: tuple[str, ...] = ()

    @property
    def any_hidden(self) -> bool:
        return self.total.hidden or any(row.hidden for row in self.organisations)


def programme_key(name: str, level: str) -> tuple[str, str]:
    """Programmes of different organisations are "the same programme" when their names match
    without regard to case and spacing and their framework levels agree the same way:
    ``'Solihull  Approach'`` at ``'Skilled'`` and ``'solihull approach'`` at ``'skilled'``."""
    return level_key(name), level_key(level)


def outcome_key(cohort: CohortOutcomeSummary) -> tuple[str, str, str]:
    """Cohorts are pooled and compared only when they are of the same programme
    (:func:`programme_key`) *and* measured with the same measure (its name without regard to
    case and spacing): a change of 11 points on one questionnaire and 29 on another are not the
    same scale, and a model over both would say organisations differ when their measures do."""
    return (*programme_key(cohort.programme, cohort.level), level_key(cohort.measure))


def outcome_groups(
    cohorts: Sequence[CohortOutcomeSummary],
    *,
    min_size: int = MIN_GROUP_SIZE,
    confidence: float = 0.95,
) -> tuple[OutcomeGroup, ...]:
    """Cohorts grouped by programme and measure (:func:`outcome_key`), each group's
    organisations side by side with the small-group rule applied across the region, and
    :func:`~imheval.stats.organisations.compare_organisations` on the organisations shown.

    Cohorts with nobody matched are left out. Groups come in order of their first cohort;
    organisations in order of their first cohort in the group. Raises AnalysisError for a
    negative count or a confidence outside (0, 1).
    """
    groups: dict[tuple[str, str, str], list[CohortOutcomeSummary]] = {}
    for cohort in cohorts:
        if cohort.matched < 0:
            raise AnalysisError(f"cohort {cohort.cohort!r}: matched people cannot be negative")
        if cohort.matched == 0:
            continue
        groups.setdefault(outcome_key(cohort), []).append(cohort)
    return tuple(_group(members, min_size, confidence) for members in groups.values())


def _group(
    cohorts: Sequence[CohortOutcomeSummary], min_size: int, confidence: float
) -> OutcomeGroup:
    names = tuple(dict.fromkeys(cohort.organisation for cohort in cohorts))
    own = {name: [c for c in cohorts if c.organisation == name] for name in names}
    pooled = [_pooled(name, own[name], confidence) for name in names]
    decided = suppress([row.matched or 0 for row in pooled], min_size)
    rows = tuple(
        OrganisationOutcome(
            row.organisation, row.cohorts, None, None, None, None, None, True, primary
        )
        if hidden
        else row
        for row, hidden, primary in zip(pooled, decided.hidden, decided.primary, strict=True)
    )
    total = _pooled(ALL_ORGANISATIONS, cohorts, confidence)
    if decided.total_hidden:
        total = OrganisationOutcome(
            ALL_ORGANISATIONS, total.cohorts, None, None, None, None, None, True, False
        )
    shown = [row.organisation for row in rows if not row.hidden]
    notes: list[str] = []
    hidden_count = len(names) - len(shown)
    if hidden_count:
        notes.append(
            f"{hidden_count} organisation{'' if hidden_count == 1 else 's'} hidden by the "
            f"small-group rule {'is' if hidden_count == 1 else 'are'} left out of the model, so "
            "nothing it reports can be set beside the table to work out a hidden figure."
        )
    summaries = []
    for name in shown:
        for cohort in own[name]:
            if cohort.matched >= 2 and cohort.sd_gain is None:
                notes.append(
                    f"A cohort of {name} has no spread of gains recorded and is left out of the "
                    "model."
                )
                continue
            summaries.append(
                CohortSummary(name, cohort.cohort, cohort.matched, cohort.mean_gain, cohort.sd_gain)
            )
    comparison = compare_organisations(summaries, confidence=confidence) if summaries else None
    first = cohorts[0]
    return OutcomeGroup(
        programme=first.programme,
        level=first.level,
        measure=first.measure.strip(),
        organisations=rows,
        total=total,
        comparison=comparison,
        modelled=tuple(shown),
        measures=(first.measure.strip(),) if first.measure.strip() else (),
        kirkpatrick=tuple(sorted({level for c in cohorts for level in c.kirkpatrick})),
        min_size=min_size,
        notes=tuple(dict.fromkeys(notes)),
    )


def _pooled(
    organisation: str, cohorts: Sequence[CohortOutcomeSummary], confidence: float
) -> OrganisationOutcome:
    """The change over everyone in ``cohorts``, each person once: n = sum n_j, mean = sum
    n_j m_j / n, SD from the within-cohort sums of squares (n_j - 1) s_j^2 plus the between
    sum n_j (m_j - mean)^2, over n - 1 (None with one person, or a cohort of 2 or more with no
    SD); the t interval of the mean and d_z = mean / SD (None when the SD is 0 or None)."""
    n = sum(c.matched for c in cohorts)
    mean = sum(c.matched * c.mean_gain for c in cohorts) / n
    sd: float | None = None
    if n >= 2 and all(c.matched < 2 or c.sd_gain is not None for c in cohorts):
        within = sum((c.matched - 1) * (c.sd_gain or 0.0) ** 2 for c in cohorts)
        between = sum(c.matched * (c.mean_gain - mean) ** 2 for c in cohorts)
        sd = math.sqrt((within + between) / (n - 1))
    ci = None
    effect = None
    if sd is not None:
        half = t_ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
        ci = ConfidenceInterval(mean - half, mean + half, confidence)
        effect = mean / sd if sd > 0 else None
    return OrganisationOutcome(organisation, len(cohorts), n, mean, sd, ci, effect)
