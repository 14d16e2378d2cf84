import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_nobody_can_sign_up_for_an_account(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "intruder@example.com",
            "username": "intruder",
            "password1": "a-Long-passphrase-123",
            "password2": "a-Long-passphrase-123",
        },
    )

    assert response.status_code in (200, 403)
    assert not get_user_model().objects.filter(username="intruder").exists()
