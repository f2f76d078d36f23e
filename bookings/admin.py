"""Admin: managers configure appointment types, working hours and exceptions; the day view
lists appointments per location and clinician. Changes to appointments go through the
services (the cancel action), so history and events are never skipped."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookings.models import (
    Appointment,
    AppointmentChange,
    AppointmentType,
    CalendarFeed,
    CancelReason,
    ScheduleException,
    WorkingHours,
)
from bookings.selectors import appointment_filter_for, cancel_note_readable_by
from bookings.services.appointments import appointment_cancel
from clinic.admin_scope import CLINIC_WIDE, LocationScopedAdminMixin, by_location
from clinic.admin_views import ReadOnlyInline
from clinic.errors import DomainError
from clinic.selectors import location_ids_of
from clinic.time import CLINIC_TZ


def _exceptions_scope(user):
    """Closures of the user's locations, and leave of clinicians who work there."""
    ids = location_ids_of(user)
    return Q(location_id__in=ids) | Q(location__isnull=True, clinician__user__locations__in=ids)


@admin.register(AppointmentType)
class AppointmentTypeAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    staff_scope = CLINIC_WIDE
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
class WorkingHoursAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    staff_scope = by_location("location")
    list_display = ["clinician", "location", "weekday", "starts_at", "ends_at", "valid_from"]
    list_filter = ["location", "weekday", "clinician"]
    list_select_related = ["clinician__user", "location"]


@admin.register(ScheduleException)
class ScheduleExceptionAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    staff_scope = _exceptions_scope
    scope_is_many_valued = True
    list_display = ["kind", "clinician", "location", "starts_at", "ends_at", "reason"]
    list_filter = ["kind", "location"]
    list_select_related = ["clinician__user", "location"]
    date_hierarchy = "starts_at"


def _note_exists(text: str) -> str:
    return gettext("yes") if text else gettext("no")


class AppointmentChangeInline(ReadOnlyInline):
    model = AppointmentChange
    fields = ["action", "actor", "at", "previous_start", "reason", "note"]

    def get_fields(self, request, obj=None):
        if cancel_note_readable_by(request.user):
            return self.fields
        return [f if f != "note" else "has_note" for f in self.fields]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "has_note"]

    @admin.display(description=_("note given"))
    def has_note(self, obj):
        return _note_exists(obj.note)


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
class AppointmentAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    """The day view: filter by location, clinician and status, drill down by date."""

    staff_scope = appointment_filter_for

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
    readonly_fields = [f.name for f in Appointment._meta.fields] + ["has_cancel_note"]

    def get_fields(self, request, obj=None):
        fields = [f.name for f in Appointment._meta.fields]
        if cancel_note_readable_by(request.user):
            return fields
        return [f if f != "cancel_note" else "has_cancel_note" for f in fields]

    @admin.display(description=_("cancel note given"))
    def has_cancel_note(self, obj):
        return _note_exists(obj.cancel_note)

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
class CalendarFeedAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    """The feed's token hash is a secret: a superuser's only."""

    superuser_only = True
    list_display = ["clinician", "created_at", "last_used_at"]
    readonly_fields = ["clinician", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
