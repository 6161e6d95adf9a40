"""The demo's e-mail backend: every message is kept in a file, and the terminal gets one
line saying who it was for and what it was about.

``stride demo`` chooses it for the web server and the worker it starts. The whole message
(with its links) is in ``EMAIL_FILE_PATH`` (``var/mail/`` by default), so a screen of mail
bodies never scrolls away the table of logins, and the messages can still be opened."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends import filebased

log = logging.getLogger("stride.demo.mail")


class EmailBackend(filebased.EmailBackend):
    """Django's file backend, plus one log line per message it wrote."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = int(super().send_messages(email_messages) or 0)
        # The file backend writes a connection's messages, in order, into one file.
        where = self._get_filename()  # type: ignore[attr-defined]  # Django API, not in stubs
        for message in email_messages[:sent]:
            log.info(
                "E-mail to %s: %s (%s)", ", ".join(message.recipients()), message.subject, where
            )
        return sent
