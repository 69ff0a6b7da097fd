"""The shared parts of the command line: the Typer app, the consoles and error handling.

Kept apart from ``imheval.cli`` (which registers every command, the web ones included) so the
analysis commands import only this and never reach Django.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import Annotated, Any, Final, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from imheval._version import __version__
from imheval.errors import ImhevalError, ProblemsError

# Markup is off: cohort names, codes and error messages come from users' files, and a "[/x]" in
# a cell must print as written, not be read as rich markup; nor ":cat:" as an emoji.
console = Console(highlight=False, markup=False, emoji=False)
err_console = Console(stderr=True, highlight=False, markup=False, emoji=False)

app = typer.Typer(
    name="imheval",
    help=(
        "Evaluate infant mental health (IMH) training: score questionnaires, match anonymous "
        "pre/post/follow-up codes and run the statistics, explained in plain English.\n\n"
        "Example: imheval analyse --demo"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


def run_safely(action: Callable[[], T]) -> T:
    """Run a command body; library errors become a message on stderr and exit status 1.

    Unexpected errors are reported in one line too (set IMHEVAL_DEBUG=1 to see the traceback),
    because the people running imheval are evaluators, not programmers.
    """
    try:
        return action()
    except ProblemsError as error:
        _complain_of_problems(error)
        raise typer.Exit(1) from None
    except ImhevalError as error:
        _complain("Error: ", str(error))
        raise typer.Exit(1) from None
    except OSError as error:
        # e.g. a folder that does not exist for --json: name the file, without errno jargon
        where = f"{error.filename}: " if error.filename else ""
        _complain("Error: ", f"{where}{error.strerror or error}")
        raise typer.Exit(1) from None
    except UnicodeError as error:
        _complain("Error: ", str(error))
        raise typer.Exit(1) from None
    except Exception as error:
        if os.environ.get("IMHEVAL_DEBUG"):
            raise
        _complain(
            "Internal error: ",
            f"{type(error).__name__}: {error}\nThis is a bug in imheval; please report it with "
            "the command you ran. Set IMHEVAL_DEBUG=1 to see the details.",
        )
        raise typer.Exit(2) from None


#: The terminal lists every problem of a file up to this many (a file wrong in every row of
#: 50,000 would otherwise scroll for minutes); the count says how many there are in all.
MAX_PROBLEMS_SHOWN = 1000


def _complain_of_problems(error: ProblemsError) -> None:
    """Every problem of a file at once, each with its row and column, then how many in all."""
    problems = error.problems
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        _complain("Error: ", str(problem))
    count = len(problems)
    summary = (
        f"{count:,} problem{'s' if count != 1 else ''} found; fix "
        f"{'them' if count != 1 else 'it'} and run the command again."
    )
    if count > MAX_PROBLEMS_SHOWN:
        summary += f" The first {MAX_PROBLEMS_SHOWN:,} are listed above."
    _complain("", summary)


def _complain(label: str, message: str) -> None:
    err_console.print(Text.assemble((label, "bold red"), message), soft_wrap=True)


#: From this depth on, each value of a JSON document is written on one line. Above it the
#: document is indented by two spaces, so it reads as an outline, and a flat record (a cohort's
#: figures, a test's: no record or list of records inside) is written on one line. Python's
#: encoder is pure Python whenever it indents: indenting the whole of the national
#: benchmark's 24 MB took about 1.1 s, against 0.25 s for its C encoder and about 0.3 s for
#: this outline (each list of flat records goes to the C encoder in one call).
JSON_OUTLINE_DEPTH: Final = 8

_ONE_LINE = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_CONTAINERS = (dict, list, tuple)
#: The exact types a flat record's values may have for a list of records to be written by
#: one call of the C encoder (:func:`_record_lines`); anything else takes the general path.
_SCALARS = frozenset({str, int, float, bool, type(None)})
#: Where one record ends and the next begins in the C encoder's text of a list of flat
#: records. Outside a string it occurs nowhere else (a flat record has no brace inside).
_BETWEEN_RECORDS = "}, {"


def json_text(document: Any, outline_depth: int = JSON_OUTLINE_DEPTH) -> str:
    """``document`` as JSON: indented by two spaces down to ``outline_depth``, with each flat
    record and each deeper value on one line; strict: a NaN or infinity raises ValueError (it
    would be a bug)."""
    parts: list[str] = []
    _outline(document, 0, outline_depth, parts)
    return "".join(parts)


def _flat(value: Any) -> bool:
    """True for a value with no container inside a container: a scalar, a list of scalars, or a
    record whose fields are scalars or lists of scalars."""
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return True
    for item in items:
        if isinstance(item, dict):
            return False
        if isinstance(item, list | tuple) and any(isinstance(x, _CONTAINERS) for x in item):
            return False
    return True


def _outline(value: Any, depth: int, limit: int, parts: list[str]) -> None:
    is_dict = isinstance(value, dict)
    if (
        depth >= limit
        or not value
        or (depth > 0 and _flat(value))
        or not isinstance(value, _CONTAINERS)
        or (is_dict and not all(isinstance(key, str) for key in value))
    ):
        parts.append(_ONE_LINE.encode(value))
        return
    inner = "\n" + "  " * (depth + 1)
    if isinstance(value, list | tuple):
        lines = _record_lines(value, inner)
        if lines is not None:
            parts.append("[" + inner + lines + "\n" + "  " * depth + "]")
            return
    parts.append("{" if is_dict else "[")
    items: Any = value.items() if isinstance(value, dict) else ((None, x) for x in value)
    for index, (key, item) in enumerate(items):
        parts.append(inner if index == 0 else "," + inner)
        if is_dict:
            parts.append(_ONE_LINE.encode(key) + ": ")
        _outline(item, depth + 1, limit, parts)
    parts.append("\n" + "  " * depth + ("}" if is_dict else "]"))


def _record_lines(records: list[Any] | tuple[Any, ...], inner: str) -> str | None:
    """A list of flat records, one per line joined by ``inner``, exactly as :func:`_outline`
    writes them one by one; None when the list is anything else (the general path writes it).

    The national benchmark's JSON holds over 100,000 records (cohorts, each domain's Table 1,
    repeated codes): checking and encoding them one by one took most of the writing time, so
    the whole list is checked by the types it holds and encoded by one call of the C encoder,
    then cut into lines where one record ends and the next begins.
    """
    if len(records) < 2 or set(map(type, records)) != {dict}:
        return None
    value_types = set(map(type, chain.from_iterable(map(dict.values, records))))
    if not value_types <= _SCALARS:
        if not value_types <= _SCALARS | {list}:
            return None
        inside = chain.from_iterable(
            value for record in records for value in record.values() if type(value) is list
        )
        if not set(map(type, inside)) <= _SCALARS:
            return None
    text = _ONE_LINE.encode(records)
    if text.count(_BETWEEN_RECORDS) != len(records) - 1:
        return None  # a text field holds "}, {": the general path writes the list
    return text[1:-1].replace(_BETWEEN_RECORDS, "}," + inner + "{")


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write a JSON document strictly (a NaN would be a bug, so it raises instead), as an
    outline (:func:`json_text`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The parts are written as they are: joining 16 MB of text (the national benchmark's)
    # into one string, and copying it again to end it with a newline, cost more than writing.
    parts: list[str] = []
    _outline(document, 0, JSON_OUTLINE_DEPTH, parts)
    parts.append("\n")
    with path.open("w", encoding="utf-8") as file:
        file.writelines(parts)


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"imheval {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Evaluate infant mental health training.

    Example: imheval analyse --demo
    """
