"""OpenID Connect end points: the toolkit's views, bent to Guichet's one sign-in.

The authorize view never checks a password itself: sso.auth says who is signed in (and asks
for a fresh password for prompt=login or an exceeded max_age), sso.access says whether this
person may use the client, and the sign-on is remembered for single logout.
"""

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django_otp import devices_for_user
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import AccessToken, RefreshToken, revoke_access_token
from oauth2_provider.views import (
    AuthorizationView,
    ConnectDiscoveryInfoView,
    IntrospectTokenView,
    RPInitiatedLogoutView,
)

from accounts.actions import sessions
from accounts.actions.sessions import LOGIN_AT, SID
from accounts.models import Account
from audit.actions import client_ip, record
from institutions.models import Client

from ... import access, actions, auth, csp, events
from ...views import wrong_portal
from . import rules as oidc


def _max_age_exceeded(request: HttpRequest) -> bool:
    raw = request.GET.get("max_age", "")
    if not raw.isdigit() or not request.user.is_authenticated:
        return False
    login_at: float = request.session.get(LOGIN_AT, 0)
    return timezone.now().timestamp() - login_at > int(raw)


def _refused_back(credentials: dict[str, Any]) -> str:
    """RFC 6749 §4.1.2.1: the client hears `access_denied` at its (already checked) redirect URI."""
    redirect_uri = str(credentials.get("redirect_uri") or "")
    if not redirect_uri:
        return ""
    params = {"error": "access_denied"} | ({"state": credentials["state"]} if credentials.get("state") else {})
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(params)}"


class AuthorizeView(AuthorizationView):  # type: ignore[misc]  # oauth2_provider ships no types
    template_name = "sso/oidc_consent.html"
    client: Client

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.oauth2_data: dict[str, Any] = {}
        credentials: dict[str, Any] = {}
        scopes: list[str] = []
        if request.method == "POST":  # the consent form: its fields name the client
            client_id, prompt, renew = request.POST.get("client_id", ""), set[str](), False
        else:
            if request.user.is_authenticated:  # for prompt=none (validator: silent login)
                request.META[oidc.ACCOUNT_HEADER] = str(request.user.pk)
            try:  # before any sign-in: a wrong client or redirect URI stops here, never redirected to
                scopes, credentials = self.validate_authorization_request(request)
            except OAuthToolkitError as error:
                refused: HttpResponseBase = self.error_response(error, application=None)
                return refused
            client_id = credentials["client_id"]
            prompt = set(request.GET.get("prompt", "").split())
            renew = "login" in prompt or _max_age_exceeded(request)
        client = oidc.client_for(client_id)
        if client is None:
            return render(request, "sso/oidc_error.html", {"error": None}, status=400)
        self.client = client
        account = auth.signed_in(request, renew=renew)
        if account is None:
            if "none" in prompt:
                silent: HttpResponseBase = self.handle_no_permission()  # login_required, back to the client
                return silent
            return auth.to_login(request, renew=renew)
        if not access.may_use(account, self.client):
            return wrong_portal(request, account, self.client, back_url=_refused_back(credentials))
        wants_mfa = request.method == "GET" and auth.MFA in request.GET.get("acr_values", "").split()
        if wants_mfa and auth.acr(auth.amr(request)) != auth.MFA:  # the client asks for a second factor
            return self._second_factor(request, account, credentials)
        remembered = request.method == "GET" and oidc.third_party(self.client) and "consent" not in prompt
        if remembered and actions.consented(account, self.client, scopes):
            # Asked once per client and scope: the answer given before stands (until revoked).
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
            again: HttpResponseBase = self.redirect(uri, None)
            return again
        if prompt & {"login", "consent"}:
            # Satisfied by the sign-in above; the toolkit would send people to sign in again.
            query = request.GET.copy()
            query["prompt"] = " ".join(sorted(prompt - {"login", "consent"}))
            if "consent" in prompt:
                query["approval_prompt"] = "force"
            request.GET = query  # type: ignore[assignment]  # the stubs type GET as immutable; the toolkit reads it
        answer: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return answer

    def _second_factor(self, request: HttpRequest, account: Account, credentials: dict[str, Any]) -> HttpResponse:
        """A fresh sign-in, which asks the second factor; or, with none enrolled, say so."""
        if any(devices_for_user(account, confirmed=True)):
            return auth.to_login(request, renew=True, next_url=request.get_full_path())
        record(events.OIDC_SECOND_FACTOR_MISSING, subject=account, client=self.client.slug)
        context = {"client": self.client, "back_url": _refused_back(credentials)}
        return render(request, "sso/oidc_second_factor.html", context, status=403)

    def create_authorization_response(
        self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> tuple[str, Any, Any, int]:
        uri, headers, body, status = super().create_authorization_response(request, scopes, credentials, allow)
        code = parse_qs(urlsplit(uri).query).get("code", [""])[0]
        if code:
            account, guichet_sid = auth.account(request), request.session.get(SID)
            if oidc.third_party(self.client):
                actions.remember_consent(account, self.client, scopes.split())
            data = {
                "sid": oidc.session_sid(guichet_sid) if guichet_sid else None,
                "sub": oidc.subject(account, self.client),
                "amr": auth.amr(request),
                "grant": oidc.code_digest(code),
            }
            actions.signed_on(
                self.client,
                account,
                guichet_sid,
                event=events.OIDC_AUTHORIZE,
                data=data,
                actor=account,
                ip=client_ip(request),
                scope=scopes,
            )
        return uri, headers, body, status

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["client"] = self.client
        context["scope_items"] = [oidc.SCOPE_DESCRIPTIONS.get(s, s) for s in context.get("scopes", [])]
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponseBase:
        if "error" in context:
            return render(
                self.request, "sso/oidc_error.html", {"error": context["error"]}, status=kwargs.get("status", 400)
            )
        response: HttpResponseBase = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-store"
        # The answer to the consent form redirects to the client: the form must be allowed to.
        return csp.allow_form_action(response, context.get("redirect_uri") or "")


class DiscoveryView(ConnectDiscoveryInfoView):  # type: ignore[misc]  # oauth2_provider ships no types
    """The toolkit's document, completed with what Guichet also offers."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update(
            {
                "introspection_endpoint": self._get_endpoint_url(request, "introspect"),
                "revocation_endpoint": self._get_endpoint_url(request, "revoke-token"),
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "prompt_values_supported": ["none", "login", "consent"],
                "backchannel_logout_supported": True,
                "backchannel_logout_session_supported": True,
                "acr_values_supported": [auth.SFA, auth.MFA],
                "claims_supported": sorted({*data.get("claims_supported", []), "acr", "amr"}),
            }
        )
        response.content = json.dumps(data)
        return response


class IntrospectView(IntrospectTokenView):  # type: ignore[misc]  # oauth2_provider ships no types
    """RFC 7662, for resource servers (Dovecot). POST only: tokens stay out of URLs and logs."""

    http_method_names = ["post", "options"]

    @staticmethod
    def get_token_response(token_value: str | None = None) -> HttpResponse:
        response: HttpResponse = IntrospectTokenView.get_token_response(token_value)
        if response.status_code != 200 or not json.loads(response.content).get("active"):
            return response
        checksum = hashlib.sha256((token_value or "").encode()).hexdigest()
        token = AccessToken.objects.select_related("user", "application").get(token_checksum=checksum)
        client = oidc.client_for(token.application.client_id) if token.application else None
        # A disabled account, or one no longer allowed on the client, holds no live token.
        if token.user is None or client is None or not access.may_use(token.user, client):
            response.content = json.dumps({"active": False})
            return response
        data = json.loads(response.content)
        data["sub"] = oidc.subject(token.user, client)
        response.content = json.dumps(data)
        return response


class LogoutView(RPInitiatedLogoutView):  # type: ignore[misc]  # oauth2_provider ships no types
    """RP-initiated logout: ends the Guichet session itself, so every other client hears of it."""

    template_name = "sso/oidc_logout.html"

    def do_logout(
        self,
        application: Any = None,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
        token_user: Any = None,
    ) -> HttpResponseBase:
        user = token_user or self.request.user
        if application is not None and user.is_authenticated:
            # The asking client's own tokens end; other clients' (a mail client's) stay.
            for token in AccessToken.objects.filter(user=user, application=application):
                revoke_access_token(token)
            for refresh in RefreshToken.objects.filter(user=user, application=application, revoked__isnull=True):
                refresh.revoke()
        if self.request.user.is_authenticated:
            client = oidc.client_for(application.client_id) if application else None
            record(
                events.OIDC_LOGOUT,
                actor=self.request.user,
                subject=self.request.user,
                ip=client_ip(self.request),
                client=client.slug if client else "",
            )
            sessions.end(self.request, "logout")
        done: HttpResponseBase = super().do_logout(application, post_logout_redirect_uri, state, token_user)
        return done

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-store"
        return csp.allow_form_action(response, self.oidc_data.get("post_logout_redirect_uri") or "")
