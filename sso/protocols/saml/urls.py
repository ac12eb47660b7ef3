from django.urls import path

from . import views

# Outside the language prefix: service providers register these URLs once, for every language.
urlpatterns = [
    path("metadata", views.metadata, name="saml-metadata"),
    path("sso/redirect", views.sso, name="saml-sso"),
    path("sso/post", views.sso_post, name="saml-sso-post"),
    path("slo/redirect", views.slo, name="saml-slo"),
    path("slo/post", views.slo_post, name="saml-slo-post"),
]
