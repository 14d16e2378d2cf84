import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from .access import public
from .celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database is not reachable")
        return False


def _broker_reachable() -> bool:
    timeout = settings.REDIS_TIMEOUT
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    try:
        with Connection(
            celery_app.conf.broker_url, connect_timeout=timeout, transport_options=options
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
            # Connecting is not enough: a broker that accepts and never answers is down too.
            client = getattr(conn.default_channel, "client", None)
            if client is not None:
                client.ping()
            return True
    except Exception:
        logger.warning("Health check: the broker is not reachable", exc_info=True)
        return False


@public
@require_GET
@never_cache
def healthz(request):
    """For load balancers and compose: 200 while the database answers, 503 when it does not.

    A broker that is down makes the answer "degraded" but still 200: pages keep being served.
    Every check has a timeout (REDIS_TIMEOUT), so a hung broker cannot hang this view.
    """
    database = _database_reachable()
    if celery_app.conf.task_always_eager:
        broker, tasks = None, "in-process"
    else:
        broker, tasks = _broker_reachable(), "broker"
    if not database:
        status = "down"
    elif broker is False:
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker, "tasks": tasks},
        status=200 if database else 503,
    )
