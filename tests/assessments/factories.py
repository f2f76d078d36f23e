import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from assessments.models import Assessment, InjuryEpisode
from tests.factories import ClinicianFactory, PatientFactory


class InjuryEpisodeFactory(DjangoModelFactory):
    class Meta:
        model = InjuryEpisode

    patient = factory.SubFactory(PatientFactory)
    side = "left"
    onset_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    episode = factory.SubFactory(InjuryEpisodeFactory)
    patient = factory.SelfAttribute("episode.patient")
    clinician = factory.SubFactory(ClinicianFactory)
    grade = 1
