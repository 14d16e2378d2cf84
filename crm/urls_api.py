from django.urls import re_path
from rest_framework.routers import DefaultRouter

from consent.api import ConsentViewSet
from events.api import EventRegistrationViewSet, EventViewSet

from . import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("contacts", api.ContactViewSet, basename="contact")
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("memberships", api.MembershipViewSet, basename="membership")
router.register("interactions", api.InteractionViewSet, basename="interaction")
router.register("consents", ConsentViewSet, basename="consent")
router.register("events", EventViewSet, basename="event")
router.register("event-registrations", EventRegistrationViewSet, basename="event-registration")

# Anything else under /api/v1/ is a 404 in the API's JSON shape, not the site's HTML page.
urlpatterns = [*router.urls, re_path(r"^.*$", api.not_found)]
