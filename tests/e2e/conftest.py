"""The browser harness: journeys through the real pages in Debian's Chromium, driven by Playwright.

Every journey runs against Django's live server (the test database, tasks in-process) in a
window 1366 px wide, the laptop screen staff use. After each step a journey calls
``page_fits(page)``: a page wider than the window fails it. Console errors (a script that broke,
a resource the Content-Security-Policy refused) fail the journey too.

Chromium comes from Debian (`apt-get install chromium`: `.ci/run` and `make e2e` install it);
`playwright install` is never run. ``CHROMIUM`` points elsewhere if needed.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from crm import roles

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
WIDTH, HEIGHT = 1366, 768
PASSWORD = "a-Long-staff-passphrase-1"
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS") or tempfile.gettempdir()) / "rekisteri-e2e"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per journey module. Playwright's synchronous API keeps an event loop running
    in this thread while it lives, and Django refuses ORM calls next to a running loop; the
    journeys' own ORM calls are plain synchronous code, so they are allowed for exactly as long
    as the browser lives (never for the rest of the suite, nor for a process it starts)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium; `make e2e` does it)")
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            )
            yield chromium
            chromium.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        locale="fi-FI",
        base_url=live_server.url,
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert problems == [], f"the browser reported errors: {problems}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


_HIDDEN_SIDEWAYS = """
[...document.querySelectorAll("body *")]
  .filter(e => ["auto", "scroll"].includes(getComputedStyle(e).overflowX)
               && e.scrollWidth > e.clientWidth + 1 && e.offsetParent !== null)
  .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`
            + ` (${e.scrollWidth} px in ${e.clientWidth} px)`)
"""


def page_fits(page) -> None:
    """The page is no wider than the window, and no box on it hides content sideways behind a
    scroll bar (a list whose last columns need scrolling to be seen)."""
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{page.url} is {scroll_width} px wide in a {inner_width} px window"
    )
    hidden = page.evaluate(_HIDDEN_SIDEWAYS)
    assert hidden == [], f"{page.url}: content hidden sideways in {hidden}"


def totp_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def staff_member(transactional_db):
    """``staff_member(role)`` -> (user, TOTP secret): a staff member in a role with an
    authenticator app, as an administrator would set one up.

    The live server needs committed data, so a journey runs in a transactional test, and such
    tests empty the database after them, the roles the migrations made included: the role is
    made again here from crm/roles.py when it is missing."""

    def make(role: str, username: str = "staff"):
        user = get_user_model().objects.create_user(
            username=username,
            email=f"{username}@staff.example.com",
            password=PASSWORD,
            is_staff=True,
        )
        user.groups.add(_role(role))
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return user, secret

    return make


def _role(name: str) -> Group:
    group, created = Group.objects.get_or_create(name=name)
    if created:
        wanted = [tuple(p.split(".")) for p in roles.ROLES[name]]
        group.permissions.set(
            p
            for p in Permission.objects.select_related("content_type")
            if (p.content_type.app_label, p.codename) in wanted
        )
    return group


def sign_in(page, user, secret: str) -> None:
    """Sign in as a person does: the admin sends us to the sign-in page, then the code."""
    page.goto("/admin/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.fill("input[name=code]", totp_code(secret))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url("**/admin/")
