from django.urls import path

from clinic.api.routers import ClinicRouter
from notifications.api import (
    MyPreferencesView,
    NotificationViewSet,
    PatientPreferencesView,
)

router = ClinicRouter()
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/preferences/", MyPreferencesView.as_view(), name="me-preferences"),
    path(
        "patients/<int:id>/preferences/",
        PatientPreferencesView.as_view(),
        name="patient-preferences",
    ),
    *router.urls,
]
