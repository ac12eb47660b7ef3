from django.urls import path

from . import wsfed_views

# Outside the language prefix: relying parties (Exchange) register these URLs once.
urlpatterns = [
    path("wsfed/", wsfed_views.passive, name="wsfed"),
    path(
        "FederationMetadata/2007-06/FederationMetadata.xml",
        wsfed_views.federation_metadata,
        name="wsfed-metadata",
    ),
]
