"""A conversion written in imheval's own layout, checked as ``imheval analyse`` checks a file,
and explained in plain words.

:func:`write_conversion` writes three files to a folder:

- ``responses.csv``: the tidy layout of docs/data-format.md (participant, cohort, programme,
  timepoint, directorate, profession, then one column per question by its imheval id), UTF-8
  with a byte-order mark and CRLF line ends, as imheval writes every CSV; a cell a spreadsheet
  would run as a formula gets an apostrophe in front (:mod:`imheval.io.csvsafe`), which
  imheval's reader takes off again. A ``cohort`` column that is blank in every row is left
  out, so imheval reads every response as one cohort, "(all)".
- ``instrument.yaml``: the instrument file (docs/instruments.md), which loads back into the
  same instrument and can be edited as YAML or in the web editor.
- ``conversion-report.txt``: what was carried, what was not, and why (:func:`conversion_report`).

:func:`conversion_table` reads the converted responses with imheval's own reader, so they are
checked exactly as a native file would be (duplicate codes, blank cohorts, ...) and analysed
exactly as one; its problems name the ORIGINAL file and row (``records.csv, row 14``) and the
source's name of the question, not the converted file's.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Final

import pandas as pd

from imheval.errors import DataFormatError, Problem
from imheval.instruments import KeyedItem, OpenItem, RatingItem
from imheval.instruments.writer import instrument_to_yaml
from imheval.interop.model import Conversion, InstrumentImport, ResponsesImport, UnkeyedQuestion
from imheval.io.csvsafe import neutralise_frame
from imheval.io.reader import check_responses
from imheval.io.table import TIMEPOINTS, ResponseTable, normalise_code

#: The files :func:`write_conversion` writes.
RESPONSES_NAME: Final = "responses.csv"
INSTRUMENT_NAME: Final = "instrument.yaml"
REPORT_NAME: Final = "conversion-report.txt"


def responses_csv_bytes(responses: ResponsesImport) -> bytes:
    """The responses as imheval's tidy CSV (see the module docstring)."""
    frame = responses.frame
    if "cohort" in frame.columns and not frame["cohort"].astype(str).str.strip().any():
        frame = frame.drop(columns=["cohort"])
    text = io.StringIO()
    neutralise_frame(frame).to_csv(
        text, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
    )
    return text.getvalue().encode("utf-8-sig")


def conversion_problems(conversion: Conversion) -> tuple[Problem, ...]:
    """What ``imheval analyse`` would refuse in the converted responses (none: it reads them),
    each naming the original file, row and question."""
    return _check(conversion)[1]


def conversion_table(conversion: Conversion) -> ResponseTable:
    """The converted responses read by imheval's own reader, as ``imheval analyse`` reads a
    file: DataFormatError listing every problem, each naming the original file and row. The
    table's ``source`` names the original files."""
    table, problems = _check(conversion)
    if problems:
        raise DataFormatError(problems)
    return table


def _check(conversion: Conversion) -> tuple[ResponseTable, tuple[Problem, ...]]:
    responses = _responses_of(conversion)
    structure = conversion.structure
    items = [item.id for item in structure.instrument.items]
    files = _files(responses)
    with tempfile.TemporaryDirectory(prefix="imheval-convert-") as folder:
        path = Path(folder) / RESPONSES_NAME
        path.write_bytes(responses_csv_bytes(responses))
        try:
            reading = check_responses(path, item_columns=items or None)
        except DataFormatError as error:
            raise DataFormatError(
                [_located(p, responses, structure, files) for p in error.problems]
            ) from None
    problems = tuple(_located(p, responses, structure, files) for p in reading.problems)
    return replace(reading.table, source=files), problems


def _located(
    problem: Problem, responses: ResponsesImport, structure: InstrumentImport, files: str
) -> Problem:
    """``problem`` (of the converted CSV) moved to the original file, row and column."""
    file, row = files, None
    if problem.row is not None and 2 <= problem.row < 2 + len(responses.origins):
        file, row = responses.origins[problem.row - 2]
    column = problem.column
    if column is not None:
        sources = {answer.item: answer.source for answer in structure.answers}
        if column in sources:
            column = sources[column]
        elif column == "participant" and structure.code_field:
            column = structure.code_field
        elif column == "cohort" and structure.cohort_field:
            column = structure.cohort_field
    return replace(problem, file=file, row=row, column=column)


def _responses_of(conversion: Conversion) -> ResponsesImport:
    if conversion.responses is None:
        raise ValueError("the conversion has no responses (only an instrument)")
    return conversion.responses


def _files(responses: ResponsesImport) -> str:
    names = list(dict.fromkeys(name for name, _ in responses.origins))
    return ", ".join(names) if names else "the converted responses"


def write_conversion(
    conversion: Conversion, out: Path, *, report: str | None = None
) -> tuple[Path, Path]:
    """Write ``out``/responses.csv (tidy layout) and ``out``/instrument.yaml; their paths.

    ``out`` is created if needed; files of those names in it are replaced. The report
    (``report``, else :func:`conversion_report` of the conversion) goes to
    ``out``/conversion-report.txt. DataFormatError naming ``out`` when it is a file.
    """
    responses = _responses_of(conversion)
    folder = _folder(out)
    responses_path = folder / RESPONSES_NAME
    with _writing(folder):
        responses_path.write_bytes(responses_csv_bytes(responses))
    instrument_path = write_structure(
        conversion.structure,
        folder,
        report=report if report is not None else conversion_report(conversion),
    )
    return responses_path, instrument_path


def write_structure(structure: InstrumentImport, out: Path, *, report: str | None = None) -> Path:
    """Write ``out``/instrument.yaml (and ``out``/conversion-report.txt); the YAML's path."""
    folder = _folder(out)
    path = folder / INSTRUMENT_NAME
    text = report if report is not None else conversion_report(Conversion(structure, None))
    with _writing(folder):
        path.write_text(instrument_to_yaml(structure.instrument), encoding="utf-8")
        (folder / REPORT_NAME).write_text(text, encoding="utf-8")
    return path


def _folder(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise DataFormatError(
            [Problem(file=str(out), message="this is a file; give a folder to write into")]
        )
    with _writing(out):
        out.mkdir(parents=True, exist_ok=True)
    return out


@contextmanager
def _writing(folder: Path) -> Iterator[None]:
    """Turn the system's refusal to create or write into ``folder`` (no permission, a read-only
    or full disk, a system folder such as /proc) into one plain problem naming the folder."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise DataFormatError(
            [
                Problem(
                    file=str(folder),
                    message=f"imheval cannot write into this folder ({reason.lower()}): "
                    "give --out a folder you can create and write files in",
                )
            ]
        ) from None


# ---------------------------------------------------------------------------------------------
# The report


def conversion_report(
    conversion: Conversion,
    *,
    sources: Sequence[str] = (),
    structure: str | None = None,
    problems: Sequence[Problem] = (),
    command: str | None = None,
) -> str:
    """What a conversion carried across and what it did not, in plain words: the instrument
    and its questions, the responses by timepoint and cohort, identifying columns dropped,
    responses left out, what the source has that imheval could not carry, questions without an
    answer key (and how to give one), notes, and what ``imheval analyse`` would refuse
    (``problems``, from :func:`conversion_problems`). ``sources`` and ``structure`` name the
    files read; ``command`` is the analyse command to suggest."""
    imported = conversion.structure
    responses = conversion.responses
    lines = ["imheval conversion report", "=" * 25, ""]
    lines.append(f"From: {imported.system.label}")
    named = list(sources) or (
        list(dict.fromkeys(n for n, _ in responses.origins)) if responses else []
    )
    if named:
        lines.append(f"Files converted: {', '.join(named)}")
    if structure:
        lines.append(f"Questions read from: {structure}")
    lines += ["", *_section("Instrument (instrument.yaml)"), *_instrument_lines(imported)]
    if responses is not None:
        lines += ["", *_section("Responses (responses.csv)"), *_responses_lines(responses)]
    if responses is not None:
        lines += _listing(
            "Identifying columns dropped (never written anywhere)",
            [f"'{name}'" for name in responses.dropped],
        )
        lines += _listing("Responses left out", [str(omission) for omission in responses.left_out])
    lines += _listing(
        "Not carried across from the questionnaire",
        [str(omission) for omission in imported.omissions],
    )
    lines += _listing(
        "Questions without an answer key (left out until you give their key)",
        [_unkeyed_line(question) for question in imported.unkeyed],
    )
    if responses is not None:
        lines += _listing("Notes", list(responses.notes))
    lines += _listing(
        "imheval analyse will refuse responses.csv until these are put right",
        [str(problem) for problem in problems],
    )
    lines += ["", *_section("Next")]
    lines.append(
        command or f"imheval analyse {RESPONSES_NAME} -i {INSTRUMENT_NAME}   (in this folder)"
    )
    return "\n".join(lines) + "\n"


#: The most characters of an answer (or any quoted text) a report or summary line quotes.
QUOTED_LIMIT = 80
#: The most characters of one report or summary line, whatever it quotes.
LINE_LIMIT = 2000
_QUOTED = re.compile(rf"'([^'\n]{{{QUOTED_LIMIT + 1},}})'")
_LONG_WORD = re.compile(rf"[^\s',;]{{{QUOTED_LIMIT + 1},}}")


def shortened(text: str) -> str:
    """``text`` (a note, an omission, a problem) with every quoted text, and every unbroken run
    of characters (an answer listed without quotes), longer than :data:`QUOTED_LIMIT` characters
    cut to that many and an ellipsis ("'xxxx…'"), and the whole cut to :data:`LINE_LIMIT`
    characters (an ellipsis and "(shortened)" saying so): a 200 KB answer is never quoted in
    full."""
    text = _QUOTED.sub(lambda found: f"'{found.group(1)[:QUOTED_LIMIT]}…'", text)
    text = _LONG_WORD.sub(lambda found: found.group(0)[:QUOTED_LIMIT] + "…", text)
    if len(text) > LINE_LIMIT:
        text = text[:LINE_LIMIT] + "… (shortened)"
    return text


def _section(title: str) -> list[str]:
    return [title, "-" * len(title)]


def _listing(title: str, entries: Sequence[str]) -> list[str]:
    if not entries:
        return []
    listed = (f"- {shortened(entry)}" for entry in entries)
    return ["", *_section(f"{title}: {len(entries):,}"), *listed]


def _instrument_lines(imported: InstrumentImport) -> list[str]:
    instrument = imported.instrument
    keyed = sum(isinstance(q, KeyedItem) for q in instrument.questions)
    rating = sum(isinstance(q, RatingItem) for q in instrument.questions)
    open_ = sum(isinstance(q, OpenItem) for q in instrument.questions)
    lines = [
        f"{instrument.id} {instrument.version}: {instrument.title}",
        f"{_count(len(instrument.questions), 'question')}: {keyed} with an answer key, "
        f"{rating} rating, {open_} open (free text, never scored)",
        "Domains: "
        + "; ".join(
            f"{domain.id} ({_count(len(instrument.items_in(domain.id)), 'item')})"
            for domain in instrument.domains
        ),
    ]
    where = [
        f"{label}: '{name}'"
        for label, name in (
            ("self-generated code", imported.code_field),
            ("cohort", imported.cohort_field),
            ("timepoint", imported.timepoint_field),
        )
        if name
    ]
    if where:
        lines.append("Fields found: " + "; ".join(where))
    return lines


def _responses_lines(responses: ResponsesImport) -> list[str]:
    frame = responses.frame
    n = len(frame)
    by_time = Counter(str(t) for t in frame["timepoint"]) if n else Counter()
    times = ", ".join(f"{by_time[t]:,} {t}" for t in TIMEPOINTS if by_time[t])
    lines = [f"{_count(n, 'response')}" + (f": {times}" if times else "")]
    # Codes counted as imheval matches them (case and spaces ignored).
    participants = {normalise_code(code) for code in _distinct(frame, "participant")}
    if participants:
        lines.append(f"{_count(len(participants), 'different code')}")
    cohorts = _distinct(frame, "cohort")
    if cohorts:
        lines.append(f"Cohorts: {', '.join(cohorts)}")
    else:
        lines.append("Cohorts: none given; every response is in one cohort, '(all)'")
    incomplete = sum(1 for flag in responses.complete if flag is False)
    if incomplete:
        lines.append(f"Incomplete responses kept: {incomplete:,}")
    return lines


def _distinct(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return []
    return sorted({str(value) for value in frame[column] if str(value).strip()})


def _unkeyed_line(question: UnkeyedQuestion) -> str:
    options = "; ".join(f"{code} = {label}" for code, label in question.options.items())
    return (
        f"'{question.source}' ({question.text}): options {options}. To key it: "
        f"--key {question.source}=CODE"
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
