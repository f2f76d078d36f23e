"""Factories and small helpers for the notification tests."""

from __future__ import annotations

import datetime

import factory
from django.db import transaction
from django.utils import timezone
from factory.django import DjangoModelFactory

from bookings.models import Appointment
from clinic import events
from notifications.models import Notification
from tests.bookings import factories as bookings_factories
from tests.bookings.factories import AppointmentTypeFactory  # noqa: F401 - used by the live tests
from tests.factories import PatientFactory
from tests.programs.factories import ProgramFactory


class AppointmentFactory(bookings_factories.AppointmentFactory):
    """An appointment three days ahead, for a patient with the app (so messages can go)."""

    patient = factory.SubFactory(PatientFactory, with_user=True)
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))


def _open_program(patient):
    if patient is None:
        return None
    return patient.programs.filter(status="active").first() or ProgramFactory(patient=patient)


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    kind = "check_in_reminder"
    channel = "email"
    audience = "patient"
    patient = factory.SubFactory(PatientFactory)
    address = factory.LazyAttribute(lambda n: n.patient.email if n.patient else "staff@example.nl")
    language = factory.LazyAttribute(lambda n: n.patient.language if n.patient else "nl")
    program = factory.LazyAttribute(lambda n: _open_program(n.patient))
    send_at = factory.LazyFunction(timezone.now)
    idempotency_key = factory.Sequence(lambda n: f"test:{n}")


def book(**fields) -> Appointment:
    """Book the way the bookings service does: the row and its event in one transaction."""
    with transaction.atomic():
        appointment = AppointmentFactory(**fields)
        events.appointment_booked.send(Appointment, appointment=appointment, actor=None)
    return appointment


def cancel(appointment: Appointment) -> Appointment:
    with transaction.atomic():
        appointment.status = "cancelled"
        appointment.cancelled_at = timezone.now()
        appointment.save(update_fields=["status", "cancelled_at"])
        events.appointment_cancelled.send(Appointment, appointment=appointment, actor=None)
    return appointment


def reschedule(appointment: Appointment, start: datetime.datetime) -> Appointment:
    with transaction.atomic():
        previous = appointment.start
        appointment.start = start
        appointment.end = appointment.buffer_end = start + datetime.timedelta(minutes=30)
        appointment.save(update_fields=["start", "end", "buffer_end"])
        events.appointment_rescheduled.send(
            Appointment, appointment=appointment, actor=None, previous_start=previous
        )
    return appointment
