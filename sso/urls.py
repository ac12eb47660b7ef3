from django.urls import path

from . import views

urlpatterns = [
    path("services/", views.services, name="services"),
    path("services/autorisations/<int:pk>/retirer/", views.consent_revoke, name="consent-revoke"),
    path("sso/zimbra/<slug:slug>/", views.zimbra_open, name="zimbra-open"),
]
