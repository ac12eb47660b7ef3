from django.urls import path

from . import views

# Inside the language prefix (sso/urls.py includes it): « Ouvrir ma messagerie » is a page link.
urlpatterns = [
    path("sso/zimbra/<slug:slug>/", views.zimbra_open, name="zimbra-open"),
]
