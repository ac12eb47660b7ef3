from django.urls import path

from . import views

urlpatterns = [
    path("messagerie/clients/", views.index, name="mailconfig-clients"),
    path("messagerie/clients/<slug:slug>/", views.platform, name="mailconfig-platform"),
    path("messagerie/clients/<slug:slug>/profil.mobileconfig", views.mobileconfig, name="mailconfig-mobileconfig"),
    path("messagerie/clients/<slug:slug>/test/", views.connection_test, name="mailconfig-test"),
    path("messagerie/clients/<slug:slug>/erreur/", views.decode, name="mailconfig-decode"),
]
