"""``imheval reliability``: the terminal face of :func:`imheval.retest.retest_study`.

The library reads, scores and matches the pilot file and returns a frozen
:class:`~imheval.retest.RetestStudy`; this module only renders it (and writes its JSON).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from imheval.cli.shell import app, console, err_console, run_safely, write_json

if TYPE_CHECKING:
    from imheval.retest import RetestStudy
    from imheval.stats.reliability import ItemRetest, KappaResult
    from imheval.stats.results import ConfidenceInterval

# The library (scipy, pandas) is imported inside the functions that use it, so that the command
# line starts without it.


@app.command(
    help=(
        "Test-retest reliability of a questionnaire from a pilot: the same people answer it "
        "twice, with no training in between.\n\n"
        "DATA is a CSV or XLSX file in the usual layout (see docs/data-format.md), with the "
        "first administration coded as timepoint 'pre' and the retest as 'post'. Prints, per "
        "domain, ICC(A,1) (two-way, absolute agreement) with its 95% CI, the Bland-Altman bias "
        "and limits of agreement, the standard error of measurement and the smallest detectable "
        "change (in score points); per item, percent agreement (Wilson 95% CI) and Cohen's "
        "kappa on the score (right or wrong), on the option chosen for questions with a key, "
        "and linear- and quadratic-weighted kappa for rating items; each with a plain-English "
        "reading.\n\n"
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
        from imheval.instruments import resolve_instrument
        from imheval.retest import retest_study

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
    _render_error(study)
    items = study.reliability.items
    if items:
        _render_kappas(
            study,
            "Items: the same score both times (right or wrong; for a rating item, the same rating)",
            [(item, item.kappa) for item in items],
        )
    keyed = [(item, item.option) for item in items if item.option is not None]
    if keyed:
        _render_kappas(study, "Questions with a key: the same option chosen both times", keyed)
    rated = [item for item in items if item.ratings is not None]
    if rated:
        _render_weighted(study, rated)
    console.print()
    for note in study.notes:
        console.print(f"• {note}")


def _render_error(study: RetestStudy) -> None:
    from imheval.stats.measurement_error import bland_altman_words, measurement_error_words

    """Domains: Bland-Altman and SEM / smallest detectable change, then their sentences."""
    console.print()
    table = Table(title="Domains: measurement error, in score points", title_justify="left")
    for header in (
        "Domain",
        "n",
        "Bias, retest - first [95% CI]",
        "Limits of agreement",
        "SEM",
        "SDC person",
        "SDC group",
    ):
        table.add_column(header, justify="left" if header == "Domain" else "right")
    sentences: list[str] = []
    for domain in study.reliability.domains:
        agreement, error = domain.bland_altman, domain.measurement_error
        if agreement is None or error is None:
            continue
        label = study.label(domain.domain)
        if agreement.computed and agreement.bias is not None and error.sem is not None:
            ci = agreement.bias_ci
            bias = f"{agreement.bias:+.2f}" + (f" [{ci.low:+.2f}, {ci.high:+.2f}]" if ci else "")
            limits = f"{agreement.lower:+.2f} to {agreement.upper:+.2f}"
            table.add_row(
                label,
                str(agreement.n),
                bias,
                limits,
                f"{error.sem:.2f}",
                f"{error.sdc_individual:.2f}",
                f"{error.sdc_group:.2f}",
            )
        else:
            table.add_row(label, str(agreement.n), "not computed", agreement.reason or "")
        sentences.append(f"{label}: {measurement_error_words(error)}")
        if agreement.computed:
            sentences.append(f"{label}: {bland_altman_words(agreement)}")
    console.print(table)
    for sentence in sentences:
        console.print(f"  {sentence}")


def _render_kappas(
    study: RetestStudy, title: str, rows: list[tuple[ItemRetest, KappaResult]]
) -> None:
    console.print()
    table = Table(title=title, title_justify="left")
    for header, justify in (
        ("Item", "left"),
        ("Domain", "left"),
        ("n", "right"),
        ("Agreement [95% CI]", "right"),
        ("Kappa [95% CI]", "right"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    table.add_column("Kappa (Landis & Koch 1977)", justify="left")
    for item, kappa in rows:
        table.add_row(
            item.item,
            study.label(item.domain),
            str(kappa.n),
            _agreement(kappa.percent_agreement, kappa.agreement_ci),
            *_kappa_cells(kappa.kappa, kappa.ci, kappa.computed, kappa.reason),
        )
    console.print(table)


def _render_weighted(study: RetestStudy, rated: list[ItemRetest]) -> None:
    console.print()
    table = Table(
        title="Rating items: weighted kappa (partial credit for a near miss)", title_justify="left"
    )
    for header in ("Item", "Domain", "n", "Within one point", "Linear kappa", "Quadratic kappa"):
        table.add_column(header, justify="left" if header in ("Item", "Domain") else "right")
    for item in rated:
        ratings = item.ratings
        if ratings is None:
            continue
        cells = []
        for kappa in (ratings.linear, ratings.quadratic):
            value, _ = _kappa_cells(kappa.kappa, kappa.ci, kappa.computed, kappa.reason)
            cells.append(value)
        table.add_row(
            item.item,
            study.label(item.domain),
            str(ratings.n),
            _agreement(ratings.within_one.share, ratings.within_one.ci),
            *cells,
        )
    console.print(table)


def _agreement(share: float | None, ci: ConfidenceInterval | None) -> str:
    if share is None:
        return "-"
    text = f"{share * 100:.0f}%"
    return text + (f" [{ci.low * 100:.0f}, {ci.high * 100:.0f}]" if ci is not None else "")


def _kappa_cells(
    value: float | None, ci: ConfidenceInterval | None, computed: bool, reason: str | None
) -> tuple[str, str]:
    if not computed or value is None:
        return "not computed", reason or ""
    shown = _bounded(value) + (f" [{_bounded(ci.low)}, {_bounded(ci.high)}]" if ci else " (no CI)")
    from imheval.stats.agreement import kappa_words

    return shown, kappa_words(value)


def _bounded(value: float) -> str:
    """A coefficient bounded by 1 in APA style: 2 decimals, no leading zero (.86, -.12, 1.00)."""
    text = f"{value:.2f}"
    if text in ("-0.00", "0.00"):
        return ".00"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
