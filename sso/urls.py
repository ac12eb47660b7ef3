from django.urls import path

from . import views

urlpatterns = [
    path("services/", views.services, name="services"),
    path("sso/zimbra/<slug:slug>/", views.zimbra_open, name="zimbra-open"),
]
