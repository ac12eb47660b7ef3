from django.urls import path

from . import views

# Outside the language prefix: relying parties (Exchange) register these URLs once.
urlpatterns = [
    path("wsfed/", views.passive, name="wsfed"),
    path(
        "FederationMetadata/2007-06/FederationMetadata.xml",
        views.federation_metadata,
        name="wsfed-metadata",
    ),
]
