#!/usr/bin/env python3
"""Expected reliability, ceiling and reliable change of the built-in bank's right/wrong domains,
by simulation, before any pilot data exist.

For each form and domain it simulates the seed study's design (68 people answering before and
after training, 1,000 times) under stated assumptions, and prints a Markdown table of KR-20
before training, the share of people at full marks before and after, the minimum reliable change
(Jacobson-Truax, with that KR-20) and the share of people who could show it and who did.

The model (a Rasch model with a guessing floor):

* each person has an ability theta ~ Normal(0, ``--ability-sd``) before training, and
  theta + delta + Normal(0, ``--gain-sd``) after it;
* a person answers item i correctly with probability g_i + (1 - g_i) * logistic(theta - b_i),
  where g_i = 1 / (number of options) is what a blind guess scores;
* each b_i is set so that the item's facility before training (averaged over people) is the
  assumed one, spread evenly over the stated range in the file's order; delta is set so that the
  mean facility after training is the stated one.

KR-20, the ceiling and the reliable change use imheval's own functions
(:func:`imheval.stats.cronbach_alpha`, :func:`imheval.stats.reliable_change`), as an evaluation
would. Figures are medians over the replications with the 10th to 90th percentiles.

Replace the assumptions with pilot figures (docs/instruments.md, "Expected figures"): run
``imheval analyse pilot.csv -i imh-advanced-knowledge@2.0.0 --json pilot.json`` and then
``scripts/simulate_bank.py --facilities pilot.json``; each item's observed facility before
training replaces the assumed one, and the mean observed facility after training replaces the
assumed mean. A CSV with columns ``item,pre,post`` works too.

Examples:
    scripts/simulate_bank.py                          # every scenario, the docs' table
    scripts/simulate_bank.py --people 30 --seed 7     # a smaller pilot group
    scripts/simulate_bank.py --facilities pilot.json  # the pilot's facilities
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.optimize import brentq
from scipy.special import expit

from imheval.instruments.bank import get_builtin, is_builtin_ref
from imheval.instruments.model import Instrument, KeyedItem
from imheval.stats import cronbach_alpha, reliable_change

#: The seed study's group: 68 people answered before and after training.
SEED_PEOPLE = 68


@dataclass(frozen=True, slots=True)
class Assumption:
    """What we expect of one domain of one instrument before any pilot: the range the items'
    facilities spread over before training, the mean facility after it, and why."""

    ref: str
    domain: str
    pre_low: float
    pre_high: float
    post_mean: float
    basis: str


#: The stated assumptions; docs/instruments.md prints them beside the results.
ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        "imh-core@1.0.0",
        "knowledge",
        0.78,
        0.92,
        0.94,
        "the content review's estimate (about .85 before training)",
    ),
    Assumption(
        "imh-core@1.0.0",
        "risk_identification",
        0.78,
        0.92,
        0.94,
        "the content review's estimate (about .85 before training)",
    ),
    Assumption(
        "imh-advanced-knowledge@1.0.0",
        "advanced_knowledge",
        0.78,
        0.92,
        0.94,
        "the content review's estimate (about .85 before training)",
    ),
    Assumption(
        "imh-advanced-knowledge@2.0.0",
        "advanced_knowledge",
        0.40,
        0.70,
        0.70,
        "written to need advanced knowledge: .40 to .70 before, .70 after (planning guess)",
    ),
    Assumption(
        "imh-core@2.0.0",
        "knowledge",
        0.45,
        0.75,
        0.75,
        "written to need IMH knowledge: .45 to .75 before, .75 after (planning guess)",
    ),
    Assumption(
        "imh-core@2.0.0",
        "risk_identification",
        0.45,
        0.75,
        0.72,
        "four-level actions: .45 to .75 before, .72 after (planning guess)",
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """How the simulation runs."""

    people: int = SEED_PEOPLE
    replications: int = 1000
    ability_sd: float = 1.0
    gain_sd: float = 0.5
    seed: int = 13


@dataclass(frozen=True, slots=True)
class Summary:
    """The median and the 10th and 90th percentiles of one figure over the replications."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        finite = np.asarray([v for v in values if math.isfinite(v)], dtype=float)
        if finite.size == 0:
            return cls(math.nan, math.nan, math.nan)
        low, median, high = np.percentile(finite, [10, 50, 90])
        return cls(float(median), float(low), float(high))

    def text(self, digits: int = 2, percent: bool = False) -> str:
        if math.isnan(self.median):
            return "not computed"
        if percent:
            return f"{self.median:.0%} ({self.low:.0%}–{self.high:.0%})"
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}–{self.high:.{digits}f})"


@dataclass(frozen=True, slots=True)
class Result:
    """The simulated figures of one form and domain."""

    ref: str
    form: str
    domain: str
    items: int
    pre_facilities: tuple[float, ...]
    post_mean: float
    basis: str
    kr20_pre: Summary
    full_marks_pre: Summary
    full_marks_post: Summary
    minimum_reliable_change: Summary
    could_show: Summary
    showed: Summary


_NODES, _WEIGHTS = hermegauss(60)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def expected_facility(difficulty: float, guess: float, mean: float, sd: float) -> float:
    """The facility of an item of ``difficulty`` among people whose ability is Normal(mean, sd):
    E[g + (1 - g) logistic(theta - b)], by Gauss-Hermite quadrature."""
    theta = mean + sd * _NODES
    return float(guess + (1.0 - guess) * np.dot(_WEIGHTS, expit(theta - difficulty)))


def difficulty_for(facility: float, guess: float, sd: float) -> float:
    """The difficulty b at which the expected facility before training is ``facility``."""
    if not guess < facility < 1.0:
        raise ValueError(
            f"a facility of {facility:.2f} is not between a blind guess ({guess:.2f}) and 1"
        )
    return float(brentq(lambda b: expected_facility(b, guess, 0.0, sd) - facility, -15.0, 15.0))


def gain_for(
    difficulties: np.ndarray, guesses: np.ndarray, post_mean: float, settings: Settings
) -> float:
    """The mean gain in ability (logits) at which the mean facility after training is
    ``post_mean``."""
    sd_post = math.hypot(settings.ability_sd, settings.gain_sd)

    def mean_after(delta: float) -> float:
        return float(
            np.mean(
                [
                    expected_facility(b, g, delta, sd_post)
                    for b, g in zip(difficulties, guesses, strict=True)
                ]
            )
        )

    return float(brentq(lambda d: mean_after(d) - post_mean, -10.0, 15.0))


def spread(low: float, high: float, count: int) -> tuple[float, ...]:
    """``count`` facilities spread evenly from ``low`` to ``high``."""
    return tuple(float(v) for v in np.linspace(low, high, count))


def keyed_items(instrument: Instrument, domain: str, form: str | None) -> list[KeyedItem]:
    items = [i for i in instrument.items_in(domain, form) if isinstance(i, KeyedItem)]
    if not items:
        raise ValueError(f"{instrument.id}@{instrument.version} has no keyed items in {domain}")
    return items


def simulate(
    items: Sequence[KeyedItem],
    pre_facilities: Sequence[float],
    post_mean: float,
    settings: Settings,
    rng: np.random.Generator,
) -> dict[str, Summary]:
    """Simulate ``settings.replications`` groups answering ``items`` before and after training."""
    guesses = np.asarray([1.0 / len(item.options) for item in items])
    difficulties = np.asarray(
        [
            difficulty_for(p, g, settings.ability_sd)
            for p, g in zip(pre_facilities, guesses, strict=True)
        ]
    )
    delta = gain_for(difficulties, guesses, post_mean, settings)
    k = len(items)
    figures: dict[str, list[float]] = {
        name: []
        for name in (
            "kr20_pre",
            "full_marks_pre",
            "full_marks_post",
            "minimum_reliable_change",
            "could_show",
            "showed",
        )
    }
    for _ in range(settings.replications):
        ability = rng.normal(0.0, settings.ability_sd, settings.people)
        after = ability + delta + rng.normal(0.0, settings.gain_sd, settings.people)
        pre = _answers(ability, difficulties, guesses, rng)
        post = _answers(after, difficulties, guesses, rng)
        pre_totals, post_totals = pre.sum(axis=1), post.sum(axis=1)
        figures["full_marks_pre"].append(float(np.mean(pre_totals == k)))
        figures["full_marks_post"].append(float(np.mean(post_totals == k)))
        alpha = cronbach_alpha(pre).alpha
        figures["kr20_pre"].append(math.nan if alpha is None else alpha)
        change = reliable_change(pre_totals, post_totals, alpha)
        mrc = change.minimum_reliable_change
        if mrc is None or change.share_improved is None:
            for name in ("minimum_reliable_change", "could_show", "showed"):
                figures[name].append(math.nan)
            continue
        figures["minimum_reliable_change"].append(mrc)
        figures["could_show"].append(float(np.mean(k - pre_totals > mrc)))
        figures["showed"].append(change.share_improved)
    return {name: Summary.of(values) for name, values in figures.items()}


def _answers(
    ability: np.ndarray, difficulties: np.ndarray, guesses: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    chance = guesses + (1.0 - guesses) * expit(ability[:, None] - difficulties[None, :])
    answers: np.ndarray = (rng.random(chance.shape) < chance).astype(float)
    return answers


def read_facilities(path: Path) -> dict[str, tuple[float | None, float | None]]:
    """Observed facilities by item id, ``(before, after)``, from an imheval evaluation JSON
    (``imheval analyse ... --json``: every domain's item analysis) or a CSV ``item,pre,post``."""
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(entry["item"]): (entry.get("facility_pre"), entry.get("facility_post"))
            for entry in _item_entries(data)
        }
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["item"].strip(): (_number(row.get("pre")), _number(row.get("post")))
            for row in csv.DictReader(handle)
        }


def _item_entries(data: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(data, Mapping):
        if "item" in data and "facility_pre" in data:
            yield data
        for value in data.values():
            yield from _item_entries(value)
    elif isinstance(data, list):
        for value in data:
            yield from _item_entries(value)


def _number(text: str | None) -> float | None:
    return float(text) if text not in (None, "") else None


def run(
    assumptions: Sequence[Assumption],
    settings: Settings,
    observed: Mapping[str, tuple[float | None, float | None]] | None = None,
) -> list[Result]:
    """Simulate every form and domain the assumptions name (skipping instruments the bank does
    not hold yet); ``observed`` facilities replace the assumed ones item by item."""
    results = []
    for assumption in assumptions:
        if not is_builtin_ref(assumption.ref):
            continue
        instrument = get_builtin(assumption.ref)
        for form in instrument.form_ids or (None,):
            items = keyed_items(instrument, assumption.domain, form)
            pre = list(spread(assumption.pre_low, assumption.pre_high, len(items)))
            post_mean, basis = assumption.post_mean, assumption.basis
            seen = [observed[i.id] for i in items if observed and i.id in observed]
            if observed and seen:
                pre = [_observed_or(observed, item, p) for item, p in zip(items, pre, strict=True)]
                after = [b for _, b in seen if b is not None]
                post_mean = float(np.mean(after)) if after else post_mean
                basis = f"pilot facilities for {len(seen)} of {len(items)} items"
            # each row has its own stream, so a row does not change when others are added
            row = f"{assumption.ref} {form} {assumption.domain}".encode()
            rng = np.random.default_rng([settings.seed, zlib.crc32(row)])
            figures = simulate(items, pre, post_mean, settings, rng)
            results.append(
                Result(
                    ref=assumption.ref,
                    form=form or "–",
                    domain=assumption.domain,
                    items=len(items),
                    pre_facilities=tuple(pre),
                    post_mean=post_mean,
                    basis=basis,
                    **figures,
                )
            )
    return results


def _observed_or(
    observed: Mapping[str, tuple[float | None, float | None]], item: KeyedItem, assumed: float
) -> float:
    """The item's observed facility before training, else the assumed one. An observed
    facility at or below a blind guess, or at 1, has no Rasch difficulty, so it is moved just
    inside: to the guess + .02, or to .98."""
    value = observed.get(item.id, (None, None))[0]
    if value is None:
        return assumed
    guess = 1.0 / len(item.options)
    return min(max(float(value), guess + 0.02), 0.98)


def markdown(results: Sequence[Result], settings: Settings) -> str:
    """The results as the Markdown table docs/instruments.md shows."""
    lines = [
        "| Instrument | Form | Domain | Items | Facility before (assumed) | Mean facility after "
        "(assumed) | KR-20 before | At full marks before | At full marks after | Minimum "
        "reliable change (points) | Could show it | Showed it |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        low, high = min(r.pre_facilities), max(r.pre_facilities)
        lines.append(
            f"| `{r.ref}` | {r.form} | {r.domain} | {r.items} | {low:.2f}–{high:.2f} "
            f"(mean {np.mean(r.pre_facilities):.2f}) | {r.post_mean:.2f} | "
            f"{r.kr20_pre.text()} | {r.full_marks_pre.text(percent=True)} | "
            f"{r.full_marks_post.text(percent=True)} | {r.minimum_reliable_change.text(1)} | "
            f"{r.could_show.text(percent=True)} | {r.showed.text(percent=True)} |"
        )
    lines.append("")
    for ref, domain, basis in dict.fromkeys((r.ref, r.domain, r.basis) for r in results):
        lines.append(f"- `{ref}` {domain}: {basis}.")
    lines.append("")
    lines.append(
        f"{settings.people} people, {settings.replications:,} simulated groups; ability "
        f"Normal(0, {settings.ability_sd:g}) logits before training, gain Normal(delta, "
        f"{settings.gain_sd:g}); a blind guess scores 1 / the number of options; seed "
        f"{settings.seed}. Medians, with the 10th to 90th percentiles in brackets."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        epilog="Example: scripts/simulate_bank.py --people 30 --facilities pilot.json",
    )
    parser.add_argument("--people", type=int, default=SEED_PEOPLE, help="group size (68)")
    parser.add_argument("--replications", type=int, default=1000, help="simulated groups")
    parser.add_argument("--ability-sd", type=float, default=1.0, help="ability SD in logits")
    parser.add_argument("--gain-sd", type=float, default=0.5, help="SD of the gain in logits")
    parser.add_argument("--seed", type=int, default=13, help="random seed")
    parser.add_argument(
        "--only", action="append", default=[], help="instrument@version to simulate (repeatable)"
    )
    parser.add_argument(
        "--facilities",
        type=Path,
        help="observed facilities: an imheval evaluation JSON or a CSV item,pre,post",
    )
    args = parser.parse_args(argv)
    settings = Settings(args.people, args.replications, args.ability_sd, args.gain_sd, args.seed)
    chosen = [a for a in ASSUMPTIONS if not args.only or a.ref in args.only]
    observed = read_facilities(args.facilities) if args.facilities else None
    print(markdown(run(chosen, settings, observed), settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
