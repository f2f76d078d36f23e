from django.urls import path

from records import api

urlpatterns = [
    path("me/record/", api.MeRecordView.as_view(), name="me-record"),
    path("me/access-log/", api.MeAccessLogView.as_view(), name="me-access-log"),
    path("me/export/", api.MeExportView.as_view(), name="me-export"),
    path("patients/<int:id>/export/", api.PatientExportView.as_view(), name="patient-export"),
]
