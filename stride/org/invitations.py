"""Invitations: a new person's e-mail with a link to set their password and sign in.

Invariant: a person is invited at most once, ever, and only while the invitation can still
be used. ``invitations_record`` records one outbox row per person under the key
``org-invite`` (``Delivery``'s unique (person, key) keeps a re-import, or a second import
racing this one, from inviting anyone twice) and queues the sending after commit. When the
worker's turn comes, ``invitation_messages`` skips anyone who no longer needs the link: the
login has a password by then, was turned off, or the person left.

The link is allauth's password-reset link (``/accounts/password/reset/key/…``) with a token
made when the message is rendered: it stops working once the password is set (the token
hashes the password) and after ``PASSWORD_RESET_TIMEOUT``; "Forgot your password?" on the
sign-in page sends a fresh one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from allauth.account import app_settings as allauth_settings
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from stride.notify.models import Delivery
from stride.notify.outbox import deliveries_enqueue_on_commit, deliveries_record
from stride.org.models import Person, User

KEY = "org-invite"


def invitations_record(*, person_ids: Sequence[int], now: datetime | None = None) -> list[int]:
    """Record an invitation for each person not invited before and queue them after commit;
    return the ids of the deliveries this call recorded. Call inside the import's
    transaction, so the invitations exist exactly when the people do."""
    delivery_ids = deliveries_record(
        person_keys=[(pk, KEY) for pk in person_ids], now=now or timezone.now()
    )
    deliveries_enqueue_on_commit(delivery_ids)
    return delivery_ids


def invitation_url(user: User) -> str:
    """The absolute link that lets ``user`` choose a password (and so sign in)."""
    token = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": token},
    )
    return settings.SITE_URL + path


def invitation_messages(deliveries: Sequence[Delivery]) -> dict[int, EmailMessage | None]:
    """The invitation for each pending delivery, or None when it is no longer wanted. One
    query for the whole batch (the people come with the deliveries)."""
    users = {
        user.pk: user for user in User.objects.filter(person__in=[d.person_id for d in deliveries])
    }
    messages: dict[int, EmailMessage | None] = {}
    for delivery in deliveries:
        person = delivery.person
        user = users.get(person.user_id) if person.user_id else None
        wanted = (
            user is not None
            and user.is_active
            and not user.has_usable_password()
            and person.status != Person.Status.LEFT
        )
        messages[delivery.pk] = invitation_message(person, user) if wanted and user else None
    return messages


def invitation_message(person: Person, user: User) -> EmailMessage:
    context = {
        "person": person,
        "url": invitation_url(user),
        "login_url": settings.SITE_URL + reverse("account_login"),
        "site_url": settings.SITE_URL,
    }
    # People have no language of their own yet: the deployment's language is theirs.
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("org/email/invitation_subject.txt", context).split())
        body = render_to_string("org/email/invitation.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])
