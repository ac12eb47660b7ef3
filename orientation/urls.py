from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("orientation/", views.route, name="route"),
    path("plateformes/<slug:slug>/", views.platform, name="platform"),
    path("accessibilite/", views.accessibility, name="accessibility"),
]
