"""Every app's error codes live in its enum, and the OpenAPI document lists them."""

import pytest
import yaml

from accounts.codes import AccountErrorCode
from assessments.codes import AssessmentErrorCode
from bookings.codes import BookingErrorCode
from clinic.codes import ClinicErrorCode, registered_error_codes
from clinic.errors import Conflict
from escalations.codes import EscalationErrorCode
from programs.codes import ProgramErrorCode

ENUMS = {
    "accounts": AccountErrorCode,
    "assessments": AssessmentErrorCode,
    "bookings": BookingErrorCode,
    "clinic": ClinicErrorCode,
    "escalations": EscalationErrorCode,
    "programs": ProgramErrorCode,
}


def test_each_app_registers_its_codes_and_no_code_has_two_owners():
    registered = registered_error_codes()
    assert registered == {app: sorted(codes.values) for app, codes in ENUMS.items()}
    every = [code for codes in registered.values() for code in codes]
    assert len(every) == len(set(every))


def test_a_refusal_carries_its_code_as_plain_text():
    refusal = Conflict("Taken.", code=BookingErrorCode.SLOT_TAKEN)
    assert refusal.code == "slot_taken" and type(refusal.code) is str


@pytest.mark.django_db
def test_the_openapi_document_lists_the_codes_and_each_write_names_its_own(client):
    document = yaml.safe_load(client.get("/api/schema/").content)
    # Codes grow: an open string listing the known ones, never a closed enum.
    error_code = document["components"]["schemas"]["ErrorCode"]
    assert "enum" not in error_code
    listed = error_code["x-known-values"]
    assert {code for codes in ENUMS.values() for code in codes.values} <= set(listed)
    booking = document["paths"]["/api/v1/appointments/"]["post"]["x-error-codes"]
    assert BookingErrorCode.SLOT_TAKEN in booking
    assert ClinicErrorCode.LOCATION_NOT_ALLOWED in booking
    assert ProgramErrorCode.STEP_CRITERIA_UNMET not in booking
    resolve = document["paths"]["/api/v1/escalations/{id}/resolve/"]["post"]["x-error-codes"]
    assert EscalationErrorCode.ESCALATION_RESOLVED in resolve
