"""Episodes and assessments at clinic scale, for ``manage.py seed_scale``."""

from __future__ import annotations

from datetime import timedelta

from assessments.models import Assessment, InjuryEpisode
from clinic.scale.core import ScaleContext, at_hour


def seed(ctx: ScaleContext) -> dict[str, int]:
    """An injury episode per patient and its intake and reassessments."""
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
                    assessed_at=at_hour(min(assessed, ctx.today), 10),
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
    ctx.episodes = {pid: (episode_of[pid], onset_of[pid]) for pid in ctx.patient_ids}
    return {"episodes": len(episodes), "assessments": len(assessments)}
