"""Plain words for the patient's own record, in Dutch and English.

The clinical apps keep codes (grade 2, ``acute``, ``audible_snap``); a patient reads
sentences. Every text a patient sees in ``/me/record/`` and the PDF copy comes from here:
written in English, with the Dutch in the translation catalogue (``locale/nl``).
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext, override, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from assessments import rules as assessment_rules

LANGUAGES = ("nl", "en")

GRADE = {
    1: _("Grade 1: a mild strain, a few muscle fibres are overstretched."),
    2: _("Grade 2: substantial tears in the muscle fibres."),
    3: _("Grade 3: a partial or complete rupture of the muscle; a specialist looks at it."),
    None: _("The grade of the injury is not known yet."),
}

PHASE = {
    "acute": _("Acute: the injury is less than six weeks old."),
    "chronic": _("Chronic: the complaints have lasted more than six weeks."),
}

SIDE = {"left": _("left"), "right": _("right")}

ASSESSMENT_KIND = {"intake": _("Intake"), "reassessment": _("Re-assessment")}

# The clinical rules' own words (assessments.rules.RED_FLAGS) as sentences; a test keeps
# the two the same.
RED_FLAG = {
    "audible_snap": _("An audible snap at the moment of injury."),
    "immediate_strength_loss": _("Immediate loss of strength."),
    "unable_to_walk": _("Unable to walk."),
    "pain_after_two_weeks_rest": _("Pain persisting after two weeks of rest."),
    "pain_increases_with_activity": _("Pain that increases with activity, even after a warm-up."),
    "compensation_complaints": _("Complaints elsewhere: low back, knee or the other leg."),
    "no_progress": _("No progress in rehabilitation week over week."),
}

STEP = {
    1: _("Step 1: analysis"),
    2: _("Step 2: pain reduction"),
    3: _("Step 3: movement optimisation"),
    4: _("Step 4: strength building"),
    5: _("Step 5: self-sufficiency"),
}

PROGRAM_STATUS = {
    "active": _("Under way"),
    "paused": _("Paused"),
    "completed": _("Completed"),
    # A referral says where to when the clinician said so (``Program.status_words``).
    "referred": _("Referred for further care"),
    "referred_specialist": _("Referred to a specialist"),
    "referred_gp": _("Referred to the GP"),
}

ESCALATION_STATUS = {
    "open": _("Your physiotherapist has been asked to look at this."),
    "acknowledged": _("Your physiotherapist is looking at this."),
    "resolved": _("This has been dealt with."),
}

ESCALATION_OUTCOME = {
    "referred_specialist": _("Referred to a specialist"),
    "referred_gp": _("Referred to the GP"),
    "handled_in_clinic": _("Handled in the clinic"),
    "false_alarm": _("No cause for concern"),
}

# What a patient reads for an alert or the rule that asked for attention: the subject, not
# the reasoning.
RULE = {
    "suspected_grade_3": _("Signs of a severe tear"),
    "stop_signal": _("Sharp pain during activity"),
    "persistent_pain_after_rest": _("Pain that stays after rest"),
    "chronic_no_improvement": _("Long-lasting complaints without improvement"),
    "pain_increasing_with_activity": _("Pain increasing with activity"),
    "recurrence": _("A repeated injury"),
    "compensation_complaints": _("Complaints elsewhere in the body"),
    "no_progress": _("No progress"),
    "pain_trend_rising": _("Pain going up"),
    "missed_check_ins": _("Check-ins missed"),
    "exercise_pain_over_hour": _("Pain more than an hour after exercising"),
    "next_day_pain": _("Pain the next day"),
    "high_pain_during_activity": _("Much pain during activity"),
    "severe_pain_now": _("Severe pain at rest"),
    "limp_with_pain": _("Limping with pain"),
    "walking_load_jump": _("A sudden jump in walking"),
    "no_clear_improvement_review": _("Time to review: no clear improvement yet"),
}

APPOINTMENT_STATUS = {
    "booked": _("booked"),
    "cancelled": _("cancelled"),
    "completed": _("took place"),
    "no_show": _("missed"),
}


def language_of(language: str) -> str:
    return language if language in LANGUAGES else "nl"


def say(table: dict, key, language: str, *, default: str = "") -> str:
    """The text for ``key`` in ``language``; ``default`` (or the key) for a code that is
    new: codes grow, and a patient still sees something."""
    text = table.get(key)
    if text is None:
        return default or str(key or "")
    with override(language_of(language)):
        return str(text)


def return_to_jog_text(window: dict[str, date] | None, language: str, *, grade: int | None) -> str:
    """The grade's typical window for light jogging; for a grade whose window is open-ended
    (grade 3: "3–6 months or longer", seed 000) the text says so."""
    with override(language_of(language)):
        if window is None:
            return gettext(
                "When you can start jogging again depends on the grade, which is not known yet."
            )
        dates = {"earliest": window["earliest"].isoformat(), "latest": window["latest"].isoformat()}
        if assessment_rules.return_may_take_longer(grade):
            return (
                gettext(
                    "Light jogging is usually possible again 3–6 months or longer after the "
                    "injury: between %(earliest)s and %(latest)s or later, once walking, "
                    "hopping and sprint drills are pain-free."
                )
                % dates
            )
        return (
            gettext(
                "Light jogging is usually possible again between %(earliest)s and %(latest)s, "
                "once walking, hopping and sprint drills are pain-free."
            )
            % dates
        )


# Headings and labels of the PDF copy.
PDF = {
    "title": _("Your record at the hamstring clinic"),
    "made_on": _("Copy made on {at} for {name}"),
    "born": _("Date of birth"),
    "location": _("Location"),
    "assessments": pgettext_lazy("record copy", "Assessments"),
    "none": _("None."),
    "red_flags": _("Red flags noted"),
    "programs": _("Your program"),
    "started": _("started {at}"),
    "check_ins": _("Check-ins"),
    "check_ins_summary": _("{count} check-ins from {first} to {last}. The latest {shown}:"),
    "date": _("Date"),
    "pain_now": _("Pain now"),
    "pain_activity": _("Pain during activity"),
    "alerts": _("Alerts"),
    "escalations": _("Questions to your physiotherapist"),
    "appointments": _("Appointments"),
    "messages": _("Messages sent to you: {count}."),
    "retention": _(
        "The clinic keeps your medical record for 20 years (WGBO). The complete copy in a form "
        "other care providers read (FHIR) is available in the app."
    ),
}
