"""Answers are read as categoricals of their stripped text: one small code per cell, the same
values, and scoring reads the codes directly with the same verdicts as from plain text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from imheval.instruments.loader import load_instrument_text
from imheval.io.reader import read_responses
from imheval.scoring import chosen_options, score_items

INSTRUMENT = """
format: imheval-instrument/1
id: tiny
version: 1.0.0
title: Tiny
levels: [beginner]
domains:
- id: knowledge
  label: Knowledge
scales:
  agree: {min: 1, max: 5}
items:
- {id: k1, domain: knowledge, text: Q1, options: {a: A, b: B}, key: a, kind: keyed}
- {id: k2, domain: knowledge, text: Q2, options: {a: A, b: B}, key: b, kind: keyed}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "responses.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_tidy_answers_are_categoricals_of_the_stripped_text(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "participant,cohort,timepoint,k1,k2\n"
        "p1,c,pre, a ,b\np2,c,pre,a,\np1,c,post,A,zz\np2,c,post,,b \n",
    )
    frame = read_responses(path, item_columns=("k1", "k2")).frame
    assert isinstance(frame["k1"].dtype, pd.CategoricalDtype)
    assert frame["k1"].tolist() == ["a", "a", "A", ""]
    assert frame["k2"].tolist() == ["b", "", "zz", "b"]
    assert (frame["k1"] == "a").tolist() == [True, True, False, False]
    assert frame["participant"].dtype == "str"


def test_wide_answers_and_items_missing_from_the_file_are_categoricals(tmp_path: Path) -> None:
    path = _write(tmp_path, "participant,cohort,pre_k1,post_k1\np1,c,a,b\np2,c,,a\n")
    frame = read_responses(path, item_columns=("k1", "k2")).frame
    assert isinstance(frame["k1"].dtype, pd.CategoricalDtype)
    assert isinstance(frame["k2"].dtype, pd.CategoricalDtype)
    assert frame["k1"].tolist() == ["a", "b", "a"]
    assert frame["k2"].tolist() == ["", "", ""]


def test_scoring_categorical_answers_equals_scoring_the_same_text(tmp_path: Path) -> None:
    instrument = load_instrument_text(INSTRUMENT)
    rng = np.random.default_rng(7)
    typed = np.array(["a", "b", "", " A", "B ", "x", "a"], dtype=object)
    rows = [
        f"p{i},c,{'pre' if i % 2 else 'post'},{typed[rng.integers(7)]},{typed[rng.integers(7)]}"
        for i in range(60)
    ]
    path = _write(tmp_path, "participant,cohort,timepoint,k1,k2\n" + "\n".join(rows) + "\n")
    table = read_responses(path, item_columns=("k1", "k2"))
    as_text = table.frame.astype({"k1": "str", "k2": "str"})
    from_codes = score_items(table, [instrument])
    from_text = score_items(dataclasses.replace(table, frame=as_text), [instrument])
    pd.testing.assert_frame_equal(from_codes.frame, from_text.frame)
    pd.testing.assert_frame_equal(from_codes.item_points, from_text.item_points)
    pd.testing.assert_frame_equal(from_codes.item_outcomes, from_text.item_outcomes)
    item = instrument.items[0]
    assert chosen_options(table.frame["k1"], item).tolist() == (
        chosen_options(as_text["k1"], item).tolist()
    )
