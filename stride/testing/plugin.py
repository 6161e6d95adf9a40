"""The pytest fixtures every test may ask for, loaded by the root ``conftest.py``.

``cast``   the named cast (``stride.testing.cast``), built in a fresh database.
``clock``  the frozen clock at ``stride.testing.clock.NOW`` (Wednesday 25 November 2026,
           12:00 UTC); move it with ``clock.move_to(...)`` / ``clock.shift(...)``.
           A test (or a module, with ``pytestmark``) marked ``@pytest.mark.clock`` runs on
           the frozen clock without asking for it; ``@pytest.mark.clock(moment)`` starts it
           at ``moment`` instead.
``world``  the cast with public, team and private objectives, a shared check-in and a token
           (``stride.testing.world``), built at the frozen time.
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from stride.testing.cast import Cast, build_cast
from stride.testing.clock import Clock
from stride.testing.world import World, build_world


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests that are not about hashing need not pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> None:
    # Rate-limit counters live in the cache; each test starts with none.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


@pytest.fixture
def clock(time_machine: time_machine.TimeMachineFixture) -> Clock:
    return Clock(time_machine)


@pytest.fixture(autouse=True)
def _clock_from_marker(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        return
    clock: Clock = request.getfixturevalue("clock")
    if marker.args:
        clock.move_to(marker.args[0])


@pytest.fixture
def world(cast: Cast, clock: Clock) -> World:
    return build_world(cast)
