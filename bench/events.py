"""Event figures: registration throughput on one event with 50 concurrent clients against
gunicorn (requests per second and the 99th percentile in milliseconds), and the overbooking
count, which must be 0: the place is decided under the event's row lock in PostgreSQL.

The server is a real gunicorn on a free port, against the bench database; the clients are 50
threads posting registrations to the API (the same service as the public form). More people
register than there are places, so the lock decides between confirmed and the waiting list
under load.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.utils import timezone

from crm import services as crm_services
from events import services
from events.models import Question, Registration

from .figures import exactly, figure, measured

CLIENTS = 50
REGISTRATIONS = 1_500
CAPACITY = 400
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_RATE": "10000000/min",
        "DEBUG": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603
        [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.environ.get("BENCH_GUNICORN_WORKERS", "4"),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError, OSError):
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode()[-3000:]) from None
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _event():
    now = timezone.now()
    event = services.event_create(
        slug=f"bench-{int(time.time())}",
        title_fi="Kuormitustesti",
        organiser_unit="Bench",
        contact_name="Bench",
        contact_email="bench@example.com",
        starts_at=now + datetime.timedelta(days=30),
        ends_at=now + datetime.timedelta(days=30, hours=4),
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=20),
        capacity=CAPACITY,
        is_published=True,
    )
    question = services.question_create(
        event=event,
        kind=Question.Kind.SINGLE_CHOICE,
        text_fi="Työpaja",
        required=True,
        choices=[{"label_fi": "A"}, {"label_fi": "B"}],
    )
    return event, question, list(question.choices.values_list("pk", flat=True))


@figure
def event_registration_throughput():
    event, question, choices = _event()
    _change, token = crm_services.api_client_create(
        name=f"bench events {event.slug}", scopes=["events:read", "events:write"]
    )
    port = _free_port()
    server = _start_gunicorn(port)
    url = f"http://127.0.0.1:{port}/api/v1/event-registrations/"
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    counter = iter(range(REGISTRATIONS))
    start_together = threading.Barrier(CLIENTS)

    def client():
        start_together.wait()
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            body = json.dumps(
                {
                    "event": event.slug,
                    "email": f"bench-{event.pk}-{n}@example.com",
                    "first_name": "Kuorma",
                    "last_name": f"Testi{n}",
                    "answers": [{"question": question.pk, "choices": [choices[n % 2]]}],
                }
            ).encode()
            request = urllib.request.Request(
                url,
                data=body,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    code = response.status
            except urllib.error.HTTPError as error:
                code = error.code
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append(elapsed)
                statuses.append(code)

    try:
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)

    failed = sum(1 for code in statuses if code != 201)
    confirmed = Registration.objects.filter(
        event=event, status=Registration.Status.CONFIRMED
    ).count()
    waiting = Registration.objects.filter(event=event, status=Registration.Status.WAITING).count()
    latencies.sort()
    p99 = latencies[max(0, math.ceil(len(latencies) * 0.99) - 1)]
    return [
        measured(
            "event_registration_requests_per_s (50 clients, gunicorn)",
            len(statuses) / seconds,
            "req/s",
        ),
        measured("event_registration_p99_ms (50 clients, gunicorn)", p99, "ms"),
        measured("event_registration_failed_requests", failed, "requests", exactly(0)),
        measured(
            "event_overbooked_registrations (confirmed beyond capacity)",
            max(0, confirmed - CAPACITY),
            "places",
            exactly(0),
        ),
        measured(
            "event_registrations_unaccounted (neither confirmed nor waiting)",
            REGISTRATIONS - confirmed - waiting,
            "registrations",
            exactly(0),
        ),
    ]
