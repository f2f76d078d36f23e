"""Access logging for API views that show or change a patient's record (NEN 7513)."""

from __future__ import annotations

from operator import attrgetter

from clinic.api.addresses import client_address
from clinic.models import AccessAction
from clinic.services import access_log_record

ACTION_BY_METHOD = {
    "GET": AccessAction.READ,
    "HEAD": AccessAction.READ,
    "POST": AccessAction.UPDATE,
    "PUT": AccessAction.UPDATE,
    "PATCH": AccessAction.UPDATE,
    "DELETE": AccessAction.DELETE,
}


class AccessLoggedMixin:
    """Logs every object a successful request showed or changed, one entry per object.

    Objects fetched with ``get_object()`` or returned in a list page are logged
    automatically; views that create an object call ``self.log_access(obj, CREATE)``.
    ``access_log_patient`` is the dotted attribute holding the patient id.
    """

    access_log_resource: str = ""
    access_log_patient: str = "patient_id"

    def initial(self, request, *args, **kwargs):
        self._accessed: list[tuple[object, str | None]] = []
        super().initial(request, *args, **kwargs)

    def log_access(self, obj, action: str | None = None) -> None:
        self._accessed.append((obj, action))

    def get_object(self):
        obj = super().get_object()
        self.log_access(obj)
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for obj in page if page is not None else []:
            self.log_access(obj, AccessAction.READ)
        return page

    def finalize_response(self, request, response, *args, **kwargs):
        accessed = getattr(self, "_accessed", [])
        if accessed and 200 <= response.status_code < 300 and request.user.is_authenticated:
            default_action = ACTION_BY_METHOD.get(request.method, AccessAction.READ)
            patient_of = attrgetter(self.access_log_patient)
            seen: dict[tuple, tuple] = {}
            for obj, action in accessed:
                # An object fetched and then changed in one request is logged once.
                seen[(obj.pk,)] = (patient_of(obj), obj.pk, action or default_action)
            by_action: dict[str, list[tuple]] = {}
            for patient_id, object_id, action in seen.values():
                by_action.setdefault(action, []).append((patient_id, object_id))
            for action, rows in by_action.items():
                access_log_record(
                    actor=request.user,
                    patient_ids=[r[0] for r in rows],
                    object_ids=[r[1] for r in rows],
                    action=action,
                    resource=self.access_log_resource,
                    method=request.method,
                    path=request.get_full_path(),
                    address=client_address(request),
                )
        return super().finalize_response(request, response, *args, **kwargs)


class AccessLoggedAdminMixin:
    """For ModelAdmins: opening (GET) or saving (POST) a record in the admin writes one
    access-log entry for its patient. ``access_log_patient`` is the lookup from the model to
    the patient id ("patient_id", "program__patient_id", or "pk" for Patient itself)."""

    access_log_resource: str = ""
    access_log_patient: str = "patient_id"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code in (200, 302) and str(object_id).isdigit():
            patient_id = (
                self.model.objects.filter(pk=object_id)
                .values_list(self.access_log_patient, flat=True)
                .first()
            )
            if patient_id is not None:
                access_log_record(
                    actor=request.user,
                    patient_ids=[patient_id],
                    object_ids=[object_id],
                    action=AccessAction.UPDATE if request.method == "POST" else AccessAction.READ,
                    resource=self.access_log_resource,
                    method=request.method,
                    path=request.get_full_path(),
                    address=client_address(request),
                )
        return response
