"""allauth adapters and hooks: Stride accounts come from the people directory, never from
sign-up, and each has exactly one e-mail address, the one HR set."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator as DjangoTokenGenerator
from django.http import Http404, HttpRequest
from django.views.defaults import page_not_found


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People are created by HR (import or admin); an open sign-up form would let anyone
        # with the URL into the organisation's data.
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        # "Connect" ties an identity-provider account to the signed-in login whatever
        # address it carries. Stride matches single sign-on to accounts by HR's address
        # only (SOCIALACCOUNT_EMAIL_AUTHENTICATION), so the connect flow is closed like
        # the connections page (stride/urls.py).
        if sociallogin.state.get("process") == "connect":
            raise ImmediateHttpResponse(page_not_found(request, Http404()))


class PasswordResetTokenGenerator(DjangoTokenGenerator):
    """allauth's reset token, without the write hidden in it.

    The stock generator "syncs" the login's address while hashing: a login with no address
    row (made by the demo, the admin or an older import) gets a new row marked *unverified*,
    and allauth then refuses to turn on two-factor authentication until that address is
    verified, on a page Stride does not offer. Addresses are set by HR and verified by
    definition, so this generator reads them and writes nothing. The token still changes
    when the address does, as allauth's does.
    """

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        value = super()._make_hash_value(user, timestamp)  # type: ignore[arg-type]
        emails = {str(getattr(user, "email", "") or "")} - {""}
        emails.update(EmailAddress.objects.filter(user_id=user.pk).values_list("email", flat=True))
        return value + "|".join(sorted(emails))
