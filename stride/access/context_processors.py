from __future__ import annotations

from django.http import HttpRequest


def viewer(request: HttpRequest) -> dict[str, object]:
    return {"viewer": getattr(request, "viewer", None)}
