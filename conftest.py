"""Root of the test suite: loads the shared fixtures (``cast``, ``clock``, ``world`` and the
autouse settings) from ``stride.testing.plugin``. Builders and the cast live in
``stride.testing``; import them from there.

``Cast`` and ``PASSWORD`` are also importable from here for tests written before
``stride.testing`` existed (``from conftest import Cast``); new tests import from
``stride.testing``.
"""

from stride.testing.cast import PASSWORD, Cast, build_cast

pytest_plugins = ["stride.testing.plugin"]

__all__ = ["PASSWORD", "Cast", "build_cast"]
