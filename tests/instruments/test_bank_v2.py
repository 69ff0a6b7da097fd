"""imh-core 2.0.0 (issue 13): parallel forms A and B, four-level risk vignettes, Bandura-style
self-efficacy, jurisdiction wording, competencies, evidence and misconceptions, and the
item-writing rules that keep test-wise guessing from scoring (no absolutes only in distractors,
balanced key positions, the key seldom the longest option, no shared stems across forms).

The rules are written out here on purpose, plainly; a general linter (instruments/lint.py) is
to carry them for every instrument."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from imheval.instruments import get_builtin, load_instrument_text
from imheval.instruments.frameworks import AIMH_UK
from imheval.instruments.lint import lint_instrument
from imheval.instruments.model import Instrument, Jurisdiction, KeyedItem, RatingItem
from imheval.instruments.writer import instrument_to_yaml

REF = "imh-core@2.0.0"
FORMS = ("A", "B")
KEYED_DOMAINS = ("knowledge", "risk_identification")
LEVELS = ("No concern:", "Monitor and review:", "Discuss or refer:", "Act today:")
NO_REFERRAL = LEVELS[:2]
ABSOLUTE = re.compile(r"\b(only|always|never|certain|entirely|all|every|must|none)\b", re.I)


@pytest.fixture(scope="module")
def core() -> Instrument:
    return get_builtin(REF)


def keyed(instrument: Instrument, domain: str, form: str) -> list[KeyedItem]:
    items = instrument.items_in(domain, form)
    assert all(isinstance(i, KeyedItem) for i in items)
    return [i for i in items if isinstance(i, KeyedItem)]


def key_text(item: KeyedItem) -> str:
    return item.options[item.key[0]]


def level(text: str) -> str:
    return next(label for label in LEVELS if text.startswith(label))


def stem(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9'-]+", text.lower())[:8])


def test_version_2_is_current_and_says_it_is_not_validated(core: Instrument):
    assert (core.id, core.version) == ("imh-core", "2.0.0")
    assert get_builtin("imh-core") == core
    assert get_builtin("imh-core@1.0.0").version == "1.0.0"  # kept for re-scoring old data
    assert core.form_ids == FORMS
    assert core.framework == AIMH_UK.id
    assert [d.id for d in core.domains] == ["knowledge", "risk_identification", "self_efficacy"]
    for phrase in ("written for imheval", "not been validated", "reliability", "test-retest"):
        assert phrase in core.description


def test_each_form_has_its_own_13_knowledge_and_15_risk_items_and_shares_the_ratings(
    core: Instrument,
):
    for form in FORMS:
        assert len(keyed(core, "knowledge", form)) == 13
        assert len(keyed(core, "risk_identification", form)) == 15
        assert all(i.form == form for d in KEYED_DOMAINS for i in keyed(core, d, form))
        assert core.domain_range("knowledge", form) == (0.0, 13.0)
        assert core.domain_range("risk_identification", form) == (0.0, 15.0)
    ids_a = {i.id for i in core.form_items("A")}
    ids_b = {i.id for i in core.form_items("B")}
    assert {i.id for i in core.items_in("self_efficacy")} == ids_a & ids_b
    assert len(ids_a & ids_b) == 10


def test_no_item_id_of_version_1_is_reused_for_a_different_question(core: Instrument):
    old = get_builtin("imh-core@1.0.0")
    assert old.version == "1.0.0"
    assert not {i.id for i in old.items} & {i.id for i in core.items}


def test_every_risk_item_offers_the_four_levels_of_response_in_order(core: Instrument):
    for form in FORMS:
        for item in keyed(core, "risk_identification", form):
            assert list(item.options) == ["a", "b", "c", "d"], item.id
            levels = [level(text) for text in item.options.values()]
            # from no concern up to act today, or from act today down: never shuffled
            assert levels in (list(LEVELS), list(reversed(LEVELS))), item.id


def test_each_form_has_four_vignettes_whose_right_answer_is_no_referral(core: Instrument):
    for form in FORMS:
        items = keyed(core, "risk_identification", form)
        keyed_levels = Counter(level(key_text(i)) for i in items)
        assert keyed_levels[NO_REFERRAL[0]] + keyed_levels[NO_REFERRAL[1]] == 4
        assert keyed_levels == {
            "No concern:": 2,
            "Monitor and review:": 2,
            "Discuss or refer:": 6,
            "Act today:": 5,
        }


def test_each_form_covers_the_content_the_review_found_missing(core: Instrument):
    topics = {
        "substance misuse": ("methadone", "alcohol", "intoxicated"),
        "faltering growth and neglect": ("faltering_growth",),
        "disorganised attachment": ("disorganised", "freezing", "head_averted"),
        "an unseen male carer": ("unseen_",),
        "a baby who was not brought": ("was_not_brought",),
        "a bruise on a non-mobile baby": ("bruise_non_mobile",),
        "passive suicidal thoughts": ("passive_suicidal",),
        "the antenatal relationship": ("antenatal",),
        "reflective supervision": ("reflective_supervision",),
    }
    for form in FORMS:
        concepts = [i.concept for i in core.form_items(form) if i.form == form]
        for topic, fragments in topics.items():
            assert any(f in c for c in concepts for f in fragments), (form, topic)


def test_a_bruised_non_mobile_baby_and_passive_suicidal_thoughts_are_acted_on_today(
    core: Instrument,
):
    for form in FORMS:
        items = {i.concept: i for i in keyed(core, "risk_identification", form)}
        bruise = next(i for c, i in items.items() if c.startswith("bruise_non_mobile"))
        # the parent's account is consistent: the baby still needs assessment the same day
        assert level(key_text(bruise)) == "Act today:"
        assert "paediatric" in key_text(bruise)
        thoughts = next(i for c, i in items.items() if c.startswith("passive_suicidal"))
        assert level(key_text(thoughts)) == "Act today:"
        assert "directly" in key_text(thoughts)


def test_every_wrong_option_names_the_misconception_it_targets(core: Instrument):
    for item in core.items:
        if isinstance(item, KeyedItem):
            assert set(item.misconceptions) == set(item.options) - set(item.key), item.id
            assert all(len(m.split()) >= 3 for m in item.misconceptions.values()), item.id


def test_every_item_has_a_concept_competencies_and_evidence(core: Instrument):
    concepts = [item.concept for item in core.items]
    assert len(set(concepts)) == len(concepts)
    used: set[str] = set()
    for item in core.items:
        assert re.fullmatch(r"[a-z][a-z0-9_]+", item.concept), item.id
        assert item.competencies, item.id
        assert set(item.competencies) <= set(AIMH_UK.domain_ids), item.id
        used.update(item.competencies)
        assert item.evidence, item.id
        # each citation is "Author(s) year"
        assert all(re.fullmatch(r"\S.* \d{4}", e) for e in item.evidence), item.id
    # the bank as a whole reaches all seven domains of the framework
    assert used == set(AIMH_UK.domain_ids)


@pytest.mark.parametrize("place", list(Jurisdiction))
def test_the_wording_of_each_jurisdiction_leaves_no_term_unfilled(
    core: Instrument, place: Jurisdiction
):
    local = core.in_jurisdiction(place)
    texts = [local.title, local.description]
    texts += [t for d in local.domains for t in (d.label, d.description)]
    texts += [label for s in local.scales.values() for label in s.labels.values()]
    for item in local.items:
        texts.append(item.text)
        if isinstance(item, KeyedItem):
            texts += item.options.values()
    assert not [t for t in texts if "{" in t or "}" in t]
    # answers score the same everywhere
    assert [(i.id, getattr(i, "key", None)) for i in local.items] == [
        (i.id, getattr(i, "key", None)) for i in core.items
    ]


def test_each_jurisdiction_names_its_own_services_number_and_guidance(core: Instrument):
    def words(place: str) -> str:
        local = core.in_jurisdiction(place)
        return " ".join(
            [i.text for i in local.items]
            + [o for i in local.items if isinstance(i, KeyedItem) for o in i.options.values()]
        )

    expected = {
        "england": ["children's social care", "health visitor", "999", "Working Together"],
        "wales": ["children's services", "Wales Safeguarding Procedures"],
        "scotland": ["social work services", "child protection lead", "National Guidance"],
        "northern_ireland": ["the Gateway team", "Co-operating to Safeguard Children"],
        "ireland": ["Tusla", "public health nurse", "112", "Designated Liaison Person"],
    }
    for place, phrases in expected.items():
        text = words(place)
        assert all(phrase in text for phrase in phrases), place
    assert "Tusla" not in words("england") and "999" not in words("ireland")


def absolutes_only_in_distractors(item: KeyedItem) -> list[tuple[str, set[str]]]:
    """The wrong options that carry an absolute ("always", "only", ...) the key does not."""
    in_key = {w.lower() for w in ABSOLUTE.findall(key_text(item))}
    found = []
    for code, text in item.options.items():
        extra = {w.lower() for w in ABSOLUTE.findall(text)} - in_key
        if code not in item.key and extra:
            found.append((code, extra))
    return found


def position_problems(keys: list[str], options: int) -> list[str]:
    """Key positions a test-wise reader could learn: a position used more than its share + 1,
    a run of four equal keys, or positions that repeat with period four (over six items when the
    four differ, b c a d b c; over eight otherwise)."""
    problems = [
        f"'{code}' is the key {n} times"
        for code, n in Counter(keys).items()
        if n > len(keys) / options + 1
    ]
    for start in range(len(keys) - 3):
        if len(set(keys[start : start + 4])) == 1:
            problems.append(f"a run of four from item {start + 1}")
    for start in range(len(keys) - 5):
        end = start + 4
        while end < len(keys) and keys[end] == keys[end - 4]:
            end += 1
        pattern = keys[start : start + 4]
        if len(set(pattern)) > 1 and end - start >= (6 if len(set(pattern)) == 4 else 8):
            problems.append(f"a cycle of four from item {start + 1}")
    return problems


def test_no_distractor_carries_an_absolute_that_the_key_lacks(core: Instrument):
    for item in core.items:
        if isinstance(item, KeyedItem):
            assert absolutes_only_in_distractors(item) == [], item.id
    # the rule finds what the content review found in 1.0.0
    old = [i for i in get_builtin("imh-core@1.0.0").items if isinstance(i, KeyedItem)]
    assert {i.id for i in old if absolutes_only_in_distractors(i)} >= {"K3", "K4", "R5"}


def test_key_positions_are_balanced_with_no_run_or_cycle_of_four(core: Instrument):
    for form in FORMS:
        for domain in KEYED_DOMAINS:
            items = keyed(core, domain, form)
            keys = [i.key[0] for i in items]
            assert set(keys) == set(items[0].options), (form, domain)
            assert position_problems(keys, len(items[0].options)) == [], (form, domain)
    # 1.0.0's advanced form ran b, d, a, c, b, d, a, c
    advanced = get_builtin("imh-advanced-knowledge@1.0.0")
    keys = [i.key[0] for i in advanced.items if isinstance(i, KeyedItem)]
    assert position_problems(keys, 4)[0] == "a cycle of four from item 1"


@pytest.mark.parametrize("place", list(Jurisdiction))
def test_the_key_is_the_unique_longest_option_in_at_most_a_quarter_of_items(
    core: Instrument, place: Jurisdiction
):
    local = core.in_jurisdiction(place)
    for form in FORMS:
        items = [i for d in KEYED_DOMAINS for i in keyed(local, d, form)]
        longest = []
        for item in items:
            lengths = sorted((len(t) for t in item.options.values()), reverse=True)
            if len(key_text(item)) == lengths[0] > lengths[1]:
                longest.append(item.id)
        assert 0 < len(longest) <= len(items) / 4, (form, longest)


def test_no_two_items_share_a_stem(core: Instrument):
    stems = Counter(stem(item.text) for item in core.items if item.form is not None)
    assert [s for s, n in stems.items() if n > 1] == []
    keys = Counter(
        stem(key_text(i)) for i in core.items if isinstance(i, KeyedItem) and i.form is not None
    )
    assert [s for s, n in keys.items() if n > 1] == []


def test_no_risk_stem_carries_the_cues_the_review_found(core: Instrument):
    cues = ("on its own", "no safeguarding concerns", "would like help", "without a review")
    for item in core.items:
        assert not [c for c in cues if c in item.text.lower()], item.id


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    silent_e = word.lower().endswith("e") and not word.lower().endswith(("le", "ee"))
    return max(1, len(groups) - (1 if silent_e and len(groups) > 1 else 0))


def _grade(text: str) -> float:
    """Flesch-Kincaid grade: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    sentences = max(1, len(re.findall(r"[.?!]+(?:\s|$)", text)))
    syllables = sum(_syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


def test_questions_are_written_at_a_modest_reading_grade(core: Instrument):
    local = core.in_jurisdiction("england")
    for form in FORMS:
        grades = {item.id: _grade(item.text) for item in local.form_items(form)}
        assert sum(grades.values()) / len(grades) <= 7.0, form
        assert max(grades.values()) <= 10.0, {k: g for k, g in grades.items() if g > 10}


def test_self_efficacy_is_asked_in_bandura_s_form_on_a_0_to_10_scale(core: Instrument):
    items = core.items_in("self_efficacy")
    assert len(items) == 10
    assert all(isinstance(i, RatingItem) and i.form is None for i in items)
    ratings = [i for i in items if isinstance(i, RatingItem)]
    assert all(i.text.startswith("How confident are you that you can ") for i in ratings)
    # one task each: no "and ... or" two-in-one items like 1.0.0's S3
    assert not [i.id for i in ratings if re.search(r"\b(when and where|and where)\b", i.text)]
    assert not [i.id for i in ratings if i.reverse]
    scale = core.scales[ratings[0].scale]
    assert (scale.min, scale.max) == (0, 10)
    assert scale.labels == {
        0: "Cannot do at all",
        5: "Moderately can do",
        10: "Highly certain can do",
    }
    assert core.domain_range("self_efficacy", "A") == (0.0, 100.0)
    assert any("Bandura 2006" in i.evidence for i in ratings)


def test_the_file_survives_writing_and_reading_back(core: Instrument):
    written = instrument_to_yaml(core)
    assert load_instrument_text(written, source="written.yaml") == core


@pytest.mark.parametrize("place", list(Jurisdiction))
def test_the_item_writing_advice_has_nothing_to_say_in_any_jurisdiction(
    core: Instrument, place: Jurisdiction
):
    assert lint_instrument(core.in_jurisdiction(place)) == []
