"""The ``stride`` console script: Django's management commands under one name."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stride.settings")
    from django.core.management import execute_from_command_line

    from stride.lib.env import ConfigError

    try:
        execute_from_command_line([sys.argv[0], *sys.argv[1:]])
    except ConfigError as exc:
        # A bad environment variable is the administrator's to fix, not a bug: one line
        # naming the variable and what it accepts, not the traceback of settings loading.
        sys.stderr.write(f"stride: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
