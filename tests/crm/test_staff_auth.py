"""Staff sign in through allauth with a password and a TOTP code; nothing less opens /admin/."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt

from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.django_db


def _current_code(user) -> str:
    secret = decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


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
