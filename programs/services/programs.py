"""The five-step program: start, advance, pause, resume, complete, refer; prescriptions."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from assessments.models import Assessment
from clinic import events
from clinic.errors import Conflict, InvalidInput
from clinic.models import Clinician, Patient, User
from programs import rules
from programs.codes import ProgramErrorCode
from programs.models import (
    OPEN_PROGRAM_STATUSES,
    CheckIn,
    Exercise,
    Prescription,
    PrescriptionLoadChange,
    Program,
    ProgramStatus,
    Step,
    StepTransition,
)

FOLLOW_UPS = ("personal_training", "group_training")


def _locked(program: Program) -> Program:
    return Program.objects.select_for_update().select_related("patient").get(pk=program.pk)


def _require_status(program: Program, *allowed: str, doing: str) -> None:
    if program.status not in allowed:
        raise Conflict(
            gettext("This program is %(status)s; it cannot be %(doing)s.")
            % {"status": program.status, "doing": doing},
            code=ProgramErrorCode.PROGRAM_PAUSED
            if program.status == ProgramStatus.PAUSED
            else ProgramErrorCode.PROGRAM_CLOSED,
            extra={"program_status": program.status},
        )


def _check_clinician_for(patient: Patient, clinician: Clinician) -> None:
    treats = patient.primary_clinician_id == clinician.pk
    works_there = clinician.user.locations.filter(pk=patient.location_id).exists()
    if not (treats or works_there):
        raise InvalidInput(
            gettext("%(clinician)s neither works at the patient's location nor treats the patient.")
            % {"clinician": clinician.name},
            field="clinician",
        )


@transaction.atomic
def program_start(
    *,
    patient: Patient,
    clinician: Clinician,
    started_by: User,
    assessment: Assessment | None = None,
    check_in_every_days: int | None = None,
) -> Program:
    """Enrol a patient at step 1 (analysis). One open program per patient."""
    if assessment is not None and assessment.patient_id != patient.pk:
        raise InvalidInput(gettext("This assessment is of another patient."), field="assessment")
    _check_clinician_for(patient, clinician)
    if Program.objects.filter(patient=patient, status__in=OPEN_PROGRAM_STATUSES).exists():
        raise Conflict(
            gettext("This patient already has an active or paused program."),
            code=ProgramErrorCode.PROGRAM_ALREADY_ACTIVE,
        )
    try:
        with transaction.atomic():
            program = Program.objects.create(
                patient=patient,
                clinician=clinician,
                episode_id=assessment.episode_id if assessment else None,
                step=Step.ANALYSIS,
                check_in_every_days=check_in_every_days
                or rules.check_in_every_days_for(Step.ANALYSIS),
                check_in_every_days_set=check_in_every_days is not None,
            )
    except IntegrityError as exc:  # another request enrolled the patient a moment ago
        raise Conflict(
            gettext("This patient already has an active or paused program."),
            code=ProgramErrorCode.PROGRAM_ALREADY_ACTIVE,
        ) from exc
    events.program_started.send(Program, program=program, actor=started_by)
    return program


@transaction.atomic
def program_set_check_in_rhythm(*, program: Program, every_days: int, by: User) -> Program:
    """The clinician sets how often the patient checks in; it no longer follows the step."""
    program = _locked(program)
    program.check_in_every_days = every_days
    program.check_in_every_days_set = True
    program.save(update_fields=["check_in_every_days", "check_in_every_days_set", "updated_at"])
    return program


def latest_assessment_for(program: Program) -> Assessment | None:
    """The newest assessment of the program's episode, or of the patient if none linked."""
    qs = Assessment.objects.filter(patient_id=program.patient_id)
    if program.episode_id is not None:
        qs = qs.filter(episode_id=program.episode_id)
    return qs.order_by("-assessed_at", "-id").first()


def program_exit_check(program: Program) -> rules.ExitCheck:
    """The current step's exit criteria against the latest assessment and check-in."""
    assessment = latest_assessment_for(program)
    check_in = (
        CheckIn.objects.filter(patient_id=program.patient_id, submitted_at__gte=program.started_at)
        .order_by("-submitted_at", "-id")
        .only("submitted_at", "walks_without_limp")
        .first()
    )
    return rules.step_exit_check(
        step=program.step,
        assessment_readiness=assessment.readiness if assessment else None,
        assessment_at=assessment.assessed_at if assessment else None,
        latest_check_in_walks_without_limp=check_in.walks_without_limp if check_in else None,
        latest_check_in_at=check_in.submitted_at if check_in else None,
    )


@transaction.atomic
def program_advance(
    *, program: Program, by: User, reason: str = "", override: bool = False
) -> Program:
    """Move to the next step when the exit criteria hold, or on the clinician's override
    with a written reason. Every transition is kept with the criteria met and unmet."""
    reason = (reason or "").strip()
    if override and not reason:
        raise InvalidInput(gettext("An override needs a written reason."), field="reason")
    program = _locked(program)
    _require_status(program, ProgramStatus.ACTIVE, doing=gettext("advanced"))
    if program.step == Step.SELF_SUFFICIENCY:
        raise Conflict(
            gettext("Step 5 (self-sufficiency) is the last step; complete the program instead."),
            code=ProgramErrorCode.PROGRAM_AT_LAST_STEP,
        )
    check = program_exit_check(program)
    if not check.passed and not override:
        raise Conflict(
            gettext("Not all exit criteria of step %(step)s (%(name)s) hold: %(unmet)s.")
            % {"step": program.step, "name": program.step_name, "unmet": ", ".join(check.unmet)},
            code=ProgramErrorCode.STEP_CRITERIA_UNMET,
            extra={"unmet": check.unmet, "met": check.met},
        )
    from_step = program.step
    program.step = from_step + 1
    if not program.check_in_every_days_set:
        program.check_in_every_days = rules.check_in_every_days_for(program.step)
    program.save(update_fields=["step", "check_in_every_days", "updated_at"])
    StepTransition.objects.create(
        program=program,
        from_step=from_step,
        to_step=program.step,
        by=by,
        criteria_met=check.met,
        criteria_unmet=check.unmet,
        # Only a move despite unmet criteria is an override; the reason is kept either way.
        override=bool(override and check.unmet),
        reason=reason,
    )
    events.program_step_changed.send(Program, program=program, actor=by)
    return program


@transaction.atomic
def program_pause(*, program: Program, by: User) -> Program:
    program = _locked(program)
    _require_status(program, ProgramStatus.ACTIVE, doing=gettext("paused"))
    program.status = ProgramStatus.PAUSED
    program.save(update_fields=["status", "updated_at"])
    return program


@transaction.atomic
def program_resume(*, program: Program, by: User) -> Program:
    program = _locked(program)
    if program.status != ProgramStatus.PAUSED:
        raise Conflict(
            gettext("This program is %(status)s; only a paused program can be resumed.")
            % {"status": program.status},
            code=ProgramErrorCode.PROGRAM_NOT_PAUSED,
            extra={"program_status": program.status},
        )
    program.status = ProgramStatus.ACTIVE
    program.save(update_fields=["status", "updated_at"])
    return program


def _close(program: Program, *, status: str, by: User, reason: str = "", follow_up: str = ""):
    program.status = status
    program.closed_at = timezone.now()
    program.closed_reason = reason
    program.follow_up = follow_up
    program.save(update_fields=["status", "closed_at", "closed_reason", "follow_up", "updated_at"])
    Prescription.objects.filter(program=program, is_active=True).update(is_active=False)
    events.program_closed.send(Program, program=program, actor=by)
    return program


@transaction.atomic
def program_complete(*, program: Program, by: User, follow_up: str = "") -> Program:
    """Close after step 5; ``follow_up`` suggests personal or group training."""
    if follow_up and follow_up not in FOLLOW_UPS:
        raise InvalidInput(
            gettext("Choose one of %(choices)s.") % {"choices": ", ".join(FOLLOW_UPS)},
            field="follow_up",
        )
    program = _locked(program)
    _require_status(program, ProgramStatus.ACTIVE, doing=gettext("completed"))
    if program.step != Step.SELF_SUFFICIENCY:
        raise Conflict(
            gettext(
                "The program is at step %(step)s (%(name)s); it can be completed only at "
                "step 5 (self-sufficiency)."
            )
            % {"step": program.step, "name": program.step_name},
            code=ProgramErrorCode.PROGRAM_NOT_AT_LAST_STEP,
        )
    return _close(program, status=ProgramStatus.COMPLETED, by=by, follow_up=follow_up)


@transaction.atomic
def program_refer(*, program: Program, by: User, reason: str) -> Program:
    """Close as referred (e.g. to a specialist); the reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(gettext("Say why the patient is referred."), field="reason")
    program = _locked(program)
    _require_status(program, *OPEN_PROGRAM_STATUSES, doing=gettext("referred"))
    return _close(program, status=ProgramStatus.REFERRED, by=by, reason=reason)


# --- Prescriptions ------------------------------------------------------------------------


def _dosage(prescription: Prescription) -> dict:
    """The dosage as stored in the load history (JSON: kg as a string)."""
    values = {name: getattr(prescription, name) for name in rules.DOSAGE_FIELDS}
    if values["load_kg"] is not None:
        values["load_kg"] = str(values["load_kg"])
    return values


def _dosage_week_ago(prescription: Prescription) -> dict:
    """What the dosage was ``LOAD_WINDOW`` ago, or the first dosage of a newer one."""
    cutoff = timezone.now() - rules.LOAD_WINDOW
    changes = prescription.load_changes.order_by("at", "id")
    then = changes.filter(at__lte=cutoff).last() or changes.first()
    return then.load_after if then is not None else _dosage(prescription)


@transaction.atomic
def prescription_add(
    *,
    program: Program,
    exercise: Exercise,
    by: User,
    step: int | None = None,
    sets: int | None = None,
    reps: int | None = None,
    hold_seconds: int | None = None,
    minutes: int | None = None,
    times_per_week: int | None = None,
    load_kg: Decimal | None = None,
    notes: str = "",
) -> Prescription:
    """Prescribe an exercise for a step (default: the current one), with the library's
    default dosage for what is not given."""
    program = _locked(program)
    _require_status(program, *OPEN_PROGRAM_STATUSES, doing=gettext("given exercises"))
    if not exercise.is_active:
        raise InvalidInput(gettext("This exercise is no longer in the library."), field="exercise")
    given = (sets, reps, hold_seconds, minutes)
    if all(v is None for v in given):
        sets, reps = exercise.default_sets, exercise.default_reps
        hold_seconds, minutes = exercise.default_hold_seconds, exercise.default_minutes
    prescription = Prescription.objects.create(
        program=program,
        exercise=exercise,
        step=step or program.step,
        sets=sets,
        reps=reps,
        hold_seconds=hold_seconds,
        minutes=minutes,
        times_per_week=times_per_week or exercise.default_times_per_week or 3,
        load_kg=load_kg,
        notes=notes,
    )
    PrescriptionLoadChange.objects.create(
        prescription=prescription, by=by, load_before={}, load_after=_dosage(prescription)
    )
    return prescription


@transaction.atomic
def prescription_change(
    *,
    prescription: Prescription,
    by: User,
    override: bool = False,
    reason: str = "",
    **changes,
) -> Prescription:
    """Change a prescription. Raising the weekly load more than 10% above what it was a
    week ago is refused unless the clinician overrides with a reason (DOMAIN.md)."""
    reason = (reason or "").strip()
    if override and not reason:
        raise InvalidInput(gettext("An override needs a written reason."), field="reason")
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    before = _dosage(prescription)
    for name, value in changes.items():
        setattr(prescription, name, value)
    after = _dosage(prescription)
    load_changed = before != after
    too_much = False
    if load_changed:
        week_ago = _dosage_week_ago(prescription)
        too_much = rules.load_increase_too_large(week_ago, after)
        if too_much and not override:
            change = rules.load_increase(week_ago, after)
            percent = "a new load" if change.is_infinite() else f"{change * 100:.0f}%"
            raise Conflict(
                gettext(
                    "This raises the weekly load of %(exercise)s by %(percent)s compared with a "
                    "week ago; at most 10%% a week is safe. Lower it, or override with a reason."
                )
                % {"exercise": prescription.exercise.name_en, "percent": percent},
                code=ProgramErrorCode.LOAD_INCREASE_TOO_LARGE,
                extra={
                    "increase_percent": None if change.is_infinite() else float(change * 100),
                    "max_percent": float(rules.MAX_WEEKLY_LOAD_INCREASE * 100),
                },
            )
    prescription.save()
    if load_changed:
        PrescriptionLoadChange.objects.create(
            prescription=prescription,
            by=by,
            load_before=before,
            load_after=after,
            override=bool(override and too_much),
            reason=reason,
        )
    return prescription
