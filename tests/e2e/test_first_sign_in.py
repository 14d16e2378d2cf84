"""A new staff member's first sign-in, in Chromium at 1366 px: the password once, the
authenticator app set up from the key on the page, the recovery codes, and the staff pages,
signed in all the way."""

import re

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model

from .conftest import PASSWORD, page_fits, totp_code


def test_a_new_staff_member_sets_up_the_app_and_lands_in_the_admin(page, transactional_db):
    user = get_user_model().objects.create_user(
        username="uusi.tyontekija",
        email="uusi.tyontekija@staff.example.com",
        password=PASSWORD,
        is_staff=True,
    )

    page.goto("/admin/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")

    # Straight to the set-up: no second password prompt.
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    page_fits(page)
    assert page.locator("input[name=password]").count() == 0
    assert "todennussovellus" in page.locator("h1").inner_text().lower()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.reload()  # e.g. back from installing the app: the key scanned is still the key
    assert page.locator("#totp-secret").inner_text().strip() == secret

    page.fill("input[name=code]", totp_code(secret))
    page.locator("input[name=code]").press("Enter")

    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    page_fits(page)
    codes = page.locator(".recovery-codes li")
    assert codes.count() >= 1
    page.get_by_role("link", name="Jatka henkilökunnan sivuille").click()

    page.wait_for_url(re.compile(r"/admin/$"))
    page_fits(page)
    assert page.locator("#user-tools").inner_text().upper().count("UUSI.TYONTEKIJA") == 1
    assert Authenticator.objects.filter(user=user, type="totp").exists()
