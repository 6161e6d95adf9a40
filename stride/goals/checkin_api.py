"""API: weekly check-ins and their comments."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["check-ins"])
