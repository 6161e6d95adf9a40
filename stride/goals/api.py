"""API: objectives, key results and their updates, weekly check-ins and comments."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["goals"])
