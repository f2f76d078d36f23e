"""The programs' scheduled jobs: the beat names them, and their former names still run."""

import pytest
from django.conf import settings

from config.celery import app
from tests.programs.factories import ProgramFactory

# Where each job lived before it moved to programs/tasks.py.
FORMER_NAMES = {
    "notifications.plan_check_in_reminders": "programs.plan_check_in_reminders",
    "notifications.send_escalation_digests": "programs.send_escalation_digests",
    "notifications.trend_review_sweep": "programs.trend_review_sweep",
    "notifications.trend_review_batch": "programs.trend_review_batch",
}


def test_the_beat_schedule_names_the_programs_tasks():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "notifications.sweep",
        "programs.plan_check_in_reminders",
        "programs.send_escalation_digests",
        "programs.trend_review_sweep",
    }
    assert scheduled <= set(app.tasks)


@pytest.mark.django_db
def test_a_job_queued_under_its_former_name_still_runs():
    app.loader.import_default_modules()
    assert set(FORMER_NAMES) | set(FORMER_NAMES.values()) <= set(app.tasks)
    programs = [ProgramFactory(), ProgramFactory()]
    patient_ids = [program.patient_id for program in programs]
    former = app.tasks["notifications.trend_review_batch"].apply(args=[patient_ids])
    current = app.tasks["programs.trend_review_batch"].apply(args=[patient_ids])
    assert former.get() == current.get() == 2
