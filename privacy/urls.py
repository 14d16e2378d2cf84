from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.privacy_index, name="index"),
    path("register/<slug:slug>/", views.register_notice, name="register"),
]
