from django.urls import path

from . import export_views, views

app_name = "privacy"
urlpatterns = [
    path("", views.privacy_index, name="index"),
    path("request/", views.portal_request, name="request"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("correct/", views.correct, name="correct"),
    path("download/<str:token>/", export_views.export_download, name="export_download"),
    path("register/<slug:slug>/", views.register_notice, name="register"),
]
