from django.contrib import admin

from clinic.admin_scope import LocationScopedAdminMixin, by_patient
from notifications.models import (
    CONSENT_CHANNELS,
    ConsentChange,
    ConsentSource,
    Notification,
    NotificationPreference,
    Status,
)
from notifications.preferences import notification_preferences_update


@admin.register(Notification)
class NotificationAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    """What went out, what waits, and what failed and why. The outbox holds escalation
    notices and claim tokens: a superuser's, not the staff's."""

    superuser_only = True

    list_display = ["send_at", "kind", "channel", "address", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel", "audience"]
    search_fields = ["idempotency_key", "address"]
    date_hierarchy = "send_at"
    raw_id_fields = ["patient", "recipient_user", "appointment", "escalation", "program"]
    readonly_fields = ["idempotency_key", "attempts", "last_error", "sent_at", "claimed_at"]
    actions = ["retry_failed"]

    @admin.action(description="Send the selected failed or held notifications again")
    def retry_failed(self, request, queryset):
        from django.utils import timezone

        # A new send_at after the restore: delivery sends it without asking the channel.
        count = queryset.filter(status__in=[Status.FAILED, Status.HELD]).update(
            status=Status.PENDING, attempts=0, send_at=timezone.now()
        )
        self.message_user(request, f"{count} notification(s) will be sent again.")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    """Consent per channel recorded at the desk. A change goes through the service the API
    uses, so it is kept in ConsentChange and a withdrawn channel's waiting messages are
    cancelled; the check-in time and a pause are the patient's own (the app)."""

    staff_scope = by_patient("patient__")
    list_display = ["patient", "email", "sms", "push", "in_app", "check_in_time", "paused_until"]
    fields = ["patient", *CONSENT_CHANNELS, "check_in_time", "paused_until"]
    readonly_fields = ["patient", "check_in_time", "paused_until"]

    def has_add_permission(self, request) -> bool:
        return False  # made by the service, on the first change through the API

    def save_model(self, request, obj, form, change):
        notification_preferences_update(
            patient=obj.patient,
            changed_by=request.user,
            source=ConsentSource.DESK,
            channels={c: form.cleaned_data[c] for c in CONSENT_CHANNELS if c in form.changed_data},
        )


@admin.register(ConsentChange)
class ConsentChangeAdmin(LocationScopedAdminMixin, admin.ModelAdmin):
    """Consent given or withdrawn, as it happened: read only, for superusers (staff read a
    patient's consent through the API)."""

    superuser_only = True
    list_display = ["patient", "channel", "granted", "source", "recorded_by", "at"]
    list_filter = ["channel", "granted", "source"]
    raw_id_fields = ["patient"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
