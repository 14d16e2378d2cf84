import pytest
from django.core.cache import cache

from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Production serves hashed files from `collectstatic`'s manifest; tests don't collect.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process unless a test is marked ``broker`` and talks to a real worker."""
    if request.node.get_closest_marker("broker"):
        yield
        return
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def celery_conf():
    """Change Celery settings for one test; they are put back afterwards."""
    saved = {}

    def change(**values):
        for key, value in values.items():
            saved.setdefault(key, celery_app.conf[key])
            celery_app.conf[key] = value

    yield change
    celery_app.conf.update(saved)


# --- Staff ----------------------------------------------------------------------------------


def make_staff(role: str | None = None, *, username: str | None = None, totp: bool = True):
    """A staff user in ``role`` (a group from crm.roles), with a TOTP authenticator."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username or f"staff-{(role or 'none').lower()}",
        email=f"{username or (role or 'none').lower()}@staff.example.com",
        password="a-Long-staff-passphrase-1",
        is_staff=True,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    if totp:
        TOTP.activate(user, generate_totp_secret())
    return user


def signed_in_with_second_factor(client, user):
    """Sign in as allauth does after the password and the TOTP code (the tests' shortcut)."""
    from config.testing import sign_in_with_second_factor

    return sign_in_with_second_factor(client, user)


@pytest.fixture
def staff_client(client, db):
    """``staff_client(role)`` -> a client signed in (with a second factor) as a staff member."""

    def sign_in(role: str):
        return signed_in_with_second_factor(client, make_staff(role))

    return sign_in
