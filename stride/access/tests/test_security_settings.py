"""Security headers and settings a deployment relies on: the health check answers without
the public host name, every page carries a Content-Security-Policy with no inline scripts,
and the documented production environment passes `stride check --deploy` cleanly."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import Client

from stride.testing import Cast

if TYPE_CHECKING:
    from pytest_django.fixtures import Settings

ROOT = Path(__file__).resolve().parents[3]


# --- /healthz ------------------------------------------------------------------------------


@pytest.fixture
def public_name_only(settings: Settings) -> None:
    settings.ALLOWED_HOSTS = ["stride.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize("host", ["10.0.3.17", "10.0.3.17:8000", "localhost", "[::1]:8000"])
def test_the_health_check_answers_a_probe_by_address_over_plain_http(
    db: None, public_name_only: None, host: str
) -> None:
    response = Client().get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert not response.cookies


def test_the_health_check_reveals_nothing_else(db: None, public_name_only: None) -> None:
    response = Client().get("/healthz", HTTP_HOST="10.0.3.17")
    assert response.content == b'{"status": "ok"}'
    assert "Server" not in response and "X-Powered-By" not in response


# Django's own HTML 400 for a foreign host is not an answer of the API's operations.
@pytest.mark.openapi_unchecked
def test_other_paths_still_refuse_an_unknown_host(db: None, public_name_only: None) -> None:
    for path in ("/", "/accounts/login/", "/api/v1/me", "/healthz/", "/healthz/x"):
        response = Client().get(path, HTTP_HOST="10.0.3.17")
        assert response.status_code == 400, path


def test_other_paths_still_redirect_plain_http_to_https(db: None, public_name_only: None) -> None:
    response = Client().get("/accounts/login/", HTTP_HOST="stride.example.com")
    assert response.status_code == 301
    assert response["Location"] == "https://stride.example.com/accounts/login/"


# --- Content-Security-Policy ---------------------------------------------------------------


def directives(header: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def pages_without_parameters() -> list[str]:
    """Every route of the project that takes no parameter: the pages a person can open."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[str] = []

    def walk(patterns: Sequence[object], prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                route = str(entry.pattern)
                if "<" not in route and not route.startswith("^"):
                    walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                route = str(entry.pattern)
                if "<" not in route and not route.startswith("^") and "logout" not in route:
                    found.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


# /healthz is answered before every other middleware, with JSON only (tested above).
PAGES = [
    *(url for url in pages_without_parameters() if url != "/healthz"),
    "/admin/login/",
    "/no-such-page/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_forbids_inline_scripts(cast: Cast, url: str) -> None:
    assert cast.hr.user is not None
    cast.hr.user.is_staff = cast.hr.user.is_superuser = True
    cast.hr.user.save()
    response = cast.client(cast.hr).get(url, follow=True)
    assert response.status_code < 500
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_pages_seen_before_login_carry_the_policy_too(db: None) -> None:
    for url in ("/accounts/login/", "/accounts/password/reset/"):
        assert "script-src 'self'" in Client().get(url)["Content-Security-Policy"]


TEMPLATE_DIRS = [ROOT / "stride"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_holds_an_inline_script_or_event_handler() -> None:
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            if "email" in path.parts:
                continue  # e-mails are not pages; no script runs in them
            text = path.read_text()
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
                offenders += [
                    f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)
                ]
            if "javascript:" in text or "hx-on" in text:
                offenders.append(f"{path.relative_to(ROOT)}: javascript: URL or hx-on")
    assert offenders == []


# --- stride check --deploy -----------------------------------------------------------------


def documented_production_environment() -> dict[str, str]:
    text = (ROOT / "docs" / "configuration.md").read_text()
    marker = text.index("<!-- production-environment")
    block = text[marker:].split("```sh\n", 1)[1].split("```", 1)[0]
    env: dict[str, str] = {}
    for line in block.splitlines():
        name, _, value = line.partition("=")
        env[name.strip()] = value.strip()
    return env


def test_the_documented_production_environment_passes_the_deploy_check(tmp_path: Path) -> None:
    documented = documented_production_environment()
    assert {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "TRUSTED_PROXY_COUNT"} <= set(documented)
    # The docs say to generate the key; a placeholder would (rightly) be flagged.
    documented["SECRET_KEY"] = secrets.token_urlsafe(50)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "STRIDE_DATA_DIR": str(tmp_path / "data"),
        **documented,
    }
    stride = Path(sys.executable).with_name("stride")
    result = subprocess.run(
        [str(stride), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output and "?:" not in output


def test_the_deploy_check_warns_without_the_documented_https_settings(tmp_path: Path) -> None:
    # The same check, with the TLS lines left out, is not clean: the test above means something.
    documented = documented_production_environment()
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        documented.pop(name)
    documented["SECRET_KEY"] = secrets.token_urlsafe(50)
    env = {"PATH": os.environ.get("PATH", ""), "STRIDE_DATA_DIR": str(tmp_path), **documented}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("stride")), "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert "security.W004" in output and "security.W008" in output
