"""Make the demo study's files in REDCap's, LimeSurvey's, FHIR's and Microsoft Forms' formats.

imheval's demo study (:func:`imheval.demo.demo_path`: 154 responses of 85 people in six cohorts,
pre and post) answers two built-in instruments, imh-core@1.0.0 and
imh-advanced-knowledge@1.0.0. Another system captures one questionnaire per project, survey,
Questionnaire or form, so both are written here as ONE instrument, ``imh-demo`` (its domains,
scale and items are the two instruments' own, in order; ``imh-demo.yaml``). Scoring them as
one instrument gives exactly the evaluation of scoring them as two; only the evaluation's list
of instruments differs (tests/interop/test_convert_demo.py checks both).

Each system's questionnaire file is what imheval's own writer makes of ``imh-demo``
(``imheval instruments export imh-demo.yaml --to ...``); the responses are the demo's answers
written as that system exports them, found in the questionnaire file itself (the field names,
question codes, linkIds and answer codes it declares), not through imheval's readers:

- ``redcap/``: the data dictionary, with four text fields an organisation would add (cohort,
  programme, directorate, profession); a longitudinal "raw data" record export (one record per
  code, events ``pre_arm_1`` and ``post_arm_1``, ``<form>_complete`` = 2, the record id and an
  ``email`` column that the import must drop); and the same as two anonymous survey exports, one
  per timepoint (``records-pre.csv``, ``records-post.csv``);
- ``limesurvey/``: the .lss and a response export with question-code headings and answer codes
  (``id, submitdate, lastpage, startlanguage, seed, startdate, datestamp, ipaddr``, then the
  questions), the timepoint in the ``timepoint`` question;
- ``fhir/``: the Questionnaire and one Bundle (collection) of QuestionnaireResponses, answers as
  ``valueCoding`` codes, the code and timepoint in their items, cohort, programme, directorate
  and profession as string items of those names;
- ``msforms/``: one Excel download per timepoint (``pre.xlsx``, ``post.xlsx``), Forms' metadata
  block first (ID, Start time, Completion time, Email "anonymous", Name blank, Last modified
  time), then a question per column headed by its text, answers as option LABELS (rating
  answers as the scale's labels), the code, cohort, programme, directorate and profession as
  questions. Forms has no questionnaire file: it is read with ``imh-demo.yaml`` (the inference
  from answers cannot reproduce options nobody chose, nor tell an invalid answer from an option).

The demo's untidy answers are kept as given in every format (two invalid answers, "b,c" and
"x"; blanks; a code typed in lower case), so the conversion must carry them as imheval's own
reader would. Run from the repository root to regenerate after the demo or a writer changes:

    python3 tests/interop/data/demo/make_demo_fixtures.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from lxml import etree
from openpyxl import Workbook

from imheval.demo import demo_instruments, demo_path
from imheval.instruments import Instrument, KeyedItem, OpenItem, RatingItem
from imheval.instruments.writer import instrument_to_yaml
from imheval.interop.convert import export_instrument
from imheval.interop.model import System
from imheval.io.csvsafe import neutralise_row, restore_cell

HERE = Path(__file__).resolve().parent
#: Reserved columns of the tidy layout that another system holds as questions or fields.
CONTEXT = ("cohort", "programme", "directorate", "profession")
#: The start of the demo's (made-up) training days: times in the exports count from here.
START = dt.datetime(2025, 3, 4, 9, 0, 0)

Row = dict[str, str]


def demo_instrument() -> Instrument:
    """The two demo instruments as one: ``imh-demo`` 1.0.0."""
    core, advanced = demo_instruments()
    merged = core.model_dump(by_alias=True)
    extra = advanced.model_dump(by_alias=True)
    merged.update(
        id="imh-demo",
        title="imheval demo study: core and advanced knowledge",
        description="imh-core 1.0.0 and imh-advanced-knowledge 1.0.0 as one questionnaire, as "
        "another system captures them.",
        domains=merged["domains"] + extra["domains"],
        scales={**merged["scales"], **extra["scales"]},
        items=merged["items"] + extra["items"],
    )
    return Instrument.model_validate(merged)


def demo_rows() -> list[Row]:
    """The demo responses as text, as the packaged CSV holds them (formula guard taken off)."""
    with demo_path().open(encoding="utf-8", newline="") as handle:
        return [{k: restore_cell(v) for k, v in row.items()} for row in csv.DictReader(handle)]


def when(number: int, minutes: int = 0) -> dt.datetime:
    """A made-up time for the response numbered ``number``."""
    return START + dt.timedelta(minutes=7 * number + minutes)


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def csv_text(header: Sequence[str], rows: Iterator[Sequence[object]] | list[list[str]]) -> str:
    """CSV as REDCap and LimeSurvey write it: every cell quoted where needed, LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(neutralise_row(row))
    return buffer.getvalue()


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    print(f"wrote {path.relative_to(HERE)} ({path.stat().st_size:,} bytes)")


# ---------------------------------------------------------------------------------------------
# REDCap


def redcap(instrument: Instrument, rows: list[Row]) -> None:
    exported = export_instrument(instrument, System.REDCAP).data
    bom = "\ufeff" if exported.startswith(b"\xef\xbb\xbf") else ""
    dictionary = exported.decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(dictionary, newline="")))
    header, fields = records[0], records[1:]
    name_at = header.index("Variable / Field Name")
    form_at = header.index("Form Name")
    type_at = header.index("Field Type")
    choices_at = header.index("Choices, Calculations, OR Slider Labels")
    form = fields[0][form_at]
    # The organisation's own fields for the tidy layout's context, after the code field.
    code_at = next(n for n, f in enumerate(fields) if f[type_at] == "text" and "code" in f[name_at])
    added = []
    for name in CONTEXT:
        field = [""] * len(header)
        field[name_at], field[form_at], field[type_at] = name, form, "text"
        field[header.index("Field Label")] = name.capitalize()
        added.append(field)
    fields = fields[: code_at + 1] + added + fields[code_at + 1 :]
    write(HERE / "redcap" / "imh-demo-dictionary.csv", bom + csv_text(header, iter(fields)))

    code_field = fields[code_at][name_at]
    field_of, raw_of = _redcap_fields(instrument, fields, name_at, type_at, choices_at)
    columns = [code_field, *CONTEXT, *field_of.values()]

    def answers(row: Row) -> list[str]:
        values = [row["participant"], *(row[c] for c in CONTEXT)]
        for item in instrument.items:
            given = row[item.id]
            values.append(raw_of[item.id].get(given, given))
        return values

    # One project, one record per code, an event per timepoint.
    record_ids: dict[tuple[str, str], int] = {}
    longitudinal = []
    for number, row in enumerate(rows, start=1):
        record = record_ids.setdefault((row["cohort"], row["participant"]), len(record_ids) + 1)
        longitudinal.append(
            [
                str(record),
                f"{row['timepoint']}_arm_1",
                stamp(when(number)),
                f"person{record}@example.org",
                *answers(row),
                "2",
            ]
        )
    longitudinal.sort(key=lambda r: (int(r[0]), r[1] != "pre_arm_1"))
    head = ["record_id", "redcap_event_name", f"{form}_timestamp", "email", *columns]
    head.append(f"{form}_complete")
    write(HERE / "redcap" / "records-longitudinal.csv", csv_text(head, iter(longitudinal)))

    # Two anonymous surveys, pre and post: each numbers its own records.
    for timepoint in ("pre", "post"):
        survey = [
            [str(n), "", stamp(when(n)), *answers(row), "2"]
            for n, row in enumerate((r for r in rows if r["timepoint"] == timepoint), start=1)
        ]
        head = ["record_id", "redcap_survey_identifier", f"{form}_timestamp", *columns]
        head.append(f"{form}_complete")
        write(HERE / "redcap" / f"records-{timepoint}.csv", csv_text(head, iter(survey)))


def _redcap_fields(
    instrument: Instrument,
    fields: list[list[str]],
    name_at: int,
    type_at: int,
    choices_at: int,
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Each item's field name, and its answers' raw codes, from the dictionary's own choices."""
    by_name = {f[name_at].casefold(): f for f in fields}
    field_of: dict[str, str] = {}
    raw_of: dict[str, dict[str, str]] = {}
    for item in instrument.items:
        field = by_name[item.id.casefold()]
        field_of[item.id] = field[name_at]
        choices = [
            (part.split(",", 1)[0].strip(), part.split(",", 1)[1].strip())
            for part in field[choices_at].split("|")
            if "," in part
        ]
        if field[type_at] in ("yesno", "truefalse"):
            choices = [("1", "Yes"), ("0", "No")] if field[type_at] == "yesno" else choices
        raw_of[item.id] = _raw_codes(instrument, item, choices)
    return field_of, raw_of


def _raw_codes(
    instrument: Instrument, item: KeyedItem | RatingItem, choices: list[tuple[str, str]]
) -> dict[str, str]:
    """imheval answer → the system's raw code, matched on the option's (or scale point's)
    label; an answer with no option (an invalid one) is written as given."""
    by_label = {label.casefold(): raw for raw, label in choices}
    if isinstance(item, KeyedItem):
        return {code: by_label[label.casefold()] for code, label in item.options.items()}
    scale = instrument.scales[item.scale]
    raw = {}
    for value in range(scale.min, scale.max + 1):
        label = scale.labels.get(value, str(value))
        raw[str(value)] = by_label.get(label.casefold(), str(value))
    return raw


# ---------------------------------------------------------------------------------------------
# LimeSurvey

_LS_SYSTEM = ("id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp")


def limesurvey(instrument: Instrument, rows: list[Row]) -> None:
    lss = export_instrument(instrument, System.LIMESURVEY).data
    write(HERE / "limesurvey" / "imh-demo.lss", lss)
    survey = _lss_questions(lss)
    code_column = next(
        column for column, (_, text, _) in survey.items() if "code" in text.casefold()
    )
    timepoint_column = next(
        column for column, (title, _, _) in survey.items() if title.casefold() == "timepoint"
    )
    column_of = _lss_item_columns(instrument, survey)
    header = [*_LS_SYSTEM, "ipaddr", code_column, timepoint_column, *CONTEXT]
    header += [column_of[item.id] for item in instrument.items]
    timepoint_codes = {
        label.casefold(): code for code, label in survey[timepoint_column][2].items()
    }
    lines = []
    for number, row in enumerate(rows, start=1):
        started, submitted = when(number), when(number, 4)
        values = [
            str(number), stamp(submitted), "4", "en", str(1000 + number), stamp(started),
            stamp(submitted), f"10.0.0.{number % 250}", row["participant"],
            _lss_timepoint(timepoint_codes, row["timepoint"]),
            *(row[c] for c in CONTEXT),
        ]  # fmt: skip
        for item in instrument.items:
            given = row[item.id]
            answers = survey[column_of[item.id]][2]
            values.append(_raw_codes(instrument, item, list(answers.items())).get(given, given))
        lines.append(values)
    write(HERE / "limesurvey" / "responses-codes.csv", csv_text(header, iter(lines)))


def _lss_timepoint(codes: Mapping[str, str], timepoint: str) -> str:
    for label, code in codes.items():
        if code.casefold() == timepoint or label.startswith(
            {"pre": "before", "post": "after"}.get(timepoint, timepoint)
        ):
            return code
    raise LookupError(timepoint)


def _lss_questions(lss: bytes) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Each response column of the .lss (``Q`` or ``Q[SQ]``): (title, text, answer code →
    label), read from its tables."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(lss, parser)

    def table(name: str) -> list[dict[str, str]]:
        return [
            {child.tag: (child.text or "") for child in row}
            for row in root.findall(f"./{name}/rows/row")
        ]

    texts = {r["qid"]: r.get("question", "") for r in table("question_l10ns")}
    answer_texts = {r["aid"]: r.get("answer", "") for r in table("answer_l10ns")}
    answers: dict[str, dict[str, str]] = {}
    for answer in sorted(table("answers"), key=lambda r: int(r.get("sortorder") or 0)):
        label = answer_texts.get(answer.get("aid", ""), answer.get("answer", ""))
        answers.setdefault(answer["qid"], {})[answer["code"]] = label
    columns: dict[str, tuple[str, str, dict[str, str]]] = {}
    questions = {q["qid"]: q for q in table("questions")}
    parents = {q["parent_qid"] for q in table("subquestions")}
    for qid, question in questions.items():
        text = texts.get(qid, question.get("question", ""))
        options = answers.get(qid, {})
        if question.get("type") == "Y":
            options = {"Y": "Yes", "N": "No"}
        if qid not in parents:
            columns[question["title"]] = (question["title"], text, options)
    for sub in table("subquestions"):
        parent = questions[sub["parent_qid"]]
        text = texts.get(sub["qid"], sub.get("question", ""))
        columns[f"{parent['title']}[{sub['title']}]"] = (
            sub["title"],
            text,
            answers.get(parent["qid"], {}),
        )
    return columns


def _lss_item_columns(
    instrument: Instrument, survey: Mapping[str, tuple[str, str, dict[str, str]]]
) -> dict[str, str]:
    """Each item's response column, matched on its question text."""
    by_text = {text.strip(): column for column, (_, text, _) in survey.items()}
    return {item.id: by_text[item.text.strip()] for item in instrument.items}


# ---------------------------------------------------------------------------------------------
# FHIR


def fhir(instrument: Instrument, rows: list[Row]) -> None:
    text = export_instrument(instrument, System.FHIR).data.decode("utf-8")
    write(HERE / "fhir" / "imh-demo-questionnaire.json", text)
    questionnaire = json.loads(text)
    canonical = f"{questionnaire['url']}|{questionnaire['version']}"
    entries = []
    for number, row in enumerate(rows, start=1):
        response: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "id": f"demo-{number}",
            "questionnaire": canonical,
            "status": "completed",
            "authored": when(number, 4).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "item": _fhir_items(questionnaire["item"], row)
            + [
                {"linkId": name, "answer": [{"valueString": row[name]}]}
                for name in CONTEXT
                if row[name]
            ],
        }
        entries.append({"fullUrl": f"urn:uuid:demo-{number}", "resource": response})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    write(
        HERE / "fhir" / "imh-demo-responses.json",
        json.dumps(bundle, ensure_ascii=False, separators=(",", ":")) + "\n",
    )


def _fhir_items(items: list[dict[str, Any]], row: Row) -> list[dict[str, Any]]:
    """The answered items of one response, nested as the Questionnaire nests them."""
    answered = []
    for item in items:
        link = item["linkId"]
        if item.get("type") == "group":
            inner = _fhir_items(item.get("item", []), row)
            if inner:
                answered.append({"linkId": link, "item": inner})
            continue
        value = row["participant"] if link == "code" else row.get(link, "")
        if not value:
            continue
        if "answerOption" in item:
            answer = {"valueCoding": {"code": value}}
        else:
            answer = {"valueString": value}
        answered.append({"linkId": link, "answer": [answer]})
    return answered


# ---------------------------------------------------------------------------------------------
# Microsoft Forms


def msforms(instrument: Instrument, rows: list[Row]) -> None:
    questions = ["Your self-generated code", *(c.capitalize() for c in CONTEXT)]
    questions += [item.text for item in instrument.questions if not isinstance(item, OpenItem)]
    header = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
    for timepoint in ("pre", "post"):
        book = Workbook()
        sheet = book.active
        sheet.title = "Sheet1"
        sheet.append([*header, *questions])
        chosen = (r for r in rows if r["timepoint"] == timepoint)
        for number, row in enumerate(chosen, start=1):
            started = when(number)
            values: list[object] = [number, started, started + dt.timedelta(minutes=4)]
            values += ["anonymous", None, None, row["participant"]]
            values += [row[c] or None for c in CONTEXT]
            values += [_forms_answer(instrument, item, row[item.id]) for item in instrument.items]
            sheet.append(values)
        book.properties.created = book.properties.modified = START
        buffer = io.BytesIO()
        book.save(buffer)
        write(HERE / "msforms" / f"{timepoint}.xlsx", buffer.getvalue())


def _forms_answer(instrument: Instrument, item: KeyedItem | RatingItem, given: str) -> str | None:
    """What Forms writes for an answer: an option's label, a rating scale's label."""
    if not given:
        return None
    if isinstance(item, KeyedItem):
        return item.options.get(given, given)
    label = instrument.scales[item.scale].labels.get(int(given)) if given.isdigit() else None
    return label or given


def main() -> None:
    instrument = demo_instrument()
    rows = demo_rows()
    write(HERE / "imh-demo.yaml", instrument_to_yaml(instrument))
    for make in (redcap, limesurvey, fhir, msforms):
        try:
            make(instrument, rows)
        except NotImplementedError:
            print(f"skipped {make.__name__}: its writer is not written yet")


if __name__ == "__main__":
    main()
