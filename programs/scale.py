"""Programs and check-ins at clinic scale, for ``manage.py seed_scale``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clinic.scale.core import BatchInsert, ScaleContext, at_hour
from programs.models import CheckIn, Program, ProgramStatus

CHECK_INS_PER_PROGRAM = 80
TREATED_SHARE = 0.65  # patients with a program (the rest had only an intake)
ACTIVE_SHARE = 0.35  # of those, still in an open program


def seed(ctx: ScaleContext, *, check_ins_target: int) -> dict[str, int]:
    """Programs for most patients (some still open) and their check-ins."""
    rng = ctx.rng
    treated = [pid for pid in ctx.patient_ids if rng.random() < TREATED_SHARE]
    programs = []
    for pid in treated:
        active = rng.random() < ACTIVE_SHARE
        started = max(ctx.episodes[pid][1] + timedelta(days=3), ctx.today - timedelta(days=720))
        if active:
            started = ctx.today - timedelta(days=rng.randrange(7, 120))
        programs.append(
            Program(
                patient_id=pid,
                episode_id=ctx.episodes[pid][0],
                clinician_id=ctx.patient_home[pid][1],
                step=rng.randrange(1, 6) if active else 5,
                status=ProgramStatus.ACTIVE if active else ProgramStatus.COMPLETED,
                check_in_every_days=rng.choice([2, 3, 7]),
                started_at=at_hour(started, 9),
                closed_at=None
                if active
                else at_hour(min(started + timedelta(days=90), ctx.today), 9),
            )
        )
    Program.objects.bulk_create(programs, batch_size=ctx.batch_size)
    program_rows = list(
        Program.objects.filter(patient_id__in=treated).values_list("id", "patient_id", "started_at")
    )

    per_program = max(1, check_ins_target // max(1, len(program_rows)))
    ctx.stage("check-ins", per_program * len(program_rows))
    check_ins = BatchInsert(ctx, CheckIn)
    for program_id, pid, started_at in program_rows:
        pain = rng.randrange(3, 8)
        for n in range(per_program):
            pain = max(0, min(10, pain + rng.choice([-1, -1, 0, 0, 1])))
            check_ins.add(
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
    created = check_ins.flush()
    ctx.program_rows = program_rows
    return {"programs": len(programs), "check_ins": created}
