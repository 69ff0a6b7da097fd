"""imh-advanced-knowledge 2.0.0 and imh-reaction 1.1.0 (issue 13): the bank's current versions
(1.0.0 kept in bank/versions/), reachable by id@version, written to the item-writing rules,
mapped to the AIMH UK framework, and documented in docs/instruments.md from the files
themselves."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from imheval.instruments import Instrument, KeyedItem, RatingItem, get_builtin, load_instrument_text
from imheval.instruments.frameworks import AIMH_UK
from imheval.instruments.lint import MAX_READING_GRADE, item_reading_grade, lint_instrument
from imheval.instruments.model import Jurisdiction
from imheval.instruments.writer import instrument_to_yaml

ADVANCED = "imh-advanced-knowledge@2.0.0"
REACTION = "imh-reaction@1.1.0"
ROOT = Path(__file__).resolve().parents[2]

#: Words a test-wise reader learns to avoid: a distractor may carry one only if the key does.
ABSOLUTES = ("only", "always", "never", "certain", "entirely", "all", "every", "must", "none")


def advanced() -> Instrument:
    return get_builtin(ADVANCED)


def form_keyed(instrument: Instrument, form: str) -> list[KeyedItem]:
    items = instrument.items_in("advanced_knowledge", form)
    assert all(isinstance(i, KeyedItem) for i in items)
    return [i for i in items if isinstance(i, KeyedItem)]


def all_keyed(instrument: Instrument) -> list[KeyedItem]:
    return [i for i in instrument.items if isinstance(i, KeyedItem)]


def absolutes_in(text: str) -> set[str]:
    return {word for word in ABSOLUTES if re.search(rf"\b{word}\b", text, re.IGNORECASE)}


def key_positions(items: list[KeyedItem]) -> list[int]:
    return [list(item.options).index(item.key[0]) for item in items]


def stem(text: str, words: int = 8) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()[:words])


def script(name: str) -> ModuleType:
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the module runs
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --- imh-advanced-knowledge 2.0.0 ---------------------------------------------------------------


def test_version_2_is_current_and_1_is_kept_for_old_data() -> None:
    current, earlier = advanced(), get_builtin("imh-advanced-knowledge@1.0.0")
    assert (current.id, current.version) == ("imh-advanced-knowledge", "2.0.0")
    assert earlier.version == "1.0.0"
    assert get_builtin("imh-advanced-knowledge") == current
    assert current.levels == earlier.levels
    assert "written for imheval" in current.description
    assert "not been validated" in current.description
    assert "reliability" in current.description


def test_two_forms_of_nine_four_option_items_with_one_key_each_and_no_item_in_both() -> None:
    instrument = advanced()
    assert instrument.form_ids == ("A", "B")
    assert [d.id for d in instrument.domains] == ["advanced_knowledge"]
    for form in ("A", "B"):
        items = form_keyed(instrument, form)
        assert len(items) == 9
        assert all(list(i.options) == ["a", "b", "c", "d"] for i in items)
        assert all(len(i.key) == 1 and i.points == 1.0 for i in items)
        assert instrument.domain_range("advanced_knowledge", form) == (0.0, 9.0)
    assert all(item.form in ("A", "B") for item in instrument.items)
    assert [i.id for i in instrument.items] == [f"AKA0{n}" for n in range(1, 10)] + [
        f"AKB0{n}" for n in range(1, 10)
    ]


def test_no_item_id_of_version_1_is_reused_for_a_new_question() -> None:
    old_ids = {item.id.casefold() for item in get_builtin("imh-advanced-knowledge@1.0.0").items}
    new_ids = {item.id.casefold() for item in advanced().items}
    assert old_ids == {f"ak{n}" for n in range(1, 9)}
    assert not old_ids & new_ids


def test_every_wrong_option_names_its_misconception_and_no_right_one_does() -> None:
    for item in all_keyed(advanced()):
        wrong = set(item.options) - set(item.key)
        assert set(item.misconceptions) == wrong, item.id
        assert all(len(text.split()) >= 6 for text in item.misconceptions.values()), item.id


def test_every_item_has_a_concept_evidence_and_aimh_uk_competencies() -> None:
    instrument = advanced()
    assert instrument.framework == AIMH_UK.id
    concepts = [item.concept for item in instrument.items]
    assert all(re.fullmatch(r"[a-z][a-z0-9_]+", c) for c in concepts)
    assert len(set(concepts)) == len(concepts)
    citation = re.compile(r"(van )?[A-Z][A-Za-z' &-]+?( et al\.)?( [A-Z]+[0-9]*)? (19|20)\d\d")
    for item in instrument.items:
        assert item.evidence, item.id
        assert all(citation.fullmatch(source) for source in item.evidence), item.evidence
        assert item.competencies, item.id
        assert set(item.competencies) <= set(AIMH_UK.domain_ids), item.id


def test_each_form_covers_every_aimh_uk_domain_about_as_often_as_the_other() -> None:
    instrument = advanced()
    coverage = {
        form: Counter(c for item in instrument.form_items(form) for c in item.competencies)
        for form in ("A", "B")
    }
    for domain in AIMH_UK.domain_ids:
        assert coverage["A"][domain] >= 1 and coverage["B"][domain] >= 1, domain
        assert abs(coverage["A"][domain] - coverage["B"][domain]) <= 1, domain


def test_no_distractor_carries_an_absolute_that_its_key_lacks() -> None:
    found = []
    for item in all_keyed(advanced()):
        in_key = absolutes_in(item.options[item.key[0]])
        for code, text in item.options.items():
            extra = absolutes_in(text) - in_key
            if code not in item.key and extra:
                found.append((item.id, code, sorted(extra)))
    assert found == []


def test_absolute_check_finds_a_planted_absolute() -> None:
    # the check above must be able to fail: one planted "always" in a distractor is caught
    assert absolutes_in("Babies always recover once play resumes") == {"always"}
    assert absolutes_in("Overall, an allowance; nonetheless") == set()


@pytest.mark.parametrize("form", ["A", "B"])
def test_key_positions_are_balanced_with_no_run_or_cycle_of_four(form: str) -> None:
    positions = key_positions(form_keyed(advanced(), form))
    share = len(positions) / 4
    assert max(Counter(positions).values()) <= share + 1
    assert len(set(positions)) == 4
    runs = [positions[i : i + 4] for i in range(len(positions) - 3)]
    assert all(len(set(run)) > 1 for run in runs)
    cycles = [positions[i : i + 4] == positions[i + 4 : i + 8] for i in range(len(positions) - 7)]
    assert not any(cycles)


@pytest.mark.parametrize("form", ["A", "B"])
def test_the_key_is_the_unique_longest_option_in_at_most_a_quarter_of_items(form: str) -> None:
    items = form_keyed(advanced(), form)
    unique_longest = [
        item.id
        for item in items
        if sorted((len(t), c in item.key) for c, t in item.options.items())[-1][1]
        and sorted(len(t) for t in item.options.values())[-2] < len(item.options[item.key[0]])
    ]
    assert len(unique_longest) <= len(items) / 4, unique_longest


def test_no_two_items_share_a_stem_or_a_keyed_answer_across_the_forms() -> None:
    items = all_keyed(advanced())
    stems = [stem(item.text) for item in items]
    answers = [stem(item.options[item.key[0]], 6) for item in items]
    assert len(set(stems)) == len(stems)
    assert len(set(answers)) == len(answers)


def test_the_still_face_item_keys_partial_repair_and_its_depression_option_is_plainly_false() -> (
    None
):
    (item,) = [i for i in all_keyed(advanced()) if i.concept == "still_face_partial_repair"]
    assert "partly recover" in item.options[item.key[0]]
    assert item.key == ("d",)
    depressed = item.options["c"]
    assert "depressed mothers get more upset" in depressed
    assert "protest less" in item.misconceptions["c"]
    assert item.evidence == ("Tronick et al. 1978", "Field 1984", "Mesman et al. 2009")


def test_the_items_read_the_same_in_every_jurisdiction() -> None:
    instrument = advanced()
    for place in Jurisdiction:
        assert instrument.in_jurisdiction(place).items == instrument.items


def test_the_linter_has_no_advice_and_every_item_reads_below_the_set_grade() -> None:
    instrument = advanced()
    assert lint_instrument(instrument) == []
    grades = [item_reading_grade(item) for item in all_keyed(instrument)]
    assert max(grades) <= MAX_READING_GRADE
    # the linter does find 1.0.0's faults, so its silence on 2.0.0 means something
    old_rules = {
        advice.rule for advice in lint_instrument(get_builtin("imh-advanced-knowledge@1.0.0"))
    }
    assert {"absolute-in-distractor", "key-longest", "key-position-cycle"} <= old_rules


# --- imh-reaction 1.1.0 -------------------------------------------------------------------------


def test_reaction_1_1_splits_the_two_in_one_item_and_drops_today() -> None:
    old, new = get_builtin("imh-reaction@1.0.0"), get_builtin(REACTION)
    assert get_builtin("imh-reaction") == new and old.version == "1.0.0"
    assert [i.id for i in new.items] == ["RE1", "RE6", "RE7", "RE8", "RE4", "RE5"]
    assert all(isinstance(i, RatingItem) and i.scale == "agreement" for i in new.items)
    assert new.domain_range("reaction") == (6.0, 30.0)
    texts = {i.id: i.text for i in new.items}
    assert texts["RE6"] == "The ideas in the training were explained clearly."
    assert "example" not in texts["RE6"] and "clear" not in texts["RE7"]
    assert "this training" in texts["RE8"]
    assert not any(re.search(r"\btoday\b", t, re.IGNORECASE) for t in texts.values())
    assert "today" in next(i.text for i in old.items if i.id == "RE3")
    # an id kept from 1.0.0 asks exactly the same question; a changed question has a new id
    old_texts = {i.id: i.text for i in old.items}
    assert {i: t for i, t in texts.items() if i in old_texts} == {
        i: old_texts[i] for i in ("RE1", "RE4", "RE5")
    }
    assert "not been validated" in new.description and "written for imheval" in new.description
    assert lint_instrument(new) == []


# --- both files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", [ADVANCED, REACTION])
def test_file_round_trips_through_the_writer(ref: str) -> None:
    instrument = get_builtin(ref)
    written = instrument_to_yaml(instrument)
    assert load_instrument_text(written, source=f"{ref}.yaml") == instrument


@pytest.mark.parametrize("ref", [ADVANCED, REACTION])
def test_the_competency_table_in_the_docs_matches_the_file(ref: str) -> None:
    tables = script("competency_table")
    docs = (ROOT / "docs" / "instruments.md").read_text(encoding="utf-8")
    assert tables.block(docs, ref) == tables.competency_table(get_builtin(ref))


def test_the_competency_table_names_each_item_s_framework_domains() -> None:
    table = script("competency_table").competency_table(advanced())
    assert (
        "| AKA08 | A | `purpose_of_reflective_supervision` | Reflective practice and supervision |"
        in table
    )
    assert "| Working within relevant legal and professional frameworks | 2 | 1 |" in table


# --- the expected figures (scripts/simulate_bank.py) ----------------------------------------------


def test_an_item_difficulty_gives_back_the_facility_it_was_set_from() -> None:
    simulation = script("simulate_bank")
    difficulty = simulation.difficulty_for(0.60, 0.25, 1.0)
    assert simulation.expected_facility(difficulty, 0.25, 0.0, 1.0) == pytest.approx(0.60)
    # easier items have lower difficulties; a facility at a blind guess has none
    assert simulation.difficulty_for(0.85, 0.25, 1.0) < difficulty
    with pytest.raises(ValueError, match="blind guess"):
        simulation.difficulty_for(0.25, 0.25, 1.0)


def test_the_docs_show_what_the_simulation_gives_for_the_advanced_forms() -> None:
    simulation = script("simulate_bank")
    chosen = [a for a in simulation.ASSUMPTIONS if a.ref == ADVANCED]
    results = simulation.run(chosen, simulation.Settings())
    assert [(r.form, r.items) for r in results] == [("A", 9), ("B", 9)]
    rows = [line for line in simulation.markdown(results, simulation.Settings()).splitlines()]
    docs = (ROOT / "docs" / "instruments.md").read_text(encoding="utf-8")
    table_rows = [row for row in rows if row.startswith(f"| `{ADVANCED}`")]
    assert len(table_rows) == 2
    assert all(row in docs for row in table_rows)
    # no ceiling before training: under 5 % of people at full marks in either form
    assert all(r.full_marks_pre.median < 0.05 for r in results)


def test_pilot_facilities_are_read_from_an_evaluation_json(tmp_path: Path) -> None:
    evaluation = {
        "domains": [
            {
                "domain": "advanced_knowledge",
                "item_analysis": {
                    "items": [
                        {"item": "AKA01", "facility_pre": 0.5, "facility_post": 0.75},
                        {"item": "AKA02", "facility_pre": None, "facility_post": 0.9},
                    ]
                },
            }
        ]
    }
    path = tmp_path / "pilot.json"
    path.write_text(json.dumps(evaluation), encoding="utf-8")
    assert script("simulate_bank").read_facilities(path) == {
        "AKA01": (0.5, 0.75),
        "AKA02": (None, 0.9),
    }
