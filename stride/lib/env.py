"""Typed readers for settings that come from the environment.

Each helper fails loudly with the variable's name when its value cannot be read, so a
misconfigured deployment stops at start-up instead of running with a silent default.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Sequence


class ConfigError(RuntimeError):
    """An environment variable holds a value Stride cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of true/false/1/0/yes/no, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: Sequence[str]) -> str:
    """One of ``choices`` (compared without regard to case), returned as spelled there."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    for choice in choices:
        if raw.strip().lower() == choice.lower():
            return choice
    raise ConfigError(f"{name} must be one of {'/'.join(choices)}, not {raw!r}")


def env_zone(name: str, default: str) -> str:
    """An IANA time zone name such as ``Europe/Berlin``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        zoneinfo.ZoneInfo(raw.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{name} must be an IANA time zone name such as Europe/Berlin, not {raw!r}"
        ) from None
    return raw.strip()
