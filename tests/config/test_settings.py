"""Configuration comes from the environment, and production values are safe."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "crm.example.fi",
    "SITE_URL": "https://crm.example.fi",
    "DATABASE_URL": "sqlite:////tmp/rekisteri-deploy-check.sqlite3",
    "CONTROLLER_NAME": "Esimerkki Oy",
    "CONTROLLER_ADDRESS": "Esimerkkikatu 1, 00100 Helsinki",
    "PRIVACY_CONTACT_EMAIL": "tietosuoja@example.fi",
}


def _run(code_or_args, env_overrides, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    for key in ("DEBUG", "SECURE_SSL_REDIRECT", "SECRET_KEY", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(key, None)
    env.update(env_overrides)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_values():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_secret_key_the_app_refuses_to_start_and_says_why():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_without_a_controller_the_app_refuses_to_start_and_says_why():
    env = {k: v for k, v in PRODUCTION.items() if k != "CONTROLLER_NAME"}
    result = _run(["manage.py", "check"], env, drop=("CONTROLLER_NAME",))
    assert result.returncode != 0
    assert "CONTROLLER_NAME" in result.stderr


def test_debug_runs_without_secret_key():
    result = _run(
        ["manage.py", "check"], {"DEBUG": "true", "DATABASE_URL": PRODUCTION["DATABASE_URL"]}
    )
    assert result.returncode == 0, result.stderr


SHOW = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); "
    "django.setup(); from django.conf import settings as s; "
    "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL or '-', s.CACHES['default']['BACKEND'],"
    " s.DATABASES['default']['ENGINE'], s.SECURE_SSL_REDIRECT, s.LANGUAGE_CODE, s.TIME_ZONE)"
)


def test_without_a_broker_tasks_run_in_process():
    out = _run(SHOW, {**PRODUCTION}).stdout.split()
    assert out[:3] == ["True", "-", "django.core.cache.backends.locmem.LocMemCache"]


def test_with_redis_url_tasks_go_to_the_broker_and_the_cache_is_redis():
    out = _run(SHOW, {**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/3"}).stdout.split()
    assert out[:3] == [
        "False",
        "redis://127.0.0.1:6379/3",
        "django.core.cache.backends.redis.RedisCache",
    ]


def test_celery_broker_url_wins_over_redis_url():
    out = _run(
        SHOW,
        {
            **PRODUCTION,
            "REDIS_URL": "redis://cache:6379/0",
            "CELERY_BROKER_URL": "redis://mq:6379/1",
        },
    ).stdout.split()
    assert out[1] == "redis://mq:6379/1"


def test_database_url_and_production_defaults():
    out = _run(
        SHOW, {**PRODUCTION, "DATABASE_URL": "postgres://u:p@db:5432/rekisteri"}
    ).stdout.split()
    assert out[3:] == [
        "django.db.backends.postgresql",
        "True",
        "fi",
        "Europe/Helsinki",
    ]
