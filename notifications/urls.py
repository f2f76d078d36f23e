from django.urls import path
from rest_framework.routers import DefaultRouter

from notifications.api import (
    MyPreferencesView,
    NotificationViewSet,
    PatientPreferencesView,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
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
