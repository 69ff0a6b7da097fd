"""Reading instrument files (YAML) into validated :class:`~imheval.instruments.model.Instrument`s.

Every way an instrument file can be wrong ends in one :class:`~imheval.errors.InstrumentError`
whose problems name the file, the item (by its id) or the field, and say what is wrong in plain
English. See docs/instruments.md for the file format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from imheval.errors import InstrumentError, Problem
from imheval.instruments.model import (
    FORMAT_V1,
    CrossReferenceError,
    Domain,
    Instrument,
    KeyedItem,
    OpenItem,
    RatingItem,
    RatingScale,
    TrainingLevel,
    cross_reference_issues,
)

#: File name endings read as instrument files.
YAML_SUFFIXES = (".yaml", ".yml")

#: The deepest nesting an instrument file may have (a real one needs five levels at most).
#: Without a bound, 500 levels of "[" exhaust Python's stack while the file is parsed.
MAX_YAML_DEPTH: Final = 50
#: The most values a file may hold once its aliases (``*name``) are expanded: ten lists of
#: ten aliases to the list before make 10^10 values from 100 lines ("billion laughs").
MAX_YAML_VALUES: Final = 100_000

_INT_TAG = "tag:yaml.org,2002:int"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_INTEGER = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")


class InstrumentYamlLoader(yaml.SafeLoader):
    """A safe YAML loader that keeps what a trainer wrote as text.

    Plain YAML 1.1 turns ``yes``/``no``/``on``/``off``/``true``/``false`` into booleans,
    ``1.10`` into the number 1.1, ``07`` into 7 (octal) and ``1:30`` into 90, which would silently
    change option codes, keys and version numbers (and ``null`` would become ``None``). Here only
    plain whole numbers (``1``, ``-2``, no leading zero) are converted; every other scalar,
    including a blank value, stays the exact text in the file, and the model converts it where a
    number or yes/no is expected. Repeated mapping keys are refused (plain YAML keeps the last
    one silently). Nesting deeper than :data:`MAX_YAML_DEPTH` and aliases expanding past
    :data:`MAX_YAML_VALUES` values are refused while composing, before anything is built.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        # The composer recurses once per level; counting here stops a deep file long before
        # Python's recursion limit, with the line where it went too deep.
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise _TooLarge(
                    f"is nested too deeply (more than {MAX_YAML_DEPTH} levels, at line "
                    f"{event.start_mark.line + 1}); an instrument file needs only a few levels"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None:
            _check_expanded_size(node)
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)  # resolve '<<' merge keys before looking for repeats
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                continue  # the base class reports unhashable keys with their position
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key '{key}' appears twice (first on line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


class _TooLarge(yaml.YAMLError):
    """A file nested too deeply or expanding too far; the message is the whole explanation."""


def _check_expanded_size(root: yaml.Node) -> None:
    """Refuse aliases that expand past :data:`MAX_YAML_VALUES` values or refer to themselves.

    Each node is measured once (an alias is the very node it names, so its size is reused),
    so this costs one pass over the file's nodes however far the aliases would expand.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise _TooLarge(
                f"has an alias that refers to the list or section it is in (line "
                f"{node.start_mark.line + 1}); an instrument file cannot contain itself"
            )
        open_nodes.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        open_nodes.discard(key)
        if total > MAX_YAML_VALUES:
            raise _TooLarge(
                f"expands to more than {MAX_YAML_VALUES:,} values through its aliases (*name); "
                "an instrument file holds far fewer"
            )
        sizes[key] = total
        return total

    size(root)


InstrumentYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == _MERGE_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
InstrumentYamlLoader.add_implicit_resolver(_INT_TAG, _PLAIN_INTEGER, list("-+0123456789"))


def load_instrument(path: str | Path) -> Instrument:
    """Read and validate one instrument file (``.yaml`` or ``.yml``).

    Returns the validated, immutable :class:`Instrument`. Raises :class:`InstrumentError` when
    the file is missing, unreadable, not YAML, of another format, or not a valid instrument; each
    problem names the file and the item id or field concerned.
    """
    file = Path(path)
    if file.suffix.lower() not in YAML_SUFFIXES:
        raise InstrumentError(
            [Problem(str(file), "instrument files are YAML and must end in .yaml or .yml")]
        )
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InstrumentError([Problem(str(file), "file not found")]) from None
    except IsADirectoryError:
        raise InstrumentError([Problem(str(file), "is a folder, not a file")]) from None
    except UnicodeDecodeError:
        raise InstrumentError(
            [Problem(str(file), "is not UTF-8 text; save it as UTF-8 and try again")]
        ) from None
    except OSError as exc:
        raise InstrumentError([Problem(str(file), f"cannot be read: {exc.strerror}")]) from None
    return load_instrument_text(text, source=str(file))


def load_instrument_text(text: str, source: str = "<text>") -> Instrument:
    """Parse and validate an instrument from YAML text; ``source`` names it in messages.

    Raises :class:`InstrumentError` exactly as :func:`load_instrument` does.
    """
    data = _parse_yaml(text, source)
    _check_format(data, source)
    try:
        return Instrument.model_validate(data)
    except ValidationError as exc:
        raise InstrumentError(_problems(exc, data, source)) from None


def _parse_yaml(text: str, source: str) -> Any:
    try:
        # A SafeLoader subclass: it builds only plain Python values, never arbitrary objects.
        data = yaml.load(text, Loader=InstrumentYamlLoader)
    except _TooLarge as exc:
        raise InstrumentError([Problem(source, str(exc))]) from None
    except RecursionError:
        # Not expected after the depth check; kept so no path can end in a traceback.
        raise InstrumentError(
            [Problem(source, f"is nested too deeply (more than {MAX_YAML_DEPTH} levels)")]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        detail = exc.problem or exc.context or "invalid YAML"
        raise InstrumentError(
            [Problem(source, f"is not valid YAML at {where}: {detail}")]
        ) from None
    except yaml.YAMLError as exc:
        raise InstrumentError([Problem(source, f"is not valid YAML: {exc}")]) from None
    if data is None or (isinstance(data, str) and not data.strip()):
        raise InstrumentError([Problem(source, f"is empty; it should start with: {_FORMAT_LINE}")])
    return data


_FORMAT_LINE = f"format: {FORMAT_V1}"


def _check_format(data: Any, source: str) -> None:
    # Checked first and alone: a file of another format would otherwise drown in field errors.
    if not isinstance(data, dict):
        raise InstrumentError(
            [
                Problem(
                    source,
                    "should be a set of 'field: value' lines starting with "
                    f"'{_FORMAT_LINE}', not a {_yaml_kind(data)}",
                )
            ]
        )
    if "format" not in data:
        raise InstrumentError(
            [
                Problem(
                    source,
                    f"does not say which format it is; add the line '{_FORMAT_LINE}' at the top",
                    item="format",
                )
            ]
        )
    if data["format"] != FORMAT_V1:
        raise InstrumentError(
            [
                Problem(
                    source,
                    f"format '{data['format']}' is not one this version of imheval reads; "
                    f"expected '{FORMAT_V1}'",
                    item="format",
                )
            ]
        )


def _yaml_kind(value: object) -> str:
    """What a YAML value is, in words a trainer knows, without its article."""
    if value is None or value == "":
        return "blank value"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "single line of text"
    if isinstance(value, bool):
        return "yes/no value"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dict):
        return "set of 'name: value' lines"
    return type(value).__name__


# --- turning pydantic errors into located, plain-English problems -------------------------------


def _problems(exc: ValidationError, data: Mapping[str, Any], source: str) -> list[Problem]:
    problems: list[Problem] = []
    cross_checked = False
    for error in exc.errors():
        cross = error.get("ctx", {}).get("error")
        if isinstance(cross, CrossReferenceError):
            problems.extend(Problem(source, message, item=item) for item, message in cross.issues)
            cross_checked = True
            continue
        where, field, model = _locate(error["loc"], data)
        message = _explain(error, field, model)
        # Errors inside one item name the item; a missing or malformed items list is a field.
        if error["loc"][:1] == ("items",) and len(error["loc"]) > 1:
            problems.append(Problem(source, message, item=where))
        else:
            problems.append(Problem(source, message, field=where))
    if not cross_checked:
        # The model checks cross-references only once every item is valid; check the raw file
        # too, so that one run lists every problem.
        problems.extend(
            Problem(source, message, item=item) for item, message in _raw_cross_references(data)
        )
    return problems


def _raw_cross_references(data: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """Cross-reference problems in the unvalidated file, as far as they can be judged."""
    domains = data.get("domains")
    scales = data.get("scales", {})
    items = data.get("items")
    if not isinstance(domains, list) or not isinstance(items, list):
        return []
    domain_ids = [d["id"] for d in domains if isinstance(d, dict) and isinstance(d.get("id"), str)]
    if len(domain_ids) != len(domains):
        return []  # without every domain id, "not declared" could be wrong
    usable: list[tuple[str, str, str | None]] = []
    open_items: list[tuple[str, str | None]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        item_id, domain, scale = item.get("id"), item.get("domain"), item.get("scale")
        if item.get("kind") == "open":
            if isinstance(item_id, str) and (domain is None or isinstance(domain, str)):
                open_items.append((item_id, domain))
            continue
        if not isinstance(item_id, str) or not isinstance(domain, str):
            continue
        is_rating = item.get("kind", "rating" if "scale" in item else "keyed") == "rating"
        usable.append((item_id, domain, scale if is_rating and isinstance(scale, str) else None))
    # A malformed scales section is reported on its own; then no scale counts as undeclared.
    scale_ids = list(scales) if isinstance(scales, dict) else [s for _, _, s in usable if s]
    return cross_reference_issues(
        domain_ids,
        scale_ids,
        usable,
        check_empty_domains=len(usable) + len(open_items) == len(items),
        open_items=open_items,
    )


def _locate(
    loc: tuple[int | str, ...], data: Mapping[str, Any]
) -> tuple[str | None, str | None, type[BaseModel] | None]:
    """(what to name in Problem.item, the field inside it, the model that field belongs to)."""
    if not loc:
        return None, None, Instrument
    head, rest = loc[0], loc[1:]
    if head == "items" and rest and isinstance(rest[0], int):
        index = rest[0]
        raw = _element(data.get("items"), index)
        item_id = raw.get("id") if isinstance(raw, dict) else None
        name = str(item_id) if isinstance(item_id, str | int) and item_id != "" else None
        name = name or f"item #{index + 1}"
        inner = rest[1:]
        model: type[BaseModel] | None = None
        kinds: dict[int | str, type[BaseModel]] = {
            "keyed": KeyedItem,
            "rating": RatingItem,
            "open": OpenItem,
        }
        if inner and inner[0] in kinds:
            model = kinds[inner[0]]
            inner = inner[1:]
        return name, _path(inner), model
    if head == "domains" and rest and isinstance(rest[0], int):
        raw = _element(data.get("domains"), rest[0])
        domain_id = raw.get("id") if isinstance(raw, dict) else None
        name = f"domains.{domain_id}" if isinstance(domain_id, str) else f"domain #{rest[0] + 1}"
        return name, _path(rest[1:]), Domain
    if head == "scales" and rest:
        return f"scales.{rest[0]}", _path(rest[1:]), RatingScale
    if head == "levels" and rest:
        return "levels", None, None
    return _path(loc), None, Instrument if len(loc) == 1 else None


def _element(values: object, index: int) -> object:
    if isinstance(values, Sequence) and not isinstance(values, str) and index < len(values):
        return values[index]
    return None


def _path(loc: Sequence[int | str]) -> str | None:
    if not loc:
        return None
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_LEVELS = ", ".join(level.value for level in TrainingLevel)


def _explain(error: ErrorDetails, field: str | None, model: type[BaseModel] | None) -> str:
    """One plain-English sentence for one pydantic error."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    loc = error["loc"]
    last = str(loc[-1]) if loc and isinstance(loc[-1], str) else None
    prefix = f"{field}: " if field else ""

    if kind == "missing":
        return f"{prefix}required but missing" if field else "a required field is missing"
    if kind == "extra_forbidden":
        allowed = (
            ", ".join(sorted(info.alias or name for name, info in model.model_fields.items()))
            if model is not None
            else ""
        )
        hint = f" (allowed fields: {allowed})" if allowed else ""
        return f"unknown field '{last}'; check the spelling{hint}"
    if kind == "union_tag_invalid":
        return f"kind '{ctx.get('tag')}' is not known; use 'keyed', 'rating' or 'open'"
    if kind == "enum" and loc and loc[0] == "levels":
        return f"'{value}' is not a training level; use one or more of: {_LEVELS}"
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        return f"{prefix}{message}"
    if kind == "string_pattern_mismatch":
        return (
            f"{prefix}'{value}' is not a valid id: start with a letter, then use only letters, "
            "digits, '_', '-' or '.'"
        )
    if kind == "string_too_short":
        return f"{prefix}must not be empty"
    if kind == "string_too_long":
        return f"{prefix}is too long (at most {ctx.get('max_length')} characters)"
    if kind == "string_type":
        return f"{prefix}should be text, not a {_yaml_kind(value)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{prefix}'{value}' is not a whole number"
    if kind in ("float_parsing", "float_type"):
        return f"{prefix}'{value}' is not a number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{prefix}'{value}' should be yes or no"
    if kind == "greater_than":
        return f"{prefix}must be greater than {ctx.get('gt')}, not {value}"
    if kind == "less_than_equal":
        return f"{prefix}must be at most {ctx.get('le')}, not {value}"
    if kind == "literal_error":
        return f"{prefix}'{value}' is not allowed; use {ctx.get('expected')}"
    if kind == "too_short":
        return f"{prefix}needs at least {ctx.get('min_length')} entries"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{prefix}should be a set of 'name: value' lines, not a {_yaml_kind(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"{prefix}should be a list (lines starting with '- '), not a {_yaml_kind(value)}"
    return f"{prefix}{error['msg']}"
