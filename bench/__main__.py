"""`make bench`: measure on PostgreSQL, in a database of the benchmark's own.

The database named in DATABASE_URL is left alone: the benchmark drops and creates
``<name>_bench`` on the same server, migrates it, seeds it and measures. Results go to
bench/results/latest.json (one entry per figure: name, value, unit, goal, meets) and to stdout.
"""

import importlib
import json
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def bench_database_url(url: str) -> tuple[str, str, str]:
    """(admin URL for CREATE DATABASE, the bench database's URL, its name)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{name}")), name


def recreate_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    admin_url = admin_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(
            "make bench measures on PostgreSQL, as production runs; SQLite figures would mislead.\n"
            "Set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/rekisteri",
            file=sys.stderr,
        )
        return 2
    admin_url, bench_url, name = bench_database_url(url)
    recreate_database(admin_url, name)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "b" * 50)
    for name, value in [
        ("CONTROLLER_NAME", "Bench Oy"),
        ("CONTROLLER_ADDRESS", "Benchkatu 1, 00100 Helsinki"),
        ("PRIVACY_CONTACT_EMAIL", "tietosuoja@bench.example.com"),
        ("SUPPRESSION_KEY", "bench-only-suppression-key"),
    ]:
        os.environ.setdefault(name, value)
    os.environ["SECURE_SSL_REDIRECT"] = "false"  # the test client speaks plain HTTP
    os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="rekisteri-bench-static-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Measure the code, not the broker: tasks run in-process here.
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from django.conf import settings

    # Admin pages are measured through Django's test client: plain static file names (nothing
    # is collected here) and the client's host name.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    from bench import figures
    from bench.foundation import grow_to

    for module in figures.MODULES:
        importlib.import_module(module)
    results, previous = [], 0
    for size in figures.STAGES:
        print(f"… seeding {size:,} contacts", file=sys.stderr, flush=True)
        results.extend(grow_to(size, previous))
        previous = size
        for measure in figures.staged():
            print(f"… {measure.__name__} at {size:,}", file=sys.stderr, flush=True)
            results.extend(measure(size))
    for measure in figures.final():
        print(f"… {measure.__name__}", file=sys.stderr, flush=True)
        results.extend(measure())

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps([r.as_json() for r in results], indent=2, ensure_ascii=False) + "\n"
    )
    width = max(len(r.name) for r in results)
    print(f"{'figure':<{width}} {'value':>12} {'unit':<8} {'goal':>12}  meets")
    for r in results:
        meets = {True: "yes", False: "NO", None: "-"}[r.meets]
        print(f"{r.name:<{width}} {r.value:>12,.2f} {r.unit:<8} {r.goal or '-':>12}  {meets}")
    print(f"\nWritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
