"""The ``imheval`` command line: a thin shell over the library.

Each command calls the library and turns its errors into a plain message and exit status 1.
Every command's help text carries an example (a test fails if one does not). The shared app,
consoles and error handling live in :mod:`imheval.cli.shell`.
"""

from __future__ import annotations

from imheval.cli.shell import app, console, err_console, run_safely, write_json

__all__ = ["app", "console", "err_console", "main", "run_safely", "write_json"]


def _register() -> None:
    from imheval.cli import analyse as _analyse  # noqa: F401  (registers commands on app)
    from imheval.cli import convert as _convert  # noqa: F401  (registers commands)
    from imheval.cli import coverage as _coverage  # noqa: F401  (registers commands)
    from imheval.cli import export as _export  # noqa: F401  (registers commands)
    from imheval.cli import plan as _plan  # noqa: F401  (registers commands)
    from imheval.cli import reliability as _reliability  # noqa: F401  (registers commands)
    from imheval.cli import template as _template  # noqa: F401  (registers commands)
    from imheval.cli import web as _web  # noqa: F401  (registers commands)
    from imheval.cli.instruments import app as instruments_app
    from imheval.cli.network import app as network_app
    from imheval.cli.qual_web import app as qual_app
    from imheval.cli.region_web import app as region_app
    from imheval.cli.services import app as services_app

    app.add_typer(instruments_app, name="instruments")
    app.add_typer(network_app, name="network")
    app.add_typer(qual_app, name="qual")
    app.add_typer(region_app, name="region")
    app.add_typer(services_app, name="services")


_register()


def main() -> None:
    """Console-script entry point."""
    app(prog_name="imheval")


if __name__ == "__main__":  # pragma: no cover
    main()
