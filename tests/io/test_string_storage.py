"""pandas keeps text as Python strings in any process that imports imheval (decision 0021).

pyarrow is installed (the CSV reader uses it), and pandas 3 would then hold its default ``str``
dtype in Arrow arrays. These tests fail if that default changes: in this process, and in fresh
interpreters whichever of pandas and imheval is imported first.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pyarrow  # noqa: F401  (installed: what would switch pandas to Arrow-backed text)

import imheval  # noqa: F401  (what sets the storage)


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return done.stdout.strip()


def test_default_text_dtype_is_held_as_python_strings() -> None:
    assert pd.Series(["a", "b"]).dtype == pd.StringDtype("python", na_value=np.nan)
    assert pd.Series(["a"], dtype="str").dtype.storage == "python"
    assert pd.Index(["a"]).dtype.storage == "python"
    assert pd.get_option("mode.string_storage") == "python"


def test_pandas_imported_after_imheval_holds_python_strings() -> None:
    out = _run(
        """
        import sys
        import imheval
        print("pandas" in sys.modules)
        import pandas as pd
        print(pd.Series(["a"]).dtype.storage, pd.Series(["a"], dtype="str").dtype.storage)
        print(any(type(finder).__module__ == "imheval._strings" for finder in sys.meta_path))
        """
    )
    # Importing imheval loads no pandas; the hook sets the option and then leaves meta_path.
    assert out.splitlines() == ["False", "python python", "False"]


def test_pandas_imported_before_imheval_holds_python_strings() -> None:
    out = _run(
        """
        import pandas as pd
        print(pd.Series(["a"]).dtype.storage)
        import imheval
        print(pd.Series(["a"]).dtype.storage)
        """
    )
    # Without imheval, pandas 3 with pyarrow installed holds text in Arrow: that is the change.
    assert out.splitlines() == ["pyarrow", "python"]


def test_a_storage_chosen_on_purpose_is_left_alone() -> None:
    out = _run(
        """
        import pandas as pd
        pd.set_option("mode.string_storage", "pyarrow")
        import imheval
        print(pd.Series(["a"]).dtype.storage)
        """
    )
    assert out == "pyarrow"


def test_asking_whether_pandas_is_installed_keeps_the_hook() -> None:
    out = _run(
        """
        import importlib.util
        import sys
        import imheval
        print(importlib.util.find_spec("pandas") is not None, "pandas" in sys.modules)
        import pandas as pd
        print(pd.Series(["a"]).dtype.storage)
        print(type(pd.__loader__).__module__, type(pd.__spec__.loader).__module__)
        print(any(type(finder).__module__ == "imheval._strings" for finder in sys.meta_path))
        """
    )
    # A look-up loads nothing and leaves the hook in place; pandas keeps its own loader.
    assert out.splitlines() == [
        "True False",
        "python",
        "_frozen_importlib_external _frozen_importlib_external",
        "False",
    ]


def test_the_reader_keeps_python_strings_when_pandas_was_loaded_unseen() -> None:
    out = _run(
        """
        import sys
        import imheval
        sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "imheval._strings"]
        import pandas as pd
        print(pd.Series(["a"]).dtype.storage)
        import imheval.io.reader
        print(pd.Series(["a"]).dtype.storage)
        """
    )
    assert out.splitlines() == ["pyarrow", "python"]
