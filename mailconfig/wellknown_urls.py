"""The standard places mail programs ask (no language prefix: programs call them)."""

from django.urls import path

from . import views

urlpatterns = [
    path("mail/config-v1.1.xml", views.autoconfig, name="mailconfig-autoconfig"),
    path(".well-known/autoconfig/mail/config-v1.1.xml", views.autoconfig, name="mailconfig-autoconfig-wellknown"),
    path("autodiscover/autodiscover.xml", views.autodiscover_view, name="mailconfig-autodiscover"),
    path("Autodiscover/Autodiscover.xml", views.autodiscover_view),
]
