"""Every answer says how long Stride took to produce it (``Server-Timing: app;dur=…``), the
figure browsers show in their developer tools and ``stride bench`` collects under load."""

from __future__ import annotations

import re
import time

import pytest
from django.http import HttpResponseBase
from django.test import Client

from stride.testing import Cast

TIMING = re.compile(r"^app;dur=(\d+\.\d)$")


def _server_ms(response: HttpResponseBase) -> float:
    match = TIMING.match(response["Server-Timing"])
    assert match, response["Server-Timing"]
    return float(match.group(1))


@pytest.mark.parametrize("url", ["/goals/", "/team/", "/api/v1/me", "/no-such-page/"])
def test_a_signed_in_page_and_the_api_say_how_long_the_server_took(cast: Cast, url: str) -> None:
    client = cast.client(cast.manager)
    started = time.perf_counter()
    response = client.get(url)
    client_ms = (time.perf_counter() - started) * 1000
    # The server's own time: more than nothing, and no more than the caller waited.
    assert 0 < _server_ms(response) <= client_ms


def test_the_health_check_and_the_login_page_carry_it_too(db: None) -> None:
    for url in ("/healthz", "/accounts/login/"):
        assert _server_ms(Client().get(url)) >= 0
