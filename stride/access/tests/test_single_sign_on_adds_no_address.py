"""Single sign-on against a real (small, local) OpenID Connect provider: it logs in the
person whose HR address the provider reports, and its "connect" flow — tying a provider
account to the signed-in login — is closed, so it cannot bring in another address."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from stride.testing import PASSWORD, Cast

if TYPE_CHECKING:
    from pytest_django.fixtures import Settings

# One port per test worker, inside the range this project's tests may use.
PORT = 18240 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


class IdentityProvider:
    """Discovery, token and userinfo endpoints; the person it reports is set per test."""

    def __init__(self) -> None:
        self.userinfo: dict[str, Any] = {}
        self.base = f"http://127.0.0.1:{PORT}"
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.startswith("/.well-known/openid-configuration"):
                    self._json(
                        {
                            "issuer": provider.base,
                            "authorization_endpoint": f"{provider.base}/authorize",
                            "token_endpoint": f"{provider.base}/token",
                            "userinfo_endpoint": f"{provider.base}/userinfo",
                            "token_endpoint_auth_methods_supported": ["client_secret_post"],
                        }
                    )
                elif self.path.startswith("/userinfo"):
                    self._json(provider.userinfo)
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self._json({"access_token": "opaque", "token_type": "Bearer", "expires_in": 60})

        self.server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> IdentityProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def idp(settings: Settings) -> Iterator[IdentityProvider]:
    with IdentityProvider() as provider:
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": "sso",
                        "name": "Acme Login",
                        "client_id": "stride",
                        "secret": "shh",
                        "settings": {"server_url": provider.base},
                    }
                ]
            }
        }
        yield provider


def through_the_provider(client: Client, process: str) -> Any:
    """Press the SSO button (with ``process``), then come back from the provider."""
    start = client.post(f"/accounts/oidc/sso/login/?process={process}")
    assert start.status_code == 302, start.content[:500]
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    return client.get("/accounts/oidc/sso/login/callback/", {"code": "abc", "state": state})


def addresses() -> list[tuple[str, str, bool]]:
    return sorted(EmailAddress.objects.values_list("user__email", "email", "verified"))


def test_single_sign_on_logs_in_the_person_with_that_hr_address(
    cast: Cast, idp: IdentityProvider
) -> None:
    idp.userinfo = {"sub": "alice-at-idp", "email": "alice@example.com", "email_verified": True}
    client = Client()
    response = through_the_provider(client, "login")
    assert response.status_code == 302
    assert str(cast.alice.user_id) == client.session["_auth_user_id"]


@pytest.mark.parametrize("reported", ["hr@example.com", "alice.private@example.net"])
def test_connecting_a_provider_account_is_closed_and_adds_no_address(
    cast: Cast, idp: IdentityProvider, reported: str
) -> None:
    idp.userinfo = {"sub": f"idp-{reported}", "email": reported, "email_verified": True}
    client = Client()
    client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    before = addresses()
    response = through_the_provider(client, "connect")
    assert response.status_code == 404
    assert addresses() == before
    assert not SocialAccount.objects.exists()
    # Still signed in as Alice, and only as Alice.
    assert client.session["_auth_user_id"] == str(cast.alice.user_id)
