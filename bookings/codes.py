"""The error codes of bookings' refusals (API.md, "Codes")."""

from django.db import models

from clinic.codes import error_codes


@error_codes("bookings")
class BookingErrorCode(models.TextChoices):
    SLOT_TAKEN = "slot_taken", "The clinician or the patient is busy then"
    CLINICIAN_UNAVAILABLE = "clinician_unavailable", "The clinician is away then"
    OUTSIDE_WORKING_HOURS = "outside_working_hours", "Outside the clinician's working hours"
    OFF_GRID = "off_grid", "The start is not on the slot grid"
    IN_THE_PAST = "in_the_past", "The start time is in the past"
    SERIES_CONFLICT = "series_conflict", "An occurrence of the series cannot be booked"
    TYPE_NOT_PATIENT_BOOKABLE = "type_not_patient_bookable", "Patients cannot book this type"
    NO_PATIENT_RECORD = "no_patient_record", "The account has no patient record"
    NOT_OWN_PATIENT = "not_own_patient", "Patients book only for themselves"
    INVALID_STATE = "invalid_state", "The appointment's status does not allow it"
    TOO_LATE_TO_CANCEL = "too_late_to_cancel", "Too close to the start to cancel or move"
    NOT_STARTED = "not_started", "The appointment has not started yet"
