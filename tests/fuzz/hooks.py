"""Schemathesis hooks for `make fuzz` (loaded through ``hooks`` in schemathesis.toml)."""

from __future__ import annotations

import os
from typing import Any

import schemathesis


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: Any) -> None:
    """Keep the fuzzer's own token alive: revoking it would turn every later request into
    a 401 and test nothing. The revoke operation is still called, on a token the fuzzing
    login does not own (404) or on an id that does not exist."""
    own = os.environ.get("STRIDE_FUZZ_TOKEN_ID")
    if (
        own
        and case.method.upper() == "DELETE"
        and case.path.endswith("/auth/tokens/{token_id}")
        and str((case.path_parameters or {}).get("token_id")) == own
    ):
        case.path_parameters["token_id"] = int(os.environ["STRIDE_FUZZ_SPARE_TOKEN_ID"])
