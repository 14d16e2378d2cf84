import socket
import threading

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_healthy_with_tasks_in_process(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": True,
        "broker": None,
        "tasks": "in-process",
    }


def test_database_down_is_503(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] is False
    assert response.json()["status"] == "down"


def test_broker_down_is_reported_but_still_serving(client, celery_conf):
    celery_conf(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] is False
    assert response.json()["status"] == "degraded"


def test_healthz_is_not_cached_and_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_other_pages_redirect_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/privacy/")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers (a hung broker)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held, stop = [], threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_broker_that_never_answers_does_not_hang_the_check(
    client, celery_conf, settings, silent_server
):
    settings.REDIS_TIMEOUT = 0.5
    celery_conf(task_always_eager=False, broker_url=f"redis://127.0.0.1:{silent_server}/0")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] is False
