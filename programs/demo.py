"""The clinic's exercise library as the source articles name it (DOMAIN.md, "The five-step
method"), in Dutch and English, for ``seed_demo``."""

from __future__ import annotations

from django.db import transaction

from programs.models import Exercise, ExerciseCategory, Step

ISOMETRIC, ECCENTRIC = ExerciseCategory.ISOMETRIC, ExerciseCategory.ECCENTRIC
MOBILITY, STRENGTH = ExerciseCategory.MOBILITY, ExerciseCategory.STRENGTH
CONDITIONING = ExerciseCategory.CONDITIONING
PAIN, MOVEMENT = Step.PAIN_REDUCTION, Step.MOVEMENT_OPTIMISATION
STRENGTH_STEP, SELF = Step.STRENGTH_BUILDING, Step.SELF_SUFFICIENCY

# code, category, steps, (name nl, name en), (description nl, description en), dosage.
# Dosage: sets, reps, hold seconds, minutes, times per week (strength 3–4×/week in step 4,
# 2–3×/week on their own in step 5; mobility daily; walking starts at 10–15 minutes).
LIBRARY = [
    (
        "hamstring-bridge-hold",
        ISOMETRIC,
        [PAIN, STRENGTH_STEP],
        ("Hamstringbrug vasthouden", "Hamstring bridge hold"),
        (
            "Op je rug, hielen op de grond of een verhoging, billen optillen en vasthouden "
            "zonder te bewegen. Lichte spanning mag, scherpe pijn niet.",
            "On your back, heels on the floor or a step, lift the hips and hold still. "
            "A light pull is fine, sharp pain is not.",
        ),
        {"sets": 3, "reps": 5, "hold_seconds": 30, "times_per_week": 4},
    ),
    (
        "nordic-hamstring-curl",
        ECCENTRIC,
        [STRENGTH_STEP, SELF],
        ("Nordic hamstring curl", "Nordic hamstring curl"),
        (
            "Geknield, enkels vast, langzaam voorover zakken en de hamstrings afremmen. "
            "Begin met een klein bereik.",
            "Kneeling with the ankles held, lower the body forward slowly, braking with the "
            "hamstrings. Start with a small range.",
        ),
        {"sets": 3, "reps": 5, "times_per_week": 3},
    ),
    (
        "romanian-deadlift-light",
        ECCENTRIC,
        [STRENGTH_STEP, SELF],
        ("Roemeense deadlift (licht gewicht)", "Romanian deadlift (light)"),
        (
            "Met licht gewicht voorover scharnieren vanuit de heupen, rug neutraal, knieën "
            "licht gebogen; gecontroleerd terug.",
            "With a light weight, hinge forward from the hips, back neutral, knees slightly "
            "bent; come back up under control.",
        ),
        {"sets": 3, "reps": 10, "times_per_week": 3},
    ),
    (
        "glute-bridge",
        STRENGTH,
        [STRENGTH_STEP, SELF],
        ("Bilbrug (glute bridge)", "Glute bridge"),
        (
            "Op je rug, voeten plat, billen aanspannen en het bekken optillen tot heup en "
            "knie op één lijn liggen.",
            "On your back, feet flat, squeeze the glutes and lift the pelvis until hip and "
            "knee are in line.",
        ),
        {"sets": 3, "reps": 12, "times_per_week": 3},
    ),
    (
        "single-leg-deadlift",
        STRENGTH,
        [STRENGTH_STEP, SELF],
        ("Eenbenige deadlift", "Single-leg deadlift"),
        (
            "Op één been voorover scharnieren met het andere been gestrekt naar achteren, "
            "licht gewicht; traint kracht en stabiliteit.",
            "Hinge forward on one leg with the other leg straight behind, light weight; "
            "builds strength and stability.",
        ),
        {"sets": 3, "reps": 8, "times_per_week": 3},
    ),
    (
        "hip-90-90-stretch",
        MOBILITY,
        [MOVEMENT, SELF],
        ("90/90-heupstretch", "90/90 hip stretch"),
        (
            "Zittend met beide knieën in 90 graden, rustig van de ene naar de andere kant "
            "draaien voor heupmobiliteit.",
            "Seated with both knees at 90 degrees, rotate slowly from one side to the other "
            "for hip mobility.",
        ),
        {"sets": 2, "reps": 8, "times_per_week": 7},
    ),
    (
        "ankle-dorsiflexion-mobility",
        MOBILITY,
        [MOVEMENT, SELF],
        ("Enkelmobiliteit (dorsiflexie)", "Ankle dorsiflexion mobility"),
        (
            "In spreidstand de knie over de tenen naar voren brengen met de hiel op de grond.",
            "In a split stance, bring the knee forward over the toes keeping the heel down.",
        ),
        {"sets": 2, "reps": 10, "times_per_week": 7},
    ),
    (
        "thoracic-rotations",
        MOBILITY,
        [MOVEMENT, SELF],
        ("Rotaties van de middenrug", "Thoracic rotations"),
        (
            "In zijlig of op handen en knieën de bovenrug rustig opendraaien en terug.",
            "Lying on your side or on hands and knees, rotate the upper back open and back.",
        ),
        {"sets": 2, "reps": 10, "times_per_week": 7},
    ),
    (
        "controlled-leg-swings",
        MOBILITY,
        [MOVEMENT, STRENGTH_STEP, SELF],
        ("Gecontroleerde beenzwaaien", "Controlled leg swings"),
        (
            "Staand met steun het been gecontroleerd naar voren en achteren zwaaien, binnen "
            "een pijnvrij bereik; goed als warming-up.",
            "Standing with support, swing the leg forward and back under control within a "
            "pain-free range; a good warm-up.",
        ),
        {"sets": 2, "reps": 10, "times_per_week": 7},
    ),
    (
        "walking",
        CONDITIONING,
        [PAIN, MOVEMENT],
        ("Wandelen", "Walking"),
        (
            "Begin met 10–15 minuten zonder mank lopen en bouw langzaam op, hooguit 10% per week.",
            "Start with 10–15 minutes without limping and build up slowly, at most 10% a week.",
        ),
        {"minutes": 10, "times_per_week": 7},
    ),
    (
        "cycling-light-resistance",
        CONDITIONING,
        [PAIN, MOVEMENT, STRENGTH_STEP],
        ("Fietsen met lichte weerstand", "Cycling with light resistance"),
        (
            "Pijnvrij alternatief: fietsen met lichte weerstand houdt de conditie op peil en "
            "belast de hamstring weinig.",
            "A pain-free alternative: cycling with light resistance keeps up fitness with "
            "little load on the hamstring.",
        ),
        {"minutes": 20, "times_per_week": 3},
    ),
    (
        "swimming",
        CONDITIONING,
        [PAIN, MOVEMENT, STRENGTH_STEP],
        ("Zwemmen (eerst geen schoolslag)", "Swimming (avoid breaststroke at first)"),
        (
            "Zwemmen stimuleert de doorbloeding zonder impact; vermijd in het begin de schoolslag.",
            "Swimming helps circulation without impact; avoid breaststroke at first.",
        ),
        {"minutes": 20, "times_per_week": 2},
    ),
]


@transaction.atomic
def seed() -> dict[str, int]:
    """Add the library's exercises that are missing. Exercises already there are left as
    managers edited them, so seeding again changes nothing."""
    created = 0
    for code, category, steps, names, descriptions, dosage in LIBRARY:
        _, made = Exercise.objects.get_or_create(
            code=code,
            defaults={
                "category": category,
                "steps": [int(step) for step in steps],
                "name_nl": names[0],
                "name_en": names[1],
                "description_nl": descriptions[0],
                "description_en": descriptions[1],
                **{f"default_{key}": value for key, value in dosage.items()},
            },
        )
        created += made
    return {"exercises": len(LIBRARY), "created": created}
