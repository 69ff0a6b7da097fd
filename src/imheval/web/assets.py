"""Install NHS.UK frontend's compiled files into the package's static folder.

``scripts/setup`` runs ``npm ci`` (package.json names nhsuk-frontend) and then
``python3 -m imheval.web.assets``, which copies the CSS, JavaScript and images into
``imheval/web/static/nhsuk/`` (ignored by git; never committed). Two rewrites make the files
work offline and under our Content-Security-Policy: the CSS's absolute ``/assets/`` addresses
become relative to the CSS file, and the web-font rules that fetch Frutiger from assets.nhs.uk
are dropped (the pages fall back to Arial, as NHS.UK itself does before the font loads), so a
participant's phone never contacts a third party. htmx (npm package htmx.org), used where a page
part updates itself (live response counts), is copied to ``imheval/web/static/vendor/``.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

PACKAGE_STATIC = Path(__file__).resolve().parent / "static" / "nhsuk"
PACKAGE_VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
_FONT_FACE = re.compile(r"@font-face\{[^}]*assets\.nhs\.uk[^}]*\}")


class FrontendMissingError(FileNotFoundError):
    """Raised when node_modules/nhsuk-frontend has not been installed (run scripts/setup)."""


def install(node_modules: Path, destination: Path = PACKAGE_STATIC) -> Path:
    """Copy nhsuk-frontend's compiled assets from ``node_modules`` into ``destination``."""
    source = node_modules / "nhsuk-frontend" / "dist" / "nhsuk"
    if not (source / "nhsuk-frontend.min.css").is_file():
        raise FrontendMissingError(
            f"{source} has no nhsuk-frontend.min.css: run 'npm ci' (scripts/setup does)"
        )
    if destination.exists():
        shutil.rmtree(destination)
    (destination / "assets").mkdir(parents=True)
    css = (source / "nhsuk-frontend.min.css").read_text(encoding="utf-8")
    css = _FONT_FACE.sub("", css).replace("url(/assets/", "url(assets/")
    (destination / "nhsuk-frontend.min.css").write_text(css, encoding="utf-8")
    shutil.copy2(source / "nhsuk-frontend.min.js", destination / "nhsuk-frontend.min.js")
    shutil.copytree(source / "assets" / "images", destination / "assets" / "images")
    return destination


def install_htmx(node_modules: Path, destination: Path = PACKAGE_VENDOR) -> Path:
    """Copy htmx (live-updating page parts) from ``node_modules`` into ``destination``."""
    htmx = node_modules / "htmx.org" / "dist" / "htmx.min.js"
    if not htmx.is_file():
        raise FrontendMissingError(f"{htmx} is missing: run 'npm ci' (scripts/setup does)")
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(htmx, destination / "htmx.min.js")
    return destination / "htmx.min.js"


def installed() -> bool:
    """Whether the NHS.UK frontend files are in place for the web app to serve."""
    return (PACKAGE_STATIC / "nhsuk-frontend.min.css").is_file() and (
        PACKAGE_VENDOR / "htmx.min.js"
    ).is_file()


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    print(f"NHS.UK frontend installed in {install(root / 'node_modules')}")
    print(f"htmx installed as {install_htmx(root / 'node_modules')}")
