"""imheval.evaluation.programmes.programme_analysis on integer codes gives what the
straightforward text version (the code before issue 19) gives, on untidy data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from imheval.evaluation.programmes import programme_analysis
from imheval.stats.mixed.interaction import cohort_icc, programme_time_model


def _untidy(seed: int) -> pd.DataFrame:
    """Scores in 8 cohorts of 4 programmes, with the untidiness real exports have: spaces
    around labels, unrecorded programmes written three ways, a missing score, people measured
    once, a person with a score twice at one time, one small programme."""
    rng = np.random.default_rng(seed)
    rows = []
    for cohort in range(8):
        programme = ["P1", " P2", "P3 ", "tiny"][cohort % 4]
        for person in range(int(rng.integers(6, 12))):
            label = programme
            if cohort == 3 and person < 4:
                label = ["", "nan", "None", "tiny"][person]
            if programme == "tiny" and person > 1:
                label = "P1"
            for time in ("pre", "post"):
                if person == 0 and time == "post":
                    continue
                score = float(rng.integers(0, 20))
                if cohort == 5 and person == 1 and time == "pre":
                    score = np.nan
                rows.append(
                    (f" C{cohort}" if cohort % 2 else f"C{cohort}", label, person, time, score)
                )
    rows.append((*rows[-1][:4], 3.0))
    return pd.DataFrame(rows, columns=["cohort", "programme", "participant", "time", "score"])


def _reference(long: pd.DataFrame) -> dict[str, object]:
    """The counts and the ICC as the text version worked them out."""
    frame = long.copy()
    frame["cohort"] = frame["cohort"].astype(str).str.strip()
    frame["programme"] = frame["programme"].astype(str).str.strip()
    unrecorded = frame["programme"].str.lower().isin({"", "nan", "none", "<na>"})
    frame.loc[unrecorded, "programme"] = ""
    frame["person"] = frame["cohort"] + "\x1f" + frame["participant"].astype(str)
    wide = frame.pivot_table(
        index=["cohort", "person"], columns="time", values="score", aggfunc="first"
    ).dropna(subset=["pre", "post"])
    gains = pd.DataFrame(
        {
            "cohort": wide.index.get_level_values("cohort"),
            "gain": (wide["post"] - wide["pre"]).to_numpy(),
        }
    )
    programme_of = frame.groupby("person")["programme"].first()
    matched = programme_of.loc[wide.index.get_level_values("person")]
    return {
        "n_participants": int(frame["person"].nunique()),
        "n_cohorts": int(frame["cohort"].nunique()),
        "n_unrecorded": int(frame.loc[frame["programme"] == "", "person"].nunique()),
        "n_matched": matched.value_counts().to_dict(),
        "icc": cohort_icc(gains).to_dict(),
        "frame": frame,
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_programme_analysis_on_codes_gives_the_text_versions_figures(seed: int) -> None:
    long = _untidy(seed)
    result = programme_analysis(long, min_group_size=3)
    expected = _reference(long)
    assert result is not None
    assert result.n_participants == expected["n_participants"]
    assert result.n_cohorts == expected["n_cohorts"]
    assert result.n_unrecorded == expected["n_unrecorded"]
    _assert_close(result.icc.to_dict(), expected["icc"])
    n_matched = expected["n_matched"]
    assert isinstance(n_matched, dict)
    left_out = {item.programme for item in result.left_out}
    assert "tiny" in left_out  # two people measured both times: too few
    assert result.model is not None
    kept = list(result.model.programmes)
    assert kept == sorted(name for name in n_matched if name and name not in left_out)
    assert result.n_matched == sum(n_matched[name] for name in kept)
    frame = expected["frame"]
    assert isinstance(frame, pd.DataFrame)
    model = programme_time_model(frame[frame["programme"].isin(kept)])
    _assert_close(result.model.to_dict(), model.to_dict())


def _assert_close(got: object, expected: object) -> None:
    """Equal, numbers to rel 1e-9 (the rows reach the fit in another order)."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and got.keys() == expected.keys()
        for key, value in expected.items():
            _assert_close(got[key], value)
    elif isinstance(expected, list | tuple):
        assert isinstance(got, list | tuple) and len(got) == len(expected)
        for one, other in zip(got, expected, strict=True):
            _assert_close(one, other)
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    else:
        assert got == expected


def test_fewer_than_two_cohorts_give_no_programme_analysis() -> None:
    long = _untidy(1)
    assert programme_analysis(long[long["cohort"] == "C0"], min_group_size=3) is None
