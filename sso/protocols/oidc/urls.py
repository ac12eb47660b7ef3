"""OpenID Connect URLs, outside the language prefix: clients call them, people rarely see them.

The toolkit finds its end points by name in the "oauth2_provider" namespace (discovery);
Guichet's sign-in finds the authorize end point as "oidc-authorize" (allowed `next`).
"""

from django.urls import include, path, re_path
from oauth2_provider import views as toolkit

from . import (
    rules,  # noqa: F401 - connects the Client → Application sync
    views,
)

toolkit_patterns = [
    re_path(
        r"^\.well-known/openid-configuration/?$", views.DiscoveryView.as_view(), name="oidc-connect-discovery-info"
    ),
    path(
        ".well-known/oauth-authorization-server",
        toolkit.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    path(".well-known/jwks.json", toolkit.JwksInfoView.as_view(), name="jwks-info"),
    path("oidc/authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("oidc/token/", toolkit.TokenView.as_view(), name="token"),
    path("oidc/userinfo/", toolkit.UserInfoView.as_view(), name="user-info"),
    path("oidc/revoke/", toolkit.RevokeTokenView.as_view(), name="revoke-token"),
    path("oidc/introspect/", views.IntrospectView.as_view(), name="introspect"),
    path("oidc/logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
]

urlpatterns = [
    # First, so that resolving the path gives the name the sign-in's allow-list knows.
    path("oidc/authorize/", views.AuthorizeView.as_view(), name="oidc-authorize"),
    path("", include((toolkit_patterns, "oauth2_provider"))),
]
