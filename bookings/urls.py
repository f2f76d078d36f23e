from django.urls import path
from rest_framework.routers import DefaultRouter

from bookings import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("appointment-types", api.AppointmentTypeViewSet, basename="appointment-type")
router.register("appointments", api.AppointmentViewSet, basename="appointment")

urlpatterns = [
    path("availability/", api.AvailabilityView.as_view(), name="availability"),
    path("calendar-feed/", api.CalendarFeedView.as_view(), name="calendar-feed"),
    path(
        "calendar-feed/regenerate/",
        api.CalendarFeedRegenerateView.as_view(),
        name="calendar-feed-regenerate",
    ),
    path("calendar/<str:token>.ics", api.CalendarFeedICalView.as_view(), name="calendar-ics"),
    *router.urls,
]
