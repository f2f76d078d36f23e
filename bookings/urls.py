from django.urls import path

from bookings.api import appointments, availability, calendar_feed
from clinic.api.routers import ClinicRouter

router = ClinicRouter()
router.register(
    "appointment-types", appointments.AppointmentTypeViewSet, basename="appointment-type"
)
router.register("appointments", appointments.AppointmentViewSet, basename="appointment")

urlpatterns = [
    path("availability/", availability.AvailabilityView.as_view(), name="availability"),
    path("calendar-feed/", calendar_feed.CalendarFeedView.as_view(), name="calendar-feed"),
    path(
        "calendar-feed/regenerate/",
        calendar_feed.CalendarFeedRegenerateView.as_view(),
        name="calendar-feed-regenerate",
    ),
    path(
        "calendar/<str:token>.ics",
        calendar_feed.CalendarFeedICalView.as_view(),
        name="calendar-ics",
    ),
    *router.urls,
]
