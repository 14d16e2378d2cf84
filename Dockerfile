# The production image: gunicorn for web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders the DPO's PDF reports with pango; DejaVu covers Finnish and Swedish letters.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY . .
RUN pip install -e . \
    && SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
       CONTROLLER_NAME=build CONTROLLER_ADDRESS=build PRIVACY_CONTACT_EMAIL=build@localhost SUPPRESSION_KEY=build \
       python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3 \
    && useradd --system --uid 10001 --home-dir /app rekisteri \
    && mkdir -p /app/media && chown rekisteri /app/media

USER rekisteri
EXPOSE 8000
# Proxy headers are trusted only from FORWARDED_ALLOW_IPS (gunicorn reads it from the environment).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
