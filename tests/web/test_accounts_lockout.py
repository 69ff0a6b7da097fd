"""One lockout for every sign-in path: our sign-in page and the Django admin's.

The attack: five wrong passwords on /admin/login/, then the right one. Before the lockout moved
into the authentication backend, the admin's sign-in neither counted failures nor refused a
locked user name, so a superuser's password could be guessed without limit.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import PASSWORD, Workspace
from django.test import Client
from django.urls import clear_url_caches

from imheval.web.organisations.models import FailedLogin


@pytest.fixture
def admin_site(settings: Any, workspace: Workspace) -> Iterator[Any]:
    """The Django admin mounted (IMHEVAL_ADMIN on), and a superuser who may use it."""
    from django.contrib.auth import get_user_model

    import imheval.web.urls

    settings.IMHEVAL_ADMIN = True
    importlib.reload(imheval.web.urls)
    clear_url_caches()
    root = get_user_model().objects.create_user(
        username="root-north", password=PASSWORD, is_staff=True, is_superuser=True
    )
    yield root
    settings.IMHEVAL_ADMIN = False
    importlib.reload(imheval.web.urls)
    clear_url_caches()


def _admin_sign_in(client: Client, username: str, password: str) -> Any:
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_admin_sign_in_refuses_the_right_password_after_five_failures(admin_site: Any) -> None:
    client = Client()
    for _ in range(5):
        response = _admin_sign_in(client, "root-north", "wrong guess")
        assert response.status_code == 200
    assert FailedLogin.objects.filter(username="root-north").count() == 5
    response = _admin_sign_in(client, "root-north", PASSWORD)
    assert response.status_code == 200  # the form again, not the redirect into the admin
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to sign in


def test_admin_sign_in_still_works_before_the_lock(admin_site: Any) -> None:
    client = Client()
    _admin_sign_in(client, "root-north", "wrong guess")
    response = _admin_sign_in(client, "root-north", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(admin_site.pk)
    assert not FailedLogin.objects.filter(username="root-north").exists()


def test_failures_on_the_admin_sign_in_lock_our_sign_in_page(admin_site: Any) -> None:
    client = Client()
    for _ in range(3):
        _admin_sign_in(client, "root-north", "wrong guess")
    for _ in range(2):
        client.post("/sign-in/", {"username": "root-north", "password": "wrong guess"})
    response = client.post("/sign-in/", {"username": "root-north", "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_on_our_sign_in_page_lock_the_admin_sign_in(admin_site: Any) -> None:
    client = Client()
    for _ in range(5):
        client.post("/sign-in/", {"username": "root-north", "password": "wrong guess"})
    response = _admin_sign_in(client, "root-north", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_client_login_goes_through_the_same_lock(workspace: Workspace) -> None:
    """Any caller of authenticate() (here the test client's login) meets the same lock."""
    client = Client()
    for _ in range(5):
        assert not client.login(username="viewer-north", password="wrong guess")
    assert not client.login(username="viewer-north", password=PASSWORD)


def test_attempts_while_locked_do_not_extend_the_lock(workspace: Workspace) -> None:
    client = Client()
    for _ in range(8):
        client.post("/sign-in/", {"username": "viewer-north", "password": "wrong guess"})
    assert FailedLogin.objects.filter(username="viewer-north").count() == 5


def test_the_admin_is_not_mounted_unless_turned_on(workspace: Workspace) -> None:
    """In the test settings (like every deployment without IMHEVAL_ADMIN=1), /admin/ is 404."""
    client = Client()
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
    assert client.post("/admin/login/", {"username": "a", "password": "b"}).status_code == 404


def _status_in_production(path: str, tmp_path: Any, **env: str) -> str:
    """The status of ``path`` (over HTTPS) from a fresh process with the production settings."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        f"print(Client().get({path!r}, secure=True).status_code)\n"
    )
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("IMHEVAL_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "imheval.web.settings",
        "IMHEVAL_DATA_DIR": str(tmp_path),
        "IMHEVAL_ALLOWED_HOSTS": "testserver",
        **env,
    }
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def test_production_serves_no_admin_by_default(tmp_path: Any) -> None:
    assert _status_in_production("/admin/login/", tmp_path) == "404"


def test_production_serves_the_admin_when_turned_on(tmp_path: Any) -> None:
    assert _status_in_production("/admin/login/", tmp_path, IMHEVAL_ADMIN="1") == "200"
