"""``imheval reliability``: test-retest reliability of a questionnaire from a pilot.

The same people answer the questionnaire twice with no training in between. The responses file
has the usual layout (docs/data-format.md); the first administration is coded ``pre`` and the
retest ``post`` (the reader knows only pre, post and followup). Codes are matched exactly within
each cohort, as in ``imheval analyse``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from imheval.cli.shell import app, console, err_console, run_safely, write_json
from imheval.errors import AnalysisError
from imheval.instruments import resolve_instrument
from imheval.io import read_responses
from imheval.matching import MatchResult, match
from imheval.scoring import ItemOutcome, MissingPolicy, score_items, scores_from_totals
from imheval.stats.reliability import TestRetestResult, test_retest

FIRST, SECOND = "pre", "post"

#: Outcomes that are real answers; blank, invalid and not-administered items are left out of
#: kappa (a blank retest answer is not a disagreement about the item's content).
_ANSWERED = (int(ItemOutcome.SCORED), int(ItemOutcome.WRONG))


@app.command(
    help=(
        "Test-retest reliability of a questionnaire from a pilot: the same people answer it "
        "twice, with no training in between.\n\n"
        "DATA is a CSV or XLSX file in the usual layout (see docs/data-format.md), with the "
        "first administration coded as timepoint 'pre' and the retest as 'post'. Prints, per "
        "domain, ICC(A,1) (two-way, absolute agreement) with its 95% CI, and per item the "
        "percent agreement and Cohen's kappa, with a plain-English reading (Koo & Li 2016).\n\n"
        "Example: imheval reliability pilot.csv --instrument imh-core\n\n"
        "Example: imheval reliability pilot.xlsx -i imh-core --json reliability.json"
    )
)
def reliability(
    data: Annotated[Path, typer.Argument(help="Pilot responses file (.csv or .xlsx).")],
    instrument: Annotated[
        list[str] | None,
        typer.Option(
            "--instrument",
            "-i",
            help="Instrument to score with: a built-in id (see 'imheval instruments list') or a "
            "YAML file. Repeat for several forms. Without it, every numeric column is taken as "
            "an already-scored domain total (and no item agreement is shown).",
            show_default=False,
        ),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write the reliability results as JSON to this file."),
    ] = None,
) -> None:
    def body() -> None:
        document = run_reliability(data, instrument or [])
        _render(document)
        if json_path is not None:
            write_json(json_path, document)
            err_console.print(f"Wrote the reliability results to {json_path}")

    run_safely(body)


def run_reliability(path: Path, instrument_refs: list[str]) -> dict[str, Any]:
    """Read, score and match a pilot file and return the reliability document (JSON-ready).

    Raises the library's errors: DataFormatError for a bad file, UnknownInstrumentError /
    InstrumentError for a bad instrument, AnalysisError when nobody answered both times.
    """
    instruments = [resolve_instrument(ref) for ref in instrument_refs]
    item_ids = [item.id for instrument in instruments for item in instrument.items]
    table = read_responses(path, item_columns=item_ids or None)
    scored = (
        score_items(table, instruments, MissingPolicy.SEED)
        if instruments
        else scores_from_totals(table)
    )
    matched = match(scored)
    people = matched.people
    both = people["present_pre"].to_numpy(bool) & people["present_post"].to_numpy(bool)
    n_first, n_second, n_both = (
        int(people["present_pre"].sum()),
        int(people["present_post"].sum()),
        int(both.sum()),
    )
    if n_both == 0:
        raise AnalysisError(
            f"{table.source}: nobody answered both times (first administration: {n_first} "
            f"people, retest: {n_second}). Code the first administration as timepoint 'pre' "
            "and the retest as 'post', with the same participant code and cohort both times."
        )
    domain_ids = [info.id for info in scored.domains]
    first = pd.DataFrame({d: people[f"{d}@{FIRST}"].to_numpy(float) for d in domain_ids})
    second = pd.DataFrame({d: people[f"{d}@{SECOND}"].to_numpy(float) for d in domain_ids})
    items_first = items_second = None
    if scored.item_points is not None and scored.item_outcomes is not None:
        answers = scored.item_points.where(scored.item_outcomes.isin(_ANSWERED))
        items_first, items_second = (
            _aligned_items(scored.frame, answers, matched, t) for t in (FIRST, SECOND)
        )
    result = test_retest(
        first,
        second,
        items_first,
        items_second,
        item_domains=dict(scored.item_domains or {}),
    )
    notes = [
        "The first administration is read from timepoint 'pre' and the retest from 'post'.",
        "ICC(A,1) counts a systematic shift between the two administrations as disagreement; "
        "ICC(C,1), which ignores it, is in the JSON details.",
    ]
    if instruments:
        notes.append(
            "Domain totals use the seed rule (wrong, missing and invalid answers score 0); "
            "item agreement uses only the answers given both times."
        )
        if any(item.kappa.ci_reason for item in result.items):
            notes.append(
                "No CI is shown for a kappa whose large-sample standard error is 0 (perfect "
                "agreement, or one administration gave a single answer)."
            )
    if (table.frame["timepoint"] == "followup").any():
        notes.append("Follow-up rows were ignored: a test-retest pilot has two administrations.")
    labels = {info.id: info.label for info in scored.domains}
    return {
        "source": table.source,
        "instruments": [{"id": i.id, "version": i.version} for i in instruments],
        "n_first": n_first,
        "n_retest": n_second,
        "n_both": n_both,
        "domain_labels": labels,
        **_with_labels(result, labels),
        "notes": [*table.warnings, *notes],
    }


def _aligned_items(
    frame: pd.DataFrame, points: pd.DataFrame, matched: MatchResult, timepoint: str
) -> pd.DataFrame:
    """Item points at ``timepoint``, one row per person of ``matched`` (NaN if not answered)."""
    rows = (frame["timepoint"] == timepoint).to_numpy()
    keys = _person_keys(frame["cohort"], frame["participant"])[rows]
    at_timepoint = points.loc[rows].set_axis(pd.Index(keys), axis=0)
    people = matched.people
    wanted = _person_keys(people["cohort"], people["participant"])
    # match() has already refused a code used twice at one timepoint, so keys are unique.
    return at_timepoint.reindex(pd.Index(wanted)).reset_index(drop=True)


def _person_keys(cohorts: pd.Series, codes: pd.Series) -> np.ndarray:
    return (cohorts.astype(str) + "\x1f" + codes.astype(str)).to_numpy(dtype=object)


def _with_labels(result: TestRetestResult, labels: dict[str, str]) -> dict[str, Any]:
    document = result.to_dict()
    for domain in document["domains"]:
        domain["label"] = labels.get(domain["domain"], domain["domain"])
    return {"domains": document["domains"], "items": document["items"]}


# --------------------------------------------------------------------------------------------
# Terminal output (rounding happens here only)


def _render(document: dict[str, Any]) -> None:
    console.rule(Text("imheval test-retest reliability", style="bold"))
    console.print(f"Data: {document['source']}")
    if document["instruments"]:
        console.print(
            "Instruments: "
            + ", ".join(f"{i['id']} (version {i['version']})" for i in document["instruments"])
        )
    console.print(
        f"People: {document['n_first']} answered the first time, {document['n_retest']} the "
        f"retest, {document['n_both']} both (matched by code within cohort)."
    )
    console.print()
    domains = Table(title="Domains: ICC(A,1), two-way absolute agreement", title_justify="left")
    for header, justify in (("Domain", "left"), ("n", "right"), ("ICC(A,1) [95% CI]", "right")):
        domains.add_column(header, justify=justify)  # type: ignore[arg-type]
    domains.add_column("Reliability (Koo & Li 2016)", justify="left")
    for domain in document["domains"]:
        icc = domain["icc"]
        if icc["computed"]:
            value = _bounded(icc["estimate"])
            ci = icc["estimate_ci"]
            shown = f"{value} [{_bounded(ci[0])}, {_bounded(ci[1])}]" if ci else value
            words = domain["interpretation"]
        else:
            shown, words = "not computed", icc["reason"]
        domains.add_row(domain["label"], str(icc["n"]), shown, words)
    console.print(domains)
    if document["items"]:
        console.print()
        items = Table(title="Items: agreement between the two answers", title_justify="left")
        for header, justify in (
            ("Item", "left"),
            ("Domain", "left"),
            ("n", "right"),
            ("Agreement", "right"),
            ("Kappa [95% CI]", "right"),
        ):
            items.add_column(header, justify=justify)  # type: ignore[arg-type]
        items.add_column("Kappa (Landis & Koch 1977)", justify="left")
        labels = document["domain_labels"]
        for item in document["items"]:
            agreement = item["percent_agreement"]
            shown_agreement = "-" if agreement is None else f"{agreement * 100:.0f}%"
            if item["computed"]:
                ci = item["ci"]
                kappa = _bounded(item["kappa"]) + (
                    f" [{_bounded(ci[0])}, {_bounded(ci[1])}]" if ci else " (no CI)"
                )
                words = item["interpretation"]
            else:
                kappa, words = "not computed", item["reason"]
            items.add_row(
                item["item"],
                labels.get(item["domain"], item["domain"] or ""),
                str(item["n"]),
                shown_agreement,
                kappa,
                words,
            )
        console.print(items)
    console.print()
    for note in document["notes"]:
        console.print(f"• {note}")


def _bounded(value: float) -> str:
    """A coefficient bounded by 1 in APA style: 2 decimals, no leading zero (.86, -.12, 1.00)."""
    text = f"{value:.2f}"
    if text in ("-0.00", "0.00"):
        return ".00"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
