"""Foundation figures: growing the benchmark's own data set."""

from crm.demo import demo_seed

from .figures import at_least, measured, stopwatch

# The data set every later figure stands on: a million people should build within three minutes
# on a small machine, most of it PostgreSQL keeping seven indexes of the contact table.
SEED_GOAL = at_least(1_000_000 / 180)


def settle() -> None:
    """Measure a settled database, as production is between bulk loads: fresh planner
    statistics, and no autovacuum working through the new rows on the same two cores."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def grow_to(size: int, previous: int) -> list:
    """Seed demo contacts up to ``size``; a figure for the largest step."""
    with stopwatch() as elapsed:
        result = demo_seed(contacts=size)
    seconds = elapsed()
    settle()
    if size - previous < 50_000:
        return []
    return [
        measured(
            f"seed demo contacts ({previous:,} → {size:,})",
            result.contacts / seconds,
            "rows/s",
            SEED_GOAL,
        ),
        measured(f"seed demo contacts ({previous:,} → {size:,}): wall time", seconds, "s"),
    ]
