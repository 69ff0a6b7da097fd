"""A package's public names imported on first use (PEP 562), so importing the package is cheap."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    namespace: dict[str, Any], lazy: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The package's ``__getattr__`` and ``__dir__``: a name in ``lazy`` (name -> module) is
    imported from its module on first use and kept in ``namespace`` (the package's globals)
    thereafter; ``__dir__`` lists the package's names and its ``__all__``."""
    package = namespace["__name__"]

    def get_attribute(name: str) -> Any:
        module = lazy.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def names() -> list[str]:
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return get_attribute, names
