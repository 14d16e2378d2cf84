from csp.decorators import csp_update
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from crm.admin_tools import offer_only_listed_filters

from . import views
from .access import public
from .staff_auth import admin_login_redirect

# Staff sign in through allauth (rate limits, TOTP), never through the admin's own form.
admin.site.login = admin_login_redirect
admin.site.site_header = _("Rekisteri – staff")
admin.site.site_title = _("Rekisteri")
admin.site.index_title = _("Customer register")
# The side menu repeats the breadcrumbs and the index, and at a laptop's width it takes the room
# a list of people needs for its columns.
admin.site.enable_nav_sidebar = False
# Every app's admin module has been imported by now (the admin app's ready()): every list, ours
# and other apps', accepts only the filters it offers (crm/admin_tools.py).
offer_only_listed_filters(admin.site)

urlpatterns = [
    # The site's home is the privacy portal: where the people in the register start, and where the
    # admin's "view site" leads.
    path("", public(RedirectView.as_view(pattern_name="privacy:index")), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("crm.urls_api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: CSP forbids inline scripts.
    # Swagger UI sets inline styles (never scripts); allowed on this page only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

# Public pages carry their language in the address (/privacy/, /sv/privacy/, /en/privacy/) so that
# a link in a Swedish newsletter opens the Swedish page. Finnish, the default, has no prefix.
urlpatterns += i18n_patterns(
    path("privacy/", include("privacy.urls")),
    path("consent/", include("consent.urls")),
    path("events/", include("events.urls")),
    prefix_default_language=False,
)
