"""The program's one transition function: every change of a program's step, status or
episode goes through ``program_transition``, with the program row locked, inside one
transaction. It reads the state once (the episode's findings from the clinician and the
patient, the other leg, the open escalations, the time in the step and the grade's window)
and decides each move from it, so no path can walk round a rule:

- advance (with or without an override and its reason), complete, refer, pause, resume;
- the reinjury hold: a program whose episode was closed by a new onset on the same leg is
  on hold until the clinician re-bases it on the new episode (``rebase``) or closes it.

``program_advance`` & co. are the names the API, the staff site, the admin, tasks and
commands call; each is this function with its action.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from assessments import rules as assessment_rules
from assessments.models import Assessment, InjuryEpisode
from clinic import events
from clinic.errors import Conflict, InvalidInput
from clinic.models import User
from clinical_rules.selectors import rule_settings_for
from clinical_rules.thresholds import RuleSettings
from escalations.models import UNRESOLVED, Escalation, Severity
from programs import rules
from programs.codes import ProgramErrorCode
from programs.models import (
    OPEN_PROGRAM_STATUSES,
    CheckIn,
    Prescription,
    Program,
    ProgramStatus,
    ReferredTo,
    Step,
    StepTransition,
    TransitionKind,
)
from programs.selectors import exit_criteria_for

FOLLOW_UPS = ("personal_training", "group_training")

# Escalations that hold a program at its step until resolved or overridden.
BLOCKING_SEVERITIES = (Severity.URGENT, Severity.HIGH)

# Why a program is on hold (None: it is not).
HOLD_REINJURY = "reinjury"


class Action:
    ADVANCE = "advance"
    COMPLETE = "complete"
    REFER = "refer"
    PAUSE = "pause"
    RESUME = "resume"
    REBASE = "rebase"


def _locked(program: Program) -> Program:
    return (
        Program.objects.select_for_update(of=("self",))
        .select_related("patient", "episode")
        .get(pk=program.pk)
    )


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


def _override_reason(reason: str, override: bool) -> str:
    """The clinician's reason, trimmed; an override without a written one is refused."""
    reason = (reason or "").strip()
    if override and not reason:
        raise InvalidInput(gettext("An override needs a written reason."), field="reason")
    return reason


# --- Reading the state ------------------------------------------------------------------------


def hold_of(program: Program) -> str | None:
    """``reinjury`` while the program's episode is closed: a new onset on the same leg
    closed it (assessments), and the program waits for the clinician to re-base it on the
    new episode or close it. Derived from the episode, so no path can forget to set it."""
    if program.status not in OPEN_PROGRAM_STATUSES or program.episode_id is None:
        return None
    return HOLD_REINJURY if program.episode.closed_at is not None else None


def basis_episode_of(program: Program) -> InjuryEpisode | None:
    """The episode the program's findings are read from: its own, or while on hold for a
    reinjury the open episode of the same leg (the new injury), never the old one."""
    episode = program.episode
    if episode is None:
        return None
    if episode.closed_at is None:
        return episode
    newer = (
        InjuryEpisode.objects.filter(
            patient_id=program.patient_id, side=episode.side, closed_at__isnull=True
        )
        .order_by("-onset_date", "-id")
        .first()
    )
    return newer or episode


def findings_since(program: Program) -> datetime.datetime:
    """The patient's reports count from the program's start, or from its last re-basing:
    check-ins about the old injury say nothing about the new one."""
    rebased = (
        program.transitions.filter(kind=TransitionKind.REBASE)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    return max(program.started_at, rebased) if rebased else program.started_at


def latest_assessment_for(program: Program) -> Assessment | None:
    """The newest assessment of the program's (basis) episode, or of the patient if none is
    linked."""
    qs = Assessment.objects.filter(patient_id=program.patient_id)
    episode = basis_episode_of(program)
    if episode is not None:
        qs = qs.filter(episode_id=episode.pk)
    return qs.select_related("episode").order_by("-assessed_at", "-id").first()


def other_leg_assessment_for(program: Program) -> Assessment | None:
    """The newest assessment of the other leg since the program's findings count: DOMAIN.md
    names complaints of the other leg as compensation, so its limp holds this leg's gates."""
    episode = basis_episode_of(program)
    if episode is None:
        return None
    return (
        Assessment.objects.filter(
            patient_id=program.patient_id, assessed_at__gte=findings_since(program)
        )
        .exclude(episode__side=episode.side)
        .order_by("-assessed_at", "-id")
        .first()
    )


def other_leg_limps(assessment: Assessment | None) -> bool:
    """The other leg's assessment saw a limp, or did not see walking without one."""
    if assessment is None:
        return False
    readiness = assessment.readiness or {}
    return readiness.get("walks_without_limp") is not True or "unable_to_walk" in (
        assessment.red_flags or []
    )


def _in_step_since(program: Program):
    last = program.transitions.order_by("-at", "-id").values_list("at", flat=True).first()
    return last or program.started_at


def program_exit_check(
    program: Program, *, settings: RuleSettings | None = None
) -> rules.ExitCheck:
    """The current step's exit criteria against the latest assessment of the basis episode,
    the latest check-in since the findings count, the other leg, and the step's minimum
    time since the last transition."""
    settings = settings or rule_settings_for(program.patient.location_id)
    assessment = latest_assessment_for(program)
    check_in = (
        CheckIn.objects.filter(
            patient_id=program.patient_id, submitted_at__gte=findings_since(program)
        )
        .exclude(walks_without_limp__isnull=True)
        .order_by("-submitted_at", "-id")
        .only("submitted_at", "walks_without_limp")
        .first()
    )
    now = timezone.now()
    in_step = now - _in_step_since(program)
    window = None
    if assessment is not None:
        window = assessment_rules.return_to_run(
            grade=assessment.grade, onset_date=assessment.episode.onset_date
        )
    return rules.step_exit_check(
        step=program.step,
        assessment_readiness=assessment.readiness if assessment else None,
        assessment_at=assessment.assessed_at if assessment else None,
        assessment_red_flags=assessment.red_flags if assessment else (),
        latest_check_in_walks_without_limp=check_in.walks_without_limp if check_in else None,
        latest_check_in_at=check_in.submitted_at if check_in else None,
        other_leg_limps=other_leg_limps(other_leg_assessment_for(program)),
        days_in_step=in_step.total_seconds() / 86400,
        earliest_return=window["earliest"] if window else None,
        today=timezone.localdate(now),
        settings=settings,
        exit_criteria=exit_criteria_for(program.patient.location_id),
    )


def blocking_escalations_of(program: Program) -> list[Escalation]:
    """The patient's unresolved urgent or high escalations, most severe first."""
    return list(
        Escalation.objects.filter(
            patient_id=program.patient_id,
            severity__in=BLOCKING_SEVERITIES,
            status__in=UNRESOLVED,
        ).order_by("severity", "created_at", "id")
    )


def _named(escalations: list[Escalation]) -> list[dict]:
    return [
        {"id": e.pk, "rule": e.rule, "severity": e.severity, "status": e.status}
        for e in sorted(escalations, key=lambda e: (BLOCKING_SEVERITIES.index(e.severity), e.pk))
    ]


@dataclass
class ProgramState:
    """What the transition reads, once, under the program's lock."""

    program: Program
    settings: RuleSettings
    hold: str | None
    blocking: list[Escalation]
    check: rules.ExitCheck | None = None
    context: dict = field(default_factory=dict)


def _state(program: Program, *, with_exit_check: bool) -> ProgramState:
    settings = rule_settings_for(program.patient.location_id)
    state = ProgramState(
        program=program,
        settings=settings,
        hold=hold_of(program),
        blocking=blocking_escalations_of(program),
    )
    if with_exit_check:
        state.check = program_exit_check(program, settings=settings)
        state.context = {
            "unmet": state.check.unmet,
            "met": state.check.met,
            "decided_by": state.check.sources,
        }
    return state


# --- The gates --------------------------------------------------------------------------------


def _refuse_on_hold(state: ProgramState, *, doing: str) -> None:
    if state.hold is not None:
        raise Conflict(
            gettext(
                "This program is on hold: the leg was injured again (a new episode). Re-base "
                "the program on the new episode or close it before it can be %(doing)s."
            )
            % {"doing": doing},
            code=ProgramErrorCode.PROGRAM_ON_HOLD,
            extra={"hold": state.hold, "episode": state.program.episode_id},
        )


def _refuse_over_escalations(state: ProgramState, *, override: bool) -> None:
    if state.blocking and not override:
        raise Conflict(
            gettext(
                "The patient has unresolved urgent or high escalations: %(escalations)s. "
                "Resolve them first, or override with a reason."
            )
            % {
                "escalations": ", ".join(
                    f"{e.rule} ({e.severity}, {e.status})" for e in state.blocking
                )
            },
            code=ProgramErrorCode.ESCALATION_OPEN,
            extra={"escalations": _named(state.blocking), **state.context},
        )


def _advance(state: ProgramState, *, by: User, reason: str, override: bool) -> Program:
    program, check, settings = state.program, state.check, state.settings
    assert check is not None
    _require_status(program, ProgramStatus.ACTIVE, doing=gettext("advanced"))
    _refuse_on_hold(state, doing=gettext("advanced"))
    if program.step == Step.SELF_SUFFICIENCY:
        raise Conflict(
            gettext("Step 5 (self-sufficiency) is the last step; complete the program instead."),
            code=ProgramErrorCode.PROGRAM_AT_LAST_STEP,
        )
    _refuse_over_escalations(state, override=override)
    if not check.passed and not override:
        raise Conflict(
            gettext("Not all exit criteria of step %(step)s (%(name)s) hold: %(unmet)s.")
            % {"step": program.step, "name": program.step_name, "unmet": ", ".join(check.unmet)},
            code=ProgramErrorCode.STEP_CRITERIA_UNMET,
            extra=state.context,
        )
    from_step = program.step
    program.step = from_step + 1
    if not program.check_in_every_days_set:
        program.check_in_every_days = rules.check_in_every_days_for(program.step, settings=settings)
    program.save(update_fields=["step", "check_in_every_days", "updated_at"])
    overridden = [*check.unmet, *(["escalation_open"] if state.blocking else [])]
    StepTransition.objects.create(
        program=program,
        kind=TransitionKind.ADVANCE,
        from_step=from_step,
        to_step=program.step,
        by=by,
        criteria_met=check.met,
        criteria_unmet=check.unmet,
        # Only a move despite unmet criteria or open escalations is an override; the
        # reason is kept either way.
        override=bool(override and overridden),
        reason=reason,
        rules_overridden=overridden if override else [],
        escalations_open=[e.pk for e in state.blocking],
        decided_by=check.sources,
        settings_in_force={
            **settings.as_dict(),
            "exit_criteria": list(exit_criteria_for(program.patient.location_id)[from_step]),
        },
    )
    events.program_step_changed.send(Program, program=program, actor=by)
    return program


def _close(program: Program, *, status: str, by: User, reason: str = "", follow_up: str = ""):
    program.status = status
    program.closed_at = timezone.now()
    program.closed_reason = reason
    program.follow_up = follow_up
    program.save(
        update_fields=[
            "status",
            "closed_at",
            "closed_reason",
            "follow_up",
            "referred_to",
            "updated_at",
        ]
    )
    Prescription.objects.filter(program=program, is_active=True).update(is_active=False)
    events.program_closed.send(Program, program=program, actor=by)
    return program


def _complete(
    state: ProgramState, *, by: User, follow_up: str, reason: str, override: bool
) -> Program:
    program = state.program
    _require_status(program, ProgramStatus.ACTIVE, doing=gettext("completed"))
    _refuse_on_hold(state, doing=gettext("completed"))
    if program.step != Step.SELF_SUFFICIENCY:
        raise Conflict(
            gettext(
                "The program is at step %(step)s (%(name)s); it can be completed only at "
                "step 5 (self-sufficiency)."
            )
            % {"step": program.step, "name": program.step_name},
            code=ProgramErrorCode.PROGRAM_NOT_AT_LAST_STEP,
        )
    # Discharge is a step out of the method: the same flags hold it as hold an advance.
    _refuse_over_escalations(state, override=override)
    if state.blocking:
        StepTransition.objects.create(
            program=program,
            kind=TransitionKind.COMPLETE,
            from_step=program.step,
            to_step=program.step,
            by=by,
            override=True,
            reason=reason,
            rules_overridden=["escalation_open"],
            escalations_open=[e.pk for e in state.blocking],
            settings_in_force=state.settings.as_dict(),
        )
    return _close(
        program, status=ProgramStatus.COMPLETED, by=by, follow_up=follow_up, reason=reason
    )


def _rebase(
    state: ProgramState,
    *,
    by: User,
    reason: str,
    episode: InjuryEpisode | None,
    to_step: int | None,
) -> Program:
    program = state.program
    _require_status(program, *OPEN_PROGRAM_STATUSES, doing=gettext("re-based"))
    if episode is None:
        episode = basis_episode_of(program)
    if episode is None or episode.patient_id != program.patient_id:
        raise InvalidInput(gettext("This episode is of another patient."), field="episode")
    if episode.closed_at is not None:
        raise InvalidInput(
            gettext("Re-base the program on an open episode of the patient."), field="episode"
        )
    from_step = program.step
    to_step = to_step or from_step
    if not Step.ANALYSIS <= to_step <= from_step:
        raise InvalidInput(
            gettext("A re-based program stays at its step or goes back to an earlier one."),
            field="step",
        )
    previous = program.episode_id
    program.episode = episode
    program.step = to_step
    if not program.check_in_every_days_set:
        program.check_in_every_days = rules.check_in_every_days_for(
            to_step, settings=state.settings
        )
    program.save(update_fields=["episode", "step", "check_in_every_days", "updated_at"])
    StepTransition.objects.create(
        program=program,
        kind=TransitionKind.REBASE,
        from_step=from_step,
        to_step=to_step,
        by=by,
        reason=reason,
        decided_by={"episode_before": previous, "episode_after": episode.pk},
        settings_in_force=state.settings.as_dict(),
    )
    if to_step != from_step:
        events.program_step_changed.send(Program, program=program, actor=by)
    return program


@transaction.atomic
def program_transition(
    *,
    program: Program,
    action: str,
    by: User,
    reason: str = "",
    override: bool = False,
    follow_up: str = "",
    episode: InjuryEpisode | None = None,
    to_step: int | None = None,
    referred_to: str = "",
) -> Program:
    """Apply ``action`` to the program under its row lock, or refuse it (409/400) with
    nothing written. The only function that changes a program's step, status or episode."""
    if action == Action.REFER:
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput(gettext("Say why the patient is referred."), field="reason")
        if referred_to and referred_to not in ReferredTo.values:
            raise InvalidInput(
                gettext("Choose one of %(choices)s.") % {"choices": ", ".join(ReferredTo.values)},
                field="to",
            )
    else:
        reason = _override_reason(reason, override)
    if action == Action.COMPLETE and follow_up and follow_up not in FOLLOW_UPS:
        raise InvalidInput(
            gettext("Choose one of %(choices)s.") % {"choices": ", ".join(FOLLOW_UPS)},
            field="follow_up",
        )
    program = _locked(program)
    state = _state(program, with_exit_check=action == Action.ADVANCE)
    if action == Action.ADVANCE:
        return _advance(state, by=by, reason=reason, override=override)
    if action == Action.COMPLETE:
        return _complete(state, by=by, follow_up=follow_up, reason=reason, override=override)
    if action == Action.REFER:
        # Always possible while open, on hold or not: referring is how a clinician closes.
        _require_status(program, *OPEN_PROGRAM_STATUSES, doing=gettext("referred"))
        program.referred_to = referred_to
        return _close(program, status=ProgramStatus.REFERRED, by=by, reason=reason)
    if action == Action.PAUSE:
        _require_status(program, ProgramStatus.ACTIVE, doing=gettext("paused"))
        program.status = ProgramStatus.PAUSED
        program.save(update_fields=["status", "updated_at"])
        return program
    if action == Action.RESUME:
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
    if action == Action.REBASE:
        return _rebase(state, by=by, reason=reason, episode=episode, to_step=to_step)
    raise ValueError(f"unknown program action {action!r}")


# --- The names every path calls ---------------------------------------------------------------


def program_advance(
    *, program: Program, by: User, reason: str = "", override: bool = False
) -> Program:
    """Move to the next step when the exit criteria hold, no urgent or high escalation of
    the patient is unresolved and the program is not on hold, or on the clinician's
    override with a written reason. Every transition is kept with the criteria met and
    unmet, which observation decided them, what an override set aside, and the thresholds
    in force."""
    return program_transition(
        program=program, action=Action.ADVANCE, by=by, reason=reason, override=override
    )


def program_pause(*, program: Program, by: User) -> Program:
    return program_transition(program=program, action=Action.PAUSE, by=by)


def program_resume(*, program: Program, by: User) -> Program:
    return program_transition(program=program, action=Action.RESUME, by=by)


def program_complete(
    *, program: Program, by: User, follow_up: str = "", override: bool = False, reason: str = ""
) -> Program:
    """Close after step 5; ``follow_up`` suggests personal or group training. Refused while
    an urgent or high escalation is open (as advancing is) unless overridden with a reason,
    and while the program is on hold."""
    return program_transition(
        program=program,
        action=Action.COMPLETE,
        by=by,
        follow_up=follow_up,
        override=override,
        reason=reason,
    )


def program_refer(*, program: Program, by: User, reason: str, referred_to: str = "") -> Program:
    """Close as referred (``referred_to``: specialist, gp or not said); the reason is
    required."""
    return program_transition(
        program=program, action=Action.REFER, by=by, reason=reason, referred_to=referred_to
    )


def program_rebase(
    *,
    program: Program,
    by: User,
    episode: InjuryEpisode | None = None,
    step: int | None = None,
    reason: str = "",
) -> Program:
    """Put the program on the patient's new episode after a reinjury (default: the open
    episode of the same leg), optionally back to an earlier step; this lifts the hold."""
    return program_transition(
        program=program, action=Action.REBASE, by=by, episode=episode, to_step=step, reason=reason
    )


def program_refer_after_escalation(*, escalation, by: User) -> Program | None:
    """The escalation was resolved with a referral: the patient's open program closes as
    referred, its reason naming the escalation and the clinician's note."""
    program = Program.objects.filter(
        patient_id=escalation.patient_id, status__in=OPEN_PROGRAM_STATUSES
    ).first()
    if program is None:
        return None
    specialist = escalation.outcome == "referred_specialist"
    who = "a specialist" if specialist else "the GP"
    return program_refer(
        program=program,
        by=by,
        referred_to=ReferredTo.SPECIALIST if specialist else ReferredTo.GP,
        reason=(
            f"Referred to {who} ({escalation.rule}, escalation {escalation.pk}): "
            f"{escalation.resolution_note}"
        ),
    )
