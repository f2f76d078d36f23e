"""A problem detail is wholly in the reader's language: a 403's detail and a booking
conflict's text are Dutch for a Dutch reader, English for an English one."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from tests.world import World, next_weekday_at


def _as(world: World, role: str, language: str) -> APIClient:
    user = world.users[role]
    if role == "patient":
        user.patient.language = language
        user.patient.save(update_fields=["language"])
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE=language, **world.headers(role))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [("nl", "Je rol mag dit niet doen.", "Your role"), ("en", "Your role may not do this.", "")],
)
def test_a_403_detail_is_in_the_readers_language(language, said, not_said):
    world = World.build()
    body = _as(world, "patient", language).get("/api/v1/patients/").json()
    assert body["detail"] == said
    assert not not_said or not_said not in json.dumps(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [("nl", "heeft al een afspraak rond", "already has"), ("en", "already has", "heeft al")],
)
def test_a_taken_slot_is_refused_in_the_readers_language(language, said, not_said):
    world = World.build()
    body = {
        "clinician": world.ids["clinician"],
        "location": "rotterdam",
        "appointment_type": world.ids["appointment_type"],
        "start": next_weekday_at(10, days_ahead=7).isoformat(),
    }
    response = _as(world, "patient", language).post("/api/v1/appointments/", body, format="json")
    assert response.status_code == 409, response.content
    assert said in response.json()["detail"]
    assert not_said not in response.json()["detail"]
    if language == "nl":
        # Day and month names are Dutch too, not only the sentence around them.
        day = next_weekday_at(10, days_ahead=7)
        english_day = day.strftime("%A")
        assert english_day not in response.json()["detail"]
