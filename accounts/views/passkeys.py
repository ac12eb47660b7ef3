"""Passkeys (WebAuthn) as a second factor, through django-otp-webauthn.

The package's views run the ceremonies (options, one-shot state in the session, checks by
py_webauthn); these subclasses decide whose passkeys count and what success means:

- adding one needs a signed-in account with a fresh password, and is audited;
- at sign-in only the account whose password was just checked (the pending sign-in) may
  answer, and success goes through `signin.complete` exactly like a code.

The package's own authentication URLs are not mounted: they would sign people in on a
passkey alone (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off as well). The API's URLs and the
helper the package is configured with are in accounts/passkeys.py.
"""

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from audit.actions import client_ip, record

from .. import events
from ..actions import factors, signin, throttling
from ..models import Account
from .completion import signed_in

log = logging.getLogger("guichet.passkeys")


# django-otp-webauthn ships no type information: its classes are Any to mypy, hence the
# `type: ignore[misc]` (subclassing Any) on the classes below.
class SignInExpired(exceptions.OTPWebAuthnApiError):  # type: ignore[misc]
    status_code = 403
    default_code = "signin_expired"
    default_detail = gettext_lazy("Aucune connexion n'attend de second facteur. Recommencez la connexion.")


class SignInPaused(exceptions.OTPWebAuthnApiError):  # type: ignore[misc]
    status_code = 429
    default_code = "paused"
    default_detail = gettext_lazy("La connexion est suspendue après plusieurs erreurs.")


class PasswordNotFresh(exceptions.OTPWebAuthnApiError):  # type: ignore[misc]
    status_code = 403
    default_code = "password_not_fresh"
    default_detail = gettext_lazy("Confirmez d'abord votre mot de passe.")


# The package words its errors in English only (and has no French catalogue): each code a
# person can meet gets our words; the rest (malformed answers from the browser) one message.
_DETAILS: dict[str, str | Promise] = {
    SignInExpired.default_code: SignInExpired.default_detail,
    SignInPaused.default_code: SignInPaused.default_detail,
    PasswordNotFresh.default_code: PasswordNotFresh.default_detail,
    "credential_not_found": gettext_lazy("Cette clé d'accès est inconnue : elle a peut-être été retirée."),
    "credential_user_mismatch": gettext_lazy("Cette clé d'accès appartient à un autre compte."),
    "credential_disabled": gettext_lazy("Cette clé d'accès a été désactivée."),
    "user_disabled": gettext_lazy("Ce compte n'est plus actif. Contactez le support de votre établissement."),
    "not_authenticated": gettext_lazy("Connectez-vous d'abord."),
    "user_not_verified": gettext_lazy("Confirmez d'abord votre identité avec votre second facteur actuel."),
    "invalid_state": gettext_lazy("Cette opération a expiré ou n'a pas commencé. Recommencez."),
    "passwordless_login_disabled": gettext_lazy(
        "La connexion par clé d'accès seule n'est pas proposée : saisissez d'abord votre mot de passe."
    ),
}
_UNCHECKED = gettext_lazy("La clé d'accès n'a pas pu être vérifiée. Réessayez, ou utilisez un code.")


def error_detail(code: str, request: HttpRequest) -> str:
    """The error's text in the calling page's language.

    The API's URLs carry no language prefix, so Django answers in French: passkey.js sends
    the page's language as Accept-Language."""
    with translation.override(translation.get_language_from_request(request)):
        return str(_DETAILS.get(code, _UNCHECKED))


class _Api:
    request: HttpRequest

    def payload(self) -> Any:
        # The package's dispatch parses the JSON body onto the request as `data`, an
        # attribute HttpRequest's type does not know (the package ships no types).
        return self.request.data  # type: ignore[attr-defined]

    def handle_exception(self, exc: Exception) -> HttpResponseBase:
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            detail = error_detail(exc.code, self.request)
            return JsonResponse({"detail": detail, "code": exc.code}, status=exc.status_code)
        raise exc


def usable_here(request: HttpRequest) -> bool:
    """Browsers bind a passkey to OTP_WEBAUTHN_RP_ID: offer passkeys only on an allowed origin."""
    origins: list[str] = settings.OTP_WEBAUTHN_ALLOWED_ORIGINS
    return f"{request.scheme}://{request.get_host()}" in origins


def verify_context(request: HttpRequest, account: Account) -> dict[str, bool]:
    """What the second-factor page needs: whether to offer « Utiliser ma clé d'accès »."""
    offered = usable_here(request) and WebAuthnCredential.objects.filter(user=account, confirmed=True).exists()
    return {"passkey_offered": offered}


def security_context(request: HttpRequest, devices: list[Any]) -> dict[str, object]:
    """What « Sécurité du compte » needs: which factors are passkeys, and whether one can be added."""
    return {
        "passkeys": [d for d in devices if isinstance(d, WebAuthnCredential)],
        "passkey_enrolment": usable_here(request),
        "fresh_password": factors.has_fresh_password(request),
    }


# Adding a passkey: the signed-in account (the package also wants a session verified by a
# second factor when the account already has one), and a password confirmed recently.


class _FreshPassword(_Api):
    def check_can_register(self) -> None:
        # The API answers with a code, not a redirect: passkey.js sends the person to
        # « Confirmer votre mot de passe » (decorators.require_fresh_password's page).
        if not factors.has_fresh_password(self.request):
            raise PasswordNotFresh()


class BeginEnrolment(_FreshPassword, BeginCredentialRegistrationView):  # type: ignore[misc]
    pass


class CompleteEnrolment(_FreshPassword, CompleteCredentialRegistrationView):  # type: ignore[misc]
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
        account: Account = self.get_user()
        state = self.get_state()  # one-shot: popped before anything can fail
        try:
            with transaction.atomic(), rewrite_exceptions():
                device = self.get_helper().register_complete(user=account, state=state, data=self.payload())
                record(events.FACTOR_ADDED, actor=account, subject=account, ip=client_ip(request), factor="passkey")
        except exceptions.OTPWebAuthnApiError as error:
            # A wrong origin or RP ID in the settings shows here first: say which.
            log.warning("passkey refused at enrolment: %s (%s)", error.code, error.__cause__ or error)
            raise
        # The notice is for the calling page, in its language (see `error_detail`).
        with translation.override(translation.get_language_from_request(request)):
            messages.success(request, _("Clé d'accès ajoutée. Elle vous sera demandée à la prochaine connexion."))
        return JsonResponse({"id": device.pk, "redirect_url": reverse("security")})


# Signing in: the password was right, the session holds the pending account; the passkey
# must be one of that account's, and failures count like wrong codes.


class _PendingSignIn(_Api):
    _pending: tuple[Account | None, str]

    def pending(self) -> tuple[Account | None, str]:
        if not hasattr(self, "_pending"):
            self._pending = signin.pending_account(self.request)
        return self._pending

    def get_user(self) -> Account | None:
        return self.pending()[0]

    def pending_account(self) -> tuple[Account, str]:
        account, next_url = self.pending()
        if account is None or not account.is_active:
            raise SignInExpired()
        return account, next_url

    def check_can_authenticate(self) -> None:
        self.pending_account()


class BeginSignIn(_PendingSignIn, BeginCredentialAuthenticationView):  # type: ignore[misc]
    def check_can_authenticate(self) -> None:
        account, _next = self.pending_account()
        # Without one, an empty allow-list would let the browser offer any passkey it holds.
        if not WebAuthnCredential.objects.filter(user=account, confirmed=True).exists():
            raise exceptions.CredentialNotFound()


class CompleteSignIn(_PendingSignIn, CompleteCredentialAuthenticationView):  # type: ignore[misc]
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
        account, next_url = self.pending_account()
        state = self.get_state()  # one-shot: popped before anything can fail
        ip = client_ip(request)
        now = timezone.now()
        if throttling.paused_for(account.identifier, signin.trusted_device(request, account.identifier), now):
            record(events.SIGNIN_REFUSED_PAUSED, subject=account, ip=ip, factor="passkey")
            raise SignInPaused()
        data = self.payload()
        try:
            with rewrite_exceptions():
                # Refuses a passkey of another account (CredentialUserMismatch) before any check.
                device = self.get_helper().authenticate_complete(user=account, state=state, data=data)
            self.check_device_usable(device)
        except exceptions.OTPWebAuthnApiError as error:
            log.warning("passkey refused at sign-in: %s (%s)", error.code, error.__cause__ or error)
            credential = str(data.get("id", "")) if hasattr(data, "get") else ""
            who = {"subject": account, "ip": ip, "factor": "passkey"}
            outcome = signin.record_failed_attempt(
                account.identifier, f"passkey:{credential}", ip, now, who, events.SIGNIN_SECOND_FACTOR_FAILURE
            )
            if outcome.status == "paused":
                raise SignInPaused() from error
            raise
        done = signed_in(request, account, device, next_url)
        # passkey.js moves on by itself (a fresh navigation): `next_url` whether `done` is a
        # redirect or the page that moves on to a single sign-on end point.
        response = JsonResponse({"id": device.pk, "redirect_url": next_url})
        response.cookies = done.cookies  # the new-device cookie, if any
        return response
