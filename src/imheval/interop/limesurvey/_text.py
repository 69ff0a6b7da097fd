"""Text and code helpers shared by the LimeSurvey reader and writer.

LimeSurvey keeps question, answer and group texts as HTML; :func:`html_to_text` reads them as
plain text (tags, scripts and styles dropped, ``<br>`` and paragraph ends as line breaks,
entities decoded) and :func:`text_to_html` writes plain text so that reading it back gives the
same text, and so that LimeSurvey's ExpressionScript never sees a ``{`` it would evaluate.

LimeSurvey's names are narrower than imheval's: a question code starts with a letter and holds
letters and digits only (at most 20), a subquestion code letters and digits, an answer code at
most 5 letters and digits. :func:`ls_code` and :func:`answer_code` make such codes from
imheval's ids and option codes; the writer keeps the imheval names in the survey's hidden
mapping question (:func:`encode_mapping`), which the reader decodes (:func:`decode_mapping`).
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Mapping
from typing import Any

#: Raw HTML whitespace (not U+00A0, which a text keeps as a space).
_RAW_SPACE = re.compile(r"[ \t\r\n\f]+")
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r" ?<br\s*/?> ?", re.IGNORECASE)
_BLOCK = re.compile(r" ?</?(p|div|li|ul|ol|h[1-6]|tr|table|blockquote)\b[^>]*> ?", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_MANY_BREAKS = re.compile(r"\n{3,}")


def html_to_text(value: str) -> str:
    """The plain text of LimeSurvey's HTML ``value``: scripts, styles, comments and tags
    dropped, ``<br>`` a line break, a paragraph (or other block) a line break, runs of spaces
    one space (as a browser shows them), entities decoded, no blank lines at either end."""
    if not value:
        return ""
    text = _HIDDEN.sub(" ", value)
    text = _RAW_SPACE.sub(" ", text)
    text = _BREAK.sub("\n", text)
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub("", text)
    text = re.sub(r" *\n *", "\n", text)
    text = html.unescape(text).replace("\xa0", " ")
    text = _MANY_BREAKS.sub("\n\n", text)
    return text.strip()


def _escape_line(line: str) -> str:
    escaped = html.escape(line, quote=False).replace("{", "&#123;").replace("}", "&#125;")
    escaped = escaped.replace("\t", "&#9;")
    # A browser (and html_to_text) shows a run of spaces as one: keep the others as &nbsp;.
    escaped = re.sub(r"  +", lambda m: " " + "&nbsp;" * (len(m.group()) - 1), escaped)
    if escaped.startswith(" "):
        escaped = "&nbsp;" + escaped[1:]
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "&nbsp;"
    return escaped


def text_to_html(text: str) -> str:
    """``text`` as LimeSurvey HTML that :func:`html_to_text` reads back unchanged: special
    characters and braces as entities (ExpressionScript evaluates ``{...}``), line breaks as
    ``<br />``, repeated spaces kept."""
    return "<br />\n".join(_escape_line(line) for line in text.split("\n"))


_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
#: Question codes ExpressionScript reserves (LimeSurvey refuses them).
_RESERVED_CODES = {"lang", "sid", "savedid", "token", "qid", "gid", "sgq", "self", "that", "this"}
#: The longest question or subquestion code LimeSurvey accepts.
MAX_CODE = 20
#: The longest answer code LimeSurvey accepts.
MAX_ANSWER_CODE = 5


def ls_code(name: str, taken: set[str], *, subquestion: bool = False) -> str:
    """A LimeSurvey code for ``name`` not in ``taken`` (compared ignoring case; the result is
    added): letters and digits only, at most 20, a question code starting with a letter.
    ``KA01`` stays ``KA01``; ``k-1.2`` becomes ``k12``; a clash gets a number."""
    base = _NOT_ALNUM.sub("", name)
    if not base or (not subquestion and not base[0].isalpha()):
        base = ("sq" if subquestion else "q") + base
    if not base.isascii():
        base = "q" + "".join(ch for ch in base if ch.isascii())
    base = base[:MAX_CODE]
    blocked = _RESERVED_CODES | ({"time", "other", "comment"} if subquestion else set())
    folded = {t.casefold() for t in taken}
    candidate, number = base, 2
    while candidate.casefold() in folded or candidate.casefold() in blocked:
        suffix = str(number)
        candidate, number = base[: MAX_CODE - len(suffix)] + suffix, number + 1
    taken.add(candidate)
    return candidate


def is_answer_code(code: str) -> bool:
    """Whether ``code`` can be a LimeSurvey answer code as it is (1 to 5 letters or digits)."""
    return re.fullmatch(rf"[A-Za-z0-9]{{1,{MAX_ANSWER_CODE}}}", code) is not None


def answer_codes(codes: list[str]) -> dict[str, str]:
    """A LimeSurvey answer code for each of ``codes`` (imheval option codes, in order): the code
    itself where LimeSurvey accepts it, else ``A1``, ``A2``... (not clashing)."""
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for code in codes:
        # LimeSurvey compares answer codes ignoring case (its database collation does).
        if is_answer_code(code) and code.casefold() not in used:
            chosen[code] = code
            used.add(code.casefold())
    number = 1
    for code in codes:
        if code in chosen:
            continue
        while f"a{number}" in used:
            number += 1
        chosen[code] = f"A{number}"
        used.add(f"a{number}")
    return {code: chosen[code] for code in codes}


def value_code(value: int) -> str:
    """The answer code of a rating value: the number (``-2`` as ``m2``, LimeSurvey allows no
    minus sign)."""
    return str(value) if value >= 0 else f"m{-value}"


#: Marks the mapping in the hidden question's text.
MAPPING_MARK = "imheval-map:"
_MAPPING = re.compile(re.escape(MAPPING_MARK) + r"([^<]*)")


def encode_mapping(mapping: Mapping[str, Any]) -> str:
    """The mapping as the mark and base64 of its JSON (no braces, which ExpressionScript would
    try to evaluate, and nothing an HTML filter changes)."""
    data = json.dumps(mapping, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return MAPPING_MARK + base64.b64encode(data.encode("utf-8")).decode("ascii")


def decode_mapping(text: str) -> dict[str, Any] | None:
    """The mapping in a text written by :func:`encode_mapping` (None if there is none);
    ValueError if the mark is there but what follows cannot be read."""
    found = _MAPPING.search(text)
    if found is None:
        return None
    try:
        raw = base64.b64decode(re.sub(r"\s+", "", found.group(1)), validate=True)
        decoded = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"the mapping cannot be read ({error})") from None
    if not isinstance(decoded, dict):
        raise ValueError("the mapping is not a set of names")
    return decoded
