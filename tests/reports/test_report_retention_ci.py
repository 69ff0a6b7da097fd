"""The report's retention table gives the share of the gain kept with Fieller's 95% CI."""

from __future__ import annotations

from pathlib import Path

from imheval.evaluation import evaluate_file
from imheval.reports import build_report
from imheval.reports.model import Table


def _evaluation(tmp_path: Path, follow: list[int]) -> object:
    pre = [2, 3, 1, 2, 4, 3, 2]
    post = [5, 6, 4, 5, 6, 6, 5]
    rows = ["participant,cohort,timepoint,knowledge"]
    for i in range(7):
        rows += [
            f"P{i},C1,pre,{pre[i]}",
            f"P{i},C1,post,{post[i]}",
            f"P{i},C1,followup,{follow[i]}",
        ]
    path = tmp_path / "fu.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return evaluate_file(path)


def _retention_table(evaluation: object) -> Table:
    report = build_report(evaluation)  # type: ignore[arg-type]
    return next(
        block
        for section in report.sections
        for block in section.blocks
        if isinstance(block, Table) and block.caption.startswith("Retention at follow-up")
    )


def test_retention_table_gives_the_share_with_its_ci(tmp_path: Path) -> None:
    evaluation = _evaluation(tmp_path, [4, 5, 3, 4, 5, 5, 4])
    kept = evaluation.domain("knowledge").extras.retention  # type: ignore[attr-defined]
    assert kept.share_ci is not None
    table = _retention_table(evaluation)
    assert table.header[-1] == "95% CI (Fieller)"
    row = table.rows[0]
    assert row[-2] == f"{100 * kept.share_retained:.0f}%"
    assert row[-1] == f"{100 * kept.share_ci.low:.0f}% to {100 * kept.share_ci.high:.0f}%"
