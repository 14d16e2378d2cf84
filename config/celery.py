"""The Celery application. Workers and beat start with ``celery -A config worker|beat``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("rekisteri")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The event data shredder's job lives with the shredder (events/shredder.py).
app.autodiscover_tasks(related_name="shredder")
