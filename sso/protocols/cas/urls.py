from django.urls import path

from . import views

urlpatterns = [
    path("login", views.login, name="cas-login"),
    path("logout", views.logout, name="cas-logout"),
    path("validate", views.validate, name="cas-validate"),
    path("serviceValidate", views.service_validate, name="cas-service-validate"),
    path("proxyValidate", views.proxy_validate, name="cas-proxy-validate"),
    path("proxy", views.proxy, name="cas-proxy"),
    path("p3/serviceValidate", views.p3_service_validate, name="cas-p3-service-validate"),
    path("p3/proxyValidate", views.p3_proxy_validate, name="cas-p3-proxy-validate"),
]
