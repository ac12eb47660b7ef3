"""Passkeys (WebAuthn) as a second factor, through django-otp-webauthn.

The package's views run the ceremonies (options, one-shot state in the session, checks by
py_webauthn); these subclasses decide whose passkeys count and what success means:

- adding one needs a signed-in account with a fresh password, and is audited;
- at sign-in only the account whose password was just checked (the pending sign-in) may
  answer, and success goes through `signin.complete` exactly like a code.

The package's own authentication URLs are not mounted: they would sign people in on a
passkey alone (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off as well).
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from audit.actions import client_ip, record

from .actions import factors, sessions, signin, throttling
from .models import Account

log = logging.getLogger("guichet.passkeys")


class SignInExpired(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "signin_expired"
    default_detail = "No sign-in is waiting for a second factor."


class SignInPaused(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_code = "paused"
    default_detail = "Sign-in is paused after several failures."


class PasswordNotFresh(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "password_not_fresh"
    default_detail = "Confirm your password first."


class PasskeyHelper(WebAuthnHelper):
    """Names each passkey after the browser that created it (« Chrome / Android »)."""

    def create_credential(self, user, response, parsed_credential, original_data):
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = sessions.describe_agent(self.request.META.get("HTTP_USER_AGENT", ""))[:64] or "WebAuthn"
        return device


def usable_here(request: HttpRequest) -> bool:
    """Browsers bind a passkey to OTP_WEBAUTHN_RP_ID: offer passkeys only on an allowed origin."""
    return f"{request.scheme}://{request.get_host()}" in settings.OTP_WEBAUTHN_ALLOWED_ORIGINS


def verify_context(request: HttpRequest, account: Account) -> dict:
    """What the second-factor page needs: whether to offer « Utiliser ma clé d'accès »."""
    offered = usable_here(request) and WebAuthnCredential.objects.filter(user=account, confirmed=True).exists()
    return {"passkey_offered": offered}


def security_context(request: HttpRequest, devices: list) -> dict:
    """What « Sécurité du compte » needs: which factors are passkeys, and whether one can be added."""
    return {
        "passkeys": [d for d in devices if isinstance(d, WebAuthnCredential)],
        "passkey_enrolment": usable_here(request),
        "fresh_password": factors.has_fresh_password(request),
    }


# Adding a passkey: the signed-in account (the package also wants a session verified by a
# second factor when the account already has one), and a password confirmed recently.


class _FreshPassword:
    def check_can_register(self):
        if not factors.has_fresh_password(self.request):
            raise PasswordNotFresh()


class BeginEnrolment(_FreshPassword, BeginCredentialRegistrationView):
    pass


class CompleteEnrolment(_FreshPassword, CompleteCredentialRegistrationView):
    def post(self, request, *args, **kwargs):
        account = self.get_user()
        state = self.get_state()  # one-shot: popped before anything can fail
        try:
            with transaction.atomic(), rewrite_exceptions():
                device = self.get_helper().register_complete(user=account, state=state, data=request.data)
                record("accounts.factor.added", actor=account, subject=account, ip=client_ip(request), factor="passkey")
        except exceptions.OTPWebAuthnApiError as error:
            # A wrong origin or RP ID in the settings shows here first: say which.
            log.warning("passkey refused at enrolment: %s (%s)", error.code, error.__cause__ or error)
            raise
        # The API's URLs carry no language prefix, so Django answers in French: the notice is
        # for the calling page, whose language passkey.js sends as Accept-Language.
        with translation.override(translation.get_language_from_request(request)):
            messages.success(request, _("Clé d'accès ajoutée. Elle vous sera demandée à la prochaine connexion."))
        return JsonResponse({"id": device.pk, "redirect_url": reverse("security")})


# Signing in: the password was right, the session holds the pending account; the passkey
# must be one of that account's, and failures count like wrong codes.


class _PendingSignIn:
    def pending(self) -> tuple[Account | None, str]:
        if not hasattr(self, "_pending"):
            self._pending = signin.pending_account(self.request)
        return self._pending

    def get_user(self):
        return self.pending()[0]

    def check_can_authenticate(self):
        account = self.get_user()
        if account is None or not account.is_active:
            raise SignInExpired()


class BeginSignIn(_PendingSignIn, BeginCredentialAuthenticationView):
    def check_can_authenticate(self):
        super().check_can_authenticate()
        # Without one, an empty allow-list would let the browser offer any passkey it holds.
        if not WebAuthnCredential.objects.filter(user=self.get_user(), confirmed=True).exists():
            raise exceptions.CredentialNotFound()


class CompleteSignIn(_PendingSignIn, CompleteCredentialAuthenticationView):
    def post(self, request, *args, **kwargs):
        account, next_url = self.pending()
        state = self.get_state()  # one-shot: popped before anything can fail
        ip = client_ip(request)
        now = timezone.now()
        if throttling.paused_for(account.identifier, signin.trusted_device(request, account.identifier), now):
            record("accounts.signin.refused_paused", subject=account, ip=ip, factor="passkey")
            raise SignInPaused()
        try:
            with rewrite_exceptions():
                # Refuses a passkey of another account (CredentialUserMismatch) before any check.
                device = self.get_helper().authenticate_complete(user=account, state=state, data=request.data)
            self.check_device_usable(device)
        except exceptions.OTPWebAuthnApiError as error:
            log.warning("passkey refused at sign-in: %s (%s)", error.code, error.__cause__ or error)
            credential = str(request.data.get("id", "")) if hasattr(request.data, "get") else ""
            who = {"subject": account, "ip": ip, "factor": "passkey"}
            outcome = signin._failure(
                account.identifier, f"passkey:{credential}", ip, now, who, "accounts.signin.second_factor_failure"
            )
            if outcome.status == "paused":
                raise SignInPaused() from error
            raise

        from .views import _signed_in  # the views import this module

        signed_in = _signed_in(request, account, device, next_url)
        response = JsonResponse({"id": device.pk, "redirect_url": signed_in["Location"]})
        response.cookies = signed_in.cookies  # the new-device cookie, if any
        return response


# For scripts: mounted outside the language prefixes (guichet/urls.py).
urlpatterns = [
    path("enrolment/begin/", BeginEnrolment.as_view(), name="passkey-enrol-begin"),
    path("enrolment/complete/", CompleteEnrolment.as_view(), name="passkey-enrol-complete"),
    path("signin/begin/", BeginSignIn.as_view(), name="passkey-signin-begin"),
    path("signin/complete/", CompleteSignIn.as_view(), name="passkey-signin-complete"),
]
