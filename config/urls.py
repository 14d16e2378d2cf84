from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

# Public pages carry their language in the address (/privacy/, /sv/privacy/, /en/privacy/) so that
# a link in a Swedish newsletter opens the Swedish page. Finnish, the default, has no prefix.
urlpatterns += i18n_patterns(
    path("privacy/", include("privacy.urls")),
    prefix_default_language=False,
)
