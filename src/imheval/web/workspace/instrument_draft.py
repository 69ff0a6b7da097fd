"""An instrument being edited in the browser: what the editor's form holds, as typed.

The editor keeps no draft in the database: the whole instrument travels in the form, and every
button (add, remove, move, check, save) posts it back. :class:`Draft` is that form's content,
read from a built-in or saved instrument (:func:`draft_of`) or from a POST (:func:`draft_from`).
:func:`apply_action` makes one structural change; :func:`check` writes the draft as an
instrument file with the core's writer and runs the core's loader on it, so the editor accepts
exactly what an uploaded file would, and every problem is listed at once, each tied to the field
it is about (see :class:`EditorProblem`). :func:`advice` turns the core's item-writing advice
(instruments/lint.py) into the same kind of list, each piece tied to its question.

Every field of the file format has its place, so that editing a copy never drops one: parallel
forms (lines ``id: label``), the competency framework, jurisdiction wording (one term per entry,
its default words and its words in each jurisdiction), and, per question, its form, the
misconception each wrong option targets (lines ``code: misconception``), its competencies and
its evidence (one citation per line). An open question (``kind: open``, answered in the
participant's own words) keeps its id, wording, optional domain and form, and longest answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final

from imheval.errors import InstrumentError, Problem
from imheval.instruments import Instrument, KeyedItem, RatingItem
from imheval.instruments.lint import Advice, lint_instrument
from imheval.instruments.loader import load_instrument_text
from imheval.instruments.model import (
    DEFAULT_OPEN_MAX_LENGTH,
    DEFAULT_WORDING,
    FORMAT_V1,
    Jurisdiction,
    OpenItem,
    TrainingLevel,
)
from imheval.instruments.writer import write_instrument_yaml

#: The most domains, scales or items a form may post (the built-in bank's largest has 20 items).
MAX_ENTRIES: Final = 300
_WHOLE_NUMBER = re.compile(r"^-?\d+$")


@dataclass
class DraftDomain:
    id: str = ""
    label: str = ""
    description: str = ""
    level: str = "2"
    #: Barr's sub-level ("2a" ... "4b"), "" when not tagged.
    barr: str = ""


@dataclass
class DraftScale:
    id: str = ""
    min: str = "1"
    max: str = "5"
    labels: str = ""  # one "number: words" per line


@dataclass
class DraftItem:
    id: str = ""
    domain: str = ""
    text: str = ""
    concept: str = ""
    kind: str = "keyed"  # keyed, rating or open
    options: str = ""  # one "code: text" per line
    key: str = ""  # one or more codes, separated by commas
    points: str = "1"
    scale: str = ""
    reverse: bool = False
    form: str = ""  # empty: in every form
    misconceptions: str = ""  # one "code: misconception" per line
    competencies: list[str] = field(default_factory=list)
    evidence: str = ""  # one citation per line
    max_length: str = str(DEFAULT_OPEN_MAX_LENGTH)  # an open question's longest answer


@dataclass
class DraftTerm:
    """A term written ``{id}`` in the text, with its default words and its words in each
    jurisdiction (empty: the default words)."""

    id: str = ""
    default: str = ""
    england: str = ""
    wales: str = ""
    scotland: str = ""
    northern_ireland: str = ""
    ireland: str = ""


#: The jurisdictions a term may have its own words for, in the order the editor shows them.
JURISDICTIONS: Final = tuple(j.value for j in Jurisdiction)


@dataclass
class Draft:
    id: str = ""
    version: str = "1"
    title: str = ""
    description: str = ""
    language: str = "en-GB"
    levels: list[str] = field(default_factory=list)
    domains: list[DraftDomain] = field(default_factory=list)
    scales: list[DraftScale] = field(default_factory=list)
    items: list[DraftItem] = field(default_factory=list)
    forms: str = ""  # one "id: label" (or "id") per line
    framework: str = ""
    terms: list[DraftTerm] = field(default_factory=list)


#: The repeated parts of a draft: the name used in field names and actions, and its class.
SECTIONS: Final = {"domain": DraftDomain, "scale": DraftScale, "item": DraftItem, "term": DraftTerm}
_DETAILS: Final = ("id", "version", "title", "description", "language")
_EXTRAS: Final = ("forms", "framework")


@dataclass(frozen=True)
class EditorProblem:
    """One thing to put right: ``anchor`` is the id of the field it is about, ``text`` says what
    and where ("Question 2 (K2): key ['e'] is not among the options ['a', 'b']")."""

    anchor: str
    text: str


# --- reading ----------------------------------------------------------------------------------


def draft_of(instrument: Instrument) -> Draft:
    """The editor's form for ``instrument``, field by field."""
    return Draft(
        id=instrument.id,
        version=instrument.version,
        title=instrument.title,
        description=instrument.description,
        language=instrument.language,
        levels=[level.value for level in instrument.levels],
        domains=[
            DraftDomain(d.id, d.label, d.description, str(d.kirkpatrick_level), d.barr_level or "")
            for d in instrument.domains
        ],
        scales=[
            DraftScale(
                name,
                str(scale.min),
                str(scale.max),
                "\n".join(f"{point}: {words}" for point, words in sorted(scale.labels.items())),
            )
            for name, scale in instrument.scales.items()
        ],
        items=[_draft_item(question) for question in instrument.questions],
        forms="\n".join(f"{f.id}: {f.label}" if f.label else f.id for f in instrument.forms),
        framework=instrument.framework,
        terms=[
            DraftTerm(term, **{place: texts.get(place, "") for place in _PLACES})
            for term, texts in instrument.wording.items()
        ],
    )


_PLACES: Final = (DEFAULT_WORDING, *JURISDICTIONS)


def _draft_item(item: KeyedItem | RatingItem | OpenItem) -> DraftItem:
    if isinstance(item, OpenItem):
        return DraftItem(
            id=item.id,
            domain=item.domain or "",
            text=item.text,
            kind="open",
            form=item.form or "",
            max_length=str(item.max_length),
        )
    common = DraftItem(
        id=item.id,
        domain=item.domain,
        text=item.text,
        concept=item.concept,
        form=item.form or "",
        competencies=list(item.competencies),
        evidence="\n".join(item.evidence),
    )
    if isinstance(item, RatingItem):
        return replace(common, kind="rating", scale=item.scale, reverse=item.reverse)
    return replace(
        common,
        options="\n".join(f"{code}: {text}" for code, text in item.options.items()),
        key=", ".join(item.key),
        points=f"{item.points:g}",
        misconceptions="\n".join(f"{code}: {text}" for code, text in item.misconceptions.items()),
    )


def declared_forms(draft: Draft) -> list[tuple[str, str]]:
    """The (id, label) of each form the draft's forms box declares, one per line."""
    forms = []
    for line in draft.forms.splitlines():
        if line.strip():
            form_id, _, label = line.partition(":")
            forms.append((form_id.strip(), label.strip()))
    return forms


def draft_from(post: Mapping[str, Any]) -> Draft:
    """The draft a submitted editor form holds (missing fields read as empty)."""
    details = {name: str(post.get(name, "")).strip() for name in _DETAILS + _EXTRAS}
    details["forms"] = details["forms"].replace("\r\n", "\n")
    levels = post.getlist("levels") if hasattr(post, "getlist") else post.get("levels", [])
    entries = {section: _entries(post, section, kind) for section, kind in SECTIONS.items()}
    return Draft(
        **details,
        levels=[level for level in levels if level in _LEVEL_VALUES],
        domains=entries["domain"],
        scales=entries["scale"],
        items=entries["item"],
        terms=entries["term"],
    )


_LEVEL_VALUES: Final = tuple(level.value for level in TrainingLevel)


def _entries(post: Mapping[str, Any], section: str, kind: type) -> list[Any]:
    try:
        count = min(int(post.get(f"{section}-count", 0)), MAX_ENTRIES)
    except ValueError:
        count = 0
    entries = []
    for index in range(max(count, 0)):
        values: dict[str, Any] = {}
        for part in fields(kind):
            name = f"{section}-{index}-{part.name}"
            if part.type == "bool":
                values[part.name] = post.get(name) == "on"
            elif part.type == "list[str]":
                chosen = post.getlist(name) if hasattr(post, "getlist") else post.get(name, [])
                values[part.name] = [str(value) for value in chosen if str(value).strip()]
            else:
                values[part.name] = str(post.get(name, "")).replace("\r\n", "\n").strip()
        entries.append(kind(**values))
    return entries


# --- changing ---------------------------------------------------------------------------------

_ACTION = re.compile(r"^(add|remove|up|down)-(domain|scale|item|term)(?:-(\d+))?$")


def apply_action(draft: Draft, action: str) -> Draft:
    """``draft`` after one button: ``add-item``, ``remove-item-3``, ``up-domain-1``,
    ``down-scale-0``... An unknown action or index changes nothing."""
    match = _ACTION.match(action)
    if not match:
        return draft
    verb, section, number = match.group(1), match.group(2), match.group(3)
    entries: list[Any] = list(getattr(draft, f"{section}s"))
    if verb == "add":
        entries.append(_new_entry(draft, section))
    elif number is not None and int(number) < len(entries):
        _move_or_remove(entries, verb, int(number))
    changed = replace(draft)
    setattr(changed, f"{section}s", entries)
    return changed


def _move_or_remove(entries: list[Any], verb: str, index: int) -> None:
    if verb == "remove":
        del entries[index]
        return
    other = index - 1 if verb == "up" else index + 1
    if 0 <= other < len(entries):
        entries[index], entries[other] = entries[other], entries[index]


def _new_entry(draft: Draft, section: str) -> Any:
    if section == "domain":
        return DraftDomain(id=_free(f"domain{len(draft.domains) + 1}", _ids(draft.domains)))
    if section == "scale":
        return DraftScale(id=_free("agree", _ids(draft.scales)))
    if section == "term":
        return DraftTerm(id=_free("term", _ids(draft.terms)).replace("-", "_"))
    domain = draft.items[-1].domain if draft.items else (draft.domains or [DraftDomain()])[0].id
    return DraftItem(id=_free(f"Q{len(draft.items) + 1}", _ids(draft.items)), domain=domain)


def _ids(entries: list[Any]) -> set[str]:
    return {entry.id for entry in entries}


def _free(wanted: str, taken: set[str]) -> str:
    candidate, number = wanted, 2
    while candidate in taken:
        candidate, number = f"{wanted}-{number}", number + 1
    return candidate


# --- checking ---------------------------------------------------------------------------------


def check(draft: Draft, source: str = "editor") -> tuple[Instrument | None, list[EditorProblem]]:
    """(the instrument, []) when the draft is valid, else (None, every problem).

    The draft is written as an instrument file and read back by the core's loader, so the
    problems are the loader's own, each tied to the editor field it is about; lines of options
    or scale labels the editor cannot split come first.
    """
    data, problems = _data(draft)
    try:
        instrument = load_instrument_text(write_instrument_yaml(data), source=source)
    except InstrumentError as error:
        return None, problems + [_located(draft, problem) for problem in error.problems]
    return (instrument, []) if not problems else (None, problems)


def _data(draft: Draft) -> tuple[dict[str, Any], list[EditorProblem]]:
    problems: list[EditorProblem] = []
    data: dict[str, Any] = {"format": FORMAT_V1}
    # An empty id, version or title is written as it is, for the loader to say so.
    data |= {name: getattr(draft, name) for name in _DETAILS[:3]}
    data |= {name: getattr(draft, name) for name in _DETAILS[3:] if getattr(draft, name)}
    data["levels"] = draft.levels
    data["domains"] = [_domain_data(domain) for domain in draft.domains]
    scales = {}
    for index, scale in enumerate(draft.scales):
        labels = _lines(scale.labels, f"scale-{index}-labels", _scale_name(scale), problems)
        if not scale.id or scale.id in scales:
            problems.append(
                EditorProblem(
                    f"scale-{index}-id",
                    f"{_scale_name(scale)}: give each rating scale its own short name",
                )
            )
        scales[scale.id] = {
            "min": _number(scale.min),
            "max": _number(scale.max),
            "labels": {_number(point): words for point, words in labels.items()},
        }
    if scales:
        data["scales"] = scales
    forms = declared_forms(draft)
    if forms:
        data["forms"] = [{"id": i} | ({"label": label} if label else {}) for i, label in forms]
    if draft.framework:
        data["framework"] = draft.framework
    wording = _wording(draft, problems)
    if wording:
        data["wording"] = wording
    data["items"] = [_item_data(index, item, problems) for index, item in enumerate(draft.items)]
    return data, problems


def _wording(draft: Draft, problems: list[EditorProblem]) -> dict[str, dict[str, str]]:
    wording: dict[str, dict[str, str]] = {}
    for index, term in enumerate(draft.terms):
        if not term.id or term.id in wording:
            problems.append(
                EditorProblem(
                    f"term-{index}-id",
                    f"Term {index + 1}: give each term its own short name, for example "
                    "health_visitor",
                )
            )
        wording[term.id] = {
            place: getattr(term, place) for place in _PLACES if getattr(term, place)
        }
    return wording


def _domain_data(domain: DraftDomain) -> dict[str, Any]:
    data = {"id": domain.id, "label": domain.label, "kirkpatrick_level": _number(domain.level)}
    data |= {"barr_level": domain.barr} if domain.barr else {}
    return data | ({"description": domain.description} if domain.description else {})


def _item_data(index: int, item: DraftItem, problems: list[EditorProblem]) -> dict[str, Any]:
    if item.kind == "open":
        return _open_data(item)
    data: dict[str, Any] = {"kind": item.kind, "id": item.id, "domain": item.domain}
    data |= {"form": item.form} if item.form else {}
    data |= {"concept": item.concept} if item.concept else {}
    data["text"] = item.text
    data |= {"competencies": item.competencies} if item.competencies else {}
    evidence = [line.strip() for line in item.evidence.splitlines() if line.strip()]
    data |= {"evidence": evidence} if evidence else {}
    if item.kind == "rating":
        return data | {"scale": item.scale, "reverse": item.reverse}
    where = _item_name(index, item)
    data["options"] = _lines(item.options, f"item-{index}-options", where, problems)
    codes = [code.strip() for code in item.key.split(",") if code.strip()]
    data["key"] = codes[0] if len(codes) == 1 else codes
    misconceptions = _lines(
        item.misconceptions,
        f"item-{index}-misconceptions",
        where,
        problems,
        "b: Babies cannot feel stress",
    )
    data |= {"misconceptions": misconceptions} if misconceptions else {}
    return data | ({"points": item.points} if item.points else {})


def _open_data(item: DraftItem) -> dict[str, Any]:
    """An open question as the file writes it: only the fields an open question has (its
    concept, competencies and evidence boxes are not shown for it, and are not kept)."""
    data: dict[str, Any] = {"kind": "open", "id": item.id}
    data |= {"domain": item.domain} if item.domain else {}
    data |= {"form": item.form} if item.form else {}
    data["text"] = item.text
    if item.max_length and item.max_length != str(DEFAULT_OPEN_MAX_LENGTH):
        data["max_length"] = _number(item.max_length)
    return data


def _lines(
    text: str, anchor: str, where: str, problems: list[EditorProblem], example: str = "a: Yes"
) -> dict[str, str]:
    """``code: words`` lines as a dict; a line without a colon is a problem."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, colon, words = line.partition(":")
        if not colon:
            problems.append(
                EditorProblem(
                    anchor,
                    f"{where}: line {number} ('{line.strip()}') needs a code, a colon and "
                    f"the words, for example '{example}'",
                )
            )
            continue
        values[code.strip()] = words.strip()
    return values


def _number(text: str) -> int | str:
    """A whole number when the text is one; otherwise the text, for the loader to report."""
    return int(text) if _WHOLE_NUMBER.match(text) else text


# --- tying the loader's problems to fields ----------------------------------------------------

#: For a problem with one item, which of its fields it is about. The loader names an item and
#: starts its message with the field ("key ['d'] is not among..."); this only chooses where the
#: error summary's link goes, never what it says. The first match wins; else the wording.
_ITEM_FIELDS: Final = (
    ("items name competencies", "competencies"),
    ("misconceptions", "misconceptions"),
    ("competencies", "competencies"),
    ("evidence", "evidence"),
    ("form", "form"),
    ("item id", "id"),
    ("every option", "key"),
    ("option", "options"),
    ("key", "key"),
    ("points", "points"),
    ("concept", "concept"),
    ("scale", "scale"),
    ("domain", "domain"),
    ("id", "id"),
    ("kind", "kind"),
    ("reverse", "reverse"),
    ("max_length", "max_length"),
)
_NAMES: Final = re.compile(r"names (domain|scale|form|competencies) ")
#: Problems with the whole instrument's forms, framework or wording, by how they start.
_INSTRUMENT_FIELDS: Final = (
    (re.compile(r"^(form '|only one form|domain '[^']*' has items of its own)"), "forms"),
    (re.compile(r"^framework "), "framework"),
)
_TERM: Final = re.compile(r"^wording term '([^']*)'")


def _located(draft: Draft, problem: Problem) -> EditorProblem:
    if problem.item is not None:
        index = _item_index(draft, problem.item)
        if index is not None:
            item = draft.items[index]
            name = _item_field(problem.message)
            return EditorProblem(
                f"item-{index}-{name}", f"{_item_name(index, item)}: {problem.message}"
            )
    if problem.field:
        return _located_field(draft, problem.field, problem.message)
    for start, anchor in _INSTRUMENT_FIELDS:
        if start.match(problem.message):
            return EditorProblem(anchor, f"{_FIELD_NAMES[anchor]}: {problem.message}")
    term = _TERM.match(problem.message)
    if term:
        index = next((i for i, t in enumerate(draft.terms) if t.id == term.group(1)), None)
        anchor = "terms" if index is None else f"term-{index}-{_term_part(problem.message)}"
        return EditorProblem(anchor, f"Wording: {problem.message}")
    if "domain" in problem.message:
        return EditorProblem("domains", f"Domains: {problem.message}")
    return EditorProblem("details", problem.message)


_FIELD_NAMES: Final = {"forms": "Parallel forms", "framework": "Competency framework"}


def _term_part(message: str) -> str:
    if "has no 'default'" in message:
        return "default"
    return "id"


def _item_index(draft: Draft, name: str) -> int | None:
    for index, item in enumerate(draft.items):
        if item.id == name:
            return index
    numbered = re.fullmatch(r"item #(\d+)", name)
    return int(numbered.group(1)) - 1 if numbered else None


def _item_field(message: str) -> str:
    named = _NAMES.search(message)
    if named:
        return named.group(1)
    for start, name in _ITEM_FIELDS:
        if message.startswith(start):
            return name
    return "text"


def _located_field(draft: Draft, where: str, message: str) -> EditorProblem:
    section, _, name = where.partition(".")
    if section in ("domains", "scales") and name:
        entries: list[Any] = draft.domains if section == "domains" else list(draft.scales)
        index = next((i for i, entry in enumerate(entries) if entry.id == name), None)
        if index is not None:
            part = _first_word(message)
            if section == "domains":
                part = {"kirkpatrick_level": "level", "barr_level": "barr"}.get(part, part)
                known = ("id", "label", "description", "level", "barr")
                part = part if part in known else "label"
                return EditorProblem(f"domain-{index}-{part}", f"Domain {name}: {message}")
            part = part if part in ("min", "max", "labels") else "min"
            return EditorProblem(f"scale-{index}-{part}", f"Rating scale {name}: {message}")
    numbered = re.fullmatch(r"domain #(\d+)", where)
    if numbered:
        index = int(numbered.group(1)) - 1
        return EditorProblem(f"domain-{index}-id", f"Domain {index + 1}: {message}")
    if where in _DETAILS:
        return EditorProblem(where, f"{where.capitalize()}: {message}")
    if where == "levels":
        return EditorProblem("levels", f"Training levels: {message}")
    if section.startswith(("forms", "framework")):
        anchor = "forms" if section.startswith("forms") else "framework"
        return EditorProblem(anchor, f"{_FIELD_NAMES[anchor]}: {message}")
    if section.startswith("wording"):
        return EditorProblem("terms", f"Wording: {message}")
    return EditorProblem(
        section if section in ("domains", "scales", "items") else "details", message
    )


def _first_word(message: str) -> str:
    return re.split(r"[^a-z_]", message, maxsplit=1)[0]


def _item_name(index: int, item: DraftItem) -> str:
    return f"Question {index + 1}" + (f" ({item.id})" if item.id else "")


def _scale_name(scale: DraftScale) -> str:
    return f"Rating scale {scale.id}" if scale.id else "A rating scale"


# --- item-writing advice ----------------------------------------------------------------------

#: Which field of its question each rule's advice links to.
_ADVICE_FIELDS: Final = {
    "absolute-in-distractor": "options",
    "key-longest": "options",
    "shared-key": "options",
    "key-position-balance": "key",
    "key-position-run": "key",
    "key-position-cycle": "key",
}


def advice(draft: Draft, instrument: Instrument) -> list[EditorProblem]:
    """The item-writing advice for ``instrument`` (the draft, checked), each piece tied to the
    field of its question: the options for cues in the options, the key for key positions,
    else the wording."""
    return [_advised(draft, piece) for piece in lint_instrument(instrument)]


def _advised(draft: Draft, piece: Advice) -> EditorProblem:
    index = _item_index(draft, piece.item) if piece.item else None
    if index is None:
        return EditorProblem("items", piece.message[:1].upper() + piece.message[1:])
    name = _ADVICE_FIELDS.get(piece.rule, "text")
    return EditorProblem(
        f"item-{index}-{name}", f"{_item_name(index, draft.items[index])}: {piece.message}"
    )
