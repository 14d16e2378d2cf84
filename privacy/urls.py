from django.urls import path

from . import export_views, views

app_name = "privacy"
urlpatterns = [
    path("", views.privacy_index, name="index"),
    path("download/<str:token>/", export_views.export_download, name="export_download"),
]
