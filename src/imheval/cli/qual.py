"""``imheval qual``: focus groups and thematic analysis from files (REFI-QDA projects).

The commands that read or write the web app's database (``import``, ``export``) are registered on
the same app by :mod:`imheval.cli.qual_web`, which may import Django; this module may not.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="qual",
    help=(
        "Focus groups and thematic analysis: agreement between coders, and REFI-QDA projects "
        "(.qdpx) in and out of imheval.\n\n"
        "Example: imheval qual agreement focus-group.qdpx --unit character"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
