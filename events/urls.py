from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("registration/<str:token>/", views.registration, name="registration"),
    path("networking/<str:token>/", views.networking, name="networking"),
    path("<slug:slug>/", views.event_page, name="event"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
]
