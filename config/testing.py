"""Helpers for the test suite and the benchmark (never used by a request)."""

import time


def sign_in_with_second_factor(client, user):
    """Sign ``client`` in as allauth does after the password and the TOTP code."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "username": user.get_username()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    return client
