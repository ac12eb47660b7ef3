from django.urls import path

from . import desk_views, views

# /support/ is the public contract for « Contacter le support »; /support/guichet/ (the
# assisted-reset desk) belongs to recovery.staff_urls and is not shadowed by anything here.
urlpatterns = [
    path("support/", views.contact, name="support-contact"),
    path("support/envoye/", views.filed, name="support-filed"),
    path("support/suivi/<str:token>/", views.track, name="support-track"),
    path("support/suivi/<str:token>/captures/<int:pk>/", views.track_screenshot, name="support-track-screenshot"),
    path("support/tickets/", desk_views.queue, name="support-queue"),
    path("support/tickets/<str:number>/", desk_views.ticket, name="support-ticket"),
    path("support/tickets/<str:number>/agir/", desk_views.act, name="support-ticket-act"),
    path("support/tickets/<str:number>/captures/<int:pk>/", desk_views.screenshot, name="support-ticket-screenshot"),
]
