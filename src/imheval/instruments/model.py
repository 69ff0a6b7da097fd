"""Instruments (questionnaires) as data: the validated model of an instrument file.

An instrument file (YAML) is read into an :class:`Instrument`. The model is immutable and fully
validated: every item belongs to a declared domain, every keyed item's key is one of its options,
every rating item names a declared scale. See docs/instruments.md for the file format.
"""

from __future__ import annotations

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

    @model_validator(mode="after")
    def _key_is_an_option(self) -> KeyedItem:
        unknown = [k for k in self.key if k not in self.options]
        if unknown:
            raise ValueError(
                f"key {unknown} is not among the options {sorted(self.options)}"
            )
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


class Instrument(_Frozen):
    """A versioned questionnaire: domains, rating scales and items, and the levels it fits."""

    format: Literal["imheval-instrument/1"]
    id: Identifier
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    language: str = "en-GB"
    levels: tuple[TrainingLevel, ...] = Field(min_length=1)
    domains: tuple[Domain, ...] = Field(min_length=1)
    scales: dict[str, RatingScale] = Field(default_factory=dict)
    items: tuple[Item, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_references(self) -> Instrument:
        domain_ids = [d.id for d in self.domains]
        if len(set(domain_ids)) != len(domain_ids):
            raise ValueError(f"domain ids repeat: {sorted(_repeated(domain_ids))}")
        item_ids = [i.id for i in self.items]
        if len(set(item_ids)) != len(item_ids):
            raise ValueError(f"item ids repeat: {sorted(_repeated(item_ids))}")
        for item in self.items:
            if item.domain not in domain_ids:
                raise ValueError(
                    f"item '{item.id}' names domain '{item.domain}', which is not declared"
                )
            if isinstance(item, RatingItem) and item.scale not in self.scales:
                raise ValueError(
                    f"item '{item.id}' names scale '{item.scale}', which is not declared"
                )
        empty = [d for d in domain_ids if not any(i.domain == d for i in self.items)]
        if empty:
            raise ValueError(f"domain(s) {empty} have no items")
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


def _repeated(values: list[str]) -> set[str]:
    seen: set[str] = set()
    return {v for v in values if v in seen or seen.add(v)}  # type: ignore[func-returns-value]
