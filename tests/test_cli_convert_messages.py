"""imheval convert's messages: a huge invalid answer is never quoted in full in the summary or
conversion-report.txt, and a folder imheval cannot write into is named in a plain message."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from imheval.cli import app
from imheval.interop.output import shortened

runner = CliRunner()
HUGE = "x" * 100_000
COMMAND = ("convert", "--from", "redcap", "-i", "imh-core")


def test_a_huge_invalid_answer_is_shortened_in_the_summary_and_the_report(tmp_path: Path) -> None:
    records = tmp_path / "big.csv"
    records.write_text(
        f"record_id,code,ka01,imh_core_complete\n1,MA07BE,{HUGE},2\n2,JO12DE,a,2\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [*COMMAND, str(records), "--timepoint", "big.csv=pre", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    expected = (
        "big.csv: question 'KA01' (column 'ka01') has answers that are not among its options: "
        + "x" * 80
        + "… (1×); they are kept as written and imheval counts them as invalid (not an option)"
    )
    report = (out / "conversion-report.txt").read_text(encoding="utf-8")
    assert f"- {expected}\n" in report
    assert "Note: " + expected in " ".join(result.output.split("\n"))
    assert "x" * 81 not in report and "x" * 81 not in result.output
    assert len(report) < 5_000


def test_quoted_text_and_long_lines_are_shortened() -> None:
    answer = "a very long answer, with spaces " * 10
    assert shortened(f"answer '{answer}' is not an option") == (
        f"answer '{answer[:80]}…' is not an option"
    )
    assert shortened("answer 'short one' is fine") == "answer 'short one' is fine"
    many = ", ".join(f"answer number {n}" for n in range(500))
    assert shortened(many) == many[:2000] + "… (shortened)"


def test_a_folder_that_cannot_be_written_is_named_plainly(tmp_path: Path) -> None:
    records = tmp_path / "r.csv"
    records.write_text("record_id,code,ka01,imh_core_complete\n1,MA07BE,a,2\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [*COMMAND, str(records), "--timepoint", "r.csv=pre", "--out", "/proc/imheval-out"],
    )
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert (
        "/proc/imheval-out: imheval cannot write into this folder (no such file or directory): "
        "give --out a folder you can create and write files in"
    ) in text
    assert "Traceback" not in text and "OSError" not in text and "Errno" not in text
