from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import views

urlpatterns = [
    path("password/reset/", views.reset, name="password-reset"),
    path("password/reset/code/", views.code, name="recovery-code"),
    path("password/reset/lien/<str:token>/", views.link, name="recovery-link"),
    path("password/reset/nouveau/", views.new_password, name="recovery-new-password"),
    path("password/strength/", views.strength, name="password-strength"),
    # The meter's words, from the gettext catalogue (domain djangojs, locale/*/djangojs.po),
    # in the language of the URL's prefix: a script from 'self', as the CSP allows.
    path(
        "password/strength/mots.js",
        JavaScriptCatalog.as_view(packages=["recovery"]),
        name="password-strength-words",
    ),
    path("compte/contacts/", views.contacts, name="contacts"),
    path("compte/contacts/confirmer/", views.contacts_confirm, name="contacts-confirm"),
]
