"""The synthetic demo study shipped with imheval (seed 000's design, made-up people).

``demo_path()`` is the packaged responses file, ``write_demo(directory)`` copies it with the two
instrument files it answers, and ``generate_demo()`` rebuilds it; see
:mod:`imheval.demo.generate`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from imheval.demo.generate import (
        DEMO_INSTRUMENT_IDS,
        DEMO_INSTRUMENT_REFS,
        DEMO_SEED,
        demo_instruments,
        demo_path,
        generate_demo,
        write_demo,
    )

__all__ = [
    "DEMO_INSTRUMENT_IDS",
    "DEMO_INSTRUMENT_REFS",
    "DEMO_SEED",
    "demo_instruments",
    "demo_path",
    "generate_demo",
    "write_demo",
]


# Under "not TYPE_CHECKING" so that mypy still reports a misspelt name on this module.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        # Imported on first use, so `python -m imheval.demo.generate` does not find the module
        # already imported by its package (runpy warns about that) and the CLI starts faster.
        if name in __all__:
            from imheval.demo import generate

            return getattr(generate, name)
        raise AttributeError(f"module 'imheval.demo' has no attribute '{name}'")
