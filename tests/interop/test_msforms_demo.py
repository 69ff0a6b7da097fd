"""Microsoft Forms: imheval's demo study captured in Forms (one download per timepoint, answers
as Forms writes them: option labels, scale labels, the code and cohort as questions) and read
back with the instrument gives exactly the demo's own data, and exactly its evaluation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from imheval.demo import demo_instruments, demo_path
from imheval.evaluation import evaluate_file
from imheval.instruments import KeyedItem, RatingItem
from imheval.interop.common import maps_for_instrument
from imheval.interop.model import TIDY_COLUMNS, ResponseOptions, SourceFile, System
from imheval.interop.msforms.responses import read_responses
from interop.msforms_build import Asked, download, xlsx

PLACES = {"cohort": "Cohort", "programme": "Programme", "directorate": "Directorate"}


def _demo() -> pd.DataFrame:
    frame = pd.read_csv(demo_path(), dtype=str, keep_default_na=False)
    # one download per timepoint: the pre responses first, then the post ones
    return frame.sort_values("timepoint", key=lambda t: t != "pre", kind="stable").reset_index(
        drop=True
    )


def _downloads(demo: pd.DataFrame) -> list[SourceFile]:
    core = demo_instruments()[0]
    sources = []
    for timepoint in ("pre", "post"):
        rows = demo[demo["timepoint"] == timepoint]
        questions = [Asked("Your self-generated code", list(rows["participant"]))]
        questions += [Asked(title, list(rows[column])) for column, title in PLACES.items()]
        questions.append(Asked("Your profession", list(rows["profession"])))
        for question in core.questions:
            answers = list(rows[question.id])
            if isinstance(question, KeyedItem):
                # the demo's invalid answers ("b,c") are written as they are
                answers = [question.options.get(a, a) for a in answers]
            elif isinstance(question, RatingItem):
                labels = core.scales[question.scale].labels
                answers = [labels.get(int(a), a) if a else "" for a in answers]
            questions.append(Asked(question.text, answers))
        built = download(questions, emails=["anonymous"] * len(rows), names=[""] * len(rows))
        sources.append(xlsx(built, f"IMH core {timepoint}(1-{len(rows)}).xlsx"))
    return sources


def test_demo_study_through_forms_is_the_demo_study(tmp_path: Path) -> None:
    demo = _demo()
    core = demo_instruments()[0]
    sources = _downloads(demo)
    options = ResponseOptions(timepoints={sources[0].name: "pre", sources[1].name: "post"})
    structure = maps_for_instrument(core, System.MSFORMS)
    conversion = read_responses(sources, structure, options)
    responses = conversion.responses
    assert responses is not None
    columns = [*TIDY_COLUMNS, *(q.id for q in core.questions)]
    expected = demo[columns]
    converted = responses.frame[columns]
    pd.testing.assert_frame_equal(converted, expected, check_dtype=False)
    assert responses.left_out == ()
    # the only answers that are no option are the demo's own invalid ones, kept as given
    assert [note.split(" are not")[0] for note in responses.notes if "not among" in note] == [
        "K4: the answers 'b,c'",
        "R2: the answers 'x'",
    ]

    own = tmp_path / "own.csv"
    through_forms = tmp_path / "forms.csv"
    expected.to_csv(own, index=False)
    converted.to_csv(through_forms, index=False)
    mine = evaluate_file(through_forms, [core]).to_dict()
    theirs = evaluate_file(own, [core]).to_dict()
    for run in (mine, theirs):
        del run["source"], run["created"]  # the file's name and the time it was analysed
    assert mine == theirs
    assert mine["domains"]  # the evaluation has results to compare
