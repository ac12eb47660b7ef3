from django.urls import include, path

from . import views

urlpatterns = [
    path("services/", views.services, name="services"),
    path("services/autorisations/<int:pk>/retirer/", views.consent_revoke, name="consent-revoke"),
    path("", include("sso.protocols.zimbra.urls")),
]
