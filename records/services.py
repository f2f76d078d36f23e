"""Writes of the patient's own record: every copy made is written to the access log."""

from __future__ import annotations

from clinic.models import AccessAction, Patient, User
from clinic.services import access_log_record

EXPORT_FORMATS = ("fhir", "pdf")


def record_export_log(
    *, exported_by: User, patient: Patient, format: str, path: str = "", address: str | None = None
) -> None:
    """An export is an access of its own kind (NEN 7513): who took a copy, in which form."""
    if format not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {format!r}.")
    access_log_record(
        actor=exported_by,
        patient_ids=[patient.pk],
        object_ids=[format],
        action=AccessAction.EXPORT,
        resource="record",
        method="GET",
        path=path,
        address=address,
    )
