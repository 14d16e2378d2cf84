"""Capacity under concurrent load: the place is decided under a lock in the database."""

import threading

import pytest
from django.db import connection

from events import services
from events.models import Registration

from .conftest import make_event, person


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: the event's row lock (SELECT … FOR UPDATE) is what is tested; "
    "SQLite runs one writer at a time anyway; CI runs this on PostgreSQL",
)
def test_200_concurrent_registrations_for_50_places_confirm_exactly_50():
    event = make_event(slug="tungos", capacity=50)
    at_once = threading.Barrier(200)
    # The server's max_connections is shared with other databases: at most 40 of the 200
    # threads hold a connection at a time (every one of them still races the others).
    connections = threading.BoundedSemaphore(40)
    errors = []

    def register(n):
        try:
            at_once.wait(timeout=60)
            with connections:
                _register(n)
        except Exception as error:  # reported by the assertions below
            errors.append(error)

    def _register(n):
        try:
            services.registration_create(
                event=event,
                data=person(n),
                source=Registration.Source.PUBLIC_FORM,
                language="fi",
            )
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=register, args=(n,)) for n in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count(Registration.Status.CONFIRMED) == 50
    assert statuses.count(Registration.Status.WAITING) == 150
    # The waiting list is in the order the registrations were made.
    waiting = Registration.objects.filter(event=event, status=Registration.Status.WAITING)
    confirmed = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
    assert max(r.registered_at for r in confirmed) <= min(r.registered_at for r in waiting)
