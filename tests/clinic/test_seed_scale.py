"""seed_scale builds consistent clinic-scale data (here at a small scale)."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from bookings.models import Appointment
from clinic.management.commands import seed_scale
from clinic.models import Patient, Role, User
from escalations.models import Escalation
from notifications.models import Notification
from programs.models import CheckIn, Program

pytestmark = pytest.mark.django_db


def test_seed_scale_creates_consistent_data():
    call_command(
        "seed_scale",
        patients=60,
        clinicians=4,
        check_ins=600,
        appointments=300,
        accounts=5,
        no_progress=True,
        verbosity=0,
    )
    scale_patients = Patient.objects.filter(email__startswith="scale.patient.")
    assert scale_patients.count() == 60
    assert (
        User.objects.filter(username__startswith="scale.physio.", role=Role.CLINICIAN).count() == 4
    )
    assert scale_patients.exclude(user=None).count() == 5
    # Every patient is treated at their own location by a clinician who works there.
    assert not scale_patients.exclude(primary_clinician__user__locations=F("location")).exists()
    assert CheckIn.objects.count() >= 500

    appointments = Appointment.objects.filter(patient__in=scale_patients)
    assert appointments.count() > 100
    # Each appointment is with the patient's own clinician, at the patient's location.
    assert not appointments.exclude(clinician=F("patient__primary_clinician")).exists()
    assert not appointments.exclude(location=F("patient__location")).exists()
    assert Notification.objects.filter(appointment__in=appointments).count() == appointments.count()
    # The database's rules hold for generated data too: one open program per patient,
    # one unresolved escalation per patient and rule.
    assert not (
        Program.objects.filter(status__in=["active", "paused"])
        .values("patient")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert not (
        Escalation.objects.exclude(status="resolved")
        .values("patient", "rule")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


def test_seed_scale_refuses_to_run_twice():
    call_command(
        "seed_scale",
        patients=4,
        clinicians=2,
        check_ins=10,
        appointments=10,
        accounts=1,
        no_progress=True,
        verbosity=0,
    )
    with pytest.raises(CommandError):
        call_command("seed_scale", patients=4, clinicians=2, no_progress=True, verbosity=0)


def test_seed_scale_progress_ends_every_stage_at_its_exact_total(monkeypatch):
    from tqdm import tqdm

    stages = []

    class Recording(tqdm):
        def reset(self, total=None):
            if self.desc:
                stages.append((self.desc.rstrip(": "), self.n, self.total))
            super().reset(total=total)

        def close(self):
            if not self.disable:  # tqdm closes again when it is collected
                stages.append((self.desc.rstrip(": "), self.n, self.total))  # the last stage
            super().close()

    monkeypatch.setattr(seed_scale, "tqdm", Recording)
    call_command(
        "seed_scale",
        patients=60,
        clinicians=4,
        check_ins=610,
        appointments=300,
        accounts=5,
        verbosity=0,
    )
    assert [name for name, _n, _total in stages] == [
        "patients",
        "check-ins",
        "appointments",
        "notifications",
    ]
    for name, n, total in stages:
        assert n == total > 0, name
