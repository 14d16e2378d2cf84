"""Foundation figures: seeding the benchmark's own data set."""

from crm.demo import demo_seed

from .figures import at_least, figure, measured, stopwatch

CONTACTS = 100_000
# The data set every later figure stands on should build within a minute (100k / 60 s). Most of
# the time goes to factory-boy and Faker building realistic objects, not to the database.
SEED_GOAL = at_least(CONTACTS / 60)


@figure
def seed_contacts():
    with stopwatch() as elapsed:
        result = demo_seed(contacts=CONTACTS)
    seconds = elapsed()
    return [
        measured("seed 100k contacts", result.contacts / seconds, "rows/s", SEED_GOAL),
        measured("seed 100k contacts: wall time", seconds, "s"),
    ]
