"""Loaded by pytest (``-p tests.environment``) before Django reads its settings.

The settings refuse to start without SECRET_KEY when DEBUG is off, as production must; the suite
runs with DEBUG off too, so it brings a throw-away key of its own. Everything else comes from
the environment as it would in production (DATABASE_URL, REDIS_URL).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-" + "k" * 50)
# The test client speaks plain HTTP; production redirects to HTTPS (tested separately).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# The controller the public pages name (required when DEBUG is off).
os.environ.setdefault("CONTROLLER_NAME", "Testiyhtiö Oy")
os.environ.setdefault("CONTROLLER_ADDRESS", "Testikatu 1, 40100 Jyväskylä")
os.environ.setdefault("PRIVACY_CONTACT_EMAIL", "tietosuoja@testi.example.com")
# The suppression list's HMAC key (required when DEBUG is off).
os.environ.setdefault("SUPPRESSION_KEY", "test-only-suppression-" + "s" * 30)
