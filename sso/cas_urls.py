from django.urls import path

from . import cas_views

urlpatterns = [
    path("login", cas_views.login, name="cas-login"),
    path("logout", cas_views.logout, name="cas-logout"),
    path("serviceValidate", cas_views.service_validate, name="cas-service-validate"),
    path("p3/serviceValidate", cas_views.p3_service_validate, name="cas-p3-service-validate"),
    path("proxyValidate", cas_views.proxy_validate, name="cas-proxy-validate"),
]
