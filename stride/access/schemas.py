"""Input schemas of the access operations: one per write, used by the API and the pages."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field

from stride.lib.fields import ShortName

Scope = Literal["read", "write"]


class TokenCreate(Schema):
    """A new personal access token of the signed-in person (the Access tokens page)."""

    name: ShortName = Field(default="API client", description="To recognise it later.")
    scope: Scope = Field(default="write", description="read: GET only; write: everything.")


class TokenExchange(TokenCreate):
    """E-mail and password exchanged for a new token (``POST /api/v1/auth/token``)."""

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=4096)
