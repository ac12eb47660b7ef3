from django.urls import path

from . import staff_views as views

urlpatterns = [
    path("support/guichet/", views.desk, name="support-desk"),
    path("support/guichet/personne/<int:pk>/", views.person, name="support-person"),
    path("support/guichet/demandes/", views.approvals, name="support-approvals"),
    path("rh/demandes/", views.hr_list, name="hr-requests"),
    path("rh/demandes/nouvelle/", views.hr_new, name="hr-request-new"),
    path("rh/demandes/<int:pk>/", views.hr_detail, name="hr-request"),
    path("rh/demandes/<int:pk>/justificatif/", views.hr_document, name="hr-request-document"),
]
