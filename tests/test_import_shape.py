"""The shape of imheval's imports: no cycles, the package root imported only from outside the core.

import-linter's layers contract (pyproject.toml) keeps dependencies pointing down between
layers; these tests catch what it cannot see: a cycle inside one layer (bank <-> loader,
apa <-> results) and a core module reaching the package root for ``__version__``. grimp counts
imports inside functions too, so hiding an import in a function does not hide a cycle.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

import imheval
from imheval._version import __version__

# Cycles known today, each with what removes it. Nothing may be added here without an issue item.
KNOWN_CYCLES: set[frozenset[str]] = set()


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("imheval", cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> set[frozenset[str]]:
    """Each strongly connected group of two or more modules (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    work: list[tuple[str, Iterator[str]]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        work.append((module, iter(sorted(graph.find_modules_directly_imported_by(module)))))

    for root in sorted(graph.modules):
        if root in index:
            continue
        visit(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    visit(child)
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == module:
                        break
                if len(group) > 1:
                    found.add(frozenset(group))
    return found


def test_no_import_cycles_but_the_known_ones(graph: grimp.ImportGraph) -> None:
    new = {tuple(sorted(cycle)) for cycle in _cycles(graph) - KNOWN_CYCLES}
    assert new == set()


def test_the_cycle_finder_finds_a_cycle() -> None:
    # A check on the checker: a two-module cycle is reported, so an empty answer above means none.
    graph = grimp.ImportGraph()
    for module in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(module)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.one")
    graph.add_import(importer="a.three", imported="a.one")
    assert _cycles(graph) == {frozenset({"a.one", "a.two"})}


def test_only_the_web_package_imports_the_package_root(graph: grimp.ImportGraph) -> None:
    # The root imports the whole public API; a core module importing it (for __version__, say)
    # closes a cycle through everything __init__ imports.
    importers = graph.find_modules_that_directly_import("imheval")
    assert sorted(m for m in importers if not m.startswith("imheval.web.")) == []


def test_version_module_pyproject_and_package_agree() -> None:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    assert declared == __version__ == imheval.__version__ == "0.1.0"
