"""Outcomes beside coverage: each programme's "did it work" kept beside "how many".

The evaluation engine is the only source of the figures: :func:`refresh_outcomes` runs the
results app's analysis (:func:`imheval.web.results.analysis.analyse`, the very evaluation the
results pages show, with the same suppression of small groups) for each programme and each
cohort whose data changed, and keeps what the outcomes page, the board pack and a region need:

* :class:`~.models.ProgrammeOutcome` ``content`` (JSON, :data:`OUTCOME_FORMAT`): per measure
  (the instruments' domains) the matched n, the means before and after, the mean change with
  its CI, the effect size named by its type (Cohen's d_z) with its CI, the paired t-test's p
  (raw and Holm-adjusted) and the engine's one-sentence headline; the follow-up retention (people
  matched at follow-up of the people matched before and after); the Kirkpatrick levels the
  questionnaires measure. A measure with fewer than ``min_group_size`` matched people keeps no
  figure at all, not even its n; a count of 1 to ``min_group_size - 1`` people is kept as None
  (the results pages' "fewer than 5").
* :class:`~.models.CohortOutcome`: a cohort's aggregates on its main measure (below), in percent
  of the measure's range, so that programmes with different questionnaires sit in one table:
  what a region's comparison of organisations reads. No code, no answer, no name. A cohort with
  fewer than ``min_group_size`` people matched keeps its counts but no mean or SD (a region
  applies its own small-group rule to counts when it shows them).

The engine adds no domains together (knowledge and self-efficacy are different things), so there
is no "total score" across domains: a programme's or cohort's **main measure** is its first
Kirkpatrick level 2 (learning) domain in the questionnaires' order (e.g. imh-core's knowledge),
else its first domain.

Rows are recomputed only when their fingerprint (:func:`~imheval.web.results.analysis.
data_fingerprint` of the programme's or cohort's scope, with :data:`OUTCOME_FORMAT`) changed.
Each programme's row also keeps the organisation's fingerprint when it was last checked
(``content["checked"]``), so the page can tell in a constant number of queries whether anything
may have changed since (:func:`outcomes_stale`). :func:`programme_outcomes` only reads.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from imheval.evaluation import DomainEvaluation, Evaluation
from imheval.evaluation.findings import significant
from imheval.findings.wording import size_word
from imheval.instruments import Instrument
from imheval.stats._common import finite_or_none
from imheval.stats.results import EFFECT_SIZE_LABELS
from imheval.web.organisations.models import Organisation
from imheval.web.results.analysis import (
    Analysis,
    Scope,
    UnavailableError,
    analyse,
    data_fingerprint,
)
from imheval.web.results.analysis import scope_instruments as _scope_instruments
from imheval.web.workforce.models import CohortOutcome, PlacesYear, ProgrammeOutcome
from imheval.web.workspace.models import Cohort, Programme
from imheval.workforce.board import OutcomeLine

logger = logging.getLogger(__name__)

#: Bump when what :func:`programme_content` or :func:`cohort_figures` keep changes: every row
#: kept by an older format is then computed again on the next refresh.
OUTCOME_FORMAT = 1

#: Kirkpatrick's levels, as the page names them.
KIRKPATRICK_NAMES: Mapping[int, str] = {1: "Reaction", 2: "Learning", 3: "Behaviour", 4: "Results"}

#: The effect size the page shows (the engine's headline judges size on it).
SHOWN_EFFECT = "cohen_dz"


# ------------------------------------------------------------------------- fingerprints


def scope_fingerprint(scope: Scope) -> str:
    """The data's fingerprint for ``scope`` with this module's format (five small queries)."""
    text = f"outcomes:{OUTCOME_FORMAT}:{data_fingerprint(scope)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def organisation_fingerprint(organisation: Organisation) -> str:
    """The fingerprint of everything the organisation's evaluations depend on: it changes
    whenever any programme's or cohort's would (a constant number of queries)."""
    return scope_fingerprint(Scope.of(organisation))


# ------------------------------------------------------------------------- computing


def kirkpatrick_levels(analysis: Analysis) -> list[int]:
    """The Kirkpatrick levels the scope's questionnaires measure (their instruments' domains),
    lowest first; those of the questionnaires set up when no one has answered yet."""
    instruments: Sequence[Instrument] = analysis.instruments
    if not instruments:
        try:
            instruments = _scope_instruments(analysis.scope)
        except UnavailableError:
            return []
    return sorted({int(d.kirkpatrick_level) for i in instruments for d in i.domains})


def main_domain(evaluation: Evaluation) -> DomainEvaluation | None:
    """The main measure: the first learning (level 2) domain, else the first domain."""
    for domain in evaluation.domains:
        if domain.domain.kirkpatrick_level == 2:
            return domain
    return evaluation.domains[0] if evaluation.domains else None


def _small(n: int, min_size: int) -> bool:
    return 0 < n < min_size


def _count(n: int, min_size: int) -> int | None:
    """A count of people as the results pages show it: None for 1 to min_size - 1."""
    return None if _small(n, min_size) else n


def measure_content(domain: DomainEvaluation, min_size: int) -> dict[str, Any]:
    """One measure's figures (JSON), from the engine's typed results; nothing but its name and
    range when fewer than ``min_size`` people were matched."""
    info = domain.domain
    found: dict[str, Any] = {
        "id": info.id,
        "label": info.label,
        "kirkpatrick_level": info.kirkpatrick_level,
        "answers": info.answers,
        "scale": info.scale,
        "min_total": finite_or_none(info.min_total),
        "max_total": finite_or_none(info.max_total),
        "n": _count(domain.n_pairs, min_size),
        "suppressed": _small(domain.n_pairs, min_size),
        "headline": domain.headline.text if domain.headline is not None else "",
    }
    if found["suppressed"] or domain.n_pairs == 0:
        return found
    overall = domain.overall
    found.update(
        pre_mean=finite_or_none(overall.pre_mean),
        post_mean=finite_or_none(overall.post_mean),
        pre_percent=finite_or_none(overall.pre_percent),
        post_percent=finite_or_none(overall.post_percent),
        change_percent=finite_or_none(overall.difference_percent),
        change_sd=finite_or_none(overall.difference_sd),
    )
    entry = domain.test("participant", "paired_t")
    if entry is None:
        return found
    result = entry.result
    if not result.computed:
        found["reason"] = result.reason or ""
        return found
    found.update(
        change=finite_or_none(result.estimate),
        change_ci=result.estimate_ci.to_list() if result.estimate_ci is not None else None,
        test=result.test,
        p=finite_or_none(result.p),
        p_holm=finite_or_none(entry.p_holm),
        significant=significant(entry),
        apa=result.apa(),
        effects=[
            {
                "name": effect.name,
                "label": EFFECT_SIZE_LABELS.get(effect.name, effect.name),
                "value": finite_or_none(effect.value),
                "ci": effect.ci.to_list() if effect.ci is not None else None,
                "ci_level": effect.ci.level if effect.ci is not None else None,
            }
            for effect in result.effect_sizes
        ],
    )
    return found


def programme_content(scope: Scope) -> dict[str, Any]:
    """What a programme's :class:`ProgrammeOutcome` keeps (see the module doc), from the
    results app's analysis of ``scope`` (never raises for bad data: ``problem`` says why)."""
    analysis = analyse(scope, deeper=False)
    evaluation = analysis.evaluation
    content: dict[str, Any] = {
        "format": OUTCOME_FORMAT,
        "problem": analysis.problem,
        "notice": analysis.notice,
        "kirkpatrick": kirkpatrick_levels(analysis),
        "measures": [],
        "main": None,
    }
    if evaluation is None:
        return content
    min_size = evaluation.options.min_group_size
    cohorts = evaluation.matched.cohorts
    matched = int(cohorts["n_matched"].sum()) if len(cohorts) else 0
    followed = int(cohorts["n_followup_matched"].sum()) if len(cohorts) else 0
    main = main_domain(evaluation)
    content.update(
        min_group_size=min_size,
        matched=_count(matched, min_size),
        followup_matched=_count(followed, min_size) if not _small(matched, min_size) else None,
        measures=[measure_content(domain, min_size) for domain in evaluation.domains],
        main=main.domain.id if main is not None else None,
    )
    return content


@dataclass(frozen=True)
class CohortFigures:
    """A cohort's aggregates on its main measure, as :class:`CohortOutcome` keeps them."""

    measure: str = ""
    matched: int = 0
    pre_mean: float | None = None
    post_mean: float | None = None
    mean_gain: float | None = None
    sd_gain: float | None = None
    followup_matched: int = 0
    kirkpatrick: tuple[int, ...] = ()


def cohort_figures(scope: Scope) -> CohortFigures:
    """The cohort's matched change on its main measure in percent of the measure's range, from
    the results app's analysis of the cohort (no means or SD for fewer than the minimum group
    size; no percentages when the range is unknown)."""
    analysis = analyse(scope, deeper=False)
    evaluation = analysis.evaluation
    levels = tuple(kirkpatrick_levels(analysis))
    if evaluation is None:
        return CohortFigures(kirkpatrick=levels)
    cohorts = evaluation.matched.cohorts
    followed = int(cohorts["n_followup_matched"].sum()) if len(cohorts) else 0
    main = main_domain(evaluation)
    if main is None:
        return CohortFigures(followup_matched=followed, kirkpatrick=levels)
    info, overall = main.domain, main.overall
    sd_gain = None
    if (
        overall.difference_sd is not None
        and info.min_total is not None
        and info.max_total is not None
        and overall.difference_percent is not None
    ):
        sd_gain = overall.difference_sd / (info.max_total - info.min_total) * 100.0
    return CohortFigures(
        measure=info.label,
        matched=main.n_pairs,
        pre_mean=finite_or_none(overall.pre_percent),
        post_mean=finite_or_none(overall.post_percent),
        mean_gain=finite_or_none(overall.difference_percent),
        sd_gain=finite_or_none(sd_gain),
        followup_matched=followed,
        kirkpatrick=levels,
    )


@dataclass(frozen=True)
class RefreshSummary:
    """What one refresh did: the programmes and cohorts computed again (their ids)."""

    programmes: tuple[int, ...]
    cohorts: tuple[int, ...]


def refresh_outcomes(organisation: Organisation) -> RefreshSummary:
    """Compute again every programme's and cohort's outcome whose data changed (or whose row is
    missing, or kept by another :data:`OUTCOME_FORMAT`), and mark every programme's row as
    checked against the organisation's current data. Slow for a large organisation: run it in
    the background (``outcome_tasks``)."""
    # Taken before anything is read, as the results pages do: a change made while computing
    # leaves a row that no longer matches, and the next visit refreshes again.
    checked = organisation_fingerprint(organisation)
    now = timezone.now()
    kept_programmes = {
        row.programme_id: row for row in ProgrammeOutcome.objects.in_organisation(organisation)
    }
    kept_cohorts = {
        row.cohort_id: row.fingerprint
        for row in CohortOutcome.objects.in_organisation(organisation).only(
            "cohort_id", "fingerprint"
        )
    }
    computed_programmes: list[int] = []
    for programme in Programme.objects.in_organisation(organisation).order_by("pk"):
        scope = Scope.of(organisation, programme)
        fingerprint = scope_fingerprint(scope)
        kept = kept_programmes.get(programme.pk)
        if kept is not None and kept.fingerprint == fingerprint:
            if kept.content.get("checked") != checked:
                ProgrammeOutcome.objects.filter(pk=kept.pk).update(
                    content={**kept.content, "checked": checked}
                )
            continue
        content = {**programme_content(scope), "checked": checked}
        ProgrammeOutcome.objects.update_or_create(
            programme=programme,
            defaults={"fingerprint": fingerprint, "computed_at": now, "content": content},
        )
        computed_programmes.append(programme.pk)
    computed_cohorts: list[int] = []
    cohorts = Cohort.objects.in_organisation(organisation).select_related("programme")
    for cohort in cohorts.order_by("pk"):
        scope = Scope.of(organisation, cohort)
        fingerprint = scope_fingerprint(scope)
        if kept_cohorts.get(cohort.pk) == fingerprint:
            continue
        figures = cohort_figures(scope)
        CohortOutcome.objects.update_or_create(
            cohort=cohort,
            defaults={
                "fingerprint": fingerprint,
                "computed_at": now,
                "measure": figures.measure,
                "matched": figures.matched,
                "pre_mean": figures.pre_mean,
                "post_mean": figures.post_mean,
                "mean_gain": figures.mean_gain,
                "sd_gain": figures.sd_gain,
                "followup_matched": figures.followup_matched,
                "kirkpatrick": list(figures.kirkpatrick),
            },
        )
        computed_cohorts.append(cohort.pk)
    logger.info(
        "outcomes of %s refreshed: %d programmes and %d cohorts computed",
        organisation.slug,
        len(computed_programmes),
        len(computed_cohorts),
    )
    return RefreshSummary(tuple(computed_programmes), tuple(computed_cohorts))


# ------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Effect:
    """An effect size as kept: its type (``cohen_dz``), plain name, value and CI."""

    name: str
    label: str
    value: float | None
    ci: tuple[float, float] | None

    @property
    def short_name(self) -> str:
        """ "Cohen's d_z" (the plain name without its explanation)."""
        return self.label.split(" (")[0]


@dataclass(frozen=True)
class Measure:
    """One measure's kept figures (see :func:`measure_content`); ``n`` is None when fewer than
    the minimum group size were matched (``suppressed``)."""

    id: str
    label: str
    kirkpatrick_level: int
    answers: str
    min_total: float | None
    max_total: float | None
    n: int | None
    suppressed: bool
    headline: str = ""
    pre_mean: float | None = None
    post_mean: float | None = None
    change: float | None = None
    change_ci: tuple[float, float] | None = None
    change_percent: float | None = None
    p: float | None = None
    p_holm: float | None = None
    significant: bool = False
    reason: str = ""
    effects: tuple[Effect, ...] = ()

    @classmethod
    def of(cls, kept: Mapping[str, Any]) -> Measure:
        return cls(
            id=str(kept["id"]),
            label=str(kept["label"]),
            kirkpatrick_level=int(kept["kirkpatrick_level"]),
            answers=str(kept.get("answers", "")),
            min_total=kept.get("min_total"),
            max_total=kept.get("max_total"),
            n=kept.get("n"),
            suppressed=bool(kept.get("suppressed")),
            headline=str(kept.get("headline", "")),
            pre_mean=kept.get("pre_mean"),
            post_mean=kept.get("post_mean"),
            change=kept.get("change"),
            change_ci=_pair(kept.get("change_ci")),
            change_percent=kept.get("change_percent"),
            p=kept.get("p"),
            p_holm=kept.get("p_holm"),
            significant=bool(kept.get("significant")),
            reason=str(kept.get("reason", "")),
            effects=tuple(
                Effect(str(e["name"]), str(e["label"]), e.get("value"), _pair(e.get("ci")))
                for e in kept.get("effects", [])
            ),
        )

    @property
    def p_judged(self) -> float | None:
        """The p the engine judges significance on: Holm-adjusted, else the raw p."""
        return self.p_holm if self.p_holm is not None else self.p

    @property
    def effect(self) -> Effect | None:
        """The effect size the page shows (Cohen's d_z), if computed."""
        return next((e for e in self.effects if e.name == SHOWN_EFFECT), None)

    @property
    def scale_text(self) -> str:
        """ "of 10" for a 0 to 10 measure, "on a scale of 6 to 30", or ""."""
        if self.min_total is None or self.max_total is None:
            return ""
        if self.min_total == 0:
            return f"of {self.max_total:g}"
        return f"on a scale of {self.min_total:g} to {self.max_total:g}"


def _pair(value: Any) -> tuple[float, float] | None:
    if not value or len(value) != 2 or value[0] is None or value[1] is None:
        return None
    return (float(value[0]), float(value[1]))


@dataclass(frozen=True)
class ProgrammeOutcomeRow:
    """One programme on the outcomes page: how many (places, people trained, from the offer and
    the register: counts only) and did it work (the kept outcome, None until first computed)."""

    programme_id: int
    programme: str
    level: str
    funder: str
    places_year: int
    places_funded: int | None
    trained: int
    computed_at: datetime.datetime | None
    checked: str
    problem: str
    min_group_size: int
    matched: int | None
    followup_matched: int | None
    kirkpatrick: tuple[int, ...]
    measures: tuple[Measure, ...]
    main_id: str | None

    @property
    def computed(self) -> bool:
        return self.computed_at is not None

    def outcome_line(self) -> OutcomeLine:
        """The row as the board pack's :class:`~imheval.workforce.board.OutcomeLine`."""
        main = self.main
        shown = main if main is not None and not main.suppressed else None
        effect = shown.effect if shown is not None else None
        return OutcomeLine(
            programme=self.programme,
            level=self.level,
            completed=self.trained,
            matched=self.matched if self.computed and not self.problem else None,
            measure=main.label if main is not None else "",
            change=shown.change if shown is not None else None,
            effect_label=effect.short_name if effect is not None else "",
            effect=effect.value if effect is not None else None,
            ci_low=effect.ci[0] if effect is not None and effect.ci is not None else None,
            ci_high=effect.ci[1] if effect is not None and effect.ci is not None else None,
            followup_matched=self.followup_matched,
            kirkpatrick=self.kirkpatrick,
            sentence=self.sentence,
        )

    @property
    def main(self) -> Measure | None:
        return next((m for m in self.measures if m.id == self.main_id), None)

    @property
    def matched_small(self) -> bool:
        """Whether 1 to min_group_size - 1 people were matched (the count is hidden)."""
        return self.computed and not self.problem and self.matched is None

    @property
    def retention(self) -> float | None:
        """People matched at follow-up as a share (0 to 1) of those matched before and after;
        None when either count is hidden or nobody was matched."""
        if self.matched is None or self.followup_matched is None or self.matched == 0:
            return None
        return self.followup_matched / self.matched

    @property
    def kirkpatrick_text(self) -> str:
        """ "1 Reaction, 2 Learning" (empty when none is known)."""
        return ", ".join(
            f"{level} {KIRKPATRICK_NAMES.get(level, '')}" for level in self.kirkpatrick
        )

    @property
    def sentence(self) -> str:
        """The programme in one plain sentence: "Solihull foundation: 84 people completed;
        knowledge rose by 2.1 points of 10 (Cohen's d_z 0.80, 95% CI 0.60 to 1.00), a large
        change." (rounded here, for reading; the table and downloads keep more)."""
        trained = f"{self.trained:,} {'person' if self.trained == 1 else 'people'} completed"
        start = f"{self.programme}: {trained}"
        if not self.computed:
            return f"{start}; the evaluation results have not been worked out yet."
        if self.problem:
            return f"{start}; no evaluation results yet."
        if self.matched_small:
            return (
                f"{start}; fewer than {self.min_group_size} people answered both before and "
                "after training, too few to report the change."
            )
        main = self.main
        if not self.matched or main is None:
            return f"{start}; no one has yet answered both before and after training."
        if main.suppressed:
            return (
                f"{start}; fewer than {self.min_group_size} people were measured on "
                f"{main.label.lower()} both before and after, too few to report."
            )
        if main.change is None:
            return f"{start}; the change in {main.label.lower()} could not be tested."
        verb = "rose" if main.change > 0 else "fell" if main.change < 0 else "did not change"
        amount = ""
        if main.change != 0:
            points = abs(main.change)
            amount = f" by {points:.1f} {'point' if points == 1 else 'points'}"
            amount += f" {main.scale_text}" if main.scale_text else ""
        effect = main.effect
        figures = ""
        if effect is not None and effect.value is not None:
            figures = f" ({effect.short_name} {effect.value:.2f}"
            if effect.ci is not None:
                figures += f", 95% CI {effect.ci[0]:.2f} to {effect.ci[1]:.2f}"
            figures += ")"
        judgement = ""
        if effect is not None and effect.value is not None:
            judgement = (
                f", {size_word(effect.value)} change"
                if main.significant
                else ", a change this size could be chance"
            )
        return f"{start}; {main.label.lower()} {verb}{amount}{figures}{judgement}."


def financial_year(day: datetime.date) -> int:
    """The financial year (starting in April) ``day`` falls in: 2026 for 1 April 2026 to 31
    March 2027."""
    return day.year if day.month >= 4 else day.year - 1


def programme_outcomes(
    organisation: Organisation, *, as_of: datetime.date | None = None
) -> list[ProgrammeOutcomeRow]:
    """Every programme not archived, with its kept outcome and its counts, by level then name:
    three queries whatever the number of programmes and cohorts; nothing is computed.

    Places funded are the financial year of ``as_of``'s (default today): the year's
    :class:`PlacesYear`, else the programme's places per year. People trained count the
    register's completions (``completed_on`` set) on every cohort of the programme.
    """
    year = financial_year(as_of or timezone.localdate())
    programmes = (
        Programme.objects.in_organisation(organisation)
        .filter(is_archived=False)
        .select_related("outcome")
        .annotate(
            trained=Count(
                "cohorts__trainees",
                filter=Q(cohorts__trainees__completed_on__isnull=False),
            )
        )
        .order_by("name")
    )
    funded = dict(
        PlacesYear.objects.in_organisation(organisation)
        .filter(year=year)
        .values_list("programme_id", "funded")
    )
    rows = [_row(programme, year, funded) for programme in programmes]
    return sorted(rows, key=lambda row: (row.level == "", row.level.lower(), row.programme))


def _row(programme: Programme, year: int, funded: Mapping[int, int]) -> ProgrammeOutcomeRow:
    try:
        kept: ProgrammeOutcome | None = programme.outcome  # type: ignore[attr-defined]
    except ProgrammeOutcome.DoesNotExist:
        kept = None
    content: Mapping[str, Any] = kept.content if kept is not None else {}
    return ProgrammeOutcomeRow(
        programme_id=programme.pk,
        programme=programme.name,
        level=programme.framework_level or programme.get_level_display(),
        funder=programme.funder,
        places_year=year,
        places_funded=funded.get(programme.pk, programme.places_per_year),
        trained=int(getattr(programme, "trained", 0)),
        computed_at=kept.computed_at if kept is not None else None,
        checked=str(content.get("checked", "")),
        problem=str(content.get("problem", "")),
        min_group_size=int(content.get("min_group_size", 5)),
        matched=content.get("matched"),
        followup_matched=content.get("followup_matched"),
        kirkpatrick=tuple(int(level) for level in content.get("kirkpatrick", [])),
        measures=tuple(Measure.of(m) for m in content.get("measures", [])),
        main_id=content.get("main"),
    )


def outcomes_stale(organisation: Organisation, rows: Sequence[ProgrammeOutcomeRow]) -> bool:
    """Whether any row is missing or was checked against data that have changed since (the
    organisation's fingerprint: a constant number of queries)."""
    if not rows:
        return False
    if any(not row.computed for row in rows):
        return True
    current = organisation_fingerprint(organisation)
    return any(row.checked != current for row in rows)
