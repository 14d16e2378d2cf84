from django.urls import path

from . import views

app_name = "consent"
urlpatterns = [
    path("signup/<slug:code>/", views.signup, name="signup"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("renew/<str:token>/", views.renew, name="renew"),
]
