"""The five-step program: start, the check-in rhythm, prescriptions. Every change of a
program's step, status or episode is in ``programs.services.transitions``; its names are
re-exported here for the callers that import them from this module."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language, gettext

from assessments.models import Assessment
from clinic import events
from clinic.errors import Conflict, InvalidInput
from clinic.models import Clinician, Patient, User
from clinical_rules.selectors import rule_settings_for
from clinical_rules.thresholds import RuleSettings
from programs import rules
from programs.codes import ProgramErrorCode
from programs.models import (
    OPEN_PROGRAM_STATUSES,
    Exercise,
    Prescription,
    PrescriptionLoadChange,
    Program,
    Step,
)
from programs.services.transitions import (  # noqa: F401 (re-exported)
    FOLLOW_UPS,
    _locked,
    _override_reason,
    _require_status,
    blocking_escalations_of,
    latest_assessment_for,
    program_advance,
    program_complete,
    program_exit_check,
    program_pause,
    program_rebase,
    program_refer,
    program_refer_after_escalation,
    program_resume,
    program_transition,
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
                or rules.check_in_every_days_for(
                    Step.ANALYSIS, settings=rule_settings_for(patient.location_id)
                ),
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


# --- Prescriptions ------------------------------------------------------------------------


def _dosage(prescription: Prescription) -> dict:
    """The dosage as stored in the load history (JSON: kg as a string), and whether the
    prescription is in use: stopping and restarting are load changes too."""
    values = {name: getattr(prescription, name) for name in rules.DOSAGE_FIELDS}
    if values["load_kg"] is not None:
        values["load_kg"] = str(values["load_kg"])
    values["is_active"] = prescription.is_active
    return values


def _state_at(prescription: Prescription, moment) -> dict | None:
    """The dosage in force at ``moment``, from the load history; None if it did not exist."""
    state = None
    for change in prescription.load_changes.all():  # prefetched, oldest first
        if change.at > moment:
            break
        state = change.load_after
    return state


def _first_state(prescription: Prescription) -> dict | None:
    changes = list(prescription.load_changes.all())
    return changes[0].load_after if changes else None


@dataclass(frozen=True)
class LoadProblem:
    scope: str  # exercise / category
    name: str
    change: Decimal

    def as_dict(self) -> dict:
        return {
            "scope": self.scope,
            "name": self.name,
            "increase_percent": (None if not self.change.is_finite() else float(self.change * 100)),
            "comparable": not self.change.is_nan(),
        }


def _load_problems(
    *, program: Program, proposed: Prescription, settings: RuleSettings
) -> list[LoadProblem]:
    """The at-most-10%-a-week rule over every prescription row of the program that
    carries the exercise (and its category): stopping one row and prescribing the
    exercise again, or prescribing it twice, cannot dodge it.

    For each group (the exercise; its category) the weekly load with ``proposed`` in
    place is compared with the week before: the rows in force ``LOAD_WINDOW`` ago. An
    exercise first prescribed within the week is compared with its first dosage, so a
    second row of it is more load; a category is judged once it has a week behind it
    (the first week's plan is the clinician's). Only a change that raises a group's load
    is judged, so lowering or stopping everything is always possible.

    A missing weight is "not comparable", never a reset: when some of an exercise's rows
    (now, after the change, or a week ago) carry a weight and others do not, the change
    needs an override (its ``change`` is NaN). So 10 kg → no weight → 30 kg, or a
    weightless extra row that hides a raise of the first and is stopped later, cannot
    pass unnoticed.
    """
    cutoff = timezone.now() - rules.LOAD_WINDOW
    stored = list(
        Prescription.objects.filter(program=program)
        .select_related("exercise")
        .prefetch_related(
            Prefetch("load_changes", queryset=PrescriptionLoadChange.objects.order_by("at", "id"))
        )
        .order_by("created_at", "id")
    )
    after_of = {r.pk: _dosage(r) for r in stored}
    after_of[proposed.pk] = _dosage(proposed)  # a new one has no pk yet: key None
    exercise, category = proposed.exercise, proposed.exercise.category
    groups = (
        ("exercise", exercise.name_en, [r for r in stored if r.exercise_id == exercise.pk]),
        ("category", category, [r for r in stored if r.exercise.category == category]),
    )
    problems = []
    for scope, name, members in groups:
        before_now = [_dosage(r) for r in members]
        after_now = [after_of[r.pk] for r in members if r.pk != proposed.pk]
        after_now.append(after_of[proposed.pk])
        weighed = scope == "exercise"  # a category mixes body-weight and weighted exercises
        mixed_now = weighed and rules.weight_not_comparable([*before_now, *after_now])
        raises = rules.group_load_increase(before_now, after_now)
        if not mixed_now and (raises is None or raises <= 0):
            continue
        week_ago = [state for r in members if (state := _state_at(r, cutoff)) is not None]
        if not week_ago:
            if scope == "category" or not members:
                continue  # a new exercise, or a category's first week
            week_ago = [_first_state(members[0])]
        if weighed and rules.weight_not_comparable([*week_ago, *after_now]):
            problems.append(LoadProblem(scope, name, Decimal("NaN")))
            continue
        change = rules.group_load_increase(week_ago, after_now)
        if change is not None and change > settings.max_weekly_load_increase:
            problems.append(LoadProblem(scope, name, change))
    return problems


def _check_prescribing_rules(
    *,
    program: Program,
    prescription: Prescription,
    override: bool,
    reason: str,
    settings: RuleSettings,
    check_load: bool,
    check_step: bool,
) -> list[str]:
    """Raise 409 for every prescribing rule broken, unless overridden with a reason;
    returns the codes an override set aside."""
    broken: dict[str, str] = {}
    if check_step:
        # The step the program is at decides what the patient may do now; the step the
        # prescription is planned for (a field the client sends) must suit as well, but
        # can never make an exercise of a later step active.
        for step in dict.fromkeys((program.step, prescription.step)):
            for code, why in rules.prescription_step_problems(
                exercise_steps=prescription.exercise.steps or [],
                step=step,
                times_per_week=prescription.times_per_week,
                settings=settings,
            ).items():
                broken.setdefault(code, why)
    load = (
        _load_problems(program=program, proposed=prescription, settings=settings)
        if check_load
        else []
    )
    if load:
        worst = load[0]
        if worst.change.is_nan():
            percent = gettext("a load that cannot be compared (a weight is missing)")
        elif worst.change.is_infinite():
            percent = gettext("a new load")
        else:
            percent = f"{worst.change * 100:.0f}%"
        what = (
            gettext("of %(exercise)s")
            % {"exercise": prescription.exercise.name_in((get_language() or "en")[:2])}
            if worst.scope == "exercise"
            else gettext("of %(category)s exercises") % {"category": worst.name}
        )
        broken[rules.LOAD_INCREASE_TOO_LARGE] = gettext(
            "This raises the weekly load %(what)s by %(percent)s compared with a week ago; "
            "at most %(max)s%% a week is safe."
        ) % {"what": what, "percent": percent, "max": settings.max_weekly_load_increase_percent}
    if broken and not override:
        code = next(iter(broken))  # a ProgramErrorCode value (programs.rules)
        extra: dict = {"rules": list(broken)}
        if load:
            worst = load[0]
            extra.update(
                increase_percent=worst.as_dict()["increase_percent"],
                max_percent=float(settings.max_weekly_load_increase_percent),
                load=[p.as_dict() for p in load],
            )
        raise Conflict(
            " ".join([*broken.values(), gettext("Change it, or override with a reason.")]),
            code=code,
            extra=extra,
        )
    return list(broken)


def _step_fit(prescription: Prescription) -> tuple:
    """What the step rules look at: the step, sessions a week, and whether it is in use."""
    return (prescription.step, prescription.times_per_week, prescription.is_active)


def _save_checked(
    prescription: Prescription,
    *,
    before: dict,
    step_before: tuple | None,
    by: User,
    override: bool,
    reason: str,
) -> Prescription:
    """Save a new prescription (nothing ``before``) or a changed one, unless a prescribing
    rule refuses the change (409; an override with a reason sets the rules aside), and keep
    the load change with the rules the override set aside."""
    after = _dosage(prescription)
    load_changed = before != after
    step_changed = _step_fit(prescription) != step_before
    overridden: list[str] = []
    if load_changed or step_changed:
        overridden = _check_prescribing_rules(
            program=prescription.program,
            prescription=prescription,
            override=override,
            reason=reason,
            settings=rule_settings_for(prescription.program.patient.location_id),
            check_load=load_changed,
            # A stopped prescription is outside no step; one being stopped needs no check,
            # one being restarted does (it may have been moved while stopped).
            check_step=step_changed and prescription.is_active,
        )
    prescription.save()
    if load_changed or overridden:
        PrescriptionLoadChange.objects.create(
            prescription=prescription,
            by=by,
            load_before=before,
            load_after=after,
            override=bool(overridden),
            reason=reason,
            rules_overridden=overridden,
        )
    return prescription


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
    override: bool = False,
    reason: str = "",
) -> Prescription:
    """Prescribe an exercise for a step (default: the current one), with the library's
    default dosage for what is not given. An exercise outside its steps, sessions a week
    outside the step's range, or more than 10% a week more load of the exercise or its
    category need an override with a reason; the override is recorded."""
    reason = _override_reason(reason, override)
    program = _locked(program)
    _require_status(program, *OPEN_PROGRAM_STATUSES, doing=gettext("given exercises"))
    if not exercise.is_active:
        raise InvalidInput(gettext("This exercise is no longer in the library."), field="exercise")
    given = (sets, reps, hold_seconds, minutes)
    if all(v is None for v in given):
        sets, reps = exercise.default_sets, exercise.default_reps
        hold_seconds, minutes = exercise.default_hold_seconds, exercise.default_minutes
    prescription = Prescription(
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
    return _save_checked(
        prescription, before={}, step_before=None, by=by, override=override, reason=reason
    )


@transaction.atomic
def prescription_change(
    *,
    prescription: Prescription,
    by: User,
    override: bool = False,
    reason: str = "",
    **changes,
) -> Prescription:
    """Change a prescription (dosage, step, or stop and restart it). Raising the weekly
    load of the exercise or its category more than 10% above a week ago, or moving it
    outside what its step asks, is refused unless the clinician overrides with a reason
    (DOMAIN.md); the override is recorded with the rules it set aside."""
    reason = _override_reason(reason, override)
    # The program first, as prescription_add locks it: one change at a time per program,
    # and none once it is completed or referred.
    program = _locked(prescription.program)
    _require_status(program, *OPEN_PROGRAM_STATUSES, doing=gettext("given exercises"))
    prescription = (
        Prescription.objects.select_for_update()
        .select_related("exercise", "program__patient")
        .get(pk=prescription.pk)
    )
    before = _dosage(prescription)
    step_before = _step_fit(prescription)
    for name, value in changes.items():
        setattr(prescription, name, value)
    return _save_checked(
        prescription,
        before=before,
        step_before=step_before,
        by=by,
        override=override,
        reason=reason,
    )
