"""Passkeys (WebAuthn) through django-otp-webauthn: the helper the package is configured
with (OTP_WEBAUTHN_HELPER_CLASS) and the API's URLs; the views are in views/passkeys.py."""

from typing import Any

from django.urls import path
from django_otp_webauthn.helpers import WebAuthnHelper

from .actions import sessions
from .views import passkeys as views


# The package ships no type information (its classes are Any to mypy).
class PasskeyHelper(WebAuthnHelper):  # type: ignore[misc]
    """Names each passkey after the browser that created it (« Chrome / Android »)."""

    def create_credential(self, user: Any, response: Any, parsed_credential: Any, original_data: Any) -> Any:
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = sessions.describe_agent(self.request.META.get("HTTP_USER_AGENT", ""))[:64] or "WebAuthn"
        return device


# For scripts: mounted outside the language prefixes (guichet/urls.py).
urlpatterns = [
    path("enrolment/begin/", views.BeginEnrolment.as_view(), name="passkey-enrol-begin"),
    path("enrolment/complete/", views.CompleteEnrolment.as_view(), name="passkey-enrol-complete"),
    path("signin/begin/", views.BeginSignIn.as_view(), name="passkey-signin-begin"),
    path("signin/complete/", views.CompleteSignIn.as_view(), name="passkey-signin-complete"),
]
