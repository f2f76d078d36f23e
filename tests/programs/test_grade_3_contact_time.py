"""Issue 22, case 16: the suspected-grade-3 advice says honestly when someone will call.
"Today" only while the location is open (any of its clinicians works now); otherwise the next
opening day and time in clinic time. It always says what to do meanwhile: the GP or the
huisartsenpost, and 112 in an emergency."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from bookings.opening import Closure, OpeningHours, Shift, opening_at
from programs import rules
from programs.models import CheckIn
from tests.bookings.factories import WorkingHoursFactory
from tests.programs.test_check_ins_decision import on_day, submit

AMS = ZoneInfo("Europe/Amsterdam")
# Monday to Friday, 08:00-18:00, one clinician; Friday until 12:00 for a second.
WEEK = OpeningHours(
    timezone="Europe/Amsterdam",
    shifts=tuple(
        Shift(clinician_id=1, weekday=d, starts_at=datetime.time(8), ends_at=datetime.time(18))
        for d in range(5)
    ),
)
WEDNESDAY_DAY = datetime.datetime(2026, 12, 9, 10, 30, tzinfo=AMS)
WEDNESDAY_NIGHT = datetime.datetime(2026, 12, 9, 23, 15, tzinfo=AMS)
SATURDAY = datetime.datetime(2026, 12, 12, 14, 0, tzinfo=AMS)
MONDAY_EARLY = datetime.datetime(2026, 12, 14, 6, 45, tzinfo=AMS)

ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DUTCH_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MEANWHILE = {"en": ("huisartsenpost", "112"), "nl": ("huisartsenpost", "112")}


def advice(now, language, hours=WEEK):
    return rules.suspected_grade_3_advice(language, opening_at(hours, now), now=now)


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("now", [WEDNESDAY_DAY, WEDNESDAY_NIGHT, SATURDAY, MONDAY_EARLY])
def test_the_advice_always_says_what_to_do_meanwhile(now, language):
    text = advice(now, language)
    for words in MEANWHILE[language]:
        assert words in text


@pytest.mark.parametrize(
    ("language", "today"),
    [("en", "will contact you today."), ("nl", "neemt vandaag contact met je op")],
)
def test_on_a_weekday_during_opening_hours_the_clinic_calls_today(language, today):
    assert today in advice(WEDNESDAY_DAY, language)


@pytest.mark.parametrize(
    ("language", "when", "not_today"),
    [
        ("en", "on Thursday from 08:00", "today"),
        ("nl", "donderdag vanaf 08:00", "vandaag"),
    ],
)
def test_on_a_weekday_night_the_clinic_calls_the_next_morning(language, when, not_today):
    text = advice(WEDNESDAY_NIGHT, language)
    assert when in text
    assert not_today not in text


@pytest.mark.parametrize(
    ("language", "when", "not_today"),
    [("en", "on Monday from 08:00", "today"), ("nl", "maandag vanaf 08:00", "vandaag")],
)
def test_at_the_weekend_the_clinic_calls_on_monday(language, when, not_today):
    text = advice(SATURDAY, language)
    assert when in text
    assert not_today not in text


@pytest.mark.parametrize(
    ("language", "when"), [("en", "today from 08:00"), ("nl", "vandaag vanaf 08:00")]
)
def test_before_opening_the_clinic_calls_from_opening_time(language, when):
    assert when in advice(MONDAY_EARLY, language)


def test_a_public_holiday_moves_the_call_to_the_next_open_day():
    monday = datetime.datetime(2026, 12, 14, tzinfo=AMS)
    holiday = Closure(starts_at=monday, ends_at=monday + datetime.timedelta(days=1))
    hours = OpeningHours(timezone=WEEK.timezone, shifts=WEEK.shifts, closures=(holiday,))
    assert "on Tuesday from 08:00" in advice(SATURDAY, "en", hours)


def test_a_clinician_on_leave_does_not_keep_the_location_open():
    away = Closure(
        starts_at=WEDNESDAY_DAY - datetime.timedelta(hours=3),
        ends_at=WEDNESDAY_DAY + datetime.timedelta(days=1, hours=-3),
        clinician_id=1,
    )
    hours = OpeningHours(timezone=WEEK.timezone, shifts=WEEK.shifts, closures=(away,))
    assert "on Thursday from 08:00" in advice(WEDNESDAY_DAY, "en", hours)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_without_known_hours_no_time_is_promised(language):
    text = advice(SATURDAY, language, OpeningHours(timezone="Europe/Amsterdam"))
    assert "today" not in text and "vandaag" not in text
    for words in MEANWHILE[language]:
        assert words in text


# --- through the check-in API -----------------------------------------------------------------

GRADE_3 = {
    "pain_now": 8,
    "pain_activity": 9,
    "pain_character": "sharp",
    "walking_minutes": 0,
    "walks_without_limp": False,
}


def _grade_3_text(body) -> str:
    (text,) = [a["text"] for a in body["advice"] if a["code"] == "suspected_grade_3"]
    return text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "today"), [("en", "contact you today."), ("nl", "vandaag contact")]
)
def test_through_the_api_an_open_location_calls_today(api, patient, clinician, language, today):
    patient.language = language
    patient.save(update_fields=["language"])
    on_day(patient, clinician, 3)
    for weekday in range(7):
        WorkingHoursFactory(
            clinician=clinician,
            location=patient.location,
            weekday=weekday,
            starts_at=datetime.time(0, 0),
            ends_at=datetime.time(23, 59, 59),
        )
    text = _grade_3_text(submit(api, patient, **GRADE_3))
    assert today in text
    assert "112" in text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "nl"])
def test_through_the_api_a_closed_location_names_its_next_opening(
    api, patient, clinician, language
):
    patient.language = language
    patient.save(update_fields=["language"])
    on_day(patient, clinician, 3)
    later = timezone.localdate() + datetime.timedelta(days=2)
    WorkingHoursFactory(
        clinician=clinician,
        location=patient.location,
        weekday=later.weekday(),
        starts_at=datetime.time(8, 0),
        ends_at=datetime.time(18, 0),
    )
    with override(language):
        day_name = rules._day_name(later, timezone.localdate())
    text = _grade_3_text(submit(api, patient, **GRADE_3))
    assert {"en": f"on {day_name} from 08:00", "nl": f"{day_name} vanaf 08:00"}[language] in text
    assert day_name in {"en": ENGLISH_DAYS, "nl": DUTCH_DAYS}[language]
    assert "today" not in text and "vandaag" not in text
    assert "huisartsenpost" in text


@pytest.mark.django_db
def test_listing_grade_3_check_ins_reads_the_hours_once(api, patient, clinician):
    on_day(patient, clinician, 3)
    WorkingHoursFactory(clinician=clinician, location=patient.location, weekday=0)
    submit(api, patient, **GRADE_3)
    client = api(patient.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/check-ins/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(3):
        submit(api, patient, **GRADE_3)
    assert CheckIn.objects.filter(patient=patient).count() == 4
    assert count() == one
