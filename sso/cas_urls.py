from django.urls import path

from . import cas_views

urlpatterns = [
    path("login", cas_views.login, name="cas-login"),
    path("logout", cas_views.logout, name="cas-logout"),
    path("validate", cas_views.validate, name="cas-validate"),
    path("serviceValidate", cas_views.service_validate, name="cas-service-validate"),
    path("proxyValidate", cas_views.proxy_validate, name="cas-proxy-validate"),
    path("proxy", cas_views.proxy, name="cas-proxy"),
    path("p3/serviceValidate", cas_views.p3_service_validate, name="cas-p3-service-validate"),
    path("p3/proxyValidate", cas_views.p3_proxy_validate, name="cas-p3-proxy-validate"),
]
