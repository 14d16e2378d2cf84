from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

from .access import client_address

# Staff pages (the admin, and allauth's sign-in and authenticator pages).
STAFF_LANGUAGE_PATHS = ("/admin/", "/accounts/")


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """auditlog's middleware, with the client address read as config.access trusts it."""

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Public pages carry their language in the address (/privacy/, /sv/privacy/); staff pages
    have no prefix, and Django would then always give them the default language. Staff pages
    follow the language the staff member chose with the language switch (its cookie), and are in
    Finnish until they choose; the browser's own preference is not asked, so a shared office
    machine in English still opens the Finnish admin."""

    def process_request(self, request):
        if not request.path_info.startswith(STAFF_LANGUAGE_PATHS):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None
