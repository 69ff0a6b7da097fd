"""The installed imheval's version, in a module of its own.

Kept apart from ``imheval/__init__.py`` so that a core module that records the version (the
evaluation's settings, the report's colophon) imports this leaf and not the package root, which
imports the whole public API and would close an import cycle. pyproject.toml holds the same
string; ``tests/test_version.py`` checks that they agree.
"""

__version__ = "0.1.0"
