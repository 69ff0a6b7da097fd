"""The report and JSON of the gains analyses on the demo study: ANCOVA beside the Welch test of
gains, normalised gain (Hake's g) with its warning, floor warnings, facility CIs."""

from __future__ import annotations

import json

from imheval.evaluation import Evaluation
from imheval.reports import build_report
from imheval.reports.model import Callout, Heading, Table


def test_the_demo_report_shows_ancova_hake_and_floors(demo_evaluation: Evaluation) -> None:
    report = build_report(demo_evaluation)
    blocks = [block for section in report.sections for block in section.blocks]
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert "Knowledge: comparing gains between groups" in headings
    assert "Knowledge: normalised gain (Hake's g)" in headings
    tables = {b.caption: b for b in blocks if isinstance(b, Table)}
    ancova_table = next(t for c, t in tables.items() if c.startswith("Knowledge: did the groups"))
    assert ancova_table.header[1:3] == ("Gains (Welch)", "Adjusted for the start (ANCOVA)")
    knowledge = demo_evaluation.domain("knowledge")
    gains = knowledge.extras.gains  # type: ignore[union-attr]
    assert ancova_table.rows[0][2] == gains.groupings[0].ancova.apa()  # type: ignore[union-attr]
    warnings = [b.text for b in blocks if isinstance(b, Callout)]
    assert any(w.startswith("Normalised gain (Hake's g): Near the maximum") for w in warnings)
    items = knowledge.extras.items  # type: ignore[union-attr]
    if items is not None and items.floor_pre is not None and items.floor_pre.flagged:
        assert any(w.startswith("Floor effect before training") for w in warnings)
    document = json.loads(json.dumps(demo_evaluation.to_dict(), allow_nan=False))
    domain = next(d for d in document["domains"] if d["id"] == "knowledge")
    assert domain["gains"]["ancova_by_grouping"][0]["ancova"]["test"] == "ancova"
    first_item = domain["item_analysis"]["items"][0]
    low, high = first_item["facility_pre_ci"]
    assert low <= first_item["facility_pre"] <= high


def test_a_larger_report_group_size_hides_groups_and_cohorts_here_too(
    demo_evaluation: Evaluation,
) -> None:
    report = build_report(demo_evaluation, min_group_size=12)
    blocks = [block for section in report.sections for block in section.blocks]
    tables = {b.caption: b for b in blocks if isinstance(b, Table)}
    gains = demo_evaluation.domain("knowledge").extras.gains  # type: ignore[union-attr]
    checked = 0
    for entry in gains.groupings:  # type: ignore[union-attr]
        caption = f"Knowledge: mean score after training by {entry.grouping}, as it is and"
        table = next(t for c, t in tables.items() if c.startswith(caption))
        for mean, row in zip(entry.ancova.adjusted_means, table.rows, strict=True):
            if mean.n < 12:
                assert set(row[1:]) == {"hidden"}
                checked += 1
    cohorts = next(
        t for c, t in tables.items() if c.startswith("Knowledge: normalised gain (Hake's")
    )
    for row in cohorts.rows:
        if row[1] != "hidden":
            assert int(row[1]) >= 12
    assert any(row[1] == "hidden" for row in cohorts.rows)
    assert checked > 0
