"""Every view says who may use it. Public views say so explicitly with ``@public``.

The permission-matrix test walks the URL configuration and fails on a view that carries neither
``@public`` nor one of Django's staff/permission decorators, so a new view cannot be reachable by
accident.
"""


def public(view):
    """Mark a view as open to anyone, without signing in."""
    view.access = "public"
    return view
