"""The WSGI application, for ``stride serve`` or any WSGI server (``gunicorn stride.wsgi``)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from stride.lib.env import ConfigError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stride.settings")
try:
    application = get_wsgi_application()
except ConfigError as exc:
    sys.stderr.write(f"stride: {exc}\n")
    # 3 is gunicorn's "worker failed to boot": it stops the whole server instead of
    # restarting the worker forever. Other WSGI servers just see the process exit.
    raise SystemExit(3) from None
