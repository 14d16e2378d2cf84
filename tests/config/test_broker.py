"""A task through the real Redis broker and a real Celery worker process.

Skipped only when REDIS_URL is unset (a laptop without Redis); CI sets it, so there it runs.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache

from config.celery import app as celery_app
from privacy.tasks import HEARTBEAT_KEY, worker_heartbeat

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI sets it)"),
]


@pytest.fixture
def worker():
    """A worker on a queue of its own, started and stopped by this test by its own pid."""
    queue = f"test-{uuid.uuid4().hex}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_a_task_runs_in_a_real_worker_through_redis(worker, celery_conf):
    celery_conf(task_always_eager=False)
    assert celery_app.conf.broker_url.startswith("redis://")
    cache.delete(HEARTBEAT_KEY)
    sent_at = time.time()

    result = worker_heartbeat.apply_async(queue=worker)
    stamp = result.get(timeout=60)

    assert result.successful()
    # The worker, not this process, wrote the heartbeat into the shared Redis cache.
    assert cache.get(HEARTBEAT_KEY) == stamp
    assert time.time() - sent_at < 60
