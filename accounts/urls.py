from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/verification/", views.login_verify, name="login-verify"),
    path("logout/", views.logout, name="logout"),
    path("compte/connexions/", views.connections, name="connections"),
    path("compte/connexions/<int:pk>/deconnecter/", views.revoke_session, name="revoke-session"),
    path("compte/connexions/deconnecter-partout/", views.revoke_all_sessions, name="revoke-all-sessions"),
    path("compte/confirmer/", views.reauth, name="reauth"),
    path("compte/securite/", views.security, name="security"),
    path("compte/securite/totp/", views.totp, name="totp"),
    path("compte/securite/codes-de-secours/", views.recovery_codes, name="recovery-codes"),
    path("compte/securite/retirer/", views.remove_device, name="remove-device"),
]
