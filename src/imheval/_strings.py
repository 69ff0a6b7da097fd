"""pandas' default text dtype kept as imheval has always had it: Python strings, not Arrow arrays.

pandas 3 stores its default ``str`` dtype in pyarrow whenever pyarrow is installed (its option
``mode.string_storage`` is "auto"), and imheval installs pyarrow to read CSV files. Text held by
Arrow follows Arrow's rules in the ``.str`` methods and compares as another dtype, so results,
snapshots and the web app could change with no change of imheval's own (decision 0021).

:func:`keep_python_strings` sets the option to "python" for the whole process: at once when
pandas is already imported, else the moment pandas is first imported, so that ``import imheval``
still loads no pandas. The modules of imheval that make text frames call it again once they
have imported pandas (a backstop for an import the hook did not see). pandas reads the option
each time it makes a text dtype. A storage chosen on purpose (the option set to "python" or
"pyarrow" before) is left as it is. With pandas 2 the option has no "auto" (its default is
"python"), and nothing is changed.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any


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
    """Finds nothing itself: it asks the finders after it for pandas and hands back their spec
    with a loader that sets the option once pandas' ``__init__`` has run.

    It leaves ``sys.meta_path`` only when pandas is actually run, so a mere look-up
    (``importlib.util.find_spec("pandas")``, to ask whether pandas is installed) does not use
    it up; and no finder's or loader's object is changed.
    """

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "pandas":
            return None
        finders = list(sys.meta_path)
        after = finders[finders.index(self) + 1 :] if self in finders else finders
        for finder in after:
            find = getattr(finder, "find_spec", None)
            spec: importlib.machinery.ModuleSpec | None = (
                None if find is None else find(fullname, path, target)
            )
            if spec is not None:
                # A loader of the old protocol (load_module only) is left unwrapped; the
                # reader's own call of keep_python_strings still sets the option.
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _ThenKeepPythonStrings(spec.loader, self)
                return spec
        return None


class _ThenKeepPythonStrings(importlib.abc.Loader):
    """pandas' own loader, followed by setting the option (and the finder's leaving)."""

    def __init__(self, loader: importlib.abc.Loader, finder: _WhenPandasIsImported) -> None:
        self._loader = loader
        self._finder = finder

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # pandas sees its own loader, as if this one had never been there.
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        with contextlib.suppress(ValueError):  # another thread's import removed it first
            sys.meta_path.remove(self._finder)
        _python_storage(module)

    def __getattr__(self, name: str) -> Any:
        # Anything else asked of the loader (resources, source, the file's name) is pandas'.
        return getattr(self._loader, name)
