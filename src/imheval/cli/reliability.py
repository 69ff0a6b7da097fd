"""``imheval reliability``: the terminal face of :func:`imheval.retest.retest_study`.

The library reads, scores and matches the pilot file and returns a frozen
:class:`~imheval.retest.RetestStudy`; this module only renders it (and writes its JSON).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from imheval.cli.shell import app, console, err_console, run_safely, write_json
from imheval.instruments import resolve_instrument
from imheval.retest import RetestStudy, retest_study
from imheval.stats.reliability import kappa_words


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
        study = retest_study(data, [resolve_instrument(ref) for ref in instrument or []])
        _render(study)
        if json_path is not None:
            write_json(json_path, study.to_dict())
            err_console.print(f"Wrote the reliability results to {json_path}")

    run_safely(body)


# --------------------------------------------------------------------------------------------
# Terminal output (rounding happens here only)


def _render(study: RetestStudy) -> None:
    console.rule(Text("imheval test-retest reliability", style="bold"))
    console.print(f"Data: {study.source}")
    if study.instruments:
        console.print(
            "Instruments: "
            + ", ".join(f"{id_} (version {version})" for id_, version in study.instruments)
        )
    console.print(
        f"People: {study.n_first} answered the first time, {study.n_retest} the "
        f"retest, {study.n_both} both (matched by code within cohort)."
    )
    console.print()
    domains = Table(title="Domains: ICC(A,1), two-way absolute agreement", title_justify="left")
    for header, justify in (("Domain", "left"), ("n", "right"), ("ICC(A,1) [95% CI]", "right")):
        domains.add_column(header, justify=justify)  # type: ignore[arg-type]
    domains.add_column("Reliability (Koo & Li 2016)", justify="left")
    for domain in study.reliability.domains:
        icc = domain.icc
        if icc.computed and icc.estimate is not None:
            value = _bounded(icc.estimate)
            ci = icc.estimate_ci
            shown = f"{value} [{_bounded(ci.low)}, {_bounded(ci.high)}]" if ci else value
            words = domain.interpretation
        else:
            shown, words = "not computed", icc.reason or ""
        domains.add_row(study.label(domain.domain), str(icc.n), shown, words)
    console.print(domains)
    if study.reliability.items:
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
        for item in study.reliability.items:
            kappa = item.kappa
            agreement = kappa.percent_agreement
            shown_agreement = "-" if agreement is None else f"{agreement * 100:.0f}%"
            if kappa.computed and kappa.kappa is not None:
                ci = kappa.ci
                shown_kappa = _bounded(kappa.kappa) + (
                    f" [{_bounded(ci.low)}, {_bounded(ci.high)}]" if ci else " (no CI)"
                )
                words = kappa_words(kappa.kappa)
            else:
                shown_kappa, words = "not computed", kappa.reason or ""
            items.add_row(
                item.item,
                study.label(item.domain),
                str(kappa.n),
                shown_agreement,
                shown_kappa,
                words,
            )
        console.print(items)
    console.print()
    for note in study.notes:
        console.print(f"• {note}")


def _bounded(value: float) -> str:
    """A coefficient bounded by 1 in APA style: 2 decimals, no leading zero (.86, -.12, 1.00)."""
    text = f"{value:.2f}"
    if text in ("-0.00", "0.00"):
        return ".00"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
