"""Staff sign in through allauth with a password and a TOTP code; nothing less opens /admin/."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import User

from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.django_db


def _code_for(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def _current_code(user) -> str:
    return _code_for(decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"]))


def test_the_admin_login_form_sends_staff_to_allauth(client):
    response = client.get("/admin/login/?next=/admin/crm/contact/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=%2Fadmin%2Fcrm%2Fcontact%2F" in response["Location"]


# Each test signs in on a fresh ``client`` as the staff member of a role fixture (whose own
# client is already signed in).


def test_password_and_totp_code_open_the_admin(client, sales):
    response = client.post("/accounts/login/", {"login": "sales", "password": STAFF_PASSWORD})
    assert response.status_code == 302
    assert "/2fa/authenticate/" in response["Location"]
    # Half-way (password only) the admin is still closed.
    assert client.get("/admin/").status_code == 302

    response = client.post(response["Location"], {"code": _current_code(sales.user)})
    assert response.status_code == 302

    assert client.get("/admin/").status_code == 200


def test_a_wrong_totp_code_keeps_the_admin_closed(client, sales):
    response = client.post("/accounts/login/", {"login": "sales", "password": STAFF_PASSWORD})

    client.post(response["Location"], {"code": "000000"})

    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert "login" in admin["Location"]
    assert "_auth_user_id" not in client.session


def test_staff_without_an_authenticator_must_set_one_up(client, support):
    Authenticator.objects.filter(user=support.user).delete()
    client.force_login(support.user)

    response = client.get("/admin/crm/contact/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_a_session_without_the_second_factor_is_signed_out(client, support):
    client.force_login(support.user)  # as if the password alone had been enough

    response = client.get("/admin/crm/contact/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_deactivating_a_staff_account_ends_its_session_at_once(sales):
    assert sales.client.get("/admin/crm/contact/").status_code == 200

    sales.user.is_active = False
    sales.user.save()

    response = sales.client.get("/admin/crm/contact/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_reactivating_an_account_does_not_revive_its_old_sessions(sales):
    sales.user.is_active = False
    sales.user.save()
    sales.user.is_active = True
    sales.user.save()

    response = sales.client.get("/admin/crm/contact/")

    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert "_auth_user_id" not in sales.client.session


def test_other_accounts_keep_their_sessions_when_one_is_deactivated(sales, support):
    support.user.is_active = False
    support.user.save()

    assert sales.client.get("/admin/crm/contact/").status_code == 200


def test_after_repeated_wrong_passwords_even_the_right_one_is_refused(client, sales):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "sales", "password": "wrong"})

    response = client.post("/accounts/login/", {"login": "sales", "password": STAFF_PASSWORD})

    assert response.status_code == 200  # the form again, not the next step
    assert "/2fa/" not in response.get("Location", "")
    assert "_auth_user_id" not in client.session


def test_the_sign_in_page_offers_no_sign_up(client):
    page = client.get("/accounts/login/").content.decode()

    assert "/accounts/signup/" not in page
    assert "Henkilökunnan kirjautuminen" in page  # in Finnish, the default


def _refused_after_the_right_password(client) -> bool:
    response = client.post("/accounts/login/", {"login": "sales", "password": STAFF_PASSWORD})
    return response.status_code == 200 and "_auth_user_id" not in client.session


def test_wrong_passwords_count_per_account_however_the_login_is_typed(client, sales):
    """Username, its capitals and the email address reach one account: one counter, five
    guesses in all, not five per spelling."""
    for login in ["sales", "SALES", "sales@staff.example.com", "Sales@Staff.Example.com", "sales"]:
        client.post("/accounts/login/", {"login": login, "password": "wrong"})

    assert _refused_after_the_right_password(client)


def test_wrong_passwords_for_an_unknown_login_lock_out_nobody(client, sales):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "nobody@staff.example.com", "password": "x"})

    response = client.post("/accounts/login/", {"login": "sales", "password": STAFF_PASSWORD})
    assert response.status_code == 302
    assert "/2fa/authenticate/" in response["Location"]


# --- The first sign-in --------------------------------------------------------------------


@pytest.fixture
def newcomer(db):
    """A staff member an administrator has just made: a password, no authenticator yet."""
    return User.objects.create_user(
        username="uusi",
        email="uusi@staff.example.com",
        password=STAFF_PASSWORD,
        is_staff=True,
    )


def _set_up_page(client):
    response = client.post("/accounts/login/", {"login": "uusi", "password": STAFF_PASSWORD})
    assert response["Location"] == "/admin/"
    response = client.get("/admin/")
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    return client.get(response["Location"])


def test_the_first_sign_in_asks_for_the_password_once(client, newcomer):
    page = _set_up_page(client)

    assert page.status_code == 200  # the set-up form itself, not "enter your password again"
    assert "code" in page.context["form"].fields


def test_the_set_up_secret_stays_when_the_page_is_reloaded(client, newcomer):
    first = _set_up_page(client).context["form"].secret

    again = client.get("/accounts/2fa/totp/activate/")

    assert again.context["form"].secret == first
    assert first in again.content.decode()


def test_the_first_sign_in_ends_in_the_admin_still_signed_in(client, newcomer):
    secret = _set_up_page(client).context["form"].secret

    response = client.post("/accounts/2fa/totp/activate/", {"code": _code_for(secret)})

    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    codes = client.get(response["Location"])
    assert codes.status_code == 200
    page = codes.content.decode()
    assert len(codes.context["unused_codes"]) >= 1
    assert all(code in page for code in codes.context["unused_codes"])
    links = re.findall(r"<a [^>]*>", page)
    assert any('href="/admin/"' in a and "button" in a for a in links)  # the way on, in sight
    admin = client.get("/admin/")
    assert admin.status_code == 200
    assert admin.context["user"] == newcomer


def test_a_wrong_code_during_set_up_opens_nothing(client, newcomer):
    _set_up_page(client)

    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})

    assert response.status_code == 200  # the form again, with the error
    assert not Authenticator.objects.filter(user=newcomer).exists()
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/totp/activate/")
