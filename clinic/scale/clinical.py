"""Episodes, assessments, programs, check-ins and escalations at scale."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from assessments.models import Assessment, InjuryEpisode
from clinic.scale.core import ScaleContext
from escalations.catalogue import DEFAULT_SEVERITY
from escalations.models import Escalation
from programs.models import CheckIn, Program

CHECK_INS_PER_PROGRAM = 80
TREATED_SHARE = 0.65  # patients with a program (the rest had only an intake)
ACTIVE_SHARE = 0.35  # of those, still in an open program


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def seed_clinical(ctx: ScaleContext, *, check_ins_target: int) -> dict[str, int]:
    rng = ctx.rng
    episodes = []
    for pid in ctx.patient_ids:
        onset = ctx.today - timedelta(days=rng.randrange(7, 700))
        episodes.append(
            InjuryEpisode(
                patient_id=pid,
                side=rng.choice(["left", "right"]),
                onset_date=onset,
                previous_injuries=rng.choice([0, 0, 0, 1, 2]),
            )
        )
    InjuryEpisode.objects.bulk_create(episodes, batch_size=ctx.batch_size)
    episode_of = dict(
        InjuryEpisode.objects.filter(patient_id__in=ctx.patient_ids).values_list("patient_id", "id")
    )
    onset_of = {e.patient_id: e.onset_date for e in episodes}

    assessments = []
    for pid in ctx.patient_ids:
        clinician_id = ctx.patient_home[pid][1]
        for n in range(rng.choice([1, 1, 2, 3])):
            assessed = onset_of[pid] + timedelta(days=2 + 14 * n)
            assessments.append(
                Assessment(
                    episode_id=episode_of[pid],
                    patient_id=pid,
                    clinician_id=clinician_id,
                    kind="intake" if n == 0 else "reassessment",
                    assessed_at=_at(min(assessed, ctx.today), 10),
                    grade=rng.choice([1, 1, 2, 2, 3, None]),
                    pain_rest=rng.randrange(0, 6),
                    pain_walking=rng.randrange(0, 8),
                    readiness={
                        "walks_without_limp": n > 0,
                        "no_pain_daily_movements": n > 0,
                        "strength_symmetry_percent": 60 + 15 * n,
                    },
                )
            )
    for offset in range(0, len(assessments), ctx.batch_size):
        Assessment.objects.bulk_create(assessments[offset : offset + ctx.batch_size])

    treated = [pid for pid in ctx.patient_ids if rng.random() < TREATED_SHARE]
    programs = []
    for pid in treated:
        active = rng.random() < ACTIVE_SHARE
        started = max(onset_of[pid] + timedelta(days=3), ctx.today - timedelta(days=720))
        if active:
            started = ctx.today - timedelta(days=rng.randrange(7, 120))
        programs.append(
            Program(
                patient_id=pid,
                episode_id=episode_of[pid],
                clinician_id=ctx.patient_home[pid][1],
                step=rng.randrange(1, 6) if active else 5,
                status="active" if active else "completed",
                check_in_every_days=rng.choice([2, 3, 7]),
                started_at=_at(started, 9),
                closed_at=None if active else _at(min(started + timedelta(days=90), ctx.today), 9),
            )
        )
    Program.objects.bulk_create(programs, batch_size=ctx.batch_size)
    program_rows = list(
        Program.objects.filter(patient_id__in=treated).values_list("id", "patient_id", "started_at")
    )

    per_program = max(1, check_ins_target // max(1, len(program_rows)))
    ctx.stage("check-ins", per_program * len(program_rows))
    batch: list[CheckIn] = []
    created = 0
    for program_id, pid, started_at in program_rows:
        pain = rng.randrange(3, 8)
        for n in range(per_program):
            pain = max(0, min(10, pain + rng.choice([-1, -1, 0, 0, 1])))
            batch.append(
                CheckIn(
                    patient_id=pid,
                    program_id=program_id,
                    submitted_at=min(
                        started_at + timedelta(days=n, hours=rng.randrange(8, 21)),
                        datetime.now(UTC) - timedelta(minutes=5),
                    ),
                    pain_now=pain,
                    pain_activity=min(10, pain + rng.randrange(0, 3)),
                    pain_character=rng.choice(["dull", "dull", "dull", "sharp"]),
                    pain_course=rng.choice(["decreasing", "stable", "stable", "increasing"]),
                    next_day_pain=rng.random() < 0.15,
                    exercise_pain_over_hour=rng.random() < 0.1,
                    exercises_done=rng.random() < 0.8,
                    walking_minutes=rng.randrange(0, 60),
                    walks_without_limp=rng.random() < 0.6,
                )
            )
            if len(batch) >= ctx.batch_size:
                CheckIn.objects.bulk_create(batch)
                ctx.progress.update(len(batch))
                created += len(batch)
                batch = []
    if batch:
        CheckIn.objects.bulk_create(batch)
        ctx.progress.update(len(batch))
        created += len(batch)

    # Escalations: resolved history for many, one unresolved rule for some open programs.
    rules = list(DEFAULT_SEVERITY)
    escalations = []
    now = datetime.now(UTC)
    for _program_id, pid, started_at in program_rows:
        for _ in range(rng.choice([0, 1, 2])):
            rule = rng.choice(rules)
            escalations.append(
                Escalation(
                    patient_id=pid,
                    rule=rule,
                    severity=DEFAULT_SEVERITY[rule],
                    status="resolved",
                    reason=f"{rule} (generated history)",
                    created_at=started_at + timedelta(days=3),
                    last_occurred_at=started_at + timedelta(days=3),
                    resolved_at=started_at + timedelta(days=4),
                )
            )
        if rng.random() < 0.2:
            rule = rng.choice(rules)
            escalations.append(
                Escalation(
                    patient_id=pid,
                    rule=rule,
                    severity=DEFAULT_SEVERITY[rule],
                    status=rng.choice(["open", "acknowledged"]),
                    reason=f"{rule} (generated)",
                    created_at=now - timedelta(hours=rng.randrange(1, 200)),
                    last_occurred_at=now - timedelta(hours=1),
                )
            )
    Escalation.objects.bulk_create(escalations, batch_size=ctx.batch_size)
    return {
        "episodes": len(episodes),
        "assessments": len(assessments),
        "programs": len(programs),
        "check_ins": created,
        "escalations": len(escalations),
    }
