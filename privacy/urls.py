from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.privacy_index, name="index"),
    path("request/", views.portal_request, name="request"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("correct/", views.correct, name="correct"),
]
