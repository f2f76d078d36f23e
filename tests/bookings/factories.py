"""Factories of the bookings app."""

from __future__ import annotations

from datetime import time, timedelta

import factory
from factory.django import DjangoModelFactory

from bookings.models import Appointment, AppointmentStatus, AppointmentType, WorkingHours
from tests.factories import ClinicianFactory, PatientFactory


class AppointmentTypeFactory(DjangoModelFactory):
    class Meta:
        model = AppointmentType
        django_get_or_create = ("code",)

    code = "treatment"
    name = factory.LazyAttribute(lambda t: t.code.replace("_", " ").capitalize())
    duration_minutes = 30
    buffer_after_minutes = 0
    patient_bookable = True


class WorkingHoursFactory(DjangoModelFactory):
    class Meta:
        model = WorkingHours

    clinician = factory.SubFactory(ClinicianFactory)
    location = factory.LazyAttribute(lambda wh: wh.clinician.user.locations.first())
    weekday = 0
    starts_at = time(9, 0)
    ends_at = time(17, 0)


class AppointmentFactory(DjangoModelFactory):
    """An appointment written directly (no checks): for setting up history and load."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    clinician = factory.SubFactory(ClinicianFactory)
    location = factory.LazyAttribute(lambda a: a.patient.location)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    start = None
    end = factory.LazyAttribute(
        lambda a: a.start + timedelta(minutes=a.appointment_type.duration_minutes)
    )
    buffer_end = factory.LazyAttribute(
        lambda a: a.end + timedelta(minutes=a.appointment_type.buffer_after_minutes)
    )
    status = AppointmentStatus.BOOKED
