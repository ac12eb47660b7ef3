from django.urls import path

from . import views, views_safety

urlpatterns = [
    path("etat/", views.status_page, name="status"),
    path("etat/incidents/<int:pk>/", views.incident_page, name="status-incident"),
    path("etat/flux.rss", views.IncidentFeed(), name="status-feed-rss"),
    path("etat/flux.atom", views.IncidentAtomFeed(), name="status-feed"),
    path("securite/hameconnage/", views_safety.phishing, name="safety-phishing"),
    path("securite/verifier-un-lien/", views_safety.link_check, name="safety-link"),
    path("securite/signaler/", views_safety.report, name="safety-report"),
]
