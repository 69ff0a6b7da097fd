"""The REDCap record reader on generated exports: random instruments (keyed, rating, checkbox
and open questions), random records over events, blanks, form statuses, codes on another
event's row, raw or label values, field-name or label headers. The frame holds exactly what was
generated, mapped to imheval answers; every row left out is left out for its reason."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from hypothesis import event as tally
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.errors import DataFormatError
from imheval.instruments import Instrument
from imheval.interop.model import AnswerMap, InstrumentImport, ResponseOptions, SourceFile, System
from imheval.interop.redcap.records import read_records

EVENTS = {
    "pre_arm_1": ("Pre (Arm 1: Arm 1)", "pre"),
    "post_arm_1": ("Post (Arm 1: Arm 1)", "post"),
    "followup_arm_1": ("Follow-up (Arm 1: Arm 1)", "followup"),
    "enrolment_arm_1": ("Enrolment (Arm 1: Arm 1)", None),
}
STATUS_LABELS = {"0": "Incomplete", "1": "Unverified", "2": "Complete", "": ""}


@dataclass(frozen=True)
class Question:
    kind: str  # keyed, rating, checkbox (one question), tick (one checkbox option), open
    options: dict[str, str]  # code -> label (rating: str(value) -> label)


@dataclass(frozen=True)
class Export:
    questions: tuple[Question, ...]
    #: Per row: record, event, code cell, email, answers (per question: the imheval answer),
    #: checkbox ticks (per question: ticked codes), status.
    rows: tuple[tuple[str, str, str, str, tuple[str, ...], str], ...]
    labels: bool
    label_headers: bool
    guess: bool


codes_text = st.text(alphabet="abcdefgh0123456789", min_size=1, max_size=3)
open_text = st.text(alphabet="ab ,\"'\n.é", max_size=12)


@st.composite
def questions(draw: st.DrawFn, scored: bool = False) -> Question:
    kinds = ["keyed", "rating", "checkbox", "tick"] + ([] if scored else ["open"])
    kind = draw(st.sampled_from(kinds))
    if kind == "open":
        return Question(kind, {})
    if kind == "tick":
        return Question(kind, {"1": "Ticked", "0": "Not ticked"})
    if kind == "rating":
        low = draw(st.integers(0, 2))
        high = draw(st.integers(low + 1, low + 6))
        return Question(kind, {str(v): f"Point {v}" for v in range(low, high + 1)})
    codes = draw(st.lists(codes_text, min_size=2, max_size=5, unique_by=str.casefold))
    return Question(kind, {code: f"Choice {code.upper()}!" for code in codes})


@st.composite
def exports(draw: st.DrawFn) -> Export:
    # The first question is scored: an instrument needs a scored item in its domain.
    qs = (draw(questions(scored=True)), *draw(st.lists(questions(), max_size=4)))
    records = draw(st.integers(1, 6))
    rows = []
    for record in range(1, records + 1):
        code = draw(st.text(alphabet="ABCZ019", min_size=1, max_size=5))
        for event in draw(st.lists(st.sampled_from(list(EVENTS)), max_size=4)):
            answers = []
            for q in qs:
                if q.kind == "open":
                    answers.append(draw(open_text))
                elif q.kind == "tick":
                    answers.append(draw(st.sampled_from(["", "0", "1"])))
                elif q.kind == "checkbox":
                    ticked = draw(
                        st.lists(st.sampled_from(list(q.options)), max_size=2, unique=True)
                    )
                    answers.append(";".join(c for c in q.options if c in ticked))
                else:
                    answers.append(draw(st.sampled_from(["", *q.options])))
            carries = draw(st.booleans())
            status = draw(st.sampled_from(["", "0", "1", "2", "2"]))
            rows.append(
                (
                    str(record),
                    event,
                    code if carries else "",
                    f"person{record}@example.org",
                    tuple(answers),
                    status,
                )
            )
    return Export(
        questions=qs,
        rows=tuple(rows),
        labels=draw(st.booleans()),
        label_headers=draw(st.booleans()),
        guess=draw(st.booleans()),
    )


def structure_of(export: Export) -> InstrumentImport:
    items: list[dict[str, object]] = []
    answers = []
    scales = {}
    for number, q in enumerate(export.questions, start=1):
        item_id, source, text = f"q{number}", f"fld_{number}", f"Question {number} text?"
        codes = {code: code for code in q.options} | {
            label: code for code, label in q.options.items()
        }
        if q.kind == "open":
            items.append({"kind": "open", "id": item_id, "text": text})
            answers.append(AnswerMap(item=item_id, source=source))
        elif q.kind == "tick":
            # As the dictionary reader builds a checkbox option: "<field label>: <option>".
            items.append(
                {
                    "kind": "keyed",
                    "id": item_id,
                    "domain": "d",
                    "text": f"{text}: Option {number}",
                    "options": q.options,
                    "key": ["1"],
                }
            )
            codes |= {"Checked": "1", "Unchecked": "0"}
            columns = (f"{source}___opt",)
            answers.append(AnswerMap(item=item_id, source=source, codes=codes, columns=columns))
        elif q.kind == "rating":
            values = [int(v) for v in q.options]
            scale = f"scale_{number}"
            scales[scale] = {
                "min": min(values),
                "max": max(values),
                "labels": {int(v): label for v, label in q.options.items()},
            }
            items.append(
                {"kind": "rating", "id": item_id, "domain": "d", "text": text, "scale": scale}
            )
            answers.append(AnswerMap(item=item_id, source=source, codes=codes))
        else:
            items.append(
                {
                    "kind": "keyed",
                    "id": item_id,
                    "domain": "d",
                    "text": text,
                    "options": q.options,
                    "key": [next(iter(q.options))],
                }
            )
            columns = (
                tuple(f"{source}___{code}" for code in q.options) if q.kind == "checkbox" else ()
            )
            answers.append(AnswerMap(item=item_id, source=source, codes=codes, columns=columns))
    instrument = Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "generated",
            "version": "1.0.0",
            "title": "Generated",
            "levels": ["beginner"],
            "domains": [{"id": "d", "label": "D"}],
            "scales": scales,
            "items": items,
        }
    )
    return InstrumentImport(
        instrument=instrument,
        system=System.REDCAP,
        answers=tuple(answers),
        code_field="own_code",
    )


def csv_of(export: Export) -> bytes:
    lh = export.label_headers
    header = ["Record ID" if lh else "record_id", "Event Name" if lh else "redcap_event_name"]
    header += ["E-mail" if lh else "email", "Your own code" if lh else "own_code"]
    for number, q in enumerate(export.questions, start=1):
        text = f"Question {number} text?"
        if q.kind == "tick":
            header.append(f"{text} (choice=Option {number})" if lh else f"fld_{number}___opt")
        elif q.kind == "checkbox":
            header += [
                f"{text} (choice={label})" if lh else f"fld_{number}___{code}"
                for code, label in q.options.items()
            ]
        else:
            header.append(text if lh else f"fld_{number}")
    header.append("Complete?" if lh else "generated_complete")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for record, event, code, email, answers, status in export.rows:
        cells = [record, EVENTS[event][0] if export.labels else event, email, code]
        for q, answer in zip(export.questions, answers, strict=True):
            if q.kind == "tick" and export.labels and answer:
                cells.append("Checked" if answer == "1" else "Unchecked")
            elif q.kind == "checkbox":
                ticked = answer.split(";") if answer else []
                for option in q.options:
                    on = option in ticked
                    cells.append(
                        ("Checked" if on else "Unchecked")
                        if export.labels
                        else ("1" if on else "0")
                    )
            elif q.kind == "open" or not answer or not export.labels:
                cells.append(answer)
            else:
                cells.append(q.options[answer])
        cells.append(STATUS_LABELS[status] if export.labels else status)
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def answers_something(
    questions: tuple[Question, ...], answers: tuple[str, ...] | list[str]
) -> bool:
    """Whether a row answers anything: an unticked checkbox option is no answer."""
    return any(
        a.strip() and (q.kind != "tick" or a == "1")
        for q, a in zip(questions, answers, strict=True)
    )


def expected_rows(export: Export) -> tuple[list[list[str]], list[int], bool]:
    """The frame rows the export should give, their spreadsheet row numbers, and whether any
    answering row has a timepoint (else the import is refused)."""
    codes: dict[str, set[str]] = {}
    for record, _, code, *_ in export.rows:
        if code:
            codes.setdefault(record, set()).add(code)
    frame, numbers, any_mapped = [], [], False
    for number, (record, event, code, _, answers, status) in enumerate(export.rows, start=2):
        answered = [
            a if q.kind == "open" and a.strip() else a.strip()
            for q, a in zip(export.questions, answers, strict=True)
        ]
        if not answers_something(export.questions, answered):
            continue
        timepoint = EVENTS[event][1]
        if timepoint is None:
            continue
        any_mapped = True
        if status in ("0", "1"):
            continue
        found = code or (next(iter(codes[record])) if len(codes.get(record, ())) == 1 else "")
        if not found:
            continue
        frame.append([found, timepoint, *answered])
        numbers.append(number)
    return frame, numbers, any_mapped


@settings(max_examples=150, deadline=None)
@given(exports())
def test_the_frame_holds_exactly_what_was_generated(export: Export) -> None:
    structure = structure_of(export)
    options = ResponseOptions(
        events={} if export.guess else {name: tp for name, (_, tp) in EVENTS.items() if tp}
    )
    if export.labels and not export.guess:
        options = ResponseOptions(events={"pre": "pre", "post": "post", "Follow-up": "followup"})
    source = SourceFile("generated.csv", csv_of(export))
    frame, numbers, any_mapped = expected_rows(export)
    answering = any(
        answers_something(export.questions, answers) for *_, answers, _status in export.rows
    )
    if answering and not any_mapped:
        try:
            read_records([source], structure, options)
        except DataFormatError as error:
            assert "no event's name says its timepoint" in str(
                error
            ) or "none of the events" in str(error)
            return
        raise AssertionError("an export whose answering rows map to no timepoint was read")
    result = read_records([source], structure, options)
    tally(f"rows kept: {min(len(frame), 5)}{'+' if len(frame) >= 5 else ''}")
    tally(f"left out: {'some' if result.left_out else 'none'}")
    item_ids = [f"q{n}" for n in range(1, len(export.questions) + 1)]
    assert result.frame[["participant", "timepoint", *item_ids]].values.tolist() == frame
    assert [row for _, row in result.origins] == numbers
    assert result.frame["cohort"].tolist() == [""] * len(frame)
    assert "email" in [d.casefold().replace("-", "") for d in result.dropped]
    assert "example.org" not in result.frame.to_csv()
    assert all(flag in (True, None) for flag in result.complete)
    assert len(result.complete) == len(frame)
