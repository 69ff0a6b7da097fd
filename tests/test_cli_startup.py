"""What the command line imports at start-up (issue 19): only what the command asked for needs.

``imheval analyse`` needs the evaluation (pandas, scipy but not scipy.stats), never the report
stack (matplotlib, Jinja2, WeasyPrint, python-docx), the interop package, the qualitative package
or the web app, unless --report or --from asks for them; ``imheval --help`` needs none of the
library. Each check runs in a fresh interpreter and looks at ``sys.modules`` (never at the time
taken).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

#: Never imported to analyse a native file without --report.
NOT_FOR_ANALYSE = (
    "matplotlib",
    "jinja2",
    "weasyprint",
    "docx",
    "django",
    "lxml",
    "statsmodels",
    "imheval.reports",
    "imheval.interop",
    "imheval.qualitative",
    "imheval.web",
    "imheval.workforce",
    "imheval.services",
    "imheval.network.register",
)

#: Never imported to show help: the library's heavy dependencies and its analysis modules.
NOT_FOR_HELP = (
    *NOT_FOR_ANALYSE,
    "pandas",
    "scipy",
    "numpy",
    "yaml",
    "imheval.evaluation",
    "imheval.instruments",
    "imheval.io",
    "imheval.stats",
)


def _loaded_after(code: str) -> set[str]:
    """The modules loaded in a fresh interpreter after running ``code``."""
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, sys
        print("MODULES=" + json.dumps(sorted(sys.modules)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def _found(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(
        name for name in names if any(m == name or m.startswith(name + ".") for m in loaded)
    )


def test_importing_the_package_loads_no_analysis_module() -> None:
    loaded = _loaded_after("import imheval")
    assert _found(loaded, (*NOT_FOR_HELP, "pydantic")) == []


def test_help_loads_none_of_the_library() -> None:
    loaded = _loaded_after(
        """
        import sys
        from imheval.cli import main
        sys.argv = ["imheval", "--help"]
        try:
            main()
        except SystemExit:
            pass
        """
    )
    assert _found(loaded, (*NOT_FOR_HELP, "pydantic")) == []


@pytest.mark.parametrize("command", ["analyse", "instruments", "plan", "qual", "services"])
def test_a_commands_help_loads_none_of_the_library(command: str) -> None:
    # (typer itself imports pydantic to build a command's parameters, so it is not listed)
    loaded = _loaded_after(
        f"""
        import sys
        from imheval.cli import main
        sys.argv = ["imheval", {command!r}, "--help"]
        try:
            main()
        except SystemExit:
            pass
        """
    )
    assert _found(loaded, NOT_FOR_HELP) == []


def test_analysing_a_file_loads_neither_the_report_stack_nor_the_web(tmp_path: object) -> None:
    loaded = _loaded_after(
        f"""
        import sys
        from imheval.cli import main
        sys.argv = ["imheval", "analyse", "--demo", "--json", {str(tmp_path) + "/e.json"!r}]
        try:
            main()
        except SystemExit as stop:
            assert not stop.code, stop.code
        """
    )
    assert "imheval.evaluation" in loaded  # the analysis did run
    assert _found(loaded, NOT_FOR_ANALYSE) == []


def test_analysing_a_small_file_loads_no_scipy_stats(tmp_path: Path) -> None:
    # The statistics take their distributions from scipy.special (imheval.stats.distributions):
    # scipy.stats alone costs about a second and a half of start-up.
    from imheval.demo import write_demo

    written = [str(path) for path in write_demo(tmp_path)]
    data = next(path for path in written if path.endswith(".csv"))
    instruments = [path for path in written if path.endswith(".yaml")]
    options = [part for path in instruments for part in ("--instrument", path)]
    argv = ["imheval", "analyse", data, *options, "--json", str(tmp_path / "e.json")]
    loaded = _loaded_after(
        f"""
        import sys
        from imheval.cli import main
        sys.argv = {argv!r}
        try:
            main()
        except SystemExit as stop:
            assert not stop.code, stop.code
        """
    )
    assert "imheval.stats.mcnemar" in loaded  # the item analysis ran
    assert (tmp_path / "e.json").is_file()
    # imheval.stats loads its modules as they are used: not the planning ones, for example
    assert _found(loaded, ("imheval.stats.power", "imheval.stats.power_simulation")) == []
    # (the Shapiro-Wilk test loads scipy.stats's compiled routine on its own, not the package)
    assert "scipy.stats" not in loaded
    assert _found(loaded, ("statsmodels",)) == []


def test_the_public_api_is_all_there_on_first_use() -> None:
    import imheval

    for name in imheval.__all__:
        assert getattr(imheval, name) is not None, name
    assert set(imheval.__all__) <= set(dir(imheval))
    with pytest.raises(AttributeError):
        imheval.not_a_name  # noqa: B018


def test_the_statistics_api_is_all_there_on_first_use() -> None:
    import imheval.stats
    import imheval.stats.mcnemar  # the submodule does not hide the function of its name

    for name in imheval.stats.__all__:
        assert getattr(imheval.stats, name) is not None, name
    assert set(imheval.stats.__all__) <= set(dir(imheval.stats))
    assert callable(imheval.stats.mcnemar) and callable(imheval.stats.ancova)
    assert callable(imheval.stats.measurement_error)
    with pytest.raises(AttributeError):
        imheval.stats.not_a_name  # noqa: B018


def test_the_constants_copied_for_start_up_agree_with_the_library() -> None:
    from imheval.cli import analyse, convert, coverage, interop_options, services
    from imheval.interop import System
    from imheval.interop import output as interop_output
    from imheval.reports import FORMATS
    from imheval.stats.its import MIN_PERIODS_EACH_SIDE
    from imheval.workforce.coverage import DEFAULT_COHORT_SIZE, Status

    assert set(analyse.REPORT_FORMATS) == set(FORMATS) == set(coverage.REPORT_FORMATS)
    assert [c.value for c in interop_options.SystemChoice] == [s.value for s in System]
    assert services.MIN_PERIODS_EACH_SIDE == MIN_PERIODS_EACH_SIDE
    assert coverage.DEFAULT_COHORT_SIZE == DEFAULT_COHORT_SIZE
    assert set(coverage._STYLES) == {s.value for s in Status}
    assert (convert.RESPONSES_NAME, convert.INSTRUMENT_NAME, convert.REPORT_NAME) == (
        interop_output.RESPONSES_NAME,
        interop_output.INSTRUMENT_NAME,
        interop_output.REPORT_NAME,
    )
