from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from stride.notify.models import Delivery
from stride.notify.tests.conftest import CaptureCallbacks
from stride.org.importer import people_import
from stride.org.models import User
from stride.org.tests.hr_files import HR_ROWS, as_csv
from stride.testing import Cast

NEW_PASSWORD = "a long new password for pat"


def import_hr_file(cast: Cast, captured: CaptureCallbacks, *, invite: bool = True) -> None:
    with captured(execute=True):
        report = people_import(actor=cast.viewer(cast.hr), file=as_csv(HR_ROWS), invite=invite)
    assert report.ok, report.errors


def link_in(body: str) -> str:
    match = re.search(r"(https?://\S+)(/accounts/password/reset/key/\S+)", body)
    assert match, body
    return match.group(2)


def test_the_invitation_link_lets_the_person_set_a_password_and_sign_in(
    cast: Cast, settings: object, immediate_tasks: None,
    django_capture_on_commit_callbacks: CaptureCallbacks,
) -> None:  # fmt: skip
    settings.SITE_URL = "http://stride.acme.test:8123"  # type: ignore[attr-defined]
    import_hr_file(cast, django_capture_on_commit_callbacks)

    message = next(m for m in mail.outbox if m.to == ["pat@acme.test"])
    assert "invited to Stride" in message.subject
    body = str(message.body)
    assert "http://stride.acme.test:8123/accounts/password/reset/key/" in body
    client = Client()
    form_page = client.get(link_in(body), follow=True)
    assert b"Choose a new password" in form_page.content
    client.post(
        str(form_page.request["PATH_INFO"]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    signed_in = Client()
    response = signed_in.post(
        "/accounts/login/", {"login": "pat@acme.test", "password": NEW_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/goals/"
    # Used once: the link no longer sets a password.
    again = Client().get(link_in(body), follow=True)
    assert b"This link no longer works" in again.content


def test_nobody_is_invited_twice_and_nobody_with_a_password_is_invited(
    cast: Cast, immediate_tasks: None, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = people_import(actor=cast.viewer(cast.hr), file=as_csv(HR_ROWS), invite=True)
    assert [c.email for c in report.invited] == [
        "casey@acme.test",
        "lee@acme.test",
        "pat@acme.test",
    ]
    # Lee sets a password (by "Forgot your password?") before the worker's turn comes.
    lee = User.objects.get(email="lee@acme.test")
    lee.set_password(NEW_PASSWORD)
    lee.save()
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["casey@acme.test", "pat@acme.test"]

    import_hr_file(cast, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(key="org-invite").count() == 3


def test_no_invitations_when_asked_for_none(
    cast: Cast, immediate_tasks: None, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    import_hr_file(cast, django_capture_on_commit_callbacks, invite=False)
    assert mail.outbox == []
    assert not Delivery.objects.exists()
