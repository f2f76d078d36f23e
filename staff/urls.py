from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("calendar/", views.calendar, name="calendar"),
    path("book/", views.book, name="book"),
    path("appointments/<int:pk>/", views.appointment, name="appointment"),
    path("appointments/<int:pk>/move/", views.appointment_move, name="appointment_move"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel_view, name="appointment_cancel"),
    path("appointments/<int:pk>/no-show/", views.appointment_no_show, name="appointment_no_show"),
    path("patients/", views.patients, name="patients"),
    path("patients/<int:pk>/timeline/", views.timeline, name="timeline"),
    path("clinician/", views.clinician, name="clinician"),
    path(
        "escalations/<int:pk>/acknowledge/",
        views.escalation_acknowledge_view,
        name="escalation_acknowledge",
    ),
    path("escalations/<int:pk>/resolve/", views.escalation_resolve_view, name="escalation_resolve"),
]
