"""The training register names staff; the questionnaires are anonymous. They share nothing:
no foreign key joins them, no register module reads the answers, no results page or export
names anyone on the register, and no register page or download shows an answer or a code."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path
from typing import Any

from conftest import client_as
from django.apps import apps
from django.urls import reverse
from test_results_pages import answers, matched_people, respond

import imheval.web
from imheval.web.workforce.models import EarlierTraining, SessionAttendance, Trainee

WEB = Path(imheval.web.__file__).parent
REGISTER_MODELS = (Trainee, SessionAttendance, EarlierTraining)
#: Register modules: none may read the questionnaires' tables.
REGISTER_MODULES = ("completion", "register", "register_forms", "register_import", "earlier")
NAMES = ("Zephyrine Quokka", "Barnaby Ostrich-Fell", "E777001")


def _staff(workspace: Any) -> None:
    programme = workspace.programme
    programme.sessions = 4
    programme.save()
    for name in NAMES:
        trainee = Trainee.objects.create(
            cohort=workspace.cohort,
            person=name,
            profession="Health visitor",
            service="0-19 Children's Services",
            employer="Quokka Council" if name.startswith("Z") else "",
        )
        SessionAttendance.objects.bulk_create(
            SessionAttendance(trainee=trainee, session=n, present=True) for n in range(1, 5)
        )
    EarlierTraining.objects.create(
        organisation=workspace.organisation,
        person="Wilhelmina Earlier",
        profession="Midwife",
        service="Maternity",
        level="Skilled",
        completed_on=datetime.date(2024, 6, 30),
    )


def _answers(workspace: Any) -> list[str]:
    codes = matched_people(workspace, 6)
    respond(workspace.pre, "ONLYPRE9", answers(2), profession="Speech therapist")
    return [*codes, "ONLYPRE9"]


def test_no_foreign_key_joins_the_register_and_the_answers() -> None:
    capture = {model for model in apps.get_app_config("capture").get_models()}
    assert capture  # the questionnaires' tables exist
    for model in REGISTER_MODELS:
        related = {f.related_model for f in model._meta.get_fields() if f.is_relation}
        assert not related & capture, model
    for model in capture:
        related = {f.related_model for f in model._meta.get_fields() if f.is_relation}
        assert not related & set(REGISTER_MODELS), model


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_register_modules_do_not_read_the_answers_and_results_do_not_read_the_register() -> None:
    for name in REGISTER_MODULES:
        imported = _imported_modules(WEB / "workforce" / f"{name}.py")
        assert not {m for m in imported if m.startswith("imheval.web.capture")}, name
        assert not {m for m in imported if m.startswith("imheval.web.results")}, name
    for app in ("capture", "results"):
        for path in (WEB / app).rglob("*.py"):
            text = path.read_text()
            for model in REGISTER_MODELS:
                assert model.__name__ not in text, (path, model.__name__)


def test_results_pages_and_exports_name_nobody_on_the_register(workspace: Any) -> None:
    _staff(workspace)
    _answers(workspace)
    client = client_as(workspace.users["evaluator"])
    cohort = workspace.cohort.pk
    pages = {
        "results": client.get(reverse("results:cohort", args=["northern", cohort])),
        "counts": client.get(reverse("results:cohort_counts", args=["northern", cohort])),
        "programme": client.get(
            reverse("results:programme", args=["northern", workspace.programme.pk])
        ),
        "csv": client.get(
            reverse("results:cohort_export", args=["northern", cohort]), {"format": "csv"}
        ),
    }
    for what, response in pages.items():
        assert response.status_code == 200, what
        text = response.content.decode("utf-8-sig")
        assert "P00XY" in text or what != "csv"  # the export does carry the codes
        for name in (*NAMES, "Wilhelmina Earlier", "Quokka Council"):
            assert name not in text, (what, name)
        assert "Training register" not in text, what


def test_register_pages_and_downloads_show_no_answer_or_code(workspace: Any) -> None:
    _staff(workspace)
    codes = _answers(workspace)
    client = client_as(workspace.users["admin"])
    org = {"org": "northern"}
    cohort = {**org, "cohort": workspace.cohort.pk}
    trainee = Trainee.objects.get(person=NAMES[0]).pk
    responses = {
        "register": client.get(reverse("workforce:register", kwargs=cohort)),
        "csv": client.get(
            reverse("workforce:register_download", kwargs={**cohort, "file_format": "csv"})
        ),
        "import": client.get(reverse("workforce:register_import", kwargs=cohort)),
        "completion": client.get(
            reverse("workforce:register_completion", kwargs={**cohort, "trainee": trainee})
        ),
        "earlier": client.get(reverse("workforce:earlier", kwargs=org)),
    }
    register = responses["register"].content.decode()
    assert all(name in register for name in NAMES)  # the register does show its people
    for what, response in responses.items():
        assert response.status_code == 200, what
        text = response.content.decode("utf-8-sig")
        for code in codes:
            assert code not in text, (what, code)
        for answered in ("Social worker", "Speech therapist"):  # the answers' professions
            assert answered not in text, (what, answered)
        assert "K1" not in text and "imh-core" not in text, what
