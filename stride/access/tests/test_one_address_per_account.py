"""An account has exactly one e-mail address, set by HR: no page or route lets a signed-in
person add, change, remove or re-verify one (allauth's address pages are closed)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.test import Client

from stride.org.importer import people_import
from stride.testing import PASSWORD, Cast

TARGET = "hr@example.com"


def addresses() -> list[tuple[int, str, bool, bool]]:
    return sorted(EmailAddress.objects.values_list("user_id", "email", "verified", "primary"))


def signed_in_as_peer(cast: Cast) -> Client:
    client = Client()
    client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert "_auth_user_id" in client.session
    # Fresh from a password check, so no route can excuse itself with "re-authenticate".
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return client


ADDRESS_PAGE_POSTS = [
    {"action_add": "", "email": TARGET},
    {"action_add": "", "email": "alice.private@example.net"},
    {"action_primary": "", "email": TARGET},
    {"action_send": "", "email": TARGET},
    {"action_send": "", "email": "alice@example.com"},
    {"action_remove": "", "email": "alice@example.com"},
]


@pytest.mark.parametrize("data", ADDRESS_PAGE_POSTS, ids=lambda d: next(iter(d)))
def test_the_address_page_actions_answer_404_and_change_no_address(
    cast: Cast, data: dict[str, str]
) -> None:
    client = signed_in_as_peer(cast)
    before = addresses()
    assert client.post("/accounts/email/", data).status_code == 404
    assert addresses() == before
    assert not EmailAddress.objects.filter(user__email="alice@example.com", email=TARGET).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/email/",
        "/accounts/confirm-email/",
        "/accounts/confirm-email/some-key/",
        "/accounts/reauthenticate/code/",
        "/accounts/reauthenticate/code/confirm/",
        "/accounts/login/code/confirm/",
        "/accounts/3rdparty/",
    ],
)
def test_address_routes_answer_404_to_a_signed_in_peer(cast: Cast, url: str) -> None:
    client = signed_in_as_peer(cast)
    before = addresses()
    assert client.get(url, follow=True).status_code == 404
    assert client.post(url, {"email": TARGET, "code": "123456"}).status_code == 404
    assert addresses() == before


def test_re_authenticating_on_the_way_to_the_address_page_ends_at_404(cast: Cast) -> None:
    # The password re-authentication page stays (two-factor pages need it); where it
    # leads to is closed.
    client = signed_in_as_peer(cast)
    before = addresses()
    response = client.post(
        "/accounts/reauthenticate/?next=/accounts/email/", {"password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/email/"
    assert response.status_code == 404
    assert addresses() == before


def test_a_left_over_unverified_address_cannot_be_confirmed(cast: Cast) -> None:
    # A row added before the pages were closed: its confirmation link must not verify it.
    assert cast.alice.user is not None
    stray = EmailAddress.objects.create(
        user=cast.alice.user, email="alice.private@example.net", verified=False, primary=False
    )
    key = EmailConfirmationHMAC(stray).key
    client = signed_in_as_peer(cast)
    assert client.get(f"/accounts/confirm-email/{key}/").status_code == 404
    assert client.post(f"/accounts/confirm-email/{key}/").status_code == 404
    stray.refresh_from_db()
    assert not stray.verified


def test_the_account_menu_links_to_no_address_page(cast: Cast) -> None:
    page = signed_in_as_peer(cast).get("/goals/")
    assert b"/accounts/email/" not in page.content
    assert b"/accounts/3rdparty/" not in page.content


def test_an_address_hr_imports_is_taken_off_any_other_account(cast: Cast) -> None:
    # Before the fix a peer could carry a colleague's address; HR's import wins it back.
    assert cast.alice.user is not None
    EmailAddress.objects.create(
        user=cast.alice.user, email="newhire@example.com", verified=False, primary=False
    )
    report = people_import(
        actor=cast.viewer(cast.hr), file=b"email,name\nnewhire@example.com,New Hire\n"
    )
    assert not report.errors
    owners = EmailAddress.objects.filter(email="newhire@example.com")
    assert [(a.user.email, a.verified, a.primary) for a in owners] == [
        ("newhire@example.com", True, True)
    ]
    assert addresses().count((cast.alice.user.pk, "alice@example.com", True, True)) == 1
    assert not Client().login(email="newhire@example.com", password=PASSWORD)


def test_every_account_holds_exactly_one_verified_address(cast: Cast) -> None:
    rows = addresses()
    assert len(rows) == len(cast.members)
    assert all(verified and primary for _user, _email, verified, primary in rows)
