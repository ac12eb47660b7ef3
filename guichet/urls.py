from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from orientation import views as orientation

# Human pages: French at the root, English under /en/. Scripts' URLs stay unprefixed.
urlpatterns = [
    path("api/route", orientation.api_route, name="api-route"),
    path("healthz", orientation.healthz, name="healthz"),
]
urlpatterns += i18n_patterns(
    path("", include("orientation.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler400 = "guichet.errors.bad_request"
handler403 = "guichet.errors.forbidden"
handler404 = "guichet.errors.not_found"
handler500 = "guichet.errors.server_error"
