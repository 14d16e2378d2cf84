from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware

from .access import client_address


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """auditlog's middleware, with the client address read as config.access trusts it."""

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)
