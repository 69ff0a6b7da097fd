"""Instruments (questionnaires) as data: the validated model of an instrument file.

An instrument file (YAML) is read into an :class:`Instrument`. The model is immutable and fully
validated: every item belongs to a declared domain, every keyed item's key is one of its options,
every rating item names a declared scale. Open questions (free text, :class:`OpenItem`) are kept
apart from the scored items: :attr:`Instrument.items` holds only keyed and rating items, so
scoring, reliability, item analysis and matching never meet one; :attr:`Instrument.questions`
holds every question in file order. See docs/instruments.md for the file format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from imheval.instruments.frameworks import FRAMEWORKS

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


class Jurisdiction(StrEnum):
    """Where an organisation works: services, numbers and guidance are named differently in each
    (health visitor or public health nurse; children's social care, Gateway or Tusla; 999 or
    112). An instrument's ``wording`` gives each term per jurisdiction."""

    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"
    IRELAND = "ireland"


#: The key of a term's wording used in a jurisdiction that has no wording of its own.
DEFAULT_WORDING = "default"

#: A term in an instrument's text, e.g. ``{health_visitor}``, replaced by its wording.
TERM = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Form(_Frozen):
    """A parallel form: its own items for the same domains, so that people can answer form A
    before training and form B after (or the opposite) without meeting a question twice."""

    id: Identifier
    label: str = ""


#: Barr's adaptation of Kirkpatrick's levels for interprofessional and health and social care
#: education (Barr, H. et al. (2005). *Effective interprofessional education*. Blackwell):
#: each tag and what it measures.
BARR_LEVELS: dict[str, str] = {
    "1": "reaction",
    "2a": "attitudes and perceptions",
    "2b": "knowledge and skills",
    "3a": "behaviour, self-reported",
    "3b": "behaviour, observed",
    "4a": "organisational practice",
    "4b": "benefit to clients (babies and families)",
}
BarrLevel = Literal["1", "2a", "2b", "3a", "3b", "4a", "4b"]


class Domain(_Frozen):
    """A scored domain, e.g. knowledge, risk identification or self-efficacy.

    ``kirkpatrick_level`` places the domain in Kirkpatrick's model (1 reaction, 2 learning,
    3 behaviour, 4 results); knowledge, risk identification and self-efficacy are level 2.
    ``barr_level`` refines it with Barr's adaptation for health and social care education
    (:data:`BARR_LEVELS`: 2a attitudes, 2b knowledge and skills, 3a self-reported and 3b
    observed behaviour, 4a organisational practice, 4b benefit to clients); when given, its
    number must be the Kirkpatrick level's (a domain tagged "3a" only, with no Kirkpatrick
    level, is placed at level 3).
    """

    id: Identifier
    label: str = Field(min_length=1)
    description: str = ""
    kirkpatrick_level: Literal[1, 2, 3, 4] = 2
    barr_level: BarrLevel | None = None

    @model_validator(mode="before")
    @classmethod
    def _level_from_barr(cls, data: object) -> object:
        if isinstance(data, dict) and "kirkpatrick_level" not in data:
            barr = data.get("barr_level")
            if isinstance(barr, str) and barr[:1] in ("1", "2", "3", "4"):
                return {**data, "kirkpatrick_level": int(barr[:1])}
        return data

    @model_validator(mode="after")
    def _levels_agree(self) -> Domain:
        if self.barr_level is not None and int(self.barr_level[0]) != self.kirkpatrick_level:
            raise ValueError(
                f"barr_level {self.barr_level!r} is a level {self.barr_level[0]} tag, but "
                f"kirkpatrick_level is {self.kirkpatrick_level}: give the same level in both, "
                "or only barr_level"
            )
        return self


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
    #: The misconception each wrong option targets, by option code: shown to evaluators beside
    #: the item analysis (which wrong answer people chose, and what that says), never to
    #: participants.
    misconceptions: dict[str, str] = Field(default_factory=dict)
    form: Identifier | None = None
    competencies: tuple[Identifier, ...] = ()
    evidence: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _no_retrospective(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("retrospective"):
            raise ValueError(
                "retrospective: a question with a right answer cannot be asked 'thinking back "
                "to before the training': people would be recalling what they did not know, "
                "and after training they know the answer, so the 'then' answer measures memory "
                "and hindsight, not knowledge. Ask it on the pre-test instead; the "
                "retrospective pre-test is for rating items (confidence, attitudes)"
            )
        return data

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
        explained = [code for code in self.misconceptions if code not in self.options]
        if explained:
            raise ValueError(
                f"misconceptions name {explained}, which are not among the options "
                f"{sorted(self.options)}"
            )
        keyed = [code for code in self.misconceptions if code in self.key]
        if keyed:
            raise ValueError(
                f"misconceptions name {keyed}, which the key marks correct; a misconception "
                "belongs to a wrong option"
            )
        return self

    @field_validator("misconceptions", mode="before")
    @classmethod
    def _misconception_codes_as_text(cls, value: object) -> object:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        return value

    @property
    def max_points(self) -> float:
        return self.points

    @property
    def min_points(self) -> float:
        return 0.0


class RatingItem(_Frozen):
    """A rating item scored on a named scale; ``reverse`` items score ``min + max - answer``.

    A ``retrospective`` item is asked twice on the post-test form: "thinking back to before the
    training" (then) and "now". The then answer sits in the column ``<id>@then`` of the post-test
    row (docs/data-format.md); the analysis compares then with now, and with the real pre-test
    where there is one (the response shift): :mod:`imheval.evaluation.retrospective`.
    """

    kind: Literal["rating"] = "rating"
    id: Identifier
    domain: Identifier
    text: str = Field(min_length=1)
    concept: str = ""
    scale: Identifier
    reverse: bool = False
    retrospective: bool = False
    form: Identifier | None = None
    competencies: tuple[Identifier, ...] = ()
    evidence: tuple[str, ...] = ()


#: The longest answer an open question accepts unless its file says otherwise.
DEFAULT_OPEN_MAX_LENGTH = 1000
#: The longest ``max_length`` an open question may set (a page of text).
MAX_OPEN_MAX_LENGTH = 5000


class OpenItem(_Frozen):
    """An open question: the participant writes an answer in their own words.

    Never scored and never required. Its ``domain`` (optional) only places it on that domain's
    page; without one it is asked after the instrument's scored questions. Answers are kept as
    text (at most ``max_length`` characters) and may be coded in a qualitative study.
    """

    kind: Literal["open"]
    id: Identifier
    domain: Identifier | None = None
    text: str = Field(min_length=1)
    max_length: int = Field(default=DEFAULT_OPEN_MAX_LENGTH, gt=0, le=MAX_OPEN_MAX_LENGTH)
    form: Identifier | None = None


ScoredItem = KeyedItem | RatingItem
Item = Annotated[KeyedItem | RatingItem, Field(discriminator="kind")]
Question = Annotated[KeyedItem | RatingItem | OpenItem, Field(discriminator="kind")]


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
    """A versioned questionnaire: domains, rating scales and items, and the levels it fits.

    The file's ``items`` list is :attr:`questions` (every question, open ones too, in file
    order); :attr:`items` is the scored ones (keyed and rating), which is what every
    calculation reads.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, populate_by_name=True
    )

    format: Literal["imheval-instrument/1"]
    id: Identifier
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    language: str = "en-GB"
    levels: tuple[TrainingLevel, ...]
    domains: tuple[Domain, ...]
    scales: dict[str, RatingScale] = Field(default_factory=dict)
    #: Parallel forms; an item with no ``form`` is in every form (empty: one form, all items).
    forms: tuple[Form, ...] = ()
    #: The competency framework the items' ``competencies`` name (see ``frameworks``).
    framework: str = ""
    #: Terms written ``{term}`` in the text, each with its words ``default`` and per
    #: jurisdiction, e.g. ``health_visitor: {default: health visitor, ireland: public health
    #: nurse}``.
    wording: dict[str, dict[str, str]] = Field(default_factory=dict)
    questions: tuple[Question, ...] = Field(alias="items")

    @property
    def items(self) -> tuple[KeyedItem | RatingItem, ...]:
        """The scored items (keyed and rating) in file order; open questions are left out."""
        return tuple(q for q in self.questions if not isinstance(q, OpenItem))

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Instrument:
        """A copy with ``update`` applied; ``items`` there, as in the file, sets every question
        (callers written before open questions keep working)."""
        if update is not None and "items" in update:
            update = {("questions" if k == "items" else k): v for k, v in update.items()}
        return super().model_copy(update=update, deep=deep)

    @property
    def open_items(self) -> tuple[OpenItem, ...]:
        """The open (free-text) questions in file order."""
        return tuple(q for q in self.questions if isinstance(q, OpenItem))

    @field_validator("questions", mode="before")
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
    @field_validator("levels", "domains", "questions")
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
            open_items=[(i.id, i.domain) for i in self.open_items],
        )
        issues += form_issues(self) + framework_issues(self) + wording_issues(self)
        if issues:
            raise CrossReferenceError(issues)
        return self

    @property
    def form_ids(self) -> tuple[str, ...]:
        """The ids of the parallel forms, in file order (empty for an instrument of one form)."""
        return tuple(form.id for form in self.forms)

    def items_in(
        self, domain_id: str, form: str | None = None
    ) -> tuple[KeyedItem | RatingItem, ...]:
        """The items of one domain, in file order; with ``form``, those that form asks (its
        own and the items common to every form)."""
        return tuple(
            i
            for i in self.items
            if i.domain == domain_id and (form is None or i.form is None or i.form == form)
        )

    def form_items(self, form: str) -> tuple[KeyedItem | RatingItem, ...]:
        """Every scored item that ``form`` asks, in file order."""
        return tuple(i for i in self.items if i.form is None or i.form == form)

    def form_questions(self, form: str | None) -> tuple[KeyedItem | RatingItem | OpenItem, ...]:
        """Every question (open ones too) that ``form`` asks, in file order (all for None)."""
        return tuple(q for q in self.questions if form is None or q.form is None or q.form == form)

    def on_form(self, form: str) -> Instrument:
        """The instrument cut down to what ``form`` asks: its questions and the common ones,
        and only that form among ``forms``."""
        return self.model_copy(
            update={
                "questions": self.form_questions(form),
                "forms": tuple(f for f in self.forms if f.id == form),
            }
        )

    def in_jurisdiction(self, jurisdiction: Jurisdiction | str) -> Instrument:
        """The instrument as participants in ``jurisdiction`` read it: every ``{term}`` in its
        title, description, domains, scale labels, questions and options replaced by the term's
        wording there (its ``default`` where it has none). Ids, codes and keys are unchanged,
        so answers score the same everywhere."""
        if not self.wording:
            return self
        place = Jurisdiction(jurisdiction).value
        words = {
            term: texts.get(place, texts[DEFAULT_WORDING]) for term, texts in self.wording.items()
        }

        def say(text: str) -> str:
            return TERM.sub(lambda match: words[match.group(1)], text)

        return self.model_copy(
            update={
                "title": say(self.title),
                "description": say(self.description),
                "domains": tuple(
                    d.model_copy(update={"label": say(d.label), "description": say(d.description)})
                    for d in self.domains
                ),
                "scales": {
                    name: s.model_copy(update={"labels": {k: say(v) for k, v in s.labels.items()}})
                    for name, s in self.scales.items()
                },
                "questions": tuple(_item_in(item, say) for item in self.questions),
            }
        )

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

    def domain_range(self, domain_id: str, form: str | None = None) -> tuple[float, float]:
        """(lowest, highest) possible domain total, used for percentages of the maximum; with
        ``form``, on that form's items."""
        items = self.items_in(domain_id, form)
        return (
            sum(self.item_min(i) for i in items),
            sum(self.item_max(i) for i in items),
        )


def _item_in(
    item: KeyedItem | RatingItem | OpenItem, say: Callable[[str], str]
) -> KeyedItem | RatingItem | OpenItem:
    if isinstance(item, KeyedItem):
        options = {code: say(text) for code, text in item.options.items()}
        return item.model_copy(update={"text": say(item.text), "options": options})
    return item.model_copy(update={"text": say(item.text)})


def form_issues(instrument: Instrument) -> list[tuple[str | None, str]]:
    """Problems with parallel forms: undeclared or repeated forms, and a domain that one form
    asks nothing of while another does."""
    issues: list[tuple[str | None, str]] = []
    declared = instrument.form_ids
    for repeated in sorted(_repeated(list(declared))):
        issues.append((None, f"form '{repeated}' is declared more than once"))
    for item in instrument.questions:
        if item.form is not None and item.form not in declared:
            known = ", ".join(declared) or "none"
            issues.append(
                (
                    item.id,
                    f"item '{item.id}' names form '{item.form}', which is not declared "
                    f"(declared forms: {known})",
                )
            )
    if len(declared) == 1:
        issues.append((None, "only one form is declared; parallel forms need two or more"))
    for domain in instrument.domains:
        own = {i.form for i in instrument.items_in(domain.id) if i.form is not None}
        if own:
            missing = [form for form in declared if form not in own]
            if missing:
                issues.append(
                    (
                        None,
                        f"domain '{domain.id}' has items of its own in some forms but none in "
                        f"form(s) {missing}; give every form its own items, or none",
                    )
                )
    return issues


def framework_issues(instrument: Instrument) -> list[tuple[str | None, str]]:
    """Problems with competencies: a framework that is not known, or a competency domain that is
    not in it."""
    issues: list[tuple[str | None, str]] = []
    mapped = [item for item in instrument.items if item.competencies]
    if not instrument.framework:
        if mapped:
            issues.append(
                (
                    mapped[0].id,
                    "items name competencies but the instrument names no framework; "
                    f"add 'framework:' (one of: {', '.join(FRAMEWORKS)})",
                )
            )
        return issues
    framework = FRAMEWORKS.get(instrument.framework)
    if framework is None:
        return [
            (
                None,
                f"framework '{instrument.framework}' is not known; use one of: "
                f"{', '.join(FRAMEWORKS)}",
            )
        ]
    known = framework.domain_ids
    for item in mapped:
        unknown = [c for c in item.competencies if c not in known]
        if unknown:
            issues.append(
                (
                    item.id,
                    f"item '{item.id}' names competencies {unknown}, which are not domains "
                    f"of {framework.id} ({', '.join(known)})",
                )
            )
    return issues


def wording_issues(instrument: Instrument) -> list[tuple[str | None, str]]:
    """Problems with jurisdiction wording: a ``{term}`` used but not declared, a term without
    its default words, or words for a place that is not a jurisdiction."""
    issues: list[tuple[str | None, str]] = []
    places = {DEFAULT_WORDING, *(j.value for j in Jurisdiction)}
    for term, texts in instrument.wording.items():
        if not TERM.fullmatch("{" + term + "}"):
            issues.append(
                (
                    None,
                    f"wording term '{term}' must be lower case letters, digits "
                    "and '_', starting with a letter",
                )
            )
        if DEFAULT_WORDING not in texts:
            issues.append((None, f"wording term '{term}' has no '{DEFAULT_WORDING}' words"))
        unknown = sorted(set(texts) - places)
        if unknown:
            issues.append(
                (
                    None,
                    f"wording term '{term}' names {unknown}, which are not "
                    f"jurisdictions ({', '.join(sorted(places))})",
                )
            )
    for owner, text in _texts(instrument):
        for term in TERM.findall(text):
            if term not in instrument.wording:
                issues.append((owner, f"'{{{term}}}' is used but not declared under 'wording'"))
    return issues


def _texts(instrument: Instrument) -> Iterator[tuple[str | None, str]]:
    """Every text a participant reads, with the item it belongs to (None for the instrument)."""
    yield None, instrument.title
    yield None, instrument.description
    for domain in instrument.domains:
        yield None, domain.label
        yield None, domain.description
    for scale in instrument.scales.values():
        for label in scale.labels.values():
            yield None, label
    for item in instrument.questions:
        yield item.id, item.text
        if isinstance(item, KeyedItem):
            for option in item.options.values():
                yield item.id, option


def cross_reference_issues(
    domain_ids: Sequence[str],
    scale_ids: Collection[str],
    items: Sequence[tuple[str, str, str | None]],
    *,
    check_empty_domains: bool = True,
    open_items: Sequence[tuple[str, str | None]] = (),
) -> list[tuple[str | None, str]]:
    """Problems with how items, domains and scales refer to each other, as (item id, message).

    ``items`` holds ``(item id, domain id, scale id or None for keyed items)`` for the scored
    items, ``open_items`` ``(item id, domain id or None)`` for open questions: ids are unique
    across both, and a domain named must be declared, but a domain asked only open questions
    still counts as having no items (nothing would score it). Used by
    :class:`Instrument` and by the loader, which also runs it on the raw file when some items
    failed validation, so that a trainer sees every problem in one pass.
    """
    issues: list[tuple[str | None, str]] = []
    repeated_domains = _repeated(list(domain_ids))
    if repeated_domains:
        issues.append((None, f"domain ids repeat: {sorted(repeated_domains)}"))
    item_ids = [item_id for item_id, _, _ in items] + [item_id for item_id, _ in open_items]
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
    placed = [(item_id, domain, None) for item_id, domain in open_items if domain is not None]
    for item_id, domain, scale in [*items, *placed]:
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
        open_only = {domain for _, domain in open_items if domain not in used}
        empty = [d for d in domain_ids if d not in used and d not in open_only]
        if empty:
            issues.append((None, f"domain(s) {empty} have no items"))
        unscored = [d for d in domain_ids if d in open_only]
        if unscored:
            issues.append(
                (
                    None,
                    f"domain(s) {unscored} have only open questions, which are not scored; "
                    "give each a keyed or rating item, or leave the open questions' domain out",
                )
            )
    return issues


def _repeated(values: list[str]) -> set[str]:
    seen: set[str] = set()
    return {v for v in values if v in seen or seen.add(v)}  # type: ignore[func-returns-value]
