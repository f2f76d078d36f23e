"""Plain words for the patient's own record, in Dutch and English.

The clinical apps keep codes (grade 2, ``acute``, ``audible_snap``); a patient reads
sentences. Every text a patient sees in ``/me/record/`` and the PDF copy comes from here.
"""

from __future__ import annotations

from datetime import date

from assessments.rules import RED_FLAGS

LANGUAGES = ("nl", "en")

GRADE = {
    1: {
        "en": "Grade 1: a mild strain, a few muscle fibres are overstretched.",
        "nl": "Graad 1: een lichte verrekking, een paar spiervezels zijn overrekt.",
    },
    2: {
        "en": "Grade 2: a partial tear of the muscle.",
        "nl": "Graad 2: een gedeeltelijke scheur in de spier.",
    },
    3: {
        "en": "Grade 3: a (near) complete tear; a specialist looks at it.",
        "nl": "Graad 3: een (bijna) volledige scheur; een specialist kijkt ernaar.",
    },
    None: {
        "en": "The grade of the injury is not known yet.",
        "nl": "De ernst (graad) van de blessure is nog niet bekend.",
    },
}

PHASE = {
    "acute": {
        "en": "Acute: the injury is less than six weeks old.",
        "nl": "Acuut: de blessure is minder dan zes weken oud.",
    },
    "chronic": {
        "en": "Chronic: the complaints have lasted more than six weeks.",
        "nl": "Chronisch: de klachten duren langer dan zes weken.",
    },
}

SIDE = {"left": {"en": "left", "nl": "links"}, "right": {"en": "right", "nl": "rechts"}}

ASSESSMENT_KIND = {
    "intake": {"en": "Intake", "nl": "Intake"},
    "reassessment": {"en": "Re-assessment", "nl": "Herbeoordeling"},
}

# English from the clinical rules themselves, so the two never drift apart.
RED_FLAG = {
    code: {"en": text[0].upper() + text[1:] + ".", "nl": nl}
    for code, text, nl in (
        (code, RED_FLAGS[code], nl)
        for code, nl in {
            "audible_snap": "Een hoorbare knap op het moment van de blessure.",
            "immediate_strength_loss": "Direct krachtverlies.",
            "unable_to_walk": "Niet kunnen lopen.",
            "pain_after_two_weeks_rest": "Pijn die na twee weken rust blijft.",
            "pain_increases_with_activity": (
                "Pijn die toeneemt bij activiteit, ook na een warming-up."
            ),
            "compensation_complaints": "Klachten elders: onderrug, knie of het andere been.",
            "no_progress": "Geen vooruitgang in het herstel van week tot week.",
        }.items()
    )
}

STEP = {
    1: {"en": "Step 1: analysis", "nl": "Stap 1: analyse"},
    2: {"en": "Step 2: pain reduction", "nl": "Stap 2: pijnvermindering"},
    3: {"en": "Step 3: movement optimisation", "nl": "Stap 3: bewegingsoptimalisatie"},
    4: {"en": "Step 4: strength building", "nl": "Stap 4: krachtopbouw"},
    5: {"en": "Step 5: self-sufficiency", "nl": "Stap 5: zelfredzaamheid"},
}

PROGRAM_STATUS = {
    "active": {"en": "Under way", "nl": "Loopt"},
    "paused": {"en": "Paused", "nl": "Gepauzeerd"},
    "completed": {"en": "Completed", "nl": "Afgerond"},
    "referred": {"en": "Referred to a specialist", "nl": "Doorverwezen naar een specialist"},
}

ESCALATION_STATUS = {
    "open": {
        "en": "Your physiotherapist has been asked to look at this.",
        "nl": "Je fysiotherapeut is gevraagd hiernaar te kijken.",
    },
    "acknowledged": {
        "en": "Your physiotherapist is looking at this.",
        "nl": "Je fysiotherapeut kijkt hiernaar.",
    },
    "resolved": {"en": "This has been dealt with.", "nl": "Dit is afgehandeld."},
}

ESCALATION_OUTCOME = {
    "referred_specialist": {
        "en": "Referred to a specialist",
        "nl": "Doorverwezen naar een specialist",
    },
    "referred_gp": {"en": "Referred to the GP", "nl": "Doorverwezen naar de huisarts"},
    "handled_in_clinic": {"en": "Handled in the clinic", "nl": "Afgehandeld in de praktijk"},
    "false_alarm": {"en": "No cause for concern", "nl": "Geen reden tot zorg"},
}

# What a patient reads for an alert or the rule that asked for attention: the subject, not
# the reasoning.
RULE = {
    "suspected_grade_3": {"en": "Signs of a severe tear", "nl": "Tekenen van een ernstige scheur"},
    "stop_signal": {"en": "Sharp pain during activity", "nl": "Scherpe pijn tijdens activiteit"},
    "persistent_pain_after_rest": {
        "en": "Pain that stays after rest",
        "nl": "Pijn die blijft na rust",
    },
    "chronic_no_improvement": {
        "en": "Long-lasting complaints without improvement",
        "nl": "Langdurige klachten zonder verbetering",
    },
    "pain_increasing_with_activity": {
        "en": "Pain increasing with activity",
        "nl": "Pijn die toeneemt bij activiteit",
    },
    "recurrence": {"en": "A repeated injury", "nl": "Een herhaalde blessure"},
    "compensation_complaints": {
        "en": "Complaints elsewhere in the body",
        "nl": "Klachten elders in het lichaam",
    },
    "no_progress": {"en": "No progress", "nl": "Geen vooruitgang"},
    "pain_trend_rising": {"en": "Pain going up", "nl": "Pijn die oploopt"},
    "missed_check_ins": {"en": "Check-ins missed", "nl": "Gemiste check-ins"},
    "exercise_pain_over_hour": {
        "en": "Pain more than an hour after exercising",
        "nl": "Pijn langer dan een uur na het oefenen",
    },
    "next_day_pain": {"en": "Pain the next day", "nl": "Pijn de volgende dag"},
    "high_pain_during_activity": {
        "en": "Much pain during activity",
        "nl": "Veel pijn tijdens activiteit",
    },
    "no_clear_improvement_review": {
        "en": "Time to review: no clear improvement yet",
        "nl": "Tijd voor een evaluatie: nog geen duidelijke verbetering",
    },
}

APPOINTMENT_STATUS = {
    "booked": {"en": "booked", "nl": "gepland"},
    "cancelled": {"en": "cancelled", "nl": "geannuleerd"},
    "completed": {"en": "took place", "nl": "heeft plaatsgevonden"},
    "no_show": {"en": "missed", "nl": "niet verschenen"},
}


def language_of(language: str) -> str:
    return language if language in LANGUAGES else "nl"


def say(table: dict, key, language: str, *, default: str = "") -> str:
    """The text for ``key`` in ``language``; ``default`` (or the key) for a code that is
    new: codes grow, and a patient still sees something."""
    entry = table.get(key)
    if entry is None:
        return default or str(key or "")
    return entry[language_of(language)]


def return_to_jog_text(window: dict[str, date] | None, language: str) -> str:
    if window is None:
        return {
            "en": "When you can start jogging again depends on the grade, which is not known yet.",
            "nl": "Wanneer je weer kunt joggen hangt af van de graad, die nog niet bekend is.",
        }[language_of(language)]
    earliest, latest = window["earliest"].isoformat(), window["latest"].isoformat()
    return {
        "en": (
            f"Light jogging is usually possible again between {earliest} and {latest}, once "
            "walking, hopping and sprint drills are pain-free."
        ),
        "nl": (
            f"Licht joggen lukt meestal weer tussen {earliest} en {latest}, zodra lopen, "
            "springen en sprintoefeningen pijnvrij gaan."
        ),
    }[language_of(language)]


# Headings and labels of the PDF copy.
PDF = {
    "title": {
        "en": "Your record at the hamstring clinic",
        "nl": "Je dossier bij de hamstringpraktijk",
    },
    "made_on": {"en": "Copy made on {at} for {name}", "nl": "Kopie gemaakt op {at} voor {name}"},
    "born": {"en": "Date of birth", "nl": "Geboortedatum"},
    "location": {"en": "Location", "nl": "Locatie"},
    "assessments": {"en": "Assessments", "nl": "Beoordelingen"},
    "none": {"en": "None.", "nl": "Geen."},
    "red_flags": {"en": "Red flags noted", "nl": "Genoteerde alarmsignalen"},
    "programs": {"en": "Your program", "nl": "Je programma"},
    "started": {"en": "started {at}", "nl": "gestart {at}"},
    "check_ins": {"en": "Check-ins", "nl": "Check-ins"},
    "check_ins_summary": {
        "en": "{count} check-ins from {first} to {last}. The latest {shown}:",
        "nl": "{count} check-ins van {first} tot {last}. De laatste {shown}:",
    },
    "date": {"en": "Date", "nl": "Datum"},
    "pain_now": {"en": "Pain now", "nl": "Pijn nu"},
    "pain_activity": {"en": "Pain during activity", "nl": "Pijn bij activiteit"},
    "alerts": {"en": "Alerts", "nl": "Signalen"},
    "escalations": {
        "en": "Questions to your physiotherapist",
        "nl": "Vragen aan je fysiotherapeut",
    },
    "appointments": {"en": "Appointments", "nl": "Afspraken"},
    "messages": {
        "en": "Messages sent to you: {count}.",
        "nl": "Berichten aan jou gestuurd: {count}.",
    },
    "retention": {
        "en": (
            "The clinic keeps your medical record for 20 years (WGBO). The complete copy in a "
            "form other care providers read (FHIR) is available in the app."
        ),
        "nl": (
            "De praktijk bewaart je medisch dossier 20 jaar (WGBO). Een volledige kopie in een "
            "vorm die andere zorgverleners kunnen lezen (FHIR) staat in de app."
        ),
    },
}
