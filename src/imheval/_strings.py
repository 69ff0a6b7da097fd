"""pandas' default text dtype kept as imheval has always had it: Python strings, not Arrow arrays.

pandas 3 stores its default ``str`` dtype in pyarrow whenever pyarrow is installed (its option
``mode.string_storage`` is "auto"), and imheval installs pyarrow to read CSV files. Text held by
Arrow follows Arrow's rules in the ``.str`` methods and compares as another dtype, so results,
snapshots and the web app could change with no change of imheval's own (decision 0021).

:func:`keep_python_strings` sets the option to "python" for the whole process: at once when
pandas is already imported, else the moment pandas is first imported, so that ``import imheval``
still loads no pandas. pandas reads the option each time it makes a text dtype. A storage chosen
on purpose (the option set to "python" or "pyarrow" before) is left as it is.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType


def keep_python_strings() -> None:
    """Make pandas' default string storage "python" now, or as soon as pandas is imported."""
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        _python_storage(pandas)
    elif not any(isinstance(finder, _WhenPandasIsImported) for finder in sys.meta_path):
        sys.meta_path.insert(0, _WhenPandasIsImported())


def _python_storage(pandas: ModuleType) -> None:
    if pandas.get_option("mode.string_storage") == "auto":
        pandas.set_option("mode.string_storage", "python")


class _WhenPandasIsImported(importlib.abc.MetaPathFinder):
    """Finds nothing itself: it lets the usual finders find pandas, then sets the option once
    pandas' ``__init__`` has run, and leaves ``sys.meta_path`` as it was."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "pandas":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        run_pandas = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_pandas(module)
            _python_storage(module)

        # Only this loader object (pandas' own, made for this one import) is changed.
        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec
