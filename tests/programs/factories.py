import factory
from factory.django import DjangoModelFactory

from escalations.models import Escalation
from programs.models import CheckIn, Exercise, Program
from tests.factories import ClinicianFactory, PatientFactory


class ExerciseFactory(DjangoModelFactory):
    class Meta:
        model = Exercise
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"exercise-{n}")
    name_nl = factory.Sequence(lambda n: f"Oefening {n}")
    name_en = factory.Sequence(lambda n: f"Exercise {n}")
    category = "strength"
    steps = [4]


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program

    patient = factory.SubFactory(PatientFactory)
    clinician = factory.SubFactory(ClinicianFactory)


class CheckInFactory(DjangoModelFactory):
    class Meta:
        model = CheckIn

    patient = factory.SubFactory(PatientFactory)
    pain_now = 2
    pain_activity = 3
    pain_character = "dull"
    pain_course = "stable"


class EscalationFactory(DjangoModelFactory):
    class Meta:
        model = Escalation

    patient = factory.SubFactory(PatientFactory)
    rule = "recurrence"
    severity = "normal"
    reason = "Third hamstring injury on this side."
