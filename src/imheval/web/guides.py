"""The guides (docs/*.md and docs/decisions/*.md) served inside the app, at /guides/<name>/.

One source: each page is rendered from the Markdown file in docs/ when it is asked for, so a
guide changed in the repository is the guide the app shows. The files are read from the
source checkout's docs/ directory beside src/ (the app is installed from its checkout, editable,
by scripts/setup), or from ``IMHEVAL_DOCS_DIR`` when set; a setuptools wheel cannot carry a
directory outside the package, and a copy inside it would be a second source that drifts.
Without the files, every guide answers 404 with a plain page (nothing else breaks).

Rendering is safe: markdown-it-py in CommonMark mode with HTML turned off, so any HTML in a file
is shown as text, never run. Headings get GitHub's anchors (so links such as
``web.md#participants-the-questionnaire`` keep working), level-2 headings make the contents
list, and links to another guide (``data-format.md``) become links to its page here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET
from markdown_it import MarkdownIt
from markdown_it.token import Token

#: A guide's name: a file in docs/ or docs/decisions/ without ".md" ("web", "decisions/0003-...").
NAME = re.compile(r"^(?:decisions/)?[a-z0-9][a-z0-9-]*$")

#: A link to another guide in a guide: "data-format.md#anchor", "../web.md", "docs/web.md".
GUIDE_LINK = re.compile(r"^(?:\./|\.\./|docs/)?((?:decisions/)?[a-z0-9][a-z0-9-]*)\.md(#[\w-]*)?$")


def docs_dir() -> Path:
    """Where the guides are read from: ``IMHEVAL_DOCS_DIR``, else the checkout's docs/."""
    configured = getattr(settings, "IMHEVAL_DOCS_DIR", "") or os.environ.get("IMHEVAL_DOCS_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "docs"


def guide_url(name: str, anchor: str = "") -> str:
    """The address of guide ``name`` (e.g. "instruments"), with an optional "#anchor"."""
    return reverse("guides:guide", args=[name]) + anchor


def anchor_for(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces become hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


@dataclass(frozen=True)
class Heading:
    anchor: str
    text: str


@dataclass(frozen=True)
class Guide:
    """A rendered guide: its title (the first heading), contents (level-2 headings) and body."""

    name: str
    title: str
    contents: tuple[Heading, ...]
    html: SafeString


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _guide_path(name: str) -> Path | None:
    if not NAME.match(name):
        return None
    file = docs_dir() / f"{name}.md"
    return file if file.is_file() else None


def _retarget(tokens: list[Token]) -> None:
    """Links to other guides point at their pages here; nested inline tokens included."""
    for token in tokens:
        if token.children:
            _retarget(token.children)
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            match = GUIDE_LINK.match(href)
            if match:
                token.attrSet("href", guide_url(match.group(1), match.group(2) or ""))


def render_guide(name: str, text: str) -> Guide:
    """``text`` (Markdown) as a :class:`Guide`; raw HTML in it is escaped, never passed on."""
    parser = _parser()
    tokens = parser.parse(text)
    title, contents, used = name, [], set()
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            token.attrSet("class", "nhsuk-table")
            token.attrSet("tabindex", "0")  # a wide table scrolls: keyboard users can scroll it
        if token.type != "heading_open":
            continue
        words = tokens[index + 1].content
        anchor = anchor_for(words)
        while anchor in used:
            anchor += "-1"
        used.add(anchor)
        token.attrSet("id", anchor)
        if token.tag == "h1" and title == name:
            title = words
        elif token.tag == "h2":
            contents.append(Heading(anchor, words))
    _retarget(tokens)
    html = parser.renderer.render(tokens, parser.options, {})
    # Safe: the renderer escapes all text and, with html off, any HTML in the file.
    return Guide(name, title, tuple(contents), mark_safe(html))


@lru_cache(maxsize=64)
def _cached(name: str, file: Path, mtime_ns: int) -> Guide:
    """Rendered once per version of the file (``mtime_ns`` is part of the cache key)."""
    return render_guide(name, file.read_text(encoding="utf-8"))


def load_guide(name: str) -> Guide | None:
    """Guide ``name`` rendered from its file (again whenever the file changes), or None."""
    file = _guide_path(name)
    if file is None:
        return None
    return _cached(name, file, file.stat().st_mtime_ns)


def guide_names() -> list[str]:
    """The guides in docs/ (not the decisions), by name."""
    folder = docs_dir()
    if not folder.is_dir():
        return []
    return sorted(file.stem for file in folder.glob("*.md") if NAME.match(file.stem))


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every guide, by title."""
    guides = [guide for name in guide_names() if (guide := load_guide(name)) is not None]
    return render(request, "guides.html", {"guides": guides})


@require_GET
def guide(request: HttpRequest, name: str) -> HttpResponse:
    """One guide, with a contents list; 404 for a name that is not a guide."""
    found = load_guide(name)
    if found is None:
        raise Http404("No such guide")
    crumbs = [("Guides", reverse("guides:index"))]
    return render(request, "guide.html", {"guide": found, "guide_crumbs": crumbs})


app_name = "guides"

urlpatterns = [
    path("", index, name="index"),
    path("<path:name>/", guide, name="guide"),
]
