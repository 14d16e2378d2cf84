"""Every view says who may use it. Public views say so explicitly with ``@public``.

The permission-matrix test walks the URL configuration and fails on a view that carries neither
``@public`` nor one of Django's staff/permission decorators, so a new view cannot be reachable by
accident.
"""


def public(view):
    """Mark a view as open to anyone, without signing in."""
    view.access = "public"
    return view


def staff_permission(perm: str):
    """Staff with ``perm`` only (403 otherwise); for staff pages outside a ModelAdmin's own."""
    from django.contrib.auth.decorators import permission_required

    def decorate(view):
        view = permission_required(perm, raise_exception=True)(view)
        view.access = f"permission {perm}"
        return view

    return decorate
