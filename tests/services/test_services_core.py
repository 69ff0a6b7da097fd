"""Service data (Kirkpatrick level 4, Barr 4a/4b): reading, the before/after summary, the
interrupted time series rule, small numbers and the caution."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from imheval.errors import DataFormatError
from imheval.services import (
    CAUTION,
    ServiceData,
    parse_period,
    parse_training_date,
    read_service_data,
    rows_from_cells,
    summarise,
    template_bytes,
)


def write(tmp_path: Path, lines: list[str], name: str = "services.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def monthly(months: int, start_year: int = 2024, value=lambda i: 20 + i, denominator="60"):
    rows = []
    for i in range(months):
        year, month = start_year + i // 12, i % 12 + 1
        rows.append(
            f"North,{year}-{month:02d},assessments_infant_relationship,{value(i)},{denominator}"
        )
    return rows


HEADER = "service,period,measure,value,denominator"


def test_periods_read_as_months_or_quarters() -> None:
    assert parse_period("2025-04").label == "2025-04"  # type: ignore[union-attr]
    assert parse_period("2025-04-01").label == "2025-04"  # type: ignore[union-attr]
    assert parse_period("2025 q2").label == "2025-Q2"  # type: ignore[union-attr]
    assert parse_period("2025-13") is None
    assert parse_period("April") is None
    assert parse_training_date("2025-09") == datetime.date(2025, 9, 1)
    assert parse_training_date("2025-09-15") == datetime.date(2025, 9, 15)
    assert parse_training_date("2025-02-30") is None


def test_every_problem_is_named_with_file_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            HEADER,
            "North,2025-04,assessments_infant_relationship,42,",
            ",April,referrals_parent_infant,x,",
            "North,2025-05,home visits,3,",
            "North,2025-06,assessments_infant_relationship,70,60",
        ],
    )
    with pytest.raises(DataFormatError) as caught:
        read_service_data(path)
    located = {(p.row, p.column) for p in caught.value.problems}
    assert (2, "denominator") in located  # a proportion needs its denominator
    assert {(3, "service"), (3, "period"), (3, "value")} <= located
    assert (4, "kind") in located and (4, "barr_level") in located
    assert (5, "value") in located  # more than the denominator
    assert all(p.file == "services.csv" for p in caught.value.problems)
    assert "services.csv, row 3, column 'period'" in str(caught.value)


def test_a_missing_column_and_a_repeated_period_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="column 'value': this column is missing"):
        read_service_data(write(tmp_path, ["service,period,measure", "North,2025-04,x"]))
    twice = [
        HEADER,
        "North,2025-04,referrals_parent_infant,9,",
        "north,2025-04,Referrals to parent-infant services,8,",
    ]
    with pytest.raises(DataFormatError, match="also on row 2"):
        read_service_data(write(tmp_path, twice, "twice.csv"))
    mixed = [
        HEADER,
        "North,2025-04,referrals_parent_infant,9,",
        "North,2025-Q3,referrals_parent_infant,8,",
    ]
    with pytest.raises(DataFormatError, match="months or quarters, not both"):
        read_service_data(write(tmp_path, mixed, "mixed.csv"))


def test_custom_measures_need_a_kind_and_a_barr_level(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            "Service,Period,Measure,Value,Kind,Barr level,Unit",
            "North,2025-04,Video feedback sessions,7,count,4a,sessions",
        ],
    )
    data = read_service_data(path)
    (row,) = data.rows
    assert row.measure.kind == "count" and row.measure.barr_level == "4a"
    assert row.measure.unit == "sessions" and row.row == 2


def test_the_template_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "template.csv"
    path.write_bytes(template_bytes("csv"))
    data = read_service_data(path)
    assert {row.measure.barr_level for row in data.rows} == {"4a", "4b"}
    xlsx = tmp_path / "template.xlsx"
    xlsx.write_bytes(template_bytes("xlsx"))
    assert len(read_service_data(xlsx).rows) == len(data.rows)


def test_before_after_means_with_the_caution_and_the_its_when_enough_periods(
    tmp_path: Path,
) -> None:
    data = read_service_data(
        write(
            tmp_path, [HEADER, *monthly(24, value=lambda i: 20 + i // 2 + (10 if i >= 12 else 0))]
        )
    ).with_training(datetime.date(2025, 1, 1), {})
    (series,) = summarise(data).series
    assert series.before.periods == 12 and series.after.periods == 12
    before = sum((20 + i // 2) / 60 for i in range(12)) / 12
    after = sum((30 + i // 2) / 60 for i in range(12, 24)) / 12
    assert series.before.mean == pytest.approx(before)
    assert series.after.mean == pytest.approx(after)
    assert series.difference == pytest.approx(after - before)
    fit = series.regression
    assert fit is not None and fit.reason is None and fit.level_change is not None
    kinds = [f.kind for f in series.findings]
    assert kinds == ["service_before_after", "service_its"]
    assert all(CAUTION in f.text for f in series.findings)
    assert "does not show that the training caused" in series.findings[0].plain
    assert series.findings[0].figures["difference"] == pytest.approx(after - before)
    json.dumps(summarise(data).to_dict(), allow_nan=False)


def test_too_few_periods_give_a_plot_only_and_say_why(tmp_path: Path) -> None:
    data = read_service_data(write(tmp_path, [HEADER, *monthly(14)])).with_training(
        datetime.date(2024, 7, 1), {}
    )
    (series,) = summarise(data).series
    assert series.regression is not None
    assert series.regression.reason == (
        "there are 6 periods before and 8 after; a time-series test needs at least 8 of each"
    )
    its = series.findings[-1]
    assert its.kind == "service_its_not_fitted"
    assert "the chart shows the figures only" in its.plain


def test_small_counts_are_hidden_with_the_means_and_model_that_include_them(
    tmp_path: Path,
) -> None:
    lines = [HEADER]
    for i in range(18):
        lines.append(
            f"North,2024-Q{i % 4 + 1}".replace("2024", str(2020 + i // 4))
            + f",referrals_parent_infant,{3 if i == 2 else 12},"
        )
    data = read_service_data(write(tmp_path, lines)).with_training(datetime.date(2022, 4, 1), {})
    summary = summarise(data, min_group_size=5)
    (series,) = summary.series
    hidden = [f for f in series.figures if f.suppressed]
    assert len(hidden) == 1 and hidden[0].value is None
    assert hidden[0].to_dict()["count"] is None
    assert series.before.mean is None and "hidden" in (series.before.reason or "")
    assert series.after.mean == pytest.approx(12.0)
    assert series.regression is not None and series.regression.reason is not None
    shown = series.to_dict()["periods"][2]
    assert (shown["value"], shown["count"], shown["suppressed"]) == (None, None, True)


def test_no_training_date_says_so(tmp_path: Path) -> None:
    data = read_service_data(write(tmp_path, [HEADER, *monthly(3)]))
    (series,) = summarise(data).series
    assert [f.kind for f in series.findings] == ["service_no_training_date"]
    per_service = ServiceData(data.rows).with_training(None, {"north": datetime.date(2024, 2, 1)})
    assert summarise(per_service).series[0].after.periods == 2


def test_a_zero_denominator_is_refused_for_a_mean_and_a_proportion(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            HEADER,
            "North,2025-04,waiting_time_weeks,5,0",
            "North,2025-04,assessments_infant_relationship,0,0",
            "North,2025-05,waiting_time_weeks,5,",  # a mean's denominator may be left out
            "North,2025-05,assessments_infant_relationship,0,10",
        ],
    )
    with pytest.raises(DataFormatError) as caught:
        read_service_data(path)
    located = {(p.row, p.column) for p in caught.value.problems}
    assert located == {(2, "denominator"), (3, "denominator")}
    assert "services.csv, row 2, column 'denominator'" in str(caught.value)
    assert "is 0" in str(caught.value)
    # the web form and import go through the same reader
    cells = {"service": "North", "period": "2025-04", "measure": "waiting_time_weeks"}
    with pytest.raises(DataFormatError, match="column 'denominator'"):
        rows_from_cells([(1, cells | {"value": "5", "denominator": "0"})], "the form")


def test_the_services_in_the_data_are_listed_once_as_first_written() -> None:
    cells = [
        (2, {"service": "North", "period": "2025-04", "measure": "referrals_parent_infant"}),
        (3, {"service": "South", "period": "2025-04", "measure": "referrals_parent_infant"}),
        (4, {"service": "north", "period": "2025-05", "measure": "referrals_parent_infant"}),
    ]
    rows = rows_from_cells([(n, c | {"value": "3"}) for n, c in cells], "f.csv")
    assert ServiceData(rows).services == ("North", "South")
