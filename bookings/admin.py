"""Admin: managers configure appointment types, working hours and exceptions; the day view
lists appointments per location and clinician. Changes to appointments go through the
services (the cancel action), so history and events are never skipped."""

from django.contrib import admin, messages

from bookings.models import (
    Appointment,
    AppointmentChange,
    AppointmentType,
    CalendarFeed,
    CancelReason,
    ScheduleException,
    WorkingHours,
)
from bookings.services.appointments import appointment_cancel
from clinic.errors import DomainError
from clinic.time import CLINIC_TZ


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "duration_minutes",
        "buffer_after_minutes",
        "patient_bookable",
        "colour",
        "active",
    ]
    list_filter = ["patient_bookable", "active"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["clinician", "location", "weekday", "starts_at", "ends_at", "valid_from"]
    list_filter = ["location", "weekday", "clinician"]
    list_select_related = ["clinician__user", "location"]


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(admin.ModelAdmin):
    list_display = ["kind", "clinician", "location", "starts_at", "ends_at", "reason"]
    list_filter = ["kind", "location"]
    list_select_related = ["clinician__user", "location"]
    date_hierarchy = "starts_at"


class AppointmentChangeInline(admin.TabularInline):
    model = AppointmentChange
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "at", "previous_start", "reason", "note"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description="Cancel the selected appointments (reason: other)")
def cancel_appointments(modeladmin, request, queryset):
    done = 0
    for appointment in queryset:
        try:
            appointment_cancel(
                actor=request.user, appointment=appointment, reason=CancelReason.OTHER
            )
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{appointment}: {exc.detail}", messages.WARNING)
    modeladmin.message_user(request, f"Cancelled {done} appointment(s).")


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """The day view: filter by location, clinician and status, drill down by date."""

    list_display = [
        "local_start",
        "local_end",
        "clinician",
        "patient",
        "appointment_type",
        "location",
        "status",
    ]
    list_filter = ["location", "clinician", "status", "appointment_type"]
    list_select_related = ["clinician__user", "patient", "appointment_type", "location"]
    date_hierarchy = "start"
    ordering = ["start", "id"]
    search_fields = ["patient__last_name", "patient__first_name"]
    inlines = [AppointmentChangeInline]
    actions = [cancel_appointments]
    readonly_fields = [f.name for f in Appointment._meta.fields]

    @admin.display(description="start", ordering="start")
    def local_start(self, obj):
        return obj.start.astimezone(CLINIC_TZ).strftime("%a %Y-%m-%d %H:%M")

    @admin.display(description="end", ordering="end")
    def local_end(self, obj):
        return obj.end.astimezone(CLINIC_TZ).strftime("%H:%M")

    def has_add_permission(self, request):
        # Booking checks hours, overlaps and the patient's rules: book through the API.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["clinician", "created_at", "last_used_at"]
    readonly_fields = ["clinician", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
