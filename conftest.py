"""Root of the test suite: loads the shared fixtures (``cast``, ``clock``, ``world`` and the
autouse settings) from ``stride.testing.plugin``, and the check of every /api/v1 answer
against the OpenAPI document from ``tests.openapi_check``. Builders and the cast live in
``stride.testing``; import them from there.

``Cast`` and ``PASSWORD`` are also importable from here for tests written before
``stride.testing`` existed (``from conftest import Cast``); new tests import from
``stride.testing``.
"""

from stride.testing.cast import PASSWORD, Cast, build_cast

pytest_plugins = [
    "stride.testing.plugin",
    "tests.openapi_check",  # every /api/v1 answer checked against the document
]

__all__ = ["PASSWORD", "Cast", "build_cast"]
