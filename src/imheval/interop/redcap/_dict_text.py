"""The text inside a REDCap data dictionary: labels, choices and field annotations.

- Labels (field labels, section headers, choice labels) may hold HTML (REDCap's rich text
  editor writes ``<div class="rich-text-field-label"><p>...``), character entities, and text
  garbled by a wrong encoding on the way ("Ã©" for "é"). :func:`clean_label` gives the plain
  text a participant reads; :func:`escape_label` is its inverse for the writer, so any imheval
  text survives a trip through a dictionary unchanged.
- Choices are ``code, label | code, label`` (REDCap also accepts no space after ``|``, and
  older dictionaries a line per choice): :func:`parse_choices`. A ``|`` or a line break inside
  a label cannot be written plainly, so the writer writes them as character references, which
  REDCap shows as the character and the reader turns back (:func:`escape_choice_label`).
- Field annotations hold REDCap action tags (``@HIDDEN``, ``@DEFAULT="..."``) and free text.
  imheval writes its own tags there, ``@IMHEVAL-ID=KA01`` and the like, to give back on reading
  what a REDCap field cannot hold (an id with capitals or hyphens, a domain, a scale):
  :func:`imheval_tags`, :func:`action_tags`. REDCap ignores tags it does not know.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, unquote

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SCRIPT = re.compile(r"<\s*(script|style)\b[^>]*>.*?<\s*/\s*\1\s*>", re.DOTALL | re.IGNORECASE)
_BREAK = re.compile(r"<\s*(?:br|/p|/div|/li|/tr|/h[1-6]|p|div|li|tr|h[1-6])\b[^<>]*>", re.I)
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
#: Characters that start the usual mojibake of UTF-8 read as Windows-1252 ("Ã©", "â€™", "Â ").
_MOJIBAKE = re.compile(
    "[ÃÂâ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039"
    "\u203a\u20ac\u2122]"
)


def has_markup(text: str) -> bool:
    """Whether ``text`` holds an HTML tag or comment (not a lone ``<``, as in "<3 months")."""
    return bool(_TAG.search(text) or _COMMENT.search(text))


def clean_label(raw: str) -> str:
    """The plain text of a REDCap label: mojibake mended, HTML tags dropped (line breaks and
    paragraphs become new lines, scripts and styles vanish), character references read, each
    line's runs of spaces made one, surrounding space trimmed. Text without tags keeps its
    spacing and line breaks."""
    text = _unmangle(raw)
    if has_markup(text):
        text = _COMMENT.sub("", text)
        text = _SCRIPT.sub("", text)
        text = _BREAK.sub("\n", text)
        text = _TAG.sub("", text)
        text = html.unescape(text).replace("\xa0", " ")
        lines = (" ".join(line.split()) for line in text.splitlines())
        return "\n".join(line for line in lines if line)
    return html.unescape(text).strip() if _ENTITY.search(text) else text.strip()


def _unmangle(text: str) -> str:
    """UTF-8 text that was read as Windows-1252 and saved again, read back as UTF-8; other
    text as it is."""
    if not _MOJIBAKE.search(text):
        return text
    try:
        mended = text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return text
    return mended


def escape_label(text: str) -> str:
    """``text`` written so that :func:`clean_label` gives it back exactly: as it is when it
    reads back unchanged (almost always), else with ``& < >`` and mojibake-like characters
    written as character references, which REDCap shows as the characters themselves."""
    if clean_label(text) == text:
        return text
    escaped = html.escape(text, quote=False)
    return _MOJIBAKE_START.sub(lambda match: f"&#{ord(match.group(0))};", escaped)


_MOJIBAKE_START = re.compile("[ÃÂâ]")


def escape_choice_label(text: str) -> str:
    """A choice label as written between ``|`` separators: :func:`escape_label`, then ``|``
    and line breaks as character references (a choice list has no other way to hold them)."""
    escaped = escape_label(text)
    if "|" in escaped or "\n" in escaped or "\r" in escaped:
        if escaped == text:
            # Plain text: it must now read back through html.unescape, so escape & < > too.
            escaped = html.escape(text, quote=False)
        escaped = escaped.replace("|", "&#124;").replace("\r", "&#13;").replace("\n", "&#10;")
    return escaped


def parse_choices(raw: str) -> list[tuple[str, str]]:
    """``1, Yes | 0, No`` as [("1", "Yes"), ("0", "No")], labels cleaned (see
    :func:`clean_label`). A choice without a comma is its own label. Separators are ``|``, or
    line breaks in a cell without ``|``. Empty choices are left out."""
    parts = raw.split("|") if "|" in raw else re.split(r"\r\n|\r|\n|\\n", raw)
    choices: list[tuple[str, str]] = []
    for part in parts:
        if not part.strip():
            continue
        code, comma, label = part.partition(",")
        code = code.strip()
        choices.append((code, clean_label(label) if comma else code))
    return choices


_IMHEVAL_TAG = re.compile(r"@IMHEVAL-([A-Z]+)(?:=(\S*))?")
_ACTION_TAG = re.compile(r"(?<![\w@])@[A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)*")


def imheval_tags(annotation: str) -> dict[str, str]:
    """imheval's own tags in a field annotation: ``@IMHEVAL-ID=KA01 @IMHEVAL-SCALE=can_do`` as
    {"ID": "KA01", "SCALE": "can_do"} (values percent-decoded; a tag without a value maps to
    "")."""
    return {
        match.group(1): unquote(match.group(2) or "") for match in _IMHEVAL_TAG.finditer(annotation)
    }


def imheval_tag(name: str, value: str | None = None) -> str:
    """The annotation text of one imheval tag; the value percent-encoded where it must be (it
    ends at the first space)."""
    if value is None:
        return f"@IMHEVAL-{name}"
    return f"@IMHEVAL-{name}={quote(value, safe='-_.,:~')}"


def action_tags(annotation: str) -> list[str]:
    """REDCap action tags in a field annotation (``@HIDDEN``, ``@DEFAULT``), without imheval's
    own and without ``@CHARLIMIT`` (which imheval reads), in order, each once."""
    found = [
        tag
        for tag in _ACTION_TAG.findall(annotation)
        if not tag.startswith("@IMHEVAL-") and tag != "@CHARLIMIT"
    ]
    return list(dict.fromkeys(found))


_CHARLIMIT = re.compile(r"@CHARLIMIT\s*=\s*['\"]?(\d+)")


def char_limit(annotation: str) -> int | None:
    """The number of ``@CHARLIMIT=n`` in a field annotation, if any."""
    match = _CHARLIMIT.search(annotation)
    return int(match.group(1)) if match else None


def humanise(name: str) -> str:
    """A REDCap form name as a title: ``imh_knowledge`` → "Imh knowledge"."""
    words = " ".join(name.replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else name


def shorten(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…" when longer."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
