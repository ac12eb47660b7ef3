from django.urls import path

from . import views

urlpatterns = [
    path("password/reset/", views.reset, name="password-reset"),
    path("password/reset/code/", views.code, name="recovery-code"),
    path("password/reset/lien/<str:token>/", views.link, name="recovery-link"),
    path("password/reset/nouveau/", views.new_password, name="recovery-new-password"),
    path("password/strength/", views.strength, name="password-strength"),
    path("compte/contacts/", views.contacts, name="contacts"),
    path("compte/contacts/confirmer/", views.contacts_confirm, name="contacts-confirm"),
]
