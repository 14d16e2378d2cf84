"""Foundation figures: growing the benchmark's own data set."""

from crm.demo import demo_seed

from .figures import at_least, measured, stopwatch

# The data set every later figure stands on should build within a minute (100k / 60 s). Most of
# the time goes to factory-boy and Faker building realistic objects, not to the database.
SEED_GOAL = at_least(100_000 / 60)


def grow_to(size: int, previous: int) -> list:
    """Seed demo contacts up to ``size``; a figure for the largest step."""
    with stopwatch() as elapsed:
        result = demo_seed(contacts=size)
    seconds = elapsed()
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
