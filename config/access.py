"""Every view says who may use it. Public views say so explicitly with ``@public``.

The permission-matrix test walks the URL configuration and fails on a view that carries neither
``@public`` nor one of Django's staff/permission decorators, so a new view cannot be reachable by
accident.
"""

from django.conf import settings
from django.contrib.auth.decorators import permission_required


def public(view):
    """Mark a view as open to anyone, without signing in."""
    view.access = "public"
    return view


def staff_permission(*perms: str):
    """Staff with all of ``perms`` only (403 otherwise); for staff pages outside a ModelAdmin's."""

    def decorate(view):
        view = permission_required(perms, raise_exception=True)(view)
        view.access = f"permissions {', '.join(perms)}"
        return view

    return decorate


def client_address(request) -> str | None:
    """The client's address for the audit trail.

    Behind TRUSTED_PROXY_COUNT proxies the client is that many entries from the right of
    X-Forwarded-For; anything further left was written by the client and proves nothing.
    """
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
