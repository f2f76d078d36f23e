"""Domain events, sent by services inside their transaction.

Receivers (notably notifications) react in the same transaction, so an outbox row
is written together with the change that causes it, or not at all. Every event is sent
with keyword arguments only; ``sender`` is the model class.
"""

from django.dispatch import Signal

# bookings: appointment=<Appointment>, actor=<User|None>
appointment_booked = Signal()
appointment_rescheduled = Signal()  # also previous_start=<datetime>
appointment_cancelled = Signal()
appointment_completed = Signal()

# programs: escalation=<Escalation>, actor=<User|None>
escalation_opened = Signal()
escalation_updated = Signal()  # a repeat of the same rule added to an open escalation
# an urgent or high repeat after acknowledgement: it needs a person again
# (also occurrence=<EscalationOccurrence>)
escalation_reopened = Signal()
escalation_acknowledged = Signal()
escalation_resolved = Signal()

# programs: check_in=<CheckIn>
check_in_submitted = Signal()

# programs: program=<Program>, actor=<User|None>
program_started = Signal()
program_step_changed = Signal()
program_closed = Signal()

# clinic.backups: the database was just restored from a backup (no arguments); the outbox
# then checks messages due before now against their channel (notifications.services).
database_restored = Signal()
