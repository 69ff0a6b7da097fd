"""What the results pages analyse: a scope (a cohort, a programme or the whole organisation),
its instruments and responses, and the core's evaluation of them.

Everything statistical is the core's: the responses reach it only through
:func:`imheval.web.results.adapter.response_table`, small groups are suppressed by the core from
``min_group_size``, and accepted match decisions become the core's ``accepted_matches``. This
module only chooses what to analyse and turns the bad situations (nothing set up, no responses
yet, an analysis error) into a plain explanation.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from django.db.models import Count, Max

import imheval
from imheval import EvaluationOptions, ImhevalError, evaluate, score_items
from imheval.evaluation import Evaluation
from imheval.instruments import Instrument
from imheval.instruments.bank import builtin_ids, get_builtin, split_ref
from imheval.io.table import TIMEPOINTS, ResponseTable
from imheval.matching import MatchResult, match
from imheval.web.capture.models import Status, Submission
from imheval.web.organisations.models import AuditEvent, Organisation
from imheval.web.results.adapter import cohort_labels, response_table
from imheval.web.results.models import Decision, MatchDecision
from imheval.web.workforce.services_models import ServiceFigure, ServiceTraining
from imheval.web.workspace.models import (
    Cohort,
    Collection,
    InstrumentFile,
    Programme,
    current_builtin_version,
    pinned_refs,
    resolve_instruments,
)

ScopeKind = Literal["cohort", "programme", "organisation"]
REPORT_TITLE = "Evaluation of infant mental health training"


@dataclass(frozen=True)
class Scope:
    """The responses one results page analyses: a cohort's, a programme's or all of them."""

    organisation: Organisation
    cohort: Cohort | None = None
    programme: Programme | None = None

    @classmethod
    def of(cls, organisation: Organisation, obj: Cohort | Programme | None = None) -> Scope:
        if isinstance(obj, Cohort):
            return cls(organisation, cohort=obj, programme=obj.programme)
        if isinstance(obj, Programme):
            return cls(organisation, programme=obj)
        return cls(organisation)

    @property
    def kind(self) -> ScopeKind:
        if self.cohort is not None:
            return "cohort"
        return "programme" if self.programme is not None else "organisation"

    @property
    def key(self) -> str:
        """The scope in a few characters: "organisation", "programme:12" or "cohort:34"."""
        if self.cohort is not None:
            return f"cohort:{self.cohort.pk}"
        if self.programme is not None:
            return f"programme:{self.programme.pk}"
        return "organisation"

    @property
    def name(self) -> str:
        """What the scope is called on the page: "SOL-1", a programme's or organisation's name."""
        if self.cohort is not None:
            return self.cohort.name
        if self.programme is not None:
            return self.programme.name
        return self.organisation.name

    @property
    def description(self) -> str:
        """The scope in a sentence: "cohort SOL-1 of Solihull Approach foundation"."""
        if self.cohort is not None and self.programme is not None:
            return f"cohort {self.cohort.name} of {self.programme.name}"
        if self.programme is not None:
            return f"the programme {self.programme.name}"
        return f"all programmes of {self.organisation.name}"

    @property
    def report_title(self) -> str:
        if self.cohort is not None and self.programme is not None:
            return f"{REPORT_TITLE}: cohort {self.cohort.name} ({self.programme.name})"
        return f"{REPORT_TITLE}: {self.name}"

    @property
    def source(self) -> str:
        """The evaluation's ``source`` (the report prints it as "data: ..."), naming any cohort
        left out for asking another version of an instrument."""
        text = f"{self.organisation.name} workspace, {self.description}"
        if self.versions.left_out:
            names = ", ".join(cohort.name for cohort in self.versions.left_out)
            text += f" (left out, as they asked another version of an instrument: {names})"
        return text.replace("/", "-").replace("\\", "-")

    def file_name(self, what: str, extension: str) -> str:
        """A download's name, e.g. "northern-SOL-1-report.pdf" or "northern-responses.csv"."""
        parts = [self.organisation.slug]
        if self.kind != "organisation":
            parts.append(safe_file_part(self.name))
        return "-".join([*parts, what]) + extension

    def submissions(self) -> Any:
        """Every submission in the scope (drafts too; the adapter leaves them out), less those
        of cohorts left out for asking another version of an instrument (:attr:`versions`)."""
        found = Submission.objects.in_organisation(self.organisation)
        if self.cohort is not None:
            return found.filter(collection__cohort=self.cohort)
        if self.programme is not None:
            found = found.filter(collection__cohort__programme=self.programme)
        if left_out := self.versions.left_out_ids:
            found = found.exclude(collection__cohort_id__in=left_out)
        return found

    def cohorts(self) -> Any:
        """The scope's cohorts, less those left out for another version (:attr:`versions`)."""
        found = self._all_cohorts()
        if left_out := self.versions.left_out_ids:
            found = found.exclude(pk__in=left_out)
        return found

    def _all_cohorts(self) -> Any:
        found = Cohort.objects.in_organisation(self.organisation)
        if self.cohort is not None:
            return found.filter(pk=self.cohort.pk)
        if self.programme is not None:
            return found.filter(programme=self.programme)
        return found

    @cached_property
    def versions(self) -> VersionSplit:
        """Which version of each built-in instrument a programme's or organisation's results
        use, when its cohorts asked more than one; a cohort's own page needs none (one query
        for a programme or organisation, two when a cohort is left out)."""
        if self.cohort is not None:
            return VersionSplit()
        pins = Collection.objects.in_organisation(self.organisation).filter(
            cohort__in=self._all_cohorts()
        )
        return version_split(
            self.organisation,
            pins.values_list("cohort_id", "instrument_refs", "instrument_versions"),
        )

    def questionnaire_refs(self) -> list[list[str]]:
        """Each of the scope's questionnaires' instrument refs, with built-ins at their pinned
        versions (:meth:`Collection.pinned_refs`), in the order they were asked: cohorts in the
        order they ran, then pre, post, follow-up.

        One query, read as values rather than models (a large organisation has thousands of
        questionnaires); only a questionnaire with a built-in not pinned yet, whose version
        :meth:`Collection.pinned_versions` works out from its cohort, is loaded as a model.
        """
        found = Collection.objects.in_organisation(self.organisation).filter(
            cohort__in=self.cohorts()
        )
        order = {timepoint: index for index, timepoint in enumerate(TIMEPOINTS)}
        rows = sorted(
            found.values_list(
                "pk",
                "cohort__start_date",
                "cohort_id",
                "timepoint",
                "instrument_refs",
                "instrument_versions",
            ),
            key=lambda row: (row[1], row[2], order.get(row[3], 9)),
        )
        builtins = set(builtin_ids())
        asked = []
        for pk, _, _, _, refs, versions in rows:
            refs, versions = list(refs or []), versions or {}
            if any(ref in builtins and ref not in versions for ref in refs):
                asked.append(Collection.objects.get(pk=pk).pinned_refs())
            else:
                asked.append(pinned_refs(refs, {r: versions[r] for r in refs if r in versions}))
        return asked


@dataclass(frozen=True)
class VersionUse:
    """One built-in instrument asked at more than one version in a scope: the version the
    results use (``chosen``) and the cohorts that asked each version, by version."""

    instrument_id: str
    title: str
    chosen: str
    cohorts: dict[str, tuple[Cohort, ...]]

    @property
    def others(self) -> list[tuple[str, tuple[Cohort, ...]]]:
        """(version, its cohorts) for each version the results leave out."""
        return [
            (version, found) for version, found in self.cohorts.items() if version != self.chosen
        ]


@dataclass(frozen=True)
class VersionSplit:
    """Built-in instruments asked at more than one version in a programme or organisation.

    Answers to two versions of an instrument are answers to different questions, so they are
    never put together: the results use, for each such instrument, the version most of the
    scope's cohorts asked (on a tie, the newer), and leave out the cohorts that asked another
    (``left_out``; each still has its own results page). Empty when every cohort asked the same.
    """

    instruments: tuple[VersionUse, ...] = ()
    left_out: tuple[Cohort, ...] = ()

    @property
    def left_out_ids(self) -> list[int]:
        return [cohort.pk for cohort in self.left_out]


def _version_order(version: str) -> tuple[int, ...]:
    """A version as numbers for ordering, newest highest: "1.10.0" after "1.9.2"."""
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def version_split(organisation: Organisation, pins: Iterable[tuple[int, Any, Any]]) -> VersionSplit:
    """The :class:`VersionSplit` of questionnaires given as (cohort id, instrument refs,
    instrument versions) rows. A built-in without a pin counts as the bank's current version.
    Reads the cohorts only when some are left out (one query)."""
    asked: dict[str, dict[str, set[int]]] = {}
    for cohort_id, refs, versions in pins:
        for ref in refs or []:
            version = (versions or {}).get(ref) or current_builtin_version(ref)
            if version is not None:
                asked.setdefault(ref, {}).setdefault(version, set()).add(cohort_id)
    left_out: set[int] = set()
    chosen: dict[str, str] = {}
    for instrument_id in sorted(asked):
        by_version = {
            version: cohorts - left_out for version, cohorts in asked[instrument_id].items()
        }
        by_version = {version: cohorts for version, cohorts in by_version.items() if cohorts}
        if len(by_version) < 2:
            continue
        chosen[instrument_id] = max(
            by_version,
            key=lambda v: (len(by_version[v]), _version_order(v), v),
        )
        for version, cohorts in by_version.items():
            if version != chosen[instrument_id]:
                left_out |= cohorts
    if not chosen:
        return VersionSplit()
    involved = {c for i in chosen for cohorts in asked[i].values() for c in cohorts}
    found = Cohort.objects.in_organisation(organisation).filter(pk__in=involved)
    found = found.select_related("programme")
    in_order = {cohort.pk: cohort for cohort in found.order_by("start_date", "name")}

    def named(ids: set[int]) -> tuple[Cohort, ...]:
        return tuple(cohort for pk, cohort in in_order.items() if pk in ids)

    uses = tuple(
        VersionUse(
            instrument_id,
            get_builtin(instrument_id).title,
            version,
            {
                v: named(ids)
                for v, ids in sorted(
                    asked[instrument_id].items(),
                    key=lambda kv: _version_order(kv[0]),
                )
            },
        )
        for instrument_id, version in chosen.items()
    )
    return VersionSplit(uses, named(left_out))


def safe_file_part(text: str) -> str:
    """``text`` as part of a file name: letters, digits and hyphens ("Think Family" ->
    "Think-Family")."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "results"


class UnavailableError(Exception):
    """Raised when a scope cannot be analysed; the message is a plain explanation for the page."""


def scope_instruments(scope: Scope) -> list[Instrument]:
    """The instruments of the scope's questionnaires, each once, in the order first used.

    Raises :class:`UnavailableError` when no questionnaire is set up or an instrument cannot
    be loaded.
    """
    refs: list[str] = []
    for asked in scope.questionnaire_refs():
        refs.extend(ref for ref in asked if ref not in refs)
    if not refs:
        raise UnavailableError(
            f"No questionnaires have been set up for {scope.description} yet, so there is "
            "nothing to analyse."
        )
    versions: dict[str, list[str]] = {}
    for ref in refs:
        instrument_id, version = split_ref(ref)
        versions.setdefault(instrument_id, []).append(version or "current")
    if mixed := {i: found for i, found in versions.items() if len(found) > 1}:
        named = "; ".join(f"{i}: versions {' and '.join(found)}" for i, found in mixed.items())
        raise UnavailableError(
            f"The questionnaires of {scope.description} ask different versions of the same "
            f"instrument ({named}). The questions differ between versions, so these answers "
            "cannot be analysed together."
        )
    try:
        return resolve_instruments(scope.organisation, refs)
    except ImhevalError as error:
        raise UnavailableError(
            f"An instrument of these questionnaires cannot be used: {error}"
        ) from None


def scope_table(scope: Scope, instruments: Sequence[Instrument]) -> ResponseTable:
    """The scope's complete responses as the core's table; :class:`UnavailableError` if none."""
    table = response_table(scope.submissions(), instruments, scope.source)
    if table.n_rows == 0:
        raise UnavailableError(
            f"No one has completed a questionnaire for {scope.description} yet. Results appear "
            "here as soon as the first responses are in."
        )
    return table


def data_fingerprint(scope: Scope) -> str:
    """A short hash of everything the scope's evaluation depends on, in five small queries.

    It changes whenever the results could change: a response completed or deleted, or added in
    bulk (count and last id of the scope's complete submissions: the database index answers
    that without reading the responses), a match decision made or changed (count, last id and
    last decision time of the scope's decisions), a questionnaire's instruments changed, an
    instrument uploaded, any audited change in the organisation (a response corrected, a cohort
    or programme renamed or moved: the last audit event's id), and the core's version and
    evaluation options. Drafts change nothing. It may change when the results do not (an
    unrelated change elsewhere in the organisation); the evaluation is then simply run again.
    The results page's report also shows the organisation's level 4 service figures:
    :func:`service_fingerprint` covers those.
    """
    organisation = scope.organisation
    submissions = scope.submissions().filter(status=Status.COMPLETE)
    decisions = MatchDecision.objects.in_organisation(organisation).filter(
        cohort__in=scope.cohorts()
    )
    collections = Collection.objects.in_organisation(organisation).filter(
        cohort__in=scope.cohorts()
    )
    parts = {
        "core": [imheval.__version__, repr(EvaluationOptions())],
        "organisation": [organisation.pk, organisation.name, organisation.slug],
        "submissions": _summary(submissions),
        "decisions": _summary(decisions, "decided_at"),
        "questionnaires": sorted(
            [cohort, timepoint, refs]
            for cohort, timepoint, *refs in collections.values_list(
                "cohort_id", "timepoint", "instrument_refs", "instrument_versions"
            )
        ),
        "uploads": _summary(InstrumentFile.objects.in_organisation(organisation), "uploaded_at"),
        "audit": AuditEvent.objects.in_organisation(organisation).aggregate(last=Max("id"))["last"],
    }
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def service_fingerprint(organisation: Organisation) -> list[Any]:
    """[count, last id] of the organisation's level 4 service figures and of their services'
    training dates (two small queries): a report that shows them changes when they do."""
    return [
        _summary(ServiceFigure.objects.in_organisation(organisation)),
        _summary(ServiceTraining.objects.in_organisation(organisation)),
    ]


def _summary(rows: Any, *times: str) -> list[Any]:
    """[count, last id, then the last value of each of ``times``] of ``rows``, in one query."""
    found = rows.aggregate(
        n=Count("id"), last=Max("id"), **{f"last_{time}": Max(time) for time in times}
    )
    return [found["n"], found["last"], *(found[f"last_{time}"] for time in times)]


def applicable_decisions(
    organisation: Organisation, cohorts: Any, submissions: Any, table: ResponseTable
) -> list[tuple[str, MatchDecision]]:
    """The stored match decisions on ``cohorts`` that still apply, with their cohort's label.

    The cohort is named as the adapter names it in this selection of ``submissions`` (so
    exactly as in the responses export). A decision whose codes are no longer both in
    ``table`` (a response deleted, or left out as a repeated code) is skipped: it no longer
    joins anything. Both the analysis (accepted ones) and the decisions download use this.
    """
    decisions = MatchDecision.objects.in_organisation(organisation).filter(cohort__in=cohorts)
    decisions = list(decisions.order_by("cohort_id", "code_a", "code_b"))
    if not decisions:  # most scopes: no need to name cohorts or look at the codes
        return []
    labels = cohort_labels(submissions)
    present = set(zip(table.frame["cohort"], table.frame["participant"], strict=True))
    applicable = []
    for decision in decisions:
        label = labels.get(decision.cohort_id)
        if label is None:
            continue
        if (label, decision.code_a) in present and (label, decision.code_b) in present:
            applicable.append((label, decision))
    return applicable


def accepted_matches(scope: Scope, table: ResponseTable) -> tuple[tuple[str, str, str], ...]:
    """The scope's accepted match decisions as the core's (cohort, earlier, later) triples."""
    return tuple(
        (label, decision.code_a, decision.code_b)
        for label, decision in applicable_decisions(
            scope.organisation, scope.cohorts(), scope.submissions(), table
        )
        if decision.decision == Decision.ACCEPTED
    )


@dataclass(frozen=True)
class Analysis:
    """The evaluation of a scope, or the plain reason there is none (``problem``)."""

    scope: Scope
    evaluation: Evaluation | None = None
    problem: str = ""
    instruments: tuple[Instrument, ...] = ()
    responses: int = 0

    @property
    def matched_pairs(self) -> int:
        if self.evaluation is None:
            return 0
        cohorts = self.evaluation.matched.cohorts
        return int(cohorts["n_matched"].sum()) if len(cohorts) else 0

    @property
    def notice(self) -> str:
        """A plain note when the analysis ran but can say little yet."""
        if self.evaluation is not None and self.matched_pairs == 0:
            return (
                "No one has yet answered both the pre-test and the post-test with the same "
                "code, so change cannot be measured yet. The results below show who has taken "
                "part so far."
            )
        return ""


def analyse(scope: Scope, deeper: bool = True) -> Analysis:
    """Run the core's evaluation of ``scope``; never raises for bad data (see ``problem``).

    ``deeper=False`` leaves out the core's deeper analyses (``imheval.evaluate(deeper=False)``):
    enough for the report's summary, in a fraction of the time.
    """
    try:
        instruments = scope_instruments(scope)
        table = scope_table(scope, instruments)
    except UnavailableError as reason:
        return Analysis(scope, problem=str(reason))
    options = EvaluationOptions(accepted_matches=accepted_matches(scope, table))
    try:
        evaluation = evaluate(table, instruments, options, deeper=deeper)
    except ImhevalError as error:
        return Analysis(
            scope,
            problem=f"The analysis could not be run: {error}",
            instruments=tuple(instruments),
            responses=table.n_rows,
        )
    return Analysis(scope, evaluation, "", tuple(instruments), table.n_rows)


@dataclass(frozen=True)
class MatchReview:
    """A cohort's tolerant matching with the accepted decisions applied.

    ``result.probable_matches`` are the pairs still to judge (accepted pairs are already merged,
    so they no longer appear); ``check`` tells whether accepting one more pair would be valid.
    """

    scope: Scope
    result: MatchResult | None
    accepted: tuple[tuple[str, str, str], ...]
    problem: str = ""
    _scored: Any = None

    def check(self, earlier: str, later: str) -> str:
        """ "" if accepting (earlier, later) too is consistent, else the core's reason."""
        if self._scored is None or self.scope.cohort is None:
            return "There are no responses to match."
        triples = (*self.accepted, (self.scope.cohort.name, earlier, later))
        try:
            match(self._scored, "exact", triples)
        except ImhevalError as error:
            return str(error)
        return ""


def review_matches(cohort_scope: Scope) -> MatchReview:
    """Tolerant matching of one cohort's responses (the core's probable-match rules)."""
    try:
        instruments = scope_instruments(cohort_scope)
        table = scope_table(cohort_scope, instruments)
        accepted = accepted_matches(cohort_scope, table)
        scored = score_items(table, instruments)
        result = match(scored, "tolerant", accepted)
    except UnavailableError as reason:
        return MatchReview(cohort_scope, None, (), str(reason))
    except ImhevalError as error:
        return MatchReview(cohort_scope, None, (), f"Matching could not be run: {error}")
    return MatchReview(cohort_scope, result, accepted, "", scored)
