"""factory_boy factories for the core domain; apps add theirs below."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from clinic.models import Clinician, Location, Patient, Role, User

PASSWORD = "secret-pass-1"  # every factory user's


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nl")
    role = Role.PATIENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)
        if create:
            self.save()


class ClinicianFactory(DjangoModelFactory):
    class Meta:
        model = Clinician

    user = factory.SubFactory(UserFactory, role=Role.CLINICIAN)


def _location():
    return Location.objects.get(slug="rotterdam")


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    date_of_birth = factory.Faker(
        "date_between", start_date=datetime.date(1950, 1, 1), end_date=datetime.date(2008, 1, 1)
    )
    email = factory.Sequence(lambda n: f"patient{n}@example.nl")
    phone = factory.Sequence(lambda n: f"+3161{n:07d}")
    language = "nl"
    location = factory.LazyFunction(_location)
    primary_clinician = None

    class Params:
        with_user = factory.Trait(
            user=factory.SubFactory(UserFactory, role=Role.PATIENT),
        )
