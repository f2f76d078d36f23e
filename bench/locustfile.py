"""Mixed clinic workload for locust (run through bench/load_test.py).

Front desk: availability and booking. Clinicians: caseload, patient detail, check-ins,
escalations. Mobile: own program, posting a check-in, own appointments. Accounts come from
``manage.py seed_scale`` (password ``scale-test-password``).
"""

from __future__ import annotations

import itertools
import os
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

PASSWORD = "scale-test-password"
CLINICIANS = int(os.environ.get("LOAD_CLINICIANS", "40"))
PATIENT_ACCOUNTS = int(os.environ.get("LOAD_PATIENT_ACCOUNTS", "500"))
# Seconds each user waits between actions: a busy person clicks every one to three seconds.
WAIT = between(
    float(os.environ.get("LOAD_WAIT_MIN", "1")), float(os.environ.get("LOAD_WAIT_MAX", "3"))
)
_physio = itertools.count()
_patient = itertools.count()


class SignedIn(FastHttpUser):
    """Signs in once, then sends its bearer token with every request. FastHttpUser: the
    load generator shares the machine's two cores with the service, so it should be cheap."""

    abstract = True
    wait_time = WAIT
    username = ""

    def on_start(self) -> None:
        response = self.client.post(
            "/api/v1/auth/token/",
            json={"username": self.pick_username(), "password": PASSWORD},
            name="auth/token",
        )
        response.raise_for_status()
        self.auth = {"Authorization": f"Bearer {response.json()['access']}"}
        self.me = self.get("/api/v1/me/", name="me").json()

    def get(self, path: str, name: str, **kwargs):
        return self.client.get(path, name=name, headers=self.auth, **kwargs)

    def post(self, path: str, name: str, **kwargs):
        return self.client.post(path, name=name, headers=self.auth, **kwargs)

    def pick_username(self) -> str:
        raise NotImplementedError


class FrontDesk(SignedIn):
    weight = 2

    def pick_username(self) -> str:
        return f"scale.desk.{random.choice(['rotterdam', 'zoetermeer'])}"

    def on_start(self) -> None:
        super().on_start()
        self.location = self.me["locations"][0]
        types = self.get("/api/v1/appointment-types/", name="appointment-types").json()
        self.types = [t["id"] for t in types["results"]]
        patients = self.get(
            f"/api/v1/patients/?location={self.location}&page_size=100", name="patients"
        ).json()
        self.patients = [p["id"] for p in patients["results"]]

    def _window(self) -> tuple[str, str]:
        start = datetime.now(ZoneInfo("Europe/Amsterdam")).date() + timedelta(
            days=random.randrange(1, 40)
        )
        return start.isoformat(), (start + timedelta(days=6)).isoformat()

    @task(4)
    def availability(self) -> None:
        start, end = self._window()
        self.get(
            f"/api/v1/availability/?location={self.location}"
            f"&appointment_type={random.choice(self.types)}&start={start}&end={end}",
            name="availability",
        )

    @task(2)
    def book(self) -> None:
        start, end = self._window()
        kind = random.choice(self.types)
        slots = self.get(
            f"/api/v1/availability/?location={self.location}"
            f"&appointment_type={kind}&start={start}&end={end}",
            name="availability",
        ).json()["results"]
        if not slots:
            return
        slot = random.choice(slots)
        with self.post(
            "/api/v1/appointments/",
            json={
                "patient": random.choice(self.patients),
                "clinician": slot["clinician"],
                "location": self.location,
                "appointment_type": kind,
                "start": slot["start"],
            },
            name="appointments POST",
            catch_response=True,
        ) as response:
            # 409: another desk took the slot (or the patient is busy) first; that is the
            # service working, not an error.
            if response.status_code in (201, 409):
                response.success()

    @task(2)
    def appointments(self) -> None:
        self.get(f"/api/v1/appointments/?location={self.location}", name="appointments")


class Clinician(SignedIn):
    weight = 2

    def pick_username(self) -> str:
        return f"scale.physio.{next(_physio) % CLINICIANS}"

    def on_start(self) -> None:
        super().on_start()
        rows = self.get("/api/v1/caseload/", name="caseload").json()["results"]
        self.patients = [row["patient"] for row in rows] or [None]

    @task(3)
    def caseload(self) -> None:
        self.get("/api/v1/caseload/", name="caseload")

    @task(2)
    def patient_detail(self) -> None:
        patient = random.choice(self.patients)
        if patient is not None:
            self.get(f"/api/v1/patients/{patient}/", name="patients/{id}")

    @task(2)
    def check_ins(self) -> None:
        patient = random.choice(self.patients)
        if patient is not None:
            self.get(f"/api/v1/check-ins/?patient={patient}", name="check-ins")

    @task(1)
    def escalations(self) -> None:
        self.get("/api/v1/escalations/?status=open", name="escalations")


class Mobile(SignedIn):
    weight = 3

    def pick_username(self) -> str:
        return f"scale.patient.{next(_patient) % PATIENT_ACCOUNTS}"

    @task(3)
    def own_program(self) -> None:
        self.get("/api/v1/programs/", name="programs (own)")

    @task(2)
    def own_appointments(self) -> None:
        self.get("/api/v1/appointments/", name="appointments (own)")

    @task(1)
    def post_check_in(self) -> None:
        with self.post(
            "/api/v1/check-ins/",
            json={
                "pain_now": random.randrange(0, 5),
                "pain_activity": random.randrange(0, 6),
                "pain_character": "dull",
                "pain_course": random.choice(["stable", "decreasing"]),
                "next_day_pain": False,
                "exercise_pain_over_hour": False,
                "exercises_done": True,
                "walking_minutes": random.randrange(10, 40),
                "walks_without_limp": True,
                "complaints_elsewhere": [],
                "note": "",
            },
            name="check-ins POST",
            catch_response=True,
        ) as response:
            # Patients without an active program may still check in; 201 is expected.
            if response.status_code == 201:
                response.success()
