"""Item-writing advice: cues that let test-wise readers answer without the knowledge measured.

A valid instrument can still be answerable by test-wiseness: drop the options that say
"always" or "never", pick the longest option, follow the pattern of key positions. Such items
give high scores before training, so a pre/post evaluation finds no change. This module checks
an instrument for those cues and returns :class:`Advice`, which never makes an instrument
invalid: ``imheval instruments validate`` prints it as warnings (``--strict`` fails on it) and
the browser editor lists it after Check and Save. The rules, why each matters and its threshold
are in docs/instruments.md, "Item-writing advice".

Rules (``Advice.rule``):

- ``absolute-in-distractor``: a wrong option says an absolute (:data:`ABSOLUTES`) that the key
  does not say.
- ``key-position-balance``: within a domain (per form), one option position is keyed in more
  items than its share + 1.
- ``key-position-run``: four or more items in a row keyed at the same position.
- ``key-position-cycle``: the key positions cycle through a pattern of four.
- ``key-longest``: the key is the unique longest option in more than a quarter of the keyed
  items (of three or more options) of a domain.
- ``shared-stem``: two keyed items start with the same eight words.
- ``shared-key``: two keyed items, with different options, have the same key phrase.
- ``reading-grade``: an item's text and options read above :data:`MAX_READING_GRADE`
  (Flesch-Kincaid grade level).

Rules about a domain run per form where the domain has items of its own in each form, since
people answer one form; ``shared-stem`` and ``shared-key`` run across the whole instrument,
forms included, because parallel forms must not repeat a question or its answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from imheval.instruments.model import DEFAULT_WORDING, TERM, Instrument, KeyedItem

#: Words that make an option easy to rule out (or, when only the key says them, to pick).
ABSOLUTES: Final = (
    "only",
    "always",
    "never",
    "certain",
    "entirely",
    "all",
    "every",
    "must",
    "none",
)

#: The highest Flesch-Kincaid grade an item (text and options) should read at. Grade 10 is a
#: reading age of about 15 to 16 (GCSE): the readers are practitioners, and a vignette names
#: services and roles ("safeguarding", "perinatal mental health team") that no rewording
#: shortens, but a question harder to read than that measures reading, not infant mental
#: health. The 1.0.0 bank's questions read at grades 3.0 to 9.9.
MAX_READING_GRADE: Final = 10.0

#: How many first words two stems share before they count as the same stem.
STEM_WORDS: Final = 8

#: Positions are named by order ("the 2nd option"), since codes differ between items.
_ORDINALS: Final = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th")

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
_ABSOLUTE = re.compile(r"\b(" + "|".join(ABSOLUTES) + r")\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Advice:
    """One piece of item-writing advice: ``item`` is the id of the question it is about (None
    for the whole instrument), ``rule`` a short id such as ``absolute-in-distractor``, and
    ``message`` what was found and why it matters, in plain words."""

    item: str | None
    rule: str
    message: str


def lint_instrument(instrument: Instrument) -> list[Advice]:
    """Every piece of item-writing advice for ``instrument``, in the order of its items (advice
    about the whole instrument last). Never raises for a valid instrument."""
    instrument = _in_default_words(instrument)
    keyed = [item for item in instrument.items if isinstance(item, KeyedItem)]
    advice: list[Advice] = []
    for item in keyed:
        advice += _absolutes(item)
    for label, items in _groups(instrument):
        advice += _key_positions(label, items)
        advice += _longest_keys(label, items)
    advice += _shared_stems(keyed)
    advice += _shared_keys(keyed)
    for item in keyed:
        advice += _reading(item)
    order = {item.id: index for index, item in enumerate(instrument.items)}
    return sorted(advice, key=lambda a: order.get(a.item or "", len(order)))


def _in_default_words(instrument: Instrument) -> Instrument:
    """The instrument with every ``{term}`` in its items replaced by the term's default words,
    so that advice reads what most participants read."""
    if not instrument.wording:
        return instrument
    words = {term: texts[DEFAULT_WORDING] for term, texts in instrument.wording.items()}

    def say(text: str) -> str:
        return TERM.sub(lambda match: words[match.group(1)], text)

    items = [
        item.model_copy(
            update={"text": say(item.text), "options": {c: say(t) for c, t in item.options.items()}}
        )
        if isinstance(item, KeyedItem)
        else item
        for item in instrument.questions
    ]
    return instrument.model_copy(update={"questions": tuple(items)})


# --- absolutes --------------------------------------------------------------------------------


def absolutes_in(text: str) -> set[str]:
    """The absolutes (:data:`ABSOLUTES`) that ``text`` says, as whole words in lower case."""
    return {match.lower() for match in _ABSOLUTE.findall(text)}


def _absolutes(item: KeyedItem) -> list[Advice]:
    key_words = set().union(*(absolutes_in(item.options[code]) for code in item.key))
    wrong = [code for code in item.options if code not in item.key]
    telling = {code: absolutes_in(item.options[code]) - key_words for code in wrong}
    if not any(telling.values()):
        return []
    if all(telling.values()):
        said = sorted(set().union(*telling.values()), key=ABSOLUTES.index)
        keys = _codes(list(item.key))
        only = "is the only one" if len(item.key) == 1 else "are the only ones"
        return [
            Advice(
                item.id,
                "absolute-in-distractor",
                f"option{_s(item.key)} {keys} {only} without {_quoted(said)}; test-wise readers "
                "will find it",
            )
        ]
    advice = []
    for word in ABSOLUTES:
        saying = [code for code in wrong if word in telling[code]]
        if saying:
            verb = "says" if len(saying) == 1 else "say"
            advice.append(
                Advice(
                    item.id,
                    "absolute-in-distractor",
                    f"option{_s(saying)} {_codes(saying)} {verb} '{word}'; the key does not, so "
                    "test-wise readers rule "
                    f"{'it' if len(saying) == 1 else 'them'} out",
                )
            )
    return advice


# --- key positions ----------------------------------------------------------------------------


def _groups(instrument: Instrument) -> Iterator[tuple[str, list[KeyedItem]]]:
    """The keyed items people answer together: each domain's, per form where the domain has
    items of its own in each form."""
    for domain in instrument.domains:
        items = [i for i in instrument.items_in(domain.id) if isinstance(i, KeyedItem)]
        if not items:
            continue
        if any(i.form is not None for i in items):
            for form in instrument.form_ids:
                in_form = [i for i in items if i.form is None or i.form == form]
                yield f"form {form}'s {domain.id} items", in_form
        else:
            yield f"the {domain.id} items", items


def key_position(item: KeyedItem) -> int:
    """Where the (first) keyed option stands among the options, from 0."""
    return list(item.options).index(item.key[0])


def _key_positions(label: str, items: Sequence[KeyedItem]) -> list[Advice]:
    positions = [key_position(item) for item in items]
    advice = []
    counts = Counter(positions)
    for position in sorted(counts):
        # Each item gives every one of its positions an equal share of its key.
        share = sum(1 / len(i.options) for i in items if position < len(i.options))
        if counts[position] > share + 1:
            first = next(i for i, p in zip(items, positions, strict=True) if p == position)
            advice.append(
                Advice(
                    first.id,
                    "key-position-balance",
                    f"in {label}, the key is the {_ordinal(position)} option in "
                    f"{counts[position]} of {len(items)} questions, more than its share "
                    f"({share:.1f}) + 1; move some keys to other positions",
                )
            )
    run = _run(positions)
    if run is not None:
        start, length = run
        advice.append(
            Advice(
                items[start].id,
                "key-position-run",
                f"in {label}, the key is the {_ordinal(positions[start])} option in {length} "
                f"questions in a row ({_ids(items[start : start + length])}); test-wise "
                "readers notice runs",
            )
        )
    cycle = _cycle(positions)
    if cycle is not None:
        start, length = cycle
        pattern = ", ".join(_ordinal(p) for p in positions[start : start + 4])
        advice.append(
            Advice(
                items[start].id,
                "key-position-cycle",
                f"in {label}, the key positions repeat the pattern {pattern} over {length} "
                f"questions ({_ids(items[start : start + length])}); test-wise readers notice "
                "cycles",
            )
        )
    return advice


def _run(positions: Sequence[int], length: int = 4) -> tuple[int, int] | None:
    """(start, length) of the first run of at least ``length`` equal positions."""
    start = 0
    for end in range(1, len(positions) + 1):
        if end == len(positions) or positions[end] != positions[start]:
            if end - start >= length:
                return start, end - start
            start = end
    return None


def _cycle(positions: Sequence[int]) -> tuple[int, int] | None:
    """(start, length) of the first stretch whose positions repeat with period four: at least
    six items when the first four positions all differ (b c a d b c), else eight (a b a c a b a
    c). Four equal positions are a run, not a cycle."""
    for start in range(len(positions) - 5):
        end = start + 4
        while end < len(positions) and positions[end] == positions[end - 4]:
            end += 1
        pattern = positions[start : start + 4]
        needed = 6 if len(set(pattern)) == 4 else 8
        if end - start >= needed and len(set(pattern)) > 1:
            return start, end - start
    return None


# --- the longest option -----------------------------------------------------------------------


def key_is_longest(item: KeyedItem) -> bool:
    """Whether a keyed option is longer (in characters) than every other option."""
    lengths = sorted((len(text), code) for code, text in item.options.items())
    longest, code = lengths[-1]
    return code in item.key and lengths[-2][0] < longest


def _longest_keys(label: str, items: Sequence[KeyedItem]) -> list[Advice]:
    # With two options one is always the longer, so only items of three or more count.
    counted = [item for item in items if len(item.options) >= 3]
    longest = [item for item in counted if key_is_longest(item)]
    if not longest or len(longest) * 4 <= len(counted):
        return []
    return [
        Advice(
            longest[0].id,
            "key-longest",
            f"in {label}, the key is the longest option in {len(longest)} of {len(counted)} "
            f"questions ({_ids(longest)}), more than a quarter; test-wise readers pick the "
            "longest option, so lengthen some wrong options or shorten some keys",
        )
    ]


# --- shared stems and key phrases -------------------------------------------------------------


def _normal(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _WORD.findall(text))


def _shared_stems(items: Sequence[KeyedItem]) -> list[Advice]:
    advice = []
    first_with: dict[tuple[str, ...], KeyedItem] = {}
    for item in items:
        stem = _normal(item.text)[:STEM_WORDS]
        earlier = first_with.setdefault(stem, item)
        if earlier is not item:
            advice.append(
                Advice(
                    item.id,
                    "shared-stem",
                    f"question {item.id} starts with the same {min(STEM_WORDS, len(stem))} "
                    f"words as {earlier.id} ('{' '.join(stem)}'); a reader who met one "
                    "recognises the other, so start it differently",
                )
            )
    return advice


def _shared_keys(items: Sequence[KeyedItem]) -> list[Advice]:
    advice = []
    first_with: dict[tuple[str, ...], KeyedItem] = {}
    for item in items:
        for code in item.key:
            phrase = _normal(item.options[code])
            earlier = first_with.setdefault(phrase, item)
            # Items with the same options (yes / no, or four levels of action) share a
            # response scale, not a remembered answer.
            if earlier is not item and _normal_options(earlier) != _normal_options(item):
                advice.append(
                    Advice(
                        item.id,
                        "shared-key",
                        f"the key of question {item.id} ('{item.options[code]}') is also the "
                        f"key of {earlier.id}; a reader who met one knows the other's answer",
                    )
                )
    return advice


def _normal_options(item: KeyedItem) -> set[tuple[str, ...]]:
    return {_normal(text) for text in item.options.values()}


# --- reading grade ----------------------------------------------------------------------------


def syllables(word: str) -> int:
    """Syllables in one word, by a heuristic: groups of vowels (a, e, i, o, u, y), less a
    silent final "e" (make, mouse; not "-le" as in table, nor "ee" or "ye") and a final "-es"
    or "-ed" that adds no sound (makes, walked; not washes, wanted). At least one; a number
    counts as one. It is right for most everyday words and off by one for some (every: 3,
    said as 2), which moves a grade by a fraction."""
    letters = re.sub(r"[^a-z]", "", word.lower())
    if not letters:
        return 1
    count = len(re.findall(r"[aeiouy]+", letters))
    silent_end = (
        (letters.endswith("e") and not letters.endswith(("le", "ee", "ye")))
        or (letters.endswith("es") and not re.search(r"(?:[sxzcg]|[cs]h|[aeiouy])es$", letters))
        or (letters.endswith("ed") and not re.search(r"(?:[td]|[aeiouy])ed$", letters))
    )
    if count > 1 and silent_end:
        count -= 1
    return max(count, 1)


def words_of(text: str) -> list[str]:
    """The words of ``text``: runs of letters or digits, with apostrophes inside (don't)."""
    return _WORD.findall(text)


def reading_grade(sentences: Sequence[str]) -> float:
    """The Flesch-Kincaid grade level of ``sentences`` (each may hold several; "." "!" and "?"
    end one):

        0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59

    Kincaid, Fishburne, Rogers and Chissom (1975). Syllables by :func:`syllables`. Text without
    words is grade 0.

    >>> round(reading_grade(["The cat sat on the mat."]), 2)
    -1.45
    """
    words = [word for sentence in sentences for word in words_of(sentence)]
    if not words:
        return 0.0
    count = sum(max(len(_SENTENCE_END.findall(s.strip())), 1) for s in sentences if words_of(s))
    per_sentence = len(words) / count
    per_word = sum(syllables(word) for word in words) / len(words)
    return 0.39 * per_sentence + 11.8 * per_word - 15.59


def item_reading_grade(item: KeyedItem) -> float:
    """The reading grade of a question and its options, each option read as a sentence."""
    return reading_grade([item.text, *item.options.values()])


def _reading(item: KeyedItem) -> list[Advice]:
    grade = item_reading_grade(item)
    if grade <= MAX_READING_GRADE:
        return []
    return [
        Advice(
            item.id,
            "reading-grade",
            f"question {item.id} and its options read at grade {grade:.1f} (Flesch-Kincaid), "
            f"above {MAX_READING_GRADE:g}; shorter sentences and shorter words make it measure "
            "infant mental health rather than reading",
        )
    ]


# --- wording ----------------------------------------------------------------------------------


def _ordinal(position: int) -> str:
    return _ORDINALS[position] if position < len(_ORDINALS) else f"{position + 1}th"


def _codes(codes: Sequence[str]) -> str:
    if len(codes) == 1:
        return codes[0]
    return ", ".join(codes[:-1]) + " and " + codes[-1]


def _s(values: Sequence[object]) -> str:
    return "" if len(values) == 1 else "s"


def _quoted(words: Sequence[str]) -> str:
    quoted = [f"'{word}'" for word in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _ids(items: Sequence[KeyedItem]) -> str:
    return _codes([item.id for item in items])
