"""Instruments (questionnaires) as data: the validated model of an instrument file.

An instrument file (YAML) is read into an :class:`Instrument`. The model is immutable and fully
validated: every item belongs to a declared domain, every keyed item's key is one of its options,
every rating item names a declared scale. See docs/instruments.md for the file format.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The file-format identifier every instrument file must declare in its ``format`` field.
FORMAT_V1 = "imheval-instrument/1"

Identifier = Annotated[
    str,
    Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", min_length=1, max_length=64),
]


class TrainingLevel(StrEnum):
    """The training levels an instrument can fit (seed 000: beginner, intermediate, advanced)."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Domain(_Frozen):
    """A scored domain, e.g. knowledge, risk identification or self-efficacy.

    ``kirkpatrick_level`` places the domain in Kirkpatrick's model (1 reaction, 2 learning,
    3 behaviour, 4 results); knowledge, risk identification and self-efficacy are level 2.
    """

    id: Identifier
    label: str = Field(min_length=1)
    description: str = ""
    kirkpatrick_level: Literal[1, 2, 3, 4] = 2


class RatingScale(_Frozen):
    """An integer rating scale, e.g. 1 (not at all confident) to 5 (very confident)."""

    min: int
    max: int
    labels: dict[int, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_range(self) -> RatingScale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        outside = [k for k in self.labels if not self.min <= k <= self.max]
        if outside:
            raise ValueError(f"labels {outside} fall outside {self.min}..{self.max}")
        return self


class KeyedItem(_Frozen):
    """A question with response options and an answer key (1 point per correct answer).

    ``key`` holds the code(s) of the option(s) that score; any other option scores 0 as "wrong",
    a blank scores 0 as "missing" and an answer that is not an option scores 0 as "invalid".
    """

    kind: Literal["keyed"] = "keyed"
    id: Identifier
    domain: Identifier
    text: str = Field(min_length=1)
    concept: str = ""
    options: dict[str, str] = Field(min_length=2)
    key: tuple[str, ...] = Field(min_length=1)
    points: float = Field(default=1.0, gt=0)

    @field_validator("key", mode="before")
    @classmethod
    def _key_as_tuple(cls, value: object) -> object:
        if isinstance(value, str | int):
            return (str(value),)
        if isinstance(value, list):
            return tuple(str(v) for v in value)
        return value

    @field_validator("options", mode="before")
    @classmethod
    def _option_codes_as_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value

    @field_validator("options")
    @classmethod
    def _options_are_named(cls, value: dict[str, str]) -> dict[str, str]:
        if any(not code for code in value):
            raise ValueError(
                "an option code is empty; give every option a short code such as a, b, c"
            )
        unlabelled = [code for code, label in value.items() if not label]
        if unlabelled:
            raise ValueError(f"option(s) {unlabelled} have no text")
        return value

    @model_validator(mode="after")
    def _key_is_an_option(self) -> KeyedItem:
        unknown = [k for k in self.key if k not in self.options]
        if unknown:
            raise ValueError(f"key {unknown} is not among the options {sorted(self.options)}")
        if len(set(self.key)) == len(self.options):
            raise ValueError("every option is keyed correct, so the item cannot discriminate")
        return self

    @property
    def max_points(self) -> float:
        return self.points

    @property
    def min_points(self) -> float:
        return 0.0


class RatingItem(_Frozen):
    """A rating item scored on a named scale; ``reverse`` items score ``min + max - answer``."""

    kind: Literal["rating"] = "rating"
    id: Identifier
    domain: Identifier
    text: str = Field(min_length=1)
    concept: str = ""
    scale: Identifier
    reverse: bool = False


Item = Annotated[KeyedItem | RatingItem, Field(discriminator="kind")]


def short_wording(item: KeyedItem | RatingItem, words: int = 8) -> str:
    """A question in a few words, for tables: its ``concept`` in plain words ("attachment
    containment"), or else the start of its text ("A 10-month-old falls over and screams. Her
    father…")."""
    if item.concept:
        return item.concept.replace("_", " ").replace("-", " ")
    text = item.text.split()
    return " ".join(text[:words]) + ("…" if len(text) > words else "")


class CrossReferenceError(ValueError):
    """Raised (inside validation) when items, domains and scales do not refer to each other.

    ``issues`` holds one ``(item id or None, message)`` pair per problem, so a loader can report
    each one against its item; ``str()`` joins them for callers that only want the text.
    """

    def __init__(self, issues: list[tuple[str | None, str]]) -> None:
        self.issues: tuple[tuple[str | None, str], ...] = tuple(issues)
        super().__init__("; ".join(message for _, message in self.issues))


class Instrument(_Frozen):
    """A versioned questionnaire: domains, rating scales and items, and the levels it fits."""

    format: Literal["imheval-instrument/1"]
    id: Identifier
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    language: str = "en-GB"
    levels: tuple[TrainingLevel, ...]
    domains: tuple[Domain, ...]
    scales: dict[str, RatingScale] = Field(default_factory=dict)
    items: tuple[Item, ...]

    @field_validator("items", mode="before")
    @classmethod
    def _infer_item_kind(cls, value: object) -> object:
        # "kind" may be left out: an item that names a scale is a rating item, any other is keyed.
        if not isinstance(value, list | tuple):
            return value
        return [
            {"kind": "rating" if "scale" in item else "keyed", **item}
            if isinstance(item, dict) and "kind" not in item
            else item
            for item in value
        ]

    # Non-emptiness is checked after the elements (not with min_length) so that a list whose
    # elements are all invalid reports those elements, not a misleading "needs at least 1".
    @field_validator("levels", "domains", "items")
    @classmethod
    def _not_empty(cls, value: tuple[object, ...]) -> tuple[object, ...]:
        if not value:
            raise ValueError("needs at least one entry")
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> Instrument:
        issues = cross_reference_issues(
            [d.id for d in self.domains],
            list(self.scales),
            [(i.id, i.domain, i.scale if isinstance(i, RatingItem) else None) for i in self.items],
        )
        if issues:
            raise CrossReferenceError(issues)
        return self

    def items_in(self, domain_id: str) -> tuple[KeyedItem | RatingItem, ...]:
        """The items of one domain, in file order."""
        return tuple(i for i in self.items if i.domain == domain_id)

    def item_max(self, item: KeyedItem | RatingItem) -> float:
        """The most points an item can score."""
        if isinstance(item, KeyedItem):
            return item.points
        return float(self.scales[item.scale].max)

    def item_min(self, item: KeyedItem | RatingItem) -> float:
        """The fewest points an item can score (0 for keyed items, the scale minimum otherwise)."""
        if isinstance(item, KeyedItem):
            return 0.0
        return float(self.scales[item.scale].min)

    def domain_range(self, domain_id: str) -> tuple[float, float]:
        """(lowest, highest) possible domain total, used for percentages of the maximum."""
        items = self.items_in(domain_id)
        return (
            sum(self.item_min(i) for i in items),
            sum(self.item_max(i) for i in items),
        )


def cross_reference_issues(
    domain_ids: Sequence[str],
    scale_ids: Collection[str],
    items: Sequence[tuple[str, str, str | None]],
    *,
    check_empty_domains: bool = True,
) -> list[tuple[str | None, str]]:
    """Problems with how items, domains and scales refer to each other, as (item id, message).

    ``items`` holds ``(item id, domain id, scale id or None for keyed items)``. Used by
    :class:`Instrument` and by the loader, which also runs it on the raw file when some items
    failed validation, so that a trainer sees every problem in one pass.
    """
    issues: list[tuple[str | None, str]] = []
    repeated_domains = _repeated(list(domain_ids))
    if repeated_domains:
        issues.append((None, f"domain ids repeat: {sorted(repeated_domains)}"))
    item_ids = [item_id for item_id, _, _ in items]
    for repeated in sorted(_repeated(item_ids)):
        issues.append((repeated, f"item id '{repeated}' is used more than once"))
    by_casefold: dict[str, set[str]] = {}
    for item_id in item_ids:
        by_casefold.setdefault(item_id.casefold(), set()).add(item_id)
    for spellings in by_casefold.values():
        if len(spellings) > 1:
            # Spreadsheet headers and people do not reliably keep case apart.
            names = sorted(spellings)
            issues.append(
                (names[0], f"item ids {names} differ only in upper/lower case; rename one")
            )
    for item_id, domain, scale in items:
        if domain not in domain_ids:
            issues.append(
                (
                    item_id,
                    f"item '{item_id}' names domain '{domain}', which is not declared "
                    f"(declared domains: {', '.join(domain_ids)})",
                )
            )
        if scale is not None and scale not in scale_ids:
            declared = ", ".join(sorted(scale_ids)) or "none"
            issues.append(
                (
                    item_id,
                    f"item '{item_id}' names scale '{scale}', which is not declared "
                    f"(declared scales: {declared})",
                )
            )
    if check_empty_domains:
        used = {domain for _, domain, _ in items}
        empty = [d for d in domain_ids if d not in used]
        if empty:
            issues.append((None, f"domain(s) {empty} have no items"))
    return issues


def _repeated(values: list[str]) -> set[str]:
    seen: set[str] = set()
    return {v for v in values if v in seen or seen.add(v)}  # type: ignore[func-returns-value]
