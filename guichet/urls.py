from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from guichet import identity
from orientation import views as orientation
from status import views as status

# Human pages: French at the root, English under /en/. Scripts' URLs stay unprefixed.
urlpatterns = [
    path("api/route", orientation.api_route, name="api-route"),
    path("healthz", orientation.healthz, name="healthz"),
    path("", include("ops.urls")),
    path("api/status", status.api_status, name="api-status"),
    path("webauthn/", include("accounts.passkeys")),
    # OpenID Connect: discovery, JWKS and the protocol end points (sso/protocols/oidc/urls.py).
    path("", include("sso.protocols.oidc.urls")),
    # CAS clients hard-code /cas/…: one URL for every language.
    path("cas/", include("sso.protocols.cas.urls")),
    path("saml/", include("sso.protocols.saml.urls")),
    # WS-Federation (Exchange): /wsfed/ and /FederationMetadata/2007-06/FederationMetadata.xml.
    path("", include("sso.protocols.wsfed.urls")),
    # Whose portal: colours and logos from the set-up file.
    path("identite.css", identity.identity_css, name="identity-css"),
    path("identite/<slug:who>.svg", identity.logo, name="identity-logo"),
    # Mail programs' automatic configuration (Thunderbird autoconfig, Outlook Autodiscover).
    path("", include("mailconfig.wellknown_urls")),
]
urlpatterns += i18n_patterns(
    path("", include("orientation.urls")),
    path("", include("accounts.urls")),
    path("", include("recovery.urls")),
    path("", include("recovery.staff_urls")),
    path("", include("sso.urls")),
    # « Contacter le support », ticket tracking and the agents' queue (/support/guichet/ stays recovery's).
    path("", include("support.urls")),
    path("", include("mailconfig.urls")),
    path("", include("status.urls")),
    # Administrators sign in like everyone else: password, throttling, second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler400 = "guichet.errors.bad_request"
handler403 = "guichet.errors.forbidden"
handler404 = "guichet.errors.not_found"
handler500 = "guichet.errors.server_error"
