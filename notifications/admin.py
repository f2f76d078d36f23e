from django.contrib import admin

from clinic.admin_scope import LocationScopedAdminMixin, by_patient
from notifications.models import Notification, NotificationPreference, Status


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
    staff_scope = by_patient("patient__")
    list_display = ["patient", "email", "sms", "push", "check_in_time"]
    raw_id_fields = ["patient"]
