"""Property: any valid imheval instrument written as a REDCap data dictionary (or instrument
ZIP) and read back is the same instrument (Hypothesis builds the instruments: ids with capitals,
hyphens and dots; option codes REDCap cannot hold; texts with HTML, entities, ``|``, commas and
line breaks; keys of several codes; points other than 1; reversed ratings; shared and separate
scales; open questions in a domain or none).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imheval.instruments import Instrument
from imheval.interop.model import SourceFile
from imheval.interop.redcap.dictionary import RESERVED_IDS, read_dictionary
from imheval.interop.redcap.export import write_dictionary, write_instrument_zip

_ID_START = "abcKQxyZ"
_ID_REST = "abcKQxyZ019_.-"
_TEXT = "abcXYZ é019 ,.;:!?&<>|'\"\n#()/-Ã©€—"
_CODE = "abcAB019 ,|.-_"


@st.composite
def identifiers(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from(_ID_START))
    rest = draw(st.text(alphabet=_ID_REST, max_size=10))
    return first + rest


def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(alphabet=_TEXT, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def unique(values: list[str]) -> bool:
    folded = [v.casefold() for v in values]
    return len(set(folded)) == len(folded)


@st.composite
def instruments(draw: st.DrawFn) -> Instrument:
    domain_ids = draw(st.lists(identifiers(), min_size=1, max_size=3, unique_by=str.casefold))
    scale_ids = draw(st.lists(identifiers(), min_size=1, max_size=3, unique_by=str.casefold))
    scales: dict[str, Any] = {}
    for scale_id in scale_ids:
        low = draw(st.integers(-2, 2))
        high = low + draw(st.integers(1, 6))
        points = list(range(low, high + 1))
        named = draw(st.lists(st.sampled_from(points), unique=True, max_size=len(points)))
        labels = {value: label for value in named if (label := draw(texts(20))) != str(value)}
        scales[scale_id] = {"min": low, "max": high, "labels": labels}
    count = draw(st.integers(len(domain_ids), len(domain_ids) + 6))
    opened = draw(st.integers(0, 2))
    item_ids = draw(
        st.lists(
            identifiers().filter(lambda i: i.casefold() not in RESERVED_IDS),
            min_size=count + opened,
            max_size=count + opened,
            unique_by=str.casefold,
        )
    )
    items: list[dict[str, Any]] = []
    for position in range(count):
        # The first items give every domain a scored question; the rest go anywhere.
        domain = (
            domain_ids[position]
            if position < len(domain_ids)
            else draw(st.sampled_from(domain_ids))
        )
        item_id = item_ids[position]
        if draw(st.booleans()):
            codes = draw(
                st.lists(
                    st.text(alphabet=_CODE, min_size=1, max_size=4).map(str.strip).filter(bool),
                    min_size=2,
                    max_size=4,
                    unique=True,
                )
            )
            key = draw(
                st.lists(st.sampled_from(codes), min_size=1, max_size=len(codes) - 1, unique=True)
            )
            items.append(
                {
                    "kind": "keyed",
                    "id": item_id,
                    "domain": domain,
                    "text": draw(texts()),
                    "options": {code: draw(texts(20)) for code in codes},
                    "key": key,
                    "points": draw(st.sampled_from([1.0, 2.0, 0.5, 1.25])),
                }
            )
        else:
            items.append(
                {
                    "kind": "rating",
                    "id": item_id,
                    "domain": domain,
                    "text": draw(texts()),
                    "scale": draw(st.sampled_from(scale_ids)),
                    "reverse": draw(st.booleans()),
                }
            )
    for item_id in item_ids[count:]:
        open_item: dict[str, Any] = {
            "kind": "open",
            "id": item_id,
            "text": draw(texts()),
            "max_length": draw(st.integers(1, 5000)),
        }
        if draw(st.booleans()):
            open_item["domain"] = draw(st.sampled_from(domain_ids))
        items.insert(draw(st.integers(0, len(items))), open_item)
    used = {item["scale"] for item in items if item["kind"] == "rating"}
    return Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": draw(identifiers()),
            "version": draw(texts(12)),
            "title": draw(texts()),
            "description": draw(st.one_of(st.just(""), texts())),
            "levels": ["beginner"],
            "domains": [
                {
                    "id": domain,
                    "label": draw(texts(20)),
                    "description": draw(st.one_of(st.just(""), texts())),
                    "kirkpatrick_level": draw(st.sampled_from([1, 2, 3, 4])),
                }
                for domain in domain_ids
            ],
            "scales": {name: scale for name, scale in scales.items() if name in used},
            "items": items,
        }
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instruments())
def test_any_instrument_round_trips_through_a_data_dictionary(instrument: Instrument) -> None:
    text = write_dictionary(instrument)
    imported = read_dictionary(SourceFile(name="written.csv", data=text.encode("utf-8")))
    assert imported.instrument == instrument
    assert imported.omissions == ()
    assert [a.item for a in imported.answers] == [q.id for q in instrument.questions]


@settings(max_examples=40, deadline=None)
@given(instruments())
def test_any_instrument_round_trips_through_an_instrument_zip(instrument: Instrument) -> None:
    imported = read_dictionary(
        SourceFile(name="written.zip", data=write_instrument_zip(instrument))
    )
    assert imported.instrument == instrument
