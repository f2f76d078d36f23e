"""Every clinical rule the service applies: its code, what it does (opens an escalation,
advises, or gates a change), the thresholds it reads, and a short explanation in Dutch and
English tied to the DOMAIN.md line it comes from. ``GET /api/v1/rules/`` shows it with the
thresholds in force. The severity of a rule that escalates has its one home in
``escalations.catalogue.DEFAULT_SEVERITY``.
"""

from __future__ import annotations

from dataclasses import dataclass

from escalations.catalogue import DEFAULT_SEVERITY

# Opens (or adds to) an escalation, with its severity from the escalation catalogue.
ESCALATION = "escalation"
# Shown with advice, opens no escalation.
ADVISORY = "advisory"
# Refuses a change (409) unless a clinician overrides it with a reason.
GATE = "gate"


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str
    thresholds: tuple[str, ...]
    domain: str
    en: str
    nl: str

    @property
    def severity(self) -> str:
        """urgent / high / normal for a rule that escalates; otherwise its kind."""
        return DEFAULT_SEVERITY[self.code] if self.kind == ESCALATION else self.kind


RULES: tuple[Rule, ...] = (
    Rule(
        "suspected_grade_3",
        ESCALATION,
        ("grade_3_min_pain_now", "urgent_ack_hours"),
        "Immediate specialist referral (urgent): suspected grade 3: an audible snap, "
        "immediate loss of strength, unable to walk.",
        "Audible snap, immediate strength loss, unable to walk or graded 3; on a check-in: "
        "severe sharp pain now and not walking at all. Refer at once.",
        "Hoorbare knak, direct krachtverlies, niet kunnen lopen of graad 3; bij een check-in: "
        "hevige scherpe pijn en helemaal niet lopen. Direct doorverwijzen.",
    ),
    Rule(
        "severe_pain_now",
        ESCALATION,
        ("grade_3_min_pain_now", "high_ack_hours"),
        "Immediate specialist referral (urgent): suspected grade 3: severe pain, loss of "
        "strength (seed 000: walking almost impossible through severe pain).",
        "Pain now at or above the clinic's score, whatever its character or course.",
        "Pijn nu op of boven de score van de praktijk, welk karakter of verloop ook.",
    ),
    Rule(
        "stop_signal",
        ESCALATION,
        ("high_ack_hours",),
        "Pain: sharp, stabbing, increases during activity → a stop signal.",
        "Sharp, stabbing pain during activity, whatever its course: stop the activity.",
        "Scherpe, stekende pijn tijdens activiteit, hoe die ook verloopt: stop de activiteit.",
    ),
    Rule(
        "high_pain_during_activity",
        ESCALATION,
        ("high_pain_during_activity", "high_ack_hours"),
        "Pain: sharp, stabbing, increases during activity → a stop signal.",
        "Pain during activity at or above the clinic's score, whatever its character.",
        "Pijn tijdens activiteit op of boven de score van de praktijk, welk karakter ook.",
    ),
    Rule(
        "persistent_pain_after_rest",
        ESCALATION,
        (),
        "Clinician review: pain persisting after 2 weeks of rest.",
        "Pain at rest from two weeks after onset: review, possibly refer.",
        "Pijn in rust vanaf twee weken na ontstaan: beoordelen, eventueel doorverwijzen.",
    ),
    Rule(
        "chronic_no_improvement",
        ESCALATION,
        ("chronic_escalate_after_days", "minimal_important_change"),
        "Clinician review: complaints lasting longer than 4–6 weeks without clear improvement.",
        "Longer than the clinic's limit since onset without clear improvement (a drop of at "
        "least the minimal important change): review the approach.",
        "Langer dan de grens van de praktijk sinds ontstaan zonder duidelijke verbetering "
        "(een daling van minstens het minimaal belangrijke verschil): aanpak herzien.",
    ),
    Rule(
        "no_clear_improvement_review",
        ADVISORY,
        ("chronic_review_after_days", "minimal_important_change"),
        "Clinician review: complaints lasting longer than 4–6 weeks without clear improvement.",
        "From the review limit after onset without clear improvement: shown for review at "
        "the next contact.",
        "Vanaf de controlegrens na ontstaan zonder duidelijke verbetering: getoond ter "
        "controle bij het volgende contact.",
    ),
    Rule(
        "pain_increasing_with_activity",
        ESCALATION,
        (),
        "Clinician review: pain that increases with activity, even after a good warm-up.",
        "Dull pain that increases during activity: lower the load.",
        "Doffe pijn die toeneemt tijdens activiteit: belasting verlagen.",
    ),
    Rule(
        "recurrence",
        ESCALATION,
        (),
        "Clinician review: the same injury recurring (second, third, fourth time).",
        "An earlier hamstring injury: the underlying pattern needs another approach.",
        "Een eerdere hamstringblessure: het onderliggende patroon vraagt een andere aanpak.",
    ),
    Rule(
        "limp_with_pain",
        ESCALATION,
        (),
        "Readiness: walks without limping; no pain in daily movements.",
        "Walking with a limp and pain on a check-in.",
        "Mank lopen met pijn bij een check-in.",
    ),
    Rule(
        "walking_load_jump",
        ESCALATION,
        ("max_weekly_load_increase_percent",),
        "Walking starts at 10–15 minutes and builds up slowly; training load grows by at "
        "most 10% a week.",
        "Minutes walked grew more than the clinic's weekly share since the previous check-in.",
        "Het aantal minuten lopen steeg sinds de vorige check-in meer dan het weekdeel van "
        "de praktijk.",
    ),
    Rule(
        "compensation_complaints",
        ESCALATION,
        (),
        "Clinician review: compensation complaints elsewhere: low back, knee, the other leg.",
        "New complaints in the low back, knee or the other leg.",
        "Nieuwe klachten in de onderrug, knie of het andere been.",
    ),
    Rule(
        "no_progress",
        ESCALATION,
        ("no_progress_after_days", "minimal_important_change"),
        "Clinician review: no progress in rehabilitation week over week.",
        "No clear improvement over the clinic's number of days.",
        "Geen duidelijke verbetering over het aantal dagen van de praktijk.",
    ),
    Rule(
        "pain_trend_rising",
        ESCALATION,
        ("trend_rising_check_ins",),
        "Each check-in is evaluated against the patient's own trend (pain rising).",
        "Pain now or during activity rising over consecutive check-ins.",
        "Pijn nu of tijdens activiteit die over opeenvolgende check-ins stijgt.",
    ),
    Rule(
        "missed_check_ins",
        ESCALATION,
        (
            "check_in_every_days_step_1",
            "check_in_every_days_step_2",
            "check_in_every_days_step_3",
            "check_in_every_days_step_4",
            "check_in_every_days_step_5",
        ),
        "Check-ins (patient, from the mobile app).",
        "Two check-ins in a row not submitted.",
        "Twee check-ins op rij niet ingestuurd.",
    ),
    Rule(
        "exercise_pain_over_hour",
        ADVISORY,
        (),
        "Exercise pain that lasts longer than one hour afterwards → reduce intensity or range.",
        "Exercise pain lasting more than an hour: lower intensity or range next time.",
        "Oefenpijn die langer dan een uur duurt: volgende keer intensiteit of bereik verlagen.",
    ),
    Rule(
        "next_day_pain",
        ADVISORY,
        (),
        "Pain or stiffness the day after activity → delayed overload signal.",
        "Pain or stiffness the next day: build up more gradually.",
        "Pijn of stijfheid de volgende dag: geleidelijker opbouwen.",
    ),
    Rule(
        "step_criteria_unmet",
        GATE,
        (
            "strength_symmetry_min_percent",
            "min_days_step_1",
            "min_days_step_2",
            "min_days_step_3",
            "min_days_step_4",
        ),
        "A step is left when its exit criteria hold, or when the clinician overrides with a "
        "written reason.",
        "A step's exit criteria, its minimum time and (before self-sufficiency) the grade's "
        "earliest return to running must hold; the clinician's latest observation outweighs "
        "the patient's self-report.",
        "De uitgangscriteria van een stap, de minimale duur en (voor zelfstandigheid) de "
        "vroegste hervatting van hardlopen bij de graad moeten kloppen; de laatste "
        "observatie van de fysiotherapeut weegt zwaarder dan de eigen melding.",
    ),
    Rule(
        "escalation_open",
        GATE,
        (),
        "Immediate specialist referral (urgent); clinician review and possibly specialist "
        "referral.",
        "No step forward while an urgent or high escalation of the patient is unresolved.",
        "Geen volgende stap zolang een urgente of hoge escalatie van de patiënt open staat.",
    ),
    Rule(
        "load_increase_too_large",
        GATE,
        ("max_weekly_load_increase_percent",),
        "Training load grows by at most 10% a week.",
        "Weekly load per exercise and per category may grow at most the clinic's share a "
        "week, whichever prescription rows carry it.",
        "De weekbelasting per oefening en per categorie mag per week hoogstens het deel van "
        "de praktijk stijgen, over alle voorschriften heen.",
    ),
    Rule(
        "exercise_not_for_step",
        GATE,
        (),
        "The five-step method: each step has its own exercises.",
        "An exercise outside the steps it suits needs an override with a reason.",
        "Een oefening buiten de stappen waarvoor ze bedoeld is vraagt een override met reden.",
    ),
    Rule(
        "sessions_outside_step_range",
        GATE,
        (
            "strength_sessions_min",
            "strength_sessions_max",
            "self_sufficiency_sessions_min",
            "self_sufficiency_sessions_max",
        ),
        "Strength building: 3–4 sessions a week; self-sufficiency: strength 2–3×/week.",
        "Sessions a week outside the step's range need an override with a reason.",
        "Sessies per week buiten het bereik van de stap vragen een override met reden.",
    ),
)

BY_CODE = {rule.code: rule for rule in RULES}
