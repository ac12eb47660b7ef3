from django.urls import path

from . import saml_views

# Outside the language prefix: service providers register these URLs once, for every language.
urlpatterns = [
    path("metadata", saml_views.metadata, name="saml-metadata"),
    path("sso/redirect", saml_views.sso, name="saml-sso"),
    path("sso/post", saml_views.sso_post, name="saml-sso-post"),
    path("slo/redirect", saml_views.slo, name="saml-slo"),
    path("slo/post", saml_views.slo_post, name="saml-slo-post"),
]
